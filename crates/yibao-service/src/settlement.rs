//! Real-time settlement for designated institutions (DESIGN §5): pre-settle (no writes), settle
//! (idempotent by the institution's request id; a retry returns the first result), reverse
//! (restores the accumulators exactly), query. Two counters never take the same deductible: the
//! person-year's accumulators are written either under their row lock, in the settlement's
//! transaction, or (PostgreSQL, most settlements) by one statement that writes only if they are
//! still as the settlement read them, and otherwise nothing (ADR 0017).

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yibao_domain::account::EntryKind;
use yibao_domain::benefit::{
    compute, AccumulatorDeltas, Accumulators, Bill, CatalogueRef, PersonFacts, PolicySet, VisitType,
};
use yibao_domain::codes::SettlementStatus;
use yibao_domain::filing::{care_rule, CareRule};
use yibao_domain::staff::StaffRole;
use yibao_domain::{CitizenId, Fen, RegionCode};
use yibao_store::settlement::{self as store, SettlementRow};
use yibao_store::{coverage, Conn, StoreError};

use crate::identity::{sha256_hex, Actor, InstitutionActor};
use crate::{audit, filing, ErrorKind, ServiceError, Services};

/// What an institution sends: its request id, the patient's ID number, the bill (national
/// field names accepted: mdtrt_id, med_type, feedetl_sn, det_item_fee_sumamt, chrgitm_lv …).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettleRequest {
    #[serde(alias = "msgid")]
    pub request_id: String,
    #[serde(alias = "certno")]
    pub id_number: String,
    /// 急诊、抢救: care elsewhere without a filing counts as filed.
    #[serde(default)]
    pub emergency: bool,
    /// The disease a chronic/special outpatient visit (医疗类别 14) is settled for: the
    /// qualification's disease code (`employee/18`) or name (national `dise_codg`).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "dise_codg")]
    pub disease: Option<String>,
    /// A maternity visit (national 医疗类别 51–53): what it pays for and when its event was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maternity: Option<crate::maternity::MaternityVisit>,
    pub bill: Bill,
}

fn rule_err(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        kind,
        code,
        message: message.into(),
        details: None,
    }
}

struct Prepared {
    person: CitizenId,
    year: i64,
    /// The qualification a chronic/special outpatient visit settles under.
    qualification: Option<yibao_domain::qualification::Qualification>,
    /// What a maternity visit pays for and the days of its event, recorded with the settlement.
    maternity: Option<crate::maternity::NetworkedEvent>,
    facts: PersonFacts,
    data: std::sync::Arc<crate::benefit_data::BenefitData>,
    policy_index: usize,
    care_region: RegionCode,
    /// The insured region whose policy applies (recorded for cross-province clearing).
    insured: RegionCode,
    care: CareRule,
}

impl Prepared {
    fn policy(&self) -> &PolicySet {
        &self.data.policies[self.policy_index]
    }

    /// The care region's catalogue if one was imported; otherwise the bill's lines carry their
    /// category and caps, as the national interface sends them (chrgitm_lv, pric_uplmt_amt).
    fn catalogue(&self) -> CatalogueRef<'_> {
        match self.data.catalogue_for(&self.care_region) {
            Some(c) => CatalogueRef::Indexed(c),
            None => CatalogueRef::None,
        }
    }
}

