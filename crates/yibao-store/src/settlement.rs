//! Accumulators (年度累计) per person and year, and the settlement ledger.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::codes::SettlementStatus;

use crate::audit::AuditRow;
use crate::error::StoreError;
use crate::search::{any_contains, contains_pattern, Found, Window};

/// Takes the person's accumulator row for this transaction (creating it from `initial` if the
/// year has none): the update takes the row lock, so two counters settling the same person
/// wait for each other instead of both using the same deductible. Returns the state and the head
/// (sequence number, hash) of the person's year audit chain kept on the row, whose appends the
/// same lock serialises. (Read from the row, not from audit_log: after waiting for the lock,
/// PostgreSQL re-reads the updated row, but a subquery would still see the statement's older
/// snapshot.)
pub async fn lock_accumulator(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
    initial: &str,
    now: &str,
) -> Result<(String, Option<(i64, String)>), StoreError> {
    let (state, seq, hash): (String, i64, String) = sqlx::query_as(
        "INSERT INTO accumulator (person_id_number, year, state_json, version, updated_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (person_id_number, year) \
         DO UPDATE SET version = accumulator.version + 1 \
         RETURNING state_json, audit_seq, audit_hash",
    )
    .bind(person)
    .bind(year)
    .bind(initial)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((state, (seq > 0).then_some((seq, hash))))
}

/// What a settlement reads first, and its lock (`open_settlement`).
#[derive(Debug)]
pub struct Opened {
    /// The person's active coverage, and whether they hold a medical-aid recognition; `None`
    /// when they have no active coverage (the settlement is then refused and rolled back).
    pub coverage: Option<(crate::coverage::CoverageRow, bool)>,
    /// The holder whose account the person may draw on (家庭共济), if any.
    pub holder: Option<String>,
    /// The person-year's accumulator state and audit-chain tail, read under its row lock.
    pub state: String,
    pub tail: Option<(i64, String)>,
}

/// What [`open_settlement`] and [`peek_settlement`] read in their one statement on PostgreSQL.
#[derive(sqlx::FromRow)]
struct OpenedRow {
    #[sqlx(flatten)]
    coverage: crate::coverage::CoverageRow,
    has_aid: i64,
    holder: Option<String>,
    state_json: Option<String>,
    audit_seq: Option<i64>,
    audit_hash: Option<String>,
}

/// The person's latest active coverage, the aid flag and a linked account's holder ($1 the
/// person), beside the person-year's accumulator row as the CTE `acc` gives it (none when it
/// has no row): no row at all when the person has no active coverage.
const OPENED_SELECT: &str = "SELECT c.id, c.person_id, c.scheme, c.category, c.employer_id, \
     c.region_code, c.status, c.registered_on, c.start_date, c.end_date, c.case_number, \
     c.created_at, c.updated_at, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM aid_status a WHERE a.person_id_number = $1) \
     THEN 1 ELSE 0 END AS BIGINT) AS has_aid, \
     (SELECT holder_id_number FROM account_link WHERE user_id_number = $1 \
      AND revoked_at IS NULL) AS holder, \
     acc.state_json, acc.audit_seq, acc.audit_hash \
     FROM (SELECT c.* FROM coverage c JOIN person p ON p.id = c.person_id \
      WHERE p.id_number = $1 AND c.status = 'active' ORDER BY c.id DESC LIMIT 1) c \
     LEFT JOIN acc ON true";

/// What a settlement without a lock read of the person-year (`peek_settlement`).
#[derive(Debug)]
pub struct Peeked {
    /// As in [`Opened`].
    pub coverage: Option<(crate::coverage::CoverageRow, bool)>,
    pub holder: Option<String>,
    /// The accumulator row's state and chain head as read; `None` when the year has no row yet.
    pub row: Option<(String, i64, String)>,
}

impl Peeked {
    /// The guard under which a write of what was decided from this read may land.
    pub fn guard(&self) -> Guard<'_> {
        match &self.row {
            Some((state, seq, _)) => Guard::Unchanged { state, seq: *seq },
            None => Guard::Absent,
        }
    }

    /// The chain head to append after, as [`Opened::tail`].
    pub fn tail(&self) -> Option<(i64, String)> {
        self.row
            .as_ref()
            .and_then(|(_, seq, hash)| (*seq > 0).then(|| (*seq, hash.clone())))
    }
}

