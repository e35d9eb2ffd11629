//! Who may file what (办理条件 and 申办材料), per kind and per deciding jurisdiction. Every unmet
//! condition and every missing material is returned at once (一次性告知).
//!
//! Sources, by jurisdiction (see also SEED-NOTES D05–D07, D23):
//! - 川渝通办 (seed 000 二、1–4): relocated retirees 「已经参加…职工基本医疗保险，已享受医保退休待遇，
//!   且符合当地医保退休异地安置条件」; posted workers employee scheme; referral needs 「具有转诊资质的
//!   定点医疗机构开具的转诊转院证明材料」. 「符合当地…条件」 is read as: the insured province's own
//!   guide (003 for Chongqing, 001 for Sichuan) applies on top.
//! - 四川 (seed 001 items 17–21): relocated retirees and posted workers are 「职工基本医疗保险参保人员」;
//!   emergency admission needs the emergency record; item 21's note: trauma settles directly only
//!   in-province, with 《四川省省内异地就医外伤入院登记表》.
//! - 重庆 (seed 003 items 20–24): all need 「正常缴纳医疗保险费用，具备待遇享受资格」; relocated
//!   retirees 「户籍迁入定居地」 (proof or pledge, I12; no scheme restriction, D06); long-term
//!   residence and posting 「原则上不低于6个月」; posting is by an employer (用人单位派驻), read as
//!   employee scheme; referral needs 「经具有转诊资质的医疗机构批准」.
//! - 南川 (seed 004): the list gives only legal bases; the municipal guide 003 supplies the
//!   conditions (南川 is a district of Chongqing), and its basis 渝办发〔2011〕293号 also asks for
//!   a referral by a municipal hospital.
//! - 酉阳 (seed 002): 「参保人正常缴纳医疗保险费用，具备待遇享受资格」 and 「提出异地就医备案申请即可
//!   备案」: no further condition, no material, referral is part of the temporary filing (D07).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::Item;
use crate::ids::RegionCode;

use super::error::FilingError;
use super::jurisdiction::FilingJurisdiction;
use super::kind::{FilingKind, Scheme};
use super::target::filing_target;

/// Minimum stay or posting for a Chongqing long-term filing: 「原则上不低于6个月」 (seed 003 items
/// 21, 22; catalog figures `min_residence_months`, `min_posting_months`).
pub const CHONGQING_MIN_STAY_MONTHS: u32 = 6;

/// The material id under which the Sichuan trauma form is handed in (it is not a catalog material:
/// seed 001 names it only in item 21's note).
pub const TRAUMA_FORM_MATERIAL: &str = "trauma_admission_form";
const TRAUMA_FORM_NAME: &str = "《四川省省内异地就医外伤入院登记表》";

/// Catalog material ids whose presence is judged from `ApplicantFacts` (the referral certificate
/// and the emergency record), so that a missing one is reported once, as a condition.
const FACT_BACKED_MATERIALS: &[&str] =
    &["referral_certificate", "referral_proof", "emergency_record"];

/// A referral certificate (转诊转院证明) and who issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralCertificate {
    /// Issued by a designated hospital (定点医疗机构) with the right to refer (具有转诊资质).
    pub issuer_qualified: bool,
}

/// What the registry and the applicant say about the person, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantFacts {
    pub scheme: Scheme,
    /// Enrolled and not suspended (参保状态正常).
    pub insured: bool,
    /// 正常缴纳医疗保险费用，具备待遇享受资格 (no arrears, past any waiting period).
    pub contributions_normal: bool,
    /// 已享受医保退休待遇.
    pub retired: bool,
    /// 户籍迁入定居地 (household registration moved to the place of settlement).
    pub hukou_moved: bool,
    /// Whether the stay or posting elsewhere lasts the guide's minimum (seed 003 items 21–22
    /// 「原则上不低于6个月」), as declared and confirmed; `None` where the item does not ask.
    pub stay_meets_minimum: Option<bool>,
    pub referral: Option<ReferralCertificate>,
    /// Admitted elsewhere for an emergency or rescue, with the hospital's record.
    pub emergency_admission: bool,
    pub insured_region: RegionCode,
    pub care_region: RegionCode,
}

/// How a material was handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provided {
    /// The document itself (or one of its listed alternatives).
    Document,
    /// A personal pledge (个人承诺书, seed 000 附表6) in its place.
    Pledge,
}

/// Materials handed in, keyed by the catalog material id (`Material::id`).
pub type Submitted = BTreeMap<String, Provided>;

