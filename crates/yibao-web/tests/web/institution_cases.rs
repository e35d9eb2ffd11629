//! The institution services through the case engine on both stores (issue #21, ADR 0007):
//! a Chongqing designation walked from the window through evaluation, 7 working days of
//! publicity and the negotiated terms to completion, creating an institution whose token then
//! settles; a Sichuan designation, then the same institution's remote settlement opened
//! (Sichuan 38), its agreement suspended (36: its token refused), restored (37: accepted
//! again) and its information changed (35) — each through a window case.

use crate::common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::journey::{act, provide_missing, view, window};
use common::TestApp;
use serde_json::{json, Value};
use yibao_domain::ids::uscc_check_char;

use crate::institutions::{bill, person_id};

fn uscc(region: &str, org: &str) -> String {
    let first17 = format!("52{region}{org}0");
    format!("{first17}{}", uscc_check_char(first17.as_bytes()).unwrap())
}

/// Materials presented, the case submitted and accepted by the clerk.
async fn submit_and_accept(app: &TestApp, clerk: &str, number: &str) {
    let v = view(app, clerk, number).await;
    provide_missing(app, clerk, number, &v).await;
    let r = act(app, clerk, number, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
    let r = act(app, clerk, number, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "accept: {}", r.body);
}

async fn step(app: &TestApp, token: &str, number: &str, body: Value) -> common::Reply {
    app.post_json(
        &format!("/api/v1/cases/{number}/institution-application"),
        Some(token),
        body,
    )
    .await
}

/// Issues an API token for `code` by `admin`.
async fn token_for(app: &TestApp, admin: &str, code: &str) -> String {
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/tokens"),
            Some(admin),
            json!({"label": "HIS", "days": 366}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["token"]["token"].as_str().unwrap().to_string()
}

both_stores_with_demo!(
    a_chongqing_designation_is_evaluated_publicised_signed_and_settles,
    |app| {
        app.demo().await;
        let clerk = app.staff_token("cq.clerk").await;
        let reviewer = app.staff_token("cq.reviewer").await;
        let applicant = uscc("500108", "MA5U0001");
        let form = json!({
            "name": "南岸仁心医院", "category": "综合医院", "level": "二级",
            "region_code": "500108", "address": "重庆市南岸区示例路1号",
            "licence_number": "PDY00001", "inpatient": "是", "beds": "49",
            "services": "普通门诊、住院"
        });
        let body = |form: Value| {
            json!({
                "jurisdiction": "chongqing", "item": "33", "channel": "window",
                "applicant": {"uscc": applicant, "name": "南岸仁心医院", "phone": "02362000000"},
                "form": form
            })
        };
        // Chongqing 33 condition 5: a general hospital with inpatient care needs 50 beds.
        let r = app
            .post_json("/api/v1/cases", Some(&clerk), body(form.clone()))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["details"]["errors"][0]["field"],
            "beds",
            "{}",
            r.body
        );
        let mut form = form;
        form["beds"] = json!("50");
        let number = window(app, &clerk, body(form)).await;
        let v = view(app, &clerk, &number).await;
        assert_eq!(v["case"]["applicant_kind"], "institution");
        assert_eq!(v["case"]["applicant_ref"], applicant.as_str());
        // Before acceptance there is no evaluation.
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "evaluate", "passed": true}),
        )
        .await;
        assert_eq!(
            r.json()["code"],
            "institution.case_not_accepted",
            "{}",
            r.body
        );
        submit_and_accept(app, &clerk, &number).await;
        // A clerk does not evaluate.
        let r = step(
            app,
            &clerk,
            &number,
            json!({"action": "evaluate", "passed": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let a = app
            .call(
                "GET",
                &format!("/api/v1/cases/{number}/institution-application"),
                Some(&clerk),
                None,
            )
            .await
            .json()["application"]
            .clone();
        assert_eq!(a["stage"], "applied");
        // Chongqing 33: the on-site evaluation within 10 days of acceptance (22 November).
        assert_eq!(a["evaluation_due"], "2026-12-02");
        // Publicity before evaluation is refused by the agreement's state rules.
        let r = step(app, &reviewer, &number, json!({"action": "publicise"})).await;
        assert_eq!(
            r.json()["code"],
            "institution.action_not_allowed",
            "{}",
            r.body
        );
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "evaluate", "passed": true, "note": "实地查看符合"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = r.json()["application"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(code, "H50010800001");
        // 7 working days from Monday 23 November: to Tuesday 1 December.
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "publicise", "from": "2026-11-23"}),
        )
        .await;
        assert_eq!(
            r.json()["application"]["publicity_ends"],
            "2026-12-01",
            "{}",
            r.body
        );
        let terms = json!({
            "valid_from": "2026-12-02", "valid_until": "2028-12-31", "level": "二级",
            "services": ["普通门诊", "住院"], "methods": ["fee_for_service"],
            "annual_budget_fen": null, "cross_province": false
        });
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "terms", "terms": terms}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Completing while the publicity runs is refused, naming its end.
        let actions: Vec<String> = view(app, &clerk, &number).await["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a[0].as_str().unwrap().to_string())
            .collect();
        let (who, action) = if actions.iter().any(|a| a == "complete") {
            (clerk.clone(), "complete")
        } else {
            (reviewer.clone(), "approve")
        };
        let r = act(app, &who, &number, action).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "institution.application_incomplete");
        assert!(r.json()["message"].as_str().unwrap().contains("2026-12-01"));
        // 2 December: the publicity is over; the case completes and the institution exists.
        let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap());
        let who = dec
            .staff_token(if action == "complete" {
                "cq.clerk"
            } else {
                "cq.reviewer"
            })
            .await;
        let r = dec
            .call(
                "POST",
                &format!("/api/v1/cases/{number}/actions/{action}"),
                Some(&who),
                Some(json!({"note": ""})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "completed");
        assert!(r.json()["case"]["outcome"]["text"]
            .as_str()
            .unwrap()
            .contains(&code));
        let admin = dec.staff_token("cq.admin").await;
        let agreement = dec
            .call(
                "GET",
                &format!("/api/v1/admin/institutions/{code}/agreement"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(agreement["stage"], "in_force", "{agreement}");
        assert_eq!(agreement["in_force"], true);
        assert_eq!(agreement["terms"]["valid_until"], "2028-12-31");
        assert_eq!(agreement["publicity_ends"], "2026-12-01");
        let actions: Vec<&str> = agreement["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["受理申请", "评估通过", "公示", "协议条款", "签订协议"]
        );
        // Its token settles.
        let r = dec
            .call(
                "POST",
                &format!("/api/v1/admin/institutions/{code}/tokens"),
                Some(&admin),
                Some(json!({"label": "HIS", "days": 366})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let token = r.json()["token"]["token"].as_str().unwrap().to_string();
        let wang = person_id(app, "王建国").await;
        let mut b = bill("D1", &wang, "general_outpatient", 10_000);
        b["bill"]["date"] = json!("2026-12-02");
        let r = dec
            .call("POST", "/api/v1/settlements", Some(&token), Some(b))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The same USCC cannot apply again while designated.
        let r = dec
            .call(
                "POST",
                "/api/v1/cases",
                Some(&dec.staff_token("cq.clerk").await),
                Some(json!({
                    "jurisdiction": "chongqing", "item": "33", "channel": "window",
                    "applicant": {"uscc": applicant, "name": "南岸仁心医院"},
                    "form": {"name": "x", "category": "综合医院", "region_code": "500108",
                             "address": "x", "licence_number": "x", "services": "普通门诊"}
                })),
            )
            .await;
        assert_eq!(
            r.json()["code"],
            "institution.already_designated",
            "{}",
            r.body
        );
    }
);

both_stores_with_demo!(
    a_sichuan_institution_opens_remote_settlement_is_suspended_restored_and_changed,
    |app| {
        app.demo().await;
        let clerk = app.staff_token("sc.clerk").await;
        let reviewer = app.staff_token("sc.reviewer").await;
        let admin = app.staff_token("sc.admin").await;
        let applicant = uscc("510700", "MA6C0002");
        // Sichuan 33: 考察评估、协商谈判、结果公示 inside 60 working days, no publicity length.
        let number = window(
            app,
            &clerk,
            json!({
                "jurisdiction": "sichuan", "item": "33", "channel": "window",
                "applicant": {"uscc": applicant, "name": "绵阳示例医院"},
                "form": {"name": "绵阳示例医院", "category": "专科医院", "level": "一级",
                         "region_code": "510700", "address": "绵阳市示例路3号",
                         "licence_number": "PDY00002", "inpatient": "是", "beds": "20",
                         "services": "普通门诊、住院"}
            }),
        )
        .await;
        submit_and_accept(app, &clerk, &number).await;
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "evaluate", "passed": true}),
        )
        .await;
        assert_eq!(
            r.json()["application"]["code"],
            "H51070000001",
            "{}",
            r.body
        );
        assert_eq!(r.json()["application"]["evaluation_due"], Value::Null);
        let r = step(app, &reviewer, &number, json!({"action": "publicise"})).await;
        assert_eq!(
            r.json()["application"]["publicity_ends"],
            Value::Null,
            "{}",
            r.body
        );
        let r = step(
            app,
            &reviewer,
            &number,
            json!({"action": "terms", "terms": {
                "valid_from": "2026-11-22", "valid_until": null, "level": "一级",
                "services": ["住院"], "methods": ["fee_for_service"],
                "annual_budget_fen": null, "cross_province": false}}),
        )
        .await;
        assert_eq!(
            r.json()["application"]["outstanding"],
            json!([]),
            "{}",
            r.body
        );
        let r = act(app, &reviewer, &number, "approve").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let code = "H51070000001";
        let token = token_for(app, &admin, code).await;
        // 王建国 is insured in Chongqing: another province, not opened.
        let wang = person_id(app, "王建国").await;
        let b = bill("S1", &wang, "inpatient", 100_000);
        let pre = |token: String, b: Value| async move {
            app.post_json("/api/v1/settlements/pre", Some(&token), b)
                .await
        };
        let r = pre(token.clone(), b.clone()).await;
        assert_eq!(
            r.json()["code"],
            "settlement.cross_province_not_open",
            "{}",
            r.body
        );

        let agreement_case = |item: &str, form: Value| {
            let clerk = clerk.clone();
            let applicant = applicant.clone();
            let item = item.to_string();
            async move {
                window(
                    app,
                    &clerk,
                    json!({
                        "jurisdiction": "sichuan", "item": item, "channel": "window",
                        "applicant": {"uscc": applicant, "name": ""},
                        "form": form
                    }),
                )
                .await
            }
        };
        // Sichuan 38 (22 working days, 审核): the flag settlement reads.
        let n38 = agreement_case("38", json!({})).await;
        submit_and_accept(app, &clerk, &n38).await;
        let r = act(app, &reviewer, &n38, "approve").await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let r = pre(token.clone(), b.clone()).await;
        assert_eq!(r.json()["code"], "settlement.not_direct", "{}", r.body);

        // Sichuan 36 (即时办结): suspended — the cached token is refused at once.
        let n36 = agreement_case("36", json!({"request": "暂停", "reason": "内部整改"})).await;
        let v = view(app, &clerk, &n36).await;
        provide_missing(app, &clerk, &n36, &v).await;
        act(app, &clerk, &n36, "submit").await;
        let actions = view(app, &clerk, &n36).await["actions"].clone();
        let r = if actions.to_string().contains("accept_and_complete") {
            act(app, &clerk, &n36, "accept_and_complete").await
        } else {
            act(app, &clerk, &n36, "accept").await;
            act(app, &reviewer, &n36, "approve").await
        };
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let r = pre(token.clone(), b.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["code"], "institution.agreement_not_in_force");
        assert!(r.json()["message"].as_str().unwrap().contains("暂停"));
        // A second suspension is refused by the state rules at completion.
        let again = agreement_case("36", json!({"request": "暂停"})).await;
        let v = view(app, &clerk, &again).await;
        provide_missing(app, &clerk, &again, &v).await;
        act(app, &clerk, &again, "submit").await;
        let r = if view(app, &clerk, &again).await["actions"]
            .to_string()
            .contains("accept_and_complete")
        {
            act(app, &clerk, &again, "accept_and_complete").await
        } else {
            act(app, &clerk, &again, "accept").await;
            act(app, &reviewer, &again, "approve").await
        };
        assert_eq!(
            r.json()["code"],
            "institution.action_not_allowed",
            "{}",
            r.body
        );

        // Sichuan 37 (10 working days, 审核): restored — the token works again.
        let n37 = agreement_case("37", json!({})).await;
        submit_and_accept(app, &clerk, &n37).await;
        let r = act(app, &reviewer, &n37, "approve").await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let r = pre(token.clone(), b.clone()).await;
        assert_eq!(r.json()["code"], "settlement.not_direct", "{}", r.body);

        // Sichuan 35 (即时办结): the level changed by the approving document.
        let n35 = agreement_case(
            "35",
            json!({"new_level": "二级", "description": "等级评审为二级"}),
        )
        .await;
        let v = view(app, &clerk, &n35).await;
        provide_missing(app, &clerk, &n35, &v).await;
        act(app, &clerk, &n35, "submit").await;
        let r = if view(app, &clerk, &n35).await["actions"]
            .to_string()
            .contains("accept_and_complete")
        {
            act(app, &clerk, &n35, "accept_and_complete").await
        } else {
            act(app, &clerk, &n35, "accept").await;
            act(app, &reviewer, &n35, "approve").await
        };
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let agreement = app
            .call(
                "GET",
                &format!("/api/v1/admin/institutions/{code}/agreement"),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(agreement["terms"]["level"], "二级", "{agreement}");
        assert_eq!(agreement["terms"]["cross_province"], true);
        let actions: Vec<&str> = agreement["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            &actions[actions.len() - 4..],
            ["开通跨省直接结算", "暂停协议", "恢复协议", "协议变更"]
        );
        // An institution not registered under a USCC cannot open such a case.
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&clerk),
                json!({
                    "jurisdiction": "sichuan", "item": "37", "channel": "window",
                    "applicant": {"uscc": uscc("510700", "MA6C0099"), "name": "x"},
                    "form": {}
                }),
            )
            .await;
        assert_eq!(r.json()["code"], "institution.not_found", "{}", r.body);
    }
);
