//! Where a filing points (备案到哪里): a province or a city of the care place.
//!
//! Seed 000 表1 温馨提示 2–3: 「办理备案时直接备案到就医地市或省份」; 「到北京、天津、上海、重庆、海南、
//! 西藏和新疆生产建设兵团就医，备案到就医省份即可」.
//!
//! XPCC (新疆生产建设兵团): the national medical-security platform gives the Corps its own
//! province-level prefix 66 (admdvs 660000, its divisions 66xx00), which `RegionCode` already
//! accepts. Plain GB/T 2260 data has no 66; there the Corps' cities (师市合一: 石河子 659001,
//! 阿拉尔 659002 … 白杨 659012) sit under 659000 「自治区直辖县级行政区划」, every one of which
//! is a Corps city. We therefore recognise the Corps by prefix 66 **or** by the 6590xx block, and
//! file both to 660000. This is our reading (the seeds do not say how codes are written); the rest
//! of Xinjiang (65) files to its cities as usual.
//!
//! Other 「省直辖县级行政区划」 blocks (xx90xx, e.g. 河南 济源 419001, 湖北 仙桃 429004) are
//! county-level cities each with its own pooling region, so the filing targets the code itself.

use serde::{Deserialize, Serialize};

use crate::ids::RegionCode;

use super::error::FilingError;

/// Province-level prefixes whose care is filed to the province (seed 000 表1 温馨提示 3).
pub const PROVINCE_LEVEL_TARGETS: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("31", "上海市"),
    ("50", "重庆市"),
    ("46", "海南省"),
    ("54", "西藏自治区"),
    ("66", "新疆生产建设兵团"),
];

/// Prefixes outside the mainland medical-security system: nothing to file to.
const OUTSIDE_MAINLAND: &[&str] = &["71", "81", "82"];

const XPCC: &str = "660000";

/// The place a filing is recorded against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum FilingTarget {
    /// A province-level division (xx0000).
    Province(RegionCode),
    /// A prefecture-level city (xxxx00) or a directly administered county-level city (xx90xx).
    City(RegionCode),
}

impl FilingTarget {
    pub fn code(&self) -> &RegionCode {
        match self {
            FilingTarget::Province(c) | FilingTarget::City(c) => c,
        }
    }

    pub fn is_province_level(&self) -> bool {
        matches!(self, FilingTarget::Province(_))
    }

    /// True if care in `region` falls under this target: the region's own target is this one.
    pub fn covers(&self, region: &RegionCode) -> bool {
        filing_target(region).is_ok_and(|t| &t == self)
    }

    /// For people: 「备案到重庆市（省级）」 or 「备案到 510100（市级）」.
    pub fn label(&self) -> String {
        match self {
            FilingTarget::Province(c) => {
                let name = province_level_name(c.province_prefix()).unwrap_or(c.province_name());
                format!("{name}（备案到省级）")
            }
            FilingTarget::City(c) => format!("{}{}（备案到市级）", c.province_name(), c),
        }
    }
}

fn province_level_name(prefix: &str) -> Option<&'static str> {
    PROVINCE_LEVEL_TARGETS
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, n)| *n)
}

/// True for codes of the XPCC: prefix 66, or the 6590xx block of Corps cities (see module doc).
pub fn is_xpcc(region: &RegionCode) -> bool {
    let s = region.as_str();
    s.starts_with("66") || s.starts_with("6590")
}

/// The filing target for care in `care_region`.
///
/// Errors: a province-level code of a province that files to cities (the city must be chosen),
/// and places outside the mainland system (Taiwan, Hong Kong, Macao).
pub fn filing_target(care_region: &RegionCode) -> Result<FilingTarget, FilingError> {
    let s = care_region.as_str();
    let prefix = care_region.province_prefix();
    if OUTSIDE_MAINLAND.contains(&prefix) {
        return Err(FilingError::TargetOutsideMainland {
            region: care_region.clone(),
        });
    }
    if is_xpcc(care_region) {
        return Ok(FilingTarget::Province(code(XPCC)?));
    }
    if province_level_name(prefix).is_some() {
        return Ok(FilingTarget::Province(code(&format!("{prefix}0000"))?));
    }
    match &s[2..4] {
        "00" => Err(FilingError::TargetNeedsCity {
            region: care_region.clone(),
        }),
        "90" => Ok(FilingTarget::City(care_region.clone())),
        _ => Ok(FilingTarget::City(code(&format!("{}00", &s[..4]))?)),
    }
}

/// Builds a code from digits taken from an already valid code (so parsing succeeds); an error
/// would surface as `filing.region` rather than a panic.
fn code(s: &str) -> Result<RegionCode, FilingError> {
    s.parse().map_err(FilingError::Region)
}