/// PostgreSQL, outside a transaction: what [`open_settlement`] reads, without taking the lock.
/// The write that follows is guarded by what was read ([`Peeked::guard`]) and refused
/// (`StoreError::Stale`) if the person-year changed in between, so nothing is decided on a
/// state that is no longer the latest.
pub async fn peek_settlement(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
) -> Result<Peeked, StoreError> {
    // Put together once: this runs for every settlement.
    static PEEK: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH acc AS (SELECT state_json, audit_seq, audit_hash FROM accumulator \
             WHERE person_id_number = $1 AND year = $2) {OPENED_SELECT}"
        )
    });
    let row: Option<OpenedRow> = sqlx::query_as(PEEK.as_str())
        .bind(person)
        .bind(year)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        None => Peeked {
            coverage: None,
            holder: None,
            row: None,
        },
        Some(r) => Peeked {
            row: match (r.state_json, r.audit_seq, r.audit_hash) {
                (Some(state), Some(seq), Some(hash)) => Some((state, seq, hash)),
                _ => None,
            },
            coverage: Some((r.coverage, r.has_aid != 0)),
            holder: r.holder,
        },
    })
}

/// The settlement path's first reads and its lock: the person's active coverage (with the aid
/// flag), the holder of a linked account, and the person-year's accumulator row locked as
/// [`lock_accumulator`] does. PostgreSQL answers them in one statement (the lock in CTEs, which
/// run whether or not the person has coverage), so the hot path makes one round trip where it
/// made three; SQLite runs them in turn. The coverage and link
/// are read in the statement's snapshot, as they were by separate reads before the lock.
pub async fn open_settlement(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
    initial: &str,
    now: &str,
) -> Result<Opened, StoreError> {
    if conn.backend_name() != "PostgreSQL" {
        let coverage = crate::coverage::active_for_settlement(conn, person).await?;
        let holder = crate::account::active_holder_of(conn, person).await?;
        let (state, tail) = lock_accumulator(conn, person, year, initial, now).await?;
        return Ok(Opened {
            coverage,
            holder,
            state,
            tail,
        });
    }
    // The lock: a new person-year's row is inserted (`ins`); an existing one is locked with
    // `FOR UPDATE` (`lk`), which after waiting for another holder returns the version that one
    // committed. Unlike an upsert, locking writes no new row version. Both see the statement's
    // snapshot, so at most one of them returns the row; neither does when another transaction
    // inserted the row after the snapshot was taken (the insert then waits for it and does
    // nothing), and the upsert of `lock_accumulator` takes the lock instead.
    let row: Option<OpenedRow> = sqlx::query_as(&format!(
        "WITH ins AS (INSERT INTO accumulator (person_id_number, year, state_json, version, \
         updated_at) SELECT $1, $2, $3, 0, $4 WHERE NOT EXISTS (SELECT 1 FROM accumulator \
         WHERE person_id_number = $1 AND year = $2) \
         ON CONFLICT (person_id_number, year) DO NOTHING \
         RETURNING state_json, audit_seq, audit_hash), \
         lk AS (SELECT state_json, audit_seq, audit_hash FROM accumulator \
         WHERE person_id_number = $1 AND year = $2 FOR UPDATE), \
         acc AS (SELECT * FROM ins UNION ALL SELECT * FROM lk) {OPENED_SELECT}"
    ))
    .bind(person)
    .bind(year)
    .bind(initial)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        // No active coverage: the settlement is refused (and rolled back) before it needs the
        // accumulators.
        return Ok(Opened {
            coverage: None,
            holder: None,
            state: String::new(),
            tail: None,
        });
    };
    let (state, tail) = match (r.state_json, r.audit_seq, r.audit_hash) {
        (Some(state), Some(seq), Some(hash)) => (state, (seq > 0).then_some((seq, hash))),
        _ => lock_accumulator(conn, person, year, initial, now).await?,
    };
    Ok(Opened {
        coverage: Some((r.coverage, r.has_aid != 0)),
        holder: r.holder,
        state,
        tail,
    })
}

