//! 通办 across instances (issue #18, docs/federation.md): a case received at this window for a
//! person insured in a region that no agency here serves but a peer does is forwarded there
//! when the window accepts it (`case.forwarded`, with the form and the materials' bytes and
//! their SHA-256), decided by the peer's case engine as its own case, and every status change
//! there is reported back (`case.status`, numbered) to the window's case.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use yibao_domain::calendar::{CaseClock, HolidayCalendar, Pause, Thresholds};
use yibao_domain::case::forwarding::{
    check_forwarded_size, forwarded_label, mirrored_status, report_is_newer,
};
use yibao_domain::case::{Action, ApplicantType, CaseError, CaseNumber, CaseStatus, EventKind};
use yibao_domain::codes::MaybeCode;
use yibao_domain::federation::MessageKind;
use yibao_domain::RegionCode;
use yibao_store::case_forwarding::{self as fstore, ForwardRow, OriginRow};
use yibao_store::cases::{self as store, CaseFacts, CaseRow, EventRow, NewMaterial};
use yibao_store::federation::PeerRow;
use yibao_store::json_text::JsonText;
use yibao_store::Conn;

use super::agency_for;
use super::clock::{limit_for, limit_working_days};
use crate::identity::{hex, sha256_hex, Actor};
use crate::signing::InstanceKey;
use crate::{audit, ErrorKind, ServiceError, Services};

/// The body of `case.forwarded` v1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForwardedCase {
    /// The case number at the receiving window; status reports name it.
    pub origin_number: String,
    pub jurisdiction: String,
    pub item_id: String,
    pub item_version: i64,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_ref: String,
    pub applicant_name: String,
    #[serde(default)]
    pub applicant_phone: String,
    #[serde(default)]
    pub agent_json: Option<String>,
    pub form: BTreeMap<String, String>,
    /// The insured region and the applicant's facts (catalog predicates).
    pub facts: CaseFacts,
    #[serde(default)]
    pub submitted_at: Option<String>,
    /// The day the window accepted the case: day 0 of the time limit on both sides.
    pub accepted_on: String,
    /// The receiving agency, as the deciding side's staff see it.
    pub received_by: String,
    pub materials: Vec<ForwardedMaterial>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForwardedMaterial {
    pub material_id: String,
    pub provided_as: String,
    #[serde(default)]
    pub file_name: String,
    #[serde(default)]
    pub content_type: String,
    /// Of the content; of the form's text for the form itself; empty for an original seen at
    /// the window (nothing travels but the fact).
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub content_base64: Option<String>,
    #[serde(default)]
    pub seal_confirmed_by: String,
}

/// The body of `case.status` v1: the deciding side's case as it stands after one change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusReport {
    pub origin_number: String,
    /// The deciding side's own case number.
    pub number: String,
    /// 1 for the first report of this case, one more for each later one.
    pub seq: i64,
    pub status: String,
    /// The action that led to it (`accept` for the case's arrival).
    pub action: String,
    pub review_level: i64,
    pub at: String,
    /// The refusal reason, the withdrawal's or approval's note.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub deadline: Option<String>,
}

/// The active peer serving a region that contains `region`, and that region's code (what the
/// messages are addressed to).
pub(crate) async fn peer_for(
    conn: &mut Conn,
    region: &RegionCode,
) -> Result<Option<(PeerRow, String)>, ServiceError> {
    for p in yibao_store::federation::active_peers(conn).await? {
        let served = p
            .regions()
            .filter_map(|r| r.parse::<RegionCode>().ok())
            .find(|r| r.contains(region));
        if let Some(r) = served {
            let code = r.as_str().to_string();
            return Ok(Some((p, code)));
        }
    }
    Ok(None)
}

/// Marks a just-created window case as one the peer decides.
pub(crate) async fn route(
    conn: &mut Conn,
    case_id: i64,
    peer: &PeerRow,
    to_region: &str,
) -> Result<(), ServiceError> {
    fstore::insert_forward(
        conn,
        &ForwardRow {
            case_id,
            peer_id: peer.id,
            to_region: to_region.to_string(),
            message_id: None,
            forwarded_at: None,
            remote_number: None,
            remote_status: None,
            remote_seq: 0,
            remote_at: None,
        },
    )
    .await?;
    Ok(())
}