/// Everything the engine needs that does not change under the lock: coverage, scheme, policy,
/// care rule (filing).
async fn prepare(
    conn: &mut Conn,
    data: std::sync::Arc<crate::benefit_data::BenefitData>,
    inst: &InstitutionActor,
    req: &SettleRequest,
    person: CitizenId,
    found: Option<(coverage::CoverageRow, bool)>,
) -> Result<Prepared, ServiceError> {
    let (active, has_aid) = found.ok_or_else(|| {
        rule_err(
            ErrorKind::Invalid,
            "settlement.no_active_coverage",
            "未查到该人员的有效参保，不能联网结算",
        )
    })?;
    let scheme = active.category.benefit_scheme();
    let insured: RegionCode = active.region_code.parse()?;
    let care_region: RegionCode = inst.region_code.parse()?;
    let date = req.bill.date;
    // A maternity visit (national 医疗类别 51–53) asks the maternity eligibility first.
    let maternity = if req.bill.visit == yibao_domain::benefit::VisitType::Maternity {
        crate::maternity::check_realtime_eligibility(conn, active.person_id, &insured, date)
            .await?;
        Some(crate::maternity::check_realtime_event(conn, &person, req).await?)
    } else {
        None
    };
    let policy_index = data.policy_index(&insured, date).ok_or_else(|| {
        rule_err(
            ErrorKind::Invalid,
            "settlement.no_policy",
            format!(
                "参保地 {} 在 {date} 没有有效的待遇政策参数",
                insured.as_str()
            ),
        )
    })?;
    // Sichuan 38 (开通跨省异地就医直接结算), seed 000 item 07 (门诊费用跨省直接结算): an
    // institution settles patients insured in another province only once its agreement has
    // cross-province settlement opened; the filing rule below then decides.
    if !yibao_domain::institution::cross_province::may_settle(
        &insured,
        &care_region,
        inst.cross_province,
    ) {
        return Err(rule_err(
            ErrorKind::Invalid,
            "settlement.cross_province_not_open",
            "本机构医保服务协议未开通跨省异地就医直接结算，不能为外省参保人员联网结算",
        ));
    }
    // Filings matter only for care outside the insured pooling region.
    let local = matches!(
        (yibao_domain::filing::filing_target(&insured), yibao_domain::filing::filing_target(&care_region)),
        (Ok(a), Ok(b)) if a == b
    );
    let active_filing = if local {
        None
    } else {
        filing::active_for(conn, &person, &care_region, date).await?
    };
    let care = care_rule(
        &insured,
        &care_region,
        date,
        active_filing.as_ref(),
        req.emergency,
    );
    // Care elsewhere without a filing is not settled at the counter where the insured region's
    // rule says so (e.g. Chongqing: back to the insured region for manual reimbursement).
    if !care.direct_settlement() {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "settlement.not_direct",
            message: care.explanation(),
            details: None,
        });
    }
    // A chronic/special outpatient visit settles only under a qualification for its disease
    // valid on the visit date; the refusal tells the hospital why (none, expired, not yet).
    let qualification = if req.bill.visit == VisitType::ChronicOutpatient {
        Some(crate::qualification::for_visit(conn, &person, req.disease.as_deref(), date).await?)
    } else {
        None
    };
    // Real-time medical aid for a recognition in force on the visit date (an expired one
    // gives none); its paid total is the year's, shared with manual aid.
    let aid = if has_aid {
        crate::aid::category_for(conn, &person, date).await?
    } else {
        None
    };
    let mut facts = care.person_facts(scheme, aid);
    // The disease's own policy rule, where the policy sets one.
    facts.disease = qualification.as_ref().map(|q| q.disease_code.clone());
    Ok(Prepared {
        person,
        year: i64::from(date.year()),
        qualification,
        maternity,
        facts,
        policy_index,
        data,
        care_region,
        insured,
        care,
    })
}

fn initial_state(year: i64) -> String {
    serde_json::to_string(&Accumulators {
        year: Some(year as i32),
        ..Default::default()
    })
    .unwrap_or_else(|_| "{}".into())
}

fn decode_acc(text: &str) -> Result<Accumulators, ServiceError> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("accumulator: {e}"))))
}

/// A settlement's answer: the split line by line with the request id, its status and the
/// care rule it was made under (documented in the API as `SettlementResult`).
#[derive(Debug, Serialize)]
pub struct SettlementAnswer<X = yibao_domain::benefit::Explanation> {
    #[serde(flatten)]
    pub explanation: X,
    pub request_id: String,
    pub status: SettlementStatus,
    /// 就医地与参保地的关系及所适用的规定
    pub care_rule: String,
    /// 门诊慢特病（医疗类别 14）所依据的资格认定
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
}

/// The qualification a chronic visit settled under, as the answer states it.
fn qualification_text(q: Option<&yibao_domain::qualification::Qualification>) -> Option<String> {
    q.map(|q| {
        format!(
            "门诊慢特病（特病）资格：{}（{}），有效期 {} 至 {}，鉴定机构 {}",
            q.disease_name, q.scheme, q.valid_from, q.valid_to, q.certifier
        )
    })
}

/// A settlement reversed (撤销).
#[derive(Debug, Serialize)]
pub struct SettlementReversed {
    pub request_id: String,
    pub status: SettlementStatus,
}

/// Computes without writing anything (预结算).
pub async fn pre_settle(
    services: &Services,
    actor: &Actor,
    req: &SettleRequest,
) -> Result<SettlementAnswer, ServiceError> {
    let inst = actor.institution()?;
    let data = crate::benefit_data::data(services).await?;
    let person: CitizenId = req.id_number.parse()?;
    let mut tx = services.store().begin_read().await?;
    let found = coverage::active_for_settlement(&mut tx, person.as_str()).await?;
    let p = prepare(&mut tx, data, inst, req, person, found).await?;
    let acc = match store::read_accumulator(&mut tx, p.person.as_str(), p.year).await? {
        Some(t) => decode_acc(&t)?,
        None => decode_acc(&initial_state(p.year))?,
    };
    let mut x = compute(p.policy(), p.catalogue(), &p.facts, &acc, &req.bill)
        .map_err(ServiceError::from_domain)?;
    let now = services.clock().now_text();
    crate::account::draw_linked(&mut tx, &mut x, p.person.as_str(), p.year, &now, None).await?;
    Ok(SettlementAnswer {
        explanation: x,
        request_id: req.request_id.clone(),
        status: SettlementStatus::PreSettled,
        care_rule: p.care.explanation(),
        qualification: qualification_text(p.qualification.as_ref()),
    })
}

