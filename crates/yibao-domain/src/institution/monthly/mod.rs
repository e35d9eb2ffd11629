//! The monthly settlement between the agency and a designated institution (定点医药机构费用结算).
//!
//! Chongqing 35/36 (seed 003): 「定点医疗机构完成对账后向所属医保经办机构提交《定点医疗机构月结算申报表》；
//! 医保经办机构经办人员进行对账，确认无误后生成月结算单；医保经办机构于次月15日前完成上月月结算费用拨付。」
//! Sichuan 39/40 (seed 001): 申请 → 受理 → 审核 → 拨付 → 办结, within 30 working days.
//! Seed 004 names the mix of payment methods: 总额预付、按病种付费、按项目付费.
//!
//! Everything here is a pure function: the ledger's sums, the declaration, the agreement's
//! methods and the month's rules (data) in; the reconciliation and the 结算单 out.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::InstitutionError;
use crate::benefit::{Scheme, VisitType};
use crate::calendar::HolidayCalendar;

crate::codes::coded! {
    /// How a month's fund share is paid to the institution (seed 004: 总额预付、按病种付费、按项目付费).
    PaymentMethod {
        /// 按项目付费: the pooled fund's share of each settlement, as the ledger has it.
        FeeForService = ("fee_for_service", "按项目付费"),
        /// 按病种分值付费 (DIP-like): inpatient cases by disease group points × the month's point value.
        DiseasePoints = ("disease_points", "按病种分值付费"),
        /// 总额预付: a monthly advance of the agreed annual budget (year-end reconciliation apart).
        GlobalBudget = ("global_budget", "总额预付"),
    }
}

/// Which money a line counts: the bill's total or one payer's share of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    /// 医疗费用总额 (medfee_sumamt)
    Total,
    /// 统筹基金支付 (hifp_pay)
    Pooled,
    /// 大病保险 (hifmi_pay)
    CriticalIllness,
    /// 医疗救助 (maf_pay)
    Aid,
    /// 个人账户支付 (acct_pay)
    Account,
    /// 个人现金支付 (psn_cash_pay)
    Cash,
}

impl Fund {
    pub const ALL: [Fund; 6] = [
        Fund::Total,
        Fund::Pooled,
        Fund::CriticalIllness,
        Fund::Aid,
        Fund::Account,
        Fund::Cash,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Fund::Total => "total",
            Fund::Pooled => "pooled",
            Fund::CriticalIllness => "critical_illness",
            Fund::Aid => "aid",
            Fund::Account => "account",
            Fund::Cash => "cash",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Fund::Total => "医疗费用总额",
            Fund::Pooled => "统筹基金",
            Fund::CriticalIllness => "大病保险",
            Fund::Aid => "医疗救助",
            Fund::Account => "个人账户",
            Fund::Cash => "个人现金",
        }
    }
}

/// The sums of one (scheme, visit type) of an institution's month in the ledger: settled,
/// not reversed, settlements only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerGroup {
    pub scheme: Scheme,
    pub visit: VisitType,
    pub count: i64,
    pub total: i64,
    pub pooled: i64,
    pub critical_illness: i64,
    pub aid: i64,
    pub account: i64,
    pub cash: i64,
}

impl LedgerGroup {
    pub fn amount(&self, fund: Fund) -> i64 {
        match fund {
            Fund::Total => self.total,
            Fund::Pooled => self.pooled,
            Fund::CriticalIllness => self.critical_illness,
            Fund::Aid => self.aid,
            Fund::Account => self.account,
            Fund::Cash => self.cash,
        }
    }
}

/// A reconciliation line's key: scheme (险种), visit type (医疗类别), fund (基金).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineKey {
    pub scheme: Scheme,
    pub visit: VisitType,
    pub fund: Fund,
}

impl Ord for LineKey {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.scheme, self.visit, self.fund).cmp(&(o.scheme, o.visit, o.fund))
    }
}

impl PartialOrd for LineKey {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// One declared (or ledger) line: how many settlements and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    #[serde(flatten)]
    pub key: LineKey,
    pub count: i64,
    pub amount_fen: i64,
}

