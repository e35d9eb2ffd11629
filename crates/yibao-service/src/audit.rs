//! The audit chain (审计链): every state change appends an entry in the same transaction as the
//! change. Each entry's hash covers its fields and the previous entry's hash, so altering,
//! removing or reordering entries is detected by `verify`.
//!
//! Settlements are too many for one chain with one head lock (it would serialise every
//! settlement's commit), so each person's year has its own chain, appended under the accumulator
//! row lock settlement takes anyway. `seal` anchors those chains in the main chain: its entry's
//! digest covers every chain head that grew since the last seal. ADR 0006.

use serde::Serialize;
use serde_json::Value;
use yibao_domain::staff::StaffRole;
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
/// so no field can bleed into the next). Entries of other chains put their chain's name first;
/// the main chain's hashes are as they were before there were other chains.
pub fn entry_hash(r: &AuditRow) -> String {
    let fields = serde_json::json!([
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
    ]);
    if r.chain.is_empty() {
        sha256_hex(&fields.to_string())
    } else {
        sha256_hex(&serde_json::json!([r.chain, fields]).to_string())
    }
}

/// The chain of a person's settlements and reversals in one year.
pub fn settlement_chain(person_id_number: &str, year: i64) -> String {
    format!("settlement/{person_id_number}/{year}")
}

/// What an entry records besides who and when.
pub struct Entry<'a> {
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    /// SHA-256 of the state before and after ('' when there is none).
    pub before_sha256: String,
    pub after_sha256: String,
    pub summary: &'a str,
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
    let entry = Entry {
        action,
        target_kind,
        target_id,
        before_sha256: digest(before),
        after_sha256: digest(after),
        summary,
    };
    let (seq, hash) = store::lock_head(conn).await?;
    let row = next_entry(services, actor, "", Some((seq - 1, hash)), entry);
    store::append(conn, &row).await?;
    logged(&row);
    Ok(())
}

