//! Logins for staff, citizens and employer operators, with throttling and lock-out; server-side
//! sessions (the cookie or bearer token is random; only its SHA-256 is stored) with a CSRF token.

use chrono::Duration;
use yibao_domain::staff::StaffRole;
use yibao_domain::CitizenId;
use yibao_store::identity::{self as store, SessionRow};
use yibao_store::{agency, enrolment, logins, staff, Conn, StoreError};

use super::actor::{Actor, CitizenActor, EmployerActor, StaffActor};
use super::password::{check_strength, hash_password, verify_password, DUMMY_HASH};
use super::{random_hex, sha256_hex, ts, unauthenticated};
use crate::{audit, ServiceError, Services};

/// Failures in a row before a login is locked, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// How long a session lasts without a new login.
pub const SESSION_HOURS: i64 = 8;

#[derive(Debug, Clone)]
pub enum Credentials {
    Staff {
        username: String,
        password: String,
    },
    Citizen {
        id_number: String,
        password: String,
    },
    Employer {
        uscc: String,
        username: String,
        password: String,
    },
}

/// A new session: the token goes into the cookie or the bearer header (never stored), the CSRF
/// token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: String,
    pub actor: Actor,
}

/// The session behind a token.
#[derive(Debug, Clone)]
pub struct Session {
    pub csrf_token: String,
    pub actor: Actor,
}

/// An account found for a login attempt.
struct Account {
    kind: &'static str,
    id: i64,
    hash: String,
    active: bool,
}

async fn find_account(conn: &mut Conn, c: &Credentials) -> Result<Option<Account>, ServiceError> {
    Ok(match c {
        Credentials::Staff { username, .. } => staff::find_by_username(conn, username.trim())
            .await?
            .map(|r| Account {
                kind: "staff",
                id: r.id,
                hash: r.password_hash,
                active: r.active == 1,
            }),
        Credentials::Citizen { id_number, .. } => {
            let Ok(id) = id_number.parse::<CitizenId>() else {
                return Ok(None);
            };
            logins::find_citizen_by_id_number(conn, id.as_str())
                .await?
                .map(|r| Account {
                    kind: "citizen",
                    id: r.id,
                    hash: r.password_hash,
                    active: r.active == 1,
                })
        }
        Credentials::Employer { uscc, username, .. } => {
            match enrolment::find_employer_by_uscc(conn, uscc.trim()).await? {
                Some(e) => logins::find_operator(conn, e.id, username.trim())
                    .await?
                    .map(|r| Account {
                        kind: "employer",
                        id: r.id,
                        hash: r.password_hash,
                        active: r.active == 1,
                    }),
                None => None,
            }
        }
    })
}

fn login_key(c: &Credentials) -> (String, &str) {
    match c {
        Credentials::Staff { username, password } => {
            (format!("staff:{}", username.trim()), password)
        }
        Credentials::Citizen {
            id_number,
            password,
        } => (
            format!("citizen:{}", id_number.trim().to_ascii_uppercase()),
            password,
        ),
        Credentials::Employer {
            uscc,
            username,
            password,
        } => (
            format!(
                "employer:{}/{}",
                uscc.trim().to_ascii_uppercase(),
                username.trim()
            ),
            password,
        ),
    }
}

