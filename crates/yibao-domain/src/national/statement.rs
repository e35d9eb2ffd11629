//! 3202 对明细账 (reconciliation of details, FIELDS §2.14): the detail file a HIS uploads by 9101,
//! read line by line; its comparison with the platform's ledger; and the result file 9102 hands
//! back. Bytes in, bytes out — no clock, no store.
//!
//! The layout is not in the specification sources; it is what published clients build
//! (docs/national.md "Reconciliation of details", with the repositories and paths):
//! - **detail file**: text, one settlement per line, seven fields separated by a tab —
//!   `setl_id`, `mdtrt_id`, `psn_no`, `medfee_sumamt`, `fund_pay_sumamt`, `acct_pay`,
//!   `refd_setl_flag` — written by .NET's `StreamWriter` (UTF-8 without a byte-order mark, CRLF),
//!   zipped, and sent base64 in 9101's `in`. Read here: a zip with one file, or the plain text;
//!   UTF-8 with or without a byte-order mark; CRLF or LF; blank lines skipped; a header line
//!   naming the columns skipped.
//! - **result file**: a zip holding `result.txt`, UTF-8, one line per settlement compared, ten
//!   tab-separated fields — `psn_no`, `mdtrt_id`, `setl_id`, `msgid`, `stmt_rslt`,
//!   `refd_setl_flag`, `memo`, `medfee_sumamt`, `fund_pay_sumamt`, `acct_pay`.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use crate::error::Coded;
use crate::money::Fen;

/// The largest file 9101 keeps (bytes as uploaded, zipped or not).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// The largest detail text a zip may unpack to (a zip bomb stops here).
pub const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;
/// The most lines one detail file may hold.
pub const MAX_LINES: usize = 200_000;

/// The detail file's columns, in order.
pub const DETAIL_COLUMNS: [&str; 7] = [
    "setl_id",
    "mdtrt_id",
    "psn_no",
    "medfee_sumamt",
    "fund_pay_sumamt",
    "acct_pay",
    "refd_setl_flag",
];

/// The name of the text inside the result zip (the NMG client opens it by this name).
pub const RESULT_ENTRY: &str = "result.txt";

/// What went wrong with a detail file: each with a stable code and a Chinese message naming
/// the line (1-based, counted in the text) where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailFileError {
    #[error("empty file")]
    Empty,
    #[error("file too large")]
    TooLarge,
    #[error("too many lines")]
    TooManyLines,
    #[error("not a readable zip: {0}")]
    Zip(String),
    #[error("zip holds {0} files")]
    ZipEntries(usize),
    #[error("line {line}: not UTF-8")]
    Encoding { line: usize },
    #[error("line {line}: {found} columns")]
    Columns { line: usize, found: usize },
    #[error("line {line}: {column} missing")]
    Field { line: usize, column: &'static str },
    #[error("line {line}: {column} not an amount")]
    Amount {
        line: usize,
        column: &'static str,
        text: String,
    },
    #[error("line {line}: refd_setl_flag {text:?}")]
    Flag { line: usize, text: String },
    #[error("line {line}: {setl_id} twice")]
    Duplicate {
        line: usize,
        setl_id: String,
        refund: bool,
    },
    #[error("writing the result file: {0}")]
    Write(String),
}

