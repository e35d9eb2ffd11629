//! Transfer of basic medical insurance between regions (转移接续, issue #18), across two
//! installations: the leaving side issues the 参保凭证; the joining side registers the
//! application and sends the 联系函 (5 working days); the leaving side answers with the 信息表
//! and the personal-account balance (10 working days); the joining side completes (5 working
//! days). Each message is written to the outbox in the transaction of its step and applied by
//! the other side's inbox in the transaction of its effect (`federation`). Rules:
//! `yibao_domain::transfer`; docs/federation.md.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;
use yibao_domain::account::{AccountStatus, EntryKind};
use yibao_domain::calendar::HolidayCalendar;
use yibao_domain::catalog::FieldError;
use yibao_domain::enrolment::{CoverageCategory, CoverageStatus, Scheme};
use yibao_domain::federation::MessageKind;
use yibao_domain::ids::{mask_id_number, mask_name};
use yibao_domain::transfer::{covered_months, due_on, overdue, Side, Step};
use yibao_domain::{CitizenId, Fen};
use yibao_store::cases::CaseRow;
use yibao_store::transfer::{self as store, Advance, TransferRow};
use yibao_store::{coverage, enrolment, Conn, StoreError};

use crate::enrolment::records::{person_record_in, Certificate};
use crate::federation::outbox;
use crate::identity::Actor;
use crate::{ErrorKind, ServiceError, Services};

/// Statuses, per side.
pub const APPLIED: &str = "applied";
pub const LETTER_SENT: &str = "letter_sent";
pub const LETTER_RECEIVED: &str = "letter_received";
pub const SHEET_SENT: &str = "sheet_sent";
pub const SHEET_RECEIVED: &str = "sheet_received";
pub const COMPLETED: &str = "completed";
/// The leaving side refused the 联系函 (both sides).
pub const REFUSED: &str = "refused";

/// The document kind of a 参保凭证 among issued documents.
pub const CERTIFICATE_KIND: &str = "transfer_certificate";

pub fn status_label(status: &str) -> &'static str {
    match status {
        APPLIED => "已受理，待发联系函",
        LETTER_SENT => "已发联系函，待转出地信息表",
        LETTER_RECEIVED => "已收联系函，待发信息表",
        SHEET_SENT => "已发信息表并划转余额，待转入地办结",
        SHEET_RECEIVED => "已收信息表和余额，待办结",
        COMPLETED => "已办结",
        REFUSED => "转出地已退回",
        _ => "未知",
    }
}

/// `transfer.contact_letter` v1 (联系函).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactLetter {
    pub reference: String,
    pub id_number: String,
    pub name: String,
    /// The 参保凭证's verification code, checked by the leaving side against what it issued.
    pub certificate_code: String,
    pub applied_on: String,
}

/// One coverage period carried by the information sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub scheme: String,
    pub category: String,
    pub region_code: String,
    pub start_date: String,
    pub end_date: String,
}

/// `transfer.information_sheet` v1 (参保人员基本医疗保险信息表) with the balance moved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InformationSheet {
    pub reference: String,
    pub id_number: String,
    pub name: String,
    pub periods: Vec<Period>,
    pub covered_months: u32,
    /// The personal-account balance moved with the sheet, in fen.
    pub balance_fen: i64,
}

/// `transfer.refused` v1: the leaving side refuses the 联系函 of `reference`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refused {
    pub reference: String,
    /// The refusal's stable code (e.g. `transfer.certificate_mismatch`).
    pub code: String,
    /// Why, in words, for the joining side's clerk and the applicant.
    pub reason: String,
}

/// `transfer.completed` v1: the joining side has completed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Completed {
    pub reference: String,
    pub completed_on: String,
}

fn rule(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        kind,
        code,
        message: message.into(),
        details: None,
    }
}

fn owed_until(cal: &HolidayCalendar, step: Step, today: NaiveDate) -> String {
    let counted = due_on(cal, step, today);
    for w in &counted.warnings {
        tracing::warn!(warning = ?w, "transfer deadline counted without a schedule");
    }
    counted.value.to_string()
}

async fn find(conn: &mut Conn, side: Side, reference: &str) -> Result<TransferRow, ServiceError> {
    store::find_for_update(conn, side, reference)
        .await?
        .ok_or_else(|| {
            ServiceError::not_found(
                "transfer.not_found",
                format!("没有编号为 {reference} 的{}转移接续", side.label()),
            )
        })
}

