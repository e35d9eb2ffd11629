//! Changes to an insured person's record (参保信息变更): key information (关键信息) needs
//! proof, others do not (seed 000 表3 / 表4 「□关键信息 □非关键信息」; seed 003 职工参保信息变更登记
//! 办理条件1「变更姓名、性别、身份证号、出生日期等关键信息：需提供相应的证明材料」).

use super::coverage::{HeldCoverage, Scheme};
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

/// A change item belongs to one scheme: 城乡居民参保信息变更 is for a person who 「已完成居民参保登记」
/// (seed 003 item 14 办理条件; seed 000 item 8 表4 城乡居民), 职工参保信息变更 for one insured in
/// the employee scheme (seed 003 item 13; seed 000 item 7 表3 职工). The person must hold a
/// coverage of that scheme that has not ended (a suspended one may still correct its record).
pub fn check_change_scheme(
    item_scheme: Scheme,
    held: &[HeldCoverage],
) -> Result<(), EnrolmentError> {
    if held
        .iter()
        .any(|h| h.scheme == item_scheme && h.status.on_books())
    {
        return Ok(());
    }
    let other = match item_scheme {
        Scheme::Employee => Scheme::Resident,
        Scheme::Resident => Scheme::Employee,
    };
    let hint = if held
        .iter()
        .any(|h| h.scheme == other && h.status.on_books())
    {
        match other {
            Scheme::Employee => "；参加职工医保的人员请办理职工参保信息变更",
            Scheme::Resident => "；参加城乡居民医保的人员请办理城乡居民参保信息变更",
        }
    } else {
        ""
    };
    Err(EnrolmentError::new(
        "registry.change.wrong_scheme",
        format!("该人员未参加{}，不能办理本事项{hint}", item_scheme.label()),
        match item_scheme {
            Scheme::Employee => "seed 003 第13项 职工参保信息变更登记",
            Scheme::Resident => {
                "seed 003 第14项 城乡居民参保信息变更登记 办理条件「已完成居民参保登记」"
            }
        },
    ))
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
    #[test]
    fn a_change_item_needs_a_coverage_of_its_scheme() {
        use crate::enrolment::CoverageStatus as St;
        let h = |scheme, status| HeldCoverage { scheme, status };
        let employee = [h(Scheme::Employee, St::Active)];
        // seed 003 item 14: 「已完成居民参保登记」 — an employee-scheme person is refused.
        let e = check_change_scheme(Scheme::Resident, &employee).unwrap_err();
        assert_eq!(e.code, "registry.change.wrong_scheme");
        assert!(
            e.message.contains("请办理职工参保信息变更"),
            "{}",
            e.message
        );
        assert_eq!(check_change_scheme(Scheme::Employee, &employee), Ok(()));
        // Registered (待缴费) counts as 已完成居民参保登记; ended does not.
        assert_eq!(
            check_change_scheme(Scheme::Resident, &[h(Scheme::Resident, St::Registered)]),
            Ok(())
        );
        assert!(check_change_scheme(Scheme::Resident, &[h(Scheme::Resident, St::Ended)]).is_err());
        // A suspended employee may still correct the record.
        assert_eq!(
            check_change_scheme(Scheme::Employee, &[h(Scheme::Employee, St::Suspended)]),
            Ok(())
        );
        let none = check_change_scheme(Scheme::Employee, &[]).unwrap_err();
        assert!(!none.message.contains("请办理"), "{}", none.message);
    }
}
