//! The filing form, seed 000 表1 异地就医登记备案表 (`data/forms/chuanyu-form-1.toml`), as a typed
//! value parsed from form data keyed by the form's field keys. Every problem is reported at once.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{CitizenId, RegionCode};

use super::error::FilingError;
use super::kind::{FilingKind, Scheme};
use super::target::{filing_target, is_xpcc, FilingTarget};

/// 登记类别: 新增 or 变更.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationType {
    New,
    Change,
}

impl RegistrationType {
    pub fn label(self) -> &'static str {
        match self {
            RegistrationType::New => "新增",
            RegistrationType::Change => "变更",
        }
    }
}

/// Who signs the form: 本人 or 被委托人.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    Applicant,
    Agent,
}

/// A telephone number: a mobile (11 digits) or a landline with or without its area code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts digits with optional spaces or hyphens, 7 to 12 digits in all; a number of 11
    /// digits that starts with 1 is a mobile, anything else is read as a landline.
    pub fn parse(s: &str) -> Option<Phone> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let ok = digits.bytes().all(|b| b.is_ascii_digit())
            && (7..=12).contains(&digits.len())
            && (!digits.starts_with('1') || digits.len() == 11);
        ok.then_some(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for lists and logs: 138****5678.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!(
            "{}****{}",
            &self.0[..3.min(n)],
            &self.0[n.saturating_sub(4)..]
        )
    }
}

/// A filled-in 表1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingApplication {
    pub filing_number: Option<String>,
    pub name: String,
    pub sex: Option<String>,
    pub scheme: Scheme,
    pub kind: FilingKind,
    pub registration: RegistrationType,
    pub id_number: CitizenId,
    pub insured_region_address: Option<String>,
    pub care_region_address: Option<String>,
    pub phone_1: Phone,
    pub phone_2: Option<Phone>,
    pub target_province: RegionCode,
    pub target_prefecture: Option<RegionCode>,
    pub target_county: Option<RegionCode>,
    pub signer: Option<Signer>,
    pub fill_date: Option<NaiveDate>,
}

impl FilingApplication {
    /// The most precise care place the form names (county, else prefecture, else province).
    pub fn care_region(&self) -> &RegionCode {
        self.target_county
            .as_ref()
            .or(self.target_prefecture.as_ref())
            .unwrap_or(&self.target_province)
    }

    /// Where this filing is recorded (seed 000 表1 温馨提示 2–3).
    pub fn target(&self) -> Result<FilingTarget, FilingError> {
        filing_target(self.care_region())
    }

