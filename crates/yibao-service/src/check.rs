//! Identifier checks (号码校验): tell a person whether an identifier is well formed and, if not,
//! exactly why. Used by `yibao check …`, `GET /api/v1/check/…` and the check page.

use serde::Serialize;
use yibao_domain::ids::{province_name, Sex};
use yibao_domain::{CitizenId, Coded, DomainError, RegionCode, Uscc};

/// Which identifier to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// 公民身份号码
    Id,
    /// 统一社会信用代码
    Uscc,
    /// 行政区划代码
    Region,
}

impl IdentifierKind {
    pub fn parse(s: &str) -> Option<IdentifierKind> {
        match s {
            "id" => Some(IdentifierKind::Id),
            "uscc" => Some(IdentifierKind::Uscc),
            "region" => Some(IdentifierKind::Region),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IdentifierKind::Id => "公民身份号码",
            IdentifierKind::Uscc => "统一社会信用代码",
            IdentifierKind::Region => "行政区划代码",
        }
    }
}

/// What a valid identifier tells about itself.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Facts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckResult {
    pub kind: IdentifierKind,
    pub valid: bool,
    /// The normalised form (upper case, trimmed) when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CheckResult {
    fn invalid(kind: IdentifierKind, e: DomainError) -> CheckResult {
        CheckResult {
            kind,
            valid: false,
            normalized: None,
            facts: None,
            code: Some(e.code()),
            message: Some(e.message()),
        }
    }
}

/// Checks `input` as an identifier of `kind`. Pure: no store, no clock.
pub fn check(kind: IdentifierKind, input: &str) -> CheckResult {
    let parsed: Result<(String, Facts), DomainError> = match kind {
        IdentifierKind::Id => input.parse::<CitizenId>().map_err(Into::into).map(|id| {
            let facts = Facts {
                birth_date: Some(id.birth_date().format("%Y-%m-%d").to_string()),
                sex: Some(match id.sex() {
                    Sex::Male => Sex::Male.label(),
                    Sex::Female => Sex::Female.label(),
                }),
                region_code: Some(id.address_code().to_string()),
                province: province_name(&id.address_code()[..2]),
            };
            (id.to_string(), facts)
        }),
        IdentifierKind::Uscc => input.parse::<Uscc>().map_err(Into::into).map(|u| {
            let facts = Facts {
                birth_date: None,
                sex: None,
                region_code: Some(u.region_part().to_string()),
                province: province_name(&u.region_part()[..2]),
            };
            (u.to_string(), facts)
        }),
        IdentifierKind::Region => input.parse::<RegionCode>().map_err(Into::into).map(|r| {
            let facts = Facts {
                birth_date: None,
                sex: None,
                region_code: Some(r.to_string()),
                province: Some(r.province_name()),
            };
            (r.to_string(), facts)
        }),
    };
    match parsed {
        Ok((normalized, facts)) => CheckResult {
            kind,
            valid: true,
            normalized: Some(normalized),
            facts: Some(facts),
            code: None,
            message: None,
        },
        Err(e) => CheckResult::invalid(kind, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_id_reports_its_facts() {
        let r = check(IdentifierKind::Id, " 11010519491231002x ");
        assert!(r.valid);
        assert_eq!(r.normalized.as_deref(), Some("11010519491231002X"));
        let f = r.facts.unwrap();
        assert_eq!(f.birth_date.as_deref(), Some("1949-12-31"));
        assert_eq!(f.sex, Some("女"));
        assert_eq!(f.province, Some("北京市"));
    }

    #[test]
    fn invalid_uscc_says_why() {
        let r = check(IdentifierKind::Uscc, "91350100M000100Y44");
        assert!(!r.valid);
        assert_eq!(r.code, Some("uscc.check_digit"));
        assert!(r.message.unwrap().contains("校验码"));
    }
}
