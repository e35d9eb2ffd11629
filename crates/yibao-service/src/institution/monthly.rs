//! The monthly settlement with designated institutions (定点医药机构费用结算): the institution
//! declares its month (申报) through the API or its page; the declaration is reconciled against
//! the real-time settlement ledger at once (对账, line by line); the agency adds audit
//! deductions (扣款) and issues the month's 结算单 by the agreement's payment methods; the
//! institution confirms it; finance pays the confirmed ones in a batch by the guide's date.
//! The rules are `yibao_domain::institution::monthly`; the figures `data/institution/
//! monthly-rules.toml` (示例参数).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use yibao_domain::benefit::VisitType;
use yibao_domain::institution::monthly::{
    compute_statement, ledger_lines, month_ended, parse_month, payment_due, points_of, reconcile,
    Deduction, GroupCases, LedgerGroup, LedgerLine, MonthRules, PointShare, Reconciliation,
    Statement, StatementInput, StatementStatus,
};
use yibao_domain::institution::PaymentMethod;
use yibao_domain::staff::StaffRole;
use yibao_store::institution::{self as inst_store, InstitutionRow};
use yibao_store::monthly::{self as store, DeclarationRow, DeductionRow, StatementRow};
use yibao_store::settlement::{month_groups, month_groups_of, MonthGroup};
use yibao_store::{Conn, StoreError};

use crate::identity::{forbidden, Actor};
use crate::{audit, ErrorKind, ServiceError, Services};

const RULES_TEXT: &str = include_str!("../../../../data/institution/monthly-rules.toml");

/// The month's rules (embedded data; checked by a test).
pub fn rules() -> Result<&'static MonthRules, ServiceError> {
    static RULES: OnceLock<Result<MonthRules, String>> = OnceLock::new();
    RULES
        .get_or_init(|| MonthRules::parse(RULES_TEXT).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ServiceError::internal("monthly.rules", e.clone()))
}

pub(super) fn rule(
    kind: ErrorKind,
    code: &'static str,
    message: impl Into<String>,
) -> ServiceError {
    ServiceError::Rule {
        kind,
        code,
        message: message.into(),
        details: None,
    }
}

pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(format!("{what}: {e}")))
}

/// The institution's declaration of a month.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeclarationInput {
    /// Counts and sums per scheme, visit type and fund (险种、医疗类别、基金).
    pub lines: Vec<LedgerLine>,
    /// Inpatient cases per disease group, when the agreement pays by disease points.
    #[serde(default)]
    pub groups: Vec<GroupCases>,
}

/// A declaration as shown back.
#[derive(Debug, Clone, Serialize)]
pub struct DeclarationView {
    pub seq: i64,
    pub declared_at: String,
    pub reconciliation: Reconciliation,
    pub groups: Vec<GroupCases>,
}

/// A 结算单 as shown.
#[derive(Debug, Clone, Serialize)]
pub struct StatementView {
    pub status: StatementStatus,
    pub status_label: &'static str,
    pub statement: Statement,
    pub pay_by: String,
    pub issued_at: String,
    pub issued_by: String,
    pub confirmed_at: Option<String>,
    pub paid_at: Option<String>,
    pub batch: Option<String>,
}

/// An institution's month: the ledger's groups, its latest declaration with the
/// reconciliation, the deductions and the 结算单.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub month: String,
    pub code: String,
    pub name: String,
    pub ledger: Vec<LedgerGroup>,
    pub declaration: Option<DeclarationView>,
    pub deductions: Vec<DeductionRow>,
    pub statement: Option<StatementView>,
    /// The agreement's payment methods (the page asks for disease groups only when paid by
    /// disease points).
    pub methods: Vec<PaymentMethod>,
    /// The rules' label (示例参数 when not official).
    pub rules_label: String,
}

fn groups_of(rows: &[MonthGroup]) -> Result<BTreeMap<i64, Vec<LedgerGroup>>, ServiceError> {
    let mut out: BTreeMap<i64, Vec<LedgerGroup>> = BTreeMap::new();
    for r in rows {
        let scheme = serde_json::from_value(serde_json::Value::String(r.scheme.clone()))
            .map_err(|e| corrupt("settlement.scheme", e))?;
        let visit = serde_json::from_value(serde_json::Value::String(r.visit_type.clone()))
            .map_err(|e| corrupt("settlement.visit_type", e))?;
        out.entry(r.institution_id).or_default().push(LedgerGroup {
            scheme,
            visit,
            count: r.count,
            total: r.total_fen,
            pooled: r.pooled_fen,
            critical_illness: r.critical_fen,
            aid: r.aid_fen,
            account: r.account_fen,
            cash: r.cash_fen,
        });
    }
    Ok(out)
}

