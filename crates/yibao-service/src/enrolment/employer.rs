//! Effects on employers: registration, changes, split, merger, whole transfer between
//! districts and deregistration. Every change is an employer event (before and after).

use serde_json::{json, Value};
use yibao_domain::enrolment::employer::{
    change_timing, check_arrears_cleared, check_deregistration, check_merger, key_changes,
    ArrearsGate, DeregistrationFacts, EmployerKind, EmployerStatus, EMPLOYER_FIELDS,
};
use yibao_domain::enrolment::{
    CoverageCategory, CoverageStatus, EnrolmentError, EnrolmentEvent, Jurisdiction,
};
use yibao_domain::staff::StaffRole;
use yibao_domain::{Fen, RegionCode, Uscc};
use yibao_store::enrolment::{self, EmployerRow};
use yibao_store::enrolment::{self as store, StatusChange};
use yibao_store::Conn;

use super::person::applicant_employer;
use super::{employer_event, outcome, person_event, Effect};
use crate::ServiceError;

fn refuse(e: EnrolmentError) -> ServiceError {
    ServiceError::from_domain_list(vec![e])
}

fn status_of(e: &EmployerRow) -> EmployerStatus {
    e.status
}

/// 单位参保登记: the applicant's 统一社会信用代码 becomes an employer of the case's region.
pub async fn register(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let uscc: Uscc = fx.case.applicant_ref.parse()?;
    if enrolment::find_employer_by_uscc(conn, uscc.as_str())
        .await?
        .is_some()
    {
        return Err(ServiceError::invalid(
            "registry.employer.exists",
            format!("统一社会信用代码{}已办理参保登记", uscc.as_str()),
        ));
    }
    let form = fx.form()?;
    let mut errors = Vec::new();
    let kind = form
        .text("kind", "单位类型")
        .and_then(EmployerKind::parse)
        .map_err(|e| errors.push(e))
        .ok();
    let legal = form
        .text("legal_representative", "法定代表人（负责人）")
        .map_err(|e| errors.push(e))
        .ok();
    let name = form
        .get("name")
        .unwrap_or(&fx.case.applicant_name)
        .to_string();
    let (Some(kind), Some(legal)) = (kind, legal) else {
        return Err(ServiceError::from_domain_list(errors));
    };
    let region = fx.region()?;
    let id = enrolment::insert_employer(
        conn,
        &enrolment::NewEmployer {
            uscc: &uscc,
            name: &name,
            kind: kind.key(),
            region_code: &region,
            legal_representative: legal,
            address: form.get("address").unwrap_or(""),
            phone: form.get("phone").unwrap_or(&fx.case.applicant_phone),
            contact_name: form.get("contact_name").unwrap_or(""),
            bank_name: form.get("bank_name").unwrap_or(""),
            bank_account: form.get("bank_account").unwrap_or(""),
            registered_on: &fx.today.to_string(),
        },
        &fx.now,
    )
    .await?;
    employer_event(
        conn,
        fx,
        id,
        EnrolmentEvent::Register,
        json!({ "kind": kind.label(), "region_code": region.as_str(), "name": name }),
    )
    .await?;
    Ok(outcome(
        "enrolment.employer_register",
        format!("{name}已办理单位参保登记（{}）", kind.label()),
        json!({ "employer_id": id, "uscc": uscc.as_str() }),
    ))
}

