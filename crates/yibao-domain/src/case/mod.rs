//! The case engine's rules (办件): the case number, the state machine declared once, what an
//! item asks of this applicant and what is missing (the one-time deficiency notice), uploads
//! checked by content, and evaluations. The same rules serve every item of the catalog.

mod error;
mod evaluation;
pub mod facts;
pub mod forwarding;
#[cfg(test)]
mod fuzz;
mod machine;
mod materials;
mod number;
mod shape;
mod upload;

pub use error::CaseError;
pub use evaluation::{Evaluation, FollowUp};

crate::codes::coded! {
    /// Who applied: a person (by citizen number), an employer (by USCC) or a medical
    /// institution or pharmacy (by its USCC: applying for designation or, once designated, for a
    /// change of its agreement; seed 001 items 33–38, seed 003 items 33–34).
    ApplicantType {
        Person = ("person", "个人"),
        Employer = ("employer", "单位"),
        Institution = ("institution", "医药机构"),
    }
}

/// Only for building rows field by field (tests); every case records its applicant.
impl Default for ApplicantType {
    fn default() -> ApplicantType {
        ApplicantType::Person
    }
}
pub use machine::{
    allowed_actions, next, Action, ActionNote, ActorRole, CaseStatus, EventKind, Transition,
    TRANSITIONS,
};
pub use materials::{
    assess, check_later_notice, engine_material_name, materials_open, requirements, Assessment,
    NoticeItem, Provided, ProvidedAs, Requirement, Submitter, PROXY_AGENT_ID, PROXY_AUTHORISATION,
    SEAL_MISSING,
};
pub use number::CaseNumber;
pub use shape::CaseShape;
pub use upload::{check_upload, sniff, FileKind, DEFAULT_MAX_BYTES};
