//! The registry through the case engine and the API: employers from registration to
//! deregistration, employees one by one and in bulk, individuals in the employee scheme,
//! residents, record changes, records and certificates. Each rule's boundary is exercised with
//! the guide it comes from (seed files 000–004; SEED-NOTES D09, D10, D20, D22). The test clock
//! stands at 2026-11-22 (a Sunday, inside Chongqing's annual resident window).

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::journey::{act, drive, outcome, provide_with_seal, view, window};
use common::page::{assert_json_snapshot, attrs, count};
use common::{Reply, TestApp};
use serde_json::{json, Value};
use yibao_domain::ids::{citizen_id_check_char, uscc_check_char};

fn cid(region: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{region}{birth}{seq}");
    format!("{first17}{}", citizen_id_check_char(first17.as_bytes()))
}

fn uscc(region: &str, org: &str) -> String {
    let first17 = format!("91{region}{org}0");
    format!("{first17}{}", uscc_check_char(first17.as_bytes()).unwrap())
}

async fn employer_id(app: &TestApp, token: &str, code: &str) -> i64 {
    let r = app
        .call("GET", "/api/v1/employers", Some(token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["employers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uscc"] == code)
        .unwrap_or_else(|| panic!("{code} not listed: {}", r.body))["id"]
        .as_i64()
        .unwrap()
}

async fn employer_record(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/employers/{id}/record?all=true"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["record"].clone()
}

async fn roster(app: &TestApp, token: &str, id: i64, kind: &str, check: bool, csv: &str) -> Reply {
    let boundary = "yibaoBOUNDARY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"check\"\r\n\r\n{check}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/api/v1/employers/{id}/roster"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn operator_token(app: &TestApp, index: usize) -> (String, String) {
    let demo = yibao_service::demo::demo_operators().unwrap();
    let op = &demo[index];
    let t = app
        .token(
            json!({"kind":"employer","uscc": op.login,"username":"admin","password": op.password}),
        )
        .await;
    (t, op.login.clone())
}

both_stores_with_demo!(
    employer_registration_change_certificate_and_arrears,
    |app| {
        app.demo().await;
        let clerk = app.staff_token("cq.clerk").await;
        let code = uscc("500000", "MA7X0010");
        // seed 003 单位参保登记 at the window, an enterprise: its conditional materials apply.
        let n = window(app, &clerk, json!({
        "jurisdiction": "chongqing", "item": "01", "channel": "window",
        "applicant": {"uscc": code, "name": "演示新设科技有限公司"},
        "form": {"region_code": "500000", "kind": "企业", "legal_representative": "演示法人戊",
                 "address": "重庆市渝中区演示路1号", "contact_name": "演示联系人", "phone": "13900000010",
                 "bank_name": "中国工商银行", "bank_account": "3100000000000001"}
    }))
    .await;
        let v = view(app, &clerk, &n).await;
        let missing: Vec<&str> = v["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["key"].as_str().unwrap())
            .collect();
        assert_eq!(
            missing,
            ["registration_form_enterprise", "uscc_certificate"],
            "the enterprise materials, both (seed 003 item 1: 登记表 and certificate), not the public sector's"
        );
        let r = drive(app, &clerk, None, &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = employer_id(app, &clerk, &code).await;
        let rec = employer_record(app, &clerk, id).await;
        assert_eq!(rec["employer"]["kind"], "enterprise");
        assert_eq!(rec["employer"]["status"], "active");
        assert_eq!(rec["events"][0]["action"], "register");
        assert_eq!(rec["events"][0]["case_number"], n.as_str());
        // A second registration of the same code is refused by the effect.
        let n2 = window(app, &clerk, json!({
        "jurisdiction": "chongqing", "item": "01", "channel": "window",
        "applicant": {"uscc": code, "name": "重复"}, "form": {"kind": "企业", "legal_representative": "某"}
    }))
    .await;
        let r = drive(app, &clerk, None, &n2).await;
        assert_eq!(r.json()["code"], "registry.employer.exists", "{}", r.body);
        // A change of legal representative is key information: the proof is asked for before the
        // case may be accepted (seed 003 单位参保信息变更登记).
        let n3 = window(app, &clerk, json!({
        "jurisdiction": "chongqing", "item": "12", "channel": "window",
        "applicant": {"uscc": code, "name": ""},
        "form": {"new_legal_representative": "演示法人己", "new_phone": "13900000011", "changed_on": "2026-10-01"}
    }))
    .await;
        // 《社会保险变更登记表》（加盖单位公章）: the clerk confirms the seal as it is recorded.
        provide_with_seal(app, &clerk, &n3, "change_form", true).await;
        act(app, &clerk, &n3, "submit").await;
        let r = act(app, &clerk, &n3, "accept_and_complete").await;
        assert_eq!(r.json()["code"], "case.materials_missing", "{}", r.body);
        assert!(r.body.contains("相应的证明材料"), "{}", r.body);
        assert_json_snapshot(
            "enrolment-error-legal-representative-proof-missing",
            &r.json(),
            &[],
        );
        let r = drive(app, &clerk, None, &n3).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = outcome(app, &clerk, &n3).await;
        // 2026-10-01 + 30 days = 2026-10-31: 22 days late on 2026-11-22, recorded not refused.
        assert!(out["text"].as_str().unwrap().contains("22天"), "{out}");
        let rec = employer_record(app, &clerk, id).await;
        assert_eq!(rec["employer"]["legal_representative"], "演示法人己");
        let change = rec["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "change")
            .unwrap();
        let detail: Value = serde_json::from_str(change["detail_json"].as_str().unwrap()).unwrap();
        assert_eq!(
            detail["changes"][0]["from"], "演示法人戊",
            "the old value is kept"
        );
        // The certificate.
        let r = app
            .call(
                "GET",
                &format!("/api/v1/employers/{id}/certificate"),
                Some(&clerk),
                None,
            )
            .await;
        let cert = r.json()["certificate"].clone();
        assert_eq!(cert["title"], "基本医疗保险单位参保证明");
        assert_eq!(cert["check_code"].as_str().unwrap().len(), 16);
        // Arrears are recorded by finance only, with their source.
        let r = app
            .post_json(
                &format!("/api/v1/employers/{id}/arrears"),
                Some(&clerk),
                json!({"arrears_fen": 100, "note": "税务核定"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let finance = app.staff_token("cq.finance").await;
        let r = app
            .post_json(
                &format!("/api/v1/employers/{id}/arrears"),
                Some(&finance),
                json!({"arrears_fen": 120000, "note": ""}),
            )
            .await;
        assert_eq!(r.json()["code"], "registry.arrears.note");
        let r = app
            .post_json(
                &format!("/api/v1/employers/{id}/arrears"),
                Some(&finance),
                json!({"arrears_fen": 120000, "note": "税务部门核定通知 2026-001"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Deregistration refused while arrears remain (seed 003 单位注销 办理条件2).
        let n4 = window(
            app,
            &clerk,
            json!({
                "jurisdiction": "chongqing", "item": "05", "channel": "window",
                "applicant": {"uscc": code, "name": ""}, "form": {"terminated_on": "2026-11-20"}
            }),
        )
        .await;
        let r = drive(app, &clerk, None, &n4).await;
        assert_eq!(r.json()["code"], "registry.employer.arrears", "{}", r.body);
        assert!(
            r.json()["message"].as_str().unwrap().contains("1200.00"),
            "{}",
            r.body
        );
    }
);

const GOOD_ROSTER: &str = "姓名,证件类型,证件号码,入职日期,联系电话\n";

both_stores_with_demo!(bulk_enrolment_rejects_bad_rows_whole_then_enrols, |app| {
    app.demo().await;
    // The Chengdu demo employer, online (seed 001 职工参保登记 offers 网上办理).
    let (op, _) = operator_token(app, 2).await;
    let clerk = app.staff_token("chengdu.clerk").await;
    let id = employer_id(
        app,
        &clerk,
        &yibao_service::demo::demo_operators().unwrap()[2].login,
    )
    .await;
    let before = employer_record(app, &op, id).await["employees"]
        .as_array()
        .unwrap()
        .len();
    let a = cid("510104", "19900101", "011");
    let b = cid("510104", "19920202", "022");
    let mut bad_check = cid("510104", "19930303", "033");
    bad_check.replace_range(17..18, if bad_check.ends_with('1') { "2" } else { "1" });
    let child = cid("510104", "20110101", "044"); // 15 on 2026-11-22
    let old = cid("510104", "19600101", "055"); // a man past 60 and 9 months
    let csv = format!(
        "{GOOD_ROSTER}演示甲,居民身份证,{a},2026-11-20,13900000001\n\
         演示乙,,{b},2026/11/10,\n\
         演示丙,,{bad_check},2026-11-01,\n\
         演示丁,,{child},2026-11-01,\n\
         演示戊,,{old},2026-11-01,\n\
         演示己,,{a},2026-11-01,\n\
         演示庚,护照,E1234567,2026-11-01,\n"
    );
    // Every problem of the file in one round (#23: the check character used to show only once
    // the rest was fixed): as the file is read, the check character (line 4) and the same
    // person twice (line 7); then the rules for the rows that read cleanly.
    let r = roster(app, &op, id, "enrol", false, &csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "registry.roster.rejected", "{}", r.body);
    let lines: Vec<(i64, String, String)> = r.json()["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_i64().unwrap(),
                p["code"].as_str().unwrap_or("").to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let on = |n: i64| {
        lines
            .iter()
            .filter(|(l, _, _)| *l == n)
            .map(|(_, c, m)| format!("{c} {m}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(on(4).contains("校验码"), "{lines:?}");
    assert!(on(5).contains("未满16周岁"), "{lines:?}");
    assert!(on(6).contains("法定退休年龄"), "{lines:?}");
    assert!(on(7).contains("roster.duplicate_person"), "{lines:?}");
    assert!(
        on(8).contains("性别"),
        "a passport carries no birth date or sex: {lines:?}"
    );
    assert!(on(2).is_empty() && on(3).is_empty(), "{lines:?}");
    assert_eq!(
        employer_record(app, &op, id).await["employees"]
            .as_array()
            .unwrap()
            .len(),
        before,
        "nothing half-imported"
    );
    // Only the two good rows: the check passes, then the upload becomes one submitted case.
    let good: String = csv.lines().take(3).map(|l| format!("{l}\n")).collect();
    let r = roster(app, &op, id, "enrol", true, &good).await;
    assert_eq!(r.json()["rows"], 2, "{}", r.body);
    let r = roster(app, &op, id, "enrol", false, &good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.json()["case_number"].as_str().unwrap().to_string();
    assert_eq!(view(app, &op, &number).await["case"]["status"], "submitted");
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let r = drive(app, &clerk, Some(&reviewer), &number).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rec = employer_record(app, &op, id).await;
    let ids: Vec<&str> = rec["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id_number"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&a.as_str()) && ids.contains(&b.as_str()),
        "{ids:?}"
    );
    // Enrolling one of them again (now insured): refused as double coverage, whole file.
    let again = format!("{GOOD_ROSTER}演示甲,,{a},2026-11-21,\n");
    let r = roster(app, &op, id, "enrol", false, &again).await;
    assert!(r.body.contains("不能重复参保"), "{}", r.body);
    assert_json_snapshot("enrolment-roster-error-double-coverage", &r.json(), &[]);
    // Sichuan's guides have no removal item (减员): the roster says so rather than guess.
    let csv = format!("姓名,证件号码,减员原因,减员日期\n演示甲,{a},辞职,2026-11-21\n");
    let r = roster(app, &op, id, "remove", true, &csv).await;
    assert_eq!(r.json()["code"], "registry.roster.no_item", "{}", r.body);
    // Another employer's operator may not upload to this one.
    let (other, _) = operator_token(app, 0).await;
    assert_eq!(
        roster(app, &other, id, "enrol", true, &good).await.status,
        StatusCode::NOT_FOUND
    );
    // The template carries the headers the parser reads.
    let r = app.get("/api/v1/registry/roster-template?kind=enrol").await;
    assert!(
        r.body.contains("证件号码") && r.body.contains("入职日期"),
        "{}",
        r.body
    );
    let header: Vec<&str> = r
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .collect();
    assert_json_snapshot("enrolment-roster-template-enrol-header", &header, &[]);
});

both_stores_with_demo!(
    employee_deadline_removal_retirement_and_deregistration,
    |app| {
        app.demo().await;
        let clerk = app.staff_token("cq.clerk").await;
        // The Nanchuan demo employer: its district list (seed 004) names the items but no channel,
        // so the municipal guide (seed 003) handles them — with its 15-day rule (SEED-NOTES D09).
        let code = yibao_service::demo::demo_operators().unwrap()[0]
            .login
            .clone();
        let nclerk = app.staff_token("nanchuan.clerk").await;
        let young = cid("500119", "19950505", "011");
        let late = cid("500119", "19960606", "021");
        let retiring = cid("500119", "19660115", "031");
        let mut person_ids = Vec::new();
        for (who, name, join) in [
            (&young, "演示新甲", "2026-11-07"),
            (&late, "演示新乙", "2026-11-06"),
            (&retiring, "演示新丙", "2026-01-10"),
        ] {
            let n = window(
                app,
                &nclerk,
                json!({
                    "jurisdiction": "chongqing", "item": "06", "channel": "window",
                    "applicant": {"uscc": code, "name": ""},
                    "form": {"name": name, "id_number": who, "join_date": join}
                }),
            )
            .await;
            let r = drive(app, &nclerk, None, &n).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let out = outcome(app, &nclerk, &n).await;
            let expected = if join == "2026-11-06" {
                1
            } else if join == "2026-11-07" {
                0
            } else {
                301
            };
            assert_eq!(out["enrolled"][0]["late_days"], expected, "{join}: {out}");
            person_ids.push(out["enrolled"][0]["person_id"].as_i64().unwrap());
        }
        // Nanchuan's own item (seed 004, at its district window) carries its legal basis: the
        // national 30 days (SEED-NOTES D09).
        for (seq, join, late) in [("051", "2026-10-23", 0), ("061", "2026-10-22", 1)] {
            let n = window(
                app,
                &nclerk,
                json!({
                    "jurisdiction": "nanchuan", "item": "06", "channel": "window",
                    "applicant": {"uscc": code, "name": ""},
                    "form": {"name": format!("演示南{seq}"), "id_number": cid("500119", "19900101", seq), "join_date": join}
                }),
            )
            .await;
            let reviewer = app.staff_token("nanchuan.reviewer").await;
            assert_eq!(
                drive(app, &nclerk, Some(&reviewer), &n).await.status,
                StatusCode::OK
            );
            let out = outcome(app, &nclerk, &n).await;
            assert_eq!(out["enrolled"][0]["late_days"], late, "{join}: {out}");
            assert!(out["enrolled"][0]["deadline"].as_str().is_some());
        }
        // Someone who reached the retirement age (a man born 1966-01 retires at 60 and 4 months,
        // on 2026-05-15) cannot start as an employee.
        let n = window(app, &nclerk, json!({
        "jurisdiction": "chongqing", "item": "06", "channel": "window",
        "applicant": {"uscc": code, "name": ""},
        "form": {"name": "演示新丁", "id_number": cid("500119", "19660115", "041"), "join_date": "2026-11-20"}
    }))
    .await;
        let r = drive(app, &nclerk, None, &n).await;
        assert_eq!(
            r.json()["code"],
            "registry.employee.retirement_age",
            "{}",
            r.body
        );
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("60周岁4个月"),
            "{}",
            r.body
        );
        let id = employer_id(app, &nclerk, &code).await;
        // Deregistration refused while employees remain (seed 003 单位注销 办理条件3).
        let dereg = json!({
            "jurisdiction": "chongqing", "item": "05", "channel": "window",
            "applicant": {"uscc": code, "name": ""}, "form": {"terminated_on": "2026-11-01"}
        });
        let n = window(app, &nclerk, dereg.clone()).await;
        let r = drive(app, &nclerk, None, &n).await;
        assert_eq!(
            r.json()["code"],
            "registry.employer.has_employees",
            "{}",
            r.body
        );
        // Removal: two leave by the employer's online roster (seed 003 减员 网上办理), one
        // retires at the window (stays insured as a retiree of the employer). A removal
        // reported 16 days after the event is late by one day, recorded not refused.
        let (op, _) = operator_token(app, 0).await;
        let csv = format!(
            "姓名,证件号码,减员原因,减员日期\n演示新甲,{young},辞职,2026-11-20\n演示新乙,{late},解除劳动关系,2026-11-06\n\
             演示南051,{},辞职,2026-11-20\n演示南061,{},辞职,2026-11-20\n",
            cid("500119", "19900101", "051"),
            cid("500119", "19900101", "061"),
        );
        // A removal dated before the employee joined is refused, naming the line.
        let early = format!("姓名,证件号码,减员原因,减员日期\n演示新甲,{young},辞职,2026-11-06\n");
        let r = roster(app, &op, id, "remove", true, &early).await;
        assert!(
            r.body.contains("第2行") && r.body.contains("早于"),
            "{}",
            r.body
        );
        assert_json_snapshot(
            "enrolment-roster-error-removal-before-joining",
            &r.json(),
            &[],
        );
        let r = roster(app, &op, id, "remove", false, &csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let n = r.json()["case_number"].as_str().unwrap().to_string();
        assert_eq!(drive(app, &nclerk, None, &n).await.status, StatusCode::OK);
        let out = outcome(app, &nclerk, &n).await;
        assert_eq!(out["removed"][0]["late_days"], 0, "{out}");
        assert_eq!(out["removed"][1]["late_days"], 1, "{out}");
        let n = window(
            app,
            &nclerk,
            json!({
                "jurisdiction": "chongqing", "item": "07", "channel": "window",
                "applicant": {"uscc": code, "name": ""},
                "form": {"id_number": retiring, "reason": "退休", "event_date": "2026-11-20"}
            }),
        )
        .await;
        assert_eq!(drive(app, &nclerk, None, &n).await.status, StatusCode::OK);
        let rec = employer_record(app, &nclerk, id).await;
        assert_eq!(rec["in_service"], 0, "{rec}");
        // The demo employer's two retirees and the new one.
        assert_eq!(rec["retired"], 3, "{rec}");
        // Now it deregisters; the retirees move to the region's virtual employer (虚拟户).
        let n = window(app, &nclerk, dereg).await;
        let r = drive(app, &nclerk, None, &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = outcome(app, &nclerk, &n).await;
        let moved: Vec<&str> = out["retirees_moved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(moved.len(), 3, "{out}");
        assert!(moved.contains(&retiring.as_str()), "{out}");
        let rec = employer_record(app, &nclerk, id).await;
        assert_eq!(rec["employer"]["status"], "deregistered");
        // The retiree's record keeps every dated step: enrolled, retired, moved.
        let person = person_ids[2];
        let r = app
            .call(
                "GET",
                &format!("/api/v1/persons/{person}/record"),
                Some(&nclerk),
                None,
            )
            .await;
        let record = r.json()["record"].clone();
        assert_eq!(record["coverages"][0]["status"], "active");
        assert!(
            record["coverages"][0]["employer"]
                .as_str()
                .unwrap()
                .contains("虚拟户"),
            "{record}"
        );
        let reasons: Vec<&str> = record["coverage_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            reasons,
            ["registered", "在职转退休", "单位注销，退休人员转入虚拟户"]
        );
        // The whole record: person, every coverage and dated step, each with its case.
        // Event row ids differ between the stores: a PostgreSQL sequence keeps the values of
        // the refused (rolled back) roster uploads above, SQLite reuses them.
        assert_json_snapshot(
            "enrolment-record-retiree-moved-to-virtual",
            &record,
            &[
                (".coverage_events[].id", "[event id]"),
                (".events[].id", "[event id]"),
            ],
        );
        // The municipal clerk sees the same; the Youyang clerk (another district) does not.
        let yy = app.staff_token("youyang.clerk").await;
        assert_eq!(
            app.call(
                "GET",
                &format!("/api/v1/persons/{person}/record"),
                Some(&yy),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call(
                "GET",
                &format!("/api/v1/persons/{person}/record"),
                Some(&clerk),
                None
            )
            .await
            .status,
            StatusCode::OK
        );
    }
);

// SEED-NOTES D09 in Sichuan: its guide states no deadline, so the national 30 days apply.
both_stores_with_demo!(sichuan_employee_deadline_is_the_national_one, |app| {
    app.demo().await;
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let code = yibao_service::demo::demo_operators().unwrap()[2]
        .login
        .clone();
    for (seq, join, late) in [("011", "2026-10-23", 0), ("021", "2026-10-22", 1)] {
        let n = window(app, &clerk, json!({
            "jurisdiction": "sichuan", "item": "02", "channel": "window",
            "applicant": {"uscc": code, "name": ""},
            "form": {"name": format!("演示川{seq}"), "id_number": cid("510104", "19900101", seq), "join_date": join}
        }))
        .await;
        let r = drive(app, &clerk, Some(&reviewer), &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = outcome(app, &clerk, &n).await;
        assert_eq!(out["enrolled"][0]["late_days"], late, "{join}: {out}");
    }
    // A person may not apply for an employer's item.
    let liu = &yibao_service::demo::demo_citizens().unwrap()[3];
    let me = app
        .token(json!({"kind": "citizen", "id_number": liu.login, "password": liu.password}))
        .await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&me),
            json!({"jurisdiction": "sichuan", "item": "02", "channel": "online"}),
        )
        .await;
    assert_eq!(r.json()["code"], "case.employer_applicant", "{}", r.body);
});

both_stores_with_demo!(flexible_workers_by_guide, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let apply = |item: &str, who: &str, name: &str, form: Value| {
        json!({"jurisdiction": "chongqing", "item": item, "channel": "window",
               "applicant": {"id_number": who, "name": name}, "form": form})
    };
    // A local resident aged 30: enrolled at 一档.
    let local = cid("500101", "19960303", "011");
    let n = window(
        app,
        &clerk,
        apply(
            "08",
            &local,
            "演示灵活甲",
            json!({"local_hukou": "是", "grade": "一档", "debit_bank": "中国建设银行"}),
        ),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A non-local woman of 55 (seed 003 条件2: women under 55) is refused; at 54 admitted.
    let woman55 = cid("510104", "19711122", "022");
    let n = window(
        app,
        &clerk,
        apply(
            "08",
            &woman55,
            "演示灵活乙",
            json!({"local_hukou": "否", "region_code": "500101"}),
        ),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(
        r.json()["code"],
        "registry.flexible.age_limit",
        "{}",
        r.body
    );
    assert!(
        r.json()["message"].as_str().unwrap().contains("seed 003"),
        "{}",
        r.body
    );
    let woman54 = cid("510104", "19711123", "022");
    let n = window(
        app,
        &clerk,
        apply(
            "08",
            &woman54,
            "演示灵活丙",
            json!({"local_hukou": "否", "region_code": "500101"}),
        ),
    )
    .await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    // A Hong Kong resident (港澳台居民居住证) is refused in Chongqing (seed 003 条件4, D10).
    let hk = cid("810000", "19960101", "031");
    let n = window(
        app,
        &clerk,
        apply(
            "08",
            &hk,
            "演示港甲",
            json!({"local_hukou": "否", "region_code": "500101"}),
        ),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["code"], "registry.flexible.hmt", "{}", r.body);
    // Resume before suspension: refused; suspend, then resume.
    let n = window(app, &clerk, apply("10", &local, "演示灵活甲", json!({}))).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(
        r.json()["code"],
        "registry.flexible.not_suspended",
        "{}",
        r.body
    );
    let n = window(
        app,
        &clerk,
        apply("09", &local, "演示灵活甲", json!({"reason": "转单位参保"})),
    )
    .await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    let n = window(app, &clerk, apply("10", &local, "演示灵活甲", json!({}))).await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    // Grade changes outside their windows (22 November: after the 20th) are refused.
    let n = window(
        app,
        &clerk,
        apply(
            "13",
            &local,
            "演示灵活甲",
            json!({"new_grade": "二档", "years_complete": "是"}),
        ),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["code"], "registry.grade.window", "{}", r.body);
    // The resident scheme while the flexible coverage is active: one coverage at a time.
    let n = window(app, &clerk, apply("11", &local, "演示灵活甲", json!({}))).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["code"], "registry.coverage.double", "{}", r.body);
});

both_stores_with_demo!(resident_enrolment_windows_and_changes, |app| {
    let demo = app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    // On 22 November the Chongqing annual window is open: next year's coverage.
    let who = cid("500101", "19800808", "011");
    let body = |form: Value| {
        json!({"jurisdiction": "chongqing", "item": "11", "channel": "window",
        "applicant": {"id_number": who, "name": "演示居民甲"}, "form": form})
    };
    // This year's mid-year enrolment closed on 30 September (seed 003 条件4).
    let n = window(app, &clerk, body(json!({"coverage_year": "2026"}))).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["code"], "registry.resident.window", "{}", r.body);
    let n = window(app, &clerk, body(json!({}))).await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    let out = outcome(app, &clerk, &n).await;
    assert_eq!(out["plan"]["coverage_year"], 2027, "{out}");
    assert_eq!(out["plan"]["window"], "annual");
    // Registering twice is refused.
    let n = window(app, &clerk, body(json!({}))).await;
    assert_eq!(
        drive(app, &clerk, None, &n).await.json()["code"],
        "registry.coverage.already_enrolled"
    );
    // Then he is employed: the employer's enrolment is compulsory, so the resident registration
    // ends (a dated event) instead of blocking it; one open coverage remains.
    let code = yibao_service::demo::demo_operators().unwrap()[3]
        .login
        .clone();
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "06", "channel": "window",
        "applicant": {"uscc": code, "name": ""},
        "form": {"name": "演示居民甲", "id_number": who, "join_date": "2026-11-20"}}),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pid = outcome(app, &clerk, &n).await["enrolled"][0]["person_id"]
        .as_i64()
        .unwrap();
    let record = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/record"),
            Some(&clerk),
            None,
        )
        .await
        .json()["record"]
        .clone();
    let statuses: Vec<(&str, &str)> = record["coverages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["scheme"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [("resident", "ended"), ("employee", "active")],
        "{record}"
    );
    assert!(record["coverage_events"]
        .to_string()
        .contains("参加职工医保，城乡居民医保终止"));
    assert_json_snapshot("enrolment-record-resident-to-employee", &record, &[]);
    // A newborn registered within 90 days is covered from birth (2026-09-01: day 82).
    let baby = cid("500101", "20260901", "022");
    let n = window(app, &clerk, json!({"jurisdiction": "chongqing", "item": "11", "channel": "window",
        "applicant": {"id_number": baby, "name": "演示新生儿"}, "facts": ["newborn"], "form": {"category": "newborn"}})).await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    let out = outcome(app, &clerk, &n).await;
    assert_eq!(out["plan"]["starts_on"], "2026-09-01", "{out}");
    // A citizen changes their phone number online in Sichuan (seed 001 电话号码新增和更改),
    // and sees the change in their own record and certificate.
    let liu = &demo.citizens[3];
    let me = app
        .token(json!({"kind": "citizen", "id_number": liu.login, "password": liu.password}))
        .await;
    // 刘芳 has no coverage yet; she is still a person of the registry once enrolled.
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&me),
            json!({"jurisdiction": "sichuan", "item": "03", "channel": "online", "form": {}}),
        )
        .await;
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    assert_eq!(act(app, &me, &n, "submit").await.status, StatusCode::OK);
    let cd = app.staff_token("chengdu.clerk").await;
    assert_eq!(drive(app, &cd, None, &n).await.status, StatusCode::OK);
    let r = app.post_json("/api/v1/cases", Some(&me), json!({"jurisdiction": "sichuan", "item": "07", "channel": "online", "form": {"new_phone": "13700000099"}})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    assert_eq!(act(app, &me, &n, "submit").await.status, StatusCode::OK);
    let r = drive(app, &cd, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rec = app
        .call("GET", "/api/v1/me/record", Some(&me), None)
        .await
        .json()["record"]
        .clone();
    assert_eq!(rec["person"]["phone"], "13700000099");
    let change = rec["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "change")
        .unwrap();
    assert!(
        change["detail_json"]
            .as_str()
            .unwrap()
            .contains("13800000004"),
        "old number kept: {change}"
    );
    let cert = app
        .call("GET", "/api/v1/me/certificate", Some(&me), None)
        .await
        .json()["certificate"]
        .clone();
    assert_eq!(cert["title"], "基本医疗保险个人参保证明");
    assert_eq!(cert["table"][0][0], "城乡居民基本医疗保险");
    assert_json_snapshot("enrolment-me-record-after-phone-change", &rec, &[]);
    assert_json_snapshot("enrolment-me-certificate", &cert, &[]);
    // Nobody else's record: a citizen asking for another person's record is told it does not exist.
    let other = rec["person"]["id"].as_i64().unwrap() + 1;
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/persons/{other}/record"),
            Some(&me),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
});

both_stores_with_demo!(merger_split_and_whole_transfer, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let a = uscc("500000", "MA7X0021");
    let b = uscc("500000", "MA7X0022");
    let c = uscc("500000", "MA7X0023");
    for (code, name) in [(&a, "演示甲公司"), (&b, "演示乙公司")] {
        let n = window(
            app,
            &clerk,
            json!({"jurisdiction": "chongqing", "item": "01", "channel": "window",
            "applicant": {"uscc": code, "name": name},
            "form": {"region_code": "500000", "kind": "企业", "legal_representative": "演示法人"}}),
        )
        .await;
        assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    }
    let enrol = |code: &str, who: &str, name: &str| {
        json!({"jurisdiction": "chongqing", "item": "06", "channel": "window",
        "applicant": {"uscc": code, "name": ""}, "form": {"name": name, "id_number": who, "join_date": "2026-11-20"}})
    };
    let p1 = cid("500101", "19900101", "011");
    let p2 = cid("500101", "19910101", "021");
    for (code, who, name) in [(&a, &p1, "演示职工一"), (&b, &p2, "演示职工二")] {
        let n = window(app, &clerk, enrol(code, who, name)).await;
        assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    }
    // A merges B: B's employee moves to A, B is deregistered in the same case.
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "03", "channel": "window",
        "applicant": {"uscc": a, "name": ""}, "form": {"absorbed_uscc": b}}),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ida = employer_id(app, &clerk, &a).await;
    let idb = employer_id(app, &clerk, &b).await;
    assert_eq!(employer_record(app, &clerk, ida).await["in_service"], 2);
    assert_eq!(
        employer_record(app, &clerk, idb).await["employer"]["status"],
        "deregistered"
    );
    // Merging a deregistered employer again is refused.
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "03", "channel": "window",
        "applicant": {"uscc": a, "name": ""}, "form": {"absorbed_uscc": b}}),
    )
    .await;
    assert_eq!(
        drive(app, &clerk, None, &n).await.json()["code"],
        "registry.merger.absorbed_inactive"
    );
    // A splits off C, which takes one employee.
    let n = window(app, &clerk, json!({"jurisdiction": "chongqing", "item": "02", "channel": "window",
        "applicant": {"uscc": a, "name": ""},
        "form": {"new_uscc": c, "new_name": "演示丙公司", "new_legal_representative": "演示法人丙", "employees": p2}})).await;
    let reviewer = app.staff_token("cq.reviewer").await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let idc = employer_id(app, &clerk, &c).await;
    assert_eq!(
        employer_record(app, &clerk, idc).await["employees"][0]["id_number"],
        p2.as_str()
    );
    assert_eq!(employer_record(app, &clerk, ida).await["in_service"], 1);
    // Whole transfer of A to Nanchuan: transfer-in first is refused; out, then in.
    let nclerk = app.staff_token("nanchuan.clerk").await;
    let transfer = |direction: &str| {
        json!({"jurisdiction": "chongqing", "item": "04", "channel": "window",
        "applicant": {"uscc": a, "name": ""}, "form": {"direction": direction, "to_region": "500119"}})
    };
    let n = window(app, &nclerk, transfer("转入")).await;
    assert_eq!(
        drive(app, &nclerk, None, &n).await.json()["code"],
        "registry.relocate.no_transfer_out"
    );
    let n = window(app, &clerk, transfer("转出")).await;
    assert_eq!(drive(app, &clerk, None, &n).await.status, StatusCode::OK);
    let n = window(app, &nclerk, transfer("转入")).await;
    assert!(n.starts_with("500119-"), "received in Nanchuan: {n}");
    let r = drive(app, &nclerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rec = employer_record(app, &nclerk, ida).await;
    assert_eq!(rec["employer"]["region_code"], "500119");
    let actions: Vec<&str> = rec["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["register", "merge", "split", "transfer_out", "transfer_in"]
    );
});

// The application page asks a clerk for the employer (not a person) on an employer's item,
// with the effect's own fields, and the case it opens is the employer's.
both_stores_with_demo!(clerk_opens_an_employer_case_from_the_page, |app| {
    app.demo().await;
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.clerk"), ("password", "demo-cq-clerk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get("/cases/new?jurisdiction=chongqing&item=01").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"applicant_uscc\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"applicant_id_number\""));
    assert!(page.body.contains("name=\"form.legal_representative\""));
    // The fields are inputs of the form that posts the case, once each.
    let form = "form[action='/cases/new']";
    assert_eq!(
        count(&page.body, &format!("{form} [name='applicant_uscc']")),
        1
    );
    assert_eq!(
        count(&page.body, &format!("{form} [name='applicant_id_number']")),
        0
    );
    assert_eq!(
        count(
            &page.body,
            &format!("{form} [name='form.legal_representative']")
        ),
        1
    );
    assert_eq!(
        attrs(&page.body, &format!("{form} input[name='item']"), "value"),
        ["01"]
    );
    let code = uscc("500000", "MA7X0031");
    let r = b
        .post_form(
            "/cases/new",
            &[
                ("jurisdiction", "chongqing"),
                ("item", "01"),
                ("channel", "window"),
                ("applicant_uscc", &code),
                ("applicant_name", "演示页面公司"),
                ("form.region_code", "500000"),
                ("form.kind", "企业"),
                ("form.legal_representative", "演示法人"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let number = r.headers["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/cases/")
        .to_string();
    let clerk = app.staff_token("cq.clerk").await;
    let v = view(app, &clerk, &number).await;
    assert_eq!(v["case"]["applicant_kind"], "employer");
    assert_eq!(v["case"]["applicant_ref"], code.as_str());
    assert_eq!(
        drive(app, &clerk, None, &number).await.status,
        StatusCode::OK
    );
    // A person's item still asks for the person.
    let page = b.get("/cases/new?jurisdiction=chongqing&item=08").await;
    assert!(page.body.contains("name=\"applicant_id_number\""));
    assert!(page.body.contains("name=\"form.local_hukou\""));
    let form = "form[action='/cases/new']";
    assert_eq!(
        count(&page.body, &format!("{form} [name='applicant_id_number']")),
        1
    );
    assert_eq!(
        count(&page.body, &format!("{form} [name='applicant_uscc']")),
        0
    );
    assert_eq!(
        count(&page.body, &format!("{form} [name='form.local_hukou']")),
        1
    );
});

// Youyang (seed 002) at its window: its own rules where they differ from the municipal guide
// (SEED-NOTES D10: 港澳台 residents may enrol as individuals; D11: an ICBC debit account).
both_stores_with_demo!(youyang_individuals_and_employees, |app| {
    app.demo().await;
    let yy = app.staff_token("youyang.clerk").await;
    let yr = app.staff_token("youyang.reviewer").await;
    let hk = cid("810000", "19960101", "031");
    let flexible = |bank: &str| {
        json!({"jurisdiction": "youyang", "item": "07", "channel": "window",
               "applicant": {"id_number": hk, "name": "演示港乙"},
               "form": {"region_code": "500242", "local_hukou": "否", "debit_bank": bank}})
    };
    let n = window(app, &yy, flexible("中国建设银行")).await;
    let r = drive(app, &yy, Some(&yr), &n).await;
    assert_eq!(
        r.json()["code"],
        "registry.flexible.debit_bank",
        "{}",
        r.body
    );
    assert!(
        r.json()["message"].as_str().unwrap().contains("seed 002"),
        "{}",
        r.body
    );
    let n = window(app, &yy, flexible("中国工商银行酉阳支行")).await;
    let r = drive(app, &yy, Some(&yr), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The same person under the municipal guide is refused (seed 003 条件4).
    let other = cid("820000", "19960101", "041");
    let n = window(
        app,
        &yy,
        json!({"jurisdiction": "chongqing", "item": "08", "channel": "window",
        "applicant": {"id_number": other, "name": "演示澳甲"},
        "form": {"region_code": "500242", "local_hukou": "否"}}),
    )
    .await;
    assert_eq!(
        drive(app, &yy, None, &n).await.json()["code"],
        "registry.flexible.hmt"
    );
    // The Youyang demo employer adds an employee at the window (seed 002 单位人员新增, 15 days).
    let code = yibao_service::demo::demo_operators().unwrap()[1]
        .login
        .clone();
    let n = window(app, &yy, json!({"jurisdiction": "youyang", "item": "04", "channel": "window",
        "applicant": {"uscc": code, "name": ""},
        "form": {"name": "演示酉甲", "id_number": cid("500242", "19900101", "051"), "join_date": "2026-11-06"}})).await;
    let r = drive(app, &yy, Some(&yr), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(outcome(app, &yy, &n).await["enrolled"][0]["late_days"], 1);
});

// 川渝通办 (seed 000 04-1): the change is written on 表3 as 变更项目 / 变更前 / 变更后 and decided
// by the insured place's agency under its own rules.
both_stores_with_demo!(chuanyu_change_on_table3, |app| {
    let demo = app.demo().await;
    let zhang = &demo.citizens[2]; // 张伟, Youyang, phone 13800000003
    let me = app
        .token(json!({"kind": "citizen", "id_number": zhang.login, "password": zhang.password}))
        .await;
    let table3 = |before: &str| {
        json!({"jurisdiction": "chuanyu", "item": "04-1", "channel": "online",
               "form": {"id_number": zhang.login, "name": "演示·张伟", "info_type": "非关键信息",
                        "change_item": "联系电话", "value_before": before, "value_after": "13900000033"}})
    };
    let yy = app.staff_token("youyang.clerk").await;
    let yr = app.staff_token("youyang.reviewer").await;
    for (before, ok) in [("13800000099", false), ("13800000003", true)] {
        let r = app
            .post_json("/api/v1/cases", Some(&me), table3(before))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let n = r.json()["case"]["number"].as_str().unwrap().to_string();
        assert_eq!(act(app, &me, &n, "submit").await.status, StatusCode::OK);
        let r = drive(app, &yy, Some(&yr), &n).await;
        if ok {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        } else {
            assert_eq!(
                r.json()["code"],
                "registry.change.before_mismatch",
                "{}",
                r.body
            );
        }
    }
    let rec = app
        .call("GET", "/api/v1/me/record", Some(&me), None)
        .await
        .json()["record"]
        .clone();
    assert_eq!(rec["person"]["phone"], "13900000033");
});
