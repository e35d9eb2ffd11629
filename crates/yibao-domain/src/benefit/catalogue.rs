//! The benefit catalogue (医保目录): drugs, services and materials with their category (甲/乙/丙),
//! category-B self-pay share and price cap, effective-dated so that a settlement is priced by the
//! entry in force on its date. Cross-province care uses the care region's catalogue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::BenefitError;
use super::ratio::FULL_BP;
use crate::money::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 药品
    Drug,
    /// 医疗服务项目
    Service,
    /// 医用耗材
    Material,
}

/// Catalogue category (收费项目等级, chrgitm_lv): 1 甲类, 2 乙类, 3 丙类 (自费).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    #[serde(rename = "a", alias = "A", alias = "1", alias = "甲")]
    A,
    #[serde(rename = "b", alias = "B", alias = "2", alias = "乙")]
    B,
    #[serde(rename = "c", alias = "C", alias = "3", alias = "丙")]
    C,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::A => "甲类",
            Category::B => "乙类",
            Category::C => "丙类",
        }
    }

    fn parse(s: &str) -> Option<Category> {
        match s.trim() {
            "a" | "A" | "1" | "甲" | "甲类" => Some(Category::A),
            "b" | "B" | "2" | "乙" | "乙类" => Some(Category::B),
            "c" | "C" | "3" | "丙" | "丙类" => Some(Category::C),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// 医保目录编码 (med_list_codg)
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub category: Category,
    /// 乙类先行自付比例 (selfpay_prop), basis points; only category B may have one.
    #[serde(default)]
    pub self_pay_share_bp: u32,
    /// 最高限价 per unit (pric_uplmt_amt), fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cap: Option<Fen>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_from: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_to: Option<NaiveDate>,
}

impl CatalogueEntry {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|f| f <= date) && self.effective_to.is_none_or(|t| date <= t)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.code.trim().is_empty() {
            return Err("编码为空".into());
        }
        if self.self_pay_share_bp > FULL_BP {
            return Err(format!("编码 {} 的乙类自付比例超过 100%", self.code));
        }
        if self.self_pay_share_bp > 0 && self.category != Category::B {
            return Err(format!("编码 {} 不是乙类，不能有先行自付比例", self.code));
        }
        if self.price_cap.is_some_and(|c| c.0 < 0) {
            return Err(format!("编码 {} 的限价为负数", self.code));
        }
        // The same limit as any amount sent in a bill, so cap × quantity cannot leave i64.
        if self.price_cap.is_some_and(|c| !c.is_input()) {
            return Err(format!(
                "编码 {} 的限价超过上限 {}",
                self.code,
                crate::money::MAX_INPUT
            ));
        }
        if let (Some(f), Some(t)) = (self.effective_from, self.effective_to) {
            if t < f {
                return Err(format!("编码 {} 的失效日期早于生效日期", self.code));
            }
        }
        Ok(())
    }
}

/// A validated, versioned catalogue, sorted by code for binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub version: u32,
    entries: Vec<CatalogueEntry>,
}

impl Catalogue {
    /// Validates and indexes the entries: no two versions of one code may be in force on the
    /// same day.
    pub fn new(version: u32, mut entries: Vec<CatalogueEntry>) -> Result<Catalogue, BenefitError> {
        for e in &entries {
            e.validate()
                .map_err(|reason| BenefitError::CatalogueInvalid { reason })?;
        }
        entries.sort_by(by_code_then_start);
        check_versions(entries.iter())?;
        Ok(Catalogue { version, entries })
    }

    pub fn entries(&self) -> &[CatalogueEntry] {
        &self.entries
    }

    /// The entry for `code` in force on `date`. `new` refuses overlapping versions; should two
    /// still be in force on one day the lookup refuses too rather than pick one.
    pub fn find(
        &self,
        code: &str,
        date: NaiveDate,
    ) -> Result<Option<&CatalogueEntry>, BenefitError> {
        let start = self.entries.partition_point(|e| e.code.as_str() < code);
        unique_in_force(
            self.entries[start..].iter().take_while(|e| e.code == code),
            code,
            date,
        )
    }
}

