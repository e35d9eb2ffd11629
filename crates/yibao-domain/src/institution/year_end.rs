//! Year-end reconciliation with a designated institution (年终清算): the global budget's
//! advances paid over the year against the year's entitlement (总额预付, seed 004), and the
//! quality reserve (质量保证金) withheld month by month, returned or kept by the year's
//! assessment (年度考核).
//!
//! The guides name neither formula nor figures; the structure is the common one (结余留用、
//! 合理超支分担; the reserve returned by the assessment's score) and every figure is data
//! (`data/institution/monthly-rules.toml`, `[year_end]`, 示例参数). Pure functions: the year's
//! sums and the rules in, the reconciliation out.

use serde::{Deserialize, Serialize};

use super::monthly::mul_div_half_up;
use super::InstitutionError;

/// The year-end rules (data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEndRules {
    /// 结余留用: the share of an underspent budget the institution keeps, in basis points.
    pub surplus_kept_bp: i64,
    /// 合理超支分担: the share of an overspend the fund bears, in basis points …
    pub overspend_shared_bp: i64,
    /// … of an overspend counted up to this share of the budget (beyond it, none).
    pub overspend_cap_bp: i64,
    /// An assessment score from which the whole reserve is returned.
    pub reserve_full_score: i64,
    /// A score below which none of it is returned; in between, the score's percentage.
    pub reserve_none_below: i64,
}

impl YearEndRules {
    pub fn check(&self) -> Result<(), InstitutionError> {
        let share = |v: i64| (0..=10_000).contains(&v);
        if !share(self.surplus_kept_bp)
            || !share(self.overspend_shared_bp)
            || !share(self.overspend_cap_bp)
        {
            return Err(InstitutionError::RulesInvalid(
                "年终清算的比例应在0至100%之间".into(),
            ));
        }
        if !(0..=100).contains(&self.reserve_none_below)
            || !(self.reserve_none_below..=100).contains(&self.reserve_full_score)
        {
            return Err(InstitutionError::RulesInvalid(
                "质量保证金返还的考核分数线应在0至100之间，且全额返还线不低于不予返还线".into(),
            ));
        }
        Ok(())
    }
}

/// The global budget's year: the agreed annual budget, the advances paid for the year's months,
/// and the pooled fund the ledger shows for the care the budget covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetYear {
    pub annual_budget_fen: i64,
    pub advances_paid_fen: i64,
    pub actual_pooled_fen: i64,
}

/// The global budget reconciled (总额预付年终清算).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetReconciliation {
    pub annual_budget_fen: i64,
    pub actual_pooled_fen: i64,
    /// What the year earns: the actual spending, plus the kept share of a surplus or the
    /// fund's share of a (capped) overspend.
    pub entitlement_fen: i64,
    pub advances_paid_fen: i64,
    /// Entitlement − advances: positive is paid to the institution (补付), negative recovered
    /// from it (追回).
    pub balance_fen: i64,
    pub basis: String,
}

fn non_negative(field: &str, v: i64) -> Result<(), InstitutionError> {
    if v < 0 {
        return Err(InstitutionError::FieldInvalid {
            field: field.into(),
            why: "不能为负数".into(),
        });
    }
    Ok(())
}

