//! Designated institutions and their API tokens: random, shown once, stored as SHA-256, scoped
//! to one institution, expiring and revocable. Managed by the admin of the supervising agency.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use yibao_domain::staff::StaffRole;
use yibao_domain::RegionCode;
use yibao_store::institution::{self as store, InstitutionRow, NewInstitution, TokenRow};
use yibao_store::StoreError;

use super::actor::{Actor, InstitutionActor};
use super::{forbidden, random_hex, sha256_hex, ts, unauthenticated};
use crate::{audit, ErrorKind, ServiceError, Services};

/// Every institution token starts with this, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "ybi_";
const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Deserialize)]
pub struct NewInstitutionInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub level: String,
    pub region_code: String,
    /// Opens the agreement lifecycle at 已受理申请 (Chongqing/Sichuan 33/34: the window accepted
    /// the application) instead of recording an institution whose agreement is already in
    /// force (the default: an institution registered from the agency's existing records).
    #[serde(default)]
    pub apply: bool,
    /// 统一社会信用代码: identifies the institution when it applies at the window for a change,
    /// suspension, restoration or cross-province settlement (the case's applicant).
    #[serde(default)]
    pub uscc: Option<String>,
}

/// A token as issued: the secret is in `token` and is never shown again.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    pub id: i64,
    pub token: String,
    pub prefix: String,
    pub expires_at: String,
}

fn check_code(code: &str) -> Result<(), ServiceError> {
    // National fixed-point codes look like H50011800001 / P51010400012: a letter and 11 digits.
    let ok = code.len() == 12
        && matches!(code.as_bytes()[0], b'H' | b'P')
        && code[1..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "institution.code_invalid",
            "定点医药机构编码应为 H（医疗机构）或 P（药店）加11位数字",
        ))
    }
}

pub async fn create_institution(
    services: &Services,
    actor: &Actor,
    input: &NewInstitutionInput,
) -> Result<InstitutionRow, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let code = input.code.trim().to_ascii_uppercase();
    check_code(&code)?;
    let region: RegionCode = input.region_code.parse()?;
    if !admin.agency_region.contains(&region) {
        return Err(forbidden(
            "auth.out_of_agency",
            "只能登记本经办机构辖区内的定点医药机构",
        ));
    }
    let kind = match yibao_domain::codes::InstitutionKind::from_key(&input.kind) {
        Some(k) => k.key(),
        None => {
            return Err(ServiceError::invalid(
                "institution.kind_invalid",
                "机构类别应为 hospital（医疗机构）或 pharmacy（零售药店）",
            ))
        }
    };
    let name = input.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "institution.name_required",
            "请填写机构名称",
        ));
    }
    let uscc: Option<yibao_domain::Uscc> = input
        .uscc
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::parse)
        .transpose()?;
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    if store::find_by_code(&mut tx, &code).await?.is_some() {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "institution.exists",
            message: format!("机构编码 {code} 已登记"),
            details: None,
        });
    }
    let id = store::insert(
        &mut tx,
        &NewInstitution {
            code: &code,
            name,
            kind,
            level: input.level.trim(),
            region_code: region.as_str(),
            agency_id: admin.agency_id,
            uscc: uscc.as_ref().map(|u| u.as_str()),
        },
        &now,
    )
    .await?;
    let row = store::find(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))?;
    let today = services.clock().today();
    store::put_agreement(
        &mut tx,
        &crate::institution::initial_agreement(&row, today, input.apply, &now),
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "institution.create",
        "institution",
        &code,
        None,
        Some(&serde_json::to_value(&row).unwrap_or_default()),
        &format!("登记定点医药机构 {code} {name}"),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

/// Institutions an admin's agency supervises (all, for the list page).
pub async fn list_institutions(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<InstitutionRow>, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let mut tx = services.store().begin_read().await?;
    Ok(store::list(&mut tx)
        .await?
        .into_iter()
        .filter(|i| i.agency_id == admin.agency_id)
        .collect())
}

async fn own_institution(
    services: &Services,
    actor: &Actor,
    code: &str,
) -> Result<InstitutionRow, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let mut tx = services.store().begin_read().await?;
    let row = store::find_by_code(&mut tx, code.trim())
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))?;
    if row.agency_id != admin.agency_id {
        return Err(forbidden("auth.out_of_agency", "该机构不由本经办机构管理"));
    }
    Ok(row)
}

