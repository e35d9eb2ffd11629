//! Coverage (参保) per person and scheme, with its status history. Every change is a dated
//! event; a person never holds two open basic-insurance coverages at once (employee and
//! resident, 社会保险法 and seed 003 城乡居民参保登记: 「未参加城镇职工医疗保险的城乡居民」).

use serde::{Deserialize, Serialize};

use super::error::EnrolmentError;
use super::resident::ResidentCategory;
use crate::benefit::Scheme as BenefitScheme;
use crate::codes::UnknownCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// 职工基本医疗保险
    Employee,
    /// 城乡居民基本医疗保险
    Resident,
}

impl Scheme {
    pub fn key(self) -> &'static str {
        match self {
            Scheme::Employee => "employee",
            Scheme::Resident => "resident",
        }
    }

    pub fn from_key(key: &str) -> Option<Scheme> {
        match key {
            "employee" => Some(Scheme::Employee),
            "resident" => Some(Scheme::Resident),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scheme::Employee => "职工基本医疗保险",
            Scheme::Resident => "城乡居民基本医疗保险",
        }
    }
}

impl TryFrom<String> for Scheme {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<Scheme, UnknownCode> {
        Scheme::from_key(&key).ok_or(UnknownCode {
            what: "Scheme",
            key,
        })
    }
}

/// Who the coverage is for within its scheme (人员类别): an employer's in-service employee or
/// retiree, a flexible worker (灵活就业, in the employee scheme), or a resident of one of the
/// resident categories. Stored as its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoverageCategory {
    /// 在职职工
    InService,
    /// 退休人员
    Retired,
    /// 灵活就业人员
    Flexible,
    /// 城乡居民 of a category
    Resident(ResidentCategory),
}

impl CoverageCategory {
    pub fn key(self) -> &'static str {
        match self {
            CoverageCategory::InService => "in_service",
            CoverageCategory::Retired => "retired",
            CoverageCategory::Flexible => "flexible",
            CoverageCategory::Resident(c) => c.key(),
        }
    }

    pub fn from_key(key: &str) -> Option<CoverageCategory> {
        match key {
            "in_service" => Some(CoverageCategory::InService),
            "retired" => Some(CoverageCategory::Retired),
            "flexible" => Some(CoverageCategory::Flexible),
            other => ResidentCategory::ALL
                .into_iter()
                .find(|c| c.key() == other)
                .map(CoverageCategory::Resident),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CoverageCategory::InService => "在职",
            CoverageCategory::Retired => "退休",
            CoverageCategory::Flexible => "灵活就业",
            CoverageCategory::Resident(c) => c.label(),
        }
    }

    /// The label of a stored key, for lists; an unknown key shows as 未知.
    pub fn label_of_key(key: &str) -> &'static str {
        CoverageCategory::from_key(key).map_or("未知", CoverageCategory::label)
    }

    /// The scheme a category belongs to.
    pub fn scheme(self) -> Scheme {
        match self {
            CoverageCategory::Resident(_) => Scheme::Resident,
            _ => Scheme::Employee,
        }
    }

    /// Which benefit policy pays for the person (险种 + 人员类别 of the benefit engine): retirees
    /// have their own ratios and caps; flexible workers are paid as in-service employees.
    pub fn benefit_scheme(self) -> BenefitScheme {
        match self {
            CoverageCategory::Retired => BenefitScheme::EmployeeRetired,
            CoverageCategory::InService | CoverageCategory::Flexible => {
                BenefitScheme::EmployeeInService
            }
            CoverageCategory::Resident(_) => BenefitScheme::Resident,
        }
    }
}

impl TryFrom<String> for CoverageCategory {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<CoverageCategory, UnknownCode> {
        CoverageCategory::from_key(&key).ok_or(UnknownCode {
            what: "CoverageCategory",
            key,
        })
    }
}

impl Serialize for CoverageCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for CoverageCategory {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CoverageCategory, D::Error> {
        let key = String::deserialize(d)?;
        CoverageCategory::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown coverage category {key:?}")))
    }
}

/// Reading a status from the store: an unknown one is an error, never a default.
impl TryFrom<String> for CoverageStatus {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<CoverageStatus, UnknownCode> {
        CoverageStatus::from_key(&key).ok_or(UnknownCode {
            what: "CoverageStatus",
            key,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// 已登记、待缴费
    Registered,
    /// 参保缴费
    Active,
    /// 暂停参保 (停保)
    Suspended,
    /// 终止参保
    Ended,
}

impl CoverageStatus {
    pub fn key(self) -> &'static str {
        match self {
            CoverageStatus::Registered => "registered",
            CoverageStatus::Active => "active",
            CoverageStatus::Suspended => "suspended",
            CoverageStatus::Ended => "ended",
        }
    }

    pub const ALL: [CoverageStatus; 4] = [
        CoverageStatus::Registered,
        CoverageStatus::Active,
        CoverageStatus::Suspended,
        CoverageStatus::Ended,
    ];

    pub fn from_key(key: &str) -> Option<CoverageStatus> {
        CoverageStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            CoverageStatus::Registered => "已登记待缴费",
            CoverageStatus::Active => "参保缴费",
            CoverageStatus::Suspended => "暂停参保",
            CoverageStatus::Ended => "终止参保",
        }
    }