/// The ledger's groups as lines, one per fund (the count is the group's settlements).
pub fn ledger_lines(groups: &[LedgerGroup]) -> Vec<LedgerLine> {
    let mut out = Vec::with_capacity(groups.len() * Fund::ALL.len());
    for g in groups {
        for fund in Fund::ALL {
            out.push(LedgerLine {
                key: LineKey {
                    scheme: g.scheme,
                    visit: g.visit,
                    fund,
                },
                count: g.count,
                amount_fen: g.amount(fund),
            });
        }
    }
    out.sort_by_key(|l| l.key);
    out
}

/// How a reconciled line came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// 一致
    Matched,
    /// Count or amount differ (不一致).
    Mismatched,
    /// In the ledger, not declared (漏报).
    NotDeclared,
    /// Declared, not in the ledger (多报).
    NotInLedger,
}

impl LineStatus {
    pub fn label(self) -> &'static str {
        match self {
            LineStatus::Matched => "一致",
            LineStatus::Mismatched => "不一致",
            LineStatus::NotDeclared => "未申报",
            LineStatus::NotInLedger => "结算记录中无此项",
        }
    }
}

/// One line of the reconciliation (对账明细).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconLine {
    #[serde(flatten)]
    pub key: LineKey,
    pub declared_count: i64,
    pub declared_fen: i64,
    pub ledger_count: i64,
    pub ledger_fen: i64,
    pub status: LineStatus,
}

/// The reconciliation of a declaration against the ledger (对账).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub lines: Vec<ReconLine>,
    pub mismatches: usize,
}

impl Reconciliation {
    pub fn matched(&self) -> bool {
        self.mismatches == 0
    }
}

/// Compares the declaration line by line with the ledger. A line that is all zeros on one side
/// and absent on the other matches; a key declared twice is an error.
pub fn reconcile(
    declared: &[LedgerLine],
    ledger: &[LedgerLine],
) -> Result<Reconciliation, InstitutionError> {
    let mut d: BTreeMap<LineKey, (i64, i64)> = BTreeMap::new();
    for l in declared {
        if l.count < 0 || l.amount_fen < 0 {
            return Err(InstitutionError::FieldInvalid {
                field: format!(
                    "{}/{}/{}",
                    l.key.scheme.label(),
                    l.key.visit.label(),
                    l.key.fund.label()
                ),
                why: "人次和金额不能为负数".into(),
            });
        }
        if d.insert(l.key, (l.count, l.amount_fen)).is_some() {
            return Err(InstitutionError::FieldInvalid {
                field: format!(
                    "{}/{}/{}",
                    l.key.scheme.label(),
                    l.key.visit.label(),
                    l.key.fund.label()
                ),
                why: "同一险种、医疗类别和基金重复申报".into(),
            });
        }
    }
    let mut g: BTreeMap<LineKey, (i64, i64)> = BTreeMap::new();
    for l in ledger {
        let e = g.entry(l.key).or_insert((0, 0));
        e.0 += l.count;
        e.1 += l.amount_fen;
    }
    let mut keys: Vec<LineKey> = d.keys().chain(g.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    let mut lines = Vec::with_capacity(keys.len());
    let mut mismatches = 0;
    for key in keys {
        let (dc, df) = d.get(&key).copied().unwrap_or((0, 0));
        let (lc, lf) = g.get(&key).copied().unwrap_or((0, 0));
        let status = if (dc, df) == (lc, lf) {
            LineStatus::Matched
        } else if !d.contains_key(&key) {
            LineStatus::NotDeclared
        } else if !g.contains_key(&key) || (lc, lf) == (0, 0) {
            LineStatus::NotInLedger
        } else {
            LineStatus::Mismatched
        };
        if status != LineStatus::Matched {
            mismatches += 1;
        }
        lines.push(ReconLine {
            key,
            declared_count: dc,
            declared_fen: df,
            ledger_count: lc,
            ledger_fen: lf,
            status,
        });
    }
    Ok(Reconciliation { lines, mismatches })
}

/// A disease group's points (病种分值), as the month's rules give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiseaseGroup {
    pub code: String,
    pub name: String,
    pub points: i64,
}

