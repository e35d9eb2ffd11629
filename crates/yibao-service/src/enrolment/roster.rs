//! Employers' bulk roster uploads (参保/增员 or 减员): an .xlsx workbook or a CSV file turned into
//! rows keyed by canonical column, with every problem tied to the line the user sees in their
//! spreadsheet. Only the file is checked here; what a cell means (a valid ID number, a known
//! document type) is the caller's to validate.

use std::collections::{BTreeMap, HashMap};

use calamine::{Data, Reader};
use chrono::{Datelike, NaiveDate};

/// What the roster is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterKind {
    Enrol,
    Remove,
}

/// One data row: canonical column key -> trimmed cell text (dates already normalised to YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RosterRecord {
    pub line: usize,
    pub fields: BTreeMap<String, String>,
}

/// A problem with the file or one row; `line` is the 1-based row number as the user sees it in
/// their spreadsheet (header = line 1), 0 for the whole file; `column` is the Chinese header or "".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub column: String,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ParsedRoster {
    pub records: Vec<RosterRecord>,
    pub problems: Vec<RowProblem>,
}

pub const MAX_ROWS: usize = 5000;

/// Filled in when the enrolment roster leaves the document type blank.
const DEFAULT_DOCUMENT_TYPE: &str = "居民身份证";

/// One accepted column: the first header is the one the template and messages use.
pub(crate) struct Column {
    key: &'static str,
    headers: &'static [&'static str],
    required: bool,
    date: bool,
}

pub(crate) const fn col(
    key: &'static str,
    headers: &'static [&'static str],
    required: bool,
    date: bool,
) -> Column {
    Column {
        key,
        headers,
        required,
        date,
    }
}

const ID_HEADERS: &[&str] = &["证件号码", "身份证号码", "公民身份号码"];

const ENROL_COLUMNS: &[Column] = &[
    col("name", &["姓名"], true, false),
    col("document_type", &["证件类型"], false, false),
    col("id_number", ID_HEADERS, true, false),
    col(
        "join_date",
        &["入职日期", "参保日期", "报到日期"],
        true,
        true,
    ),
    col("phone", &["联系电话", "手机号码"], false, false),
    col("sex", &["性别"], false, false),
    col("birth_date", &["出生日期"], false, true),
    col("post", &["岗位类别"], false, false),
];

const REMOVE_COLUMNS: &[Column] = &[
    col("name", &["姓名"], true, false),
    col("id_number", ID_HEADERS, true, false),
    col("reason", &["减员原因"], true, false),
    col(
        "event_date",
        &["减员日期", "离职日期", "发生日期"],
        true,
        true,
    ),
];

fn columns(kind: RosterKind) -> &'static [Column] {
    match kind {
        RosterKind::Enrol => ENROL_COLUMNS,
        RosterKind::Remove => REMOVE_COLUMNS,
    }
}

/// Detects the format from the content (xlsx = zip magic "PK\x03\x04"; else CSV text), not the name.
pub fn parse_roster(kind: RosterKind, bytes: &[u8]) -> ParsedRoster {
    parse_table(columns(kind), bytes)
}

/// Reads another table with the same machinery (encodings, XLSX, every problem by line).
pub(crate) fn parse_table(columns: &'static [Column], bytes: &[u8]) -> ParsedRoster {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    };
    match rows {
        Ok(rows) => parse_rows(columns, rows),
        Err(message) => ParsedRoster {
            records: Vec::new(),
            problems: vec![file_problem("roster.unreadable", message)],
        },
    }
}

/// The CSV template for download: UTF-8 with a BOM and the header line only, since an example
/// row left in would be imported as a person.
pub fn template_csv(kind: RosterKind) -> String {
    // The BOM is what makes Excel open a UTF-8 CSV without garbling the Chinese headers.
    let headers: Vec<&str> = columns(kind).iter().map(|c| c.headers[0]).collect();
    format!("\u{feff}{}\r\n", headers.join(","))
}

/// A cell as read, before the column decides what it may hold.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    /// A numeric cell: its display text and value.
    Number(String, f64),
    /// An Excel date cell, or its serial number when that is no plausible date.
    Date(Result<NaiveDate, String>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(s, _) => s.clone(),
            Cell::Date(Ok(d)) => d.format("%Y-%m-%d").to_string(),
            Cell::Date(Err(serial)) => serial.clone(),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(..) | Cell::Date(_) => false,
        }
    }
}

/// A spreadsheet row with the 1-based line number the user sees.
struct RawRow {
    line: usize,
    cells: Vec<Cell>,
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<RawRow>, String> {
    const BROKEN: &str = "无法读取该 Excel 文件，请确认文件未损坏且为 .xlsx 格式";
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| BROKEN)?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(_)) => return Err(BROKEN.to_string()),
        None => return Err("该 Excel 文件中没有工作表".to_string()),
    };
    // The range starts at the first used cell, so its rows are offset from the sheet's.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| RawRow {
            line: first_row + i + 1,
            cells: cells.iter().map(xlsx_cell).collect(),
        })
        .collect())
}

