//! seed 004 item 36 (受理医疗保障投诉、举报事项) and 《社会保险法》第八十二条 as the guide quotes it.

use chrono::NaiveDate;

use super::*;
use crate::error::Coded;

fn submission(kind: ComplaintKind, reporter: Option<Reporter>) -> Submission {
    Submission {
        kind,
        channel: ComplaintChannel::Online,
        ticket: None,
        subject_kind: SubjectKind::Institution,
        subject_name: " 南川演示医院 ".into(),
        institution_code: Some("H50011900001".into()),
        content: "该医院为住院病人虚记药品费用，出院清单与实际用药不符。".into(),
        reporter,
    }
}

fn reporter() -> Reporter {
    Reporter {
        name: "王建国".into(),
        phone: "13800138000".into(),
        id_number: None,
    }
}

fn codes(
    r: Result<Submission, Vec<(&'static str, ComplaintError)>>,
) -> Vec<(&'static str, &'static str)> {
    r.err()
        .unwrap_or_default()
        .iter()
        .map(|(f, e)| (*f, e.code()))
        .collect()
}

#[test]
fn a_report_may_be_anonymous_a_complaint_may_not() {
    let ok = check_submission(submission(ComplaintKind::Report, None)).expect("anonymous report");
    assert_eq!(ok.subject_name, "南川演示医院");
    assert_eq!(
        codes(check_submission(submission(ComplaintKind::Complaint, None))),
        vec![("reporter_name", "complaint.needs_name")]
    );
    assert!(check_submission(submission(ComplaintKind::Complaint, Some(reporter()))).is_ok());
}

#[test]
fn content_is_bounded_by_characters_not_bytes() {
    let mut s = submission(ComplaintKind::Report, None);
    s.content = "虚".repeat(CONTENT_MIN_CHARS - 1);
    assert_eq!(
        codes(check_submission(s.clone())),
        vec![("content", "complaint.content")]
    );
    s.content = "虚".repeat(CONTENT_MIN_CHARS);
    assert!(check_submission(s.clone()).is_ok());
    s.content = "虚".repeat(CONTENT_MAX_CHARS);
    assert!(check_submission(s.clone()).is_ok());
    s.content = "虚".repeat(CONTENT_MAX_CHARS + 1);
    assert_eq!(
        codes(check_submission(s.clone())),
        vec![("content", "complaint.content")]
    );
    s.content = format!("{}\u{0}", "虚".repeat(20));
    assert_eq!(
        codes(check_submission(s)),
        vec![("content", "complaint.content")]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = submission(
        ComplaintKind::Complaint,
        Some(Reporter {
            name: " ".into(),
            phone: "12".into(),
            id_number: Some("500119198001011235".into()),
        }),
    );
    s.channel = ComplaintChannel::Hotline12345;
    s.subject_name = String::new();
    s.institution_code = Some("X1".into());
    assert_eq!(
        codes(check_submission(s)),
        vec![
            ("subject_name", "complaint.subject"),
            ("institution_code", "complaint.institution_code"),
            ("ticket", "complaint.ticket"),
            ("reporter_name", "complaint.reporter_name"),
            ("reporter_phone", "complaint.reporter_phone"),
            ("reporter_id_number", "complaint.reporter_id"),
        ]
    );
}

#[test]
fn a_hotline_handover_carries_its_work_order() {
    let mut s = submission(ComplaintKind::Report, None);
    s.channel = ComplaintChannel::Hotline12345;
    s.ticket = Some("12345-2026-000981".into());
    assert!(check_submission(s.clone()).is_ok());
    s.ticket = Some("工单981".into());
    assert_eq!(
        codes(check_submission(s)),
        vec![("ticket", "complaint.ticket")]
    );
}

#[test]
fn an_institution_code_only_for_an_institution() {
    let mut s = submission(ComplaintKind::Report, None);
    s.subject_kind = SubjectKind::Employer;
    assert_eq!(
        codes(check_submission(s.clone())),
        vec![("institution_code", "complaint.institution_code")]
    );
    s.institution_code = None;
    assert!(check_submission(s).is_ok());
}

#[test]
fn only_a_received_complaint_is_decided_and_a_refusal_or_transfer_says_why() {
    use ComplaintStatus as S;
    assert_eq!(decide(S::Received, Decision::Accept), Ok(Decision::Accept));
    assert_eq!(
        decide(
            S::Received,
            Decision::Refuse {
                reason: "  ".into()
            }
        )
        .map_err(|e| e.code()),
        Err("complaint.reason_required")
    );
    // 社会保险法第八十二条: not within the remit → notify in writing and hand over.
    assert_eq!(
        decide(
            S::Received,
            Decision::Transfer {
                department: "".into(),
                reason: "属于卫生健康部门职责".into()
            }
        )
        .map_err(|e| e.code()),
        Err("complaint.department_required")
    );
    let d = decide(
        S::Received,
        Decision::Transfer {
            department: " 南川区卫生健康委员会 ".into(),
            reason: "医疗服务质量问题".into(),
        },
    )
    .expect("transfer");
    assert_eq!(d.status(), S::Transferred);
    for s in [
        S::Accepted,
        S::NotAccepted,
        S::Transferred,
        S::Answered,
        S::Closed,
    ] {
        assert_eq!(
            decide(s, Decision::Accept).map_err(|e| e.code()),
            Err("complaint.status")
        );
    }
}

#[test]
fn answer_then_evaluation_closes() {
    use ComplaintStatus as S;
    assert!(check_assign(S::Accepted).is_ok());
    assert!(check_assign(S::Received).is_err());
    assert_eq!(
        check_answer(S::Accepted, " 经核查属实，已追回。 "),
        Ok("经核查属实，已追回。".into())
    );
    assert_eq!(
        check_answer(S::Accepted, " ").map_err(|e| e.code()),
        Err("complaint.answer_required")
    );
    assert!(check_answer(S::Received, "答复").is_err());
    assert_eq!(check_evaluate(S::Answered), Ok(S::Closed));
    assert!(check_evaluate(S::Accepted).is_err());
    assert!(check_evaluate(S::Closed).is_err());
}

#[test]
fn the_current_step_is_due_on_its_date_and_late_after_it() {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
    use ComplaintStatus as S;
    assert_eq!(due_of(S::Received, d(12, 9), None), Some(d(12, 9)));
    assert_eq!(
        due_of(S::Accepted, d(12, 9), Some(d(1, 20))),
        Some(d(1, 20))
    );
    assert_eq!(due_of(S::Answered, d(12, 9), Some(d(1, 20))), None);
    assert_eq!(timeliness(Some(d(12, 9)), d(12, 8)), Timeliness::OnTime);
    assert_eq!(timeliness(Some(d(12, 9)), d(12, 9)), Timeliness::DueToday);
    assert_eq!(timeliness(Some(d(12, 9)), d(12, 10)), Timeliness::Overdue);
    assert_eq!(timeliness(None, d(12, 10)), Timeliness::Done);
}
