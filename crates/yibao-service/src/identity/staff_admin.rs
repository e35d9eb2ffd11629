//! Staff accounts managed by an administrator of the same agency.

use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_store::staff::{self, NewStaff, StaffRow};
use yibao_store::{identity as store, StoreError};

use super::actor::Actor;
use super::password::{check_strength, hash_password};
use super::{forbidden, ts};
use crate::{audit, ErrorKind, ServiceError, Services};

#[derive(Debug, Clone, Deserialize)]
pub struct NewStaffInput {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub password: String,
}

fn check_roles(roles: &[String]) -> Result<String, ServiceError> {
    if roles.is_empty() {
        return Err(ServiceError::invalid(
            "identity.roles_required",
            "请至少选择一个岗位角色",
        ));
    }
    for r in roles {
        if StaffRole::from_key(r).is_none() {
            return Err(ServiceError::invalid(
                "identity.role_unknown",
                format!("未知的岗位角色“{r}”"),
            ));
        }
    }
    let mut sorted: Vec<&str> = roles.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(sorted.join(","))
}

pub async fn list_staff(services: &Services, actor: &Actor) -> Result<Vec<StaffRow>, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let mut tx = services.store().begin_read().await?;
    Ok(staff::list(&mut tx)
        .await?
        .into_iter()
        .filter(|s| s.agency_id == admin.agency_id)
        .collect())
}

/// Creates a staff account in the admin's own agency; the first login must change the password.
pub async fn create_staff(
    services: &Services,
    actor: &Actor,
    input: &NewStaffInput,
) -> Result<StaffRow, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let username = input.username.trim();
    let ok = (2..=32).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if !ok {
        return Err(ServiceError::invalid(
            "identity.username_invalid",
            "用户名应为2至32位字母、数字或 . _ -",
        ));
    }
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        return Err(ServiceError::invalid(
            "identity.name_invalid",
            "请填写工作人员姓名",
        ));
    }
    let roles = check_roles(&input.roles)?;
    check_strength(&input.password)?;
    let hash = hash_password(&input.password).await?;
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    if staff::find_by_username(&mut tx, username).await?.is_some() {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "identity.username_taken",
            message: format!("用户名“{username}”已被使用"),
            details: None,
        });
    }
    let id = staff::insert(
        &mut tx,
        &NewStaff {
            username,
            display_name,
            agency_id: admin.agency_id,
            roles: &roles,
            password_hash: &hash,
        },
        &now,
    )
    .await?;
    staff::set_password(&mut tx, id, &hash, true).await?;
    let row = staff::find_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("identity.not_found", "工作人员不存在"))?;
    audit::record(
        &mut tx,
        services,
        actor,
        "identity.staff_create",
        "staff",
        &id.to_string(),
        None,
        Some(&serde_json::to_value(&row).unwrap_or_default()),
        &format!("新建工作人员账户 {username}（{roles}）"),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

async fn own_staff(
    tx: &mut yibao_store::Conn,
    actor: &Actor,
    id: i64,
) -> Result<StaffRow, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let row = staff::find_by_id(tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("identity.not_found", "工作人员不存在"))?;
    if row.agency_id != admin.agency_id {
        return Err(forbidden(
            "auth.out_of_agency",
            "只能管理本经办机构的工作人员",
        ));
    }
    Ok(row)
}

/// Sets a temporary password the staff member must change at next login; ends their sessions.
pub async fn reset_staff_password(
    services: &Services,
    actor: &Actor,
    id: i64,
    temporary: &str,
) -> Result<(), ServiceError> {
    check_strength(temporary)?;
    let hash = hash_password(temporary).await?;
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    let row = own_staff(&mut tx, actor, id).await?;
    staff::set_password(&mut tx, id, &hash, true).await?;
    store::revoke_sessions_of(&mut tx, "staff", id, &now).await?;
    store::clear_failures_of_account(&mut tx, &format!("staff:{}", row.username)).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "identity.staff_reset_password",
        "staff",
        &id.to_string(),
        None,
        None,
        &format!("重置工作人员 {} 的密码", row.username),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

pub async fn deactivate_staff(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<(), ServiceError> {
    if actor.id() == id && matches!(actor, Actor::Staff(_)) {
        return Err(ServiceError::invalid(
            "identity.self_deactivate",
            "不能停用自己的账户",
        ));
    }
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    let row = own_staff(&mut tx, actor, id).await?;
    staff::set_active(&mut tx, id, false).await?;
    store::revoke_sessions_of(&mut tx, "staff", id, &now).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "identity.staff_deactivate",
        "staff",
        &id.to_string(),
        Some(&serde_json::to_value(&row).unwrap_or_default()),
        None,
        &format!("停用工作人员 {}", row.username),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
