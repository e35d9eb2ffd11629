//! Materials as the guides group them (issue #15, ADR 0008): both materials of a group are
//! required, conditional ones only when their condition holds, and the unit's seal is confirmed
//! by the clerk before a case is complete. On both stores.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, drive, provide, provide_with_seal, view, window};
use serde_json::{json, Value};
use yibao_domain::ids::uscc_check_char;

fn uscc(region: &str, org: &str) -> String {
    let first17 = format!("91{region}{org}0");
    format!("{first17}{}", uscc_check_char(first17.as_bytes()).unwrap())
}

fn missing(v: &Value) -> Vec<(String, String)> {
    v["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap().to_string(),
                m["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    missing(v).into_iter().map(|(k, _)| k).collect()
}

fn material_row(v: &Value, material: &str) -> i64 {
    v["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["material_id"] == material)
        .unwrap_or_else(|| panic!("{material} not on the case: {v}"))["id"]
        .as_i64()
        .unwrap()
}

both_stores_with_demo!(
    chongqing_unit_registration_needs_the_sealed_form_and_the_certificate,
    |app| {
        app.demo().await;
        let clerk = app.staff_token("cq.clerk").await;
        let code = uscc("500000", "MA7X0151");
        // seed 003 item 1, 2、企业: (1) 《社会保险登记表》（加盖单位公章） and (2) 统一社会信用代码证书.
        let n = window(app, &clerk, json!({
            "jurisdiction": "chongqing", "item": "01", "channel": "window",
            "applicant": {"uscc": code, "name": "演示材料科技有限公司"},
            "form": {"region_code": "500000", "kind": "企业", "legal_representative": "演示法人己",
                     "address": "重庆市渝中区演示路2号", "contact_name": "演示联系人", "phone": "13900000151",
                     "bank_name": "中国工商银行", "bank_account": "3100000000000151"}
        }))
        .await;
        let v = view(app, &clerk, &n).await;
        assert_eq!(
            keys(&v),
            ["registration_form_enterprise", "uscc_certificate"]
        );

        // The certificate alone does not complete it (it used to: the group was read as
        // alternatives).
        provide(app, &clerk, &n, "uscc_certificate").await;
        let v = view(app, &clerk, &n).await;
        assert_eq!(keys(&v), ["registration_form_enterprise"]);
        let r = act(app, &clerk, &n, "submit").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = act(app, &clerk, &n, "accept_and_complete").await;
        assert!(!r.status.is_success(), "incomplete: {}", r.body);
        assert_eq!(r.json()["code"], "case.materials_missing", "{}", r.body);

        // The form without a confirmed seal: still missing, the notice says why.
        provide(app, &clerk, &n, "registration_form_enterprise").await;
        let v = view(app, &clerk, &n).await;
        assert_eq!(
            missing(&v),
            [(
                "registration_form_enterprise".to_string(),
                "未加盖单位公章".to_string()
            )]
        );
        let r = act(app, &clerk, &n, "accept_and_complete").await;
        assert_eq!(r.json()["code"], "case.materials_missing", "{}", r.body);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("《社会保险登记表》（未加盖单位公章）"),
            "{}",
            r.body
        );

        // The applicant cannot confirm a seal; a clerk can, and only where the guide asks.
        let row = material_row(&v, "registration_form_enterprise");
        let r = app
            .call(
                "POST",
                &format!(
                    "/api/v1/cases/{n}/materials/{}/seal",
                    material_row(&v, "uscc_certificate")
                ),
                Some(&clerk),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "case.seal_not_required");
        let r = app
            .call(
                "POST",
                &format!("/api/v1/cases/{n}/materials/{row}/seal"),
                Some(&clerk),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(!r.json()["material"]["seal_confirmed_by"]
            .as_str()
            .unwrap()
            .is_empty());
        let v = view(app, &clerk, &n).await;
        assert!(keys(&v).is_empty(), "{v}");
        let r = drive(app, &clerk, None, &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "completed");

        // The government kind asks its own pair, the seal confirmed as it is recorded.
        let code2 = uscc("500000", "MB7X0152");
        let n2 = window(app, &clerk, json!({
            "jurisdiction": "chongqing", "item": "01", "channel": "window",
            "applicant": {"uscc": code2, "name": "演示材料事务中心"},
            "form": {"region_code": "500000", "kind": "机关、事业单位", "legal_representative": "演示负责人",
                     "address": "重庆市渝中区演示路3号", "contact_name": "演示联系人", "phone": "13900000152",
                     "bank_name": "中国工商银行", "bank_account": "3100000000000152"}
        }))
        .await;
        let v = view(app, &clerk, &n2).await;
        assert_eq!(
            keys(&v),
            ["registration_form_government", "approval_document"]
        );
        provide_with_seal(app, &clerk, &n2, "registration_form_government", true).await;
        provide(app, &clerk, &n2, "approval_document").await;
        let v = view(app, &clerk, &n2).await;
        assert!(keys(&v).is_empty(), "{v}");
    }
);

both_stores_with_demo!(
    a_reimbursement_asks_accident_papers_only_for_an_injury,
    |app| {
        let demo = app.demo().await;
        let wang = demo.citizens[0].login.clone();
        let clerk = app.staff_token("nanchuan.clerk").await;
        let base = [
            "id_document",
            "hospital_receipts",
            "expense_list",
            "diagnosis_certificate",
            "medical_records",
            "bank_account",
        ];
        // seed 003 item 27 材料 1-6: an illness, not an injury.
        let n = window(
            app,
            &clerk,
            json!({"jurisdiction":"chongqing","item":"27","channel":"window",
               "applicant": {"id_number": wang, "name": "演示·王建国"}}),
        )
        .await;
        let v = view(app, &clerk, &n).await;
        assert_eq!(keys(&v), base);
        // 材料 7 「意外伤害就医的还需…」: asked when the injury is declared, a pledge allowed.
        let n = window(
            app,
            &clerk,
            json!({"jurisdiction":"chongqing","item":"27","channel":"window",
               "facts": ["injury"],
               "applicant": {"id_number": wang, "name": "演示·王建国"}}),
        )
        .await;
        let v = view(app, &clerk, &n).await;
        let mut expected: Vec<&str> = base.to_vec();
        expected.push("accident_proof");
        assert_eq!(keys(&v), expected);
        let (_, reason) = missing(&v).pop().unwrap();
        assert!(reason.contains("可以个人承诺书代替"), "{reason}");
        // The clerk sees the declared situation on the case page, to confirm it at acceptance.
        let mut b = app.browser();
        b.get("/login").await;
        b.post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.clerk"),
                ("password", "demo-nanchuan-clerk"),
            ],
        )
        .await;
        let page = b.get(&format!("/cases/{n}")).await;
        assert_eq!(
            common::page::one_text(&page.body, "#situations"),
            "申请人情形（受理时核实）：意外伤害就医的"
        );
    }
);

both_stores_with_demo!(
    a_key_field_on_table_3_asks_the_key_information_papers,
    |app| {
        let demo = app.demo().await;
        let wang = demo.citizens[0].login.clone();
        let clerk = app.staff_token("nanchuan.clerk").await;
        let apply = |item: &'static str| {
            let wang = wang.clone();
            move |change_item: &'static str| {
                json!({"jurisdiction": "chuanyu", "item": item, "channel": "window",
                       "applicant": {"id_number": wang, "name": "演示·王建国"},
                       "form": {"id_number": wang, "name": "演示·王建国", "change_item": change_item,
                                "value_before": "旧", "value_after": "新"}})
            }
        };
        // seed 000 四、1 材料 1: 「变更姓名、性别、身份证号、出生日期等关键信息时需提供有效身份证件原件、
        // 变更前后对应信息的复印件」 — decided by the 表3 变更项目, not by a box the applicant ticks.
        let n = window(app, &clerk, apply("04-1")("联系电话")).await;
        let plain = keys(&view(app, &clerk, &n).await);
        assert!(
            !plain.iter().any(|k| k == "id_document_key_change"),
            "{plain:?}"
        );
        let n = window(app, &clerk, apply("04-1")("出生日期")).await;
        let key = keys(&view(app, &clerk, &n).await);
        let mut expected = plain.clone();
        expected.insert(1, "id_document_key_change".to_string());
        assert_eq!(key, expected);
        // A person's own change: no unit seal (that is for a unit's agent, 材料 2).
        assert!(
            !key.iter().any(|k| k == "employer_seal_key_change"),
            "{key:?}"
        );
        // 四、2 (residents) the same for 姓名.
        let n = window(app, &clerk, apply("04-2")("姓名")).await;
        assert!(keys(&view(app, &clerk, &n).await)
            .iter()
            .any(|k| k == "id_document_key_change"));
    }
);