fn expect_status(t: &TransferRow, status: &str) -> Result<(), ServiceError> {
    if t.status == status {
        return Ok(());
    }
    Err(rule(
        ErrorKind::Conflict,
        "transfer.wrong_status",
        format!(
            "转移接续 {} 当前为“{}”，不能办理此步骤",
            t.reference,
            status_label(&t.status)
        ),
    ))
}

/// The balance of every year of `person`'s account, in fen.
async fn account_balance(conn: &mut Conn, person: &str) -> Result<Fen, ServiceError> {
    let mut total = Fen::ZERO;
    for year in yibao_store::account::balance_years(conn, person).await? {
        if let Some(state) = yibao_store::settlement::read_accumulator(conn, person, year).await? {
            total = total
                .checked_add(crate::account::decode(&state)?.account_balance)
                .map_err(ServiceError::from_domain)?;
        }
    }
    Ok(total)
}

fn periods_of(lines: &[crate::enrolment::records::CoverageLine]) -> Vec<Period> {
    lines
        .iter()
        .map(|c| Period {
            scheme: c.scheme.key().to_string(),
            category: c.category.key().to_string(),
            region_code: c.region_code.clone(),
            start_date: c
                .start_date
                .clone()
                .unwrap_or_else(|| c.registered_on.clone()),
            end_date: c.end_date.clone().unwrap_or_default(),
        })
        .collect()
}

fn months_of(periods: &[Period], today: NaiveDate) -> u32 {
    let spans: Vec<(NaiveDate, Option<NaiveDate>)> = periods
        .iter()
        .filter_map(|p| {
            let start = p.start_date.parse().ok()?;
            Some((start, p.end_date.parse().ok()))
        })
        .collect();
    covered_months(&spans, today)
}

