//! Personal accounts (个人账户): the one-time withdrawal effect (一次性支取) and the statement
//! every change to a balance writes. The balance is kept on the person's accumulator row per
//! year (where settlement takes it under the row lock); each change here takes the same lock.
//! Rules: `yibao_domain::account`; docs/accounts.md.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use yibao_domain::account::{
    check_withdrawal, post, AccountStatus, EntryKind, HolderFacts, PayTo, WithdrawalDecision,
    WithdrawalJurisdiction, WithdrawalRequest,
};
use yibao_domain::benefit::Accumulators;
use yibao_domain::catalog::Item;
use yibao_domain::enrolment::CoverageStatus;
use yibao_domain::{CitizenId, Fen};
use yibao_store::account::{self as store, EntryRow};
use yibao_store::cases::CaseRow;
use yibao_store::settlement as acc_store;
use yibao_store::{coverage, enrolment, Conn, StoreError};

use crate::{ErrorKind, ServiceError, Services};

fn initial(year: i64) -> String {
    serde_json::to_string(&Accumulators {
        year: i32::try_from(year).ok(),
        ..Default::default()
    })
    .unwrap_or_else(|_| "{}".into())
}

pub(crate) fn decode(text: &str) -> Result<Accumulators, ServiceError> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("accumulator: {e}"))))
}

/// What posting an entry needs besides the amount.
pub struct Posting<'a> {
    pub person: &'a str,
    pub year: i64,
    pub kind: EntryKind,
    pub amount: Fen,
    pub reference: &'a str,
    pub note: &'a str,
    pub created_by: &'a str,
    pub now: &'a str,
}

/// Posts one entry: takes the person's accumulator row for the year, moves its balance by the
/// checked rule (`account::post`) and writes the statement line, in the caller's transaction.
/// Returns the balance before and the accumulators after.
pub async fn post_entry(
    conn: &mut Conn,
    status: AccountStatus,
    p: &Posting<'_>,
) -> Result<(Fen, Accumulators), ServiceError> {
    let (state, _) =
        acc_store::lock_accumulator(conn, p.person, p.year, &initial(p.year), p.now).await?;
    let mut acc = decode(&state)?;
    let before = acc.account_balance;
    let after = post(before, status, p.kind, p.amount).map_err(ServiceError::from_domain)?;
    acc.account_balance = after;
    acc_store::write_accumulator(
        conn,
        p.person,
        p.year,
        &serde_json::to_string(&acc).unwrap_or_default(),
        p.now,
    )
    .await?;
    store::insert_entry(
        conn,
        &EntryRow {
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
        },
    )
    .await?;
    Ok((before, acc))
}

/// The holder's account status and coverage as the withdrawal rules need them.
async fn holder_facts(conn: &mut Conn, holder: &CitizenId) -> Result<HolderFacts, ServiceError> {
    let person = enrolment::find_person(conn, holder)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "未查到该参保人员"))?;
    let periods = coverage::list_for_person(conn, person.id).await?;
    if !periods
        .iter()
        .any(|c| c.scheme == yibao_domain::enrolment::Scheme::Employee)
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "account.not_employee",
            message: "个人账户一次性支取的服务对象是职工基本医疗保险参保人员，\
                      未查到该人员的职工医保参保记录"
                .into(),
            details: None,
        });
    }
    let coverage_active = periods.iter().any(|c| c.status == CoverageStatus::Active);
    let coverage_ended_on = periods
        .iter()
        .filter(|c| matches!(c.status, CoverageStatus::Suspended | CoverageStatus::Ended))
        .filter_map(|c| c.end_date.as_deref()?.parse::<NaiveDate>().ok())
        .max();
    Ok(HolderFacts {
        status: store::status(conn, holder.as_str()).await?,
        coverage_active,
        coverage_ended_on,
    })
}

fn jurisdiction(item: &Item) -> Result<WithdrawalJurisdiction, ServiceError> {
    WithdrawalJurisdiction::from_key(&item.jurisdiction).ok_or_else(|| {
        ServiceError::invalid(
            "account.jurisdiction",
            format!("{} 的办事指南没有个人账户一次性支取事项", item.jurisdiction),
        )
    })
}

