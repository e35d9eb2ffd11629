//! Enrolment (参保登记) in the store: the basic records of employers and persons (`records`), and
//! their dated history, coverage status changes, an employer's employees and the agency's
//! virtual employers (`history`).

mod history;
mod records;

pub use history::*;
pub use records::*;
