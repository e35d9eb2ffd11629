//! Reading a case's form for a registry effect: trimmed text fields, dates, yes/no choices and
//! an embedded roster (a bulk upload's rows), each refusal naming the field.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use yibao_domain::registry::RegistryError;
use yibao_store::cases::CaseRow;

/// One set of fields: the case's form, or one row of a roster.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: BTreeMap<String, String>,
    /// The row number the user sees in their spreadsheet; 0 for a form filled in on screen.
    pub line: usize,
}

impl Form {
    pub fn of_case(case: &CaseRow) -> Form {
        Form {
            fields: crate::effects::form_map(case),
            line: 0,
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    pub fn text(&self, key: &str, label: &str) -> Result<&str, RegistryError> {
        self.get(key).ok_or_else(|| {
            RegistryError::new("registry.form.required", format!("请填写“{label}”"), "")
        })
    }

    pub fn date(&self, key: &str, label: &str) -> Result<NaiveDate, RegistryError> {
        let raw = self.text(key, label)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            RegistryError::new(
                "registry.form.date",
                format!("“{label}”应为日期（年-月-日），填写的是“{raw}”"),
                "",
            )
        })
    }

    pub fn optional_date(
        &self,
        key: &str,
        label: &str,
    ) -> Result<Option<NaiveDate>, RegistryError> {
        match self.get(key) {
            None => Ok(None),
            Some(_) => self.date(key, label).map(Some),
        }
    }

    /// 是 / 否 (also true/false, yes/no, 1/0); absent is "no".
    pub fn yes(&self, key: &str) -> bool {
        matches!(self.get(key), Some("是" | "true" | "yes" | "1" | "Y" | "y"))
    }

    /// The rows of an embedded roster (`roster` holds a JSON array of objects with a `line`).
    pub fn roster(&self) -> Result<Option<Vec<Form>>, RegistryError> {
        let Some(raw) = self.get("roster") else {
            return Ok(None);
        };
        let rows: Vec<BTreeMap<String, serde_json::Value>> =
            serde_json::from_str(raw).map_err(|_| {
                RegistryError::new("registry.roster.invalid", "批量名单数据无法读取", "")
            })?;
        Ok(Some(
            rows.into_iter()
                .enumerate()
                .map(|(i, row)| {
                    let line = row
                        .get("line")
                        .and_then(serde_json::Value::as_u64)
                        .map(|l| l as usize)
                        .unwrap_or(i + 2);
                    let fields = row
                        .into_iter()
                        .filter(|(k, _)| k != "line")
                        .map(|(k, v)| {
                            let text = match v {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            };
                            (k, text)
                        })
                        .collect();
                    Form { fields, line }
                })
                .collect(),
        ))
    }

    /// The rows an effect works on: the roster's, or the form itself as one row.
    pub fn rows(&self) -> Result<Vec<Form>, RegistryError> {
        Ok(self.roster()?.unwrap_or_else(|| vec![self.clone()]))
    }
}

