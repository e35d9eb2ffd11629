//! Issue #19: chronic/special disease qualifications and medical aid, through the case engine,
//! the JSON API and the national interface, on both stores. Seeds: 003 item 25 (重庆 特病资格认定,
//! evidence 「体检结果和特殊疾病诊断证明书」), 002 待遇资格认定 (酉阳: the assessment institution's
//! certification is the start), 001 items 22–24 (四川), 003/001 item 32 (医疗救助对象手工报销).
//! Validity periods and aid ratios/caps are 示例参数 (data/diseases/, data/policy/chongqing/2026.toml).

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, drive, provide_missing, view, window};
use common::{Reply, TestApp};
use serde_json::{json, Value};

/// A hospital registered by the city's admin in `region`, and its API token.
async fn hospital(app: &TestApp, code: &str, region: &str) -> String {
    let admin = if region.starts_with("51") {
        "sc.admin"
    } else {
        "cq.admin"
    };
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

/// The certification form: `docs` evidence documents handed in (in the list's order).
fn form(disease: &str, certified_on: &str, docs: usize) -> Value {
    let mut f = json!({"disease": disease, "certifier": "重庆市人民医院（特病鉴定）",
                       "certified_on": certified_on, "result": "符合准入标准"});
    for i in 1..=docs {
        f[format!("document_{i}")] = json!("已提供");
    }
    f
}

async fn apply(
    app: &TestApp,
    clerk: &str,
    jurisdiction: &str,
    item: &str,
    channel: &str,
    id_number: &str,
    form: Value,
) -> Reply {
    app.post_json(
        "/api/v1/cases",
        Some(clerk),
        json!({"jurisdiction": jurisdiction, "item": item, "channel": channel,
               "applicant": {"id_number": id_number, "name": "演示参保人"}, "form": form}),
    )
    .await
}

async fn qualify(
    app: &TestApp,
    clerk: &str,
    reviewer: &str,
    (jurisdiction, item, channel): (&str, &str, &str),
    id_number: &str,
    form: Value,
) -> Reply {
    let r = apply(app, clerk, jurisdiction, item, channel, id_number, form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    drive(app, clerk, Some(reviewer), &n).await
}

fn lines() -> Value {
    json!([{"line_no": 1, "code": "M1", "amount": 50000, "category": "a"}])
}

/// A chronic/special outpatient visit (医疗类别 14) for `disease` on `date`.
async fn chronic_visit(
    app: &TestApp,
    his: &str,
    request_id: &str,
    id_number: &str,
    disease: Option<&str>,
    date: &str,
) -> Reply {
    let mut body = json!({"request_id": request_id, "id_number": id_number,
        "bill": {"date": date, "visit": "14", "hospital_level": "level_2", "lines": lines()}});
    if let Some(d) = disease {
        body["disease"] = json!(d);
    }
    app.post_json("/api/v1/settlements", Some(his), body).await
}

fn refused(r: &Reply, code: &str) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], code, "{}", r.body);
    r.json()["message"].as_str().unwrap().to_string()
}

async fn id_of(app: &TestApp, name: &str) -> String {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
        .id_number
}

