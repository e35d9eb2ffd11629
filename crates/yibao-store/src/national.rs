//! The national interface's state (migration 0022, docs/national.md): visits under a
//! platform-issued `mdtrt_id`, their uploaded fee lines by batch (`chrg_bchno`) and line
//! (`feedetl_sn`), and the settlements made of a batch (`setl_id`), each pointing at its row of
//! the settlement ledger by request id.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::AnyConnection;
use yibao_domain::benefit::{Category, Quantity};
use yibao_domain::codes::{SettlementStatus, VisitKind, VisitStatus};
use yibao_domain::Fen;

use crate::error::StoreError;
use crate::json_text::JsonText;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub institution_id: i64,
    pub mdtrt_id: String,
    #[sqlx(try_from = "String")]
    pub kind: VisitKind,
    pub ipt_otp_no: String,
    pub person_id_number: String,
    pub insutype: String,
    pub med_type: Option<String>,
    pub mdtrt_cert_type: String,
    pub begntime: String,
    pub endtime: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: VisitStatus,
    /// The 2201 `data` / 2401 `mdtrtinfo` + `diseinfo` as sent.
    #[sqlx(try_from = "String")]
    pub open_json: JsonText<Value>,
    /// The 2203 `mdtrtinfo` + `diseinfo` as sent (the last one).
    #[sqlx(try_from = "Option<String>")]
    pub info_json: JsonText<Option<Value>>,
    /// The 2402 `dscginfo` + `diseinfo` as sent.
    #[sqlx(try_from = "Option<String>")]
    pub discharge_json: JsonText<Option<Value>>,
    /// The msgid of the opening message (2601 names it).
    pub msgid: String,
    pub created_at: String,
    pub updated_at: String,
}

const VISIT_COLS: &str = "id, institution_id, mdtrt_id, kind, ipt_otp_no, person_id_number, \
    insutype, med_type, mdtrt_cert_type, begntime, endtime, status, open_json, info_json, \
    discharge_json, msgid, created_at, updated_at";

#[derive(Debug, Clone)]
pub struct NewVisit<'a> {
    pub institution_id: i64,
    pub kind: VisitKind,
    pub ipt_otp_no: &'a str,
    pub person_id_number: &'a str,
    pub insutype: &'a str,
    pub med_type: Option<&'a str>,
    pub mdtrt_cert_type: &'a str,
    pub begntime: &'a str,
    pub open_json: &'a Value,
    pub msgid: &'a str,
}

/// The platform's visit id for row `id`: `MD` and twelve digits (an opaque string ≤ 30).
pub fn mdtrt_id_of(id: i64) -> String {
    format!("MD{id:012}")
}

/// Opens a visit and gives it its `mdtrt_id`.
pub async fn insert_visit(
    conn: &mut AnyConnection,
    v: &NewVisit<'_>,
    now: &str,
) -> Result<VisitRow, StoreError> {
    let open =
        serde_json::to_string(v.open_json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // A placeholder unique to this insert, replaced by the id-based mdtrt_id right after.
    let placeholder = format!("new:{}:{}:{now}", v.institution_id, v.msgid);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO national_visit (institution_id, mdtrt_id, kind, ipt_otp_no, person_id_number, \
         insutype, med_type, mdtrt_cert_type, begntime, status, open_json, msgid, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $12) \
         RETURNING id",
    )
    .bind(v.institution_id)
    .bind(&placeholder)
    .bind(v.kind.key())
    .bind(v.ipt_otp_no)
    .bind(v.person_id_number)
    .bind(v.insutype)
    .bind(v.med_type)
    .bind(v.mdtrt_cert_type)
    .bind(v.begntime)
    .bind(&open)
    .bind(v.msgid)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE national_visit SET mdtrt_id = $1 WHERE id = $2")
        .bind(mdtrt_id_of(id))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    find_visit_by_id(conn, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("national_visit {id} vanished")))
}

async fn find_visit_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<VisitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VISIT_COLS} FROM national_visit WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The institution's visit by its `mdtrt_id`.
pub async fn find_visit(
    conn: &mut AnyConnection,
    institution_id: i64,
    mdtrt_id: &str,
) -> Result<Option<VisitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VISIT_COLS} FROM national_visit WHERE mdtrt_id = $1 AND institution_id = $2"
    ))
    .bind(mdtrt_id)
    .bind(institution_id)
    .fetch_optional(conn)
    .await?)
}

