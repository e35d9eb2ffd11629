//! The edge of the app on both stores (issue #16): every error in the `{code, message}` shape with
//! a Chinese message — the framework's own too —, `Cache-Control: no-store` on everything but
//! static assets, JSON-only settlement (its bearer callers set no cookie), NUL refused with 422 before any store sees it, and staff
//! who must change their password kept from the API until they have.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Reply, TestApp};
use serde_json::json;

/// An API error in the documented shape: the code, and a Chinese message.
fn assert_api_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{code}: {:?}",
        r.headers
    );
    let v = r.json();
    assert_eq!(v["code"], code, "{}", r.body);
    let message = v["message"].as_str().unwrap();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "message in Chinese: {message}"
    );
}

/// A page error: the Chinese error page, never the framework's English text.
fn assert_page_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.body.contains("lang=\"zh-CN\""));
    assert!(r.body.contains(code), "{code}: {}", r.body);
    for english in ["length limit exceeded", "Method Not Allowed", "Failed to"] {
        assert!(!r.body.contains(english), "{english}: {}", r.body);
    }
}

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.send(req.body(body.into()).unwrap()).await
}

async fn institution(app: &TestApp) -> String {
    let a = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&a), json!({"code": "H50011900001", "name": "演示医院", "kind": "hospital", "level": "二级", "region_code": "500119"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/admin/institutions/H50011900001/tokens",
            Some(&a),
            json!({"label": "HIS"}),
        )
        .await;
    r.json()["token"]["token"].as_str().unwrap().to_string()
}

