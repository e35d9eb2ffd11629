//! The bill (费用明细) of a manual reimbursement as the clerk enters it from the receipts: the
//! visit and the payee in fields, the charges line by line in a table (code, name, quantity,
//! unit price, amount, category). The page's fields become the API's `BillEntry` JSON shape
//! (docs/benefits.md), so the two are checked by the same code.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};
use yibao_domain::benefit::{Category, HospitalLevel, Quantity, VisitType};
use yibao_domain::reimbursement::{Exclusion, ManualGround};
use yibao_domain::{Coded, Fen};

/// Blank lines the table offers (a longer bill is entered through the API or in two rounds).
pub const LINES: usize = 12;

/// A choice list: (key as the API spells it, Chinese label).
pub type Choices = Vec<(String, &'static str)>;

fn key_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The bill form's choice lists, from the domain's enums and labels.
pub struct BillChoices {
    pub grounds: Choices,
    pub visits: Choices,
    pub levels: Choices,
    pub exclusions: Choices,
    pub categories: Choices,
}

impl BillChoices {
    pub fn new() -> BillChoices {
        BillChoices {
            grounds: ManualGround::ALL
                .iter()
                .map(|g| (g.key().to_string(), g.label()))
                .collect(),
            visits: [
                VisitType::Inpatient,
                VisitType::ChronicOutpatient,
                VisitType::GeneralOutpatient,
                VisitType::Maternity,
            ]
            .into_iter()
            .map(|v| (key_of(v), v.label()))
            .collect(),
            levels: [
                HospitalLevel::Primary,
                HospitalLevel::Level1,
                HospitalLevel::Level2,
                HospitalLevel::Level3,
            ]
            .into_iter()
            .map(|l| (key_of(l), l.label()))
            .collect(),
            exclusions: [
                Exclusion::WorkInjury,
                Exclusion::ThirdParty,
                Exclusion::PublicHealth,
                Exclusion::Abroad,
            ]
            .into_iter()
            .map(|e| (key_of(e), e.label()))
            .collect(),
            categories: [Category::A, Category::B, Category::C]
                .into_iter()
                .map(|c| (key_of(c), c.label()))
                .collect(),
        }
    }
}

/// The form's values by input name, as typed (kept for the page when the entry is refused).
pub type Typed = BTreeMap<String, String>;

/// Reads the posted form; every field trimmed, the CSRF token left out.
pub fn typed(body: &[u8]) -> Typed {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect()
}

fn yuan(label: &str, text: &str) -> Result<i64, String> {
    text.parse::<Fen>()
        .map(|f| f.0)
        .map_err(|e| format!("{label}：{}", e.message()))
}

/// The `BillEntry` JSON the page's fields stand for, or every problem found (line numbers as
/// the table shows them). A line's amount may be left blank when its quantity and unit price
/// are given: it is their product, rounded half up to the fen.
pub fn entry_json(t: &Typed) -> Result<Value, Vec<String>> {
    let get = |k: &str| t.get(k).map(String::as_str).unwrap_or("");
    let on = |k: &str| !get(k).is_empty();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for i in 1..=LINES {
        let f = |what: &str| get(&format!("line.{i}.{what}")).to_string();
        let (code, name, quantity, price, amount, category) = (
            f("code"),
            f("name"),
            f("quantity"),
            f("price"),
            f("amount"),
            f("category"),
        );
        if [&code, &name, &quantity, &price, &amount]
            .iter()
            .all(|s| s.is_empty())
        {
            continue;
        }
        let at = format!("第 {i} 行");
        if code.is_empty() {
            errors.push(format!("{at}：请填写项目编码"));
        }
        let mut line = Map::new();
        line.insert("line_no".into(), json!(i));
        line.insert("code".into(), json!(code));
        if !name.is_empty() {
            line.insert("name".into(), json!(name));
        }
        let qty = if quantity.is_empty() {
            None
        } else {
            match Quantity::parse(&quantity) {
                Ok(q) => {
                    line.insert("quantity".into(), json!(quantity));
                    Some(q)
                }
                Err(e) => {
                    errors.push(format!("{at}：{}", e.message()));
                    None
                }
            }
        };
        let unit = if price.is_empty() {
            None
        } else {
            match yuan(&format!("{at}单价"), &price) {
                Ok(p) => {
                    line.insert("unit_price".into(), json!(p));
                    Some(Fen(p))
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let total = if !amount.is_empty() {
            yuan(&format!("{at}金额"), &amount)
                .map_err(|e| errors.push(e))
                .ok()
        } else {
            match (qty, unit) {
                (Some(q), Some(u)) => q
                    .times(u)
                    .map(|f| f.0)
                    .map_err(|e| errors.push(format!("{at}：{}", e.message())))
                    .ok(),
                _ => {
                    errors.push(format!("{at}：请填写金额，或填写数量和单价"));
                    None
                }
            }
        };
        if let Some(a) = total {
            line.insert("amount".into(), json!(a));
        }
        if !category.is_empty() {
            line.insert("category".into(), json!(category));
        }
        lines.push(Value::Object(line));
    }
    if lines.is_empty() {
        errors.push("请至少填写一行费用明细".into());
    }
    for (k, label) in [
        ("care_region", "就医地行政区划"),
        ("institution_code", "定点医药机构编码"),
        ("ground", "手工报销原因"),
        ("date", "结算日期"),
        ("visit", "就医类型"),
        ("hospital_level", "医疗机构等级"),
        ("admission_id", "住院号（就诊号）"),
        ("payee_bank", "开户银行"),
        ("payee_account", "银行账号"),
        ("payee_holder", "户名"),
    ] {
        if !on(k) {
            errors.push(format!("请填写“{label}”"));
        }
    }
    let care_region = yibao_domain::catalog::region_of_text(get("care_region"))
        .map(|r| r.as_str().to_string())
        .unwrap_or_else(|| get("care_region").to_string());
    let date = yibao_domain::catalog::parse_date_text(get("date"));
    if on("date") && date.is_none() {
        errors.push("结算日期应为日期，如 2026-11-20".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut entry = json!({
        "care_region": care_region,
        "institution_code": get("institution_code"),
        "emergency": on("emergency"),
        "ground": get("ground"),
        "payee": {"bank": get("payee_bank"), "account": get("payee_account"), "holder": get("payee_holder")},
        "third_party_unpaid": on("third_party_unpaid"),
        "bill": {
            "date": date.map(|d| d.to_string()).unwrap_or_default(),
            "visit": get("visit"),
            "hospital_level": get("hospital_level"),
            "admission_id": get("admission_id"),
            "use_account": on("use_account"),
            "lines": lines,
        },
    });
    if on("exclusion") {
        entry["exclusion"] = json!(get("exclusion"));
    }
    if on("disease") {
        entry["disease"] = json!(get("disease"));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Typed {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn header() -> Vec<(&'static str, &'static str)> {
        vec![
            ("care_region", "500119"),
            ("institution_code", "H50011900001"),
            ("ground", "network_failure"),
            ("date", "2026/11/20"),
            ("visit", "inpatient"),
            ("hospital_level", "level_2"),
            ("admission_id", "ZY001"),
            ("use_account", "on"),
            ("payee_bank", "中国工商银行南川支行"),
            ("payee_account", "6222 0212 3456 7890"),
            ("payee_holder", "王建国"),
        ]
    }

    #[test]
    fn lines_become_the_api_shape_with_amounts_in_fen() {
        let mut p = header();
        p.extend([
            ("line.1.code", "S1"),
            ("line.1.name", "床位费"),
            ("line.1.quantity", "3"),
            ("line.1.price", "45.50"),
            ("line.1.category", "a"),
            ("line.2.code", "D2"),
            ("line.2.amount", "1,200.00"),
        ]);
        let v = entry_json(&form(&p)).unwrap();
        let lines = v["bill"]["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["amount"], 13650, "3 × 45.50 元");
        assert_eq!(lines[0]["unit_price"], 4550);
        assert_eq!(lines[0]["category"], "a");
        assert_eq!(lines[1]["amount"], 120000);
        assert_eq!(lines[1].get("category"), None, "from the catalogue");
        assert_eq!(v["bill"]["date"], "2026-11-20");
        assert_eq!(v["bill"]["use_account"], true);
        assert_eq!(v["emergency"], false);
        // The same shape the API takes.
        let e: yibao_service::reimbursement::BillEntry = serde_json::from_value(v).unwrap();
        assert_eq!(e.bill.lines.len(), 2);
    }

    #[test]
    fn every_problem_at_once() {
        let p = form(&[
            ("line.1.code", "S1"),
            ("line.1.price", "1.234"),
            ("line.3.name", "无编码"),
            ("line.3.amount", "10"),
        ]);
        let errors = entry_json(&p).unwrap_err();
        assert!(
            errors.iter().any(|e| e.starts_with("第 1 行单价")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e == "第 3 行：请填写项目编码"),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("开户银行")), "{errors:?}");
        let errors = entry_json(&form(&header())).unwrap_err();
        assert_eq!(errors, vec!["请至少填写一行费用明细".to_string()]);
    }
}