fn xlsx_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(i.to_string(), *i as f64),
        Data::Float(f) => Cell::Number(number_text(*f), *f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => Cell::Date(
            dt.as_datetime()
                .map(|d| d.date())
                .filter(plausible)
                .ok_or_else(|| number_text(dt.as_f64())),
        ),
        Data::DateTime(dt) => Cell::Number(number_text(dt.as_f64()), dt.as_f64()),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// Shows a number as Excel would in a General cell, so whole numbers carry no ".0".
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<RawRow>, String> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // Old binary workbooks and password-protected .xlsx files are both OLE containers.
        return Err(
            "不支持旧版 Excel（.xls）或加密的文件，请另存为不加密的 .xlsx 或 CSV 后上传"
                .to_string(),
        );
    }
    Ok(csv_lines(bytes)?
        .into_iter()
        .map(|(line, cells)| RawRow {
            line,
            cells: cells.into_iter().map(Cell::Text).collect(),
        })
        .collect())
}

/// The rows of a CSV text file as a spreadsheet shows them — each with its line number — from
/// UTF-8 (with or without BOM), GB18030 or UTF-16; comma- or tab-separated. Also read by the
/// other list imports (`card::import`); the error is the roster's message.
pub(crate) fn csv_lines(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = decode_text(bytes)?;
    // Excel's "Unicode text" export is tab-separated; everything else we expect uses commas.
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The csv crate folds blank lines into the next record, but a spreadsheet shows them as
    // rows, so they are counted from the record's raw start; a quoted line break stays in one row.
    let mut line = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err("无法读取该 CSV 文件，请检查文件内容是否完整".to_string()),
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        line += 1 + blank_lines(text.as_bytes(), start);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}

/// Counts the blank lines the csv crate skipped before the record starting at `start`: each
/// `\r\n`, `\n` or lone `\r` ends one. The start may sit between the previous record's `\r`
/// and `\n`, which ends no blank line.
fn blank_lines(text: &[u8], start: usize) -> usize {
    let mut after_cr = start > 0 && text.get(start - 1) == Some(&b'\r');
    let mut count = 0;
    for b in text
        .iter()
        .skip(start)
        .take_while(|b| matches!(b, b'\r' | b'\n'))
    {
        if *b == b'\r' || !after_cr {
            count += 1;
        }
        after_cr = *b == b'\r';
    }
    count
}

/// CSV files saved by Chinese Excel are GB18030/GBK unless saved as "CSV UTF-8".
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    const NOT_TEXT: &str = "无法识别该文件，请上传 .xlsx 或 CSV 格式的花名册";
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        std::str::from_utf8(rest).map_err(|_| NOT_TEXT)?.to_string()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_string()
    } else if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        // UTF-16 with a BOM: Excel's "Unicode text" export.
        encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
            .ok_or(NOT_TEXT)?
            .into_owned()
    } else {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(NOT_TEXT)?
            .into_owned()
    };
    // Control characters mean a binary file that happened to decode.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(NOT_TEXT.to_string());
    }
    Ok(text)
}

/// A header cell that names a known column.
struct Mapped {
    index: usize,
    header: String,
    column: &'static Column,
}

fn parse_rows(columns: &'static [Column], rows: Vec<RawRow>) -> ParsedRoster {
    let mut out = ParsedRoster::default();
    let mut rows = rows
        .into_iter()
        .filter(|r| !r.cells.iter().all(Cell::is_blank));
    let Some(header) = rows.next() else {
        out.problems.push(file_problem(
            "roster.empty",
            "文件是空的，请按模板填写后上传".to_string(),
        ));
        return out;
    };

    let mapped = map_header(columns, &header, &mut out.problems);
    for column in columns.iter().filter(|c| c.required) {
        if !mapped.iter().any(|m| m.column.key == column.key) {
            out.problems.push(RowProblem {
                line: header.line,
                column: column.headers[0].to_string(),
                code: "roster.missing_column",
                message: format!("缺少必填列“{}”", column.headers[0]),
            });
        }
    }
    if out
        .problems
        .iter()
        .any(|p| p.code == "roster.missing_column")
    {
        return out;
    }

    let data: Vec<RawRow> = rows.collect();
    if data.is_empty() {
        out.problems.push(file_problem(
            "roster.empty",
            "文件中没有人员数据，请在表头下方逐行填写".to_string(),
        ));
        return out;
    }
    if data.len() > MAX_ROWS {
        out.problems.push(file_problem(
            "roster.too_many_rows",
            format!(
                "文件中有{}行人员数据，超过单次上传上限{}行，请分批上传",
                data.len(),
                MAX_ROWS
            ),
        ));
        return out;
    }

    // Upper-cased so an ID card's check letter "x" and "X" count as the same person.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &data {
        if let Some(record) = parse_row(columns, &mapped, row, &mut seen, &mut out.problems) {
            out.records.push(record);
        }
    }
    out
}