both_stores!(framework_errors_answer_in_the_shape_and_in_chinese, |app| {
    // 405, keeping the Allow header.
    let r = raw(app, "DELETE", "/api/v1/auth/login", &[], Body::empty()).await;
    assert_api_error(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "http.method_not_allowed",
    );
    assert!(r.headers.contains_key("allow"));

    // 413: above the 4 MB request limit, announced or not.
    let big = vec![b'a'; 5 * 1024 * 1024];
    let length = big.len().to_string();
    let r = raw(
        app,
        "POST",
        "/api/v1/auth/login",
        &[
            ("content-type", "application/json"),
            ("content-length", &length),
        ],
        big.clone(),
    )
    .await;
    assert_api_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "http.payload_too_large");
    let r = raw(
        app,
        "POST",
        "/api/v1/settlements",
        &[("content-type", "application/json")],
        big.clone(),
    )
    .await;
    assert_api_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "http.payload_too_large");
    // A citizen's too large upload from a page: a Chinese page, not "length limit exceeded".
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_multipart(
            "/cases/X/materials",
            &[("material_id", "1")],
            ("file", "scan.pdf", &big),
        )
        .await;
    assert_page_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "http.payload_too_large");
    assert!(r.body.contains("大小限制"));
    // Under the limit, a 3 MB upload passes the CSRF and text checks (read with the app's 4 MB
    // limit, not axum's default 2 MB) and reaches the handler: no case X, so the login page.
    let three = vec![b'a'; 3 * 1024 * 1024];
    let r = b
        .post_multipart(
            "/cases/X/materials",
            &[("material_id", "1")],
            ("file", "scan.pdf", &three),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/login");

    // 414 from the app itself (hyper answers an empty 414 only above 64 KiB).
    let long = "9".repeat(9000);
    let r = app.get(&format!("/api/v1/check/id/{long}")).await;
    assert_api_error(&r, StatusCode::URI_TOO_LONG, "http.uri_too_long");
    let r = app.get(&format!("/guide?q={long}")).await;
    assert_page_error(&r, StatusCode::URI_TOO_LONG, "http.uri_too_long");

    // 415: JSON endpoints called with another content type.
    let login = r#"{"kind":"staff","username":"x","password":"y"}"#;
    let r = raw(
        app,
        "POST",
        "/api/v1/auth/login",
        &[("content-type", "text/plain")],
        login,
    )
    .await;
    assert_api_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "http.unsupported_media_type",
    );
    let r = raw(app, "POST", "/api/v1/auth/login", &[], login).await;
    assert_api_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "http.unsupported_media_type",
    );
    // A page form posted as JSON.
    let mut b = app.browser();
    b.get("/login").await;
    let cookies = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = b.csrf.clone().unwrap();
    let r = raw(
        app,
        "POST",
        "/login/staff",
        &[
            ("cookie", &cookies),
            ("x-csrf-token", &csrf),
            ("content-type", "application/json"),
        ],
        login,
    )
    .await;
    assert_page_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "http.unsupported_media_type",
    );
    // A page with a method it does not take.
    let r = raw(
        app,
        "PUT",
        "/login",
        &[("cookie", &cookies), ("x-csrf-token", &csrf)],
        Body::empty(),
    )
    .await;
    assert_page_error(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "http.method_not_allowed",
    );
    // A page form missing a field: the framework's 422 becomes the Chinese page.
    let r = b.post_form("/login/staff", &[("username", "x")]).await;
    assert_page_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "http.unprocessable");

    // JSON syntax and shape.
    let r = raw(
        app,
        "POST",
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        "{bad",
    )
    .await;
    assert_api_error(&r, StatusCode::BAD_REQUEST, "http.bad_json");
    let r = app
        .post_json("/api/v1/auth/login", None, json!({"kind": "staff"}))
        .await;
    assert_api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "http.bad_json");

    // Multipart without a usable boundary.
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let auth = format!("Bearer {clerk}");
    let r = raw(
        app,
        "POST",
        "/api/v1/cases/X/materials",
        &[
            ("authorization", &auth),
            ("content-type", "multipart/form-data"),
        ],
        "--x\r\n",
    )
    .await;
    assert_api_error(&r, StatusCode::BAD_REQUEST, "http.bad_multipart");
    let r = raw(
        app,
        "POST",
        "/api/v1/cases/X/materials",
        &[
            ("authorization", &auth),
            ("content-type", "multipart/form-data; boundary=abc"),
        ],
        "--zzz\r\nnot a part",
    )
    .await;
    assert_api_error(&r, StatusCode::BAD_REQUEST, "http.bad_multipart");

    // Unknown routes.
    let r = app.get("/api/v1/nothing/here").await;
    assert_api_error(&r, StatusCode::NOT_FOUND, "http.not_found");

    // Invalid UTF-8 percent-encodings in the path or the query: 400, not 500.
    for path in [
        "/api/v1/check/id/%FF%FE",
        "/api/v1/catalog?q=%C3%28",
        "/api/v1/cases/%80",
    ] {
        let r = app.get(path).await;
        assert_api_error(&r, StatusCode::BAD_REQUEST, "http.bad_uri");
    }
    let r = app.get("/check?kind=%FF&value=1").await;
    assert_page_error(&r, StatusCode::BAD_REQUEST, "http.bad_uri");
});

both_stores_with_demo!(personal_data_is_never_cached, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    for path in [
        "/",
        "/login",
        "/guide",
        "/missing",
        "/healthz",
        "/api/v1/catalog",
        "/api/v1/nothing",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.headers["cache-control"], "no-store", "{path}");
        assert_eq!(r.headers["pragma"], "no-cache", "{path}");
    }
    for path in ["/api/v1/auth/me", "/api/v1/persons", "/api/v1/cases"] {
        let r = app.call("GET", path, Some(&clerk), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert_eq!(r.headers["cache-control"], "no-store", "{path}");
    }
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.clerk"), ("password", "demo-cq-clerk")],
        )
        .await;
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = b.get("/staff/persons").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["cache-control"], "no-store");
    // The stylesheet holds nothing personal and may be cached.
    let r = app.get("/static/app.css").await;
    assert_eq!(r.headers["cache-control"], "public, max-age=3600");
    assert!(!r.headers.contains_key("pragma"));
});

