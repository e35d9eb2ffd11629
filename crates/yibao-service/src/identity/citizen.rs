//! Citizen self-registration (ID number, name, phone verified by code, password) and password
//! reset by phone code for citizens and employer operators.

use serde::Deserialize;
use yibao_domain::{CitizenId, Uscc};
use yibao_store::{enrolment, identity as store, logins, StoreError};

use super::actor::{Actor, CitizenActor};
use super::codes::{check_code, mark_used, CodePurpose};
use super::password::{check_strength, hash_password};
use super::{parse_mobile, ts};
use crate::{audit, ErrorKind, ServiceError, Services};

#[derive(Debug, Clone, Deserialize)]
pub struct CitizenRegistration {
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub code: String,
    pub password: String,
}

pub async fn register_citizen(
    services: &Services,
    r: &CitizenRegistration,
) -> Result<CitizenActor, ServiceError> {
    let id: CitizenId = r.id_number.parse()?;
    let name = r.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(ServiceError::invalid(
            "identity.name_invalid",
            "请填写与身份证件一致的姓名（不超过50个字）",
        ));
    }
    let phone = parse_mobile(&r.phone)?;
    check_strength(&r.password)?;
    let code_id = check_code(services, &phone, CodePurpose::Register, &r.code).await?;
    let hash = hash_password(&r.password).await?;
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    if logins::find_citizen_by_id_number(&mut tx, id.as_str())
        .await?
        .is_some()
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "identity.already_registered",
            message: "该身份证号码已注册，请直接登录或找回密码".into(),
            details: None,
        });
    }
    mark_used(&mut tx, services, code_id).await?;
    let account_id =
        logins::insert_citizen(&mut tx, id.as_str(), name, &phone, &hash, &now).await?;
    let actor = CitizenActor {
        account_id,
        id_number: id.as_str().to_string(),
        name: name.to_string(),
    };
    audit::record(
        &mut tx,
        services,
        &Actor::Citizen(actor.clone()),
        "identity.citizen_register",
        "citizen",
        &account_id.to_string(),
        None,
        Some(&serde_json::json!({ "id_number": id.as_str(), "name": name, "phone": phone })),
        "参保人注册账户",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(actor)
}

/// Who is resetting: a citizen by ID number, or an employer operator by USCC and username.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PasswordReset {
    Citizen {
        id_number: String,
        phone: String,
        code: String,
        new_password: String,
    },
    Employer {
        uscc: String,
        username: String,
        phone: String,
        code: String,
        new_password: String,
    },
}

/// Resets a password with a code sent to the phone on record. The answer does not say whether
/// the account exists; a phone that does not match the account is refused like a wrong code.
pub async fn reset_password(services: &Services, r: &PasswordReset) -> Result<(), ServiceError> {
    let (phone, code, new_password) = match r {
        PasswordReset::Citizen {
            phone,
            code,
            new_password,
            ..
        }
        | PasswordReset::Employer {
            phone,
            code,
            new_password,
            ..
        } => (parse_mobile(phone)?, code, new_password),
    };
    check_strength(new_password)?;
    let code_id = check_code(services, &phone, CodePurpose::Reset, code).await?;
    let mismatch =
        || ServiceError::invalid("identity.code_wrong", "验证码不正确或已过期，请重新获取");
    let hash = hash_password(new_password).await?;
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    let actor = match r {
        PasswordReset::Citizen { id_number, .. } => {
            let id: CitizenId = id_number.parse()?;
            let acc = logins::find_citizen_by_id_number(&mut tx, id.as_str())
                .await?
                .filter(|a| a.phone == phone)
                .ok_or_else(mismatch)?;
            logins::set_citizen_password(&mut tx, acc.id, &hash).await?;
            store::revoke_sessions_of(&mut tx, "citizen", acc.id, &now).await?;
            Actor::Citizen(CitizenActor {
                account_id: acc.id,
                id_number: acc.id_number,
                name: acc.name,
            })
        }
        PasswordReset::Employer { uscc, username, .. } => {
            let uscc: Uscc = uscc.parse()?;
            let employer = enrolment::find_employer_by_uscc(&mut tx, uscc.as_str())
                .await?
                .ok_or_else(mismatch)?;
            let op = logins::find_operator(&mut tx, employer.id, username.trim())
                .await?
                .filter(|o| o.phone == phone)
                .ok_or_else(mismatch)?;
            logins::set_operator_password(&mut tx, op.id, &hash).await?;
            store::revoke_sessions_of(&mut tx, "employer", op.id, &now).await?;
            super::login::load_actor(&mut tx, "employer", op.id)
                .await?
                .ok_or_else(mismatch)?
        }
    };
    mark_used(&mut tx, services, code_id).await?;
    store::clear_failures_of_account(&mut tx, &reset_login_key(r)).await?;
    audit::record(
        &mut tx,
        services,
        &actor,
        "auth.password_reset",
        actor.kind(),
        &actor.id().to_string(),
        None,
        None,
        "通过手机验证码重置密码",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The throttling key of the account being reset, so a reset also lifts a lock-out.
fn reset_login_key(r: &PasswordReset) -> String {
    match r {
        PasswordReset::Citizen { id_number, .. } => {
            format!("citizen:{}", id_number.trim().to_ascii_uppercase())
        }
        PasswordReset::Employer { uscc, username, .. } => format!(
            "employer:{}/{}",
            uscc.trim().to_ascii_uppercase(),
            username.trim()
        ),
    }
}