pub(super) async fn ledger_of(
    conn: &mut Conn,
    institution_id: i64,
    month: &str,
) -> Result<Vec<LedgerGroup>, ServiceError> {
    let rows = month_groups(conn, institution_id, month).await?;
    Ok(groups_of(&rows)?
        .remove(&institution_id)
        .unwrap_or_default())
}

fn statement_view(row: &StatementRow) -> Result<StatementView, ServiceError> {
    Ok(StatementView {
        status: row.status,
        status_label: row.status.label(),
        statement: serde_json::from_str(&row.statement_json)
            .map_err(|e| corrupt("monthly_statement", e))?,
        pay_by: row.pay_by.clone(),
        issued_at: row.issued_at.clone(),
        issued_by: row.issued_by.clone(),
        confirmed_at: row.confirmed_at.clone(),
        paid_at: row.paid_at.clone(),
        batch: row.batch.clone(),
    })
}

fn declaration_view(row: &DeclarationRow) -> Result<DeclarationView, ServiceError> {
    Ok(DeclarationView {
        seq: row.seq,
        declared_at: row.declared_at.clone(),
        reconciliation: serde_json::from_str(&row.reconciliation_json)
            .map_err(|e| corrupt("monthly_declaration", e))?,
        groups: serde_json::from_str(&row.groups_json)
            .map_err(|e| corrupt("monthly_declaration", e))?,
    })
}

async fn month_view(
    conn: &mut Conn,
    inst: &InstitutionRow,
    month: &str,
) -> Result<MonthView, ServiceError> {
    let ledger = ledger_of(conn, inst.id, month).await?;
    month_view_with(conn, inst, month, ledger).await
}

/// The month's view with the ledger's groups already read (in this transaction).
async fn month_view_with(
    conn: &mut Conn,
    inst: &InstitutionRow,
    month: &str,
    ledger: Vec<LedgerGroup>,
) -> Result<MonthView, ServiceError> {
    let declaration = store::latest_declaration(conn, inst.id, month)
        .await?
        .as_ref()
        .map(declaration_view)
        .transpose()?;
    let deductions = store::deductions(conn, inst.id, month).await?;
    let statement = store::find_statement(conn, inst.id, month)
        .await?
        .as_ref()
        .map(statement_view)
        .transpose()?;
    let (methods, _) = methods_of(conn, inst.id).await?;
    Ok(MonthView {
        month: month.to_string(),
        code: inst.code.clone(),
        name: inst.name.clone(),
        ledger,
        declaration,
        deductions,
        statement,
        methods,
        rules_label: rules()?.label.clone(),
    })
}

fn checked_month(month: &str) -> Result<(i32, u32), ServiceError> {
    parse_month(month).map_err(ServiceError::from_domain)
}

pub(super) async fn institution_row(
    conn: &mut Conn,
    id: i64,
) -> Result<InstitutionRow, ServiceError> {
    inst_store::find(conn, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))
}

pub(super) async fn methods_of(
    conn: &mut Conn,
    institution_id: i64,
) -> Result<(Vec<PaymentMethod>, Option<i64>), ServiceError> {
    let a = inst_store::find_agreement(conn, institution_id).await?;
    Ok(a.and_then(|a| a.terms_json.0)
        .map(|t| (t.methods, t.annual_budget_fen))
        .unwrap_or_else(|| (vec![PaymentMethod::FeeForService], None)))
}

fn inpatient_count(ledger: &[LedgerGroup]) -> i64 {
    ledger
        .iter()
        .filter(|g| g.visit == VisitType::Inpatient)
        .map(|g| g.count)
        .sum()
}

