//! The applicant facts (catalog predicates) a case's materials are conditioned on.
//!
//! A predicate is either *derived* — computed here, by one function, from what the case knows
//! (the item's service, who applies, the employer's kind, the application's form) — or
//! *declared*: the application page asks it (a checkbox worded as the guide words the
//! condition) and the clerk confirms it at acceptance. A derived value overrides a declaration
//! either way; where the case cannot know a derived predicate (the form has no field for it),
//! the declaration stands, so a material is never dropped without the question having been
//! asked (docs/materials.md).

use std::collections::{BTreeMap, BTreeSet};

use super::ApplicantType;
use crate::account::WithdrawalGround;
use crate::catalog::Service;
use crate::enrolment::{employer, person_change};

/// What the derivation reads.
#[derive(Debug, Clone, Copy)]
pub struct FactInputs<'a> {
    pub service: Service,
    pub applicant: ApplicantType,
    /// The employer's kind as the registry records it (or the form gives it on registration).
    pub employer_kind: Option<&'a str>,
    pub form: &'a BTreeMap<String, String>,
}

/// Document types on the enrolment forms that identify a foreign national (seed 003 item 6
/// 「外国人参加在职职工医保的」) or a Hong Kong, Macao or Taiwan resident (「港澳台参加…」).
const FOREIGN_DOCUMENTS: [&str; 2] = ["护照", "外国人永久居留身份证"];
const HMT_DOCUMENTS: [&str; 3] = [
    "港澳台居民居住证",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
];

/// The removal reason 在职转退休 (seed 003 item 7 「办理在职转退休的」; seed 001 item 2 备注 2④).
pub const RETIREMENT_TRANSFER_REASON: &str = "在职转退休";

/// Every predicate the case can decide, with its value. Predicates not in the answer are
/// declared (asked) ones.
pub fn derive(inputs: &FactInputs<'_>) -> BTreeMap<&'static str, bool> {
    use Service as S;
    let mut out = BTreeMap::new();
    let form = inputs.form;
    let field = |k: &str| form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());

    // Who applies.
    let employer = inputs.applicant == ApplicantType::Employer;
    out.insert("employer_applicant", employer);
    out.insert(
        "person_applicant",
        inputs.applicant == ApplicantType::Person,
    );

    // The employer's kind: the registry's, else the registration form's.
    let kind = inputs
        .employer_kind
        .or_else(|| field("kind").filter(|_| inputs.service == S::EmployerRegister))
        .and_then(|k| employer::EmployerKind::parse(k).ok());
    if let Some(kind) = kind {
        let p = kind.predicate();
        for k in [
            "enterprise",
            "government_or_public_institution",
            "private_non_enterprise_or_social_org",
        ] {
            out.insert(k, k == p);
        }
        // Any unit but 机关事业单位 (seed 003 item 1 lists 企业 and 机关事业单位 only).
        out.insert("non_public_sector", p != "government_or_public_institution");
    }

    // The sub-operation of an employer registration (seed 001 item 1 备注 2–3): the item's
    // service is the operation.
    if matches!(
        inputs.service,
        S::EmployerRegister | S::EmployerSplit | S::EmployerMerge | S::EmployerDeregister
    ) {
        out.insert(
            "split_or_merger",
            matches!(inputs.service, S::EmployerSplit | S::EmployerMerge),
        );
        out.insert("deregistration", inputs.service == S::EmployerDeregister);
    }

    // An employee's enrolment or removal: in service, not a flexible worker; the removal
    // reason; the document type.
    match inputs.service {
        S::EmployeeEnrol | S::EmployeeRemove => {
            out.insert("in_service", true);
            out.insert("flexible_worker", false);
            out.insert(
                "retirement_transfer",
                inputs.service == S::EmployeeRemove
                    && field("reason") == Some(RETIREMENT_TRANSFER_REASON),
            );
            if inputs.service == S::EmployeeEnrol {
                // Leaving to settle abroad is a removal, not an enrolment.
                out.insert("emigration", false);
            }
        }
        S::FlexibleEnrol => {
            out.insert("in_service", false);
            out.insert("flexible_worker", true);
        }
        _ => {}
    }
    if let Some(doc) = field("document_type") {
        out.insert("foreign_national", FOREIGN_DOCUMENTS.contains(&doc));
        out.insert("hk_macao_taiwan_resident", HMT_DOCUMENTS.contains(&doc));
    }

    // A change of key information: a `new_<field>` of a key field (the registry's change
    // forms), or a 表3/表4 row whose 变更项目 is a key field or which is marked 关键信息.
    if matches!(
        inputs.service,
        S::EmployerChange | S::EmployeeChange | S::ResidentChange
    ) {
        let by_new_field = employer::EMPLOYER_FIELDS
            .iter()
            .chain(person_change::PERSON_FIELDS.iter())
            .filter(|(_, _, key)| *key)
            .any(|(f, _, _)| field(&format!("new_{f}")).is_some());
        let by_sheet = field("change_item").is_some_and(|item| {
            item.split(['、', ',', '，', ';', '；'])
                .filter_map(|l| person_change::field_of_label(l).ok())
                .any(|f| {
                    person_change::PERSON_FIELDS
                        .iter()
                        .any(|(k, _, key)| *k == f && *key)
                })
        }) || field("info_type") == Some("关键信息");
        out.insert("key_info_change", by_new_field || by_sheet);
    }

    // A maternity claim whose medical costs were not settled at the hospital (seed 003 item 31
    // 「病历资料（已进行生育医疗费联网结算的无需提供）」; seed 002 item 18 「未联网结算的参保人
    // 需要提供的资料」).
    if matches!(
        inputs.service,
        S::MaternityPrenatalCare
            | S::MaternityDeliveryCosts
            | S::MaternityFamilyPlanningCosts
            | S::MaternityAllowance
            | S::MaternityAllowanceRecalculation
    ) {
        out.insert("not_networked", field("networked_settlement") != Some("是"));
    }

    // A withdrawal's ground (the form's `ground`).
    if inputs.service == S::AccountOneTimeWithdrawal {
        if let Some(g) = field("ground").and_then(WithdrawalGround::parse) {
            for other in [
                WithdrawalGround::Death,
                WithdrawalGround::Emigration,
                WithdrawalGround::LeavingScheme,
            ] {
                out.insert(other.key(), other == g);
            }
        }
    }
    out
}