/// Settles (结算). A retry with the same request id and the same request returns the first
/// result; the same id with a different request is refused. Requests are compared as parsed (their
/// canonical serialisation), so key order, whitespace and national field aliases do not matter.
pub async fn settle(
    services: &Services,
    actor: &Actor,
    req: &SettleRequest,
) -> Result<AnswerText, ServiceError> {
    let inst = actor.institution()?;
    let request_id = req.request_id.trim();
    if request_id.is_empty() || request_id.len() > 64 {
        return Err(ServiceError::invalid(
            "settlement.request_id",
            "请求流水号（request_id）应为1至64个字符",
        ));
    }
    let payload = payload_hash(req)?;
    // No look-up first: a retry ends at the unique (institution, request id), or in an error if
    // things changed since; either way the first result is looked up then and returned. Retries
    // are rare, and a look-up before every settlement would cost every call.
    match settle_once(services, actor, inst, request_id, &payload, req).await {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut tx = services.store().begin_read().await?;
            match store::find(&mut tx, inst.institution_id, request_id).await? {
                Some(done) => replay(done, &payload),
                None => Err(e),
            }
        }
    }
}

/// How many times a settlement without a lock is tried before it takes the lock: each try
/// that finds the person-year changed was overtaken by another settlement of the same person.
const UNLOCKED_TRIES: usize = 3;

async fn settle_once(
    services: &Services,
    actor: &Actor,
    inst: &InstitutionActor,
    request_id: &str,
    payload: &str,
    req: &SettleRequest,
) -> Result<AnswerText, ServiceError> {
    // Loaded before the write transaction: while it holds the (SQLite) write lock it must not
    // wait for a second connection.
    let data = crate::benefit_data::data(services).await?;
    let person: CitizenId = req.id_number.parse()?;
    let year = i64::from(req.bill.date.year());
    let ctx = Context {
        services,
        actor,
        inst,
        request_id,
        payload,
        req,
    };
    // PostgreSQL: read, decide, then one statement that writes only if the person-year is still
    // as read (two round trips; a transaction adds BEGIN and COMMIT). Settlements that write a
    // second person's row or a maternity event, and a person settled by two counters at once,
    // take the lock below instead.
    for _ in 0..UNLOCKED_TRIES {
        let Some(mut conn) = services.store().autocommit().await? else {
            break;
        };
        let r = settle_unlocked(&ctx, &mut conn, data.clone(), person.clone(), year).await;
        // Both statements were read to their end: the connection is ready for the next
        // settlement as it is. After any other error it goes back to the pool to be tested.
        if matches!(r, Ok(_) | Err(ServiceError::Store(StoreError::Stale(_)))) {
            services.store().keep(conn);
        }
        match r {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => break,
            Err(ServiceError::Store(StoreError::Stale(_))) => continue,
            Err(e) => return Err(e),
        }
    }
    settle_locked(&ctx, data, person, year).await
}

/// What every step of one settlement needs to know of its call.
struct Context<'a> {
    services: &'a Services,
    actor: &'a Actor,
    inst: &'a InstitutionActor,
    request_id: &'a str,
    payload: &'a str,
    req: &'a SettleRequest,
}

/// Settles without a lock, guarded by what was read. `None`: this settlement needs the lock
/// (nothing was written).
async fn settle_unlocked(
    ctx: &Context<'_>,
    conn: &mut Conn,
    data: std::sync::Arc<crate::benefit_data::BenefitData>,
    person: CitizenId,
    year: i64,
) -> Result<Option<AnswerText>, ServiceError> {
    let now = ctx.services.clock().now_text();
    let mut peeked = store::peek_settlement(conn, person.as_str(), year).await?;
    let p = prepare(
        conn,
        data,
        ctx.inst,
        ctx.req,
        person,
        peeked.coverage.take(),
    )
    .await?;
    if p.maternity.is_some() {
        return Ok(None);
    }
    let acc = match &peeked.row {
        Some((state, _, _)) => decode_acc(state)?,
        None => decode_acc(&initial_state(year))?,
    };
    let x = compute(p.policy(), p.catalogue(), &p.facts, &acc, &ctx.req.bill)
        .map_err(ServiceError::from_domain)?;
    // 家庭共济 would write the holder's row too.
    if yibao_domain::account::linked_need(&x).fen() > 0 && peeked.holder.is_some() {
        return Ok(None);
    }
    let d = decide(ctx, &p, x, acc, peeked.tail(), &now)?;
    store::record(
        conn,
        peeked.guard(),
        &d.state,
        &d.row,
        &d.entry,
        d.account_line.as_ref(),
    )
    .await?;
    d.answer().map(Some)
}