/// The fields each registry effect reads, for the application page and the API document. The
/// guides name their forms (《社会保险登记表》 …) without printing them, so these are the
/// effects' own inputs, not transcriptions.
pub fn fields_for(service: &str) -> Vec<yibao_domain::catalog::FormField> {
    use yibao_domain::catalog::FieldKind::{Choice, Date, IdNumber, Phone, Region, Text};
    use yibao_domain::registry::employee::RemovalReason;
    use yibao_domain::registry::employer::EmployerKind;
    use yibao_domain::registry::resident::ResidentCategory;
    use yibao_domain::registry::DocumentType;
    let kinds: Vec<String> = EmployerKind::REGISTRABLE
        .iter()
        .map(|k| k.label().to_string())
        .collect();
    let yes_no = || vec!["是".to_string(), "否".to_string()];
    let grades = || vec!["一档".to_string(), "二档".to_string()];
    let f = |key: &str, label: &str, kind, required: bool, choices: Vec<String>| {
        yibao_domain::catalog::FormField {
            key: key.into(),
            label: label.into(),
            kind,
            choices,
            required,
            section: None,
        }
    };
    let person_changes = |with_grade: bool| {
        let mut v = vec![
            f(
                "id_number",
                "职工证件号码（单位申请时填写）",
                IdNumber,
                false,
                vec![],
            ),
            f("new_name", "新姓名", Text, false, vec![]),
            f(
                "new_sex",
                "新性别",
                Choice,
                false,
                vec!["男".into(), "女".into()],
            ),
            f("new_id_number", "新证件号码", IdNumber, false, vec![]),
            f("new_birth_date", "新出生日期", Date, false, vec![]),
            f("new_phone", "新联系电话", Phone, false, vec![]),
            f("new_address", "新居住地址", Text, false, vec![]),
        ];
        if with_grade {
            v.push(f(
                "new_grade",
                "新缴费档次（以个人身份参保）",
                Choice,
                false,
                grades(),
            ));
            v.push(f(
                "years_complete",
                "基本医疗保险缴费年限已缴满",
                Choice,
                false,
                yes_no(),
            ));
        }
        v
    };
    match service {
        "enrolment.employer_register" => vec![
            f("region_code", "参保地区划代码", Region, true, vec![]),
            f("kind", "单位类型", Choice, true, kinds),
            f(
                "legal_representative",
                "法定代表人（负责人）",
                Text,
                true,
                vec![],
            ),
            f("address", "单位地址", Text, false, vec![]),
            f("contact_name", "联系人", Text, false, vec![]),
            f("phone", "联系电话", Phone, false, vec![]),
            f("bank_name", "开户银行", Text, false, vec![]),
            f("bank_account", "银行账号", Text, false, vec![]),
        ],
        "enrolment.employer_change" => vec![
            f("new_name", "新单位名称", Text, false, vec![]),
            f("new_uscc", "新统一社会信用代码", Text, false, vec![]),
            f(
                "new_legal_representative",
                "新法定代表人（负责人）",
                Text,
                false,
                vec![],
            ),
            f("new_kind", "新单位类型", Choice, false, kinds),
            f("new_address", "新单位地址", Text, false, vec![]),
            f("new_contact_name", "新联系人", Text, false, vec![]),
            f("new_phone", "新联系电话", Phone, false, vec![]),
            f("new_bank_name", "新开户银行", Text, false, vec![]),
            f("new_bank_account", "新银行账号", Text, false, vec![]),
            f("changed_on", "变更登记（批准）日期", Date, false, vec![]),
        ],
        "enrolment.employer_split" => vec![
            f("new_uscc", "新设单位统一社会信用代码", Text, true, vec![]),
            f("new_name", "新设单位名称", Text, true, vec![]),
            f(
                "new_legal_representative",
                "新设单位法定代表人",
                Text,
                true,
                vec![],
            ),
            f("new_kind", "新设单位类型", Choice, false, kinds),
            f(
                "employees",
                "转入新设单位的职工证件号码（逗号分隔）",
                Text,
                false,
                vec![],
            ),
        ],
        "enrolment.employer_merge" => vec![f(
            "absorbed_uscc",
            "被合并（兼并）单位统一社会信用代码（逗号分隔）",
            Text,
            true,
            vec![],
        )],
        "enrolment.employer_relocate" => vec![
            f(
                "direction",
                "转移方向",
                Choice,
                true,
                vec!["转出".into(), "转入".into()],
            ),
            f("to_region", "转入地区划代码", Region, true, vec![]),
        ],
        "enrolment.employer_deregister" => {
            vec![f("terminated_on", "注销（终止）日期", Date, true, vec![])]
        }
        "enrolment.employee_enrol" => vec![
            f("name", "职工姓名", Text, true, vec![]),
            f(
                "document_type",
                "证件类型",
                Choice,
                false,
                DocumentType::ALL
                    .iter()
                    .map(|d| d.label().to_string())
                    .collect(),
            ),
            f("id_number", "证件号码", Text, true, vec![]),
            f("join_date", "入职（报到）日期", Date, true, vec![]),
            f(
                "sex",
                "性别（证件号码不含性别时填写）",
                Choice,
                false,
                vec!["男".into(), "女".into()],
            ),
            f(
                "birth_date",
                "出生日期（证件号码不含出生日期时填写）",
                Date,
                false,
                vec![],
            ),
            f(
                "post",
                "岗位类别（女职工）",
                Choice,
                false,
                vec!["管理和专业技术岗位".into(), "生产和操作岗位".into()],
            ),
            f("phone", "联系电话", Phone, false, vec![]),
        ],
        "enrolment.employee_remove" => vec![
            f("id_number", "职工证件号码", Text, true, vec![]),
            f(
                "reason",
                "减员原因",
                Choice,
                true,
                RemovalReason::ALL
                    .iter()
                    .map(|r| r.label().to_string())
                    .collect(),
            ),
            f("event_date", "减员原因发生日期", Date, true, vec![]),
        ],
        "enrolment.employee_change" => person_changes(true),
        "enrolment.resident_change" => person_changes(false),
        "enrolment.phone_change" => vec![f("new_phone", "新联系电话", Phone, true, vec![])],
        "enrolment.flexible_enrol" => vec![
            f("local_hukou", "本市户籍", Choice, false, yes_no()),
            f(
                "local_pension",
                "在本市按月领取基本养老金的退休人员",
                Choice,
                false,
                yes_no(),
            ),
            f("grade", "缴费档次", Choice, false, grades()),
            f("debit_bank", "代扣缴费银行", Text, false, vec![]),
            f("phone", "联系电话", Phone, false, vec![]),
        ],
        "enrolment.flexible_suspend" => vec![
            f("reason", "停保原因", Text, false, vec![]),
            f("effective_on", "停保日期", Date, false, vec![]),
        ],
        "enrolment.resident_enrol" => vec![
            f(
                "category",
                "参保类别",
                Choice,
                false,
                ResidentCategory::ALL
                    .iter()
                    .map(|c| c.label().to_string())
                    .collect(),
            ),
            f("coverage_year", "参保年度", Text, false, vec![]),
            f("term_start", "开学日期（高校学生）", Date, false, vec![]),
            f("employed", "已就业", Choice, false, yes_no()),
            f("phone", "联系电话", Phone, false, vec![]),
        ],
        _ => Vec::new(),
    }
}