    /// Still on the employer's books (not ended): a suspended employee moves with the unit in a
    /// split, merger or transfer and blocks its deregistration, although suspension does not
    /// count against the one-coverage rule (`is_open`).
    pub fn on_books(self) -> bool {
        !matches!(self, CoverageStatus::Ended)
    }

    /// Open coverage counts against the one-coverage rule; a suspended one does not (seed 003
    /// 暂停参保登记: one suspends 「因参军、转单位参保、参加居民医保等原因」).
    pub fn is_open(self) -> bool {
        matches!(self, CoverageStatus::Registered | CoverageStatus::Active)
    }
}

/// What happens to a coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageChange {
    /// 缴费到账 / 参保生效
    Activate,
    /// 暂停参保 (停保)
    Suspend,
    /// 续保
    Resume,
    /// 减员、注销、死亡 …
    End,
}

impl CoverageChange {
    pub fn label(self) -> &'static str {
        match self {
            CoverageChange::Activate => "参保生效",
            CoverageChange::Suspend => "暂停参保",
            CoverageChange::Resume => "续保",
            CoverageChange::End => "终止参保",
        }
    }
}

/// The status after `change`, or why it cannot happen.
pub fn next_status(
    from: CoverageStatus,
    change: CoverageChange,
) -> Result<CoverageStatus, EnrolmentError> {
    use CoverageChange as C;
    use CoverageStatus as S;
    let to = match (from, change) {
        (S::Registered, C::Activate) => S::Active,
        (S::Active, C::Suspend) => S::Suspended,
        (S::Suspended, C::Resume) => S::Active,
        (S::Registered | S::Active | S::Suspended, C::End) => S::Ended,
        _ => {
            let source = match change {
                C::Resume => {
                    "seed 003 以个人身份参加职工医保续保登记 办理条件「当前职工参保状态为暂停参保」"
                }
                C::Suspend => "seed 003 以个人身份参加职工医保暂停参保登记",
                _ => "",
            };
            return Err(EnrolmentError::new(
                "registry.coverage.transition",
                format!("参保状态为“{}”，不能办理“{}”", from.label(), change.label()),
                source,
            ));
        }
    };
    Ok(to)
}

/// One existing coverage, as the one-coverage rule needs to see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldCoverage {
    pub scheme: Scheme,
    pub status: CoverageStatus,
}

impl HeldCoverage {
    /// Employment makes employee insurance compulsory: an open resident coverage ends when the
    /// person joins an employer, rather than blocking the employer (seed 003 城乡居民参保登记
    /// 服务对象「未参加城镇职工医疗保险」).
    pub fn ends_on_employment(&self) -> bool {
        self.scheme == Scheme::Resident && self.status.is_open()
    }
}

/// The last day of a resident coverage ended by employment from `join`: the day before the
/// employee coverage starts, but never before the resident coverage itself started.
pub fn resident_end_on_employment(
    join: chrono::NaiveDate,
    resident_start: Option<chrono::NaiveDate>,
) -> chrono::NaiveDate {
    let day_before = join.pred_opt().unwrap_or(join);
    day_before.max(resident_start.unwrap_or(join))
}

