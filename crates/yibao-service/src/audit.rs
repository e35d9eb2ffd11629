//! The audit chain (审计链): every state change appends an entry in the same transaction as the
//! change. Each entry's hash covers its fields and the previous entry's hash, so altering,
//! removing or reordering entries is detected by `verify`.

use serde::Serialize;
use serde_json::Value;
use yibao_store::audit as store;
pub use yibao_store::audit::{AuditFilter, AuditRow};
use yibao_store::Conn;

use crate::identity::{sha256_hex, Actor};
use crate::{ServiceError, Services};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn digest(v: Option<&Value>) -> String {
    match v {
        // Recorded once and never recomputed from other data, so any stable serialisation will do.
        Some(v) => sha256_hex(&v.to_string()),
        None => String::new(),
    }
}

/// The entry's hash: SHA-256 over a JSON array of its fields and the previous hash (an array,
/// so no field can bleed into the next).
pub fn entry_hash(r: &AuditRow) -> String {
    sha256_hex(
        &serde_json::json!([
            r.seq,
            r.at,
            r.actor_kind,
            r.actor_id,
            r.actor_label,
            r.agency_id,
            r.action,
            r.target_kind,
            r.target_id,
            r.before_sha256,
            r.after_sha256,
            r.summary,
            r.prev_hash
        ])
        .to_string(),
    )
}

/// Appends one entry inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    action: &str,
    target_kind: &str,
    target_id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    summary: &str,
) -> Result<(), ServiceError> {
    let (seq, prev_hash) = store::lock_head(conn).await?;
    let mut row = AuditRow {
        seq,
        at: services.clock().now_text(),
        actor_kind: actor.kind().to_string(),
        actor_id: actor.id(),
        actor_label: actor.label(),
        agency_id: actor.agency_id(),
        action: action.to_string(),
        target_kind: target_kind.to_string(),
        target_id: target_id.to_string(),
        before_sha256: digest(before),
        after_sha256: digest(after),
        summary: summary.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    store::append(conn, &row).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The entry's stored hash does not match its fields.
    Altered,
    /// The entry does not carry its predecessor's hash (inserted, reordered or replaced).
    BrokenLink,
    /// A sequence number is missing.
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub seq: i64,
    pub problem: Problem,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub head_seq: i64,
    /// The head's hash: with `head_seq`, the checkpoint (`SEQ:HASH`) an operator keeps outside
    /// the database and gives back to `verify_against`.
    pub head_hash: String,
    pub ok: bool,
    /// The first problem found walking from the start; later entries are not trusted either.
    pub first_problem: Option<Finding>,
}

/// A head recorded earlier and kept outside the database (`yibao audit verify` prints it as
/// `SEQ:HASH`). The chain and its head row live in one database, so someone who can write there
/// could delete the tail and rewind the head row to match; a checkpoint kept elsewhere catches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for Checkpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Checkpoint, String> {
        let bad = || format!("检查点“{s}”格式不正确，应为 序号:哈希（64位十六进制）");
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if seq < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Checkpoint { seq, hash })
    }
}

/// Walks the whole chain in order and reports the first altered or missing entry.
pub async fn verify(services: &Services) -> Result<VerifyReport, ServiceError> {
    verify_against(services, None).await
}

/// `verify`, and also that the chain still holds the entry a checkpoint recorded, unchanged.
pub async fn verify_against(
    services: &Services,
    checkpoint: Option<&Checkpoint>,
) -> Result<VerifyReport, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let (head_seq, head_hash) = store::head(&mut tx).await?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0;
    let finding = |seq, problem, message: String| Finding {
        seq,
        problem,
        message,
    };
    let mut first = None;
    'walk: loop {
        let page = store::page(&mut tx, expected_seq - 1, 1000).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            if row.seq != expected_seq {
                first = Some(finding(
                    expected_seq,
                    Problem::Missing,
                    format!("第 {expected_seq} 条审计记录缺失"),
                ));
                break 'walk;
            }
            if entry_hash(&row) != row.hash {
                first = Some(finding(
                    row.seq,
                    Problem::Altered,
                    format!("第 {} 条审计记录的内容与其哈希不符，已被改动", row.seq),
                ));
                break 'walk;
            }
            if row.prev_hash != prev {
                first = Some(finding(
                    row.seq,
                    Problem::BrokenLink,
                    format!("第 {} 条审计记录与前一条的哈希链断开", row.seq),
                ));
                break 'walk;
            }
            if let Some(c) = checkpoint.filter(|c| c.seq == row.seq) {
                if c.hash != row.hash {
                    first = Some(finding(
                        row.seq,
                        Problem::Altered,
                        format!(
                            "第 {} 条审计记录与检查点记录的哈希不符，链已被改写",
                            row.seq
                        ),
                    ));
                    break 'walk;
                }
            }
            prev = row.hash;
            entries += 1;
            expected_seq += 1;
        }
    }
    if first.is_none() && (entries != head_seq || prev != head_hash) {
        let seq = entries + 1;
        first = Some(finding(
            seq,
            Problem::Missing,
            format!("审计链末尾缺失记录：链头记到第 {head_seq} 条，实际只有 {entries} 条完整记录"),
        ));
    }
    if let Some(c) = checkpoint.filter(|c| first.is_none() && c.seq > entries) {
        first = Some(finding(
            entries + 1,
            Problem::Missing,
            format!(
                "审计链被截短：检查点记到第 {} 条，现在只有 {entries} 条（末尾记录连同链头一起被删改）",
                c.seq
            ),
        ));
    }
    Ok(VerifyReport {
        entries,
        head_seq,
        head_hash,
        ok: first.is_none(),
        first_problem: first,
    })
}

/// Search for auditors and supervisors (read-only); admins see their own agency's entries.
pub async fn search(
    services: &Services,
    actor: &Actor,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, ServiceError> {
    let staff = actor.staff()?;
    let everything = staff.has_role("auditor");
    if !everything && !staff.has_role("supervisor") {
        return Err(crate::identity::forbidden(
            "auth.forbidden",
            "审计日志仅限审计或监督岗位查阅",
        ));
    }
    let mut tx = services.store().begin_read().await?;
    let rows = store::search(&mut tx, filter, limit.clamp(1, 500)).await?;
    // Supervisors see their own agency's trail; auditors see everything.
    Ok(rows
        .into_iter()
        .filter(|r| everything || r.agency_id == Some(staff.agency_id))
        .collect())
}