/// The month's budget for payment by disease points in a pooling region (region code prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointBudget {
    pub region_prefix: String,
    pub month_budget_fen: i64,
}

/// The rules of the monthly settlement, as data (`data/institution/monthly-rules.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRules {
    /// Shown beside every figure that comes from these rules (示例参数 when not official).
    pub label: String,
    /// 质量保证金: the share withheld from each month, in basis points.
    pub reserve_bp: i64,
    pub point_budgets: Vec<PointBudget>,
    pub disease_groups: Vec<DiseaseGroup>,
    /// The year-end reconciliation (年终清算).
    pub year_end: super::year_end::YearEndRules,
}

impl MonthRules {
    pub fn parse(text: &str) -> Result<MonthRules, InstitutionError> {
        let r: MonthRules =
            toml::from_str(text).map_err(|e| InstitutionError::RulesInvalid(e.to_string()))?;
        r.check()?;
        Ok(r)
    }

    pub fn check(&self) -> Result<(), InstitutionError> {
        if !(0..=10_000).contains(&self.reserve_bp) {
            return Err(InstitutionError::RulesInvalid(
                "质量保证金比例应在0至100%之间".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for g in &self.disease_groups {
            if g.points <= 0 || !seen.insert(g.code.as_str()) {
                return Err(InstitutionError::RulesInvalid(format!(
                    "病种 {} 的分值应为正数且编码唯一",
                    g.code
                )));
            }
        }
        if self.point_budgets.iter().any(|b| b.month_budget_fen < 0) {
            return Err(InstitutionError::RulesInvalid("月度预算不能为负数".into()));
        }
        self.year_end.check()
    }

    pub fn group(&self, code: &str) -> Option<&DiseaseGroup> {
        self.disease_groups.iter().find(|g| g.code == code)
    }

    /// The month's point budget of the region (the longest matching prefix).
    pub fn point_budget(&self, region: &str) -> Option<i64> {
        self.point_budgets
            .iter()
            .filter(|b| region.starts_with(&b.region_prefix))
            .max_by_key(|b| b.region_prefix.len())
            .map(|b| b.month_budget_fen)
    }
}

/// Inpatient cases of the month per disease group, as the institution declares them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCases {
    pub group: String,
    pub cases: i64,
}

/// The points of a declaration's groups; the cases must add up to the ledger's inpatient
/// settlements (each inpatient settlement is one case in one group).
pub fn points_of(
    rules: &MonthRules,
    groups: &[GroupCases],
    ledger_inpatient_count: i64,
) -> Result<i64, InstitutionError> {
    let mut points: i64 = 0;
    let mut cases: i64 = 0;
    for g in groups {
        let def = rules
            .group(&g.group)
            .ok_or_else(|| InstitutionError::FieldInvalid {
                field: format!("病种 {}", g.group),
                why: "不在本月病种分值表中".into(),
            })?;
        if g.cases < 0 {
            return Err(InstitutionError::FieldInvalid {
                field: format!("病种 {}", g.group),
                why: "例数不能为负数".into(),
            });
        }
        cases += g.cases;
        points = def
            .points
            .checked_mul(g.cases)
            .and_then(|p| p.checked_add(points))
            .ok_or(InstitutionError::Overflow)?;
    }
    if cases != ledger_inpatient_count {
        return Err(InstitutionError::FieldInvalid {
            field: "病种例数".into(),
            why: format!(
                "申报病种例数合计 {cases} 与结算记录中的住院人次 {ledger_inpatient_count} 不一致"
            ),
        });
    }
    Ok(points)
}

/// `a × b / c` rounded half up, exactly (i128), for non-negative inputs and `c > 0`.
pub fn mul_div_half_up(a: i64, b: i64, c: i64) -> Result<i64, InstitutionError> {
    if c <= 0 || a < 0 || b < 0 {
        return Err(InstitutionError::Overflow);
    }
    let n = (a as i128) * (b as i128);
    let q = (2 * n + c as i128) / (2 * c as i128);
    i64::try_from(q).map_err(|_| InstitutionError::Overflow)
}

/// 总额预付: the month's advance of an annual budget, the year split into 12 so the months add
/// up exactly to the budget (the remainder falls on the months where the cumulative share
/// passes a fen).
pub fn monthly_advance(annual_fen: i64, month: u32) -> Result<i64, InstitutionError> {
    if !(1..=12).contains(&month) || annual_fen < 0 {
        return Err(InstitutionError::Overflow);
    }
    let upto = |m: i64| (annual_fen as i128 * m as i128 / 12) as i64;
    Ok(upto(month as i64) - upto(month as i64 - 1))
}

/// An audit deduction (扣款) on the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub reason: String,
    pub amount_fen: i64,
}

/// What the month's statement is computed from.
#[derive(Debug, Clone)]
pub struct StatementInput<'a> {
    pub month: u32,
    pub methods: &'a [PaymentMethod],
    pub annual_budget_fen: Option<i64>,
    pub ledger: &'a [LedgerGroup],
    /// The institution's points and the region's total points and budget (DIP), when the
    /// agreement pays inpatient care by disease points.
    pub points: Option<PointShare>,
    pub deductions: &'a [Deduction],
    pub reserve_bp: i64,
}

