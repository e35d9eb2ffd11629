//! Fuzz targets of the case engine's parsers: case numbers (办件编号, typed by citizens on the
//! public progress page), the status / action / evaluation / material-form words of the API,
//! and uploads sniffed by their bytes. Arbitrary input never panics; a case number is accepted
//! only in its one canonical spelling.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::{check_upload, sniff, Action, CaseNumber, CaseStatus, Evaluation, ProvidedAs};
use crate::catalog::{Upload, UploadFormat};
use crate::fuzz_support::{arb_text, config, near};
use crate::ids::RegionCode;

fn case_number() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["500000", "500119", "510104", "110105", "660000"]),
        0i64..40_000,
        1u32..=999_999,
    )
        .prop_map(|(region, days, seq)| {
            let day = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
            format!("{region}-{}-{seq:06}", day.format("%Y%m%d"))
        })
}

/// Bytes that start like the file kinds `sniff` knows, then anything.
fn upload_bytes() -> impl Strategy<Value = Vec<u8>> {
    let magics: Vec<&'static [u8]> = vec![
        b"%PDF-",
        b"\xFF\xD8\xFF",
        b"\x89PNG\r\n\x1a\n",
        b"PK\x03\x04",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        b"",
    ];
    (
        prop::sample::select(magics),
        prop::collection::vec(any::<u8>(), 0..600),
    )
        .prop_map(|(m, rest)| [m, &rest].concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn case_number_arbitrary_text_never_panics(s in prop_oneof![arb_text(), near(case_number())]) {
        if let Ok(n) = s.parse::<CaseNumber>() {
            // One number, one spelling: what is accepted is what is displayed.
            prop_assert_eq!(n.as_str(), s.trim());
            prop_assert!(n.region().parse::<RegionCode>().is_ok());
            prop_assert!(n.day().is_some());
        }
    }

    #[test]
    fn case_number_valid_numbers_round_trip(s in case_number()) {
        let n: CaseNumber = s.parse().unwrap();
        prop_assert_eq!(n.to_string(), s);
    }

    #[test]
    fn case_words_never_panic(s in arb_text()) {
        if let Some(c) = CaseStatus::parse(&s) {
            prop_assert_eq!(c.as_str(), s.as_str());
        }
        if let Some(a) = Action::parse(&s) {
            prop_assert_eq!(a.as_str(), s.as_str());
        }
        if let Some(p) = ProvidedAs::parse(&s) {
            prop_assert_eq!(p.as_str(), s.as_str());
        }
        if let Ok(e) = Evaluation::parse(&s) {
            prop_assert!(e.as_str() == s.trim() || e.label() == s.trim());
        }
    }

    #[test]
    fn uploads_of_any_bytes_never_panic(bytes in upload_bytes(), max in prop::option::of(0u64..700)) {
        let rule = Upload {
            formats: vec![UploadFormat::Pdf, UploadFormat::Word, UploadFormat::Excel],
            max_bytes: max,
            text: String::new(),
        };
        let _ = sniff(&bytes);
        let _ = check_upload(&bytes, None);
        if let Ok(k) = check_upload(&bytes, Some(&rule)) {
            prop_assert_eq!(sniff(&bytes), Some(k));
            // 「小于」: strictly below the limit.
            prop_assert!((bytes.len() as u64) < max.unwrap_or(super::DEFAULT_MAX_BYTES));
        }
    }
}
