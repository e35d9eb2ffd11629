//! Effects on insured persons: employees enrolled and removed by their employer (one or a
//! roster), individuals in the employee scheme (enrol, suspend, resume, grade), residents, and
//! changes of a person's record.

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::ids::Sex;
use yibao_domain::registry::coverage::{
    check_no_double_coverage, next_status, CoverageChange, HeldCoverage,
};
use yibao_domain::registry::employee::{
    check_employee_enrolment, check_removal, EmployeeEnrolment, RemovalReason,
};
use yibao_domain::registry::flexible::{
    check_flexible_enrolment, check_grade_change, FlexibleApplicant, Grade,
};
use yibao_domain::registry::person_change::{label_of, touches_key_information, PERSON_FIELDS};
use yibao_domain::registry::resident::{
    check_resident_category, resident_enrolment_plan, ResidentApplicant, ResidentCategory,
    ResidentTiming,
};
use yibao_domain::registry::retirement::RetirementCategory;
use yibao_domain::registry::{
    CoverageStatus, DocumentType, IdentityDocument, Jurisdiction, RegistryError, Scheme,
};
use yibao_store::coverage::{self, CoverageRow};
use yibao_store::enrolment::{self, EmployerRow, PersonRow};
use yibao_store::registry::{self as store, StatusChange};
use yibao_store::Conn;

use super::form::Form;
use super::{outcome, person_event, rows_failed, Effect};
use crate::ServiceError;

/// Who a row names: a checked document, the name, birth date and sex.
pub struct Identity {
    pub doc: IdentityDocument,
    pub name: String,
    pub birth: NaiveDate,
    pub sex: Sex,
}

pub fn identity_of(row: &Form) -> Result<Identity, Vec<RegistryError>> {
    let mut errors = Vec::new();
    let kind = DocumentType::parse(row.get("document_type").unwrap_or(""));
    let name = row.text("name", "姓名").map(str::to_string);
    let number = row.text("id_number", "证件号码");
    let doc = match (kind, number) {
        (Ok(k), Ok(n)) => IdentityDocument::parse(k, n)
            .map_err(|e| errors.push(e))
            .ok(),
        (k, n) => {
            errors.extend(k.err());
            errors.extend(n.err());
            None
        }
    };
    let from_doc = doc.as_ref().and_then(IdentityDocument::birth_and_sex);
    let (birth, sex) = match from_doc {
        Some(bs) => (Some(bs.0), Some(bs.1)),
        None => {
            let birth = row
                .date("birth_date", "出生日期")
                .map_err(|e| errors.push(e))
                .ok();
            let sex = match row.get("sex") {
                Some("男" | "male") => Some(Sex::Male),
                Some("女" | "female") => Some(Sex::Female),
                _ => {
                    errors.push(RegistryError::new(
                        "registry.form.sex",
                        "该证件号码不含性别，请填写“性别”（男/女）",
                        "",
                    ));
                    None
                }
            };
            (birth, sex)
        }
    };
    match (doc, name, birth, sex) {
        (Some(doc), Ok(name), Some(birth), Some(sex)) if errors.is_empty() => Ok(Identity {
            doc,
            name,
            birth,
            sex,
        }),
        (_, name, _, _) => {
            errors.extend(name.err());
            Err(errors)
        }
    }
}