/// The year's entitlement against the advances paid:
/// - spent ≤ budget (结余留用): actual + surplus × `surplus_kept_bp`;
/// - spent > budget (合理超支分担): budget + min(overspend, budget × `overspend_cap_bp`) ×
///   `overspend_shared_bp`; the rest of the overspend is the institution's.
///
/// Shares are rounded half up to the fen.
pub fn reconcile_budget(
    y: &BudgetYear,
    r: &YearEndRules,
) -> Result<BudgetReconciliation, InstitutionError> {
    non_negative("年度总额预算", y.annual_budget_fen)?;
    non_negative("已预拨金额", y.advances_paid_fen)?;
    non_negative("统筹基金实际支出", y.actual_pooled_fen)?;
    let (entitlement, basis) = if y.actual_pooled_fen <= y.annual_budget_fen {
        let surplus = y.annual_budget_fen - y.actual_pooled_fen;
        let kept = mul_div_half_up(surplus, r.surplus_kept_bp, 10_000)?;
        (
            y.actual_pooled_fen
                .checked_add(kept)
                .ok_or(InstitutionError::Overflow)?,
            format!(
                "实际支出 {} 分未超年度总额 {} 分，结余 {surplus} 分按 {}‱ 留用 {kept} 分",
                y.actual_pooled_fen, y.annual_budget_fen, r.surplus_kept_bp
            ),
        )
    } else {
        let over = y.actual_pooled_fen - y.annual_budget_fen;
        let cap = mul_div_half_up(y.annual_budget_fen, r.overspend_cap_bp, 10_000)?;
        let counted = over.min(cap);
        let shared = mul_div_half_up(counted, r.overspend_shared_bp, 10_000)?;
        (
            y.annual_budget_fen
                .checked_add(shared)
                .ok_or(InstitutionError::Overflow)?,
            format!(
                "实际支出 {} 分超年度总额 {} 分 {over} 分，其中 {counted} 分（不超过总额的 {}‱）由基金按 {}‱ 分担 {shared} 分",
                y.actual_pooled_fen, y.annual_budget_fen, r.overspend_cap_bp, r.overspend_shared_bp
            ),
        )
    };
    Ok(BudgetReconciliation {
        annual_budget_fen: y.annual_budget_fen,
        actual_pooled_fen: y.actual_pooled_fen,
        entitlement_fen: entitlement,
        advances_paid_fen: y.advances_paid_fen,
        balance_fen: entitlement
            .checked_sub(y.advances_paid_fen)
            .ok_or(InstitutionError::Overflow)?,
        basis,
    })
}

/// The reserve's year (质量保证金): withheld from the year's paid statements, returned by the
/// year's assessment score (0–100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveReconciliation {
    pub withheld_fen: i64,
    pub score: i64,
    pub returned_fen: i64,
    /// Kept by the fund (不予返还).
    pub kept_fen: i64,
    pub basis: String,
}

/// The reserve returned: all of it from `reserve_full_score`, none below `reserve_none_below`,
/// in between the score's percentage (rounded half up to the fen).
pub fn reconcile_reserve(
    withheld_fen: i64,
    score: i64,
    r: &YearEndRules,
) -> Result<ReserveReconciliation, InstitutionError> {
    non_negative("已扣留质量保证金", withheld_fen)?;
    if !(0..=100).contains(&score) {
        return Err(InstitutionError::FieldInvalid {
            field: "年度考核得分".into(),
            why: "应为0至100的整数".into(),
        });
    }
    let (returned, basis) = if score >= r.reserve_full_score {
        (
            withheld_fen,
            format!(
                "考核得分 {score}，不低于 {} 分，全额返还",
                r.reserve_full_score
            ),
        )
    } else if score < r.reserve_none_below {
        (
            0,
            format!(
                "考核得分 {score}，低于 {} 分，不予返还",
                r.reserve_none_below
            ),
        )
    } else {
        (
            mul_div_half_up(withheld_fen, score, 100)?,
            format!("考核得分 {score}，按得分比例返还 {score}%"),
        )
    };
    Ok(ReserveReconciliation {
        withheld_fen,
        score,
        returned_fen: returned,
        kept_fen: withheld_fen - returned,
        basis,
    })
}

/// The year-end statement (年终清算单): the budget's balance (when the agreement has a global
/// budget) and the reserve returned; `net_fen` negative is recovered from the institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEndStatement {
    pub year: i32,
    pub budget: Option<BudgetReconciliation>,
    pub reserve: ReserveReconciliation,
    pub net_fen: i64,
}