/// Refuses a new coverage in `scheme` while another basic coverage is open.
pub fn check_no_double_coverage(
    held: &[HeldCoverage],
    scheme: Scheme,
) -> Result<(), EnrolmentError> {
    match held.iter().find(|h| h.status.is_open()) {
        None => Ok(()),
        Some(h) if h.scheme == scheme => Err(EnrolmentError::new(
            "registry.coverage.already_enrolled",
            format!(
                "该人员已参加{}（{}），不能重复参保",
                h.scheme.label(),
                h.status.label()
            ),
            "社会保险法第六十四条：基本医疗保险不得重复参保",
        )),
        Some(h) => Err(EnrolmentError::new(
            "registry.coverage.double",
            format!(
                "该人员正在参加{}（{}），同一时间只能参加一项基本医疗保险；请先办理原参保的停保或减员",
                h.scheme.label(),
                h.status.label()
            ),
            "seed 003 城乡居民参保登记 服务对象「未参加城镇职工医疗保险的城乡居民」；seed 003 暂停参保登记「转单位参保、参加居民医保」",
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn categories_round_trip_and_pick_the_benefit_scheme() {
        use super::{CoverageCategory as C, ResidentCategory};
        use crate::benefit::Scheme as B;
        let all = [C::InService, C::Retired, C::Flexible]
            .into_iter()
            .chain(ResidentCategory::ALL.into_iter().map(C::Resident));
        for c in all {
            assert_eq!(C::from_key(c.key()), Some(c));
            assert_eq!(C::try_from(c.key().to_string()), Ok(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
        assert!(C::try_from("pensioner".to_string()).is_err());
        assert_eq!(C::label_of_key("pensioner"), "未知");
        assert_eq!(C::Retired.benefit_scheme(), B::EmployeeRetired);
        assert_eq!(C::Flexible.benefit_scheme(), B::EmployeeInService);
        assert_eq!(C::Flexible.scheme(), Scheme::Employee);
        let newborn = C::Resident(ResidentCategory::Newborn);
        assert_eq!(newborn.benefit_scheme(), B::Resident);
        assert_eq!(newborn.scheme(), Scheme::Resident);
        assert_eq!(
            Scheme::try_from("resident".to_string()),
            Ok(Scheme::Resident)
        );
        assert!(Scheme::try_from("civil_servant".to_string()).is_err());
    }

    #[test]
    fn resident_coverage_ends_the_day_before_employment() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let open = HeldCoverage {
            scheme: Scheme::Resident,
            status: Registered,
        };
        assert!(open.ends_on_employment());
        let suspended = HeldCoverage {
            status: Suspended,
            ..open
        };
        assert!(!suspended.ends_on_employment());
        let employee = HeldCoverage {
            scheme: Scheme::Employee,
            status: Active,
        };
        assert!(!employee.ends_on_employment());
        assert_eq!(
            resident_end_on_employment(d("2026-03-01"), Some(d("2026-01-01"))),
            d("2026-02-28")
        );
        // Joining on the day resident coverage starts: it ends that same day, not before.
        assert_eq!(
            resident_end_on_employment(d("2026-01-01"), Some(d("2026-01-01"))),
            d("2026-01-01")
        );
        // A resident coverage starting after the join date (registered ahead) ends on its start.
        assert_eq!(
            resident_end_on_employment(d("2026-03-01"), Some(d("2026-07-01"))),
            d("2026-07-01")
        );
        assert_eq!(
            resident_end_on_employment(d("2026-03-01"), None),
            d("2026-03-01")
        );
    }

    #[test]
    fn open_and_on_books_by_status() {
        use super::CoverageStatus as S;
        // (status, open against the one-coverage rule, on the employer's books)
        let table = [
            (S::Registered, true, true),
            (S::Active, true, true),
            (S::Suspended, false, true),
            (S::Ended, false, false),
        ];
        for (s, open, books) in table {
            assert_eq!(s.is_open(), open, "{s:?}");
            assert_eq!(s.on_books(), books, "{s:?}");
            assert_eq!(S::from_key(s.key()), Some(s));
        }
    }

    use super::*;
    use CoverageStatus::*;

    #[test]
    fn transitions() {
        assert_eq!(
            next_status(Registered, CoverageChange::Activate).unwrap(),
            Active
        );
        assert_eq!(
            next_status(Active, CoverageChange::Suspend).unwrap(),
            Suspended
        );
        assert_eq!(
            next_status(Suspended, CoverageChange::Resume).unwrap(),
            Active
        );
        assert_eq!(next_status(Suspended, CoverageChange::End).unwrap(), Ended);
        let e = next_status(Active, CoverageChange::Resume).unwrap_err();
        assert_eq!(e.code, "registry.coverage.transition");
        assert!(e.message.contains("暂停参保"), "{}", e.message);
        assert!(next_status(Ended, CoverageChange::End).is_err());
        assert!(next_status(Suspended, CoverageChange::Suspend).is_err());
    }

    #[test]
    fn one_open_coverage() {
        let employee_active = HeldCoverage {
            scheme: Scheme::Employee,
            status: Active,
        };
        let employee_suspended = HeldCoverage {
            scheme: Scheme::Employee,
            status: Suspended,
        };
        let resident_registered = HeldCoverage {
            scheme: Scheme::Resident,
            status: Registered,
        };
        assert_eq!(
            check_no_double_coverage(&[employee_active], Scheme::Resident)
                .unwrap_err()
                .code,
            "registry.coverage.double"
        );
        assert_eq!(
            check_no_double_coverage(&[resident_registered], Scheme::Resident)
                .unwrap_err()
                .code,
            "registry.coverage.already_enrolled"
        );
        assert!(check_no_double_coverage(&[employee_suspended], Scheme::Resident).is_ok());
        assert!(check_no_double_coverage(&[employee_suspended], Scheme::Employee).is_ok());
        assert!(check_no_double_coverage(&[], Scheme::Employee).is_ok());
    }
}
