//! Coded values of the contribution ledger, typed at the store edge.

use serde::{Deserialize, Serialize};

use super::dues::BaseAdjustment;

/// Who a ledger line is for: an employer's employee (employer and employee parts), an
/// individual in the employee scheme (灵活就业人员, the whole amount), or a retiree (nothing due,
/// the month's account credit only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayerKind {
    Employee,
    Flexible,
    Retired,
}

impl PayerKind {
    pub fn key(self) -> &'static str {
        match self {
            PayerKind::Employee => "employee",
            PayerKind::Flexible => "flexible",
            PayerKind::Retired => "retired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayerKind::Employee => "单位职工",
            PayerKind::Flexible => "灵活就业人员",
            PayerKind::Retired => "退休人员",
        }
    }

    /// A kind that pays (not a retiree), by key or label (the tax authority's files use the
    /// label).
    pub fn parse_paying(text: &str) -> Option<PayerKind> {
        let t = text.trim();
        [PayerKind::Employee, PayerKind::Flexible]
            .into_iter()
            .find(|k| k.key() == t || k.label() == t)
    }
}

/// A stored coded value no build knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的缴费台账代码 / unknown contribution ledger code {0:?}")]
pub struct UnknownLedgerCode(pub String);

impl TryFrom<String> for PayerKind {
    type Error = UnknownLedgerCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "employee" => Ok(PayerKind::Employee),
            "flexible" => Ok(PayerKind::Flexible),
            "retired" => Ok(PayerKind::Retired),
            _ => Err(UnknownLedgerCode(s)),
        }
    }
}

impl BaseAdjustment {
    pub fn key(self) -> &'static str {
        match self {
            BaseAdjustment::AsDeclared => "as_declared",
            BaseAdjustment::RaisedToFloor => "raised_to_floor",
            BaseAdjustment::LoweredToCeiling => "lowered_to_ceiling",
        }
    }
}

impl TryFrom<String> for BaseAdjustment {
    type Error = UnknownLedgerCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "as_declared" => Ok(BaseAdjustment::AsDeclared),
            "raised_to_floor" => Ok(BaseAdjustment::RaisedToFloor),
            "lowered_to_ceiling" => Ok(BaseAdjustment::LoweredToCeiling),
            _ => Err(UnknownLedgerCode(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_is_an_error() {
        for k in [PayerKind::Employee, PayerKind::Flexible, PayerKind::Retired] {
            assert_eq!(PayerKind::try_from(k.key().to_string()).unwrap(), k);
        }
        assert_eq!(
            PayerKind::parse_paying("灵活就业人员"),
            Some(PayerKind::Flexible)
        );
        assert_eq!(
            PayerKind::parse_paying("employee"),
            Some(PayerKind::Employee)
        );
        assert_eq!(
            PayerKind::parse_paying("退休人员"),
            None,
            "retirees pay nothing"
        );
        for a in [
            BaseAdjustment::AsDeclared,
            BaseAdjustment::RaisedToFloor,
            BaseAdjustment::LoweredToCeiling,
        ] {
            assert_eq!(BaseAdjustment::try_from(a.key().to_string()).unwrap(), a);
        }
        assert!(PayerKind::try_from("resident".to_string()).is_err());
        assert!(BaseAdjustment::try_from(String::new()).is_err());
    }
}
