//! A transfer (转移接续) across two instances on loopback (issue #18): 重庆 (leaving) issues
//! the 参保凭证, 四川 (joining) accepts the application and sends the 联系函 while 重庆 is down,
//! 重庆 answers with the 信息表 and the account balance (delivered twice), 四川 completes. The
//! balance leaves one ledger and enters the other exactly once; coverage ends on one side and
//! the months are carried to the other; each side's owed steps and their limits are listed.

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use yibao_domain::account::{AccountStatus, EntryKind};
use yibao_domain::transfer::Side;
use yibao_domain::Fen;
use yibao_service::transfer;

use crate::both_stores_pair;
use crate::common::pair::operator;

async fn balance(services: &yibao_service::Services, id: &str) -> i64 {
    yibao_service::settlement::accumulators(services, id, 2026)
        .await
        .unwrap()
        .account_balance
        .fen()
}

async fn credit(services: &yibao_service::Services, id: &str, fen: i64) {
    let mut tx = services.store().begin().await.unwrap();
    let now = services.clock().now_text();
    yibao_service::account::post_entry(
        &mut tx,
        AccountStatus::Open,
        &yibao_service::account::Posting {
            person: id,
            year: 2026,
            kind: EntryKind::Credit,
            amount: Fen(fen),
            reference: "test",
            note: "测试划入",
            created_by: "test",
            now: &now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

both_stores_pair!(
    a_transfer_crosses_two_instances_with_the_link_cut,
    demo = true,
    |cq, sc| {
        let now = cq.app.services.clock().now();
        let demo = cq.app.demo().await;
        let wang = demo
            .citizens
            .iter()
            .find(|c| c.name == "演示·王建国")
            .unwrap();
        let id = wang.login.clone();
        credit(&cq.app.services, &id, 123_456).await;
        let cq_before = balance(&cq.app.services, &id).await;
        let sc_before = balance(&sc.app.services, &id).await;
        assert!(cq_before >= 123_456);

        // 重庆 issues the 参保凭证 with its verification code (checkable at /verify).
        let cert = transfer::certificate(&cq.app.services, &operator(), &id)
            .await
            .unwrap();
        assert_eq!(cert.title, "基本医疗保险参保凭证");
        let code = cert.verification_code.clone().unwrap();
        let verify = cq.app.get(&format!("/verify?code={code}")).await;
        assert_eq!(verify.status, StatusCode::OK);
        assert!(verify.body.contains("参保凭证"), "{}", verify.body);

        // 四川 accepts a complete application: the 联系函 is owed within 5 working days
        // (Sunday 2026-11-22 → Friday 2026-11-27).
        let t = transfer::apply(
            &sc.app.services,
            &operator(),
            &transfer::Application {
                id_number: &id,
                name: &wang.name,
                from_region: "500000",
                certificate_code: &code,
            },
        )
        .await
        .unwrap();
        let owed = transfer::owed(&sc.app.services, &operator()).await.unwrap();
        assert_eq!(owed.len(), 1);
        assert_eq!(
            (owed[0].step, owed[0].due_on.as_str(), owed[0].overdue),
            ("发出《联系函》", "2026-11-27", false)
        );
        let late = sc
            .app
            .later(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
        let owed_late = transfer::owed(&late.services, &operator()).await.unwrap();
        assert!(
            owed_late[0].overdue,
            "the supervisor sees the letter overdue after the 27th"
        );

        // 重庆 is down when the letter goes out; it arrives once 重庆 is back.
        cq.stop().await;
        transfer::send_letter(&sc.app.services, &operator(), &t.reference)
            .await
            .unwrap();
        assert!(transfer::owed(&sc.app.services, &operator())
            .await
            .unwrap()
            .is_empty());
        assert_eq!(sc.deliver(now).await.failed, 1);
        cq.restart().await;
        assert_eq!(sc.deliver(now + Duration::seconds(5)).await.delivered, 1);
        let leaving = transfer::get(&cq.app.services, Side::Leaving, &t.reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(leaving.status, transfer::LETTER_RECEIVED);
        // The 信息表 is owed by 重庆 within 10 working days (→ 2026-12-04).
        let owed = transfer::owed(&cq.app.services, &operator()).await.unwrap();
        assert_eq!(
            (owed[0].step, owed[0].due_on.as_str()),
            ("发出《信息表》并划转个人账户余额", "2026-12-04")
        );

        // 重庆 sends the sheet: the balance leaves its ledger and its coverage ends, at once.
        transfer::send_sheet(&cq.app.services, &operator(), &t.reference)
            .await
            .unwrap();
        assert_eq!(balance(&cq.app.services, &id).await, 0);
        let mut tx = cq.app.services.store().begin_read().await.unwrap();
        assert!(
            yibao_store::coverage::active_for_id_number(&mut tx, &id)
                .await
                .unwrap()
                .is_none(),
            "coverage ended on the leaving side"
        );
        drop(tx);
        // Not yet on the other side: nothing delivered.
        assert_eq!(balance(&sc.app.services, &id).await, sc_before);
        assert_eq!(cq.deliver(now).await.delivered, 1);
        assert_eq!(balance(&sc.app.services, &id).await, sc_before + cq_before);
        // The sheet delivered a second time (the answer was lost): not credited again.
        let sent = sheet_message(&cq.app.services).await;
        let again = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                json!({"envelope": sent.envelope, "signature": sent.signature_hex}),
            )
            .await;
        assert_eq!(again.json()["status"], "duplicate", "{}", again.body);
        assert_eq!(balance(&sc.app.services, &id).await, sc_before + cq_before);
        let joining = transfer::get(&sc.app.services, Side::Joining, &t.reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(joining.status, transfer::SHEET_RECEIVED);
        assert_eq!(joining.balance_fen, cq_before);
        assert!(joining.covered_months >= 11, "{}", joining.covered_months);
        let owed = transfer::owed(&sc.app.services, &operator()).await.unwrap();
        assert_eq!(
            (owed[0].step, owed[0].due_on.as_str()),
            ("完成转入", "2026-11-27")
        );

        // 四川 completes: the months are carried into its record; 重庆 hears of it.
        transfer::complete(&sc.app.services, &operator(), &t.reference)
            .await
            .unwrap();
        assert_eq!(sc.deliver(now).await.delivered, 1);
        let leaving = transfer::get(&cq.app.services, Side::Leaving, &t.reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(leaving.status, transfer::COMPLETED);
        assert!(transfer::owed(&cq.app.services, &operator())
            .await
            .unwrap()
            .is_empty());
        assert!(transfer::owed(&sc.app.services, &operator())
            .await
            .unwrap()
            .is_empty());
        let mut tx = sc.app.services.store().begin_read().await.unwrap();
        let person = yibao_store::enrolment::find_person(&mut tx, &id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let carried: Vec<_> = yibao_store::coverage::list_for_person(&mut tx, person.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.case_number.as_deref() == Some(t.reference.as_str()))
            .collect();
        drop(tx);
        assert!(!carried.is_empty());
        assert!(
            carried
                .iter()
                .any(|c| c.region_code == "500119" && c.end_date.as_deref() == Some("2026-11-22")),
            "{carried:?}"
        );
        // A step done twice is refused, not repeated.
        let again = transfer::send_sheet(&cq.app.services, &operator(), &t.reference).await;
        assert_eq!(again.err().map(|e| e.code()), Some("transfer.wrong_status"));
        assert_eq!(balance(&cq.app.services, &id).await, 0);
        // Both audit chains hold.
        assert!(
            yibao_service::audit::verify(&cq.app.services)
                .await
                .unwrap()
                .ok
        );
        assert!(
            yibao_service::audit::verify(&sc.app.services)
                .await
                .unwrap()
                .ok
        );
    }
);

async fn sheet_message(services: &yibao_service::Services) -> yibao_store::federation::OutboxRow {
    let mut tx = services.store().begin_read().await.unwrap();
    let rows = yibao_store::federation::outbox_of_kind(&mut tx, "transfer.information_sheet")
        .await
        .unwrap();
    rows.into_iter().next().unwrap()
}

// The same transfer as a citizen and a clerk meet it (issue #18): 出具《参保凭证》 (重庆 item
// 18, 即办件) and 转移接续 (重庆 item 19, seed 003) are applied for at the window through the
// case engine like every other item; completing the 转移接续 case at the joining side records
// the transfer and sends the 联系函; the other steps are driven from `/staff/transfers` and
// the API, each listed with its working-day limit on the side that owes it.
both_stores_pair!(
    a_transfer_through_the_case_engine_pages_and_api,
    demo = true,
    |cq, sc| {
        use crate::common::journey::{drive, outcome, window};
        let now = cq.app.services.clock().now();
        let demo = cq.app.demo().await;
        let wang = demo
            .citizens
            .iter()
            .find(|c| c.name == "演示·王建国")
            .unwrap();
        let id = wang.login.clone();
        credit(&cq.app.services, &id, 50_000).await;
        let cq_before = balance(&cq.app.services, &id).await;
        let sc_before = balance(&sc.app.services, &id).await;

        // 重庆: the certificate is a case; its outcome names the verification code.
        let cq_clerk = cq.app.staff_token("nanchuan.clerk").await;
        let n = window(
            &cq.app,
            &cq_clerk,
            json!({"jurisdiction": "chongqing", "item": "18", "channel": "window",
                   "applicant": {"id_number": id, "name": wang.name}, "form": {}}),
        )
        .await;
        let cq_reviewer = cq.app.staff_token("nanchuan.reviewer").await;
        let r = drive(&cq.app, &cq_clerk, Some(&cq_reviewer), &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = outcome(&cq.app, &cq_clerk, &n).await;
        assert_eq!(out["effect"], "transfer.certificate", "{out}");
        let code = out["verification_code"].as_str().unwrap().to_string();
        assert!(out["text"].as_str().unwrap().contains(&code));
        assert_eq!(out["certificate"]["title"], "基本医疗保险参保凭证");
        let verify = cq.app.get(&format!("/verify?code={code}")).await;
        assert_eq!(verify.status, StatusCode::OK);
        assert!(verify.body.contains("参保凭证"), "{}", verify.body);

        // 四川: a form with a code of the wrong shape is refused when the case is opened.
        let sc_clerk = sc.app.staff_token("nanchuan.clerk").await;
        let sc_reviewer = sc.app.staff_token("nanchuan.reviewer").await;
        let bad = sc
            .app
            .post_json(
                "/api/v1/cases",
                Some(&sc_clerk),
                json!({"jurisdiction": "chongqing", "item": "19", "channel": "window",
                       "applicant": {"id_number": id, "name": wang.name},
                       "form": {"from_region": "500000", "certificate_code": "123"}}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(
            bad.json()["details"]["errors"][0]["field"],
            "certificate_code"
        );
        // The application through the case engine: completing it sends the letter.
        let n = window(
            &sc.app,
            &sc_clerk,
            json!({"jurisdiction": "chongqing", "item": "19", "channel": "window",
                   "applicant": {"id_number": id, "name": wang.name},
                   "form": {"from_region": "500000", "certificate_code": code}}),
        )
        .await;
        let r = drive(&sc.app, &sc_clerk, Some(&sc_reviewer), &n).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = outcome(&sc.app, &sc_clerk, &n).await;
        assert_eq!(out["effect"], "transfer.apply", "{out}");
        let reference = out["reference"].as_str().unwrap().to_string();
        let joining = transfer::get(&sc.app.services, Side::Joining, &reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(joining.status, transfer::LETTER_SENT);
        assert_eq!(sc.deliver(now).await.delivered, 1);

        // 重庆 owes the sheet (10 working days → 2026-12-04), listed by the API.
        let list = cq
            .app
            .call("GET", "/api/v1/transfers", Some(&cq_clerk), None)
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let t = &list.json()["transfers"][0];
        assert_eq!(
            (
                t["side_key"].as_str(),
                t["owed_step"].as_str(),
                t["due_on"].as_str()
            ),
            (Some("leaving"), Some("sheet"), Some("2026-12-04")),
            "{t}"
        );
        // Citizens do not see the agency's transfers.
        let citizen = cq
            .app
            .token(json!({"kind": "citizen", "id_number": id, "password": wang.password}))
            .await;
        let denied = cq
            .app
            .call("GET", "/api/v1/transfers", Some(&citizen), None)
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
        // The joining side cannot do the leaving side's step.
        let wrong = sc
            .app
            .post_json(
                &format!("/api/v1/transfers/{reference}/steps/sheet"),
                Some(&sc_clerk),
                json!({}),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);

        // The clerk at 重庆 sends the sheet from the page.
        let mut b = cq.app.browser();
        b.get("/login").await;
        b.post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.clerk"),
                ("password", "demo-nanchuan-clerk"),
            ],
        )
        .await;
        let page = b.get("/staff/transfers").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("step-sheet"), "{}", page.body);
        assert!(page.body.contains("2026-12-04"));
        let r = b
            .post_form(&format!("/staff/transfers/{reference}/sheet"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(balance(&cq.app.services, &id).await, 0);
        // Again from the page: refused with the reason, nothing moves twice.
        let again = b
            .post_form(&format!("/staff/transfers/{reference}/sheet"), &[])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("不能办理此步骤"), "{}", again.body);
        assert_eq!(cq.deliver(now).await.delivered, 1);
        assert_eq!(balance(&sc.app.services, &id).await, sc_before + cq_before);

        // 四川 completes through the API (5 working days from receiving the sheet).
        let one = sc
            .app
            .call(
                "GET",
                &format!("/api/v1/transfers/{reference}"),
                Some(&sc_clerk),
                None,
            )
            .await;
        assert_eq!(one.json()["owed_step"], "completion", "{}", one.body);
        assert_eq!(one.json()["due_on"], "2026-11-27", "{}", one.body);
        let done = sc
            .app
            .post_json(
                &format!("/api/v1/transfers/{reference}/steps/completion"),
                Some(&sc_clerk),
                json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["status"], "completed");
        assert!(done.json()["owed_step"].is_null());
        assert_eq!(sc.deliver(now).await.delivered, 1);
        let leaving = transfer::get(&cq.app.services, Side::Leaving, &reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(leaving.status, transfer::COMPLETED);
    }
);

async fn outbox_message(
    services: &yibao_service::Services,
    kind: &str,
) -> yibao_store::federation::OutboxRow {
    let mut tx = services.store().begin_read().await.unwrap();
    let rows = yibao_store::federation::outbox_of_kind(&mut tx, kind)
        .await
        .unwrap();
    rows.into_iter().next().unwrap()
}

// A 联系函 quoting a 参保凭证 the leaving side issued for someone else: the letter is applied
// (retrying it could never succeed) as a refusal, and `transfer.refused` goes back — across a
// cut link, delivered twice, a forged copy refused; nothing moves and nothing stays owed.
both_stores_pair!(
    a_letter_with_someone_elses_certificate_is_refused_back,
    demo = true,
    |cq, sc| {
        use yibao_service::signing::InstanceKey;
        let now = cq.app.services.clock().now();
        let demo = cq.app.demo().await;
        let find = |n: &str| demo.citizens.iter().find(|c| c.name == n).unwrap().clone();
        let (wang, li) = (find("演示·王建国"), find("演示·李秀英"));
        credit(&cq.app.services, &wang.login, 7_000).await;
        let cq_before = balance(&cq.app.services, &wang.login).await;
        let sc_before = balance(&sc.app.services, &wang.login).await;
        let cert = transfer::certificate(&cq.app.services, &operator(), &li.login)
            .await
            .unwrap();
        let code = cert.verification_code.unwrap();
        let t = transfer::apply(
            &sc.app.services,
            &operator(),
            &transfer::Application {
                id_number: &wang.login,
                name: &wang.name,
                from_region: "500000",
                certificate_code: &code,
            },
        )
        .await
        .unwrap();
        transfer::send_letter(&sc.app.services, &operator(), &t.reference)
            .await
            .unwrap();
        // The link is cut when the letter goes; it arrives once 重庆 is back, and is applied.
        cq.stop().await;
        assert_eq!(sc.deliver(now).await.failed, 1);
        cq.restart().await;
        assert_eq!(sc.deliver(now + Duration::seconds(5)).await.delivered, 1);
        let leaving = transfer::get(&cq.app.services, Side::Leaving, &t.reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(leaving.status, transfer::REFUSED);
        assert!(leaving.refusal_reason.is_some());
        assert!(transfer::owed(&cq.app.services, &operator())
            .await
            .unwrap()
            .is_empty());

        // A forged refusal: the text altered, or signed by a stranger's key — refused, kept.
        let sent = outbox_message(&cq.app.services, "transfer.refused").await;
        assert!(sent.envelope.contains("transfer.certificate_mismatch"));
        let refused_before = yibao_service::federation::inbox::refusals(&sc.app.services)
            .await
            .unwrap()
            .len();
        let altered = sent.envelope.replace("请核对参保凭证", "请直接办结");
        assert_ne!(altered, sent.envelope);
        let stranger = InstanceKey::generate();
        for (envelope, signature) in [
            (altered.clone(), sent.signature_hex.clone()),
            (
                sent.envelope.clone(),
                stranger.sign_hex(&yibao_domain::federation::signed_bytes(&sent.envelope)),
            ),
        ] {
            let r = sc
                .app
                .post_json(
                    "/api/v1/federation/inbox",
                    None,
                    json!({"envelope": envelope, "signature": signature}),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
            assert_eq!(r.json()["code"], "federation.bad_signature");
        }
        assert_eq!(
            yibao_service::federation::inbox::refusals(&sc.app.services)
                .await
                .unwrap()
                .len(),
            refused_before + 2
        );
        let joining = transfer::get(&sc.app.services, Side::Joining, &t.reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            joining.status,
            transfer::LETTER_SENT,
            "forgeries changed nothing"
        );

        // The genuine refusal, delivered by the worker and then once more.
        assert_eq!(cq.deliver(now).await.delivered, 1);
        let again = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                json!({"envelope": sent.envelope, "signature": sent.signature_hex}),
            )
            .await;
        assert_eq!(again.json()["status"], "duplicate", "{}", again.body);
        let clerk = sc.app.staff_token("nanchuan.clerk").await;
        let v = sc
            .app
            .call(
                "GET",
                &format!("/api/v1/transfers/{}", t.reference),
                Some(&clerk),
                None,
            )
            .await
            .json();
        assert_eq!(v["status"], "refused", "{v}");
        assert!(v["owed_step"].is_null());
        assert!(v["refusal_reason"]
            .as_str()
            .unwrap()
            .contains("transfer.certificate_mismatch"));
        assert!(transfer::owed(&sc.app.services, &operator())
            .await
            .unwrap()
            .is_empty());
        // Nothing moved; the leaving side cannot send a sheet on a refused transfer.
        let sheet = transfer::send_sheet(&cq.app.services, &operator(), &t.reference).await;
        assert_eq!(sheet.err().map(|e| e.code()), Some("transfer.wrong_status"));
        assert_eq!(balance(&cq.app.services, &wang.login).await, cq_before);
        assert_eq!(balance(&sc.app.services, &wang.login).await, sc_before);
        assert!(
            yibao_service::audit::verify(&sc.app.services)
                .await
                .unwrap()
                .ok
        );
    }
);