/// Where a case stands with a peer, for the transition and the view.
pub(crate) enum Link {
    None,
    Forwarded(ForwardRow),
    Received(OriginRow),
}

pub(crate) async fn link_of(conn: &mut Conn, case_id: i64) -> Result<Link, ServiceError> {
    if let Some(f) = fstore::forward(conn, case_id).await? {
        return Ok(Link::Forwarded(f));
    }
    Ok(match fstore::origin(conn, case_id).await? {
        Some(o) => Link::Received(o),
        None => Link::None,
    })
}

/// The instance key, loaded before a transition's write transaction when the case is linked
/// to a peer (loading may write, and a SQLite writer must not wait for itself).
pub(crate) async fn key_for_transition<'a>(
    services: &'a Services,
    number: &str,
) -> Result<Option<&'a InstanceKey>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let linked = fstore::involves_peer(&mut tx, number.trim()).await?;
    drop(tx);
    if linked {
        Ok(Some(services.instance_key().await?))
    } else {
        Ok(None)
    }
}

pub(crate) fn decided_elsewhere() -> ServiceError {
    let e = CaseError::DecidedElsewhere;
    ServiceError::Rule {
        kind: ErrorKind::Conflict,
        code: yibao_domain::Coded::code(&e),
        message: yibao_domain::Coded::message(&e),
        details: None,
    }
}

fn key_missing() -> ServiceError {
    ServiceError::internal(
        "federation.key_unavailable",
        "本机联网密钥未能加载，请稍后重试",
    )
}

/// On acceptance at the window: queues `case.forwarded` with the form and the materials in
/// the accepting transaction.
pub(crate) async fn forward(
    conn: &mut Conn,
    services: &Services,
    key: Option<&InstanceKey>,
    case: &CaseRow,
    link: &ForwardRow,
) -> Result<(), ServiceError> {
    let key = key.ok_or_else(key_missing)?;
    let mut materials = Vec::new();
    let mut total: u64 = 0;
    for m in store::materials(conn, &case.key()).await? {
        let content = if m.size_bytes > 0 {
            store::material_content(conn, &case.key(), m.id)
                .await?
                .map(|(_, bytes)| bytes)
        } else {
            None
        };
        total += content.as_ref().map_or(0, |c| c.len() as u64);
        materials.push(ForwardedMaterial {
            material_id: m.material_id,
            provided_as: m.provided_as,
            file_name: m.file_name,
            content_type: m.content_type,
            sha256: m.sha256,
            content_base64: content.map(|c| base64::engine::general_purpose::STANDARD.encode(c)),
            seal_confirmed_by: m.seal_confirmed_by,
        });
    }
    check_forwarded_size(total).map_err(ServiceError::from_domain)?;
    let received_by = yibao_store::agency::find(conn, case.receiving_agency_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let body = ForwardedCase {
        origin_number: case.number.clone(),
        jurisdiction: case.jurisdiction.clone(),
        item_id: case.item_id.clone(),
        item_version: case.item_version,
        channel: case.channel.clone(),
        applicant_kind: case.applicant_kind.key().to_string(),
        applicant_ref: case.applicant_ref.clone(),
        applicant_name: case.applicant_name.clone(),
        applicant_phone: case.applicant_phone.clone(),
        agent_json: case.agent_json.clone(),
        form: case.form.0.clone(),
        facts: case.facts.0.clone(),
        submitted_at: case.submitted_at.clone(),
        accepted_on: case.accepted_on.clone().unwrap_or_default(),
        received_by,
        materials,
    };
    let body = serde_json::to_value(&body)
        .map_err(|e| ServiceError::internal("federation.encode", format!("消息无法编码：{e}")))?;
    let id = crate::federation::outbox::send(
        conn,
        services,
        key,
        &link.to_region,
        MessageKind::CaseForwarded,
        body,
    )
    .await?;
    let now = services.clock().now_text();
    fstore::mark_forwarded(conn, case.id, &id, &now).await?;
    audit::record(
        conn,
        services,
        &Actor::System {
            label: "federation".into(),
        },
        "case.forward",
        "case",
        &case.number,
        None,
        Some(&json!({ "to_region": link.to_region, "message_id": id })),
        &format!(
            "办件 {} 受理后转区划 {} 的参保地办理",
            case.number, link.to_region
        ),
    )
    .await?;
    Ok(())
}

/// The deadline of a case accepted on `accepted_on` and received in another region: the
/// item's transit working days are a pause from acceptance, as within one instance.
fn deadline_with_transit(
    cal: &HolidayCalendar,
    item: &yibao_domain::catalog::Item,
    channel: &str,
    accepted_on: NaiveDate,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let limit = limit_for(item, channel);
    let transit_until = limit
        .and_then(|l| l.transit_working_days)
        .map(|t| cal.add_working_days(accepted_on, t).value);
    let due = limit.and_then(limit_working_days).and_then(|days| {
        CaseClock {
            accepted_on,
            limit_working_days: days,
            pauses: transit_until
                .map(|to| Pause {
                    from: accepted_on,
                    to: Some(to),
                    reason: "transit".into(),
                })
                .into_iter()
                .collect(),
        }
        .state(cal, accepted_on, Thresholds::default())
        .due
    });
    (due, transit_until)
}

fn refused(code: &'static str, message: String) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code,
        message,
        details: None,
    }
}

