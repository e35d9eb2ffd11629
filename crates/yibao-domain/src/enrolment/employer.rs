//! Employers (参保单位): registration, changes, split, merger, whole transfer between
//! districts and deregistration.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::employee::Timing;
use super::error::EnrolmentError;
use super::Jurisdiction;
use crate::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployerKind {
    /// 企业
    Enterprise,
    /// 机关、事业单位
    PublicSector,
    /// 民办非企业单位
    PrivateNonEnterprise,
    /// 社会团体
    SocialOrganisation,
    /// 个体工商户
    IndividualBusiness,
    /// 虚拟户: the agency's own account for retirees whose employer is gone (seed 003 单位注销
    /// 「退休人员转入虚拟户」). Never registered by an applicant.
    Virtual,
}

impl EmployerKind {
    pub const REGISTRABLE: [EmployerKind; 5] = [
        EmployerKind::Enterprise,
        EmployerKind::PublicSector,
        EmployerKind::PrivateNonEnterprise,
        EmployerKind::SocialOrganisation,
        EmployerKind::IndividualBusiness,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EmployerKind::Enterprise => "enterprise",
            EmployerKind::PublicSector => "public_sector",
            EmployerKind::PrivateNonEnterprise => "private_non_enterprise",
            EmployerKind::SocialOrganisation => "social_organisation",
            EmployerKind::IndividualBusiness => "individual_business",
            EmployerKind::Virtual => "virtual",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EmployerKind::Enterprise => "企业",
            EmployerKind::PublicSector => "机关、事业单位",
            EmployerKind::PrivateNonEnterprise => "民办非企业单位",
            EmployerKind::SocialOrganisation => "社会团体",
            EmployerKind::IndividualBusiness => "个体工商户",
            EmployerKind::Virtual => "虚拟户",
        }
    }

    /// The catalog predicate its conditional materials are written for.
    pub fn predicate(self) -> &'static str {
        match self {
            EmployerKind::Enterprise | EmployerKind::IndividualBusiness => "enterprise",
            EmployerKind::PublicSector => "government_or_public_institution",
            EmployerKind::PrivateNonEnterprise | EmployerKind::SocialOrganisation => {
                "private_non_enterprise_or_social_org"
            }
            EmployerKind::Virtual => "",
        }
    }

    /// An applicant's choice: any kind but the agency's virtual account.
    pub fn parse(text: &str) -> Result<EmployerKind, EnrolmentError> {
        let t = text.trim();
        EmployerKind::REGISTRABLE
            .into_iter()
            .find(|k| {
                k.key() == t
                    || k.label() == t
                    || (t == "机关" || t == "事业单位") && *k == EmployerKind::PublicSector
            })
            .ok_or_else(|| {
                EnrolmentError::new(
                    "registry.employer.kind",
                    format!(
                        "单位类型“{t}”无效，可选：{}",
                        EmployerKind::REGISTRABLE.map(|k| k.label()).join("、")
                    ),
                    "seed 002 单位登记 办理条件(1)–(3)；seed 003 单位参保登记",
                )
            })
    }
}

crate::codes::coded! {
    /// An employer's registration: in force, or deregistered (注销).
    EmployerStatus {
        Active = ("active", "正常参保"),
        Deregistered = ("deregistered", "已注销"),
    }
}

/// The fields of an employer's record, and which of them are key information (关键信息)
/// whose change needs proof (seed 002 单位信息变更「变更统一社会信用代码、法定代表人等关键信息时需提供相应的证明材料」).
pub const EMPLOYER_FIELDS: [(&str, &str, bool); 9] = [
    ("uscc", "统一社会信用代码", true),
    ("name", "单位名称", true),
    ("legal_representative", "法定代表人（负责人）", true),
    ("kind", "单位类型", true),
    ("address", "单位地址", false),
    ("contact_name", "联系人", false),
    ("phone", "联系电话", false),
    ("bank_name", "开户银行", false),
    ("bank_account", "银行账号", false),
];

/// Which key fields a change touches: these need the proof material before it completes.
pub fn key_changes<'a>(
    changed: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<&'static str>, EnrolmentError> {
    let mut keys = Vec::new();
    for f in changed {
        let (_, label, key) = EMPLOYER_FIELDS
            .iter()
            .find(|(k, _, _)| *k == f)
            .ok_or_else(|| {
                EnrolmentError::new(
                    "registry.employer.field",
                    format!("单位信息“{f}”不能变更"),
                    "",
                )
            })?;
        if *key {
            keys.push(*label);
        }
    }
    Ok(keys)
}

