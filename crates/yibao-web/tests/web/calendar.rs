//! The calendar API and administrator imports, against SQLite and PostgreSQL.

use axum::http::StatusCode;
use yibao_service::calendar;

both_stores!(deadline_api_counts_working_days, |app| {
    // 2024 春节: 2/10–2/17 off, 2/18 (Sunday) worked.
    let r = app
        .get("/api/v1/calendar/deadline?from=2024-02-08&working_days=2")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["deadline"], "2024-02-18");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);

    // SEED-NOTES D19: 30 working days from 2024-03-04.
    let v = app
        .get("/api/v1/calendar/deadline?from=2024-03-04&working_days=30")
        .await
        .json();
    assert_eq!(v["deadline"], "2024-04-16");

    let v = app
        .get("/api/v1/calendar/between?from=2024-03-04&to=2024-04-16")
        .await
        .json();
    assert_eq!(v["working_days"], 30);
});

both_stores!(a_year_without_data_warns, |app| {
    let v = app
        .get("/api/v1/calendar/deadline?from=2026-12-28&working_days=5")
        .await
        .json();
    assert_eq!(v["warnings"][0]["code"], "calendar.year_missing");
    assert_eq!(v["warnings"][0]["year"], 2027);
    // 2027 is not loaded, but its statutory 元旦 (Fri 1/1) is still off; the swaps are unknown.
    assert_eq!(v["deadline"], "2027-01-05");
    assert!(
        v["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("调休"),
        "{v}"
    );
    let r = app.get("/api/v1/calendar/2027").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "calendar.year_missing");
    let r = app.get("/api/v1/calendar/2026").await;
    assert_eq!(r.json()["doc_number"], "国办发明电〔2025〕7号");
});

both_stores!(bad_parameters_are_4xx_in_chinese, |app| {
    for (path, code) in [
        (
            "/api/v1/calendar/deadline?working_days=3",
            "calendar.missing_parameter",
        ),
        (
            "/api/v1/calendar/deadline?from=2024-02-30&working_days=3",
            "calendar.invalid_date",
        ),
        (
            "/api/v1/calendar/deadline?from=2024-02-01&working_days=-1",
            "calendar.invalid_working_days",
        ),
        (
            "/api/v1/calendar/deadline?from=2024-02-01&working_days=99999999",
            "calendar.invalid_working_days",
        ),
        (
            "/api/v1/calendar/deadline?from=9999-01-01&working_days=1",
            "calendar.invalid_date",
        ),
        ("/api/v1/calendar/abc", "calendar.invalid_year"),
    ] {
        let r = app.get(path).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        assert_eq!(r.json()["code"], code, "{path}");
    }
});

const SCHEDULE_2027: &str = r#"year = 2027
notice = "测试：2027年安排（非官方）"
[[holidays]]
name = "元旦"
from = "2027-01-01"
to = "2027-01-03"
workdays = []
"#;

both_stores!(an_imported_year_applies_and_is_logged, |app| {
    let r = calendar::import(
        &app.services,
        SCHEDULE_2027,
        &yibao_service::identity::Actor::System {
            label: "admin".into(),
        },
        "测试导入",
    )
    .await
    .unwrap();
    assert!(!r.replaced && !r.unchanged);
    let again = calendar::import(
        &app.services,
        SCHEDULE_2027,
        &yibao_service::identity::Actor::System {
            label: "admin".into(),
        },
        "",
    )
    .await
    .unwrap();
    assert!(again.unchanged, "the same file twice changes nothing");
    let corrected = SCHEDULE_2027.replace("2027-01-03", "2027-01-04");
    let r = calendar::import(
        &app.services,
        &corrected,
        &yibao_service::identity::Actor::System {
            label: "admin2".into(),
        },
        "更正",
    )
    .await
    .unwrap();
    assert!(r.replaced);

    let v = app
        .get("/api/v1/calendar/deadline?from=2026-12-31&working_days=1")
        .await
        .json();
    assert_eq!(v["deadline"], "2027-01-05");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);

    let mut tx = app.services.store().begin().await.unwrap();
    let changes = yibao_store::calendar::changes(&mut tx).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].before_sha256, None);
    assert_eq!(
        changes[1].before_sha256.as_deref(),
        Some(changes[0].after_sha256.as_str())
    );
    assert_eq!(changes[1].actor, "system:admin2");
    let audit = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(audit.ok);
    assert_eq!(
        audit.entries, 2,
        "two imports changed the calendar; the unchanged one did not"
    );
});

both_stores!(an_invalid_schedule_is_refused_and_nothing_stored, |app| {
    let bad = SCHEDULE_2027.replace("workdays = []", "workdays = [\"2027-01-05\"]");
    let err = calendar::import(
        &app.services,
        &bad,
        &yibao_service::identity::Actor::System {
            label: "admin".into(),
        },
        "",
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "calendar.invalid_schedule");
    assert!(
        err.message().contains("不是周六或周日"),
        "{}",
        err.message()
    );
    let mut tx = app.services.store().begin().await.unwrap();
    assert!(yibao_store::calendar::list(&mut tx)
        .await
        .unwrap()
        .is_empty());
});
