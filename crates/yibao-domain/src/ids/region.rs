//! 6-digit administrative division codes (GB/T 2260), which the medical-security system also uses
//! as pooling-region codes (医保区划 admdvs).
//!
//! Only the structure is verified (six digits, a province that exists). The full list of
//! prefectures and counties changes every year and belongs in data, not in code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Coded;

/// Province-level prefixes of GB/T 2260, plus 66 which the national medical-security platform
/// uses for the Xinjiang Production and Construction Corps (新疆生产建设兵团).
const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("66", "新疆生产建设兵团"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// The name of the province-level division a two-digit prefix stands for.
pub fn province_name(prefix: &str) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(code, _)| *code == prefix)
        .map(|(_, name)| *name)
}

/// Every province-level division as (6-digit code, name), in GB/T 2260 order: the first level
/// of a region picker.
pub fn provinces() -> impl Iterator<Item = (String, &'static str)> {
    PROVINCES
        .iter()
        .map(|(prefix, name)| (format!("{prefix}0000"), *name))
}

/// A region code as a page shows it: its full name (510000 → 四川省, 500119 → 重庆市南川区, from
/// `data/regions/divisions.csv`), else the province's name with the code (510199 → 四川省
/// 510199). Text that is no code is shown as it is.
pub fn region_text(code: &str) -> String {
    match code.parse::<RegionCode>() {
        Ok(r) if r.is_province_level() => r.province_name().to_string(),
        Ok(r) => {
            super::full_name(&r).unwrap_or_else(|| format!("{} {}", r.province_name(), r.as_str()))
        }
        Err(_) => code.to_string(),
    }
}

/// The 6-digit code of a province-level division named in full (四川省) or without its suffix
/// (四川, 广西, 内蒙古).
pub fn province_code_of_name(name: &str) -> Option<String> {
    let name = name.trim();
    const SUFFIXES: &[&str] = &[
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "特别行政区",
        "自治区",
        "省",
        "市",
    ];
    PROVINCES
        .iter()
        .find(|(_, full)| {
            *full == name
                || SUFFIXES
                    .iter()
                    .any(|s| full.strip_suffix(s).is_some_and(|short| short == name))
        })
        .map(|(prefix, _)| format!("{prefix}0000"))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("region code must be 6 digits, got {0:?}")]
    Format(String),
    #[error("unknown province prefix {0}")]
    Province(String),
}

impl Coded for RegionCodeError {
    fn code(&self) -> &'static str {
        match self {
            RegionCodeError::Format(_) => "region.format",
            RegionCodeError::Province(_) => "region.province",
        }
    }

    fn message(&self) -> String {
        match self {
            RegionCodeError::Format(s) => {
                format!("行政区划代码应为6位数字，收到的是“{s}”")
            }
            RegionCodeError::Province(p) => {
                format!("行政区划代码的前两位“{p}”不是有效的省级行政区划代码（GB/T 2260）")
            }
        }
    }
}

/// A 6-digit region code whose province prefix exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit province prefix.
    pub fn province_prefix(&self) -> &str {
        &self.0[..2]
    }

    pub fn province_name(&self) -> &'static str {
        // Construction guarantees the prefix is in the table.
        province_name(self.province_prefix()).unwrap_or("")
    }

    /// The province this code lies in, as its province-level code (510104 → 510000).
    pub fn province(&self) -> RegionCode {
        // The prefix is a known province (construction), so the code is valid.
        RegionCode(format!("{}0000", self.province_prefix()))
    }

    /// True for a province-level code such as 500000.
    pub fn is_province_level(&self) -> bool {
        &self.0[2..] == "0000"
    }

    /// True for a city-level code such as 510100 (not province level).
    pub fn is_city_level(&self) -> bool {
        !self.is_province_level() && &self.0[4..] == "00"
    }

    /// The leading digits every code inside this region shares (`contains` as a prefix): two
    /// for a province, four for a city, all six for a county.
    pub fn contained_prefix(&self) -> &str {
        if self.is_province_level() {
            &self.0[..2]
        } else if self.is_city_level() {
            &self.0[..4]
        } else {
            &self.0
        }
    }

    /// True when `other` lies inside this region: a province holds its cities and counties, a
    /// city its counties, a county only itself. Agencies are scoped this way (DESIGN §9).
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.contained_prefix())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::Format(s.chars().take(32).collect()));
        }
        if province_name(&s[..2]).is_none() {
            return Err(RegionCodeError::Province(s[..2].to_string()));
        }
        Ok(RegionCode(s.to_string()))
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RegionCode> for String {
    fn from(r: RegionCode) -> String {
        r.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_chongqing_and_sichuan() {
        let cq: RegionCode = "500000".parse().unwrap();
        assert!(cq.is_province_level());
        assert_eq!(cq.province_name(), "重庆市");
        let nanchuan: RegionCode = "500119".parse().unwrap();
        assert!(!nanchuan.is_province_level());
        assert_eq!(
            "510100".parse::<RegionCode>().unwrap().province_name(),
            "四川省"
        );
    }

    #[test]
    fn refuses_bad_structure() {
        assert_eq!(
            "50011".parse::<RegionCode>().unwrap_err().code(),
            "region.format"
        );
        assert_eq!(
            "5001a9".parse::<RegionCode>().unwrap_err().code(),
            "region.format"
        );
        assert_eq!(
            "990000".parse::<RegionCode>().unwrap_err().code(),
            "region.province"
        );
    }

    proptest! {
        #[test]
        fn every_known_province_with_any_suffix_parses(idx in 0usize..PROVINCES.len(), rest in 0u32..10000) {
            let code = format!("{}{:04}", PROVINCES[idx].0, rest);
            let parsed: RegionCode = code.parse().unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,12}") {
            let _ = s.parse::<RegionCode>();
        }
    }
}

#[cfg(test)]
mod text_tests {
    #[test]
    fn codes_read_as_names() {
        assert_eq!(super::region_text("510000"), "四川省");
        assert_eq!(super::region_text("500119"), "重庆市南川区");
        assert_eq!(super::region_text("510107"), "四川省成都市武侯区");
        // A code the division table does not name keeps its digits.
        assert_eq!(super::region_text("510199"), "四川省 510199");
        assert_eq!(super::region_text("x"), "x");
        assert_eq!(
            super::province_code_of_name("内蒙古").as_deref(),
            Some("150000")
        );
        assert_eq!(
            super::province_code_of_name("新疆").as_deref(),
            Some("650000")
        );
    }
}

#[cfg(test)]
mod contains_tests {
    use super::RegionCode;

    fn r(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    #[test]
    fn provinces_hold_cities_and_counties_cities_hold_counties() {
        assert!(r("500000").contains(&r("500118")));
        assert!(r("510000").contains(&r("510104")));
        assert!(!r("510000").contains(&r("500118")));
        assert!(r("510100").contains(&r("510104")));
        assert!(!r("510100").contains(&r("510704")));
        assert!(r("500242").contains(&r("500242")));
        assert!(!r("500242").contains(&r("500118")));
        assert!(!r("500118").contains(&r("500000")));
    }
}