/// Takes many person-years' accumulator rows under their row locks at once: the batch form of
/// `lock_accumulator` (the monthly contribution run). `rows` are (person, year, state if new),
/// each person-year once. A missing row is created with its given state (the caller computed it
/// from the initial state, which a new row has; no other transaction can touch it before this
/// one commits); an existing row is locked and read as the last transaction to hold it left it.
/// Returns the person-years created, and (person, year, state) of those that existed.
///
/// PostgreSQL: `SELECT … FOR UPDATE` of the rows in key order (it waits for a transaction
/// holding one of them, such as a settlement, and returns its committed state); then, for those
/// missing, `INSERT … ON CONFLICT DO NOTHING RETURNING` in key order; a row another transaction
/// created in between (the insert waits for it and leaves it) is then locked and read like the
/// first ones. SQLite (one writer, held by the transaction): one insert and, for a row that
/// existed, one read per row.
pub async fn lock_accumulators(
    conn: &mut AnyConnection,
    rows: &[(&str, i64, String)],
    now: &str,
) -> Result<LockedAccumulators, StoreError> {
    let mut locked = LockedAccumulators::default();
    if conn.backend_name() != "PostgreSQL" {
        for (person, year, state) in rows {
            let done = sqlx::query(
                "INSERT INTO accumulator (person_id_number, year, state_json, version, updated_at) \
                 VALUES ($1, $2, $3, 0, $4) ON CONFLICT (person_id_number, year) DO NOTHING",
            )
            .bind(person)
            .bind(year)
            .bind(state)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 1 {
                locked.created.insert((person.to_string(), *year));
            } else if let Some(s) = read_accumulator(conn, person, *year).await? {
                locked.existing.push((person.to_string(), *year, s));
            }
        }
        return Ok(locked);
    }
    if rows.is_empty() {
        return Ok(locked);
    }
    let keys = |only: &dyn Fn(&str, i64) -> bool| {
        to_json(
            &rows
                .iter()
                .filter(|(p, y, _)| only(p, *y))
                .map(|(p, y, _)| serde_json::json!({"p": p, "y": y}))
                .collect::<Vec<_>>(),
        )
    };
    const LOCK: &str = "SELECT a.person_id_number, a.year, a.state_json FROM accumulator a \
         JOIN json_to_recordset($1::json) AS x(p TEXT, y BIGINT) \
           ON a.person_id_number = x.p AND a.year = x.y \
         ORDER BY a.person_id_number, a.year FOR UPDATE OF a";
    locked.existing = sqlx::query_as(LOCK)
        .bind(keys(&|_, _| true)?)
        .fetch_all(&mut *conn)
        .await?;
    if locked.existing.len() == rows.len() {
        return Ok(locked);
    }
    let found: std::collections::HashSet<(&str, i64)> = locked
        .existing
        .iter()
        .map(|(p, y, _)| (p.as_str(), *y))
        .collect();
    let missing = to_json(
        &rows
            .iter()
            .filter(|(p, y, _)| !found.contains(&(*p, *y)))
            .map(|(p, y, s)| serde_json::json!({"p": p, "y": y, "s": s}))
            .collect::<Vec<_>>(),
    )?;
    let missing_count = rows.len() - found.len();
    drop(found);
    let created: Vec<(String, i64)> = sqlx::query_as(
        "INSERT INTO accumulator (person_id_number, year, state_json, version, updated_at) \
         SELECT x.p, x.y, x.s, 0, $2 FROM json_to_recordset($1::json) AS x(p TEXT, y BIGINT, s TEXT) \
         ORDER BY x.p, x.y \
         ON CONFLICT (person_id_number, year) DO NOTHING RETURNING person_id_number, year",
    )
    .bind(missing)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    locked.created = created.into_iter().collect();
    if locked.created.len() < missing_count {
        let taken: std::collections::HashSet<(String, i64)> = locked
            .existing
            .iter()
            .map(|(p, y, _)| (p.clone(), *y))
            .collect();
        let raced = keys(&|p, y| {
            let k = (p.to_string(), y);
            !taken.contains(&k) && !locked.created.contains(&k)
        })?;
        let more: Vec<(String, i64, String)> =
            sqlx::query_as(LOCK).bind(raced).fetch_all(conn).await?;
        locked.existing.extend(more);
    }
    Ok(locked)
}

/// What `lock_accumulators` took.
#[derive(Debug, Default)]
pub struct LockedAccumulators {
    /// Rows created with the state given.
    pub created: std::collections::HashSet<(String, i64)>,
    /// Rows that existed: (person, year, state).
    pub existing: Vec<(String, i64, String)>,
}

/// Writes many person-years' accumulator states (rows the caller holds under their locks):
/// (person, year, state). One statement on PostgreSQL, one per row on SQLite.
pub async fn write_accumulators(
    conn: &mut AnyConnection,
    rows: &[(&str, i64, String)],
    now: &str,
) -> Result<(), StoreError> {
    if conn.backend_name() != "PostgreSQL" {
        for (person, year, state) in rows {
            write_accumulator(conn, person, *year, state, now).await?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        return Ok(());
    }
    let json = to_json(
        &rows
            .iter()
            .map(|(p, y, s)| serde_json::json!({"p": p, "y": y, "s": s}))
            .collect::<Vec<_>>(),
    )?;
    sqlx::query(
        "UPDATE accumulator SET state_json = x.s, updated_at = $2, \
         version = accumulator.version + 1 \
         FROM json_to_recordset($1::json) AS x(p TEXT, y BIGINT, s TEXT) \
         WHERE accumulator.person_id_number = x.p AND accumulator.year = x.y",
    )
    .bind(json)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("batch rows: {e}")))
}

