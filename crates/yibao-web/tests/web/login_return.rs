//! Login returns to the page that asked for it: a page that needs a login sends the browser to
//! `/login?next=…`, the login forms carry it, and a successful login goes back there — only to
//! this site's own pages, never elsewhere, and never past a required password change.

use crate::common;

use axum::http::StatusCode;
use common::page::count;

fn location(r: &common::Reply) -> String {
    r.headers["location"].to_str().unwrap().to_string()
}

both_stores_with_demo!(login_returns_to_the_page_that_asked_for_it, |app| {
    let mut b = app.browser();
    let r = b.get("/staff/persons?q=%E7%8E%8B&page=1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        location(&r),
        "/login?next=%2Fstaff%2Fpersons%3Fq%3D%25E7%258E%258B%26page%3D1"
    );
    let page = b.get(&location(&r)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(count(&page.body, "#login-next"), 1);
    assert_eq!(
        count(
            &page.body,
            "input[name='next'][value='/staff/persons?q=%E7%8E%8B&page=1']"
        ),
        4,
        "each of the four login forms carries it"
    );
    // A wrong password keeps it; the right one goes back.
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", "cq.clerk"),
                ("password", "wrong"),
                ("next", "/staff/persons?q=%E7%8E%8B&page=1"),
            ],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&r.body, "input[name='next']"), 4, "{}", r.body);
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", "cq.clerk"),
                ("password", "demo-cq-clerk"),
                ("next", "/staff/persons?q=%E7%8E%8B&page=1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(location(&r), "/staff/persons?q=%E7%8E%8B&page=1");

    // Never to another site, whatever the form says.
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let mut c = app.browser();
        c.get("/login").await;
        let demo = app.demo().await;
        let r = c
            .post_form(
                "/login/citizen",
                &[
                    ("id_number", demo.citizens[0].login.as_str()),
                    ("password", demo.citizens[0].password.as_str()),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(location(&r), "/account", "{evil}");
    }
    // A page reached without logging in by a form post is not replayed: plain /login.
    let mut d = app.browser();
    d.get("/login").await;
    let r = d
        .post_form(
            "/staff/contributions/month",
            &[("year", "2026"), ("month", "3")],
        )
        .await;
    if r.status == StatusCode::SEE_OTHER {
        assert_eq!(location(&r), "/login");
    }
});
