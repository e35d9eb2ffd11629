//! The canonical services (`data/catalog/services.toml`) as a type: every jurisdiction's item names
//! one, and the service layer binds each to its effect with an exhaustive `match`, so a service
//! added here without a binding (or an explicit "guide only") does not compile.
//!
//! The list is written out rather than generated at build time so that it reads like the rest of
//! the code; `load` refuses a `services.toml` that differs from it, and a test below checks the
//! embedded file both ways.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! services {
    ($($variant:ident = $key:literal,)*) => {
        /// A canonical service (one per national service, SEED-NOTES §1).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Service {
            $($variant,)*
        }

        impl Service {
            /// Every service, in `services.toml` order.
            pub const ALL: &'static [Service] = &[$(Service::$variant,)*];

            /// The stable key (`enrolment.employer_register`), as stored on cases and in the data.
            pub fn key(self) -> &'static str {
                match self {
                    $(Service::$variant => $key,)*
                }
            }

            pub fn from_key(key: &str) -> Option<Service> {
                match key {
                    $($key => Some(Service::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

services! {
    EvoucherApply = "evoucher.apply",
    EmployerRegister = "enrolment.employer_register",
    EmployerSplit = "enrolment.employer_split",
    EmployerMerge = "enrolment.employer_merge",
    EmployerRelocate = "enrolment.employer_relocate",
    EmployerDeregister = "enrolment.employer_deregister",
    EmployerChange = "enrolment.employer_change",
    EmployeeEnrol = "enrolment.employee_enrol",
    EmployeeRemove = "enrolment.employee_remove",
    FlexibleEnrol = "enrolment.flexible_enrol",
    FlexibleSuspend = "enrolment.flexible_suspend",
    FlexibleResume = "enrolment.flexible_resume",
    ResidentEnrol = "enrolment.resident_enrol",
    EmployeeChange = "enrolment.employee_change",
    ResidentChange = "enrolment.resident_change",
    PhoneChange = "enrolment.phone_change",
    ContributionFlexiblePay = "contribution.flexible_pay",
    ContributionBaseDeclare = "contribution.base_declare",
    ContributionLumpSum = "contribution.lump_sum",
    ContributionEmployerBackPay = "contribution.employer_back_pay",
    ContributionRetireeYearsRecognition = "contribution.retiree_years_recognition",
    ContributionRetireeShortfallPay = "contribution.retiree_shortfall_pay",
    ContributionPersonalBackPay = "contribution.personal_back_pay",
    EmployerRecordQuery = "enrolment.employer_record_query",
    PersonRecordQuery = "enrolment.person_record_query",
    AccountOneTimeWithdrawal = "account.one_time_withdrawal",
    AccountCrossProvinceTransfer = "account.cross_province_transfer",
    AccountLinking = "account.linking",
    TransferCertificate = "transfer.certificate",
    Transfer = "transfer.transfer",
    FilingRelocatedRetiree = "filing.relocated_retiree",
    FilingLongTermResident = "filing.long_term_resident",
    FilingPostedWorker = "filing.posted_worker",
    FilingReferral = "filing.referral",
    FilingTemporary = "filing.temporary",
    QualificationChronicDisease = "qualification.chronic_disease",
    QualificationHypertensionDiabetes = "qualification.hypertension_diabetes",
    QualificationHighValueDrug = "qualification.high_value_drug",
    OutpatientReimbursement = "benefit.outpatient_reimbursement",
    InpatientReimbursement = "benefit.inpatient_reimbursement",
    CrossProvinceOutpatient = "settlement.cross_province_outpatient",
    MaternityPrenatalCare = "maternity.prenatal_care",
    MaternityDeliveryCosts = "maternity.delivery_costs",
    MaternityFamilyPlanningCosts = "maternity.family_planning_costs",
    MaternityAllowance = "maternity.allowance",
    MaternityAllowanceRecalculation = "maternity.allowance_recalculation",
    AidContributionSubsidy = "aid.contribution_subsidy",
    AidManualReimbursement = "aid.manual_reimbursement",
    InstitutionHospitalApplication = "institution.hospital_application",
    InstitutionPharmacyApplication = "institution.pharmacy_application",
    InstitutionInfoChange = "institution.info_change",
    InstitutionSuspend = "institution.suspend",
    InstitutionRestore = "institution.restore",
    InstitutionRemoteSettlementOpen = "institution.remote_settlement_open",
    HospitalMonthlySettlement = "settlement.hospital_monthly",
    PharmacyMonthlySettlement = "settlement.pharmacy_monthly",
    ComplaintAccept = "complaint.accept",
}

impl Service {
    /// The business domain (DESIGN §2) that owns the service: the key's first part.
    pub fn domain(self) -> &'static str {
        let key = self.key();
        key.split_once('.').map_or(key, |(domain, _)| domain)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl std::str::FromStr for Service {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Service, UnknownService> {
        Service::from_key(s).ok_or_else(|| UnknownService(s.to_string()))
    }
}

/// A key that names no canonical service (a typo in the data, or a case stored by a newer build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知服务 / unknown service {0}")]
pub struct UnknownService(pub String);

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Service, D::Error> {
        let key = String::deserialize(d)?;
        key.parse().map_err(serde::de::Error::custom)
    }
}

impl PartialEq<str> for Service {
    fn eq(&self, other: &str) -> bool {
        self.key() == other
    }
}

impl PartialEq<&str> for Service {
    fn eq(&self, other: &&str) -> bool {
        self.key() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for s in Service::ALL {
            assert_eq!(Service::from_key(s.key()), Some(*s));
            assert!(seen.insert(s.key()), "duplicate key {}", s.key());
        }
        assert_eq!(Service::from_key("filing.nope"), None);
        assert_eq!(Service::FilingReferral.domain(), "filing");
    }

    /// The enum and the data file list the same services in the same order.
    #[test]
    fn enum_matches_services_toml() {
        let text = include_str!("../../../../data/catalog/services.toml");
        let list: super::super::ServiceList = toml::from_str(text).expect("services.toml parses");
        let from_file: Vec<Service> = list.service.iter().map(|s| s.key).collect();
        assert_eq!(from_file, Service::ALL);
    }

    #[test]
    fn serde_uses_the_key() {
        let json = serde_json::to_string(&Service::EmployerRegister).unwrap();
        assert_eq!(json, "\"enrolment.employer_register\"");
        let err = serde_json::from_str::<Service>("\"enrolment.nope\"").unwrap_err();
        assert!(err.to_string().contains("未知服务"), "{err}");
    }
}
