//! Real-time settlement through the institution API on both stores: the split, idempotent
//! retries, a reused request id, reversal restoring the accumulators exactly, concurrent
//! settlements of one person taking the deductible once, coverage required, and the filing rule
//! for care elsewhere.

use crate::common;

use axum::http::StatusCode;
use common::page::assert_json_snapshot;
use common::TestApp;
use serde_json::{json, Value};

async fn institution(app: &TestApp, admin: &str, code: &str, region: &str) -> String {
    let a = app.staff_token(admin).await;
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&a), json!({"code": code, "name": format!("演示医院{code}"), "kind": "hospital", "level": "二级", "region_code": region}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/tokens"),
            Some(&a),
            json!({"label": "HIS"}),
        )
        .await;
    r.json()["token"]["token"].as_str().unwrap().to_string()
}

fn bill(request_id: &str, id_number: &str, admission: &str) -> Value {
    json!({
        "request_id": request_id,
        "id_number": id_number,
        "bill": {
            "date": "2026-11-20",
            "visit": "inpatient",
            "hospital_level": "level_2",
            "admission_id": admission,
            "lines": [
                {"line_no": 1, "code": "S001", "amount": 300000, "category": "a"},
                {"line_no": 2, "code": "D002", "amount": 12345, "category": "b", "self_pay_share_bp": 1000},
                {"line_no": 3, "code": "D003", "amount": 5000, "category": "c"},
                {"line_no": 4, "code": "M004", "amount": 25000, "category": "a", "price_cap": 10000, "quantity": 2}
            ]
        }
    })
}

/// What varies between runs in a settlement answer: when it was written, and row ids.
const SETTLEMENT_REDACTIONS: &[(&str, &str)] = &[
    (".**.settled_at", "[ts]"),
    (".**.reversed_at", "[ts]"),
    (".**.created_at", "[ts]"),
    (".**.settlement_id", "[id]"),
];

fn split_sums(v: &Value) {
    let f = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}"));
    assert_eq!(
        f("total"),
        f("fund") + f("critical_illness") + f("aid") + f("account") + f("cash")
    );
}

async fn person_id(app: &TestApp, name: &str) -> String {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains(name))
        .unwrap()
        .id_number
}

