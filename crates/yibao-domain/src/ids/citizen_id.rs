//! 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
//! (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Coded;
use crate::ids::region::province_name;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// 港澳台居民居住证 numbers use 810000 / 820000 / 830000 as their address code; 83 is not a
/// GB/T 2260 province but is a valid prefix here.
const RESIDENCE_PERMIT_PREFIX: &str = "83";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    #[error("citizen id must have 18 characters, got {0}")]
    Length(usize),
    #[error("invalid character {ch:?} at position {pos}")]
    Character { pos: usize, ch: char },
    #[error("unknown province prefix {0}")]
    Region(String),
    #[error("birth date {0} does not exist")]
    BirthDate(String),
    #[error("check character should be {expected}, got {found}")]
    CheckDigit { expected: char, found: char },
}

impl Coded for CitizenIdError {
    fn code(&self) -> &'static str {
        match self {
            CitizenIdError::Length(_) => "id.length",
            CitizenIdError::Character { .. } => "id.character",
            CitizenIdError::Region(_) => "id.region",
            CitizenIdError::BirthDate(_) => "id.birth_date",
            CitizenIdError::CheckDigit { .. } => "id.check_digit",
        }
    }

    fn message(&self) -> String {
        match self {
            CitizenIdError::Length(n) => {
                format!("公民身份号码应为18位，实际为{n}位")
            }
            CitizenIdError::Character { pos, ch } => {
                if *pos == 18 {
                    format!("公民身份号码第18位（校验码）只能是数字或X，收到的是“{ch}”")
                } else {
                    format!("公民身份号码前17位只能是数字，第{pos}位是“{ch}”")
                }
            }
            CitizenIdError::Region(p) => {
                format!("公民身份号码的前两位“{p}”不是有效的省级行政区划代码")
            }
            CitizenIdError::BirthDate(d) => {
                format!("公民身份号码中的出生日期“{d}”不存在")
            }
            CitizenIdError::CheckDigit { expected, found } => format!(
                "公民身份号码校验码错误：按前17位计算应为“{expected}”，实际为“{found}”，请核对号码"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn from_key(key: &str) -> Option<Sex> {
        [Sex::Male, Sex::Female]
            .into_iter()
            .find(|s| s.key() == key)
    }

    /// The label of a stored key, for lists; an unknown key shows as 未知, never as a sex.
    pub fn label_of_key(key: &str) -> &'static str {
        Sex::from_key(key).map_or("未知", Sex::label)
    }
}

/// A verified 18-character citizen identity number, stored upper-case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);

/// The check character for the first 17 digits (ISO 7064 MOD 11-2).
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl CitizenId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        parse_birth(&self.0[6..14]).unwrap_or_default()
    }

    pub fn sex(&self) -> Sex {
        let seq = self.0.as_bytes()[16] - b'0';
        if seq % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit address code of the place of first registration.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    /// Masked for lists and logs: the first four and last four characters stay visible.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

fn parse_birth(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

impl FromStr for CitizenId {
    type Err = CitizenIdError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(CitizenIdError::Length(chars.len()));
        }
        for (i, ch) in chars.iter().enumerate() {
            let ok = if i < 17 {
                ch.is_ascii_digit()
            } else {
                ch.is_ascii_digit() || *ch == 'X' || *ch == 'x'
            };
            if !ok {
                return Err(CitizenIdError::Character {
                    pos: i + 1,
                    ch: *ch,
                });
            }
        }
        let s = s.to_ascii_uppercase();
        let prefix = &s[..2];
        if province_name(prefix).is_none() && prefix != RESIDENCE_PERMIT_PREFIX {
            return Err(CitizenIdError::Region(prefix.to_string()));
        }
        let birth = &s[6..14];
        match parse_birth(birth) {
            Some(d) if d.year() >= 1800 => {}
            _ => return Err(CitizenIdError::BirthDate(birth.to_string())),
        }
        let expected = check_char(&s.as_bytes()[..17]);
        let found = chars[17].to_ascii_uppercase();
        if expected != found {
            return Err(CitizenIdError::CheckDigit { expected, found });
        }
        Ok(CitizenId(s))
    }
}

impl TryFrom<String> for CitizenId {
    type Error = CitizenIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CitizenId> for String {
    fn from(c: CitizenId) -> String {
        c.0
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug output is masked so that an identifier never reaches a log in full by accident.
impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid number from its parts by computing the check character.
    fn make(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn accepts_the_gb11643_example() {
        // The worked example of GB 11643-1999 annex: 11010519491231002X.
        let id: CitizenId = "11010519491231002X".parse().unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.address_code(), "110105");
        assert_eq!(id.masked(), "1101**********002X");
    }

    #[test]
    fn lower_case_x_is_normalised() {
        let id: CitizenId = "11010519491231002x".parse().unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_wrong_check_digit_with_the_expected_one() {
        let err = "110105194912310021".parse::<CitizenId>().unwrap_err();
        assert_eq!(
            err,
            CitizenIdError::CheckDigit {
                expected: 'X',
                found: '1'
            }
        );
        assert_eq!(err.code(), "id.check_digit");
        assert!(err.message().contains("应为“X”"));
    }

    #[test]
    fn refuses_impossible_birth_dates() {
        for bad in [
            "50010220230229001",
            "50010219991301001",
            "50010217001201001",
        ] {
            let err = make(bad).parse::<CitizenId>().unwrap_err();
            assert_eq!(err.code(), "id.birth_date", "{bad}");
        }
        // 2024 is a leap year.
        assert!(make("50010220240229001").parse::<CitizenId>().is_ok());
    }

    #[test]
    fn refuses_length_characters_and_region() {
        assert_eq!("5001".parse::<CitizenId>().unwrap_err().code(), "id.length");
        assert_eq!(
            "5001022024022900A1"
                .parse::<CitizenId>()
                .unwrap_err()
                .code(),
            "id.character"
        );
        assert_eq!(
            make("99010219900101001")
                .parse::<CitizenId>()
                .unwrap_err()
                .code(),
            "id.region"
        );
        // Residence permits for Hong Kong, Macao and Taiwan residents start with 83.
        assert!(make("83000019900101001").parse::<CitizenId>().is_ok());
    }

    #[test]
    fn debug_is_masked() {
        let id: CitizenId = "11010519491231002X".parse().unwrap();
        assert_eq!(format!("{id:?}"), "CitizenId(1101**********002X)");
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["11", "50", "51", "65", "81"]),
            0u32..10000,
            (1900i32..2030, 1u32..13, 1u32..29),
            0u32..1000,
        )
            .prop_map(|(p, r, (y, m, d), seq)| format!("{p}{r:04}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        #[test]
        fn every_number_with_its_check_char_parses(first17 in valid_first17()) {
            let full = make(&first17);
            let id: CitizenId = full.parse().unwrap();
            prop_assert_eq!(id.as_str(), full.as_str());
        }

        #[test]
        fn any_other_check_char_is_refused(first17 in valid_first17(), c in prop::sample::select(CHECK_CHARS.to_vec())) {
            prop_assume!(c != check_char(first17.as_bytes()));
            let err = format!("{first17}{c}").parse::<CitizenId>().unwrap_err();
            prop_assert_eq!(err.code(), "id.check_digit");
        }

        #[test]
        fn a_single_changed_digit_is_detected(first17 in valid_first17(), pos in 0usize..17, delta in 1u8..10) {
            let full = make(&first17);
            let mut bytes = full.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(changed.parse::<CitizenId>().is_err());
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<CitizenId>();
        }
    }
}
