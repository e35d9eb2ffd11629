//! The foundation end to end, in-process, against SQLite and PostgreSQL: health, readiness,
//! metrics, the identifier check API and page, demo data, error answers and security headers.

use axum::http::StatusCode;
use yibao_service::demo;

both_stores!(health_and_readiness, |app| {
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");

    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK);
    let expected = app.services.store().backend().name();
    assert_eq!(r.json()["database"], expected);
});

both_stores!(readiness_fails_when_the_database_is_gone, |app| {
    app.services.store().close().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["code"], "store.unavailable");
});

both_stores!(metrics_count_requests_by_route, |app| {
    app.get("/healthz").await;
    app.get("/api/v1/check/id/11010519491231002X").await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("# TYPE yibao_http_requests counter"));
    assert!(r
        .body
        .contains(r#"yibao_http_requests_total{method="GET",route="/healthz",status="200"} 1"#));
    assert!(r.body.contains(r#"route="/api/v1/check/{kind}/{value}""#));
    assert!(r
        .body
        .contains("yibao_http_request_duration_seconds_bucket"));
});

both_stores!(check_api_accepts_valid_and_explains_invalid, |app| {
    let r = app.get("/api/v1/check/id/11010519491231002x").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["valid"], true);
    assert_eq!(v["normalized"], "11010519491231002X");
    assert_eq!(v["facts"]["birth_date"], "1949-12-31");

    let r = app.get("/api/v1/check/id/110105194912310021").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["code"], "id.check_digit");
    assert!(v["message"].as_str().unwrap().contains("校验码"));

    // 2023 was not a leap year.
    let r = app.get("/api/v1/check/id/500102202302290011").await;
    assert_eq!(r.json()["code"], "id.birth_date");

    let r = app.get("/api/v1/check/uscc/91350100M000100Y43").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/api/v1/check/uscc/91350100M000100Y44").await;
    assert_eq!(r.json()["code"], "uscc.check_digit");
    let r = app.get("/api/v1/check/region/990000").await;
    assert_eq!(r.json()["code"], "region.province");

    let r = app.get("/api/v1/check/passport/E12345678").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "check.unknown_kind");
});

both_stores!(hostile_input_gets_4xx_never_5xx, |app| {
    let long = "9".repeat(5000);
    for path in [
        "/api/v1/check/id/%F0%9F%98%80%E4%B8%AD".to_string(),
        format!("/api/v1/check/uscc/{long}"),
        "/api/v1/check/id/%00%00".to_string(),
        "/check?kind=id&value=%E4%B8%AD%E6%96%87".to_string(),
        "/check?kind=%FF&value=1".to_string(),
        "/check?value=1&value=2&kind=x".to_string(),
    ] {
        let r = app.get(&path).await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{path}: {}",
            r.status
        );
    }
});

both_stores!(unknown_paths_answer_in_chinese, |app| {
    let r = app.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "http.not_found");

    let r = app.get("/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.body.contains("页面不存在"));
    assert!(r.body.contains("lang=\"zh-CN\""));
});

both_stores!(security_headers_on_every_response, |app| {
    for path in ["/", "/healthz", "/api/v1/check/id/1", "/missing"] {
        let r = app.get(path).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }
});

both_stores!(pages_render_in_chinese, |app| {
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("医保经办服务平台"));
    assert!(
        !r.body.contains("演示数据"),
        "no demo banner without demo data"
    );

    let r = app.get("/check?kind=id&value=110105194912310021").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("无效"));
    assert!(r.body.contains("id.check_digit"));

    let r = app.get("/check?kind=uscc&value=91350100M000100Y43").await;
    assert!(r.body.contains("有效"));
    assert!(r.body.contains("350100"));

    let r = app.get("/static/app.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
});

both_stores!(demo_data_loads_once_and_shows, |app| {
    let first = demo::load(&app.services).await.unwrap();
    assert!(first.loaded_now);
    assert_eq!(first.agencies, 5);
    let second = demo::load(&app.services).await.unwrap();
    assert!(!second.loaded_now, "demo data is loaded only once");
    assert_eq!(second.loaded_at, first.loaded_at);

    let r = app.get("/").await;
    assert!(r.body.contains("演示数据"));
    // The banner says when in Beijing time, not the stored UTC text.
    let local = yibao_service::clock::local_text(&first.loaded_at);
    assert!(r.body.contains(&format!("装入于 {local}")), "{}", r.body);
    assert!(!r.body.contains(&first.loaded_at));
    let r = app.get("/agencies").await;
    assert!(r.body.contains("重庆市南川区医疗保障事务中心（演示）"));
    assert!(r.body.contains("川渝通办专窗"));

    let overview = yibao_service::overview::overview(&app.services)
        .await
        .unwrap();
    assert_eq!(overview.employers, 4);
    assert_eq!(overview.persons, 6);
    assert_eq!(overview.agencies.len(), 5);
    assert!(overview.agencies.iter().all(|a| a.windows.len() == 2));
});

both_stores!(demo_accounts_store_verifiable_hashes, |app| {
    let report = demo::load(&app.services).await.unwrap();
    let account = &report.accounts[0];
    let mut tx = app.services.store().begin().await.unwrap();
    let row = yibao_store::staff::find_by_username(&mut tx, &account.username)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.password_hash.contains(&account.password));
    assert!(yibao_service::identity::verify_password(&account.password, &row.password_hash).await);
});

both_stores!(the_instance_key_is_one_per_installation, |app| {
    // Two processes of one installation (two Services on one store) sign with the same key,
    // created on first use and kept.
    let first = app.services.instance_key().await.expect("key").public_hex();
    let other = yibao_service::Services::new(
        app.services.store().clone(),
        std::sync::Arc::new(yibao_service::SystemClock),
        std::sync::Arc::new(app.services.catalog().clone()),
    );
    let key = other.instance_key().await.expect("key");
    assert_eq!(key.public_hex(), first);
    let sig = key.sign_hex(b"yibao");
    assert!(yibao_service::signing::verify_hex(&first, b"yibao", &sig));
});