fn by_code_then_start(a: &CatalogueEntry, b: &CatalogueEntry) -> std::cmp::Ordering {
    a.code
        .cmp(&b.code)
        .then(a.effective_from.cmp(&b.effective_from))
}

/// Refuses two versions of one code whose periods overlap. `sorted` must be ordered by code
/// and then start (`None`, open since ever, first): an overlap then always shows between
/// neighbours, since a version overlapping a later one also overlaps every one in between.
fn check_versions<'a>(
    sorted: impl Iterator<Item = &'a CatalogueEntry>,
) -> Result<(), BenefitError> {
    let mut prev: Option<&CatalogueEntry> = None;
    for b in sorted {
        if let Some(a) = prev {
            if a.code == b.code
                && a.effective_to
                    .is_none_or(|t| b.effective_from.is_none_or(|f| f <= t))
            {
                return Err(BenefitError::CatalogueInvalid {
                    reason: format!("编码 {} 有两个有效期重叠的版本", a.code),
                });
            }
        }
        prev = Some(b);
    }
    Ok(())
}

/// Checks entries that were not built into a `Catalogue` (those carried in a request) for
/// overlapping versions, as an import would.
pub(crate) fn check_entries(entries: &[CatalogueEntry]) -> Result<(), BenefitError> {
    let mut sorted: Vec<&CatalogueEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| by_code_then_start(a, b));
    check_versions(sorted.into_iter())
}

/// The one entry among `candidates` (all of `code`) in force on `date`; two is an error.
pub(crate) fn unique_in_force<'a>(
    candidates: impl Iterator<Item = &'a CatalogueEntry>,
    code: &str,
    date: NaiveDate,
) -> Result<Option<&'a CatalogueEntry>, BenefitError> {
    let mut found = None;
    for e in candidates.filter(|e| e.in_force_on(date)) {
        if found.is_some() {
            return Err(BenefitError::CatalogueOverlap {
                code: code.to_string(),
                date,
            });
        }
        found = Some(e);
    }
    Ok(found)
}

/// Columns of the catalogue CSV, in any order; the header row is required. Amounts in fen,
/// shares in basis points, dates YYYY-MM-DD, empty cells for absent values.
pub const CSV_COLUMNS: &[&str] = &[
    "code",
    "name",
    "kind",
    "category",
    "self_pay_share_bp",
    "price_cap",
    "effective_from",
    "effective_to",
];