/// Builds and issues the 参保凭证 of `id` inside the caller's transaction; returns it with the
/// account balance it states.
async fn issue_certificate(
    conn: &mut Conn,
    now: &str,
    issued_by: &str,
    id: &CitizenId,
    today: NaiveDate,
) -> Result<(Certificate, Fen), ServiceError> {
    let person = enrolment::find_person_by_number(conn, id.as_str())
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    let record = person_record_in(conn, person).await?;
    let periods = periods_of(&record.coverages);
    let balance = account_balance(conn, id.as_str()).await?;
    let lines = vec![
        ("姓名".to_string(), record.person.name.clone()),
        ("证件号码".to_string(), record.person.id_number.clone()),
        ("参保地".to_string(), record.person.region_code.clone()),
        (
            "缴费月数".to_string(),
            months_of(&periods, today).to_string(),
        ),
        ("个人账户余额".to_string(), balance.to_string()),
        ("出具日期".to_string(), today.to_string()),
    ];
    let table: Vec<Vec<String>> = record
        .coverages
        .iter()
        .map(|c| {
            vec![
                c.scheme_label.to_string(),
                c.status_label.to_string(),
                c.region_code.clone(),
                c.start_date.clone().unwrap_or_default(),
                c.end_date.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut cert = Certificate {
        title: "基本医疗保险参保凭证",
        issued_on: today.to_string(),
        check_code: crate::enrolment::records::check_code(&lines, &table),
        verification_code: None,
        lines,
        table,
        table_head: vec!["险种", "参保状态", "参保地", "起始日期", "终止日期"],
    };
    crate::document::issue_in(
        conn,
        now,
        issued_by,
        CERTIFICATE_KIND,
        id.as_str(),
        &mut cert,
    )
    .await?;
    Ok((cert, balance))
}

/// 出具《参保凭证》 (leaving side): the person's coverage periods, months covered and account
/// balance, issued with a verification code (the same machinery as the 参保证明, /verify) that
/// the joining side quotes in its 联系函 and this side checks.
pub async fn certificate(
    services: &Services,
    actor: &Actor,
    id_number: &str,
) -> Result<Certificate, ServiceError> {
    let id: CitizenId = id_number.trim().parse()?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let (cert, balance) = issue_certificate(&mut tx, &now, &actor.display(), &id, today).await?;
    audit_certificate(&mut tx, services, actor, &id, &cert, balance).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(cert)
}

async fn audit_certificate(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    id: &CitizenId,
    cert: &Certificate,
    balance: Fen,
) -> Result<(), ServiceError> {
    crate::audit::record(
        conn,
        services,
        actor,
        "transfer.certificate",
        "person",
        id.as_str(),
        None,
        Some(&json!({"code": cert.verification_code, "balance_fen": balance.fen()})),
        "出具参保凭证",
    )
    .await
}

/// The effect of a completed 出具《参保凭证》 case (seed 000 item 05-1, 重庆/南川 18, 四川 15):
/// the certificate issued in the completing transaction, the case's outcome naming its
/// verification code (printable at `/verify`, quoted by the joining side's 联系函).
pub async fn certificate_effect(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let id: CitizenId = case.applicant_ref.parse()?;
    let now = services.clock().now_text();
    let (cert, balance) = issue_certificate(conn, &now, &case.number, &id, today).await?;
    let actor = Actor::System {
        label: actor_label.to_string(),
    };
    audit_certificate(conn, services, &actor, &id, &cert, balance).await?;
    let code = cert.verification_code.clone().unwrap_or_default();
    Ok(json!({
        "effect": "transfer.certificate",
        "text": format!("已出具《参保凭证》（核验码 {code}），可在“证明核验”页面（/verify）打印、核验；转入地办理转移接续时填写此核验码"),
        "verification_code": code,
        "certificate": cert,
    }))
}

/// The 转移接续 application's form checked when the case is opened, each problem with its
/// field: the leaving region is a region code, the 参保凭证's verification code has its shape.
pub fn check_form(form: &BTreeMap<String, String>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let value = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    if value("from_region")
        .parse::<yibao_domain::RegionCode>()
        .is_err()
    {
        errors.push(FieldError {
            field: "from_region".into(),
            code: "transfer.bad_region",
            message: "请填写转出地（原参保地）的6位区划代码".into(),
        });
    }
    if crate::document::normalise_code(value("certificate_code")).is_none() {
        errors.push(FieldError {
            field: "certificate_code".into(),
            code: "transfer.bad_certificate_code",
            message: "参保凭证核验码应为 16 位字母数字".into(),
        });
    }
    errors
}

/// The effect of a completed 转移接续 case at the joining side (seed 000 item 05-2, 重庆/南川
/// 19, 四川 16, 酉阳 16): the transfer is recorded and its 联系函 queued to the leaving side
/// in the completing transaction — the case completes when the letter leaves (within the 5
/// working days the guides give from acceptance); the 信息表 and the completion are the
/// transfer's own steps (`/staff/transfers`). The form (`transfer-application`) names the
/// leaving region and the 参保凭证's verification code.
pub async fn application_effect(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let form = &case.form.0;
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let a = Application {
        id_number: &case.applicant_ref,
        name: &case.applicant_name,
        from_region: &field("from_region"),
        certificate_code: &field("certificate_code"),
    };
    let actor = Actor::System {
        label: actor_label.to_string(),
    };
    let cal = crate::calendar::current(services).await?;
    let now = services.clock().now_text();
    let row = apply_in(conn, services, &actor, &a, &cal, today, &now).await?;
    // The peer is registered (checked above), so this installation's key exists: `peer add`
    // refuses the installation's own key, which it loads first.
    let key = services.instance_key().await?;
    let row = send_letter_in(conn, services, key, &actor, &row.reference, today, &now).await?;
    Ok(json!({
        "effect": "transfer.apply",
        "text": format!(
            "已受理转移接续（编号 {}），已向转出地 {} 发出《联系函》；转出地在收到后10个工作日内发出《信息表》并划转个人账户余额，本地收到后5个工作日内办结转入",
            row.reference, row.other_region
        ),
        "reference": row.reference,
        "from_region": row.other_region,
    }))
}

/// What the joining side's window records from a complete application.
pub struct Application<'a> {
    pub id_number: &'a str,
    pub name: &'a str,
    /// The leaving side's region code (printed on the 参保凭证).
    pub from_region: &'a str,
    pub certificate_code: &'a str,
}

/// 受理 (joining side): a complete application with the 参保凭证; the 联系函 is now owed within
/// 5 working days.
pub async fn apply(
    services: &Services,
    actor: &Actor,
    a: &Application<'_>,
) -> Result<TransferRow, ServiceError> {
    let cal = crate::calendar::current(services).await?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let row = apply_in(&mut tx, services, actor, a, &cal, today, &now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

async fn apply_in(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    a: &Application<'_>,
    cal: &HolidayCalendar,
    today: NaiveDate,
    now: &str,
) -> Result<TransferRow, ServiceError> {
    let id: CitizenId = a.id_number.trim().parse()?;
    let region: yibao_domain::RegionCode = a.from_region.trim().parse()?;
    let code = crate::document::normalise_code(a.certificate_code).ok_or_else(|| {
        rule(
            ErrorKind::Invalid,
            "transfer.bad_certificate_code",
            "参保凭证核验码应为 16 位字母数字",
        )
    })?;
    if a.name.trim().is_empty() {
        return Err(rule(ErrorKind::Invalid, "transfer.no_name", "请填写姓名"));
    }
    if crate::federation::peers::serving(conn, region.as_str())
        .await?
        .is_none()
    {
        return Err(rule(
            ErrorKind::Invalid,
            "federation.no_peer_for_region",
            format!(
                "转出地 {} 没有联网的对端，请到窗口按纸质流程办理",
                region.as_str()
            ),
        ));
    }
    let mut row = TransferRow {
        id: 0,
        reference: new_reference(),
        side: Side::Joining,
        other_region: region.as_str().to_string(),
        person_id_number: id.as_str().to_string(),
        person_name: a.name.trim().to_string(),
        certificate_code: code,
        status: APPLIED.into(),
        owed_step: Some(Step::Letter.key().into()),
        owed_since: Some(today.to_string()),
        due_on: Some(owed_until(cal, Step::Letter, today)),
        letter_sent_on: None,
        sheet_sent_on: None,
        completed_on: None,
        balance_fen: 0,
        covered_months: 0,
        sheet_json: String::new(),
        created_at: now.to_string(),
        updated_at: now.to_string(),
        refusal_reason: None,
    };
    row.id = store::insert(conn, &row).await?;
    crate::audit::record(
        conn,
        services,
        actor,
        "transfer.apply",
        "transfer",
        &row.reference,
        None,
        Some(&json!({"from": row.other_region, "person": row.person_id_number})),
        &format!("受理转移接续申请（转出地 {}）", row.other_region),
    )
    .await?;
    Ok(row)
}

fn new_reference() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("ZY{}", hex::encode_upper(b))
}

/// 发出《联系函》 (joining side): queued to the leaving side in this step's transaction.
pub async fn send_letter(
    services: &Services,
    actor: &Actor,
    reference: &str,
) -> Result<TransferRow, ServiceError> {
    staff_or_operator(actor)?;
    let key = services.instance_key().await?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let t = send_letter_in(&mut tx, services, key, actor, reference, today, &now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(t)
}

async fn send_letter_in(
    conn: &mut Conn,
    services: &Services,
    key: &crate::signing::InstanceKey,
    actor: &Actor,
    reference: &str,
    today: NaiveDate,
    now: &str,
) -> Result<TransferRow, ServiceError> {
    let t = find(conn, Side::Joining, reference).await?;
    expect_status(&t, APPLIED)?;
    let letter = ContactLetter {
        reference: t.reference.clone(),
        id_number: t.person_id_number.clone(),
        name: t.person_name.clone(),
        certificate_code: t.certificate_code.clone(),
        applied_on: t.owed_since.clone().unwrap_or_default(),
    };
    let body = serde_json::to_value(&letter)
        .map_err(|e| ServiceError::internal("transfer.encode", e.to_string()))?;
    outbox::send(
        conn,
        services,
        key,
        &t.other_region,
        MessageKind::TransferContactLetter,
        body,
    )
    .await?;
    let day = today.to_string();
    store::advance(
        conn,
        &Advance {
            id: t.id,
            from_status: APPLIED,
            status: LETTER_SENT,
            owed: None,
            letter_sent_on: Some(&day),
            sheet_sent_on: None,
            completed_on: None,
            balance_fen: None,
            covered_months: None,
            sheet_json: None,
            now,
        },
    )
    .await?;
    audit_step(
        conn,
        services,
        actor,
        &t.reference,
        "transfer.letter",
        "发出联系函",
    )
    .await?;
    find(conn, Side::Joining, reference).await
}

/// The steps are the agency's: its staff (pages, API) or the operator's command line.
fn staff_or_operator(actor: &Actor) -> Result<(), ServiceError> {
    if !matches!(actor, Actor::System { .. }) {
        actor.staff()?;
    }
    Ok(())
}

async fn audit_step(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    reference: &str,
    action: &str,
    summary: &str,
) -> Result<(), ServiceError> {
    crate::audit::record(
        conn, services, actor, action, "transfer", reference, None, None, summary,
    )
    .await
}

/// Inbox (leaving side): the 联系函 arrives. The 参保凭证 it quotes must be one this side issued
/// for the same person: then the 信息表 is owed within 10 working days. Otherwise the transfer
/// is recorded as refused here and a `transfer.refused` is queued back in the same transaction
/// (the letter itself is applied: retrying it could never succeed).
pub(crate) async fn receive_letter(
    conn: &mut Conn,
    services: &Services,
    key: &crate::signing::InstanceKey,
    cal: &HolidayCalendar,
    from_region: &str,
    letter: ContactLetter,
) -> Result<String, ServiceError> {
    let issued = yibao_store::document::find(conn, &letter.certificate_code).await?;
    let genuine =
        issued.is_some_and(|d| d.kind == CERTIFICATE_KIND && d.subject == letter.id_number);
    let today = services.clock().today();
    let now = services.clock().now_text();
    let mut row = TransferRow {
        id: 0,
        reference: letter.reference.clone(),
        side: Side::Leaving,
        other_region: from_region.to_string(),
        person_id_number: letter.id_number.clone(),
        person_name: letter.name.clone(),
        certificate_code: letter.certificate_code.clone(),
        status: LETTER_RECEIVED.into(),
        owed_step: Some(Step::Sheet.key().into()),
        owed_since: Some(today.to_string()),
        due_on: Some(owed_until(cal, Step::Sheet, today)),
        letter_sent_on: Some(letter.applied_on.clone()),
        sheet_sent_on: None,
        completed_on: None,
        balance_fen: 0,
        covered_months: 0,
        sheet_json: String::new(),
        created_at: now.clone(),
        updated_at: now.clone(),
        refusal_reason: None,
    };
    row.id = store::insert(conn, &row).await?;
    if !genuine {
        let reason =
            "联系函所附参保凭证核验码不是本地为该人员出具的参保凭证，请核对参保凭证后重新申请";
        store::refuse(conn, row.id, LETTER_RECEIVED, reason, &now).await?;
        let body = serde_json::to_value(Refused {
            reference: letter.reference.clone(),
            code: "transfer.certificate_mismatch".into(),
            reason: reason.into(),
        })
        .map_err(|e| ServiceError::internal("transfer.encode", e.to_string()))?;
        outbox::send(
            conn,
            services,
            key,
            from_region,
            MessageKind::TransferRefused,
            body,
        )
        .await?;
        tracing::warn!(reference = %letter.reference, from = from_region, "transfer refused: certificate not issued here for that person");
        return Ok(format!(
            "收到联系函（转移接续 {}，{}），参保凭证核验不符，已退回",
            letter.reference,
            mask_name(&letter.name)
        ));
    }
    Ok(format!(
        "收到联系函（转移接续 {}，{}），待发信息表",
        letter.reference,
        mask_name(&letter.name)
    ))
}

/// Inbox (joining side): the leaving side refused the letter; nothing more is owed on it, and
/// the reason is shown with the transfer.
pub(crate) async fn receive_refused(
    conn: &mut Conn,
    services: &Services,
    refused: Refused,
) -> Result<String, ServiceError> {
    let t = find(conn, Side::Joining, &refused.reference).await?;
    expect_status(&t, LETTER_SENT)?;
    let reason = format!("{}（{}）", refused.reason, refused.code);
    store::refuse(
        conn,
        t.id,
        LETTER_SENT,
        &reason,
        &services.clock().now_text(),
    )
    .await?;
    Ok(format!(
        "转出地退回转移接续 {}：{}",
        t.reference, refused.reason
    ))
}

/// 发出《信息表》并划转个人账户余额 (leaving side), in one transaction: every year's balance
/// leaves the account (a 转移接续转出 line each), the active coverage ends today, and the sheet
/// with the total is queued to the joining side — so the balance is debited exactly when the
/// message that credits it exists.
pub async fn send_sheet(
    services: &Services,
    actor: &Actor,
    reference: &str,
) -> Result<TransferRow, ServiceError> {
    staff_or_operator(actor)?;
    let key = services.instance_key().await?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let t = find(&mut tx, Side::Leaving, reference).await?;
    expect_status(&t, LETTER_RECEIVED)?;
    let id: CitizenId = t.person_id_number.parse()?;
    let person = enrolment::find_person(&mut tx, &id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    let (balance, _) = crate::account::pay_out(
        &mut tx,
        id.as_str(),
        EntryKind::TransferOut,
        &t.reference,
        &format!("转移接续转出至 {}", t.other_region),
        &actor.label(),
        &now,
    )
    .await?;
    let day = today.to_string();
    for c in coverage::list_for_person(&mut tx, person.id).await? {
        if c.status == CoverageStatus::Active || c.status == CoverageStatus::Suspended {
            yibao_store::enrolment::change_coverage_status(
                &mut tx,
                &yibao_store::enrolment::StatusChange {
                    coverage_id: c.id,
                    from: c.status,
                    to: CoverageStatus::Ended,
                    effective_on: &day,
                    reason: "transfer_out",
                    detail_json: &json!({"transfer": t.reference}).to_string(),
                    case_number: None,
                    now: &now,
                },
            )
            .await?;
        }
    }
    let record = person_record_in(&mut tx, person).await?;
    let periods = periods_of(&record.coverages);
    let sheet = InformationSheet {
        reference: t.reference.clone(),
        id_number: t.person_id_number.clone(),
        name: record.person.name.clone(),
        covered_months: months_of(&periods, today),
        periods,
        balance_fen: balance.fen(),
    };
    let body = serde_json::to_value(&sheet)
        .map_err(|e| ServiceError::internal("transfer.encode", e.to_string()))?;
    outbox::send(
        &mut tx,
        services,
        key,
        &t.other_region,
        MessageKind::TransferInformationSheet,
        body.clone(),
    )
    .await?;
    let sheet_json = body.to_string();
    store::advance(
        &mut tx,
        &Advance {
            id: t.id,
            from_status: LETTER_RECEIVED,
            status: SHEET_SENT,
            owed: None,
            letter_sent_on: None,
            sheet_sent_on: Some(&day),
            completed_on: None,
            balance_fen: Some(balance.fen()),
            covered_months: Some(i64::from(sheet.covered_months)),
            sheet_json: Some(&sheet_json),
            now: &now,
        },
    )
    .await?;
    audit_step(
        &mut tx,
        services,
        actor,
        &t.reference,
        "transfer.sheet",
        &format!("发出信息表并划转个人账户余额 {balance}"),
    )
    .await?;
    let t = find(&mut tx, Side::Leaving, reference).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(t)
}

/// Inbox (joining side): the 信息表 and the balance arrive; the balance is credited here, in
/// the inbox's transaction (so once); completion is now owed within 5 working days.
pub(crate) async fn receive_sheet(
    conn: &mut Conn,
    services: &Services,
    cal: &HolidayCalendar,
    sheet: InformationSheet,
) -> Result<String, ServiceError> {
    let t = find(conn, Side::Joining, &sheet.reference).await?;
    expect_status(&t, LETTER_SENT)?;
    if t.person_id_number != sheet.id_number {
        return Err(rule(
            ErrorKind::Invalid,
            "transfer.person_mismatch",
            "信息表的人员与联系函不一致",
        ));
    }
    let today = services.clock().today();
    let now = services.clock().now_text();
    let amount = Fen(sheet.balance_fen);
    if amount.is_negative() {
        return Err(rule(
            ErrorKind::Invalid,
            "transfer.negative_balance",
            "信息表的个人账户余额不能为负",
        ));
    }
    if amount.fen() > 0 {
        let status = yibao_store::account::status(conn, &t.person_id_number).await?;
        if status == AccountStatus::Closed {
            return Err(ServiceError::from_domain(
                yibao_domain::account::AccountError::Closed,
            ));
        }
        crate::account::post_entry(
            conn,
            status,
            &crate::account::Posting {
                person: &t.person_id_number,
                year: i64::from(today.year()),
                kind: EntryKind::TransferIn,
                amount,
                reference: &t.reference,
                note: &format!("转移接续转入（自 {}）", t.other_region),
                created_by: "federation",
                now: &now,
            },
        )
        .await?;
    }
    let body = serde_json::to_string(&sheet).unwrap_or_default();
    let since = today.to_string();
    let due = owed_until(cal, Step::Completion, today);
    store::advance(
        conn,
        &Advance {
            id: t.id,
            from_status: LETTER_SENT,
            status: SHEET_RECEIVED,
            owed: Some((Step::Completion, &since, &due)),
            letter_sent_on: None,
            sheet_sent_on: Some(&since),
            completed_on: None,
            balance_fen: Some(sheet.balance_fen),
            covered_months: Some(i64::from(sheet.covered_months)),
            sheet_json: Some(&body),
            now: &now,
        },
    )
    .await?;
    Ok(format!(
        "收到信息表（转移接续 {}），个人账户转入 {amount}，缴费月数 {}",
        t.reference, sheet.covered_months
    ))
}

/// 完成转入 (joining side): the person must be enrolled here; the carried periods are added to
/// their record as ended coverages of the leaving region (the 缴费年限 carried), a coverage of
/// the carried scheme is opened today unless one is active, and the leaving side is told.
pub async fn complete(
    services: &Services,
    actor: &Actor,
    reference: &str,
) -> Result<TransferRow, ServiceError> {
    staff_or_operator(actor)?;
    let key = services.instance_key().await?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let own_region = {
        let mut tx = services.store().begin_read().await?;
        crate::federation::peers::own_region(&mut tx).await?
    };
    let mut tx = services.store().begin().await?;
    let t = find(&mut tx, Side::Joining, reference).await?;
    expect_status(&t, SHEET_RECEIVED)?;
    let sheet: InformationSheet = serde_json::from_str(&t.sheet_json)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("transfer sheet: {e}"))))?;
    let id: CitizenId = t.person_id_number.parse()?;
    let person = enrolment::find_person(&mut tx, &id).await?.ok_or_else(|| {
        rule(
            ErrorKind::Invalid,
            "transfer.not_enrolled",
            "该人员尚未在本地参保登记，请先办理参保登记再办结转移接续",
        )
    })?;
    let existing = coverage::list_for_person(&mut tx, person.id).await?;
    let mut carried_active: Option<(Scheme, CoverageCategory)> = None;
    for p in &sheet.periods {
        let (Some(scheme), Some(category)) = (
            Scheme::from_key(&p.scheme),
            CoverageCategory::from_key(&p.category),
        ) else {
            continue;
        };
        if p.end_date.is_empty() || p.end_date == today.to_string() {
            carried_active = Some((scheme, category));
        }
        coverage::insert(
            &mut tx,
            &coverage::CoverageRow {
                id: 0,
                person_id: person.id,
                scheme,
                category,
                employer_id: None,
                region_code: p.region_code.clone(),
                status: CoverageStatus::Ended,
                registered_on: p.start_date.clone(),
                start_date: Some(p.start_date.clone()),
                end_date: Some(if p.end_date.is_empty() {
                    today.to_string()
                } else {
                    p.end_date.clone()
                }),
                case_number: Some(t.reference.clone()),
                created_at: now.clone(),
                updated_at: now.clone(),
            },
        )
        .await?;
    }
    if let Some((scheme, category)) = carried_active {
        let has_active = existing
            .iter()
            .any(|c| c.scheme == scheme && c.status == CoverageStatus::Active);
        if !has_active {
            coverage::insert(
                &mut tx,
                &coverage::CoverageRow {
                    id: 0,
                    person_id: person.id,
                    scheme,
                    category,
                    employer_id: None,
                    region_code: own_region.clone(),
                    status: CoverageStatus::Active,
                    registered_on: today.to_string(),
                    start_date: Some(today.to_string()),
                    end_date: None,
                    case_number: Some(t.reference.clone()),
                    created_at: now.clone(),
                    updated_at: now.clone(),
                },
            )
            .await?;
        }
    }
    let day = today.to_string();
    outbox::send(
        &mut tx,
        services,
        key,
        &t.other_region,
        MessageKind::TransferCompleted,
        json!(Completed {
            reference: t.reference.clone(),
            completed_on: day.clone(),
        }),
    )
    .await?;
    store::advance(
        &mut tx,
        &Advance {
            id: t.id,
            from_status: SHEET_RECEIVED,
            status: COMPLETED,
            owed: None,
            letter_sent_on: None,
            sheet_sent_on: None,
            completed_on: Some(&day),
            balance_fen: None,
            covered_months: None,
            sheet_json: None,
            now: &now,
        },
    )
    .await?;
    audit_step(
        &mut tx,
        services,
        actor,
        &t.reference,
        "transfer.complete",
        &format!("转移接续办结，接续缴费月数 {}", sheet.covered_months),
    )
    .await?;
    let t = find(&mut tx, Side::Joining, reference).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(t)
}

/// Inbox (leaving side): the joining side completed.
pub(crate) async fn receive_completed(
    conn: &mut Conn,
    services: &Services,
    done: Completed,
) -> Result<String, ServiceError> {
    let t = find(conn, Side::Leaving, &done.reference).await?;
    expect_status(&t, SHEET_SENT)?;
    store::advance(
        conn,
        &Advance {
            id: t.id,
            from_status: SHEET_SENT,
            status: COMPLETED,
            owed: None,
            letter_sent_on: None,
            sheet_sent_on: None,
            completed_on: Some(&done.completed_on),
            balance_fen: None,
            covered_months: None,
            sheet_json: None,
            now: &services.clock().now_text(),
        },
    )
    .await?;
    Ok(format!("转入地已办结转移接续 {}", t.reference))
}

/// A step this installation owes, as the supervisor's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OwedStep {
    pub reference: String,
    pub side: &'static str,
    pub person: String,
    pub id_number: String,
    pub other_region: String,
    pub step: &'static str,
    pub owed_since: String,
    pub due_on: String,
    pub overdue: bool,
}

/// Every step this installation owes on a transfer, soonest due first, overdue ones marked.
pub async fn owed(services: &Services, actor: &Actor) -> Result<Vec<OwedStep>, ServiceError> {
    // Staff of this installation, or its operator's command line.
    staff_or_operator(actor)?;
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    let rows = store::owed(&mut tx).await?;
    Ok(rows
        .into_iter()
        .filter_map(|t| {
            let step = t.owed()?;
            let due: NaiveDate = t.due_on.as_deref()?.parse().ok()?;
            Some(OwedStep {
                reference: t.reference,
                side: t.side.label(),
                person: mask_name(&t.person_name),
                id_number: mask_id_number(&t.person_id_number),
                other_region: t.other_region,
                step: step.label(),
                owed_since: t.owed_since.unwrap_or_default(),
                due_on: due.to_string(),
                overdue: overdue(due, today),
            })
        })
        .collect())
}

/// A transfer as `yibao transfer list`, the API and `/staff/transfers` show it: its status and,
/// when this side owes a step, the step (`letter`, `sheet`, `completion`), its limit and whether
/// it is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub reference: String,
    pub side: &'static str,
    /// `joining` (转入地) or `leaving` (转出地).
    pub side_key: &'static str,
    pub person: String,
    pub other_region: String,
    pub status: String,
    pub status_label: &'static str,
    pub balance_fen: i64,
    pub covered_months: i64,
    /// The step this side owes, if any.
    pub owed_step: Option<&'static str>,
    pub owed_step_label: Option<&'static str>,
    pub owed_since: Option<String>,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub letter_sent_on: Option<String>,
    pub sheet_sent_on: Option<String>,
    pub completed_on: Option<String>,
    /// Why the leaving side refused (status `refused`).
    pub refusal_reason: Option<String>,
}