/// Decides the case's withdrawal from its form and the holder's record, without writing: run
/// when the case is approved for payment, and again in the paying transaction.
pub async fn decide_withdrawal(
    conn: &mut Conn,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<WithdrawalDecision, ServiceError> {
    let form = crate::effects::form_map(case);
    let req = WithdrawalRequest::from_form(&form).map_err(ServiceError::from_domain_list)?;
    let holder: CitizenId = case.applicant_ref.parse()?;
    let facts = holder_facts(conn, &holder).await?;
    let decision = check_withdrawal(jurisdiction(item)?, &req, &holder, facts, today)
        .map_err(ServiceError::from_domain)?;
    if let PayTo::HeirAccount { heir } = &decision.pay_to {
        heir_account(conn, heir).await?;
    }
    Ok(decision)
}

/// An heir inheriting into their own account (继承) must hold one: employee insurance in
/// force, account open.
async fn heir_account(conn: &mut Conn, heir: &CitizenId) -> Result<(), ServiceError> {
    let active = coverage::active_for_id_number(conn, heir.as_str()).await?;
    if active.is_none_or(|c| c.scheme != yibao_domain::enrolment::Scheme::Employee) {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "account.heir_no_account",
            message: "继承人没有正常参保的职工医保个人账户，不能选择继承；请选择返还至银行账户"
                .into(),
            details: None,
        });
    }
    if store::status(conn, heir.as_str()).await? == AccountStatus::Closed {
        return Err(ServiceError::from_domain(
            yibao_domain::account::AccountError::Closed,
        ));
    }
    Ok(())
}

/// Pays out every year's balance of `holder` (a line of `kind` each, under each row's lock);
/// returns the total and the amount per year.
pub(crate) async fn pay_out(
    conn: &mut Conn,
    holder: &str,
    kind: EntryKind,
    reference: &str,
    note: &str,
    actor_label: &str,
    now: &str,
) -> Result<(Fen, Vec<Value>), ServiceError> {
    let mut total = Fen::ZERO;
    let mut years = Vec::new();
    for year in store::balance_years(conn, holder).await? {
        let (state, _) =
            acc_store::lock_accumulator(conn, holder, year, &initial(year), now).await?;
        let balance = decode(&state)?.account_balance;
        if balance.fen() == 0 {
            continue;
        }
        let negative = Fen(0)
            .checked_sub(balance)
            .map_err(ServiceError::from_domain)?;
        post_entry(
            conn,
            AccountStatus::Open,
            &Posting {
                person: holder,
                year,
                kind,
                amount: negative,
                reference,
                note,
                created_by: actor_label,
                now,
            },
        )
        .await?;
        total = total
            .checked_add(balance)
            .map_err(ServiceError::from_domain)?;
        years.push(json!({ "year": year, "amount_fen": balance.fen() }));
    }
    Ok((total, years))
}

