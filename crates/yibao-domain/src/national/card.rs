//! The social security card (社会保障卡) as a visit credential (`mdtrt_cert_type` 03, FIELDS §3.1):
//! the card number names the person through the card register the agency imports; a card that
//! is not in normal status (seed 000 item 07「持社保卡且卡状态正常」) is not accepted, and the
//! card's serial number (`card_sn`, the chip's identifier a reader sends) must be the registered
//! one when both are known.

use crate::codes::coded;
use crate::error::Coded;

coded! {
    /// A card's status in the register (卡状态).
    CardStatus {
        Normal = ("normal", "正常"),
        Lost = ("lost", "挂失"),
        Cancelled = ("cancelled", "注销"),
    }
}

/// Why a card cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("bad card number")]
    Number,
    #[error("card not usable: {0:?}")]
    Status(CardStatus),
    #[error("card serial number differs")]
    Serial,
}

impl Coded for CardError {
    fn code(&self) -> &'static str {
        match self {
            CardError::Number => "national.card_number",
            CardError::Status(_) => "national.card_status",
            CardError::Serial => "national.card_sn",
        }
    }

    fn message(&self) -> String {
        match self {
            CardError::Number => "社会保障卡卡号应为1至20位字母或数字".to_string(),
            CardError::Status(s) => format!(
                "该社会保障卡状态为“{}”，不能用于就医结算，请使用医保电子凭证或居民身份证",
                s.label()
            ),
            CardError::Serial => {
                "社会保障卡识别码（card_sn）与登记的不一致，请重新读卡".to_string()
            }
        }
    }
}

/// A card number as readers send it: 1–20 ASCII letters or digits (upper-cased).
pub fn parse_card_no(text: &str) -> Result<String, CardError> {
    let t = text.trim();
    if t.is_empty() || t.len() > 20 || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(CardError::Number);
    }
    Ok(t.to_ascii_uppercase())
}

/// May a registered card be used for a visit? Only in normal status, and with the registered
/// serial number when the message sends one and the register holds one.
pub fn check_use(
    status: CardStatus,
    registered_sn: &str,
    sent_sn: Option<&str>,
) -> Result<(), CardError> {
    if status != CardStatus::Normal {
        return Err(CardError::Status(status));
    }
    match sent_sn.map(str::trim).filter(|s| !s.is_empty()) {
        Some(sent) if !registered_sn.is_empty() && !sent.eq_ignore_ascii_case(registered_sn) => {
            Err(CardError::Serial)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_short_ascii_alphanumerics() {
        assert_eq!(parse_card_no(" a01234567 ").unwrap(), "A01234567");
        assert_eq!(parse_card_no("12345678901234567890").unwrap().len(), 20);
        for bad in [
            "",
            "   ",
            "123456789012345678901",
            "A0123-4567",
            "卡0123",
            "A01\u{0}23",
        ] {
            assert_eq!(parse_card_no(bad), Err(CardError::Number), "{bad:?}");
        }
    }

    #[test]
    fn only_a_normal_card_with_its_own_serial_is_used() {
        assert_eq!(
            check_use(CardStatus::Normal, "B7654321", Some("b7654321")),
            Ok(())
        );
        assert_eq!(check_use(CardStatus::Normal, "B7654321", None), Ok(()));
        assert_eq!(check_use(CardStatus::Normal, "B7654321", Some(" ")), Ok(()));
        assert_eq!(check_use(CardStatus::Normal, "", Some("X1")), Ok(()));
        assert_eq!(
            check_use(CardStatus::Normal, "B7654321", Some("B7654320")),
            Err(CardError::Serial)
        );
        // seed 000 item 07: 「卡状态正常」.
        for s in [CardStatus::Lost, CardStatus::Cancelled] {
            let e = check_use(s, "B7654321", Some("B7654321")).unwrap_err();
            assert_eq!(e.code(), "national.card_status");
            assert!(e.message().contains(s.label()));
        }
    }
}
