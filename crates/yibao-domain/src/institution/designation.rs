//! Applying through the case engine (seed 001 items 33–38, seed 003 items 33–34, seed 000 item
//! 06): what a designation application states, the conditions the guides quantify, the code the
//! agency gives a designated institution, and the requests of an institution already designated
//! (information change, suspension or termination). Pure: the form's fields in, typed values or
//! every problem at once out.

use std::collections::BTreeMap;

use super::InstitutionError;
use crate::codes::InstitutionKind;

crate::codes::coded! {
    /// What kind of medical institution or pharmacy applies (the categories Chongqing 33's bed
    /// condition names, and the pharmacy of items 34).
    Category {
        GeneralHospital = ("general_hospital", "综合医院"),
        SpecialistHospital = ("specialist_hospital", "专科医院"),
        Community = ("community", "社区卫生服务机构"),
        Township = ("township", "乡镇卫生院"),
        Clinic = ("clinic", "门诊部或诊所"),
        Pharmacy = ("pharmacy", "零售药店"),
    }
}

impl Category {
    /// The category as typed: its key or its Chinese label.
    pub fn parse(text: &str) -> Option<Category> {
        let t = text.trim();
        Category::from_key(t).or_else(|| Category::ALL.iter().copied().find(|c| c.label() == t))
    }

    /// The institution kind (医疗机构 / 零售药店) of the category.
    pub fn kind(self) -> InstitutionKind {
        match self {
            Category::Pharmacy => InstitutionKind::Pharmacy,
            _ => InstitutionKind::Hospital,
        }
    }
}

/// A designation application (医疗机构/零售药店申请定点) as its form states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignationApplication {
    pub name: String,
    pub category: Category,
    /// 医疗机构等级 (free text from the licence; empty for a pharmacy).
    pub level: String,
    /// The institution's region (6-digit division code).
    pub region_code: String,
    pub address: String,
    /// 《医疗机构执业许可证》/《药品经营许可证》 number.
    pub licence_number: String,
    /// Whether it provides inpatient care (开展住院医疗).
    pub inpatient: bool,
    /// Approved beds (批准床位), when it provides inpatient care.
    pub beds: Option<u32>,
    /// The services it applies to provide (普通门诊、住院、门诊慢特病、生育 …).
    pub services: Vec<String>,
}

fn field<'a>(form: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn missing(key: &'static str, label: &'static str) -> InstitutionError {
    InstitutionError::Form {
        key,
        message: format!("请填写{label}"),
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v {
        "是" | "yes" | "true" | "1" => Some(true),
        "否" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// The list of services as typed (separated by 、 , ， ; ； or spaces).
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl DesignationApplication {
    /// Reads the form of an application for `kind` (the service's: a hospital's or a
    /// pharmacy's application); every problem at once, each with its field.
    pub fn parse(
        kind: InstitutionKind,
        form: &BTreeMap<String, String>,
    ) -> Result<DesignationApplication, Vec<InstitutionError>> {
        let mut errors = Vec::new();
        let name = field(form, "name").unwrap_or_default().to_string();
        if name.is_empty() {
            errors.push(missing("name", "机构名称"));
        }
        let category = match field(form, "category") {
            None if kind == InstitutionKind::Pharmacy => Some(Category::Pharmacy),
            None => {
                errors.push(missing("category", "机构类别"));
                None
            }
            Some(t) => match Category::parse(t) {
                Some(c) if c.kind() == kind => Some(c),
                Some(c) => {
                    errors.push(InstitutionError::Form {
                        key: "category",
                        message: format!(
                            "机构类别“{}”不属于本事项（{}申请定点）",
                            c.label(),
                            kind.label()
                        ),
                    });
                    None
                }
                None => {
                    errors.push(InstitutionError::Form {
                        key: "category",
                        message: format!("未知的机构类别“{t}”"),
                    });
                    None
                }
            },
        };
        let region_code = field(form, "region_code").unwrap_or_default().to_string();
        if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(InstitutionError::Form {
                key: "region_code",
                message: "机构所在地应为6位行政区划代码".to_string(),
            });
        }
        let address = field(form, "address").unwrap_or_default().to_string();
        if address.is_empty() {
            errors.push(missing("address", "机构地址"));
        }
        let licence_number = field(form, "licence_number")
            .unwrap_or_default()
            .to_string();
        if licence_number.is_empty() {
            errors.push(missing("licence_number", "许可证号"));
        }
        let inpatient = match field(form, "inpatient") {
            None => false,
            Some(v) => yes_no(v).unwrap_or_else(|| {
                errors.push(InstitutionError::Form {
                    key: "inpatient",
                    message: "是否开展住院医疗应为“是”或“否”".to_string(),
                });
                false
            }),
        };
        if inpatient && kind == InstitutionKind::Pharmacy {
            errors.push(InstitutionError::Form {
                key: "inpatient",
                message: "零售药店不开展住院医疗".to_string(),
            });
        }
        let beds = match field(form, "beds") {
            None => None,
            Some(v) => match v.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(InstitutionError::Form {
                        key: "beds",
                        message: "批准床位数应为整数".to_string(),
                    });
                    None
                }
            },
        };
        let services = field(form, "services").map(split_list).unwrap_or_default();
        if services.is_empty() {
            errors.push(missing("services", "申请开展的医保服务"));
        }
        match (errors.is_empty(), category) {
            (true, Some(category)) => Ok(DesignationApplication {
                name,
                category,
                level: field(form, "level").unwrap_or_default().to_string(),
                region_code,
                address,
                licence_number,
                inpatient,
                beds,
                services,
            }),
            _ => Err(errors),
        }
    }
}

