//! The application form keeps what was typed (issue #23, "Forms lose what was typed"): a refused
//! form comes back with every value and each problem beside its field; dates in the forms people
//! write them; provinces by name; the agency's own block is not asked of the applicant; what the
//! person's record holds is pre-filled. Both stores.

use crate::common;

use axum::http::StatusCode;
use common::page::{attrs, count, one_text};
use common::TestApp;

async fn citizen_browser(app: &TestApp, n: usize) -> (common::Browser<'_>, String, String) {
    let demo = app.demo().await;
    let c = &demo.citizens[n];
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/citizen",
            &[("id_number", &c.login), ("password", &c.password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (b, c.login.clone(), c.password.clone())
}

both_stores_with_demo!(a_refused_form_keeps_every_typed_value, |app| {
    // 王建国 (Nanchuan) files a temporary stay elsewhere (seed 003 item 24, form seed 000 表1).
    let (mut b, id_number, password) = citizen_browser(app, 0).await;
    let page = b.get("/cases/new?jurisdiction=chongqing&item=24").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Pre-filled from his record; the agency's block (经办机构、经办人、经办日期、备案编号) is not
    // asked of him; the province field offers the province names.
    assert_eq!(attrs(&page.body, "#f-name", "value"), vec!["演示·王建国"]);
    assert_eq!(
        attrs(&page.body, "#f-id_number", "value"),
        vec![id_number.clone()]
    );
    assert_eq!(
        attrs(&page.body, "#f-phone_1", "value"),
        vec!["13800000001"]
    );
    for agency_only in [
        "filing_number",
        "agency",
        "agency_phone",
        "clerk",
        "handling_date",
    ] {
        assert_eq!(
            count(&page.body, &format!("#f-{agency_only}")),
            0,
            "{agency_only}"
        );
    }
    assert_eq!(
        attrs(&page.body, "#f-target_province", "list"),
        vec!["region-names"]
    );
    // Regions by name: provinces, cities, and the counties of 重庆 and 四川 (#23).
    for name in [
        "四川省",
        "海南省三亚市",
        "重庆市南川区",
        "四川省成都市武侯区",
    ] {
        assert_eq!(
            count(&page.body, &format!("#region-names option[value='{name}']")),
            1,
            "{name}"
        );
    }

    let typed = [
        ("channel", "online"),
        ("form.name", "演示·王建国"),
        ("form.id_number", id_number.as_str()),
        ("form.scheme", "职工医保"),
        ("form.person_category", "临时异地就医人员"),
        ("form.registration_type", "新增"),
        ("form.phone_1", "13800000001"),
        ("form.care_region_address", "海口市美兰区演示路1号"),
        ("form.target_province", "火星"),
        ("form.fill_date", "2026年11月20日"),
    ];
    let mut fields: Vec<(&str, &str)> = vec![("jurisdiction", "chongqing"), ("item", "24")];
    fields.extend_from_slice(&typed);
    let r = b.post_form("/cases/new", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Every value is back where it was typed; the error sits beside 转往省.
    assert_eq!(
        attrs(&r.body, "#f-care_region_address", "value"),
        vec!["海口市美兰区演示路1号"]
    );
    assert_eq!(attrs(&r.body, "#f-target_province", "value"), vec!["火星"]);
    assert_eq!(
        attrs(&r.body, "#f-fill_date", "value"),
        vec!["2026年11月20日"]
    );
    assert_eq!(one_text(&r.body, "#f-scheme option[selected]"), "职工医保");
    assert_eq!(
        one_text(&r.body, "#f-person_category option[selected]"),
        "临时异地就医人员"
    );
    assert_eq!(
        attrs(&r.body, "#f-target_province", "aria-invalid"),
        vec!["true"]
    );
    assert!(one_text(&r.body, "#err-target_province").contains("火星"));
    assert_eq!(count(&r.body, ".field-error"), 1, "only the wrong field");

    // Corrected by name: the province becomes its code, the date YYYY-MM-DD.
    fields.retain(|(k, _)| *k != "form.target_province");
    fields.push(("form.target_province", "海南省"));
    let r = b.post_form("/cases/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let number = location.trim_start_matches("/cases/");
    let token = app
        .token(serde_json::json!({"kind":"citizen","id_number": id_number,"password": password}))
        .await;
    let v = app
        .call(
            "GET",
            &format!("/api/v1/cases/{number}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let form = &v["view"]["case"]["form"];
    assert_eq!(form["target_province"], "460000");
    assert_eq!(form["fill_date"], "2026-11-20");
});

both_stores_with_demo!(dates_in_common_forms_are_accepted_by_the_api, |app| {
    let demo = app.demo().await;
    let c = &demo.citizens[0];
    let token = app
        .token(serde_json::json!({"kind":"citizen","id_number": c.login,"password": c.password}))
        .await;
    for (i, date) in ["2026-11-01", "2026/11/01", "2026年11月1日", "20261101"]
        .into_iter()
        .enumerate()
    {
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&token),
                serde_json::json!({"jurisdiction":"chongqing","item":"24","channel":"online",
                    "form": {"name":"演示·王建国","id_number": c.login,"scheme":"职工医保",
                             "person_category":"临时异地就医人员","registration_type":"新增",
                             "phone_1":"13800000001","target_province":"海南",
                             "fill_date": date}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{date}: {}", r.body);
        let answer = r.json();
        let form = &answer["case"]["form"];
        assert_eq!(form["fill_date"], "2026-11-01", "{i}: {date}");
        assert_eq!(form["target_province"], "460000");
    }
});
