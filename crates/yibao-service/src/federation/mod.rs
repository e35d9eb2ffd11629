//! Federation between yibao instances (issue #18, docs/federation.md): this installation's
//! region, its peers, the outbox written in the transaction of the change that causes a message,
//! the delivery worker that posts it to the peer, and the inbox that verifies and applies each
//! message exactly once in the transaction of its effect.

pub mod delivery;
pub mod inbox;
pub mod outbox;
pub mod peers;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a message says, as signed: the text of this, serialised once by the sender, is what
/// travels and what the signature covers (`yibao_domain::federation::signed_bytes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub message_id: String,
    pub kind: String,
    pub version: u32,
    pub from_region: String,
    pub to_region: String,
    pub sent_at: String,
    pub body: Value,
}

/// The body of `POST /api/v1/federation/inbox`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    /// The envelope's JSON text exactly as signed.
    pub envelope: String,
    /// ed25519 signature (128 hex characters) over the context line and `envelope`.
    pub signature: String,
}

/// The inbox's answer to a delivery it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub message_id: String,
    /// `applied` the first time, `duplicate` when it had been applied before.
    pub status: String,
}