/// The cross-province long-term filing that entitles the case's applicant to the transfer
/// (seed 001 item 14), and the card account it is paid to: checked when the case is approved for
/// payment and again when it pays.
pub async fn decide_transfer(
    conn: &mut Conn,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<
    (
        yibao_domain::filing::Filing,
        yibao_domain::reimbursement::PayeeAccount,
    ),
    ServiceError,
> {
    let form = crate::effects::form_map(case);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let payee = yibao_domain::reimbursement::PayeeAccount {
        bank: get("bank"),
        account: get("bank_account"),
        holder: case.applicant_name.clone(),
    }
    .normalised()
    .map_err(ServiceError::from_domain_list)?;
    let holder: CitizenId = case.applicant_ref.parse()?;
    let active = coverage::active_for_id_number(conn, holder.as_str()).await?;
    if active.is_none_or(|c| c.scheme != yibao_domain::enrolment::Scheme::Employee) {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "account.not_employee",
            message: "个人账户资金划转的服务对象是正常参保的职工基本医疗保险参保人员".into(),
            details: None,
        });
    }
    let filings = yibao_store::filing::list_for_person(conn, holder.as_str())
        .await?
        .iter()
        .map(|r| {
            serde_json::from_str::<yibao_domain::filing::Filing>(&r.filing_json).map_err(|e| {
                ServiceError::Store(StoreError::Corrupt(format!("filing {}: {e}", r.id)))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let status = store::status(conn, holder.as_str()).await?;
    let filing =
        yibao_domain::account::check_cross_province_transfer(&filings, &holder, status, today)
            .map_err(ServiceError::from_domain)?
            .clone();
    Ok((filing, payee))
}

/// The effect of completing a cross-province transfer case: every year's balance is paid to
/// the person's social-security-card account (a `transfer` line each); the account stays open.
pub async fn transfer(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let (filing, payee) = decide_transfer(conn, case, today).await?;
    let now = services.clock().now_text();
    let note = format!(
        "跨省异地长期备案（{}，备案号 {}）",
        filing.kind.label(),
        filing.id
    );
    let (total, years) = pay_out(
        conn,
        &case.applicant_ref,
        EntryKind::Transfer,
        &case.number,
        &note,
        actor_label,
        &now,
    )
    .await?;
    let text = format!(
        "个人账户资金划转：{note}，划转 {total} 至社会保障卡金融账户 {} {}",
        payee.bank,
        payee.masked()
    );
    crate::audit::record(
        conn,
        services,
        &crate::identity::Actor::System {
            label: actor_label.to_string(),
        },
        "account.transfer",
        "person",
        &case.applicant_ref,
        None,
        Some(&json!({ "paid_fen": total.fen(), "case": case.number, "filing": filing.id })),
        &text,
    )
    .await?;
    Ok(json!({
        "effect": "account.cross_province_transfer",
        "filing": filing.id,
        "paid_fen": total.fen(),
        "years": years,
        "text": text,
    }))
}

/// The effect of completing a one-time withdrawal case: every year's balance is paid out
/// (an entry each), the account is closed, and on inheritance the total is credited to the
/// heir's account for the current year.
pub async fn withdraw(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let decision = decide_withdrawal(conn, case, item, today).await?;
    let holder = case.applicant_ref.as_str();
    let now = services.clock().now_text();
    if !store::close(conn, holder, &case.number, &now).await? {
        return Err(ServiceError::from_domain(
            yibao_domain::account::AccountError::Closed,
        ));
    }
    let note = format!("一次性支取（{}）", decision.ground.label());
    let (total, years) = pay_out(
        conn,
        holder,
        EntryKind::Withdrawal,
        &case.number,
        &note,
        actor_label,
        &now,
    )
    .await?;
    let to_text = match &decision.pay_to {
        PayTo::HeirAccount { heir } => {
            if total.fen() > 0 {
                post_entry(
                    conn,
                    AccountStatus::Open,
                    &Posting {
                        person: heir.as_str(),
                        year: i64::from(today.year()),
                        kind: EntryKind::Inheritance,
                        amount: total,
                        reference: &case.number,
                        note: &format!("继承 {} 的个人账户余额", case.applicant_name),
                        created_by: actor_label,
                        now: &now,
                    },
                )
                .await?;
            }
            format!("转入继承人 {} 的个人账户", heir.masked())
        }
        PayTo::Bank { payee } => {
            format!("返还至 {} {} {}", payee.bank, payee.holder, payee.masked())
        }
    };
    let heir_text = decision
        .heir
        .as_ref()
        .map(|h| {
            format!(
                "；继承人 {}（{}，{}）",
                h.name,
                h.relationship.label(),
                h.id_number.masked()
            )
        })
        .unwrap_or_default();
    crate::audit::record(
        conn,
        services,
        &crate::identity::Actor::System {
            label: actor_label.to_string(),
        },
        "account.withdrawal",
        "person",
        holder,
        Some(&json!({ "status": "open" })),
        Some(&json!({ "status": "closed", "paid_fen": total.fen(), "case": case.number })),
        &format!(
            "个人账户一次性支取 {total}（办件 {}），账户注销",
            case.number
        ),
    )
    .await?;
    Ok(json!({
        "effect": "account.one_time_withdrawal",
        "ground": decision.ground.key(),
        "method": decision.method.key(),
        "paid_fen": total.fen(),
        "years": years,
        "account_status": AccountStatus::Closed.key(),
        "text": format!(
            "个人账户一次性支取（{}，{}）：支取 {total}，{to_text}{heir_text}；个人账户已注销",
            decision.ground.label(),
            decision.method.label()
        ),
    }))
}

#[cfg(test)]
mod tests {
    use yibao_domain::account::{
        Relationship, WithdrawalGround, WithdrawalMethod, WITHDRAWAL_FORM_FIELDS,
    };

    /// The withdrawal form's fields are the ones the domain reads, and its choice lists are the
    /// domain's labels.
    #[test]
    fn the_withdrawal_form_matches_the_domain() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let form = catalog.form("account-withdrawal").expect("form");
        let keys: Vec<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, WITHDRAWAL_FORM_FIELDS);
        let choices = |key: &str| -> Vec<String> {
            form.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.choices.clone())
                .unwrap_or_default()
        };
        assert_eq!(choices("ground"), WithdrawalGround::labels());
        assert_eq!(choices("method"), WithdrawalMethod::labels());
        assert_eq!(choices("heir_relationship"), Relationship::labels());
        assert!(form.basis.is_some() && form.source.is_none());
    }
}

