//! Files of the national interface (docs/national.md "Files" and "Reconciliation of details"):
//! 9101 keeps a file an institution uploads (`fsUploadIn`: `in` bytes, `filename`), 9102 hands
//! a file back (`fsDownloadIn`: `file_qury_no`) as the bytes themselves, and 3202 compares an
//! uploaded detail file with the ledger and issues the result file (`fileinfo`). A file is the
//! institution's own: only the institution that uploaded it, or to which the platform issued it,
//! finds it, and only until its `dld_endtime`.

use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use yibao_domain::national::statement::{self, LedgerLine, MAX_FILE_BYTES};
use yibao_domain::{Coded, Fen};
use yibao_store::national_file::{self as store, FileRow, NewFile};
use yibao_store::StoreError;

use super::{check_len, fen_of, scalar, stored_midnight, text, trim_decimal, wire_time, Call};
use crate::ServiceError;

/// How long a file can be downloaded after it was kept. The specification sources give
/// `dld_endtime` but no lifetime; one day covers a day-end reconciliation and its retries.
pub const FILE_LIFETIME_HOURS: i64 = 24;

/// A file 9102 answers: its name and its bytes (the transport sends them as they are).
#[derive(Debug, Clone)]
pub struct FileReply {
    pub filename: String,
    pub bytes: Vec<u8>,
}

fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
    super::invalid(code, message)
}

fn stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A fresh 30-character file_qury_no: `FQ`, the region, Beijing time, eight random digits.
fn draw(c: &Call<'_>) -> String {
    let t = c
        .now
        .with_timezone(&crate::clock::beijing())
        .format("%Y%m%d%H%M%S");
    let region: String = c.inst.region_code.chars().take(6).collect();
    format!(
        "FQ{region:0>6}{t}{:08}",
        rand::random::<u64>() % 100_000_000
    )
}

