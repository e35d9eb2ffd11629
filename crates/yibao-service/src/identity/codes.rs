//! One-time phone verification codes (registration and password reset). Sending is behind
//! `PhoneSender`: production plugs in the agency's SMS gateway; development logs the code.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use rand::Rng;
use yibao_store::identity as store;
use yibao_store::{Conn, StoreError};

use super::{constant_time_eq, parse_mobile, sha256_hex, ts};
use crate::{ErrorKind, ServiceError, Services};

/// Minutes a code stays valid, wrong attempts allowed, codes per phone per hour.
const CODE_MINUTES: i64 = 10;
const MAX_ATTEMPTS: i64 = 5;
const MAX_PER_HOUR: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    Reset,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Result<CodePurpose, ServiceError> {
        match s {
            "register" => Ok(CodePurpose::Register),
            "reset" => Ok(CodePurpose::Reset),
            _ => Err(ServiceError::invalid(
                "identity.code_purpose",
                "验证码用途应为 register（注册）或 reset（找回密码）",
            )),
        }
    }
}

/// Delivers a code to a phone.
pub trait PhoneSender: Send + Sync {
    fn send(&self, phone: &str, purpose: CodePurpose, code: &str) -> Result<(), ServiceError>;
}

/// Development sender: writes the code to the log (the only secret the log may hold, and only
/// in development deployments, which is what this sender is for).
pub struct DevPhoneSender;

impl PhoneSender for DevPhoneSender {
    fn send(&self, phone: &str, purpose: CodePurpose, code: &str) -> Result<(), ServiceError> {
        tracing::info!(
            phone = %yibao_domain::ids::mask_phone(phone),
            purpose = purpose.as_str(),
            code,
            "development SMS: verification code (开发环境短信验证码)"
        );
        Ok(())
    }
}

/// Test sender: keeps the codes so that a test can read them.
#[derive(Default, Clone)]
pub struct RecordingPhoneSender {
    sent: Arc<Mutex<Vec<(String, String)>>>,
}

impl RecordingPhoneSender {
    /// The newest code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().ok()?;
        sent.iter()
            .rev()
            .find(|(p, _)| p == phone)
            .map(|(_, c)| c.clone())
    }
}

impl PhoneSender for RecordingPhoneSender {
    fn send(&self, phone: &str, _purpose: CodePurpose, code: &str) -> Result<(), ServiceError> {
        if let Ok(mut sent) = self.sent.lock() {
            sent.push((phone.to_string(), code.to_string()));
        }
        Ok(())
    }
}

/// Sends a new 6-digit code, at most `MAX_PER_HOUR` per phone per hour.
pub async fn send_code(
    services: &Services,
    phone: &str,
    purpose: CodePurpose,
) -> Result<(), ServiceError> {
    let phone = parse_mobile(phone)?;
    let now = services.clock().now();
    let mut tx = services.store().begin().await?;
    let recent =
        store::count_phone_codes_since(&mut tx, &phone, &ts(now - Duration::hours(1))).await?;
    if recent >= MAX_PER_HOUR {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "identity.code_too_many",
            message: "验证码发送过于频繁，请一小时后再试".into(),
            details: None,
        });
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    store::insert_phone_code(
        &mut tx,
        &phone,
        purpose.as_str(),
        &sha256_hex(&code),
        &ts(now),
        &ts(now + Duration::minutes(CODE_MINUTES)),
    )
    .await?;
    services.phone_sender().send(&phone, purpose, &code)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Checks a code. A wrong code counts against the code's attempts in its own transaction (so a
/// failed request cannot roll the count back); the caller marks a good code used with
/// `mark_used` in the transaction that acts on it.
pub(crate) async fn check_code(
    services: &Services,
    phone: &str,
    purpose: CodePurpose,
    code: &str,
) -> Result<i64, ServiceError> {
    let now = ts(services.clock().now());
    let wrong = || ServiceError::invalid("identity.code_wrong", "验证码不正确或已过期，请重新获取");
    let mut tx = services.store().begin().await?;
    let Some(row) = store::latest_phone_code(&mut tx, phone, purpose.as_str()).await? else {
        return Err(wrong());
    };
    if row.expires_at <= now || row.attempts >= MAX_ATTEMPTS {
        return Err(wrong());
    }
    if !constant_time_eq(&row.code_sha256, &sha256_hex(code.trim())) {
        store::bump_phone_code(&mut tx, row.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Err(wrong());
    }
    Ok(row.id)
}

pub(crate) async fn mark_used(
    conn: &mut Conn,
    services: &Services,
    id: i64,
) -> Result<(), ServiceError> {
    store::use_phone_code(conn, id, &ts(services.clock().now())).await?;
    Ok(())
}
