//! The registry's use cases (参保登记): the effects of the enrolment family of catalog items,
//! run by the case engine when a case completes, and the reads of records and certificates.
//!
//! Every effect re-checks its rules inside the completing transaction, so a roster that was
//! valid when uploaded but no longer is (someone enrolled elsewhere meanwhile) fails whole:
//! nothing is half-imported.

pub mod bulk;
pub mod employer;
pub mod form;
#[cfg(test)]
mod fuzz;
pub mod person;
pub mod records;
pub mod roster;

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::catalog::{Catalog, Item, Service};
use yibao_domain::enrolment::{EnrolmentError, EnrolmentEvent, Jurisdiction};
use yibao_domain::RegionCode;
use yibao_store::cases::CaseRow;
use yibao_store::enrolment::{self as store, NewEvent};
use yibao_store::Conn;

use crate::ServiceError;

/// The registry effects (the enrolment family's services, bound in `crate::effects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    EmployerRegister,
    EmployerChange,
    EmployerSplit,
    EmployerMerge,
    EmployerRelocate,
    EmployerDeregister,
    EmployerRecordQuery,
    EmployeeEnrol,
    EmployeeRemove,
    EmployeeChange,
    FlexibleEnrol,
    FlexibleSuspend,
    FlexibleResume,
    ResidentEnrol,
    ResidentChange,
    PhoneChange,
    PersonRecordQuery,
}

impl Op {
    /// The form (`data/forms/<id>.toml`) holding the effect's inputs, when the item's guide
    /// names none of its own; `None` for an effect that reads nothing but the applicant.
    pub fn form_id(self) -> Option<&'static str> {
        Some(match self {
            Op::EmployerRegister => "enrolment-employer-register",
            Op::EmployerChange => "enrolment-employer-change",
            Op::EmployerSplit => "enrolment-employer-split",
            Op::EmployerMerge => "enrolment-employer-merge",
            Op::EmployerRelocate => "enrolment-employer-relocate",
            Op::EmployerDeregister => "enrolment-employer-deregister",
            Op::EmployeeEnrol => "enrolment-employee-enrol",
            Op::EmployeeRemove => "enrolment-employee-remove",
            Op::EmployeeChange => "enrolment-employee-change",
            Op::FlexibleEnrol => "enrolment-flexible-enrol",
            Op::FlexibleSuspend => "enrolment-flexible-suspend",
            Op::ResidentEnrol => "enrolment-resident-enrol",
            Op::ResidentChange => "enrolment-resident-change",
            Op::PhoneChange => "enrolment-phone-change",
            Op::EmployerRecordQuery | Op::PersonRecordQuery | Op::FlexibleResume => return None,
        })
    }
}

/// What completing a case needs to know beyond the case itself.
pub struct Effect<'a> {
    pub case: &'a CaseRow,
    pub item: &'a Item,
    pub op: Op,
    pub jurisdiction: Jurisdiction,
    pub today: NaiveDate,
    pub now: String,
    pub actor_label: String,
}

impl Effect<'_> {
    pub fn form(&self) -> Result<form::Form, ServiceError> {
        form::Form::of_case(self.case)
    }

    pub fn event<'b>(&'b self, action: EnrolmentEvent, detail: &'b str) -> NewEvent<'b> {
        NewEvent {
            at: &self.now,
            action,
            detail_json: detail,
            case_number: Some(&self.case.number),
            actor_label: &self.actor_label,
        }
    }

    /// The case's insured region (recorded on its facts when it was opened).
    pub fn region(&self) -> Result<RegionCode, ServiceError> {
        crate::effects::case_region(self.case)
    }

    pub fn facts(&self) -> Result<std::collections::BTreeSet<String>, ServiceError> {
        crate::cases::facts_of_case(self.case)
    }
}

/// Runs the effect of a registry service.
pub async fn apply(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    match fx.op {
        Op::EmployerRegister => employer::register(conn, fx).await,
        Op::EmployerChange => employer::change(conn, fx).await,
        Op::EmployerSplit => employer::split(conn, fx).await,
        Op::EmployerMerge => employer::merge(conn, fx).await,
        Op::EmployerRelocate => employer::relocate(conn, fx).await,
        Op::EmployerDeregister => employer::deregister(conn, fx).await,
        Op::EmployerRecordQuery => records::employer_query_effect(conn, fx).await,
        Op::EmployeeEnrol => person::enrol_employees(conn, fx).await,
        Op::EmployeeRemove => person::remove_employees(conn, fx).await,
        Op::EmployeeChange | Op::ResidentChange | Op::PhoneChange => person::change(conn, fx).await,
        Op::FlexibleEnrol => person::flexible_enrol(conn, fx).await,
        Op::FlexibleSuspend => person::flexible_suspend(conn, fx).await,
        Op::FlexibleResume => person::flexible_resume(conn, fx).await,
        Op::ResidentEnrol => person::resident_enrol(conn, fx).await,
        Op::PersonRecordQuery => records::person_query_effect(conn, fx).await,
    }
}