/// The effect of completing an account-linking case (个人账户关联): the holder (the applicant)
/// links the named user, or revokes that link.
pub async fn link(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    use yibao_domain::account::{check_link, LinkAction, LinkFacts, LinkRequest};
    let form = crate::effects::form_map(case);
    let req = LinkRequest::from_form(&form).map_err(ServiceError::from_domain_list)?;
    let holder: CitizenId = case.applicant_ref.parse()?;
    let now = services.clock().now_text();
    let employee = |c: Option<yibao_store::coverage::CoverageRow>| {
        c.is_some_and(|c| c.scheme == yibao_domain::enrolment::Scheme::Employee)
    };
    let text = match req.action {
        LinkAction::Link => {
            let relationship = req.relationship.ok_or_else(|| {
                ServiceError::invalid("account.form", "建立关联请填写使用人与提供人的关系")
            })?;
            let facts = LinkFacts {
                holder_active_employee: employee(
                    coverage::active_for_id_number(conn, holder.as_str()).await?,
                ),
                user_active_employee: employee(
                    coverage::active_for_id_number(conn, req.user.as_str()).await?,
                ),
                holder_account_open: store::status(conn, holder.as_str()).await?
                    == AccountStatus::Open,
                user_has_link: store::active_holder_of(conn, req.user.as_str())
                    .await?
                    .is_some(),
                holder_is_user: store::active_holder_of(conn, holder.as_str())
                    .await?
                    .is_some(),
                user_is_holder: store::is_active_holder(conn, req.user.as_str()).await?,
            };
            check_link(&holder, &req.user, facts).map_err(ServiceError::from_domain)?;
            store::insert_link(
                conn,
                &store::LinkRow {
                    id: 0,
                    holder_id_number: holder.as_str().to_string(),
                    user_id_number: req.user.as_str().to_string(),
                    relationship: relationship.key().to_string(),
                    created_case: case.number.clone(),
                    created_at: now.clone(),
                    revoked_at: None,
                    revoked_case: None,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::Rule {
                    kind: ErrorKind::Conflict,
                    code: "account.link_exists",
                    message: "使用人已关联一个家庭成员的个人账户，请先解除原关联".into(),
                    details: None,
                },
                e => ServiceError::Store(e),
            })?;
            format!(
                "个人账户关联：{}（{}，{}）自即日起可使用 {} 的职工医保个人账户支付本人个人账户不足部分",
                req.user_name,
                relationship.label(),
                req.user.masked(),
                case.applicant_name
            )
        }
        LinkAction::Revoke => {
            if !store::revoke_link(conn, holder.as_str(), req.user.as_str(), &case.number, &now)
                .await?
            {
                return Err(ServiceError::Rule {
                    kind: ErrorKind::Conflict,
                    code: "account.link_not_found",
                    message: "未查到提供人与该使用人之间有效的个人账户关联".into(),
                    details: None,
                });
            }
            format!(
                "解除个人账户关联：{}（{}）不再使用 {} 的个人账户",
                req.user_name,
                req.user.masked(),
                case.applicant_name
            )
        }
    };
    crate::audit::record(
        conn,
        services,
        &crate::identity::Actor::System {
            label: actor_label.to_string(),
        },
        &format!("account.{}", req.action.key()),
        "person",
        holder.as_str(),
        None,
        Some(&json!({ "user": req.user.masked(), "case": case.number })),
        &text,
    )
    .await?;
    Ok(json!({
        "effect": "account.linking",
        "action": req.action.key(),
        "user": req.user.masked(),
        "text": text,
    }))
}

