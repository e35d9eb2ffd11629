//! 通办 across two instances on loopback (issue #18): 重庆's window receives a 城乡居民参保登记
//! for 刘芳, insured in 成都 (served by no agency of the 重庆 installation, by its peer 四川);
//! accepting it forwards the case with its form and material bytes to 四川 (down at first),
//! whose case engine decides it; each status there comes back to the window's case, an older
//! one arriving late changes nothing. A duplicated delivery is applied once; a material whose
//! bytes do not match their SHA-256, and a sender that is no peer, are refused.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use serde_json::{json, Value};
use yibao_domain::federation::signed_bytes;
use yibao_domain::staff::StaffRole;
use yibao_service::federation::Envelope;
use yibao_service::identity::{Actor, StaffActor};
use yibao_service::signing::InstanceKey;

use crate::both_stores_pair;
use crate::common::pair::{operator, Instance};
use crate::common::{Reply, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";

/// The 重庆 installation as it would be on its own: one agency (the 川渝通办 window of the
/// municipal centre), no 四川 agency; a clerk with a changed password and a token.
async fn chongqing_window(app: &TestApp) -> String {
    use yibao_service::setup;
    let agency_id = setup::add_agency(
        &app.services,
        &operator(),
        &setup::NewAgencyInput {
            code: "500000",
            name: "重庆市医疗保障事务中心",
            level: "province",
            region_code: "500000",
            address: "",
            phone: "",
            hours: "",
        },
    )
    .await
    .unwrap();
    let first = "Tongban-first-2026";
    let id = setup::add_staff(
        &app.services,
        &operator(),
        "500000",
        "cqw.clerk",
        "窗口受理员",
        &["clerk".to_string(), "reviewer".to_string()],
        first,
    )
    .await
    .unwrap();
    let actor = Actor::Staff(StaffActor {
        id,
        username: "cqw.clerk".into(),
        display_name: "窗口受理员".into(),
        agency_id,
        agency_name: "重庆市医疗保障事务中心".into(),
        agency_region: "500000".parse().unwrap(),
        roles: vec![StaffRole::Clerk, StaffRole::Reviewer],
        must_change_password: true,
    });
    let password = "Tongban-window-2026";
    yibao_service::identity::change_password(&app.services, &actor, first, password)
        .await
        .unwrap();
    app.token(json!({"kind": "staff", "username": "cqw.clerk", "password": password}))
        .await
}

async fn upload_pdf(app: &TestApp, token: &str, number: &str) -> Reply {
    let boundary = "yibaoBOUNDARY";
    let mut body = Vec::new();
    for (k, v) in [("material_id", "id_document"), ("provided_as", "upload")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"id.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(PDF);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/api/v1/cases/{number}/materials"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn act(app: &TestApp, token: &str, number: &str, action: &str, note: &str) -> Reply {
    app.post_json(
        &format!("/api/v1/cases/{number}/actions/{action}"),
        Some(token),
        json!({ "note": note }),
    )
    .await
}

async fn view(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app
        .call("GET", &format!("/api/v1/cases/{number}"), Some(token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["view"].clone()
}

/// 刘芳 (成都) at 重庆's window: a case opened, its ID document uploaded, submitted and
/// accepted — which forwards it. Returns the window's case number.
async fn forwarded_case(cq: &Instance, clerk: &str, id_number: &str) -> String {
    let r = cq
        .app
        .post_json(
            "/api/v1/cases",
            Some(clerk),
            json!({"jurisdiction":"chuanyu","item":"03","channel":"window",
                   "form": {"name":"演示·刘芳"},
                   "applicant": {"id_number": id_number, "name": "演示·刘芳"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.json()["case"]["number"].as_str().unwrap().to_string();
    assert!(
        number.starts_with("500000-"),
        "the window numbers it: {number}"
    );
    let v = view(&cq.app, clerk, &number).await;
    assert_eq!(v["peer_link"]["direction"], "forwarded", "{v}");
    assert!(
        v["peer_link"]["text"]
            .as_str()
            .unwrap()
            .contains("受理后将转四川"),
        "{v}"
    );
    let r = upload_pdf(&cq.app, clerk, &number).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        act(&cq.app, clerk, &number, "submit", "").await.status,
        StatusCode::OK
    );
    let r = act(&cq.app, clerk, &number, "accept", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    number
}

async fn sent(
    services: &yibao_service::Services,
    kind: &str,
) -> Vec<yibao_store::federation::OutboxRow> {
    let mut tx = services.store().begin_read().await.unwrap();
    yibao_store::federation::outbox_of_kind(&mut tx, kind)
        .await
        .unwrap()
}

async fn post(app: &TestApp, envelope: &str, signature: &str) -> Reply {
    app.post_json(
        "/api/v1/federation/inbox",
        None,
        json!({"envelope": envelope, "signature": signature}),
    )
    .await
}

/// `envelope` with a new message id and `body`, signed with `key`.
fn resigned(
    envelope: &str,
    key: &InstanceKey,
    id: &str,
    edit: impl FnOnce(&mut Envelope),
) -> (String, String) {
    let mut e: Envelope = serde_json::from_str(envelope).unwrap();
    e.message_id = format!("{id:0>32}");
    edit(&mut e);
    let text = serde_json::to_string(&e).unwrap();
    let sig = key.sign_hex(&signed_bytes(&text));
    (text, sig)
}

/// Cases the 四川 side created from forwarded messages.
async fn received_cases(services: &yibao_service::Services) -> Vec<yibao_service::cases::CaseRow> {
    let mut tx = services.store().begin_read().await.unwrap();
    yibao_store::cases::list_all(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.created_by.starts_with("system:peer:"))
        .collect()
}

both_stores_pair!(
    a_forwarded_case_is_decided_at_the_peer_and_its_status_comes_back,
    demo = false,
    |cq, sc| {
        let now = cq.app.services.clock().now();
        let demo = sc.app.demo().await;
        let liu = demo
            .citizens
            .iter()
            .find(|c| c.name == "演示·刘芳")
            .unwrap();
        let clerk = chongqing_window(&cq.app).await;

        // 四川 is down when the window accepts: the case waits in 重庆's outbox.
        sc.stop().await;
        let number = forwarded_case(cq, &clerk, &liu.login).await;
        let v = view(&cq.app, &clerk, &number).await;
        assert_eq!(v["status_label"], "已转异地办理");
        let queue = cq
            .app
            .call("GET", "/api/v1/cases", Some(&clerk), None)
            .await;
        assert!(
            queue.body.contains("已转异地办理"),
            "the window's list says so too: {}",
            queue.body
        );
        // Accepted Sunday 22 Nov, the same-day window limit after 4 working days of transit
        // (seed 000), exactly as a case received and decided within one instance.
        assert_eq!(v["case"]["deadline"], "2026-11-26");
        assert_eq!(v["pauses"][0]["reason"], "transit");
        assert!(
            v["actions"].as_array().unwrap().is_empty(),
            "{}",
            v["actions"]
        );
        // The window (a reviewer too) does not decide it.
        let r = act(&cq.app, &clerk, &number, "approve", "").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["code"], "case.decided_elsewhere");
        assert_eq!(cq.deliver(now).await.failed, 1);
        sc.restart().await;
        let round = cq.deliver(now + Duration::seconds(5)).await;
        assert_eq!(
            round.delivered,
            1,
            "{:?}",
            sent(&cq.app.services, "case.forwarded").await
        );

        // 四川 decides it as its own case, accepted on the window's day, with the bytes.
        let here = received_cases(&sc.app.services).await;
        assert_eq!(here.len(), 1);
        let sc_number = here[0].number.clone();
        assert!(sc_number.starts_with("510100-"), "{sc_number}");
        let reviewer = sc.app.staff_token("chengdu.reviewer").await;
        let w = view(&sc.app, &reviewer, &sc_number).await;
        assert_eq!(w["case"]["status"], "accepted");
        assert_eq!(w["case"]["accepted_on"], "2026-11-22");
        assert_eq!(w["case"]["deadline"], "2026-11-26");
        assert_eq!(w["pauses"][0]["reason"], "transit");
        assert_eq!(w["peer_link"]["direction"], "received");
        assert_eq!(w["peer_link"]["other_number"], number.as_str());
        assert!(
            w["peer_link"]["text"].as_str().unwrap().contains("重庆"),
            "{w}"
        );
        let pdf = w["materials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["material_id"] == "id_document")
            .unwrap()
            .clone();
        assert_eq!(pdf["size_bytes"], PDF.len());
        let got = sc
            .app
            .call(
                "GET",
                &format!("/api/v1/cases/{sc_number}/materials/{}", pdf["id"]),
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.bytes, PDF);
        // Nothing missing: the form stands for the 登记表, as at the window.
        assert!(
            w["missing"].as_array().unwrap().is_empty(),
            "{}",
            w["missing"]
        );

        // The delivery answered but the answer lost: sent again, applied once.
        let forwarded = sent(&cq.app.services, "case.forwarded").await;
        assert_eq!(forwarded.len(), 1);
        let again = post(&sc.app, &forwarded[0].envelope, &forwarded[0].signature_hex).await;
        assert_eq!(again.json()["status"], "duplicate", "{}", again.body);
        assert_eq!(received_cases(&sc.app.services).await.len(), 1);

        // The first report (accepted, with 四川's number) reaches the window.
        assert_eq!(sc.deliver(now).await.delivered, 1);
        let v = view(&cq.app, &clerk, &number).await;
        assert_eq!(v["peer_link"]["other_number"], sc_number.as_str());
        assert_eq!(v["peer_link"]["remote_status_label"], "已受理审核中");

        // 四川's reviewer approves: the resident is enrolled there; 办结 travels back.
        let r = act(&sc.app, &reviewer, &sc_number, "approve", "").await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        assert_eq!(sc.deliver(now).await.delivered, 1);
        let v = view(&cq.app, &clerk, &number).await;
        assert_eq!(v["case"]["status"], "completed");
        assert_eq!(v["status_label"], "已办结");
        assert!(v["case"]["completed_at"].is_string());
        let last = v["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "approve");
        assert_eq!(last["actor_label"], "system:peer:四川");
        let page = cq
            .app
            .call("GET", &format!("/cases/{number}"), Some(&clerk), None)
            .await;
        assert!(
            page.body
                .contains(&format!("参保地办件号 {sc_number}，最新状态：已办结")),
            "{}",
            page.body
        );

        // An older report arriving after the newer one (a retry overtaking it) changes nothing.
        let reports = sent(&sc.app.services, "case.status").await;
        assert_eq!(reports.len(), 2);
        let key = sc.app.services.instance_key().await.unwrap();
        let (late, sig) = resigned(&reports[0].envelope, key, "a1", |_| {});
        let r = post(&cq.app, &late, &sig).await;
        assert_eq!(r.json()["status"], "applied", "{}", r.body);
        let v = view(&cq.app, &clerk, &number).await;
        assert_eq!(v["case"]["status"], "completed");
        assert_eq!(v["peer_link"]["remote_status_label"], "已办结");
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

both_stores_pair!(
    a_tampered_material_and_a_stranger_are_refused,
    demo = false,
    |cq, sc| {
        let now = cq.app.services.clock().now();
        let demo = sc.app.demo().await;
        let liu = demo
            .citizens
            .iter()
            .find(|c| c.name == "演示·刘芳")
            .unwrap();
        let clerk = chongqing_window(&cq.app).await;
        sc.stop().await;
        forwarded_case(cq, &clerk, &liu.login).await;
        let genuine = sent(&cq.app.services, "case.forwarded").await.remove(0);

        // The same case whose PDF's bytes no longer match their SHA-256, signed by 重庆.
        let key = cq.app.services.instance_key().await.unwrap();
        let (tampered, sig) = resigned(&genuine.envelope, key, "b1", |e| {
            for m in e.body["materials"].as_array_mut().unwrap() {
                if m["content_base64"].is_string() {
                    m["content_base64"] = json!("JVBERi0xLjcKJSVFT0YK");
                }
            }
        });
        sc.restart().await;
        let r = post(&sc.app, &tampered, &sig).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "case.material_digest");
        assert!(received_cases(&sc.app.services).await.is_empty());

        // A sender that is no peer of 四川's (another region, its own key): refused and kept.
        let stranger = InstanceKey::generate();
        let (foreign, sig) = resigned(&genuine.envelope, &stranger, "b2", |e| {
            e.from_region = "440000".into();
        });
        let r = post(&sc.app, &foreign, &sig).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["code"], "federation.unknown_peer");
        assert!(received_cases(&sc.app.services).await.is_empty());
        let refusals = yibao_service::federation::inbox::refusals(&sc.app.services)
            .await
            .unwrap();
        assert!(refusals.iter().any(|r| r.code == "federation.unknown_peer"));

        // The genuine message still applies.
        let round = cq.deliver(now + Duration::seconds(5)).await;
        assert_eq!(
            round.delivered,
            1,
            "{:?}",
            sent(&cq.app.services, "case.forwarded").await
        );
        assert_eq!(received_cases(&sc.app.services).await.len(), 1);

        // Without a peer serving 成都 the window cannot take the case at all.
        let peer = yibao_service::federation::peers::list(&cq.app.services)
            .await
            .unwrap()
            .remove(0);
        yibao_service::federation::peers::remove(&cq.app.services, &operator(), peer.id)
            .await
            .unwrap();
        let r = cq
            .app
            .post_json(
                "/api/v1/cases",
                Some(&clerk),
                json!({"jurisdiction":"chuanyu","item":"03","channel":"window",
                       "form": {"name":"演示·刘芳"},
                       "applicant": {"id_number": liu.login, "name": "演示·刘芳"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "case.no_agency");
    }
);
