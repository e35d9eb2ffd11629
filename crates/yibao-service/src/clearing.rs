//! Cross-province settlement clearing (跨省异地就医费用清算), issue #18, docs/clearing.md.
//!
//! After a month ends, the care side (就医地) states per pair of provinces the care its
//! institutions settled for persons insured in the other province, and the reversals of care it
//! stated before. The insured side (参保地) checks each line against its own register and
//! earlier statements and answers with what it accepts. When another installation serves the
//! insured province (a peer), the statement and the answer travel as signed messages
//! (`clearing.statement`, `clearing.reconciled`); when this installation serves both, both
//! sides are recorded here in one transaction. Both sides keep the same lines and the same
//! SHA-256 digest, so either can prove what it holds.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use yibao_domain::clearing::{
    self as rules, Amounts, CoveragePeriod, Dispute, LedgerEntry, Line, LineFacts, LineKind, Month,
    Pair, Totals,
};
use yibao_domain::federation::MessageKind;
use yibao_domain::ids::region_text;
use yibao_domain::{Coded, RegionCode};
use yibao_store::clearing::{self as store, LineRow, StatementRow};
use yibao_store::federation::PeerRow;
use yibao_store::{Conn, StoreError};

use crate::identity::{Actor, StaffRole};
use crate::{ErrorKind, ServiceError, Services};

const CARE: &str = "care";
const INSURED: &str = "insured";

fn refused(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid(code, message)
}

fn domain(e: rules::ClearingError) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: e.code(),
        message: e.message(),
        details: None,
    }
}

/// The statement's SHA-256 over its canonical text (`yibao_domain::clearing::canonical_text`),
/// lower-case hex: what both sides compare.
pub fn statement_digest(month: Month, pair: &Pair, lines: &[Line]) -> String {
    hex::encode(Sha256::digest(
        rules::canonical_text(month, pair, lines).as_bytes(),
    ))
}

/// A statement as it travels to the insured side (`clearing.statement` v1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementBody {
    pub month: String,
    pub care_region: String,
    pub insured_region: String,
    pub digest: String,
    pub totals: Totals,
    pub lines: Vec<Line>,
}

/// One disputed line of an answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DisputedLine {
    pub line_no: i64,
    pub settlement_ref: String,
    pub kind: LineKind,
    pub code: String,
}

/// The insured side's answer (`clearing.reconciled` v1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReconciledBody {
    pub month: String,
    pub care_region: String,
    pub insured_region: String,
    pub digest: String,
    pub accepted_count: i64,
    pub accepted_fen: i64,
    pub disputed_count: i64,
    pub disputed_fen: i64,
    pub disputed: Vec<DisputedLine>,
}

/// A statement as staff and the API see it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementView {
    pub id: i64,
    /// `care` (本方为就医地，已向医药机构支付) or `insured` (本方为参保地，应偿付).
    pub role: String,
    pub role_label: &'static str,
    pub month: String,
    pub care_region: String,
    pub care_region_name: String,
    pub insured_region: String,
    pub insured_region_name: String,
    /// 对方：本机 or the peer installation's name.
    pub counterpart: String,
    pub line_count: i64,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    /// 应清算金额
    pub cleared_fen: i64,
    pub digest: String,
    /// `awaiting` or `reconciled`
    pub status: String,
    pub status_label: &'static str,
    pub accepted_count: Option<i64>,
    pub accepted_fen: Option<i64>,
    pub disputed_count: Option<i64>,
    pub disputed_fen: Option<i64>,
    pub issued_at: String,
    pub reconciled_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub line_no: i64,
    pub settlement_ref: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub institution_code: String,
    pub person_id_number: String,
    pub insured_region: String,
    pub settled_on: String,
    pub booked_on: String,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    pub cleared_fen: i64,
    pub dispute_code: Option<String>,
    pub dispute_reason: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementDetail {
    #[serde(flatten)]
    pub statement: StatementView,
    pub lines: Vec<LineView>,
}

