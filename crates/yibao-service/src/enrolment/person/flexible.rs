//! Individuals in the employee scheme (灵活就业): enrolment, suspension, resumption.

use super::*;

/// 以个人身份参加职工医保参保登记 (and 酉阳's 个人身份参（续）保, which also resumes a
/// suspended individual coverage).
pub async fn flexible_enrol(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let (who, existing) = applicant_identity(conn, fx).await?;
    if let Some(p) = &existing {
        let suspended = held(conn, p.id).await?.into_iter().any(|(c, h)| {
            c.category == CoverageCategory::Flexible && h.status == CoverageStatus::Suspended
        });
        if suspended && fx.jurisdiction == Jurisdiction::Youyang {
            return flexible_resume(conn, fx).await;
        }
    }
    let form = fx.form()?;
    let region = fx.region()?;
    let held_now = match &existing {
        Some(p) => held(conn, p.id).await?,
        None => Vec::new(),
    };
    let has_employer = held_now.iter().any(|(c, h)| {
        c.employer_id.is_some() && c.category == CoverageCategory::InService && h.status.is_open()
    });
    let local_hukou = form
        .get("local_hukou")
        .map(|_| form.yes("local_hukou"))
        .unwrap_or_else(|| {
            // The ID's address code is the place of first registration, a fair default only.
            who.doc.number.get(..2) == region.as_str().get(..2)
        });
    check_flexible_enrolment(&FlexibleApplicant {
        jurisdiction: fx.jurisdiction,
        birth: who.birth,
        sex: who.sex,
        origin: who.doc.origin(),
        local_hukou,
        has_employer,
        local_pension: form.yes("local_pension"),
        debit_bank: form.get("debit_bank").unwrap_or("").to_string(),
        today: fx.today,
    })
    .map_err(ServiceError::from_domain_list)?;
    let held_flags: Vec<HeldCoverage> = held_now.iter().map(|(_, h)| *h).collect();
    check_no_double_coverage(&held_flags, Scheme::Employee)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let grade = match form.get("grade") {
        Some(g) => Grade::parse(g).ok_or_else(|| {
            ServiceError::invalid("registry.grade.unknown", "缴费档次应为一档或二档")
        })?,
        None => Grade::Tier1,
    };
    let person = match existing {
        Some(p) => p,
        None => person_for(
            conn,
            fx,
            &who,
            region.as_str(),
            form.get("phone").unwrap_or(""),
        )
        .await
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?,
    };
    let c = new_coverage(
        person.id,
        Opening {
            category: CoverageCategory::Flexible,
            employer_id: None,
            region: region.as_str(),
            status: CoverageStatus::Active,
            start: Some(fx.today),
        },
        fx,
    );
    let coverage_id = coverage::insert(conn, &c).await?;
    store::set_grade(
        conn,
        &StatusChange {
            coverage_id,
            from: CoverageStatus::Active,
            to: CoverageStatus::Active,
            effective_on: &fx.today.to_string(),
            reason: "缴费档次",
            detail_json: &json!({ "grade": grade.label() }).to_string(),
            case_number: Some(&fx.case.number),
            now: &fx.now,
        },
        grade.key(),
    )
    .await?;
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::FlexibleEnrol,
        json!({ "grade": grade.label(), "local_hukou": local_hukou }),
    )
    .await?;
    Ok(outcome(
        "enrolment.flexible_enrol",
        format!(
            "已以个人身份参加职工医保（{}），请按核定通知缴纳医疗保险费",
            grade.label()
        ),
        json!({ "person_id": person.id, "coverage_id": coverage_id, "grade": grade.key() }),
    ))
}

async fn flexible_coverage(
    conn: &mut Conn,
    fx: &Effect<'_>,
    status: CoverageStatus,
) -> Result<(PersonRow, CoverageRow), ServiceError> {
    let person = store::find_person_by_number(conn, &fx.case.applicant_ref)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    let all = held(conn, person.id).await?;
    let flexible: Vec<_> = all
        .into_iter()
        .filter(|(c, _)| c.category == CoverageCategory::Flexible)
        .collect();
    if let Some((c, _)) = flexible.iter().find(|(_, h)| h.status == status) {
        return Ok((person, c.clone()));
    }
    let current = flexible
        .last()
        .map(|(_, h)| h.status.label())
        .unwrap_or("未以个人身份参保");
    let (code, rule, source) = if status == CoverageStatus::Suspended {
        (
            "registry.flexible.not_suspended",
            format!("当前职工参保状态为“{current}”，只有暂停参保的才能办理续保"),
            "seed 003 以个人身份参加职工医保续保登记 办理条件「当前职工参保状态为暂停参保」",
        )
    } else {
        (
            "registry.flexible.not_active",
            format!("当前个人身份参保状态为“{current}”，不能办理暂停参保"),
            "seed 003 以个人身份参加职工医保暂停参保登记 办理条件",
        )
    };
    Err(ServiceError::from_domain_list(vec![EnrolmentError::new(
        code, rule, source,
    )]))
}

/// 暂停参保 (停保) of an individual's employee coverage, from the stated date.
pub async fn flexible_suspend(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let (person, cov) = flexible_coverage(conn, fx, CoverageStatus::Active).await?;
    let form = fx.form()?;
    let reason = form.get("reason").unwrap_or("本人申请").to_string();
    let on = form
        .optional_date("effective_on", "停保日期")
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?
        .unwrap_or(fx.today);
    let to = next_status(CoverageStatus::Active, CoverageChange::Suspend)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    store::change_coverage_status(
        conn,
        &StatusChange {
            coverage_id: cov.id,
            from: CoverageStatus::Active,
            to,
            effective_on: &on.to_string(),
            reason: &reason,
            detail_json: "{}",
            case_number: Some(&fx.case.number),
            now: &fx.now,
        },
    )
    .await?;
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::FlexibleSuspend,
        json!({ "reason": reason, "effective_on": on }),
    )
    .await?;
    Ok(outcome(
        "enrolment.flexible_suspend",
        format!("已自{on}起暂停以个人身份参保（{reason}）"),
        json!({ "coverage_id": cov.id, "effective_on": on }),
    ))
}

/// 续保: a suspended individual coverage becomes active again.
pub async fn flexible_resume(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let (person, cov) = flexible_coverage(conn, fx, CoverageStatus::Suspended).await?;
    let held_now: Vec<HeldCoverage> = held(conn, person.id)
        .await?
        .into_iter()
        .filter(|(c, _)| c.id != cov.id)
        .map(|(_, h)| h)
        .collect();
    check_no_double_coverage(&held_now, Scheme::Employee)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let to = next_status(CoverageStatus::Suspended, CoverageChange::Resume)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    store::change_coverage_status(
        conn,
        &StatusChange {
            coverage_id: cov.id,
            from: CoverageStatus::Suspended,
            to,
            effective_on: &fx.today.to_string(),
            reason: "续保",
            detail_json: "{}",
            case_number: Some(&fx.case.number),
            now: &fx.now,
        },
    )
    .await?;
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::FlexibleResume,
        json!({ "effective_on": fx.today }),
    )
    .await?;
    Ok(outcome(
        "enrolment.flexible_resume",
        "已办理续保，请按核定通知单缴纳医疗保险费".into(),
        json!({ "coverage_id": cov.id, "effective_on": fx.today }),
    ))
}
