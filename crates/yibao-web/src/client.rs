//! Where a request comes from, for the login lock-out and rate limit.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The client's address as the listener saw it (`yibao serve` records it for every
/// connection). A request handed to the router in-process has none and counts as `local`.
///
/// Behind load balancers named in `TrustedProxies` (`YIBAO_TRUSTED_PROXIES`), the client is the
/// nearest address in `X-Forwarded-For` that is not one of them; from any other peer the header
/// is ignored, so a client cannot choose its own source (docs/adr/0011-several-processes.md).
#[derive(Debug, Clone)]
pub struct ClientSource(pub String);

/// The load balancers whose `X-Forwarded-For` is believed (a request extension).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpAddr>);

fn forwarded_client(peer: IpAddr, parts: &Parts) -> IpAddr {
    let Some(trusted) = parts.extensions.get::<TrustedProxies>() else {
        return peer;
    };
    if !trusted.0.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    // Right to left: the first hop not a trusted balancer is the client.
    hops.into_iter()
        .rev()
        .find(|h| !trusted.0.contains(h))
        .unwrap_or(peer)
}

impl<S: Send + Sync> FromRequestParts<S> for ClientSource {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientSource(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| forwarded_client(a.ip(), parts).to_string())
                .unwrap_or_else(|| "local".to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn source(peer: &str, xff: Option<&str>, trusted: Option<&[&str]>) -> String {
        let mut req = Request::get("/");
        if let Some(x) = xff {
            req = req.header("x-forwarded-for", x);
        }
        let (mut parts, _) = req.body(()).unwrap().into_parts();
        if let Some(t) = trusted {
            parts.extensions.insert(TrustedProxies(
                t.iter().map(|a| a.parse().unwrap()).collect(),
            ));
        }
        forwarded_client(peer.parse().unwrap(), &parts).to_string()
    }

    #[test]
    fn the_forwarded_client_only_behind_a_trusted_balancer() {
        let lb: &[&str] = &["127.0.0.1"];
        assert_eq!(
            source("127.0.0.1", Some("203.0.113.9"), Some(lb)),
            "203.0.113.9"
        );
        // A client's own made-up hop before the real one is ignored.
        assert_eq!(
            source("127.0.0.1", Some("1.1.1.1, 203.0.113.9"), Some(lb)),
            "203.0.113.9"
        );
        assert_eq!(
            source("198.51.100.2", Some("1.1.1.1"), Some(lb)),
            "198.51.100.2"
        );
        assert_eq!(source("127.0.0.1", Some("1.1.1.1"), None), "127.0.0.1");
        assert_eq!(source("127.0.0.1", None, Some(lb)), "127.0.0.1");
        assert_eq!(source("127.0.0.1", Some("junk"), Some(lb)), "127.0.0.1");
    }
}
