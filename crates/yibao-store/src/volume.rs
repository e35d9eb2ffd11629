//! The plain-SQL baselines of `yibao bench volume` (docs/performance.md, "Volume"): each reads
//! the same rows as an application path, in one hand-written statement sent outside any
//! transaction on a pooled connection, so the figures beside each other show what the
//! application adds (its read transaction, several statements, decoding). PostgreSQL only.

use crate::db::Store;
use crate::error::StoreError;

/// Up to `n` persons (id, ID number) whose ids are in `ids` (the caller draws them at random
/// between `id_range`'s ends).
pub async fn persons_by_id(store: &Store, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    if list.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(&format!(
        "SELECT id, id_number FROM person WHERE id IN ({list})"
    ))
    .fetch_all(store.pool())
    .await?)
}

/// The lowest and highest person id.
pub async fn id_range(store: &Store) -> Result<(i64, i64), StoreError> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT min(id), max(id) FROM person")
            .fetch_one(store.pool())
            .await?;
    Ok((lo.unwrap_or(0), hi.unwrap_or(0)))
}

/// The ids of the institutions of the agency with this code.
pub async fn institutions_of(store: &Store, agency_code: &str) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT i.id FROM institution i JOIN agency a ON a.id = i.agency_id WHERE a.code = $1 \
         ORDER BY i.id",
    )
    .bind(agency_code)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Baseline of a person lookup: the person's id by ID number.
pub async fn person(store: &Store, id_number: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM person WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.0))
}

/// Baseline of a person's record page: the person, their coverages with the employer's name,
/// the coverages' events and the person's events, as one JSON text from one statement.
pub async fn record(store: &Store, id_number: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT json_build_object('person', row_to_json(p), \
           'coverages', (SELECT json_agg(json_build_object('c', row_to_json(c), 'employer', e.name)) \
                         FROM coverage c LEFT JOIN employer e ON e.id = c.employer_id \
                         WHERE c.person_id = p.id), \
           'coverage_events', (SELECT json_agg(ce ORDER BY ce.id) FROM coverage_event ce \
                               JOIN coverage c ON c.id = ce.coverage_id WHERE c.person_id = p.id), \
           'events', (SELECT json_agg(pe ORDER BY pe.id) FROM person_event pe \
                      WHERE pe.person_id = p.id))::text \
         FROM person p WHERE p.id_number = $1",
    )
    .bind(id_number)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| r.0))
}

/// Baseline of a day's settlements of one institution: its standing rows written in
/// `[from, to)` of the ledger month `month`, every column.
pub async fn day_settlements(
    store: &Store,
    institution_id: i64,
    month: &str,
    from: &str,
    to: &str,
) -> Result<usize, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, request_id, result_json FROM settlement WHERE institution_id = $1 \
         AND month = $2 AND status = 'settled' AND created_at >= $3 AND created_at < $4",
    )
    .bind(institution_id)
    .bind(month)
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.len())
}

/// Baseline of the accumulator read: the state text of a person-year.
pub async fn accumulator(
    store: &Store,
    person: &str,
    year: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT state_json FROM accumulator WHERE person_id_number = $1 AND year = $2",
    )
    .bind(person)
    .bind(year)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| r.0))
}

/// Up to `n` person-years that have an accumulator row, from about `percent` % of its pages.
pub async fn accumulator_sample(
    store: &Store,
    percent: f64,
    n: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT person_id_number, year FROM accumulator TABLESAMPLE SYSTEM ({percent}) LIMIT $1"
    ))
    .bind(n)
    .fetch_all(store.pool())
    .await?)
}

/// The UTC date of the oldest settlement (the lowest id), if any.
pub async fn first_settlement_date(store: &Store) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT substr(created_at, 1, 10) FROM settlement ORDER BY id LIMIT 1")
            .fetch_optional(store.pool())
            .await?;
    Ok(row.map(|r| r.0))
}