/// One login for every kind of account. The same message for an unknown account and a wrong
/// password.
///
/// Lock-out (docs/adr/0003-identity.md): failures are counted per account *and source* (the
/// client's address), so guessing from one place locks that place out for `LOCK_MINUTES` after
/// `MAX_FAILURES`, while the person, from anywhere else, can still log in, and a password reset
/// lifts every lock of the account: nobody can keep a person out by failing on purpose. Attempts
/// on one account and source are counted before their password is checked, in one statement, so
/// parallel guesses get `MAX_FAILURES` real checks even across processes. A source's failures
/// across all accounts are rate-limited too (`LoginLimiter`, in the database). The password is checked on the blocking pool,
/// outside any transaction.
pub async fn login(
    services: &Services,
    c: &Credentials,
    source: &str,
) -> Result<NewSession, ServiceError> {
    let limiter = services.login_limiter();
    let (account_key, password) = login_key(c);
    let key = format!("{account_key}@{source}");
    let _one_at_a_time = limiter.one_check_at_a_time(&key).await;
    let now = services.clock().now();
    let now_ms = now.timestamp_millis();
    let mut tx = services.store().begin_read().await?;
    if let Some(wait) = limiter.blocked_for(&mut tx, source, now_ms).await? {
        return Err(ServiceError::Rule {
            kind: crate::ErrorKind::TooManyRequests,
            code: "auth.rate_limited",
            message: format!("登录失败次数过多，请 {} 秒后再试", wait.as_secs().max(1)),
            details: None,
        });
    }
    let locked_until = store::locked_until(&mut tx, &key).await?;
    let account = find_account(&mut tx, c).await?;
    drop(tx);
    if let Some(until) = locked_until.filter(|u| *u > ts(now)) {
        return Err(locked(&until));
    }
    // The attempt is counted as a failure before its password is checked, and the count is
    // lifted again when it was right: so however many processes take guesses on one account and
    // source at once, no more than `MAX_FAILURES` of them are checked.
    let mut tx = services.store().begin().await?;
    let attempt = store::record_failure(
        &mut tx,
        &key,
        &ts(now),
        MAX_FAILURES,
        &ts(now + Duration::minutes(LOCK_MINUTES)),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    if attempt.failures > MAX_FAILURES {
        if let Some(until) = attempt.locked_until {
            return Err(locked(&until));
        }
    }
    let ok = match &account {
        Some(a) => a.active && verify_password(password, &a.hash).await,
        // Spend the same time on an unknown account, so timing does not reveal who exists.
        None => {
            let _ = verify_password(password, DUMMY_HASH).await;
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        let mut tx = services.store().begin().await?;
        limiter.record_failure(&mut tx, source, now_ms).await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::warn!(failures = attempt.failures, "login failed");
        return Err(unauthenticated(
            "auth.invalid_credentials",
            "账号或密码不正确",
        ));
    };
    let mut tx = services.store().begin().await?;
    store::clear_failures(&mut tx, &key).await?;
    let actor = load_actor(&mut tx, account.kind, account.id)
        .await?
        .ok_or_else(|| unauthenticated("auth.invalid_credentials", "账号或密码不正确"))?;
    let session = open_session(&mut tx, services, &actor, (account.kind, account.id), None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(session)
}

/// Starts a session for `actor` (stored as `kind`/`id`) for `SESSION_HOURS`, or until `until`
/// when that is sooner, and records the login in the audit chain.
pub(crate) async fn open_session(
    tx: &mut Conn,
    services: &Services,
    actor: &Actor,
    (kind, id): (&str, i64),
    until: Option<&str>,
) -> Result<NewSession, ServiceError> {
    let now = services.clock().now();
    let token = random_hex(32);
    let csrf_token = random_hex(16);
    let mut expires_at = ts(now + Duration::hours(SESSION_HOURS));
    if let Some(until) = until.filter(|u| *u < expires_at.as_str()) {
        expires_at = until.to_string();
    }
    store::insert_session(
        tx,
        &SessionRow {
            token_sha256: sha256_hex(&token),
            actor_kind: kind.into(),
            actor_id: id,
            csrf_token: csrf_token.clone(),
            created_at: ts(now),
            expires_at: expires_at.clone(),
            revoked_at: None,
        },
    )
    .await?;
    audit::record(
        tx,
        services,
        actor,
        "auth.login",
        kind,
        &id.to_string(),
        None,
        None,
        "登录",
    )
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
        actor: actor.clone(),
    })
}

fn locked(until: &str) -> ServiceError {
    unauthenticated(
        "auth.locked",
        format!(
            "连续登录失败次数过多，从本网络登录此账户已锁定至北京时间 {}；可稍后再试，或通过“找回密码”重设密码后立即登录",
            crate::clock::local_text(until)
        ),
    )
}

/// Loads the actor of a session, or None when the account is gone or disabled.
pub(crate) async fn load_actor(
    conn: &mut Conn,
    kind: &str,
    id: i64,
) -> Result<Option<Actor>, ServiceError> {
    load_actor_on(conn, kind, id, None).await
}

/// `load_actor`, with the moment (`now`, `today`) an institution's token and agreement are
/// checked on (an institution's page session needs both; other kinds ignore it).
async fn load_actor_on(
    conn: &mut Conn,
    kind: &str,
    id: i64,
    on: Option<(&str, chrono::NaiveDate)>,
) -> Result<Option<Actor>, ServiceError> {
    Ok(match kind {
        "institution" => match on {
            Some((now, today)) => super::institution::session_actor(conn, id, now, today).await?,
            None => None,
        },
        "staff" => {
            let Some(s) = staff::find_by_id(conn, id).await?.filter(|r| r.active == 1) else {
                return Ok(None);
            };
            let Some(a) = agency::find(conn, s.agency_id).await? else {
                return Ok(None);
            };
            let Ok(region) = a.region_code.parse() else {
                return Ok(None);
            };
            Some(Actor::Staff(StaffActor {
                id: s.id,
                username: s.username,
                display_name: s.display_name,
                agency_id: s.agency_id,
                agency_name: a.name,
                agency_region: region,
                roles: StaffRole::parse_list(&s.roles).map_err(|r| {
                    StoreError::Corrupt(format!("staff {} has unknown role {r:?}", s.id))
                })?,
                must_change_password: s.must_change_password == 1,
            }))
        }
        "citizen" => logins::find_citizen(conn, id)
            .await?
            .filter(|r| r.active == 1)
            .map(|r| {
                Actor::Citizen(CitizenActor {
                    account_id: r.id,
                    id_number: r.id_number,
                    name: r.name,
                })
            }),
        "employer" => {
            let Some(o) = logins::find_operator_by_id(conn, id)
                .await?
                .filter(|r| r.active == 1)
            else {
                return Ok(None);
            };
            let Some(e) = enrolment::find_employer(conn, o.employer_id).await? else {
                return Ok(None);
            };
            Some(Actor::Employer(EmployerActor {
                operator_id: o.id,
                employer_id: e.id,
                uscc: e.uscc,
                employer_name: e.name,
                username: o.username,
                display_name: o.display_name,
                manager: o.manager == 1,
            }))
        }
        _ => None,
    })
}

/// The live session for a token, or an error saying to log in.
pub async fn session(services: &Services, token: &str) -> Result<Session, ServiceError> {
    let now = ts(services.clock().now());
    let mut tx = services.store().begin_read().await?;
    let row = store::find_session(&mut tx, &sha256_hex(token)).await?;
    let expired = || unauthenticated("auth.session_expired", "登录已失效，请重新登录");
    let Some(s) = row.filter(|s| s.revoked_at.is_none() && s.expires_at > now) else {
        return Err(expired());
    };
    let today = services.clock().today();
    let actor = load_actor_on(&mut tx, &s.actor_kind, s.actor_id, Some((&now, today)))
        .await?
        .ok_or_else(expired)?;
    Ok(Session {
        csrf_token: s.csrf_token,
        actor,
    })
}

pub async fn logout(services: &Services, token: &str) -> Result<(), ServiceError> {
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    store::revoke_session(&mut tx, &sha256_hex(token), &now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Changes the actor's own password after checking the old one; ends every session of the
/// account (this one too), so a stolen session does not outlive the change.
pub async fn change_password(
    services: &Services,
    actor: &Actor,
    old: &str,
    new: &str,
) -> Result<(), ServiceError> {
    actor.require_login()?;
    check_strength(new)?;
    if old == new {
        return Err(ServiceError::invalid(
            "identity.password_same",
            "新密码不能与原密码相同",
        ));
    }
    let now = ts(services.clock().now());
    let mut tx = services.store().begin_read().await?;
    let current = match actor {
        Actor::Staff(s) => staff::find_by_id(&mut tx, s.id)
            .await?
            .map(|r| r.password_hash),
        Actor::Citizen(c) => logins::find_citizen(&mut tx, c.account_id)
            .await?
            .map(|r| r.password_hash),
        Actor::Employer(e) => logins::find_operator_by_id(&mut tx, e.operator_id)
            .await?
            .map(|r| r.password_hash),
        _ => None,
    };
    let Some(current) = current else {
        return Err(super::forbidden(
            "auth.forbidden",
            "此账户不能在这里修改密码",
        ));
    };
    drop(tx);
    if !verify_password(old, &current).await {
        return Err(ServiceError::invalid(
            "identity.password_wrong",
            "原密码不正确",
        ));
    }
    let hash = hash_password(new).await?;
    let mut tx = services.store().begin().await?;
    match actor {
        Actor::Staff(s) => staff::set_password(&mut tx, s.id, &hash, false).await?,
        Actor::Citizen(c) => logins::set_citizen_password(&mut tx, c.account_id, &hash).await?,
        Actor::Employer(e) => logins::set_operator_password(&mut tx, e.operator_id, &hash).await?,
        _ => {}
    }
    store::revoke_sessions_of(&mut tx, actor.kind(), actor.id(), &now).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "auth.password_change",
        actor.kind(),
        &actor.id().to_string(),
        None,
        None,
        "修改密码",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
