//! Personal accounts (个人账户) of employee insurance: the statement (每笔收支及余额), and the
//! rules of the items that act on an account — one-time withdrawal (一次性支取). See
//! docs/accounts.md for the rules per guide.
//!
//! Today an account's balance is kept per person and year on the accumulator row (where
//! settlement takes it under the row lock); every change to it is also an entry of the
//! statement here, so the balance of a year equals the sum of that year's entries.

mod error;
mod linking;
mod statement;
mod transfer;
mod withdrawal;

pub use error::AccountError;
pub use linking::{
    check_link, draw_on_linked, linked_need, LinkAction, LinkFacts, LinkRelationship, LinkRequest,
    LINKING_FORM_FIELDS,
};
pub use statement::{
    carry_over, post, year_totals, AccountStatus, Entry, EntryKind, UnknownAccountKey, YearTotals,
};
pub use transfer::check_cross_province_transfer;
pub use withdrawal::{
    check_withdrawal, Heir, HeirOrder, HolderFacts, PayTo, Relationship, WithdrawalDecision,
    WithdrawalGround, WithdrawalJurisdiction, WithdrawalMethod, WithdrawalRequest,
    WITHDRAWAL_FORM_FIELDS,
};