// The pages: the application page asks only what the case cannot decide; the case page shows
// a seal not yet confirmed and lets the clerk confirm it.
both_stores_with_demo!(the_pages_ask_conditions_and_confirm_seals, |app| {
    use common::page::count;
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
    // 减员: 在职转退休 is read from the form's 减员原因, not asked.
    let page = b.get("/cases/new?jurisdiction=chongqing&item=07").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        count(
            &page.body,
            "input[name='facts'][value='retirement_transfer']"
        ),
        0
    );
    // 住院费用报销: an injury is asked, in the guide's words.
    let page = b.get("/cases/new?jurisdiction=chongqing&item=27").await;
    assert_eq!(
        count(&page.body, "input[name='facts'][value='injury']"),
        1,
        "{}",
        page.body
    );
    assert!(page.body.contains("意外伤害就医的"));

    let clerk = app.staff_token("cq.clerk").await;
    let code = uscc("500000", "MA7X0154");
    let n = window(app, &clerk, json!({
        "jurisdiction": "chongqing", "item": "01", "channel": "window",
        "applicant": {"uscc": code, "name": "演示页面有限公司"},
        "form": {"region_code": "500000", "kind": "企业", "legal_representative": "演示法人辛",
                 "address": "重庆市渝中区演示路5号", "contact_name": "演示联系人", "phone": "13900000154",
                 "bank_name": "中国工商银行", "bank_account": "3100000000000154"}
    }))
    .await;
    provide(app, &clerk, &n, "registration_form_enterprise").await;
    let v = view(app, &clerk, &n).await;
    let row = material_row(&v, "registration_form_enterprise");
    let page = b.get(&format!("/cases/{n}")).await;
    assert!(page.body.contains("未加盖单位公章"), "the notice names it");
    assert!(
        page.body.contains("<td class=\"seal\">未核验"),
        "{}",
        page.body
    );
    assert_eq!(count(&page.body, &format!("button#seal-{row}")), 1);
    assert_eq!(count(&page.body, "input#m-seal"), 1);
    let page = b
        .post_form(&format!("/cases/{n}/materials/{row}/seal"), &[])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<td class=\"seal\">已核验（"),
        "{}",
        page.body
    );
    assert_eq!(count(&page.body, &format!("button#seal-{row}")), 0);
    let v = view(app, &clerk, &n).await;
    assert_eq!(keys(&v), ["uscc_certificate"]);
});
