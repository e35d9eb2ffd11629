use super::*;
use crate::Coded;

#[test]
fn kinds_parse_only_at_their_version() {
    for k in MessageKind::ALL {
        assert_eq!(MessageKind::parse(k.key(), k.version()), Ok(k));
        assert_eq!(
            MessageKind::parse(k.key(), k.version() + 1).map_err(|e| e.code()),
            Err("federation.unknown_version")
        );
    }
    assert_eq!(
        MessageKind::parse("transfer.nonsense", 1).map_err(|e| e.code()),
        Err("federation.unknown_kind")
    );
}

#[test]
fn signed_bytes_carry_the_context_and_the_exact_text() {
    let a = signed_bytes("{\"a\":1}");
    assert!(a.starts_with(b"yibao-federation-message/1\n"));
    assert!(a.ends_with(b"{\"a\":1}"));
    assert_ne!(a, signed_bytes("{\"a\": 1}"));
}

#[test]
fn retries_back_off_exponentially_up_to_an_hour() {
    assert_eq!(retry_after_seconds(0), 5);
    assert_eq!(retry_after_seconds(1), 5);
    assert_eq!(retry_after_seconds(2), 10);
    assert_eq!(retry_after_seconds(3), 20);
    assert_eq!(retry_after_seconds(10), 2560);
    assert_eq!(retry_after_seconds(11), 3600);
    assert_eq!(retry_after_seconds(i64::MAX), 3600);
}

#[test]
fn base_urls() {
    assert_eq!(
        parse_base_url(" http://127.0.0.1:8081/ "),
        Ok("http://127.0.0.1:8081".to_string())
    );
    assert_eq!(
        parse_base_url("http://yibao.cq.example/fed"),
        Ok("http://yibao.cq.example/fed".to_string())
    );
    assert_eq!(
        parse_base_url("https://sc.example:8443/yibao/"),
        Ok("https://sc.example:8443/yibao".to_string())
    );
    assert_eq!(parse_base_url("https://"), Err(FederationError::BadUrl));
    assert_eq!(parse_base_url("httpss://x"), Err(FederationError::BadUrl));
    assert_eq!(parse_base_url("ftp://x"), Err(FederationError::BadUrl));
    assert_eq!(parse_base_url("http://"), Err(FederationError::BadUrl));
    assert_eq!(parse_base_url("http://a b"), Err(FederationError::BadUrl));
}

#[test]
fn regions() {
    let r = parse_regions("500000, 500119，500000").unwrap();
    assert_eq!(
        r.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["500000", "500119"]
    );
    assert_eq!(parse_regions(" , "), Err(FederationError::NoRegion));
    assert_eq!(
        parse_regions("500000,990000").map_err(|e| e.code()),
        Err("federation.bad_region")
    );
}
