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
pub fn apply_ratio(amount: Fen, ratio_bp: u32) -> Fen {
    Fen(round_bp(i128::from(amount.0) * i128::from(ratio_bp)))
}

/// Rounds a value in fen·basis-points to fen, half up (non-negative input).
pub(crate) fn round_bp(fen_bp: i128) -> i64 {
    // The engine bounds amounts (≤ 10^16 fen), so the quotient fits i64.
    ((fen_bp + 5_000) / 10_000) as i64
}

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

    /// `unit × quantity`, rounded half up to the fen (used for the price cap of a line).
    pub fn times(self, unit: Fen) -> Fen {
        let p = i128::from(unit.0) * i128::from(self.milli);
        Fen(((p + 500) / 1000) as i64)
    }

    pub fn parse(text: &str) -> Result<Quantity, BenefitError> {
        let bad = || BenefitError::Quantity(text.chars().take(32).collect());
        let t = text.trim();
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty()
            || int.len() > 12
            || frac.len() > 3
            || (t.contains('.') && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let i: i64 = int.parse().map_err(|_| bad())?;
        let f: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
        Ok(Quantity {
            milli: i * 1000 + f,
        })
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
                    .ok_or_else(|| E::custom("quantity too large"))
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
                Quantity::parse(v).map_err(|e| E::custom(e.to_string()))
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
        assert_eq!(apply_ratio(Fen(12345), 8500), Fen(10493));
        assert_eq!(apply_ratio(Fen(15), 5000), Fen(8));
        assert_eq!(apply_ratio(Fen(13), 5000), Fen(7));
        assert_eq!(apply_ratio(Fen(0), 9000), Fen(0));
        assert_eq!(apply_ratio(Fen(1), FULL_BP), Fen(1));
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
        assert_eq!(Quantity::parse("0.5").unwrap().times(Fen(3333)), Fen(1667));
    }
}