/// What `issue` did for a month.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub month: String,
    /// Statements issued now (care side).
    pub issued: Vec<StatementView>,
}

fn view_of(s: StatementRow, peers: &[PeerRow]) -> StatementView {
    let counterpart = match s.peer_id {
        Some(id) => peers
            .iter()
            .find(|p| p.id == id)
            .map(|p| format!("对端 {}", p.name))
            .unwrap_or_else(|| format!("对端 #{id}")),
        None => "本机".into(),
    };
    StatementView {
        role_label: if s.role == CARE {
            "就医地（本方已垫付）"
        } else {
            "参保地（本方应偿付）"
        },
        status_label: if s.status == "reconciled" {
            "已对账"
        } else {
            "待参保地对账"
        },
        care_region_name: region_text(&s.care_region),
        insured_region_name: region_text(&s.insured_region),
        counterpart,
        id: s.id,
        role: s.role,
        month: s.month,
        care_region: s.care_region,
        insured_region: s.insured_region,
        line_count: s.line_count,
        total_fen: s.total_fen,
        pooled_fen: s.pooled_fen,
        critical_fen: s.critical_fen,
        aid_fen: s.aid_fen,
        account_fen: s.account_fen,
        cash_fen: s.cash_fen,
        cleared_fen: s.cleared_fen,
        digest: s.digest,
        status: s.status,
        accepted_count: s.accepted_count,
        accepted_fen: s.accepted_fen,
        disputed_count: s.disputed_count,
        disputed_fen: s.disputed_fen,
        issued_at: s.issued_at,
        reconciled_at: s.reconciled_at,
    }
}

fn line_view(l: LineRow) -> LineView {
    let kind = LineKind::from_key(&l.kind).unwrap_or(LineKind::Settlement);
    LineView {
        kind_label: kind.label(),
        dispute_reason: l
            .dispute_code
            .as_deref()
            .and_then(Dispute::from_code)
            .map(Dispute::reason),
        line_no: l.line_no,
        settlement_ref: l.settlement_ref,
        kind: l.kind,
        institution_code: l.institution_code,
        person_id_number: l.person_id_number,
        insured_region: l.insured_region,
        settled_on: l.settled_on,
        booked_on: l.booked_on,
        total_fen: l.total_fen,
        pooled_fen: l.pooled_fen,
        critical_fen: l.critical_fen,
        aid_fen: l.aid_fen,
        account_fen: l.account_fen,
        cash_fen: l.cash_fen,
        cleared_fen: l.cleared_fen,
        dispute_code: l.dispute_code,
    }
}

/// Finance, supervisors and auditors of an agency in either province see a statement;
/// operators (the CLI) see all.
fn may_see(actor: &Actor, s: &StatementRow) -> bool {
    match actor {
        Actor::System { .. } => true,
        Actor::Staff(st) => {
            [
                StaffRole::Finance,
                StaffRole::Supervisor,
                StaffRole::Auditor,
            ]
            .iter()
            .any(|r| st.has_role(*r))
                && [&s.care_region, &s.insured_region]
                    .iter()
                    .any(|r| r.get(..2) == Some(st.agency_region.province_prefix()))
        }
        _ => false,
    }
}

fn require_viewer(actor: &Actor) -> Result<(), ServiceError> {
    if let Actor::System { .. } = actor {
        return Ok(());
    }
    let st = actor.staff()?;
    if [
        StaffRole::Finance,
        StaffRole::Supervisor,
        StaffRole::Auditor,
    ]
    .iter()
    .any(|r| st.has_role(*r))
    {
        Ok(())
    } else {
        st.require(StaffRole::Finance)
    }
}

pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<StatementView>, ServiceError> {
    require_viewer(actor)?;
    let mut tx = services.store().begin_read().await?;
    let peers = yibao_store::federation::all_peers(&mut tx).await?;
    Ok(store::list(&mut tx)
        .await?
        .into_iter()
        .filter(|s| may_see(actor, s))
        .map(|s| view_of(s, &peers))
        .collect())
}