/// Settles under the person-year's row lock, in one transaction (SQLite always; PostgreSQL for
/// what [`settle_unlocked`] leaves).
async fn settle_locked(
    ctx: &Context<'_>,
    data: std::sync::Arc<crate::benefit_data::BenefitData>,
    person: CitizenId,
    year: i64,
) -> Result<AnswerText, ServiceError> {
    let now = ctx.services.clock().now_text();
    let mut tx = ctx.services.store().begin().await?;
    // The person's year chain is appended under the accumulator lock taken here (no global
    // lock), in the same round trip as the coverage and account-link reads on PostgreSQL.
    let opened =
        store::open_settlement(&mut tx, person.as_str(), year, &initial_state(year), &now).await?;
    let p = prepare(&mut tx, data, ctx.inst, ctx.req, person, opened.coverage).await?;
    let acc = decode_acc(&opened.state)?;
    let mut x = compute(p.policy(), p.catalogue(), &p.facts, &acc, &ctx.req.bill)
        .map_err(ServiceError::from_domain)?;
    // 家庭共济: what the own account did not cover, from the linked holder's account (its row
    // locked after the user's; a holder is never a user, so the order never reverses).
    let mutual = crate::account::draw_linked(
        &mut tx,
        &mut x,
        p.person.as_str(),
        p.year,
        &now,
        Some(opened.holder),
    )
    .await?;
    let d = decide(ctx, &p, x, acc, opened.tail, &now)?;
    if let Some(m) = mutual {
        crate::account::post_mutual_aid(
            &mut tx,
            &m.holder,
            m.accumulators,
            p.year,
            EntryKind::Settlement,
            Fen(-m.paid.fen()),
            &d.reference,
            &ctx.actor.label(),
            &now,
        )
        .await?;
    }
    let settlement_id = store::record(
        &mut tx,
        store::Guard::Locked,
        &d.state,
        &d.row,
        &d.entry,
        d.account_line.as_ref(),
    )
    .await?;
    if let Some(event) = &p.maternity {
        crate::maternity::record_networked(&mut tx, settlement_id, p.person.as_str(), event, &now)
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    d.answer()
}

/// A settlement's answer as JSON text. Only this module makes one, by serialising (the
/// answer it stores, or a replay's), so it is valid JSON as it stands: the answer is sent as
/// these bytes instead of being parsed again on the hot path.
#[derive(Debug)]
pub struct AnswerText(String);

impl AnswerText {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Serialised for storing; a failure is ours (nothing is written).
fn to_text<T: Serialize>(v: &T, what: &str) -> Result<String, ServiceError> {
    serde_json::to_string(v).map_err(|e| {
        tracing::error!(error = %e, what, "settlement data not serialisable");
        ServiceError::internal(
            "settlement.serialise",
            "结算数据生成失败，请稍后重试或联系经办机构",
        )
    })
}

/// What a settlement writes, decided from what it read.
struct Decided {
    /// The person-year's accumulators after it.
    state: String,
    row: SettlementRow,
    entry: yibao_store::audit::AuditRow,
    /// What the personal account paid, as a line of its statement (none when it paid nothing).
    account_line: Option<yibao_store::account::EntryRow>,
    /// `{institution code}/{request id}`, the settlement's name in statements and the audit.
    reference: String,
}

impl Decided {
    /// The answer, once the write has landed.
    fn answer(self) -> Result<AnswerText, ServiceError> {
        audit::logged(&self.entry);
        Ok(AnswerText(self.row.result_json))
    }
}

fn decide(
    ctx: &Context<'_>,
    p: &Prepared,
    x: yibao_domain::benefit::Explanation,
    mut acc: Accumulators,
    tail: Option<(i64, String)>,
    now: &str,
) -> Result<Decided, ServiceError> {
    let (inst, request_id) = (ctx.inst, ctx.request_id);
    acc.apply(&x.deltas).map_err(ServiceError::from_domain)?;
    let reference = format!("{}/{request_id}", inst.code);
    let account_line = (x.account.fen() > 0).then(|| yibao_store::account::EntryRow {
        id: 0,
        person_id_number: p.person.as_str().to_string(),
        year: p.year,
        kind: EntryKind::Settlement,
        amount_fen: -x.account.fen(),
        balance_after_fen: acc.account_balance.fen(),
        reference: reference.clone(),
        note: String::new(),
        created_by: ctx.actor.label(),
        created_at: now.to_string(),
    });
    // Serialised once: stored as it is and answered as it is.
    let result = result_text(&x, &p.care, request_id, p.qualification.as_ref())?;
    let entry = audit::next_entry(
        ctx.services,
        ctx.actor,
        &audit::settlement_chain(p.person.as_str(), p.year),
        tail,
        audit::Entry {
            action: "settlement.settle",
            target_kind: "settlement",
            target_id: &reference,
            before_sha256: String::new(),
            after_sha256: sha256_hex(&result),
            summary: &format!(
                "{} 结算 {request_id}：医疗费用 {}，统筹基金 {}",
                inst.code, x.total, x.fund
            ),
        },
    );
    let row = SettlementRow {
        id: 0,
        institution_id: inst.institution_id,
        request_id: request_id.to_string(),
        payload_sha256: ctx.payload.to_string(),
        person_id_number: p.person.as_str().to_string(),
        year: p.year,
        admission_id: ctx.req.bill.admission_id.clone(),
        status: SettlementStatus::Settled,
        result_json: result,
        deltas_json: to_text(&x.deltas, "deltas")?,
        created_at: now.to_string(),
        reversed_at: None,
        sums: store::LedgerSums {
            month: ctx.services.clock().today().format("%Y-%m").to_string(),
            scheme: key_of(&x.scheme),
            visit_type: key_of(&x.visit),
            total_fen: x.total.fen(),
            pooled_fen: x.fund.fen(),
            critical_fen: x.critical_illness.fen(),
            aid_fen: x.aid.fen(),
            account_fen: x.account.fen() + x.account_mutual_aid.fen(),
            cash_fen: x.cash.fen(),
            insured_region: p.insured.as_str().to_string(),
        },
    };
    Ok(Decided {
        state: to_text(&acc, "accumulators")?,
        row,
        entry,
        account_line,
        reference,
    })
}

/// The serde key of a unit enum (scheme, visit type), as the stored result spells it.
fn key_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The settlement's answer as JSON text, serialised once: stored as it is and answered as it is.
fn result_text(
    x: &yibao_domain::benefit::Explanation,
    care: &CareRule,
    request_id: &str,
    qualification: Option<&yibao_domain::qualification::Qualification>,
) -> Result<String, ServiceError> {
    to_text(
        &SettlementAnswer {
            explanation: x,
            request_id: request_id.to_string(),
            status: SettlementStatus::Settled,
            care_rule: care.explanation(),
            qualification: qualification_text(qualification),
        },
        "answer",
    )
}

/// The hash a retry is compared by: of the parsed request, not of the bytes sent.
fn payload_hash(req: &SettleRequest) -> Result<String, ServiceError> {
    serde_json::to_string(req)
        .map(|canonical| sha256_hex(&canonical))
        .map_err(|e| ServiceError::invalid("settlement.request_invalid", e.to_string()))
}

fn replay(done: SettlementRow, payload: &str) -> Result<AnswerText, ServiceError> {
    if done.payload_sha256 != payload {
        return Err(rule_err(
            ErrorKind::Conflict,
            "settlement.request_id_reused",
            "该请求流水号已用于另一笔不同的结算",
        ));
    }
    let mut v: Value = serde_json::from_str(&done.result_json).map_err(|e| {
        ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
            "settlement result: {e}"
        )))
    })?;
    if let Value::Object(m) = &mut v {
        m.insert("status".into(), json!(done.status.key()));
        m.insert("replayed".into(), json!(true));
    }
    to_text(&v, "replayed answer").map(AnswerText)
}

