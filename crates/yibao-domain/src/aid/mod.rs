//! Medical aid (医疗救助): a person's aid categories as registry facts (which department
//! recognised them, from when, until when), the category in force on a date, and manual aid
//! reimbursement (医疗救助对象手工（零星）报销, seeds 001/003/004 item 32) for what was not aided in
//! real time: the policy's ratio for the category (tilted: 特困/低保 at the national floor of
//! 70 %, the others lower — 示例参数) on the in-scope self-payment left after basic and
//! critical-illness insurance, up to the annual cap. The cap is one yearly total across
//! real-time settlement and manual reimbursement: both add to the year's `aid_paid`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::benefit::{apply_ratio, AidCategory, PolicySet, VisitType};
use crate::error::Coded;
use crate::Fen;

/// One recognition of a person as an aid recipient (医疗救助身份认定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidStatus {
    pub category: AidCategory,
    /// Who recognised it and on what basis (e.g. 「区民政局 低保认定 渝南民〔2026〕12号」).
    pub source: String,
    pub valid_from: NaiveDate,
    /// Last day in force (inclusive): categories are re-certified.
    pub valid_to: NaiveDate,
}

impl AidStatus {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_to
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AidError {
    #[error("no recognition on the date")]
    NotRecognised { date: NaiveDate },
    #[error("recognition expired")]
    Expired {
        category: AidCategory,
        valid_to: NaiveDate,
    },
    #[error("no aid rule")]
    NoRule {
        category: AidCategory,
        visit: VisitType,
    },
    #[error("annual cap reached")]
    CapReached { cap: Fen },
    #[error("nothing to aid")]
    NothingToAid,
    #[error("bad dates")]
    BadDates,
    #[error("source missing")]
    SourceMissing,
    #[error("amount invalid")]
    AmountInvalid,
}

impl Coded for AidError {
    fn code(&self) -> &'static str {
        match self {
            AidError::NotRecognised { .. } => "aid.not_recognised",
            AidError::Expired { .. } => "aid.expired",
            AidError::NoRule { .. } => "aid.no_rule",
            AidError::CapReached { .. } => "aid.cap_reached",
            AidError::NothingToAid => "aid.nothing_to_aid",
            AidError::BadDates => "aid.bad_dates",
            AidError::SourceMissing => "aid.source_missing",
            AidError::AmountInvalid => "aid.amount_invalid",
        }
    }

    fn message(&self) -> String {
        match self {
            AidError::NotRecognised { date } => format!(
                "申请人在 {date} 未经医疗救助身份认定，不能享受医疗救助；请先由相关部门认定（四川：提供《个人家庭经济状况核查委托授权书》，认定后报销）"
            ),
            AidError::Expired { category, valid_to } => format!(
                "申请人的医疗救助身份（{}）已于 {valid_to} 到期，须重新认定",
                category.label()
            ),
            AidError::NoRule { category, visit } => format!(
                "待遇政策未规定{}在{}中的医疗救助比例",
                category.label(),
                visit.label()
            ),
            AidError::CapReached { cap } => {
                format!("本年度医疗救助已达年度限额 {cap}，不能再支付")
            }
            AidError::NothingToAid => "政策范围内个人自付为零，没有可救助的费用".into(),
            AidError::BadDates => "认定的起止日期有误：终止日期不能早于起始日期".into(),
            AidError::SourceMissing => "请填写认定部门及依据（来源）".into(),
            AidError::AmountInvalid => "金额应为不小于零的整数（分）".into(),
        }
    }
}

/// Checks a recognition before it is recorded.
pub fn check_status(s: &AidStatus) -> Result<(), AidError> {
    if s.source.trim().is_empty() {
        return Err(AidError::SourceMissing);
    }
    if s.valid_to < s.valid_from {
        return Err(AidError::BadDates);
    }
    Ok(())
}

/// The category in force on `date` (the most favourable when several are), or why none is:
/// the latest that lapsed before the date, or no recognition at all.
pub fn category_on(statuses: &[AidStatus], date: NaiveDate) -> Result<&AidStatus, AidError> {
    let rank = |c: AidCategory| AidCategory::ALL.iter().position(|x| *x == c);
    if let Some(s) = statuses
        .iter()
        .filter(|s| s.covers(date))
        .min_by_key(|s| rank(s.category))
    {
        return Ok(s);
    }
    match statuses
        .iter()
        .filter(|s| s.valid_to < date)
        .max_by_key(|s| s.valid_to)
    {
        Some(s) => Err(AidError::Expired {
            category: s.category,
            valid_to: s.valid_to,
        }),
        None => Err(AidError::NotRecognised { date }),
    }
}