pub async fn detail(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<StatementDetail, ServiceError> {
    require_viewer(actor)?;
    let mut tx = services.store().begin_read().await?;
    let not_found =
        || ServiceError::not_found("clearing.not_found", format!("没有编号为 {id} 的清算单"));
    let s = store::statement(&mut tx, id).await?.ok_or_else(not_found)?;
    if !may_see(actor, &s) {
        return Err(not_found());
    }
    let peers = yibao_store::federation::all_peers(&mut tx).await?;
    let lines = store::lines(&mut tx, id).await?;
    Ok(StatementDetail {
        statement: view_of(s, &peers),
        lines: lines.into_iter().map(line_view).collect(),
    })
}

/// UTC text of the start of a Beijing day, in the stored timestamps' format.
fn utc_start_of(day: NaiveDate) -> String {
    let local = day.and_time(NaiveTime::MIN);
    crate::clock::beijing()
        .from_local_datetime(&local)
        .single()
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .unwrap_or_default()
}

fn beijing_day(stored: &str) -> Result<NaiveDate, ServiceError> {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&crate::clock::beijing()).date_naive())
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("timestamp {stored}: {e}"))))
}

fn parse_region(code: &str) -> Result<RegionCode, ServiceError> {
    code.parse::<RegionCode>()
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("region {code}: {e}"))))
}

/// Where the insured province's side is: a peer that serves a region in it or around it, else
/// this installation if one of its agencies lies in it.
enum Counterpart {
    /// The peer and the region code of its list the message is addressed to.
    Peer(Box<PeerRow>, String),
    Here,
}

async fn counterpart(conn: &mut Conn, province: &RegionCode) -> Result<Counterpart, ServiceError> {
    for p in yibao_store::federation::active_peers(conn).await? {
        let served = p
            .regions()
            .filter_map(|r| r.parse::<RegionCode>().ok())
            .find(|r| r.contains(province) || province.contains(r));
        if let Some(r) = served {
            return Ok(Counterpart::Peer(Box::new(p), r.as_str().to_string()));
        }
    }
    let here = yibao_store::agency::list(conn)
        .await?
        .iter()
        .filter_map(|a| a.region_code.parse::<RegionCode>().ok())
        .any(|r| province.contains(&r));
    if here {
        Ok(Counterpart::Here)
    } else {
        Err(refused(
            "clearing.no_counterpart",
            format!(
                "本机没有{}的经办机构，也没有服务该省的对端：请先运行 yibao peer add 登记对端",
                region_text(province.as_str())
            ),
        ))
    }
}