both_stores_with_demo!(settle_retry_reverse_and_the_accumulators, |app| {
    app.demo().await;
    let token = institution(app, "cq.admin", "H50011900001", "500119").await;
    let zhang = person_id(app, "张伟").await;
    let before = serde_json::to_value(
        yibao_service::settlement::accumulators(&app.services, &zhang, 2026)
            .await
            .unwrap(),
    )
    .unwrap();

    let pre = app
        .post_json(
            "/api/v1/settlements/pre",
            Some(&token),
            bill("R1", &zhang, "ZY1"),
        )
        .await;
    assert_eq!(pre.status, StatusCode::OK, "{}", pre.body);
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            bill("R1", &zhang, "ZY1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = r.json();
    split_sums(&first);
    assert_eq!(first["total"], 342345);
    assert_eq!(
        first["fund"],
        pre.json()["fund"],
        "pre-settlement computes the same split"
    );
    assert!(
        first["care_rule"].as_str().unwrap().contains("参保地"),
        "{}",
        first["care_rule"]
    );
    // The whole split, line by line, to the fen; the pre-settlement is the same split.
    assert_json_snapshot("settlement-first", &first, SETTLEMENT_REDACTIONS);
    assert_json_snapshot("settlement-first-pre", &pre.json(), SETTLEMENT_REDACTIONS);
    // Same request again: the first result, not a second settlement.
    let again = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            bill("R1", &zhang, "ZY1"),
        )
        .await
        .json();
    assert_eq!(again["fund"], first["fund"]);
    assert_eq!(again["replayed"], true);
    // The same request with its keys in another order and other whitespace is the same retry.
    let mut reordered = serde_json::Map::new();
    let original = bill("R1", &zhang, "ZY1");
    for (k, v) in original.as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let req = axum::http::Request::post("/api/v1/settlements")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::to_string_pretty(&Value::Object(reordered)).unwrap(),
        ))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["replayed"], true);
    assert_eq!(r.json()["fund"], first["fund"]);
    // The same id for a different bill is refused.
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            bill("R1", &zhang, "ZY2"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "settlement.request_id_reused");
    assert_json_snapshot("settlement-error-request-id-reused", &r.json(), &[]);
    // A second bill of the same admission takes no deductible again.
    let second = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            bill("R2", &zhang, "ZY1"),
        )
        .await
        .json();
    assert!(first["deductible"].as_i64().unwrap() > 0);
    assert_eq!(second["deductible"], 0);
    split_sums(&second);
    assert_json_snapshot(
        "settlement-second-same-admission",
        &second,
        SETTLEMENT_REDACTIONS,
    );
    // Reversal of both restores the accumulators exactly.
    for id in ["R2", "R1"] {
        let r = app
            .post_json(
                &format!("/api/v1/settlements/{id}/reverse"),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_json_snapshot(
            &format!("settlement-reverse-{id}"),
            &r.json(),
            SETTLEMENT_REDACTIONS,
        );
    }
    let after = serde_json::to_value(
        yibao_service::settlement::accumulators(&app.services, &zhang, 2026)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(before, after);
    let r = app
        .post_json("/api/v1/settlements/R1/reverse", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        app.call("GET", "/api/v1/settlements/R1", Some(&token), None)
            .await
            .json()["status"],
        "reversed"
    );
    // Nobody but an institution may settle; another institution does not see this one's.
    let clerk = app.staff_token("cq.clerk").await;
    assert_eq!(
        app.post_json(
            "/api/v1/settlements",
            Some(&clerk),
            bill("R9", &zhang, "ZY9")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let other = institution(app, "cq.admin", "H50024200001", "500242").await;
    assert_eq!(
        app.call("GET", "/api/v1/settlements/R1", Some(&other), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Coverage is required: 刘芳 has not registered yet.
    let liu = person_id(app, "刘芳").await;
    let r = app
        .post_json("/api/v1/settlements", Some(&token), bill("R3", &liu, "ZY3"))
        .await;
    assert_eq!(r.json()["code"], "settlement.no_active_coverage");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_json_snapshot("settlement-error-no-active-coverage", &r.json(), &[]);
});

both_stores_with_demo!(
    concurrent_settlements_of_one_person_take_the_deductible_once,
    |app| {
        app.demo().await;
        let token = institution(app, "cq.admin", "H50011900001", "500119").await;
        let yang = person_id(app, "杨丽").await;
        // Eight counters at once, each on its own task.
        let mut tasks = Vec::new();
        for n in 0..8 {
            let body = bill(&format!("C{n}"), &yang, "ZY-SAME");
            let router = app.router.clone();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                use tower::ServiceExt;
                let req = axum::http::Request::post("/api/v1/settlements")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let res = router.oneshot(req).await.unwrap();
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                    .await
                    .unwrap();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap())
            }));
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let mut deductibles = Vec::new();
        for (status, v) in &results {
            assert_eq!(*status, StatusCode::OK, "{v}");
            deductibles.push(v["deductible"].as_i64().unwrap());
        }
        let taken: Vec<_> = deductibles.iter().filter(|d| **d > 0).collect();
        assert_eq!(
            taken.len(),
            1,
            "exactly one settlement takes the admission's deductible: {deductibles:?}"
        );
        let acc = yibao_service::settlement::accumulators(&app.services, &yang, 2026)
            .await
            .unwrap();
        assert_eq!(
            acc.admissions.get("ZY-SAME").map(|f| f.fen()),
            Some(*taken[0])
        );
    }
);

both_stores_with_demo!(care_elsewhere_follows_the_filing_rule, |app| {
    app.demo().await;
    // 王建国 (Nanchuan, Chongqing employee, retired) treated in Chengdu.
    let token = institution(app, "sc.admin", "H51010400001", "510104").await;
    let wang = person_id(app, "王建国").await;
    let unfiled = app
        .post_json(
            "/api/v1/settlements/pre",
            Some(&token),
            bill("X1", &wang, "ZYX"),
        )
        .await;
    // Without a filing, Chongqing's rule sends him back for manual reimbursement (seed 004's
    // legal basis 渝办发〔2011〕293号, via the filing rules); the counter is told why.
    assert_eq!(
        unfiled.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unfiled.body
    );
    assert_eq!(unfiled.json()["code"], "settlement.not_direct");
    assert_json_snapshot("settlement-error-not-direct", &unfiled.json(), &[]);
    assert!(unfiled.json()["message"]
        .as_str()
        .unwrap()
        .contains("无有效的异地就医备案"));
    // With a relocated-retiree filing to Chengdu, the filed rule applies.
    let form: std::collections::BTreeMap<String, String> = [
        ("name", "演示·王建国"),
        ("scheme", "职工医保"),
        ("person_category", "异地安置退休人员"),
        ("registration_type", "新增"),
        ("id_number", wang.as_str()),
        ("phone_1", "13800000001"),
        ("target_province", "510000"),
        ("target_prefecture", "510100"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let application = yibao_domain::filing::FilingApplication::parse(&form).unwrap();
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_service::filing::record(
        &mut tx,
        &app.services,
        &application,
        yibao_domain::filing::FilingJurisdiction::Chongqing,
        &"500119".parse().unwrap(),
        "500119-20261101-000001",
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let filed = app
        .post_json(
            "/api/v1/settlements/pre",
            Some(&token),
            bill("X1", &wang, "ZYX"),
        )
        .await
        .json();
    assert!(
        filed["care_rule"].as_str().unwrap().contains("备案"),
        "{}",
        filed["care_rule"]
    );
    assert!(!filed["care_rule"].as_str().unwrap().contains("未备案"));
    assert!(filed["fund"].as_i64().unwrap() > 0);
    split_sums(&filed);
    assert_json_snapshot(
        "settlement-filed-elsewhere-pre",
        &filed,
        SETTLEMENT_REDACTIONS,
    );
});

both_stores_with_demo!(
    administrators_import_policy_versions_and_catalogues_that_settlement_uses,
    |app| {
        app.demo().await;
        let token = institution(app, "cq.admin", "H50011900001", "500119").await;
        let admin = app.staff_token("cq.admin").await;
        let shipped = include_str!("../../../../data/policy/chongqing/2026.toml");
        // A new version from 1 November: settlements from then on use it.
        let v2 = shipped.replacen("version = 1", "version = 2", 1).replacen(
            "effective_from = 2026-01-01",
            "effective_from = 2026-11-01",
            1,
        );
        let r = app
            .post_json(
                "/api/v1/admin/benefit/policies",
                Some(&admin),
                json!({"text": v2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["import"]["unchanged"], false);
        let again = app
            .post_json(
                "/api/v1/admin/benefit/policies",
                Some(&admin),
                json!({"text": v2}),
            )
            .await;
        assert_eq!(again.json()["import"]["unchanged"], true);
        // Version 1 exists (shipped) with other text: refused; a correction is a new version.
        let altered = shipped.replacen("name = ", "name = \"改\" # ", 1);
        let r = app
            .post_json(
                "/api/v1/admin/benefit/policies",
                Some(&admin),
                json!({"text": altered}),
            )
            .await;
        assert!(
            matches!(
                r.status,
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{}",
            r.body
        );
        // Only admins of the region.
        let sc = app.staff_token("sc.admin").await;
        let v3 = v2.replacen("version = 2", "version = 3", 1);
        assert_eq!(
            app.post_json(
                "/api/v1/admin/benefit/policies",
                Some(&sc),
                json!({"text": v3})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let clerk = app.staff_token("cq.clerk").await;
        assert_eq!(
            app.post_json(
                "/api/v1/admin/benefit/policies",
                Some(&clerk),
                json!({"text": v3})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // The care region's catalogue prices lines that carry only a code.
        let csv =
            "code,name,kind,category,self_pay_share_bp,price_cap,effective_from,effective_to\n\
               D900,演示乙类药,drug,b,2000,,2026-01-01,\n";
        let r = app
            .post_json(
                "/api/v1/admin/benefit/catalogues",
                Some(&admin),
                json!({"region_code": "500119", "version": 1, "csv": csv}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let bad = app
            .post_json(
                "/api/v1/admin/benefit/catalogues",
                Some(&admin),
                json!({"region_code": "500119", "version": 2, "csv": "code,name\nX"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

        let zhang = person_id(app, "张伟").await;
        let body = json!({
            "request_id": "P1", "id_number": zhang,
            "bill": {"date": "2026-11-20", "visit": "general_outpatient", "hospital_level": "level_1",
                     "lines": [{"line_no": 1, "code": "D900", "amount": 10000}]}
        });
        let r = app
            .post_json("/api/v1/settlements", Some(&token), body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = r.json();
        assert_eq!(v["policy_version"], 2);
        assert_eq!(v["lines"][0]["category"], "b");
        assert_eq!(v["self_pay_category_b"], 2000);
        split_sums(&v);
        assert_json_snapshot(
            "settlement-policy-v2-catalogue-priced",
            &v,
            SETTLEMENT_REDACTIONS,
        );
        let overview = app
            .call("GET", "/api/v1/admin/benefit", Some(&admin), None)
            .await
            .json();
        assert!(overview["policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["version"] == 2));
        assert_eq!(overview["catalogues"].as_array().unwrap().len(), 1);
        let auditor = app.staff_token("cq.auditor").await;
        let trail = app
            .call(
                "GET",
                "/api/v1/audit?action=benefit.policy_import",
                Some(&auditor),
                None,
            )
            .await
            .json();
        assert_eq!(trail["entries"].as_array().unwrap().len(), 1);
    }
);

// The national interface envelope (HOSPITAL-INTERFACE.md): the same bill settled through 2304
// gives, in yuan text and the specification's names, what the JSON API gives in fen; a retry
// of the msgid is the same settlement; 2305 reverses it; 1101 reads the coverage.
both_stores_with_demo!(national_envelope_speaks_the_specification, |app| {
    app.demo().await;
    let token = institution(app, "cq.admin", "H50011900009", "500119").await;
    let zhang = person_id(app, "演示·王建国").await;
    let envelope = |infno: &str, msgid: &str, input: Value| {
        json!({"infno": infno, "msgid": msgid, "fixmedins_code": "H50011900009", "mdtrtarea_admvs": "500119",
               "insuplc_admdvs": "500119", "inf_time": "2026-11-20 10:00:00", "infver": "V1.0", "input": input})
    };
    let fee = json!([
        {"feedetl_sn": 1, "med_list_codg": "S001", "det_item_fee_sumamt": "3000.00", "chrgitm_lv": "1"},
        {"feedetl_sn": 2, "med_list_codg": "D002", "det_item_fee_sumamt": "123.45", "chrgitm_lv": "2", "selfpay_prop": "0.1"},
        {"feedetl_sn": 3, "med_list_codg": "D003", "det_item_fee_sumamt": "50.00", "chrgitm_lv": "3"},
        {"feedetl_sn": 4, "med_list_codg": "M004", "det_item_fee_sumamt": "250.00", "chrgitm_lv": "1", "cnt": "2", "pric_uplmt_amt": "100.00"}
    ]);
    let input = json!({"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": zhang, "med_type": "21", "mdtrt_id": "NZY1"}, "feedetail": fee});
    // 1101 person information.
    let r = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope(
                "1101",
                "M1101",
                json!({"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": zhang}}),
            ),
        )
        .await;
    let out = r.json();
    assert_eq!(out["infcode"], 0, "{out}");
    assert_eq!(out["output"]["insuinfo"][0]["insutype"], "310");
    assert_eq!(out["output"]["insuinfo"][0]["psn_insu_stas"], "1");
    // 2303 pre-settlement beside the JSON API's pre-settlement of the same bill in fen.
    let r = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope("2303", "M2303", input.clone()),
        )
        .await;
    let pre = r.json();
    assert_eq!(pre["infcode"], 0, "{pre}");
    let json_api = app.post_json("/api/v1/settlements/pre", Some(&token), json!({
        "request_id": "J1", "id_number": zhang,
        "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2", "admission_id": "NZY1",
                 "lines": [{"line_no": 1, "code": "S001", "amount": 300000, "category": "a"},
                           {"line_no": 2, "code": "D002", "amount": 12345, "category": "b", "self_pay_share_bp": 1000},
                           {"line_no": 3, "code": "D003", "amount": 5000, "category": "c"},
                           {"line_no": 4, "code": "M004", "amount": 25000, "category": "a", "price_cap": 10000, "quantity": 2}]}
    })).await.json();
    let s = &pre["output"]["setlinfo"];
    // Money as JSON numbers in yuan (FIELDS §1.3), the fen's digits exactly.
    let y = |fen: &Value| {
        serde_json::from_str::<Value>(
            yibao_domain::Fen(fen.as_i64().unwrap())
                .yuan_string()
                .as_str(),
        )
        .unwrap()
    };
    assert_eq!(s["medfee_sumamt"], y(&json_api["total"]));
    assert_eq!(s["medfee_sumamt"].to_string(), "3423.45");
    assert_eq!(
        s["fulamt_ownpay_amt"],
        y(&json_api["self_pay_out_of_catalogue"])
    );
    assert_eq!(s["preselfpay_amt"], y(&json_api["self_pay_category_b"]));
    assert_eq!(
        s["overlmt_selfpay"],
        y(&json_api["self_pay_over_price_cap"])
    );
    assert_eq!(s["hifp_pay"], y(&json_api["fund"]));
    assert_eq!(s["psn_cash_pay"], y(&json_api["cash"]));
    assert_eq!(s["med_type"], "21");
    // 2304 settles; the same msgid again is the same settlement.
    let first = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope("2304", "M2304", input.clone()),
        )
        .await
        .json();
    assert_eq!(first["infcode"], 0, "{first}");
    assert_eq!(first["output"]["setlinfo"]["hifp_pay"], s["hifp_pay"]);
    let again = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope("2304", "M2304", input.clone()),
        )
        .await
        .json();
    assert_eq!(
        again["output"]["setlinfo"]["hifp_pay"],
        first["output"]["setlinfo"]["hifp_pay"]
    );
    // 2305 reverses it.
    let rev = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope("2305", "M2305", json!({"data": {"setl_id": "M2304"}})),
        )
        .await
        .json();
    assert_eq!(rev["infcode"], 0, "{rev}");
    assert_eq!(
        rev["output"]["setlinfo"]["medfee_sumamt"].to_string(),
        "-3423.45"
    );
    // Failures answer infcode -1 with a Chinese err_msg.
    let bad = app
        .post_json(
            "/api/v1/national",
            Some(&token),
            envelope("9999", "M9999", json!({})),
        )
        .await
        .json();
    assert_eq!(bad["infcode"], -1);
    assert!(bad["err_msg"]
        .as_str()
        .unwrap()
        .contains("不支持的交易编号"));
    let mut other = envelope("2303", "M2303B", input);
    other["fixmedins_code"] = json!("H50011900001");
    let bad = app
        .post_json("/api/v1/national", Some(&token), other)
        .await
        .json();
    assert_eq!(bad["err_code"], "national.institution", "{bad}");
});

// The personal account pays from what finance credited to it (个人账户划入), as the policy
// allows; a reversal gives it back.
both_stores_with_demo!(the_account_pays_what_was_credited, |app| {
    app.demo().await;
    let token = institution(app, "cq.admin", "H50011900001", "500119").await;
    let wang = person_id(app, "王建国").await;
    let pid = {
        let mut tx = app.services.store().begin().await.unwrap();
        let id: yibao_domain::CitizenId = wang.parse().unwrap();
        yibao_store::enrolment::find_person(&mut tx, &id)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let credit = |who: &'static str, amount: i64| {
        let path = format!("/api/v1/persons/{pid}/account-credits");
        async move {
            let t = app.staff_token(who).await;
            app.post_json(
                &path,
                Some(&t),
                json!({"year": 2026, "amount_fen": amount, "note": "2026年11月划入"}),
            )
            .await
        }
    };
    assert_eq!(
        credit("nanchuan.clerk", 50000).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        credit("nanchuan.finance", 0).await.json()["code"],
        "account.amount"
    );
    let r = credit("nanchuan.finance", 50000).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["accumulators"]["account_balance"], 50000);
    let settled = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            bill("ACC1", &wang, "ZYA"),
        )
        .await
        .json();
    split_sums(&settled);
    let account = settled["account"].as_i64().unwrap();
    assert!(account > 0 && account <= 50000, "{settled}");
    assert_json_snapshot("settlement-account-pays", &settled, SETTLEMENT_REDACTIONS);
    let acc = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance.fen(), 50000 - account);
    app.post_json("/api/v1/settlements/ACC1/reverse", Some(&token), json!({}))
        .await;
    let acc = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance.fen(), 50000);
    // Amounts past the shared input limit are refused, and the balance never wraps (issue 16).
    let r = credit("nanchuan.finance", i64::MAX).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "account.amount");
    let max = yibao_domain::money::MAX_INPUT.fen();
    let r = credit("nanchuan.finance", max - 50000).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "up to the limit is accepted: {}",
        r.body
    );
    let r = credit("nanchuan.finance", 1).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "account.balance_limit");
    let acc = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance.fen(), max);
});

async fn exec(app: &TestApp, sql: &str) -> u64 {
    let mut tx = app.services.store().begin().await.unwrap();
    let n = yibao_store::test_support::execute(&mut tx, sql)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

async fn verify(app: &TestApp) -> yibao_service::audit::VerifyReport {
    yibao_service::audit::verify(&app.services).await.unwrap()
}

// Issue 16: settlements and reversals are in the audit chain (each person's year its own chain,
// ADR 0006), sealed into the main chain; altering, truncating or deleting a chain is found.
both_stores_with_demo!(settlements_and_reversals_join_the_audit_chain, |app| {
    app.demo().await;
    let token = institution(app, "cq.admin", "H50011900001", "500119").await;
    let zhang = person_id(app, "张伟").await;
    let other = {
        let mut tx = app.services.store().begin_read().await.unwrap();
        yibao_store::enrolment::list_persons(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.region_code.starts_with("50") && p.id_number != zhang)
            .map(|p| p.id_number)
            .collect::<Vec<_>>()
    };
    let mut settled_other = None;
    for (n, id) in other.iter().enumerate() {
        let r = app
            .post_json(
                "/api/v1/settlements",
                Some(&token),
                bill(&format!("O{n}"), id, "ZYO"),
            )
            .await;
        if r.status == StatusCode::OK {
            settled_other = Some(id.clone());
            break;
        }
    }
    let other = settled_other.expect("a second insured person in the demo data");
    for id in ["A1", "A2"] {
        let r = app
            .post_json("/api/v1/settlements", Some(&token), bill(id, &zhang, "ZYA"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .post_json("/api/v1/settlements/A2/reverse", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let auditor = app.staff_token("cq.auditor").await;
    let found = app
        .call(
            "GET",
            "/api/v1/audit?action=settlement.settle",
            Some(&auditor),
            None,
        )
        .await
        .json();
    let entries = found["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{found}");
    let zchain = yibao_service::audit::settlement_chain(&zhang, 2026);
    assert!(entries
        .iter()
        .any(|e| e["chain"] == zchain.as_str() && e["target_id"] == "H50011900001/A1"));
    let rev = app
        .call(
            "GET",
            "/api/v1/audit?action=settlement.reverse",
            Some(&auditor),
            None,
        )
        .await
        .json();
    assert_eq!(rev["entries"][0]["chain"], zchain.as_str());
    assert_eq!(rev["entries"][0]["seq"], 3);

    let v = verify(app).await;
    assert!(v.ok, "{v:?}");
    assert_eq!((v.chains, v.chain_entries, v.unsealed), (2, 4, 4));
    let main_before = v.head_seq;

    // Before any seal, the head kept on the accumulator row catches a deleted tail.
    let reversal = {
        let mut tx = app.services.store().begin_read().await.unwrap();
        yibao_store::audit::chains_page(&mut tx, (&zchain, 2), 1)
            .await
            .unwrap()
            .remove(0)
    };
    assert_eq!(
        (reversal.seq, reversal.action.as_str()),
        (3, "settlement.reverse")
    );
    exec(
        app,
        &format!("DELETE FROM audit_log WHERE chain = '{zchain}' AND seq = 3"),
    )
    .await;
    let f = verify(app)
        .await
        .first_problem
        .expect("the deleted tail is found");
    assert_eq!((f.chain.as_str(), f.seq), (zchain.as_str(), 3), "{f:?}");
    assert!(f.message.contains("累计记录的链头"), "{}", f.message);
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::audit::append(&mut tx, &reversal)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert!(verify(app).await.ok);

    // Sealing anchors both heads in one main-chain entry; a second seal has nothing to do.
    let sealer = yibao_service::identity::Actor::System {
        label: "test:sealer".into(),
    };
    let s = yibao_service::audit::seal(&app.services, &sealer)
        .await
        .unwrap();
    assert_eq!((s.seals, s.chains), (1, 2));
    let s = yibao_service::audit::seal(&app.services, &sealer)
        .await
        .unwrap();
    assert_eq!((s.seals, s.chains), (0, 0));
    let v = verify(app).await;
    assert!(v.ok, "{v:?}");
    assert_eq!((v.head_seq, v.unsealed), (main_before + 1, 0));

    // Kept to put things back after each tampering.
    let kept: Vec<yibao_store::audit::AuditRow> = {
        let mut tx = app.services.store().begin_read().await.unwrap();
        yibao_store::audit::chains_page(&mut tx, (&zchain, 0), 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.chain == zchain)
            .collect()
    };
    assert_eq!(kept.len(), 3);
    let problem = |v: yibao_service::audit::VerifyReport| {
        let f = v.first_problem.expect("a finding");
        (f.chain, f.seq, f.problem, f.message)
    };
    use yibao_service::audit::Problem;

    // An altered settlement entry is named by its chain and number.
    exec(
        app,
        &format!("UPDATE audit_log SET summary = 'x' WHERE chain = '{zchain}' AND seq = 1"),
    )
    .await;
    let (chain, seq, p, _) = problem(verify(app).await);
    assert_eq!(
        (chain.as_str(), seq, p),
        (zchain.as_str(), 1, Problem::Altered)
    );
    exec(
        app,
        &format!(
            "UPDATE audit_log SET summary = '{}' WHERE chain = '{zchain}' AND seq = 1",
            kept[0].summary
        ),
    )
    .await;
    assert!(verify(app).await.ok);

    // A seal whose recorded head was edited no longer matches its digest.
    exec(
        app,
        &format!(
            "UPDATE audit_seal_item SET hash = '{}' WHERE chain = '{zchain}'",
            kept[1].hash
        ),
    )
    .await;
    let (chain, seq, p, _) = problem(verify(app).await);
    assert_eq!(
        (chain.as_str(), seq, p),
        ("", main_before + 1, Problem::Altered)
    );
    exec(
        app,
        &format!(
            "UPDATE audit_seal_item SET hash = '{}' WHERE chain = '{zchain}'",
            kept[2].hash
        ),
    )
    .await;
    assert!(verify(app).await.ok);

    // The sealed tail deleted (the reversal): the seal still records it.
    exec(
        app,
        &format!("DELETE FROM audit_log WHERE chain = '{zchain}' AND seq = 3"),
    )
    .await;
    let (chain, seq, p, m) = problem(verify(app).await);
    assert_eq!(
        (chain.as_str(), seq, p),
        (zchain.as_str(), 3, Problem::Missing)
    );
    assert!(m.contains("截短"), "{m}");
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::audit::append(&mut tx, &kept[2]).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert!(verify(app).await.ok);

    // A whole chain deleted.
    let ochain = yibao_service::audit::settlement_chain(&other, 2026);
    assert_eq!(
        exec(
            app,
            &format!("DELETE FROM audit_log WHERE chain = '{ochain}'")
        )
        .await,
        1
    );
    let (chain, seq, p, _) = problem(verify(app).await);
    assert_eq!(
        (chain.as_str(), seq, p),
        (ochain.as_str(), 1, Problem::Missing)
    );
});