/// 单位参保信息变更: fields `new_<field>`; key information (USCC, name, legal representative,
/// kind) needs the proof material; lateness against 30 days of `changed_on` is recorded.
pub async fn change(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let form = fx.form()?;
    let mut changes = Vec::new();
    for (field, label, _) in EMPLOYER_FIELDS {
        let Some(new) = form.get(&format!("new_{field}")) else {
            continue;
        };
        let new = match field {
            "uscc" => new.parse::<Uscc>()?.as_str().to_string(),
            "kind" => EmployerKind::parse(new).map_err(refuse)?.key().to_string(),
            _ => new.to_string(),
        };
        let old = match field {
            "uscc" => &employer.uscc,
            "name" => &employer.name,
            "legal_representative" => &employer.legal_representative,
            "kind" => &employer.kind,
            "address" => &employer.address,
            "contact_name" => &employer.contact_name,
            "phone" => &employer.phone,
            "bank_name" => &employer.bank_name,
            _ => &employer.bank_account,
        };
        if &new != old {
            changes.push((field, label, old.clone(), new));
        }
    }
    if changes.is_empty() {
        return Err(ServiceError::invalid(
            "registry.change.nothing",
            "没有需要变更的信息",
        ));
    }
    let keys = key_changes(changes.iter().map(|(f, _, _, _)| *f)).map_err(refuse)?;
    if !keys.is_empty() && !super::key_proof_provided(conn, fx).await? {
        return Err(refuse(EnrolmentError::new(
            "registry.change.key_proof",
            format!("变更{}等关键信息须提供相应的证明材料", keys.join("、")),
            "seed 002 单位信息变更 申请材料(2)；seed 003 单位参保信息变更登记",
        )));
    }
    if let Some((_, _, _, new)) = changes.iter().find(|(f, _, _, _)| *f == "uscc") {
        if enrolment::find_employer_by_uscc(conn, new).await?.is_some() {
            return Err(ServiceError::invalid(
                "registry.employer.exists",
                format!("统一社会信用代码{new}已属于另一参保单位"),
            ));
        }
    }
    let timing = form
        .optional_date("changed_on", "变更登记（批准）日期")
        .map_err(refuse)?
        .map(|d| change_timing(d, fx.today));
    for (field, _, _, new) in &changes {
        store::set_employer_field(conn, employer.id, field, new, &fx.now).await?;
    }
    let listed: Vec<Value> = changes
        .iter()
        .map(|(f, l, old, new)| json!({ "field": f, "label": l, "from": old, "to": new }))
        .collect();
    employer_event(
        conn,
        fx,
        employer.id,
        EnrolmentEvent::Change,
        json!({ "changes": listed, "key_information": keys, "timing": timing }),
    )
    .await?;
    Ok(outcome(
        "enrolment.employer_change",
        format!(
            "已变更：{}{}",
            changes
                .iter()
                .map(|(_, l, _, _)| *l)
                .collect::<Vec<_>>()
                .join("、"),
            timing
                .as_ref()
                .and_then(|t| t.notice())
                .map(|n| format!("；{n}"))
                .unwrap_or_default()
        ),
        json!({ "employer_id": employer.id, "changes": listed }),
    ))
}

/// Moves every open coverage of `from` listed in `only` (all when None) to `to`.
async fn move_employees(
    conn: &mut Conn,
    fx: &Effect<'_>,
    from: &EmployerRow,
    to: &EmployerRow,
    only: Option<&[String]>,
    reason: &str,
) -> Result<Vec<String>, ServiceError> {
    let mut moved = Vec::new();
    for e in store::employees(conn, from.id, false).await? {
        if only.is_some_and(|list| !list.contains(&e.id_number)) {
            continue;
        }
        let detail = json!({ "from_employer": from.uscc, "to_employer": to.uscc }).to_string();
        store::move_coverage(
            conn,
            &StatusChange {
                coverage_id: e.coverage_id,
                from: e.status,
                to: e.status,
                effective_on: &fx.today.to_string(),
                reason,
                detail_json: &detail,
                case_number: Some(&fx.case.number),
                now: &fx.now,
            },
            Some(to.id),
            e.category,
        )
        .await?;
        person_event(
            conn,
            fx,
            e.person_id,
            EnrolmentEvent::EmployerMoved,
            json!({ "from": from.uscc, "to": to.uscc, "reason": reason }),
        )
        .await?;
        moved.push(e.id_number);
    }
    Ok(moved)
}

/// 单位分立: a new employer is registered from the applicant and takes the listed employees
/// (`employees`: ID numbers separated by commas or new lines).
/// What the employer owes: the contribution ledger's arrears plus what finance recorded as
/// reported by other systems (`record_arrears`).
async fn arrears_of(conn: &mut Conn, e: &EmployerRow) -> Result<Fen, ServiceError> {
    let ledger = yibao_store::contribution::employer_totals(conn, e.id, None).await?;
    Fen(e.arrears_fen)
        .checked_add(Fen(ledger.arrears_fen))
        .map_err(ServiceError::from_domain)
}

