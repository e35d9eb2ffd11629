//! The same repository code against both backends: what one stores, the other stores alike.

use yibao_domain::{CitizenId, RegionCode, Uscc};
use yibao_store::test_support::TestDb;
use yibao_store::{agency, enrolment, meta, Backend, StoreError};

const NOW: &str = "2026-11-22T09:00:00.000Z";

async fn round_trip(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database");
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
    agency::insert_window(&mut tx, agency_id, "W01", "川渝通办专窗", true, NOW)
        .await
        .unwrap();

    let uscc: Uscc = "91350100M000100Y43".parse().unwrap();
    let region: RegionCode = "500119".parse().unwrap();
    enrolment::insert_employer(
        &mut tx,
        &enrolment::NewEmployer {
            uscc: &uscc,
            name: "示例单位",
            kind: "enterprise",
            region_code: &region,
            legal_representative: "张三",
            address: "",
            phone: "",
            contact_name: "",
            bank_name: "",
            bank_account: "",
            registered_on: "2026-01-01",
        },
        NOW,
    )
    .await
    .unwrap();
    let id: CitizenId = "11010519491231002X".parse().unwrap();
    let new_person = enrolment::NewPerson {
        id_number: &id,
        name: "李四",
        region_code: &region,
        phone: "13800000000",
    };
    enrolment::insert_person(&mut tx, &new_person, NOW)
        .await
        .unwrap();
    // The unique index refuses a second person with the same ID number.
    let dup = enrolment::insert_person(&mut tx, &new_person, NOW).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    tx.rollback().await.unwrap();

    // A rolled-back transaction leaves nothing behind.
    let mut conn = db.store.begin().await.unwrap();
    assert_eq!(agency::count(&mut conn).await.unwrap(), 0);
    drop(conn);

    let mut tx = db.store.begin().await.unwrap();
    meta::set(&mut tx, "k", "v1", NOW).await.unwrap();
    meta::set(&mut tx, "k", "v2", NOW).await.unwrap();
    let person_id = enrolment::insert_person(&mut tx, &new_person, NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.begin().await.unwrap();
    assert_eq!(
        meta::get(&mut conn, "k").await.unwrap().as_deref(),
        Some("v2")
    );
    let p = enrolment::find_person(&mut conn, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.id, person_id);
    assert_eq!(p.birth_date, "1949-12-31");
    assert_eq!(p.sex, "female");
    assert_eq!(p.created_at, NOW);
    drop(conn);
    db.cleanup().await;
}

#[tokio::test]
async fn round_trip_sqlite() {
    round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn round_trip_postgres() {
    round_trip(Backend::Postgres).await;
}

#[tokio::test]
async fn migrating_twice_is_harmless_sqlite() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    db.store.migrate().await.unwrap();
    db.cleanup().await;
}

#[tokio::test]
async fn migrating_twice_is_harmless_postgres() {
    let db = TestDb::new(Backend::Postgres).await.unwrap();
    db.store.migrate().await.unwrap();
    db.cleanup().await;
}

/// A case whose stored status no build knows is reported as corrupt when read, never shown as
/// a draft (issue #14: typed state at the store edge).
async fn unknown_case_status_is_corrupt(backend: Backend) {
    use yibao_domain::case::CaseStatus;
    use yibao_store::cases::{self, CaseKey, CaseRow};
    let db = TestDb::new(backend).await.expect("test database");
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
    let row = CaseRow {
        number: "YB5001192026112200001".into(),
        jurisdiction: "nanchuan".into(),
        item_id: "01".into(),
        item_version: 1,
        service_key: "enrolment.employer_register".into(),
        applicant_kind: yibao_domain::case::ApplicantType::Employer,
        channel: "window".into(),
        receiving_agency_id: agency_id,
        deciding_agency_id: agency_id,
        created_at: NOW.into(),
        updated_at: NOW.into(),
        ..CaseRow::default()
    };
    let id = cases::insert(&mut tx, &row).await.unwrap();
    let key = CaseKey {
        id,
        month: cases::month_of(&row.number),
    };
    let read = cases::find(&mut tx, &key).await.unwrap().expect("the case");
    assert_eq!(read.status, CaseStatus::Draft);
    sqlx::query("UPDATE case_file SET status = 'archived' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    match cases::find(&mut tx, &key).await {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("column status"), "{m}"),
        other => panic!("expected a corrupt-data error, got {other:?}"),
    }
    // A damaged JSON column is as corrupt as an unknown status: never read as an empty form.
    sqlx::query("UPDATE case_file SET status = 'draft', form_json = '{\"a\":' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    match cases::find(&mut tx, &key).await {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("form_json"), "{m}"),
        other => panic!("expected a corrupt-data error, got {other:?}"),
    }
    sqlx::query("UPDATE case_file SET form_json = '{}', outcome_json = '[1,' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(matches!(
        cases::find(&mut tx, &key).await,
        Err(StoreError::Corrupt(_))
    ));
    drop(tx);
    db.cleanup().await;
}

#[tokio::test]
async fn unknown_case_status_is_corrupt_sqlite() {
    unknown_case_status_is_corrupt(Backend::Sqlite).await;
}

#[tokio::test]
async fn unknown_case_status_is_corrupt_postgres() {
    unknown_case_status_is_corrupt(Backend::Postgres).await;
}