/// Reverses a settlement (冲正/撤销): the accumulators get back exactly what it took.
pub async fn reverse(
    services: &Services,
    actor: &Actor,
    request_id: &str,
) -> Result<SettlementReversed, ServiceError> {
    let inst = actor.institution()?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let done = store::find(&mut tx, inst.institution_id, request_id.trim())
        .await?
        .ok_or_else(|| rule_err(ErrorKind::NotFound, "settlement.not_found", "未查到该结算"))?;
    if done.status != SettlementStatus::Settled {
        return Err(rule_err(
            ErrorKind::Conflict,
            "settlement.already_reversed",
            "该结算已撤销",
        ));
    }
    let deltas: AccumulatorDeltas = serde_json::from_str(&done.deltas_json)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("deltas: {e}"))))?;
    let (state, tail) = store::lock_accumulator(
        &mut tx,
        &done.person_id_number,
        done.year,
        &initial_state(done.year),
        &now,
    )
    .await?;
    let mut acc = decode_acc(&state)?;
    acc.revert(&deltas).map_err(ServiceError::from_domain)?;
    store::write_accumulator(
        &mut tx,
        &done.person_id_number,
        done.year,
        &serde_json::to_string(&acc).unwrap_or_default(),
        &now,
    )
    .await?;
    if deltas.account.fen() > 0 {
        yibao_store::account::insert_entry(
            &mut tx,
            &yibao_store::account::EntryRow {
                id: 0,
                person_id_number: done.person_id_number.clone(),
                year: done.year,
                kind: EntryKind::Reversal,
                amount_fen: deltas.account.fen(),
                balance_after_fen: acc.account_balance.fen(),
                reference: format!("{}/{}", inst.code, done.request_id),
                note: String::new(),
                created_by: actor.label(),
                created_at: now.clone(),
            },
        )
        .await?;
    }
    if let Some(m) = &deltas.mutual_aid {
        let (state, _) = store::lock_accumulator(
            &mut tx,
            &m.holder,
            done.year,
            &initial_state(done.year),
            &now,
        )
        .await?;
        crate::account::post_mutual_aid(
            &mut tx,
            &m.holder,
            decode_acc(&state)?,
            done.year,
            EntryKind::Reversal,
            m.amount,
            &format!("{}/{}", inst.code, done.request_id),
            &actor.label(),
            &now,
        )
        .await?;
    }
    if !store::mark_reversed(&mut tx, done.id, &done.sums.month, &now).await? {
        return Err(rule_err(
            ErrorKind::Conflict,
            "settlement.already_reversed",
            "该结算已撤销",
        ));
    }
    let entry = audit::next_entry(
        services,
        actor,
        &audit::settlement_chain(&done.person_id_number, done.year),
        tail,
        audit::Entry {
            action: "settlement.reverse",
            target_kind: "settlement",
            target_id: &format!("{}/{}", inst.code, done.request_id),
            before_sha256: sha256_hex(&done.result_json),
            after_sha256: sha256_hex(&json!({ "status": "reversed" }).to_string()),
            summary: &format!("{} 撤销结算 {}", inst.code, done.request_id),
        },
    );
    store::append_chain_entry(&mut tx, &entry).await?;
    tx.commit().await.map_err(StoreError::from)?;
    audit::logged(&entry);
    Ok(SettlementReversed {
        request_id: done.request_id,
        status: SettlementStatus::Reversed,
    })
}

