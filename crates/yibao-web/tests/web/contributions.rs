//! Contributions (缴费): finance computes a month's dues and account credits from the policy data
//! (data/policy/contribution/chongqing/2026.toml, every figure 示例参数), idempotently; the tax
//! authority's paid records are imported all-or-nothing with every problem by line (422); the
//! person's and the employer's ledgers show due, paid and the arrears derived from the two.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Reply, TestApp};
use serde_json::json;
use yibao_domain::contribution::BaseAdjustment;

async fn upload_paid(app: &TestApp, token: &str, csv: &str) -> Reply {
    let boundary = "yibaoBOUNDARY";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"paid.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post("/api/v1/contributions/paid")
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// (ID number, person id, employer id) of a demo person with an employer coverage.
async fn person_and_employer(app: &TestApp, name: &str) -> (String, i64, i64) {
    let mut tx = app.services.store().begin().await.unwrap();
    let persons = yibao_store::enrolment::list_persons(&mut tx).await.unwrap();
    let p = persons.into_iter().find(|p| p.name == name).unwrap();
    let covs = yibao_store::coverage::list_for_person(&mut tx, p.id)
        .await
        .unwrap();
    let employer = covs.iter().find_map(|c| c.employer_id).unwrap();
    (p.id_number.to_string(), p.id, employer)
}

both_stores_with_demo!(month_run_import_and_ledger, |app| {
    let finance = app.staff_token("cq.finance").await;
    let clerk = app.staff_token("cq.clerk").await;
    // 演示·张伟 (酉阳, in service with 酉阳演示茶叶专业合作社) and 演示·杨丽 (重庆, in service).
    let (zhang, zhang_id, zhang_employer) = person_and_employer(app, "演示·张伟").await;
    let (_, yang_id, _) = person_and_employer(app, "演示·杨丽").await;

    // 张伟's employer declared 3,000 元 a month for 2026: below the 4,404 元 floor, so the base
    // is the floor (seed 002 年度工资申报; 2025 limits carried into 2026 as 示例参数).
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::contribution::put_base(
            &mut tx,
            &yibao_store::contribution::NewBase {
                employer_id: zhang_employer,
                person_id: zhang_id,
                year: 2026,
                declared_fen: 300_000,
                base_fen: 440_400,
                adjustment: BaseAdjustment::RaisedToFloor,
                case_number: None,
                now: "2026-03-01T00:00:00Z",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    // Only finance runs the month.
    let r = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&clerk),
            json!({"year": 2026, "month": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 13}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let r = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let run = r.json();
    // 张伟, and the two retirees of 南川 (王建国, 李秀英: nothing due, the credit only).
    assert_eq!(run["written"], 3, "{}", r.body);
    // 杨丽's employer declared nothing: no base is assumed, she is counted, not charged.
    assert_eq!(run["no_base"], 1, "{}", r.body);
    // 4,404 × 8 % = 352.32 + 4,404 × 2 % = 88.08; account 2 % = 88.08; retirees 60.00 元 each
    // (all 示例参数).
    assert_eq!(run["due_fen"], 44_040);
    assert_eq!(run["account_credit_fen"], 8_808 + 2 * 6_000);
    assert_eq!(run["example_lines"], 3);
    // Idempotent: the same month again writes nothing and credits nothing.
    let again = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 3}),
        )
        .await
        .json();
    assert_eq!(
        (again["written"].as_i64(), again["already"].as_i64()),
        (Some(0), Some(3))
    );
    let credits = {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::settlement::credits(&mut tx, &zhang)
            .await
            .unwrap()
    };
    assert_eq!(credits.len(), 1, "{credits:?}");
    assert_eq!((credits[0].year, credits[0].amount_fen), (2026, 8_808));
    assert!(
        credits[0].note.contains("2026-03") && credits[0].note.contains("示例参数"),
        "{credits:?}"
    );

    // A file with problems: nothing is imported, every problem is named by line.
    let bad = format!(
        "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n\
         T001,{zhang},单位职工,2026-03,400.00,2026-04-10\n\
         T001,{zhang},单位职工,2026-13,-1,2026-04-10\n\
         T003,110101199001011234,居民,2026-03,abc,2026-04-10\n"
    );
    let r = upload_paid(app, &finance, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    assert_eq!(body["code"], "contribution.import.invalid");
    let problems = body["details"]["problems"].as_array().unwrap();
    let at = |line: i64, code: &str| {
        problems
            .iter()
            .any(|p| p["line"] == line && p["code"] == code)
    };
    assert!(
        at(3, "contribution.import.receipt_repeated"),
        "{problems:?}"
    );
    assert!(at(3, "contribution.import.month"), "{problems:?}");
    assert!(at(3, "contribution.import.amount"), "{problems:?}");
    assert!(at(4, "contribution.import.kind"), "{problems:?}");
    assert!(at(4, "contribution.import.amount"), "{problems:?}");
    assert!(
        !problems.iter().any(|p| p["line"] == 2),
        "line 2 is fine: {problems:?}"
    );
    let ledger = app
        .call(
            "GET",
            &format!("/api/v1/persons/{zhang_id}/contributions?year=2026"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(
        ledger["year_totals"]["paid_fen"], 0,
        "nothing was half imported"
    );

    // The tax authority reports 400.00 元 paid for March: 40.40 元 remain owed.
    let good = format!(
        "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\nT001,{zhang},单位职工,2026-03,400.00,2026-04-10\n"
    );
    let r = upload_paid(app, &finance, &good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["total_fen"], 40_000);
    let r = upload_paid(app, &finance, &good).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the same file twice: {}",
        r.body
    );

    let ledger = app
        .call(
            "GET",
            &format!("/api/v1/persons/{zhang_id}/contributions?year=2026"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    let line = &ledger["lines"][0];
    assert_eq!(line["month"], "2026-03");
    assert_eq!(
        (line["employer_fen"].as_i64(), line["person_fen"].as_i64()),
        (Some(35_232), Some(8_808))
    );
    assert_eq!(
        (line["paid_fen"].as_i64(), line["arrears_fen"].as_i64()),
        (Some(40_000), Some(4_040))
    );
    assert_eq!(line["example"], true);
    assert_eq!(ledger["year_totals"]["due_fen"], 44_040);
    assert_eq!(ledger["arrears_fen"], 4_040);
    let other_year = app
        .call(
            "GET",
            &format!("/api/v1/persons/{zhang_id}/contributions?year=2025"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(other_year["year_totals"]["due_fen"], 0);
    assert_eq!(
        other_year["arrears_fen"], 4_040,
        "arrears are over the whole ledger"
    );
    let employer = app
        .call(
            "GET",
            &format!("/api/v1/employers/{zhang_employer}/contributions"),
            Some(&finance),
            None,
        )
        .await
        .json();
    assert_eq!(employer["arrears_fen"], 4_040);
    assert_eq!(employer["lines"].as_array().unwrap().len(), 1);
    let yang_ledger = app
        .call(
            "GET",
            &format!("/api/v1/persons/{yang_id}/contributions"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(yang_ledger["lines"].as_array().unwrap().len(), 0);
});

async fn employ(app: &TestApp, name: &str, employer_index: usize, region: &str) -> (String, i64) {
    let uscc = &yibao_service::demo::demo_operators().unwrap()[employer_index].login;
    let mut tx = app.services.store().begin().await.unwrap();
    let employer = yibao_store::enrolment::find_employer_by_uscc(&mut tx, uscc)
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let id = cover(app, name, "in_service", Some(employer.id), region).await;
    (id, employer.id)
}

/// Writes an open employee-scheme coverage of `category` for a demo person; returns the ID number.
async fn cover(
    app: &TestApp,
    name: &str,
    category: &str,
    employer_id: Option<i64>,
    region: &str,
) -> String {
    let mut tx = app.services.store().begin().await.unwrap();
    let p = yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap();
    yibao_store::coverage::insert(
        &mut tx,
        &yibao_store::coverage::CoverageRow {
            id: 0,
            person_id: p.id,
            scheme: yibao_domain::enrolment::Scheme::Employee,
            category: yibao_domain::enrolment::CoverageCategory::from_key(category).unwrap(),
            employer_id,
            region_code: region.into(),
            status: yibao_domain::enrolment::CoverageStatus::Active,
            registered_on: "2026-01-01".into(),
            start_date: Some("2026-01-01".into()),
            end_date: None,
            case_number: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    p.id_number
}

fn declaration(jurisdiction: &str, item: &str, uscc: &str, lines: &str) -> serde_json::Value {
    json!({
        "jurisdiction": jurisdiction, "item": item, "channel": "window",
        "applicant": {"uscc": uscc, "name": ""},
        "form": {"year": "2026", "wage_lines": lines}
    })
}

// seed 002 酉阳 年度工资申报: bases clamped to the 2026 limits (2025 figures carried forward as
// 示例参数), the 核定通知单 as the outcome, late after the end of March; a line naming someone
// who is not the unit's employee refuses the whole declaration.
both_stores_with_demo!(youyang_annual_wage_declaration, |app| {
    use common::journey::{drive, outcome, window};
    let clerk = app.staff_token("youyang.clerk").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let uscc = yibao_service::demo::demo_operators().unwrap()[1]
        .login
        .clone();
    let (zhang, _, _) = person_and_employer(app, "演示·张伟").await;
    let (yang, _, _) = person_and_employer(app, "演示·杨丽").await;

    let n = window(
        app,
        &clerk,
        declaration(
            "youyang",
            "10",
            &uscc,
            &format!("{zhang} 3000\n{yang} 5000"),
        ),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.base.not_employee",
        "{}",
        r.body
    );

    // One fen under the floor is raised to it.
    let n = window(
        app,
        &clerk,
        declaration("youyang", "10", &uscc, &format!("{zhang} 4403.99")),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = outcome(app, &clerk, &n).await["notice"].clone();
    assert_eq!(notice["title"], "缴费基数核定通知单");
    assert_eq!(notice["example"], true);
    // Declared 2026-11-22, after 31 March (seed 002「每年3月底前」).
    assert_eq!(notice["declared_late"], true);
    let line = &notice["lines"][0];
    assert_eq!(
        (line["declared_fen"].as_i64(), line["base_fen"].as_i64()),
        (Some(440_399), Some(440_400))
    );
    assert_eq!(line["adjustment"], "raised_to_floor");
    assert_eq!(
        (line["employer_fen"].as_i64(), line["employee_fen"].as_i64()),
        (Some(35_232), Some(8_808))
    );

    // A correction above the ceiling (22,017 元) is lowered to it and supersedes the base.
    let n = window(
        app,
        &clerk,
        declaration("youyang", "10", &uscc, &format!("{zhang} 22017.01")),
    )
    .await;
    assert_eq!(
        drive(app, &clerk, Some(&reviewer), &n).await.status,
        StatusCode::OK
    );
    let line = outcome(app, &clerk, &n).await["notice"]["lines"][0].clone();
    assert_eq!(
        (line["base_fen"].as_i64(), line["adjustment"].as_str()),
        (Some(2_201_700), Some("lowered_to_ceiling"))
    );
    let finance = app.staff_token("cq.finance").await;
    let run = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 11}),
        )
        .await
        .json();
    // 22,017 × 10 % = 2,201.70 元 (示例参数 rates).
    assert_eq!(run["due_fen"], 220_170, "{run}");
});

// seed 001 九、参保单位缴费基数申报 (不超过 3 个工作日, 申报表加盖公章): 成都 limits 4,588–22,938 元
// (川人社办发〔2025〕39号, carried into 2026 as 示例参数); a wage equal to the floor is kept.
both_stores_with_demo!(sichuan_base_declaration, |app| {
    use common::journey::{drive, outcome, view, window};
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let uscc = yibao_service::demo::demo_operators().unwrap()[2]
        .login
        .clone();
    let (liu, _) = employ(app, "演示·刘芳", 2, "510100").await;
    let n = window(
        app,
        &clerk,
        declaration("sichuan", "09", &uscc, &format!("{liu} 4588.00")),
    )
    .await;
    let v = view(app, &clerk, &n).await;
    assert!(
        v["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["key"] == "base_declaration_form"),
        "{v}"
    );
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = outcome(app, &clerk, &n).await["notice"].clone();
    let line = &notice["lines"][0];
    assert_eq!(
        (line["base_fen"].as_i64(), line["adjustment"].as_str()),
        (Some(458_800), Some("as_declared"))
    );
    assert_eq!(line["total_fen"], 45_880);
    assert_eq!(
        notice["declared_late"], false,
        "seed 001 names no declaration date"
    );
    let v = view(app, &clerk, &n).await;
    assert_eq!(v["case"]["status"], "completed", "{v}");
});

fn person_case(
    jurisdiction: &str,
    item: &str,
    id_number: &str,
    form: serde_json::Value,
) -> serde_json::Value {
    json!({
        "jurisdiction": jurisdiction, "item": item, "channel": "window",
        "applicant": {"id_number": id_number, "name": ""}, "form": form
    })
}

// seed 001 八 灵活就业人员缴纳职工医疗保险费 (即时办结): the 缴费通知单 with the grade's monthly
// amount — 成都 6,117 元 × (8.75 % + 0.75 %), each part rounded: 535.24 + 45.88 元; refused for
// someone not insured as an individual. seed 001 十 趸缴: the missing months priced (示例参数).
// seed 001 三十一: 特困 the whole contribution, 低保 the fixed amount (示例参数) but never more.
both_stores_with_demo!(sichuan_flexible_lump_sum_and_aid_subsidy, |app| {
    use common::journey::{drive, outcome, window};
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let (liu, _, _) = {
        let mut tx = app.services.store().begin().await.unwrap();
        let p = yibao_store::enrolment::list_persons(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "演示·刘芳")
            .unwrap();
        (p.id_number, p.id, 0)
    };
    let n = window(app, &clerk, person_case("sichuan", "08", &liu, json!({}))).await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.flexible.not_enrolled",
        "{}",
        r.body
    );

    cover(app, "演示·刘芳", "flexible", None, "510100").await;
    let n = window(app, &clerk, person_case("sichuan", "08", &liu, json!({}))).await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = outcome(app, &clerk, &n).await["notice"].clone();
    assert_eq!(
        (
            notice["basic_fen"].as_i64(),
            notice["supplementary_fen"].as_i64(),
            notice["monthly_fen"].as_i64()
        ),
        (Some(53_524), Some(4_588), Some(58_112)),
        "{notice}"
    );

    // 趸缴: 1995-01..2000-12 deemed (72 months, before 2001-01-01, 示例参数) + 100 paid = 172 of
    // the 240 a woman needs (示例参数): 68 months at 458.80 元 (10 % of the 4,588 元 floor);
    // with 168 paid she is complete and pays nothing.
    let years = json!({"work_periods": "1995-01 2000-12", "paid_months": "100"});
    let n = window(app, &clerk, person_case("sichuan", "10", &liu, years)).await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let o = outcome(app, &clerk, &n).await;
    assert_eq!(o["recognition"]["deemed_months"], 72, "{o}");
    assert_eq!(o["recognition"]["shortfall_months"], 68, "{o}");
    assert_eq!(o["notice"]["amount_fen"], 68 * 45_880, "{o}");
    let years = json!({"work_periods": "1995-01 2000-12", "paid_months": "168"});
    let n = window(app, &clerk, person_case("sichuan", "10", &liu, years)).await;
    drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(outcome(app, &clerk, &n).await["notice"]["amount_fen"], 0);

    // The aid subsidy: 陈小明 (成都 锦江, resident scheme). The item has a 拨付 step: approved
    // cases wait for finance's disbursement batch, which runs the effect and pays its amount.
    let chen = {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::enrolment::list_persons(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "演示·陈小明")
            .unwrap()
            .id_number
    };
    let finance = app.staff_token("chengdu.finance").await;
    let aid = |cat: &str, amount: &str| {
        person_case(
            "sichuan",
            "31",
            &chen,
            json!({"aid_category": cat, "contribution": amount}),
        )
    };
    let mut numbers = Vec::new();
    for (cat, amount) in [
        ("特困人员", "400.00"),
        ("低保对象", "400.00"),
        ("低保对象", "239.99"),
        ("因病致贫重病患者", "400.00"),
    ] {
        let n = window(app, &clerk, aid(cat, amount)).await;
        drive(app, &clerk, Some(&reviewer), &n).await;
        assert_eq!(
            common::journey::view(app, &clerk, &n).await["case"]["status"],
            "disbursement"
        );
        numbers.push(n);
    }
    let r = app
        .post_json(
            "/api/v1/disbursement/batches",
            Some(&finance),
            json!({"cases": numbers}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let lines = r.json()["lines"].clone();
    let line = |n: &str| {
        lines
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["case_number"] == n)
            .unwrap()
            .clone()
    };
    // 特困: the whole 400.00 元; 低保: the fixed 240.00 元 (示例参数), never more than paid.
    assert_eq!(
        (
            line(&numbers[0])["result"].as_str(),
            line(&numbers[0])["amount_fen"].as_i64()
        ),
        (Some("paid"), Some(40_000))
    );
    assert_eq!(line(&numbers[1])["amount_fen"], 24_000);
    assert_eq!(line(&numbers[2])["amount_fen"], 23_999);
    assert_eq!(line(&numbers[3])["result"], "failed", "{lines}");
    assert!(
        line(&numbers[3])["message"]
            .as_str()
            .unwrap()
            .contains("不在资助参保对象范围内"),
        "{lines}"
    );
    let s = outcome(app, &clerk, &numbers[1]).await["subsidy"].clone();
    assert_eq!(s["example"], true, "{s}");
    // Someone without resident coverage (刘芳 is in the employee scheme): the batch line fails.
    let n = window(
        app,
        &clerk,
        person_case(
            "sichuan",
            "31",
            &liu,
            json!({"aid_category": "特困人员", "contribution": "400"}),
        ),
    )
    .await;
    drive(app, &clerk, Some(&reviewer), &n).await;
    let r = app
        .post_json(
            "/api/v1/disbursement/batches",
            Some(&finance),
            json!({"cases": [n]}),
        )
        .await;
    assert!(
        r.json()["lines"][0]["message"]
            .as_str()
            .unwrap()
            .contains("未参加城乡居民基本医疗保险"),
        "{}",
        r.body
    );
});

// seed 002 酉阳: 退休人员缴费年限认定 only after retirement approval; 单位退休人员不足年限补缴
// from the recognised shortfall; 个人参保补缴 only after the arrears are verified, for what the
// ledger shows an individual owes; 个人参保一次性趸缴 sent to the tax office since 2022-01.
both_stores_with_demo!(youyang_years_shortfall_back_pay_and_lump_sum, |app| {
    use common::journey::{drive, outcome, window};
    let clerk = app.staff_token("youyang.clerk").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let (zhang, _, _) = person_and_employer(app, "演示·张伟").await;
    let years = json!({"work_periods": "2000-01 2000-12", "paid_months": "280"});
    let n = window(
        app,
        &clerk,
        person_case("youyang", "12", &zhang, years.clone()),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.years.not_retired",
        "{}",
        r.body
    );
    // Shortfall before any recognition: refused.
    let n = window(
        app,
        &clerk,
        person_case("youyang", "13", &zhang, json!({"agree": "同意补缴"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.shortfall.not_recognised",
        "{}",
        r.body
    );

    cover(app, "演示·张伟", "retired", None, "500242").await;
    let n = window(app, &clerk, person_case("youyang", "12", &zhang, years)).await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rec = outcome(app, &clerk, &n).await["recognition"].clone();
    // 12 deemed + 280 paid = 292 of the 300 a man needs (示例参数): 8 short.
    assert_eq!(
        (
            rec["deemed_months"].as_u64(),
            rec["shortfall_months"].as_u64()
        ),
        (Some(12), Some(8)),
        "{rec}"
    );
    let n = window(
        app,
        &clerk,
        person_case("youyang", "13", &zhang, json!({"agree": "同意补缴"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // 8 × 440.40 元 (10 % of the 4,404 元 floor, 示例参数).
    assert_eq!(
        outcome(app, &clerk, &n).await["plan"]["amount_fen"],
        8 * 44_040
    );

    // Back pay: refused until verified, and when the ledger shows nothing owed as an individual.
    let n = window(
        app,
        &clerk,
        person_case("youyang", "14", &zhang, json!({"arrears_verified": "否"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.personal_back_pay.unverified",
        "{}",
        r.body
    );
    let n = window(
        app,
        &clerk,
        person_case("youyang", "14", &zhang, json!({"arrears_verified": "是"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.personal_back_pay.none",
        "{}",
        r.body
    );
    cover(app, "演示·张伟", "flexible", None, "500242").await;
    let finance = app.staff_token("cq.finance").await;
    let run = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 10}),
        )
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let n = window(
        app,
        &clerk,
        person_case("youyang", "14", &zhang, json!({"arrears_verified": "是"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // 一档 256.25 元 a month unpaid (渝医保发〔2024〕47号 2025 figure, carried into 2026).
    assert_eq!(
        outcome(app, &clerk, &n).await["notice"]["arrears_fen"],
        25_625
    );

    let n = window(
        app,
        &clerk,
        person_case(
            "youyang",
            "15",
            &zhang,
            json!({"work_periods": "", "paid_months": "0"}),
        ),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.json()["code"], "contribution.lump_sum.tax", "{}", r.body);

    // 「若不同意补缴，则暂停其医保关系」: the retired coverage is suspended, nothing is due.
    let n = window(
        app,
        &clerk,
        person_case("youyang", "13", &zhang, json!({"agree": "不同意补缴"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let o = outcome(app, &clerk, &n).await;
    assert_eq!(o["suspended"]["shortfall_months"], 8, "{o}");
    assert!(o.get("plan").is_none(), "{o}");
    let mut tx = app.services.store().begin_read().await.unwrap();
    let p = yibao_store::enrolment::find_person(&mut tx, &zhang.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let covs = yibao_store::coverage::list_for_person(&mut tx, p.id)
        .await
        .unwrap();
    drop(tx);
    let retired = covs
        .iter()
        .find(|c| c.category == yibao_domain::enrolment::CoverageCategory::Retired)
        .unwrap();
    assert_eq!(
        retired.status,
        yibao_domain::enrolment::CoverageStatus::Suspended
    );
    // A second refusal finds no coverage in force to suspend.
    let n = window(
        app,
        &clerk,
        person_case("youyang", "13", &zhang, json!({"agree": "不同意补缴"})),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.shortfall.no_coverage",
        "{}",
        r.body
    );
});

// The person sees their own contributions, the unit its own (its employees' lines); nobody else
// outside the agency does (answered like a missing record).
both_stores_with_demo!(own_ledgers_for_citizen_and_employer, |app| {
    let finance = app.staff_token("cq.finance").await;
    let (zhang, zhang_id, employer) = person_and_employer(app, "演示·张伟").await;
    let (_, other_id, other_employer) = person_and_employer(app, "演示·杨丽").await;
    cover(app, "演示·张伟", "flexible", None, "500242").await;
    let r = app
        .post_json(
            "/api/v1/contributions/months",
            Some(&finance),
            json!({"year": 2026, "month": 9}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let citizen = app
        .token(json!({"kind": "citizen", "id_number": zhang, "password": "demo-citizen-3"}))
        .await;
    let own = app
        .call(
            "GET",
            &format!("/api/v1/persons/{zhang_id}/contributions?year=2026"),
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    // 一档 256.25 元 as an individual (示例参数 for 2026), unpaid.
    assert_eq!(own.json()["arrears_fen"], 25_625, "{}", own.body);
    let other = app
        .call(
            "GET",
            &format!("/api/v1/persons/{other_id}/contributions"),
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    let op = &yibao_service::demo::demo_operators().unwrap()[1];
    let operator = app
        .token(json!({"kind": "employer", "uscc": op.login, "username": "admin", "password": op.password}))
        .await;
    let own = app
        .call(
            "GET",
            &format!("/api/v1/employers/{employer}/contributions"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let other = app
        .call(
            "GET",
            &format!("/api/v1/employers/{other_employer}/contributions"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);

    // The record pages show the ledger: the person's (staff) and the unit's own page.
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.clerk"), ("password", "demo-cq-clerk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get(&format!("/staff/persons/{zhang_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = common::page::select_text(&page.body, "#contributions tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("2026-09") && rows[0].contains("256.25") && rows[0].contains("示例参数"),
        "{rows:?}"
    );
    assert_eq!(
        common::page::select_text(&page.body, "#contribution-arrears"),
        vec!["256.25"]
    );
    assert_eq!(
        common::page::select_text(&page.body, "#contribution-example").len(),
        1
    );
    let page = b.get(&format!("/staff/employers/{other_employer}")).await;
    assert_eq!(
        common::page::select_text(&page.body, "#contributions-none").len(),
        1,
        "{}",
        page.body
    );

    // The person sees the same line on their own record page.
    let mut me = app.browser();
    me.get("/login").await;
    let r = me
        .post_form(
            "/login/citizen",
            &[
                ("id_number", zhang.as_str()),
                ("password", "demo-citizen-3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = me.get("/account/record").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = common::page::select_text(&page.body, "#contributions tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("2026-09") && rows[0].contains("256.25"),
        "{rows:?}"
    );
    assert_eq!(
        common::page::select_text(&page.body, "#contribution-arrears"),
        vec!["256.25"]
    );
});

// An employer whose ledger shows arrears may not deregister (seed 003 单位注销 办理条件), split
// (seed 003 单位分立 办理条件1「已在税务部门完清各项保险费用欠款」) or transfer out (单位整体转入转出
// 「单位需完清欠款后方可办理单位整体转出业务」); once the tax authority reports the payment it may.
both_stores_with_demo!(
    ledger_arrears_block_deregistration_split_and_transfer_out,
    |app| {
        use common::journey::{drive, window};
        let clerk = app.staff_token("cq.clerk").await;
        let reviewer = app.staff_token("cq.reviewer").await;
        let finance = app.staff_token("cq.finance").await;
        let uscc = yibao_service::demo::demo_operators().unwrap()[3]
            .login
            .clone();
        let (yang, yang_id, employer) = person_and_employer(app, "演示·杨丽").await;
        {
            let mut tx = app.services.store().begin().await.unwrap();
            yibao_store::contribution::put_base(
                &mut tx,
                &yibao_store::contribution::NewBase {
                    employer_id: employer,
                    person_id: yang_id,
                    year: 2026,
                    declared_fen: 500_000,
                    base_fen: 500_000,
                    adjustment: BaseAdjustment::AsDeclared,
                    case_number: None,
                    now: "2026-10-01T00:00:00Z",
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let r = app
            .post_json(
                "/api/v1/contributions/months",
                Some(&finance),
                json!({"year": 2026, "month": 10}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let case = |item: &str, form: serde_json::Value| {
            json!({"jurisdiction": "chongqing", "item": item, "channel": "window",
               "applicant": {"uscc": uscc, "name": ""}, "form": form})
        };
        // 5,000 × 10 % = 500.00 元 owed.
        for (item, form) in [
            ("05", json!({"terminated_on": "2026-11-20"})),
            ("02", json!({})),
            ("04", json!({"direction": "转出", "to_region": "510100"})),
        ] {
            let n = window(app, &clerk, case(item, form)).await;
            let r = drive(app, &clerk, Some(&reviewer), &n).await;
            assert_eq!(
                r.json()["code"],
                "registry.employer.arrears",
                "item {item}: {}",
                r.body
            );
            assert!(r.body.contains("500.00"), "item {item}: {}", r.body);
        }
        let paid = format!(
        "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\nCQ-1,{yang},单位职工,2026-10,500.00,2026-11-05\n"
    );
        assert_eq!(
            upload_paid(app, &finance, &paid).await.status,
            StatusCode::CREATED
        );
        let n = window(
            app,
            &clerk,
            case("04", json!({"direction": "转出", "to_region": "510100"})),
        )
        .await;
        let r = drive(app, &clerk, Some(&reviewer), &n).await;
        assert_ne!(r.json()["code"], "registry.employer.arrears", "{}", r.body);
    }
);

// seed 002 单位补缴: not before January 2005 (2004-12 refused, 2005-01 passes the rule), not after
// the current month; months without a policy cannot be assessed (the shipped policies start in
// 2025); 「允许跨单位」: 王建国 is not this unit's employee. Each month at the wage clamped with that
// month's policy (2025: the secondary 4,404 元 floor), written to the ledger with its credit;
// a month already in the ledger is not assessed twice.
both_stores_with_demo!(youyang_employer_back_pay, |app| {
    use common::journey::{drive, outcome, window};
    let clerk = app.staff_token("youyang.clerk").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let uscc = yibao_service::demo::demo_operators().unwrap()[1]
        .login
        .clone();
    let (zhang, zhang_id, employer) = person_and_employer(app, "演示·张伟").await;
    let wang = {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::enrolment::list_persons(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "演示·王建国")
            .unwrap()
            .id_number
    };
    let back_pay = |from: &str, to: &str, lines: &str| {
        json!({"jurisdiction": "youyang", "item": "11", "channel": "window",
               "applicant": {"uscc": uscc, "name": ""},
               "form": {"from_month": from, "to_month": to, "wage_lines": lines}})
    };
    let n = window(
        app,
        &clerk,
        back_pay("2004-12", "2005-01", &format!("{zhang} 3000")),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.back_pay.too_early",
        "{}",
        r.body
    );
    let n = window(
        app,
        &clerk,
        back_pay("2005-01", "2005-01", &format!("{zhang} 3000")),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.no_policy",
        "past the 2005 rule: {}",
        r.body
    );
    let n = window(
        app,
        &clerk,
        back_pay("2026-11", "2026-12", &format!("{zhang} 3000")),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(
        r.json()["code"],
        "contribution.back_pay.future",
        "{}",
        r.body
    );

    let n = window(
        app,
        &clerk,
        back_pay("2025-11", "2026-01", &format!("{zhang} 3000\n{wang} 6000")),
    )
    .await;
    let r = drive(app, &clerk, Some(&reviewer), &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = outcome(app, &clerk, &n).await["notice"].clone();
    // 3 months × (4,404 × 10 % + 6,000 × 10 %) = 3 × (440.40 + 600.00).
    assert_eq!(notice["lines"].as_array().unwrap().len(), 6, "{notice}");
    assert_eq!(notice["total_fen"], 3 * (44_040 + 60_000), "{notice}");
    let ledger = app
        .call(
            "GET",
            &format!("/api/v1/employers/{employer}/contributions?year=2025"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(
        ledger["year_totals"]["due_fen"],
        2 * (44_040 + 60_000),
        "{ledger}"
    );
    let credits = {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::settlement::credits(&mut tx, &zhang)
            .await
            .unwrap()
    };
    assert_eq!(
        credits.iter().map(|c| c.amount_fen).sum::<i64>(),
        3 * 8_808,
        "{credits:?}"
    );
    // Again over an overlapping span: only the new month is assessed.
    let n = window(
        app,
        &clerk,
        back_pay("2026-01", "2026-02", &format!("{zhang} 3000")),
    )
    .await;
    drive(app, &clerk, Some(&reviewer), &n).await;
    let notice = outcome(app, &clerk, &n).await["notice"].clone();
    assert_eq!(
        (
            notice["lines"].as_array().unwrap().len(),
            notice["already"].as_i64()
        ),
        (1, Some(1)),
        "{notice}"
    );
    let person = app
        .call(
            "GET",
            &format!("/api/v1/persons/{zhang_id}/contributions?year=2026"),
            Some(&clerk),
            None,
        )
        .await
        .json();
    assert_eq!(person["lines"].as_array().unwrap().len(), 4, "{person}");
});

/// A small deterministic generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `amount × bp / 10000` half up, written out on its own from the policy file's numbers.
fn half_up(amount: i64, bp: i64) -> i64 {
    let x = i128::from(amount) * i128::from(bp);
    let (q, r) = (x / 10_000, x % 10_000);
    (if r >= 5_000 { q + 1 } else { q }) as i64
}

// Random employees of one unit with random wages (both sides of the floor and the ceiling among
// them), declared through 酉阳 10, assessed by the monthly run, partly paid through the import:
// every line's parts, credit, paid and arrears equal a computation written independently from the
// numbers in data/policy/contribution/chongqing/2026.toml.
both_stores_with_demo!(
    random_employees_dues_match_an_independent_computation,
    |app| {
        use common::journey::{drive, window};
        let policy: toml::Value = toml::from_str(include_str!(
            "../../../../data/policy/contribution/chongqing/2026.toml"
        ))
        .unwrap();
        let get = |t: &str, k: &str| policy[t][k].as_integer().unwrap();
        let (floor, ceiling) = (get("base", "monthly_floor"), get("base", "monthly_ceiling"));
        let (er_bp, ee_bp) = (
            get("employee", "employer_rate_bp"),
            get("employee", "employee_rate_bp"),
        );
        let acc_bp = get("account", "in_service_rate_bp");

        let clerk = app.staff_token("youyang.clerk").await;
        let reviewer = app.staff_token("youyang.reviewer").await;
        let finance = app.staff_token("cq.finance").await;
        let uscc = yibao_service::demo::demo_operators().unwrap()[1]
            .login
            .clone();
        let (_, _, employer) = person_and_employer(app, "演示·张伟").await;
        let mut rng = Rng(0x5eed_2026_1203);
        let mut people = Vec::new();
        {
            let mut tx = app.services.store().begin().await.unwrap();
            let region: yibao_domain::RegionCode = "500242".parse().unwrap();
            for n in 0..24u32 {
                let first17 = format!(
                    "500242{}{:03}",
                    19700101 + n * 10000 + (n % 12) * 100,
                    100 + n
                );
                let id = format!(
                    "{first17}{}",
                    yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
                );
                let cid: yibao_domain::CitizenId = id.parse().unwrap();
                let name = format!("随机职工{n}");
                let pid = yibao_store::enrolment::insert_person(
                    &mut tx,
                    &yibao_store::enrolment::NewPerson {
                        id_number: &cid,
                        name: &name,
                        region_code: &region,
                        phone: "",
                    },
                    "2026-01-01T00:00:00Z",
                )
                .await
                .unwrap();
                yibao_store::coverage::insert(
                    &mut tx,
                    &yibao_store::coverage::CoverageRow {
                        id: 0,
                        person_id: pid,
                        scheme: yibao_domain::enrolment::Scheme::Employee,
                        category: yibao_domain::enrolment::CoverageCategory::InService,
                        employer_id: Some(employer),
                        region_code: "500242".into(),
                        status: yibao_domain::enrolment::CoverageStatus::Active,
                        registered_on: "2026-01-01".into(),
                        start_date: Some("2026-01-01".into()),
                        end_date: None,
                        case_number: None,
                        created_at: "2026-01-01T00:00:00Z".into(),
                        updated_at: "2026-01-01T00:00:00Z".into(),
                    },
                )
                .await
                .unwrap();
                // Wages around the limits one time in three, anywhere up to 40,000 元 otherwise.
                let wage = match rng.below(6) {
                    0 => floor - 1 + rng.below(3) as i64,
                    1 => ceiling - 1 + rng.below(3) as i64,
                    _ => rng.below(4_000_001) as i64,
                };
                people.push((id, pid, wage));
            }
            tx.commit().await.unwrap();
        }
        let lines: Vec<String> = people
            .iter()
            .map(|(id, _, w)| format!("{id} {}", yibao_domain::Fen(*w).yuan_string()))
            .collect();
        let n = window(
            app,
            &clerk,
            declaration("youyang", "10", &uscc, &lines.join("\n")),
        )
        .await;
        let r = drive(app, &clerk, Some(&reviewer), &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post_json(
                "/api/v1/contributions/months",
                Some(&finance),
                json!({"year": 2026, "month": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // The tax authority reports a random part of each person's dues as paid.
        let mut csv = String::from("票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n");
        let mut paid = Vec::new();
        for (i, (id, _, wage)) in people.iter().enumerate() {
            let base = (*wage).clamp(floor, ceiling);
            let due = half_up(base, er_bp) + half_up(base, ee_bp);
            let p = match rng.below(3) {
                0 => 0,
                1 => due,
                _ => rng.below(due as u64) as i64 + 1,
            };
            if p > 0 {
                csv.push_str(&format!(
                    "R{i},{id},单位职工,2026-05,{},2026-06-10\n",
                    yibao_domain::Fen(p).yuan_string()
                ));
            }
            paid.push(p);
        }
        let r = upload_paid(app, &finance, &csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        for ((id, pid, wage), p) in people.iter().zip(paid) {
            let base = (*wage).clamp(floor, ceiling);
            let (er, ee) = (half_up(base, er_bp), half_up(base, ee_bp));
            let l = app
                .call(
                    "GET",
                    &format!("/api/v1/persons/{pid}/contributions?year=2026"),
                    Some(&clerk),
                    None,
                )
                .await
                .json();
            let line = &l["lines"][0];
            let got = (
                line["base_fen"].as_i64(),
                line["employer_fen"].as_i64(),
                line["person_fen"].as_i64(),
                line["account_credit_fen"].as_i64(),
                line["paid_fen"].as_i64(),
                line["arrears_fen"].as_i64(),
            );
            let want = (
                Some(base),
                Some(er),
                Some(ee),
                Some(half_up(base, acc_bp)),
                Some(p),
                Some(er + ee - p),
            );
            assert_eq!(got, want, "{id} wage {wage}: {l}");
        }
    }
);

fn cid(region: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{region}{birth}{seq}");
    format!(
        "{first17}{}",
        yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
    )
}

// Residents' yearly contribution (城乡居民个人缴费): assessed with the registration, paid through
// the tax authority, whose paid record brings the registered coverage (已登记待缴费) into force
// once the year is paid in full; the yearly run assesses the residents of a year and leaves an
// assessed line alone; a year without a policy is counted, not charged.
both_stores_with_demo!(resident_year_assessed_paid_and_in_force, |app| {
    use common::journey::{drive, outcome, window};
    let clerk = app.staff_token("cq.clerk").await;
    let finance = app.staff_token("cq.finance").await;
    let who = cid("500101", "19800808", "011");
    // On 22 November the Chongqing annual window registers next year's coverage (seed 003 item 11).
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "11", "channel": "window",
        "applicant": {"id_number": who, "name": "演示居民甲"}, "form": {}}),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = outcome(app, &clerk, &n).await;
    assert_eq!(out["plan"]["coverage_year"], 2027, "{out}");
    // 一档 400 元 (the national minimum, 示例参数 for 重庆).
    assert!(
        out["text"]
            .as_str()
            .unwrap()
            .contains("2027年度个人缴费 400.00元（示例参数）"),
        "{out}"
    );
    let pid = out["person_id"].as_i64().unwrap();
    let ledger = |year: i32| {
        let path = format!("/api/v1/persons/{pid}/contributions?year={year}");
        let token = finance.clone();
        async move { app.call("GET", &path, Some(&token), None).await.json() }
    };
    let l = ledger(2027).await;
    assert_eq!(l["lines"].as_array().unwrap().len(), 1, "{l}");
    let line = &l["lines"][0];
    assert_eq!(
        (
            line["kind"].as_str(),
            line["month"].as_str(),
            line["total_fen"].as_i64(),
            line["paid_fen"].as_i64()
        ),
        (Some("resident"), Some("2027-01"), Some(40_000), Some(0)),
        "{l}"
    );
    assert_eq!(l["year_totals"]["arrears_fen"], 40_000, "{l}");

    // The yearly run leaves the assessed line alone; only finance runs it.
    let r = app
        .post_json(
            "/api/v1/contributions/resident-years",
            Some(&clerk),
            json!({"year": 2027}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/contributions/resident-years",
            Some(&finance),
            json!({"year": 2027}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let run = r.json();
    assert!(run["already"].as_u64().unwrap() >= 1, "{run}");
    assert_eq!(ledger(2027).await["lines"].as_array().unwrap().len(), 1);

    let status = || async {
        let mut tx = app.services.store().begin_read().await.unwrap();
        let covs = yibao_store::coverage::list_for_person(&mut tx, pid)
            .await
            .unwrap();
        let c = covs
            .iter()
            .find(|c| c.scheme == yibao_domain::enrolment::Scheme::Resident)
            .unwrap();
        (c.status, c.start_date.clone())
    };
    use yibao_domain::enrolment::CoverageStatus;
    // A period written as a month for a resident books the year; a monthly payer needs a month.
    let head = "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n";
    let r = upload_paid(
        app,
        &finance,
        &format!("{head}JM-0,{who},城乡居民,2027-13,400,2026-11-23\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.json()["details"]["problems"][0]["code"],
        "contribution.import.month",
        "{}",
        r.body
    );
    // One fen short: recorded, the coverage still waits.
    let r = upload_paid(
        app,
        &finance,
        &format!("{head}JM-1,{who},城乡居民,2027,399.99,2026-11-23\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["activated"], 0, "{}", r.body);
    assert_eq!(status().await.0, CoverageStatus::Registered);
    // The last fen (written as a month of the year): paid in full, in force from its start.
    let r = upload_paid(
        app,
        &finance,
        &format!("{head}JM-2,{who},城乡居民,2027-06,0.01,2026-11-24\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["activated"], 1, "{}", r.body);
    assert_eq!(
        status().await,
        (CoverageStatus::Active, Some("2027-01-01".to_string()))
    );
    let l = ledger(2027).await;
    assert_eq!(l["lines"][0]["paid_fen"], 40_000, "{l}");
    assert_eq!(l["arrears_fen"], 0, "{l}");

    // 2028 has no shipped policy: he is counted, not charged.
    let r = app
        .post_json(
            "/api/v1/contributions/resident-years",
            Some(&finance),
            json!({"year": 2028}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.json()["no_policy"].as_u64().unwrap() >= 1, "{}", r.body);
    assert_eq!(r.json()["written"], 0, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/contributions/resident-years",
            Some(&finance),
            json!({"year": 1999}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
});

// Random individuals (一档 / 二档), retirees and residents of 酉阳 (重庆's policy): two monthly runs,
// the residents' year, a random part paid — every line, the arrears, and each account's balance
// (the sum of its credits) equal a computation written independently from the numbers in
// data/policy/contribution/chongqing/2026.toml.
both_stores_with_demo!(
    random_individuals_retirees_and_residents_match_an_independent_computation,
    |app| {
        let policy: toml::Value = toml::from_str(include_str!(
            "../../../../data/policy/contribution/chongqing/2026.toml"
        ))
        .unwrap();
        let grade = |g: &str, k: &str| {
            policy["flexible"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["grade"].as_str() == Some(g))
                .unwrap()[k]
                .as_integer()
                .unwrap()
        };
        let resident = |g: &str| {
            policy["resident"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["grade"].as_str() == Some(g))
                .unwrap()["annual"]
                .as_integer()
                .unwrap()
        };
        let retiree_credit = policy["account"]["retiree_monthly"].as_integer().unwrap();
        let finance = app.staff_token("cq.finance").await;
        let mut rng = Rng(0x1d1e_2026_1203);
        // (id number, person id, kind, grade, monthly due, monthly credit, yearly resident due)
        let mut people = Vec::new();
        {
            let mut tx = app.services.store().begin().await.unwrap();
            let region: yibao_domain::RegionCode = "500242".parse().unwrap();
            for n in 0..30u32 {
                let id = cid(
                    "500242",
                    &format!("{}", 19600101 + n * 10000),
                    &format!("{:03}", 300 + n),
                );
                let cidn: yibao_domain::CitizenId = id.parse().unwrap();
                let pid = yibao_store::enrolment::insert_person(
                    &mut tx,
                    &yibao_store::enrolment::NewPerson {
                        id_number: &cidn,
                        name: &format!("随机人员{n}"),
                        region_code: &region,
                        phone: "",
                    },
                    "2026-01-01T00:00:00Z",
                )
                .await
                .unwrap();
                use yibao_domain::enrolment::{CoverageCategory as C, CoverageStatus, Scheme};
                let (scheme, category, g) = match rng.below(5) {
                    0 => (Scheme::Employee, C::Flexible, "tier1"),
                    1 => (Scheme::Employee, C::Flexible, "tier2"),
                    2 => (Scheme::Employee, C::Retired, ""),
                    3 => (Scheme::Resident, C::from_key("local_resident").unwrap(), ""),
                    _ => (
                        Scheme::Resident,
                        C::from_key("local_resident").unwrap(),
                        "tier2",
                    ),
                };
                let cov = yibao_store::coverage::insert(
                    &mut tx,
                    &yibao_store::coverage::CoverageRow {
                        id: 0,
                        person_id: pid,
                        scheme,
                        category,
                        employer_id: None,
                        region_code: "500242".into(),
                        status: CoverageStatus::Active,
                        registered_on: "2026-01-01".into(),
                        start_date: Some("2026-01-01".into()),
                        end_date: None,
                        case_number: None,
                        created_at: "2026-01-01T00:00:00Z".into(),
                        updated_at: "2026-01-01T00:00:00Z".into(),
                    },
                )
                .await
                .unwrap();
                if !g.is_empty() {
                    yibao_store::enrolment::set_grade(
                        &mut tx,
                        &yibao_store::enrolment::StatusChange {
                            coverage_id: cov,
                            from: CoverageStatus::Active,
                            to: CoverageStatus::Active,
                            effective_on: "2026-01-01",
                            reason: "test",
                            detail_json: "{}",
                            case_number: None,
                            now: "2026-01-01T00:00:00Z",
                        },
                        g,
                    )
                    .await
                    .unwrap();
                }
                let (kind, monthly, credit, yearly) = match (category, g) {
                    (C::Flexible, g) => (
                        "flexible",
                        half_up(grade(g, "monthly_base"), grade(g, "rate_bp")),
                        half_up(grade(g, "monthly_base"), grade(g, "account_rate_bp")),
                        0,
                    ),
                    (C::Retired, _) => ("retired", 0, retiree_credit, 0),
                    // A resident without a recorded grade pays 一档.
                    (_, g) => (
                        "resident",
                        0,
                        0,
                        resident(if g.is_empty() { "tier1" } else { g }),
                    ),
                };
                people.push((id, pid, kind, monthly, credit, yearly));
            }
            tx.commit().await.unwrap();
        }
        for k in ["flexible", "retired", "resident"] {
            assert!(people.iter().any(|p| p.2 == k), "the draw has no {k}");
        }
        assert!(people.iter().any(|p| p.5 == resident("tier2")));
        for month in [4, 5] {
            let r = app
                .post_json(
                    "/api/v1/contributions/months",
                    Some(&finance),
                    json!({"year": 2026, "month": month}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let r = app
            .post_json(
                "/api/v1/contributions/resident-years",
                Some(&finance),
                json!({"year": 2026}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // A random part paid: individuals for May, residents for the year.
        let mut csv = String::from("票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n");
        let mut paid = Vec::new();
        for (i, (id, _, kind, monthly, _, yearly)) in people.iter().enumerate() {
            let (label, period, due) = match *kind {
                "flexible" => ("灵活就业人员", "2026-05", *monthly),
                "resident" => ("城乡居民", "2026", *yearly),
                _ => ("", "", 0),
            };
            let p = if due == 0 {
                0
            } else {
                match rng.below(3) {
                    0 => 0,
                    1 => due,
                    _ => rng.below(due as u64) as i64 + 1,
                }
            };
            if p > 0 {
                csv.push_str(&format!(
                    "RR{i},{id},{label},{period},{},2026-06-10\n",
                    yibao_domain::Fen(p).yuan_string()
                ));
            }
            paid.push(p);
        }
        let r = upload_paid(app, &finance, &csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        for ((id, pid, kind, monthly, credit, yearly), p) in people.iter().zip(paid) {
            let l = app
                .call(
                    "GET",
                    &format!("/api/v1/persons/{pid}/contributions?year=2026"),
                    Some(&finance),
                    None,
                )
                .await
                .json();
            let lines: Vec<(String, String, i64, i64, i64)> = l["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    (
                        x["kind"].as_str().unwrap().to_string(),
                        x["month"].as_str().unwrap().to_string(),
                        x["total_fen"].as_i64().unwrap(),
                        x["account_credit_fen"].as_i64().unwrap(),
                        x["paid_fen"].as_i64().unwrap(),
                    )
                })
                .collect();
            let k = kind.to_string();
            let want: Vec<(String, String, i64, i64, i64)> = if *kind == "resident" {
                vec![(k, "2026-01".into(), *yearly, 0, p)]
            } else {
                vec![
                    (k.clone(), "2026-05".into(), *monthly, *credit, p),
                    (k, "2026-04".into(), *monthly, *credit, 0),
                ]
            };
            assert_eq!(lines, want, "{id}: {l}");
            let due: i64 = want.iter().map(|w| w.2).sum();
            assert_eq!(l["arrears_fen"].as_i64(), Some(due - p), "{id}: {l}");
            let balance = yibao_service::settlement::accumulators(&app.services, id, 2026)
                .await
                .unwrap()
                .account_balance
                .fen();
            let credits: i64 = want.iter().map(|w| w.3).sum();
            assert_eq!(balance, credits, "{id} ({kind}) account balance");
        }
    }
);