/// The heads of settlement chains kept on accumulator rows: (person, year, seq, hash), for rows
/// with a chain, after `(person, year)`, in bytewise order (that of the chains' names, since ID
/// numbers have one length and years four digits).
pub async fn chain_heads_page(
    conn: &mut AnyConnection,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<(String, i64, i64, String)>, StoreError> {
    let person = if conn.backend_name() == "PostgreSQL" {
        "person_id_number COLLATE \"C\""
    } else {
        "person_id_number"
    };
    Ok(sqlx::query_as(&format!(
        "SELECT person_id_number, year, audit_seq, audit_hash FROM accumulator \
         WHERE audit_seq > 0 AND ({person} > $1 OR (person_id_number = $1 AND year > $2)) \
         ORDER BY {person}, year LIMIT $3"
    ))
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Appends an entry to a person's year chain and moves the head kept on the accumulator row
/// (locked by `lock_accumulator`).
pub async fn append_chain_entry(conn: &mut AnyConnection, e: &AuditRow) -> Result<(), StoreError> {
    crate::audit::append(conn, e).await?;
    let (person, year) = chain_key(e)?;
    sqlx::query(
        "UPDATE accumulator SET audit_seq = $1, audit_hash = $2 \
         WHERE person_id_number = $3 AND year = $4",
    )
    .bind(e.seq)
    .bind(&e.hash)
    .bind(person)
    .bind(year)
    .execute(conn)
    .await?;
    Ok(())
}

/// The accumulator row a settlement chain belongs to: `settlement/{person}/{year}`.
fn chain_key(e: &AuditRow) -> Result<(&str, i64), StoreError> {
    e.chain
        .strip_prefix("settlement/")
        .and_then(|rest| rest.rsplit_once('/'))
        .and_then(|(person, year)| Some((person, year.parse().ok()?)))
        .ok_or_else(|| StoreError::Corrupt(format!("not a settlement chain: {}", e.chain)))
}

pub async fn read_accumulator(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT state_json FROM accumulator WHERE person_id_number = $1 AND year = $2",
    )
    .bind(person)
    .bind(year)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn write_accumulator(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
    state: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE accumulator SET state_json = $1, updated_at = $2 \
         WHERE person_id_number = $3 AND year = $4",
    )
    .bind(state)
    .bind(now)
    .bind(person)
    .bind(year)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SettlementRow {
    pub id: i64,
    pub institution_id: i64,
    pub request_id: String,
    pub payload_sha256: String,
    pub person_id_number: String,
    pub year: i64,
    pub admission_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: SettlementStatus,
    pub result_json: String,
    pub deltas_json: String,
    pub created_at: String,
    pub reversed_at: Option<String>,
    #[sqlx(flatten)]
    pub sums: LedgerSums,
}

/// What the monthly reconciliation adds up of a settlement (its Beijing month, scheme, visit
/// type and the split), kept as columns beside the stored result.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct LedgerSums {
    /// `YYYY-MM`, the Beijing date's month when it was settled.
    pub month: String,
    pub scheme: String,
    pub visit_type: String,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    /// The insured (pooling) region whose policy applied: cross-province clearing states care
    /// here for persons insured in another province (migration 0054).
    pub insured_region: String,
}

const COLS: &str = "id, institution_id, request_id, payload_sha256, person_id_number, year, \
                    admission_id, status, result_json, deltas_json, created_at, reversed_at, \
                    month, scheme, visit_type, total_fen, pooled_fen, critical_fen, aid_fen, \
                    account_fen, cash_fen, insured_region";

const INSERT: &str = "INSERT INTO settlement (institution_id, request_id, payload_sha256, \
     person_id_number, year, admission_id, status, result_json, deltas_json, created_at, \
     month, scheme, visit_type, total_fen, pooled_fen, critical_fen, aid_fen, account_fen, cash_fen, \
     insured_region)";

/// Appends a ledger row alone (the bulk and test paths; settlements go through [`record`]). On
/// PostgreSQL its idempotency key is written in the same statement (migration 0052).
pub async fn insert(conn: &mut AnyConnection, s: &SettlementRow) -> Result<i64, StoreError> {
    let values = "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                  $17, $18, $19, $20) RETURNING id";
    let sql = if conn.backend_name() == "PostgreSQL" {
        format!("WITH s AS ({INSERT} {values}){KEY_ROW} SELECT id FROM s")
    } else {
        format!("{INSERT} {values}")
    };
    let (id,): (i64,) = sqlx::query_as(&sql)
        .bind(s.institution_id)
        .bind(&s.request_id)
        .bind(&s.payload_sha256)
        .bind(&s.person_id_number)
        .bind(s.year)
        .bind(&s.admission_id)
        .bind(s.status.key())
        .bind(&s.result_json)
        .bind(&s.deltas_json)
        .bind(&s.created_at)
        .bind(&s.sums.month)
        .bind(&s.sums.scheme)
        .bind(&s.sums.visit_type)
        .bind(s.sums.total_fen)
        .bind(s.sums.pooled_fen)
        .bind(s.sums.critical_fen)
        .bind(s.sums.aid_fen)
        .bind(s.sums.account_fen)
        .bind(s.sums.cash_fen)
        .bind(&s.sums.insured_region)
        .fetch_one(conn)
        .await?;
    Ok(id)
}

/// The PostgreSQL ledger's idempotency key (migration 0052), as one more part of the CTE that
/// inserts the row as `s`: $1 institution, $2 request id, and the month bound as $11 in
/// [`insert`]. A second settlement of the same request, in any month, fails here with a unique
/// violation (`StoreError::Conflict`); a concurrent one waits for the first to commit.
const KEY_ROW: &str = ", k AS (INSERT INTO settlement_request (institution_id, request_id, \
     settlement_id, month) SELECT $1, $2, id, $11 FROM s)";

pub async fn find(
    conn: &mut AnyConnection,
    institution_id: i64,
    request_id: &str,
) -> Result<Option<SettlementRow>, StoreError> {
    // PostgreSQL: through the key table, which names the row's month (its one partition).
    let sql = if conn.backend_name() == "PostgreSQL" {
        format!(
            "SELECT {} FROM settlement_request k JOIN settlement s \
             ON s.id = k.settlement_id AND s.month = k.month \
             WHERE k.institution_id = $1 AND k.request_id = $2",
            COLS.split(", ")
                .map(|c| format!("s.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!("SELECT {COLS} FROM settlement WHERE institution_id = $1 AND request_id = $2")
    };
    Ok(sqlx::query_as(&sql)
        .bind(institution_id)
        .bind(request_id)
        .fetch_optional(conn)
        .await?)
}

/// Marks the settlement `id` of `month` (its ledger month, which names its partition on
/// PostgreSQL, so that the update looks in that one) reversed, if it stands.
pub async fn mark_reversed(
    conn: &mut AnyConnection,
    id: i64,
    month: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE settlement SET status = 'reversed', reversed_at = $1 \
         WHERE id = $2 AND month = $3 AND status = 'settled'",
    )
    .bind(now)
    .bind(id)
    .bind(month)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How a settlement's write knows the person-year is still as the settlement read it.
#[derive(Debug, Clone, Copy)]
pub enum Guard<'a> {
    /// This transaction holds the accumulator row's lock ([`open_settlement`]).
    Locked,
    /// Nothing is locked ([`peek_settlement`]): the row must still hold this state and chain
    /// head. Every writer of the row changes one of them (a settlement moves the head).
    Unchanged { state: &'a str, seq: i64 },
    /// Nothing is locked and the year had no row: the write creates it.
    Absent,
}

/// Writes the accumulators, appends the settlement, its idempotency key and its audit entry: on
/// PostgreSQL in one statement (a data-modifying CTE; the settlement path's round trips are most
/// of its cost); SQLite runs them in turn (in-process, a round trip costs nothing there).
///
/// The accumulator's write comes first and the inserts take their rows from it, so under a
/// [`Guard`] that no longer holds nothing at all is written and the answer is
/// `StoreError::Stale`.
///
/// `account`: the statement line of what the personal account paid, if it paid anything (on
/// PostgreSQL one more insert in the same statement).
pub async fn record(
    conn: &mut AnyConnection,
    guard: Guard<'_>,
    state: &str,
    s: &SettlementRow,
    audit: &AuditRow,
    account: Option<&crate::account::EntryRow>,
) -> Result<i64, StoreError> {
    if chain_key(audit)? != (s.person_id_number.as_str(), s.year) {
        return Err(StoreError::Corrupt(format!(
            "settlement audit entry in another chain: {}",
            audit.chain
        )));
    }
    let stale = || {
        StoreError::Stale(format!(
            "accumulator {}/{} changed since it was read",
            s.person_id_number, s.year
        ))
    };
    if conn.backend_name() != "PostgreSQL" {
        // The caller holds SQLite's one write transaction: a guard is checked by reading.
        if !matches!(guard, Guard::Locked) {
            let row: Option<(String, i64)> = sqlx::query_as(
                "SELECT state_json, audit_seq FROM accumulator \
                 WHERE person_id_number = $1 AND year = $2",
            )
            .bind(&s.person_id_number)
            .bind(s.year)
            .fetch_optional(&mut *conn)
            .await?;
            match (guard, row) {
                (Guard::Unchanged { state, seq }, Some((now_state, now_seq)))
                    if now_state == state && now_seq == seq => {}
                (Guard::Absent, None) => {
                    lock_accumulator(conn, &s.person_id_number, s.year, state, &s.created_at)
                        .await?;
                }
                _ => return Err(stale()),
            }
        }
        write_accumulator(conn, &s.person_id_number, s.year, state, &s.created_at).await?;
        append_chain_entry(conn, audit).await?;
        if let Some(e) = account {
            crate::account::insert_entry(conn, e).await?;
        }
        return insert(conn, s).await;
    }
    // Parameters after the fixed ones: the account's line when it paid ($37 kind, $38 amount,
    // $39 balance after, $40 reference), then an `Unchanged` guard's state and chain head.
    let g = if account.is_some() { 41 } else { 37 };
    let update = |guarded: &str| {
        format!(
            "UPDATE accumulator SET state_json = $11, updated_at = $10, audit_seq = $13, \
             audit_hash = $26 WHERE person_id_number = $4 AND year = $5{guarded} \
             RETURNING 1 AS one"
        )
    };
    let acc = match guard {
        Guard::Locked => update(""),
        Guard::Unchanged { .. } => update(&format!(
            " AND state_json = ${g} AND audit_seq = ${}",
            g + 1
        )),
        Guard::Absent => "INSERT INTO accumulator (person_id_number, year, state_json, version, \
             updated_at, audit_seq, audit_hash) VALUES ($4, $5, $11, 0, $10, $13, $26) \
             ON CONFLICT (person_id_number, year) DO NOTHING RETURNING 1 AS one"
            .to_string(),
    };
    let ent = if account.is_some() {
        ", ent AS (INSERT INTO account_entry (person_id_number, year, kind, amount_fen, \
         balance_after_fen, reference, note, created_by, created_at) \
         SELECT $4, $5, $37, $38, $39, $40, '', $17, $10 FROM acc)"
    } else {
        ""
    };
    let sql = format!(
        "WITH acc AS ({acc}), \
         aud AS (INSERT INTO audit_log (chain, seq, at, actor_kind, actor_id, actor_label, \
         agency_id, action, target_kind, target_id, before_sha256, after_sha256, summary, \
         prev_hash, hash) SELECT $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
         $24, $25, $26 FROM acc){ent} \
         , s AS ({INSERT} SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $27, $28, $29, $30, \
         $31, $32, $33, $34, $35, $36 FROM acc RETURNING id), \
         k AS (INSERT INTO settlement_request (institution_id, request_id, settlement_id, month) \
         SELECT $1, $2, id, $27 FROM s) SELECT id FROM s"
    );
    let mut q = sqlx::query_as(&sql)
        .bind(s.institution_id)
        .bind(&s.request_id)
        .bind(&s.payload_sha256)
        .bind(&s.person_id_number)
        .bind(s.year)
        .bind(&s.admission_id)
        .bind(s.status.key())
        .bind(&s.result_json)
        .bind(&s.deltas_json)
        .bind(&s.created_at)
        .bind(state)
        .bind(&audit.chain)
        .bind(audit.seq)
        .bind(&audit.at)
        .bind(&audit.actor_kind)
        .bind(audit.actor_id)
        .bind(&audit.actor_label)
        .bind(audit.agency_id)
        .bind(&audit.action)
        .bind(&audit.target_kind)
        .bind(&audit.target_id)
        .bind(&audit.before_sha256)
        .bind(&audit.after_sha256)
        .bind(&audit.summary)
        .bind(&audit.prev_hash)
        .bind(&audit.hash)
        .bind(&s.sums.month)
        .bind(&s.sums.scheme)
        .bind(&s.sums.visit_type)
        .bind(s.sums.total_fen)
        .bind(s.sums.pooled_fen)
        .bind(s.sums.critical_fen)
        .bind(s.sums.aid_fen)
        .bind(s.sums.account_fen)
        .bind(s.sums.cash_fen)
        .bind(&s.sums.insured_region);
    if let Some(e) = account {
        q = q
            .bind(e.kind.key())
            .bind(e.amount_fen)
            .bind(e.balance_after_fen)
            .bind(&e.reference);
    }
    if let Guard::Unchanged { state, seq } = guard {
        q = q.bind(state).bind(seq);
    }
    // The whole answer, up to PostgreSQL's ReadyForQuery, not just its row: outside a
    // transaction the statement commits (and waits for the synchronous standby) after its row is
    // produced, and the Any driver's `fetch_optional` returns at the row. A backend told to quit
    // in that wait (the postmaster's crash handling when another of its processes dies) sends a
    // warning, which flushes the row, before the connection drops: the settlement would be
    // answered although the promoted standby never got it (the failure test saw one).
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    match rows.first().copied() {
        Some((id,)) => Ok(id),
        None if matches!(guard, Guard::Locked) => Err(missing_row(s)),
        None => Err(stale()),
    }
}

/// A locked settlement found no accumulator row to write: the lock was taken on a row that is
/// gone, which no code path does.
fn missing_row(s: &SettlementRow) -> StoreError {
    StoreError::Corrupt(format!(
        "accumulator {}/{} missing under its lock",
        s.person_id_number, s.year
    ))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CreditRow {
    pub id: i64,
    pub person_id_number: String,
    pub year: i64,
    pub amount_fen: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

pub async fn insert_credit(conn: &mut AnyConnection, c: &CreditRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO account_credit (person_id_number, year, amount_fen, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&c.person_id_number)
    .bind(c.year)
    .bind(c.amount_fen)
    .bind(&c.note)
    .bind(&c.created_by)
    .bind(&c.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Inserts credit rows in the given order: one statement on PostgreSQL, one per row on SQLite.
pub async fn insert_credits(
    conn: &mut AnyConnection,
    rows: &[CreditRow],
) -> Result<(), StoreError> {
    if conn.backend_name() != "PostgreSQL" {
        for c in rows {
            insert_credit(conn, c).await?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        return Ok(());
    }
    let json = to_json(
        &rows
            .iter()
            .enumerate()
            .map(|(o, c)| {
                serde_json::json!({"o": o, "p": c.person_id_number, "y": c.year,
                    "m": c.amount_fen, "n": c.note, "c": c.created_by, "a": c.created_at})
            })
            .collect::<Vec<_>>(),
    )?;
    sqlx::query(
        "INSERT INTO account_credit (person_id_number, year, amount_fen, note, created_by, \
         created_at) SELECT x.p, x.y, x.m, x.n, x.c, x.a FROM json_to_recordset($1::json) \
         AS x(o BIGINT, p TEXT, y BIGINT, m BIGINT, n TEXT, c TEXT, a TEXT) ORDER BY x.o",
    )
    .bind(json)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn credits(conn: &mut AnyConnection, person: &str) -> Result<Vec<CreditRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, person_id_number, year, amount_fen, note, created_by, created_at \
         FROM account_credit WHERE person_id_number = $1 ORDER BY id",
    )
    .bind(person)
    .fetch_all(conn)
    .await?)
}

/// A real-time settlement of one bill: the ledger rows of the institution with this national
/// code and this admission (visit) number, settled or reversed, oldest first.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BillSettlement {
    pub request_id: String,
    #[sqlx(try_from = "String")]
    pub status: SettlementStatus,
    pub created_at: String,
}

pub async fn for_bill(
    conn: &mut AnyConnection,
    institution_code: &str,
    admission_id: &str,
) -> Result<Vec<BillSettlement>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.request_id, s.status, s.created_at FROM settlement s \
         JOIN institution i ON i.id = s.institution_id \
         WHERE i.code = $1 AND s.admission_id = $2 ORDER BY s.id",
    )
    .bind(institution_code)
    .bind(admission_id)
    .fetch_all(conn)
    .await?)
}

/// The ledger month (`YYYY-MM`, Beijing) of a stored UTC timestamp; `None` if it is not one.
fn ledger_month(stored: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(stored).ok()?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(t.with_timezone(&beijing).format("%Y-%m").to_string())
}

/// The institution's settlements that stand (not reversed), written in `[from, to)` (stored
/// UTC timestamps, compared as text), oldest first: what reconciliation (3201) totals. The
/// ledger months the range spans bound the search too, so that on PostgreSQL only their
/// partitions are read (migration 0042); `to`'s month is included, as a row of that month may
/// not be in the range but none outside these months can be.
pub async fn standing_between(
    conn: &mut AnyConnection,
    institution_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<SettlementRow>, StoreError> {
    let (Some(first), Some(last)) = (ledger_month(from), ledger_month(to)) else {
        return Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM settlement WHERE institution_id = $1 AND status = 'settled' \
             AND created_at >= $2 AND created_at < $3 ORDER BY id"
        ))
        .bind(institution_id)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?);
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM settlement WHERE institution_id = $1 AND status = 'settled' \
         AND created_at >= $2 AND created_at < $3 AND month >= $4 AND month <= $5 ORDER BY id"
    ))
    .bind(institution_id)
    .bind(from)
    .bind(to)
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?)
}

