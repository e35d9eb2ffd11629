//! The settlement ledger partitioned by month on PostgreSQL (migrations 0042 and 0052, ADR 0014): a retry
//! stays idempotent across months on both stores; on PostgreSQL a month's query reads only its
//! partition, a month settled before its partition existed is moved into it when it is
//! created, and a detached month leaves the ledger while its request ids stay taken. A
//! settlement's write under a guard (settlement without a lock) lands only on the person-year
//! as it was read, and otherwise writes nothing.
//!
//! The case tables partitioned by the case's month (migration 0050, ADR 0015): cases of several
//! months with their children read back on both stores, a number stays unique and a child must
//! name an existing case; on PostgreSQL a case read by number and a month's cases read one
//! partition, a month of closed cases is detached with all its children, and a month with an
//! open case is refused.

use sqlx::Row;
use yibao_domain::case::{ApplicantType, CaseStatus, Evaluation, EventKind};
use yibao_domain::codes::{MaybeCode, SettlementStatus};
use yibao_store::audit::AuditRow;
use yibao_store::cases::{self, CaseKey, CaseRow, EvaluationRow, EventRow, NewMaterial};
use yibao_store::partition::Family;
use yibao_store::settlement::{self, Guard, LedgerSums, SettlementRow};
use yibao_store::test_support::TestDb;
use yibao_store::{agency, institution, partition, Backend, StoreError};

const NOW: &str = "2026-11-22T09:00:00.000Z";

