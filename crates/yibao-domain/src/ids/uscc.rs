//! 统一社会信用代码 (GB 32100-2015): registration authority, organisation category, 6-digit region
//! code, 9-character organisation code and a MOD 31 check character, all drawn from 31 characters
//! (the digits and the capital letters without I, O, Z, S, V).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Coded;

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("USCC must have 18 characters, got {0}")]
    Length(usize),
    #[error("invalid character {ch:?} at position {pos}")]
    Character { pos: usize, ch: char },
    #[error("region part must be 6 digits")]
    Region(String),
    #[error("check character should be {expected}, got {found}")]
    CheckDigit { expected: char, found: char },
}

impl Coded for UsccError {
    fn code(&self) -> &'static str {
        match self {
            UsccError::Length(_) => "uscc.length",
            UsccError::Character { .. } => "uscc.character",
            UsccError::Region(_) => "uscc.region",
            UsccError::CheckDigit { .. } => "uscc.check_digit",
        }
    }

    fn message(&self) -> String {
        match self {
            UsccError::Length(n) => format!("统一社会信用代码应为18位，实际为{n}位"),
            UsccError::Character { pos, ch } => format!(
                "统一社会信用代码第{pos}位“{ch}”不是有效字符（只能是数字和除I、O、Z、S、V以外的大写字母）"
            ),
            UsccError::Region(r) => {
                format!("统一社会信用代码第3至8位应为行政区划代码（6位数字），实际为“{r}”")
            }
            UsccError::CheckDigit { expected, found } => format!(
                "统一社会信用代码校验码错误：按前17位计算应为“{expected}”，实际为“{found}”，请核对代码"
            ),
        }
    }
}

fn value_of(b: u8) -> Option<u32> {
    CHARSET.iter().position(|c| *c == b).map(|v| v as u32)
}

/// The MOD 31 check character for the first 17 characters (each from the charset).
pub fn check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (b, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*b)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(CHARSET[c as usize] as char)
}

/// A verified unified social credit code (统一社会信用代码), stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 3–8: the region code of the registration authority.
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(UsccError::Length(chars.len()));
        }
        let upper: String = chars.iter().map(|c| c.to_ascii_uppercase()).collect();
        for (i, ch) in upper.chars().enumerate() {
            if !ch.is_ascii() || value_of(ch as u8).is_none() {
                return Err(UsccError::Character { pos: i + 1, ch });
            }
        }
        let region = &upper[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsccError::Region(region.to_string()));
        }
        let bytes = upper.as_bytes();
        // Every character is in the charset, so the check is always computable.
        let expected = check_char(&bytes[..17]).unwrap_or('?');
        let found = bytes[17] as char;
        if expected != found {
            return Err(UsccError::CheckDigit { expected, found });
        }
        Ok(Uscc(upper))
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn make(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()).unwrap())
    }

    #[test]
    fn accepts_published_codes() {
        // The worked example commonly cited for GB 32100, and a second code of the same form.
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert!(code.parse::<Uscc>().is_ok(), "{code}");
        }
    }

    #[test]
    fn refuses_wrong_check_character() {
        let err = "91350100M000100Y44".parse::<Uscc>().unwrap_err();
        assert_eq!(
            err,
            UsccError::CheckDigit {
                expected: '3',
                found: '4'
            }
        );
        assert!(err.message().contains("应为“3”"));
    }

    #[test]
    fn refuses_letters_outside_the_charset() {
        let err = "91350100M000100I43".parse::<Uscc>().unwrap_err();
        assert_eq!(err, UsccError::Character { pos: 16, ch: 'I' });
        assert_eq!("9135".parse::<Uscc>().unwrap_err().code(), "uscc.length");
        assert_eq!(
            make("9135A100M000100Y4")
                .parse::<Uscc>()
                .unwrap_err()
                .code(),
            "uscc.region"
        );
    }

    #[test]
    fn lower_case_is_normalised() {
        let u: Uscc = "91350100m000100y43".parse().unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        assert_eq!(u.region_part(), "350100");
    }

    fn charset_char() -> impl Strategy<Value = char> {
        prop::sample::select(CHARSET.iter().map(|b| *b as char).collect::<Vec<_>>())
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!['1', '5', '9', 'Y']),
            prop::sample::select(vec!['1', '2', '3', '9']),
            0u32..1_000_000,
            prop::collection::vec(charset_char(), 9),
        )
            .prop_map(|(a, c, r, org)| {
                format!("{a}{c}{r:06}{}", org.into_iter().collect::<String>())
            })
    }

    proptest! {
        #[test]
        fn every_code_with_its_check_char_parses(first17 in valid_first17()) {
            let full = make(&first17);
            let parsed: Uscc = full.parse().unwrap();
            prop_assert_eq!(parsed.as_str(), full.as_str());
        }

        #[test]
        fn any_other_check_char_is_refused(first17 in valid_first17(), c in charset_char()) {
            let expected = check_char(first17.as_bytes()).unwrap();
            prop_assume!(c != expected);
            let err = format!("{first17}{c}").parse::<Uscc>().unwrap_err();
            prop_assert_eq!(err.code(), "uscc.check_digit");
        }

        #[test]
        fn a_single_changed_character_is_detected(first17 in valid_first17(), pos in 0usize..17, c in charset_char()) {
            let full = make(&first17);
            prop_assume!(full.as_bytes()[pos] as char != c);
            let mut chars: Vec<char> = full.chars().collect();
            chars[pos] = c;
            let changed: String = chars.into_iter().collect();
            prop_assert!(changed.parse::<Uscc>().is_err());
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<Uscc>();
        }
    }
}