/// A bill a manual reimbursement case has paid.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReimbursedBill {
    pub institution_code: String,
    pub admission_id: String,
    pub case_number: String,
    pub person_id_number: String,
    pub created_at: String,
}

pub async fn reimbursed_bill(
    conn: &mut AnyConnection,
    institution_code: &str,
    admission_id: &str,
) -> Result<Option<ReimbursedBill>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT institution_code, admission_id, case_number, person_id_number, created_at \
         FROM reimbursed_bill WHERE institution_code = $1 AND admission_id = $2",
    )
    .bind(institution_code)
    .bind(admission_id)
    .fetch_optional(conn)
    .await?)
}

/// Records that a case paid the bill; `StoreError::Conflict` if another case already has.
pub async fn insert_reimbursed_bill(
    conn: &mut AnyConnection,
    b: &ReimbursedBill,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reimbursed_bill (institution_code, admission_id, case_number, \
         person_id_number, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&b.institution_code)
    .bind(&b.admission_id)
    .bind(&b.case_number)
    .bind(&b.person_id_number)
    .bind(&b.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Settlements (reversed ones too) at institutions of regions starting with `region_prefix`
/// since `since` (an ISO date, UTC), counted per UTC hour (`YYYY-MM-DDTHH`).
pub async fn per_hour_in_region(
    conn: &mut AnyConnection,
    region_prefix: &str,
    since: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT SUBSTR(s.created_at, 1, 13) AS hour, COUNT(*) FROM settlement s \
         JOIN institution i ON i.id = s.institution_id \
         WHERE i.region_code LIKE $1 AND s.created_at >= $2 \
         GROUP BY SUBSTR(s.created_at, 1, 13) ORDER BY hour",
    )
    .bind(format!("{region_prefix}%"))
    .bind(since)
    .fetch_all(conn)
    .await?)
}