async fn an_institution(db: &TestDb) -> i64 {
    let agency_id = an_agency(db).await;
    let mut tx = db.store.begin().await.unwrap();
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

/// The `seq`th entry of the bench person's 2026 settlement chain.
fn chain_entry(seq: i64) -> AuditRow {
    AuditRow {
        chain: "settlement/500119195001010011/2026".into(),
        seq,
        at: NOW.into(),
        actor_kind: "institution".into(),
        actor_id: 1,
        actor_label: "南川区人民医院".into(),
        agency_id: None,
        action: "settlement.settle".into(),
        target_kind: "settlement".into(),
        target_id: format!("H50011900001/G-{seq}"),
        before_sha256: String::new(),
        after_sha256: String::new(),
        summary: String::new(),
        prev_hash: format!("h{}", seq - 1),
        hash: format!("h{seq}"),
    }
}

/// (state, chain head, settlements, audit entries) of the bench person's 2026.
async fn person_year(db: &TestDb) -> (Option<(String, i64)>, i64, i64) {
    let mut tx = db.store.begin_read().await.unwrap();
    let acc: Option<(String, i64)> = sqlx::query_as(
        "SELECT state_json, audit_seq FROM accumulator \
         WHERE person_id_number = '500119195001010011' AND year = 2026",
    )
    .fetch_optional(&mut *tx)
    .await
    .unwrap();
    let (settled,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM settlement")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE chain = 'settlement/500119195001010011/2026'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    (acc, settled, audited)
}

/// Writes settlement `seq` (request `G-{seq}`) of state `state` under `guard`.
async fn record(
    db: &TestDb,
    inst: i64,
    seq: i64,
    state: &str,
    guard: Guard<'_>,
) -> Result<i64, StoreError> {
    let mut conn = match db.store.autocommit().await.unwrap() {
        Some(c) => c,
        None => {
            // SQLite writes in its one write transaction.
            let mut tx = db.store.begin().await.unwrap();
            let r = row(inst, &format!("G-{seq}"), NOW, "2026-11");
            let id = settlement::record(&mut tx, guard, state, &r, &chain_entry(seq), None).await?;
            tx.commit().await.unwrap();
            return Ok(id);
        }
    };
    let r = row(inst, &format!("G-{seq}"), NOW, "2026-11");
    settlement::record(&mut conn, guard, state, &r, &chain_entry(seq), None).await
}

/// Settlement without a lock: the write lands only if the person-year is as it was read (no
/// row; or the same state and chain head), and otherwise writes nothing at all: no ledger row,
/// no audit entry, no key.
async fn guarded_write_lands_only_on_what_was_read(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database");
    let inst = an_institution(&db).await;
    // A new person-year: created by the write.
    record(&db, inst, 1, "S1", Guard::Absent).await.unwrap();
    assert_eq!(person_year(&db).await, (Some(("S1".into(), 1)), 1, 1));
    // Read as missing, but another settlement created it meanwhile.
    let e = record(&db, inst, 2, "S2", Guard::Absent).await.unwrap_err();
    assert!(matches!(e, StoreError::Stale(_)), "{e:?}");
    assert_eq!(person_year(&db).await, (Some(("S1".into(), 1)), 1, 1));
    // Read as it is: lands.
    let seen = Guard::Unchanged {
        state: "S1",
        seq: 1,
    };
    record(&db, inst, 2, "S2", seen).await.unwrap();
    assert_eq!(person_year(&db).await, (Some(("S2".into(), 2)), 2, 2));
    // The same read again is stale now: the state, or only the chain head, moved on.
    for stale in [
        seen,
        Guard::Unchanged {
            state: "S2",
            seq: 1,
        },
        Guard::Unchanged {
            state: "S1",
            seq: 2,
        },
    ] {
        let e = record(&db, inst, 3, "S3", stale).await.unwrap_err();
        assert!(matches!(e, StoreError::Stale(_)), "{e:?}");
    }
    assert_eq!(person_year(&db).await, (Some(("S2".into(), 2)), 2, 2));
    // The request id stays free for the try that lands.
    record(
        &db,
        inst,
        3,
        "S3",
        Guard::Unchanged {
            state: "S2",
            seq: 2,
        },
    )
    .await
    .unwrap();
    assert_eq!(person_year(&db).await, (Some(("S3".into(), 3)), 3, 3));
    db.cleanup().await;
}

#[tokio::test]
async fn guarded_write_lands_only_on_what_was_read_sqlite() {
    guarded_write_lands_only_on_what_was_read(Backend::Sqlite).await;
}

#[tokio::test]
async fn guarded_write_lands_only_on_what_was_read_postgres() {
    guarded_write_lands_only_on_what_was_read(Backend::Postgres).await;
}

/// Runs one statement in a transaction of its own: whether it was accepted.
async fn accepted(db: &TestDb, sql: &str, id: i64) -> bool {
    let mut tx = db.store.begin().await.unwrap();
    match sqlx::query(sql).bind(id).execute(&mut *tx).await {
        Ok(_) => {
            tx.commit().await.unwrap();
            true
        }
        Err(_) => false,
    }
}

/// An institution that settlements name can be neither deleted nor given another id: a foreign
/// key on SQLite, a trigger on PostgreSQL, which dropped the ledger's keys because they locked
/// the institution's row for every settlement (migration 0056).
async fn a_settled_institution_stays(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database");
    let inst = an_institution(&db).await;
    // Through the hot path's write (on PostgreSQL the ledger row and its key).
    record(&db, inst, 1, "S1", Guard::Absent).await.unwrap();
    assert!(!accepted(&db, "DELETE FROM institution WHERE id = $1", inst).await);
    assert!(
        !accepted(
            &db,
            "UPDATE institution SET id = id + 1000 WHERE id = $1",
            inst
        )
        .await
    );
    assert!(accepted(&db, "UPDATE institution SET id = id WHERE id = $1", inst).await);
    assert_eq!(person_year(&db).await, (Some(("S1".into(), 1)), 1, 1));
    // Its key alone keeps it too (PostgreSQL: the key table holds it across detached months).
    if backend == Backend::Postgres {
        assert!(
            accepted(
                &db,
                "DELETE FROM settlement WHERE institution_id = $1",
                inst
            )
            .await
        );
        assert!(!accepted(&db, "DELETE FROM institution WHERE id = $1", inst).await);
        let sql = "DELETE FROM settlement_request WHERE institution_id = $1";
        assert!(accepted(&db, sql, inst).await);
    } else {
        assert!(
            accepted(
                &db,
                "DELETE FROM settlement WHERE institution_id = $1",
                inst
            )
            .await
        );
    }
    // Named by nothing, it goes.
    assert!(accepted(&db, "DELETE FROM institution WHERE id = $1", inst).await);
    db.cleanup().await;
}

#[tokio::test]
async fn a_settled_institution_stays_sqlite() {
    a_settled_institution_stays(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_settled_institution_stays_postgres() {
    a_settled_institution_stays(Backend::Postgres).await;
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
        .filter(|p| p.table == "settlement")
        .map(|p| p.name)
        .collect();
    assert!(
        names.contains(&"settlement_2025_01".to_string()),
        "{names:?}"
    );
    assert_eq!(names.last().map(String::as_str), Some("settlement_default"));
    // The current month and later ones are refused, as is a month without a partition.
    assert!(matches!(
        partition::detach(&mut tx, Family::Ledger, "2026-12", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        partition::detach(&mut tx, Family::Ledger, "2024-02", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        partition::detach(&mut tx, Family::Ledger, "2025-1'", "2026-12").await,
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(
        partition::detach(&mut tx, Family::Ledger, "2025-01", "2026-12")
            .await
            .unwrap(),
        vec!["settlement_2025_01".to_string()]
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

// ------------------------------------------------------------------------------------------------
// The case tables (migration 0050, ADR 0015)

async fn an_agency(db: &TestDb) -> i64 {
    let mut tx = db.store.begin().await.unwrap();
    let id = agency::insert(
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
    tx.commit().await.unwrap();
    id
}

/// Opens a case numbered `number` in `status`, with one event, one material and (when closed)
/// an evaluation, as the case engine would; returns its key.
async fn a_case(db: &TestDb, agency_id: i64, number: &str, status: CaseStatus) -> CaseKey {
    let mut row = CaseRow {
        number: number.into(),
        jurisdiction: "nanchuan".into(),
        item_id: "01".into(),
        item_version: 1,
        service_key: "enrolment.employer_register".into(),
        applicant_kind: ApplicantType::Person,
        applicant_ref: "500119195001010011".into(),
        applicant_name: "张三".into(),
        channel: "window".into(),
        receiving_agency_id: agency_id,
        deciding_agency_id: agency_id,
        status,
        created_by: "test".into(),
        created_at: NOW.into(),
        updated_at: NOW.into(),
        ..CaseRow::default()
    };
    let mut tx = db.store.begin().await.unwrap();
    row.id = cases::insert(&mut tx, &row).await.unwrap();
    let key = row.key();
    cases::insert_event(&mut tx, &an_event(&key)).await.unwrap();
    cases::add_material(
        &mut tx,
        &NewMaterial {
            case: &key,
            material_id: "m1",
            provided_as: "upload",
            file_name: "a.pdf",
            content_type: "application/pdf",
            sha256: "00",
            content: Some(b"%PDF-1.4"),
            added_at: NOW,
            added_by: "test",
            seal_confirmed_by: "",
        },
    )
    .await
    .unwrap();
    cases::open_pause(&mut tx, &key, "notice", "2026-11-22", None)
        .await
        .unwrap();
    if status.is_terminal() {
        cases::insert_evaluation(
            &mut tx,
            &EvaluationRow {
                case_id: key.id,
                level: Evaluation::ALL[0],
                comment: String::new(),
                at: NOW.into(),
                follow_up_status: Evaluation::ALL[0].follow_up(),
                follow_up_note: String::new(),
                case_month: key.month.clone(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    key
}

fn an_event(key: &CaseKey) -> EventRow {
    EventRow {
        id: 0,
        case_id: key.id,
        at: NOW.into(),
        action: EventKind::Create,
        from_status: MaybeCode(None),
        to_status: CaseStatus::Draft,
        actor_kind: "staff".into(),
        actor_id: 1,
        actor_label: "test".into(),
        channel: "window".into(),
        note: String::new(),
        case_month: key.month.clone(),
    }
}

#[test]
fn a_case_month_is_its_number_month() {
    assert_eq!(cases::month_of("500119-20261122-000123"), "2026-11");
    assert_eq!(cases::month_of("500119-20250131-999999"), "2025-01");
    // Any other text follows the database's substr rule rather than failing.
    assert_eq!(cases::month_of("C1"), "-");
    assert_eq!(cases::month_of("YB5001192026112200001"), "9202-61");
}

/// Cases of several months read back with their children; a number is unique across months;
/// a child naming no case (or its case under another month) is refused.
async fn cases_across_months(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database");
    let agency_id = an_agency(&db).await;
    let numbers = [
        "500119-20250110-000001",
        "500119-20261122-000001",
        "500119-20310502-000001",
    ];
    let mut keys = Vec::new();
    for n in numbers {
        keys.push(a_case(&db, agency_id, n, CaseStatus::Completed).await);
    }
    let mut tx = db.store.begin().await.unwrap();
    for (n, key) in numbers.iter().zip(&keys) {
        let c = cases::find_by_number(&mut tx, n).await.unwrap().expect(n);
        assert_eq!(c.key(), *key);
        assert_eq!(cases::find(&mut tx, key).await.unwrap().unwrap().number, *n);
        assert_eq!(cases::events(&mut tx, key).await.unwrap().len(), 1);
        assert_eq!(cases::materials(&mut tx, key).await.unwrap().len(), 1);
        assert_eq!(cases::pauses(&mut tx, key).await.unwrap().len(), 1);
        assert!(cases::evaluation(&mut tx, key).await.unwrap().is_some());
        // Under another month the same id names nothing.
        let elsewhere = CaseKey {
            id: key.id,
            month: "2029-09".into(),
        };
        assert!(cases::find(&mut tx, &elsewhere).await.unwrap().is_none());
        assert!(cases::events(&mut tx, &elsewhere).await.unwrap().is_empty());
    }
    let month: Vec<String> = cases::list_for_month(&mut tx, "2026-11")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.number)
        .collect();
    assert_eq!(month, vec![numbers[1].to_string()]);
    // An update names the case's month and moves its row version.
    let mut c = cases::find_by_number(&mut tx, numbers[2])
        .await
        .unwrap()
        .unwrap();
    c.review_level = 2;
    cases::update(&mut tx, &c).await.unwrap();
    assert!(matches!(
        cases::update(&mut tx, &c).await,
        Err(StoreError::Stale(_))
    ));
    tx.commit().await.unwrap();

    // The same number again, in its own month or by a raw row under another month, is refused.
    let mut tx = db.store.begin().await.unwrap();
    let again = cases::insert(
        &mut tx,
        &CaseRow {
            number: numbers[0].into(),
            receiving_agency_id: agency_id,
            deciding_agency_id: agency_id,
            ..CaseRow::default()
        },
    )
    .await;
    drop(tx);
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let mut tx = db.store.begin().await.unwrap();
    let raw = sqlx::query(
        "INSERT INTO case_file (number, jurisdiction, item_id, item_version, service_key, \
         applicant_kind, applicant_ref, applicant_name, channel, receiving_agency_id, \
         deciding_agency_id, status, created_by, created_at, updated_at, month) \
         VALUES ($1, 'x', '01', 1, 'k', 'person', 'r', 'n', 'window', $2, $2, 'draft', 't', \
         't', 't', '2026-11')",
    )
    .bind(numbers[0])
    .bind(agency_id)
    .execute(&mut *tx)
    .await;
    assert!(raw.is_err(), "a second row of one number: {raw:?}");
    drop(tx);
    // An id is unique across months too (PostgreSQL's `case_key`; SQLite's one table).
    let mut tx = db.store.begin().await.unwrap();
    let same_id = sqlx::query(
        "INSERT INTO case_file (id, number, jurisdiction, item_id, item_version, service_key, \
         applicant_kind, applicant_ref, applicant_name, channel, receiving_agency_id, \
         deciding_agency_id, status, created_by, created_at, updated_at, month) \
         VALUES ($1, '500119-20270301-000001', 'x', '01', 1, 'k', 'person', 'r', 'n', 'window', \
         $2, $2, 'draft', 't', 't', 't', '2027-03')",
    )
    .bind(keys[0].id)
    .bind(agency_id)
    .execute(&mut *tx)
    .await;
    assert!(same_id.is_err(), "a second case with one id: {same_id:?}");
    drop(tx);

    // A child must name an existing case, under its month.
    for key in [
        CaseKey {
            id: 999_999,
            month: "2026-11".into(),
        },
        CaseKey {
            id: keys[1].id,
            month: "2025-01".into(),
        },
    ] {
        let mut tx = db.store.begin().await.unwrap();
        let r = cases::insert_event(&mut tx, &an_event(&key)).await;
        // SQLite's foreign key names the case by id alone (one table, ids unique): a wrong
        // month is PostgreSQL's to refuse.
        if backend == Backend::Postgres || key.id == 999_999 {
            assert!(matches!(r, Err(StoreError::Database(_))), "{key:?}: {r:?}");
        }
        drop(tx);
    }
    db.cleanup().await;
}

#[tokio::test]
async fn cases_across_months_sqlite() {
    cases_across_months(Backend::Sqlite).await;
}

#[tokio::test]
async fn cases_across_months_postgres() {
    cases_across_months(Backend::Postgres).await;
}

async fn explain(db: &TestDb, sql: &str, binds: &[&str]) -> String {
    let mut tx = db.store.begin().await.unwrap();
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let plan: Vec<String> = q
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    tx.commit().await.unwrap();
    plan.join("\n")
}

async fn table_of(db: &TestDb, table: &str, key_column: &str, id: i64) -> Option<String> {
    let mut tx = db.store.begin().await.unwrap();
    let r = sqlx::query(&format!(
        "SELECT tableoid::regclass::text AS p FROM {table} WHERE {key_column} = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .unwrap()
    .map(|r| r.get::<String, _>("p"));
    tx.commit().await.unwrap();
    r
}

#[tokio::test]
async fn case_partitions_are_read_one_at_a_time_and_detached_together_postgres() {
    let db = TestDb::new(Backend::Postgres).await.expect("test database");
    let agency_id = an_agency(&db).await;

    // A month far ahead has no partitions yet: the case and its children land in the default
    // partitions, and move with their ids into the month's partitions when they are created.
    let late = a_case(
        &db,
        agency_id,
        "500119-20310502-000001",
        CaseStatus::Accepted,
    )
    .await;
    assert_eq!(
        table_of(&db, "case_file", "id", late.id).await.as_deref(),
        Some("case_file_default")
    );
    assert_eq!(
        table_of(&db, "case_event", "case_id", late.id)
            .await
            .as_deref(),
        Some("case_event_default")
    );
    let mut tx = db.store.begin().await.unwrap();
    assert!(partition::ensure(&mut tx, "2031-05").await.unwrap());
    assert!(!partition::ensure(&mut tx, "2031-05").await.unwrap());
    tx.commit().await.unwrap();
    for (table, column) in [
        ("case_file", "id"),
        ("case_event", "case_id"),
        ("case_material", "case_id"),
        ("case_pause", "case_id"),
    ] {
        assert_eq!(
            table_of(&db, table, column, late.id).await,
            Some(format!("{table}_2031_05"))
        );
    }
    // Each family's partitions are listed under their table.
    let mut tx = db.store.begin().await.unwrap();
    let listed: Vec<(String, String)> = partition::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.table, p.name))
        .collect();
    tx.commit().await.unwrap();
    for (table, _) in Family::Cases.tables() {
        assert!(
            listed.contains(&(table.to_string(), format!("{table}_2031_05"))),
            "{listed:?}"
        );
        assert!(listed.contains(&(table.to_string(), format!("{table}_default"))));
    }
    assert!(listed.contains(&("settlement".to_string(), "settlement_2031_05".to_string())));

    // A case read by number, its children, and a month's cases each read one partition.
    let by_number = explain(
        &db,
        "EXPLAIN SELECT * FROM case_file WHERE number = $1 AND month = $2",
        &["500119-20310502-000001", "2031-05"],
    )
    .await;
    assert!(by_number.contains("case_file_2031_05"), "{by_number}");
    assert_eq!(by_number.matches("on case_file_").count(), 1, "{by_number}");
    let month = explain(
        &db,
        "EXPLAIN SELECT * FROM case_file WHERE month = $1 ORDER BY id",
        &["2031-05"],
    )
    .await;
    assert_eq!(month.matches(" on case_file_").count(), 1, "{month}");
    let events = explain(
        &db,
        &format!(
            "EXPLAIN SELECT * FROM case_event WHERE case_id = {} AND case_month = $1",
            late.id
        ),
        &["2031-05"],
    )
    .await;
    assert!(events.contains("case_event_2031_05"), "{events}");
    assert_eq!(events.matches(" on case_event_").count(), 1, "{events}");

    // Two past months: one all closed, one with a case still open.
    let mut tx = db.store.begin().await.unwrap();
    partition::ensure(&mut tx, "2025-01").await.unwrap();
    partition::ensure(&mut tx, "2025-02").await.unwrap();
    tx.commit().await.unwrap();
    let closed = a_case(
        &db,
        agency_id,
        "500119-20250110-000001",
        CaseStatus::Completed,
    )
    .await;
    a_case(
        &db,
        agency_id,
        "500119-20250111-000001",
        CaseStatus::Refused,
    )
    .await;
    a_case(
        &db,
        agency_id,
        "500119-20250203-000001",
        CaseStatus::Completed,
    )
    .await;
    let open = a_case(
        &db,
        agency_id,
        "500119-20250204-000001",
        CaseStatus::Accepted,
    )
    .await;

    let mut tx = db.store.begin().await.unwrap();
    let refused = partition::detach(&mut tx, Family::Cases, "2025-02", "2026-12").await;
    match refused {
        Err(StoreError::Conflict(m)) => assert!(m.contains("1 case"), "{m}"),
        other => panic!("a month with an open case: {other:?}"),
    }
    assert!(matches!(
        partition::detach(&mut tx, Family::Cases, "2026-12", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        partition::detach(&mut tx, Family::Cases, "2024-02", "2026-12").await,
        Err(StoreError::Conflict(_))
    ));
    let detached = partition::detach(&mut tx, Family::Cases, "2025-01", "2026-12")
        .await
        .unwrap();
    assert_eq!(
        detached,
        [
            "case_event_2025_01",
            "case_material_2025_01",
            "case_notice_2025_01",
            "case_pause_2025_01",
            "case_evaluation_2025_01",
            "case_file_2025_01",
        ]
    );
    tx.commit().await.unwrap();

    let mut tx = db.store.begin().await.unwrap();
    // The month's cases and children left every query, and stay in the detached tables.
    assert!(cases::find_by_number(&mut tx, "500119-20250110-000001")
        .await
        .unwrap()
        .is_none());
    assert!(cases::events(&mut tx, &closed).await.unwrap().is_empty());
    for (table, rows) in [
        ("case_file_2025_01", 2),
        ("case_event_2025_01", 2),
        ("case_material_2025_01", 2),
        ("case_evaluation_2025_01", 2),
    ] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, rows, "{table}");
    }
    // Their ids stay taken in the key table.
    let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM case_key WHERE id = $1")
        .bind(closed.id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(keys, 1);
    // The other months are untouched, the open case's included, and its ledger month too.
    let still = cases::find_by_number(&mut tx, "500119-20250204-000001")
        .await
        .unwrap()
        .expect("the open case");
    assert_eq!(still.key(), open);
    assert_eq!(cases::events(&mut tx, &open).await.unwrap().len(), 1);
    let names: Vec<String> = partition::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert!(names.contains(&"settlement_2025_01".to_string()));
    assert!(!names.contains(&"case_file_2025_01".to_string()));
    tx.commit().await.unwrap();

    // Once its case is closed, the second month goes too.
    let mut tx = db.store.begin().await.unwrap();
    let mut c = still;
    c.status = CaseStatus::Completed;
    cases::update(&mut tx, &c).await.unwrap();
    assert_eq!(
        partition::detach(&mut tx, Family::Cases, "2025-02", "2026-12")
            .await
            .unwrap()
            .last()
            .map(String::as_str),
        Some("case_file_2025_02")
    );
    tx.commit().await.unwrap();
    db.cleanup().await;
}
