//! The state machine of a case, declared once as a table and checked on every transition.
//!
//! draft → submitted → (notice ⇄ corrected) → accepted → review × N → [disbursement] → completed;
//! refused (reason required) or withdrawn from any open state; an immediate item (即办件) is
//! accepted and completed at the window in one step.

use serde::{Deserialize, Serialize};

use super::error::CaseError;
use super::shape::CaseShape;
use crate::codes::UnknownCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Every case starts as a draft.
    #[default]
    Draft,
    Submitted,
    /// A one-time deficiency notice is outstanding (补正); the clock is paused.
    Correction,
    /// Accepted (受理); under review while `review_level` < the item's levels.
    Accepted,
    /// Approved; the money is to be paid (待拨付).
    Disbursement,
    Completed,
    Refused,
    Withdrawn,
}

/// What a case event (a row of its history) records: a transition's action, or one of the
/// events that change no status. Stored as its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// 新建办件 (from no status to draft)
    Create,
    /// 提交材料
    Material,
    Transition(Action),
}

impl EventKind {
    pub fn key(self) -> &'static str {
        match self {
            EventKind::Create => "create",
            EventKind::Material => "material",
            EventKind::Transition(a) => a.as_str(),
        }
    }

    pub fn from_key(key: &str) -> Option<EventKind> {
        match key {
            "create" => Some(EventKind::Create),
            "material" => Some(EventKind::Material),
            other => Action::parse(other).map(EventKind::Transition),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Create => "新建办件",
            EventKind::Material => "提交材料",
            EventKind::Transition(a) => a.label(),
        }
    }
}

impl TryFrom<String> for EventKind {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<EventKind, UnknownCode> {
        EventKind::from_key(&key).ok_or(UnknownCode {
            what: "EventKind",
            key,
        })
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// Reading a status from the store: an unknown one is an error, never a default.
impl TryFrom<String> for CaseStatus {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<CaseStatus, UnknownCode> {
        CaseStatus::parse(&key).ok_or(UnknownCode {
            what: "CaseStatus",
            key,
        })
    }
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 8] = [
        CaseStatus::Draft,
        CaseStatus::Submitted,
        CaseStatus::Correction,
        CaseStatus::Accepted,
        CaseStatus::Disbursement,
        CaseStatus::Completed,
        CaseStatus::Refused,
        CaseStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Correction => "correction",
            CaseStatus::Accepted => "accepted",
            CaseStatus::Disbursement => "disbursement",
            CaseStatus::Completed => "completed",
            CaseStatus::Refused => "refused",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// True once the case is completed (办结), e.g. for the completion notice.
    pub fn is_completed(self) -> bool {
        self == CaseStatus::Completed
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Draft => "草稿",
            CaseStatus::Submitted => "已提交待受理",
            CaseStatus::Correction => "待补正",
            CaseStatus::Accepted => "已受理审核中",
            CaseStatus::Disbursement => "待拨付",
            CaseStatus::Completed => "已办结",
            CaseStatus::Refused => "不予受理/不予办理",
            CaseStatus::Withdrawn => "已撤回",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseStatus::Completed | CaseStatus::Refused | CaseStatus::Withdrawn
        )
    }

    /// The legal time limit runs in these states (from acceptance to the end).
    pub fn clock_running(self) -> bool {
        matches!(self, CaseStatus::Accepted | CaseStatus::Disbursement)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    IssueNotice,
    Correct,
    Accept,
    /// 即办件: accept and complete in one step.
    AcceptAndComplete,
    /// One review level approves (初审, 复审 …); the last one completes (or sends to payment).
    Approve,
    /// The clerk completes an accepted case of an item without a review step (办结).
    Complete,
    Disburse,
    Refuse,
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::Submit,
        Action::IssueNotice,
        Action::Correct,
        Action::Accept,
        Action::AcceptAndComplete,
        Action::Approve,
        Action::Complete,
        Action::Disburse,
        Action::Refuse,
        Action::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::IssueNotice => "issue_notice",
            Action::Correct => "correct",
            Action::Accept => "accept",
            Action::AcceptAndComplete => "accept_and_complete",
            Action::Approve => "approve",
            Action::Complete => "complete",
            Action::Disburse => "disburse",
            Action::Refuse => "refuse",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The note the actor writes with the action: required for a refusal (its reason), offered
    /// for a withdrawal, a correction and an approval, not asked otherwise.
    pub fn note(self) -> ActionNote {
        match self {
            Action::Refuse => ActionNote::Required,
            Action::Withdraw | Action::Correct | Action::Approve => ActionNote::Optional,
            _ => ActionNote::None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "提交申请",
            Action::IssueNotice => "一次性告知补正",
            Action::Correct => "补正材料",
            Action::Accept => "受理",
            Action::AcceptAndComplete => "受理并办结（即办件）",
            Action::Approve => "审核通过",
            Action::Complete => "办结",
            Action::Disburse => "拨付",
            Action::Refuse => "不予受理/不予办理",
            Action::Withdraw => "撤回申请",
        }
    }
}

/// Whether an action carries a note (理由、说明).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionNote {
    None,
    Optional,
    Required,
}

/// Who acts on a case. The applicant includes an agent acting for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorRole {
    Applicant,
    Clerk,
    Reviewer,
    Finance,
}