/// The result of a manual aid calculation, every figure explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManualAid {
    pub category: AidCategory,
    pub ratio_bp: u32,
    /// The in-scope self-payment left after basic and critical-illness insurance (the base).
    pub base: Fen,
    /// The ratio applied to the base.
    pub by_ratio: Fen,
    pub annual_cap: Option<Fen>,
    /// Aid paid this year before this claim (real-time and manual together).
    pub paid_before: Fen,
    pub paid: Fen,
    /// The ratio or cap is a 示例参数.
    pub example: bool,
    pub text: String,
}

/// Manual aid on `base` (from the 结算单 of basic and critical-illness insurance) for a person of
/// `category`, `aid_paid` having been paid this year (both paths).
pub fn manual_aid(
    policy: &PolicySet,
    category: AidCategory,
    visit: VisitType,
    base: Fen,
    aid_paid: Fen,
) -> Result<ManualAid, AidError> {
    if base.0 < 0 || aid_paid.0 < 0 {
        return Err(AidError::AmountInvalid);
    }
    if base.0 == 0 {
        return Err(AidError::NothingToAid);
    }
    let rule = policy
        .aid_for(category, visit)
        .ok_or(AidError::NoRule { category, visit })?;
    let by_ratio = apply_ratio(base, rule.ratio_bp).map_err(|_| AidError::AmountInvalid)?;
    let remaining = rule.annual_cap.map(|c| c.remaining_after(aid_paid));
    if let (Some(cap), Some(rem)) = (rule.annual_cap, remaining) {
        if rem.0 <= 0 {
            return Err(AidError::CapReached { cap });
        }
    }
    let paid = remaining.map_or(by_ratio, |r| Fen(by_ratio.0.min(r.0)));
    let example = rule.example || policy.example;
    let text = format!(
        "{}：政策范围内个人自付 {base} × 救助比例 {}.{:02}% = {by_ratio}{}；本年度已救助 {aid_paid}，本次救助 {paid}{}",
        category.label(),
        rule.ratio_bp / 100,
        rule.ratio_bp % 100,
        match rule.annual_cap {
            Some(c) => format!("；年度限额 {c}"),
            None => String::new(),
        },
        if example { "（示例参数）" } else { "" }
    );
    Ok(ManualAid {
        category,
        ratio_bp: rule.ratio_bp,
        base,
        by_ratio,
        annual_cap: rule.annual_cap,
        paid_before: aid_paid,
        paid,
        example,
        text,
    })
}