async fn person_id(app: &TestApp, id_number: &str) -> i64 {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::find_person(&mut tx, &id_number.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn national(
    app: &TestApp,
    his: &str,
    code: &str,
    region: &str,
    infno: &str,
    input: Value,
) -> Value {
    let env = json!({"infno": infno, "msgid": format!("{code}{infno}{}", input.to_string().len()),
        "fixmedins_code": code, "mdtrtarea_admvs": region, "insuplc_admdvs": region,
        "inf_time": "2026-11-21 10:00:00", "infver": "V1.0", "input": input});
    let r = app.post_json("/api/v1/national", Some(his), env).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

// 重庆 (seed 003 item 25): the evidence rule, the record, a qualified and an unqualified visit,
// what the person sees, and 1101's idetinfo.
both_stores_with_demo!(chongqing_qualification_settles_only_its_disease, |app| {
    let demo = app.demo().await;
    let _ = demo;
    let yang = id_of(app, "演示·杨丽").await; // 500000, in service, no citizen login
    let clerk = app.staff_token("cq.clerk").await;
    let reviewer = app.staff_token("cq.reviewer").await;
    let item = ("chongqing", "25", "window");

    // A disease the list does not hold is refused at application.
    let r = apply(
        app,
        &clerk,
        "chongqing",
        "25",
        "window",
        &yang,
        form("感冒", "2026-11-20", 3),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("不在《重庆市基本医疗保险特病病种范围》中"),
        "{}",
        r.body
    );

    // Without the 特殊疾病诊断证明书 the qualification is refused when the case completes.
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        item,
        &yang,
        form("employee/18", "2026-11-20", 2),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert_eq!(
        r.json()["code"],
        "qualification.evidence_missing",
        "{}",
        r.body
    );
    assert!(r.body.contains("特殊疾病诊断证明书"), "{}", r.body);

    // With it: qualified from the agency's confirmation (today) for 24 months (示例参数).
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        item,
        &yang,
        form("employee/18", "2026-11-20", 3),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let out = &r.json()["case"]["outcome"];
    assert_eq!(out["disease_code"], "employee/18", "{out}");
    assert_eq!(out["scheme"], "随单位参加职工医保或个人参加职工医保二档");
    assert_eq!(
        (out["valid_from"].as_str(), out["valid_to"].as_str()),
        (Some("2026-11-22"), Some("2028-11-21"))
    );
    assert_eq!(out["validity_example"], true);

    // Staff see it; the list names the guide's disease.
    let pid = person_id(app, &yang).await;
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/qualifications"),
            Some(&clerk),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let q = &r.json()["person"]["qualifications"][0];
    assert_eq!(
        q["disease_name"],
        "高血压病（1级高血压中高危和很高危、2级、3级高血压）"
    );
    assert_eq!(q["standing"], "有效");

    // A qualified visit settles under the qualification; another disease, or none, does not.
    let his = app
        .nanchuan_hospital_token("H50011900031", "演示医院")
        .await;
    let r = chronic_visit(app, &his, "C1", &yang, Some("employee/18"), "2026-11-22").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["visit"], "chronic_outpatient");
    assert!(
        v["qualification"].as_str().unwrap().contains("高血压病"),
        "{v}"
    );
    assert!(v["fund"].as_i64().unwrap() > 0, "{v}");
    // by name as well
    let r = chronic_visit(
        app,
        &his,
        "C1b",
        &yang,
        Some("高血压病（1级高血压中高危和很高危、2级、3级高血压）"),
        "2026-11-22",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let msg = refused(
        &chronic_visit(app, &his, "C2", &yang, Some("employee/3"), "2026-11-22").await,
        "qualification.not_qualified",
    );
    assert!(
        msg.contains("未认定") && msg.contains("employee/3"),
        "{msg}"
    );
    refused(
        &chronic_visit(app, &his, "C3", &yang, None, "2026-11-22").await,
        "qualification.disease_missing",
    );
    // Before the qualification took effect.
    refused(
        &chronic_visit(app, &his, "C4", &yang, Some("employee/18"), "2026-11-21").await,
        "qualification.not_yet_valid",
    );
    // A general outpatient visit needs no qualification.
    let r = app
        .post_json("/api/v1/settlements", Some(&his), json!({"request_id": "G1", "id_number": yang,
            "bill": {"date": "2026-11-22", "visit": "general_outpatient", "hospital_level": "level_2", "lines": lines()}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // 1101: the hospital sees the qualification before the visit.
    let out = national(
        app,
        &his,
        "H50011900031",
        "500119",
        "1101",
        json!({"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": yang}}),
    )
    .await;
    assert_eq!(out["infcode"], 0, "{out}");
    let idet = out["output"]["idetinfo"].as_array().unwrap();
    assert_eq!(idet.len(), 1, "{out}");
    assert_eq!(
        idet[0]["psn_idet_type"],
        "opsp:qualification.chronic_disease"
    );
    assert_eq!(idet[0]["dise_codg"], "employee/18");
    assert_eq!(idet[0]["begntime"], "2026-11-22 00:00:00");
    assert_eq!(idet[0]["endtime"], "2028-11-21 23:59:59");
    assert_eq!(idet[0]["vali_flag"], "1");
});

// 酉阳 (seed 002): the assessment institution's certification starts the qualification; after
// its last day a chronic visit is refused with the date and a request to re-certify — through
// the JSON API and the national interface — and a re-certification settles again.
both_stores_with_demo!(youyang_qualification_expires_and_is_recertified, |app| {
    let demo = app.demo().await;
    let zhang = demo.citizens[2].login.clone(); // 张伟, 500242, in service
    let clerk = app.staff_token("youyang.clerk").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let item = ("youyang", "20", "hospital");
    let name = "高血压病（1级高血压中高危和很高危、2级、3级高血压）";
    // seed 002: the 《重庆市基本医疗保险市级统筹特殊疾病诊断证明书》 is required.
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        item,
        &zhang,
        form(name, "2024-11-01", 1),
    )
    .await;
    assert_eq!(
        r.json()["code"],
        "qualification.evidence_missing",
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("《重庆市基本医疗保险市级统筹特殊疾病诊断证明书》"),
        "{}",
        r.body
    );
    // 南川 25: seed 004 gives no channel — the item is not applied for online or at a window here.
    let r = apply(
        app,
        &app.staff_token("nanchuan.clerk").await,
        "nanchuan",
        "25",
        "window",
        &zhang,
        form(name, "2026-11-20", 3),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "case.channel_not_offered", "{}", r.body);
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        item,
        &zhang,
        form(name, "2024-11-01", 2),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let out = &r.json()["case"]["outcome"];
    assert_eq!(
        (out["valid_from"].as_str(), out["valid_to"].as_str()),
        (Some("2024-11-01"), Some("2026-10-31")),
        "{out}"
    );

    let code = "H50024200001";
    let his = hospital(app, code, "500242").await;
    let msg = refused(
        &chronic_visit(app, &his, "Y1", &zhang, Some("employee/18"), "2026-11-20").await,
        "qualification.expired",
    );
    assert!(
        msg.contains("2026-10-31") && msg.contains("重新办理资格认定"),
        "{msg}"
    );
    // The last valid day still settles.
    let r = chronic_visit(app, &his, "Y0", &zhang, Some("employee/18"), "2026-10-31").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The national interface gives the hospital the same refusal (2206 inline, med_type 14).
    let fee = json!([{"feedetl_sn": 1, "med_list_codg": "M1", "det_item_fee_sumamt": "500.00", "chrgitm_lv": "1"}]);
    let v = national(
        app,
        &his,
        code,
        "500242",
        "2206",
        json!({"data": {"mdtrt_cert_type": "02",
        "mdtrt_cert_no": zhang, "med_type": "14", "dise_codg": "employee/18", "mdtrt_id": "YYMZ1",
        "setl_time": "2026-11-20 10:00:00"}, "feedetail": fee}),
    )
    .await;
    assert_eq!(v["infcode"], -1, "{v}");
    assert!(
        v["err_msg"]
            .as_str()
            .unwrap_or_default()
            .contains("2026-10-31"),
        "{v}"
    );

    // Re-certified: settles again from the new certification's day.
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        item,
        &zhang,
        form(name, "2026-11-21", 2),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let r = chronic_visit(app, &his, "Y2", &zhang, Some("employee/18"), "2026-11-21").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = national(
        app,
        &his,
        code,
        "500242",
        "2206",
        json!({"data": {"mdtrt_cert_type": "02",
        "mdtrt_cert_no": zhang, "med_type": "14", "dise_codg": "employee/18", "mdtrt_id": "YYMZ2",
        "setl_time": "2026-11-21 10:00:00"}, "feedetail": fee}),
    )
    .await;
    assert_eq!(v["infcode"], 0, "{v}");

    // Staff of the district see both, one expired.
    let staff = app.staff_token("youyang.clerk").await;
    let pid = person_id(app, &zhang).await;
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/qualifications"),
            Some(&staff),
            None,
        )
        .await;
    let standings: Vec<String> = r.json()["person"]["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["standing"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(standings, ["有效", "已到期"], "{}", r.body);
});

// 四川 (seed 001): 门诊慢特病 (22) and 单行支付/高值药品 (24) publish no list — refused at
// application with the reason; 两病 (23) is for residents, hypertension and diabetes only.
both_stores_with_demo!(sichuan_items_follow_what_the_guide_publishes, |app| {
    let demo = app.demo().await;
    let chen = demo.citizens[4].login.clone(); // 陈小明, 510104, resident
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    for item in ["22", "24"] {
        let r = apply(
            app,
            &clerk,
            "sichuan",
            item,
            "window",
            &chen,
            form("糖尿病", "2026-11-20", 2),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{item}: {}",
            r.body
        );
        assert!(r.body.contains("未在办事指南中公布"), "{item}: {}", r.body);
    }
    let r = apply(
        app,
        &clerk,
        "sichuan",
        "23",
        "window",
        &chen,
        form("冠心病", "2026-11-20", 2),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Evidence: 出院记录或诊断证明 and 检验检查报告 (seed 001 item 23 备注).
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        ("sichuan", "23", "window"),
        &chen,
        form("糖尿病", "2026-11-20", 1),
    )
    .await;
    assert_eq!(
        r.json()["code"],
        "qualification.evidence_missing",
        "{}",
        r.body
    );
    assert!(r.body.contains("检验检查报告"), "{}", r.body);
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        ("sichuan", "23", "window"),
        &chen,
        form("糖尿病", "2026-11-20", 2),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    assert_eq!(
        r.json()["case"]["outcome"]["disease_code"],
        "two_diseases/2"
    );
});

/// A manual aid case (chongqing/32) for the 结算单 of `admission` with `self_pay_yuan` left.
async fn aid_case(
    app: &TestApp,
    clerk: &str,
    id_number: &str,
    admission: &str,
    self_pay_yuan: &str,
) -> String {
    let n = window(app, clerk, json!({"jurisdiction": "chongqing", "item": "32", "channel": "window",
        "applicant": {"id_number": id_number, "name": "演示参保人"},
        "form": {"institution_code": "H50011900032", "admission_id": admission, "visit_date": "2026-11-20",
                 "visit_type": "住院", "self_pay": self_pay_yuan, "bank": "中国工商银行南川支行",
                 "bank_account": "6222 0212 3456 7890", "account_holder": "王建国"}})).await;
    let v = view(app, clerk, &n).await;
    provide_missing(app, clerk, &n, &v).await;
    let r = act(app, clerk, &n, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = view(app, clerk, &n).await;
    provide_missing(app, clerk, &n, &v).await;
    let r = act(app, clerk, &n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    n
}

/// Approve for payment and disburse; the last reply.
async fn pay(app: &TestApp, n: &str) -> Reply {
    // Whoever the item's steps let approve it (审核 levels) until it waits for payment (→ 待拨付).
    let mut last = None;
    for _ in 0..3 {
        let mut acted = false;
        for who in ["nanchuan.clerk", "nanchuan.reviewer"] {
            let t = app.staff_token(who).await;
            let v = view(app, &t, n).await;
            let offered: Vec<String> = v["actions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x[0].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(a) = ["approve", "complete"]
                .into_iter()
                .find(|a| offered.iter().any(|x| x == a))
            {
                let r = act(app, &t, n, a).await;
                let done = !r.status.is_success() || r.json()["case"]["status"] == "disbursement";
                last = Some(r);
                acted = true;
                if done {
                    break;
                }
            }
        }
        let r = last.as_ref().expect("an approver");
        if !acted || !r.status.is_success() || r.json()["case"]["status"] == "disbursement" {
            break;
        }
    }
    let r = last.expect("an approver");
    if r.json()["case"]["status"] != "disbursement" {
        return r;
    }
    let finance = app.staff_token("nanchuan.finance").await;
    act(app, &finance, n, "disburse").await
}

async fn record_aid(
    app: &TestApp,
    clerk: &str,
    id_number: &str,
    category: &str,
    from: &str,
    to: &str,
) {
    let pid = person_id(app, id_number).await;
    let r = app
        .post_json(&format!("/api/v1/persons/{pid}/aid-statuses"), Some(clerk),
            json!({"category": category, "source": "南川区民政局认定（演示）", "valid_from": from, "valid_to": to}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

// Medical aid: a 低保 recipient's aid in real-time settlement and by hand is one yearly total
// against the 50,000 元 cap (示例参数); the cap reached stops the next claim; a bill aided in real
// time is not aided again; an expired recognition gives no aid either way.
both_stores_with_demo!(aid_cap_is_one_total_across_real_time_and_manual, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone(); // 王建国, 南川, retired
    let li = demo.citizens[1].login.clone(); // 李秀英, 南川, retired
    let clerk = app.staff_token("nanchuan.clerk").await;
    record_aid(app, &clerk, &wang, "低保", "2026-01-01", "2026-12-31").await;
    record_aid(app, &clerk, &li, "特困", "2025-11-01", "2026-10-31").await;
    // A category the national list does not have is refused.
    let pid = person_id(app, &wang).await;
    let r = app
        .post_json(&format!("/api/v1/persons/{pid}/aid-statuses"), Some(&clerk),
            json!({"category": "贫困户", "source": "x", "valid_from": "2026-01-01", "valid_to": "2026-12-31"}))
        .await;
    assert_eq!(r.json()["code"], "aid.category_unknown", "{}", r.body);

    // Real time: 100,000 元 in hospital; aid pays 70 % of what the fund left, under the cap.
    let his = app
        .nanchuan_hospital_token("H50011900032", "演示医院")
        .await;
    let r = app
        .post_json("/api/v1/settlements", Some(&his), json!({"request_id": "A1", "id_number": wang,
            "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2", "admission_id": "ZY-A1",
                     "lines": [{"line_no": 1, "code": "S1", "amount": 10000000, "category": "a"}]}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let real_time = r.json()["aid"].as_i64().unwrap();
    assert!(real_time > 0 && real_time < 5_000_000, "{}", r.body);

    // The same bill is not aided again by hand.
    let n = aid_case(app, &clerk, &wang, "ZY-A1", "1000").await;
    let r = pay(app, &n).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["code"], "aid.settled_in_real_time", "{}", r.body);

    // A bill paid by basic insurance elsewhere: 1,000,000 元 left; only the cap's rest is paid.
    let n = aid_case(app, &clerk, &wang, "ZY-B1", "1000000").await;
    let r = pay(app, &n).await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let out = &r.json()["case"]["outcome"];
    assert_eq!(out["ratio_bp"], 7000, "{out}");
    assert_eq!(out["aid"].as_i64().unwrap(), 5_000_000 - real_time, "{out}");
    assert_eq!(out["year_total"], 5_000_000, "{out}");
    assert_eq!(out["example"], true);

    // The cap is reached: the next claim stops at approval, and real time pays no aid.
    let n = aid_case(app, &clerk, &wang, "ZY-B2", "100").await;
    let r = pay(app, &n).await;
    assert_eq!(r.json()["code"], "aid.cap_reached", "{}", r.body);
    let r = app
        .post_json("/api/v1/settlements", Some(&his), json!({"request_id": "A2", "id_number": wang,
            "bill": {"date": "2026-11-21", "visit": "inpatient", "hospital_level": "level_2", "admission_id": "ZY-A2",
                     "lines": [{"line_no": 1, "code": "S1", "amount": 1000000, "category": "a"}]}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["aid"], 0, "{}", r.body);

    // The total recomputed from the ledger: settlements' aid + manual claims = the accumulator.
    let mut tx = app.services.store().begin().await.unwrap();
    let manual = yibao_store::qualification::aid_claimed_in_year(&mut tx, &wang, 2026)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(real_time + manual, 5_000_000);
    let citizen = app
        .token(json!({"kind":"citizen","id_number": wang,"password": demo.citizens[0].password}))
        .await;
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/qualifications"),
            Some(&citizen),
            None,
        )
        .await;
    let p = &r.json()["person"];
    assert_eq!(
        (p["aid_paid_fen"].as_i64(), p["aid_manual_fen"].as_i64()),
        (Some(5_000_000), Some(manual)),
        "{p}"
    );
    assert_eq!(p["aid_statuses"][0]["category_label"], "低保对象");

    // An expired recognition (特困 to 2026-10-31): no real-time aid, manual aid refused.
    let r = app
        .post_json("/api/v1/settlements", Some(&his), json!({"request_id": "L1", "id_number": li,
            "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2", "admission_id": "ZY-L1",
                     "lines": [{"line_no": 1, "code": "S1", "amount": 10000000, "category": "a"}]}}))
        .await;
    assert_eq!(r.json()["aid"], 0, "{}", r.body);
    let n = aid_case(app, &clerk, &li, "ZY-L2", "1000").await;
    let r = pay(app, &n).await;
    assert_eq!(r.json()["code"], "aid.expired", "{}", r.body);
    assert!(r.body.contains("2026-10-31"), "{}", r.body);
});

// Manual 特病 reimbursement (seed 003 item 26 「完成特病备案的参保人」): a chronic outpatient bill
// is not approved for payment without a qualification for its disease valid on the bill's date.
both_stores_with_demo!(
    manual_special_outpatient_reimbursement_requires_the_qualification,
    |app| {
        app.demo().await;
        let yang = id_of(app, "演示·杨丽").await;
        let clerk = app.staff_token("cq.clerk").await;
        let reviewer = app.staff_token("cq.reviewer").await;
        let entry = |admission: &str| {
            json!({"care_region": "500119", "institution_code": "H50011900033", "ground": "network_failure",
               "disease": "employee/18",
               "payee": {"bank": "中国工商银行重庆分行", "account": "6222 0212 3456 7890", "holder": "杨丽"},
               "bill": {"date": "2026-11-22", "visit": "chronic_outpatient", "hospital_level": "level_2",
                        "admission_id": admission, "lines": lines()}})
        };
        // Opens, enters the bill, submits and accepts; returns the reviewer's approval.
        let case = |admission: &'static str| {
            let clerk = clerk.clone();
            let reviewer = reviewer.clone();
            let yang = yang.clone();
            let body = entry(admission);
            async move {
                let n = window(
                    app,
                    &clerk,
                    json!({"jurisdiction": "chongqing", "item": "26", "channel": "window",
                "applicant": {"id_number": yang, "name": "演示·杨丽"}}),
                )
                .await;
                let r = app
                    .post_json(&format!("/api/v1/cases/{n}/bill"), Some(&clerk), body)
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                let v = view(app, &clerk, &n).await;
                provide_missing(app, &clerk, &n, &v).await;
                assert_eq!(act(app, &clerk, &n, "submit").await.status, StatusCode::OK);
                let v = view(app, &clerk, &n).await;
                provide_missing(app, &clerk, &n, &v).await;
                let r = act(app, &clerk, &n, "accept").await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                act(app, &reviewer, &n, "complete").await
            }
        };
        let r = case("TB-1").await;
        assert_eq!(
            r.json()["code"],
            "reimbursement.calculation_refused",
            "{}",
            r.body
        );
        assert!(r.body.contains("未认定"), "{}", r.body);

        let r = qualify(
            app,
            &clerk,
            &reviewer,
            ("chongqing", "25", "window"),
            &yang,
            form("employee/18", "2026-11-20", 3),
        )
        .await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let r = case("TB-2").await;
        assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    }
);

/// A long-term residence filing (异地长期居住) of a 酉阳 person to 成都 from 2026-11-01, as the
/// filing effect stores it.
async fn long_term_filing(app: &TestApp, id_number: &str) {
    use yibao_domain::filing::{
        Filing, FilingJurisdiction, FilingKind, FilingRequest, FilingTarget, ValidityPolicy,
    };
    let target = FilingTarget::City("510100".parse().unwrap());
    let f = Filing::open(
        FilingRequest {
            id: "BA-YY-1".into(),
            person: id_number.parse().unwrap(),
            kind: FilingKind::LongTermResident,
            jurisdiction: FilingJurisdiction::Youyang,
            insured_region: "500242".parse().unwrap(),
            target: target.clone(),
            recorded_on: "2026-11-01".parse().unwrap(),
            starts_on: None,
            requested_end: None,
        },
        &ValidityPolicy::per_seeds(),
    );
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::filing::insert(
        &mut tx,
        &yibao_store::filing::FilingRow {
            id: "BA-YY-1".into(),
            person_id_number: id_number.into(),
            kind: format!("{:?}", FilingKind::LongTermResident),
            target_code: target.code().as_str().into(),
            case_number: None,
            filing_json: serde_json::to_string(&f).unwrap(),
            application_json: "{}".into(),
            created_at: "2026-11-01T00:00:00Z".into(),
            updated_at: "2026-11-01T00:00:00Z".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

// Seed 002 市外异地就医备案 (3): 「已获得特殊疾病门诊资格认定的参保人，在长期异地备案时同步完成特病门诊异地备案」 —
// with a qualification and a long-term filing, a 14 visit at the filed place settles directly
// under the qualification, with no 特病 filing of its own; without the filing it does not.
both_stores_with_demo!(a_qualification_travels_with_the_long_term_filing, |app| {
    let demo = app.demo().await;
    let zhang = demo.citizens[2].login.clone(); // 张伟, 酉阳
    let clerk = app.staff_token("youyang.clerk").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let r = qualify(
        app,
        &clerk,
        &reviewer,
        ("youyang", "20", "hospital"),
        &zhang,
        form("employee/18", "2026-11-20", 2),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let his = hospital(app, "H51010400031", "510104").await;
    let r = chronic_visit(app, &his, "F1", &zhang, Some("employee/18"), "2026-11-21").await;
    assert_eq!(r.json()["code"], "settlement.not_direct", "{}", r.body);
    long_term_filing(app, &zhang).await;
    let r = chronic_visit(app, &his, "F2", &zhang, Some("employee/18"), "2026-11-21").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert!(
        v["qualification"].as_str().unwrap().contains("高血压病"),
        "{v}"
    );
    assert!(v["care_rule"].as_str().unwrap().contains("备案"), "{v}");
    // The filing does not stand in for the qualification.
    let r = chronic_visit(app, &his, "F3", &zhang, Some("employee/3"), "2026-11-21").await;
    assert_eq!(
        r.json()["code"],
        "qualification.not_qualified",
        "{}",
        r.body
    );
});
