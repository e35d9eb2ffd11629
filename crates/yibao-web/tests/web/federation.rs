//! Federation between two instances on loopback (issue #18, docs/federation.md): peers, the
//! outbox and its delivery worker, the inbox — a peer that is down gets the message once it is
//! back, a duplicated delivery is applied once, a bad signature or an unknown sender is refused
//! with its code and kept.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;
use yibao_service::federation::{inbox, outbox, peers};
use yibao_service::signing::InstanceKey;

use crate::both_stores_pair;
use crate::common::pair::operator;

fn code<T>(r: Result<T, yibao_service::ServiceError>) -> Option<&'static str> {
    r.err().map(|e| e.code())
}

fn delivery(envelope: &str, signature: &str) -> serde_json::Value {
    json!({ "envelope": envelope, "signature": signature })
}

both_stores_pair!(
    a_ping_survives_the_peer_being_down_and_is_applied_once,
    demo = false,
    |cq, sc| {
        let now = cq.app.services.clock().now();
        sc.stop().await;
        let id = outbox::ping(&cq.app.services, &operator(), "510000")
            .await
            .unwrap();
        // The peer is down: the attempt fails and waits 5 s (first backoff).
        let round = cq.deliver(now).await;
        assert_eq!((round.delivered, round.failed), (0, 1));
        let row = outbox::status(&cq.app.services, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 1);
        assert!(row.delivered_at.is_none());
        assert!(row.last_error.contains("连接失败"), "{}", row.last_error);
        assert_eq!(
            cq.deliver(now + Duration::seconds(4)).await.delivered,
            0,
            "not due before its backoff"
        );
        // Down again at the second attempt: the wait doubles.
        assert_eq!(cq.deliver(now + Duration::seconds(5)).await.failed, 1);
        assert_eq!(cq.deliver(now + Duration::seconds(14)).await.failed, 0);
        let peers = peers::list(&cq.app.services).await.unwrap();
        assert_eq!(peers[0].pending, 1);
        // Back: delivered once, applied once.
        sc.restart().await;
        let round = cq.deliver(now + Duration::seconds(15)).await;
        assert_eq!((round.delivered, round.failed), (1, 0));
        assert_eq!(
            cq.deliver(now + Duration::hours(2)).await.delivered,
            0,
            "nothing left to send"
        );
        let row = outbox::status(&cq.app.services, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 3);
        assert!(row.delivered_at.is_some());
        let got = inbox::received(&sc.app.services, &id)
            .await
            .unwrap()
            .expect("received");
        assert_eq!(got.kind, "federation.ping");
        assert!(got.outcome.contains("连通检查"), "{}", got.outcome);

        // The same delivery again (a sender that never saw the first answer): accepted, not reapplied.
        let again = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                delivery(&row.envelope, &row.signature_hex),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json()["status"], "duplicate");
        let mut tx = sc.app.services.store().begin_read().await.unwrap();
        assert_eq!(
            yibao_store::federation::inbox_count(&mut tx).await.unwrap(),
            1
        );
        drop(tx);
        // The audit chain of the receiver records the one application.
        let audit = yibao_service::audit::verify(&sc.app.services)
            .await
            .unwrap();
        assert!(audit.ok);
    }
);

both_stores_pair!(
    bad_signatures_and_unknown_senders_are_refused_and_kept,
    demo = false,
    |cq, sc| {
        let id = outbox::ping(&cq.app.services, &operator(), "510000")
            .await
            .unwrap();
        let row = outbox::status(&cq.app.services, &id)
            .await
            .unwrap()
            .unwrap();
        let stranger = InstanceKey::generate();
        let ctx = |t: &str| yibao_domain::federation::signed_bytes(t);

        // Signed by a key that is not the peer's.
        let forged = stranger.sign_hex(&ctx(&row.envelope));
        let r = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                delivery(&row.envelope, &forged),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.json()["code"], "federation.bad_signature");

        // The peer's signature over other text (the body altered in transit).
        let altered = row.envelope.replace("连通检查", "伪造内容");
        assert_ne!(altered, row.envelope);
        let r = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                delivery(&altered, &row.signature_hex),
            )
            .await;
        assert_eq!(r.json()["code"], "federation.bad_signature");

        // From a region no peer serves.
        let mut env: serde_json::Value = serde_json::from_str(&row.envelope).unwrap();
        env["from_region"] = json!("440000");
        let text = env.to_string();
        let r = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                delivery(&text, &stranger.sign_hex(&ctx(&text))),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["code"], "federation.unknown_peer");

        // Not JSON at all.
        let r = sc
            .app
            .post_json("/api/v1/federation/inbox", None, delivery("garbage", "00"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "federation.bad_envelope");

        // Nothing was applied, every refusal is kept with its code.
        assert!(inbox::received(&sc.app.services, &id)
            .await
            .unwrap()
            .is_none());
        let codes: Vec<String> = inbox::refusals(&sc.app.services)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(
            codes,
            [
                "federation.bad_signature",
                "federation.bad_signature",
                "federation.unknown_peer",
                "federation.bad_envelope"
            ]
        );

        // The genuine one still goes through afterwards.
        let r = sc
            .app
            .post_json(
                "/api/v1/federation/inbox",
                None,
                delivery(&row.envelope, &row.signature_hex),
            )
            .await;
        assert_eq!(r.json()["status"], "applied", "{}", r.body);
    }
);