pub fn year_end_statement(
    year: i32,
    budget: Option<BudgetReconciliation>,
    reserve: ReserveReconciliation,
) -> Result<YearEndStatement, InstitutionError> {
    let net = budget
        .as_ref()
        .map_or(0, |b| b.balance_fen)
        .checked_add(reserve.returned_fen)
        .ok_or(InstitutionError::Overflow)?;
    Ok(YearEndStatement {
        year,
        budget,
        reserve,
        net_fen: net,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> YearEndRules {
        YearEndRules {
            surplus_kept_bp: 5_000,
            overspend_shared_bp: 5_000,
            overspend_cap_bp: 1_000,
            reserve_full_score: 90,
            reserve_none_below: 60,
        }
    }

    fn budget(actual: i64, advances: i64) -> BudgetReconciliation {
        reconcile_budget(
            &BudgetYear {
                annual_budget_fen: 1_200_000,
                advances_paid_fen: advances,
                actual_pooled_fen: actual,
            },
            &rules(),
        )
        .unwrap()
    }

    #[test]
    fn spending_exactly_the_budget_earns_the_budget() {
        let b = budget(1_200_000, 1_200_000);
        assert_eq!(b.entitlement_fen, 1_200_000);
        assert_eq!(b.balance_fen, 0);
    }

    #[test]
    fn a_surplus_is_half_kept() {
        // 1 fen under: half a fen kept, rounded half up.
        assert_eq!(budget(1_199_999, 1_200_000).entitlement_fen, 1_200_000);
        let b = budget(1_000_000, 1_200_000);
        assert_eq!(b.entitlement_fen, 1_100_000);
        assert_eq!(b.balance_fen, -100_000, "recovered");
        // Nothing spent: half the budget.
        assert_eq!(budget(0, 0).entitlement_fen, 600_000);
    }

    #[test]
    fn an_overspend_is_shared_up_to_the_cap() {
        // 1 fen over: half a fen shared.
        assert_eq!(budget(1_200_001, 1_200_000).entitlement_fen, 1_200_001);
        // At the cap (10 % = 120 000): half of it.
        let b = budget(1_320_000, 1_100_000);
        assert_eq!(b.entitlement_fen, 1_260_000);
        assert_eq!(b.balance_fen, 160_000, "paid");
        // Beyond the cap: no more.
        assert_eq!(budget(2_000_000, 0).entitlement_fen, 1_260_000);
    }

    #[test]
    fn negative_sums_are_refused() {
        let r = reconcile_budget(
            &BudgetYear {
                annual_budget_fen: 1,
                advances_paid_fen: -1,
                actual_pooled_fen: 0,
            },
            &rules(),
        );
        assert!(matches!(r, Err(InstitutionError::FieldInvalid { .. })));
    }

    #[test]
    fn the_reserve_follows_the_score_at_its_boundaries() {
        let r = |s| reconcile_reserve(10_001, s, &rules()).unwrap();
        assert_eq!(r(100).returned_fen, 10_001);
        assert_eq!(r(90).returned_fen, 10_001);
        // 89 %: 8 900.89 → 8 901.
        assert_eq!(r(89).returned_fen, 8_901);
        assert_eq!(r(89).kept_fen, 1_100);
        assert_eq!(r(60).returned_fen, 6_001);
        assert_eq!(r(59).returned_fen, 0);
        assert_eq!(r(0).kept_fen, 10_001);
        assert!(reconcile_reserve(1, 101, &rules()).is_err());
        assert!(reconcile_reserve(1, -1, &rules()).is_err());
    }

    #[test]
    fn the_statement_adds_the_balance_and_the_reserve() {
        let s = year_end_statement(
            2026,
            Some(budget(1_000_000, 1_200_000)),
            reconcile_reserve(50_000, 95, &rules()).unwrap(),
        )
        .unwrap();
        assert_eq!(s.net_fen, -100_000 + 50_000);
        let s = year_end_statement(2026, None, reconcile_reserve(50_000, 70, &rules()).unwrap())
            .unwrap();
        assert_eq!(s.net_fen, 35_000);
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        let mut r = rules();
        r.reserve_full_score = 50;
        assert!(r.check().is_err());
        let mut r = rules();
        r.surplus_kept_bp = 10_001;
        assert!(r.check().is_err());
        assert!(rules().check().is_ok());
    }
}
