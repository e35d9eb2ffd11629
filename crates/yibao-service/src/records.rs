//! Reading the registry's records under the access rules (DESIGN §9): citizens their own,
//! employer operators their employer, staff their agency's area, auditors read-only everywhere
//! in their agency's area. Lists are masked; a record's own page shows full values.

use serde::Serialize;
use yibao_domain::ids::{mask_id_number, mask_name, mask_phone};
use yibao_store::enrolment;
pub use yibao_store::enrolment::{EmployerRow, PersonRow};

use crate::identity::{forbidden, Actor};
use crate::paging::{Paged, Span};
use crate::{ServiceError, Services};

/// One line of a person list: identifiers masked.
#[derive(Debug, Clone, Serialize)]
pub struct PersonListItem {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub region_code: String,
    pub phone: String,
}

impl PersonListItem {
    fn masked(p: &PersonRow) -> PersonListItem {
        PersonListItem {
            id: p.id,
            id_number: mask_id_number(&p.id_number),
            name: mask_name(&p.name),
            sex: p.sex.clone(),
            region_code: p.region_code.clone(),
            phone: mask_phone(&p.phone),
        }
    }
}

pub fn may_see_person(actor: &Actor, p: &PersonRow) -> Result<(), ServiceError> {
    let ok = match actor {
        Actor::Citizen(c) => c.id_number == p.id_number,
        Actor::Staff(s) => s.serves(&p.region_code),
        Actor::Anonymous => {
            return Err(crate::identity::unauthenticated(
                "auth.required",
                "请先登录",
            ))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        // Same answer as a missing record: guessing identifiers must not reveal who exists.
        Err(ServiceError::not_found(
            "person.not_found",
            "参保人员不存在或无权查看",
        ))
    }
}

pub fn may_see_employer(actor: &Actor, e: &EmployerRow) -> Result<(), ServiceError> {
    let ok = match actor {
        Actor::Employer(op) => op.employer_id == e.id,
        Actor::Staff(s) => s.serves(&e.region_code),
        Actor::Anonymous => {
            return Err(crate::identity::unauthenticated(
                "auth.required",
                "请先登录",
            ))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ServiceError::not_found(
            "employer.not_found",
            "参保单位不存在或无权查看",
        ))
    }
}

/// Persons in the staff member's area, masked.
/// The persons of the staff member's region whose name or ID number contains `text`, a page
/// of them (numbers masked).
pub async fn list_persons(
    services: &Services,
    actor: &Actor,
    text: &str,
    span: Span,
) -> Result<Paged<PersonListItem>, ServiceError> {
    let staff = actor.staff()?;
    let mut tx = services.store().begin_read().await?;
    let found = enrolment::search_persons(
        &mut tx,
        staff.agency_region.contained_prefix(),
        text,
        span.window(),
    )
    .await?;
    Ok(Paged::new(
        found.rows.iter().map(PersonListItem::masked).collect(),
        span,
        found.total,
    ))
}

pub async fn person(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<PersonRow, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let p = enrolment::find_person_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    may_see_person(actor, &p)?;
    Ok(p)
}

/// The logged-in citizen's own person record, if they are enrolled.
pub async fn my_person(
    services: &Services,
    actor: &Actor,
) -> Result<Option<PersonRow>, ServiceError> {
    let c = actor.citizen()?;
    let id = c.id_number.parse()?;
    let mut tx = services.store().begin_read().await?;
    Ok(enrolment::find_person(&mut tx, &id).await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct EmployerListItem {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub phone: String,
}

/// The employers of the staff member's region whose name or USCC contains `text`, a page.
pub async fn list_employers(
    services: &Services,
    actor: &Actor,
    text: &str,
    span: Span,
) -> Result<Paged<EmployerListItem>, ServiceError> {
    let staff = actor.staff()?;
    let mut tx = services.store().begin_read().await?;
    let found = enrolment::search_employers(
        &mut tx,
        staff.agency_region.contained_prefix(),
        text,
        span.window(),
    )
    .await?;
    Ok(Paged::new(
        found
            .rows
            .into_iter()
            .map(|e| EmployerListItem {
                id: e.id,
                uscc: e.uscc,
                name: e.name,
                kind: e.kind,
                region_code: e.region_code,
                phone: mask_phone(&e.phone),
            })
            .collect(),
        span,
        found.total,
    ))
}

pub async fn employer(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<EmployerRow, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let e = enrolment::find_employer(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在或无权查看"))?;
    may_see_employer(actor, &e)?;
    Ok(e)
}

/// Institutions may not read registry records at all; kept explicit for the access matrix.
pub fn deny_institution(actor: &Actor) -> Result<(), ServiceError> {
    if matches!(actor, Actor::Institution(_)) {
        return Err(forbidden(
            "auth.forbidden",
            "定点医药机构不能查阅参保登记信息",
        ));
    }
    Ok(())
}