fn sex_key(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

/// The person's record, created from the identity when they are new to the registry. A known
/// number under another name is refused: a typo must not attach coverage to someone else.
async fn person_for(
    conn: &mut Conn,
    fx: &Effect<'_>,
    who: &Identity,
    region: &str,
    phone: &str,
) -> Result<PersonRow, RegistryError> {
    let found = store::find_person_by_number(conn, &who.doc.number)
        .await
        .map_err(store_err)?;
    if let Some(p) = found {
        if p.name != who.name {
            return Err(RegistryError::new(
                "registry.person.name_mismatch",
                format!(
                    "证件号码{}已登记的姓名与填写的“{}”不一致，请核对",
                    who.doc.number, who.name
                ),
                "",
            ));
        }
        return Ok(p);
    }
    let id = store::insert_person_record(
        conn,
        &store::NewPersonRecord {
            number: &who.doc.number,
            document_type: who.doc.kind.key(),
            name: &who.name,
            sex: sex_key(who.sex),
            birth_date: &who.birth.to_string(),
            region_code: region,
            phone,
            address: "",
        },
        &fx.now,
    )
    .await
    .map_err(store_err)?;
    store::add_event(
        conn,
        store::Subject::Person,
        id,
        &fx.event(
            "register",
            &json!({ "document_type": who.doc.kind.label(), "region_code": region }).to_string(),
        ),
    )
    .await
    .map_err(store_err)?;
    enrolment::find_person_by_id(conn, id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| RegistryError::new("registry.person.missing", "参保人员登记失败", ""))
}

fn store_err(e: yibao_store::StoreError) -> RegistryError {
    RegistryError::new("store.error", format!("数据库错误：{e}"), "")
}

pub async fn held(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<(CoverageRow, HeldCoverage)>, ServiceError> {
    Ok(coverage::list_for_person(conn, person_id)
        .await?
        .into_iter()
        .filter_map(|c| {
            let h = HeldCoverage {
                scheme: Scheme::from_key(&c.scheme)?,
                status: CoverageStatus::from_key(&c.status)?,
            };
            Some((c, h))
        })
        .collect())
}

/// The employer that applied (the case's applicant).
pub async fn applicant_employer(
    conn: &mut Conn,
    fx: &Effect<'_>,
) -> Result<EmployerRow, ServiceError> {
    if fx.case.applicant_kind != "employer" {
        return Err(ServiceError::invalid(
            "registry.employer_applicant",
            format!("事项“{}”由参保单位申请", fx.item.name),
        ));
    }
    let e = enrolment::find_employer_by_uscc(conn, &fx.case.applicant_ref)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "申请单位尚未办理参保登记"))?;
    if e.status != "active" {
        return Err(ServiceError::invalid(
            "registry.employer.deregistered",
            "申请单位已注销",
        ));
    }
    Ok(e)
}

/// A coverage being opened: in which scheme and category, with which employer, where.
struct Opening<'a> {
    scheme: Scheme,
    category: &'a str,
    employer_id: Option<i64>,
    region: &'a str,
    status: CoverageStatus,
    start: Option<NaiveDate>,
}

fn new_coverage(person_id: i64, o: Opening<'_>, fx: &Effect<'_>) -> CoverageRow {
    let Opening {
        scheme,
        category,
        employer_id,
        region,
        status,
        start,
    } = o;
    CoverageRow {
        id: 0,
        person_id,
        scheme: scheme.key().into(),
        category: category.into(),
        employer_id,
        region_code: region.into(),
        status: status.key().into(),
        registered_on: fx.today.to_string(),
        start_date: start.map(|d| d.to_string()),
        end_date: None,
        case_number: Some(fx.case.number.clone()),
        created_at: fx.now.clone(),
        updated_at: fx.now.clone(),
    }
}

