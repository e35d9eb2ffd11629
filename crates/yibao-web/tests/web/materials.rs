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
    }
);
