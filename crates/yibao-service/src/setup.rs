//! Setting up a new installation from the command line: agencies (经办机构) and their first
//! administrator. Only the machine's operator (`Actor::System`) may do this; everything after
//! that is done by the agency's admin in the application. Both steps are audited.

use yibao_domain::RegionCode;
use yibao_store::{agency, staff, StoreError};

use crate::identity::{check_strength, forbidden, hash_password, Actor, StaffRole};
use crate::{audit, ErrorKind, ServiceError, Services};

fn system_only(actor: &Actor) -> Result<(), ServiceError> {
    match actor {
        Actor::System { .. } => Ok(()),
        _ => Err(forbidden(
            "auth.forbidden",
            "经办机构和首个管理员只能由系统运维人员在命令行创建",
        )),
    }
}

pub struct NewAgencyInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub region_code: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub hours: &'a str,
}

pub async fn add_agency(
    services: &Services,
    actor: &Actor,
    a: &NewAgencyInput<'_>,
) -> Result<i64, ServiceError> {
    system_only(actor)?;
    let region: RegionCode = a.region_code.parse()?;
    if yibao_domain::codes::AgencyLevel::from_key(a.level).is_none() {
        return Err(ServiceError::invalid(
            "agency.level_invalid",
            "机构层级应为 province（省/直辖市）、city（市）或 district（区县）",
        ));
    }
    let code = a.code.trim();
    let name = a.name.trim();
    if code.is_empty() || name.is_empty() {
        return Err(ServiceError::invalid(
            "agency.required",
            "请填写机构代码和名称",
        ));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    if agency::find_by_code(&mut tx, code).await?.is_some() {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "agency.exists",
            message: format!("机构代码 {code} 已存在"),
            details: None,
        });
    }
    let id = agency::insert(
        &mut tx,
        &agency::NewAgency {
            code,
            name,
            region_code: region.as_str(),
            level: a.level,
            address: a.address,
            phone: a.phone,
            hours: a.hours,
        },
        &now,
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "agency.create",
        "agency",
        code,
        None,
        Some(&serde_json::json!({ "code": code, "name": name, "region_code": region.as_str(), "level": a.level })),
        &format!("新建经办机构 {code} {name}"),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}

/// Creates a staff account in the agency with `agency_code`; the first login must change the
/// password.
pub async fn add_staff(
    services: &Services,
    actor: &Actor,
    agency_code: &str,
    username: &str,
    display_name: &str,
    roles: &[String],
    password: &str,
) -> Result<i64, ServiceError> {
    system_only(actor)?;
    for r in roles {
        if StaffRole::from_key(r).is_none() {
            return Err(ServiceError::invalid(
                "identity.role_unknown",
                format!("未知的岗位角色“{r}”"),
            ));
        }
    }
    if roles.is_empty() || username.trim().is_empty() || display_name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "identity.required",
            "请填写用户名、姓名和至少一个岗位角色",
        ));
    }
    check_strength(password)?;
    let hash = hash_password(password).await?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let agency = agency::find_by_code(&mut tx, agency_code.trim())
        .await?
        .ok_or_else(|| {
            ServiceError::not_found("agency.not_found", format!("经办机构 {agency_code} 不存在"))
        })?;
    if staff::find_by_username(&mut tx, username.trim())
        .await?
        .is_some()
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "identity.username_taken",
            message: format!("用户名“{}”已被使用", username.trim()),
            details: None,
        });
    }
    let joined = roles.join(",");
    let id = staff::insert(
        &mut tx,
        &staff::NewStaff {
            username: username.trim(),
            display_name: display_name.trim(),
            agency_id: agency.id,
            roles: &joined,
            password_hash: &hash,
        },
        &now,
    )
    .await?;
    staff::set_password(&mut tx, id, &hash, true).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "identity.staff_create",
        "staff",
        &id.to_string(),
        None,
        Some(&serde_json::json!({ "username": username.trim(), "agency": agency.code, "roles": joined })),
        &format!("命令行新建工作人员 {}（{}，{joined}）", username.trim(), agency.code),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}
