//! Federation between yibao instances (issue #18, docs/federation.md): the rules that do not
//! need a network or a database — which message kinds exist and at which version, the bytes a
//! signature covers, how long a sender waits before retrying, and what a peer's address and
//! regions must look like.

mod rules;
#[cfg(test)]
mod tests;

pub use rules::*;
