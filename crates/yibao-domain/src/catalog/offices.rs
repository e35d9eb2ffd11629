//! The offices directory (办理地点): agencies' addresses, phones, hours, transit and complaint
//! lines, as a guide's annex lists them (seed 003 附件).

use serde::{Deserialize, Serialize};

use super::model::Source;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    pub district: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complaint_phones: Vec<String>,
    /// The entry verbatim.
    pub text: String,
}

/// An online channel the annex lists beside the offices (网上办理).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnlineChannel {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeDirectory {
    /// Set from the file name (`data/offices/<jurisdiction>.toml`).
    #[serde(default)]
    pub jurisdiction: String,
    pub source: Source,
    pub office: Vec<Office>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub online_channel: Vec<OnlineChannel>,
}