/// Checks a filing application against the deciding jurisdiction's conditions and, when the
/// catalog item is given, its required materials. `Ok(())` means it can be completed.
pub fn check_filing(
    jurisdiction: FilingJurisdiction,
    kind: FilingKind,
    facts: &ApplicantFacts,
    item: Option<&Item>,
    submitted: &Submitted,
) -> Result<(), Vec<FilingError>> {
    jurisdiction.offers(kind).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    place_conditions(kind, facts, &mut errors);
    if !facts.insured {
        errors.push(FilingError::NotInsured);
    }
    conditions(jurisdiction, kind, facts, submitted, &mut errors);
    if let Some(item) = item {
        materials(item, submitted, &mut errors);
    }
    if kind == FilingKind::SichuanTrauma && !submitted.contains_key(TRAUMA_FORM_MATERIAL) {
        errors.push(FilingError::MaterialMissing {
            id: TRAUMA_FORM_MATERIAL.into(),
            name: TRAUMA_FORM_NAME.into(),
        });
    }
    let mut unique: Vec<FilingError> = Vec::with_capacity(errors.len());
    for e in errors {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    if unique.is_empty() {
        Ok(())
    } else {
        Err(unique)
    }
}

/// The care place must lie outside the insured pooling region; trauma registration only inside
/// Sichuan.
fn place_conditions(kind: FilingKind, facts: &ApplicantFacts, errors: &mut Vec<FilingError>) {
    match filing_target(&facts.care_region) {
        Ok(t) if t.covers(&facts.insured_region) => errors.push(FilingError::SamePoolingRegion),
        Ok(_) => {}
        Err(e) => errors.push(e),
    }
    if kind == FilingKind::SichuanTrauma {
        if facts.insured_region.province_prefix() != "51" {
            errors.push(FilingError::TraumaNotSichuan);
        } else if facts.care_region.province_prefix() != "51" {
            errors.push(FilingError::TraumaCrossProvince);
        }
    }
}

fn conditions(
    jurisdiction: FilingJurisdiction,
    kind: FilingKind,
    facts: &ApplicantFacts,
    submitted: &Submitted,
    errors: &mut Vec<FilingError>,
) {
    use FilingJurisdiction as J;
    use FilingKind as K;
    let employee_only = |errors: &mut Vec<FilingError>| {
        if facts.scheme != Scheme::Employee {
            errors.push(FilingError::WrongScheme {
                kind,
                required: Scheme::Employee,
            });
        }
    };
    let referral = |errors: &mut Vec<FilingError>| match facts.referral {
        None => errors.push(FilingError::ReferralCertificateMissing),
        Some(r) if !r.issuer_qualified => errors.push(FilingError::ReferralIssuerNotQualified),
        Some(_) => {}
    };
    let min_stay = |errors: &mut Vec<FilingError>| {
        if facts.stay_meets_minimum == Some(false) {
            errors.push(FilingError::StayTooShort {
                min: CHONGQING_MIN_STAY_MONTHS,
            });
        }
    };
    if kind == K::RelocatedRetiree && !facts.retired {
        errors.push(FilingError::NotRetired);
    }
    if kind == K::EmergencyAdmission && !facts.emergency_admission {
        errors.push(FilingError::NotEmergencyAdmission);
    }
    match jurisdiction {
        J::Chuanyu => {
            match kind {
                K::RelocatedRetiree | K::PostedWorker => employee_only(errors),
                K::Referral => referral(errors),
                _ => {}
            }
            // 「符合当地…条件」: the insured province's own guide on top (not for referrals).
            if kind.is_long_term() {
                let local = match facts.insured_region.province_prefix() {
                    "50" => Some(J::Chongqing),
                    "51" => Some(J::Sichuan),
                    _ => None,
                };
                if let Some(local) = local {
                    conditions(local, kind, facts, submitted, errors);
                }
            }
        }
        J::Sichuan => match kind {
            K::RelocatedRetiree | K::PostedWorker => employee_only(errors),
            K::Referral => referral(errors),
            _ => {}
        },
        J::Chongqing | J::Nanchuan => {
            if !facts.contributions_normal {
                errors.push(FilingError::NotEntitled);
            }
            match kind {
                K::RelocatedRetiree => {
                    let pledged = submitted.get("relocation_proof") == Some(&Provided::Pledge);
                    if !facts.hukou_moved && !pledged {
                        errors.push(FilingError::HukouNotMoved);
                    }
                }
                K::LongTermResident => min_stay(errors),
                K::PostedWorker => {
                    employee_only(errors);
                    min_stay(errors);
                }
                K::Referral => referral(errors),
                _ => {}
            }
        }
        J::Youyang => {
            if !facts.contributions_normal {
                errors.push(FilingError::NotEntitled);
            }
        }
    }
}

/// Every required material of the item: present, or a pledge where the guide allows one.
/// Materials bound to a circumstance (`applies_to`) are left to the case engine.
fn materials(item: &Item, submitted: &Submitted, errors: &mut Vec<FilingError>) {
    for m in &item.materials {
        if !m.required || m.applies_to.is_some() || FACT_BACKED_MATERIALS.contains(&m.id.as_str()) {
            continue;
        }
        match submitted.get(&m.id) {
            None => errors.push(FilingError::MaterialMissing {
                id: m.id.clone(),
                name: m.name.clone(),
            }),
            Some(Provided::Pledge) if !m.pledge_allowed => {
                errors.push(FilingError::PledgeNotAllowed {
                    id: m.id.clone(),
                    name: m.name.clone(),
                })
            }
            Some(_) => {}
        }
    }
}
