//! Complaints and reports (投诉、举报受理, seed 004 item 36, 南川区): received on the web, at the
//! window or by phone, or handed over from the 12345 hotline; decided (受理 / 不予受理 / 移交),
//! answered by the staff member it is assigned to, evaluated by the reporter.
//!
//! The guide gives only the legal basis: 《社会保险法》第八十二条 — handle what is within the
//! agency's remit, and for what is not, notify in writing and hand it to the competent body
//! (移交). It states no time limit, so the limits here are the agency's own targets, labelled
//! 示例参数 (docs/complaints.md). A reporter may stay anonymous for a 举报; a 投诉 concerns the
//! complainant's own rights and needs a name and a phone to answer. Who reported is shown only to
//! the people handling it (ADR 0009); masked with `ids::mask_*` elsewhere.

mod rules;
#[cfg(test)]
mod tests;

pub use rules::*;
