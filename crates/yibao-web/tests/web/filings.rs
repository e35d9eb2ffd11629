//! Remote-care filings as recorded by a completed filing case: the citizen's list and printable
//! confirmation, who else may see them, changes, cancellations and the filing that settlement
//! asks for (seed 000 表1; rules in yibao-domain::filing).

use crate::common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::page::count;
use serde_json::json;
use yibao_domain::filing::{FilingApplication, FilingJurisdiction};
use yibao_domain::{CitizenId, RegionCode};
use yibao_service::filing;

fn application(
    id_number: &str,
    category: &str,
    registration: &str,
    province: &str,
    city: &str,
) -> FilingApplication {
    let form: BTreeMap<String, String> = [
        ("name", "演示·王建国"),
        ("scheme", "职工医保"),
        ("person_category", category),
        ("registration_type", registration),
        ("id_number", id_number),
        ("phone_1", "13800000001"),
        ("target_province", province),
        ("target_prefecture", city),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    FilingApplication::parse(&form).expect("a valid 表1")
}

async fn record(
    app: &common::TestApp,
    a: &FilingApplication,
    case: &str,
    day: NaiveDate,
) -> yibao_domain::filing::Filing {
    let mut tx = app.services.store().begin().await.unwrap();
    let region: RegionCode = "500119".parse().unwrap();
    let f = filing::record(
        &mut tx,
        &app.services,
        a,
        FilingJurisdiction::Chongqing,
        &region,
        case,
        day,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    f
}

both_stores_with_demo!(
    a_citizen_sees_and_prints_their_filings_and_nobody_else_does,
    |app| {
        let demo = app.demo().await;
        let me = &demo.citizens[0];
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Relocated to Haikou (a city target), then changed to Sanya; a temporary filing to Beijing
        // (a province-level target, seed 000 表1 温馨提示).
        let chengdu = record(
            app,
            &application(&me.login, "异地安置退休人员", "新增", "510000", "510100"),
            "500119-20261101-000001",
            d("2026-11-01"),
        )
        .await;
        let beijing = record(
            app,
            &application(&me.login, "临时异地就医人员", "新增", "110000", "110100"),
            "500119-20261105-000002",
            d("2026-11-05"),
        )
        .await;
        assert!(beijing.target.is_province_level());
        let mianyang = record(
            app,
            &application(&me.login, "异地安置退休人员", "变更", "510000", "510700"),
            "500119-20261120-000003",
            d("2026-11-20"),
        )
        .await;

        let person: CitizenId = me.login.parse().unwrap();
        let mut tx = app.services.store().begin().await.unwrap();
        let on = |s| d(s);
        let chengdu_region: RegionCode = "510104".parse().unwrap();
        let mianyang_region: RegionCode = "510703".parse().unwrap();
        let beijing_region: RegionCode = "110105".parse().unwrap();
        let a = filing::active_for(&mut tx, &person, &chengdu_region, on("2026-11-10"))
            .await
            .unwrap();
        assert_eq!(a.map(|f| f.id), Some(chengdu.id.clone()));
        let a = filing::active_for(&mut tx, &person, &chengdu_region, on("2026-11-21"))
            .await
            .unwrap();
        assert!(
            a.is_none(),
            "the change ended the Chengdu filing the day before"
        );
        let a = filing::active_for(&mut tx, &person, &mianyang_region, on("2026-11-21"))
            .await
            .unwrap();
        assert_eq!(a.map(|f| f.id), Some(mianyang.id.clone()));
        let a = filing::active_for(&mut tx, &person, &beijing_region, on("2026-11-21"))
            .await
            .unwrap();
        assert_eq!(
            a.map(|f| f.id),
            Some(beijing.id.clone()),
            "any district of Beijing is covered"
        );
        // Cancelling the Beijing filing stops it from the day of cancellation.
        filing::cancel(&mut tx, &app.services, &beijing.id, on("2026-11-22"))
            .await
            .unwrap();
        let a = filing::active_for(&mut tx, &person, &beijing_region, on("2026-11-22"))
            .await
            .unwrap();
        assert!(a.is_none());
        tx.commit().await.unwrap();

        let t = app
            .token(json!({"kind":"citizen","id_number": me.login,"password": me.password}))
            .await;
        let v = app
            .call("GET", "/api/v1/me/filings", Some(&t), None)
            .await
            .json();
        assert_eq!(v["filings"].as_array().unwrap().len(), 3);
        let mut b = app.browser();
        b.get("/login").await;
        b.post_form(
            "/login/citizen",
            &[("id_number", &me.login), ("password", &me.password)],
        )
        .await;
        let list = b.get("/account/filings").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("已终止") && list.body.contains("有效"),
            "{}",
            list.body
        );
        let page = b.get(&format!("/filings/{}", mianyang.id)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("异地就医备案凭证") && page.body.contains("四川省"),
            "{}",
            page.body
        );
        let pdf = b.get(&format!("/filings/{}?format=pdf", mianyang.id)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-"));

        // Another citizen, and an employer operator, get nothing; staff of the insured region do.
        let other = &demo.citizens[1];
        let t2 = app
            .token(json!({"kind":"citizen","id_number": other.login,"password": other.password}))
            .await;
        assert_eq!(
            app.call(
                "GET",
                &format!("/api/v1/filings/{}", mianyang.id),
                Some(&t2),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call("GET", "/api/v1/me/filings", Some(&t2), None)
                .await
                .json()["filings"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        let nanchuan = app.staff_token("nanchuan.clerk").await;
        assert_eq!(
            app.call(
                "GET",
                &format!("/api/v1/filings/{}", mianyang.id),
                Some(&nanchuan),
                None
            )
            .await
            .status,
            StatusCode::OK
        );
        let youyang = app.staff_token("youyang.clerk").await;
        assert_eq!(
            app.call(
                "GET",
                &format!("/api/v1/filings/{}", mianyang.id),
                Some(&youyang),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        // Cancellation (取消备案): not by others; by the person, once.
        let cancel = format!("/api/v1/filings/{}/cancel", mianyang.id);
        assert_eq!(
            app.post_json(&cancel, Some(&t2), json!({})).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post_json(&cancel, Some(&youyang), json!({}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // On the page, cancelling asks for a confirmation first (#23).
        let page_cancel = format!("/filings/{}/cancel", mianyang.id);
        b.get(&format!("/filings/{}", mianyang.id)).await;
        let r = b.post_form(&page_cancel, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("请勾选确认后再取消"), "{}", r.body);
        assert_eq!(count(&r.body, "#cancel-confirm[required]"), 1);
        {
            let mut tx = app.services.store().begin_read().await.unwrap();
            let a = filing::active_for(&mut tx, &person, &mianyang_region, d("2026-11-22"))
                .await
                .unwrap();
            assert!(a.is_some(), "not cancelled without the confirmation");
        }
        let r = b.post_form(&page_cancel, &[("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("备案已取消"), "{}", r.body);
        let r = app.post_json(&cancel, Some(&t), json!({})).await;
        assert_eq!(r.json()["code"], "filing.not_in_force", "{}", r.body);
        let mut tx = app.services.store().begin().await.unwrap();
        let a = filing::active_for(&mut tx, &person, &mianyang_region, d("2026-11-22"))
            .await
            .unwrap();
        assert!(a.is_none(), "cancelled today: no longer applies");
    }
);

both_stores_with_demo!(a_change_without_a_filing_to_change_is_refused, |app| {
    app.demo().await;
    let mut tx = app.services.store().begin().await.unwrap();
    let region: RegionCode = "500119".parse().unwrap();
    let a = application(
        "11010519491231002X",
        "异地长期居住人员",
        "变更",
        "510000",
        "510100",
    );
    let err = filing::record(
        &mut tx,
        &app.services,
        &a,
        FilingJurisdiction::Chongqing,
        &region,
        "500119-20261122-000009",
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "filing.nothing_to_change");
});
