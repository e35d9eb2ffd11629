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
    /// 城乡居民: one yearly line (see `resident_period`).
    Resident,
}

impl PayerKind {
    pub fn key(self) -> &'static str {
        match self {
            PayerKind::Employee => "employee",
            PayerKind::Flexible => "flexible",
            PayerKind::Retired => "retired",
            PayerKind::Resident => "resident",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayerKind::Employee => "单位职工",
            PayerKind::Flexible => "灵活就业人员",
            PayerKind::Retired => "退休人员",
            PayerKind::Resident => "城乡居民",
        }
    }

    /// A kind that pays (not a retiree), by key or label (the tax authority's files use the
    /// label).
    pub fn parse_paying(text: &str) -> Option<PayerKind> {
        let t = text.trim();
        [
            PayerKind::Employee,
            PayerKind::Flexible,
            PayerKind::Resident,
        ]
        .into_iter()
        .find(|k| k.key() == t || k.label() == t)
    }
}

/// The ledger month (`YYYY-MM`) a paid record or a due line of this kind is booked in, from the
/// period as the tax authority writes it (费款所属期). A resident's contribution is yearly: its
/// period is the year (`2026`), or any month of it, and it is booked in the year's first month.
pub fn ledger_month(kind: PayerKind, period: &str) -> Option<String> {
    let t = period.trim();
    let (year, month) = match t.split_once('-') {
        Some((y, m)) if m.len() == 2 => (y, m.parse::<u32>().ok()?),
        None if kind == PayerKind::Resident => (t, 1),
        _ => return None,
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || !(1..=12).contains(&month) {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    if !(2000..=2100).contains(&y) {
        return None;
    }
    let month = if kind == PayerKind::Resident {
        1
    } else {
        month
    };
    Some(format!("{y:04}-{month:02}"))
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
            "resident" => Ok(PayerKind::Resident),
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
        for k in [
            PayerKind::Employee,
            PayerKind::Flexible,
            PayerKind::Retired,
            PayerKind::Resident,
        ] {
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
        assert_eq!(
            PayerKind::parse_paying("城乡居民"),
            Some(PayerKind::Resident)
        );
        assert!(PayerKind::try_from("adult".to_string()).is_err());
        assert!(BaseAdjustment::try_from(String::new()).is_err());
    }

    #[test]
    fn ledger_month_by_kind() {
        use PayerKind::*;
        assert_eq!(
            ledger_month(Employee, "2026-03").as_deref(),
            Some("2026-03")
        );
        assert_eq!(
            ledger_month(Flexible, " 2026-12 ").as_deref(),
            Some("2026-12")
        );
        assert_eq!(
            ledger_month(Employee, "2026"),
            None,
            "a monthly payer needs the month"
        );
        assert_eq!(ledger_month(Employee, "2026-13"), None);
        assert_eq!(ledger_month(Employee, "2026-00"), None);
        assert_eq!(ledger_month(Employee, "2026-3"), None);
        assert_eq!(ledger_month(Employee, "1999-12"), None);
        // A resident's year, written as the year or as any month of it.
        assert_eq!(ledger_month(Resident, "2026").as_deref(), Some("2026-01"));
        assert_eq!(
            ledger_month(Resident, "2026-09").as_deref(),
            Some("2026-01")
        );
        assert_eq!(ledger_month(Resident, "２０２６"), None);
        assert_eq!(ledger_month(Resident, "20261"), None);
        assert_eq!(ledger_month(Resident, ""), None);
    }
}
