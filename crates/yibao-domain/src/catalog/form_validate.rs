//! Form data checked against a form definition (seed 000 表1–表6): every problem at once, per
//! field, with a stable code and a Chinese message. Unknown keys are refused, so a typo in an
//! API call is not silently dropped.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{FieldKind, Form};
use crate::error::Coded;
use crate::ids::{CitizenId, RegionCode};
use crate::money::Fen;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

fn err(field: &str, code: &'static str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        code,
        message,
    }
}

/// Mainland mobile numbers (1[3-9] and 9 more digits) and fixed lines with an area code
/// (0 + 2–3 digits, then 7–8 digits; separators - and spaces allowed).
pub fn is_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit())
        || s.chars()
            .any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '))
    {
        return false;
    }
    let b = digits.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let fixed = (10..=12).contains(&b.len()) && b[0] == b'0';
    mobile || fixed
}

/// A date as people write it: 2026-11-01, 2026/11/01, 2026.11.01, 2026年11月1日, 20261101
/// (month and day with or without a leading zero where separated).
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = s
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || d.is_empty() || m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A region as people write it: its 6-digit code, or the name of a province-level division
/// (四川省, 四川, 重庆市, 重庆, 广西壮族自治区, 广西 …) for its province code. Names below the
/// province need a list of prefectures and counties this repository does not hold.
pub fn region_of_text(s: &str) -> Option<RegionCode> {
    let s = s.trim();
    if let Ok(r) = s.parse::<RegionCode>() {
        return Some(r);
    }
    if s.chars().count() < 2 {
        return None;
    }
    crate::ids::province_code_of_name(s)
        .and_then(|c| c.parse().ok())
        .or_else(|| crate::ids::region_of_name(s))
}

/// Rewrites the values people type into the form's canonical ones: dates as YYYY-MM-DD and
/// region names as codes, for the fields of those kinds. Anything unreadable is left as typed,
/// for `validate_form` (or the effect) to report beside its field.
pub fn normalize_form(form: &Form, data: &mut BTreeMap<String, String>) {
    for f in &form.fields {
        let Some(v) = data.get_mut(&f.key) else {
            continue;
        };
        match f.kind {
            FieldKind::Date => {
                if let Some(d) = parse_date_text(v) {
                    *v = d.format("%Y-%m-%d").to_string();
                }
            }
            FieldKind::Region => {
                if let Some(r) = region_of_text(v) {
                    *v = r.as_str().to_string();
                }
            }
            _ => {}
        }
    }
}

