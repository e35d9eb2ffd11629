//! Security headers on every response: no inline scripts or styles (CSP), no framing, no MIME
//! sniffing, no referrer leaking case numbers to other sites.

use axum::http::{header, HeaderValue};
use tower::layer::util::Stack;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

type H = SetResponseHeaderLayer<HeaderValue>;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn headers(
) -> ServiceBuilder<Stack<H, Stack<H, Stack<H, Stack<H, tower::layer::util::Identity>>>>> {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
