//! Chronic and special disease qualifications (门诊慢特病 / 特病 资格认定, 两病, 单行支付药品):
//! the disease lists as data (`list`), the check of an application against its list and
//! evidence rules, the qualification record with its validity, and the question settlement
//! asks: is this person qualified for this disease on this date?

pub mod error;
pub mod list;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::catalog::Service;
use crate::enrolment::flexible::Grade;
use crate::enrolment::CoverageCategory;
use crate::CitizenId;

pub use error::QualificationError;
pub use list::{list_for, DiseaseList, DiseaseRef, EffectiveWhen, Enrollee, Evidence};

/// Which section of a list the person's coverage reads (seed 003's headings). A retiree counts
/// as insured with a unit (the guide's employee headings name only 随单位 and 个人一档/二档).
pub fn enrollee_of(
    category: CoverageCategory,
    grade: Option<Grade>,
) -> Result<Enrollee, QualificationError> {
    Ok(match category {
        CoverageCategory::InService | CoverageCategory::Retired => Enrollee::EmployeeWithEmployer,
        CoverageCategory::Flexible => match grade {
            Some(Grade::Tier1) => Enrollee::EmployeeFlexibleTier1,
            Some(Grade::Tier2) => Enrollee::EmployeeFlexibleTier2,
            None => return Err(QualificationError::GradeUnknown),
        },
        CoverageCategory::Resident(_) => Enrollee::Resident,
    })
}

/// The application's certification, as the form (`qualification-application`) gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// `<section>/<no>` or the disease's name as the list spells it.
    pub disease: String,
    /// The institution that examined and certified (体检 / 鉴定医疗机构).
    pub certifier: String,
    /// Day of the examination / diagnosis certificate.
    pub certified_on: NaiveDate,
    /// The examination met the admission standard (符合特病准入标准).
    pub passed: bool,
    /// The evidence documents handed in, by the list's names.
    pub documents: Vec<String>,
}

const FIELD_DISEASE: (&str, &str) = ("disease", "认定病种");
const FIELD_CERTIFIER: (&str, &str) = ("certifier", "鉴定（体检）医疗机构");
const FIELD_DATE: (&str, &str) = ("certified_on", "鉴定（诊断）日期");
const FIELD_RESULT: (&str, &str) = ("result", "鉴定检查结果");
/// Form keys of the evidence documents: `document_1` … in the order of the list's `documents`.
pub const DOCUMENT_KEY: &str = "document_";
/// The answer that marks a document as handed in.
pub const PROVIDED: &str = "已提供";
/// The result choices (the form's choice list equals these).
pub const RESULTS: [&str; 2] = ["符合准入标准", "不符合准入标准"];

