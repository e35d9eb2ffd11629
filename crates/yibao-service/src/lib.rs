//! yibao-service: the use cases. Each public function is one thing a user does: it opens the
//! transaction, reads the clock, calls the pure rules of `yibao-domain` and writes through
//! `yibao-store`.

pub mod account;
pub mod aid;
pub mod audit;
pub mod benefit;
pub mod benefit_data;
pub mod calendar;
pub mod card;
pub mod cases;
pub mod catalog;
pub mod check;
pub mod clearing;
pub mod clock;
pub mod complaint;
pub mod contribution;
pub mod demo;
pub mod disbursement;
pub mod document;
pub mod effects;
pub mod enrolment;
mod error;
pub mod evoucher;
pub mod federation;
pub mod filing;
#[cfg(test)]
mod fuzz_support;
pub mod guide_rules;
pub mod health;
pub mod identity;
pub mod institution;
pub mod jobs;
pub mod maternity;
pub mod national;
pub mod overview;
pub mod paging;
pub mod qualification;
pub mod records;
pub mod reimbursement;
pub mod settlement;
pub mod setup;
pub mod signing;
pub mod transfer;

use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ErrorKind, ServiceError};
use yibao_domain::catalog::Catalog;
use yibao_store::Store;

/// Everything a use case needs; cheap to clone into every request.
#[derive(Clone)]
pub struct Services {
    store: Store,
    clock: Arc<dyn Clock>,
    catalog: Arc<Catalog>,
    phone_sender: Arc<dyn identity::PhoneSender>,
    benefit_cache: Arc<benefit_data::Cache>,
    login_limiter: Arc<identity::LoginLimiter>,
    token_cache: Arc<identity::TokenCache>,
    instance_key: Arc<tokio::sync::OnceCell<signing::InstanceKey>>,
}

impl Services {
    pub fn new(store: Store, clock: Arc<dyn Clock>, catalog: Arc<Catalog>) -> Services {
        Services {
            store,
            clock,
            catalog,
            phone_sender: Arc::new(identity::DevPhoneSender),
            benefit_cache: Arc::new(benefit_data::Cache::default()),
            login_limiter: Arc::new(identity::LoginLimiter::default()),
            token_cache: Arc::new(identity::TokenCache::default()),
            instance_key: Arc::default(),
        }
    }

    /// Replaces the per-source login limit (tests that log in many times from one address).
    pub fn with_login_limiter(mut self, limiter: identity::LoginLimiter) -> Services {
        self.login_limiter = Arc::new(limiter);
        self
    }

    pub fn token_cache(&self) -> &identity::TokenCache {
        &self.token_cache
    }

    pub fn login_limiter(&self) -> &identity::LoginLimiter {
        &self.login_limiter
    }

    /// Replaces the phone-code sender (the agency's SMS gateway; a recorder in tests).
    pub fn with_phone_sender(mut self, sender: Arc<dyn identity::PhoneSender>) -> Services {
        self.phone_sender = sender;
        self
    }

    pub fn benefit_cache(&self) -> &benefit_data::Cache {
        &self.benefit_cache
    }

    pub fn phone_sender(&self) -> &dyn identity::PhoneSender {
        self.phone_sender.as_ref()
    }

    /// The service catalog (read-only, validated at start-up).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// This installation's signing key: read once from the store, created on first use.
    pub async fn instance_key(&self) -> Result<&signing::InstanceKey, ServiceError> {
        self.instance_key
            .get_or_try_init(|| signing::load_or_create(self))
            .await
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
}

/// Runs a long batch (a month's contributions, a year's carry-over) on its own task and waits
/// for it: if the caller is dropped (a request timing out), the batch still finishes, and what it
/// wrote is whole. A panic inside is an internal error, not a crash of the caller.
pub(crate) async fn detached<T: Send + 'static>(
    batch: impl std::future::Future<Output = Result<T, ServiceError>> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::spawn(batch).await.map_err(|e| {
        tracing::error!(error = %e, "batch task failed");
        ServiceError::internal(
            "batch.failed",
            "批量处理意外中止，请稍后重试（已完成的部分不会重复）",
        )
    })?
}