/// The guide whose substantive rules decide a case: its item's, except that a 川渝通办 case
/// (seed 000) follows the insured place's province (SEED-NOTES §2: 「the 000 timing, the insured
/// place's substantive rules」).
pub fn jurisdiction_of(item: &Item, insured: &RegionCode) -> Result<Jurisdiction, ServiceError> {
    match Jurisdiction::from_key(&item.jurisdiction) {
        Some(Jurisdiction::Chuanyu) if insured.province_prefix() == "51" => {
            Ok(Jurisdiction::Sichuan)
        }
        Some(Jurisdiction::Chuanyu) => Ok(Jurisdiction::Chongqing),
        Some(j) => Ok(j),
        None => Err(ServiceError::invalid(
            "registry.jurisdiction",
            "该辖区的参保登记规则尚未配置",
        )),
    }
}

/// The item of `service` that serves `region` today through `channel`: the most specific guide
/// that offers it (a district's own before the municipality's, whose online platform serves
/// every district).
pub fn item_for<'a>(
    catalog: &'a Catalog,
    service: Service,
    region: &RegionCode,
    channel: yibao_domain::catalog::ChannelKind,
    today: NaiveDate,
) -> Option<&'a Item> {
    catalog
        .jurisdictions
        .iter()
        .filter(|j| j.key != "chuanyu")
        .filter_map(|j| {
            let depth = j
                .region_codes
                .iter()
                .filter_map(|c| c.parse::<RegionCode>().ok())
                .filter(|r| r.contains(region))
                .map(|r| r.as_str().trim_end_matches('0').len())
                .max()?;
            let item = catalog.items_in(&j.key).find(|i| {
                i.service == service
                    && i.in_force_on(today)
                    && i.channels.iter().any(|c| c.kind == channel)
            })?;
            Some((depth, item))
        })
        .max_by_key(|(depth, _)| *depth)
        .map(|(_, item)| item)
}

/// Refusals of several rows at once, each prefixed with its row number.
pub fn rows_failed(errors: Vec<(usize, EnrolmentError)>) -> ServiceError {
    let lines: Vec<usize> = errors.iter().map(|(line, _)| *line).collect();
    let list: Vec<EnrolmentError> = errors
        .into_iter()
        .map(|(line, e)| {
            if line == 0 {
                e
            } else {
                EnrolmentError {
                    code: e.code,
                    message: format!("第{line}行：{}", e.message),
                }
            }
        })
        .collect();
    // Each refusal also carries its row number, for a roster's list of problems.
    let mut err = ServiceError::from_domain_list(list);
    if let ServiceError::Rule {
        details: Some(d), ..
    } = &mut err
    {
        if let Some(items) = d.get_mut("errors").and_then(Value::as_array_mut) {
            for (item, line) in items.iter_mut().zip(lines) {
                item["line"] = json!(line);
            }
        }
    }
    err
}

/// Whether the case holds the item's proof for a change of key information (a material the
/// guide lists for `key_info_change`); true when the item lists none.
pub(crate) async fn key_proof_provided(
    conn: &mut Conn,
    fx: &Effect<'_>,
) -> Result<bool, ServiceError> {
    let proofs: Vec<&str> = fx
        .item
        .materials
        .iter()
        .filter(|m| m.applies_to.as_deref() == Some("key_info_change"))
        .map(|m| m.id.as_str())
        .collect();
    if proofs.is_empty() {
        return Ok(true);
    }
    let provided = yibao_store::cases::materials(conn, &fx.case.key()).await?;
    Ok(provided
        .iter()
        .any(|m| proofs.contains(&m.material_id.as_str())))
}

pub(crate) fn detail(v: Value) -> String {
    v.to_string()
}

pub(crate) async fn person_event(
    conn: &mut Conn,
    fx: &Effect<'_>,
    person_id: i64,
    action: EnrolmentEvent,
    detail_v: Value,
) -> Result<(), ServiceError> {
    let d = detail(detail_v);
    store::add_event(
        conn,
        store::Subject::Person,
        person_id,
        &fx.event(action, &d),
    )
    .await?;
    Ok(())
}

pub(crate) async fn employer_event(
    conn: &mut Conn,
    fx: &Effect<'_>,
    employer_id: i64,
    action: EnrolmentEvent,
    detail_v: Value,
) -> Result<(), ServiceError> {
    let d = detail(detail_v);
    store::add_event(
        conn,
        store::Subject::Employer,
        employer_id,
        &fx.event(action, &d),
    )
    .await?;
    Ok(())
}

pub(crate) fn outcome(effect: &str, text: String, extra: Value) -> Value {
    let mut v = json!({ "effect": effect, "text": text });
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    v
}