/// Chongqing 33 condition 5 (seed 003): 「对开展住院医疗的，综合性医院批准床位在50张以上；专科
/// 医疗机构在30张以上；社区医疗机构和乡镇卫生院床位不限」 — 以上 includes the number. Sichuan 33
/// states no bed count (and neither does Nanchuan's table): only Chongqing's guide is checked.
pub fn check_beds(jurisdiction: &str, a: &DesignationApplication) -> Result<(), InstitutionError> {
    if jurisdiction != "chongqing" || !a.inpatient {
        return Ok(());
    }
    let min = match a.category {
        Category::GeneralHospital => 50,
        Category::SpecialistHospital => 30,
        _ => return Ok(()),
    };
    match a.beds {
        Some(b) if b >= min => Ok(()),
        Some(b) => Err(InstitutionError::Form {
            key: "beds",
            message: format!(
                "开展住院医疗的{}批准床位应在{min}张以上（现为{b}张）",
                a.category.label()
            ),
        }),
        None => Err(InstitutionError::Form {
            key: "beds",
            message: format!(
                "开展住院医疗的{}须填写批准床位数（应在{min}张以上）",
                a.category.label()
            ),
        }),
    }
}

/// The code the agency gives a designated institution (Chongqing 33: 「将评审通过的医疗机构信息
/// 录入系统，并生成机构编码」), in the national form: H (医疗机构) or P (零售药店), the 6-digit
/// division, a 5-digit sequence — the next after `last` (the highest sequence of that prefix).
pub fn institution_code(
    kind: InstitutionKind,
    region_code: &str,
    last: Option<u32>,
) -> Result<String, InstitutionError> {
    let letter = match kind {
        InstitutionKind::Hospital => 'H',
        InstitutionKind::Pharmacy => 'P',
    };
    if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InstitutionError::Form {
            key: "region_code",
            message: "机构所在地应为6位行政区划代码".to_string(),
        });
    }
    let next = last.map_or(1, |n| n + 1);
    if next > 99_999 {
        return Err(InstitutionError::Overflow);
    }
    Ok(format!("{letter}{region_code}{next:05}"))
}

/// The sequence part of a code of the prefix `H`/`P` + division (None for another prefix).
pub fn code_sequence(code: &str, prefix: &str) -> Option<u32> {
    code.strip_prefix(prefix)
        .filter(|s| s.len() == 5)
        .and_then(|s| s.parse().ok())
}

/// Sichuan 36 (seed 001): 「定点医药机构申请暂停（终止）协议管理」 — one item, two requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuspendRequest {
    /// 暂停协议管理: settlement stops until restored (Sichuan 37).
    Suspend,
    /// 终止协议管理: the agreement ends for good.
    Terminate,
}

impl SuspendRequest {
    pub fn parse(form: &BTreeMap<String, String>) -> Result<SuspendRequest, InstitutionError> {
        match field(form, "request") {
            Some("暂停" | "暂停协议管理" | "suspend") => Ok(SuspendRequest::Suspend),
            Some("终止" | "终止协议管理" | "terminate") => Ok(SuspendRequest::Terminate),
            Some(other) => Err(InstitutionError::Form {
                key: "request",
                message: format!("申请事项应为“暂停”或“终止”，不是“{other}”"),
            }),
            None => Err(missing("request", "申请事项（暂停或终止）")),
        }
    }
}

/// An information change (定点医药机构信息变更, Sichuan 35; 医保定点医疗机构基础信息变更, seed
/// 000 item 06): the new name and/or level the approving document states, and what changed in
/// words (recorded with the agreement's history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoChange {
    pub name: Option<String>,
    pub level: Option<String>,
    pub description: String,
}

impl InfoChange {
    pub fn parse(form: &BTreeMap<String, String>) -> Result<InfoChange, Vec<InstitutionError>> {
        let description = field(form, "description").unwrap_or_default().to_string();
        if description.is_empty() {
            return Err(vec![missing("description", "变更事项说明")]);
        }
        Ok(InfoChange {
            name: field(form, "new_name").map(str::to_string),
            level: field(form, "new_level").map(str::to_string),
            description,
        })
    }
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

