//! Money as an integer number of fen (分). Never floating point: amounts are added, compared and
//! stored exactly; conversion to and from yuan text is decimal string arithmetic.

use std::fmt;
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

    /// Saturating at zero: what remains of `self` after `other` is taken, never negative (and
    /// never wrapped, whatever the operands).
    pub fn remaining_after(self, other: Fen) -> Fen {
        Fen(self.0.saturating_sub(other.0).max(0))
    }

    /// For `skip_serializing_if`.
    pub fn is_zero(&self) -> bool {
        self.0 == 0
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
/// separators (`1,234.56`) and one trailing 元. More than two decimals is an error, not a
/// rounding; so is a comma anywhere but between groups of three digits of the whole yuan
/// (`1,5` could be a decimal comma).
impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || MoneyError::Format(input.chars().take(32).collect());
        let s = input.trim();
        let s = s.strip_suffix('元').unwrap_or(s);
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let int_part = if int_part.contains(',') {
            let mut groups = int_part.split(',');
            let first = groups.next().unwrap_or("");
            if !(1..=3).contains(&first.len()) || groups.any(|g| g.len() != 3) {
                return Err(bad());
            }
            int_part.replace(',', "")
        } else {
            int_part.to_string()
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
    fn commas_only_as_thousands_separators() {
        assert_eq!("1,234,567.89".parse::<Fen>().unwrap(), Fen(123456789));
        assert_eq!("-12,345".parse::<Fen>().unwrap(), Fen(-1234500));
        // Found by the fuzz target: these were read as 15, 1234 and 12.34 元.
        for bad in [
            "1,5", "12,34", "12.3,4", ",5", "1,,234", "1234,567", "12元元",
        ] {
            assert_eq!(
                bad.parse::<Fen>().unwrap_err().code(),
                "money.format",
                "{bad:?}"
            );
        }
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
        fn remaining_after_never_wraps(a in any::<i64>(), b in any::<i64>()) {
            let r = Fen(a).remaining_after(Fen(b));
            prop_assert!(r.0 >= 0);
            prop_assert_eq!(i128::from(r.0), (i128::from(a) - i128::from(b)).clamp(0, i128::from(i64::MAX)));
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,30}") {
            let _ = s.parse::<Fen>();
        }
    }
}

/// Fuzz targets: arbitrary text never panics; yuan text and fen agree both ways over the whole
/// accepted range (|fen| ≤ i64::MAX); anything beyond it is refused, never wrapped.
#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::fuzz_support::{arb_text, config, near, pieces};
    use proptest::prelude::*;

    /// Yuan text for a fen amount of any size, written the canonical way.
    fn yuan_text(fen: i128) -> String {
        let sign = if fen < 0 { "-" } else { "" };
        let abs = fen.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `1234567` → `1,234,567`.
    fn grouped(digits: &str) -> String {
        let n = digits.len();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (n - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    fn any_fen() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            -1_000_000i64..1_000_000,
            (i64::MAX - 1000..=i64::MAX),
            (i64::MIN + 1..i64::MIN + 1000),
        ]
        .prop_filter("i64::MIN has no positive counterpart", |f| *f != i64::MIN)
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn fen_arbitrary_text_never_panics(
            s in prop_oneof![arb_text(), near(any_fen().prop_map(|f| Fen(f).yuan_string())), pieces(6)]
        ) {
            match s.parse::<Fen>() {
                // Whatever parses prints as text that parses to the same amount.
                Ok(f) => prop_assert_eq!(f.yuan_string().parse::<Fen>(), Ok(f)),
                Err(e) => {
                    prop_assert!(e.code().starts_with("money."));
                    prop_assert!(!e.message().is_empty());
                }
            }
        }

        #[test]
        fn fen_yuan_text_round_trips_over_the_whole_range(fen in any_fen()) {
            let f = Fen(fen);
            prop_assert_eq!(f.yuan_string().parse::<Fen>(), Ok(f));
            prop_assert_eq!(format!("{}元", f.yuan_string()).parse::<Fen>(), Ok(f));
            // One decimal or none, where the amount allows it, means the same.
            if fen % 10 == 0 {
                let text = yuan_text(fen.into());
                prop_assert_eq!(text[..text.len() - 1].parse::<Fen>(), Ok(f));
            }
            if fen % 100 == 0 {
                prop_assert_eq!(format!("{}", fen / 100).parse::<Fen>(), Ok(f));
            }
        }

        #[test]
        fn fen_thousands_separators_are_read_where_they_belong(fen in any_fen()) {
            let sign = if fen < 0 { "-" } else { "" };
            let abs = fen.unsigned_abs();
            let text = format!("{sign}{}.{:02}", grouped(&(abs / 100).to_string()), abs % 100);
            prop_assert_eq!(text.parse::<Fen>(), Ok(Fen(fen)));
        }

        #[test]
        fn fen_misplaced_separators_are_refused(yuan in 1_000u64..10_000_000_000, cut in 1usize..4) {
            // "1234,567": a comma that is no thousands separator (as in a decimal comma "1,5").
            let digits = yuan.to_string();
            let at = digits.len() - cut;
            prop_assume!(cut != 3 || at > 3);
            let text = format!("{},{}", &digits[..at], &digits[at..]);
            prop_assert!(text.parse::<Fen>().is_err(), "{} accepted", text);
            let in_decimals = format!("{digits}.1,2");
            prop_assert!(in_decimals.parse::<Fen>().is_err());
        }

        #[test]
        fn fen_amounts_beyond_the_range_are_refused_not_wrapped(
            fen in prop_oneof![
                (i128::from(i64::MAX) + 1)..(i128::from(i64::MAX) * 1000),
                (i128::from(i64::MIN) * 1000)..=i128::from(i64::MIN),
                Just(i128::from(i64::MAX) * 100),
                Just(i128::from(i64::MIN) * 100),
            ]
        ) {
            let text = yuan_text(fen);
            prop_assert_eq!(text.parse::<Fen>(), Err(MoneyError::Overflow), "{}", text);
            let whole = fen / 100;
            if whole.unsigned_abs() > (i64::MAX / 100) as u128 {
                prop_assert_eq!(whole.to_string().parse::<Fen>(), Err(MoneyError::Overflow));
            }
        }
    }
}
