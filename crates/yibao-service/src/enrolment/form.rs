//! Reading a case's form for a registry effect: trimmed text fields, dates, yes/no choices and
//! an embedded roster (a bulk upload's rows), each refusal naming the field.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use yibao_domain::enrolment::EnrolmentError;
use yibao_store::cases::CaseRow;

/// The form field that holds an embedded roster's rows (JSON), instead of one set of fields.
pub const ROSTER_KEY: &str = "roster";

/// One set of fields: the case's form, or one row of a roster.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: BTreeMap<String, String>,
    /// The row number the user sees in their spreadsheet; 0 for a form filled in on screen.
    pub line: usize,
}

impl Form {
    pub fn of_case(case: &CaseRow) -> Result<Form, crate::ServiceError> {
        Ok(Form {
            fields: crate::effects::form_map(case),
            line: 0,
        })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    pub fn text(&self, key: &str, label: &str) -> Result<&str, EnrolmentError> {
        self.get(key).ok_or_else(|| {
            EnrolmentError::new("registry.form.required", format!("请填写“{label}”"), "")
        })
    }

    pub fn date(&self, key: &str, label: &str) -> Result<NaiveDate, EnrolmentError> {
        let raw = self.text(key, label)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            EnrolmentError::new(
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
    ) -> Result<Option<NaiveDate>, EnrolmentError> {
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
    pub fn roster(&self) -> Result<Option<Vec<Form>>, EnrolmentError> {
        let Some(raw) = self.get(ROSTER_KEY) else {
            return Ok(None);
        };
        let rows: Vec<BTreeMap<String, serde_json::Value>> =
            serde_json::from_str(raw).map_err(|_| {
                EnrolmentError::new("registry.roster.invalid", "批量名单数据无法读取", "")
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
    pub fn rows(&self) -> Result<Vec<Form>, EnrolmentError> {
        Ok(self.roster()?.unwrap_or_else(|| vec![self.clone()]))
    }
}

#[cfg(test)]
mod tests {
    use yibao_domain::enrolment::employee::RemovalReason;
    use yibao_domain::enrolment::employer::EmployerKind;
    use yibao_domain::enrolment::resident::ResidentCategory;
    use yibao_domain::enrolment::DocumentType;

    /// The registry forms under `data/forms` list, for each choice the effects parse with a
    /// domain type, exactly that type's labels: a label added to the domain appears on the page.
    #[test]
    fn choice_lists_are_the_domains_labels() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let choices = |form: &str, key: &str| -> Vec<String> {
            let form = catalog.form(form).unwrap_or_else(|| panic!("form {form}"));
            let field = form.fields.iter().find(|f| f.key == key);
            field.unwrap_or_else(|| panic!("{key}")).choices.clone()
        };
        let labels = |l: Vec<&str>| l.into_iter().map(str::to_string).collect::<Vec<_>>();
        let kinds = labels(
            EmployerKind::REGISTRABLE
                .iter()
                .map(|k| k.label())
                .collect(),
        );
        assert_eq!(choices("enrolment-employer-register", "kind"), kinds);
        assert_eq!(choices("enrolment-employer-change", "new_kind"), kinds);
        assert_eq!(choices("enrolment-employer-split", "new_kind"), kinds);
        assert_eq!(
            choices("enrolment-employee-enrol", "document_type"),
            labels(DocumentType::ALL.iter().map(|d| d.label()).collect())
        );
        assert_eq!(
            choices("enrolment-employee-remove", "reason"),
            labels(RemovalReason::ALL.iter().map(|r| r.label()).collect())
        );
        assert_eq!(
            choices("enrolment-resident-enrol", "category"),
            labels(ResidentCategory::ALL.iter().map(|c| c.label()).collect())
        );
    }
}