/// The institution declares its month (申报); it is reconciled against the ledger at once. A
/// new declaration supersedes the last until the 结算单 is issued.
pub async fn declare(
    services: &Services,
    actor: &Actor,
    month: &str,
    input: &DeclarationInput,
) -> Result<MonthView, ServiceError> {
    let me = actor.institution()?;
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let today = services.clock().today();
    if !month_ended(y, m, today) {
        return Err(rule(
            ErrorKind::Invalid,
            "monthly.month_not_ended",
            format!("{month} 尚未结束，月结算申报应在次月办理"),
        ));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    if store::find_statement(&mut tx, me.institution_id, &month)
        .await?
        .is_some()
    {
        return Err(rule(
            ErrorKind::Conflict,
            "monthly.statement_issued",
            format!("{month} 的月结算单已生成，不能重新申报"),
        ));
    }
    let ledger = ledger_of(&mut tx, me.institution_id, &month).await?;
    let recon =
        reconcile(&input.lines, &ledger_lines(&ledger)).map_err(ServiceError::from_domain)?;
    let (methods, _) = methods_of(&mut tx, me.institution_id).await?;
    if recon.matched() && methods.contains(&PaymentMethod::DiseasePoints) {
        points_of(rules()?, &input.groups, inpatient_count(&ledger))
            .map_err(ServiceError::from_domain)?;
    }
    let row = DeclarationRow {
        id: 0,
        institution_id: me.institution_id,
        month: month.clone(),
        seq: 0,
        lines_json: text(&input.lines),
        groups_json: text(&input.groups),
        reconciliation_json: text(&recon),
        mismatches: recon.mismatches as i64,
        declared_at: now,
    };
    let (_, seq) = store::insert_declaration(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "monthly.declare",
        "monthly_declaration",
        &format!("{}/{month}/{seq}", me.code),
        None,
        Some(&serde_json::json!({ "mismatches": recon.mismatches })),
        &format!(
            "{} 申报 {month} 月结算（第{seq}次），对账不一致 {} 处",
            me.code, recon.mismatches
        ),
    )
    .await?;
    let inst = institution_row(&mut tx, me.institution_id).await?;
    let view = month_view_with(&mut tx, &inst, &month, ledger).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// A declaration's part as its stored text.
pub(super) fn text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The institution's own month.
pub async fn own_month(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<MonthView, ServiceError> {
    let me = actor.institution()?;
    let (y, m) = checked_month(month)?;
    let mut tx = services.store().begin_read().await?;
    let inst = institution_row(&mut tx, me.institution_id).await?;
    month_view(&mut tx, &inst, &format!("{y:04}-{m:02}")).await
}

/// The institution confirms its 结算单 (确认).
pub async fn confirm(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<MonthView, ServiceError> {
    let me = actor.institution()?;
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let s = store::find_statement(&mut tx, me.institution_id, &month)
        .await?
        .ok_or_else(|| {
            rule(
                ErrorKind::Conflict,
                "monthly.no_statement",
                format!("{month} 的月结算单尚未生成"),
            )
        })?;
    if !store::confirm_statement(&mut tx, s.id, &now).await? {
        return Err(rule(
            ErrorKind::Conflict,
            "monthly.not_issued",
            format!(
                "{month} 的月结算单当前状态为“{}”，不能再次确认",
                s.status.label()
            ),
        ));
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "monthly.confirm",
        "monthly_statement",
        &format!("{}/{month}", me.code),
        None,
        None,
        &format!("{} 确认 {month} 月结算单，实付 {} 分", me.code, s.net_fen),
    )
    .await?;
    let inst = institution_row(&mut tx, me.institution_id).await?;
    let view = month_view(&mut tx, &inst, &month).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

pub(super) async fn agency_institution(
    conn: &mut Conn,
    agency_id: i64,
    code: &str,
) -> Result<InstitutionRow, ServiceError> {
    let row = inst_store::find_by_code(conn, code.trim())
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))?;
    if row.agency_id != agency_id {
        return Err(forbidden("auth.out_of_agency", "该机构不由本经办机构管理"));
    }
    Ok(row)
}

/// An institution's month as the agency sees it.
pub async fn agency_institution_month(
    services: &Services,
    actor: &Actor,
    month: &str,
    code: &str,
) -> Result<MonthView, ServiceError> {
    let staff = month_reader(actor)?;
    let (y, m) = checked_month(month)?;
    let mut tx = services.store().begin_read().await?;
    let inst = agency_institution(&mut tx, staff.agency_id, code).await?;
    month_view(&mut tx, &inst, &format!("{y:04}-{m:02}")).await
}

/// A deduction from an audit (扣款), before the 结算单 is issued.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeductionInput {
    pub institution: String,
    pub reason: String,
    pub amount_fen: i64,
}

pub async fn add_deduction(
    services: &Services,
    actor: &Actor,
    month: &str,
    input: &DeductionInput,
) -> Result<MonthView, ServiceError> {
    let staff = actor.staff_with(StaffRole::Reviewer)?;
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "monthly.deduction_reason",
            "请填写扣款原因（不超过200个字）",
        ));
    }
    if input.amount_fen <= 0 || input.amount_fen > yibao_domain::money::MAX_INPUT.fen() {
        return Err(ServiceError::invalid(
            "monthly.deduction_amount",
            "扣款金额应为正数（单位：分）",
        ));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let inst = agency_institution(&mut tx, staff.agency_id, &input.institution).await?;
    if store::find_statement(&mut tx, inst.id, &month)
        .await?
        .is_some()
    {
        return Err(rule(
            ErrorKind::Conflict,
            "monthly.statement_issued",
            format!("{month} 的月结算单已生成，扣款请计入下月"),
        ));
    }
    store::insert_deduction(
        &mut tx,
        &DeductionRow {
            id: 0,
            institution_id: inst.id,
            month: month.clone(),
            reason: reason.to_string(),
            amount_fen: input.amount_fen,
            created_by: actor.label(),
            created_at: now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "monthly.deduction",
        "institution",
        &inst.code,
        None,
        Some(&serde_json::json!({ "month": month, "reason": reason, "amount_fen": input.amount_fen })),
        &format!("{} {month} 扣款 {} 分：{reason}", inst.code, input.amount_fen),
    )
    .await?;
    let view = month_view(&mut tx, &inst, &month).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// What a statement run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub month: String,
    pub issued: Vec<IssuedStatement>,
    pub skipped: Vec<Skipped>,
    /// The month's point value basis, when some institution is paid by disease points.
    pub point_value: Option<PointValue>,
    pub rules_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssuedStatement {
    pub code: String,
    pub net_fen: i64,
    pub pay_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct PointValue {
    pub region_points: i64,
    pub budget_fen: i64,
}

/// The agency issues the month's 结算单 (生成月结算单) for every institution whose latest
/// declaration still matches the ledger; the others are listed with the reason. Disease
/// points share the region's point budget: the point value (budget ÷ the points declared) is
/// fixed by the month's first run.
pub async fn issue_statements(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<RunReport, ServiceError> {
    let staff = actor.staff_with(StaffRole::Reviewer)?.clone();
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let today = services.clock().today();
    if !month_ended(y, m, today) {
        return Err(rule(
            ErrorKind::Invalid,
            "monthly.month_not_ended",
            format!("{month} 尚未结束，不能生成月结算单"),
        ));
    }
    let rules = rules()?;
    let cal = crate::calendar::current(services).await?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let AgencyMonthRows {
        institutions,
        mut ledgers,
        decls,
        stmts: done,
    } = agency_month_rows(&mut tx, staff.agency_id, &month).await?;
    let mut skipped = Vec::new();
    // (institution, declaration, ledger, methods, budget, points)
    type Ready = (
        InstitutionRow,
        DeclarationRow,
        Vec<LedgerGroup>,
        Vec<PaymentMethod>,
        Option<i64>,
        Option<i64>,
    );
    let mut ready: Vec<Ready> = Vec::new();
    for inst in institutions {
        if done.contains_key(&inst.id) {
            continue;
        }
        let ledger = ledgers.remove(&inst.id).unwrap_or_default();
        let Some(decl) = decls.get(&inst.id).cloned() else {
            if !ledger.is_empty() {
                skipped.push(Skipped {
                    code: inst.code.clone(),
                    reason: "未申报".into(),
                });
            }
            continue;
        };
        let declared: Vec<LedgerLine> = serde_json::from_str(&decl.lines_json)
            .map_err(|e| corrupt("monthly_declaration", e))?;
        // Reconciled again now: a reversal since the declaration changes the ledger.
        let recon =
            reconcile(&declared, &ledger_lines(&ledger)).map_err(ServiceError::from_domain)?;
        if !recon.matched() {
            skipped.push(Skipped {
                code: inst.code.clone(),
                reason: if decl.mismatches > 0 {
                    format!("对账不一致 {} 处，待机构重新申报", recon.mismatches)
                } else {
                    format!(
                        "申报后结算记录有变动（不一致 {} 处），待机构重新申报",
                        recon.mismatches
                    )
                },
            });
            continue;
        }
        let (methods, budget) = methods_of(&mut tx, inst.id).await?;
        let points = if methods.contains(&PaymentMethod::DiseasePoints) {
            let groups: Vec<GroupCases> = serde_json::from_str(&decl.groups_json)
                .map_err(|e| corrupt("monthly_declaration", e))?;
            match points_of(rules, &groups, inpatient_count(&ledger)) {
                Ok(p) => Some(p),
                Err(e) => {
                    skipped.push(Skipped {
                        code: inst.code.clone(),
                        reason: yibao_domain::Coded::message(&e),
                    });
                    continue;
                }
            }
        } else {
            None
        };
        ready.push((inst, decl, ledger, methods, budget, points));
    }
    let point_value = match store::point_value(&mut tx, staff.agency_id, &month).await? {
        Some((region_points, budget_fen)) => Some(PointValue {
            region_points,
            budget_fen,
        }),
        None if ready.iter().any(|r| r.5.is_some()) => {
            let region = staff.agency_region.as_str().to_string();
            let budget_fen = rules.point_budget(&region).ok_or_else(|| {
                rule(
                    ErrorKind::Invalid,
                    "monthly.no_point_budget",
                    format!("月结算规则中没有统筹区 {region} 的病种分值预算"),
                )
            })?;
            let region_points: i64 = ready.iter().filter_map(|r| r.5).sum();
            store::fix_point_value(
                &mut tx,
                staff.agency_id,
                &month,
                region_points,
                budget_fen,
                &now,
            )
            .await?;
            Some(PointValue {
                region_points,
                budget_fen,
            })
        }
        None => None,
    };
    let mut issued = Vec::new();
    for (inst, decl, ledger, methods, budget, points) in ready {
        let deductions: Vec<Deduction> = store::deductions(&mut tx, inst.id, &month)
            .await?
            .into_iter()
            .map(|d| Deduction {
                reason: d.reason,
                amount_fen: d.amount_fen,
            })
            .collect();
        let share = match (points, point_value) {
            (Some(p), Some(v)) => Some(PointShare {
                points: p,
                region_points: v.region_points,
                region_budget_fen: v.budget_fen,
            }),
            _ => None,
        };
        let statement = match compute_statement(&StatementInput {
            month: m,
            methods: &methods,
            annual_budget_fen: budget,
            ledger: &ledger,
            points: share,
            deductions: &deductions,
            reserve_bp: rules.reserve_bp,
        }) {
            Ok(s) => s,
            Err(e) => {
                skipped.push(Skipped {
                    code: inst.code.clone(),
                    reason: yibao_domain::Coded::message(&e),
                });
                continue;
            }
        };
        let jurisdiction = super::jurisdiction_of(&inst.region_code);
        let pay_by = payment_due(jurisdiction, y, m, today, &cal)
            .map(|d| d.to_string())
            .unwrap_or_default();
        store::insert_statement(
            &mut tx,
            &StatementRow {
                id: 0,
                institution_id: inst.id,
                month: month.clone(),
                declaration_id: decl.id,
                status: StatementStatus::Issued,
                statement_json: serde_json::to_string(&statement)
                    .map_err(|e| corrupt("statement", e))?,
                due_fen: statement.due_fen,
                deductions_fen: statement.deductions_fen,
                reserve_fen: statement.reserve_fen,
                net_fen: statement.net_fen,
                pay_by: pay_by.clone(),
                issued_at: now.clone(),
                issued_by: actor.label(),
                confirmed_at: None,
                paid_at: None,
                batch: None,
            },
        )
        .await?;
        issued.push(IssuedStatement {
            code: inst.code,
            net_fen: statement.net_fen,
            pay_by,
        });
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "monthly.issue",
        "agency",
        &staff.agency_id.to_string(),
        None,
        Some(&serde_json::json!({ "month": month, "issued": issued.len(), "skipped": skipped.len() })),
        &format!(
            "生成 {month} 月结算单 {} 份，未生成 {} 家",
            issued.len(),
            skipped.len()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(RunReport {
        month,
        issued,
        skipped,
        point_value,
        rules_label: rules.label.clone(),
    })
}

/// What finance's payment batch did.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentBatch {
    pub batch: String,
    pub month: String,
    pub paid: Vec<IssuedStatement>,
    pub total_fen: i64,
    /// Statements paid after their date (次月15日 / 30 working days).
    pub late: usize,
}

/// Finance pays every confirmed 结算单 of the month in one batch (拨付).
pub async fn pay(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<PaymentBatch, ServiceError> {
    let staff = actor.staff_with(StaffRole::Finance)?.clone();
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let now = services.clock().now_text();
    let today = services.clock().today().to_string();
    let mut tx = services.store().begin().await?;
    let statements = store::statements_of_agency(&mut tx, staff.agency_id, &month).await?;
    let confirmed: Vec<&StatementRow> = statements
        .iter()
        .filter(|s| s.status == StatementStatus::Confirmed)
        .collect();
    if confirmed.is_empty() {
        return Err(rule(
            ErrorKind::Invalid,
            "monthly.nothing_to_pay",
            format!("{month} 没有机构已确认、待拨付的月结算单"),
        ));
    }
    let batch = format!(
        "YJ{}-{}-{}",
        staff.agency_id,
        month.replace('-', ""),
        now.get(..19).unwrap_or(&now).replace(['-', ':', 'T'], "")
    );
    let codes: BTreeMap<i64, String> = inst_store::list(&mut tx)
        .await?
        .into_iter()
        .map(|i| (i.id, i.code))
        .collect();
    let mut paid = Vec::new();
    let mut total_fen: i64 = 0;
    let mut late = 0;
    for s in confirmed {
        if store::pay_statement(&mut tx, s.id, &batch, &now).await? {
            total_fen += s.net_fen;
            if !s.pay_by.is_empty() && today.as_str() > s.pay_by.as_str() {
                late += 1;
            }
            paid.push(IssuedStatement {
                code: codes.get(&s.institution_id).cloned().unwrap_or_default(),
                net_fen: s.net_fen,
                pay_by: s.pay_by.clone(),
            });
        }
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "monthly.pay",
        "agency",
        &staff.agency_id.to_string(),
        None,
        Some(&serde_json::json!({ "batch": batch, "count": paid.len(), "total_fen": total_fen })),
        &format!(
            "拨付 {month} 月结算款，批次 {batch}，{} 家，合计 {total_fen} 分",
            paid.len()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(PaymentBatch {
        batch,
        month,
        paid,
        total_fen,
        late,
    })
}

/// One institution in the agency's month list.
#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub stage: yibao_domain::institution::Stage,
    pub stage_label: &'static str,
    pub ledger_count: i64,
    pub ledger_total_fen: i64,
    pub ledger_pooled_fen: i64,
    pub declared: bool,
    pub mismatches: Option<i64>,
    pub status_label: String,
    pub due_fen: Option<i64>,
    pub deductions_fen: Option<i64>,
    pub reserve_fen: Option<i64>,
    pub net_fen: Option<i64>,
    pub pay_by: Option<String>,
    pub batch: Option<String>,
}

/// The agency's month: every institution it manages, with its ledger totals, declaration,
/// reconciliation and 结算单.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyMonth {
    pub month: String,
    pub rows: Vec<MonthRow>,
    pub ledger_total_fen: i64,
    pub net_total_fen: i64,
    pub rules_label: String,
}

pub(super) fn month_reader(actor: &Actor) -> Result<&crate::identity::StaffActor, ServiceError> {
    let staff = actor.staff()?;
    if [
        StaffRole::Reviewer,
        StaffRole::Finance,
        StaffRole::Supervisor,
        StaffRole::Auditor,
        StaffRole::Admin,
    ]
    .iter()
    .any(|r| staff.has_role(*r))
    {
        Ok(staff)
    } else {
        Err(forbidden(
            "auth.forbidden",
            "月结算仅限审核、财务、监督、审计或管理岗位查看",
        ))
    }
}

/// One agency's month as the statement run and the month's list read it: its institutions, the
/// ledger's groups of each, the latest declarations and the statements, by institution id.
struct AgencyMonthRows {
    institutions: Vec<InstitutionRow>,
    ledgers: BTreeMap<i64, Vec<LedgerGroup>>,
    decls: BTreeMap<i64, DeclarationRow>,
    stmts: BTreeMap<i64, StatementRow>,
}

async fn agency_month_rows(
    tx: &mut Conn,
    agency_id: i64,
    month: &str,
) -> Result<AgencyMonthRows, ServiceError> {
    let institutions: Vec<InstitutionRow> = inst_store::list(tx)
        .await?
        .into_iter()
        .filter(|i| i.agency_id == agency_id)
        .collect();
    let ids: Vec<i64> = institutions.iter().map(|i| i.id).collect();
    let ledgers = groups_of(&month_groups_of(tx, &ids, month).await?)?;
    let decls = store::latest_declarations_of_agency(tx, agency_id, month)
        .await?
        .into_iter()
        .map(|d| (d.institution_id, d))
        .collect();
    let stmts = store::statements_of_agency(tx, agency_id, month)
        .await?
        .into_iter()
        .map(|s| (s.institution_id, s))
        .collect();
    Ok(AgencyMonthRows {
        institutions,
        ledgers,
        decls,
        stmts,
    })
}

pub async fn agency_month(
    services: &Services,
    actor: &Actor,
    month: &str,
) -> Result<AgencyMonth, ServiceError> {
    let staff = month_reader(actor)?;
    let (y, m) = checked_month(month)?;
    let month = format!("{y:04}-{m:02}");
    let mut tx = services.store().begin_read().await?;
    let AgencyMonthRows {
        institutions,
        ledgers,
        decls,
        stmts,
    } = agency_month_rows(&mut tx, staff.agency_id, &month).await?;
    let mut rows = Vec::with_capacity(institutions.len());
    for inst in institutions {
        let stage = inst_store::find_agreement(&mut tx, inst.id)
            .await?
            .map(|a| a.stage)
            .unwrap_or(yibao_domain::institution::Stage::Applied);
        let empty = Vec::new();
        let ledger = ledgers.get(&inst.id).unwrap_or(&empty);
        let decl = decls.get(&inst.id);
        let st = stmts.get(&inst.id);
        let status_label = match (decl, st) {
            (_, Some(s)) => s.status.label().to_string(),
            (Some(d), None) if d.mismatches > 0 => "对账不一致".to_string(),
            (Some(_), None) => "已申报，待生成结算单".to_string(),
            (None, None) => "未申报".to_string(),
        };
        rows.push(MonthRow {
            kind: yibao_domain::codes::InstitutionKind::label_of_key(&inst.kind).to_string(),
            code: inst.code,
            name: inst.name,
            stage,
            stage_label: stage.label(),
            ledger_count: ledger.iter().map(|g| g.count).sum(),
            ledger_total_fen: ledger.iter().map(|g| g.total).sum(),
            ledger_pooled_fen: ledger.iter().map(|g| g.pooled).sum(),
            declared: decl.is_some(),
            mismatches: decl.map(|d| d.mismatches),
            status_label,
            due_fen: st.map(|s| s.due_fen),
            deductions_fen: st.map(|s| s.deductions_fen),
            reserve_fen: st.map(|s| s.reserve_fen),
            net_fen: st.map(|s| s.net_fen),
            pay_by: st.map(|s| s.pay_by.clone()),
            batch: st.and_then(|s| s.batch.clone()),
        });
    }
    Ok(AgencyMonth {
        month,
        ledger_total_fen: rows.iter().map(|r| r.ledger_total_fen).sum(),
        net_total_fen: rows.iter().filter_map(|r| r.net_fen).sum(),
        rows,
        rules_label: rules()?.label.clone(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_rules_read() {
        let r = super::rules().expect("rules");
        assert!(r.label.contains("示例参数"));
    }

    #[test]
    fn jurisdictions_by_region() {
        assert_eq!(super::super::jurisdiction_of("500119"), "nanchuan");
        assert_eq!(super::super::jurisdiction_of("500118"), "chongqing");
        assert_eq!(super::super::jurisdiction_of("510104"), "sichuan");
    }
}