/// Keeps `content` under a fresh file_qury_no (drawn again on the one-in-10^8 collision).
async fn keep(c: &Call<'_>, file: NewFile<'_>) -> Result<(String, DateTime<Utc>), ServiceError> {
    let end = c.now + Duration::hours(FILE_LIFETIME_HOURS);
    let (created, ends) = (c.stored_now(), stored(end));
    let sha = hex::encode(Sha256::digest(file.content));
    for _ in 0..3 {
        let no = draw(c);
        let mut tx = c.services.store().begin().await?;
        let row = NewFile {
            file_qury_no: &no,
            sha256: &sha,
            created_at: &created,
            dld_endtime: &ends,
            ..file.clone()
        };
        match store::insert(&mut tx, &row).await {
            Ok(_) => {
                tx.commit().await.map_err(StoreError::from)?;
                return Ok((no, end));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(super::conflict(
        "national.file_busy",
        "文件登记繁忙，请稍后重试",
    ))
}

/// The bytes of `in`: Base64 text (what .NET's `Convert.ToBase64String` and Java's byte[]
/// serialisers send), or an array of byte values.
fn file_bytes(v: &Value) -> Result<Vec<u8>, ServiceError> {
    let too_large = || {
        invalid(
            "national.file_too_large",
            format!("文件过大（不超过 {} MB）", MAX_FILE_BYTES / (1024 * 1024)),
        )
    };
    let bad = || {
        invalid(
            "national.file_content",
            "文件数据（in）应为 Base64 编码的字节",
        )
    };
    let bytes = match v {
        Value::String(s) => {
            if s.len() > MAX_FILE_BYTES / 3 * 4 + 8 {
                return Err(too_large());
            }
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
                .map_err(|_| bad())?
        }
        Value::Array(a) => {
            if a.len() > MAX_FILE_BYTES {
                return Err(too_large());
            }
            a.iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(bad)?
        }
        _ => {
            return Err(invalid(
                "national.file_content",
                "请提供文件数据（fsUploadIn.in，Base64 编码的字节）",
            ))
        }
    };
    if bytes.is_empty() {
        return Err(invalid("national.file_empty", "文件数据（in）为空"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// 9101 文件上传: keeps the file for the institution and answers its `file_qury_no`,
/// `filename`, `fixmedins_code` and `dld_endtime`. The node's `fixmedins_code` is not checked
/// (the envelope's is, and clients fill this one with other values); the content is read by
/// the transaction that uses it (3202).
pub(super) async fn upload(c: &Call<'_>) -> Result<Value, ServiceError> {
    let node = c.env.node(&["fsUploadIn", "data"]);
    // SZ's test page sends `in` beside the node as well.
    let raw = [&node["in"], &c.env.input["in"]]
        .into_iter()
        .find(|v| v.is_array() || scalar(v).is_some())
        .unwrap_or(&Value::Null);
    let bytes = file_bytes(raw)?;
    let filename = text(node, &["filename"])
        .ok_or_else(|| invalid("national.file_name", "请提供文件名（filename）"))?;
    check_len("文件名", "filename", &filename, 200)?;
    let (no, end) = keep(
        c,
        NewFile {
            institution_id: c.inst.institution_id,
            file_qury_no: "",
            filename: &filename,
            kind: "upload",
            sha256: "",
            content: &bytes,
            msgid: &c.env.msgid,
            source_file_id: None,
            summary_json: None,
            created_at: "",
            dld_endtime: "",
        },
    )
    .await?;
    Ok(json!({
        "file_qury_no": no, "filename": filename, "fixmedins_code": c.inst.code,
        "dld_endtime": wire_time(end),
    }))
}

/// The institution's file named by `file_qury_no`, while it may still be downloaded. Another
/// institution's file is "not found", the same as one never issued.
async fn own_file(c: &Call<'_>, no: &str) -> Result<FileRow, ServiceError> {
    let row = {
        let mut tx = c.services.store().begin_read().await?;
        store::find(&mut tx, c.inst.institution_id, no).await?
    };
    let row = row.ok_or_else(|| {
        invalid(
            "national.file_unknown",
            format!("未找到本机构的文件（文件查询号 {no}）"),
        )
    })?;
    if c.stored_now() > row.dld_endtime {
        return Err(invalid(
            "national.file_expired",
            format!(
                "文件（文件查询号 {no}）已过下载截止时间 {}",
                crate::clock::local_text(&row.dld_endtime)
            ),
        ));
    }
    Ok(row)
}

/// 9102 文件下载: the bytes of the institution's file. `filename` and `fixmedins_code` in the
/// node are not checked (clients send `plc` for catalogue files, FIELDS §2.3).
pub(super) async fn download(c: &Call<'_>) -> Result<FileReply, ServiceError> {
    let node = c.env.node(&["fsDownloadIn", "data"]);
    let no = text(node, &["file_qury_no"])
        .ok_or_else(|| invalid("national.file_qury_no", "请提供文件查询号（file_qury_no）"))?;
    let row = own_file(c, &no).await?;
    let bytes = {
        let mut tx = c.services.store().begin_read().await?;
        store::content(&mut tx, row.id).await?
    };
    Ok(FileReply {
        filename: row.filename,
        bytes,
    })
}

/// The reconciled Beijing days of a 3201/3202 message.
pub(super) fn stmt_days(d: &Value) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let day = |k: &str, name: &str| -> Result<NaiveDate, ServiceError> {
        let t = text(d, &[k])
            .ok_or_else(|| invalid("national.reconcile", format!("请提供{name}（{k}）")))?;
        NaiveDate::parse_from_str(t.get(..10).unwrap_or(&t), "%Y-%m-%d").map_err(|_| {
            invalid(
                "national.reconcile",
                format!("{name}（{k}）应为 yyyy-MM-dd"),
            )
        })
    };
    let (begin, end) = (
        day("stmt_begndate", "对账开始日期")?,
        day("stmt_enddate", "对账结束日期")?,
    );
    if end < begin || (end - begin).num_days() > 366 {
        return Err(invalid(
            "national.reconcile",
            "对账日期区间不正确（至多一年）",
        ));
    }
    Ok((begin, end))
}

/// The split a stored settlement answered (fen).
fn split_of(result_json: &str) -> Result<(Value, Fen, Fen, Fen), ServiceError> {
    let r: Value = serde_json::from_str(result_json)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("settlement result: {e}"))))?;
    let f = |k: &str| Fen(r[k].as_i64().unwrap_or(0));
    let (medfee, funds, account) = (f("total"), f("funds_total"), f("account"));
    Ok((r, medfee, funds, account))
}

/// 3202 对明细账: the detail file uploaded by 9101 (`file_qury_no`) against the ledger lines of
/// the institution over Beijing days `stmt_begndate`..=`stmt_enddate` — each settlement written
/// in those days, and each reversal made in them as a refund line (`refd_setl_flag` 1) — when
/// `setl_optins` is the institution's region; `clr_type`, when sent (NMG), keeps the
/// settlements of that clearing type (`21` inpatient, `11` the rest), as 3201 does. The result
/// file is kept for the institution and named in `fileinfo` for 9102.
pub(super) async fn reconcile_details(c: &Call<'_>) -> Result<Value, ServiceError> {
    let d = c.env.data();
    let optins = text(d, &["setl_optins", "clr_optins"])
        .ok_or_else(|| invalid("national.reconcile", "请提供结算经办机构（setl_optins）"))?;
    let no = text(d, &["file_qury_no"]).ok_or_else(|| {
        invalid(
            "national.reconcile",
            "请提供对账明细文件的文件查询号（file_qury_no，9101 上传后返回）",
        )
    })?;
    let (begin, end) = stmt_days(d)?;
    let clr_type = text(d, &["clr_type"]);
    // The totals the HIS sends are read (a malformed one is refused) and kept with the result;
    // the comparison is line by line (3201 compares totals).
    let mut sent = serde_json::Map::new();
    for k in [
        "medfee_sumamt",
        "fund_pay_sumamt",
        "cash_payamt",
        "acct_pay",
    ] {
        if scalar(&d[k]).is_some() {
            let fen = fen_of(&d[k])
                .ok_or_else(|| invalid("national.reconcile", format!("{k} 金额不正确")))?;
            sent.insert(k.into(), json!(fen));
        }
    }
    if let Some(t) = scalar(&d["fixmedins_setl_cnt"]) {
        let n = trim_decimal(&t).parse::<i64>().map_err(|_| {
            invalid(
                "national.reconcile",
                "定点医药机构结算笔数（fixmedins_setl_cnt）应为整数",
            )
        })?;
        sent.insert("fixmedins_setl_cnt".into(), json!(n));
    }
    let (from, to) = (
        stored_midnight(begin),
        stored_midnight(end + Duration::days(1)),
    );
    let upload = own_file(c, &no).await?;
    if upload.kind != "upload" {
        return Err(invalid(
            "national.file_kind",
            format!("文件查询号 {no} 不是 9101 上传的对账明细文件"),
        ));
    }
    let (bytes, rows) = {
        let mut tx = c.services.store().begin_read().await?;
        let bytes = store::content(&mut tx, upload.id).await?;
        let rows = store::statement_rows(&mut tx, c.inst.institution_id, &from, &to).await?;
        (bytes, rows)
    };
    let lines = statement::read_detail_file(&bytes).map_err(|e| invalid(e.code(), e.message()))?;
    let within = |t: &str| t >= from.as_str() && t < to.as_str();
    let mut ledger = Vec::new();
    if optins == c.inst.region_code {
        for row in rows {
            let (r, medfee, funds, account) = split_of(&row.result_json)?;
            let row_clr = if r["visit"] == "inpatient" {
                "21"
            } else {
                "11"
            };
            if clr_type.as_deref().is_some_and(|t| t != row_clr) {
                continue;
            }
            let line = LedgerLine {
                setl_id: row
                    .setl_id
                    .clone()
                    .unwrap_or_else(|| row.request_id.clone()),
                mdtrt_id: row
                    .mdtrt_id
                    .clone()
                    .or_else(|| row.admission_id.clone())
                    .unwrap_or_default(),
                psn_no: row.person_id_number.clone(),
                msgid: row.msgid.clone().unwrap_or_else(|| row.request_id.clone()),
                medfee,
                funds,
                account,
                refund: false,
            };
            if within(&row.created_at) {
                ledger.push(line.clone());
            }
            if row.reversed_at.as_deref().is_some_and(within) {
                ledger.push(LedgerLine {
                    medfee: Fen(-medfee.0),
                    funds: Fen(-funds.0),
                    account: Fen(-account.0),
                    refund: true,
                    ..line
                });
            }
        }
    }
    let outcome = statement::compare(&lines, &ledger);
    let result =
        statement::result_file(&outcome.lines).map_err(|e| invalid(e.code(), e.message()))?;
    let summary = json!({
        "stmt_begndate": begin.to_string(), "stmt_enddate": end.to_string(),
        "setl_optins": optins, "clr_type": clr_type, "sent": sent,
        "file_lines": lines.len(), "ledger_lines": ledger.len(),
        "agreed": outcome.agreed, "differing": outcome.differing,
        "missing": outcome.missing, "extra": outcome.extra,
    })
    .to_string();
    let filename = format!("RS{}.txt.zip", no.trim_start_matches("FQ"));
    let (result_no, until) = keep(
        c,
        NewFile {
            institution_id: c.inst.institution_id,
            file_qury_no: "",
            filename: &filename,
            kind: "reconciliation",
            sha256: "",
            content: &result,
            msgid: &c.env.msgid,
            source_file_id: Some(upload.id),
            summary_json: Some(&summary),
            created_at: "",
            dld_endtime: "",
        },
    )
    .await?;
    Ok(json!({ "fileinfo": {
        "file_qury_no": result_no, "filename": filename, "dld_endtime": wire_time(until),
    }}))
}