/// A linked holder's share of a settlement (家庭共济), taken under the holder's row lock.
pub struct MutualAid {
    pub holder: String,
    pub accumulators: Accumulators,
    pub paid: Fen,
}

/// When the own account left part of what an account may pay to cash and the person draws on
/// a linked account: moves that part to it in `x`. `locked_holder` is the settlement path's
/// (the holder it read with its first statement, `Some(None)` for none): the holder's row for
/// the year is then locked. `None` (pre-settlement) looks the holder up and reads unlocked.
pub async fn draw_linked(
    conn: &mut Conn,
    x: &mut yibao_domain::benefit::Explanation,
    user: &str,
    year: i64,
    now: &str,
    locked_holder: Option<Option<String>>,
) -> Result<Option<MutualAid>, ServiceError> {
    if yibao_domain::account::linked_need(x).fen() == 0 {
        return Ok(None);
    }
    let lock = locked_holder.is_some();
    let holder = match locked_holder {
        Some(known) => known,
        None => store::active_holder_of(conn, user).await?,
    };
    let Some(holder) = holder else {
        return Ok(None);
    };
    let holder_id: CitizenId = holder.parse()?;
    let state = if lock {
        acc_store::lock_accumulator(conn, &holder, year, &initial(year), now)
            .await?
            .0
    } else {
        acc_store::read_accumulator(conn, &holder, year)
            .await?
            .unwrap_or_else(|| initial(year))
    };
    let accumulators = decode(&state)?;
    let paid = yibao_domain::account::draw_on_linked(x, &holder_id, accumulators.account_balance)
        .map_err(ServiceError::from_domain)?;
    Ok((paid.fen() > 0).then_some(MutualAid {
        holder,
        accumulators,
        paid,
    }))
}

/// Writes the holder's side of a settlement's mutual aid (`kind` settlement) or of its
/// reversal: the balance moves and the holder's statement gets its line.
#[allow(clippy::too_many_arguments)]
pub async fn post_mutual_aid(
    conn: &mut Conn,
    holder: &str,
    mut acc: Accumulators,
    year: i64,
    kind: EntryKind,
    amount: Fen,
    reference: &str,
    created_by: &str,
    now: &str,
) -> Result<(), ServiceError> {
    let after = post(acc.account_balance, AccountStatus::Open, kind, amount)
        .map_err(ServiceError::from_domain)?;
    acc.account_balance = after;
    acc_store::write_accumulator(
        conn,
        holder,
        year,
        &serde_json::to_string(&acc).unwrap_or_default(),
        now,
    )
    .await?;
    store::insert_entry(
        conn,
        &EntryRow {
            id: 0,
            person_id_number: holder.to_string(),
            year,
            kind,
            amount_fen: amount.fen(),
            balance_after_fen: after.fen(),
            reference: reference.to_string(),
            note: "家庭共济".into(),
            created_by: created_by.to_string(),
            created_at: now.to_string(),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod linking_form_tests {
    use yibao_domain::account::{LinkAction, LinkRelationship, LINKING_FORM_FIELDS};

    #[test]
    fn the_linking_form_matches_the_domain() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let form = catalog.form("account-linking").expect("form");
        let keys: Vec<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, LINKING_FORM_FIELDS);
        let choices = |key: &str| -> Vec<String> {
            form.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.choices.clone())
                .unwrap_or_default()
        };
        assert_eq!(choices("action"), LinkAction::labels());
        assert_eq!(choices("relationship"), LinkRelationship::labels());
    }
}

