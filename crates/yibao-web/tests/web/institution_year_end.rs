//! The year-end reconciliation through the API on both stores (issue #21): a hospital paid by
//! global budget settles November, is declared, issued, confirmed; the year cannot be closed
//! while a month is unpaid nor before it ends; in January the reviewer enters the assessment
//! score and issues the 年终清算单 — the advance paid against the year's entitlement, the
//! reserve withheld returned by the score, both recomputed here from the settlement answers —
//! the hospital confirms it and finance pays it in a batch.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::institution_pages::november;
use crate::institutions::declaration_from;

const BUDGET: i64 = 1_200_000;

fn half_up(a: i64, b: i64, c: i64) -> i64 {
    (2 * a * b + c) / (2 * c)
}

both_stores_with_demo!(a_global_budget_year_is_reconciled_and_paid, |app| {
    app.demo().await;
    let code = "H50011900061";
    let token = app.nanchuan_hospital_token(code, "南川总额预付医院").await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/agreement"),
            Some(&admin),
            json!({"action": "change", "note": "约定总额预付", "terms": {
                "valid_from": "2026-01-01", "valid_until": null, "level": "二级",
                "services": ["普通门诊", "住院"], "methods": ["global_budget"],
                "annual_budget_fen": BUDGET, "cross_province": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let answers = november(app, &token, "Y").await;

    // December: November declared, issued and confirmed, not yet paid.
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
    let reviewer = dec.staff_token("cq.reviewer").await;
    let r = dec
        .call(
            "POST",
            "/api/v1/institution/months/2026-11/declaration",
            Some(&token),
            Some(json!({"lines": declaration_from(&answers)})),
        )
        .await;
    assert_eq!(r.json()["declaration"]["reconciliation"]["mismatches"], 0);
    let r = dec
        .call(
            "POST",
            "/api/v1/monthly/2026-11/statements",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(r.json()["issued"][0]["code"], code, "{}", r.body);
    let r = dec
        .call(
            "POST",
            "/api/v1/institution/months/2026-11/confirm",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let st = r.json()["statement"]["statement"].clone();
    // November's advance: the twelfth of the budget.
    assert_eq!(st["lines"][0]["method"], "global_budget", "{st}");
    assert_eq!(st["lines"][0]["amount_fen"], BUDGET / 12);
    let withheld = st["reserve_fen"].as_i64().unwrap();
    assert!(withheld > 0);
    // The year has not ended.
    let path = format!("/api/v1/year-end/2026/institutions/{code}");
    let r = dec
        .call("POST", &path, Some(&reviewer), Some(json!({"score": 80})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "year_end.year_not_ended");

    // January: not while November is unpaid.
    let jan = app.later(Utc.with_ymd_and_hms(2027, 1, 11, 2, 0, 0).unwrap());
    let reviewer = jan.staff_token("cq.reviewer").await;
    let finance = jan.staff_token("cq.finance").await;
    let r = jan
        .call("POST", &path, Some(&reviewer), Some(json!({"score": 80})))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["code"], "year_end.months_unpaid");
    assert!(r.json()["message"].as_str().unwrap().contains("2026-11"));
    let r = jan
        .call(
            "POST",
            "/api/v1/monthly/2026-11/payments",
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Only reviewers issue; the score must be 0–100.
    let clerk = jan.staff_token("cq.clerk").await;
    let r = jan
        .call("POST", &path, Some(&clerk), Some(json!({"score": 80})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = jan
        .call("POST", &path, Some(&reviewer), Some(json!({"score": 101})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let r = jan
        .call("POST", &path, Some(&reviewer), Some(json!({"score": 80})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "issued");
    assert!(v["rules_label"].as_str().unwrap().contains("示例参数"));
    // Recomputed from the settlement answers: the year's pooled fund is November's; under the
    // budget, half the surplus is kept (示例参数 5000‱); the reserve returned at 80 %.
    let actual: i64 = answers.iter().map(|a| a["fund"].as_i64().unwrap()).sum();
    assert!(actual < BUDGET);
    let entitlement = actual + half_up(BUDGET - actual, 5_000, 10_000);
    let b = &v["statement"]["budget"];
    assert_eq!(b["actual_pooled_fen"], actual, "{b}");
    assert_eq!(b["advances_paid_fen"], BUDGET / 12);
    assert_eq!(b["entitlement_fen"], entitlement);
    assert_eq!(b["balance_fen"], entitlement - BUDGET / 12);
    let returned = half_up(withheld, 80, 100);
    let res = &v["statement"]["reserve"];
    assert_eq!(res["withheld_fen"], withheld, "{res}");
    assert_eq!(res["returned_fen"], returned);
    assert_eq!(res["kept_fen"], withheld - returned);
    let net = entitlement - BUDGET / 12 + returned;
    assert_eq!(v["statement"]["net_fen"], net);
    // Once.
    let r = jan
        .call("POST", &path, Some(&reviewer), Some(json!({"score": 95})))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Finance pays only what the hospital confirmed.
    let r = jan
        .call(
            "POST",
            "/api/v1/year-end/2026/payments",
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = jan
        .call(
            "GET",
            "/api/v1/institution/year-end/2026",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["statement"]["net_fen"], net, "{}", r.body);
    // The hospital cannot read the agency's side.
    let r = jan.call("GET", &path, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = jan
        .call(
            "POST",
            "/api/v1/institution/year-end/2026/confirm",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "confirmed");
    let r = jan
        .call(
            "POST",
            "/api/v1/year-end/2026/payments",
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let batch = r.json();
    assert_eq!(batch["total_fen"], net);
    assert_eq!(batch["paid"][0]["code"], code);
    let r = jan.call("GET", &path, Some(&finance), None).await;
    assert_eq!(r.json()["status"], "paid");
    assert_eq!(r.json()["batch"], batch["batch"]);
});

// The year-end pages (agency and institution): the list shows the institution 未生成, the
// reviewer issues with a score (a wrong score is refused on the page), the statement page
// shows both parts, the institution confirms on its page, finance pays the batch from the
// list.
both_stores_with_demo!(
    the_year_end_is_issued_confirmed_and_paid_from_its_pages,
    |app| {
        use crate::common::page::{one_text, table_rows};
        use crate::institution_pages::{institution_browser, staff_browser};
        app.demo().await;
        let code = "H50011900062";
        let token = november_paid_in_january(app, code, "南川年终清算页面医院", "P").await;
        let jan = app.later(Utc.with_ymd_and_hms(2027, 1, 11, 2, 0, 0).unwrap());
        let finance = jan.staff_token("cq.finance").await;
        // The reviewer's list defaults to last year; the hospital is 未生成.
        let mut rv = staff_browser(&jan, "cq.reviewer").await;
        let page = rv.get("/staff/year-end").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("年终清算 2026 年度"));
        let row = table_rows(&page.body, "#year-end")
            .into_iter()
            .find(|r| r[0].contains(code))
            .unwrap();
        assert_eq!(row[2], "未生成", "{row:?}");
        // A score outside 0–100 is refused with the reason, on the page.
        let r = rv
            .post_form(
                &format!("/staff/year-end/2026/{code}/issue"),
                &[("score", "101")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(one_text(&r.body, "#error").contains("0至100"));
        let r = rv
            .post_form(
                &format!("/staff/year-end/2026/{code}/issue"),
                &[("score", "80")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(one_text(&r.body, "#notice").contains(code));
        let api = jan
            .call(
                "GET",
                &format!("/api/v1/year-end/2026/institutions/{code}"),
                Some(&finance),
                None,
            )
            .await
            .json();
        let net = api["statement"]["net_fen"].as_i64().unwrap();
        let yuan = yibao_domain::Fen(net).yuan_string();
        let row = table_rows(&r.body, "#year-end")
            .into_iter()
            .find(|r| r[0].contains(code))
            .unwrap();
        assert_eq!(row[2], "待机构确认", "{row:?}");
        assert_eq!(row[3], "80");
        assert_eq!(row[4], yuan);
        // The statement's page: both parts.
        let page = rv.get(&format!("/staff/year-end/2026/{code}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(one_text(&page.body, "#ye-net").contains(&yuan));
        assert!(one_text(&page.body, "#ye-balance").contains("补付"));

        // The hospital sees its own, confirms it; it cannot open the agency's list.
        let mut hb = institution_browser(&jan, code, &token).await;
        let page = hb.get("/institution/year-end?year=2026").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(one_text(&page.body, "#ye-net").contains(&yuan));
        assert_eq!(crate::common::page::count(&page.body, "#confirm"), 1);
        let r = hb.get("/staff/year-end").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.status);
        hb.get("/institution/year-end?year=2026").await;
        let r = hb
            .post_form("/institution/year-end/2026/confirm", &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(one_text(&r.body, "#ye-status"), "待拨付");
        assert_eq!(crate::common::page::count(&r.body, "#confirm"), 0);

        // Finance pays the batch from the list.
        let mut fb = staff_browser(&jan, "cq.finance").await;
        fb.get("/staff/year-end?year=2026").await;
        let r = fb.post_form("/staff/year-end/2026/payments", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(one_text(&r.body, "#notice").contains("拨付批次 NQ"));
        let row = table_rows(&r.body, "#year-end")
            .into_iter()
            .find(|r| r[0].contains(code))
            .unwrap();
        assert_eq!(row[2], "已拨付", "{row:?}");
        assert!(row[5].starts_with("NQ"), "{row:?}");
    }
);

/// A Nanchuan hospital paid by global budget (`BUDGET`) whose November is settled, declared,
/// issued, confirmed and — on 11 January 2027 — paid: its year can be reconciled. Returns its
/// API token.
pub(crate) async fn november_paid_in_january(
    app: &crate::common::TestApp,
    code: &str,
    name: &str,
    prefix: &str,
) -> String {
    let token = app.nanchuan_hospital_token(code, name).await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/agreement"),
            Some(&admin),
            json!({"action": "change", "note": "约定总额预付", "terms": {
                "valid_from": "2026-01-01", "valid_until": null, "level": "二级",
                "services": ["普通门诊", "住院"], "methods": ["global_budget"],
                "annual_budget_fen": BUDGET, "cross_province": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let answers = november(app, &token, prefix).await;
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
    let reviewer = dec.staff_token("cq.reviewer").await;
    let r = dec
        .call(
            "POST",
            "/api/v1/institution/months/2026-11/declaration",
            Some(&token),
            Some(json!({"lines": declaration_from(&answers)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = dec
        .call(
            "POST",
            "/api/v1/monthly/2026-11/statements",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(r.json()["issued"][0]["code"], code, "{}", r.body);
    let r = dec
        .call(
            "POST",
            "/api/v1/institution/months/2026-11/confirm",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let jan = app.later(Utc.with_ymd_and_hms(2027, 1, 11, 2, 0, 0).unwrap());
    let finance = jan.staff_token("cq.finance").await;
    let r = jan
        .call(
            "POST",
            "/api/v1/monthly/2026-11/payments",
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    token
}
