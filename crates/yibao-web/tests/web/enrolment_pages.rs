//! The registry's pages, through a cookie-and-CSRF browser on both stores: a person's coverages
//! and history for staff, a citizen's own record and certificate, an employer operator's roster
//! upload (problems per row, then a case), and the printable certificates with their check code.
//! The test clock stands at 2026-11-22.

use crate::common;

use axum::http::StatusCode;
use common::page::{assert_page_snapshot, attrs, count, one_text, select_text};
use common::{Reply, TestApp};
use serde_json::{json, Value};
use yibao_domain::ids::citizen_id_check_char;

fn cid(region: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{region}{birth}{seq}");
    format!("{first17}{}", citizen_id_check_char(first17.as_bytes()))
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

/// The body rows of the table with the given id, as text cells; empty when there is no table.
fn rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let Some(start) = html.find(&format!("<table id=\"{id}\">")) else {
        return Vec::new();
    };
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            tr.split("<td>")
                .skip(1)
                .map(|td| strip_tags(td.split("</td>").next().unwrap_or("")))
                .collect()
        })
        .collect()
}

/// A two-column table (`<th>` label, `<td>` value per row) as label → value.
fn table_by_header(html: &str, css: &str) -> std::collections::BTreeMap<String, String> {
    common::page::table_rows(html, css)
        .into_iter()
        .filter(|r| r.len() == 2)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

/// The text of the element with the given id (up to its first closing tag).
fn text_of(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(strip_tags(&rest[..rest.find("</")?]))
}

async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.call("GET", path, Some(token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

async fn act(app: &TestApp, token: &str, number: &str, action: &str) -> Reply {
    app.post_json(
        &format!("/api/v1/cases/{number}/actions/{action}"),
        Some(token),
        json!({ "note": "" }),
    )
    .await
}

/// Presents in the original what the view says is missing (the shared journey helper: a
/// `one_of` set by its first member, seals confirmed where the guide asks).
async fn provide_missing(app: &TestApp, clerk: &str, number: &str, v: &Value) {
    crate::common::journey::provide_missing(app, clerk, number, v).await
}

/// Takes a submitted case to completion the way the window does: what is missing presented
/// in the original, then accepted and completed, or approved by the reviewer.
async fn complete(app: &TestApp, clerk: &str, reviewer: &str, number: &str) {
    let v = api(app, clerk, &format!("/api/v1/cases/{number}")).await["view"].clone();
    provide_missing(app, clerk, number, &v).await;
    for _ in 0..4 {
        let v = api(app, clerk, &format!("/api/v1/cases/{number}")).await["view"].clone();
        if v["case"]["status"] == "completed" {
            return;
        }
        let actions: Vec<String> = v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a[0].as_str().unwrap().to_string())
            .collect();
        let pick = ["accept_and_complete", "complete", "accept"]
            .into_iter()
            .find(|a| actions.iter().any(|x| x == a));
        let r = match pick {
            Some(a) => act(app, clerk, number, a).await,
            None => act(app, reviewer, number, "approve").await,
        };
        assert!(r.status.is_success(), "{number}: {}", r.body);
    }
    let v = api(app, clerk, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(v["view"]["case"]["status"], "completed", "{v}");
}

async fn staff_browser<'a>(app: &'a TestApp, username: &str) -> common::Browser<'a> {
    let (prefix, role) = username.split_once('.').unwrap();
    let mut b = app.browser();
    b.get("/login").await;
    let pw = format!("demo-{prefix}-{role}");
    let r = b
        .post_form("/login/staff", &[("username", username), ("password", &pw)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

async fn citizen_browser<'a>(app: &'a TestApp, login: &str, password: &str) -> common::Browser<'a> {
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/citizen",
            &[("id_number", login), ("password", password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

const ROSTER_HEAD: &str = "姓名,证件类型,证件号码,入职日期,联系电话\n";

both_stores_with_demo!(operator_uploads_a_roster_and_staff_see_the_history, |app| {
    app.demo().await;
    // The Chengdu demo employer (seed 001 职工参保登记 offers 网上办理).
    let op = &yibao_service::demo::demo_operators().unwrap()[2];
    let token = app
        .token(
            json!({"kind":"employer","uscc": op.login,"username":"admin","password": op.password}),
        )
        .await;
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/employer",
            &[
                ("uscc", &op.login),
                ("username", "admin"),
                ("password", &op.password),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get("/employer").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"roster-form\"")
            && page.body.contains("action=\"/employer/roster\"")
            && page.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("/api/v1/registry/roster-template?kind=remove"));
    assert!(page.body.contains("href=\"/employer/certificate\""));
    // The upload form is one form, posting a file to the roster, with a file input and a kind.
    let form = "form#roster-form[action='/employer/roster'][enctype='multipart/form-data']";
    assert_eq!(count(&page.body, form), 1, "{}", page.body);
    assert_eq!(count(&page.body, &format!("{form} input[type='file']")), 1);
    assert_eq!(count(&page.body, &format!("{form} [name='kind']")), 1);
    assert_eq!(count(&page.body, "a[href='/employer/certificate']"), 1);
    let clerk = app.staff_token("chengdu.clerk").await;
    let employer_id = api(app, &clerk, "/api/v1/employers").await["employers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uscc"] == op.login.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let before = rows(&page.body, "employees").len();

    let a = cid("510104", "19900101", "011");
    let b2 = cid("510104", "19920202", "022");
    let mut bad_check = cid("510104", "19930303", "033");
    bad_check.replace_range(17..18, if bad_check.ends_with('1') { "2" } else { "1" });
    let child = cid("510104", "20110101", "044");
    let bad = format!(
        "{ROSTER_HEAD}演示甲,居民身份证,{a},2026-11-20,13900000001\n\
         演示丙,,{bad_check},2026-11-01,\n\
         演示乙,,{b2},2026-11-10,\n\
         演示丁,,{child},2026-11-01,\n"
    );
    let r = b
        .post_multipart(
            "/employer/roster",
            &[("kind", "enrol")],
            ("file", "roster.csv", bad.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(text_of(&r.body, "roster-error").is_some(), "{}", r.body);
    let shown = rows(&r.body, "roster-problems");
    // The same file through the API: the page shows every problem, in order.
    let boundary = "apiBOUNDARY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nenrol\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"check\"\r\n\r\ntrue\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bad.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/api/v1/employers/{employer_id}/roster"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let api_reply = app.send(req).await;
    assert_eq!(api_reply.json()["code"], "registry.roster.rejected");
    let expected: Vec<Vec<String>> = api_reply.json()["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            vec![
                p["line"].to_string(),
                p["column"].as_str().unwrap_or_default().to_string(),
                p["message"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(shown, expected, "{}", r.body);
    assert_eq!(shown[0][0], "3", "the bad check letter first: {shown:?}");
    assert!(shown[0][2].contains("校验码"), "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|p| p[0] == "5" && p[2].contains("未满16周岁")),
        "{shown:?}"
    );
    assert!(
        !shown.iter().any(|p| p[0] == "2" || p[0] == "4"),
        "good rows have no problems: {shown:?}"
    );
    assert_eq!(rows(&r.body, "employees").len(), before, "nothing imported");

    // Only the good rows: first checked, then submitted as one case.
    let good = format!(
        "{ROSTER_HEAD}演示甲,居民身份证,{a},2026-11-20,13900000001\n演示乙,,{b2},2026-11-10,\n"
    );
    let r = b
        .post_multipart(
            "/employer/roster",
            &[("kind", "enrol"), ("check", "true")],
            ("file", "roster.csv", good.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let checked = text_of(&r.body, "roster-checked").unwrap_or_default();
    assert!(checked.contains("共 2 人"), "{}", r.body);
    assert!(text_of(&r.body, "roster-accepted").is_none());
    let r = b
        .post_multipart(
            "/employer/roster",
            &[("kind", "enrol")],
            ("file", "roster.csv", good.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let accepted = text_of(&r.body, "roster-accepted").unwrap_or_default();
    assert!(accepted.contains("共 2 人"), "{}", r.body);
    let start = r.body.find("id=\"roster-accepted\"").unwrap();
    let link = &r.body[start..];
    let link = &link[link.find("href=\"/cases/").unwrap() + "href=\"/cases/".len()..];
    let number = link[..link.find('"').unwrap()].to_string();
    assert!(accepted.contains(&number), "{accepted}");
    let v = api(app, &token, &format!("/api/v1/cases/{number}")).await;
    assert_eq!(v["view"]["case"]["status"], "submitted");

    // The window completes the case; the employer page lists the two, the clerk sees a
    // person's coverage with its history, linked to the case.
    let reviewer = app.staff_token("chengdu.reviewer").await;
    complete(app, &clerk, &reviewer, &number).await;
    let page = b.get("/employer").await;
    let listed = rows(&page.body, "employees");
    assert_eq!(listed.len(), before + 2, "{listed:?}");
    let row_a = listed.iter().find(|r| r[1] == a).unwrap();
    assert_eq!(row_a[2], "在职", "{row_a:?}");
    assert_eq!(text_of(&page.body, "in-service").unwrap(), {
        let rec = api(
            app,
            &token,
            &format!("/api/v1/employers/{employer_id}/record"),
        )
        .await;
        rec["record"]["in_service"].to_string()
    });
    let rec = api(
        app,
        &clerk,
        &format!("/api/v1/employers/{employer_id}/record"),
    )
    .await;
    let person_id = rec["record"]["employees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id_number"] == a.as_str())
        .unwrap()["person_id"]
        .as_i64()
        .unwrap();
    let mut staff = staff_browser(app, "chengdu.clerk").await;
    let page = staff.get(&format!("/staff/persons/{person_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("居民身份证"), "document type shown");
    let person = table_by_header(&page.body, "#person");
    assert_eq!(
        person.get("证件类型").map(String::as_str),
        Some("居民身份证")
    );
    assert_eq!(person.get("证件号码"), Some(&a));
    let coverages = rows(&page.body, "coverages");
    assert_eq!(coverages.len(), 1, "{coverages:?}");
    assert_eq!(coverages[0][0], "职工基本医疗保险");
    assert_eq!(coverages[0][2], "在职");
    assert_eq!(coverages[0][4], "2026-11-20");
    let history = rows(&page.body, "coverage-events");
    assert!(!history.is_empty(), "{}", page.body);
    assert!(
        history.iter().all(|h| h[5] == number),
        "each status change names the case: {history:?}"
    );
    assert!(page.body.contains(&format!("href=\"/cases/{number}\"")));
    assert!(
        attrs(&page.body, "#coverage-events td a", "href")
            .iter()
            .all(|h| *h == format!("/cases/{number}")),
        "the history links the case"
    );
    let events = rows(&page.body, "events");
    assert!(
        events.iter().any(|e| e[1] == "职工增员" && e[3] == number),
        "{events:?}"
    );
    assert!(page
        .body
        .contains(&format!("href=\"/staff/persons/{person_id}/certificate\"")));
    let cert = staff
        .get(&format!("/staff/persons/{person_id}/certificate"))
        .await;
    assert_eq!(cert.status, StatusCode::OK, "{}", cert.body);
    let expected = api(
        app,
        &clerk,
        &format!("/api/v1/persons/{person_id}/certificate"),
    )
    .await["certificate"]
        .clone();
    assert_eq!(
        text_of(&cert.body, "check-code").unwrap(),
        expected["check_code"].as_str().unwrap()
    );
    assert_eq!(
        text_of(&cert.body, "title").unwrap(),
        "基本医疗保险个人参保证明"
    );
    assert_eq!(
        rows(&cert.body, "certificate-table")[0][1],
        rec["record"]["employer"]["name"].as_str().unwrap()
    );
    assert!(cert.body.contains("id=\"print\""));
    assert_eq!(one_text(&cert.body, "button#print"), "打印本证明");

    // The employer's certificate, for the operator and for the clerk: the same check code.
    let expected = api(
        app,
        &token,
        &format!("/api/v1/employers/{employer_id}/certificate"),
    )
    .await["certificate"]["check_code"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = b.get("/employer/certificate").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(text_of(&mine.body, "check-code").unwrap(), expected);
    assert_eq!(
        text_of(&mine.body, "title").unwrap(),
        "基本医疗保险单位参保证明"
    );
    let theirs = staff
        .get(&format!("/staff/employers/{employer_id}/certificate"))
        .await;
    assert_eq!(text_of(&theirs.body, "check-code").unwrap(), expected);
});

both_stores_with_demo!(clerk_uploads_for_an_employer_reviewer_may_not, |app| {
    app.demo().await;
    let op = &yibao_service::demo::demo_operators().unwrap()[2];
    let clerk = app.staff_token("chengdu.clerk").await;
    let id = api(app, &clerk, "/api/v1/employers").await["employers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uscc"] == op.login.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut staff = staff_browser(app, "chengdu.clerk").await;
    let page = staff.get(&format!("/staff/employers/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains(&format!("action=\"/staff/employers/{id}/roster\"")));
    assert!(text_of(&page.body, "arrears").unwrap().ends_with('元'));
    // A file without the required columns: one problem on the header line.
    let r = staff
        .post_multipart(
            &format!("/staff/employers/{id}/roster"),
            &[("kind", "enrol")],
            ("file", "roster.csv", "姓名\n演示甲\n".as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let problems = rows(&r.body, "roster-problems");
    assert!(problems.iter().any(|p| p[1] == "证件号码"), "{problems:?}");
    // Without a CSRF token the upload is refused.
    staff.csrf = Some("0123456789abcdef0123456789abcdef".into());
    let r = staff
        .post_multipart(
            &format!("/staff/employers/{id}/roster"),
            &[("kind", "enrol")],
            ("file", "roster.csv", "姓名\n".as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // A reviewer sees the employer but no upload form.
    let mut reviewer = staff_browser(app, "chengdu.reviewer").await;
    let page = reviewer.get(&format!("/staff/employers/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"roster-form\""), "{}", page.body);
    assert_eq!(count(&page.body, "form[action$='/roster']"), 0);
});

both_stores_with_demo!(citizen_sees_own_record_and_certificate_only, |app| {
    let demo = app.demo().await;
    let me = &demo.citizens[0];
    let other = &demo.citizens[1];
    let my_token = app
        .token(json!({"kind":"citizen","id_number": me.login,"password": me.password}))
        .await;
    let other_token = app
        .token(json!({"kind":"citizen","id_number": other.login,"password": other.password}))
        .await;
    let own_id = api(app, &my_token, "/api/v1/me/record").await["record"]["person"]["id"]
        .as_i64()
        .unwrap();
    let other_id = api(app, &other_token, "/api/v1/me/record").await["record"]["person"]["id"]
        .as_i64()
        .unwrap();
    assert_ne!(own_id, other_id);

    let mut b = citizen_browser(app, &me.login, &me.password).await;
    let account = b.get("/account").await;
    assert!(account.body.contains("href=\"/account/record\""));
    assert_eq!(count(&account.body, "main a[href='/account/record']"), 1);
    let page = b.get("/account/record").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h1>我的参保信息</h1>"));
    assert!(page.body.contains(&me.login), "own ID number shown");
    assert_eq!(one_text(&page.body, "main h1"), "我的参保信息");
    let person = table_by_header(&page.body, "#person");
    assert_eq!(
        person.get("证件号码"),
        Some(&me.login),
        "own ID number shown in full, in its row"
    );
    assert_page_snapshot("my-record-person", &page.body, "#person tr", &[]);
    let coverages = rows(&page.body, "coverages");
    assert_eq!(coverages.len(), 1, "{coverages:?}");
    assert_eq!(coverages[0][0], "职工基本医疗保险");
    assert_eq!(coverages[0][2], "退休");
    assert_eq!(coverages[0][3], "参保缴费");
    assert!(page.body.contains("href=\"/account/record/certificate\""));

    let cert = b.get("/account/record/certificate").await;
    assert_eq!(cert.status, StatusCode::OK, "{}", cert.body);
    let expected = api(app, &my_token, "/api/v1/me/certificate").await["certificate"].clone();
    assert_eq!(
        text_of(&cert.body, "check-code").unwrap(),
        expected["check_code"].as_str().unwrap()
    );
    assert_eq!(text_of(&cert.body, "issued-on").unwrap(), "2026-11-22");
    assert_eq!(rows(&cert.body, "certificate-table").len(), 1);
    assert!(
        cert.body
            .contains("<p class=\"screen-only\">\n  <button type=\"button\" id=\"print\""),
        "the print button is not printed"
    );

    // Another person's record and certificate do not exist for this citizen.
    let r = b
        .get(&format!("/staff/persons/{other_id}/certificate"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = b.get(&format!("/staff/persons/{other_id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b.get(&format!("/staff/persons/{own_id}/certificate")).await;
    assert_eq!(r.status, StatusCode::OK);

    // 刘芳 is in the registry without coverage: the page says so.
    let liu = &demo.citizens[3];
    let mut b = citizen_browser(app, &liu.login, &liu.password).await;
    let page = b.get("/account/record").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"no-coverage\""), "{}", page.body);
    assert_eq!(one_text(&page.body, "#no-coverage"), "暂无参保记录。");
    assert_eq!(count(&page.body, "#coverages"), 0);
    // An account whose holder is not in the registry: a friendly message, and no certificate.
    let stranger = cid("500101", "19850505", "077");
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::logins::insert_citizen(
        &mut tx,
        &stranger,
        "演示·未参保",
        "13912340000",
        &yibao_service::identity::hash_password("Secret123")
            .await
            .unwrap(),
        "2026-11-22T09:00:00Z",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut b = citizen_browser(app, &stranger, "Secret123").await;
    let page = b.get("/account/record").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        text_of(&page.body, "not-registered").is_some_and(|t| t.contains("暂未查到")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"coverages\""));
    let r = b.get("/account/record/certificate").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("尚未参保登记"), "{}", r.body);
    assert!(
        one_text(&r.body, "main p.result.invalid").contains("尚未参保登记"),
        "the message is the error page's message"
    );
    assert!(select_text(&r.body, "main h1")[0].starts_with("404"));
    // Nobody logged in: sent to the login page.
    let r = app.get("/account/record").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
});
