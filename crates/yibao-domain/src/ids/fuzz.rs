//! Fuzz targets of the identifier parsers (身份证号, 统一社会信用代码, 区划代码): arbitrary text
//! never panics and either parses or returns the parser's error, and the check characters are
//! recomputed here from the standards (not with the parsers' own functions) so that a valid
//! number always parses, displays back to itself, and every single-character change and every
//! swap of two neighbouring characters is caught.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::{province_name, CitizenId, RegionCode, Uscc};
use crate::error::Coded;
use crate::fuzz_support::{arb_text, config, near};

/// The province prefixes the parsers know, read back through the public lookup.
fn provinces() -> Vec<String> {
    (0..100)
        .map(|n| format!("{n:02}"))
        .filter(|p| province_name(p).is_some())
        .collect()
}

/// GB 11643-1999: weights 2^(17-i) mod 11, check value (12 - Σ mod 11) mod 11, 10 written X.
fn gb11643_check(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * ((1u32 << (17 - i)) % 11))
        .sum();
    match (12 - sum % 11) % 11 {
        10 => 'X',
        v => char::from(b'0' + v as u8),
    }
}

/// The 17 leading digits of a well-formed number: a known province (or 83, residence permits),
/// any four digits, a real birth date from 1800 to 2099 and any sequence.
fn citizen_first17() -> impl Strategy<Value = String> {
    let mut prefixes = provinces();
    prefixes.push("83".to_string());
    let first = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    let days = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap() - first;
    (
        prop::sample::select(prefixes),
        0u32..10_000,
        0..=days.num_days(),
        0u32..1000,
    )
        .prop_map(move |(p, rest, day, seq)| {
            let birth = first + chrono::Duration::days(day);
            format!("{p}{rest:04}{}{seq:03}", birth.format("%Y%m%d"))
        })
}

fn citizen_id() -> impl Strategy<Value = String> {
    citizen_first17().prop_map(|f| format!("{f}{}", gb11643_check(&f)))
}

/// GB 32100-2015: 31 characters, weights 3^i mod 31, check value 31 - Σ mod 31 (31 written 0).
const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_value(c: char) -> u32 {
    USCC_CHARSET.find(c).unwrap() as u32
}

fn gb32100_check(first17: &str) -> char {
    let mut weight = 1;
    let mut sum = 0;
    for c in first17.chars() {
        sum += uscc_value(c) * weight;
        weight = weight * 3 % 31;
    }
    let v = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(v as usize).unwrap()
}

fn uscc_char() -> impl Strategy<Value = char> {
    prop::sample::select(USCC_CHARSET.chars().collect::<Vec<_>>())
}

/// Any registration authority and category, a six-digit region, any nine-character body.
fn uscc_first17() -> impl Strategy<Value = String> {
    (
        uscc_char(),
        uscc_char(),
        0u32..1_000_000,
        prop::collection::vec(uscc_char(), 9),
    )
        .prop_map(|(a, c, region, body)| {
            format!("{a}{c}{region:06}{}", body.into_iter().collect::<String>())
        })
}

fn uscc() -> impl Strategy<Value = String> {
    uscc_first17().prop_map(|f| format!("{f}{}", gb32100_check(&f)))
}

fn region_code() -> impl Strategy<Value = String> {
    (prop::sample::select(provinces()), 0u32..10_000).prop_map(|(p, r)| format!("{p}{r:04}"))
}

/// Replaces the character at `pos` by `c`.
fn with_char(s: &str, pos: usize, c: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, x)| if i == pos { c } else { x })
        .collect()
}

