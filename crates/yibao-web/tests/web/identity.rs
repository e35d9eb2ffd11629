//! Accounts, sessions, CSRF, lock-out, tokens, scoping, masking and the audit chain, through
//! the HTTP interface on both stores.

use axum::http::StatusCode;
use serde_json::json;

fn citizen_login(id: &str, pw: &str) -> serde_json::Value {
    json!({ "kind": "citizen", "id_number": id, "password": pw })
}

both_stores_with_demo!(forms_without_a_csrf_token_are_refused, |app| {
    app.demo().await;
    let mut b = app.browser();
    let page = b.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(b.csrf.is_some(), "the login page carries a CSRF token");
    let creds = [("username", "cq.clerk"), ("password", "demo-cq-clerk")];

    // No token at all; a wrong token; a token with no cookie behind it.
    let r = b.post_form_with("/login/staff", &creds, Some("")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("auth.csrf"));
    let r = b
        .post_form_with(
            "/login/staff",
            &creds,
            Some("0123456789abcdef0123456789abcdef"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut stranger = app.browser();
    let token = b.csrf.clone().unwrap();
    let r = stranger
        .post_form_with("/login/staff", &creds, Some(&token))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a token without its cookie is worthless"
    );

    // With the page's token the login goes through, and the session has its own token.
    let r = b.post_form("/login/staff", &creds).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(b.cookies.iter().any(|(k, _)| k == "yibao_session"));
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let pre_login = b.csrf.clone();
    b.get("/staff/persons").await;
    assert_ne!(
        b.csrf, pre_login,
        "after login forms carry the session's token"
    );
    // The logout form without the session token is refused; with it, accepted.
    let r = b.post_form_with("/logout", &[], pre_login.as_deref()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A JSON call riding on the cookie needs the header too.
    let r = app
        .send(
            axum::http::Request::post("/api/v1/auth/password")
                .header(
                    "cookie",
                    format!(
                        "yibao_session={}",
                        b.cookies
                            .iter()
                            .find(|(k, _)| k == "yibao_session")
                            .unwrap()
                            .1
                    ),
                )
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    r#"{"old_password":"x","new_password":"y"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "auth.csrf");
    let r = b.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b.get("/staff/persons").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "logged out: sent to the login page"
    );
    assert_eq!(
        r.headers.get("location").unwrap(),
        "/login?next=%2Fstaff%2Fpersons",
        "and back afterwards"
    );
});

both_stores_with_demo!(
    staff_see_their_area_masked_in_lists_and_in_full_on_the_record,
    |app| {
        app.demo().await;
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
        let list = b.get("/staff/persons").await;
        assert_eq!(list.status, StatusCode::OK);
        // Nanchuan (500119) holds two demo persons; Youyang's and Chengdu's are not listed.
        assert_eq!(
            list.body.matches("/staff/persons/").count(),
            2,
            "{}",
            list.body
        );
        assert!(
            list.body.contains("5001**********"),
            "ID numbers are masked in lists"
        );
        assert!(
            list.body.contains("138****0001"),
            "phones are masked in lists"
        );
        assert!(!list.body.contains("13800000001"));

        let t = app.staff_token("nanchuan.clerk").await;
        let v = app
            .call("GET", "/api/v1/persons", Some(&t), None)
            .await
            .json();
        let persons = v["persons"].as_array().unwrap();
        assert_eq!(persons.len(), 2);
        let id = persons[0]["id"].as_i64().unwrap();
        let full = app
            .call("GET", &format!("/api/v1/persons/{id}"), Some(&t), None)
            .await;
        assert_eq!(full.status, StatusCode::OK);
        assert_eq!(
            full.json()["person"]["id_number"].as_str().unwrap().len(),
            18
        );
        // Every other id is outside Nanchuan or absent: the same 404 for both.
        let mut denied = 0;
        for other in 1..=8 {
            let r = app
                .call("GET", &format!("/api/v1/persons/{other}"), Some(&t), None)
                .await;
            if r.status == StatusCode::NOT_FOUND {
                denied += 1;
            } else {
                assert_eq!(r.status, StatusCode::OK);
            }
        }
        assert_eq!(
            denied, 6,
            "2 of 6 demo persons are Nanchuan's; ids 7 and 8 do not exist"
        );
        // The municipal centre (500000) sees all of Chongqing but not Sichuan.
        let cq = app.staff_token("cq.auditor").await;
        let v = app
            .call("GET", "/api/v1/persons", Some(&cq), None)
            .await
            .json();
        assert_eq!(v["persons"].as_array().unwrap().len(), 4);
    }
);

both_stores_with_demo!(five_wrong_passwords_lock_the_login, |app| {
    app.demo().await;
    for _ in 0..5 {
        let r = app
            .post_json(
                "/api/v1/auth/login",
                None,
                json!({"kind":"staff","username":"cq.clerk","password":"wrong"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "auth.invalid_credentials");
    }
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind":"staff","username":"cq.clerk","password":"demo-cq-clerk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "auth.locked");
    // Unknown accounts answer exactly like wrong passwords.
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind":"staff","username":"nobody","password":"x"}),
        )
        .await;
    assert_eq!(r.json()["code"], "auth.invalid_credentials");
    // Another account is not affected.
    app.staff_token("cq.reviewer").await;
});

both_stores_with_demo!(
    a_citizen_registers_with_a_phone_code_and_sees_only_their_record,
    |app| {
        let demo = app.demo().await;
        // 杨丽 (the sixth demo person) has no account yet.
        let mut tx = app.services.store().begin().await.unwrap();
        let persons = yibao_store::enrolment::list_persons(&mut tx).await.unwrap();
        drop(tx);
        let yang = persons.iter().find(|p| p.name.contains("杨丽")).unwrap();
        let phone = "13912345678";
        let r = app
            .post_json(
                "/api/v1/auth/phone-codes",
                None,
                json!({"phone": phone, "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        let code = app.phone.last_code(phone).unwrap();
        let reg = json!({"id_number": yang.id_number, "name": "演示·杨丽", "phone": phone, "code": "000000", "password": "Secret123"});
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let mut bad = reg.clone();
        bad["code"] = json!(wrong);
        let r = app.post_json("/api/v1/auth/register", None, bad).await;
        assert_eq!(r.json()["code"], "identity.code_wrong");
        let mut weak = reg.clone();
        weak["code"] = json!(code);
        weak["password"] = json!("short");
        assert_eq!(
            app.post_json("/api/v1/auth/register", None, weak)
                .await
                .json()["code"],
            "identity.password_weak"
        );
        let mut ok = reg.clone();
        ok["code"] = json!(code);
        let r = app
            .post_json("/api/v1/auth/register", None, ok.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // The code is spent; the ID number is taken.
        let r = app.post_json("/api/v1/auth/register", None, ok).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let t = app.token(citizen_login(&yang.id_number, "Secret123")).await;
        let me = app
            .call("GET", "/api/v1/me/person", Some(&t), None)
            .await
            .json();
        assert_eq!(me["person"]["id_number"], yang.id_number.as_str());
        for p in &persons {
            let r = app
                .call("GET", &format!("/api/v1/persons/{}", p.id), Some(&t), None)
                .await;
            let expected = if p.id == yang.id {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(r.status, expected, "person {}", p.id);
        }
        assert_eq!(
            app.call("GET", "/api/v1/persons", Some(&t), None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // The demo citizens print their logins.
        assert!(!demo.citizens.is_empty());
    }
);

both_stores_with_demo!(
    a_password_reset_needs_the_code_sent_to_the_phone_on_record,
    |app| {
        let demo = app.demo().await;
        let c = &demo.citizens[0];
        let phone = "13800000001";
        app.post_json(
            "/api/v1/auth/phone-codes",
            None,
            json!({"phone": phone, "purpose": "reset"}),
        )
        .await;
        let code = app.phone.last_code(phone).unwrap();
        // Five wrong tries spend the code.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            let r = app
            .post_json("/api/v1/auth/reset", None, json!({"kind":"citizen","id_number": c.login, "phone": phone, "code": wrong, "new_password": "NewPass123"}))
            .await;
            assert_eq!(r.json()["code"], "identity.code_wrong");
        }
        let r = app
        .post_json("/api/v1/auth/reset", None, json!({"kind":"citizen","id_number": c.login, "phone": phone, "code": code, "new_password": "NewPass123"}))
        .await;
        assert_eq!(
            r.json()["code"],
            "identity.code_wrong",
            "the code is spent after five wrong tries"
        );

        app.post_json(
            "/api/v1/auth/phone-codes",
            None,
            json!({"phone": phone, "purpose": "reset"}),
        )
        .await;
        let code = app.phone.last_code(phone).unwrap();
        // Someone else's phone cannot reset this account.
        let r = app
        .post_json("/api/v1/auth/reset", None, json!({"kind":"citizen","id_number": demo.citizens[1].login, "phone": phone, "code": code, "new_password": "NewPass123"}))
        .await;
        assert_eq!(r.json()["code"], "identity.code_wrong");
        let r = app
        .post_json("/api/v1/auth/reset", None, json!({"kind":"citizen","id_number": c.login, "phone": phone, "code": code, "new_password": "NewPass123"}))
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = app
            .post_json(
                "/api/v1/auth/login",
                None,
                citizen_login(&c.login, &c.password),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        app.token(citizen_login(&c.login, "NewPass123")).await;
    }
);

both_stores_with_demo!(a_password_change_ends_every_session, |app| {
    let demo = app.demo().await;
    let c = &demo.citizens[0];
    let t1 = app.token(citizen_login(&c.login, &c.password)).await;
    let t2 = app.token(citizen_login(&c.login, &c.password)).await;
    let r = app
        .post_json(
            "/api/v1/auth/password",
            Some(&t1),
            json!({"old_password": "wrong", "new_password": "Another123"}),
        )
        .await;
    assert_eq!(r.json()["code"], "identity.password_wrong");
    let r = app
        .post_json(
            "/api/v1/auth/password",
            Some(&t1),
            json!({"old_password": c.password, "new_password": "Another123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    for t in [&t1, &t2] {
        let r = app.call("GET", "/api/v1/auth/me", Some(t), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    app.token(citizen_login(&c.login, "Another123")).await;
});

both_stores_with_demo!(
    employer_operators_see_their_employer_only_and_managers_add_operators,
    |app| {
        let demo = app.demo().await;
        let op = &demo.employer_operators[0];
        let t = app
        .token(json!({"kind": "employer", "uscc": op.login, "username": "admin", "password": op.password}))
        .await;
        let me = app
            .call("GET", "/api/v1/auth/me", Some(&t), None)
            .await
            .json();
        let own = me["actor"]["employer_id"].as_i64().unwrap();
        assert_eq!(
            app.call("GET", &format!("/api/v1/employers/{own}"), Some(&t), None)
                .await
                .status,
            StatusCode::OK
        );
        for other in 1..=4 {
            if other != own {
                let r = app
                    .call("GET", &format!("/api/v1/employers/{other}"), Some(&t), None)
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND);
            }
        }
        let new_op = json!({"username": "clerk2", "display_name": "第二经办人", "phone": "13911112222", "password": "Operator12"});
        let r = app
            .post_json(
                &format!("/api/v1/employers/{own}/operators"),
                Some(&t),
                new_op.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let other = if own == 1 { 2 } else { 1 };
        let r = app
            .post_json(
                &format!("/api/v1/employers/{other}/operators"),
                Some(&t),
                new_op.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The new operator is not a manager: may log in, may not add operators.
        let t2 = app
        .token(json!({"kind": "employer", "uscc": op.login, "username": "clerk2", "password": "Operator12"}))
        .await;
        let mut third = new_op.clone();
        third["username"] = json!("clerk3");
        let r = app
            .post_json(
                &format!("/api/v1/employers/{own}/operators"),
                Some(&t2),
                third,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_stores_with_demo!(
    institution_tokens_are_scoped_revocable_and_shown_once,
    |app| {
        app.demo().await;
        let admin = app.staff_token("cq.admin").await;
        let r = app
        .post_json("/api/v1/admin/institutions", Some(&admin), json!({"code":"H50011900001","name":"南川演示医院","kind":"hospital","level":"二级甲等","region_code":"500119"}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Outside the admin's area (Sichuan) is refused.
        let r = app
        .post_json("/api/v1/admin/institutions", Some(&admin), json!({"code":"H51010400001","name":"成都演示医院","kind":"hospital","region_code":"510104"}))
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_json(
                "/api/v1/admin/institutions/H50011900001/tokens",
                Some(&admin),
                json!({"label":"HIS 结算接口","days":30}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let issued = r.json()["token"].clone();
        let token = issued["token"].as_str().unwrap().to_string();
        assert!(token.starts_with("ybi_"));
        let me = app
            .call("GET", "/api/v1/institution/me", Some(&token), None)
            .await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["institution"]["code"], "H50011900001");
        // The listing never shows the secret, and the database holds only its hash.
        let list = app
            .call(
                "GET",
                "/api/v1/admin/institutions/H50011900001/tokens",
                Some(&admin),
                None,
            )
            .await;
        assert!(!list.body.contains(&token));
        let mut tx = app.services.store().begin().await.unwrap();
        let hit = yibao_store::institution::find_token(&mut tx, &token)
            .await
            .unwrap();
        assert!(hit.is_none(), "the token is not stored in the clear");
        drop(tx);
        // A token opens nothing but the institution's own interface.
        assert_eq!(
            app.call("GET", "/api/v1/persons", Some(&token), None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Another agency's admin cannot revoke it; this one can, and then it stops working.
        let id = issued["id"].as_i64().unwrap();
        let sc = app.staff_token("sc.admin").await;
        let r = app
            .post_json(
                &format!("/api/v1/admin/tokens/{id}/revoke"),
                Some(&sc),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/admin/tokens/{id}/revoke"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = app
            .call("GET", "/api/v1/institution/me", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "auth.token_invalid");
        // A made-up token is refused the same way.
        let r = app
            .call("GET", "/api/v1/institution/me", Some("ybi_0000"), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
);

both_stores_with_demo!(an_expired_token_is_refused, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    app.post_json("/api/v1/admin/institutions", Some(&admin), json!({"code":"P50011900001","name":"南川演示药店","kind":"pharmacy","region_code":"500119"}))
        .await;
    let r = app
        .post_json(
            "/api/v1/admin/institutions/P50011900001/tokens",
            Some(&admin),
            json!({"label":"药店接口","days":1}),
        )
        .await;
    let token = r.json()["token"]["token"].as_str().unwrap().to_string();
    let mut tx = app.services.store().begin().await.unwrap();
    sqlx_exec(
        &mut tx,
        "UPDATE api_token SET expires_at = '2026-11-22T08:59:59.000Z'",
    )
    .await;
    tx.commit().await.unwrap();
    let r = app
        .call("GET", "/api/v1/institution/me", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

async fn sqlx_exec(conn: &mut yibao_store::Conn, sql: &str) {
    yibao_store::test_support::execute(conn, sql).await.unwrap();
}

both_stores_with_demo!(admins_manage_staff_of_their_own_agency, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/staff", Some(&admin), json!({"username":"cq.newclerk","display_name":"新受理员","roles":["clerk","reviewer"],"password":"Temp12345"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["staff"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["staff"]["roles"], "clerk,reviewer");
    let r = app
        .post_json(
            "/api/v1/admin/staff",
            Some(&admin),
            json!({"username":"x1","display_name":"x","roles":["root"],"password":"Temp12345"}),
        )
        .await;
    assert_eq!(r.json()["code"], "identity.role_unknown");
    let t = app
        .token(json!({"kind":"staff","username":"cq.newclerk","password":"Temp12345"}))
        .await;
    let me = app
        .call("GET", "/api/v1/auth/me", Some(&t), None)
        .await
        .json();
    assert_eq!(me["actor"]["must_change_password"], true);
    // Another agency's admin cannot touch this account.
    let sc = app.staff_token("sc.admin").await;
    let r = app
        .post_json(
            &format!("/api/v1/admin/staff/{id}/deactivate"),
            Some(&sc),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_json(
            &format!("/api/v1/admin/staff/{id}/deactivate"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call("GET", "/api/v1/auth/me", Some(&t), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind":"staff","username":"cq.newclerk","password":"Temp12345"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

both_stores_with_demo!(
    the_audit_chain_records_changes_and_detects_tampering,
    |app| {
        app.demo().await;
        let admin = app.staff_token("cq.admin").await;
        for n in 1..=3 {
            let r = app
            .post_json("/api/v1/admin/staff", Some(&admin), json!({"username": format!("cq.extra{n}"), "display_name":"审计测试","roles":["clerk"],"password":"Temp12345"}))
            .await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let auditor = app.staff_token("cq.auditor").await;
        let v = app
            .call("GET", "/api/v1/audit/verify", Some(&auditor), None)
            .await
            .json();
        assert_eq!(v["report"]["ok"], true, "{v}");
        let entries = v["report"]["entries"].as_i64().unwrap();
        assert!(entries >= 6, "demo load, logins and three staff creations");
        let found = app
            .call(
                "GET",
                "/api/v1/audit?action=identity.staff_create",
                Some(&auditor),
                None,
            )
            .await
            .json();
        assert_eq!(found["entries"].as_array().unwrap().len(), 3);
        let seq = found["entries"][1]["seq"].as_i64().unwrap();

        // Alter one entry's summary in the database: verify names that entry.
        let mut tx = app.services.store().begin().await.unwrap();
        sqlx_exec(
            &mut tx,
            &format!("UPDATE audit_log SET summary = 'nothing happened' WHERE chain = '' AND seq = {seq}"),
        )
        .await;
        tx.commit().await.unwrap();
        let v = app
            .call("GET", "/api/v1/audit/verify", Some(&auditor), None)
            .await
            .json();
        assert_eq!(v["report"]["ok"], false);
        assert_eq!(v["report"]["first_problem"]["seq"], seq);
        assert_eq!(v["report"]["first_problem"]["problem"], "altered");

        // A deleted entry is reported as missing (on a fresh chain position).
        let mut tx = app.services.store().begin().await.unwrap();
        sqlx_exec(
            &mut tx,
            &format!("DELETE FROM audit_log WHERE chain = '' AND seq = {seq}"),
        )
        .await;
        tx.commit().await.unwrap();
        let v = app
            .call("GET", "/api/v1/audit/verify", Some(&auditor), None)
            .await
            .json();
        assert_eq!(v["report"]["first_problem"]["seq"], seq);
        assert_eq!(v["report"]["first_problem"]["problem"], "missing");

        // The auditor's page shows the same finding.
        let mut b = app.browser();
        b.get("/login").await;
        b.post_form(
            "/login/staff",
            &[("username", "cq.auditor"), ("password", "demo-cq-auditor")],
        )
        .await;
        let page = b.get("/audit?verify=1").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("审计链校验失败"), "{}", page.body);
    }
);

both_stores_with_demo!(calendar_imports_through_the_admin_page_are_audited, |app| {
    app.demo().await;
    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/staff",
        &[("username", "cq.admin"), ("password", "demo-cq-admin")],
    )
    .await;
    let page = b.get("/admin/calendar").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026"));
    let text = "year = 2027\nnotice = \"测试安排\"\n\n[[holidays]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\nworkdays = []\n";
    let r = b
        .post_form("/admin/calendar", &[("text", text), ("note", "页面导入")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已导入 2027 年"), "{}", r.body);
    let bad = b
        .post_form("/admin/calendar", &[("text", "year = 'x'"), ("note", "")])
        .await;
    assert!(bad.body.contains("error-box"));
    // A clerk may not import.
    let clerk = app.staff_token("cq.clerk").await;
    let r = app
        .post_json(
            "/api/v1/admin/calendar",
            Some(&clerk),
            json!({"text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let auditor = app.staff_token("cq.auditor").await;
    let found = app
        .call(
            "GET",
            "/api/v1/audit?action=calendar.import",
            Some(&auditor),
            None,
        )
        .await
        .json();
    assert_eq!(found["entries"].as_array().unwrap().len(), 1);
    assert_eq!(found["entries"][0]["actor_label"], "staff:cq.admin");
});

// Deleting the tail together with the head row leaves a chain that checks out by itself; a
// checkpoint kept outside the database (issue 16) catches it.
both_stores_with_demo!(a_checkpoint_catches_a_tail_deleted_with_its_head, |app| {
    app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    for n in 1..=2 {
        let r = app
            .post_json("/api/v1/admin/staff", Some(&admin), json!({"username": format!("cq.tail{n}"), "display_name":"审计测试","roles":["clerk"],"password":"Temp12345"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let before = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(before.ok);
    let checkpoint: yibao_service::audit::Checkpoint =
        format!("{}:{}", before.head_seq, before.head_hash)
            .parse()
            .unwrap();
    assert!(
        yibao_service::audit::verify_against(&app.services, Some(&checkpoint))
            .await
            .unwrap()
            .ok
    );

    // Remove the last two entries and rewind the head row to the entry before them.
    let keep = before.head_seq - 2;
    let mut tx = app.services.store().begin().await.unwrap();
    let rows = yibao_store::audit::page(&mut tx, keep - 1, 1)
        .await
        .unwrap();
    let kept_hash = rows[0].hash.clone();
    sqlx_exec(
        &mut tx,
        &format!("DELETE FROM audit_log WHERE chain = '' AND seq > {keep}"),
    )
    .await;
    sqlx_exec(
        &mut tx,
        &format!("UPDATE audit_head SET seq = {keep}, hash = '{kept_hash}' WHERE id = 1"),
    )
    .await;
    tx.commit().await.unwrap();
    let alone = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(
        alone.ok,
        "without a checkpoint the shortened chain looks whole"
    );
    let report = yibao_service::audit::verify_against(&app.services, Some(&checkpoint))
        .await
        .unwrap();
    assert!(!report.ok);
    let f = report.first_problem.unwrap();
    assert_eq!(f.seq, keep + 1);
    assert!(f.message.contains("截短"), "{}", f.message);
    assert!("12:xyz"
        .parse::<yibao_service::audit::Checkpoint>()
        .is_err());
});