pub async fn create_token(
    services: &Services,
    actor: &Actor,
    code: &str,
    label: &str,
    days: i64,
) -> Result<IssuedToken, ServiceError> {
    let inst = own_institution(services, actor, code).await?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ServiceError::invalid(
            "institution.token_days",
            format!("令牌有效期应为1至{MAX_DAYS}天"),
        ));
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        return Err(ServiceError::invalid(
            "institution.token_label",
            "请填写令牌用途说明（不超过60个字）",
        ));
    }
    let now = services.clock().now();
    let token = format!("{TOKEN_PREFIX}{}", random_hex(32));
    let prefix = token[..12].to_string();
    let expires_at = ts(now + Duration::days(days));
    let mut tx = services.store().begin().await?;
    let id = store::insert_token(
        &mut tx,
        inst.id,
        &sha256_hex(&token),
        &prefix,
        label,
        &ts(now),
        &expires_at,
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "institution.token_create",
        "api_token",
        &id.to_string(),
        None,
        Some(&serde_json::json!({ "institution": inst.code, "prefix": prefix, "expires_at": expires_at })),
        &format!("为 {} 签发接口令牌 {prefix}…（{label}）", inst.code),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(IssuedToken {
        id,
        token,
        prefix,
        expires_at,
    })
}

pub async fn list_tokens(
    services: &Services,
    actor: &Actor,
    code: &str,
) -> Result<Vec<TokenRow>, ServiceError> {
    let inst = own_institution(services, actor, code).await?;
    let mut tx = services.store().begin_read().await?;
    Ok(store::list_tokens(&mut tx, inst.id).await?)
}