/// Issues the care side's statements of `month` (`YYYY-MM`, ended): one per pair of provinces
/// with anything to state, for the care provinces the actor's agency lies in (every one for the
/// operator). A pair already stated for the month is left as it is. Finance role.
pub async fn issue(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<Issued, ServiceError> {
    let own_province = match actor {
        Actor::System { .. } => None,
        _ => {
            let st = actor.staff()?;
            st.require(StaffRole::Finance)?;
            Some(st.agency_region.province())
        }
    };
    let month = Month::parse(month).map_err(domain)?;
    rules::may_issue(month, services.clock().today()).map_err(domain)?;
    // Loaded before the write transaction (loading may write; a SQLite writer must not wait on
    // itself).
    let key = services.instance_key().await?;
    let from = utc_start_of(month.first_day());
    let before = utc_start_of(month.next().first_day());
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let rows = store::candidates(&mut tx, &month.key(), &from, &before).await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        ids.push((r.id, r.month.clone()));
        entries.push(LedgerEntry {
            settlement_ref: format!("{}:{}", r.institution_code, r.request_id),
            institution_code: r.institution_code,
            person_id_number: r.person_id_number,
            care_region: parse_region(&r.care_region)?,
            insured_region: parse_region(&r.insured_region)?,
            ledger_month: Month::parse(&r.month).map_err(domain)?,
            settled_on: beijing_day(&r.created_at)?,
            reversed_on: r.reversed_at.as_deref().map(beijing_day).transpose()?,
            amounts: Amounts {
                total_fen: r.total_fen,
                pooled_fen: r.pooled_fen,
                critical_fen: r.critical_fen,
                aid_fen: r.aid_fen,
                account_fen: r.account_fen,
                cash_fen: r.cash_fen,
            },
            stated: r.stated != 0,
            reversal_stated: false,
        });
    }
    let by_ref: std::collections::HashMap<(String, LineKind), (i64, String)> = entries
        .iter()
        .zip(ids)
        .map(|(e, id)| {
            let kind = if e.stated {
                LineKind::Reversal
            } else {
                LineKind::Settlement
            };
            ((e.settlement_ref.clone(), kind), id)
        })
        .collect();
    let mut issued = Vec::new();
    for (pair, lines) in rules::statement_lines(month, &entries) {
        if own_province.as_ref().is_some_and(|p| *p != pair.care) {
            continue;
        }
        if store::find(
            &mut tx,
            CARE,
            &month.key(),
            pair.care.as_str(),
            pair.insured.as_str(),
        )
        .await?
        .is_some()
        {
            continue;
        }
        let totals = rules::totals(&lines).map_err(domain)?;
        let digest = statement_digest(month, &pair, &lines);
        let side = counterpart(&mut tx, &pair.insured).await?;
        let peer_id = match &side {
            Counterpart::Peer(p, _) => Some(p.id),
            Counterpart::Here => None,
        };
        if peer_id.is_some() && lines.len() > rules::MAX_LINES_PER_MESSAGE {
            return Err(refused(
                "clearing.too_many_lines",
                format!(
                    "{} 至 {} 的清算单有 {} 笔，超过一条消息可携带的 {} 笔",
                    pair.care.as_str(),
                    pair.insured.as_str(),
                    lines.len(),
                    rules::MAX_LINES_PER_MESSAGE
                ),
            ));
        }
        let row = statement_row(CARE, month, &pair, peer_id, &totals, &digest, &now);
        let id = store::insert_statement(&mut tx, &row).await?;
        for (i, l) in lines.iter().enumerate() {
            let origin = by_ref.get(&(l.settlement_ref.clone(), l.kind));
            let mut lr = line_row(id, CARE, &pair, i, l, None);
            lr.settlement_id = origin.map(|o| o.0);
            lr.settlement_month = origin.map(|o| o.1.clone());
            store::insert_line(&mut tx, &lr).await?;
        }
        let body = StatementBody {
            month: month.key(),
            care_region: pair.care.as_str().to_string(),
            insured_region: pair.insured.as_str().to_string(),
            digest: digest.clone(),
            totals,
            lines,
        };
        match side {
            Counterpart::Peer(_, to_region) => {
                let body_json = serde_json::to_value(&body).map_err(|e| {
                    ServiceError::internal("clearing.encode", format!("清算单无法编码：{e}"))
                })?;
                let message_id = crate::federation::outbox::send(
                    &mut tx,
                    services,
                    key,
                    &to_region,
                    MessageKind::ClearingStatement,
                    body_json,
                )
                .await?;
                store::set_message(&mut tx, id, &message_id).await?;
            }
            Counterpart::Here => {
                let (_, answer) = take_statement(&mut tx, services, &body, None).await?;
                apply_answer(&mut tx, services, id, &answer).await?;
            }
        }
        crate::audit::record(
            &mut tx,
            services,
            actor,
            "clearing.issue",
            "clearing_statement",
            &id.to_string(),
            None,
            Some(&json!({"month": month.key(), "care": pair.care.as_str(), "insured": pair.insured.as_str(), "lines": totals.line_count, "cleared_fen": totals.cleared_fen, "digest": digest})),
            &format!(
                "出具 {} 跨省清算单：{} → {}，{} 笔，应清算 {}",
                month.key(),
                region_text(pair.insured.as_str()),
                region_text(pair.care.as_str()),
                totals.line_count,
                yibao_domain::Fen(totals.cleared_fen)
            ),
        )
        .await?;
        let stored = store::statement(&mut tx, id)
            .await?
            .ok_or_else(|| ServiceError::internal("clearing.lost", "清算单写入后未能读回"))?;
        issued.push(stored);
    }
    let peers = yibao_store::federation::all_peers(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Issued {
        month: month.key(),
        issued: issued.into_iter().map(|s| view_of(s, &peers)).collect(),
    })
}