/// An institution's share of the region's point budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointShare {
    pub points: i64,
    pub region_points: i64,
    pub region_budget_fen: i64,
}

/// One line of the 结算单.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub item: String,
    pub method: Option<PaymentMethod>,
    pub basis: String,
    pub amount_fen: i64,
}

/// The month's 结算单.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub lines: Vec<StatementLine>,
    /// 应付 (before deductions and reserve).
    pub due_fen: i64,
    pub deductions_fen: i64,
    /// 质量保证金 withheld.
    pub reserve_fen: i64,
    /// 实付.
    pub net_fen: i64,
}

fn sum<F: Fn(&LedgerGroup) -> bool>(ledger: &[LedgerGroup], fund: Fund, f: F) -> i64 {
    ledger.iter().filter(|g| f(g)).map(|g| g.amount(fund)).sum()
}

/// Computes the month's 结算单 by the agreement's methods:
/// - the pooled fund of inpatient care by disease points (when agreed): points × the month's
///   point value (region budget ÷ region points), rounded half up to the fen;
/// - the pooled fund of the rest by the global budget's monthly advance (when agreed), else
///   fee for service: the ledger's pooled fund;
/// - critical-illness insurance, medical aid and the personal account as the ledger has them;
///
/// Then deductions, then the reserve (质量保证金) on what remains.
pub fn compute_statement(i: &StatementInput<'_>) -> Result<Statement, InstitutionError> {
    let dip = i.methods.contains(&PaymentMethod::DiseasePoints);
    let global = i.methods.contains(&PaymentMethod::GlobalBudget);
    let inpatient = |g: &LedgerGroup| g.visit == VisitType::Inpatient;
    let mut lines = Vec::new();
    if dip {
        let share = i.points.ok_or_else(|| InstitutionError::FieldInvalid {
            field: "病种分值".into(),
            why: "约定按病种分值付费的，须申报本月各病种例数".into(),
        })?;
        let amount = if share.region_points == 0 {
            0
        } else {
            mul_div_half_up(share.points, share.region_budget_fen, share.region_points)?
        };
        lines.push(StatementLine {
            item: "住院统筹基金（按病种分值）".into(),
            method: Some(PaymentMethod::DiseasePoints),
            basis: format!(
                "本机构 {} 分 × 点值（本月预算 {} 分 ÷ 统筹区总分值 {}）",
                share.points, share.region_budget_fen, share.region_points
            ),
            amount_fen: amount,
        });
    }
    let rest = |g: &LedgerGroup| !(dip && inpatient(g));
    if global {
        let annual = i
            .annual_budget_fen
            .ok_or_else(|| InstitutionError::FieldInvalid {
                field: "年度总额预算".into(),
                why: "约定总额预付的，须有年度总额预算".into(),
            })?;
        lines.push(StatementLine {
            item: if dip {
                "门诊等统筹基金（总额预付月度预拨）".into()
            } else {
                "统筹基金（总额预付月度预拨）".into()
            },
            method: Some(PaymentMethod::GlobalBudget),
            basis: format!("年度总额 {annual} 分按月预拨（第{}月）", i.month),
            amount_fen: monthly_advance(annual, i.month)?,
        });
    } else {
        let count: i64 = i.ledger.iter().filter(|g| rest(g)).map(|g| g.count).sum();
        lines.push(StatementLine {
            item: if dip {
                "门诊等统筹基金（按项目）".into()
            } else {
                "统筹基金（按项目）".into()
            },
            method: Some(PaymentMethod::FeeForService),
            basis: format!("实时结算记录 {count} 人次的统筹基金支付合计"),
            amount_fen: sum(i.ledger, Fund::Pooled, rest),
        });
    }
    for fund in [Fund::CriticalIllness, Fund::Aid, Fund::Account] {
        let amount = sum(i.ledger, fund, |_| true);
        if amount != 0 {
            lines.push(StatementLine {
                item: fund.label().to_string(),
                method: None,
                basis: "按实时结算记录".into(),
                amount_fen: amount,
            });
        }
    }
    let due_fen = lines
        .iter()
        .try_fold(0i64, |a, l| a.checked_add(l.amount_fen))
        .ok_or(InstitutionError::Overflow)?;
    let mut deductions_fen: i64 = 0;
    for d in i.deductions {
        if d.amount_fen <= 0 {
            return Err(InstitutionError::FieldInvalid {
                field: "扣款".into(),
                why: "扣款金额应为正数".into(),
            });
        }
        deductions_fen = deductions_fen
            .checked_add(d.amount_fen)
            .ok_or(InstitutionError::Overflow)?;
    }
    if deductions_fen > due_fen {
        return Err(InstitutionError::DeductionsExceedDue);
    }
    let reserve_fen = mul_div_half_up(due_fen - deductions_fen, i.reserve_bp, 10_000)?;
    Ok(Statement {
        lines,
        due_fen,
        deductions_fen,
        reserve_fen,
        net_fen: due_fen - deductions_fen - reserve_fen,
    })
}