both_stores_with_demo!(settlement_takes_json_only, |app| {
    app.demo().await;
    let token = institution(app).await;
    let auth = format!("Bearer {token}");
    let body = json!({"request_id": "R-1"}).to_string();
    for path in [
        "/api/v1/settlements",
        "/api/v1/settlements/pre",
        "/api/v1/national",
    ] {
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let mut headers = vec![("authorization", auth.as_str())];
            if let Some(ct) = ct {
                headers.push(("content-type", ct));
            }
            let r = raw(app, "POST", path, &headers, body.clone()).await;
            assert_api_error(
                &r,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "http.unsupported_media_type",
            );
        }
        // With the header the body is read (and here found incomplete), not refused for its type.
        let r = raw(
            app,
            "POST",
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json; charset=utf-8"),
            ],
            body.clone(),
        )
        .await;
        assert_ne!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
        // A program with a bearer token is set no cookie (no form token to carry).
        assert!(
            !r.headers.contains_key("set-cookie"),
            "{path}: {:?}",
            r.headers
        );
    }
    // A browser without cookies is given its pre-session form token.
    let r = raw(app, "GET", "/login", &[], Body::empty()).await;
    assert!(
        r.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("yibao_csrf=")),
        "{:?}",
        r.headers
    );
});

both_stores_with_demo!(nul_is_refused_at_the_edge_on_both_stores, |app| {
    app.demo().await;
    let nul =
        |r: &Reply| assert_api_error(r, StatusCode::UNPROCESSABLE_ENTITY, "input.invalid_text");

    // Login: the API (value and key) and the page form.
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind": "staff", "username": "cq\u{0}clerk", "password": "x"}),
        )
        .await;
    nul(&r);
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind": "staff", "username": "cq.clerk", "password": "x", "a\u{0}": 1}),
        )
        .await;
    nul(&r);
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq\u{0}clerk"), ("password", "x")],
        )
        .await;
    assert_page_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "input.invalid_text");
    assert!(r.body.contains("空字符"));
    // An escaped backslash before "u0000" is text, not a NUL.
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind": "staff", "username": "cq\\u0000clerk", "password": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // A case number in the path, on the API and the page.
    let clerk = app.staff_token("cq.clerk").await;
    let r = app
        .call("GET", "/api/v1/cases/2026%00001", Some(&clerk), None)
        .await;
    nul(&r);
    let r = app
        .post_json(
            "/api/v1/cases/2026%0001/actions/accept",
            Some(&clerk),
            json!({}),
        )
        .await;
    nul(&r);
    let r = app.get("/cases/X%00Y").await;
    assert_page_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "input.invalid_text");

    // The audit filter.
    let auditor = app.staff_token("cq.auditor").await;
    let r = app
        .call("GET", "/api/v1/audit?actor=a%00b", Some(&auditor), None)
        .await;
    nul(&r);
    let r = app
        .call(
            "GET",
            "/api/v1/audit?action=x&target_id=%00",
            Some(&auditor),
            None,
        )
        .await;
    nul(&r);
    let r = app
        .call("GET", "/api/v1/audit?actor=cq.clerk", Some(&auditor), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Settlement: request_id in the JSON body and in the path.
    let token = institution(app).await;
    for path in ["/api/v1/settlements", "/api/v1/settlements/pre"] {
        let r = app
            .post_json(path, Some(&token), json!({"request_id": "R\u{0}1"}))
            .await;
        nul(&r);
    }
    let r = app
        .call("GET", "/api/v1/settlements/R%001", Some(&token), None)
        .await;
    nul(&r);
    let r = app
        .post_json("/api/v1/settlements/R%001/reverse", Some(&token), json!({}))
        .await;
    nul(&r);

    // Multipart: a text field is refused, a file holding NUL bytes is not.
    let boundary = "yibaoEDGE";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let file = |content: &[u8]| {
        let mut v = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        v.extend_from_slice(content);
        v.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        v
    };
    let ct = format!("multipart/form-data; boundary={boundary}");
    let auth = format!("Bearer {clerk}");
    let mut body = part("kind", "enrol\u{0}").into_bytes();
    body.extend(file(b"a,b\n"));
    let r = raw(
        app,
        "POST",
        "/api/v1/employers/1/roster",
        &[("authorization", &auth), ("content-type", &ct)],
        body,
    )
    .await;
    nul(&r);
    let mut body = part("material_id", "1").into_bytes();
    body.extend(file(b"PK\x03\x04\0\0\0binary"));
    let r = raw(
        app,
        "POST",
        "/api/v1/cases/NO-SUCH-CASE/materials",
        &[("authorization", &auth), ("content-type", &ct)],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
});