    /// Parses form data keyed like `chuanyu-form-1` (`name`, `scheme`, `person_category`, …).
    /// Blank values count as missing. Returns every problem, not just the first.
    pub fn parse(form: &BTreeMap<String, String>) -> Result<FilingApplication, Vec<FilingError>> {
        let mut errors = Vec::new();
        let get = |key: &str| {
            form.get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let required = |key: &'static str, label: &'static str, errors: &mut Vec<_>| {
            let v = get(key);
            if v.is_none() {
                errors.push(FilingError::FieldMissing { key, label });
            }
            v
        };
        let invalid = |key, label, value: &str, expected| FilingError::FieldInvalid {
            key,
            label,
            value: value.chars().take(40).collect(),
            expected,
        };

        let name = required("name", "姓名", &mut errors);
        let scheme = required("scheme", "险种", &mut errors).and_then(|v| {
            Scheme::from_label(&v).or_else(|| {
                errors.push(invalid("scheme", "险种", &v, "“职工医保”或“城乡居民医保”"));
                None
            })
        });
        let kind = required("person_category", "人员类别", &mut errors).and_then(|v| {
            FilingKind::from_person_category(&v).or_else(|| {
                errors.push(invalid(
                    "person_category",
                    "人员类别",
                    &v,
                    "表1所列人员类别之一",
                ));
                None
            })
        });
        let registration =
            required("registration_type", "登记类别", &mut errors).and_then(|v| match v.as_str() {
                "新增" => Some(RegistrationType::New),
                "变更" => Some(RegistrationType::Change),
                _ => {
                    errors.push(invalid(
                        "registration_type",
                        "登记类别",
                        &v,
                        "“新增”或“变更”",
                    ));
                    None
                }
            });
        let id_number = required("id_number", "身份证件号码", &mut errors).and_then(|v| {
            v.parse::<CitizenId>()
                .map_err(|e| errors.push(FilingError::IdNumber(e)))
                .ok()
        });
        let phone_1 = required("phone_1", "联系电话1", &mut errors).and_then(|v| {
            Phone::parse(&v).or_else(|| {
                errors.push(invalid(
                    "phone_1",
                    "联系电话1",
                    &v,
                    "手机号码或固定电话号码",
                ));
                None
            })
        });
        let phone_2 = get("phone_2").and_then(|v| {
            Phone::parse(&v).or_else(|| {
                errors.push(invalid(
                    "phone_2",
                    "联系电话2",
                    &v,
                    "手机号码或固定电话号码",
                ));
                None
            })
        });
        let mut region = |key: &'static str, label: &'static str, v: Option<String>| {
            v.and_then(|v| {
                v.parse::<RegionCode>()
                    .map_err(|_| errors.push(invalid(key, label, &v, "6位行政区划代码")))
                    .ok()
            })
        };
        let province_raw = get("target_province");
        let province = region("target_province", "转往省(市、区)", province_raw.clone());
        let prefecture = region(
            "target_prefecture",
            "地区(市、州)",
            get("target_prefecture"),
        );
        let county = region("target_county", "县(区)", get("target_county"));
        if province_raw.is_none() {
            errors.push(FilingError::FieldMissing {
                key: "target_province",
                label: "转往省(市、区)",
            });
        }
        if let Some(p) = &province {
            if !p.is_province_level() {
                errors.push(invalid(
                    "target_province",
                    "转往省(市、区)",
                    p.as_str(),
                    "省级行政区划代码（如500000）",
                ));
            }
        }
        // The three target fields must nest; then the most precise one decides the target.
        let chain: Vec<&RegionCode> = [&province, &prefecture, &county]
            .into_iter()
            .flatten()
            .collect();
        for pair in chain.windows(2) {
            if !nests(pair[0], pair[1]) {
                errors.push(FilingError::TargetMismatch {
                    parent: pair[0].clone(),
                    child: pair[1].clone(),
                });
            }
        }
        if let Some(most_precise) = chain.last() {
            if let Err(e) = filing_target(most_precise) {
                errors.push(e);
            }
        }
        let signer = get("signer").and_then(|v| match v.as_str() {
            "本人" => Some(Signer::Applicant),
            "被委托人" => Some(Signer::Agent),
            _ => {
                errors.push(invalid("signer", "本人/被委托人", &v, "“本人”或“被委托人”"));
                None
            }
        });
        let fill_date = get("fill_date").and_then(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| {
                    errors.push(invalid("fill_date", "填表日期", &v, "日期（如2024-03-04）"))
                })
                .ok()
        });

        match (
            errors.is_empty(),
            name,
            scheme,
            kind,
            registration,
            id_number,
            phone_1,
            province,
        ) {
            (
                true,
                Some(name),
                Some(scheme),
                Some(kind),
                Some(registration),
                Some(id_number),
                Some(phone_1),
                Some(target_province),
            ) => Ok(FilingApplication {
                filing_number: get("filing_number"),
                name,
                sex: get("sex"),
                scheme,
                kind,
                registration,
                id_number,
                insured_region_address: get("insured_region_address"),
                care_region_address: get("care_region_address"),
                phone_1,
                phone_2,
                target_province,
                target_prefecture: prefecture,
                target_county: county,
                signer,
                fill_date,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether `child` lies inside `parent` (a province, or a prefecture): same province prefix and,
/// under a prefecture, the same first four digits. The XPCC's two spellings nest in each other.
fn nests(parent: &RegionCode, child: &RegionCode) -> bool {
    if is_xpcc(parent) && is_xpcc(child) {
        return true;
    }
    if parent.province_prefix() != child.province_prefix() {
        return false;
    }
    if parent.is_province_level() {
        return true;
    }
    parent.as_str()[..4] == child.as_str()[..4]
}