pub async fn split(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let original = applicant_employer(conn, fx).await?;
    check_arrears_cleared(ArrearsGate::Split, arrears_of(conn, &original).await?)
        .map_err(ServiceError::from_domain)?;
    let form = fx.form()?;
    let mut errors = Vec::new();
    let uscc = form
        .text("new_uscc", "新设单位统一社会信用代码")
        .map_err(|e| errors.push(e))
        .ok();
    let name = form
        .text("new_name", "新设单位名称")
        .map_err(|e| errors.push(e))
        .ok();
    let legal = form
        .text("new_legal_representative", "新设单位法定代表人")
        .map_err(|e| errors.push(e))
        .ok();
    let kind = EmployerKind::parse(form.get("new_kind").unwrap_or(&original.kind))
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(uscc), Some(name), Some(legal), Some(kind)) = (uscc, name, legal, kind) else {
        return Err(ServiceError::from_domain_list(errors));
    };
    let uscc: Uscc = uscc.parse()?;
    if enrolment::find_employer_by_uscc(conn, uscc.as_str())
        .await?
        .is_some()
    {
        return Err(ServiceError::invalid(
            "registry.employer.exists",
            format!("统一社会信用代码{}已办理参保登记", uscc.as_str()),
        ));
    }
    let listed: Vec<String> = form
        .get("employees")
        .unwrap_or("")
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.to_uppercase())
        .collect();
    let current = store::employees(conn, original.id, false).await?;
    let unknown: Vec<EnrolmentError> = listed
        .iter()
        .filter(|n| !current.iter().any(|e| &e.id_number == *n))
        .map(|n| {
            EnrolmentError::new(
                "registry.removal.not_employee",
                format!("证件号码{n}不是本单位参保人员"),
                "",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ServiceError::from_domain_list(unknown));
    }
    let region: RegionCode = original.region_code.parse()?;
    let id = enrolment::insert_employer(
        conn,
        &enrolment::NewEmployer {
            uscc: &uscc,
            name,
            kind: kind.key(),
            region_code: &region,
            legal_representative: legal,
            address: form.get("new_address").unwrap_or(""),
            phone: form.get("new_phone").unwrap_or(""),
            contact_name: "",
            bank_name: "",
            bank_account: "",
            registered_on: &fx.today.to_string(),
        },
        &fx.now,
    )
    .await?;
    let new = enrolment::find_employer(conn, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "新设单位登记失败"))?;
    let moved = if listed.is_empty() {
        Vec::new()
    } else {
        move_employees(conn, fx, &original, &new, Some(&listed), "单位分立").await?
    };
    employer_event(
        conn,
        fx,
        new.id,
        EnrolmentEvent::Register,
        json!({ "split_from": original.uscc, "employees": moved.len() }),
    )
    .await?;
    employer_event(
        conn,
        fx,
        original.id,
        EnrolmentEvent::Split,
        json!({ "new_employer": new.uscc, "employees_moved": moved }),
    )
    .await?;
    Ok(outcome(
        "enrolment.employer_split",
        format!("已分立新设单位{}，转入{}名职工", new.name, moved.len()),
        json!({ "new_employer_id": new.id, "moved": moved }),
    ))
}

/// 单位合并 / 兼并: the applicant survives and takes every employee (and retiree) of the
/// absorbed employers (`absorbed_uscc`, separated by commas), which are deregistered here.
pub async fn merge(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let surviving = applicant_employer(conn, fx).await?;
    let form = fx.form()?;
    let mut absorbed = Vec::new();
    for raw in form
        .get("absorbed_uscc")
        .unwrap_or("")
        .split([',', '，', ' ', '\n'])
        .filter(|s| !s.trim().is_empty())
    {
        let uscc: Uscc = raw.trim().parse()?;
        let e = enrolment::find_employer_by_uscc(conn, uscc.as_str())
            .await?
            .ok_or_else(|| {
                ServiceError::not_found(
                    "employer.not_found",
                    format!("被合并单位{}未参保登记", uscc.as_str()),
                )
            })?;
        absorbed.push(e);
    }
    let mut owed = Vec::new();
    for e in &absorbed {
        owed.push(arrears_of(conn, e).await?);
    }
    let facts: Vec<(&str, EmployerStatus, Fen)> = absorbed
        .iter()
        .zip(owed)
        .map(|(e, owed)| (e.uscc.as_str(), status_of(e), owed))
        .collect();
    check_merger((&surviving.uscc, status_of(&surviving)), &facts)
        .map_err(ServiceError::from_domain_list)?;
    let mut moved = 0;
    for e in &absorbed {
        moved += move_employees(conn, fx, e, &surviving, None, "单位合并")
            .await?
            .len();
        store::deregister_employer(conn, e.id, &fx.today.to_string(), &fx.now).await?;
        employer_event(
            conn,
            fx,
            e.id,
            EnrolmentEvent::Deregister,
            json!({ "reason": "合并（兼并）", "merged_into": surviving.uscc }),
        )
        .await?;
    }
    employer_event(conn, fx, surviving.id, EnrolmentEvent::Merge, json!({ "absorbed": absorbed.iter().map(|e| &e.uscc).collect::<Vec<_>>(), "employees_moved": moved })).await?;
    Ok(outcome(
        "enrolment.employer_merge",
        format!(
            "已办理合并：{}家单位并入，转入{moved}名参保人员，被合并单位已注销",
            absorbed.len()
        ),
        json!({ "surviving": surviving.uscc, "moved": moved }),
    ))
}

