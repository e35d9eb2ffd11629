//! Exact ratios and quantities. Every ratio is an integer number of basis points (基点, 万分之一):
//! 10_000 = 100 %, 9_000 = 90 %, 55 = 0.55 %. Products are taken in i128 and divided once, rounding
//! half up to the fen (四舍五入到分), so no rate ever passes through floating point.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::error::BenefitError;
use crate::money::Fen;

/// 100 % in basis points.
pub const FULL_BP: u32 = 10_000;

/// `amount × ratio_bp / 10000`, rounded half up to the fen. Amounts here are never negative.
/// A result outside i64 is refused, never wrapped.
pub fn apply_ratio(amount: Fen, ratio_bp: u32) -> Result<Fen, BenefitError> {
    round_bp(i128::from(amount.0) * i128::from(ratio_bp)).map(Fen)
}

/// Rounds a value in fen·basis-points to fen, half up (non-negative input). The i128 product of
/// an i64 amount and a u32 ratio cannot overflow; the quotient is checked back into i64.
pub(crate) fn round_bp(fen_bp: i128) -> Result<i64, BenefitError> {
    fen_bp
        .checked_add(5_000)
        .map(|v| v / 10_000)
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(|| BenefitError::AmountTooLarge {
            what: "按比例计算的金额".into(),
        })
}

/// Most units on one bill line: one million. Real bills stay far below it; with a unit price
/// or cap of at most `MAX_INPUT` (10^12 fen), cap × quantity stays below 10^18 fen, inside i64.
pub const MAX_QUANTITY: Quantity = Quantity {
    milli: 1_000_000_000,
};

/// A quantity (数量, cnt) in thousandths, so `1.5` boxes is exactly 1500. In JSON and TOML it is
/// an integer or a decimal string with at most three places ("1.5"); a bare JSON float is refused
/// rather than rounded, because the national interface sends decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    milli: i64,
}

impl Quantity {
    pub const ONE: Quantity = Quantity { milli: 1000 };

    pub const fn from_milli(milli: i64) -> Quantity {
        Quantity { milli }
    }

    pub const fn milli(self) -> i64 {
        self.milli
    }

    /// True for a quantity a bill line may carry: more than zero, at most `MAX_QUANTITY`.
    pub fn in_range(self) -> bool {
        0 < self.milli && self.milli <= MAX_QUANTITY.milli
    }

    /// `unit × quantity`, rounded half up to the fen (used for the price cap of a line). The
    /// product is taken in i128 (no overflow for any i64 inputs); a result outside i64 — only
    /// possible with a quantity or unit beyond the input limits — is refused, never wrapped.
    pub fn times(self, unit: Fen) -> Result<Fen, BenefitError> {
        let p = i128::from(unit.0) * i128::from(self.milli);
        i64::try_from((p + 500).div_euclid(1000))
            .map(Fen)
            .map_err(|_| BenefitError::AmountTooLarge {
                what: format!("限价 {} × 数量 {self}", unit.yuan_string()),
            })
    }

