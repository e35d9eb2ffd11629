//! Readiness: can this process serve requests (is its database answering)?

use crate::{ServiceError, Services};

pub async fn ready(services: &Services) -> Result<(), ServiceError> {
    services.store().ping().await?;
    Ok(())
}