/// A change is due within 30 days of the authority's change (seed 002 单位信息变更).
pub fn change_timing(changed_on: NaiveDate, today: NaiveDate) -> Timing {
    Timing::of(changed_on, 30, today, "seed 002 单位信息变更「自市场监督管理部门办理变更登记或有权机关批准或宣布变更之日起30日内」")
}

/// What the agency knows of an employer when it is to be deregistered.
#[derive(Debug, Clone)]
pub struct DeregistrationFacts {
    pub jurisdiction: Jurisdiction,
    pub status: EmployerStatus,
    /// Unpaid contributions recorded by the tax authority (欠费).
    pub arrears: Fen,
    /// In-service employees still enrolled.
    pub active_employees: u32,
    /// The day the authority deregistered or dissolved it (注销登记、批准或宣布终止之日).
    pub terminated_on: NaiveDate,
    pub today: NaiveDate,
}

/// What an employer with arrears may not do until they are cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrearsGate {
    /// 单位分立
    Split,
    /// 单位整体转出
    TransferOut,
}

/// seed 003 单位分立 办理条件1「被分立的单位已在税务部门完清各项保险费用欠款」 and 审核「单位需完清欠款
/// 后方可办理单位分立业务」; 单位整体转入转出 转出地审核「单位需完清欠款后方可办理单位整体转出业务」.
/// `arrears` are what the ledger shows unpaid plus what finance recorded from other systems.
pub fn check_arrears_cleared(gate: ArrearsGate, arrears: Fen) -> Result<(), EnrolmentError> {
    if arrears.0 <= 0 {
        return Ok(());
    }
    let (what, source) = match gate {
        ArrearsGate::Split => (
            "单位分立",
            "seed 003 单位分立 办理条件1「被分立的单位已在税务部门完清各项保险费用欠款」",
        ),
        ArrearsGate::TransferOut => (
            "单位整体转出",
            "seed 003 单位整体转入转出「单位需完清欠款后方可办理单位整体转出业务」",
        ),
    };
    Err(EnrolmentError::new(
        "registry.employer.arrears",
        format!("该单位尚有欠费{arrears}，须缴清后方可办理{what}"),
        source,
    ))
}