fn map_header(
    columns: &'static [Column],
    header: &RawRow,
    problems: &mut Vec<RowProblem>,
) -> Vec<Mapped> {
    let mut mapped: Vec<Mapped> = Vec::new();
    for (index, cell) in header.cells.iter().enumerate() {
        let text = cell.text();
        if text.is_empty() {
            continue;
        }
        let Some(column) = columns
            .iter()
            .find(|c| c.key == text || c.headers.contains(&text.as_str()))
        else {
            let known: Vec<&str> = columns
                .iter()
                .flat_map(|c| c.headers.iter().copied())
                .collect();
            problems.push(RowProblem {
                line: header.line,
                column: text.clone(),
                code: "roster.unknown_column",
                message: format!("未知的列“{}”，可用的列：{}", text, known.join("、")),
            });
            continue;
        };
        // The first such column wins; the later one is reported and ignored.
        if let Some(first) = mapped.iter().find(|m| m.column.key == column.key) {
            let message = if first.header == text {
                format!("列“{text}”重复出现，只读取第一列")
            } else {
                format!(
                    "列“{}”与列“{}”是同一项，只读取“{}”",
                    text, first.header, first.header
                )
            };
            problems.push(RowProblem {
                line: header.line,
                column: text,
                code: "roster.duplicate_column",
                message,
            });
            continue;
        }
        mapped.push(Mapped {
            index,
            header: text,
            column,
        });
    }
    mapped
}

fn parse_row(
    columns: &[Column],
    mapped: &[Mapped],
    row: &RawRow,
    seen: &mut HashMap<String, usize>,
    problems: &mut Vec<RowProblem>,
) -> Option<RosterRecord> {
    let line = row.line;
    let mut ok = true;
    let mut fields = BTreeMap::new();
    let mut problem = |m: &Mapped, code: &'static str, message: String| {
        problems.push(RowProblem {
            line,
            column: m.header.clone(),
            code,
            message,
        });
    };
    for m in mapped {
        let cell = row.cells.get(m.index).unwrap_or(&Cell::Empty);
        let header = &m.header;
        if m.column.key == "id_number" && id_as_number(cell) {
            problem(
                m,
                "roster.id_as_number",
                format!(
                    "第{line}行“{header}”被保存为数字，精度已丢失，请将该列设为文本格式后重新填写"
                ),
            );
            ok = false;
            continue;
        }
        let text = cell.text();
        if text.is_empty() {
            if m.column.required {
                problem(
                    m,
                    "roster.required",
                    format!("第{line}行“{header}”不能为空"),
                );
                ok = false;
            }
            continue;
        }
        let value = if m.column.date {
            match cell_date(cell) {
                Some(date) => date.format("%Y-%m-%d").to_string(),
                None => {
                    problem(
                        m,
                        "roster.bad_date",
                        format!(
                            "第{line}行“{header}”不是有效日期：“{text}”，请按 2026-03-01 的格式填写"
                        ),
                    );
                    ok = false;
                    continue;
                }
            }
        } else {
            text
        };
        if m.column.key == "id_number" {
            if let Some(first) = seen.get(&value.to_uppercase()) {
                problem(
                    m,
                    "roster.duplicate_person",
                    format!("第{line}行“{header}”与第{first}行重复，同一人只能填写一次"),
                );
                ok = false;
                continue;
            }
            seen.insert(value.to_uppercase(), line);
        }
        fields.insert(m.column.key.to_string(), value);
    }
    // What one cell says against another (the ID number's check digit, sex and birth date; the
    // phone's form) is checked here with the rest, so every problem of a file comes at once.
    for (key, code, what) in cross_checks(&fields) {
        let header = mapped
            .iter()
            .find(|m| m.column.key == key)
            .map(|m| m.header.clone())
            .unwrap_or_default();
        problems.push(RowProblem {
            line,
            column: header.clone(),
            code,
            message: format!("第{line}行“{header}”{what}"),
        });
        ok = false;
    }
    if !ok {
        return None;
    }
    if columns.iter().any(|c| c.key == "document_type") {
        fields
            .entry("document_type".to_string())
            .or_insert_with(|| DEFAULT_DOCUMENT_TYPE.to_string());
    }
    Some(RosterRecord { line, fields })
}

/// A row's cells checked against each other: an ID card number (居民身份证 or a 居住证 of
/// 港澳台 residents, which share its form) must carry its check digit, and the sex and birth
/// date typed beside it must be the ones it encodes; a phone must be a mobile or a fixed line.
/// (column key, code, what is wrong).
fn cross_checks(fields: &BTreeMap<String, String>) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    let id_card = fields
        .get("document_type")
        .is_none_or(|t| t.contains("身份证") || t.contains("居住证"));
    if let (Some(text), true) = (fields.get("id_number"), id_card) {
        match text.parse::<yibao_domain::CitizenId>() {
            Err(e) => out.push((
                "id_number",
                "roster.id_invalid",
                format!(
                    "“{text}”不是有效的身份证号码：{}",
                    yibao_domain::Coded::message(&e)
                ),
            )),
            Ok(id) => {
                if let Some(sex) = fields.get("sex") {
                    let typed = match sex.trim() {
                        "男" | "male" | "1" => Some(yibao_domain::ids::Sex::Male),
                        "女" | "female" | "2" => Some(yibao_domain::ids::Sex::Female),
                        _ => None,
                    };
                    match typed {
                        None => out.push((
                            "sex",
                            "roster.bad_sex",
                            format!("应为“男”或“女”，不是“{sex}”"),
                        )),
                        Some(t) if t != id.sex() => out.push((
                            "sex",
                            "roster.sex_mismatch",
                            format!("为“{sex}”，与身份证号码所示的“{}”不一致", id.sex().label()),
                        )),
                        Some(_) => {}
                    }
                }
                if let Some(birth) = fields.get("birth_date") {
                    if birth.parse::<NaiveDate>().ok() != Some(id.birth_date()) {
                        out.push((
                            "birth_date",
                            "roster.birth_mismatch",
                            format!("为 {birth}，与身份证号码所示的 {} 不一致", id.birth_date()),
                        ));
                    }
                }
            }
        }
    }
    if let Some(phone) = fields.get("phone") {
        if !yibao_domain::catalog::is_phone(phone) {
            out.push((
                "phone",
                "roster.bad_phone",
                format!("“{phone}”不是有效的电话号码：手机号码为 11 位，固定电话请带区号（如 023-12345678）"),
            ));
        }
    }
    out
}