impl ActorRole {
    pub fn label(self) -> &'static str {
        match self {
            ActorRole::Applicant => "申请人",
            ActorRole::Clerk => "受理人员",
            ActorRole::Reviewer => "审核人员",
            ActorRole::Finance => "拨付人员",
        }
    }
}

/// One row of the table: from a status, an action by one of `roles` leads to `to` (or, for
/// `Approve`, to the status the item's shape decides).
pub struct Transition {
    pub from: CaseStatus,
    pub action: Action,
    pub to: CaseStatus,
    pub roles: &'static [ActorRole],
}

use ActorRole::{Applicant, Clerk, Finance, Reviewer};
use CaseStatus::*;

/// The whole state machine.
pub const TRANSITIONS: &[Transition] = &[
    // Applicants submit online; clerks submit what an applicant hands in at the window.
    Transition {
        from: Draft,
        action: Action::Submit,
        to: Submitted,
        roles: &[Applicant, Clerk],
    },
    Transition {
        from: Submitted,
        action: Action::IssueNotice,
        to: Correction,
        roles: &[Clerk],
    },
    Transition {
        from: Correction,
        action: Action::Correct,
        to: Submitted,
        roles: &[Applicant, Clerk],
    },
    Transition {
        from: Submitted,
        action: Action::Accept,
        to: Accepted,
        roles: &[Clerk],
    },
    Transition {
        from: Submitted,
        action: Action::AcceptAndComplete,
        to: Completed,
        roles: &[Clerk],
    },
    // `to` is a placeholder: the item's review levels and payment decide (see `next`).
    Transition {
        from: Accepted,
        action: Action::Approve,
        to: Accepted,
        roles: &[Reviewer],
    },
    Transition {
        from: Accepted,
        action: Action::Complete,
        to: Completed,
        roles: &[Clerk],
    },
    Transition {
        from: Disbursement,
        action: Action::Disburse,
        to: Completed,
        roles: &[Finance],
    },
    Transition {
        from: Submitted,
        action: Action::Refuse,
        to: Refused,
        roles: &[Clerk],
    },
    Transition {
        from: Correction,
        action: Action::Refuse,
        to: Refused,
        roles: &[Clerk],
    },
    Transition {
        from: Accepted,
        action: Action::Refuse,
        to: Refused,
        roles: &[Clerk, Reviewer],
    },
    Transition {
        from: Disbursement,
        action: Action::Refuse,
        to: Refused,
        roles: &[Finance, Reviewer],
    },
    Transition {
        from: Draft,
        action: Action::Withdraw,
        to: Withdrawn,
        roles: &[Applicant],
    },
    Transition {
        from: Submitted,
        action: Action::Withdraw,
        to: Withdrawn,
        roles: &[Applicant],
    },
    Transition {
        from: Correction,
        action: Action::Withdraw,
        to: Withdrawn,
        roles: &[Applicant],
    },
    Transition {
        from: Accepted,
        action: Action::Withdraw,
        to: Withdrawn,
        roles: &[Applicant],
    },
];