/// A settlement as the staff list shows it, with its institution.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettlementListRow {
    pub request_id: String,
    pub person_id_number: String,
    #[sqlx(try_from = "String")]
    pub status: SettlementStatus,
    pub result_json: String,
    pub created_at: String,
    pub reversed_at: Option<String>,
    pub institution_code: String,
    pub institution_name: String,
}

/// Settlements at institutions of regions starting with `region_prefix` whose request id,
/// person's ID number, or institution's code or name contains `text`: newest first, one window
/// of them and the count of all.
pub async fn search_in_region(
    conn: &mut AnyConnection,
    region_prefix: &str,
    text: &str,
    w: Window,
) -> Result<Found<SettlementListRow>, StoreError> {
    let filter = format!(
        "i.region_code LIKE $1 AND ($2 = '' OR {})",
        any_contains(
            &["s.request_id", "s.person_id_number", "i.code", "i.name"],
            3
        )
    );
    let region = format!("{region_prefix}%");
    let pattern = contains_pattern(text);
    let from = "FROM settlement s JOIN institution i ON i.id = s.institution_id";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {from} WHERE {filter}"))
        .bind(&region)
        .bind(text.trim())
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT s.request_id, s.person_id_number, s.status, s.result_json, s.created_at, \
         s.reversed_at, i.code AS institution_code, i.name AS institution_name {from} \
         WHERE {filter} ORDER BY s.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(&region)
    .bind(text.trim())
    .bind(&pattern)
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(conn)
    .await?;
    Ok(Found { rows, total })
}