pub async fn revoke_token(services: &Services, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let mut tx = services.store().begin().await?;
    let token = store::find_token_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.token_not_found", "令牌不存在"))?;
    let inst = store::find(&mut tx, token.institution_id)
        .await?
        .filter(|i| i.agency_id == admin.agency_id)
        .ok_or_else(|| forbidden("auth.out_of_agency", "该令牌不属于本经办机构管理的机构"))?;
    store::revoke_token(&mut tx, id, &ts(services.clock().now())).await?;
    services.token_cache().forget(id);
    audit::record(
        &mut tx,
        services,
        actor,
        "institution.token_revoke",
        "api_token",
        &id.to_string(),
        Some(&serde_json::to_value(&token).unwrap_or_default()),
        None,
        &format!("吊销 {} 的接口令牌 {}…", inst.code, token.prefix),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The institution behind a bearer token, if the token is live.
pub async fn institution_for_token(
    services: &Services,
    token: &str,
) -> Result<Actor, ServiceError> {
    let now = ts(services.clock().now());
    let invalid = || unauthenticated("auth.token_invalid", "接口令牌无效、已过期或已吊销");
    let hash = sha256_hex(token);
    if let Some(actor) = services.token_cache().get(&hash, &now) {
        return Ok(actor);
    }
    // A read transaction: on SQLite a write one would queue every API call behind the writer.
    let mut tx = services.store().begin_read().await?;
    let row = store::find_token(&mut tx, &hash)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
        .ok_or_else(invalid)?;
    let (actor, cache_until) = actor_of_token(&mut tx, &row, services.clock().today()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    // Record use at most once a minute: settlement is the hot path and should not write here.
    let stale = ts(services.clock().now() - Duration::minutes(1));
    if row
        .last_used_at
        .as_deref()
        .is_none_or(|t| t < stale.as_str())
    {
        // Informational only: a busy database must not turn a valid call away.
        let touched = async {
            let mut tx = services.store().begin().await?;
            store::touch_token(&mut tx, row.id, &now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok::<_, ServiceError>(())
        }
        .await;
        if let Err(e) = touched {
            tracing::debug!(error = %e, "token last-use not recorded");
        }
    }
    services
        .token_cache()
        .put(hash, actor.clone(), row.id, cache_until);
    Ok(actor)
}

/// The institution a live token (not revoked, not expired) acts for, and until when a cached
/// look-up of it may live; refused when its agreement is not in force today.
async fn actor_of_token(
    conn: &mut yibao_store::Conn,
    row: &TokenRow,
    today: chrono::NaiveDate,
) -> Result<(Actor, String), ServiceError> {
    let inst = store::find(conn, row.institution_id)
        .await?
        .ok_or_else(|| unauthenticated("auth.token_invalid", "接口令牌无效、已过期或已吊销"))?;
    // The agreement must be in force today (Sichuan 36: a suspended or terminated agreement
    // stops direct settlement).
    let agreement = store::find_agreement(conn, inst.id).await?;
    let (stage, terms) = match &agreement {
        Some(a) => (a.stage, a.terms_json.0.as_ref()),
        None => (yibao_domain::institution::Stage::Applied, None),
    };
    if !yibao_domain::institution::agreement::in_force_on(stage, terms, today) {
        return Err(forbidden(
            "institution.agreement_not_in_force",
            yibao_domain::institution::agreement::not_in_force_reason(stage, terms, today),
        ));
    }
    let cross_province = terms.is_some_and(|t| t.cross_province);
    // A cached lookup lives no longer than the agreement's last day (Beijing midnight).
    let cache_until = terms
        .and_then(|t| t.valid_until)
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::clock::beijing()).single())
        .map(|t| ts(t.with_timezone(&chrono::Utc)))
        .filter(|t| *t < row.expires_at)
        .unwrap_or_else(|| row.expires_at.clone());
    let actor = Actor::Institution(InstitutionActor {
        institution_id: inst.id,
        code: inst.code,
        name: inst.name,
        agency_id: inst.agency_id,
        region_code: inst.region_code,
        token_id: row.id,
        cross_province,
    });
    Ok((actor, cache_until))
}

/// The institution behind a page session (`session.actor_id` is the token's id): while the
/// token is live and the agreement in force, else none (the session has ended).
pub(crate) async fn session_actor(
    conn: &mut yibao_store::Conn,
    token_id: i64,
    now: &str,
    today: chrono::NaiveDate,
) -> Result<Option<Actor>, ServiceError> {
    let Some(row) = store::find_token_by_id(conn, token_id)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.expires_at.as_str() > now)
    else {
        return Ok(None);
    };
    match actor_of_token(conn, &row, today).await {
        Ok((actor, _)) => Ok(Some(actor)),
        Err(e) if e.code() == "institution.agreement_not_in_force" => Ok(None),
        Err(e) => Err(e),
    }
}

/// Counts a failed institution login against its source (the per-source limit is shared by
/// every process: ADR 0011).
async fn record_source_failure(
    services: &Services,
    source: &str,
    now_ms: i64,
) -> Result<(), ServiceError> {
    let mut tx = services.store().begin().await?;
    services
        .login_limiter()
        .record_failure(&mut tx, source, now_ms)
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// An institution's staff log in to its pages (月结算申报、对账、确认结算单) with the
/// institution's code and one of its API tokens: the page session lasts no longer than the
/// token, and ends when the token is revoked or the agreement stops being in force. A wrong
/// code or token counts as a failed login of the source (`LoginLimiter`).
pub async fn login_institution(
    services: &Services,
    code: &str,
    token: &str,
    source: &str,
) -> Result<super::NewSession, ServiceError> {
    let limiter = services.login_limiter();
    let now_ms = services.clock().now().timestamp_millis();
    let mut tx = services.store().begin_read().await?;
    let blocked = limiter.blocked_for(&mut tx, source, now_ms).await?;
    drop(tx);
    if let Some(wait) = blocked {
        return Err(ServiceError::Rule {
            kind: ErrorKind::TooManyRequests,
            code: "auth.rate_limited",
            message: format!("登录失败次数过多，请 {} 秒后再试", wait.as_secs().max(1)),
            details: None,
        });
    }
    let refused = || unauthenticated("auth.invalid_credentials", "机构编码或接口令牌不正确");
    let token = token.trim();
    let found = if token.starts_with(TOKEN_PREFIX) {
        institution_for_token(services, token).await
    } else {
        Err(refused())
    };
    let actor = match found {
        Ok(a @ Actor::Institution(_)) => a,
        Ok(_) => return Err(refused()),
        Err(e) if e.code() == "institution.agreement_not_in_force" => return Err(e),
        Err(_) => {
            record_source_failure(services, source, now_ms).await?;
            return Err(refused());
        }
    };
    let Actor::Institution(me) = &actor else {
        return Err(refused());
    };
    if !me.code.eq_ignore_ascii_case(code.trim()) {
        record_source_failure(services, source, now_ms).await?;
        return Err(refused());
    }
    let mut tx = services.store().begin().await?;
    let row = store::find_token_by_id(&mut tx, me.token_id)
        .await?
        .ok_or_else(refused)?;
    let session = super::login::open_session(
        &mut tx,
        services,
        &actor,
        ("institution", me.token_id),
        Some(&row.expires_at),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(session)
}
