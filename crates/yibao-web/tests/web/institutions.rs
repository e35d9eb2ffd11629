//! Designated institutions through the API on both stores: the agreement lifecycle (publicity
//! of 7 working days in Chongqing, signing, suspension and restoration turning the tokens off
//! and on, cross-province settlement opened as a flag), and a month declared with deliberate
//! mismatches, reconciled line by line, re-declared, issued with a deduction and the reserve,
//! confirmed and paid — its totals recomputed here from the settlement answers themselves.

use crate::common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::TestApp;
use serde_json::{json, Value};

pub(crate) async fn person_id(app: &TestApp, name: &str) -> String {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains(name))
        .unwrap()
        .id_number
}

pub(crate) fn bill(request_id: &str, id_number: &str, visit: &str, amount: i64) -> Value {
    let mut b = json!({
        "request_id": request_id,
        "id_number": id_number,
        "bill": {
            "date": "2026-11-20",
            "visit": visit,
            "hospital_level": "level_2",
            "lines": [
                {"line_no": 1, "code": "S001", "amount": amount, "category": "a"},
                {"line_no": 2, "code": "D002", "amount": 2345, "category": "b", "self_pay_share_bp": 1000},
                {"line_no": 3, "code": "D003", "amount": 500, "category": "c"}
            ]
        }
    });
    if visit == "inpatient" {
        b["bill"]["admission_id"] = json!(format!("ZY-{request_id}"));
    }
    b
}

const FUNDS: [(&str, &str); 6] = [
    ("total", "total"),
    ("pooled", "fund"),
    ("critical_illness", "critical_illness"),
    ("aid", "aid"),
    ("account", "account"),
    ("cash", "cash"),
];

/// The declaration an honest HIS would send: per scheme, visit type and fund, counted and
/// summed from the settlement answers it received (not from our ledger).
pub(crate) fn declaration_from(answers: &[Value]) -> Vec<Value> {
    let mut sums: BTreeMap<(String, String, &str), (i64, i64)> = BTreeMap::new();
    for a in answers {
        let scheme = a["scheme"].as_str().unwrap().to_string();
        let visit = a["visit"].as_str().unwrap().to_string();
        for (fund, field) in FUNDS {
            let mut amount = a[field].as_i64().unwrap_or(0);
            if field == "account" {
                amount += a["account_mutual_aid"].as_i64().unwrap_or(0);
            }
            let e = sums
                .entry((scheme.clone(), visit.clone(), fund))
                .or_default();
            e.0 += 1;
            e.1 += amount;
        }
    }
    sums.into_iter()
        .map(|((scheme, visit, fund), (count, amount))| {
            json!({"scheme": scheme, "visit": visit, "fund": fund, "count": count, "amount_fen": amount})
        })
        .collect()
}