/// A numeric cell, or the text Excel writes for one when it saves a CSV (`1.10101E+17`, always
/// one leading digit and a signed exponent, so passport numbers like `12E45678` are not caught):
/// either way the last digits of an 18-digit ID number are gone.
fn id_as_number(cell: &Cell) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match cell {
        Cell::Number(..) => true,
        Cell::Text(s) => {
            let upper = s.trim().to_ascii_uppercase();
            let Some((mantissa, exponent)) = upper.split_once("E+") else {
                return false;
            };
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
            whole.len() == 1 && digits(whole) && digits(fraction) && digits(exponent)
        }
        _ => false,
    }
}

fn cell_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Empty => None,
        Cell::Date(d) => d.as_ref().ok().copied(),
        Cell::Text(s) => parse_date_text(s.trim()),
        Cell::Number(_, v) => number_date(*v),
    }
}

/// A number in a date column: typed as 20260301, or an Excel serial date (1900 system).
fn number_date(v: f64) -> Option<NaiveDate> {
    if v.fract() == 0.0 && (19_000_101.0..=20_991_231.0).contains(&v) {
        return parse_date_text(&(v as i64).to_string());
    }
    // Excel counts 1900-02-29, which never existed, as serial 60.
    let days = v.floor() as i64;
    let base = match days {
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        61..=2_958_465 => NaiveDate::from_ymd_opt(1899, 12, 30)?,
        _ => return None,
    };
    base.checked_add_days(chrono::Days::new(days as u64))
        .filter(plausible)
}

/// Accepts 2026-03-01, 2026/3/1, 2026.3.1, 20260301 and 2026年3月1日, optionally followed by a
/// time of day (Excel adds " 0:00" when it exports a date cell to CSV).
fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let date_part = match s.split_once([' ', 'T']) {
        Some((date, time))
            if !time.trim().is_empty()
                && time
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '.') =>
        {
            date
        }
        _ => s,
    };
    let parts: Vec<&str> = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit())
    {
        vec![&date_part[..4], &date_part[4..6], &date_part[6..]]
    } else if let Some(rest) = date_part.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        vec![year, month, day]
    } else {
        let sep = date_part.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        date_part.split(sep).collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if year.len() != 4 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(year, 4)?).ok()?,
        digits(month, 2)?,
        digits(day, 2)?,
    )?;
    plausible(&date).then_some(date)
}

/// Rejects years that can only be typos in an employee roster.
fn plausible(date: &NaiveDate) -> bool {
    (1900..=2099).contains(&date.year())
}

