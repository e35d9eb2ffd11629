//! A unit's employees: enrolment (增员) and removal (减员), one row or a roster.

use super::*;
use yibao_domain::enrolment::coverage::resident_end_on_employment;

/// 职工参保登记: every row checked (age, retirement age, one open coverage), lateness
/// recorded; one refusal fails the whole roster.
pub async fn enrol_employees(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let rows = fx
        .form()?
        .rows()
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let mut errors: Vec<(usize, EnrolmentError)> = Vec::new();
    let mut done = Vec::new();
    for row in &rows {
        match enrol_one(conn, fx, &employer, row).await? {
            Ok(v) => done.push(v),
            Err(es) => errors.extend(es.into_iter().map(|e| (row.line, e))),
        }
    }
    if !errors.is_empty() {
        return Err(rows_failed(errors));
    }
    let late = done
        .iter()
        .filter(|v| v["late_days"].as_i64().unwrap_or(0) > 0)
        .count();
    Ok(outcome(
        "enrolment.employee_enrol",
        if late > 0 {
            format!(
                "已为{}名职工办理参保登记，其中{late}人逾期申报（已记录）",
                done.len()
            )
        } else {
            format!("已为{}名职工办理参保登记", done.len())
        },
        json!({ "employer": employer.uscc, "enrolled": done }),
    ))
}

async fn enrol_one(
    conn: &mut Conn,
    fx: &Effect<'_>,
    employer: &EmployerRow,
    row: &Form,
) -> Result<Result<Value, Vec<EnrolmentError>>, ServiceError> {
    let who = match identity_of(row) {
        Ok(w) => w,
        Err(e) => return Ok(Err(e)),
    };
    let join = match row.date("join_date", "入职（报到）日期") {
        Ok(d) => d,
        Err(e) => return Ok(Err(vec![e])),
    };
    let timing = match check_employee_enrolment(&EmployeeEnrolment {
        jurisdiction: fx.jurisdiction,
        birth: who.birth,
        category: RetirementCategory::of(who.sex, row.get("post")),
        join_date: join,
        today: fx.today,
    }) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let person = match person_for(
        conn,
        fx,
        &who,
        &employer.region_code,
        row.get("phone").unwrap_or(""),
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return Ok(Err(vec![e])),
    };
    // An open resident coverage ends, as a dated event (the domain's rule).
    let mut held_all = held(conn, person.id).await?;
    for (c, h) in held_all.iter_mut() {
        if h.ends_on_employment() {
            let start = match c.start_date.as_deref() {
                Some(d) => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
                    ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                        "coverage {} start_date {d:?}: {e}",
                        c.id
                    )))
                })?),
                None => None,
            };
            let end = resident_end_on_employment(join, start);
            let detail = json!({ "employer": employer.uscc }).to_string();
            store::change_coverage_status(
                conn,
                &StatusChange {
                    coverage_id: c.id,
                    from: c.status,
                    to: CoverageStatus::Ended,
                    effective_on: &end.to_string(),
                    reason: "参加职工医保，城乡居民医保终止",
                    detail_json: &detail,
                    case_number: Some(&fx.case.number),
                    now: &fx.now,
                },
            )
            .await?;
            h.status = CoverageStatus::Ended;
        }
    }
    let held_now: Vec<HeldCoverage> = held_all.into_iter().map(|(_, h)| h).collect();
    if let Err(e) = check_no_double_coverage(&held_now, Scheme::Employee) {
        return Ok(Err(vec![e]));
    }
    let c = new_coverage(
        person.id,
        Opening {
            category: CoverageCategory::InService,
            employer_id: Some(employer.id),
            region: &employer.region_code,
            status: CoverageStatus::Active,
            start: Some(join),
        },
        fx,
    );
    let coverage_id = coverage::insert(conn, &c).await?;
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::EmployeeEnrol,
        json!({ "employer": employer.uscc, "join_date": join, "deadline": timing.deadline, "late_days": timing.late_days, "rule": timing.rule }),
    )
    .await?;
    Ok(Ok(json!({
        "person_id": person.id,
        "coverage_id": coverage_id,
        "name": who.name,
        "document_type": who.doc.kind.key(),
        "join_date": join,
        "deadline": timing.deadline,
        "late_days": timing.late_days,
        "notice": timing.notice(),
    })))
}

