//! The one who makes a request. Every service function that reads or changes records takes an
//! `&Actor` and decides there whether it is allowed.

use serde::Serialize;
use yibao_domain::RegionCode;

use super::{forbidden, unauthenticated, StaffRole};
use crate::ServiceError;

#[derive(Debug, Clone, Serialize)]
pub struct StaffActor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    /// The region the agency serves; staff see records inside it.
    pub agency_region: RegionCode,
    pub roles: Vec<StaffRole>,
    pub must_change_password: bool,
}

impl StaffActor {
    pub fn has_role(&self, role: StaffRole) -> bool {
        self.roles.contains(&role)
    }

    pub fn require(&self, role: StaffRole) -> Result<(), ServiceError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(forbidden(
                "auth.forbidden",
                format!("此操作需要“{}”角色", role.label()),
            ))
        }
    }

    /// True when a record of `region` lies in this staff member's agency's area.
    pub fn serves(&self, region: &str) -> bool {
        region
            .parse::<RegionCode>()
            .is_ok_and(|r| self.agency_region.contains(&r))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CitizenActor {
    pub account_id: i64,
    pub id_number: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmployerActor {
    pub operator_id: i64,
    pub employer_id: i64,
    pub uscc: String,
    pub employer_name: String,
    pub username: String,
    pub display_name: String,
    pub manager: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionActor {
    pub institution_id: i64,
    pub code: String,
    pub name: String,
    pub agency_id: i64,
    /// Where the institution is: the care region of its settlements.
    pub region_code: String,
    pub token_id: i64,
    /// 跨省异地就医直接结算 opened in its agreement (Sichuan 38): settlement reads it.
    pub cross_province: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Anonymous,
    Citizen(CitizenActor),
    Employer(EmployerActor),
    Staff(StaffActor),
    Institution(InstitutionActor),
    /// The command line run by an operator of the machine (imports, maintenance).
    System {
        label: String,
    },
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Citizen(_) => "citizen",
            Actor::Employer(_) => "employer",
            Actor::Staff(_) => "staff",
            Actor::Institution(_) => "institution",
            Actor::System { .. } => "system",
        }
    }

    /// Who this is, in words (the account page's 身份).
    pub fn kind_label(&self) -> &'static str {
        match self {
            Actor::Anonymous => "未登录",
            Actor::Citizen(_) => "参保人",
            Actor::Employer(_) => "参保单位经办人",
            Actor::Staff(_) => "经办机构工作人员",
            Actor::Institution(_) => "定点医药机构",
            Actor::System { .. } => "系统",
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Actor::Anonymous | Actor::System { .. } => 0,
            Actor::Citizen(c) => c.account_id,
            Actor::Employer(e) => e.operator_id,
            Actor::Staff(s) => s.id,
            Actor::Institution(i) => i.institution_id,
        }
    }

    /// How the actor appears in the audit chain: never a full ID number.
    pub fn label(&self) -> String {
        match self {
            Actor::Anonymous => "匿名".into(),
            Actor::Citizen(c) => format!(
                "citizen:{}",
                yibao_domain::ids::mask_id_number(&c.id_number)
            ),
            Actor::Employer(e) => format!("employer:{}/{}", e.uscc, e.username),
            Actor::Staff(s) => format!("staff:{}", s.username),
            Actor::Institution(i) => format!("institution:{}", i.code),
            Actor::System { label } => format!("system:{label}"),
        }
    }

    /// A name to greet the actor with on pages.
    pub fn display(&self) -> String {
        match self {
            Actor::Anonymous => String::new(),
            Actor::Citizen(c) => c.name.clone(),
            Actor::Employer(e) => format!("{}（{}）", e.display_name, e.employer_name),
            Actor::Staff(s) => format!("{}（{}）", s.display_name, s.agency_name),
            Actor::Institution(i) => i.name.clone(),
            Actor::System { label } => label.clone(),
        }
    }

    pub fn agency_id(&self) -> Option<i64> {
        match self {
            Actor::Staff(s) => Some(s.agency_id),
            Actor::Institution(i) => Some(i.agency_id),
            _ => None,
        }
    }

    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Actor::Anonymous)
    }

    pub fn require_login(&self) -> Result<(), ServiceError> {
        if self.is_authenticated() {
            Ok(())
        } else {
            Err(unauthenticated("auth.required", "请先登录"))
        }
    }

    /// The staff member behind this actor, holding `role`.
    pub fn staff_with(&self, role: StaffRole) -> Result<&StaffActor, ServiceError> {
        match self {
            Actor::Staff(s) => {
                s.require(role)?;
                Ok(s)
            }
            Actor::Anonymous => Err(unauthenticated("auth.required", "请先登录")),
            _ => Err(forbidden(
                "auth.forbidden",
                format!("此操作仅限经办机构“{}”岗位人员", role.label()),
            )),
        }
    }

    /// Any staff member (read access inside the agency's area).
    pub fn staff(&self) -> Result<&StaffActor, ServiceError> {
        match self {
            Actor::Staff(s) => Ok(s),
            Actor::Anonymous => Err(unauthenticated("auth.required", "请先登录")),
            _ => Err(forbidden("auth.forbidden", "此操作仅限经办机构工作人员")),
        }
    }

    pub fn citizen(&self) -> Result<&CitizenActor, ServiceError> {
        match self {
            Actor::Citizen(c) => Ok(c),
            Actor::Anonymous => Err(unauthenticated("auth.required", "请先登录")),
            _ => Err(forbidden("auth.forbidden", "此操作仅限参保人本人")),
        }
    }

    pub fn employer(&self) -> Result<&EmployerActor, ServiceError> {
        match self {
            Actor::Employer(e) => Ok(e),
            Actor::Anonymous => Err(unauthenticated("auth.required", "请先登录")),
            _ => Err(forbidden("auth.forbidden", "此操作仅限参保单位经办人")),
        }
    }

    pub fn institution(&self) -> Result<&InstitutionActor, ServiceError> {
        match self {
            Actor::Institution(i) => Ok(i),
            Actor::Anonymous => Err(unauthenticated("auth.required", "请提供有效的接口令牌")),
            _ => Err(forbidden("auth.forbidden", "此接口仅限定点医药机构调用")),
        }
    }
}

/// How a stored actor label (`Actor::label`: `staff:cq.clerk`, `citizen:5001…`) reads on a
/// page: in Chinese, without the internal prefix.
pub fn actor_text(label: &str) -> String {
    match label.split_once(':') {
        Some(("staff", who)) => format!("工作人员 {who}"),
        Some(("citizen", _)) => "申请人".to_string(),
        Some(("employer", who)) => format!("参保单位 {}", who.split('/').next().unwrap_or(who)),
        Some(("institution", who)) => format!("定点医药机构 {who}"),
        Some(("system", _)) => "系统".to_string(),
        _ => label.to_string(),
    }
}

#[cfg(test)]
mod label_tests {
    #[test]
    fn stored_labels_read_in_chinese() {
        use super::actor_text;
        assert_eq!(actor_text("staff:cq.clerk"), "工作人员 cq.clerk");
        assert_eq!(actor_text("citizen:500119********0313"), "申请人");
        assert_eq!(
            actor_text("employer:91500000MA5U00010X/admin"),
            "参保单位 91500000MA5U00010X"
        );
        assert_eq!(actor_text("system:batch"), "系统");
        assert_eq!(actor_text("匿名"), "匿名");
    }
}