/// Parses catalogue CSV (RFC 4180: quoted fields may hold commas, doubled quotes and line
/// breaks). Errors name the physical line where the faulty record starts.
pub fn parse_catalogue_csv(text: &str) -> Result<Vec<CatalogueEntry>, BenefitError> {
    let records = split_records(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut it = records.into_iter();
    let Some((hline, header)) = it.next() else {
        return Err(BenefitError::CatalogueCsv {
            line: 1,
            reason: "文件为空，缺少表头".into(),
        });
    };
    let mut index = [usize::MAX; 8];
    for (i, name) in header.iter().enumerate() {
        match CSV_COLUMNS.iter().position(|c| *c == name.trim()) {
            Some(k) if index[k] == usize::MAX => index[k] = i,
            Some(_) => return csv_err(hline, format!("表头列“{name}”重复")),
            None => return csv_err(hline, format!("未知的表头列“{name}”")),
        }
    }
    for (k, col) in CSV_COLUMNS.iter().enumerate().take(4) {
        if index[k] == usize::MAX {
            return csv_err(hline, format!("表头缺少必需列“{col}”"));
        }
    }
    let mut out = Vec::new();
    for (line, rec) in it {
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        if rec.len() != header.len() {
            return csv_err(
                line,
                format!("有 {} 列，表头有 {} 列", rec.len(), header.len()),
            );
        }
        let cell = |k: usize| -> &str {
            match index[k] {
                usize::MAX => "",
                i => rec[i].trim(),
            }
        };
        let kind = match cell(2) {
            "drug" | "药品" => ItemKind::Drug,
            "service" | "医疗服务项目" | "诊疗项目" => ItemKind::Service,
            "material" | "医用耗材" | "耗材" => ItemKind::Material,
            other => {
                return csv_err(
                    line,
                    format!("类别 kind“{other}”应为 drug、service 或 material"),
                )
            }
        };
        let Some(category) = Category::parse(cell(3)) else {
            return csv_err(line, format!("等级 category“{}”应为 a、b 或 c", cell(3)));
        };
        let self_pay_share_bp = match cell(4) {
            "" => 0,
            s => match s.parse::<u32>() {
                Ok(v) => v,
                Err(_) => {
                    return csv_err(line, format!("自付比例“{s}”应为 0–10000 的整数（基点）"))
                }
            },
        };
        let price_cap = match cell(5) {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(v) if v >= 0 => Some(Fen(v)),
                _ => return csv_err(line, format!("限价“{s}”应为非负整数（分）")),
            },
        };
        let date = |k: usize, what: &str| -> Result<Option<NaiveDate>, BenefitError> {
            match cell(k) {
                "" => Ok(None),
                s => s.parse().map(Some).map_err(|_| BenefitError::CatalogueCsv {
                    line,
                    reason: format!("{what}“{s}”不是 YYYY-MM-DD 格式的日期"),
                }),
            }
        };
        let entry = CatalogueEntry {
            code: cell(0).to_string(),
            name: cell(1).to_string(),
            kind,
            category,
            self_pay_share_bp,
            price_cap,
            effective_from: date(6, "生效日期")?,
            effective_to: date(7, "失效日期")?,
        };
        entry
            .validate()
            .map_err(|reason| BenefitError::CatalogueCsv { line, reason })?;
        out.push(entry);
    }
    Ok(out)
}

fn csv_err<T>(line: usize, reason: String) -> Result<T, BenefitError> {
    Err(BenefitError::CatalogueCsv { line, reason })
}