impl Coded for DetailFileError {
    fn code(&self) -> &'static str {
        match self {
            DetailFileError::Empty => "national.detail_empty",
            DetailFileError::TooLarge => "national.detail_too_large",
            DetailFileError::TooManyLines => "national.detail_too_many_lines",
            DetailFileError::Zip(_) => "national.detail_zip",
            DetailFileError::ZipEntries(_) => "national.detail_zip_entries",
            DetailFileError::Encoding { .. } => "national.detail_encoding",
            DetailFileError::Columns { .. } => "national.detail_columns",
            DetailFileError::Field { .. } => "national.detail_field",
            DetailFileError::Amount { .. } => "national.detail_amount",
            DetailFileError::Flag { .. } => "national.detail_flag",
            DetailFileError::Duplicate { .. } => "national.detail_duplicate",
            DetailFileError::Write(_) => "national.detail_write",
        }
    }

    fn message(&self) -> String {
        match self {
            DetailFileError::Empty => "对账明细文件为空，没有可对账的明细".into(),
            DetailFileError::TooLarge => format!(
                "对账明细文件过大（上传不超过 {} MB，解压后不超过 {} MB）",
                MAX_FILE_BYTES / (1024 * 1024),
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
            DetailFileError::TooManyLines => {
                format!("对账明细超过 {MAX_LINES} 行，请按较短的日期区间分批对账")
            }
            DetailFileError::Zip(_) => {
                "对账明细文件不是可读取的 zip 压缩包（文件损坏或格式不支持）".into()
            }
            DetailFileError::ZipEntries(n) => {
                format!("对账明细压缩包应只含一个明细文本文件，实际含 {n} 个文件")
            }
            DetailFileError::Encoding { line } => {
                format!("对账明细第 {line} 行不是 UTF-8 编码的文本")
            }
            DetailFileError::Columns { line, found } => format!(
                "对账明细第 {line} 行有 {found} 列，应为 {} 列（{}，以制表符分隔）",
                DETAIL_COLUMNS.len(),
                DETAIL_COLUMNS.join("、")
            ),
            DetailFileError::Field { line, column } => {
                format!("对账明细第 {line} 行缺少 {column}")
            }
            DetailFileError::Amount { line, column, text } => {
                format!("对账明细第 {line} 行 {column} “{text}” 不是金额（元，最多两位小数）")
            }
            DetailFileError::Flag { line, text } => {
                format!("对账明细第 {line} 行退费结算标志（refd_setl_flag）“{text}” 应为 0 或 1")
            }
            DetailFileError::Duplicate {
                line,
                setl_id,
                refund,
            } => format!(
                "对账明细第 {line} 行重复：结算ID {setl_id} 的{}明细已出现过",
                if *refund { "退费" } else { "结算" }
            ),
            DetailFileError::Write(_) => "生成对账结果文件失败，请稍后重试".into(),
        }
    }
}

/// One line of the detail file: a settlement (`refund` false) or its reversal (退费结算,
/// `refd_setl_flag` 1) as the HIS recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    /// The line's number in the text (1-based).
    pub line: usize,
    pub setl_id: String,
    pub mdtrt_id: String,
    pub psn_no: String,
    pub medfee: Fen,
    pub funds: Fen,
    pub account: Fen,
    pub refund: bool,
}

/// Reads a detail file as 9101 stored it: a zip holding one text file, or the text itself.
pub fn read_detail_file(bytes: &[u8]) -> Result<Vec<DetailLine>, DetailFileError> {
    if bytes.is_empty() {
        return Err(DetailFileError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(DetailFileError::TooLarge);
    }
    // Local file header, or the end record of an empty archive.
    let text = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        unzip_one(bytes)?
    } else {
        bytes.to_vec()
    };
    let text = decode(&text)?;
    parse_detail_text(text)
}

/// The one file inside a zip (directories are not counted), at most `MAX_TEXT_BYTES`.
fn unzip_one(bytes: &[u8]) -> Result<Vec<u8>, DetailFileError> {
    let zip_error = |e: zip::result::ZipError| DetailFileError::Zip(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(zip_error)?;
        if !entry.is_dir() {
            files.push(i);
        }
    }
    let [only] = files[..] else {
        return Err(DetailFileError::ZipEntries(files.len()));
    };
    let entry = archive.by_index(only).map_err(zip_error)?;
    let mut out = Vec::new();
    entry
        .take(MAX_TEXT_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| DetailFileError::Zip(e.to_string()))?;
    if out.len() > MAX_TEXT_BYTES {
        return Err(DetailFileError::TooLarge);
    }
    Ok(out)
}

/// UTF-8 text, a leading byte-order mark dropped; invalid bytes name their line.
fn decode(bytes: &[u8]) -> Result<&str, DetailFileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
        DetailFileError::Encoding {
            line: before.iter().filter(|b| **b == b'\n').count() + 1,
        }
    })
}

/// An amount in yuan as clients write it (`12.5`, `12.50`, `12.500000`, `-3`).
fn amount(text: &str) -> Option<Fen> {
    let t = text.trim();
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.')
    } else {
        t
    };
    if t.contains(',') {
        return None;
    }
    t.parse::<Fen>().ok()
}

