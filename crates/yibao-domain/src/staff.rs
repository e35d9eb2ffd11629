//! Staff roles (DESIGN §9, 岗位): each staff account holds one or more, scoped to its agency.
//! Stored as their keys (`clerk,reviewer`); a key the store holds that is not here is corrupt data.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 受理: intake at the window, deficiency notices, acceptance.
    Clerk,
    /// 审核: review levels.
    Reviewer,
    /// 拨付: payments and account credits.
    Finance,
    /// 监督: the agency's cases, time limits and evaluations.
    Supervisor,
    /// 管理员: staff, institutions, calendar, policy data.
    Admin,
    /// 审计: the audit log.
    Auditor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 6] = [
        StaffRole::Clerk,
        StaffRole::Reviewer,
        StaffRole::Finance,
        StaffRole::Supervisor,
        StaffRole::Admin,
        StaffRole::Auditor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StaffRole::Clerk => "clerk",
            StaffRole::Reviewer => "reviewer",
            StaffRole::Finance => "finance",
            StaffRole::Supervisor => "supervisor",
            StaffRole::Admin => "admin",
            StaffRole::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Clerk => "受理",
            StaffRole::Reviewer => "审核",
            StaffRole::Finance => "拨付",
            StaffRole::Supervisor => "监督",
            StaffRole::Admin => "管理员",
            StaffRole::Auditor => "审计",
        }
    }

    pub fn from_key(key: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The roles of a stored list (`clerk,reviewer`); `Err` names the first unknown key.
    pub fn parse_list(stored: &str) -> Result<Vec<StaffRole>, String> {
        stored
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| StaffRole::from_key(r).ok_or_else(|| r.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::StaffRole;

    #[test]
    fn keys_round_trip_and_lists_parse() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::from_key(r.key()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.key());
        }
        assert_eq!(
            StaffRole::parse_list("admin, auditor,"),
            Ok(vec![StaffRole::Admin, StaffRole::Auditor])
        );
        assert_eq!(StaffRole::parse_list(""), Ok(vec![]));
        assert_eq!(StaffRole::parse_list("clerk,root"), Err("root".into()));
    }
}
