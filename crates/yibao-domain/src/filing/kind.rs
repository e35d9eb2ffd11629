//! The kinds of remote-care filing (异地就医备案) and the two schemes they concern.

use std::fmt;

use crate::catalog::Service;
use serde::{Deserialize, Serialize};

/// The basic medical-insurance scheme (险种) as 表1 of seed 000 offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// 职工基本医疗保险 (职工医保)
    Employee,
    /// 城乡居民基本医疗保险 (城乡居民医保)
    Resident,
}

impl Scheme {
    /// The label printed on 表1.
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Employee => "职工医保",
            Scheme::Resident => "城乡居民医保",
        }
    }

    /// Reads a 表1 choice; the long names are accepted too.
    pub fn from_label(s: &str) -> Option<Scheme> {
        match s.trim() {
            "职工医保" | "职工基本医疗保险" | "employee" => Some(Scheme::Employee),
            "城乡居民医保" | "城乡居民基本医疗保险" | "resident" => {
                Some(Scheme::Resident)
            }
            _ => None,
        }
    }
}

/// The registry's scheme is the one a filing concerns (the registry decides, not the form).
impl From<crate::enrolment::Scheme> for Scheme {
    fn from(s: crate::enrolment::Scheme) -> Scheme {
        match s {
            crate::enrolment::Scheme::Employee => Scheme::Employee,
            crate::enrolment::Scheme::Resident => Scheme::Resident,
        }
    }
}

/// A kind of remote-care filing. The first three are the "long-term" kinds (跨省异地长期居住人员),
/// the others "temporary" (跨省临时外出就医人员) in the national grouping (POLICY-FACTS §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// 异地安置退休人员
    RelocatedRetiree,
    /// 异地长期居住人员
    LongTermResident,
    /// 常驻异地工作人员
    PostedWorker,
    /// 异地转诊人员
    Referral,
    /// 临时异地就医 (临时外出就医)
    Temporary,
    /// 异地急诊、抢救住院 (seed 001 item 21)
    EmergencyAdmission,
    /// 四川省内异地就医外伤入院登记 (seed 001 item 21 note: trauma settles directly only in-province)
    SichuanTrauma,
}

impl FilingKind {
    pub const ALL: [FilingKind; 7] = [
        FilingKind::RelocatedRetiree,
        FilingKind::LongTermResident,
        FilingKind::PostedWorker,
        FilingKind::Referral,
        FilingKind::Temporary,
        FilingKind::EmergencyAdmission,
        FilingKind::SichuanTrauma,
    ];

    /// Short Chinese name of the kind.
    pub fn label(self) -> &'static str {
        match self {
            FilingKind::RelocatedRetiree => "异地安置退休",
            FilingKind::LongTermResident => "异地长期居住",
            FilingKind::PostedWorker => "常驻异地工作",
            FilingKind::Referral => "异地转诊",
            FilingKind::Temporary => "临时异地就医（临时外出就医）",
            FilingKind::EmergencyAdmission => "异地急诊、抢救住院",
            FilingKind::SichuanTrauma => "四川省内异地就医外伤入院登记",
        }
    }

    /// The 人员类别 choice of seed 000 表1, for the five kinds the form lists.
    pub fn person_category(self) -> Option<&'static str> {
        match self {
            FilingKind::RelocatedRetiree => Some("异地安置退休人员"),
            FilingKind::LongTermResident => Some("异地长期居住人员"),
            FilingKind::PostedWorker => Some("常驻异地工作人员"),
            FilingKind::Referral => Some("异地转诊人员"),
            FilingKind::Temporary => Some("临时异地就医人员"),
            FilingKind::EmergencyAdmission | FilingKind::SichuanTrauma => None,
        }
    }

    /// Reads a 人员类别 choice of 表1 (or the kind's own label).
    pub fn from_person_category(s: &str) -> Option<FilingKind> {
        let s = s.trim();
        FilingKind::ALL
            .into_iter()
            .find(|k| k.person_category() == Some(s) || k.label() == s)
    }

    /// 跨省异地长期居住人员: relocated retirees, long-term residents, posted workers.
    pub fn is_long_term(self) -> bool {
        matches!(
            self,
            FilingKind::RelocatedRetiree | FilingKind::LongTermResident | FilingKind::PostedWorker
        )
    }

    /// The catalog's canonical service (`data/catalog/services.toml`). Emergency admissions are
    /// catalogued under `filing.temporary` (seed 001 item 21); trauma registration has no item
    /// of its own and rides on the same one.
    pub fn service(self) -> Service {
        match self {
            FilingKind::RelocatedRetiree => Service::FilingRelocatedRetiree,
            FilingKind::LongTermResident => Service::FilingLongTermResident,
            FilingKind::PostedWorker => Service::FilingPostedWorker,
            FilingKind::Referral => Service::FilingReferral,
            FilingKind::Temporary | FilingKind::EmergencyAdmission | FilingKind::SichuanTrauma => {
                Service::FilingTemporary
            }
        }
    }
}

impl fmt::Display for FilingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_categories_round_trip() {
        // seed 000 表1 人员类别: five choices (data/forms/chuanyu-form-1.toml).
        let listed: Vec<_> = FilingKind::ALL
            .into_iter()
            .filter_map(|k| k.person_category())
            .collect();
        assert_eq!(
            listed,
            [
                "异地安置退休人员",
                "异地长期居住人员",
                "常驻异地工作人员",
                "异地转诊人员",
                "临时异地就医人员"
            ]
        );
        for k in FilingKind::ALL {
            assert_eq!(FilingKind::from_person_category(k.label()), Some(k));
            if let Some(c) = k.person_category() {
                assert_eq!(FilingKind::from_person_category(c), Some(k));
            }
        }
        assert_eq!(FilingKind::from_person_category("探亲"), None);
    }

    #[test]
    fn long_term_grouping_follows_the_national_rule() {
        let long: Vec<_> = FilingKind::ALL
            .into_iter()
            .filter(|k| k.is_long_term())
            .collect();
        assert_eq!(
            long,
            [
                FilingKind::RelocatedRetiree,
                FilingKind::LongTermResident,
                FilingKind::PostedWorker
            ]
        );
    }

    #[test]
    fn scheme_labels() {
        assert_eq!(Scheme::from_label("职工医保"), Some(Scheme::Employee));
        assert_eq!(Scheme::from_label("城乡居民医保"), Some(Scheme::Resident));
        assert_eq!(Scheme::from_label("商业保险"), None);
    }
}