fn view_of(t: TransferRow, today: NaiveDate) -> TransferView {
    let step = t.owed();
    let overdue = step.is_some()
        && t.due_on
            .as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .is_some_and(|d| overdue(d, today));
    TransferView {
        side: t.side.label(),
        side_key: t.side.key(),
        person: mask_name(&t.person_name),
        status_label: status_label(&t.status),
        owed_step: step.map(Step::key),
        owed_step_label: step.map(Step::label),
        owed_since: step.and(t.owed_since),
        due_on: step.and(t.due_on),
        overdue,
        reference: t.reference,
        other_region: t.other_region,
        status: t.status,
        balance_fen: t.balance_fen,
        covered_months: t.covered_months,
        letter_sent_on: t.letter_sent_on,
        sheet_sent_on: t.sheet_sent_on,
        completed_on: t.completed_on,
        refusal_reason: t.refusal_reason,
    }
}

/// Every transfer this installation takes part in (staff, operators; names masked).
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<TransferView>, ServiceError> {
    staff_or_operator(actor)?;
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    Ok(store::list(&mut tx)
        .await?
        .into_iter()
        .map(|t| view_of(t, today))
        .collect())
}

/// One transfer as staff see it, by its reference (a reference is on at most one side here,
/// unless both parties are this installation, which `peer add` refuses).
pub async fn view(
    services: &Services,
    actor: &Actor,
    reference: &str,
) -> Result<TransferView, ServiceError> {
    staff_or_operator(actor)?;
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    store::find(&mut tx, reference)
        .await?
        .map(|t| view_of(t, today))
        .ok_or_else(|| {
            ServiceError::not_found(
                "transfer.not_found",
                format!("没有编号为 {reference} 的转移接续"),
            )
        })
}

/// Does the step this side owes on `reference` (the pages' and the API's one button): the
/// letter, the sheet or the completion, each refused unless it is the owed one.
pub async fn advance(
    services: &Services,
    actor: &Actor,
    reference: &str,
    step: Step,
) -> Result<TransferView, ServiceError> {
    match step {
        Step::Letter => send_letter(services, actor, reference).await?,
        Step::Sheet => send_sheet(services, actor, reference).await?,
        Step::Completion => complete(services, actor, reference).await?,
    };
    view(services, actor, reference).await
}

/// One transfer on one side (tests, operators).
pub async fn get(
    services: &Services,
    side: Side,
    reference: &str,
) -> Result<Option<TransferRow>, ServiceError> {
    let mut tx = services.store().begin().await?;
    let t = store::find_for_update(&mut tx, side, reference).await?;
    tx.rollback().await.map_err(StoreError::from)?;
    Ok(t)
}