/// Splits CSV text into records, each with the 1-based line number it starts on.
fn split_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, BenefitError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut in_quotes = false;
    let mut quoted_field = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted_field => {
                in_quotes = true;
                quoted_field = true;
            }
            '"' => {
                return csv_err(
                    line,
                    "引号只能出现在字段开头（字段内的引号须写成两个）".into(),
                )
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((start_line, std::mem::take(&mut fields)));
                quoted_field = false;
                line += 1;
                start_line = line;
            }
            _ if quoted_field => {
                return csv_err(line, "右引号后只能是逗号或换行".into());
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return csv_err(start_line, "引号未闭合".into());
    }
    if !field.is_empty() || !fields.is_empty() || quoted_field {
        fields.push(field);
        records.push((start_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;

    const CSV: &str =
        "code,name,kind,category,self_pay_share_bp,price_cap,effective_from,effective_to\r\n\
        XA01,阿莫西林胶囊,drug,a,,,2026-01-01,\r\n\
        XB02,\"头孢克肟片, 0.1g\",drug,b,1000,2500,2026-01-01,2026-06-30\r\n\
        XB02,\"头孢克肟片, 0.1g\",drug,b,500,2400,2026-07-01,\r\n\
        \r\n\
        \"S\"\"03\",\"说明\n两行\",service,c,,,,\n\
        M04,一次性输液器,material,乙,800,,,";

    #[test]
    fn parses_quoted_fields_and_versions() {
        let entries = parse_catalogue_csv(CSV).unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[1].name, "头孢克肟片, 0.1g");
        assert_eq!(entries[3].code, "S\"03");
        assert_eq!(entries[3].name, "说明\n两行");
        assert_eq!(entries[4].category, Category::B);
        let cat = Catalogue::new(1, entries).unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let share =
            |code: &str, day: &str| cat.find(code, d(day)).unwrap().map(|e| e.self_pay_share_bp);
        assert_eq!(share("XB02", "2026-03-01"), Some(1000));
        assert_eq!(share("XB02", "2026-07-01"), Some(500));
        assert_eq!(share("XA01", "2025-12-31"), None);
        assert_eq!(share("NOPE", "2026-03-01"), None);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("code,name,kind\nX,y,drug\n", 1, "category"),
            (
                "code,name,kind,category\nX,y,drug,a\nZ,y,pill,a\n",
                3,
                "kind",
            ),
            ("code,name,kind,category\nX,y,drug,d\n", 2, "category"),
            (
                "code,name,kind,category,price_cap\nX,y,drug,a,-5\n",
                2,
                "限价",
            ),
            ("code,name,kind,category\nX,\"y\n\nz,drug,a\n", 2, "引号"),
            ("code,name,kind,category\nX,y,drug\n", 2, "列"),
            (
                "code,name,kind,category,self_pay_share_bp\nX,y,drug,a,100\n",
                2,
                "乙类",
            ),
            (
                "code,name,kind,category,effective_from\nX,y,drug,a,2026-13-01\n",
                2,
                "日期",
            ),
        ];
        for (text, line, needle) in cases {
            let e = parse_catalogue_csv(text).unwrap_err();
            assert_eq!(e.code(), "benefit.catalogue_csv", "{text:?}");
            match &e {
                BenefitError::CatalogueCsv { line: l, .. } => assert_eq!(*l, line, "{text:?}"),
                _ => unreachable!(),
            }
            assert!(e.message().contains(needle), "{text:?}: {}", e.message());
        }
    }

    #[test]
    fn overlapping_versions_are_refused() {
        let text = "code,name,kind,category,effective_from,effective_to\n\
            X,y,drug,a,2026-01-01,2026-06-30\nX,y,drug,a,2026-06-30,\n";
        let entries = parse_catalogue_csv(text).unwrap();
        let e = Catalogue::new(1, entries.clone()).unwrap_err();
        assert_eq!(e.code(), "benefit.catalogue_invalid");
        assert!(e.message().contains("X"), "{}", e.message());
        assert_eq!(
            check_entries(&entries).unwrap_err().code(),
            "benefit.catalogue_invalid"
        );
        // An open-start version overlaps any later one; in any input order.
        let text = "code,name,kind,category,effective_from,effective_to\n\
            Y,y,drug,a,2027-01-01,\nY,y,drug,a,,\nZ,z,drug,a,,2026-12-31\nZ,z,drug,a,2027-01-01,\n";
        let entries = parse_catalogue_csv(text).unwrap();
        let e = Catalogue::new(1, entries.clone()).unwrap_err();
        assert!(e.message().contains("Y"), "{}", e.message());
        // Consecutive versions are fine.
        assert!(Catalogue::new(1, entries[2..].to_vec()).is_ok());
        // The lookup refuses two versions in force on one day rather than take the first.
        let both = &entries[..2];
        let e = unique_in_force(both.iter(), "Y", "2027-03-01".parse().unwrap()).unwrap_err();
        assert_eq!(e.code(), "benefit.catalogue_overlap");
        assert!(e.message().contains("2027-03-01"));
        let one = unique_in_force(both.iter(), "Y", "2026-03-01".parse().unwrap()).unwrap();
        assert_eq!(one.map(|e| e.effective_from), Some(None));
    }

    #[test]
    fn a_price_cap_above_the_input_limit_is_refused() {
        let text = format!(
            "code,name,kind,category,price_cap\nX,y,drug,a,{}\n",
            crate::money::MAX_INPUT.0 + 1
        );
        let e = parse_catalogue_csv(&text).unwrap_err();
        assert_eq!(e.code(), "benefit.catalogue_csv");
        assert!(e.message().contains("限价"), "{}", e.message());
    }
}