fn statement_row(
    role: &str,
    month: Month,
    pair: &Pair,
    peer_id: Option<i64>,
    t: &Totals,
    digest: &str,
    now: &str,
) -> StatementRow {
    StatementRow {
        role: role.into(),
        month: month.key(),
        care_region: pair.care.as_str().into(),
        insured_region: pair.insured.as_str().into(),
        peer_id,
        line_count: t.line_count,
        total_fen: t.total_fen,
        pooled_fen: t.pooled_fen,
        critical_fen: t.critical_fen,
        aid_fen: t.aid_fen,
        account_fen: t.account_fen,
        cash_fen: t.cash_fen,
        cleared_fen: t.cleared_fen,
        digest: digest.into(),
        status: "awaiting".into(),
        issued_at: now.into(),
        ..StatementRow::default()
    }
}

fn line_row(
    statement_id: i64,
    role: &str,
    pair: &Pair,
    index: usize,
    l: &Line,
    dispute: Option<Dispute>,
) -> LineRow {
    LineRow {
        statement_id,
        role: role.into(),
        care_region: pair.care.as_str().into(),
        line_no: index as i64 + 1,
        settlement_ref: l.settlement_ref.clone(),
        kind: l.kind.key().into(),
        institution_code: l.institution_code.clone(),
        person_id_number: l.person_id_number.clone(),
        insured_region: l.insured_region.clone(),
        settled_on: l.settled_on.to_string(),
        booked_on: l.booked_on.to_string(),
        total_fen: l.amounts.total_fen,
        pooled_fen: l.amounts.pooled_fen,
        critical_fen: l.amounts.critical_fen,
        aid_fen: l.amounts.aid_fen,
        account_fen: l.amounts.account_fen,
        cash_fen: l.amounts.cash_fen,
        cleared_fen: l.cleared_fen(),
        dispute_code: dispute.map(|d| d.code().to_string()),
        ..LineRow::default()
    }
}

