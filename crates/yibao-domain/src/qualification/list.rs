//! Disease lists (病种范围) as data: `data/diseases/<region>.toml`, one file per pooling region,
//! versioned, each in the guide's own sections and numbering. A list says which jurisdictions'
//! items it serves, who certifies and with what evidence, how long a qualification lasts and how
//! it is reviewed; where the guide says nothing the field says so (`*_stated = false`) and a
//! figure the system still needs is labelled 示例参数 (`example = true`).

use serde::{Deserialize, Serialize};

use crate::catalog::Service;

use super::error::QualificationError;

/// Who a section of a list is for (the guides' scheme wording, e.g. seed 003
/// 「随单位参加职工医保或个人参加职工医保二档」).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enrollee {
    /// 随单位参加职工医保 (in service, and retirees of a unit).
    EmployeeWithEmployer,
    /// 个人参加职工医保一档
    EmployeeFlexibleTier1,
    /// 个人参加职工医保二档
    EmployeeFlexibleTier2,
    /// 城乡居民医保
    Resident,
}

impl Enrollee {
    pub fn label(self) -> &'static str {
        match self {
            Enrollee::EmployeeWithEmployer => "随单位参加职工医保",
            Enrollee::EmployeeFlexibleTier1 => "个人参加职工医保一档",
            Enrollee::EmployeeFlexibleTier2 => "个人参加职工医保二档",
            Enrollee::Resident => "城乡居民医保",
        }
    }
}

/// When a qualification takes effect (SEED-NOTES D13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectiveWhen {
    /// Seed 003: 「医保经办机构确认参保人通过特病准入体检后……参保人特病备案生效」.
    AgencyConfirms,
    /// Seed 002: the 特殊疾病鉴定医疗机构 「在医保系统录入鉴定结果」.
    InstitutionRecords,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub seed: String,
    pub item: String,
    pub lines: String,
}

/// The medical evidence a jurisdiction asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub jurisdictions: Vec<String>,
    /// Which institution may certify.
    pub certifier: String,
    pub certifier_quote: String,
    /// False: the guide names no hospital level that may certify.
    pub certifier_level_stated: bool,
    pub examinations: String,
    /// False: the guide names no examinations per disease.
    pub examinations_stated_per_disease: bool,
    /// Documents the certification must include (each one is checked on the application).
    pub documents: Vec<String>,
    pub documents_quote: String,
    pub effective_when: EffectiveWhen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// False: the guide states no validity period.
    pub stated: bool,
    pub months: u32,
    #[serde(default)]
    pub example: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// False: no guide names an expert-review (专家评审) step.
    pub expert_review_stated: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disease {
    /// The guide's number within its section.
    pub no: u32,
    /// The guide's name, verbatim.
    pub name: String,
    /// Age limit stated in the name (「0-14周岁（含）」): the person's age on the visit date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Hospitals the name restricts care to (「定点医院限……」).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub designated_hospitals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub heading: String,
    pub service: Service,
    pub applies_to: Vec<Enrollee>,
    /// False: the guide publishes no list for this section (「以各经办机构公布的为准」).
    #[serde(default = "yes")]
    pub published: bool,
    /// The number of entries the guide gives (checked against `diseases`).
    pub size: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub diseases: Vec<Disease>,
}

fn yes() -> bool {
    true
}

/// One version of a region's disease list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiseaseList {
    pub schema: u32,
    pub id: String,
    pub region: crate::RegionCode,
    pub name: String,
    pub version: u32,
    pub jurisdictions: Vec<String>,
    pub published: bool,
    pub source: SourceRef,
    pub evidence: Vec<Evidence>,
    pub validity: Validity,
    pub review: Review,
    pub sections: Vec<Section>,
}

/// A disease as a qualification names it: `<section>/<no>` (e.g. `employee/18`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiseaseRef<'a> {
    pub list: &'a DiseaseList,
    pub section: &'a Section,
    pub disease: &'a Disease,
}

impl DiseaseRef<'_> {
    pub fn code(&self) -> String {
        format!("{}/{}", self.section.key, self.disease.no)
    }
}

impl DiseaseList {
    /// Parses and checks a list: sizes equal entries, numbers run 1..=size, a published section
    /// has entries, an unpublished one none, evidence for every jurisdiction.
    pub fn parse(text: &str) -> Result<DiseaseList, String> {
        let list: DiseaseList = toml::from_str(text).map_err(|e| e.to_string())?;
        list.validate()?;
        Ok(list)
    }

    fn validate(&self) -> Result<(), String> {
        if self.validity.months == 0 {
            return Err(format!("{}: validity.months must be positive", self.id));
        }
        if !self.validity.stated && !self.validity.example {
            return Err(format!(
                "{}: a validity the guide does not state must be example = true (示例参数)",
                self.id
            ));
        }
        for j in &self.jurisdictions {
            if !self.evidence.iter().any(|e| e.jurisdictions.contains(j)) {
                return Err(format!("{}: no evidence rule for {j}", self.id));
            }
        }
        for s in &self.sections {
            if s.diseases.len() != s.size {
                return Err(format!(
                    "{}/{}: size {} but {} entries",
                    self.id,
                    s.key,
                    s.size,
                    s.diseases.len()
                ));
            }
            if s.published == s.diseases.is_empty() {
                return Err(format!(
                    "{}/{}: a published section has entries, an unpublished one none",
                    self.id, s.key
                ));
            }
            for (i, d) in s.diseases.iter().enumerate() {
                if d.no as usize != i + 1 || d.name.trim().is_empty() {
                    return Err(format!(
                        "{}/{}: entry {} out of order",
                        self.id,
                        s.key,
                        i + 1
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn serves(&self, jurisdiction: &str) -> bool {
        self.jurisdictions.iter().any(|j| j == jurisdiction)
    }

    pub fn evidence_for(&self, jurisdiction: &str) -> Option<&Evidence> {
        self.evidence
            .iter()
            .find(|e| e.jurisdictions.iter().any(|j| j == jurisdiction))
    }

    /// The sections of `service` in this list.
    pub fn sections_of(&self, service: Service) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.service == service)
    }

    /// Looks a disease up by its code `<section>/<no>`.
    pub fn find(&self, code: &str) -> Result<DiseaseRef<'_>, QualificationError> {
        let unknown = || QualificationError::UnknownDisease {
            code: code.to_string(),
            list: self.name.clone(),
        };
        let (section, no) = code.trim().split_once('/').ok_or_else(unknown)?;
        let no: u32 = no.parse().map_err(|_| unknown())?;
        let section = self
            .sections
            .iter()
            .find(|s| s.key == section)
            .ok_or_else(unknown)?;
        let disease = section
            .diseases
            .iter()
            .find(|d| d.no == no)
            .ok_or_else(unknown)?;
        Ok(DiseaseRef {
            list: self,
            section,
            disease,
        })
    }
}

/// The list serving `jurisdiction`'s items of `service` among `lists`.
pub fn list_for<'a>(
    lists: &'a [DiseaseList],
    jurisdiction: &str,
    service: Service,
) -> Option<&'a DiseaseList> {
    lists
        .iter()
        .filter(|l| l.serves(jurisdiction) && l.sections_of(service).next().is_some())
        .max_by_key(|l| l.version)
}
