//! Cross-province settlement clearing (跨省异地就医费用清算), issue #18, docs/clearing.md.
//!
//! Care given in one province to a person insured in another is settled at the hospital's
//! counter under the insured region's policy; the care region (就医地) pays its hospital what the
//! funds owe in its monthly institution settlement. Once a month it states, per pair of
//! provinces, every such settlement (and every reversal of one it stated before), and the insured
//! region (参保地) checks each line against its own register and reimburses what it accepts.
//! These are the rules of that statement and that check; reading the ledger, the messages between
//! installations and the money's movement are the service's.

mod rules;
#[cfg(test)]
mod tests;

pub use rules::*;
