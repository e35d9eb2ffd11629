//! Residents (城乡居民) enrolment.

use super::*;

/// 城乡居民参保登记: the category must be on the deciding guide's list and the date in one of
/// its windows; the person is registered and pays through the tax authority's channels.
/// Coverage itself starts with the payment, which this effect does not pretend to record.
pub async fn resident_enrol(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let (who, existing) = applicant_identity(conn, fx).await?;
    let form = fx.form()?;
    let region = fx.region()?;
    let category_text = form
        .get("category")
        .or(form.get("applicant_status"))
        .unwrap_or("");
    let facts = fx.facts()?;
    let category = ResidentCategory::parse(category_text).unwrap_or_else(|| {
        if facts.contains("newborn") {
            ResidentCategory::Newborn
        } else if facts.contains("student") {
            ResidentCategory::UniversityStudent
        } else {
            match who.doc.origin() {
                yibao_domain::enrolment::documents::Origin::HongKongMacauTaiwan => {
                    ResidentCategory::HmtResident
                }
                yibao_domain::enrolment::documents::Origin::Foreign => {
                    ResidentCategory::ForeignPermanentResident
                }
                yibao_domain::enrolment::documents::Origin::Mainland => {
                    ResidentCategory::LocalResident
                }
            }
        }
    });
    check_resident_category(&ResidentApplicant {
        jurisdiction: fx.jurisdiction,
        category,
        origin: who.doc.origin(),
        employed: form.yes("employed"),
    })
    .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let year = match form.get("coverage_year") {
        Some(y) => Some(
            y.parse::<i32>()
                .map_err(|_| ServiceError::invalid("registry.form.year", "参保年度应为四位年份"))?,
        ),
        None => None,
    };
    let plan = resident_enrolment_plan(&ResidentTiming {
        jurisdiction: fx.jurisdiction,
        category,
        birth: who.birth,
        term_start: form
            .optional_date("term_start", "开学日期")
            .map_err(|e| ServiceError::from_domain_list(vec![e]))?,
        year,
        today: fx.today,
    })
    .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let person = match existing {
        Some(p) => p,
        None => person_for(
            conn,
            fx,
            &who,
            region.as_str(),
            form.get("phone").unwrap_or(&fx.case.applicant_phone),
        )
        .await
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?,
    };
    let held_now: Vec<HeldCoverage> = held(conn, person.id)
        .await?
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    check_no_double_coverage(&held_now, Scheme::Resident)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let c = new_coverage(
        person.id,
        Opening {
            category: CoverageCategory::Resident(category),
            employer_id: None,
            region: region.as_str(),
            status: CoverageStatus::Registered,
            start: Some(plan.starts_on),
        },
        fx,
    );
    let coverage_id = coverage::insert(conn, &c).await?;
    // The year's contribution is assessed with the registration (核定), so the tax authority's
    // payment for it brings the coverage into force (contribution::resident::activate_paid).
    let assessed =
        crate::contribution::resident::assess(region.as_str(), category, "", plan.coverage_year)?;
    let due_text = match assessed {
        Some((due, policy_name, example)) => {
            crate::contribution::resident::write_year_line(
                conn,
                person.id,
                plan.coverage_year,
                due,
                policy_name,
                example,
                &fx.now,
            )
            .await?;
            format!(
                "{}年度个人缴费 {}{}，",
                plan.coverage_year,
                due,
                if example { "（示例参数）" } else { "" }
            )
        }
        None => String::new(),
    };
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::ResidentEnrol,
        json!({ "category": category.label(), "plan": plan }),
    )
    .await?;
    Ok(outcome(
        "enrolment.resident_enrol",
        format!(
            "已办理城乡居民参保登记（{}，{}年度），{}请通过税务部门的缴费渠道缴纳城乡居民医保费，缴费到账后参保生效；{}",
            category.label(),
            plan.coverage_year,
            due_text,
            plan.note
        ),
        json!({ "person_id": person.id, "coverage_id": coverage_id, "status": "registered", "plan": plan }),
    ))
}