/// Checks each material against its digest: the content's SHA-256 where content travels, the
/// form's where the form stands for the material. Returns the decoded contents.
fn verified_contents(
    body: &ForwardedCase,
    form_digest: &str,
) -> Result<Vec<Option<Vec<u8>>>, ServiceError> {
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for m in &body.materials {
        let content = match &m.content_base64 {
            Some(b) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|_| {
                        ServiceError::from_domain(CaseError::MaterialDigest(m.material_id.clone()))
                    })?;
                let digest = {
                    use sha2::{Digest, Sha256};
                    hex(&Sha256::digest(&bytes))
                };
                if digest != m.sha256 {
                    return Err(ServiceError::from_domain(CaseError::MaterialDigest(
                        m.material_id.clone(),
                    )));
                }
                total += bytes.len() as u64;
                Some(bytes)
            }
            None if m.provided_as == "form" => {
                if m.sha256 != form_digest {
                    return Err(ServiceError::from_domain(CaseError::MaterialDigest(
                        m.material_id.clone(),
                    )));
                }
                None
            }
            None => None,
        };
        out.push(content);
    }
    check_forwarded_size(total).map_err(ServiceError::from_domain)?;
    Ok(out)
}

/// Applies `case.forwarded` in the inbox's transaction: the case becomes one of this
/// instance's, accepted on the window's acceptance day, with the transit pause, decided by
/// the agency serving the insured region; the first status report goes back at once (it tells
/// the window the number here).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn receive_forwarded(
    conn: &mut Conn,
    services: &Services,
    key: &InstanceKey,
    cal: &HolidayCalendar,
    peer: &PeerRow,
    from_region: &str,
    message_id: &str,
    body: ForwardedCase,
) -> Result<String, ServiceError> {
    let item = services
        .catalog()
        .find_version(
            &body.jurisdiction,
            &body.item_id,
            u32::try_from(body.item_version).unwrap_or(0),
        )
        .ok_or_else(|| {
            refused(
                "catalog.item_not_found",
                format!(
                    "本机没有转来办件所依据的事项 {}/{}（第 {} 版）",
                    body.jurisdiction, body.item_id, body.item_version
                ),
            )
        })?;
    let region: RegionCode = body.facts.region_code.parse()?;
    let deciding = agency_for(conn, &region).await?.ok_or_else(|| {
        refused(
            "case.no_agency",
            format!("本机没有负责区划 {} 的经办机构", region.as_str()),
        )
    })?;
    let applicant_kind = ApplicantType::from_key(&body.applicant_kind).ok_or_else(|| {
        refused(
            "federation.bad_body",
            format!("未知的申请人类型“{}”", body.applicant_kind),
        )
    })?;
    let accepted_on = NaiveDate::parse_from_str(&body.accepted_on, "%Y-%m-%d").map_err(|_| {
        refused(
            "federation.bad_body",
            format!("受理日期“{}”不是有效日期", body.accepted_on),
        )
    })?;
    if fstore::origin_by_number(conn, from_region, &body.origin_number)
        .await?
        .is_some()
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "case.forward_exists",
            message: format!("办件 {} 已由另一条消息转来", body.origin_number),
            details: None,
        });
    }
    let form = JsonText(body.form.clone());
    let contents = verified_contents(&body, &sha256_hex(&form.text()?))?;
    let now = services.clock().now_text();
    let today = services.clock().today();
    let seq = store::next_sequence(
        conn,
        &deciding.region_code,
        &today.format("%Y%m%d").to_string(),
    )
    .await?;
    let number = CaseNumber::new(&deciding.region_code.parse()?, today, seq as u32)
        .map_err(ServiceError::from_domain)?;
    let (due, transit_until) = deadline_with_transit(cal, item, &body.channel, accepted_on);
    let peer_actor = Actor::System {
        label: format!("peer:{}", peer.name),
    };
    let mut row = CaseRow {
        id: 0,
        number: number.as_str().to_string(),
        jurisdiction: item.jurisdiction.clone(),
        item_id: item.id.clone(),
        item_version: i64::from(item.version),
        service_key: item.service.key().to_string(),
        applicant_kind,
        applicant_ref: body.applicant_ref.clone(),
        applicant_name: body.applicant_name.clone(),
        applicant_phone: body.applicant_phone.clone(),
        agent_json: body.agent_json.clone(),
        channel: body.channel.clone(),
        receiving_agency_id: deciding.id,
        deciding_agency_id: deciding.id,
        status: CaseStatus::Accepted,
        review_level: 0,
        form,
        facts: JsonText(body.facts.clone()),
        submitted_at: body.submitted_at.clone(),
        accepted_on: Some(accepted_on.to_string()),
        deadline: due.map(|d| d.to_string()),
        completed_at: None,
        outcome: JsonText(None),
        refusal_reason: None,
        created_by: peer_actor.label(),
        created_at: now.clone(),
        updated_at: now.clone(),
        row_version: 0,
    };
    row.id = store::insert(conn, &row).await?;
    for (m, content) in body.materials.iter().zip(&contents) {
        store::add_material(
            conn,
            &NewMaterial {
                case: &row.key(),
                material_id: &m.material_id,
                provided_as: &m.provided_as,
                file_name: &m.file_name,
                content_type: &m.content_type,
                sha256: &m.sha256,
                content: content.as_deref(),
                added_at: &now,
                added_by: &peer_actor.label(),
                seal_confirmed_by: &m.seal_confirmed_by,
            },
        )
        .await?;
    }
    if let Some(until) = transit_until {
        store::open_pause(
            conn,
            &row.key(),
            "transit",
            &accepted_on.to_string(),
            Some(&until.to_string()),
        )
        .await?;
    }
    let note = format!(
        "异地窗口受理后转来：{}（区划 {}）办件 {}",
        body.received_by, from_region, body.origin_number
    );
    store::insert_event(
        conn,
        &EventRow {
            id: 0,
            case_id: row.id,
            case_month: row.key().month,
            at: now.clone(),
            action: EventKind::Create,
            from_status: MaybeCode(None),
            to_status: CaseStatus::Accepted,
            actor_kind: peer_actor.kind().into(),
            actor_id: 0,
            actor_label: peer_actor.label(),
            channel: body.channel.clone(),
            note: note.clone(),
        },
    )
    .await?;
    fstore::insert_origin(
        conn,
        &OriginRow {
            case_id: row.id,
            peer_id: peer.id,
            origin_region: from_region.to_string(),
            origin_number: body.origin_number.clone(),
            message_id: message_id.to_string(),
            status_seq: 0,
        },
    )
    .await?;
    audit::record(
        conn,
        services,
        &peer_actor,
        "case.receive_forwarded",
        "case",
        &row.number,
        None,
        Some(&json!({ "origin_region": from_region, "origin_number": body.origin_number, "item": format!("{}/{}", item.jurisdiction, item.id) })),
        &format!("{note}，本机办件号 {}（{}）", row.number, item.name),
    )
    .await?;
    report(conn, services, key, &row, Action::Accept, "").await?;
    Ok(format!(
        "已收到转来的办件 {}，本机办件号 {}",
        body.origin_number, row.number
    ))
}