/// Checks `data` against `form`; `today` bounds dates (none in the future beyond a year, none
/// before 1900).
pub fn validate_form(
    form: &Form,
    data: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for key in data.keys() {
        if !form.fields.iter().any(|f| &f.key == key) {
            errors.push(err(
                key,
                "form.field_unknown",
                format!("表格“{}”没有“{key}”这一栏", form.name),
            ));
        }
    }
    for f in &form.fields {
        let value = data.get(&f.key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let Some(v) = value else {
            if f.required {
                errors.push(err(&f.key, "form.required", format!("请填写“{}”", f.label)));
            }
            continue;
        };
        if v.chars().count() > 500 {
            errors.push(err(
                &f.key,
                "form.too_long",
                format!("“{}”不能超过500个字", f.label),
            ));
            continue;
        }
        let problem: Option<(&'static str, String)> = match f.kind {
            FieldKind::Choice if !f.choices.is_empty() && !f.choices.iter().any(|c| c == v) => {
                Some((
                    "form.choice",
                    format!("“{}”应为以下之一：{}", f.label, f.choices.join("、")),
                ))
            }
            FieldKind::MultiChoice if !f.choices.is_empty() => {
                let bad: Vec<&str> = v
                    .split([',', '，', '、'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty() && !f.choices.iter().any(|c| c == x))
                    .collect();
                (!bad.is_empty()).then(|| {
                    (
                        "form.choice",
                        format!("“{}”中的“{}”不是可选项", f.label, bad.join("、")),
                    )
                })
            }
            FieldKind::Date => match parse_date_text(v) {
                Some(d) if d.year_ok(today) => None,
                Some(_) => Some((
                    "form.date_range",
                    format!("“{}”的日期不在合理范围内", f.label),
                )),
                None => Some((
                    "form.date",
                    format!(
                        "“{}”应为日期，如 2026-11-01、2026/11/01 或 2026年11月1日",
                        f.label
                    ),
                )),
            },
            FieldKind::IdNumber => v
                .parse::<CitizenId>()
                .err()
                .map(|e| (e.code(), format!("“{}”：{}", f.label, e.message()))),
            FieldKind::Phone => (!is_phone(v)).then(|| {
                (
                    "form.phone",
                    format!("“{}”应为11位手机号码或带区号的固定电话", f.label),
                )
            }),
            FieldKind::Region => match (region_of_text(v), v.parse::<RegionCode>()) {
                (Some(_), _) => None,
                (None, Err(e)) if v.bytes().all(|b| b.is_ascii_digit()) => {
                    Some((e.code(), format!("“{}”：{}", f.label, e.message())))
                }
                (None, _) => Some((
                    "form.region",
                    format!(
                        "“{}”应选择省份名称或填写6位行政区划代码，收到“{v}”",
                        f.label
                    ),
                )),
            },
            FieldKind::Money => v
                .parse::<Fen>()
                .err()
                .map(|e| (e.code(), format!("“{}”：{}", f.label, e.message()))),
            FieldKind::Number => v
                .parse::<i64>()
                .is_err()
                .then(|| ("form.number", format!("“{}”应为整数", f.label))),
            _ => None,
        };
        if let Some((code, message)) = problem {
            errors.push(err(&f.key, code, message));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

trait YearOk {
    fn year_ok(&self, today: NaiveDate) -> bool;
}

impl YearOk for NaiveDate {
    fn year_ok(&self, today: NaiveDate) -> bool {
        use chrono::Datelike;
        self.year() >= 1900 && self.year() <= today.year() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(n: &str) -> Form {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/forms");
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(n))
            .unwrap();
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn dates_in_the_forms_people_write() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 1);
        for s in [
            "2026-11-01",
            "2026/11/01",
            "2026.11.01",
            "2026年11月1日",
            "2026年11月01日",
            "20261101",
            "2026-11-1",
            " 2026/11/1 ",
        ] {
            assert_eq!(parse_date_text(s), d, "{s}");
        }
        for s in [
            "2026-13-01",
            "26-11-01",
            "2026-11",
            "2026年11月",
            "202611011",
            "abc",
        ] {
            assert_eq!(parse_date_text(s), None, "{s}");
        }
    }

    #[test]
    fn province_names_become_codes_and_the_form_is_normalised() {
        // Seed 000 表1: 转往省(市、区) typed as a name (issue #23: «四川省» used to be refused).
        assert_eq!(region_of_text("四川省").unwrap().as_str(), "510000");
        assert_eq!(region_of_text("四川").unwrap().as_str(), "510000");
        assert_eq!(region_of_text("重庆市").unwrap().as_str(), "500000");
        assert_eq!(region_of_text("广西").unwrap().as_str(), "450000");
        assert_eq!(region_of_text("510104").unwrap().as_str(), "510104");
        // Cities and counties by name (data/regions/divisions.csv).
        assert_eq!(region_of_text("南川区").unwrap().as_str(), "500119");
        assert_eq!(region_of_text("四川省成都市").unwrap().as_str(), "510100");
        assert_eq!(region_of_text("海南省三亚市").unwrap().as_str(), "460200");
        assert_eq!(region_of_text("朝阳区"), None, "two 朝阳区: say which");
        assert_eq!(region_of_text("火星"), None);
        let f = form("chuanyu-form-1");
        let mut d = data(&[
            ("target_province", "海南省"),
            ("fill_date", "2026年11月20日"),
            ("name", "2026年11月20日"),
        ]);
        normalize_form(&f, &mut d);
        assert_eq!(d["target_province"], "460000");
        assert_eq!(d["fill_date"], "2026-11-20");
        assert_eq!(d["name"], "2026年11月20日", "only date fields");
        let bad = data(&[("target_province", "火星")]);
        let e = validate_form(&f, &bad, today()).unwrap_err();
        assert_eq!(e[0].field, "target_province");
        assert_eq!(e[0].code, "form.region");
    }

    #[test]
    fn a_valid_table_1_passes() {
        // Seed 000 表1 异地就医登记备案表.
        let f = form("chuanyu-form-1");
        let ok = data(&[
            ("name", "张三"),
            ("scheme", "职工医保"),
            ("person_category", "异地安置退休人员"),
            ("registration_type", "新增"),
            ("id_number", "11010519491231002X"),
            ("phone_1", "138-0000-1234"),
            ("phone_2", "023 6666 8888"),
            ("target_province", "460000"),
            ("fill_date", "2026-11-20"),
        ]);
        assert_eq!(validate_form(&f, &ok, today()), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let f = form("chuanyu-form-1");
        let bad = data(&[
            ("scheme", "商业保险"),
            ("id_number", "110105194912310021"),
            ("phone_1", "12345"),
            ("target_province", "990000"),
            ("fill_date", "2026-13-01"),
            ("nonsense", "x"),
        ]);
        let errors = validate_form(&f, &bad, today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for k in [
            "scheme",
            "id_number",
            "phone_1",
            "target_province",
            "fill_date",
            "nonsense",
        ] {
            assert!(fields.contains(&k), "{k} in {fields:?}");
        }
        assert!(errors.iter().all(|e| !e.message.is_empty()));
    }

    #[test]
    fn table_2_choices_are_open_examples_only_where_the_form_says_so() {
        // Seed 000 表2: 身份 and 财政补助对象 list examples (「如…等」) but are kinds with
        // choices; what the transcription declares is what is checked.
        let f = form("chuanyu-form-2");
        let ok = data(&[("name", "李四"), ("sex", "女"), ("phone", "13800000004")]);
        assert_eq!(validate_form(&f, &ok, today()), Ok(()));
        let bad = data(&[("sex", "未知")]);
        assert_eq!(
            validate_form(&f, &bad, today()).unwrap_err()[0].code,
            "form.choice"
        );
    }

    #[test]
    fn phones() {
        for ok in [
            "13800000001",
            "138-0000-0001",
            "023-6666 8888",
            "02866668888",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in ["12800000001", "1380000000", "abc", "023-66x6"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}