/// One line of a statement page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatementLine {
    pub id: i64,
    pub kind: EntryKind,
    pub kind_label: &'static str,
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    pub reference: String,
    pub note: String,
    pub created_at: String,
}

/// A link as the person's record shows it: the other person masked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkView {
    /// The other person (the user of a link held, the holder of a link drawn on), masked.
    pub other: String,
    pub relationship: String,
    pub relationship_label: &'static str,
    pub created_case: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A person's account for a year (个人账户明细): status, balance, the year's totals, a page
/// of lines (newest first) and the links held and drawn on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Statement {
    pub status: AccountStatus,
    pub status_label: &'static str,
    pub year: i64,
    pub balance_fen: i64,
    pub totals: yibao_domain::account::YearTotals,
    pub entries: Vec<StatementLine>,
    /// Pass as `before` for the next (older) page; none on the last page.
    pub next_before: Option<i64>,
    pub links_held: Vec<LinkView>,
    pub links_drawn_on: Vec<LinkView>,
}

pub const STATEMENT_PAGE_MAX: i64 = 100;

/// The statement of the person `person_id` for `year`, under the record's access rules (the
/// person, or staff serving the person's area).
pub async fn statement(
    services: &Services,
    actor: &crate::identity::Actor,
    person_id: i64,
    year: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Statement, ServiceError> {
    use yibao_domain::account::{year_totals, Entry, LinkRelationship};
    actor.require_login()?;
    if !(2000..=2100).contains(&year) {
        return Err(ServiceError::invalid("account.year", "年度不正确"));
    }
    let limit = limit.clamp(1, STATEMENT_PAGE_MAX);
    let mut tx = services.store().begin_read().await?;
    let person = enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    crate::records::may_see_person(actor, &person)?;
    let id = person.id_number.as_str();
    let balance = match acc_store::read_accumulator(&mut tx, id, year).await? {
        Some(t) => decode(&t)?.account_balance,
        None => Fen::ZERO,
    };
    let all = store::year(&mut tx, id, year).await?;
    let entries: Vec<Entry> = all
        .iter()
        .map(|r| Entry {
            kind: r.kind,
            amount: Fen(r.amount_fen),
            balance_after: Fen(r.balance_after_fen),
        })
        .collect();
    // Lines start with migration 0018: what came before is the opening balance.
    let opening = match entries.first() {
        Some(e) => e
            .balance_after
            .checked_sub(e.amount)
            .map_err(ServiceError::from_domain)?,
        None => balance,
    };
    let totals = year_totals(opening, &entries).map_err(ServiceError::from_domain)?;
    let page = store::page(&mut tx, id, year, before, limit + 1).await?;
    let more = page.len() as i64 > limit;
    let page: Vec<_> = page.into_iter().take(limit as usize).collect();
    let next_before = if more {
        page.last().map(|r| r.id)
    } else {
        None
    };
    let links = store::links_of(&mut tx, id).await?;
    let view = |l: &store::LinkRow, other: &str| LinkView {
        other: yibao_domain::ids::mask_id_number(other),
        relationship: l.relationship.clone(),
        relationship_label: LinkRelationship::parse(&l.relationship)
            .map(|r| r.label())
            .unwrap_or(""),
        created_case: l.created_case.clone(),
        created_at: l.created_at.clone(),
        revoked_at: l.revoked_at.clone(),
    };
    let status = store::status(&mut tx, id).await?;
    Ok(Statement {
        status,
        status_label: status.label(),
        year,
        balance_fen: balance.fen(),
        totals,
        entries: page
            .into_iter()
            .map(|r| StatementLine {
                id: r.id,
                kind: r.kind,
                kind_label: r.kind.label(),
                amount_fen: r.amount_fen,
                balance_after_fen: r.balance_after_fen,
                reference: r.reference,
                note: r.note,
                created_at: r.created_at,
            })
            .collect(),
        next_before,
        links_held: links
            .iter()
            .filter(|l| l.holder_id_number == id)
            .map(|l| view(l, &l.user_id_number))
            .collect(),
        links_drawn_on: links
            .iter()
            .filter(|l| l.user_id_number == id)
            .map(|l| view(l, &l.holder_id_number))
            .collect(),
    })
}

/// What a year-end carry-over (年度结转) moved.
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq, Eq)]
pub struct CarryOver {
    pub year: i32,
    /// Accounts whose balance moved to the next year.
    pub accounts: u64,
    pub total_fen: i64,
}