/// 减员: the employee's coverage with this employer ends on the event date; a retiree stays
/// insured as a retired employee (在职转退休).
pub async fn remove_employees(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let rows = fx
        .form()?
        .rows()
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let mut errors: Vec<(usize, EnrolmentError)> = Vec::new();
    let mut done = Vec::new();
    for row in &rows {
        match remove_one(conn, fx, &employer, row).await? {
            Ok(v) => done.push(v),
            Err(es) => errors.extend(es.into_iter().map(|e| (row.line, e))),
        }
    }
    if !errors.is_empty() {
        return Err(rows_failed(errors));
    }
    Ok(outcome(
        "enrolment.employee_remove",
        format!("已为{}名职工办理减员", done.len()),
        json!({ "employer": employer.uscc, "removed": done }),
    ))
}

async fn remove_one(
    conn: &mut Conn,
    fx: &Effect<'_>,
    employer: &EmployerRow,
    row: &Form,
) -> Result<Result<Value, Vec<EnrolmentError>>, ServiceError> {
    let mut errors = Vec::new();
    let number = row
        .text("id_number", "证件号码")
        .map_err(|e| errors.push(e))
        .ok();
    let reason = row
        .text("reason", "减员原因")
        .and_then(RemovalReason::parse)
        .map_err(|e| errors.push(e))
        .ok();
    let date = row
        .date("event_date", "减员原因发生日期")
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(number), Some(reason), Some(date)) = (number, reason, date) else {
        return Ok(Err(errors));
    };
    let timing = match check_removal(reason, date, fx.today) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![e])),
    };
    let number = number.to_uppercase();
    let Some(person) = store::find_person_by_number(conn, &number).await? else {
        return Ok(Err(vec![not_employee(&number)]));
    };
    let Some((cov, _)) = held(conn, person.id).await?.into_iter().find(|(c, h)| {
        c.employer_id == Some(employer.id)
            && c.category == CoverageCategory::InService
            && h.status != CoverageStatus::Ended
    }) else {
        return Ok(Err(vec![not_employee(&number)]));
    };
    if let Some(start) = cov
        .start_date
        .as_deref()
        .filter(|s| *s > date.to_string().as_str())
    {
        return Ok(Err(vec![EnrolmentError::new(
            "registry.removal.before_start",
            format!("减员日期{date}早于该职工在本单位的参保开始日期{start}"),
            "",
        )]));
    }
    let detail = json!({ "reason": reason.label(), "employer": employer.uscc, "deadline": timing.deadline, "late_days": timing.late_days, "rule": timing.rule }).to_string();
    let change = StatusChange {
        coverage_id: cov.id,
        from: cov.status,
        to: cov.status,
        effective_on: &date.to_string(),
        reason: reason.label(),
        detail_json: &detail,
        case_number: Some(&fx.case.number),
        now: &fx.now,
    };
    if reason == RemovalReason::Retired {
        store::move_coverage(conn, &change, Some(employer.id), CoverageCategory::Retired).await?;
    } else {
        let from = cov.status;
        let to = match next_status(from, CoverageChange::End) {
            Ok(to) => to,
            Err(e) => return Ok(Err(vec![e])),
        };
        store::change_coverage_status(conn, &StatusChange { to, ..change }).await?;
    }
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::EmployeeRemove,
        json!({ "reason": reason.label(), "event_date": date, "late_days": timing.late_days }),
    )
    .await?;
    Ok(Ok(json!({
        "person_id": person.id,
        "coverage_id": cov.id,
        "reason": reason.key(),
        "event_date": date,
        "late_days": timing.late_days,
        "notice": timing.notice(),
    })))
}

pub(super) fn not_employee(number: &str) -> EnrolmentError {
    EnrolmentError::new(
        "registry.removal.not_employee",
        format!("证件号码{number}不是本单位在职参保人员"),
        "",
    )
}
