//! No internal words reach users (issue #23): guide pages carry no transcription notes, seed file
//! names or SEED-NOTES references; case pages show Chinese labels, not keys (`online`, `upload`,
//! `filing_form`, `create`, `staff:…`), and local time. Both stores for the case page.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

fn seed_file_name(body: &str) -> bool {
    // 000_494f915ca274775b.txt …
    body.match_indices(".txt").any(|(i, _)| {
        i >= 20
            && body.as_bytes()[i - 17] == b'_'
            && body[i - 16..i].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn guide_pages_carry_no_transcription_notes() {
    let app = TestApp::new(yibao_store::Backend::Sqlite).await;
    let catalog = yibao_service::catalog::embedded().unwrap();
    let mut checked = 0;
    for item in catalog.current_items() {
        let r = app
            .get(&format!("/guide/{}/{}", item.jurisdiction, item.id))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for word in ["SEED-NOTES", "kept verbatim", "[new]", "OCR"] {
            assert!(
                !r.body.contains(word),
                "{}/{}: {word}",
                item.jurisdiction,
                item.id
            );
        }
        assert!(
            !seed_file_name(&r.body),
            "{}/{}: seed file",
            item.jurisdiction,
            item.id
        );
        checked += 1;
    }
    for form in ["chuanyu-form-1", "chuanyu-form-2"] {
        let r = app.get(&format!("/guide/forms/{form}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !seed_file_name(&r.body) && !r.body.contains("OCR"),
            "{form}"
        );
    }
    assert!(checked > 100, "{checked}");
    app.finish().await;
}

both_stores_with_demo!(case_pages_speak_chinese, |app| {
    let demo = app.demo().await;
    let c = &demo.citizens[0];
    let token = app
        .token(json!({"kind":"citizen","id_number": c.login,"password": c.password}))
        .await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&token),
            json!({"jurisdiction":"chongqing","item":"24","channel":"online",
                "form": {"name":"演示·王建国","id_number": c.login,"scheme":"职工医保",
                         "person_category":"临时异地就医人员","registration_type":"新增",
                         "phone_1":"13800000001","target_province":"海南省"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    app.post_json(
        &format!("/api/v1/cases/{n}/actions/submit"),
        Some(&token),
        json!({"note": ""}),
    )
    .await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    app.post_json(
        &format!("/api/v1/cases/{n}/actions/issue_notice"),
        Some(&clerk),
        json!({"note": ""}),
    )
    .await;
    for who in ["citizen", "nanchuan.clerk"] {
        let mut b = app.browser();
        b.get("/login").await;
        if who == "citizen" {
            b.post_form(
                "/login/citizen",
                &[("id_number", &c.login), ("password", &c.password)],
            )
            .await;
        } else {
            b.post_form(
                "/login/staff",
                &[("username", who), ("password", "demo-nanchuan-clerk")],
            )
            .await;
        }
        let page = b.get(&format!("/cases/{n}")).await;
        assert_eq!(page.status, StatusCode::OK);
        // The visible text: tags (and their attributes, e.g. option values) replaced by `|`.
        let main = &page.body[page.body.find("<main").unwrap_or(0)..];
        let mut text = String::new();
        let mut in_tag = false;
        for ch in main.chars() {
            match ch {
                '<' => {
                    in_tag = true;
                    text.push('|');
                }
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        for word in [
            "|online|",
            "|upload|",
            "|form|",
            "filing_form",
            "|create|",
            "staff:",
            "citizen:",
            "T09:00",
        ] {
            assert!(!text.contains(word), "{who}: {word} in {text}");
        }
    }
});