both_stores_pair!(
    two_workers_deliver_each_message_once,
    demo = false,
    |cq, sc| {
        let now = cq.app.services.clock().now();
        let mut ids = Vec::new();
        for _ in 0..6 {
            ids.push(
                outbox::ping(&cq.app.services, &operator(), "510000")
                    .await
                    .unwrap(),
            );
        }
        // Two workers on the one database at once (two processes of one installation).
        let (a, b) = tokio::join!(cq.deliver(now), cq.deliver(now));
        assert_eq!(a.delivered + b.delivered, 6, "{a:?} {b:?}");
        assert_eq!(a.failed + b.failed, 0);
        for id in &ids {
            assert!(inbox::received(&sc.app.services, id)
                .await
                .unwrap()
                .is_some());
        }
        // The answer back works the other way round too.
        let back = outbox::ping(&sc.app.services, &operator(), "500000")
            .await
            .unwrap();
        assert_eq!(sc.deliver(now).await.delivered, 1);
        assert!(inbox::received(&cq.app.services, &back)
            .await
            .unwrap()
            .is_some());
    }
);

both_stores!(peers_are_checked_listed_removed_and_audited, |app| {
    let services = &app.services;
    let other = InstanceKey::generate().public_hex();
    let add = |regions: &'static str, url: &'static str, key: String| async move {
        peers::add(
            services,
            &operator(),
            &peers::NewPeer {
                name: "四川",
                regions,
                base_url: url,
                public_key: &key,
            },
        )
        .await
    };
    assert_eq!(
        code(add("510000", "ftp://sc.example", other.clone()).await),
        Some("federation.bad_url")
    );
    assert_eq!(
        code(add("510000", "http://sc.example", "abc".into()).await),
        Some("federation.bad_public_key")
    );
    let own = services.instance_key().await.unwrap().public_hex();
    assert_eq!(
        code(add("510000", "http://sc.example", own).await),
        Some("federation.own_key")
    );
    assert_eq!(
        code(add("", "http://sc.example", other.clone()).await),
        Some("federation.no_region")
    );
    let p = add("510000,510100", "http://sc.example:8080/", other.clone())
        .await
        .unwrap();
    assert_eq!(p.base_url, "http://sc.example:8080");
    assert_eq!(
        code(
            add(
                "510100",
                "http://x.example",
                InstanceKey::generate().public_hex()
            )
            .await
        ),
        Some("federation.region_taken")
    );
    assert_eq!(
        code(add("520000", "http://x.example", other.clone()).await),
        Some("federation.peer_exists")
    );
    assert_eq!(peers::list(services).await.unwrap().len(), 1);
    // Sending needs this installation's own region first.
    assert_eq!(
        code(outbox::ping(services, &operator(), "510000").await),
        Some("federation.no_identity")
    );
    peers::set_identity(services, &operator(), "500000", "重庆")
        .await
        .unwrap();
    assert_eq!(
        code(outbox::ping(services, &operator(), "440000").await),
        Some("federation.no_peer_for_region")
    );
    peers::remove(services, &operator(), p.id).await.unwrap();
    assert!(peers::list(services).await.unwrap().is_empty());
    assert_eq!(
        code(peers::remove(services, &operator(), p.id).await),
        Some("federation.no_peer")
    );
    // Re-adding after removal is allowed (the old row is kept).
    add("510000", "http://sc.example", other).await.unwrap();
    let info = peers::key_info(services).await.unwrap();
    assert_eq!(info.region_code.as_deref(), Some("500000"));
    let mut tx = services.store().begin_read().await.unwrap();
    for (action, n) in [
        ("federation.peer_add", 2),
        ("federation.peer_remove", 1),
        ("federation.identity", 1),
    ] {
        let filter = yibao_store::audit::AuditFilter {
            action: action.into(),
            ..Default::default()
        };
        let found = yibao_store::audit::search(
            &mut tx,
            &filter,
            None,
            yibao_store::search::Window {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
        assert_eq!(found.total, n, "{action}");
    }
    drop(tx);
    assert!(yibao_service::audit::verify(services).await.unwrap().ok);
});
