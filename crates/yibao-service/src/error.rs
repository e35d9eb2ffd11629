//! The service layer's error type: what went wrong, with a stable code, a Chinese message and
//! the kind of failure (which the web layer maps to an HTTP status).

use serde_json::Value;
use yibao_domain::{Coded, DomainError};
use yibao_store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input breaks a rule; the user can correct it.
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    Unauthenticated,
    /// Too many attempts from one source; retrying later helps.
    TooManyRequests,
    /// A dependency is down; retrying later may help.
    Unavailable,
    /// A fault on our side.
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{code}: {message}")]
    Rule {
        kind: ErrorKind,
        code: &'static str,
        message: String,
        details: Option<Value>,
    },
}

impl ServiceError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// A domain rule's refusal.
    pub fn from_domain(e: impl Into<DomainError>) -> ServiceError {
        ServiceError::Domain(e.into())
    }

    /// Several refusals at once (the domain reports every problem, not just the first): one
    /// error with the first code, every message joined, and the list in `details`.
    pub fn from_domain_list<E: Coded>(errors: Vec<E>) -> ServiceError {
        let code = errors.first().map(|e| e.code()).unwrap_or("domain.invalid");
        let message = errors
            .iter()
            .map(|e| e.message())
            .collect::<Vec<_>>()
            .join("；");
        let details = errors
            .iter()
            .map(|e| serde_json::json!({ "code": e.code(), "message": e.message() }))
            .collect::<Vec<_>>();
        ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code,
            message,
            details: Some(serde_json::json!({ "errors": details })),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Rule {
            kind: ErrorKind::NotFound,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// A fault on our side (e.g. stored data that cannot be read); the message tells the user
    /// whom to call, the log says what broke.
    pub fn internal(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Rule {
            kind: ErrorKind::Internal,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::Domain(_) => ErrorKind::Invalid,
            ServiceError::Store(StoreError::Conflict(_) | StoreError::Stale(_)) => {
                ErrorKind::Conflict
            }
            ServiceError::Store(StoreError::Unavailable(_)) => ErrorKind::Unavailable,
            ServiceError::Store(_) => ErrorKind::Internal,
            ServiceError::Rule { kind, .. } => *kind,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Domain(e) => e.code(),
            ServiceError::Store(e) => e.code(),
            ServiceError::Rule { code, .. } => code,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ServiceError::Domain(e) => e.message(),
            ServiceError::Store(e) => e.message(),
            ServiceError::Rule { message, .. } => message.clone(),
        }
    }

    pub fn details(&self) -> Option<Value> {
        match self {
            ServiceError::Rule { details, .. } => details.clone(),
            _ => None,
        }
    }
}

macro_rules! from_domain {
    ($($t:ty),*) => {$(
        impl From<$t> for ServiceError {
            fn from(e: $t) -> Self {
                ServiceError::Domain(DomainError::from(e))
            }
        }
    )*};
}

from_domain!(
    yibao_domain::ids::CitizenIdError,
    yibao_domain::ids::UsccError,
    yibao_domain::ids::RegionCodeError,
    yibao_domain::money::MoneyError
);
