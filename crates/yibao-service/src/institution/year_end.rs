//! The year-end reconciliation with designated institutions (年终清算, docs/institutions.md):
//! the reviewer enters the year's assessment score and issues the 年终清算单 — the global
//! budget's advances paid against the year's entitlement, the quality reserve withheld
//! returned by the score — the institution confirms it, finance pays the agency's confirmed
//! statements in one batch, as with the months. The rules are
//! `yibao_domain::institution::year_end`; the figures `data/institution/monthly-rules.toml`
//! (`[year_end]`, 示例参数).

use serde::{Deserialize, Serialize};
use yibao_domain::benefit::VisitType;
use yibao_domain::institution::monthly::{Statement, StatementStatus};
use yibao_domain::institution::year_end::{
    reconcile_budget, reconcile_reserve, year_end_statement, BudgetYear, YearEndStatement,
};
use yibao_domain::institution::PaymentMethod;
use yibao_domain::staff::StaffRole;
use yibao_store::institution::InstitutionRow;
use yibao_store::year_end::{self as store, YearEndRow};
use yibao_store::{Conn, StoreError};

use super::monthly::{
    agency_institution, corrupt, institution_row, ledger_of, methods_of, month_reader, rule, rules,
    text,
};
use crate::identity::Actor;
use crate::{audit, ErrorKind, ServiceError, Services};

/// The reviewer's input: the year's assessment score (年度考核得分, 0–100).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct YearEndInput {
    pub score: i64,
}

/// An institution's 年终清算单 as shown.
#[derive(Debug, Clone, Serialize)]
pub struct YearEndView {
    pub year: i32,
    pub code: String,
    pub name: String,
    pub status: StatementStatus,
    pub status_label: &'static str,
    pub statement: YearEndStatement,
    pub issued_at: String,
    pub issued_by: String,
    pub confirmed_at: Option<String>,
    pub paid_at: Option<String>,
    pub batch: Option<String>,
    pub rules_label: String,
}

fn view_of(inst: &InstitutionRow, row: &YearEndRow) -> Result<YearEndView, ServiceError> {
    Ok(YearEndView {
        year: i32::try_from(row.year).map_err(|e| corrupt("year_end_statement.year", e))?,
        code: inst.code.clone(),
        name: inst.name.clone(),
        status: row.status,
        status_label: row.status.label(),
        statement: serde_json::from_str(&row.statement_json)
            .map_err(|e| corrupt("year_end_statement", e))?,
        issued_at: row.issued_at.clone(),
        issued_by: row.issued_by.clone(),
        confirmed_at: row.confirmed_at.clone(),
        paid_at: row.paid_at.clone(),
        batch: row.batch.clone(),
        rules_label: rules()?.label.clone(),
    })
}

fn checked_year(year: i32, today: chrono::NaiveDate) -> Result<(), ServiceError> {
    use chrono::Datelike;
    if !(2000..=9999).contains(&year) {
        return Err(ServiceError::invalid(
            "year_end.year_invalid",
            "清算年度应为四位年份",
        ));
    }
    if today.year() <= year {
        return Err(rule(
            ErrorKind::Invalid,
            "year_end.year_not_ended",
            format!("{year} 年度尚未结束，年终清算应在次年办理"),
        ));
    }
    Ok(())
}

/// The year's figures the reconciliation needs, from the paid monthly statements and the
/// ledger: advances of the global budget, reserve withheld, and the pooled fund of the care
/// the budget covers (all but inpatient care when that is paid by disease points).
async fn year_figures(
    conn: &mut Conn,
    inst: &InstitutionRow,
    year: i32,
    methods: &[PaymentMethod],
) -> Result<(i64, i64, i64), ServiceError> {
    let statements = store::monthly_statements_of_year(conn, inst.id, i64::from(year)).await?;
    let unpaid: Vec<&str> = statements
        .iter()
        .filter(|s| s.status != StatementStatus::Paid)
        .map(|s| s.month.as_str())
        .collect();
    if !unpaid.is_empty() {
        return Err(rule(
            ErrorKind::Conflict,
            "year_end.months_unpaid",
            format!(
                "{} 的 {} 月结算单尚未拨付，拨付后方可年终清算",
                inst.code,
                unpaid.join("、")
            ),
        ));
    }
    let mut advances: i64 = 0;
    let mut withheld: i64 = 0;
    for s in &statements {
        let st: Statement =
            serde_json::from_str(&s.statement_json).map_err(|e| corrupt("monthly_statement", e))?;
        for l in st
            .lines
            .iter()
            .filter(|l| l.method == Some(PaymentMethod::GlobalBudget))
        {
            advances = advances.checked_add(l.amount_fen).ok_or_else(overflow)?;
        }
        withheld = withheld.checked_add(s.reserve_fen).ok_or_else(overflow)?;
    }
    let dip = methods.contains(&PaymentMethod::DiseasePoints);
    let mut pooled: i64 = 0;
    for m in 1..=12 {
        for g in ledger_of(conn, inst.id, &format!("{year:04}-{m:02}")).await? {
            if !(dip && g.visit == VisitType::Inpatient) {
                pooled = pooled.checked_add(g.pooled).ok_or_else(overflow)?;
            }
        }
    }
    Ok((advances, withheld, pooled))
}