/// The entry that follows `tail` (the chain's last entry, None for an empty chain), hashed. A
/// settlement chain's caller holds its accumulator row, which keeps the tail, and writes the
/// entry in its own statements.
pub fn next_entry(
    services: &Services,
    actor: &Actor,
    chain: &str,
    tail: Option<(i64, String)>,
    e: Entry<'_>,
) -> AuditRow {
    let (seq, prev_hash) = match tail {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let mut row = AuditRow {
        chain: chain.to_string(),
        seq,
        at: services.clock().now_text(),
        actor_kind: actor.kind().to_string(),
        actor_id: actor.id(),
        actor_label: actor.label(),
        agency_id: actor.agency_id(),
        action: e.action.to_string(),
        target_kind: e.target_kind.to_string(),
        target_id: e.target_id.to_string(),
        before_sha256: e.before_sha256,
        after_sha256: e.after_sha256,
        summary: e.summary.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    row
}

/// The head also leaves the database in the log, so a tail deleted together with its head (or
/// before its seal) can be found against it.
pub fn logged(row: &AuditRow) {
    tracing::info!(target: "yibao::audit", chain = %row.chain, seq = row.seq, hash = %row.hash, action = %row.action, "audit append");
}

/// The digest a seal entry records: over its items in chain order, one line each.
fn seal_digest<'a>(items: impl IntoIterator<Item = &'a store::SealItem>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for i in items {
        h.update(format!("{}\u{1f}{}\u{1f}{}\n", i.chain, i.seq, i.hash).as_bytes());
    }
    crate::identity::hex(&h.finalize())
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SealReport {
    /// The main-chain entries written (one per batch of chains).
    pub seals: i64,
    /// The chain heads they cover.
    pub chains: i64,
}

/// Chains per seal entry: bounds one seal's transaction.
const SEAL_BATCH: i64 = 5_000;

/// Seals every chain that grew since its last seal (封存): a main-chain entry whose digest covers
/// their heads. Safe to run from several processes at once: the main chain's head lock is taken
/// before the heads are read, so a second sealer sees the first one's work.
pub async fn seal(services: &Services, actor: &Actor) -> Result<SealReport, ServiceError> {
    let mut report = SealReport::default();
    loop {
        let mut tx = services.store().begin().await?;
        let (seal_seq, prev_hash) = store::lock_head(&mut tx).await?;
        let heads = store::unsealed_heads(&mut tx, SEAL_BATCH).await?;
        if heads.is_empty() {
            tx.rollback().await.map_err(yibao_store::StoreError::from)?;
            return Ok(report);
        }
        let items: Vec<store::SealItem> = heads
            .into_iter()
            .map(|(chain, seq, hash)| store::SealItem {
                seal_seq,
                chain,
                seq,
                hash,
            })
            .collect();
        store::insert_seal(&mut tx, &items).await?;
        let n = items.len() as i64;
        let mut row = AuditRow {
            chain: String::new(),
            seq: seal_seq,
            at: services.clock().now_text(),
            actor_kind: actor.kind().to_string(),
            actor_id: actor.id(),
            actor_label: actor.label(),
            agency_id: actor.agency_id(),
            action: store::SEAL_ACTION.to_string(),
            target_kind: "audit_chain".into(),
            target_id: n.to_string(),
            before_sha256: String::new(),
            after_sha256: seal_digest(&items),
            summary: format!("封存 {n} 条结算审计链的链头"),
            prev_hash,
            hash: String::new(),
        };
        row.hash = entry_hash(&row);
        store::append(&mut tx, &row).await?;
        tx.commit().await.map_err(yibao_store::StoreError::from)?;
        tracing::info!(target: "yibao::audit", seq = row.seq, hash = %row.hash, chains = n, "audit seal");
        report.seals += 1;
        report.chains += n;
        if n < SEAL_BATCH {
            return Ok(report);
        }
    }
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
    /// '' for the main chain.
    pub chain: String,
    pub seq: i64,
    pub problem: Problem,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Entries of the main chain.
    pub entries: i64,
    pub head_seq: i64,
    /// The head's hash: with `head_seq`, the checkpoint (`SEQ:HASH`) an operator keeps outside
    /// the database and gives back to `verify_against`.
    pub head_hash: String,
    /// Settlement chains and their entries.
    pub chains: i64,
    pub chain_entries: i64,
    /// Settlement-chain entries not yet covered by a seal: a deleted tail among them would only
    /// show against the log (see ADR 0006).
    pub unsealed: i64,
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

const PAGE: i64 = 1000;

fn finding(chain: &str, seq: i64, problem: Problem, message: String) -> Finding {
    Finding {
        chain: chain.to_string(),
        seq,
        problem,
        message,
    }
}

/// `verify`, and also that the chain still holds the entry a checkpoint recorded, unchanged.
/// Walks the main chain, then checks every seal's digest against its items, then walks every
/// settlement chain against the heads its seals recorded. Pages throughout: memory stays small
/// whatever the chains' length.
pub async fn verify_against(
    services: &Services,
    checkpoint: Option<&Checkpoint>,
) -> Result<VerifyReport, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let (head_seq, head_hash) = store::head(&mut tx).await?;
    let (entries, first) = walk_main(&mut tx, checkpoint, head_seq, &head_hash).await?;
    let first = match first {
        Some(f) => Some(f),
        None => check_seals(&mut tx).await?,
    };
    let (chains, chain_entries, first) = match first {
        Some(f) => (0, 0, Some(f)),
        None => walk_chains(&mut tx).await?,
    };
    let unsealed = store::unsealed_count(&mut tx).await?;
    Ok(VerifyReport {
        entries,
        head_seq,
        head_hash,
        chains,
        chain_entries,
        unsealed,
        ok: first.is_none(),
        first_problem: first,
    })
}

async fn walk_main(
    tx: &mut Conn,
    checkpoint: Option<&Checkpoint>,
    head_seq: i64,
    head_hash: &str,
) -> Result<(i64, Option<Finding>), ServiceError> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0;
    loop {
        let page = store::page(tx, expected_seq - 1, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            if row.seq != expected_seq {
                let m = format!("第 {expected_seq} 条审计记录缺失");
                return Ok((
                    entries,
                    Some(finding("", expected_seq, Problem::Missing, m)),
                ));
            }
            if let Some(f) = check_entry(&row, &prev) {
                return Ok((entries, Some(f)));
            }
            if let Some(c) = checkpoint.filter(|c| c.seq == row.seq && c.hash != row.hash) {
                let m = format!("第 {} 条审计记录与检查点记录的哈希不符，链已被改写", c.seq);
                return Ok((entries, Some(finding("", row.seq, Problem::Altered, m))));
            }
            prev = row.hash;
            entries += 1;
            expected_seq += 1;
        }
    }
    if entries != head_seq || prev != head_hash {
        let m =
            format!("审计链末尾缺失记录：链头记到第 {head_seq} 条，实际只有 {entries} 条完整记录");
        return Ok((entries, Some(finding("", entries + 1, Problem::Missing, m))));
    }
    if let Some(c) = checkpoint.filter(|c| c.seq > entries) {
        let m = format!(
            "审计链被截短：检查点记到第 {} 条，现在只有 {entries} 条（末尾记录连同链头一起被删改）",
            c.seq
        );
        return Ok((entries, Some(finding("", entries + 1, Problem::Missing, m))));
    }
    Ok((entries, None))
}

/// An entry's own hash and its link to its predecessor.
fn check_entry(row: &AuditRow, prev: &str) -> Option<Finding> {
    let name = chain_name(&row.chain);
    if entry_hash(row) != row.hash {
        let m = format!(
            "{name}第 {} 条审计记录的内容与其哈希不符，已被改动",
            row.seq
        );
        return Some(finding(&row.chain, row.seq, Problem::Altered, m));
    }
    if row.prev_hash != prev {
        let m = format!("{name}第 {} 条审计记录与前一条的哈希链断开", row.seq);
        return Some(finding(&row.chain, row.seq, Problem::BrokenLink, m));
    }
    None
}

fn chain_name(chain: &str) -> String {
    if chain.is_empty() {
        String::new()
    } else {
        format!("审计链 {chain} ")
    }
}

/// The order seal items are read in.
#[derive(Clone, Copy)]
enum ItemOrder {
    /// By seal, then chain: to check each seal's digest.
    BySeal,
    /// By chain, then sequence number: to check each chain against its seals.
    ByChain,
}

/// Seal items in one order, a page at a time.
struct SealItems {
    order: ItemOrder,
    /// The last item read (keyset position).
    after: store::SealItem,
    buf: std::collections::VecDeque<store::SealItem>,
    done: bool,
}

impl SealItems {
    fn new(order: ItemOrder) -> SealItems {
        SealItems {
            order,
            after: store::SealItem {
                seal_seq: 0,
                chain: String::new(),
                seq: 0,
                hash: String::new(),
            },
            buf: Default::default(),
            done: false,
        }
    }

    async fn peek(&mut self, tx: &mut Conn) -> Result<Option<&store::SealItem>, ServiceError> {
        if self.buf.is_empty() && !self.done {
            let a = &self.after;
            let page = match self.order {
                ItemOrder::BySeal => {
                    store::seal_items_by_seal(tx, (a.seal_seq, &a.chain), PAGE).await?
                }
                ItemOrder::ByChain => {
                    store::seal_items_by_chain(tx, (&a.chain, a.seq), PAGE).await?
                }
            };
            self.done = (page.len() as i64) < PAGE;
            if let Some(last) = page.last() {
                self.after = last.clone();
            }
            self.buf.extend(page);
        }
        Ok(self.buf.front())
    }
}

/// Every seal entry's digest against the items recorded for it; items without a seal entry are
/// an alteration too.
async fn check_seals(tx: &mut Conn) -> Result<Option<Finding>, ServiceError> {
    let mut items = SealItems::new(ItemOrder::BySeal);
    let mut after = 0;
    loop {
        let seals = store::seal_entries(tx, after, PAGE).await?;
        if seals.is_empty() {
            break;
        }
        for s in seals {
            let mut mine = Vec::new();
            while let Some(i) = items.peek(tx).await? {
                if i.seal_seq > s.seq {
                    break;
                }
                if i.seal_seq < s.seq {
                    let m = format!("第 {} 条封存记录不存在，却有其封存的链头", i.seal_seq);
                    return Ok(Some(finding("", i.seal_seq, Problem::Altered, m)));
                }
                mine.extend(items.buf.pop_front());
            }
            if seal_digest(&mine) != s.after_sha256 {
                let m = format!(
                    "第 {} 条审计记录（封存）所列的链头与其摘要不符，已被改动",
                    s.seq
                );
                return Ok(Some(finding("", s.seq, Problem::Altered, m)));
            }
            after = s.seq;
        }
    }
    if let Some(i) = items.peek(tx).await? {
        let m = format!("第 {} 条封存记录不存在，却有其封存的链头", i.seal_seq);
        return Ok(Some(finding("", i.seal_seq, Problem::Altered, m)));
    }
    Ok(None)
}

fn truncated(i: &store::SealItem, have: i64) -> Finding {
    let m = format!(
        "审计链 {} 被截短：第 {} 条封存记录记到第 {} 条，现在只有 {have} 条（末尾记录被删除）",
        i.chain, i.seal_seq, i.seq
    );
    finding(&i.chain, have + 1, Problem::Missing, m)
}

/// The chain heads kept on accumulator rows, as (chain, seq, hash), a page at a time.
struct RowHeads {
    after: (String, i64),
    buf: std::collections::VecDeque<(String, i64, String)>,
    done: bool,
}

impl RowHeads {
    async fn peek(
        &mut self,
        tx: &mut Conn,
    ) -> Result<Option<&(String, i64, String)>, ServiceError> {
        if self.buf.is_empty() && !self.done {
            let page =
                yibao_store::settlement::chain_heads_page(tx, (&self.after.0, self.after.1), PAGE)
                    .await?;
            self.done = (page.len() as i64) < PAGE;
            if let Some((person, year, _, _)) = page.last() {
                self.after = (person.clone(), *year);
            }
            self.buf.extend(
                page.into_iter()
                    .map(|(person, year, seq, hash)| (settlement_chain(&person, year), seq, hash)),
            );
        }
        Ok(self.buf.front())
    }

    /// Checks every head up to `chain` (whose walk ended at `last`, `hash`): a head for a chain
    /// with no rows, or past the chain's end, means entries were deleted; one behind it or with
    /// another hash means the chain or its head was rewritten.
    async fn check_up_to(
        &mut self,
        tx: &mut Conn,
        chain: Option<&str>,
        last: i64,
        hash: &str,
    ) -> Result<Option<Finding>, ServiceError> {
        while let Some((c, seq, h)) = self.peek(tx).await? {
            if chain.is_some_and(|chain| c.as_str() > chain) {
                return Ok(None);
            }
            let here = chain == Some(c.as_str());
            let have = if here { last } else { 0 };
            if *seq > have {
                let m = format!(
                    "审计链 {c} 末尾缺失记录：累计记录的链头记到第 {seq} 条，现在只有 {have} 条"
                );
                return Ok(Some(finding(c, have + 1, Problem::Missing, m)));
            }
            if *seq < have || h != hash {
                let m = format!("审计链 {c} 与累计记录的链头（第 {seq} 条）不符，链或链头已被改写");
                return Ok(Some(finding(c, *seq, Problem::Altered, m)));
            }
            self.buf.pop_front();
        }
        Ok(None)
    }
}

/// Every settlement chain: contiguous, each entry intact and linked, and holding, unchanged,
/// every head a seal recorded for it.
async fn walk_chains(tx: &mut Conn) -> Result<(i64, i64, Option<Finding>), ServiceError> {
    let mut items = SealItems::new(ItemOrder::ByChain);
    let mut heads = RowHeads {
        after: (String::new(), 0),
        buf: Default::default(),
        done: false,
    };
    let (mut chains, mut entries) = (0, 0);
    let mut chain = String::new();
    let mut last = 0;
    let mut prev = GENESIS.to_string();
    let mut after = (String::new(), 0);
    loop {
        let page = store::chains_page(tx, (&after.0, after.1), PAGE).await?;
        if page.is_empty() {
            break;
        }
        after = page
            .last()
            .map(|r| (r.chain.clone(), r.seq))
            .unwrap_or_default();
        for row in page {
            if row.chain != chain {
                // Seals recorded past the end of the previous chain, or for chains with no rows.
                if let Some(i) = items.peek(tx).await?.filter(|i| i.chain < row.chain) {
                    let have = if i.chain == chain { last } else { 0 };
                    return Ok((chains, entries, Some(truncated(i, have))));
                }
                if !chain.is_empty() {
                    if let Some(f) = heads.check_up_to(tx, Some(&chain), last, &prev).await? {
                        return Ok((chains, entries, Some(f)));
                    }
                }
                chain = row.chain.clone();
                chains += 1;
                last = 0;
                prev = GENESIS.to_string();
            }
            if row.seq != last + 1 {
                let m = format!("审计链 {chain} 第 {} 条审计记录缺失", last + 1);
                return Ok((
                    chains,
                    entries,
                    Some(finding(&chain, last + 1, Problem::Missing, m)),
                ));
            }
            if let Some(f) = check_entry(&row, &prev) {
                return Ok((chains, entries, Some(f)));
            }
            while let Some(i) = items.peek(tx).await? {
                if i.chain != row.chain || i.seq > row.seq {
                    break;
                }
                if i.seq == row.seq && i.hash != row.hash {
                    let m = format!(
                        "审计链 {chain} 第 {} 条审计记录与第 {} 条封存记录的哈希不符，链已被改写",
                        row.seq, i.seal_seq
                    );
                    return Ok((
                        chains,
                        entries,
                        Some(finding(&chain, row.seq, Problem::Altered, m)),
                    ));
                }
                items.buf.pop_front();
            }
            last = row.seq;
            prev = row.hash;
            entries += 1;
        }
    }
    if let Some(i) = items.peek(tx).await? {
        let have = if i.chain == chain { last } else { 0 };
        return Ok((chains, entries, Some(truncated(i, have))));
    }
    if !chain.is_empty() {
        if let Some(f) = heads.check_up_to(tx, Some(&chain), last, &prev).await? {
            return Ok((chains, entries, Some(f)));
        }
    }
    // Heads of chains after the last one walked (or of any, if none was).
    let f = heads.check_up_to(tx, None, 0, "").await?;
    Ok((chains, entries, f))
}

/// Search for auditors and supervisors (read-only); admins see their own agency's entries.
pub async fn search(
    services: &Services,
    actor: &Actor,
    filter: &AuditFilter,
    window: yibao_store::search::Window,
) -> Result<yibao_store::search::Found<AuditRow>, ServiceError> {
    let staff = actor.staff()?;
    let everything = staff.has_role(StaffRole::Auditor);
    if !everything && !staff.has_role(StaffRole::Supervisor) {
        return Err(crate::identity::forbidden(
            "auth.forbidden",
            "审计日志仅限审计或监督岗位查阅",
        ));
    }
    let mut tx = services.store().begin_read().await?;
    // Supervisors see their own agency's trail; auditors see everything.
    let agency = (!everything).then_some(staff.agency_id);
    Ok(store::search(&mut tx, filter, agency, window).await?)
}