/// The insured side takes a statement: checks it is whole (digest and totals over its lines),
/// checks each line against the register and earlier statements, records it with its answer,
/// and returns the new statement's id and the answer.
async fn take_statement(
    conn: &mut Conn,
    services: &Services,
    body: &StatementBody,
    peer_id: Option<i64>,
) -> Result<(i64, ReconciledBody), ServiceError> {
    let month = Month::parse(&body.month).map_err(domain)?;
    let care: RegionCode = body.care_region.parse()?;
    let insured: RegionCode = body.insured_region.parse()?;
    let pair = rules::pair_of(&care, &insured)
        .filter(|p| p.care == care && p.insured == insured)
        .ok_or_else(|| {
            refused(
                "clearing.bad_pair",
                "清算单的就医地与参保地应为两个不同省份的省级区划代码",
            )
        })?;
    if body.lines.len() > rules::MAX_LINES_PER_MESSAGE {
        return Err(refused(
            "clearing.too_many_lines",
            "清算单明细超过一条消息可携带的笔数",
        ));
    }
    let totals = rules::totals(&body.lines).map_err(domain)?;
    let digest = statement_digest(month, &pair, &body.lines);
    if digest != body.digest || totals != body.totals {
        return Err(refused(
            "clearing.digest_mismatch",
            "清算单的摘要或合计与明细不符，未予接收",
        ));
    }
    if store::find(conn, INSURED, &month.key(), care.as_str(), insured.as_str())
        .await?
        .is_some()
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "clearing.already_received",
            message: format!(
                "已收到 {} {} 的清算单，不重复接收",
                month.key(),
                region_text(care.as_str())
            ),
            details: None,
        });
    }
    let mut facts = Vec::with_capacity(body.lines.len());
    for l in &body.lines {
        let periods = store::coverage_periods(conn, &l.person_id_number)
            .await?
            .into_iter()
            .filter_map(|p| {
                Some(CoveragePeriod {
                    region: p.region_code.parse().ok()?,
                    from: p
                        .start_date
                        .as_deref()
                        .unwrap_or(&p.registered_on)
                        .get(..10)?
                        .parse()
                        .ok()?,
                    to: p
                        .end_date
                        .as_deref()
                        .and_then(|d| d.get(..10)?.parse().ok()),
                    registered_only: p.status == "registered",
                })
            })
            .collect::<Vec<_>>();
        let (settlement_accepted, reversal_accepted) =
            store::accepted_before(conn, care.as_str(), &l.settlement_ref).await?;
        facts.push(LineFacts {
            insured_on_day: rules::insured_on(&periods, &insured, l.settled_on),
            settlement_accepted,
            reversal_accepted,
        });
    }
    let answer = rules::reconcile(month, &pair, &body.lines, &facts).map_err(domain)?;
    let now = services.clock().now_text();
    let row = statement_row(INSURED, month, &pair, peer_id, &totals, &digest, &now);
    let id = store::insert_statement(conn, &row).await?;
    let mut disputed = Vec::new();
    let mut disputes = answer.disputes.iter().peekable();
    for (i, l) in body.lines.iter().enumerate() {
        let dispute = match disputes.peek() {
            Some((at, d)) if *at == i => {
                let d = *d;
                disputes.next();
                Some(d)
            }
            _ => None,
        };
        store::insert_line(conn, &line_row(id, INSURED, &pair, i, l, dispute)).await?;
        if let Some(d) = dispute {
            disputed.push(DisputedLine {
                line_no: i as i64 + 1,
                settlement_ref: l.settlement_ref.clone(),
                kind: l.kind,
                code: d.code().to_string(),
            });
        }
    }
    store::set_reconciled(
        conn,
        id,
        (answer.accepted_count, answer.accepted_fen),
        (answer.disputed_count, answer.disputed_fen),
        &now,
    )
    .await?;
    Ok((
        id,
        ReconciledBody {
            month: month.key(),
            care_region: care.as_str().into(),
            insured_region: insured.as_str().into(),
            digest,
            accepted_count: answer.accepted_count,
            accepted_fen: answer.accepted_fen,
            disputed_count: answer.disputed_count,
            disputed_fen: answer.disputed_fen,
            disputed,
        },
    ))
}

/// The care side records the insured side's answer on its statement `id`, after checking the
/// answer is about the same lines (digest) and adds up against them.
async fn apply_answer(
    conn: &mut Conn,
    services: &Services,
    id: i64,
    a: &ReconciledBody,
) -> Result<(), ServiceError> {
    let bad = |why: &str| {
        refused(
            "clearing.bad_reconciliation",
            format!("对账结果与本方清算单不符：{why}"),
        )
    };
    let s = store::statement(conn, id)
        .await?
        .ok_or_else(|| bad("清算单不存在"))?;
    if s.digest != a.digest {
        return Err(bad("摘要不同"));
    }
    let lines = store::lines(conn, id).await?;
    let mut disputed_fen: i64 = 0;
    for d in &a.disputed {
        let line = lines
            .iter()
            .find(|l| l.line_no == d.line_no && l.settlement_ref == d.settlement_ref)
            .ok_or_else(|| bad(&format!("第 {} 行不在清算单上", d.line_no)))?;
        if Dispute::from_code(&d.code).is_none() {
            return Err(bad(&format!("未知的争议代码“{}”", d.code)));
        }
        disputed_fen = disputed_fen.saturating_add(line.cleared_fen);
    }
    let count = i64::try_from(a.disputed.len()).unwrap_or(i64::MAX);
    if count != a.disputed_count
        || a.accepted_count.saturating_add(a.disputed_count) != s.line_count
        || disputed_fen != a.disputed_fen
        || a.accepted_fen.saturating_add(a.disputed_fen) != s.cleared_fen
    {
        return Err(bad("笔数或金额合计不平"));
    }
    for d in &a.disputed {
        store::set_dispute(conn, id, d.line_no, &d.code).await?;
    }
    let done = store::set_reconciled(
        conn,
        id,
        (a.accepted_count, a.accepted_fen),
        (a.disputed_count, a.disputed_fen),
        &services.clock().now_text(),
    )
    .await?;
    if !done {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "clearing.already_reconciled",
            message: format!("清算单 {id} 已对账"),
            details: None,
        });
    }
    Ok(())
}