/// One (scheme, visit type) of an institution's month in the ledger: settled and not reversed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthGroup {
    pub institution_id: i64,
    pub scheme: String,
    pub visit_type: String,
    pub count: i64,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
}

const MONTH_GROUP: &str = "SELECT institution_id, scheme, visit_type, COUNT(*) AS count, \
     CAST(SUM(total_fen) AS BIGINT) AS total_fen, CAST(SUM(pooled_fen) AS BIGINT) AS pooled_fen, \
     CAST(SUM(critical_fen) AS BIGINT) AS critical_fen, CAST(SUM(aid_fen) AS BIGINT) AS aid_fen, \
     CAST(SUM(account_fen) AS BIGINT) AS account_fen, CAST(SUM(cash_fen) AS BIGINT) AS cash_fen \
     FROM settlement";

/// The ledger's groups of one institution's month (the reconciliation's other side).
pub async fn month_groups(
    conn: &mut AnyConnection,
    institution_id: i64,
    month: &str,
) -> Result<Vec<MonthGroup>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{MONTH_GROUP} WHERE institution_id = $1 AND month = $2 AND status = 'settled' \
         GROUP BY institution_id, scheme, visit_type ORDER BY scheme, visit_type"
    ))
    .bind(institution_id)
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// The ledger's groups of a month for the institutions in `ids` (a month run over many).
pub async fn month_groups_of(
    conn: &mut AnyConnection,
    ids: &[i64],
    month: &str,
) -> Result<Vec<MonthGroup>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    Ok(sqlx::query_as(&format!(
        "{MONTH_GROUP} WHERE institution_id IN ({list}) AND month = $1 AND status = 'settled' \
         GROUP BY institution_id, scheme, visit_type ORDER BY institution_id, scheme, visit_type"
    ))
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// The ledger's groups of a month over every institution: one plain `GROUP BY` over the
/// month's rows (`yibao bench month` times it as the baseline of the month's reconciliation).
pub async fn month_groups_all(
    conn: &mut AnyConnection,
    month: &str,
) -> Result<Vec<MonthGroup>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{MONTH_GROUP} WHERE month = $1 AND status = 'settled' \
         GROUP BY institution_id, scheme, visit_type"
    ))
    .bind(month)
    .fetch_all(conn)
    .await?)
}