/// The year-end carry-over (年度结转; finance, or the machine's operator; audited): every open
/// account's closing balance of `year` leaves that year (结转下年) and opens the next (上年结转),
/// two statement lines under the row locks settlement takes, so a settlement in the new year
/// can pay from last year's money. Only after the year has ended; run again, it moves only what
/// a late change (a reversal into the old year) left there.
pub async fn carry_over(
    services: &Services,
    actor: &crate::identity::Actor,
    year: i32,
) -> Result<CarryOver, ServiceError> {
    let (services, actor) = (services.clone(), actor.clone());
    crate::detached(async move { carry_over_now(&services, &actor, year).await }).await
}

async fn carry_over_now(
    services: &Services,
    actor: &crate::identity::Actor,
    year: i32,
) -> Result<CarryOver, ServiceError> {
    if !matches!(actor, crate::identity::Actor::System { .. }) {
        actor.staff_with(yibao_domain::staff::StaffRole::Finance)?;
    }
    if !(2000..=2100).contains(&year) {
        return Err(ServiceError::invalid(
            "account.carry_over.year",
            format!("{year}年不是有效的结转年度"),
        ));
    }
    let today = services.clock().today();
    // The year must have ended before anything is read.
    yibao_domain::account::carry_over(year, today, Fen(0), AccountStatus::Open)
        .map_err(ServiceError::from_domain)?;
    let now = services.clock().now_text();
    let by = actor.label();
    let y = i64::from(year);
    let mut out = CarryOver {
        year,
        ..CarryOver::default()
    };
    let mut tx = services.store().begin().await?;
    for (person, state) in store::year_states(&mut tx, y).await? {
        if decode(&state)?.account_balance.fen() <= 0 {
            continue;
        }
        // Read again under the row lock: a settlement may have moved it since.
        let (state, _) =
            acc_store::lock_accumulator(&mut tx, &person, y, &initial(y), &now).await?;
        let status = store::status(&mut tx, &person).await?;
        let closing = decode(&state)?.account_balance;
        let Some(amount) = yibao_domain::account::carry_over(year, today, closing, status)
            .map_err(ServiceError::from_domain)?
        else {
            continue;
        };
        let out_note = format!("{year}年度余额结转至{}年度", year + 1);
        let in_note = format!("{year}年度余额结转");
        for (entry_year, kind, signed, note) in [
            (y, EntryKind::CarryOut, Fen(-amount.fen()), &out_note),
            (y + 1, EntryKind::CarryIn, amount, &in_note),
        ] {
            post_entry(
                &mut tx,
                status,
                &Posting {
                    person: &person,
                    year: entry_year,
                    kind,
                    amount: signed,
                    reference: "carry_over",
                    note,
                    created_by: &by,
                    now: &now,
                },
            )
            .await?;
        }
        out.accounts += 1;
        out.total_fen = out.total_fen.saturating_add(amount.fen());
    }
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "account.carry_over",
        "account_year",
        &year.to_string(),
        None,
        Some(&json!(out)),
        &format!(
            "{year}年度个人账户余额结转：{} 个账户，合计 {}",
            out.accounts,
            Fen(out.total_fen)
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(out)
}