/// 单位整体转入转出 (seed 003): first the transfer-out at the old district (`direction` =
/// 转出, `to_region`), then the transfer-in at the new one (`direction` = 转入), which moves
/// the employer and its employees' coverages to the new region.
pub async fn relocate(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let form = fx.form()?;
    let direction = form
        .text("direction", "转移方向（转出/转入）")
        .map_err(refuse)?;
    let events = store::events(conn, store::Subject::Employer, employer.id).await?;
    let pending = events
        .iter()
        .rev()
        .find(|e| e.action == EnrolmentEvent::TransferOut || e.action == EnrolmentEvent::TransferIn)
        .filter(|e| e.action == EnrolmentEvent::TransferOut)
        .and_then(|e| serde_json::from_str::<Value>(&e.detail_json).ok())
        .and_then(|d| d["to_region"].as_str().map(str::to_string));
    match direction {
        "转出" | "out" => {
            check_arrears_cleared(ArrearsGate::TransferOut, arrears_of(conn, &employer).await?)
                .map_err(ServiceError::from_domain)?;
            let to: RegionCode = form
                .text("to_region", "转入地区划代码")
                .map_err(refuse)?
                .parse()?;
            if to.as_str() == employer.region_code {
                return Err(ServiceError::invalid(
                    "registry.relocate.same_region",
                    "转入地与现参保地相同",
                ));
            }
            if let Some(p) = pending {
                return Err(ServiceError::invalid(
                    "registry.relocate.pending",
                    format!("该单位已办理转出（转入地{p}），请到转入地办理转入"),
                ));
            }
            employer_event(
                conn,
                fx,
                employer.id,
                EnrolmentEvent::TransferOut,
                json!({ "from_region": employer.region_code, "to_region": to.as_str() }),
            )
            .await?;
            Ok(outcome(
                "enrolment.employer_relocate",
                format!(
                    "已办理整体转出，请到转入地（{}）医保经办机构办理转入",
                    to.as_str()
                ),
                json!({ "employer_id": employer.id, "to_region": to.as_str(), "step": "out" }),
            ))
        }
        "转入" | "in" => {
            let region = fx.region()?;
            let Some(to) = pending.filter(|p| p == region.as_str()) else {
                return Err(refuse(EnrolmentError::new(
                    "registry.relocate.no_transfer_out",
                    format!(
                        "该单位未在原参保地办理转出到{}的手续，请先办理转出",
                        region.as_str()
                    ),
                    "seed 003 单位整体转入转出 办理流程「转出地办理、转入地受理」",
                )));
            };
            store::set_employer_field(conn, employer.id, "region_code", &to, &fx.now).await?;
            let mut moved = 0;
            for e in store::employees(conn, employer.id, false).await? {
                let detail =
                    json!({ "from_region": employer.region_code, "to_region": to }).to_string();
                store::move_coverage_region(
                    conn,
                    e.coverage_id,
                    &to,
                    &StatusChange {
                        coverage_id: e.coverage_id,
                        from: e.status,
                        to: e.status,
                        effective_on: &fx.today.to_string(),
                        reason: "单位整体转移",
                        detail_json: &detail,
                        case_number: Some(&fx.case.number),
                        now: &fx.now,
                    },
                )
                .await?;
                store::set_person_field(conn, e.person_id, "region_code", &to, &fx.now).await?;
                moved += 1;
            }
            employer_event(conn, fx, employer.id, EnrolmentEvent::TransferIn, json!({ "from_region": employer.region_code, "to_region": to, "coverages_moved": moved })).await?;
            Ok(outcome(
                "enrolment.employer_relocate",
                format!("已办理整体转入，{moved}名参保人员随单位转入"),
                json!({ "employer_id": employer.id, "region_code": to, "step": "in", "moved": moved }),
            ))
        }
        other => Err(ServiceError::invalid(
            "registry.relocate.direction",
            format!("转移方向应为“转出”或“转入”，填写的是“{other}”"),
        )),
    }
}

