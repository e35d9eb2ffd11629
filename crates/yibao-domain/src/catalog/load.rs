//! Parsing and validating the catalog's files. Every problem is collected (not just the first),
//! each with its file and, where it can be found, its line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::de::DeserializeOwned;

use super::model::{FieldKind, Form, Item, JurisdictionList, ServiceList};
use super::offices::OfficeDirectory;
use super::Service;
use super::{Catalog, PREDICATES};

/// One data file: its path relative to the data folder (e.g. `catalog/chuanyu/01-x.toml`) and
/// its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

struct Errors(Vec<LoadError>);

impl Errors {
    fn at(&mut self, file: &SourceFile, needle: Option<&str>, message: impl Into<String>) {
        let line = needle.and_then(|n| line_of(&file.text, n));
        self.0.push(LoadError {
            file: file.path.clone(),
            line,
            message: message.into(),
        });
    }
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle)
        .map(|pos| text[..pos].bytes().filter(|b| *b == b'\n').count() + 1)
}

fn parse<T: DeserializeOwned>(file: &SourceFile, errors: &mut Errors) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.span().map(|s| {
                file.text[..s.start.min(file.text.len())]
                    .bytes()
                    .filter(|b| *b == b'\n')
                    .count()
                    + 1
            });
            errors.0.push(LoadError {
                file: file.path.clone(),
                line,
                message: {
                    let mut m = format!("格式错误 / invalid: {}", e.message());
                    if m.contains("formatted date string") {
                        m.push_str(
                            "（日期请写成带引号的 \"YYYY-MM-DD\" / write dates as quoted strings）",
                        );
                    }
                    m
                },
            });
            None
        }
    }
}

/// Loads and validates the catalog from the data files. Files outside `catalog/`, `forms/` and
/// `offices/`, and files that are not TOML, are ignored.
pub fn load(files: &[SourceFile]) -> Result<Catalog, Vec<LoadError>> {
    let mut errors = Errors(Vec::new());
    let find = |p: &str| files.iter().find(|f| f.path == p);

    let services = match find("catalog/services.toml") {
        Some(f) => parse::<ServiceList>(f, &mut errors).map(|l| l.service),
        None => None,
    };
    let jurisdictions = match find("catalog/jurisdictions.toml") {
        Some(f) => parse::<JurisdictionList>(f, &mut errors).map(|l| l.jurisdiction),
        None => None,
    };
    let (Some(services), Some(jurisdictions)) = (services, jurisdictions) else {
        errors.0.push(LoadError {
            file: "catalog/".into(),
            line: None,
            message: "缺少或无法读取 catalog/services.toml 与 catalog/jurisdictions.toml / missing services or jurisdictions list".into(),
        });
        return Err(errors.0);
    };
    let service_keys: HashSet<Service> = services.iter().map(|s| s.key).collect();
    if service_keys.len() != services.len() {
        errors.0.push(LoadError {
            file: "catalog/services.toml".into(),
            line: None,
            message: "服务键重复 / duplicate service key".into(),
        });
    }
    let jurisdiction_keys: Vec<&str> = jurisdictions.iter().map(|j| j.key.as_str()).collect();

    // Forms first: items refer to them.
    let mut forms: BTreeMap<String, Form> = BTreeMap::new();
    for file in files.iter().filter(|f| is_toml_under(&f.path, "forms/")) {
        let Some(form) = parse::<Form>(file, &mut errors) else {
            continue;
        };
        check_form(file, &form, &mut errors);
        if forms.contains_key(&form.id) {
            errors.at(
                file,
                Some("id ="),
                format!("表单编号重复 / duplicate form id {}", form.id),
            );
        }
        forms.insert(form.id.clone(), form);
    }

    let mut offices = Vec::new();
    for file in files.iter().filter(|f| is_toml_under(&f.path, "offices/")) {
        let Some(mut dir) = parse::<OfficeDirectory>(file, &mut errors) else {
            continue;
        };
        let stem = file_stem(&file.path);
        if !jurisdiction_keys.contains(&stem) {
            errors.at(
                file,
                None,
                format!("未知辖区 / unknown jurisdiction {stem}"),
            );
        }
        dir.jurisdiction = stem.to_string();
        offices.push(dir);
    }

    let mut items: Vec<Item> = Vec::new();
    let mut item_files: Vec<&SourceFile> = Vec::new();
    for file in files
        .iter()
        .filter(|f| is_toml_under(&f.path, "catalog/") && f.path.matches('/').count() == 2)
    {
        let Some(item) = parse::<Item>(file, &mut errors) else {
            continue;
        };
        check_item(
            file,
            &item,
            &jurisdiction_keys,
            &service_keys,
            &forms,
            &mut errors,
        );
        items.push(item);
        item_files.push(file);
    }
    check_across_items(&items, &item_files, &mut errors);

    if !errors.0.is_empty() {
        errors
            .0
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(errors.0);
    }
    let order = |j: &str| jurisdiction_keys.iter().position(|k| *k == j);
    items.sort_by(|a, b| {
        (order(&a.jurisdiction), id_sort_key(&a.id), a.version).cmp(&(
            order(&b.jurisdiction),
            id_sort_key(&b.id),
            b.version,
        ))
    });
    offices.sort_by_key(|o| order(&o.jurisdiction));
    Ok(Catalog {
        jurisdictions,
        services,
        items,
        forms,
        offices,
    })
}

