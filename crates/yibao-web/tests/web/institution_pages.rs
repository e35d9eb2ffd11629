//! The monthly settlement through the pages, on both stores: the institution logs in with its
//! code and API token, declares November with a deliberate mismatch, sees it line by line,
//! re-declares; the reviewer sees the month, records a deduction and issues the 结算单; the
//! institution confirms it; finance pays it. An institution sees only its own month and none
//! of the agency's pages.

use crate::common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::page::{count, one_text, table_rows};
use common::{Browser, Later, TestApp};
use serde_json::Value;

use crate::institutions::{bill, declaration_from, person_id};

const SCHEMES: [&str; 3] = ["employee_in_service", "employee_retired", "resident"];
const VISITS: [&str; 4] = [
    "general_outpatient",
    "chronic_outpatient",
    "inpatient",
    "maternity",
];

/// The declaration form's fields for declaration lines (as the API takes them).
pub(crate) fn form_fields(lines: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in lines {
        let si = SCHEMES.iter().position(|s| l["scheme"] == *s).unwrap();
        let vi = VISITS.iter().position(|v| l["visit"] == *v).unwrap();
        let count = (format!("g{si}{vi}_count"), l["count"].to_string());
        if !out.contains(&count) {
            out.push(count);
        }
        out.push((
            format!("g{si}{vi}_{}", l["fund"].as_str().unwrap()),
            yibao_domain::Fen(l["amount_fen"].as_i64().unwrap()).yuan_string(),
        ));
    }
    out
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// November's settlements of a 南川 hospital: the API's answers, one reversed and left out.
pub(crate) async fn november(app: &TestApp, token: &str, tag: &str) -> Vec<Value> {
    let people = [
        person_id(app, "王建国").await,
        person_id(app, "李秀英").await,
    ];
    let mut answers = Vec::new();
    for (i, p) in people.iter().enumerate() {
        for (j, visit) in ["general_outpatient", "inpatient"].iter().enumerate() {
            let id = format!("{tag}{i}{j}");
            let r = app
                .post_json(
                    "/api/v1/settlements",
                    Some(token),
                    bill(&id, p, visit, 30_000 + 120_000 * j as i64 + 700 * i as i64),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.body);
            answers.push(r.json());
        }
    }
    answers
}

async fn log_in(b: &mut Browser<'_>, code: &str, token: &str) {
    let login = b.get("/login").await;
    assert!(login.body.contains("定点医药机构登录"));
    let r = b
        .post_form("/login/institution", &[("code", code), ("token", token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/institution");
}

pub(crate) async fn institution_browser<'a>(
    later: &'a Later,
    code: &str,
    token: &str,
) -> Browser<'a> {
    let mut b = later.browser();
    log_in(&mut b, code, token).await;
    b
}

pub(crate) async fn staff_browser<'a>(later: &'a Later, username: &str) -> Browser<'a> {
    let (prefix, role) = username.split_once('.').unwrap();
    let mut b = later.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", username),
                ("password", &format!("demo-{prefix}-{role}")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

both_stores_with_demo!(
    a_month_is_declared_issued_confirmed_and_paid_on_the_pages,
    |app| {
        app.demo().await;
        let code = "H50011900041";
        let token = app
            .nanchuan_hospital_token(code, "南川页面月结算医院")
            .await;
        let other = app
            .nanchuan_hospital_token("H50011900042", "南川另一家医院")
            .await;
        let answers = november(app, &token, "P").await;
        let honest = declaration_from(&answers);

        let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
        // A wrong token, or a right token with another institution's code, does not log in.
        let mut b = dec.browser();
        b.get("/login").await;
        let r = b
            .post_form("/login/institution", &[("code", code), ("token", "ybi_00")])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert!(r.body.contains("机构编码或接口令牌不正确"));
        let r = b
            .post_form(
                "/login/institution",
                &[("code", "H50011900042"), ("token", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

        let mut inst = institution_browser(&dec, code, &token).await;
        // The home page goes to the month being settled: November.
        let r = inst.get("/institution").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers["location"], "/institution/months/2026-11");
        let page = inst.get("/institution/months/2026-11").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("href=\"/institution\""),
            "in the navigation"
        );
        let ledger = table_rows(&page.body, "#ledger-table tbody");
        let settled: i64 = ledger.iter().map(|r| r[2].parse::<i64>().unwrap()).sum();
        assert_eq!(settled, 4, "{ledger:?}");
        assert!(one_text(&page.body, "#recon-summary").contains("尚未申报"));
        assert_eq!(count(&page.body, "#declare-form"), 1);
        // December cannot be declared yet.
        let dec_page = inst.get("/institution/months/2026-12").await;
        assert!(dec_page.body.contains("尚未结束"));
        assert_eq!(count(&dec_page.body, "#declare-form"), 0);

        // A form error keeps what was typed.
        let mut bad = form_fields(&honest);
        bad[1].1 = "12.345".into();
        let r = inst
            .post_form("/institution/months/2026-11/declaration", &refs(&bad))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(one_text(&r.body, "#error").contains("最多两位小数"));
        assert!(r.body.contains("value=\"12.345\""));

        // Declared with one amount a fen off and one line's count left out: two mismatches,
        // listed line by line.
        let mut wrong = form_fields(&honest);
        let fen_off = wrong
            .iter()
            .position(|(k, _)| k.ends_with("_pooled"))
            .unwrap();
        let pooled: yibao_domain::Fen = wrong[fen_off].1.parse().unwrap();
        wrong[fen_off].1 = yibao_domain::Fen(pooled.fen() + 1).yuan_string();
        let r = inst
            .post_form("/institution/months/2026-11/declaration", &refs(&wrong))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = inst.get("/institution/months/2026-11").await;
        assert!(
            one_text(&page.body, "#recon-summary").contains("不一致 1 处"),
            "{}",
            one_text(&page.body, "#recon-summary")
        );
        assert_eq!(count(&page.body, "#recon-table tr.recon-bad"), 1);
        let bad_rows: Vec<Vec<String>> = table_rows(&page.body, "#recon-table tbody")
            .into_iter()
            .filter(|r| r[7] != "一致")
            .collect();
        assert_eq!(bad_rows.len(), 1, "{bad_rows:?}");
        assert_eq!(bad_rows[0][2], "统筹基金");
        assert_eq!(bad_rows[0][7], "不一致");
        // The form shows the declaration to correct.
        assert!(page
            .body
            .contains(&format!("value=\"{}\"", wrong[fen_off].1)));

        // The reviewer sees the mismatch, and a statement run leaves the hospital out with why.
        let mut reviewer = staff_browser(&dec, "cq.reviewer").await;
        let list = reviewer.get("/staff/monthly?month=2026-11").await;
        assert_eq!(list.status, StatusCode::OK);
        let rows = table_rows(&list.body, "#monthly tbody");
        let row = rows.iter().find(|r| r[0].contains(code)).unwrap();
        assert!(row[5].contains("不一致 1 处"), "{row:?}");
        let r = reviewer
            .post_form("/staff/monthly/2026-11/statements", &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(one_text(&r.body, "#notice").contains(&format!("{code} 未生成：对账不一致 1 处")));

        // Re-declared as counted: every line matches.
        let right = form_fields(&honest);
        let r = inst
            .post_form("/institution/months/2026-11/declaration", &refs(&right))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = inst.get("/institution/months/2026-11").await;
        assert!(one_text(&page.body, "#recon-summary").contains("第 2 次申报"));
        assert!(one_text(&page.body, "#recon-summary").contains("逐项一致"));
        assert_eq!(count(&page.body, "#recon-table tr.recon-bad"), 0);

        // The reviewer's detail page: the reconciliation, a deduction in yuan, then the statement.
        let detail = reviewer
            .get(&format!("/staff/monthly/2026-11/{code}"))
            .await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
        assert!(one_text(&detail.body, "#recon-summary").contains("逐项一致"));
        let r = reviewer
            .post_form(
                &format!("/staff/monthly/2026-11/{code}/deductions"),
                &[("reason", "智能审核：超限价收费"), ("amount", "12.34")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let detail = reviewer
            .get(&format!("/staff/monthly/2026-11/{code}"))
            .await;
        let ded = table_rows(&detail.body, "#deduction-table tbody");
        assert_eq!(ded[0][1], "12.34", "{ded:?}");
        let r = reviewer
            .post_form("/staff/monthly/2026-11/statements", &[])
            .await;
        assert!(one_text(&r.body, "#notice").contains("已生成 1 家机构的月结算单"));

        // The institution sees the statement, the amount recomputed here, and confirms it.
        let sum = |f: &str| -> i64 { answers.iter().map(|a| a[f].as_i64().unwrap_or(0)).sum() };
        let due = sum("fund")
            + sum("critical_illness")
            + sum("aid")
            + sum("account")
            + sum("account_mutual_aid");
        let reserve = ((due - 1234) * 500 + 5_000) / 10_000;
        let net = yibao_domain::Fen(due - 1234 - reserve).yuan_string();
        let page = inst.get("/institution/months/2026-11").await;
        assert_eq!(one_text(&page.body, "#statement-status"), "待机构确认");
        assert_eq!(one_text(&page.body, "#statement-net"), net);
        assert_eq!(
            count(&page.body, "#declare-form"),
            0,
            "no declaration once issued"
        );
        assert_eq!(count(&page.body, "#confirm"), 1);
        let r = inst
            .post_form("/institution/months/2026-11/confirm", &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = inst.get("/institution/months/2026-11").await;
        assert_eq!(one_text(&page.body, "#statement-status"), "待拨付");
        assert_eq!(count(&page.body, "#confirm"), 0);
        // Confirming twice is refused on the page, not with an error page.
        let r = inst
            .post_form("/institution/months/2026-11/confirm", &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(one_text(&r.body, "#error").contains("不能再次确认"));

        // Finance pays it; the list, its export and the institution's page say so.
        let mut finance = staff_browser(&dec, "cq.finance").await;
        let list = finance.get("/staff/monthly?month=2026-11").await;
        assert_eq!(count(&list.body, "#pay"), 1);
        assert_eq!(count(&list.body, "#issue"), 0, "finance does not issue");
        let r = finance
            .post_form("/staff/monthly/2026-11/payments", &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(one_text(&r.body, "#notice").contains(&format!("{code} {net} 元")));
        let rows = table_rows(&r.body, "#monthly tbody");
        let row = rows.iter().find(|r| r[0].contains(code)).unwrap();
        assert_eq!(row[5], "已拨付");
        assert_eq!(row[9], net);
        let x = finance
            .get("/staff/monthly?month=2026-11&format=xlsx")
            .await;
        assert!(x.bytes.starts_with(b"PK"), "an xlsx is a zip");
        let page = inst.get("/institution/months/2026-11").await;
        assert_eq!(one_text(&page.body, "#statement-status"), "已拨付");

        // Another institution sees its own (empty) month only, and no agency page.
        let mut other_b = institution_browser(&dec, "H50011900042", &other).await;
        let page = other_b.get("/institution/months/2026-11").await;
        assert!(!page.body.contains(code), "not the first hospital's month");
        assert!(page.body.contains("本月没有实时结算记录"));
        for path in [
            "/staff/monthly?month=2026-11".to_string(),
            format!("/staff/monthly/2026-11/{code}"),
        ] {
            let r = other_b.get(&path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        // Staff have no institution page.
        let r = reviewer.get("/institution/months/2026-11").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_stores_with_demo!(
    an_institution_session_ends_with_its_agreement_or_token,
    |app| {
        app.demo().await;
        let code = "H50011900043";
        let token = app.nanchuan_hospital_token(code, "南川暂停协议医院").await;
        let admin = app.staff_token("cq.admin").await;
        let mut b = app.browser();
        log_in(&mut b, code, &token).await;
        let r = b.get("/institution/months/2026-10").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Suspended (Sichuan 36): the page session ends with the API token's use.
        let r = app
            .post_json(
                &format!("/api/v1/admin/institutions/{code}/agreement"),
                Some(&admin),
                serde_json::json!({"action": "suspend", "note": "违规处理"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = b.get("/institution/months/2026-10").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
        // Nor can it log in again, and the page says why.
        let mut again = app.browser();
        again.get("/login").await;
        let r = again
            .post_form("/login/institution", &[("code", code), ("token", &token)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(r.body.contains("暂停"), "{}", r.body);
        // Restored (Sichuan 37): it logs in; a revoked token ends the session.
        let r = app
            .post_json(
                &format!("/api/v1/admin/institutions/{code}/agreement"),
                Some(&admin),
                serde_json::json!({"action": "restore", "note": "整改完成"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut b = app.browser();
        log_in(&mut b, code, &token).await;
        assert_eq!(
            b.get("/institution/months/2026-10").await.status,
            StatusCode::OK
        );
        let tokens = app
            .call(
                "GET",
                &format!("/api/v1/admin/institutions/{code}/tokens"),
                Some(&admin),
                None,
            )
            .await
            .json();
        let id = tokens["tokens"][0]["id"].as_i64().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/admin/tokens/{id}/revoke"),
                Some(&admin),
                serde_json::json!({}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        let r = b.get("/institution/months/2026-10").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
);
