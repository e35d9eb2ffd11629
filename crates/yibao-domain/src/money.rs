//! Money as an integer number of fen (分). Never floating point: amounts are added, compared and
//! stored exactly; conversion to and from yuan text is decimal string arithmetic.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not an amount in yuan: {0:?}")]
    Format(String),
    #[error("amount out of range")]
    Overflow,
}

impl Coded for MoneyError {
    fn code(&self) -> &'static str {
        match self {
            MoneyError::Format(_) => "money.format",
            MoneyError::Overflow => "money.overflow",
        }
    }

    fn message(&self) -> String {
        match self {
            MoneyError::Format(s) => {
                format!("金额“{s}”格式不正确：应为以元为单位、最多两位小数的数字，例如 1234.56")
            }
            MoneyError::Overflow => "金额超出可处理的范围".to_string(),
        }
    }
}

/// The largest amount anyone may send in one field — a bill line, an account credit, a stored
/// accumulator: 10^12 fen (10 billion yuan). One limit for every input, so sums of bounded
/// inputs stay far inside i64 and nothing wraps.
pub const MAX_INPUT: Fen = Fen(1_000_000_000_000);

/// An amount of money in fen (1 元 = 100 分). Serialised as the integer number of fen.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn from_fen(fen: i64) -> Fen {
        Fen(fen)
    }

    pub fn from_yuan(yuan: i64) -> Result<Fen, MoneyError> {
        yuan.checked_mul(100).map(Fen).ok_or(MoneyError::Overflow)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// True for an amount a user or institution may send: 0 to `MAX_INPUT`.
    pub fn is_input(self) -> bool {
        (0..=MAX_INPUT.0).contains(&self.0)
    }

    pub fn checked_add(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    /// Saturating at zero: what remains of `self` after `other` is taken, never negative.
    pub fn remaining_after(self, other: Fen) -> Fen {
        Fen((self.0 - other.0).max(0))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Yuan with two decimals and no currency sign, e.g. `1234.56` or `-0.05`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Fen {
    /// `¥1,234.56` style is for pages; here plain yuan text with the 元 unit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.yuan_string())
    }
}

/// Parses an amount written in yuan: `12`, `12.3`, `12.34`, `-0.05`, with optional thousands
/// separators (`1,234.56`). More than two decimals is an error, not a rounding.
impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || MoneyError::Format(input.chars().take(32).collect());
        let s = input.trim().trim_end_matches('元').replace(',', "");
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || frac_part.len() > 2
            || (body.contains('.') && frac_part.is_empty())
        {
            return Err(bad());
        }
        let yuan: i64 = int_part.parse().map_err(|_| MoneyError::Overflow)?;
        let frac: i64 = format!("{frac_part:0<2}").parse().map_err(|_| bad())?;
        let fen = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(frac))
            .ok_or(MoneyError::Overflow)?;
        Ok(Fen(if neg { -fen } else { fen }))
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_yuan_text_exactly() {
        assert_eq!("12".parse::<Fen>().unwrap(), Fen(1200));
        assert_eq!("12.3".parse::<Fen>().unwrap(), Fen(1230));
        assert_eq!("12.34".parse::<Fen>().unwrap(), Fen(1234));
        assert_eq!("1,234.56元".parse::<Fen>().unwrap(), Fen(123456));
        assert_eq!("-0.05".parse::<Fen>().unwrap(), Fen(-5));
        // 0.1 + 0.2 is exactly 0.3 in fen.
        let sum = "0.1"
            .parse::<Fen>()
            .unwrap()
            .checked_add("0.2".parse().unwrap());
        assert_eq!(sum.unwrap(), "0.3".parse().unwrap());
    }

    #[test]
    fn refuses_ambiguous_text() {
        for bad in ["", "1.234", "1.", ".5", "abc", "1e3", "--1", "１２"] {
            assert_eq!(
                bad.parse::<Fen>().unwrap_err().code(),
                "money.format",
                "{bad:?}"
            );
        }
        assert_eq!(
            "99999999999999999999".parse::<Fen>().unwrap_err().code(),
            "money.overflow"
        );
    }

    #[test]
    fn formats_yuan() {
        assert_eq!(Fen(123456).to_string(), "1234.56元");
        assert_eq!(Fen(-5).yuan_string(), "-0.05");
        assert_eq!(Fen(0).yuan_string(), "0.00");
    }

    proptest! {
        #[test]
        fn yuan_text_round_trips(fen in -1_000_000_000_000i64..1_000_000_000_000) {
            let f = Fen(fen);
            prop_assert_eq!(f.yuan_string().parse::<Fen>().unwrap(), f);
        }

        #[test]
        fn remaining_after_is_never_negative(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let r = Fen(a).remaining_after(Fen(b));
            prop_assert!(r.0 >= 0);
            prop_assert_eq!(r.0, (a - b).max(0));
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,30}") {
            let _ = s.parse::<Fen>();
        }
    }
}