/// Queues the case's new status to the window that received it (deciding side), in the
/// transaction of the change. Does nothing for a case not received from a peer.
pub(crate) async fn report(
    conn: &mut Conn,
    services: &Services,
    key: &InstanceKey,
    case: &CaseRow,
    action: Action,
    note: &str,
) -> Result<(), ServiceError> {
    let Some(origin) = fstore::origin(conn, case.id).await? else {
        return Ok(());
    };
    let seq = fstore::next_status_seq(conn, case.id).await?;
    let body = StatusReport {
        origin_number: origin.origin_number.clone(),
        number: case.number.clone(),
        seq,
        status: case.status.as_str().to_string(),
        action: action.as_str().to_string(),
        review_level: case.review_level,
        at: services.clock().now_text(),
        note: note.trim().chars().take(500).collect(),
        deadline: case.deadline.clone(),
    };
    let body = serde_json::to_value(&body)
        .map_err(|e| ServiceError::internal("federation.encode", format!("消息无法编码：{e}")))?;
    crate::federation::outbox::send(
        conn,
        services,
        key,
        &origin.origin_region,
        MessageKind::CaseStatusReport,
        body,
    )
    .await?;
    Ok(())
}

/// Reports a transition of a received case (deciding side); the key was loaded before the
/// transaction (`key_for_transition`).
pub(crate) async fn report_transition(
    conn: &mut Conn,
    services: &Services,
    key: Option<&InstanceKey>,
    case: &CaseRow,
    action: Action,
    note: &str,
) -> Result<(), ServiceError> {
    if fstore::origin(conn, case.id).await?.is_none() {
        return Ok(());
    }
    report(
        conn,
        services,
        key.ok_or_else(key_missing)?,
        case,
        action,
        note,
    )
    .await
}

