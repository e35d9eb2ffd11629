//! The domain layer's error type. Every variant has a stable code (for programs) and a Chinese
//! message (for people); the outer layers pass both through unchanged.

use crate::benefit::BenefitError;
use crate::filing::FilingError;
use crate::ids::{CitizenIdError, RegionCodeError, UsccError};
use crate::money::MoneyError;

/// Something with a stable machine code and a user-facing Chinese message.
pub trait Coded {
    /// Stable dotted code, e.g. `id.check_digit`. Never changes once published.
    fn code(&self) -> &'static str;
    /// Chinese message for the person who made the input.
    fn message(&self) -> String;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    CitizenId(#[from] CitizenIdError),
    #[error(transparent)]
    Uscc(#[from] UsccError),
    #[error(transparent)]
    RegionCode(#[from] RegionCodeError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Filing(#[from] FilingError),
    #[error(transparent)]
    Case(#[from] crate::case::CaseError),
    #[error(transparent)]
    Benefit(#[from] BenefitError),
    #[error(transparent)]
    Registry(#[from] crate::enrolment::EnrolmentError),
    #[error(transparent)]
    Reimbursement(#[from] crate::reimbursement::ReimbursementError),
    #[error(transparent)]
    Contribution(#[from] crate::contribution::ContributionError),
    #[error(transparent)]
    Account(#[from] crate::account::AccountError),
    #[error(transparent)]
    Complaint(#[from] crate::complaint::ComplaintError),
    #[error(transparent)]
    Maternity(#[from] crate::maternity::MaternityError),
    #[error(transparent)]
    Qualification(#[from] crate::qualification::QualificationError),
    #[error(transparent)]
    Aid(#[from] crate::aid::AidError),
    #[error(transparent)]
    Institution(#[from] crate::institution::InstitutionError),
    #[error(transparent)]
    Evoucher(#[from] crate::evoucher::EvoucherError),
    #[error(transparent)]
    Federation(#[from] crate::federation::FederationError),
}

impl Coded for DomainError {
    fn code(&self) -> &'static str {
        match self {
            DomainError::CitizenId(e) => e.code(),
            DomainError::Uscc(e) => e.code(),
            DomainError::RegionCode(e) => e.code(),
            DomainError::Money(e) => e.code(),
            DomainError::Filing(e) => e.code(),
            DomainError::Case(e) => e.code(),
            DomainError::Benefit(e) => e.code(),
            DomainError::Registry(e) => e.code(),
            DomainError::Reimbursement(e) => e.code(),
            DomainError::Contribution(e) => e.code(),
            DomainError::Account(e) => e.code(),
            DomainError::Complaint(e) => e.code(),
            DomainError::Maternity(e) => e.code(),
            DomainError::Qualification(e) => e.code(),
            DomainError::Aid(e) => e.code(),
            DomainError::Institution(e) => e.code(),
            DomainError::Evoucher(e) => e.code(),
            DomainError::Federation(e) => e.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            DomainError::CitizenId(e) => e.message(),
            DomainError::Uscc(e) => e.message(),
            DomainError::RegionCode(e) => e.message(),
            DomainError::Money(e) => e.message(),
            DomainError::Filing(e) => e.message(),
            DomainError::Case(e) => e.message(),
            DomainError::Benefit(e) => e.message(),
            DomainError::Registry(e) => e.message(),
            DomainError::Reimbursement(e) => e.message(),
            DomainError::Contribution(e) => e.message(),
            DomainError::Account(e) => e.message(),
            DomainError::Complaint(e) => e.message(),
            DomainError::Maternity(e) => e.message(),
            DomainError::Qualification(e) => e.message(),
            DomainError::Aid(e) => e.message(),
            DomainError::Institution(e) => e.message(),
            DomainError::Evoucher(e) => e.message(),
            DomainError::Federation(e) => e.message(),
        }
    }
}
