//! Input generators shared by the parsers' fuzz targets (`fuzz.rs` beside each parser): text
//! that is mostly the parser's own alphabet, with the characters that break careless parsers
//! mixed in — NUL and other control characters, full-width digits, characters whose case
//! mapping changes their length or leaves ASCII, whitespace that `trim` removes, and very long
//! runs — plus plain arbitrary Unicode.
//!
//! Each fuzz test runs `cases()` cases (512 unless `PROPTEST_CASES` says otherwise), so CI
//! stays fast and a longer run is one environment variable away.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// 512 cases by default; `PROPTEST_CASES=100000 cargo test -p yibao-domain fuzz` runs longer.
pub fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    Config {
        cases,
        // Shrinking a long random string is slow and rarely needed to read a failure.
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Pieces that trip parsers: separators, signs, units, Unicode look-alikes and case traps.
const PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "5",
    "9",
    "X",
    "x",
    "-",
    "+",
    ".",
    ",",
    " ",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{3000}",
    "\u{feff}",
    "\u{200b}",
    "元",
    "年",
    "月",
    "日",
    "１",
    "０",
    "Ｘ",
    "．",
    "，",
    "ſ",
    "ı",
    "ß",
    "ﬀ",
    "İ",
    "K",
    "e",
    "E+",
    "E",
    "a",
    "A",
    "I",
    "O",
    "Z",
    "é",
    "💥",
    "\u{fffd}",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "99999999999999999999",
    "000000",
    "500000",
    "510104",
    "830000",
    "19491231",
    "20240229",
    "20230229",
    "00000000",
];

/// Text built from `PIECES`, up to `max` pieces long.
pub fn pieces(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..=max).prop_map(|v| v.concat())
}

/// Arbitrary text: any Unicode scalar values, the tricky pieces, or a very long run.
pub fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => prop::collection::vec(any::<char>(), 0..40).prop_map(|v| v.into_iter().collect()),
        4 => pieces(24),
        1 => (prop::sample::select(PIECES), 1_000usize..20_000).prop_map(|(p, n)| p.repeat(n)),
    ]
}

/// Separators, signs and blanks: the pieces most likely to slip past a structural check.
const SHORT: &[&str] = &[
    " ", "\t", "\u{3000}", "+", "-", ".", ",", "0", "9", "x", "X", "\0",
];

/// `valid` with one to three pieces of noise inserted, replacing a character, or a character
/// removed: near misses of a well-formed value reach deeper into a parser than random text.
pub fn near(valid: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        0u8..3,
        prop_oneof![prop::sample::select(PIECES), prop::sample::select(SHORT)],
    );
    (valid, prop::collection::vec(edit, 1..=3)).prop_map(|(v, edits)| {
        let mut chars: Vec<char> = v.chars().collect();
        for (at, op, piece) in edits {
            let i = at.index(chars.len() + 1);
            let remove = op > 0 && i < chars.len();
            if remove {
                chars.remove(i);
            }
            if op < 2 {
                for (k, c) in piece.chars().enumerate() {
                    chars.insert(i + k, c);
                }
            }
        }
        chars.into_iter().collect()
    })
}
