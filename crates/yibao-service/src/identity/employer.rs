//! Employer operators (单位经办人): the managing operator adds others for the same employer;
//! staff create the first one when the employer enrols.

use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_store::logins::{self, NewOperator, OperatorRow};
use yibao_store::{enrolment, StoreError};

use super::actor::Actor;
use super::password::{check_strength, hash_password};
use super::{forbidden, parse_mobile, ts};
use crate::{audit, ErrorKind, ServiceError, Services};

#[derive(Debug, Clone, Deserialize)]
pub struct NewOperatorInput {
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub password: String,
    #[serde(default)]
    pub manager: bool,
}

fn check_username(u: &str) -> Result<(), ServiceError> {
    let ok = (2..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "identity.username_invalid",
            "用户名应为2至32位字母、数字或 . _ -",
        ))
    }
}

/// Adds an operator to `employer_id`. Allowed for the employer's managing operator, and for
/// clerks of the agency serving the employer's region.
pub async fn add_operator(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
    input: &NewOperatorInput,
) -> Result<OperatorRow, ServiceError> {
    // Who may add, checked before hashing; the hash is computed outside the write transaction.
    let mut tx = services.store().begin_read().await?;
    let employer = enrolment::find_employer(&mut tx, employer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在"))?;
    match actor {
        Actor::Employer(e) if e.employer_id == employer.id && e.manager => {}
        Actor::Staff(s) if s.has_role(StaffRole::Clerk) && s.serves(&employer.region_code) => {}
        Actor::Anonymous => return Err(super::unauthenticated("auth.required", "请先登录")),
        _ => {
            return Err(forbidden(
                "auth.forbidden",
                "只有本单位的管理经办人或属地经办机构受理人员可以添加经办人",
            ))
        }
    }
    let username = input.username.trim();
    check_username(username)?;
    let phone = parse_mobile(&input.phone)?;
    check_strength(&input.password)?;
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        return Err(ServiceError::invalid(
            "identity.name_invalid",
            "请填写经办人姓名",
        ));
    }
    drop(tx);
    let hash = hash_password(&input.password).await?;
    let mut tx = services.store().begin().await?;
    if logins::find_operator(&mut tx, employer.id, username)
        .await?
        .is_some()
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "identity.username_taken",
            message: format!("本单位已有用户名为“{username}”的经办人"),
            details: None,
        });
    }
    let now = ts(services.clock().now());
    let id = logins::insert_operator(
        &mut tx,
        &NewOperator {
            employer_id: employer.id,
            username,
            display_name,
            phone: &phone,
            password_hash: &hash,
            manager: input.manager,
        },
        &now,
    )
    .await?;
    let row = logins::find_operator_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("identity.not_found", "经办人不存在"))?;
    audit::record(
        &mut tx,
        services,
        actor,
        "identity.operator_add",
        "employer_operator",
        &id.to_string(),
        None,
        Some(&serde_json::to_value(&row).unwrap_or_default()),
        &format!("为单位 {} 添加经办人 {username}", employer.uscc),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

pub async fn list_operators(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
) -> Result<Vec<OperatorRow>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let employer = enrolment::find_employer(&mut tx, employer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在"))?;
    crate::records::may_see_employer(actor, &employer)?;
    Ok(logins::list_operators(&mut tx, employer.id).await?)
}