    fn hospital(category: &str, inpatient: &str, beds: &str) -> DesignationApplication {
        DesignationApplication::parse(
            InstitutionKind::Hospital,
            &form(&[
                ("name", "南岸仁心医院"),
                ("category", category),
                ("level", "二级"),
                ("region_code", "500108"),
                ("address", "重庆市南岸区示例路1号"),
                ("licence_number", "PDY00001-450010817A1001"),
                ("inpatient", inpatient),
                ("beds", beds),
                ("services", "普通门诊、住院"),
            ]),
        )
        .unwrap()
    }

    /// Chongqing 33 condition 5: a general hospital with inpatient care needs 50 approved beds
    /// (以上: 50 is enough, 49 is not), a specialist one 30, community and township any.
    #[test]
    fn chongqing_bed_thresholds_include_the_number() {
        assert!(check_beds("chongqing", &hospital("综合医院", "是", "50")).is_ok());
        let e = check_beds("chongqing", &hospital("综合医院", "是", "49")).unwrap_err();
        assert_eq!(crate::error::Coded::code(&e), "institution.form_invalid");
        assert!(check_beds("chongqing", &hospital("专科医院", "是", "30")).is_ok());
        assert!(check_beds("chongqing", &hospital("专科医院", "是", "29")).is_err());
        assert!(check_beds("chongqing", &hospital("乡镇卫生院", "是", "3")).is_ok());
        assert!(check_beds("chongqing", &hospital("社区卫生服务机构", "是", "")).is_ok());
        // No inpatient care: no bed condition.
        assert!(check_beds("chongqing", &hospital("综合医院", "否", "")).is_ok());
        // Inpatient care without a bed count is asked for it.
        assert!(check_beds("chongqing", &hospital("综合医院", "是", "")).is_err());
        // Sichuan 33 states no bed count.
        assert!(check_beds("sichuan", &hospital("综合医院", "是", "10")).is_ok());
    }

    #[test]
    fn an_application_names_every_problem_and_its_field() {
        let errors = DesignationApplication::parse(
            InstitutionKind::Hospital,
            &form(&[("category", "零售药店"), ("region_code", "5001")]),
        )
        .unwrap_err();
        let keys: Vec<&str> = errors
            .iter()
            .filter_map(|e| match e {
                InstitutionError::Form { key, .. } => Some(*key),
                _ => None,
            })
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "category",
                "region_code",
                "address",
                "licence_number",
                "services"
            ]
        );
        // A pharmacy's application is a pharmacy without saying so; it has no inpatient care.
        let p = DesignationApplication::parse(
            InstitutionKind::Pharmacy,
            &form(&[
                ("name", "示例大药房"),
                ("region_code", "510104"),
                ("address", "成都市锦江区示例街2号"),
                ("licence_number", "川CA0280001"),
                ("services", "药品零售"),
            ]),
        )
        .unwrap();
        assert_eq!(p.category, Category::Pharmacy);
        assert!(DesignationApplication::parse(
            InstitutionKind::Pharmacy,
            &form(&[
                ("name", "示例大药房"),
                ("region_code", "510104"),
                ("address", "x"),
                ("licence_number", "x"),
                ("services", "药品零售"),
                ("inpatient", "是"),
            ]),
        )
        .is_err());
    }

    #[test]
    fn codes_follow_the_national_form_and_count_per_prefix() {
        assert_eq!(
            institution_code(InstitutionKind::Hospital, "500108", None).unwrap(),
            "H50010800001"
        );
        assert_eq!(
            institution_code(InstitutionKind::Pharmacy, "510104", Some(41)).unwrap(),
            "P51010400042"
        );
        assert_eq!(
            institution_code(InstitutionKind::Hospital, "500108", Some(99_999)),
            Err(InstitutionError::Overflow)
        );
        assert_eq!(code_sequence("H50010800007", "H500108"), Some(7));
        assert_eq!(code_sequence("P50010800007", "H500108"), None);
    }

    /// Sichuan 36: 暂停 or 终止, nothing else.
    #[test]
    fn a_suspension_request_is_suspend_or_terminate() {
        assert_eq!(
            SuspendRequest::parse(&form(&[("request", "暂停")])),
            Ok(SuspendRequest::Suspend)
        );
        assert_eq!(
            SuspendRequest::parse(&form(&[("request", "终止")])),
            Ok(SuspendRequest::Terminate)
        );
        assert!(SuspendRequest::parse(&form(&[("request", "注销")])).is_err());
        assert!(SuspendRequest::parse(&form(&[])).is_err());
    }

    #[test]
    fn an_information_change_says_what_changed() {
        assert!(InfoChange::parse(&form(&[("new_name", "新名称")])).is_err());
        let c = InfoChange::parse(&form(&[
            ("new_level", "三级"),
            ("description", "等级评审升为三级"),
        ]))
        .unwrap();
        assert_eq!(c.level.as_deref(), Some("三级"));
        assert_eq!(c.name, None);
    }
}