/// Where `action` by `role` takes a case in `from` whose item has `shape`, with
/// `review_level` levels already approved. Returns the new status and review level.
pub fn next(
    from: CaseStatus,
    review_level: u32,
    action: Action,
    role: ActorRole,
    shape: &CaseShape,
    note: &str,
) -> Result<(CaseStatus, u32), CaseError> {
    let rows: Vec<&Transition> = TRANSITIONS
        .iter()
        .filter(|t| t.from == from && t.action == action)
        .collect();
    let Some(row) = rows.first() else {
        return Err(CaseError::IllegalTransition {
            from: from.label(),
            action: action.label(),
        });
    };
    if !row.roles.contains(&role) {
        return Err(CaseError::RoleNotAllowed {
            role: role.label(),
            action: action.label(),
        });
    }
    match action {
        Action::Refuse if note.trim().is_empty() => Err(CaseError::ReasonRequired),
        Action::AcceptAndComplete if !shape.immediate => Err(CaseError::NotImmediate),
        Action::Approve if shape.review_levels == 0 => Err(CaseError::IllegalTransition {
            from: from.label(),
            action: action.label(),
        }),
        Action::Complete if shape.review_levels > 0 => Err(CaseError::IllegalTransition {
            from: from.label(),
            action: action.label(),
        }),
        Action::Complete if shape.pays_money => Ok((Disbursement, review_level)),
        Action::Approve => {
            let level = review_level + 1;
            if level < shape.review_levels {
                Ok((Accepted, level))
            } else if shape.pays_money {
                Ok((Disbursement, level))
            } else {
                Ok((Completed, level))
            }
        }
        _ => Ok((row.to, review_level)),
    }
}