/// "02-1" sorts as (2, 1): numeric parts compare as numbers.
fn id_sort_key(id: &str) -> Vec<u32> {
    id.split('-')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

fn is_toml_under(path: &str, prefix: &str) -> bool {
    path.starts_with(prefix) && path.ends_with(".toml")
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn check_form(file: &SourceFile, form: &Form, errors: &mut Errors) {
    if form.schema != 1 {
        errors.at(file, Some("schema"), "schema 必须为 1 / schema must be 1");
    }
    if file_stem(&file.path) != form.id {
        errors.at(
            file,
            Some("id ="),
            format!(
                "文件名应为 {}.toml / file name must equal the form id",
                form.id
            ),
        );
    }
    if form.source.is_some() == form.basis.is_some() {
        errors.at(
            file,
            Some("id ="),
            "表单须有 source（转录自办事指南）或 basis（系统所需信息的说明）之一 / a form has exactly one of source and basis",
        );
    }
    let mut keys = HashSet::new();
    for field in &form.fields {
        if !keys.insert(field.key.as_str()) {
            errors.at(
                file,
                Some(&format!("key = \"{}\"", field.key)),
                format!("字段键重复 / duplicate field key {}", field.key),
            );
        }
        let is_choice = matches!(field.kind, FieldKind::Choice | FieldKind::MultiChoice);
        if is_choice && field.choices.is_empty() {
            errors.at(
                file,
                Some(&format!("key = \"{}\"", field.key)),
                format!(
                    "选择字段 {} 缺少 choices / choice field without choices",
                    field.key
                ),
            );
        }
    }
}

fn check_item(
    file: &SourceFile,
    item: &Item,
    jurisdictions: &[&str],
    services: &HashSet<Service>,
    forms: &BTreeMap<String, Form>,
    errors: &mut Errors,
) {
    let folder = file.path.split('/').nth(1).unwrap_or("");
    if item.schema != 1 {
        errors.at(file, Some("schema"), "schema 必须为 1 / schema must be 1");
    }
    if !jurisdictions.contains(&item.jurisdiction.as_str()) {
        errors.at(
            file,
            Some("jurisdiction"),
            format!("未知辖区 / unknown jurisdiction {}", item.jurisdiction),
        );
    } else if folder != item.jurisdiction {
        errors.at(
            file,
            Some("jurisdiction"),
            format!("辖区应与目录 {folder} 一致 / jurisdiction must equal its folder"),
        );
    }
    let name = file.path.rsplit('/').next().unwrap_or("");
    if !name.starts_with(&format!("{}-", item.id)) {
        errors.at(
            file,
            Some("id ="),
            format!(
                "文件名应以 {}- 开头 / file name must start with the id",
                item.id
            ),
        );
    }
    if item.version == 0 {
        errors.at(
            file,
            Some("version"),
            "version 从 1 开始 / version starts at 1",
        );
    }
    if !services.contains(&item.service) {
        errors.at(
            file,
            Some("service"),
            format!("未知服务 / unknown service {}", item.service),
        );
    }
    if let Some(effect) = &item.effect {
        if !services.contains(effect) {
            errors.at(
                file,
                Some("effect"),
                format!("未知效果 / unknown effect {effect}"),
            );
        }
    }
    if let (Some(from), Some(to)) = (item.effective_from, item.effective_to) {
        if from > to {
            errors.at(
                file,
                Some("effective_to"),
                "effective_to 早于 effective_from / effective range is empty",
            );
        }
    }
    let predicate_uses = item
        .conditions
        .iter()
        .filter_map(|c| c.predicate.as_deref())
        .chain(item.materials.iter().flat_map(|m| m.predicates()));
    for p in predicate_uses {
        if !PREDICATES.contains(&p) {
            errors.at(
                file,
                Some(&format!("\"{p}\"")),
                format!("未知条件谓词 / unknown predicate {p}"),
            );
        }
    }
    // `one_of` sets: at least two materials each, all required (an optional alternative
    // would make the whole set optional; say so with `required = false` on none of them).
    let mut one_of: std::collections::BTreeMap<&str, Vec<&super::Material>> = Default::default();
    for m in &item.materials {
        if let Some(label) = m.one_of.as_deref() {
            one_of.entry(label).or_default().push(m);
        }
    }
    for (label, ms) in &one_of {
        if ms.len() < 2 {
            errors.at(
                file,
                Some(&format!("\"{label}\"")),
                format!("one_of “{label}” 只有一项材料 / a one_of set needs two materials or more"),
            );
        }
        if ms.iter().any(|m| m.required != ms[0].required) {
            errors.at(
                file,
                Some(&format!("\"{label}\"")),
                format!("one_of “{label}” 中的材料须同为必需或同为可选 / mixed required flags"),
            );
        }
    }
    let form_uses = item
        .forms
        .iter()
        .map(String::as_str)
        .chain(item.materials.iter().filter_map(|m| m.form_ref.as_deref()));
    for f in form_uses {
        if !forms.contains_key(f) {
            errors.at(
                file,
                Some(&format!("\"{f}\"")),
                format!("引用的表单不存在 / unknown form {f}"),
            );
        }
    }
    for t in &item.time_limits {
        if t.rule.needs_days() && t.days.is_none() {
            errors.at(
                file,
                Some("[[time_limits]]"),
                format!(
                    "时限规则 {:?} 需要 days / time-limit rule needs days",
                    t.rule
                ),
            );
        }
    }
    let mut seen = HashSet::new();
    for m in &item.materials {
        if !seen.insert(m.id.as_str()) {
            errors.at(
                file,
                Some(&format!("id = \"{}\"", m.id)),
                format!("材料编号重复 / duplicate material id {}", m.id),
            );
        }
    }
    let mut seen = HashSet::new();
    for f in &item.figures {
        if !seen.insert(f.key.as_str()) {
            errors.at(
                file,
                Some(&format!("key = \"{}\"", f.key)),
                format!("数字键重复 / duplicate figure key {}", f.key),
            );
        }
    }
}

fn check_across_items(items: &[Item], files: &[&SourceFile], errors: &mut Errors) {
    let mut by_version: HashMap<(&str, &str, u32), usize> = HashMap::new();
    let mut code_owner: HashMap<(&str, &str), &str> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        let key = (item.jurisdiction.as_str(), item.id.as_str(), item.version);
        if let Some(first) = by_version.insert(key, n) {
            errors.at(
                files[n],
                Some("id ="),
                format!(
                    "事项 {} 第 {} 版重复（另见 {}） / duplicate item version",
                    item.id, item.version, files[first].path
                ),
            );
        }
        for c in &item.codes {
            let owner = code_owner
                .entry((item.jurisdiction.as_str(), c.code.as_str()))
                .or_insert(item.id.as_str());
            if *owner != item.id {
                errors.at(
                    files[n],
                    Some(&c.code),
                    format!(
                        "事项编码 {} 已属于事项 {} / item code used by two items",
                        c.code, owner
                    ),
                );
            }
        }
    }
    // Versions of one item must not be in force at the same time.
    for (a_n, a) in items.iter().enumerate() {
        for b in items.iter().skip(a_n + 1) {
            if a.jurisdiction == b.jurisdiction && a.id == b.id && a.version != b.version {
                let a_from = a.effective_from.unwrap_or(chrono::NaiveDate::MIN);
                let a_to = a.effective_to.unwrap_or(chrono::NaiveDate::MAX);
                let b_from = b.effective_from.unwrap_or(chrono::NaiveDate::MIN);
                let b_to = b.effective_to.unwrap_or(chrono::NaiveDate::MAX);
                if a_from <= b_to && b_from <= a_to {
                    errors.at(
                        files[a_n],
                        Some("effective_"),
                        format!(
                            "事项 {} 的第 {} 版与第 {} 版生效期重叠 / versions overlap",
                            a.id, a.version, b.version
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    fn base() -> Vec<SourceFile> {
        vec![
            file(
                "catalog/services.toml",
                "[[service]]\nkey = \"filing.referral\"\nname = \"异地转诊人员备案\"\ndomain = \"filing\"\n",
            ),
            file(
                "catalog/jurisdictions.toml",
                "[[jurisdiction]]\nkey = \"chuanyu\"\nname = \"川渝通办\"\nguide = \"g\"\nseed = \"000\"\nregion_codes = [\"500000\"]\n",
            ),
        ]
    }

    const ITEM: &str = r#"schema = 1
jurisdiction = "chuanyu"
id = "02-4"
service = "filing.referral"
name = "异地转诊人员备案"
version = 1

[source]
seed = "000_494f915ca274775b.txt"
section = "二、4"

[[codes]]
region = "四川省"
code = "512036005004"

[[time_limits]]
kind = "statutory"
rule = "working_days"
days = 2
text = "线上办理2个工作日办结"
"#;

    #[test]
    fn a_valid_item_loads_and_is_found_by_id_or_code() {
        let mut files = base();
        files.push(file("catalog/chuanyu/02-4-referral.toml", ITEM));
        let c = load(&files).unwrap();
        assert_eq!(c.items.len(), 1);
        assert_eq!(
            c.find("chuanyu", "02-4", None).unwrap().name,
            "异地转诊人员备案"
        );
        assert!(c.find("chuanyu", "512036005004", None).is_some());
        assert!(c.find("sichuan", "02-4", None).is_none());
    }

    #[test]
    fn unknown_keys_are_refused_with_file_and_line() {
        let mut files = base();
        let bad = ITEM.replace("version = 1", "version = 1\nverison = 2");
        files.push(file("catalog/chuanyu/02-4-referral.toml", &bad));
        let errs = load(&files).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].file, "catalog/chuanyu/02-4-referral.toml");
        assert_eq!(errs[0].line, Some(7));
        assert!(errs[0].message.contains("verison"), "{}", errs[0].message);
    }

    #[test]
    fn missing_required_fields_are_refused() {
        let mut files = base();
        files.push(file(
            "catalog/chuanyu/02-4-referral.toml",
            &ITEM.replace("name = \"异地转诊人员备案\"\n", ""),
        ));
        let errs = load(&files).unwrap_err();
        assert!(errs[0].message.contains("name"), "{errs:?}");
    }

    #[test]
    fn references_must_exist() {
        let mut files = base();
        let bad = ITEM
            .replace("version = 1", "version = 1\nforms = [\"chuanyu-form-9\"]")
            .replace(
                "[[codes]]",
                "[[conditions]]\ntext = \"x\"\npredicate = \"is_martian\"\n\n[[codes]]",
            );
        files.push(file("catalog/chuanyu/02-4-referral.toml", &bad));
        // A service key that names no canonical service fails the item's parse, with its line.
        let typo = ITEM
            .replace("id = \"02-4\"", "id = \"02-5\"")
            .replace("service = \"filing.referral\"", "service = \"filing.nope\"");
        files.push(file("catalog/chuanyu/02-5-referral.toml", &typo));
        let errs = load(&files).unwrap_err();
        let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert!(
            errs.iter().any(
                |e| e.message.contains("未知服务 / unknown service filing.nope")
                    && e.file.ends_with("02-5-referral.toml")
                    && e.line.is_some()
            ),
            "{errs:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("is_martian")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("chuanyu-form-9")),
            "{messages:?}"
        );
        assert!(errs.iter().all(|e| e.line.is_some()), "{errs:?}");
    }

    #[test]
    fn duplicates_are_refused() {
        let mut files = base();
        files.push(file("catalog/chuanyu/02-4-referral.toml", ITEM));
        files.push(file("catalog/chuanyu/02-4-referral-copy.toml", ITEM));
        let other = ITEM.replace("id = \"02-4\"", "id = \"02-5\"");
        files.push(file("catalog/chuanyu/02-5-other.toml", &other));
        let errs = load(&files).unwrap_err();
        assert!(errs.iter().any(|e| e.message.contains("重复")), "{errs:?}");
        assert!(
            errs.iter().any(|e| e.message.contains("512036005004")),
            "an item code used twice: {errs:?}"
        );
    }

    #[test]
    fn a_time_limit_in_days_needs_its_number() {
        let mut files = base();
        files.push(file(
            "catalog/chuanyu/02-4-referral.toml",
            &ITEM.replace("days = 2\n", ""),
        ));
        let errs = load(&files).unwrap_err();
        assert!(errs[0].message.contains("days"), "{errs:?}");
    }

    #[test]
    fn versions_select_by_date_and_must_not_overlap() {
        let mut files = base();
        let v1 = ITEM.replace(
            "version = 1",
            "version = 1\neffective_from = \"2021-01-01\"\neffective_to = \"2023-12-31\"",
        );
        let v2 = ITEM.replace(
            "version = 1",
            "version = 2\neffective_from = \"2024-01-01\"",
        );
        files.push(file("catalog/chuanyu/02-4-referral.toml", &v1));
        files.push(file("catalog/chuanyu/02-4-referral.v2.toml", &v2));
        let c = load(&files).unwrap();
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(
            c.find("chuanyu", "02-4", Some(d("2022-05-01")))
                .unwrap()
                .version,
            1
        );
        assert_eq!(
            c.find("chuanyu", "02-4", Some(d("2024-05-01")))
                .unwrap()
                .version,
            2
        );
        assert_eq!(c.find("chuanyu", "02-4", None).unwrap().version, 2);
        assert_eq!(c.current_items().count(), 1);

        let overlapping = ITEM.replace(
            "version = 1",
            "version = 2\neffective_from = \"2023-06-01\"",
        );
        files.pop();
        files.push(file("catalog/chuanyu/02-4-referral.v2.toml", &overlapping));
        let errs = load(&files).unwrap_err();
        assert!(errs.iter().any(|e| e.message.contains("重叠")), "{errs:?}");
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn a_malformed_date_gets_a_hint() {
        let mut files = tests_base();
        files.push(SourceFile {
            path: "catalog/chuanyu/01-x.toml".into(),
            text: "schema = 1\njurisdiction = \"chuanyu\"\nid = \"01\"\nservice = \"filing.referral\"\nname = \"x\"\nversion = 1\neffective_from = \"2021-02-30\"\n[source]\nseed = \"s\"\nsection = \"s\"\n".into(),
        });
        let errs = load(&files).unwrap_err();
        assert_eq!(errs[0].line, Some(7), "{errs:?}");
        assert!(errs[0].message.contains("YYYY-MM-DD"), "{errs:?}");
    }

    #[test]
    fn missing_lists_are_reported() {
        let errs = load(&[]).unwrap_err();
        assert!(errs[0].message.contains("services.toml"), "{errs:?}");
    }

    fn tests_base() -> Vec<SourceFile> {
        vec![
            SourceFile {
                path: "catalog/services.toml".into(),
                text: "[[service]]\nkey = \"filing.referral\"\nname = \"n\"\ndomain = \"filing\"\n".into(),
            },
            SourceFile {
                path: "catalog/jurisdictions.toml".into(),
                text: "[[jurisdiction]]\nkey = \"chuanyu\"\nname = \"n\"\nguide = \"g\"\nseed = \"s\"\nregion_codes = [\"500000\"]\n".into(),
            },
        ]
    }
}