both_stores_with_demo!(staff_must_change_the_password_before_using_the_api, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/staff", Some(&admin), json!({"username":"cq.newadmin","display_name":"新管理员","roles":["admin","clerk"],"password":"Temp12345"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&admin), json!({"code": "H50011900001", "name": "演示医院", "kind": "hospital", "level": "二级", "region_code": "500119"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let t = app
        .token(json!({"kind":"staff","username":"cq.newadmin","password":"Temp12345"}))
        .await;
    let required =
        |r: &Reply| assert_api_error(r, StatusCode::FORBIDDEN, "auth.password_change_required");
    // No institution token, no records, no staff list before the change.
    let r = app
        .post_json(
            "/api/v1/admin/institutions/H50011900001/tokens",
            Some(&t),
            json!({"label": "HIS"}),
        )
        .await;
    required(&r);
    required(&app.call("GET", "/api/v1/persons", Some(&t), None).await);
    required(&app.call("GET", "/api/v1/admin/staff", Some(&t), None).await);
    // Who am I still answers, and says why.
    let r = app.call("GET", "/api/v1/auth/me", Some(&t), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["actor"]["must_change_password"], true);

    // The page session is held to the account page the same way.
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.newadmin"), ("password", "Temp12345")],
        )
        .await;
    assert_eq!(r.headers["location"], "/account");
    let r = b.get("/admin/institutions").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/account");
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = b
        .post_form(
            "/admin/institutions/H50011900001/tokens",
            &[("label", "HIS")],
        )
        .await;
    assert_page_error(&r, StatusCode::FORBIDDEN, "auth.password_change_required");

    // Changing the password over the API, then everything opens.
    let r = app
        .post_json(
            "/api/v1/auth/password",
            Some(&t),
            json!({"old_password": "Temp12345", "new_password": "Better-Pass-2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let t = app
        .token(json!({"kind":"staff","username":"cq.newadmin","password":"Better-Pass-2026"}))
        .await;
    let r = app
        .post_json(
            "/api/v1/admin/institutions/H50011900001/tokens",
            Some(&t),
            json!({"label": "HIS"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        app.call("GET", "/api/v1/persons", Some(&t), None)
            .await
            .status,
        StatusCode::OK
    );
    // Logging out needs no password change either.
    let t2 = app
        .token(json!({"kind":"staff","username":"cq.newadmin","password":"Better-Pass-2026"}))
        .await;
    let r = app
        .post_json("/api/v1/auth/logout", Some(&t2), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
});

both_stores_with_demo!(logging_out_is_open_before_the_password_change, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/staff", Some(&admin), json!({"username":"cq.fresh","display_name":"新人","roles":["clerk"],"password":"Temp12345"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let t = app
        .token(json!({"kind":"staff","username":"cq.fresh","password":"Temp12345"}))
        .await;
    let r = app
        .post_json("/api/v1/auth/logout", Some(&t), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        app.call("GET", "/api/v1/auth/me", Some(&t), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
});

/// Sends `GET path` over a real connection to the app served by hyper, returns the status line and
/// the rest of the answer.
async fn over_tcp(app: &TestApp, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    server.abort();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (status, rest) = answer.split_once("\r\n").unwrap_or((&answer, ""));
    (status.to_string(), rest.to_string())
}

both_stores!(long_uris_over_real_http, |app| {
    // Above the app's 8 KiB: the app's own 414 in the shape.
    let (status, rest) = over_tcp(app, &format!("/api/v1/check/id/{}", "9".repeat(20_000))).await;
    assert!(status.contains(" 414 "), "{status}");
    assert!(rest.contains("http.uri_too_long"), "{rest}");
    // Above hyper's 64 KiB URI limit: hyper answers 414 itself, with no body, before the app.
    let (status, _) = over_tcp(app, &format!("/api/v1/check/id/{}", "9".repeat(70_000))).await;
    assert!(status.contains(" 414 "), "{status}");
});