/// An amount in 元 as written on a form ("1234", "1234.5", "1,234.56") in fen; `None` when it
/// is not a non-negative amount with at most two decimals.
pub fn parse_yuan(text: &str) -> Option<Fen> {
    let t: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(Fen(w * 100 + f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn policy() -> PolicySet {
        toml::from_str(include_str!("../../../../data/policy/chongqing/2026.toml")).unwrap()
    }

    fn status(c: AidCategory, from: &str, to: &str) -> AidStatus {
        AidStatus {
            category: c,
            source: "区民政局认定".into(),
            valid_from: d(from),
            valid_to: d(to),
        }
    }

    #[test]
    fn category_in_force_and_expiry_boundaries() {
        let s = vec![status(
            AidCategory::MinimumLiving,
            "2026-01-01",
            "2026-06-30",
        )];
        assert_eq!(
            category_on(&s, d("2026-06-30")).unwrap().category,
            AidCategory::MinimumLiving
        );
        assert_eq!(
            category_on(&s, d("2026-07-01")),
            Err(AidError::Expired {
                category: AidCategory::MinimumLiving,
                valid_to: d("2026-06-30")
            })
        );
        assert_eq!(
            category_on(&s, d("2025-12-31")),
            Err(AidError::NotRecognised {
                date: d("2025-12-31")
            })
        );
    }

    #[test]
    fn most_favourable_category_wins() {
        let s = vec![
            status(AidCategory::IllnessImpoverished, "2026-01-01", "2026-12-31"),
            status(AidCategory::ExtremePoverty, "2026-03-01", "2026-12-31"),
        ];
        assert_eq!(
            category_on(&s, d("2026-02-01")).unwrap().category,
            AidCategory::IllnessImpoverished
        );
        assert_eq!(
            category_on(&s, d("2026-03-01")).unwrap().category,
            AidCategory::ExtremePoverty
        );
    }

    #[test]
    fn all_six_categories_parse_by_short_name_key_and_label() {
        for (short, c) in [
            ("特困", AidCategory::ExtremePoverty),
            ("低保", AidCategory::MinimumLiving),
            ("返贫致贫", AidCategory::PovertyRelapse),
            ("低保边缘", AidCategory::MarginalLowIncome),
            ("易返贫致贫", AidCategory::MonitoredRural),
            ("因病致贫", AidCategory::IllnessImpoverished),
        ] {
            assert_eq!(AidCategory::parse(short), Some(c));
            assert_eq!(AidCategory::parse(c.key()), Some(c));
            assert_eq!(AidCategory::parse(c.label()), Some(c));
        }
        assert_eq!(AidCategory::parse("贫困"), None);
    }

    #[test]
    fn tilted_ratio_by_category() {
        let p = policy();
        // Chongqing 2026 (示例参数): 特困/低保 70 %, the others 60 %.
        let a = manual_aid(
            &p,
            AidCategory::ExtremePoverty,
            VisitType::Inpatient,
            Fen(100_000),
            Fen(0),
        )
        .unwrap();
        assert_eq!((a.ratio_bp, a.paid), (7000, Fen(70_000)));
        assert!(a.example && a.text.contains("示例参数"));
        let b = manual_aid(
            &p,
            AidCategory::IllnessImpoverished,
            VisitType::Inpatient,
            Fen(100_000),
            Fen(0),
        )
        .unwrap();
        assert_eq!((b.ratio_bp, b.paid), (6000, Fen(60_000)));
    }

    #[test]
    fn annual_cap_is_shared_and_reached() {
        let p = policy();
        // cap 50,000 元 for 低保; 49,900 元 paid already (real-time and manual together).
        let a = manual_aid(
            &p,
            AidCategory::MinimumLiving,
            VisitType::Inpatient,
            Fen(100_000),
            Fen(4_990_000),
        )
        .unwrap();
        assert_eq!(a.paid, Fen(10_000));
        assert_eq!(
            manual_aid(
                &p,
                AidCategory::MinimumLiving,
                VisitType::Inpatient,
                Fen(100_000),
                Fen(5_000_000)
            ),
            Err(AidError::CapReached {
                cap: Fen(5_000_000)
            })
        );
        // one fen below the cap: one fen is paid
        let c = manual_aid(
            &p,
            AidCategory::MinimumLiving,
            VisitType::Inpatient,
            Fen(100_000),
            Fen(4_999_999),
        )
        .unwrap();
        assert_eq!(c.paid, Fen(1));
    }

    #[test]
    fn no_rule_for_general_outpatient_and_nothing_to_aid() {
        let p = policy();
        assert_eq!(
            manual_aid(
                &p,
                AidCategory::MinimumLiving,
                VisitType::GeneralOutpatient,
                Fen(100),
                Fen(0)
            ),
            Err(AidError::NoRule {
                category: AidCategory::MinimumLiving,
                visit: VisitType::GeneralOutpatient
            })
        );
        assert_eq!(
            manual_aid(
                &p,
                AidCategory::MinimumLiving,
                VisitType::Inpatient,
                Fen(0),
                Fen(0)
            ),
            Err(AidError::NothingToAid)
        );
    }

    #[test]
    fn yuan_amounts() {
        assert_eq!(parse_yuan("1234"), Some(Fen(123_400)));
        assert_eq!(parse_yuan("1,234.5"), Some(Fen(123_450)));
        assert_eq!(parse_yuan("0.01"), Some(Fen(1)));
        for bad in ["", "-1", "1.234", "abc", "1.2.3", ".5"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    fn recognition_needs_source_and_ordered_dates() {
        let mut s = status(AidCategory::MinimumLiving, "2026-01-01", "2026-12-31");
        assert_eq!(check_status(&s), Ok(()));
        s.valid_to = d("2025-12-31");
        assert_eq!(check_status(&s), Err(AidError::BadDates));
        s.source = " ".into();
        assert_eq!(check_status(&s), Err(AidError::SourceMissing));
    }
}