/// The institution's own settlement by request id.
pub async fn query(
    services: &Services,
    actor: &Actor,
    request_id: &str,
) -> Result<Value, ServiceError> {
    let inst = actor.institution()?;
    let mut tx = services.store().begin_read().await?;
    let done = store::find(&mut tx, inst.institution_id, request_id.trim())
        .await?
        .ok_or_else(|| rule_err(ErrorKind::NotFound, "settlement.not_found", "未查到该结算"))?;
    let mut v: Value = serde_json::from_str(&done.result_json).map_err(|e| {
        ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
            "settlement result: {e}"
        )))
    })?;
    if let Value::Object(m) = &mut v {
        m.insert("status".into(), json!(done.status.key()));
    }
    Ok(v)
}

/// A person's accumulators for a year (for staff and tests).
pub async fn accumulators(
    services: &Services,
    id_number: &str,
    year: i64,
) -> Result<Accumulators, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    match store::read_accumulator(&mut tx, id_number, year).await? {
        Some(t) => decode_acc(&t),
        None => decode_acc(&initial_state(year)),
    }
}

/// Adds `amount` to the person's account balance of `year` and records the credit, inside the
/// caller's transaction (the finance correction below); returns the balance before and the
/// accumulators after. The one-posting case of `post_credits`.
pub(crate) async fn post_credit(
    tx: &mut yibao_store::Conn,
    p: &crate::account::Posting<'_>,
) -> Result<(yibao_domain::Fen, Accumulators), ServiceError> {
    let mut posted = post_credits(tx, std::slice::from_ref(p)).await?;
    let before = posted.before.first().copied().unwrap_or(Fen::ZERO);
    let acc = posted
        .after
        .remove(&(p.person.to_string(), p.year))
        .ok_or_else(|| ServiceError::Store(StoreError::Corrupt("account credit".into())))?;
    Ok((before, acc))
}

/// What `post_credits` did: the balance before each posting (in the order given) and each
/// person-year's accumulators after all of them.
pub(crate) struct Posted {
    pub before: Vec<yibao_domain::Fen>,
    pub after: std::collections::HashMap<(String, i64), Accumulators>,
}

