//! Case numbers (办件编号): `RRRRRR-YYYYMMDD-NNNNNN` — the receiving agency's region code, the
//! Beijing date of creation and a sequence per region and day. Readable over the phone, sortable,
//! and unique by construction (the store hands out the sequence).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::CaseError;
use crate::ids::RegionCode;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

impl CaseNumber {
    pub fn new(region: &RegionCode, day: NaiveDate, seq: u32) -> Result<CaseNumber, CaseError> {
        if !(1..=999_999).contains(&seq) {
            return Err(CaseError::NumberFormat(format!("序号 {seq}")));
        }
        Ok(CaseNumber(format!(
            "{}-{}-{seq:06}",
            region.as_str(),
            day.format("%Y%m%d")
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    pub fn day(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[7..15], "%Y%m%d").ok()
    }
}

impl FromStr for CaseNumber {
    type Err = CaseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || CaseError::NumberFormat(s.chars().take(40).collect());
        let parts: Vec<&str> = s.split('-').collect();
        let [region, day, seq] = parts.as_slice() else {
            return Err(bad());
        };
        // Digits only: RegionCode trims and chrono skips spaces and reads one-digit months, so
        // `500119 - 2026112-000001` would otherwise name case 500119-20261102-000001.
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(region, 6) || !digits(day, 8) || !digits(seq, 6) {
            return Err(bad());
        }
        let region: RegionCode = region.parse().map_err(|_| bad())?;
        let day = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| bad())?;
        let seq: u32 = seq.parse().map_err(|_| bad())?;
        CaseNumber::new(&region, day, seq).map_err(|_| bad())
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = CaseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> String {
        n.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses() {
        let r: RegionCode = "500119".parse().unwrap();
        let n = CaseNumber::new(&r, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), 123).unwrap();
        assert_eq!(n.as_str(), "500119-20261122-000123");
        assert_eq!(n.as_str().parse::<CaseNumber>().unwrap(), n);
        assert_eq!(n.region(), "500119");
        for bad in [
            "",
            "500119-20261122",
            "990000-20261122-000001",
            "500119-20261322-000001",
            "500119-20261122-0001",
            "500119-20261122-000000",
            "500119-20261122-00000a",
        ] {
            assert!(bad.parse::<CaseNumber>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_the_canonical_spelling_is_accepted() {
        // Found by the fuzz target: each of these used to parse as 500119-20261102-000001.
        for bad in [
            "500119 -20261102-000001",
            "500119- 2026112-000001",
            "500119-2026 112-000001",
            "500119-20261 12-000001",
        ] {
            assert!(bad.parse::<CaseNumber>().is_err(), "{bad}");
        }
        assert!(" 500119-20261102-000001 ".parse::<CaseNumber>().is_ok());
    }

    proptest! {
        #[test]
        fn round_trips(seq in 1u32..=999_999, days in 0i64..20000) {
            let r: RegionCode = "510104".parse().unwrap();
            let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let n = CaseNumber::new(&r, d, seq).unwrap();
            prop_assert_eq!(n.as_str().parse::<CaseNumber>().unwrap(), n.clone());
            prop_assert_eq!(n.day(), Some(d));
        }
    }
}
