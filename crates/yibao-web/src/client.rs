//! Where a request comes from, for the login lock-out and rate limit.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The client's address as the listener saw it (`yibao serve` records it for every
/// connection). A request handed to the router in-process has none and counts as `local`.
///
/// Behind a load balancer every request would come from the balancer; there the balancer must
/// limit per client itself (docs/adr/0003-identity.md).
#[derive(Debug, Clone)]
pub struct ClientSource(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientSource {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientSource(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip().to_string())
                .unwrap_or_else(|| "local".to_string()),
        ))
    }
}