/// `clearing.statement` from the peer serving the care province: taken, checked and answered in
/// the inbox's transaction; the answer goes back in the same transaction.
pub(crate) async fn receive_statement(
    conn: &mut Conn,
    services: &Services,
    key: &crate::signing::InstanceKey,
    peer: &PeerRow,
    from_region: &str,
    body: StatementBody,
) -> Result<String, ServiceError> {
    let care: RegionCode = body.care_region.parse()?;
    if !peer
        .regions()
        .filter_map(|r| r.parse::<RegionCode>().ok())
        .any(|r| r.contains(&care) || care.contains(&r))
    {
        return Err(refused(
            "clearing.wrong_sender",
            "发来清算单的对端不服务清算单上的就医地",
        ));
    }
    // Only a statement of what this installation's province owes is taken here.
    let own: RegionCode = crate::federation::peers::own_region(conn).await?.parse()?;
    let insured: RegionCode = body.insured_region.parse()?;
    if !(insured.contains(&own) || own.contains(&insured)) {
        return Err(refused(
            "clearing.not_insured_here",
            format!(
                "清算单的参保地 {} 不是本机（{}）",
                insured.as_str(),
                own.as_str()
            ),
        ));
    }
    let (_, answer) = take_statement(conn, services, &body, Some(peer.id)).await?;
    let value = serde_json::to_value(&answer)
        .map_err(|e| ServiceError::internal("clearing.encode", format!("对账结果无法编码：{e}")))?;
    crate::federation::outbox::send(
        conn,
        services,
        key,
        from_region,
        MessageKind::ClearingReconciled,
        value,
    )
    .await?;
    Ok(format!(
        "收到 {} {} 清算单 {} 笔，确认 {} 笔 {}，争议 {} 笔",
        answer.month,
        region_text(&answer.care_region),
        answer.accepted_count + answer.disputed_count,
        answer.accepted_count,
        yibao_domain::Fen(answer.accepted_fen),
        answer.disputed_count
    ))
}

/// `clearing.reconciled` from the peer the statement went to.
pub(crate) async fn receive_reconciled(
    conn: &mut Conn,
    services: &Services,
    peer: &PeerRow,
    body: ReconciledBody,
) -> Result<String, ServiceError> {
    let s = store::find(
        conn,
        CARE,
        &body.month,
        &body.care_region,
        &body.insured_region,
    )
    .await?
    .filter(|s| s.peer_id == Some(peer.id))
    .ok_or_else(|| {
        ServiceError::not_found(
            "clearing.not_found",
            format!("本机没有发给该对端的 {} 清算单", body.month),
        )
    })?;
    apply_answer(conn, services, s.id, &body).await?;
    Ok(format!(
        "{} 清算单已对账：确认 {} 笔 {}，争议 {} 笔",
        body.month,
        body.accepted_count,
        yibao_domain::Fen(body.accepted_fen),
        body.disputed_count
    ))
}
