//! Enrolment in the employee scheme as an individual (以个人身份参加职工医保, flexible
//! workers), its suspension and resumption, and the contribution grade (缴费档次).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::documents::Origin;
use super::error::EnrolmentError;
use super::retirement::age_on;
use super::Jurisdiction;
use crate::ids::Sex;

const CQ: &str = "seed 003 以个人身份参加职工医保参保登记 办理条件";

#[derive(Debug, Clone)]
pub struct FlexibleApplicant {
    pub jurisdiction: Jurisdiction,
    pub birth: NaiveDate,
    pub sex: Sex,
    pub origin: Origin,
    /// 户籍在本市 (the guide's own municipality)
    pub local_hukou: bool,
    /// Works for an employer (then the employer enrols them).
    pub has_employer: bool,
    /// Draws a monthly enterprise pension in the municipality (本市以外户籍退休人员).
    pub local_pension: bool,
    /// The bank of the debit account (代扣银行账户).
    pub debit_bank: String,
    pub today: NaiveDate,
}

/// Who may enrol as an individual: seed 003 conditions 1–4 (重庆市, and 南川 whose list gives
/// legal bases only); seed 002 酉阳 admits 港澳台 residents and wants an ICBC debit account
/// (SEED-NOTES D10, D11); 南川's legal basis 令41 admits 港澳台 residents too.
pub fn check_flexible_enrolment(a: &FlexibleApplicant) -> Result<(), Vec<EnrolmentError>> {
    let mut errors = Vec::new();
    let age = age_on(a.birth, a.today);
    let hmt_allowed = matches!(
        a.jurisdiction,
        Jurisdiction::Youyang | Jurisdiction::Nanchuan | Jurisdiction::Sichuan
    );
    match a.origin {
        Origin::Foreign => errors.push(EnrolmentError::new(
            "registry.flexible.foreign",
            "外籍人员不能以个人身份参加职工医保，请由用人单位办理职工参保",
            match a.jurisdiction {
                Jurisdiction::Youyang => "seed 002 个人身份参（续）保「外籍人员不允许」",
                _ => "seed 003 以个人身份参加职工医保参保登记 办理条件4",
            },
        )),
        Origin::HongKongMacauTaiwan if !hmt_allowed => errors.push(EnrolmentError::new(
            "registry.flexible.hmt",
            "港澳台人员不能以个人身份参加职工医保",
            "seed 003 以个人身份参加职工医保参保登记 办理条件4「港澳台、外籍人员不允许以个人身份参加职工医保」",
        )),
        _ => {}
    }
    if age < 16 {
        errors.push(EnrolmentError::new(
            "registry.flexible.under_16",
            "未满16周岁，不能以个人身份参加职工医保",
            format!("{CQ}1、2「年满16周岁以上」"),
        ));
    }
    if a.has_employer {
        errors.push(EnrolmentError::new(
            "registry.flexible.has_employer",
            "有用人单位的职工应由单位办理职工参保登记，不能以个人身份参保",
            format!("{CQ}1、3「无用人单位」"),
        ));
    }
    // Non-local applicants who are not pensioners here must be under 60 (men) / 55 (women).
    if !a.local_hukou && !a.local_pension && age >= 16 {
        let limit = match a.sex {
            Sex::Male => 60,
            Sex::Female => 55,
        };
        if age >= limit {
            errors.push(EnrolmentError::new(
                "registry.flexible.age_limit",
                format!(
                    "本市以外户籍人员以个人身份参保须{}未满{limit}周岁（现年{age}周岁）；在本市按月领取基本养老金的退休人员除外",
                    a.sex.label()
                ),
                format!("{CQ}2「男未年满60周岁、女未年满55周岁」、3"),
            ));
        }
    }
    if a.jurisdiction == Jurisdiction::Youyang {
        let bank = a.debit_bank.trim();
        if !(bank.contains("工商银行")
            || bank.contains("工行")
            || bank.eq_ignore_ascii_case("ICBC"))
        {
            errors.push(EnrolmentError::new(
                "registry.flexible.debit_bank",
                format!("代扣缴费须使用工商银行账户（填写的是“{bank}”）"),
                "seed 002 个人身份参（续）保 申请材料「工商银行代扣代缴银行账户」",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// 缴费档次 of individuals in the employee scheme (POLICY-FACTS §1: 一档 5 %, 二档 11 % of the
/// individual base in 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Tier1,
    Tier2,
}

impl Grade {
    pub fn key(self) -> &'static str {
        match self {
            Grade::Tier1 => "tier1",
            Grade::Tier2 => "tier2",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Tier1 => "一档",
            Grade::Tier2 => "二档",
        }
    }

    pub fn parse(text: &str) -> Option<Grade> {
        match text.trim() {
            "tier1" | "一档" => Some(Grade::Tier1),
            "tier2" | "二档" => Some(Grade::Tier2),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeChange {
    pub to: Grade,
    pub effective_from: NaiveDate,
    /// The difference between the grades is paid in one sum (years complete).
    pub difference_due: bool,
}

/// seed 003 职工参保信息变更登记 办理条件2: with contribution years not yet complete, only on
/// 1–20 December, for the next year; with them complete, on the 1st–20th of any month, paying
/// the difference between the grades in one sum.
pub fn check_grade_change(
    from: Grade,
    to: Grade,
    years_complete: bool,
    today: NaiveDate,
) -> Result<GradeChange, EnrolmentError> {
    const SOURCE: &str = "seed 003 职工参保信息变更登记 办理条件2";
    if from == to {
        return Err(EnrolmentError::new(
            "registry.grade.same",
            format!("当前缴费档次已是{}", to.label()),
            "",
        ));
    }
    if today.day() > 20 {
        return Err(EnrolmentError::new(
            "registry.grade.window",
            "缴费档次只能在每月1日至20日申请变更",
            SOURCE,
        ));
    }
    if years_complete {
        let first = today.with_day(1).unwrap_or(today);
        return Ok(GradeChange {
            to,
            effective_from: first,
            difference_due: true,
        });
    }
    if today.month() != 12 {
        return Err(EnrolmentError::new(
            "registry.grade.window",
            "基本医疗保险缴费年限未缴满的，只能在每年12月1日至20日申请变更下一年度的缴费档次",
            SOURCE,
        ));
    }
    let next_year = NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap_or(today);
    Ok(GradeChange {
        to,
        effective_from: next_year,
        difference_due: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn applicant(j: Jurisdiction) -> FlexibleApplicant {
        FlexibleApplicant {
            jurisdiction: j,
            birth: d(1990, 5, 1),
            sex: Sex::Male,
            origin: Origin::Mainland,
            local_hukou: true,
            has_employer: false,
            local_pension: false,
            debit_bank: "中国建设银行".into(),
            today: d(2026, 6, 1),
        }
    }

    fn codes(r: Result<(), Vec<EnrolmentError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn local_resident_from_16() {
        assert!(check_flexible_enrolment(&applicant(Jurisdiction::Chongqing)).is_ok());
        let mut a = applicant(Jurisdiction::Chongqing);
        a.birth = d(2010, 6, 2);
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.under_16"]
        );
        a.birth = d(2010, 6, 1);
        assert!(check_flexible_enrolment(&a).is_ok());
        let mut a = applicant(Jurisdiction::Chongqing);
        a.has_employer = true;
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.has_employer"]
        );
    }

    #[test]
    fn non_local_age_limits_by_sex() {
        let mut a = applicant(Jurisdiction::Chongqing);
        a.local_hukou = false;
        a.sex = Sex::Female;
        a.birth = d(1971, 6, 2); // 54 on 2026-06-01
        assert!(check_flexible_enrolment(&a).is_ok());
        a.birth = d(1971, 6, 1); // 55
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.age_limit"]
        );
        a.sex = Sex::Male;
        assert!(check_flexible_enrolment(&a).is_ok());
        a.birth = d(1966, 6, 1); // 60
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.age_limit"]
        );
        a.local_pension = true;
        assert!(check_flexible_enrolment(&a).is_ok());
    }

    // SEED-NOTES D10 and D11.
    #[test]
    fn hmt_and_debit_bank_per_guide() {
        let mut a = applicant(Jurisdiction::Chongqing);
        a.origin = Origin::HongKongMacauTaiwan;
        a.local_hukou = false;
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.hmt"]
        );
        a.jurisdiction = Jurisdiction::Youyang;
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.debit_bank"]
        );
        a.debit_bank = "中国工商银行酉阳支行".into();
        assert!(check_flexible_enrolment(&a).is_ok());
        a.origin = Origin::Foreign;
        assert_eq!(
            codes(check_flexible_enrolment(&a)),
            ["registry.flexible.foreign"]
        );
    }

    #[test]
    fn grade_windows() {
        let e = check_grade_change(Grade::Tier1, Grade::Tier2, false, d(2026, 11, 10)).unwrap_err();
        assert_eq!(e.code, "registry.grade.window");
        let ok = check_grade_change(Grade::Tier1, Grade::Tier2, false, d(2026, 12, 20)).unwrap();
        assert_eq!(ok.effective_from, d(2027, 1, 1));
        assert!(!ok.difference_due);
        assert!(check_grade_change(Grade::Tier1, Grade::Tier2, false, d(2026, 12, 21)).is_err());
        let ok = check_grade_change(Grade::Tier2, Grade::Tier1, true, d(2026, 7, 20)).unwrap();
        assert_eq!(ok.effective_from, d(2026, 7, 1));
        assert!(ok.difference_due);
        assert!(check_grade_change(Grade::Tier2, Grade::Tier2, true, d(2026, 7, 2)).is_err());
    }
}