/// The actions `role` may take now (what the page offers).
pub fn allowed_actions(status: CaseStatus, role: ActorRole, shape: &CaseShape) -> Vec<Action> {
    TRANSITIONS
        .iter()
        .filter(|t| t.from == status && t.roles.contains(&role))
        .map(|t| t.action)
        .filter(|a| *a != Action::AcceptAndComplete || shape.immediate)
        .filter(|a| *a != Action::Approve || shape.review_levels > 0)
        .filter(|a| *a != Action::Complete || shape.review_levels == 0)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_needs_its_reason_and_some_actions_take_a_note() {
        use super::{Action, ActionNote};
        assert_eq!(Action::Refuse.note(), ActionNote::Required);
        for a in [Action::Withdraw, Action::Correct, Action::Approve] {
            assert_eq!(a.note(), ActionNote::Optional, "{a:?}");
        }
        for a in [
            Action::Accept,
            Action::Submit,
            Action::Complete,
            Action::Disburse,
        ] {
            assert_eq!(a.note(), ActionNote::None, "{a:?}");
        }
    }

    #[test]
    fn event_labels() {
        use super::EventKind;
        assert_eq!(
            EventKind::from_key("create").map(EventKind::label),
            Some("新建办件")
        );
        assert_eq!(
            EventKind::from_key("material").map(EventKind::label),
            Some("提交材料")
        );
        assert_eq!(
            EventKind::from_key("accept"),
            Some(EventKind::Transition(super::Action::Accept))
        );
        for a in super::Action::ALL {
            let k = EventKind::Transition(a);
            assert_eq!(EventKind::try_from(k.key().to_string()), Ok(k));
        }
        assert!(EventKind::try_from("reboot".to_string()).is_err());
        assert_eq!(
            crate::catalog::ChannelKind::label_of_key("online"),
            "网上办理"
        );
        assert_eq!(crate::catalog::ChannelKind::label_of_key("fax"), "未知");
    }

    use super::*;
    use proptest::prelude::*;

    fn shape(levels: u32, pays: bool, immediate: bool) -> CaseShape {
        CaseShape {
            review_levels: levels,
            pays_money: pays,
            immediate,
        }
    }

    #[test]
    fn a_promised_item_with_one_review_and_payment_runs_its_whole_course() {
        let s = shape(1, true, false);
        let (st, l) = next(Draft, 0, Action::Submit, Applicant, &s, "").unwrap();
        let (st, l) = next(st, l, Action::IssueNotice, Clerk, &s, "").unwrap();
        assert_eq!(st, Correction);
        let (st, l) = next(st, l, Action::Correct, Applicant, &s, "").unwrap();
        let (st, l) = next(st, l, Action::Accept, Clerk, &s, "").unwrap();
        assert_eq!(st, Accepted);
        let (st, l) = next(st, l, Action::Approve, Reviewer, &s, "").unwrap();
        assert_eq!((st, l), (Disbursement, 1));
        let (st, _) = next(st, l, Action::Disburse, Finance, &s, "").unwrap();
        assert_eq!(st, Completed);
    }

    #[test]
    fn an_item_without_review_is_completed_by_the_clerk() {
        let s = shape(0, false, false);
        assert!(next(Accepted, 0, Action::Approve, Reviewer, &s, "").is_err());
        assert_eq!(
            next(Accepted, 0, Action::Complete, Clerk, &s, "")
                .unwrap()
                .0,
            Completed
        );
        let paying = shape(0, true, false);
        assert_eq!(
            next(Accepted, 0, Action::Complete, Clerk, &paying, "")
                .unwrap()
                .0,
            Disbursement
        );
        assert!(next(
            Accepted,
            0,
            Action::Complete,
            Clerk,
            &shape(1, false, false),
            ""
        )
        .is_err());
    }

    #[test]
    fn two_review_levels_need_two_approvals() {
        let s = shape(2, false, false);
        let (st, l) = next(Accepted, 0, Action::Approve, Reviewer, &s, "").unwrap();
        assert_eq!((st, l), (Accepted, 1));
        let (st, l) = next(st, l, Action::Approve, Reviewer, &s, "").unwrap();
        assert_eq!((st, l), (Completed, 2));
    }

    #[test]
    fn immediate_items_complete_in_one_step_and_others_cannot() {
        let (st, _) = next(
            Submitted,
            0,
            Action::AcceptAndComplete,
            Clerk,
            &shape(0, false, true),
            "",
        )
        .unwrap();
        assert_eq!(st, Completed);
        let e = next(
            Submitted,
            0,
            Action::AcceptAndComplete,
            Clerk,
            &shape(1, false, false),
            "",
        )
        .unwrap_err();
        assert_eq!(e, CaseError::NotImmediate);
    }

    #[test]
    fn illegal_moves_wrong_roles_and_missing_reasons_are_refused() {
        let s = shape(1, false, false);
        assert!(matches!(
            next(Draft, 0, Action::Accept, Clerk, &s, ""),
            Err(CaseError::IllegalTransition { .. })
        ));
        assert!(matches!(
            next(Submitted, 0, Action::Accept, Applicant, &s, ""),
            Err(CaseError::RoleNotAllowed { .. })
        ));
        assert!(matches!(
            next(Accepted, 0, Action::Approve, Clerk, &s, ""),
            Err(CaseError::RoleNotAllowed { .. })
        ));
        assert_eq!(
            next(Submitted, 0, Action::Refuse, Clerk, &s, "  "),
            Err(CaseError::ReasonRequired)
        );
        assert!(next(Submitted, 0, Action::Refuse, Clerk, &s, "不符合参保条件").is_ok());
        for terminal in [Completed, Refused, Withdrawn] {
            for a in Action::ALL {
                for r in [Applicant, Clerk, Reviewer, Finance] {
                    assert!(next(terminal, 0, a, r, &s, "x").is_err());
                }
            }
        }
    }

    #[test]
    fn the_page_offers_exactly_what_next_accepts() {
        for st in CaseStatus::ALL {
            for r in [Applicant, Clerk, Reviewer, Finance] {
                for s in [
                    shape(0, false, true),
                    shape(1, true, false),
                    shape(2, false, false),
                ] {
                    let offered = allowed_actions(st, r, &s);
                    for a in Action::ALL {
                        let ok = next(st, 0, a, r, &s, "理由").is_ok();
                        assert_eq!(offered.contains(&a), ok, "{st:?} {r:?} {a:?} {s:?}");
                    }
                }
            }
        }
    }

    proptest! {
        /// Random sequences never leave the declared states, terminal states stay terminal, and
        /// the review level never exceeds the item's levels.
        #[test]
        fn random_sequences_stay_in_the_machine(
            steps in proptest::collection::vec((0usize..10, 0usize..4), 0..40),
            levels in 0u32..3,
            pays in any::<bool>(),
            immediate in any::<bool>(),
        ) {
            let s = shape(levels, pays, immediate);
            let roles = [Applicant, Clerk, Reviewer, Finance];
            let (mut st, mut lvl) = (Draft, 0);
            for (a, r) in steps {
                let before = st;
                match next(st, lvl, Action::ALL[a], roles[r], &s, "理由") {
                    Ok((n, l)) => {
                        prop_assert!(!before.is_terminal());
                        prop_assert!(CaseStatus::ALL.contains(&n));
                        prop_assert!(l <= levels.max(1));
                        st = n;
                        lvl = l;
                    }
                    Err(_) => prop_assert_eq!(st, before),
                }
            }
        }
    }
}
