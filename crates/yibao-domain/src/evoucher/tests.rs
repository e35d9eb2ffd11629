use super::*;
use crate::error::Coded;

fn claims() -> Claims {
    Claims::drawn(42, "11010519491231002X".parse().unwrap(), 1_795_000_000)
}

#[test]
fn a_token_reads_back_as_drawn_and_is_short_enough_for_a_qr_code() {
    let c = claims();
    let token = c.token(&[7u8; 64]);
    assert!(token.starts_with("EV1.42.11010519491231002X.1795000000.1795000180."));
    // Version 7 at level M holds 154 bytes; the token must stay well inside.
    assert!(token.len() <= 150, "{} characters", token.len());
    let p = parse(&token).unwrap();
    assert_eq!(p.claims, c);
    assert_eq!(p.signed_text, c.signed_text());
    assert_eq!(p.signature, [7u8; 64]);
}

#[test]
fn anything_but_the_format_is_malformed() {
    let good = claims().token(&[7u8; 64]);
    let sig = good.rsplit_once('.').unwrap().1.to_string();
    for bad in [
        String::new(),
        "tok".into(),
        "11010519491231002X".into(),
        good.replacen("EV1", "EV2", 1),
        good.replacen(".42.", ".042.", 1),
        good.replacen(".42.", ".-42.", 1),
        good.replacen("002X", "002x", 1),
        good.replacen("002X", "0021", 1),
        format!("{good}.x"),
        format!("EV1.42.11010519491231002X.1795000000.{sig}"),
        good[..good.len() - 2].to_string(),
        format!(
            "EV1.42.11010519491231002X.1795000000.1795000180.{}",
            "A".repeat(86)
        ) + "==",
        "EV1.99999999999999999999.11010519491231002X.1.2.".to_string() + &sig,
    ] {
        assert_eq!(parse(&bad), Err(EvoucherError::Malformed), "{bad:?}");
    }
}

#[test]
fn a_token_is_valid_from_its_issue_until_its_expiry() {
    let c = claims();
    assert_eq!(c.expires - c.issued, TOKEN_LIFETIME_SECS);
    assert_eq!(c.check_time(c.issued), Ok(()));
    assert_eq!(c.check_time(c.expires - 1), Ok(()));
    assert_eq!(
        c.check_time(c.expires),
        Err(EvoucherError::Expired {
            expired_at: c.expires
        })
    );
    // A verifier whose clock is a little behind still accepts it; far behind, it does not.
    assert_eq!(c.check_time(c.issued - CLOCK_SKEW_SECS), Ok(()));
    assert_eq!(
        c.check_time(c.issued - CLOCK_SKEW_SECS - 1),
        Err(EvoucherError::FromTheFuture)
    );
}

#[test]
fn every_refusal_has_its_own_code_and_a_chinese_message() {
    let all = [
        EvoucherError::Malformed,
        EvoucherError::Forged,
        EvoucherError::Expired { expired_at: 0 },
        EvoucherError::FromTheFuture,
        EvoucherError::Revoked,
        EvoucherError::NotInsured,
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), all.len());
    for e in all {
        assert!(e.code().starts_with("evoucher."));
        assert!(e
            .message()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
}

#[test]
fn statuses_and_reasons_have_labels() {
    assert_eq!(
        VoucherStatus::from_key("revoked"),
        Some(VoucherStatus::Revoked)
    );
    assert_eq!(RevokeReason::Lost.label(), "挂失");
    assert_eq!(RevokeReason::Deregistered.label(), "注销");
}