/// The case's facts: the declared ones, overridden by every derived value.
pub fn resolve(declared: &[String], derived: &BTreeMap<&'static str, bool>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = declared
        .iter()
        .filter(|d| !derived.contains_key(d.as_str()))
        .cloned()
        .collect();
    out.extend(
        derived
            .iter()
            .filter(|(_, v)| **v)
            .map(|(k, _)| (*k).to_string()),
    );
    out
}

/// Whether the case can always decide `predicate` for `service` (so the application page need
/// not ask it): those derived from the service and the applicant alone.
pub fn always_derived(service: Service, predicate: &str) -> bool {
    let empty = BTreeMap::new();
    [ApplicantType::Person, ApplicantType::Employer]
        .into_iter()
        .all(|applicant| {
            derive(&FactInputs {
                service,
                applicant,
                employer_kind: None,
                form: &empty,
            })
            .contains_key(predicate)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn facts(service: Service, applicant: ApplicantType, f: &[(&str, &str)]) -> BTreeSet<String> {
        let f = form(f);
        resolve(
            &[],
            &derive(&FactInputs {
                service,
                applicant,
                employer_kind: None,
                form: &f,
            }),
        )
    }

    #[test]
    fn the_removal_reason_decides_retirement_transfer() {
        let e = ApplicantType::Employer;
        assert!(
            facts(Service::EmployeeRemove, e, &[("reason", "在职转退休")])
                .contains("retirement_transfer")
        );
        assert!(!facts(Service::EmployeeRemove, e, &[("reason", "辞职")])
            .contains("retirement_transfer"));
        assert!(!facts(Service::EmployeeEnrol, e, &[]).contains("retirement_transfer"));
    }

    #[test]
    fn the_document_type_decides_foreigner_and_hmt() {
        let e = ApplicantType::Employer;
        let f = facts(Service::EmployeeEnrol, e, &[("document_type", "护照")]);
        assert!(f.contains("foreign_national") && !f.contains("hk_macao_taiwan_resident"));
        let f = facts(
            Service::EmployeeEnrol,
            e,
            &[("document_type", "港澳台居民居住证")],
        );
        assert!(f.contains("hk_macao_taiwan_resident") && !f.contains("foreign_national"));
        let f = facts(
            Service::EmployeeEnrol,
            e,
            &[("document_type", "居民身份证")],
        );
        assert!(!f.contains("hk_macao_taiwan_resident") && !f.contains("foreign_national"));
    }

    #[test]
    fn a_key_field_on_the_change_sheet_is_a_key_information_change() {
        let p = ApplicantType::Person;
        for (item, key) in [("出生日期", true), ("姓名", true), ("联系电话", false)] {
            assert_eq!(
                facts(Service::EmployeeChange, p, &[("change_item", item)])
                    .contains("key_info_change"),
                key,
                "{item}"
            );
        }
        assert!(
            facts(Service::ResidentChange, p, &[("info_type", "关键信息")])
                .contains("key_info_change")
        );
        assert!(facts(
            Service::EmployeeChange,
            p,
            &[("new_birth_date", "1990-01-01")]
        )
        .contains("key_info_change"));
    }

    #[test]
    fn derived_values_override_declarations_and_unknowns_keep_them() {
        let f = form(&[]);
        let derived = derive(&FactInputs {
            service: Service::EmployerRegister,
            applicant: ApplicantType::Employer,
            employer_kind: Some("企业"),
            form: &f,
        });
        let declared = vec![
            "split_or_merger".to_string(),
            "proxy".to_string(),
            "government_or_public_institution".to_string(),
        ];
        let got = resolve(&declared, &derived);
        assert!(got.contains("proxy"), "declared, not derivable: kept");
        assert!(!got.contains("split_or_merger"), "a new registration");
        assert!(!got.contains("government_or_public_institution"));
        assert!(got.contains("enterprise"));
        assert!(always_derived(Service::EmployerRegister, "deregistration"));
        assert!(!always_derived(Service::InpatientReimbursement, "injury"));
    }
}
