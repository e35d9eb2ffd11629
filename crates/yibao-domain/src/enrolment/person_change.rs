//! Changes to an insured person's record (参保信息变更): key information (关键信息) needs
//! proof, others do not (seed 000 表3 / 表4 「□关键信息 □非关键信息」; seed 003 职工参保信息变更登记
//! 办理条件1「变更姓名、性别、身份证号、出生日期等关键信息：需提供相应的证明材料」).

use super::error::EnrolmentError;

/// (field, label, key information?)
pub const PERSON_FIELDS: [(&str, &str, bool); 6] = [
    ("name", "姓名", true),
    ("sex", "性别", true),
    ("id_number", "身份证件号码", true),
    ("birth_date", "出生日期", true),
    ("phone", "联系电话", false),
    ("address", "居住地址", false),
];

pub fn label_of(field: &str) -> Option<&'static str> {
    PERSON_FIELDS
        .iter()
        .find(|(k, _, _)| *k == field)
        .map(|(_, l, _)| *l)
}

/// The field a 变更项目 written on seed 000 表3 / 表4 names.
pub fn field_of_label(label: &str) -> Result<&'static str, EnrolmentError> {
    Ok(match label.trim() {
        "姓名" => "name",
        "性别" => "sex",
        "身份证件号码" | "身份证号码" | "身份证号" | "证件号码" => "id_number",
        "出生日期" => "birth_date",
        "联系电话" | "电话" | "手机号码" => "phone",
        "居住地址" | "地址" | "联系地址" => "address",
        other => {
            return Err(EnrolmentError::new(
                "registry.person.field",
                format!(
                    "变更项目“{other}”不能通过此事项变更，可变更：{}",
                    PERSON_FIELDS.map(|(_, l, _)| l).join("、")
                ),
                "seed 000 表3、表4",
            ))
        }
    })
}

/// True when any of the changed fields is key information; unknown fields are refused.
pub fn touches_key_information<'a>(
    changed: impl IntoIterator<Item = &'a str>,
) -> Result<bool, EnrolmentError> {
    let mut key = false;
    for f in changed {
        let (_, _, k) = PERSON_FIELDS
            .iter()
            .find(|(name, _, _)| *name == f)
            .ok_or_else(|| {
                EnrolmentError::new(
                    "registry.person.field",
                    format!("参保信息“{f}”不能通过此事项变更"),
                    "seed 000 表3、表4",
                )
            })?;
        key |= *k;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_non_key() {
        assert!(touches_key_information(["phone", "name"]).unwrap());
        assert!(!touches_key_information(["phone", "address"]).unwrap());
        assert_eq!(
            touches_key_information(["grade"]).unwrap_err().code,
            "registry.person.field"
        );
    }
}