fn file_problem(code: &'static str, message: String) -> RowProblem {
    RowProblem {
        line: 0,
        column: String::new(),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENROL_HEADER: &str = "姓名,证件号码,入职日期";

    fn enrol_csv(text: &str) -> ParsedRoster {
        parse_roster(RosterKind::Enrol, text.as_bytes())
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn record(line: usize, pairs: &[(&str, &str)]) -> RosterRecord {
        RosterRecord {
            line,
            fields: fields(pairs),
        }
    }

    fn problem(line: usize, column: &str, code: &'static str, message: &str) -> RowProblem {
        RowProblem {
            line,
            column: column.to_string(),
            code,
            message: message.to_string(),
        }
    }

    fn zhang_san(line: usize) -> RosterRecord {
        record(
            line,
            &[
                ("name", "张三"),
                ("document_type", "居民身份证"),
                ("id_number", "110101199003071233"),
                ("join_date", "2026-03-01"),
            ],
        )
    }

    #[test]
    fn utf8_csv_gives_every_enrol_column_trimmed_with_default_document_type() {
        let parsed = enrol_csv(
            "姓名,证件类型,证件号码,入职日期,联系电话,性别,出生日期,岗位类别\n\
             张三,,110101199003071233,2026/3/1,,,,\n \
             李四 ,港澳居民来往内地通行证, H1234567 ,2026年3月2日,13800138000,男,1990.3.7,一线\n",
        );
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(
            parsed.records,
            vec![
                zhang_san(2),
                record(
                    3,
                    &[
                        ("name", "李四"),
                        ("document_type", "港澳居民来往内地通行证"),
                        ("id_number", "H1234567"),
                        ("join_date", "2026-03-02"),
                        ("phone", "13800138000"),
                        ("sex", "男"),
                        ("birth_date", "1990-03-07"),
                        ("post", "一线"),
                    ],
                ),
            ]
        );
    }

    #[test]
    fn utf8_csv_with_bom_reads_the_first_header() {
        let parsed =
            enrol_csv("\u{feff}姓名,证件号码,入职日期\r\n张三,110101199003071233,20260301\r\n");
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.records, vec![zhang_san(2)]);
    }

    #[test]
    fn gb18030_csv_from_chinese_excel_is_decoded() {
        let text = "姓名,证件号码,入职日期\r\n张三,110101199003071233,2026-03-01\r\n";
        let (bytes, _, had_errors) = encoding_rs::GB18030.encode(text);
        assert!(!had_errors);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "test input must not be UTF-8"
        );
        let parsed = parse_roster(RosterKind::Enrol, &bytes);
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.records, vec![zhang_san(2)]);
    }

    #[test]
    fn utf16_tab_separated_unicode_text_is_read() {
        let text = "姓名\t证件号码\t入职日期\r\n张三\t110101199003071233\t2026-03-01\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let parsed = parse_roster(RosterKind::Enrol, &bytes);
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.records, vec![zhang_san(2)]);
    }

    #[test]
    fn keys_are_accepted_as_headers() {
        let parsed = enrol_csv("name,id_number,join_date\n张三,110101199003071233,2026-03-01\n");
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.records, vec![zhang_san(2)]);
    }

    #[test]
    fn remove_roster_uses_its_own_columns_and_aliases() {
        let parsed = parse_roster(
            RosterKind::Remove,
            "姓名,公民身份号码,减员原因,离职日期\n张三,110101199003071233,辞职,2026-04-30\n王五,110101198001011232,,2026-04-31\n"
                .as_bytes(),
        );
        assert_eq!(
            parsed.records,
            vec![record(
                2,
                &[
                    ("name", "张三"),
                    ("id_number", "110101199003071233"),
                    ("reason", "辞职"),
                    ("event_date", "2026-04-30"),
                ],
            )]
        );
        assert_eq!(
            parsed.problems,
            vec![
                problem(3, "减员原因", "roster.required", "第3行“减员原因”不能为空"),
                problem(
                    3,
                    "离职日期",
                    "roster.bad_date",
                    "第3行“离职日期”不是有效日期：“2026-04-31”，请按 2026-03-01 的格式填写"
                ),
            ]
        );
    }

    #[test]
    fn line_numbers_count_empty_rows_as_the_spreadsheet_shows_them() {
        // Line 3 is blank, line 4 only commas, line 6 a quoted line break inside one row.
        let parsed = enrol_csv(
            "姓名,证件号码,入职日期\n张三,110101199003071233,2026-03-01\n\n,,\n李四,,2026-03-01\n\"王\n五\",,2026-03-01\n赵六,,2026-03-01\n",
        );
        assert_eq!(parsed.records, vec![zhang_san(2)]);
        let lines: Vec<(usize, &str)> = parsed.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            lines,
            vec![
                (5, "roster.required"),
                (6, "roster.required"),
                (7, "roster.required"),
            ]
        );
    }

    #[test]
    fn line_numbers_are_the_same_with_crlf_and_lone_cr_line_ends() {
        let lf = "\n\n姓名,证件号码,入职日期\n张三,110101199003071233,2026-03-01\n\n\n\"王\n五\",,2026-03-01\n\n赵六,,2026-03-01\n";
        for ending in ["\n", "\r\n", "\r"] {
            let parsed = enrol_csv(&lf.replace('\n', ending));
            assert_eq!(parsed.records, vec![zhang_san(4)], "{ending:?}");
            let lines: Vec<usize> = parsed.problems.iter().map(|p| p.line).collect();
            assert_eq!(lines, vec![7, 9], "{ending:?}");
        }
    }

    #[test]
    fn leading_empty_rows_move_the_header_down() {
        let parsed =
            enrol_csv("\n,,\n姓名,证件号码,入职日期,工号\n张三,110101199003071233,2026-03-01,7\n");
        assert_eq!(parsed.records, vec![zhang_san(4)]);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].line, 3);
        assert_eq!(parsed.problems[0].code, "roster.unknown_column");
    }

    #[test]
    fn unknown_column_is_reported_and_ignored() {
        let parsed =
            enrol_csv("姓名,证件号码,入职日期,部门\n张三,110101199003071233,2026-03-01,财务\n");
        assert_eq!(parsed.records, vec![zhang_san(2)]);
        assert_eq!(
            parsed.problems,
            vec![problem(
                1,
                "部门",
                "roster.unknown_column",
                "未知的列“部门”，可用的列：姓名、证件类型、证件号码、身份证号码、公民身份号码、入职日期、参保日期、报到日期、联系电话、手机号码、性别、出生日期、岗位类别"
            )]
        );
    }

    /// Every problem of a file at once (#23: a bad check digit used to show only after the
    /// empty cells were fixed): empty cell, check digit, a 10-digit phone, sex and birth date
    /// against the ID; a date written 2026/11/01 is a date.
    #[test]
    fn cells_are_checked_against_each_other_in_one_round() {
        let parsed = enrol_csv(
            "姓名,证件号码,入职日期,联系电话,性别,出生日期\n\
             ,110101199003071233,2026-03-01,,,\n\
             李四,110101199003071234,2026-03-01,,,\n\
             王五,110101198001011232,2026-03-01,1380013800,,\n\
             赵六,110101199001010015,2026/11/01,023-12345678,女,\n\
             钱七,110101199001010023,2026-03-01,13800138000,女,1990-01-02\n\
             孙八,110101199001010031,2026/11/01,13800138000,男,1990-01-01\n",
        );
        let got: Vec<(usize, &str, &str)> = parsed
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "姓名", "roster.required"),
                (3, "证件号码", "roster.id_invalid"),
                (4, "联系电话", "roster.bad_phone"),
                (5, "性别", "roster.sex_mismatch"),
                (6, "出生日期", "roster.birth_mismatch"),
            ],
            "{:#?}",
            parsed.problems
        );
        assert!(parsed.problems[3]
            .message
            .contains("与身份证号码所示的“男”不一致"));
        // 孙八 is right, with his join date written with slashes.
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.records[0].fields["join_date"], "2026-11-01");
    }

    #[test]
    fn duplicate_column_keeps_the_first() {
        let parsed = enrol_csv(
            "姓名,证件号码,入职日期,身份证号码,姓名\n张三,110101199003071233,2026-03-01,999,李四\n",
        );
        assert_eq!(parsed.records, vec![zhang_san(2)]);
        assert_eq!(
            parsed.problems,
            vec![
                problem(
                    1,
                    "身份证号码",
                    "roster.duplicate_column",
                    "列“身份证号码”与列“证件号码”是同一项，只读取“证件号码”"
                ),
                problem(
                    1,
                    "姓名",
                    "roster.duplicate_column",
                    "列“姓名”重复出现，只读取第一列"
                ),
            ]
        );
    }

    #[test]
    fn missing_required_column_produces_no_records() {
        let parsed = enrol_csv("证件号码,参保日期\n110101199003071233,2026-03-01\n");
        assert_eq!(parsed.records, vec![]);
        assert_eq!(
            parsed.problems,
            vec![problem(
                1,
                "姓名",
                "roster.missing_column",
                "缺少必填列“姓名”"
            )]
        );
    }

    #[test]
    fn id_mangled_to_scientific_notation_in_a_csv_is_an_id_as_number() {
        let parsed = enrol_csv(
            "姓名,证件类型,证件号码,入职日期\n张三,,1.10101E+17,2026-03-01\n李四,,1e+17,2026-03-01\n王五,护照,12E45678,2026-03-01\n",
        );
        assert_eq!(
            parsed.records,
            vec![record(
                4,
                &[
                    ("name", "王五"),
                    ("document_type", "护照"),
                    ("id_number", "12E45678"),
                    ("join_date", "2026-03-01"),
                ],
            )]
        );
        assert_eq!(
            parsed.problems,
            vec![
                problem(
                    2,
                    "证件号码",
                    "roster.id_as_number",
                    "第2行“证件号码”被保存为数字，精度已丢失，请将该列设为文本格式后重新填写"
                ),
                problem(
                    3,
                    "证件号码",
                    "roster.id_as_number",
                    "第3行“证件号码”被保存为数字，精度已丢失，请将该列设为文本格式后重新填写"
                ),
            ]
        );
    }

    #[test]
    fn required_cell_empty_drops_the_row() {
        let parsed = enrol_csv(&format!(
            "{ENROL_HEADER}\n  ,110101198001011232,2026-03-01\n张三,110101199003071233,2026-03-01\n"
        ));
        assert_eq!(parsed.records, vec![zhang_san(3)]);
        assert_eq!(
            parsed.problems,
            vec![problem(2, "姓名", "roster.required", "第2行“姓名”不能为空")]
        );
    }

    #[test]
    fn date_forms_are_normalised() {
        for (text, want) in [
            ("2026-03-01", "2026-03-01"),
            ("2026-3-1", "2026-03-01"),
            ("2026/3/1", "2026-03-01"),
            ("2026.3.1", "2026-03-01"),
            ("20260301", "2026-03-01"),
            ("2026年3月1日", "2026-03-01"),
            ("2026年03月01日", "2026-03-01"),
            ("2026/3/1 0:00", "2026-03-01"),
            ("2026-03-01T00:00:00", "2026-03-01"),
            ("2024-02-29", "2024-02-29"),
        ] {
            let got = parse_date_text(text).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(got.as_deref(), Some(want), "{text}");
        }
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026/3",
            "3/1/2026",
            "26-3-1",
            "2026-3/1",
            "2026年3月1",
            "20261301",
            "1899-12-31",
            "2026-03-01 上午",
            "明天",
            "2026-003-01",
        ] {
            assert_eq!(parse_date_text(text), None, "{text}");
        }
    }

    #[test]
    fn bad_date_drops_the_row() {
        let parsed = enrol_csv(&format!(
            "{ENROL_HEADER},出生日期\n张三,110101199003071233,2026-03-01,1990-02-30\n"
        ));
        assert_eq!(parsed.records, vec![]);
        assert_eq!(
            parsed.problems,
            vec![problem(
                2,
                "出生日期",
                "roster.bad_date",
                "第2行“出生日期”不是有效日期：“1990-02-30”，请按 2026-03-01 的格式填写"
            )]
        );
    }

    #[test]
    fn same_person_twice_keeps_the_first_line() {
        let parsed = enrol_csv(&format!(
            "{ENROL_HEADER}\n张三,11010119900307109x,2026-03-01\n张三,11010119900307109X,2026-03-02\n"
        ));
        // The check letter's case does not make another person.
        assert_eq!(
            parsed.records,
            vec![record(
                2,
                &[
                    ("name", "张三"),
                    ("document_type", "居民身份证"),
                    ("id_number", "11010119900307109x"),
                    ("join_date", "2026-03-01"),
                ],
            )]
        );
        assert_eq!(
            parsed.problems,
            vec![problem(
                3,
                "证件号码",
                "roster.duplicate_person",
                "第3行“证件号码”与第2行重复，同一人只能填写一次"
            )]
        );
    }

    #[test]
    fn first_occurrence_with_other_problems_still_counts_for_duplicates() {
        let parsed = enrol_csv(&format!(
            "{ENROL_HEADER}\n,110101199003071233,2026-03-01\n张三,110101199003071233,2026-03-01\n"
        ));
        assert_eq!(parsed.records, vec![]);
        let codes: Vec<(usize, &str)> = parsed.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            codes,
            vec![(2, "roster.required"), (3, "roster.duplicate_person")]
        );
    }

    #[test]
    fn more_than_max_rows_is_one_file_problem() {
        // Valid ID numbers, all different: 110101, born on 1 January of 1950 + i / 1000, sequence
        // i % 1000, and the check character.
        let row = |i: usize| {
            let first17 = format!("110101{}0101{:03}", 1950 + i / 1000, i % 1000);
            format!(
                "员工{i},{first17}{},2026-03-01\n",
                yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
            )
        };
        let mut text = format!("{ENROL_HEADER}\n");
        (0..MAX_ROWS).for_each(|i| text.push_str(&row(i)));
        let parsed = enrol_csv(&text);
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.records.len(), MAX_ROWS);
        assert_eq!(parsed.records[MAX_ROWS - 1].line, MAX_ROWS + 1);

        text.push_str(&row(MAX_ROWS));
        let parsed = enrol_csv(&text);
        assert_eq!(parsed.records, vec![]);
        assert_eq!(
            parsed.problems,
            vec![problem(
                0,
                "",
                "roster.too_many_rows",
                "文件中有5001行人员数据，超过单次上传上限5000行，请分批上传"
            )]
        );
    }

    #[test]
    fn empty_file_and_header_only_file_say_so() {
        for text in ["", "\r\n ,\r\n"] {
            assert_eq!(
                enrol_csv(text).problems,
                vec![problem(
                    0,
                    "",
                    "roster.empty",
                    "文件是空的，请按模板填写后上传"
                )]
            );
        }
        assert_eq!(
            enrol_csv(ENROL_HEADER).problems,
            vec![problem(
                0,
                "",
                "roster.empty",
                "文件中没有人员数据，请在表头下方逐行填写"
            )]
        );
    }

    #[test]
    fn unreadable_files_are_one_file_problem() {
        let not_text = "无法识别该文件，请上传 .xlsx 或 CSV 格式的花名册";
        for (bytes, message) in [
            (
                &b"PK\x03\x04not really a zip"[..],
                "无法读取该 Excel 文件，请确认文件未损坏且为 .xlsx 格式",
            ),
            (
                &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"[..],
                "不支持旧版 Excel（.xls）或加密的文件，请另存为不加密的 .xlsx 或 CSV 后上传",
            ),
            (&b"%PDF-1.4\n\x00\x01\x02"[..], not_text),
            // 0x81 must be followed by a GB18030 trail byte.
            (&b"\xD0\xD5\xC3\xFB,\x81\x20"[..], not_text),
        ] {
            let parsed = parse_roster(RosterKind::Enrol, bytes);
            assert_eq!(parsed.records, vec![]);
            assert_eq!(
                parsed.problems,
                vec![problem(0, "", "roster.unreadable", message)],
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn templates_are_bom_and_header_only_and_parse_back_cleanly() {
        assert_eq!(
            template_csv(RosterKind::Enrol),
            "\u{feff}姓名,证件类型,证件号码,入职日期,联系电话,性别,出生日期,岗位类别\r\n"
        );
        assert_eq!(
            template_csv(RosterKind::Remove),
            "\u{feff}姓名,证件号码,减员原因,减员日期\r\n"
        );
        for kind in [RosterKind::Enrol, RosterKind::Remove] {
            let codes: Vec<&str> = parse_roster(kind, template_csv(kind).as_bytes())
                .problems
                .iter()
                .map(|p| p.code)
                .collect();
            assert_eq!(codes, vec!["roster.empty"]);
        }
    }

    #[test]
    fn roster_kind_serialises_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&RosterKind::Enrol).ok().as_deref(),
            Some("\"enrol\"")
        );
        assert_eq!(
            serde_json::from_str::<RosterKind>("\"remove\"").ok(),
            Some(RosterKind::Remove)
        );
    }

    #[test]
    fn excel_serial_numbers_become_dates() {
        assert_eq!(number_date(46082.0), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(number_date(46082.75), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(number_date(32939.0), NaiveDate::from_ymd_opt(1990, 3, 7));
        assert_eq!(number_date(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(number_date(59.0), NaiveDate::from_ymd_opt(1900, 2, 28));
        assert_eq!(number_date(20260301.0), NaiveDate::from_ymd_opt(2026, 3, 1));
        for bad in [0.0, -1.0, 60.0, 3_000_000.0, 20261301.0, 1.5e9] {
            assert_eq!(number_date(bad), None, "{bad}");
        }
    }

    mod xlsx {
        use super::*;
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

        /// Header at A1: 姓名 | 证件号码 | 入职日期 | 出生日期 | 联系电话.
        fn workbook(
            fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet) -> Result<(), XlsxError>,
        ) -> Vec<u8> {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            let written = (|| {
                for (col, header) in ["姓名", "证件号码", "入职日期", "出生日期", "联系电话"]
                    .into_iter()
                    .enumerate()
                {
                    sheet.write_string(0, col as u16, header)?;
                }
                fill(sheet)
            })();
            assert!(written.is_ok(), "{written:?}");
            let bytes = book.save_to_buffer();
            assert!(bytes.is_ok(), "{:?}", bytes.as_ref().err());
            bytes.unwrap_or_default()
        }

        #[test]
        fn date_cells_serial_numbers_and_numeric_ids() {
            let bytes = workbook(|sheet| {
                let date_format = Format::new().set_num_format("yyyy-mm-dd");
                // Line 2: a real date cell and a General-formatted serial number.
                sheet.write_string(1, 0, "张三")?;
                sheet.write_string(1, 1, "110101199003071233")?;
                sheet.write_datetime_with_format(
                    1,
                    2,
                    ExcelDateTime::from_ymd(2026, 3, 1)?,
                    &date_format,
                )?;
                sheet.write_number(1, 3, 32939.0)?;
                sheet.write_number(1, 4, 13800138000.0)?;
                // Line 3: an 18-digit ID typed as a number.
                sheet.write_string(2, 0, "李四")?;
                sheet.write_number(2, 1, 110101199003071234.0)?;
                sheet.write_string(2, 2, "2026/3/2")?;
                // Line 4 left empty; line 5: a date typed as the number 20260303.
                sheet.write_string(4, 0, "王五")?;
                sheet.write_string(4, 1, "110101198001011232")?;
                sheet.write_number(4, 2, 20260303.0)?;
                // Line 6: a date cell holding a serial too large to be a date.
                sheet.write_string(5, 0, "赵六")?;
                sheet.write_string(5, 1, "110101198001015671")?;
                sheet.write_number_with_format(5, 2, 3_000_000.0, &date_format)?;
                Ok(())
            });
            let parsed = parse_roster(RosterKind::Enrol, &bytes);
            assert_eq!(
                parsed.records,
                vec![
                    record(
                        2,
                        &[
                            ("name", "张三"),
                            ("document_type", "居民身份证"),
                            ("id_number", "110101199003071233"),
                            ("join_date", "2026-03-01"),
                            ("birth_date", "1990-03-07"),
                            ("phone", "13800138000"),
                        ],
                    ),
                    record(
                        5,
                        &[
                            ("name", "王五"),
                            ("document_type", "居民身份证"),
                            ("id_number", "110101198001011232"),
                            ("join_date", "2026-03-03"),
                        ],
                    ),
                ]
            );
            assert_eq!(
                parsed.problems,
                vec![
                    problem(
                        3,
                        "证件号码",
                        "roster.id_as_number",
                        "第3行“证件号码”被保存为数字，精度已丢失，请将该列设为文本格式后重新填写"
                    ),
                    problem(
                        6,
                        "入职日期",
                        "roster.bad_date",
                        "第6行“入职日期”不是有效日期：“3000000”，请按 2026-03-01 的格式填写"
                    ),
                ]
            );
        }

        #[test]
        fn only_the_first_sheet_is_read_and_offsets_are_kept() {
            fn build() -> Result<Vec<u8>, XlsxError> {
                let mut book = Workbook::new();
                let first = book.add_worksheet();
                // Header on line 3 starting at column B, as after deleting a title block.
                for (col, header) in ["姓名", "证件号码", "入职日期"].into_iter().enumerate()
                {
                    first.write_string(2, col as u16 + 1, header)?;
                }
                first.write_string(3, 1, "张三")?;
                first.write_string(3, 2, "110101199003071233")?;
                first.write_string(3, 3, "2026.3.1")?;
                book.add_worksheet().write_string(0, 0, "不应读取")?;
                book.save_to_buffer()
            }
            let bytes = build();
            assert!(bytes.is_ok(), "{:?}", bytes.as_ref().err());
            let bytes = bytes.unwrap_or_default();
            let parsed = parse_roster(RosterKind::Enrol, &bytes);
            assert_eq!(parsed.problems, vec![]);
            assert_eq!(parsed.records, vec![zhang_san(4)]);
        }
    }
}