/// 职工参保登记: every row checked (age, retirement age, one open coverage), lateness
/// recorded; one refusal fails the whole roster.
pub async fn enrol_employees(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let rows = fx
        .form()?
        .rows()
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let mut errors: Vec<(usize, RegistryError)> = Vec::new();
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
) -> Result<Result<Value, Vec<RegistryError>>, ServiceError> {
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
    // Employment makes employee insurance compulsory: an open resident coverage ends the day
    // before the employee coverage starts, as a dated event, rather than blocking the employer
    // (seed 003 城乡居民参保登记 服务对象「未参加城镇职工医疗保险」).
    let mut held_all = held(conn, person.id).await?;
    for (c, h) in held_all.iter_mut() {
        if h.scheme == Scheme::Resident && h.status.is_open() {
            let end = join.pred_opt().unwrap_or(join).max(
                c.start_date
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .unwrap_or(join),
            );
            let detail = json!({ "employer": employer.uscc }).to_string();
            store::change_coverage_status(
                conn,
                &StatusChange {
                    coverage_id: c.id,
                    from: &c.status,
                    to: CoverageStatus::Ended.key(),
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
            scheme: Scheme::Employee,
            category: "in_service",
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
        "employee_enrol",
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
    let mut errors: Vec<(usize, RegistryError)> = Vec::new();
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
) -> Result<Result<Value, Vec<RegistryError>>, ServiceError> {
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
            && c.category == "in_service"
            && h.status != CoverageStatus::Ended
    }) else {
        return Ok(Err(vec![not_employee(&number)]));
    };
    if let Some(start) = cov
        .start_date
        .as_deref()
        .filter(|s| *s > date.to_string().as_str())
    {
        return Ok(Err(vec![RegistryError::new(
            "registry.removal.before_start",
            format!("减员日期{date}早于该职工在本单位的参保开始日期{start}"),
            "",
        )]));
    }
    let detail = json!({ "reason": reason.label(), "employer": employer.uscc, "deadline": timing.deadline, "late_days": timing.late_days, "rule": timing.rule }).to_string();
    let change = StatusChange {
        coverage_id: cov.id,
        from: &cov.status,
        to: &cov.status,
        effective_on: &date.to_string(),
        reason: reason.label(),
        detail_json: &detail,
        case_number: Some(&fx.case.number),
        now: &fx.now,
    };
    if reason == RemovalReason::Retired {
        store::move_coverage(conn, &change, Some(employer.id), "retired").await?;
    } else {
        let from = CoverageStatus::from_key(&cov.status).unwrap_or(CoverageStatus::Active);
        let to = match next_status(from, CoverageChange::End) {
            Ok(to) => to,
            Err(e) => return Ok(Err(vec![e])),
        };
        store::change_coverage_status(
            conn,
            &StatusChange {
                to: to.key(),
                ..change
            },
        )
        .await?;
    }
    person_event(
        conn,
        fx,
        person.id,
        "employee_remove",
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

fn not_employee(number: &str) -> RegistryError {
    RegistryError::new(
        "registry.removal.not_employee",
        format!("证件号码{number}不是本单位在职参保人员"),
        "",
    )
}

/// The person a case is about: the applicant, or (for an employer's application) the person
/// the form names.
async fn subject_person(conn: &mut Conn, fx: &Effect<'_>) -> Result<PersonRow, ServiceError> {
    let form = fx.form()?;
    let number = if fx.case.applicant_kind == "employer" {
        form.text("id_number", "职工证件号码")
            .map_err(|e| ServiceError::from_domain_list(vec![e]))?
            .to_uppercase()
    } else {
        fx.case.applicant_ref.clone()
    };
    let person = store::find_person_by_number(conn, &number)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    if fx.case.applicant_kind == "employer" {
        let employer = applicant_employer(conn, fx).await?;
        let theirs = held(conn, person.id)
            .await?
            .iter()
            .any(|(c, h)| c.employer_id == Some(employer.id) && h.status.is_open());
        if !theirs {
            return Err(ServiceError::from_domain_list(vec![not_employee(&number)]));
        }
    }
    Ok(person)
}

/// 参保信息变更 / 电话号码变更: fields `new_<field>`; key information needs the proof material
/// on the case; a grade change (`new_grade`) follows its windows. Every old value is kept in
/// the person's history.
pub async fn change(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let person = subject_person(conn, fx).await?;
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
                    errors.push(RegistryError::new(
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
                    errors.push(RegistryError::new(
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
                    errors.push(RegistryError::new(
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
    if fx.op == super::Op::PhoneChange {
        changes.retain(|(f, _, _)| *f == "phone");
    }
    let grade = match form.get("new_grade") {
        Some(g) if fx.op == super::Op::EmployeeChange => Some(g.to_string()),
        Some(_) => {
            errors.push(RegistryError::new(
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
        "change",
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
fn table_row_as_change(mut form: Form, person: &PersonRow) -> Result<Form, RegistryError> {
    let (Some(item), Some(after)) = (form.get("change_item"), form.get("value_after")) else {
        return Ok(form);
    };
    let field = yibao_domain::registry::person_change::field_of_label(item)?;
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
            return Err(RegistryError::new(
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
    if super::key_proof_provided(conn, fx).await? {
        return Ok(());
    }
    Err(ServiceError::from_domain_list(vec![RegistryError::new(
        "registry.change.key_proof",
        "变更姓名、性别、证件号码、出生日期等关键信息须提供相应的证明材料",
        format!(
            "{} {} 办理条件",
            yibao_domain::registry::seed_of(fx.jurisdiction),
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
    let Some((cov, _)) = held(conn, person.id)
        .await?
        .into_iter()
        .find(|(c, h)| c.category == "flexible" && h.status == CoverageStatus::Active)
    else {
        return Err(ServiceError::from_domain_list(vec![RegistryError::new(
            "registry.grade.scheme",
            "只有以个人身份参加职工医保且正常参保的人员可以变更缴费档次",
            "seed 003 职工参保信息变更登记 办理条件2",
        )]));
    };
    let from = Grade::parse(&store::grade_of(conn, cov.id).await?).unwrap_or(Grade::Tier1);
    let g = check_grade_change(from, to, fx.form()?.yes("years_complete"), fx.today)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    let detail = json!({ "grade_from": from.label(), "grade_to": to.label(), "difference_due": g.difference_due }).to_string();
    store::set_grade(
        conn,
        &StatusChange {
            coverage_id: cov.id,
            from: &cov.status,
            to: &cov.status,
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

/// The applicant of a person's own case, as an identity (citizens apply with their ID number).
async fn applicant_identity(
    conn: &mut Conn,
    fx: &Effect<'_>,
) -> Result<(Identity, Option<PersonRow>), ServiceError> {
    let existing = store::find_person_by_number(conn, &fx.case.applicant_ref).await?;
    let kind = existing
        .as_ref()
        .map(|p| p.document_type.clone())
        .unwrap_or_else(|| {
            if fx.case.applicant_ref.starts_with("81")
                || fx.case.applicant_ref.starts_with("82")
                || fx.case.applicant_ref.starts_with("83")
            {
                "hmt_residence_permit".into()
            } else {
                "resident_id_card".into()
            }
        });
    let form = Form {
        fields: [
            ("document_type".to_string(), kind),
            ("id_number".to_string(), fx.case.applicant_ref.clone()),
            (
                "name".to_string(),
                existing
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| fx.case.applicant_name.clone()),
            ),
        ]
        .into_iter()
        .collect(),
        line: 0,
    };
    let who = identity_of(&form).map_err(ServiceError::from_domain_list)?;
    Ok((who, existing))
}

/// 以个人身份参加职工医保参保登记 (and 酉阳's 个人身份参（续）保, which also resumes a
/// suspended individual coverage).
pub async fn flexible_enrol(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let (who, existing) = applicant_identity(conn, fx).await?;
    if let Some(p) = &existing {
        let suspended = held(conn, p.id)
            .await?
            .into_iter()
            .any(|(c, h)| c.category == "flexible" && h.status == CoverageStatus::Suspended);
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
    let has_employer = held_now
        .iter()
        .any(|(c, h)| c.employer_id.is_some() && c.category == "in_service" && h.status.is_open());
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
            scheme: Scheme::Employee,
            category: "flexible",
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
            from: "active",
            to: "active",
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
        "flexible_enrol",
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
        .filter(|(c, _)| c.category == "flexible")
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
    Err(ServiceError::from_domain_list(vec![RegistryError::new(
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
            from: "active",
            to: to.key(),
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
        "flexible_suspend",
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
            from: "suspended",
            to: to.key(),
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
        "flexible_resume",
        json!({ "effective_on": fx.today }),
    )
    .await?;
    Ok(outcome(
        "enrolment.flexible_resume",
        "已办理续保，请按核定通知单缴纳医疗保险费".into(),
        json!({ "coverage_id": cov.id, "effective_on": fx.today }),
    ))
}

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
                yibao_domain::registry::documents::Origin::HongKongMacauTaiwan => {
                    ResidentCategory::HmtResident
                }
                yibao_domain::registry::documents::Origin::Foreign => {
                    ResidentCategory::ForeignPermanentResident
                }
                yibao_domain::registry::documents::Origin::Mainland => {
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
            scheme: Scheme::Resident,
            category: category.key(),
            employer_id: None,
            region: region.as_str(),
            status: CoverageStatus::Registered,
            start: Some(plan.starts_on),
        },
        fx,
    );
    let coverage_id = coverage::insert(conn, &c).await?;
    person_event(
        conn,
        fx,
        person.id,
        "resident_enrol",
        json!({ "category": category.label(), "plan": plan }),
    )
    .await?;
    Ok(outcome(
        "enrolment.resident_enrol",
        format!(
            "已办理城乡居民参保登记（{}，{}年度），请通过税务部门的缴费渠道缴纳城乡居民医保费；{}",
            category.label(),
            plan.coverage_year,
            plan.note
        ),
        json!({ "person_id": person.id, "coverage_id": coverage_id, "status": "registered", "plan": plan }),
    ))
}
