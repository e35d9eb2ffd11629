//! The settlement ledger partitioned by month on PostgreSQL (migrations 0042 and 0052, ADR 0014): a retry
//! stays idempotent across months on both stores; on PostgreSQL a month's query reads only its
//! partition, a month settled before its partition existed is moved into it when it is
//! created, and a detached month leaves the ledger while its request ids stay taken.

use sqlx::Row;
use yibao_domain::codes::SettlementStatus;
use yibao_store::settlement::{self, LedgerSums, SettlementRow};
use yibao_store::test_support::TestDb;
use yibao_store::{agency, institution, partition, Backend, StoreError};

const NOW: &str = "2026-11-22T09:00:00.000Z";

async fn an_institution(db: &TestDb) -> i64 {
    let mut tx = db.store.begin().await.unwrap();
    let agency_id = agency::insert(
        &mut tx,
        &agency::NewAgency {
            code: "500119",
            name: "重庆市南川区医疗保障事务中心",
            region_code: "500119",
            level: "district",
            address: "",
            phone: "",
            hours: "",
        },
        NOW,
    )
    .await
    .unwrap();
    let id = institution::insert(
        &mut tx,
        &institution::NewInstitution {
            code: "H50011900001",
            name: "南川区人民医院",
            kind: "hospital",
            level: "二级",
            region_code: "500119",
            agency_id,
            uscc: None,
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn row(institution_id: i64, request_id: &str, created_at: &str, month: &str) -> SettlementRow {
    SettlementRow {
        id: 0,
        institution_id,
        request_id: request_id.into(),
        payload_sha256: "00".into(),
        person_id_number: "500119195001010011".into(),
        year: month[..4].parse().unwrap(),
        admission_id: None,
        status: SettlementStatus::Settled,
        result_json: "{}".into(),
        deltas_json: "{}".into(),
        created_at: created_at.into(),
        reversed_at: None,
        sums: LedgerSums {
            month: month.into(),
            scheme: "resident".into(),
            visit_type: "general_outpatient".into(),
            total_fen: 10_000,
            pooled_fen: 6_000,
            cash_fen: 4_000,
            ..LedgerSums::default()
        },
    }
}

async fn insert(db: &TestDb, r: &SettlementRow) -> Result<i64, StoreError> {
    let mut tx = db.store.begin().await.unwrap();
    let id = settlement::insert(&mut tx, r).await?;
    tx.commit().await.unwrap();
    Ok(id)
}

/// A request settled on the last evening of a month and retried after midnight (the next
/// month, another partition on PostgreSQL) is refused as the duplicate it is.
async fn retry_across_months_is_refused(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database");
    let inst = an_institution(&db).await;
    let first = insert(
        &db,
        &row(inst, "R-1", "2026-11-30T15:59:59.000Z", "2026-11"),
    )
    .await
    .unwrap();
    let again = insert(
        &db,
        &row(inst, "R-1", "2026-11-30T16:00:01.000Z", "2026-12"),
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "second settlement of one request: {again:?}"
    );
    // Another request of the same institution is not a duplicate.
    insert(
        &db,
        &row(inst, "R-2", "2026-11-30T16:00:01.000Z", "2026-12"),
    )
    .await
    .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let found = settlement::find(&mut tx, inst, "R-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first);
    assert_eq!(found.sums.month, "2026-11");
    // A reversal names the settlement's month, and finds it there only.
    assert!(!settlement::mark_reversed(&mut tx, first, "2026-12", NOW)
        .await
        .unwrap());
    assert!(settlement::mark_reversed(&mut tx, first, "2026-11", NOW)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    db.cleanup().await;
}

#[tokio::test]
async fn retry_across_months_is_refused_sqlite() {
    retry_across_months_is_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn retry_across_months_is_refused_postgres() {
    retry_across_months_is_refused(Backend::Postgres).await;
}

/// Which partition holds the settlement with this id.
async fn partition_of(db: &TestDb, id: i64) -> Option<String> {
    let mut tx = db.store.begin().await.unwrap();
    let r = sqlx::query("SELECT tableoid::regclass::text AS p FROM settlement WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .unwrap()
        .map(|r| r.get::<String, _>("p"));
    tx.commit().await.unwrap();
    r
}

#[tokio::test]
async fn partitions_are_created_moved_into_and_detached_postgres() {
    let db = TestDb::new(Backend::Postgres).await.expect("test database");
    let inst = an_institution(&db).await;

    // A month far ahead has no partition: its settlement lands in the default partition…
    let late = insert(
        &db,
        &row(inst, "F-1", "2031-05-02T02:00:00.000Z", "2031-05"),
    )
    .await
    .unwrap();
    assert_eq!(
        partition_of(&db, late).await.as_deref(),
        Some("settlement_default")
    );
    // … and moves, with its id, into the month's partition when that is created.
    let mut tx = db.store.begin().await.unwrap();
    assert!(partition::ensure(&mut tx, "2031-05").await.unwrap());
    assert!(!partition::ensure(&mut tx, "2031-05").await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        partition_of(&db, late).await.as_deref(),
        Some("settlement_2031_05")
    );
    // Its request id is still taken after the move.
    let dup = insert(
        &db,
        &row(inst, "F-1", "2031-06-02T02:00:00.000Z", "2031-06"),
    )
    .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // A retry's look-up goes through the key row, which names the month (migration 0052).
    let mut tx = db.store.begin().await.unwrap();
    let found = settlement::find(&mut tx, inst, "F-1").await.unwrap();
    assert_eq!(found.map(|f| f.id), Some(late));
    let (keys, key_month): (i64, String) = sqlx::query_as(
        "SELECT COUNT(*), MIN(month) FROM settlement_request WHERE institution_id = $1",
    )
    .bind(inst)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!((keys, key_month.as_str()), (1, "2031-05"));
    tx.commit().await.unwrap();

    // A month's query reads that month's partition only.
    let mut tx = db.store.begin().await.unwrap();
    let plan: Vec<String> = sqlx::query(
        "EXPLAIN SELECT institution_id, scheme, visit_type, COUNT(*), SUM(total_fen) \
         FROM settlement WHERE month = '2031-05' AND status = 'settled' \
         GROUP BY institution_id, scheme, visit_type",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    tx.commit().await.unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("settlement_2031_05"), "{plan}");
    assert_eq!(plan.matches("on settlement_").count(), 1, "{plan}");

    // A past month: created, settled, detached.
    let mut tx = db.store.begin().await.unwrap();
    partition::ensure(&mut tx, "2025-01").await.unwrap();
    tx.commit().await.unwrap();
    let old = insert(
        &db,
        &row(inst, "O-1", "2025-01-10T02:00:00.000Z", "2025-01"),
    )
    .await
    .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let names: Vec<String> = partition::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert!(
        names.contains(&"settlement_2025_01".to_string()),
        "{names:?}"
    );
    assert_eq!(names.last().map(String::as_str), Some("settlement_default"));
    // The current month and later ones are refused, as is a month without a partition.
    assert!(matches!(
        partition::detach(&mut tx, "2026-12", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        partition::detach(&mut tx, "2024-02", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        partition::detach(&mut tx, "2025-1'", "2026-12").await,
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(
        partition::detach(&mut tx, "2025-01", "2026-12")
            .await
            .unwrap(),
        "settlement_2025_01"
    );
    tx.commit().await.unwrap();
    assert_eq!(partition_of(&db, old).await, None);
    let mut tx = db.store.begin().await.unwrap();
    assert!(settlement::find(&mut tx, inst, "O-1")
        .await
        .unwrap()
        .is_none());
    // The detached table keeps the rows for archiving.
    let (kept,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM settlement_2025_01")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(kept, 1);
    tx.commit().await.unwrap();
    // Its request id stays taken: a late retry is refused, never settled again.
    let retry = insert(
        &db,
        &row(inst, "O-1", "2026-12-01T02:00:00.000Z", "2026-12"),
    )
    .await;
    assert!(matches!(retry, Err(StoreError::Conflict(_))), "{retry:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_has_no_partitions() {
    let db = TestDb::new(Backend::Sqlite).await.expect("test database");
    let mut tx = db.store.begin().await.unwrap();
    assert!(partition::list(&mut tx).await.unwrap().is_empty());
    assert!(!partition::ensure(&mut tx, "2031-05").await.unwrap());
    assert!(partition::ensure_ahead(&mut tx, "2031-05", 3)
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
    db.cleanup().await;
}