impl Certification {
    /// Reads the form; every problem at once.
    pub fn parse(
        form: &BTreeMap<String, String>,
        evidence: &Evidence,
    ) -> Result<Certification, Vec<QualificationError>> {
        let mut errors = Vec::new();
        let get = |(key, label): (&'static str, &'static str),
                   errors: &mut Vec<QualificationError>| {
            match form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(v) => Some(v.to_string()),
                None => {
                    errors.push(QualificationError::FieldMissing { key, label });
                    None
                }
            }
        };
        let disease = get(FIELD_DISEASE, &mut errors);
        let certifier = get(FIELD_CERTIFIER, &mut errors);
        let date = get(FIELD_DATE, &mut errors).and_then(|d| match d.parse::<NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(QualificationError::FieldInvalid {
                    key: FIELD_DATE.0,
                    label: FIELD_DATE.1,
                    expected: "日期 YYYY-MM-DD",
                });
                None
            }
        });
        let passed = get(FIELD_RESULT, &mut errors).and_then(|r| match r.as_str() {
            "符合准入标准" | "passed" => Some(true),
            "不符合准入标准" | "failed" => Some(false),
            _ => {
                errors.push(QualificationError::FieldInvalid {
                    key: FIELD_RESULT.0,
                    label: FIELD_RESULT.1,
                    expected: "“符合准入标准”或“不符合准入标准”",
                });
                None
            }
        });
        let documents = evidence
            .documents
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                form.get(&format!("{DOCUMENT_KEY}{}", i + 1))
                    .is_some_and(|v| v.trim() == PROVIDED || v.trim() == "yes")
            })
            .map(|(_, d)| d.clone())
            .collect();
        match (disease, certifier, date, passed) {
            (Some(disease), Some(certifier), Some(certified_on), Some(passed))
                if errors.is_empty() =>
            {
                Ok(Certification {
                    disease,
                    certifier,
                    certified_on,
                    passed,
                    documents,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A qualification (资格认定结果): person, disease, scheme section, validity, certifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    pub person: String,
    pub service: Service,
    pub list_id: String,
    pub list_version: u32,
    /// `<section>/<no>`
    pub disease_code: String,
    pub disease_name: String,
    /// The section heading (scheme wording of the guide).
    pub scheme: String,
    pub valid_from: NaiveDate,
    /// Last day valid (inclusive).
    pub valid_to: NaiveDate,
    pub certifier: String,
    pub certified_on: NaiveDate,
    /// The validity period is a 示例参数 (the guide states none).
    pub validity_example: bool,
}

/// Finds a disease by code or by its exact name (the first section of `service` naming it that
/// applies to `enrollee`, else any section).
pub fn find_disease<'a>(
    list: &'a DiseaseList,
    service: Service,
    text: &str,
    enrollee: Option<Enrollee>,
) -> Result<DiseaseRef<'a>, QualificationError> {
    let text = text.trim();
    if text.contains('/') {
        return list.find(text);
    }
    let mut hits = list.sections_of(service).flat_map(|s| {
        s.diseases
            .iter()
            .filter(move |d| d.name == text)
            .map(move |d| DiseaseRef {
                list,
                section: s,
                disease: d,
            })
    });
    let all: Vec<DiseaseRef<'a>> = hits.by_ref().collect();
    all.iter()
        .find(|r| enrollee.is_none_or(|e| r.section.applies_to.contains(&e)))
        .or(all.first())
        .cloned()
        .ok_or_else(|| QualificationError::UnknownDisease {
            code: text.to_string(),
            list: list.name.clone(),
        })
}

/// Age in whole years on `date`.
pub fn age_on(person: &CitizenId, date: NaiveDate) -> u32 {
    let b = person.birth_date();
    let mut age = date.year() - b.year();
    if (date.month(), date.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// Decides an application: the disease is on the jurisdiction's list for the person's section,
/// the age limit holds, the evidence is complete and the examination passed; the qualification
/// runs from the day it takes effect (the agency's confirmation `today`, or in 酉阳 the day the
/// assessment institution certified) for the list's validity.
pub fn decide(
    list: &DiseaseList,
    jurisdiction: &str,
    service: Service,
    person: &CitizenId,
    enrollee: Enrollee,
    cert: &Certification,
    today: NaiveDate,
) -> Result<Qualification, Vec<QualificationError>> {
    let evidence = list.evidence_for(jurisdiction).ok_or_else(|| {
        vec![QualificationError::NoList {
            item: jurisdiction.to_string(),
        }]
    })?;
    let d = find_disease(list, service, &cert.disease, Some(enrollee)).map_err(|e| vec![e])?;
    if d.section.service != service {
        return Err(vec![QualificationError::UnknownDisease {
            code: cert.disease.clone(),
            list: list.name.clone(),
        }]);
    }
    let mut errors = Vec::new();
    if !d.section.published {
        errors.push(QualificationError::ListNotPublished {
            heading: d.section.heading.clone(),
        });
    }
    if !d.section.applies_to.contains(&enrollee) {
        errors.push(QualificationError::NotForScheme {
            disease: d.disease.name.clone(),
            enrollee: enrollee.label(),
            heading: d.section.heading.clone(),
        });
    }
    if let Some(max) = d.disease.max_age {
        if age_on(person, cert.certified_on) > max {
            errors.push(QualificationError::TooOld {
                disease: d.disease.name.clone(),
                max_age: max,
            });
        }
    }
    for doc in &evidence.documents {
        if !cert.documents.contains(doc) {
            errors.push(QualificationError::EvidenceMissing {
                document: doc.clone(),
            });
        }
    }
    if !cert.passed {
        errors.push(QualificationError::ExaminationNotPassed);
    }
    if cert.certified_on > today {
        errors.push(QualificationError::CertifiedInFuture {
            date: cert.certified_on,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let valid_from = match evidence.effective_when {
        EffectiveWhen::AgencyConfirms => today,
        EffectiveWhen::InstitutionRecords => cert.certified_on,
    };
    let valid_to = valid_until(valid_from, list.validity.months);
    Ok(Qualification {
        person: person.as_str().to_string(),
        service,
        list_id: list.id.clone(),
        list_version: list.version,
        disease_code: d.code(),
        disease_name: d.disease.name.clone(),
        scheme: d.section.heading.clone(),
        valid_from,
        valid_to,
        certifier: cert.certifier.clone(),
        certified_on: cert.certified_on,
        validity_example: list.validity.example,
    })
}

/// The last valid day of a period of `months` starting on `from`: the day before the same
/// day `months` later (a qualification from 2026-03-04 for 24 months is valid to 2028-03-03).
pub fn valid_until(from: NaiveDate, months: u32) -> NaiveDate {
    // The day before `from`, moved on by `months` (clamped to the month's end): 2026-01-31 for
    // one month runs to 2026-02-28.
    from.pred_opt()
        .unwrap_or(from)
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// A qualification's state on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    NotYetValid,
    Valid,
    Expired,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::NotYetValid => "尚未生效",
            Standing::Valid => "有效",
            Standing::Expired => "已到期",
        }
    }
}

impl Qualification {
    pub fn standing_on(&self, date: NaiveDate) -> Standing {
        if date < self.valid_from {
            Standing::NotYetValid
        } else if date > self.valid_to {
            Standing::Expired
        } else {
            Standing::Valid
        }
    }

    fn names(&self, disease: &str) -> bool {
        let d = disease.trim();
        d == self.disease_code || d == self.disease_name
    }
}

/// The services whose qualifications settle chronic/special outpatient visits (医疗类别 14).
pub const CHRONIC_SERVICES: [Service; 3] = [
    Service::QualificationChronicDisease,
    Service::QualificationHypertensionDiabetes,
    Service::QualificationHighValueDrug,
];

/// Is the person qualified for `disease` on `date`? The valid qualification that names it, else
/// why not: expired (a date after the last valid day), not yet valid, or none at all.
pub fn check_visit<'a>(
    records: &'a [Qualification],
    disease: Option<&str>,
    date: NaiveDate,
) -> Result<&'a Qualification, QualificationError> {
    let disease = disease
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .ok_or(QualificationError::DiseaseMissing)?;
    let named: Vec<&Qualification> = records
        .iter()
        .filter(|q| CHRONIC_SERVICES.contains(&q.service) && q.names(disease))
        .collect();
    if let Some(q) = named
        .iter()
        .find(|q| q.standing_on(date) == Standing::Valid)
    {
        return Ok(q);
    }
    // The latest that lapsed before the visit, else one that starts after it.
    if let Some(q) = named
        .iter()
        .filter(|q| q.standing_on(date) == Standing::Expired)
        .max_by_key(|q| q.valid_to)
    {
        return Err(QualificationError::Expired {
            disease: q.disease_name.clone(),
            valid_to: q.valid_to,
        });
    }
    if let Some(q) = named.iter().min_by_key(|q| q.valid_from) {
        return Err(QualificationError::NotYetValid {
            disease: q.disease_name.clone(),
            valid_from: q.valid_from,
        });
    }
    Err(QualificationError::NotQualified {
        disease: disease.to_string(),
    })
}
