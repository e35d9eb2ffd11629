//! Effects on insured persons: employees enrolled and removed by their employer (one or a
//! roster), individuals in the employee scheme (enrol, suspend, resume, grade), residents, and
//! changes of a person's record.
//!
//! One file per way a person comes in: `employee` (a unit's 增员/减员), `flexible` (individuals,
//! 灵活就业), `resident` (城乡居民), and `changes` to a person's information; here what they share.

mod changes;
mod employee;
mod flexible;
mod resident;

pub use changes::change;
pub use employee::{enrol_employees, remove_employees};
pub use flexible::{flexible_enrol, flexible_resume, flexible_suspend};
pub use resident::resident_enrol;

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::enrolment::coverage::{
    check_no_double_coverage, next_status, CoverageChange, HeldCoverage,
};
use yibao_domain::enrolment::employee::{
    check_employee_enrolment, check_removal, EmployeeEnrolment, RemovalReason,
};
use yibao_domain::enrolment::flexible::{
    check_flexible_enrolment, check_grade_change, FlexibleApplicant, Grade,
};
use yibao_domain::enrolment::person_change::{
    check_change_scheme, label_of, touches_key_information, PERSON_FIELDS,
};
use yibao_domain::enrolment::resident::{
    check_resident_category, resident_enrolment_plan, ResidentApplicant, ResidentCategory,
    ResidentTiming,
};
use yibao_domain::enrolment::retirement::RetirementCategory;
use yibao_domain::enrolment::{
    CoverageCategory, CoverageStatus, DocumentType, EnrolmentError, EnrolmentEvent,
    IdentityDocument, Jurisdiction, Scheme,
};
use yibao_domain::ids::Sex;
use yibao_store::coverage::{self, CoverageRow};
use yibao_store::enrolment::{self, EmployerRow, PersonRow};
use yibao_store::enrolment::{self as store, StatusChange};
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

pub fn identity_of(row: &Form) -> Result<Identity, Vec<EnrolmentError>> {
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
                    errors.push(EnrolmentError::new(
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
) -> Result<PersonRow, EnrolmentError> {
    let found = store::find_person_by_number(conn, &who.doc.number)
        .await
        .map_err(store_err)?;
    if let Some(p) = found {
        if p.name != who.name {
            return Err(EnrolmentError::new(
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
            EnrolmentEvent::Register,
            &json!({ "document_type": who.doc.kind.label(), "region_code": region }).to_string(),
        ),
    )
    .await
    .map_err(store_err)?;
    enrolment::find_person_by_id(conn, id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| EnrolmentError::new("registry.person.missing", "参保人员登记失败", ""))
}

fn store_err(e: yibao_store::StoreError) -> EnrolmentError {
    EnrolmentError::new("store.error", format!("数据库错误：{e}"), "")
}

pub async fn held(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<(CoverageRow, HeldCoverage)>, ServiceError> {
    Ok(coverage::list_for_person(conn, person_id)
        .await?
        .into_iter()
        .map(|c| {
            let h = HeldCoverage {
                scheme: c.scheme,
                status: c.status,
            };
            (c, h)
        })
        .collect())
}

/// The employer that applied (the case's applicant).
pub async fn applicant_employer(
    conn: &mut Conn,
    fx: &Effect<'_>,
) -> Result<EmployerRow, ServiceError> {
    if fx.case.applicant_kind != yibao_domain::case::ApplicantType::Employer {
        return Err(ServiceError::invalid(
            "registry.employer_applicant",
            format!("事项“{}”由参保单位申请", fx.item.name),
        ));
    }
    let e = enrolment::find_employer_by_uscc(conn, &fx.case.applicant_ref)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "申请单位尚未办理参保登记"))?;
    if e.status != yibao_domain::enrolment::employer::EmployerStatus::Active {
        return Err(ServiceError::invalid(
            "registry.employer.deregistered",
            "申请单位已注销",
        ));
    }
    Ok(e)
}

/// A coverage being opened: in which scheme and category, with which employer, where.
struct Opening<'a> {
    /// Decides the scheme too.
    category: CoverageCategory,
    employer_id: Option<i64>,
    region: &'a str,
    status: CoverageStatus,
    start: Option<NaiveDate>,
}

fn new_coverage(person_id: i64, o: Opening<'_>, fx: &Effect<'_>) -> CoverageRow {
    let Opening {
        category,
        employer_id,
        region,
        status,
        start,
    } = o;
    CoverageRow {
        id: 0,
        person_id,
        scheme: category.scheme(),
        category,
        employer_id,
        region_code: region.into(),
        status,
        registered_on: fx.today.to_string(),
        start_date: start.map(|d| d.to_string()),
        end_date: None,
        case_number: Some(fx.case.number.clone()),
        created_at: fx.now.clone(),
        updated_at: fx.now.clone(),
    }
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