    /// Parses decimal text with at most three places. Refuses more than `MAX_QUANTITY` here,
    /// so no larger quantity reaches the engine; zero parses (the bill check refuses it with the
    /// line number).
    pub fn parse(text: &str) -> Result<Quantity, BenefitError> {
        let shown = || text.chars().take(32).collect::<String>();
        let bad = || BenefitError::Quantity(shown());
        let t = text.trim();
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty()
            || frac.len() > 3
            || (t.contains('.') && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let too_large = || BenefitError::QuantityOutOfRange {
            line_no: None,
            text: shown(),
        };
        let digits = int.trim_start_matches('0');
        if digits.len() > 12 {
            return Err(too_large());
        }
        let i: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| bad())?
        };
        let f: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
        let q = Quantity {
            milli: i * 1000 + f,
        };
        if q.milli > MAX_QUANTITY.milli {
            return Err(too_large());
        }
        Ok(q)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (i, r) = (self.milli / 1000, self.milli % 1000);
        if r == 0 {
            write!(f, "{i}")
        } else {
            let frac = format!("{r:03}");
            write!(f, "{i}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a decimal string such as \"1.5\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(|v| v.checked_mul(1000))
                    .map(Quantity::from_milli)
                    .filter(|q| q.milli <= MAX_QUANTITY.milli)
                    .ok_or_else(|| {
                        let e = BenefitError::QuantityOutOfRange {
                            line_no: None,
                            text: v.to_string(),
                        };
                        E::custom(crate::Coded::message(&e))
                    })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                if v < 0 {
                    return Err(E::custom("quantity must not be negative"));
                }
                self.visit_u64(v as u64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Err(E::custom(format!(
                    "quantity {v} must be written as a string, e.g. \"{v}\" (no floating point)"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Quantity::parse(v).map_err(|e| E::custom(crate::Coded::message(&e)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_rounds_half_up_once() {
        // 12345 fen × 85 % = 10493.25 → 10493; 15 fen × 50 % = 7.5 → 8.
        assert_eq!(apply_ratio(Fen(12345), 8500), Ok(Fen(10493)));
        assert_eq!(apply_ratio(Fen(15), 5000), Ok(Fen(8)));
        assert_eq!(apply_ratio(Fen(13), 5000), Ok(Fen(7)));
        assert_eq!(apply_ratio(Fen(0), 9000), Ok(Fen(0)));
        assert_eq!(apply_ratio(Fen(1), FULL_BP), Ok(Fen(1)));
        // A ratio far above 100 % on a huge amount is refused, not wrapped.
        let e = apply_ratio(Fen(i64::MAX), u32::MAX).unwrap_err();
        assert_eq!(crate::Coded::code(&e), "benefit.amount_too_large");
    }

    #[test]
    fn quantity_times_cap_never_wraps() {
        // The issue-15 case: a cap with quantity 10,000,000 wrapped to a negative allowance.
        let q = Quantity::from_milli(10_000_000_000);
        assert_eq!(
            q.times(crate::money::MAX_INPUT)
                .map_err(|e| crate::Coded::code(&e)),
            Err("benefit.amount_too_large")
        );
        // At the input limits the allowance is exact.
        assert_eq!(
            MAX_QUANTITY.times(crate::money::MAX_INPUT),
            Ok(Fen(1_000_000_000_000_000_000))
        );
        assert!(Quantity::from_milli(i64::MAX).times(Fen(i64::MAX)).is_err());
    }

    #[test]
    fn quantity_is_exact_decimal() {
        assert_eq!(Quantity::parse("1.5").unwrap().milli(), 1500);
        assert_eq!(Quantity::parse("0.125").unwrap().milli(), 125);
        assert_eq!(Quantity::parse("12").unwrap().milli(), 12000);
        for bad in ["", "1.", ".5", "1.2345", "-1", "1e3", "abc"] {
            assert_eq!(
                crate::Coded::code(&Quantity::parse(bad).unwrap_err()),
                "benefit.quantity",
                "{bad:?}"
            );
        }
        assert_eq!(Quantity::parse("2.50").unwrap().to_string(), "2.5");
        // 3 × 33.33 元 at quantity 0.5 → 16.665 元 → 16.67 元 half up.
        assert_eq!(
            Quantity::parse("0.5").unwrap().times(Fen(3333)),
            Ok(Fen(1667))
        );
    }

    #[test]
    fn quantity_is_bounded_at_parse() {
        assert_eq!(Quantity::parse("1000000"), Ok(MAX_QUANTITY));
        assert_eq!(Quantity::parse("0001000000.000"), Ok(MAX_QUANTITY));
        for big in ["1000000.001", "10000000", "99999999999999999999", "0.5e9"] {
            let e = Quantity::parse(big).unwrap_err();
            if big.contains('e') {
                assert_eq!(crate::Coded::code(&e), "benefit.quantity");
            } else {
                assert_eq!(
                    crate::Coded::code(&e),
                    "benefit.quantity_out_of_range",
                    "{big}"
                );
                assert!(crate::Coded::message(&e).contains("1000000"));
            }
        }
        // Zero is well-formed; the bill check refuses it with the line number.
        assert_eq!(Quantity::parse("0").map(Quantity::in_range), Ok(false));
        let q: Result<Quantity, _> = serde_json::from_str("10000000");
        assert!(q.unwrap_err().to_string().contains("不在允许范围内"));
        let q: Quantity = serde_json::from_str("\"1000000\"").unwrap();
        assert!(q.in_range());
    }
}