/// Applies `case.status` in the inbox's transaction (receiving side): the forwarded case takes
/// the reported status unless a newer report was applied already.
pub(crate) async fn receive_status(
    conn: &mut Conn,
    services: &Services,
    peer: &PeerRow,
    body: StatusReport,
) -> Result<String, ServiceError> {
    let not_ours = || {
        refused(
            "case.forward_not_found",
            format!("本机没有转往该对端的办件 {}", body.origin_number),
        )
    };
    let mut case = store::find_by_number(conn, &body.origin_number)
        .await?
        .ok_or_else(not_ours)?;
    let link = fstore::forward(conn, case.id).await?.ok_or_else(not_ours)?;
    if link.peer_id != peer.id || link.forwarded_at.is_none() {
        return Err(not_ours());
    }
    let remote = CaseStatus::parse(&body.status).ok_or_else(|| {
        refused(
            "federation.bad_body",
            format!("未知的办件状态“{}”", body.status),
        )
    })?;
    let action = Action::parse(&body.action).ok_or_else(|| {
        refused(
            "federation.bad_body",
            format!("未知的办理环节“{}”", body.action),
        )
    })?;
    let to = mirrored_status(remote).map_err(ServiceError::from_domain)?;
    if !report_is_newer(link.remote_seq, body.seq)
        || !fstore::record_remote_status(
            conn,
            case.id,
            body.seq,
            &body.number,
            remote.as_str(),
            &body.at,
        )
        .await?
    {
        return Ok(format!(
            "办件 {} 的状态回传（第 {} 号）早于已收到的第 {} 号，未改变办件",
            case.number, body.seq, link.remote_seq
        ));
    }
    let from = case.status;
    let now = services.clock().now_text();
    let today = services.clock().today().to_string();
    case.status = to;
    case.review_level = body.review_level;
    if body.deadline.is_some() {
        case.deadline = body.deadline.clone();
    }
    if to == CaseStatus::Refused {
        case.refusal_reason = Some(body.note.clone());
    }
    if to.is_terminal() {
        case.completed_at = Some(body.at.clone());
        for reason in ["notice", "transit"] {
            store::close_pauses(conn, &case.key(), reason, &today).await?;
        }
    }
    case.updated_at = now.clone();
    store::update(conn, &case).await?;
    let peer_actor = Actor::System {
        label: format!("peer:{}", peer.name),
    };
    let note = if body.note.is_empty() {
        format!("参保地（{}）办件 {}", peer.name, body.number)
    } else {
        format!("参保地（{}）办件 {}：{}", peer.name, body.number, body.note)
    };
    store::insert_event(
        conn,
        &EventRow {
            id: 0,
            case_id: case.id,
            case_month: case.key().month,
            at: now,
            action: EventKind::Transition(action),
            from_status: MaybeCode(Some(from)),
            to_status: to,
            actor_kind: peer_actor.kind().into(),
            actor_id: 0,
            actor_label: peer_actor.label(),
            channel: "federation".into(),
            note: note.chars().take(500).collect(),
        },
    )
    .await?;
    audit::record(
        conn,
        services,
        &peer_actor,
        "case.remote_status",
        "case",
        &case.number,
        Some(&json!({ "status": from.as_str() })),
        Some(&json!({ "status": to.as_str(), "seq": body.seq, "remote_number": body.number })),
        &format!(
            "转办件 {}：参保地{}（{}）",
            case.number,
            action.label(),
            forwarded_label(to)
        ),
    )
    .await?;
    Ok(format!(
        "办件 {} 参保地状态：{}",
        case.number,
        remote.label()
    ))
}