/// 单位注销: no arrears, no in-service employee left (Chongqing guides), retirees moved to the
/// region's virtual employer, within 30 days of the termination (lateness recorded).
pub async fn deregister(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let employer = applicant_employer(conn, fx).await?;
    let terminated_on = fx
        .form()?
        .date("terminated_on", "注销（终止）日期")
        .map_err(refuse)?;
    let employees = store::employees(conn, employer.id, false).await?;
    let in_service = employees
        .iter()
        .filter(|e| e.category == CoverageCategory::InService)
        .count() as u32;
    let timing = check_deregistration(&DeregistrationFacts {
        jurisdiction: fx.jurisdiction,
        status: status_of(&employer),
        arrears: arrears_of(conn, &employer).await?,
        active_employees: in_service,
        terminated_on,
        today: fx.today,
    })
    .map_err(ServiceError::from_domain_list)?;
    // Sichuan (seed 001) does not bar remaining employees: they leave with the employer.
    let mut ended = 0;
    if fx.jurisdiction == Jurisdiction::Sichuan {
        for e in employees
            .iter()
            .filter(|e| e.category == CoverageCategory::InService)
        {
            store::change_coverage_status(
                conn,
                &StatusChange {
                    coverage_id: e.coverage_id,
                    from: e.status,
                    to: CoverageStatus::Ended,
                    effective_on: &terminated_on.to_string(),
                    reason: "单位注销",
                    detail_json: "{}",
                    case_number: Some(&fx.case.number),
                    now: &fx.now,
                },
            )
            .await?;
            ended += 1;
        }
    }
    let virtual_employer = store::virtual_employer(conn, &employer.region_code, &fx.now).await?;
    let only: Vec<String> = employees
        .iter()
        .filter(|e| e.category == CoverageCategory::Retired)
        .map(|e| e.id_number.clone())
        .collect();
    let retirees = move_employees(
        conn,
        fx,
        &employer,
        &virtual_employer,
        Some(&only),
        "单位注销，退休人员转入虚拟户",
    )
    .await?;
    store::deregister_employer(conn, employer.id, &terminated_on.to_string(), &fx.now).await?;
    employer_event(conn, fx, employer.id, EnrolmentEvent::Deregister, json!({ "terminated_on": terminated_on, "retirees_to_virtual": retirees.len(), "employees_ended": ended, "timing": timing })).await?;
    Ok(outcome(
        "enrolment.employer_deregister",
        format!(
            "单位已注销；{}名退休人员转入虚拟户{}",
            retirees.len(),
            timing
                .notice()
                .map(|n| format!("；{n}"))
                .unwrap_or_default()
        ),
        json!({ "employer_id": employer.id, "retirees_moved": retirees, "late_days": timing.late_days }),
    ))
}

/// Arrears (欠费) as the tax authority reports them, recorded by the agency's finance staff;
/// deregistration and merger refuse while any remain (seed 003 单位注销 办理条件2).
pub async fn record_arrears(
    services: &crate::Services,
    actor: &crate::identity::Actor,
    employer_id: i64,
    arrears: Fen,
    note: &str,
) -> Result<EmployerRow, ServiceError> {
    let staff = actor.staff()?;
    staff.require(StaffRole::Finance)?;
    if arrears.0 < 0 {
        return Err(ServiceError::invalid(
            "registry.arrears.negative",
            "欠费金额不能为负数",
        ));
    }
    if note.trim().is_empty() {
        return Err(ServiceError::invalid(
            "registry.arrears.note",
            "请注明欠费信息的来源（如税务部门核定通知）",
        ));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let e = enrolment::find_employer(&mut tx, employer_id)
        .await?
        .filter(|e| staff.serves(&e.region_code))
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在或无权查看"))?;
    store::set_arrears(&mut tx, e.id, arrears.0, &now).await?;
    let detail =
        json!({ "from_fen": e.arrears_fen, "to_fen": arrears.0, "note": note.trim() }).to_string();
    store::add_event(
        &mut tx,
        store::Subject::Employer,
        e.id,
        &store::NewEvent {
            at: &now,
            action: EnrolmentEvent::Arrears,
            detail_json: &detail,
            case_number: None,
            actor_label: &actor.label(),
        },
    )
    .await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "employer.arrears",
        "employer",
        &e.uscc,
        Some(&json!({ "arrears_fen": e.arrears_fen })),
        Some(&json!({ "arrears_fen": arrears.0, "note": note.trim() })),
        &format!("登记单位 {} 欠费 {} 元", e.name, arrears),
    )
    .await?;
    let e = enrolment::find_employer(&mut tx, e.id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在"))?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(e)
}