/// The date by which finance pays the month (`year`, `month`):
/// - Chongqing/Nanchuan 35/36 「医保经办机构于次月15日前完成上月月结算费用拨付」: the 15th of the
///   next month;
/// - Sichuan 39/40 「不超过 30个工作日」 from the declaration's acceptance.
pub fn payment_due(
    jurisdiction: &str,
    year: i32,
    month: u32,
    accepted_on: NaiveDate,
    cal: &HolidayCalendar,
) -> Option<NaiveDate> {
    match jurisdiction {
        "sichuan" => Some(cal.add_working_days(accepted_on, 30).value),
        _ => {
            let (y, m) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 15)
        }
    }
}

/// The month (`YYYY-MM`) parsed, or an error naming the field.
pub fn parse_month(text: &str) -> Result<(i32, u32), InstitutionError> {
    let bad = || InstitutionError::FieldInvalid {
        field: "结算月份".into(),
        why: "应为 YYYY-MM 格式，如 2026-11".into(),
    };
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    Ok((y, m))
}

/// True when the month has ended on `today` (a month is declared after it ends).
pub fn month_ended(year: i32, month: u32, today: NaiveDate) -> bool {
    (today.year(), today.month()) > (year, month)
}

#[cfg(test)]
mod tests;

crate::codes::coded! {
    /// Where a month's 结算单 stands.
    StatementStatus {
        /// 已生成: issued by the agency, waiting for the institution's confirmation.
        Issued = ("issued", "待机构确认"),
        /// 已确认: confirmed by the institution, waiting for finance.
        Confirmed = ("confirmed", "待拨付"),
        /// 已拨付: paid by finance in a batch.
        Paid = ("paid", "已拨付"),
    }
}