both_stores_with_demo!(
    a_month_is_declared_reconciled_issued_confirmed_and_paid,
    |app| {
        app.demo().await;
        let hospital = app
            .nanchuan_hospital_token("H50011900021", "南川月结算测试医院")
            .await;
        let people = [
            person_id(app, "王建国").await,
            person_id(app, "李秀英").await,
            person_id(app, "张伟").await,
            person_id(app, "杨丽").await,
        ];
        // November: outpatient and inpatient settlements of employees in service and retired.
        let mut answers = Vec::new();
        for (i, p) in people.iter().enumerate() {
            for (j, visit) in ["general_outpatient", "inpatient", "general_outpatient"]
                .iter()
                .enumerate()
            {
                let id = format!("M{i}{j}");
                let r = app
                    .post_json(
                        "/api/v1/settlements",
                        Some(&hospital),
                        bill(
                            &id,
                            p,
                            visit,
                            20_000 + 150_000 * (j as i64 % 2) + 1_000 * i as i64,
                        ),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.body);
                answers.push(r.json());
            }
        }
        // One is reversed: it leaves the month's ledger.
        let r = app
            .post_json(
                "/api/v1/settlements/M00/reverse",
                Some(&hospital),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        answers.retain(|a| a["request_id"] != "M00");
        assert_eq!(answers.len(), 11);

        // November cannot be declared in November.
        let early = app
            .post_json(
                "/api/v1/institution/months/2026-11/declaration",
                Some(&hospital),
                json!({"lines": []}),
            )
            .await;
        assert_eq!(
            early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            early.body
        );
        assert_eq!(early.json()["code"], "monthly.month_not_ended");

        // 3 December.
        let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
        let reviewer = dec.staff_token("cq.reviewer").await;
        let finance = dec.staff_token("cq.finance").await;
        let honest = declaration_from(&answers);
        // Deliberate mismatches: one amount a fen off, one count off, one line left out.
        let mut wrong = honest.clone();
        wrong[1]["amount_fen"] = json!(wrong[1]["amount_fen"].as_i64().unwrap() + 1);
        wrong[8]["count"] = json!(wrong[8]["count"].as_i64().unwrap() - 1);
        let dropped = wrong.remove(3);
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/declaration",
                Some(&hospital),
                Some(json!({"lines": wrong})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = r.json();
        let recon = &v["declaration"]["reconciliation"];
        assert_eq!(recon["mismatches"], 3, "{recon}");
        let bad: Vec<&Value> = recon["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["status"] != "matched")
            .collect();
        assert_eq!(bad.len(), 3);
        assert!(bad.iter().any(|l| l["status"] == "not_declared"
            && l["scheme"] == dropped["scheme"]
            && l["visit"] == dropped["visit"]
            && l["fund"] == dropped["fund"]));
        assert!(bad.iter().any(|l| l["status"] == "mismatched"
            && l["declared_fen"].as_i64().unwrap() - l["ledger_fen"].as_i64().unwrap() == 1));

        // A mismatched month gets no statement; the reviewer is told why.
        let r = dec
            .call(
                "POST",
                "/api/v1/monthly/2026-11/statements",
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let run = r.json();
        assert_eq!(run["issued"].as_array().unwrap().len(), 0, "{run}");
        let skipped = run["skipped"].as_array().unwrap();
        assert!(skipped.iter().any(|s| s["code"] == "H50011900021"
            && s["reason"].as_str().unwrap().contains("对账不一致 3 处")));

        // Re-declared as the HIS counted it: every line matches.
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/declaration",
                Some(&hospital),
                Some(json!({"lines": honest})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["declaration"]["seq"], 2);
        assert_eq!(r.json()["declaration"]["reconciliation"]["mismatches"], 0);

        // An audit deduction, then the statement.
        let r = dec
        .call(
            "POST",
            "/api/v1/monthly/2026-11/deductions",
            Some(&reviewer),
            Some(json!({"institution": "H50011900021", "reason": "智能审核：超限价收费", "amount_fen": 1234})),
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
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let run = r.json();
        assert_eq!(run["issued"][0]["code"], "H50011900021", "{run}");
        // Chongqing 35: paid by the 15th of the next month.
        assert_eq!(run["issued"][0]["pay_by"], "2026-12-15");

        // Totals recomputed from the settlement answers: fee for service pays the pooled fund,
        // plus critical-illness insurance, aid and the personal account as settled.
        let sum = |f: &str| -> i64 { answers.iter().map(|a| a[f].as_i64().unwrap_or(0)).sum() };
        let due = sum("fund")
            + sum("critical_illness")
            + sum("aid")
            + sum("account")
            + sum("account_mutual_aid");
        let reserve = ((due - 1234) * 500 + 5_000) / 10_000;
        let r = dec
            .call(
                "GET",
                "/api/v1/institution/months/2026-11",
                Some(&hospital),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let month = r.json();
        let st = &month["statement"];
        assert_eq!(st["status"], "issued");
        assert_eq!(st["statement"]["due_fen"], due, "{st}");
        assert_eq!(st["statement"]["deductions_fen"], 1234);
        assert_eq!(st["statement"]["reserve_fen"], reserve);
        assert_eq!(st["statement"]["net_fen"], due - 1234 - reserve);
        assert_eq!(st["statement"]["lines"][0]["amount_fen"], sum("fund"));
        assert!(month["rules_label"].as_str().unwrap().contains("示例参数"));
        let ledger_count: i64 = month["ledger"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["count"].as_i64().unwrap())
            .sum();
        assert_eq!(ledger_count, 11);

        // Once issued, the month takes no new declaration or deduction.
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/declaration",
                Some(&hospital),
                Some(json!({"lines": honest})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        // Finance has nothing to pay before the institution confirms.
        let r = dec
            .call(
                "POST",
                "/api/v1/monthly/2026-11/payments",
                Some(&finance),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/confirm",
                Some(&hospital),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["statement"]["status"], "confirmed");
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/confirm",
                Some(&hospital),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        // Only finance pays, in one batch.
        let r = dec
            .call(
                "POST",
                "/api/v1/monthly/2026-11/payments",
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = dec
            .call(
                "POST",
                "/api/v1/monthly/2026-11/payments",
                Some(&finance),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let batch = r.json();
        assert_eq!(batch["total_fen"], due - 1234 - reserve);
        assert_eq!(batch["late"], 0);
        let r = dec
            .call("GET", "/api/v1/monthly/2026-11", Some(&finance), None)
            .await;
        let list = r.json();
        let row = list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "H50011900021")
            .unwrap()
            .clone();
        assert_eq!(row["status_label"], "已拨付");
        assert_eq!(row["ledger_count"], 11);
        assert_eq!(row["ledger_total_fen"], sum("total"));
        assert_eq!(row["batch"], batch["batch"]);
        // The staff page lists the month with its totals, and exports it.
        let mut b = app.browser();
        b.get("/login").await;
        b.post_form(
            "/login/staff",
            &[("username", "cq.finance"), ("password", "demo-cq-finance")],
        )
        .await;
        let page = b.get("/staff/monthly?month=2026-11").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let rows = common::page::table_rows(&page.body, "#monthly tbody");
        let row = rows
            .iter()
            .find(|r| r[0].contains("H50011900021"))
            .unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(row[2], "11");
        assert_eq!(row[3], yibao_domain::Fen(sum("total")).yuan_string());
        assert_eq!(row[5], "已拨付");
        assert_eq!(
            row[9],
            yibao_domain::Fen(due - 1234 - reserve).yuan_string()
        );
        assert!(page.body.contains("示例参数"));
        let x = b.get("/staff/monthly?month=2026-11&format=xlsx").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"), "an xlsx is a zip");
        // The clerk does not see the month's settlement.
        let clerk = dec.staff_token("cq.clerk").await;
        let r = dec
            .call("GET", "/api/v1/monthly/2026-11", Some(&clerk), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_stores_with_demo!(tokens_work_only_while_the_agreement_is_in_force, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    let code = "H50011900031";
    let r = app
        .post_json(
            "/api/v1/admin/institutions",
            Some(&admin),
            json!({"code": code, "name": "申请定点的医院", "kind": "hospital", "level": "一级", "region_code": "500119", "apply": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let token = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/tokens"),
            Some(&admin),
            json!({"label": "HIS", "days": 366}),
        )
        .await
        .json()["token"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let wang = person_id(app, "王建国").await;
    // Not yet designated: the token is refused with the reason.
    let r = app
        .post_json(
            "/api/v1/settlements/pre",
            Some(&token),
            bill("A1", &wang, "general_outpatient", 10_000),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["code"], "institution.agreement_not_in_force");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("尚未签订医保服务协议"));

    let path = format!("/api/v1/admin/institutions/{code}/agreement");
    let step = |body: Value| {
        let path = path.clone();
        let admin = admin.clone();
        async move { app.post_json(&path, Some(&admin), body).await }
    };
    // Signing before evaluation is refused by the state rules.
    let r = step(json!({"action": "restore"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "institution.action_not_allowed");
    let r = step(json!({"action": "evaluate", "passed": true})).await;
    assert_eq!(r.json()["stage"], "evaluated", "{}", r.body);
    // Chongqing 33: publicity of 7 working days, from Monday 23 November to 1 December.
    let r = step(json!({"action": "publicise", "from": "2026-11-23"})).await;
    assert_eq!(r.json()["stage"], "publicised");
    assert_eq!(r.json()["publicity_ends"], "2026-12-01");
    let terms = json!({
        "valid_from": "2026-12-02", "valid_until": "2027-06-30", "level": "一级",
        "services": ["普通门诊", "住院"], "methods": ["fee_for_service"],
        "annual_budget_fen": null, "cross_province": false
    });
    let r = step(json!({"action": "sign", "terms": terms})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "institution.publicity_running");
    // 2 December: publicity over, the agreement signed; the token works.
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap());
    let admin = dec.staff_token("cq.admin").await;
    let r = dec
        .call(
            "POST",
            &path,
            Some(&admin),
            Some(json!({"action": "sign", "terms": terms})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stage"], "in_force");
    assert_eq!(r.json()["in_force"], true);
    let mut b = bill("A2", &wang, "general_outpatient", 10_000);
    b["bill"]["date"] = json!("2026-12-02");
    let r = dec
        .call(
            "POST",
            "/api/v1/settlements/pre",
            Some(&token),
            Some(b.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Suspended (Sichuan 36): refused at once; restored (Sichuan 37): works again.
    let r = dec
        .call(
            "POST",
            &path,
            Some(&admin),
            Some(json!({"action": "suspend", "note": "违规处理"})),
        )
        .await;
    assert_eq!(r.json()["stage"], "suspended", "{}", r.body);
    let r = dec
        .call(
            "POST",
            "/api/v1/settlements/pre",
            Some(&token),
            Some(b.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("暂停"));
    let r = dec
        .call(
            "POST",
            &path,
            Some(&admin),
            Some(json!({"action": "restore"})),
        )
        .await;
    assert_eq!(r.json()["stage"], "in_force", "{}", r.body);
    let r = dec
        .call(
            "POST",
            "/api/v1/settlements/pre",
            Some(&token),
            Some(b.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = dec.call("GET", &path, Some(&admin), None).await.json();
    let actions: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["评估", "公示", "签订协议", "暂停协议", "恢复协议"]
    );
    // After its term the agreement is out of force.
    let after = app.later(Utc.with_ymd_and_hms(2027, 7, 1, 2, 0, 0).unwrap());
    let r = after
        .call("POST", "/api/v1/settlements/pre", Some(&token), Some(b))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("到期"));
});

both_stores_with_demo!(
    cross_province_settlement_is_a_flag_of_the_agreement,
    |app| {
        app.demo().await;
        // A Chengdu hospital through Sichuan's lifecycle (33: no fixed publicity length).
        let sc = app.staff_token("sc.admin").await;
        let code = "H51010400041";
        let r = app
        .post_json(
            "/api/v1/admin/institutions",
            Some(&sc),
            json!({"code": code, "name": "成都申请定点医院", "kind": "hospital", "level": "二级", "region_code": "510104", "apply": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let path = format!("/api/v1/admin/institutions/{code}/agreement");
        for body in [
            json!({"action": "evaluate", "passed": true}),
            json!({"action": "publicise"}),
            json!({"action": "sign", "terms": {
            "valid_from": "2026-11-22", "valid_until": null, "level": "二级",
            "services": ["住院"], "methods": ["fee_for_service"],
            "annual_budget_fen": null, "cross_province": false}}),
        ] {
            let r = app.post_json(&path, Some(&sc), body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let token = app
            .post_json(
                &format!("/api/v1/admin/institutions/{code}/tokens"),
                Some(&sc),
                json!({"label": "HIS"}),
            )
            .await
            .json()["token"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        // 王建国 is insured in Chongqing: another province.
        let wang = person_id(app, "王建国").await;
        let b = bill("X1", &wang, "inpatient", 100_000);
        let r = app
            .post_json("/api/v1/settlements/pre", Some(&token), b.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "settlement.cross_province_not_open");
        // Sichuan 38: opened; now the filing rule decides (he has no filing).
        let r = app
            .post_json(&path, Some(&sc), json!({"action": "open_cross_province"}))
            .await;
        assert_eq!(r.json()["terms"]["cross_province"], true, "{}", r.body);
        let r = app
            .post_json("/api/v1/settlements/pre", Some(&token), b)
            .await;
        assert_eq!(r.json()["code"], "settlement.not_direct", "{}", r.body);
    }
);

// Two Chengdu hospitals paid by disease points share the month's point budget (示例参数) in
// proportion to their declared points; Sichuan 39 pays within 30 working days.
both_stores_with_demo!(disease_points_share_the_months_budget, |app| {
    app.demo().await;
    let sc = app.staff_token("sc.admin").await;
    let chen = person_id(app, "陈小明").await;
    let mut tokens = Vec::new();
    for code in ["H51010400051", "H51010400052"] {
        let r = app
            .post_json(
                "/api/v1/admin/institutions",
                Some(&sc),
                json!({"code": code, "name": format!("按病种分值医院{code}"), "kind": "hospital", "level": "二级", "region_code": "510104", "apply": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let path = format!("/api/v1/admin/institutions/{code}/agreement");
        for body in [
            json!({"action": "evaluate", "passed": true}),
            json!({"action": "publicise"}),
            json!({"action": "sign", "terms": {
                "valid_from": "2026-11-01", "valid_until": "2029-10-31", "level": "二级",
                "services": ["普通门诊", "住院"], "methods": ["disease_points", "fee_for_service"],
                "annual_budget_fen": null, "cross_province": false}}),
        ] {
            let r = app.post_json(&path, Some(&sc), body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let t = app
            .post_json(
                &format!("/api/v1/admin/institutions/{code}/tokens"),
                Some(&sc),
                json!({"label": "HIS"}),
            )
            .await
            .json()["token"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        tokens.push((code, t));
    }
    // Hospital 1: two inpatient stays and an outpatient visit; hospital 2: one stay.
    let mut answers: Vec<Vec<Value>> = vec![Vec::new(), Vec::new()];
    for (i, (visit, amount)) in [
        ("inpatient", 200_000),
        ("inpatient", 90_000),
        ("general_outpatient", 8_000),
    ]
    .iter()
    .enumerate()
    {
        let r = app
            .post_json(
                "/api/v1/settlements",
                Some(&tokens[0].1),
                bill(&format!("D1{i}"), &chen, visit, *amount),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        answers[0].push(r.json());
    }
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(&tokens[1].1),
            bill("D20", &chen, "inpatient", 120_000),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    answers[1].push(r.json());

    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
    // Pneumonia 650 and stroke 1200 points (data/institution/monthly-rules.toml, 示例参数).
    let groups = [
        json!([{"group": "J18.9", "cases": 1}, {"group": "I63.9", "cases": 1}]),
        json!([{"group": "J18.9", "cases": 1}]),
    ];
    // Cases that do not add up to the ledger's inpatient settlements are refused.
    let r = dec
        .call(
            "POST",
            "/api/v1/institution/months/2026-11/declaration",
            Some(&tokens[0].1),
            Some(json!({"lines": declaration_from(&answers[0]), "groups": [{"group": "J18.9", "cases": 3}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for (i, (_, t)) in tokens.iter().enumerate() {
        let r = dec
            .call(
                "POST",
                "/api/v1/institution/months/2026-11/declaration",
                Some(t),
                Some(json!({"lines": declaration_from(&answers[i]), "groups": groups[i]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["declaration"]["reconciliation"]["mismatches"], 0);
    }
    let reviewer = dec.staff_token("sc.reviewer").await;
    let r = dec
        .call(
            "POST",
            "/api/v1/monthly/2026-11/statements",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let run = r.json();
    let budget = 8_000_000_000_i64; // region prefix 51, 示例参数
    assert_eq!(
        run["point_value"]["region_points"],
        650 + 1200 + 650,
        "{run}"
    );
    assert_eq!(run["point_value"]["budget_fen"], budget);
    let due_points = |p: i64| (2 * p * budget + 2500) / (2 * 2500);
    for (i, (code, t)) in tokens.iter().enumerate() {
        let m = dec
            .call("GET", "/api/v1/institution/months/2026-11", Some(t), None)
            .await
            .json();
        let st = &m["statement"];
        let lines = st["statement"]["lines"].as_array().unwrap();
        let points = if i == 0 { 650 + 1200 } else { 650 };
        assert_eq!(lines[0]["method"], "disease_points", "{code}: {st}");
        assert_eq!(lines[0]["amount_fen"], due_points(points), "{code}");
        // The outpatient pooled fund by fee for service.
        let outpatient: i64 = answers[i]
            .iter()
            .filter(|a| a["visit"] == "general_outpatient")
            .map(|a| a["fund"].as_i64().unwrap())
            .sum();
        assert_eq!(lines[1]["method"], "fee_for_service");
        assert_eq!(lines[1]["amount_fen"], outpatient);
        // Sichuan 39: within 30 working days of 3 December 2026.
        let cal = yibao_service::calendar::shipped();
        let pay_by: chrono::NaiveDate = st["pay_by"].as_str().unwrap().parse().unwrap();
        let from: chrono::NaiveDate = "2026-12-03".parse().unwrap();
        assert_eq!(cal.working_days_between(from, pay_by).value, 30);
    }
    assert_eq!(due_points(1850) + due_points(650), budget);
});