/// The detail text, line by line.
pub fn parse_detail_text(text: &str) -> Result<Vec<DetailLine>, DetailFileError> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(String, bool), usize> = BTreeMap::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
        if fields.len() != DETAIL_COLUMNS.len() {
            return Err(DetailFileError::Columns {
                line,
                found: fields.len(),
            });
        }
        if out.is_empty() && fields[0].eq_ignore_ascii_case("setl_id") {
            continue; // a header line
        }
        if out.len() >= MAX_LINES {
            return Err(DetailFileError::TooManyLines);
        }
        let setl_id = fields[0].to_string();
        if setl_id.is_empty() {
            return Err(DetailFileError::Field {
                line,
                column: "setl_id",
            });
        }
        let money = |k: usize| {
            amount(fields[k]).ok_or_else(|| DetailFileError::Amount {
                line,
                column: DETAIL_COLUMNS[k],
                text: fields[k].chars().take(32).collect(),
            })
        };
        let refund = match fields[6] {
            "0" => false,
            "1" => true,
            other => {
                return Err(DetailFileError::Flag {
                    line,
                    text: other.chars().take(16).collect(),
                })
            }
        };
        if seen.insert((setl_id.clone(), refund), line).is_some() {
            return Err(DetailFileError::Duplicate {
                line,
                setl_id,
                refund,
            });
        }
        out.push(DetailLine {
            line,
            mdtrt_id: fields[1].to_string(),
            psn_no: fields[2].to_string(),
            medfee: money(3)?,
            funds: money(4)?,
            account: money(5)?,
            refund,
            setl_id,
        });
    }
    if out.is_empty() {
        return Err(DetailFileError::Empty);
    }
    Ok(out)
}

/// One line of the platform's ledger over the reconciled days: a settlement written then, or
/// the reversal (refund) of one written then. A reversal's amounts are negative, as 2208/2305
/// answer them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub setl_id: String,
    pub mdtrt_id: String,
    pub psn_no: String,
    /// The settling message's msgid (what 2601 names).
    pub msgid: String,
    pub medfee: Fen,
    pub funds: Fen,
    pub account: Fen,
    pub refund: bool,
}

/// One line of the result file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    pub psn_no: String,
    pub mdtrt_id: String,
    pub setl_id: String,
    pub msgid: String,
    pub agrees: bool,
    pub refund: bool,
    pub memo: String,
    pub medfee: Fen,
    pub funds: Fen,
    pub account: Fen,
}

impl ResultLine {
    /// `stmt_rslt`: `0` agrees, `1` differs — the flag convention 3201 uses too (the
    /// specification's codes were not found, FIELDS §5).
    pub fn stmt_rslt(&self) -> &'static str {
        if self.agrees {
            "0"
        } else {
            "1"
        }
    }
}

/// The comparison, and its counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    pub lines: Vec<ResultLine>,
    pub agreed: usize,
    /// On both sides, with a difference.
    pub differing: usize,
    /// In the ledger, not in the file.
    pub missing: usize,
    /// In the file, not in the ledger.
    pub extra: usize,
}

