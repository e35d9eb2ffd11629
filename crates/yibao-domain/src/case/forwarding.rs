//! 通办 across instances (issue #18): a case received at this window for a person insured at a
//! peer is forwarded there and decided by the peer's case engine. What the receiving window
//! still does with it, which of the deciding side's statuses it mirrors, in which order status
//! reports count, and how much material travels in one message.

use super::error::CaseError;
use super::machine::{Action, CaseStatus};

/// The most material content (bytes, before base64) one `case.forwarded` message carries. The
/// message travels as one request to the peer's inbox, which refuses bodies above 4 MiB; base64
/// makes 2 MiB into about 2.7 MiB, leaving room for the form, the envelope and its escaping.
/// Paper originals travel by post (the item's transit days), not in the message.
pub const MAX_FORWARDED_BYTES: u64 = 2 * 1024 * 1024;

/// The label of a forwarded case while the peer decides it.
pub const FORWARDED_LABEL: &str = "已转异地办理";

/// What the receiving window may still do with a case it forwards (or will forward): the
/// intake up to acceptance, as for a case received here and decided by another agency (the
/// in-instance 通办 rule: intake is the receiving agency's, decisions the deciding one's), but
/// not an immediate completion — completing runs the item's effect on the person's record,
/// which the deciding instance holds. Once accepted (forwarded), nothing: every later status
/// comes from the peer.
pub fn forwarded_allows(status: CaseStatus, action: Action) -> bool {
    match status {
        CaseStatus::Draft | CaseStatus::Submitted | CaseStatus::Correction => {
            action != Action::AcceptAndComplete
        }
        _ => false,
    }
}

/// The status the receiving side shows for a status the deciding side reports. A forwarded
/// case arrives there accepted, so a report of an earlier status is malformed.
pub fn mirrored_status(remote: CaseStatus) -> Result<CaseStatus, CaseError> {
    match remote {
        CaseStatus::Accepted
        | CaseStatus::Disbursement
        | CaseStatus::Completed
        | CaseStatus::Refused
        | CaseStatus::Withdrawn => Ok(remote),
        CaseStatus::Draft | CaseStatus::Submitted | CaseStatus::Correction => {
            Err(CaseError::RemoteStatus(remote.label()))
        }
    }
}

/// Whether a status report numbered `seq` changes a forwarded case whose newest applied report
/// is `last` (0: none). Reports are numbered by the deciding side, one more for each status
/// change, and each carries the whole status; a report delivered after a newer one (a retry
/// that overtook it) is older news and changes nothing.
pub fn report_is_newer(last: i64, seq: i64) -> bool {
    seq > last
}

/// The label a forwarded case shows: 已转异地办理 while the peer decides, then the peer's
/// outcome (办结, 不予办理, 撤回) as for any case.
pub fn forwarded_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Accepted | CaseStatus::Disbursement => FORWARDED_LABEL,
        other => other.label(),
    }
}

/// The forwarded materials' content must fit in one message.
pub fn check_forwarded_size(total_bytes: u64) -> Result<(), CaseError> {
    if total_bytes > MAX_FORWARDED_BYTES {
        return Err(CaseError::ForwardTooLarge {
            size: total_bytes,
            max: MAX_FORWARDED_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_intake_and_gives_up_the_decision() {
        for a in Action::ALL {
            assert_eq!(
                forwarded_allows(CaseStatus::Submitted, a),
                a != Action::AcceptAndComplete,
                "{a:?}"
            );
            for s in [
                CaseStatus::Accepted,
                CaseStatus::Disbursement,
                CaseStatus::Completed,
                CaseStatus::Refused,
                CaseStatus::Withdrawn,
            ] {
                assert!(!forwarded_allows(s, a), "{s:?} {a:?}");
            }
        }
        assert!(forwarded_allows(CaseStatus::Correction, Action::Correct));
        assert!(forwarded_allows(CaseStatus::Draft, Action::Withdraw));
    }

    #[test]
    fn only_statuses_after_acceptance_are_mirrored() {
        assert_eq!(
            mirrored_status(CaseStatus::Completed),
            Ok(CaseStatus::Completed)
        );
        assert_eq!(
            mirrored_status(CaseStatus::Disbursement),
            Ok(CaseStatus::Disbursement)
        );
        let e = mirrored_status(CaseStatus::Correction).unwrap_err();
        assert_eq!(crate::Coded::code(&e), "case.remote_status");
        assert!(mirrored_status(CaseStatus::Draft).is_err());
    }

    #[test]
    fn a_late_report_is_older_news() {
        assert!(report_is_newer(0, 1));
        assert!(report_is_newer(1, 3));
        assert!(!report_is_newer(3, 2));
        assert!(
            !report_is_newer(3, 3),
            "the same report twice changes nothing"
        );
    }

    #[test]
    fn labels_and_the_size_bound() {
        assert_eq!(forwarded_label(CaseStatus::Accepted), "已转异地办理");
        assert_eq!(forwarded_label(CaseStatus::Completed), "已办结");
        assert!(check_forwarded_size(MAX_FORWARDED_BYTES).is_ok());
        let e = check_forwarded_size(MAX_FORWARDED_BYTES + 1).unwrap_err();
        assert_eq!(crate::Coded::code(&e), "case.forward_too_large");
        assert!(crate::Coded::message(&e).contains("2 MB"), "{e:?}");
    }
}
