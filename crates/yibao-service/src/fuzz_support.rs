//! Input generators for the fuzz targets of this crate's parsers (`fuzz.rs` beside each):
//! arbitrary bytes and text with the characters that break careless parsers mixed in. The same
//! idea as yibao-domain's `fuzz_support`, which test code of another crate cannot reach.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// 512 cases unless `PROPTEST_CASES` says otherwise, divided by `cost` for targets whose one
/// case is expensive (building a workbook), so that each test stays well under ten seconds.
pub fn config(cost: u32) -> Config {
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    Config {
        cases: (cases / cost).max(1),
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

const PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    "X",
    "x",
    "-",
    "+",
    ".",
    ",",
    ";",
    ":",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{feff}",
    "\u{3000}",
    "元",
    "年",
    "月",
    "日",
    "姓名",
    "证件号码",
    "入职日期",
    "１",
    "ſ",
    "İ",
    "💥",
    "\u{fffd}",
    "E+17",
    "null",
    "true",
    "1e309",
    "-0",
    "9223372036854775807",
    "18446744073709551616",
    "92233720368547758.07",
    "-92233720368547758.08",
];

pub fn pieces(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..=max).prop_map(|v| v.concat())
}

/// Arbitrary text: any Unicode, the tricky pieces, or a very long run.
pub fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        4 => pieces(24),
        1 => (prop::sample::select(PIECES), 1_000usize..20_000).prop_map(|(p, n)| p.repeat(n)),
    ]
}

/// Arbitrary bytes, including invalid UTF-8 and text in other encodings.
pub fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..400),
        2 => arb_text().prop_map(String::into_bytes),
        1 => arb_text().prop_map(|s| encoding_rs::GB18030.encode(&s).0.into_owned()),
        1 => (prop::collection::vec(any::<u8>(), 0..200), pieces(8))
            .prop_map(|(mut b, s)| { b.extend_from_slice(s.as_bytes()); b }),
    ]
}

/// `valid` with one to three bytes replaced, inserted or removed, or cut short.
pub fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), 0u8..4, any::<u8>());
    prop::collection::vec(edit, 1..=3).prop_map(move |edits| {
        let mut b = valid.clone();
        for (at, op, byte) in edits {
            let i = at.index(b.len().max(1));
            match op {
                0 if i < b.len() => b[i] = byte,
                1 => b.insert(i.min(b.len()), byte),
                2 if i < b.len() => {
                    b.remove(i);
                }
                _ => b.truncate(i),
            }
        }
        b
    })
}
