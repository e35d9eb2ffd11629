//! Opening a case: online by the applicant, or at the window by a clerk for the person in front
//! of them. The item must be in force, offer the channel, and have its effect built.

use std::collections::BTreeMap;
use yibao_domain::staff::StaffRole;

use serde::Deserialize;
use serde_json::json;
use yibao_domain::case::{ApplicantType, CaseNumber, CaseStatus};
use yibao_domain::catalog::{ChannelKind, Service};
use yibao_domain::{CitizenId, RegionCode};
use yibao_store::cases::{self as store, CaseFacts, CaseRow, EventRow, NewMaterial};
use yibao_store::json_text::JsonText;
use yibao_store::{enrolment, StoreError};

use super::{agency_for, forwarding};
use crate::identity::{forbidden, sha256_hex, Actor};
use crate::{audit, effects, ServiceError, Services};

/// The person a clerk applies for at the window.
#[derive(Debug, Clone, Deserialize)]
pub struct ApplicantInput {
    #[serde(default)]
    pub id_number: String,
    /// An employer applicant's 统一社会信用代码 (then `name` is the employer's name).
    #[serde(default)]
    pub uscc: Option<String>,
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApplyInput {
    pub jurisdiction: String,
    /// The item's id or one of its codes.
    pub item: String,
    /// window, online, app, phone … (must be one the item lists).
    pub channel: String,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Catalog predicates true of the applicant (proxy, non_local_hukou, key_info_change …).
    #[serde(default)]
    pub facts: Vec<String>,
    /// Required when a clerk applies at the window.
    #[serde(default)]
    pub applicant: Option<ApplicantInput>,
    /// The agent of a proxy application (代办人): name and ID number.
    #[serde(default)]
    pub agent: Option<ApplicantInput>,
}

/// The channels through which a case of `item` is opened here: applicants apply online or in
/// an app; staff enter what reaches them at the window, by phone or by mail. Empty when the
/// guide offers none to them (e.g. seeds 002 and 004 list the agency's window only): the
/// applicant is sent to the window instead of a form that cannot be submitted.
pub fn channels_for(item: &yibao_domain::catalog::Item, staff: bool) -> Vec<ChannelKind> {
    let mut out: Vec<ChannelKind> = Vec::new();
    for c in &item.channels {
        let online = matches!(c.kind, ChannelKind::Online | ChannelKind::App);
        if online != staff && !out.contains(&c.kind) {
            out.push(c.kind);
        }
    }
    out
}

pub async fn apply(
    services: &Services,
    actor: &Actor,
    input: &ApplyInput,
) -> Result<CaseRow, ServiceError> {
    let catalog = services.catalog();
    let today = services.clock().today();
    let item = catalog
        .find(&input.jurisdiction, &input.item, Some(today))
        .ok_or_else(|| {
            ServiceError::not_found(
                "catalog.item_not_found",
                format!(
                    "没有找到现行有效的事项 {}/{}",
                    input.jurisdiction, input.item
                ),
            )
        })?;
    let binding = effects::bound(item)?;
    let channel = ChannelKind::from_key(&input.channel).ok_or_else(|| {
        ServiceError::invalid(
            "case.channel_unknown",
            "办理渠道应为 window、online、app、phone 等",
        )
    })?;
    if !item.channels.iter().any(|c| c.kind == channel) {
        return Err(ServiceError::invalid(
            "case.channel_not_offered",
            format!("事项“{}”不提供“{}”渠道", item.name, channel.label()),
        ));
    }
    for f in &input.facts {
        if !yibao_domain::catalog::PREDICATES.contains(&f.as_str()) {
            return Err(ServiceError::invalid(
                "case.fact_unknown",
                format!("未知的申请人情形“{f}”"),
            ));
        }
    }
    // Dates and region names as people type them, stored in their canonical form; then the
    // form is checked before the case exists: every problem at once, each with its field.
    let mut form = input.form.clone();
    if let Some(def) = effects::main_form(item).and_then(|f| catalog.form(f)) {
        yibao_domain::catalog::normalize_form(def, &mut form);
    }
    let input = &ApplyInput {
        form,
        ..input.clone()
    };
    effects::check_application_form(catalog, item, &input.form, today)?;
    let mut facts = input.facts.clone();
    if input.agent.is_some() && !facts.iter().any(|f| f == "proxy") {
        facts.push("proxy".into());
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let applicant = effects::applicant(item).unwrap_or(binding.applicant);
    let who = applicant_of(&mut tx, actor, input, item, applicant, channel).await?;
    let region = who.region;
    // The predicates the case can decide override what was declared (docs/materials.md).
    let derived = yibao_domain::case::facts::derive(&yibao_domain::case::facts::FactInputs {
        service: item.service,
        applicant: who.kind,
        employer_kind: who.employer_kind.as_deref(),
        form: &input.form,
    });
    let facts: Vec<String> = yibao_domain::case::facts::resolve(&facts, &derived)
        .into_iter()
        .collect();
    let receiving = who.receiving;
    // The guide applies to those insured in its regions (川渝通办 spans both provinces).
    let served = catalog
        .jurisdiction(&item.jurisdiction)
        .map(|j| {
            j.region_codes
                .iter()
                .filter_map(|c| c.parse::<RegionCode>().ok())
                .any(|r| r.contains(&region))
        })
        .unwrap_or(false);
    if !served {
        return Err(ServiceError::invalid(
            "case.out_of_jurisdiction",
            format!(
                "申请人参保地（{}）不属于“{}”办事指南的适用地区，请选择参保地的办事指南",
                region.as_str(),
                catalog
                    .jurisdiction(&item.jurisdiction)
                    .map(|j| j.name.as_str())
                    .unwrap_or("")
            ),
        ));
    }
    // No agency here serves the insured region: a peer that does decides it (通办 across
    // instances), and the window that receives it keeps the case and its intake here.
    let (deciding, forward_to) = match agency_for(&mut tx, &region).await? {
        Some(a) => (a, None),
        None => match (forwarding::peer_for(&mut tx, &region).await?, receiving) {
            (Some((peer, to_region)), Some(window)) => {
                let a = yibao_store::agency::find(&mut tx, window)
                    .await?
                    .ok_or_else(|| no_agency(&region))?;
                (a, Some((peer, to_region)))
            }
            (Some((peer, _)), None) => {
                return Err(ServiceError::invalid(
                    "case.apply_at_insured_region",
                    format!(
                        "申请人参保地（{}）由{}办理：请到其网上服务平台申请，或到本地窗口由工作人员受理后转办",
                        region.as_str(),
                        peer.name
                    ),
                ))
            }
            (None, _) => return Err(no_agency(&region)),
        },
    };
    let receiving = receiving.unwrap_or(deciding.id);
    let receiving_region = if receiving == deciding.id {
        deciding.region_code.clone()
    } else {
        yibao_store::agency::find(&mut tx, receiving)
            .await?
            .map(|a| a.region_code)
            .unwrap_or_else(|| deciding.region_code.clone())
    };
    let seq = store::next_sequence(
        &mut tx,
        &receiving_region,
        &today.format("%Y%m%d").to_string(),
    )
    .await?;
    let number = CaseNumber::new(&receiving_region.parse()?, today, seq as u32)
        .map_err(ServiceError::from_domain)?;
    let agent_json = input
        .agent
        .as_ref()
        .map(|a| -> Result<String, ServiceError> {
            let aid: CitizenId = a.id_number.parse()?;
            Ok(
                json!({ "name": a.name.trim(), "id_number": aid.as_str(), "phone": a.phone })
                    .to_string(),
            )
        })
        .transpose()?;
    let mut row = CaseRow {
        id: 0,
        number: number.as_str().to_string(),
        jurisdiction: item.jurisdiction.clone(),
        item_id: item.id.clone(),
        item_version: i64::from(item.version),
        service_key: item.service.key().to_string(),
        applicant_kind: who.kind,
        applicant_ref: who.reference,
        applicant_name: who.name,
        applicant_phone: who.phone,
        agent_json,
        channel: input.channel.clone(),
        receiving_agency_id: receiving,
        deciding_agency_id: deciding.id,
        status: CaseStatus::Draft,
        review_level: 0,
        form: JsonText(input.form.clone()),
        facts: JsonText(CaseFacts {
            region_code: region.as_str().to_string(),
            facts: facts.clone(),
        }),
        submitted_at: None,
        accepted_on: None,
        deadline: None,
        completed_at: None,
        outcome: JsonText(None),
        refusal_reason: None,
        created_by: actor.label(),
        created_at: now.clone(),
        updated_at: now.clone(),
        row_version: 0,
    };
    row.id = store::insert(&mut tx, &row).await?;
    if let Some((peer, to_region)) = &forward_to {
        forwarding::route(&mut tx, row.id, peer, to_region).await?;
    }
    // The form filled in online (the item's first form) stands for the material that is that
    // form; other forms (e.g. 表6, the pledge) are provided on their own.
    let main_form = effects::main_form(item).map(str::to_string);
    if !input.form.is_empty() {
        for m in item
            .materials
            .iter()
            .filter(|m| m.form_ref.is_some() && m.form_ref == main_form)
        {
            let digest = sha256_hex(&row.form.text()?);
            store::add_material(
                &mut tx,
                &NewMaterial {
                    case: &row.key(),
                    material_id: &m.id,
                    provided_as: "form",
                    file_name: "",
                    content_type: "application/json",
                    sha256: &digest,
                    content: None,
                    added_at: &now,
                    added_by: &actor.label(),
                    seal_confirmed_by: "",
                },
            )
            .await?;
        }
    }
    store::insert_event(
        &mut tx,
        &EventRow {
            id: 0,
            case_id: row.id,
            case_month: row.key().month,
            at: now.clone(),
            action: yibao_domain::case::EventKind::Create,
            from_status: yibao_domain::codes::MaybeCode(None),
            to_status: CaseStatus::Draft,
            actor_kind: actor.kind().into(),
            actor_id: actor.id(),
            actor_label: actor.label(),
            channel: input.channel.clone(),
            note: String::new(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "case.create",
        "case",
        &row.number,
        None,
        Some(&json!({ "item": format!("{}/{}", item.jurisdiction, item.id), "channel": input.channel })),
        &format!("新建办件 {}（{}）", row.number, item.name),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

fn no_agency(region: &RegionCode) -> ServiceError {
    ServiceError::invalid(
        "case.no_agency",
        format!("没有负责区划 {} 的经办机构", region.as_str()),
    )
}

/// Who applies: a person (citizen online, or a clerk for the person at the window) or an
/// employer (its operator online, or a clerk for it), and the insured region that decides.
struct Applicant {
    kind: ApplicantType,
    reference: String,
    name: String,
    phone: String,
    receiving: Option<i64>,
    region: RegionCode,
    employer_kind: Option<String>,
}

async fn applicant_of(
    tx: &mut yibao_store::Conn,
    actor: &Actor,
    input: &ApplyInput,
    item: &yibao_domain::catalog::Item,
    applicant: effects::ApplicantKind,
    channel: ChannelKind,
) -> Result<Applicant, ServiceError> {
    if applicant == effects::ApplicantKind::Institution {
        return institution_applicant(tx, actor, input, item, channel).await;
    }
    let (for_employer, either) = match applicant {
        effects::ApplicantKind::Person => (false, false),
        effects::ApplicantKind::Employer => (true, false),
        effects::ApplicantKind::PersonOrEmployer => (false, true),
        effects::ApplicantKind::Institution => (false, false),
    };
    let window_only_for_clerks = || {
        ServiceError::invalid(
            "case.channel_window",
            "窗口办理由窗口工作人员录入；网上申请请选择网上办理渠道",
        )
    };
    let employer_input = input.applicant.as_ref().and_then(|a| a.uscc.as_deref());
    let (employer_applies, receiving) = match actor {
        Actor::Citizen(_) => (false, None),
        Actor::Employer(_) => (true, None),
        Actor::Staff(s) => {
            s.require(StaffRole::Clerk)?;
            (employer_input.is_some(), Some(s.agency_id))
        }
        Actor::Anonymous => {
            return Err(crate::identity::unauthenticated(
                "auth.required",
                "请先登录",
            ))
        }
        _ => return Err(forbidden("auth.forbidden", "此类账户不能申请该事项")),
    };
    if matches!(actor, Actor::Citizen(_) | Actor::Employer(_))
        && matches!(channel, ChannelKind::Window)
    {
        return Err(window_only_for_clerks());
    }
    if for_employer && !employer_applies {
        return Err(ServiceError::invalid(
            "case.employer_applicant",
            format!(
                "事项“{}”由参保单位申请；窗口录入时请填写单位的统一社会信用代码",
                item.name
            ),
        ));
    }
    if employer_applies && !for_employer && !either {
        return Err(ServiceError::invalid(
            "case.person_applicant",
            format!("事项“{}”由参保人员本人申请", item.name),
        ));
    }
    let form_region = |key: &str| -> Result<Option<RegionCode>, ServiceError> {
        match input
            .form
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            Some(r) => Ok(Some(r.parse()?)),
            None => Ok(None),
        }
    };
    if employer_applies {
        let (uscc, name, phone) = match actor {
            Actor::Employer(op) => (op.uscc.clone(), String::new(), String::new()),
            _ => {
                let a = input.applicant.as_ref().ok_or_else(|| {
                    ServiceError::invalid(
                        "case.applicant_required",
                        "请填写申请单位的统一社会信用代码和名称",
                    )
                })?;
                let uscc: yibao_domain::Uscc = a.uscc.as_deref().unwrap_or("").parse()?;
                (
                    uscc.as_str().to_string(),
                    a.name.trim().to_string(),
                    a.phone.clone(),
                )
            }
        };
        let registered = enrolment::find_employer_by_uscc(tx, &uscc).await?;
        let transfer_in = item.service == Service::EmployerRelocate
            && matches!(
                input.form.get("direction").map(|s| s.trim()),
                Some("转入" | "in")
            );
        let region = match (&registered, item.service) {
            (Some(e), _) if !transfer_in => e.region_code.parse()?,
            (Some(_), _) => form_region("to_region")?.ok_or_else(|| {
                ServiceError::invalid(
                    "case.region_required",
                    "办理转入请填写转入地区划代码（to_region）",
                )
            })?,
            (None, Service::EmployerRegister) => form_region("region_code")?.ok_or_else(|| {
                ServiceError::invalid(
                    "case.region_required",
                    "请填写单位的参保地区划代码（region_code）",
                )
            })?,
            (None, _) => {
                return Err(ServiceError::not_found(
                    "employer.not_found",
                    format!("统一社会信用代码{uscc}尚未办理单位参保登记"),
                ))
            }
        };
        let name = match (&registered, name.is_empty()) {
            (Some(e), _) => e.name.clone(),
            (None, false) => name,
            (None, true) => input.form.get("name").cloned().unwrap_or_default(),
        };
        let employer_kind = registered
            .as_ref()
            .map(|e| e.kind.clone())
            .or_else(|| input.form.get("kind").cloned());
        return Ok(Applicant {
            kind: ApplicantType::Employer,
            reference: uscc,
            name,
            phone,
            receiving,
            region,
            employer_kind,
        });
    }
    let (id_number, name, phone) = match actor {
        Actor::Citizen(c) => (c.id_number.clone(), c.name.clone(), String::new()),
        _ => {
            let a = input.applicant.as_ref().ok_or_else(|| {
                ServiceError::invalid("case.applicant_required", "请填写申请人的身份证号码和姓名")
            })?;
            let id: CitizenId = a.id_number.parse()?;
            (
                id.as_str().to_string(),
                a.name.trim().to_string(),
                a.phone.clone(),
            )
        }
    };
    let id: CitizenId = id_number.parse()?;
    // The insured region: the person's record, else the form, else the ID's address code.
    let region: RegionCode = match enrolment::find_person(tx, &id).await? {
        Some(p) => p.region_code.parse()?,
        None => match form_region("region_code")? {
            Some(r) => r,
            None => id.address_code().parse().map_err(|_| {
                ServiceError::invalid(
                    "case.region_required",
                    "无法从身份证号码确定参保地，请填写参保地区划代码",
                )
            })?,
        },
    };
    Ok(Applicant {
        kind: ApplicantType::Person,
        reference: id.as_str().to_string(),
        name,
        phone,
        receiving,
        region,
        employer_kind: None,
    })
}

/// A medical institution or pharmacy applying (seed 001 items 33–38, seed 003 items 33–34,
/// seed 000 item 06): entered by a clerk at the window for the institution in front of them,
/// identified by its 统一社会信用代码. A designation's region is its form's; any other item's
/// is the registered institution's.
async fn institution_applicant(
    tx: &mut yibao_store::Conn,
    actor: &Actor,
    input: &ApplyInput,
    item: &yibao_domain::catalog::Item,
    channel: ChannelKind,
) -> Result<Applicant, ServiceError> {
    let receiving = match actor {
        Actor::Staff(s) => {
            s.require(StaffRole::Clerk)?;
            s.agency_id
        }
        Actor::Anonymous => {
            return Err(crate::identity::unauthenticated(
                "auth.required",
                "请先登录",
            ))
        }
        _ => {
            return Err(forbidden(
                "auth.forbidden",
                "医药机构的申请由经办机构窗口工作人员录入",
            ))
        }
    };
    if !matches!(
        channel,
        ChannelKind::Window | ChannelKind::Mail | ChannelKind::Phone
    ) {
        return Err(ServiceError::invalid(
            "case.channel_window",
            "医药机构的申请由经办机构窗口工作人员录入，请选择窗口办理",
        ));
    }
    let a = input.applicant.as_ref().ok_or_else(|| {
        ServiceError::invalid(
            "case.applicant_required",
            "请填写申请机构的统一社会信用代码和名称",
        )
    })?;
    let uscc: yibao_domain::Uscc = a.uscc.as_deref().unwrap_or("").parse()?;
    let Some(effects::Binding {
        effect: effects::Effect::Institution(op),
        ..
    }) = effects::binding(item.service)
    else {
        return Err(ServiceError::internal(
            "case.applicant_kind",
            "该事项不由医药机构申请",
        ));
    };
    let (region, registered_name) =
        crate::institution::case_effect::applicant_region(tx, op, uscc.as_str(), &input.form)
            .await?;
    let name = if a.name.trim().is_empty() {
        registered_name
    } else {
        a.name.trim().to_string()
    };
    Ok(Applicant {
        kind: ApplicantType::Institution,
        reference: uscc.as_str().to_string(),
        name,
        phone: a.phone.clone(),
        receiving: Some(receiving),
        region,
        employer_kind: None,
    })
}