/// seed 003 / 002 单位注销: arrears cleared, no in-service employee left (retirees are moved to
/// the virtual account by the agency), within 30 days. Seed 001 (Sichuan) asks only for the
/// deregistration papers (SEED-NOTES D20): employees still enrolled are removed with it.
pub fn check_deregistration(f: &DeregistrationFacts) -> Result<Timing, Vec<EnrolmentError>> {
    let source = match f.jurisdiction {
        Jurisdiction::Youyang => "seed 002 单位注销 办理条件",
        _ => "seed 003 单位注销 办理条件",
    };
    let mut errors = Vec::new();
    if f.status == EmployerStatus::Deregistered {
        errors.push(EnrolmentError::new(
            "registry.employer.deregistered",
            "该单位已注销",
            "",
        ));
    }
    if f.terminated_on > f.today {
        errors.push(EnrolmentError::new(
            "registry.employer.terminated_in_future",
            format!("注销（终止）日期{}晚于今天", f.terminated_on),
            "",
        ));
    }
    if f.arrears.0 > 0 {
        errors.push(EnrolmentError::new(
            "registry.employer.arrears",
            format!(
                "单位尚有欠费{}元，须在税务部门缴清各项保险费用欠款后方可注销",
                f.arrears
            ),
            format!("{source}(2)「已在税务部门缴清各项保险费用欠款」"),
        ));
    }
    if f.active_employees > 0 && f.jurisdiction != Jurisdiction::Sichuan {
        errors.push(EnrolmentError::new(
            "registry.employer.has_employees",
            format!(
                "单位尚有{}名在职参保人员，须全部办理减员后方可注销",
                f.active_employees
            ),
            format!("{source}(3)「单位参保人员清零，其中在职人员全部减员，退休人员转入虚拟户」"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Timing::of(
        f.terminated_on,
        30,
        f.today,
        format!("{source}(1)「自注销登记或有关机关批准、宣布终止之日起30日内」"),
    ))
}

/// A merger (合并 / 兼并): the surviving employer takes every employee of the absorbed ones,
/// which are deregistered in the same case. Each must be active and distinct.
pub fn check_merger(
    surviving: (&str, EmployerStatus),
    absorbed: &[(&str, EmployerStatus, Fen)],
) -> Result<(), Vec<EnrolmentError>> {
    const SOURCE: &str = "seed 003 单位合并；seed 003 单位注销 办理条件1「合并、被兼并」";
    let mut errors = Vec::new();
    if absorbed.is_empty() {
        errors.push(EnrolmentError::new(
            "registry.merger.none",
            "请填写被合并（兼并）的单位",
            SOURCE,
        ));
    }
    if surviving.1 != EmployerStatus::Active {
        errors.push(EnrolmentError::new(
            "registry.merger.surviving_inactive",
            format!("存续单位{}已注销", surviving.0),
            SOURCE,
        ));
    }
    for (uscc, status, arrears) in absorbed {
        if *uscc == surviving.0 {
            errors.push(EnrolmentError::new(
                "registry.merger.same",
                "被合并单位不能是存续单位本身",
                SOURCE,
            ));
        } else if *status != EmployerStatus::Active {
            errors.push(EnrolmentError::new(
                "registry.merger.absorbed_inactive",
                format!("被合并单位{uscc}已注销"),
                SOURCE,
            ));
        }
        if arrears.0 > 0 {
            errors.push(EnrolmentError::new(
                "registry.employer.arrears",
                format!("被合并单位{uscc}尚有欠费{arrears}元，须缴清后方可注销"),
                "seed 003 单位注销 办理条件2",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts(j: Jurisdiction) -> DeregistrationFacts {
        DeregistrationFacts {
            jurisdiction: j,
            status: EmployerStatus::Active,
            arrears: Fen(0),
            active_employees: 0,
            terminated_on: d(2026, 3, 1),
            today: d(2026, 3, 31),
        }
    }

    #[test]
    fn split_and_transfer_out_need_arrears_cleared() {
        for gate in [ArrearsGate::Split, ArrearsGate::TransferOut] {
            assert!(check_arrears_cleared(gate, Fen(0)).is_ok());
            let e = check_arrears_cleared(gate, Fen(1)).unwrap_err();
            assert_eq!(e.code, "registry.employer.arrears");
            assert!(e.message.contains("0.01"), "{}", e.message);
        }
    }

    #[test]
    fn deregistration_needs_no_arrears_and_no_employees() {
        assert!(!check_deregistration(&facts(Jurisdiction::Chongqing))
            .unwrap()
            .is_late());
        let mut f = facts(Jurisdiction::Chongqing);
        f.today = d(2026, 4, 1);
        assert_eq!(check_deregistration(&f).unwrap().late_days, 1);
        f.arrears = Fen(1);
        f.active_employees = 1;
        let codes: Vec<_> = check_deregistration(&f)
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            [
                "registry.employer.arrears",
                "registry.employer.has_employees"
            ]
        );
    }

    // SEED-NOTES D20: one employee still enrolled: refused in Chongqing, not barred in Sichuan.
    #[test]
    fn d20_sichuan_does_not_bar_employees() {
        let mut f = facts(Jurisdiction::Sichuan);
        f.active_employees = 1;
        assert!(check_deregistration(&f).is_ok());
        f.jurisdiction = Jurisdiction::Youyang;
        let e = check_deregistration(&f).unwrap_err();
        assert!(e[0].message.contains("seed 002"));
    }

    #[test]
    fn key_fields_need_proof() {
        assert_eq!(
            key_changes(["phone", "legal_representative"]).unwrap(),
            ["法定代表人（负责人）"]
        );
        assert!(key_changes(["phone"]).unwrap().is_empty());
        assert!(key_changes(["status"]).is_err());
        assert_eq!(
            EmployerKind::parse("事业单位").unwrap(),
            EmployerKind::PublicSector
        );
        assert!(EmployerKind::parse("virtual").is_err());
    }

    #[test]
    fn merger_checks_each_party() {
        let ok = check_merger(
            ("A", EmployerStatus::Active),
            &[("B", EmployerStatus::Active, Fen(0))],
        );
        assert!(ok.is_ok());
        let e = check_merger(
            ("A", EmployerStatus::Active),
            &[
                ("A", EmployerStatus::Active, Fen(0)),
                ("C", EmployerStatus::Deregistered, Fen(5)),
            ],
        )
        .unwrap_err();
        let codes: Vec<_> = e.into_iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "registry.merger.same",
                "registry.merger.absorbed_inactive",
                "registry.employer.arrears"
            ]
        );
    }
}