/// The institution's visit that is not cancelled, by its own serial (ipt_otp_no / ipt_no).
pub async fn find_live_visit_by_serial(
    conn: &mut AnyConnection,
    institution_id: i64,
    kind: VisitKind,
    serial: &str,
) -> Result<Option<VisitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VISIT_COLS} FROM national_visit WHERE institution_id = $1 AND ipt_otp_no = $2 \
         AND kind = $3 AND status <> 'cancelled' ORDER BY id DESC LIMIT 1"
    ))
    .bind(institution_id)
    .bind(serial)
    .bind(kind.key())
    .fetch_optional(conn)
    .await?)
}

/// The institution's visit opened by message `msgid` (for 2601).
pub async fn find_visit_by_msgid(
    conn: &mut AnyConnection,
    institution_id: i64,
    msgid: &str,
) -> Result<Option<VisitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VISIT_COLS} FROM national_visit WHERE institution_id = $1 AND msgid = $2 \
         ORDER BY id DESC LIMIT 1"
    ))
    .bind(institution_id)
    .bind(msgid)
    .fetch_optional(conn)
    .await?)
}

/// 2203 / 2403: the visit's medical type, start time (each kept when `None`) and information.
pub async fn set_visit_info(
    conn: &mut AnyConnection,
    id: i64,
    med_type: Option<&str>,
    begntime: Option<&str>,
    info: &Value,
    now: &str,
) -> Result<(), StoreError> {
    let info = serde_json::to_string(info).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "UPDATE national_visit SET med_type = COALESCE($1, med_type), \
         begntime = COALESCE($2, begntime), info_json = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(med_type)
    .bind(begntime)
    .bind(&info)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the visit from `from` to `to` (discharge and its reversal, cancellation); `discharge`
/// sets or clears the discharge time and document. False when the visit was not in `from`.
pub async fn move_visit(
    conn: &mut AnyConnection,
    id: i64,
    from: VisitStatus,
    to: VisitStatus,
    discharge: Option<(&str, &Value)>,
    now: &str,
) -> Result<bool, StoreError> {
    let doc = discharge
        .map(|(_, d)| serde_json::to_string(d))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let done = if to == VisitStatus::Cancelled {
        sqlx::query(
            "UPDATE national_visit SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.key())
        .bind(now)
        .bind(id)
        .bind(from.key())
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE national_visit SET status = $1, endtime = $2, discharge_json = $3, \
             updated_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(to.key())
        .bind(discharge.map(|(t, _)| t))
        .bind(doc)
        .bind(now)
        .bind(id)
        .bind(from.key())
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// One uploaded fee line as the engine will read it, plus what the HIS sent beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLineData {
    /// 医疗目录编码 (national catalogue code).
    pub med_list_codg: String,
    /// 医药机构目录编码 (the HIS's own item code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medins_list_codg: Option<String>,
    pub amount: Fen,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Fen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_pay_share_bp: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cap: Option<Fen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med_chrgitm_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_ocur_time: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FeeLineRow {
    pub id: i64,
    pub visit_id: i64,
    pub chrg_bchno: String,
    pub feedetl_sn: String,
    #[sqlx(try_from = "String")]
    pub line_json: JsonText<FeeLineData>,
    pub msgid: String,
    pub created_at: String,
}

const LINE_COLS: &str = "id, visit_id, chrg_bchno, feedetl_sn, line_json, msgid, created_at";

pub async fn insert_fee_line(
    conn: &mut AnyConnection,
    visit_id: i64,
    chrg_bchno: &str,
    feedetl_sn: &str,
    line: &FeeLineData,
    msgid: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO national_fee_line (visit_id, chrg_bchno, feedetl_sn, line_json, msgid, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(visit_id)
    .bind(chrg_bchno)
    .bind(feedetl_sn)
    .bind(JsonText(line.clone()).text()?)
    .bind(msgid)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The visit's uploaded lines in upload order, of one batch or of all.
pub async fn fee_lines(
    conn: &mut AnyConnection,
    visit_id: i64,
    chrg_bchno: Option<&str>,
) -> Result<Vec<FeeLineRow>, StoreError> {
    Ok(match chrg_bchno {
        Some(b) => {
            sqlx::query_as(&format!(
                "SELECT {LINE_COLS} FROM national_fee_line WHERE visit_id = $1 AND chrg_bchno = $2 \
                 ORDER BY id"
            ))
            .bind(visit_id)
            .bind(b)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT {LINE_COLS} FROM national_fee_line WHERE visit_id = $1 ORDER BY id"
            ))
            .bind(visit_id)
            .fetch_all(conn)
            .await?
        }
    })
}

/// Withdraws uploaded lines (2205 / 2302): one line by `feedetl_sn`, one batch by `chrg_bchno`,
/// or every line of the visit when both are `None`. Returns how many went.
pub async fn delete_fee_lines(
    conn: &mut AnyConnection,
    visit_id: i64,
    chrg_bchno: Option<&str>,
    feedetl_sn: Option<&str>,
) -> Result<u64, StoreError> {
    let done = match (chrg_bchno, feedetl_sn) {
        (_, Some(sn)) => {
            sqlx::query("DELETE FROM national_fee_line WHERE visit_id = $1 AND feedetl_sn = $2")
                .bind(visit_id)
                .bind(sn)
                .execute(conn)
                .await?
        }
        (Some(b), None) => {
            sqlx::query("DELETE FROM national_fee_line WHERE visit_id = $1 AND chrg_bchno = $2")
                .bind(visit_id)
                .bind(b)
                .execute(conn)
                .await?
        }
        (None, None) => {
            sqlx::query("DELETE FROM national_fee_line WHERE visit_id = $1")
                .bind(visit_id)
                .execute(conn)
                .await?
        }
    };
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NationalSettlementRow {
    pub id: i64,
    pub visit_id: i64,
    pub chrg_bchno: String,
    pub setl_id: String,
    /// The ledger row: `settlement (institution_id, request_id)`.
    pub request_id: String,
    /// The msgid of the settling message (`medins_setl_id`; 2601 names it).
    pub msgid: String,
    pub infno: String,
    pub med_type: String,
    #[sqlx(try_from = "String")]
    pub status: SettlementStatus,
    pub setl_time: String,
    pub reversed_at: Option<String>,
}

const SETL_COLS: &str = "s.id, s.visit_id, s.chrg_bchno, s.setl_id, s.request_id, s.msgid, \
    s.infno, s.med_type, s.status, s.setl_time, s.reversed_at";

pub async fn insert_settlement(
    conn: &mut AnyConnection,
    s: &NationalSettlementRow,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO national_settlement (visit_id, chrg_bchno, setl_id, request_id, msgid, infno, \
         med_type, status, setl_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(s.visit_id)
    .bind(&s.chrg_bchno)
    .bind(&s.setl_id)
    .bind(&s.request_id)
    .bind(&s.msgid)
    .bind(&s.infno)
    .bind(&s.med_type)
    .bind(s.status.key())
    .bind(&s.setl_time)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The live (not reversed) settlement of a visit's batch.
pub async fn live_settlement(
    conn: &mut AnyConnection,
    visit_id: i64,
    chrg_bchno: &str,
) -> Result<Option<NationalSettlementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SETL_COLS} FROM national_settlement s WHERE s.visit_id = $1 AND s.chrg_bchno = $2 \
         AND s.status = 'settled'"
    ))
    .bind(visit_id)
    .bind(chrg_bchno)
    .fetch_optional(conn)
    .await?)
}

/// Every settlement of a visit, oldest first.
pub async fn settlements_of_visit(
    conn: &mut AnyConnection,
    visit_id: i64,
) -> Result<Vec<NationalSettlementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SETL_COLS} FROM national_settlement s WHERE s.visit_id = $1 ORDER BY s.id"
    ))
    .bind(visit_id)
    .fetch_all(conn)
    .await?)
}

/// The institution's settlement by `setl_id`.
pub async fn find_settlement(
    conn: &mut AnyConnection,
    institution_id: i64,
    setl_id: &str,
) -> Result<Option<NationalSettlementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SETL_COLS} FROM national_settlement s JOIN national_visit v ON v.id = s.visit_id \
         WHERE s.setl_id = $1 AND v.institution_id = $2"
    ))
    .bind(setl_id)
    .bind(institution_id)
    .fetch_optional(conn)
    .await?)
}

/// The institution's settlement made by message `msgid` (for 2601).
pub async fn find_settlement_by_msgid(
    conn: &mut AnyConnection,
    institution_id: i64,
    msgid: &str,
) -> Result<Option<NationalSettlementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SETL_COLS} FROM national_settlement s JOIN national_visit v ON v.id = s.visit_id \
         WHERE s.msgid = $1 AND v.institution_id = $2 ORDER BY s.id DESC LIMIT 1"
    ))
    .bind(msgid)
    .bind(institution_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn mark_settlement_reversed(
    conn: &mut AnyConnection,
    id: i64,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE national_settlement SET status = 'reversed', reversed_at = $1 \
         WHERE id = $2 AND status = 'settled'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