/// Compares the file with the ledger by `setl_id` and refund flag. Amounts of a refund line
/// are compared by magnitude (a HIS may record a refund with positive amounts and the flag, or
/// negative as 2208 answers); a settlement line's exactly. `mdtrt_id` and `psn_no` are
/// compared when the file gives them. Ledger lines come first in ledger order, then the file's
/// extra lines in file order.
pub fn compare(file: &[DetailLine], ledger: &[LedgerLine]) -> Comparison {
    let mut by_key: BTreeMap<(&str, bool), &DetailLine> = file
        .iter()
        .map(|d| ((d.setl_id.as_str(), d.refund), d))
        .collect();
    let y = |f: Fen| f.yuan_string();
    let mut out = Comparison::default();
    for l in ledger {
        let Some(d) = by_key.remove(&(l.setl_id.as_str(), l.refund)) else {
            out.missing += 1;
            out.lines.push(ResultLine {
                psn_no: l.psn_no.clone(),
                mdtrt_id: l.mdtrt_id.clone(),
                setl_id: l.setl_id.clone(),
                msgid: l.msgid.clone(),
                agrees: false,
                refund: l.refund,
                memo: format!(
                    "机构明细中无此{}（平台有）",
                    if l.refund { "退费结算" } else { "结算" }
                ),
                medfee: l.medfee,
                funds: l.funds,
                account: l.account,
            });
            continue;
        };
        let same = |a: Fen, b: Fen| {
            if l.refund {
                a.0.unsigned_abs() == b.0.unsigned_abs()
            } else {
                a == b
            }
        };
        let mut diffs = Vec::new();
        for (name, theirs, ours) in [
            ("医疗费总额", d.medfee, l.medfee),
            ("基金支付总额", d.funds, l.funds),
            ("个人账户支出", d.account, l.account),
        ] {
            if !same(theirs, ours) {
                diffs.push(format!(
                    "{name}：机构 {} 元，平台 {} 元",
                    y(theirs),
                    y(ours)
                ));
            }
        }
        if !d.mdtrt_id.is_empty() && !l.mdtrt_id.is_empty() && d.mdtrt_id != l.mdtrt_id {
            diffs.push(format!("就诊ID：机构 {}，平台 {}", d.mdtrt_id, l.mdtrt_id));
        }
        if !d.psn_no.is_empty() && d.psn_no != l.psn_no {
            diffs.push(format!("人员编号：机构 {}，平台 {}", d.psn_no, l.psn_no));
        }
        let agrees = diffs.is_empty();
        if agrees {
            out.agreed += 1;
        } else {
            out.differing += 1;
        }
        out.lines.push(ResultLine {
            psn_no: l.psn_no.clone(),
            mdtrt_id: l.mdtrt_id.clone(),
            setl_id: l.setl_id.clone(),
            msgid: l.msgid.clone(),
            agrees,
            refund: l.refund,
            memo: if agrees {
                String::new()
            } else {
                diffs.join("；")
            },
            medfee: l.medfee,
            funds: l.funds,
            account: l.account,
        });
    }
    for d in file {
        if by_key.remove(&(d.setl_id.as_str(), d.refund)).is_none() {
            continue;
        }
        out.extra += 1;
        out.lines.push(ResultLine {
            psn_no: d.psn_no.clone(),
            mdtrt_id: d.mdtrt_id.clone(),
            setl_id: d.setl_id.clone(),
            msgid: String::new(),
            agrees: false,
            refund: d.refund,
            memo: format!(
                "平台无此{}（或不在对账日期区间内），见明细第 {} 行",
                if d.refund { "退费结算" } else { "结算" },
                d.line
            ),
            medfee: d.medfee,
            funds: d.funds,
            account: d.account,
        });
    }
    out
}

/// The result file's text: one line per result, ten tab-separated fields, CRLF (as the
/// clients' own files end their lines). Tabs and line breaks inside a field become spaces.
pub fn result_text(lines: &[ResultLine]) -> String {
    let clean = |s: &str| s.replace(['\t', '\r', '\n'], " ");
    let mut out = String::new();
    for l in lines {
        let fields = [
            clean(&l.psn_no),
            clean(&l.mdtrt_id),
            clean(&l.setl_id),
            clean(&l.msgid),
            l.stmt_rslt().to_string(),
            if l.refund { "1" } else { "0" }.to_string(),
            clean(&l.memo),
            l.medfee.yuan_string(),
            l.funds.yuan_string(),
            l.account.yuan_string(),
        ];
        out.push_str(&fields.join("\t"));
        out.push_str("\r\n");
    }
    out
}

/// The result file: a zip holding `result.txt` (deflated; the entry's time is the zip format's
/// epoch, so the same result gives the same bytes).
pub fn result_file(lines: &[ResultLine]) -> Result<Vec<u8>, DetailFileError> {
    let write_error = |e: zip::result::ZipError| DetailFileError::Write(e.to_string());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(RESULT_ENTRY, options).map_err(write_error)?;
    zip.write_all(result_text(lines).as_bytes())
        .map_err(|e| DetailFileError::Write(e.to_string()))?;
    Ok(zip.finish().map_err(write_error)?.into_inner())
}

#[cfg(test)]
mod tests;