fn overflow() -> ServiceError {
    ServiceError::from_domain(yibao_domain::institution::InstitutionError::Overflow)
}

/// The reviewer issues an institution's 年终清算单 for `year` with the year's assessment score.
pub async fn issue(
    services: &Services,
    actor: &Actor,
    year: i32,
    code: &str,
    input: &YearEndInput,
) -> Result<YearEndView, ServiceError> {
    let staff = actor.staff_with(StaffRole::Reviewer)?.clone();
    checked_year(year, services.clock().today())?;
    let rules = rules()?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let inst = agency_institution(&mut tx, staff.agency_id, code).await?;
    if store::find(&mut tx, inst.id, i64::from(year))
        .await?
        .is_some()
    {
        return Err(rule(
            ErrorKind::Conflict,
            "year_end.issued",
            format!("{} 的 {year} 年度年终清算单已生成", inst.code),
        ));
    }
    let (methods, annual) = methods_of(&mut tx, inst.id).await?;
    let (advances, withheld, pooled) = year_figures(&mut tx, &inst, year, &methods).await?;
    let budget = if methods.contains(&PaymentMethod::GlobalBudget) {
        let annual = annual.ok_or_else(|| {
            ServiceError::invalid(
                "year_end.budget_missing",
                "协议约定总额预付，但未约定年度总额预算",
            )
        })?;
        Some(
            reconcile_budget(
                &BudgetYear {
                    annual_budget_fen: annual,
                    advances_paid_fen: advances,
                    actual_pooled_fen: pooled,
                },
                &rules.year_end,
            )
            .map_err(ServiceError::from_domain)?,
        )
    } else {
        None
    };
    let reserve = reconcile_reserve(withheld, input.score, &rules.year_end)
        .map_err(ServiceError::from_domain)?;
    let statement = year_end_statement(year, budget, reserve).map_err(ServiceError::from_domain)?;
    let row = YearEndRow {
        id: 0,
        institution_id: inst.id,
        year: i64::from(year),
        status: StatementStatus::Issued,
        statement_json: text(&statement),
        score: input.score,
        net_fen: statement.net_fen,
        issued_at: now.clone(),
        issued_by: actor.label(),
        confirmed_at: None,
        paid_at: None,
        batch: None,
    };
    store::insert(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "year_end.issue",
        "institution",
        &inst.code,
        None,
        Some(&serde_json::json!({ "year": year, "score": input.score, "net_fen": statement.net_fen })),
        &format!(
            "生成 {} 的 {year} 年度年终清算单，考核得分 {}，清算金额 {} 分",
            inst.code, input.score, statement.net_fen
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    view_of(&inst, &row)
}

async fn find_view(
    conn: &mut Conn,
    inst: &InstitutionRow,
    year: i32,
) -> Result<YearEndView, ServiceError> {
    let row = store::find(conn, inst.id, i64::from(year))
        .await?
        .ok_or_else(|| {
            ServiceError::not_found(
                "year_end.not_found",
                format!("{} 的 {year} 年度年终清算单尚未生成", inst.code),
            )
        })?;
    view_of(inst, &row)
}

/// An institution's 年终清算单 as the agency sees it.
pub async fn agency_view(
    services: &Services,
    actor: &Actor,
    year: i32,
    code: &str,
) -> Result<YearEndView, ServiceError> {
    let staff = month_reader(actor)?;
    let mut tx = services.store().begin_read().await?;
    let inst = agency_institution(&mut tx, staff.agency_id, code).await?;
    find_view(&mut tx, &inst, year).await
}

/// The institution's own 年终清算单.
pub async fn own(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<YearEndView, ServiceError> {
    let me = actor.institution()?;
    let mut tx = services.store().begin_read().await?;
    let inst = institution_row(&mut tx, me.institution_id).await?;
    find_view(&mut tx, &inst, year).await
}

/// The institution confirms its 年终清算单.
pub async fn confirm(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<YearEndView, ServiceError> {
    let me = actor.institution()?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let inst = institution_row(&mut tx, me.institution_id).await?;
    let row = store::find(&mut tx, inst.id, i64::from(year))
        .await?
        .ok_or_else(|| {
            ServiceError::not_found(
                "year_end.not_found",
                format!("{} 的 {year} 年度年终清算单尚未生成", inst.code),
            )
        })?;
    if !store::confirm(&mut tx, row.id, &now).await? {
        return Err(rule(
            ErrorKind::Conflict,
            "year_end.not_issued",
            format!(
                "{year} 年度年终清算单当前状态为“{}”，不能再次确认",
                row.status.label()
            ),
        ));
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "year_end.confirm",
        "institution",
        &inst.code,
        None,
        None,
        &format!("{} 确认 {year} 年度年终清算单", inst.code),
    )
    .await?;
    let view = find_view(&mut tx, &inst, year).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// What finance's year-end batch did.
#[derive(Debug, Clone, Serialize)]
pub struct YearEndBatch {
    pub batch: String,
    pub year: i32,
    pub paid: Vec<YearEndPaid>,
    /// Paid out minus recovered.
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearEndPaid {
    pub code: String,
    /// Negative: recovered from the institution (追回).
    pub net_fen: i64,
}

/// Finance settles every confirmed 年终清算单 of the agency's year in one batch: a positive
/// amount paid to the institution, a negative one recovered.
pub async fn pay(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<YearEndBatch, ServiceError> {
    let staff = actor.staff_with(StaffRole::Finance)?.clone();
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let rows = store::of_agency(&mut tx, staff.agency_id, i64::from(year)).await?;
    let confirmed: Vec<&YearEndRow> = rows
        .iter()
        .filter(|r| r.status == StatementStatus::Confirmed)
        .collect();
    if confirmed.is_empty() {
        return Err(rule(
            ErrorKind::Invalid,
            "year_end.nothing_to_pay",
            format!("{year} 年度没有机构已确认、待拨付的年终清算单"),
        ));
    }
    let batch = format!(
        "NQ{}-{year}-{}",
        staff.agency_id,
        now.get(..19).unwrap_or(&now).replace(['-', ':', 'T'], "")
    );
    let mut paid = Vec::new();
    let mut total_fen: i64 = 0;
    for r in confirmed {
        if store::pay(&mut tx, r.id, &batch, &now).await? {
            let inst = institution_row(&mut tx, r.institution_id).await?;
            total_fen = total_fen.checked_add(r.net_fen).ok_or_else(overflow)?;
            paid.push(YearEndPaid {
                code: inst.code,
                net_fen: r.net_fen,
            });
        }
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "year_end.pay",
        "agency",
        &staff.agency_id.to_string(),
        None,
        Some(&serde_json::json!({ "batch": batch, "count": paid.len(), "total_fen": total_fen })),
        &format!(
            "拨付 {year} 年度年终清算款，批次 {batch}，{} 家，合计 {total_fen} 分",
            paid.len()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(YearEndBatch {
        batch,
        year,
        paid,
        total_fen,
    })
}

/// One institution of the agency's year (年终清算 list).
#[derive(Debug, Clone, Serialize)]
pub struct AgencyYearRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The agreement's payment methods (global budget reconciles a budget).
    pub methods: String,
    /// 未生成 until issued, then the statement's status.
    pub status_label: String,
    pub issued: bool,
    pub score: Option<i64>,
    pub net_fen: Option<i64>,
    pub batch: Option<String>,
}

/// The agency's year: every institution it manages and its 年终清算单, if issued.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyYear {
    pub year: i32,
    pub rows: Vec<AgencyYearRow>,
    /// The issued statements' net total (negative: recovered on balance).
    pub net_total_fen: i64,
    pub rules_label: String,
}

/// The year-end list of the reader's agency.
pub async fn agency_year(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<AgencyYear, ServiceError> {
    let staff = month_reader(actor)?;
    if !(2000..=9999).contains(&year) {
        return Err(ServiceError::invalid(
            "year_end.year_invalid",
            "清算年度应为四位年份",
        ));
    }
    let mut tx = services.store().begin_read().await?;
    let statements: std::collections::BTreeMap<i64, YearEndRow> =
        store::of_agency(&mut tx, staff.agency_id, i64::from(year))
            .await?
            .into_iter()
            .map(|r| (r.institution_id, r))
            .collect();
    let institutions: Vec<InstitutionRow> = yibao_store::institution::list(&mut tx)
        .await?
        .into_iter()
        .filter(|i| i.agency_id == staff.agency_id)
        .collect();
    let mut rows = Vec::new();
    let mut net_total_fen: i64 = 0;
    for inst in institutions {
        let (methods, _) = methods_of(&mut tx, inst.id).await?;
        let st = statements.get(&inst.id);
        if let Some(s) = st {
            net_total_fen = net_total_fen.checked_add(s.net_fen).ok_or_else(overflow)?;
        }
        rows.push(AgencyYearRow {
            kind: yibao_domain::codes::InstitutionKind::label_of_key(&inst.kind).to_string(),
            methods: methods
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join("、"),
            status_label: st.map_or("未生成".to_string(), |s| s.status.label().to_string()),
            issued: st.is_some(),
            score: st.map(|s| s.score),
            net_fen: st.map(|s| s.net_fen),
            batch: st.and_then(|s| s.batch.clone()),
            code: inst.code,
            name: inst.name,
        });
    }
    Ok(AgencyYear {
        year,
        rows,
        net_total_fen,
        rules_label: rules()?.label.clone(),
    })
}