/// Where a case stands with a peer, as its page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerLinkView {
    /// `forwarded` (received here, decided at the peer) or `received` (from a peer's window).
    pub direction: &'static str,
    pub peer_name: String,
    pub region_code: String,
    /// The case's number on the other side, once known.
    pub other_number: Option<String>,
    /// Forwarded: the last status the peer reported, in words.
    pub remote_status_label: Option<&'static str>,
    pub reported_at: Option<String>,
    pub forwarded_at: Option<String>,
    /// One sentence for the page.
    pub text: String,
}

pub(crate) async fn view_of(
    conn: &mut Conn,
    case_id: i64,
) -> Result<Option<PeerLinkView>, ServiceError> {
    let peer_name = |p: Option<PeerRow>| p.map(|p| p.name).unwrap_or_default();
    Ok(match link_of(conn, case_id).await? {
        Link::None => None,
        Link::Forwarded(f) => {
            let name = peer_name(yibao_store::federation::peer(conn, f.peer_id).await?);
            let remote_status_label = f
                .remote_status
                .as_deref()
                .and_then(CaseStatus::parse)
                .map(CaseStatus::label);
            let text = match (&f.forwarded_at, &f.remote_number, remote_status_label) {
                (None, _, _) => format!(
                    "参保地不在本机，受理后将转{name}（区划 {}）审核办理",
                    f.to_region
                ),
                (Some(_), None, _) => {
                    format!("已转{name}（区划 {}）办理，等待参保地回执", f.to_region)
                }
                (Some(_), Some(n), label) => format!(
                    "已转{name}（区划 {}）办理，参保地办件号 {n}，最新状态：{}",
                    f.to_region,
                    label.unwrap_or("")
                ),
            };
            Some(PeerLinkView {
                direction: "forwarded",
                peer_name: name,
                region_code: f.to_region,
                other_number: f.remote_number,
                remote_status_label,
                reported_at: f.remote_at,
                forwarded_at: f.forwarded_at,
                text,
            })
        }
        Link::Received(o) => {
            let name = peer_name(yibao_store::federation::peer(conn, o.peer_id).await?);
            Some(PeerLinkView {
                direction: "received",
                text: format!(
                    "由{name}（区划 {}）窗口受理后转来，原办件号 {}；每次状态变化都回传受理窗口",
                    o.origin_region, o.origin_number
                ),
                peer_name: name,
                region_code: o.origin_region,
                other_number: Some(o.origin_number),
                remote_status_label: None,
                reported_at: None,
                forwarded_at: None,
            })
        }
    })
}