fn swapped(s: &str, pos: usize) -> String {
    let mut v: Vec<char> = s.chars().collect();
    v.swap(pos, pos + 1);
    v.into_iter().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn citizen_id_arbitrary_text_never_panics(s in prop_oneof![arb_text(), near(citizen_id())]) {
        match s.parse::<CitizenId>() {
            Ok(id) => {
                // Whatever is accepted is exactly the trimmed input, upper-cased.
                prop_assert_eq!(id.as_str(), s.trim().to_ascii_uppercase());
                prop_assert_eq!(id.to_string().parse::<CitizenId>(), Ok(id.clone()));
                let _ = (id.birth_date(), id.sex(), id.masked(), format!("{id:?}"));
            }
            Err(e) => {
                prop_assert!(e.code().starts_with("id."));
                prop_assert!(!e.message().is_empty());
            }
        }
    }

    #[test]
    fn citizen_id_valid_numbers_parse_and_display_back(s in citizen_id()) {
        let id: CitizenId = s.parse().unwrap();
        prop_assert_eq!(id.to_string(), s.clone());
        prop_assert_eq!(id.birth_date().format("%Y%m%d").to_string(), &s[6..14]);
        prop_assert!(id.birth_date().year() >= 1800);
        // A lower-case check letter is the same number.
        let lower: CitizenId = s.to_ascii_lowercase().parse().unwrap();
        prop_assert_eq!(lower, id);
    }

    #[test]
    fn citizen_id_any_changed_digit_is_refused(s in citizen_id(), pos in 0usize..18, digit in 0u8..10) {
        let c = char::from(b'0' + digit);
        prop_assume!(s.chars().nth(pos) != Some(c));
        let changed = with_char(&s, pos, c);
        prop_assert!(changed.parse::<CitizenId>().is_err(), "{} accepted", changed);
    }

    #[test]
    fn citizen_id_a_changed_check_digit_fails_the_check(f in citizen_first17(), c in prop::sample::select("0123456789X".chars().collect::<Vec<_>>())) {
        prop_assume!(c != gb11643_check(&f));
        let e = format!("{f}{c}").parse::<CitizenId>().unwrap_err();
        prop_assert_eq!(e.code(), "id.check_digit");
    }

    #[test]
    fn citizen_id_swapped_neighbours_are_refused(s in citizen_id(), pos in 0usize..16) {
        prop_assume!(s.as_bytes()[pos] != s.as_bytes()[pos + 1]);
        let changed = swapped(&s, pos);
        prop_assert!(changed.parse::<CitizenId>().is_err(), "{} accepted", changed);
    }

    #[test]
    fn uscc_arbitrary_text_never_panics(s in prop_oneof![arb_text(), near(uscc())]) {
        match s.parse::<Uscc>() {
            Ok(u) => {
                prop_assert_eq!(u.as_str(), s.trim().to_ascii_uppercase());
                prop_assert_eq!(u.to_string().parse::<Uscc>(), Ok(u.clone()));
                prop_assert_eq!(u.region_part().len(), 6);
            }
            Err(e) => {
                prop_assert!(e.code().starts_with("uscc."));
                prop_assert!(!e.message().is_empty());
            }
        }
    }

    #[test]
    fn uscc_valid_codes_parse_and_display_back(s in uscc()) {
        let u: Uscc = s.parse().unwrap();
        prop_assert_eq!(u.to_string(), s.clone());
        prop_assert_eq!(s.to_ascii_lowercase().parse::<Uscc>(), Ok(u));
    }

    #[test]
    fn uscc_any_changed_character_is_refused(s in uscc(), pos in 0usize..18, c in uscc_char()) {
        prop_assume!(s.chars().nth(pos) != Some(c));
        let changed = with_char(&s, pos, c);
        prop_assert!(changed.parse::<Uscc>().is_err(), "{} accepted", changed);
    }

    #[test]
    fn uscc_a_changed_check_character_fails_the_check(f in uscc_first17(), c in uscc_char()) {
        prop_assume!(c != gb32100_check(&f));
        let e = format!("{f}{c}").parse::<Uscc>().unwrap_err();
        prop_assert_eq!(e.code(), "uscc.check_digit");
    }

    #[test]
    fn uscc_swapped_neighbours_are_refused(s in uscc(), pos in 0usize..16) {
        prop_assume!(s.as_bytes()[pos] != s.as_bytes()[pos + 1]);
        let changed = swapped(&s, pos);
        prop_assert!(changed.parse::<Uscc>().is_err(), "{} accepted", changed);
    }

    #[test]
    fn region_arbitrary_text_never_panics(s in prop_oneof![arb_text(), near(region_code())]) {
        match s.parse::<RegionCode>() {
            Ok(r) => {
                prop_assert_eq!(r.as_str(), s.trim());
                prop_assert!(r.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(!r.province_name().is_empty());
            }
            Err(e) => {
                prop_assert!(e.code().starts_with("region."));
                prop_assert!(!e.message().is_empty());
            }
        }
    }

    #[test]
    fn region_valid_codes_parse_and_display_back(s in region_code()) {
        let r: RegionCode = s.parse().unwrap();
        prop_assert_eq!(r.to_string(), s.clone());
        prop_assert!(r.contains(&r));
    }
}
