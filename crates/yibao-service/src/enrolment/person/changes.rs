//! Changes to a person's information (参保信息变更), the 表3/表4 rows, the contribution grade.

use super::*;

/// The person a case is about: the applicant, or (for an employer's application) the person
/// the form names.
async fn subject_person(conn: &mut Conn, fx: &Effect<'_>) -> Result<PersonRow, ServiceError> {
    let form = fx.form()?;
    let number = if fx.case.applicant_kind == yibao_domain::case::ApplicantType::Employer {
        form.text("id_number", "职工证件号码")
            .map_err(|e| ServiceError::from_domain_list(vec![e]))?
            .to_uppercase()
    } else {
        fx.case.applicant_ref.clone()
    };
    let person = store::find_person_by_number(conn, &number)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    if fx.case.applicant_kind == yibao_domain::case::ApplicantType::Employer {
        let employer = applicant_employer(conn, fx).await?;
        let theirs = held(conn, person.id)
            .await?
            .iter()
            .any(|(c, h)| c.employer_id == Some(employer.id) && h.status.is_open());
        if !theirs {
            return Err(ServiceError::from_domain_list(vec![
                super::employee::not_employee(&number),
            ]));
        }
    }
    Ok(person)
}

/// 参保信息变更 / 电话号码变更: fields `new_<field>`; key information needs the proof material
/// on the case; a grade change (`new_grade`) follows its windows. Every old value is kept in
/// the person's history.
pub async fn change(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let person = subject_person(conn, fx).await?;
    let item_scheme = match fx.op {
        crate::enrolment::Op::EmployeeChange => Some(Scheme::Employee),
        crate::enrolment::Op::ResidentChange => Some(Scheme::Resident),
        _ => None,
    };
    if let Some(scheme) = item_scheme {
        let held: Vec<HeldCoverage> = held(conn, person.id)
            .await?
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        check_change_scheme(scheme, &held).map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    }
    let form = table_row_as_change(fx.form()?, &person)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    let mut errors = Vec::new();
    for (field, label, _) in PERSON_FIELDS {
        let Some(new) = form.get(&format!("new_{field}")) else {
            continue;
        };
        let old = match field {
            "name" => person.name.clone(),
            "sex" => person.sex.clone(),
            "id_number" => person.id_number.clone(),
            "birth_date" => person.birth_date.clone(),
            "phone" => person.phone.clone(),
            _ => person.address.clone(),
        };
        let new = match field {
            "sex" => match new {
                "男" | "male" => "male".to_string(),
                "女" | "female" => "female".to_string(),
                _ => {
                    errors.push(EnrolmentError::new(
                        "registry.form.sex",
                        "性别应为男或女",
                        "",
                    ));
                    continue;
                }
            },
            "id_number" => match DocumentType::parse(&person.document_type)
                .and_then(|k| IdentityDocument::parse(k, new))
            {
                Ok(doc) => doc.number,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
            "birth_date" => match NaiveDate::parse_from_str(new, "%Y-%m-%d") {
                Ok(d) => d.to_string(),
                Err(_) => {
                    errors.push(EnrolmentError::new(
                        "registry.form.date",
                        format!("“{label}”应为日期"),
                        "",
                    ));
                    continue;
                }
            },
            "phone" => {
                if !(new.len() == 11
                    && new.starts_with('1')
                    && new.bytes().all(|b| b.is_ascii_digit()))
                {
                    errors.push(EnrolmentError::new(
                        "registry.form.phone",
                        format!("手机号码“{new}”应为11位数字"),
                        "",
                    ));
                    continue;
                }
                new.to_string()
            }
            _ => new.to_string(),
        };
        if new != old {
            changes.push((field, old, new));
        }
    }
    if fx.op == crate::enrolment::Op::PhoneChange {
        changes.retain(|(f, _, _)| *f == "phone");
    }
    let grade = match form.get("new_grade") {
        Some(g) if fx.op == crate::enrolment::Op::EmployeeChange => Some(g.to_string()),
        Some(_) => {
            errors.push(EnrolmentError::new(
                "registry.grade.scheme",
                "只有以个人身份参加职工医保的人员可以变更缴费档次",
                "seed 003 职工参保信息变更登记 办理条件2",
            ));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(ServiceError::from_domain_list(errors));
    }
    if changes.is_empty() && grade.is_none() {
        return Err(ServiceError::invalid(
            "registry.change.nothing",
            "没有需要变更的信息",
        ));
    }
    let key = touches_key_information(changes.iter().map(|(f, _, _)| *f))
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    if key {
        require_key_proof(conn, fx).await?;
    }
    if let Some((_, _, new)) = changes.iter().find(|(f, _, _)| *f == "id_number") {
        if store::find_person_by_number(conn, new).await?.is_some() {
            return Err(ServiceError::invalid(
                "registry.person.number_taken",
                format!("证件号码{new}已属于另一参保人员"),
            ));
        }
    }
    for (field, _, new) in &changes {
        store::set_person_field(conn, person.id, field, new, &fx.now).await?;
    }
    let mut grade_out = Value::Null;
    if let Some(g) = grade {
        grade_out = change_grade(conn, fx, &person, &g).await?;
    }
    let listed: Vec<Value> = changes
        .iter()
        .map(|(f, old, new)| json!({ "field": f, "label": label_of(f), "from": old, "to": new }))
        .collect();
    person_event(
        conn,
        fx,
        person.id,
        EnrolmentEvent::Change,
        json!({ "key_information": key, "changes": listed, "grade": grade_out }),
    )
    .await?;
    Ok(outcome(
        fx.item.service.key(),
        format!(
            "已变更：{}",
            listed
                .iter()
                .filter_map(|c| c["label"].as_str())
                .chain(grade_out.get("to").map(|_| "缴费档次"))
                .collect::<Vec<_>>()
                .join("、")
        ),
        json!({ "person_id": person.id, "key_information": key, "changes": listed, "grade": grade_out }),
    ))
}

/// Seed 000 表3 / 表4 carry a change as 变更项目, 变更前, 变更后: read as `new_<field>`. The
/// value before must be what the registry holds, so a change is made to the record it was
/// written against.
fn table_row_as_change(mut form: Form, person: &PersonRow) -> Result<Form, EnrolmentError> {
    let (Some(item), Some(after)) = (form.get("change_item"), form.get("value_after")) else {
        return Ok(form);
    };
    let field = yibao_domain::enrolment::person_change::field_of_label(item)?;
    let held = match field {
        "name" => person.name.as_str(),
        "sex" => {
            if person.sex == "male" {
                "男"
            } else {
                "女"
            }
        }
        "id_number" => person.id_number.as_str(),
        "birth_date" => person.birth_date.as_str(),
        "phone" => person.phone.as_str(),
        _ => person.address.as_str(),
    };
    if let Some(before) = form.get("value_before") {
        if before != held && !(field == "sex" && before == person.sex) {
            return Err(EnrolmentError::new(
                "registry.change.before_mismatch",
                format!("“{item}”变更前的值“{before}”与登记信息“{held}”不符，请核对"),
                "seed 000 表3、表4「变更前」",
            ));
        }
    }
    let after = after.to_string();
    form.fields.insert(format!("new_{field}"), after);
    Ok(form)
}

/// Key information changes need the guide's proof material, provided on the case.
async fn require_key_proof(conn: &mut Conn, fx: &Effect<'_>) -> Result<(), ServiceError> {
    if crate::enrolment::key_proof_provided(conn, fx).await? {
        return Ok(());
    }
    Err(ServiceError::from_domain_list(vec![EnrolmentError::new(
        "registry.change.key_proof",
        "变更姓名、性别、证件号码、出生日期等关键信息须提供相应的证明材料",
        format!(
            "{} {} 办理条件",
            yibao_domain::enrolment::seed_of(fx.jurisdiction),
            fx.item.name
        ),
    )]))
}

async fn change_grade(
    conn: &mut Conn,
    fx: &Effect<'_>,
    person: &PersonRow,
    to: &str,
) -> Result<Value, ServiceError> {
    let to = Grade::parse(to)
        .ok_or_else(|| ServiceError::invalid("registry.grade.unknown", "缴费档次应为一档或二档"))?;
    let Some((cov, _)) = held(conn, person.id).await?.into_iter().find(|(c, h)| {
        c.category == CoverageCategory::Flexible && h.status == CoverageStatus::Active
    }) else {
        return Err(ServiceError::from_domain_list(vec![EnrolmentError::new(
            "registry.grade.scheme",
            "只有以个人身份参加职工医保且正常参保的人员可以变更缴费档次",
            "seed 003 职工参保信息变更登记 办理条件2",
        )]));
    };
    let stored = store::grade_of(conn, cov.id).await?;
    // Every flexible coverage is opened with its grade: another value is damaged data.
    let from = Grade::parse(&stored).ok_or_else(|| {
        tracing::error!(coverage = cov.id, grade = %stored, "stored grade is unknown");
        ServiceError::internal(
            "registry.corrupt",
            "该参保记录的缴费档次数据已损坏，请联系系统运维人员",
        )
    })?;
    let g = check_grade_change(from, to, fx.form()?.yes("years_complete"), fx.today)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let detail = json!({ "grade_from": from.label(), "grade_to": to.label(), "difference_due": g.difference_due }).to_string();
    store::set_grade(
        conn,
        &StatusChange {
            coverage_id: cov.id,
            from: cov.status,
            to: cov.status,
            effective_on: &g.effective_from.to_string(),
            reason: "缴费档次变更",
            detail_json: &detail,
            case_number: Some(&fx.case.number),
            now: &fx.now,
        },
        to.key(),
    )
    .await?;
    Ok(
        json!({ "from": from.label(), "to": to.label(), "effective_from": g.effective_from, "difference_due": g.difference_due }),
    )
}