/// Posts credits to many accounts inside the caller's transaction (the monthly contribution
/// run's chunk, the back pay effect, finance's credit), under the discipline of
/// `account::post_entry`: every person-year's accumulator row is taken under its row lock (the
/// upsert settlement takes, for all of them at once), so a settlement of the same person-year
/// either committed before (and its balance is read here) or waits for this transaction; each
/// posting moves the balance by the account rule (`account::post`: a closed account (一次性支取)
/// takes nothing and refuses with `account.closed`; a balance may not pass the input limit,
/// `account.balance_limit`) in the order given, so several postings to one person-year chain
/// their statement lines; and the balances, the statement lines and the credit rows are written
/// (set-based on PostgreSQL). A row the lock creates is created with its balance after the
/// postings (it starts from the initial state, so that is known before), which saves writing it
/// twice; a row that existed is locked and read in one statement. Any refusal fails the whole
/// call.
pub(crate) async fn post_credits(
    tx: &mut yibao_store::Conn,
    postings: &[crate::account::Posting<'_>],
) -> Result<Posted, ServiceError> {
    use std::collections::HashMap;
    let Some(now) = postings.first().map(|p| p.now) else {
        return Ok(Posted {
            before: Vec::new(),
            after: HashMap::new(),
        });
    };
    let mut keys: Vec<(&str, i64)> = postings.iter().map(|p| (p.person, p.year)).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut persons: Vec<&str> = keys.iter().map(|k| k.0).collect();
    persons.dedup();
    let closed = yibao_store::account::closed_among(tx, &persons).await?;
    let initial: HashMap<(&str, i64), Accumulators> = keys
        .iter()
        .map(|&(p, y)| Ok(((p, y), decode_acc(&initial_state(y))?)))
        .collect::<Result<_, ServiceError>>()?;
    // What a new row holds after the postings; if they are refused from the initial state, new
    // rows are created initial and the postings below refuse again from the real state.
    let guess = apply_postings(initial.clone(), postings, &closed).ok();
    let rows: Vec<(&str, i64, String)> = keys
        .iter()
        .map(|&(p, y)| {
            let acc = guess
                .as_ref()
                .and_then(|g| g.after.get(&(p, y)))
                .or_else(|| initial.get(&(p, y)));
            (p, y, acc.map(encode_acc).unwrap_or_default())
        })
        .collect();
    let locked = store::lock_accumulators(tx, &rows, now).await?;
    let created = locked.created;
    // A row that existed was read under the lock: the latest committed state.
    let mut bases = initial;
    let mut taken = created.len();
    for (person, year, state) in locked.existing {
        if let Ok(i) = keys.binary_search_by(|k| (k.0, k.1).cmp(&(person.as_str(), year))) {
            bases.insert(keys[i], decode_acc(&state)?);
            taken += 1;
        }
    }
    if taken != keys.len() {
        return Err(ServiceError::Store(StoreError::Corrupt(
            "accumulator lock".into(),
        )));
    }
    let applied = apply_postings(bases, postings, &closed)?;
    // Rows that existed, and new rows created without their final state, are written now.
    let written: Vec<(&str, i64, String)> = keys
        .iter()
        .filter(|&&(p, y)| guess.is_none() || !created.contains(&(p.to_string(), y)))
        .filter_map(|&(p, y)| Some((p, y, encode_acc(applied.after.get(&(p, y))?))))
        .collect();
    store::write_accumulators(tx, &written, now).await?;
    yibao_store::account::insert_entries(tx, &applied.entries).await?;
    store::insert_credits(tx, &applied.credits).await?;
    Ok(Posted {
        before: applied.before,
        after: applied
            .after
            .into_iter()
            .map(|((p, y), acc)| ((p.to_string(), y), acc))
            .collect(),
    })
}

fn encode_acc(acc: &Accumulators) -> String {
    serde_json::to_string(acc).unwrap_or_default()
}

/// The postings applied, in order, to the person-years' accumulators `bases` (pure).
struct Applied<'a> {
    before: Vec<yibao_domain::Fen>,
    after: std::collections::HashMap<(&'a str, i64), Accumulators>,
    entries: Vec<yibao_store::account::EntryRow>,
    credits: Vec<store::CreditRow>,
}

fn apply_postings<'a>(
    mut bases: std::collections::HashMap<(&'a str, i64), Accumulators>,
    postings: &[crate::account::Posting<'a>],
    closed: &std::collections::HashSet<String>,
) -> Result<Applied<'a>, ServiceError> {
    use yibao_domain::account::AccountStatus;
    let mut before = Vec::with_capacity(postings.len());
    let mut entries = Vec::with_capacity(postings.len());
    let mut credits = Vec::with_capacity(postings.len());
    for p in postings {
        let acc = bases
            .get_mut(&(p.person, p.year))
            .ok_or_else(|| ServiceError::Store(StoreError::Corrupt("accumulator lock".into())))?;
        let status = if closed.contains(p.person) {
            AccountStatus::Closed
        } else {
            AccountStatus::Open
        };
        let after = yibao_domain::account::post(acc.account_balance, status, p.kind, p.amount)
            .map_err(ServiceError::from_domain)?;
        before.push(acc.account_balance);
        acc.account_balance = after;
        entries.push(yibao_store::account::EntryRow {
            id: 0,
            person_id_number: p.person.to_string(),
            year: p.year,
            kind: p.kind,
            amount_fen: p.amount.fen(),
            balance_after_fen: after.fen(),
            reference: p.reference.to_string(),
            note: p.note.to_string(),
            created_by: p.created_by.to_string(),
            created_at: p.now.to_string(),
        });
        credits.push(store::CreditRow {
            id: 0,
            person_id_number: p.person.to_string(),
            year: p.year,
            amount_fen: p.amount.fen(),
            note: p.note.to_string(),
            created_by: p.created_by.to_string(),
            created_at: p.now.to_string(),
        });
    }
    Ok(Applied {
        before,
        after: bases,
        entries,
        credits,
    })
}

/// Credits a person's account (个人账户划入) for `year` with what the contribution system
/// reports, under the same row lock settlement takes; finance of the person's agency only.
pub async fn credit_account(
    services: &Services,
    actor: &Actor,
    person_id: i64,
    year: i64,
    amount: yibao_domain::Fen,
    note: &str,
) -> Result<Accumulators, ServiceError> {
    let staff = actor.staff()?;
    staff.require(StaffRole::Finance)?;
    if amount.fen() <= 0 || !amount.is_input() {
        return Err(ServiceError::invalid(
            "account.amount",
            format!(
                "划入金额应大于零且不超过 {}",
                yibao_domain::money::MAX_INPUT
            ),
        ));
    }
    if note.trim().is_empty() {
        return Err(ServiceError::invalid(
            "account.note",
            "请注明划入依据（如缴费核定、月份）",
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(ServiceError::invalid("account.year", "年度不正确"));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let person = yibao_store::enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .filter(|p| staff.serves(&p.region_code))
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    let label = actor.label();
    let (before, acc) = post_credit(
        &mut tx,
        &crate::account::Posting {
            person: &person.id_number,
            year,
            kind: yibao_domain::account::EntryKind::Credit,
            amount,
            reference: "finance",
            note: note.trim(),
            created_by: &label,
            now: &now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "account.credit",
        "person",
        &person.id_number,
        Some(&json!({ "account_balance": before.fen(), "year": year })),
        Some(&json!({ "account_balance": acc.account_balance.fen(), "note": note.trim() })),
        &format!("个人账户划入 {}（{year}年度）", amount),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(acc)
}

/// A settlement as the staff list shows it: amounts from its stored answer, the person masked.
#[derive(Debug, Clone, Serialize)]
pub struct SettlementListItem {
    pub request_id: String,
    pub institution_code: String,
    pub institution_name: String,
    pub person: String,
    pub status: SettlementStatus,
    pub total_fen: i64,
    pub funds_fen: i64,
    pub person_fen: i64,
    pub created_at: String,
    pub reversed_at: Option<String>,
}

/// The amounts of a stored answer the list shows.
#[derive(Deserialize, Default)]
struct Amounts {
    #[serde(default)]
    total: i64,
    #[serde(default)]
    funds_total: i64,
    #[serde(default)]
    person_share: i64,
}

/// Settlements at the institutions of the staff member's region (finance, supervisors,
/// auditors), newest first, found by request id, ID number, or institution code or name.
pub async fn list_in_region(
    services: &Services,
    actor: &Actor,
    text: &str,
    span: crate::paging::Span,
) -> Result<crate::paging::Paged<SettlementListItem>, ServiceError> {
    let staff = actor.staff()?;
    if ![
        StaffRole::Finance,
        StaffRole::Supervisor,
        StaffRole::Auditor,
    ]
    .iter()
    .any(|r| staff.has_role(*r))
    {
        return Err(crate::identity::forbidden(
            "auth.forbidden",
            "结算记录仅限财务、监督或审计岗位查看",
        ));
    }
    let mut tx = services.store().begin_read().await?;
    let found = store::search_in_region(
        &mut tx,
        staff.agency_region.contained_prefix(),
        text,
        span.window(),
    )
    .await?;
    let mut items = Vec::with_capacity(found.rows.len());
    for r in found.rows {
        let a: Amounts = serde_json::from_str(&r.result_json).map_err(|e| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "settlement {}: {e}",
                r.request_id
            )))
        })?;
        items.push(SettlementListItem {
            person: yibao_domain::ids::mask_id_number(&r.person_id_number),
            request_id: r.request_id,
            institution_code: r.institution_code,
            institution_name: r.institution_name,
            status: r.status,
            total_fen: a.total,
            funds_fen: a.funds_total,
            person_fen: a.person_share,
            created_at: r.created_at,
            reversed_at: r.reversed_at,
        });
    }
    Ok(crate::paging::Paged::new(items, span, found.total))
}
