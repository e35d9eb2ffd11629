//! The contribution ledger on the person's and the unit's record pages (缴费记录): the year's
//! totals and the newest lines, amounts in yuan, every figure from a placeholder policy marked.

use yibao_domain::contribution::PayerKind;
use yibao_domain::Fen;
use yibao_service::contribution::Ledger;

pub struct LedgerLineView {
    pub month: String,
    pub kind: &'static str,
    pub base: String,
    pub employer: String,
    pub person: String,
    pub total: String,
    pub paid: String,
    pub arrears: String,
    pub credit: String,
    pub example: bool,
}

pub struct LedgerView {
    pub year: i32,
    pub due: String,
    pub paid: String,
    pub arrears_year: String,
    pub credit: String,
    pub arrears_all: String,
    pub lines: Vec<LedgerLineView>,
    pub example: bool,
}

fn yuan(fen: i64) -> String {
    Fen(fen).yuan_string()
}

impl From<&Ledger> for LedgerView {
    fn from(l: &Ledger) -> Self {
        let lines: Vec<LedgerLineView> = l
            .lines
            .iter()
            .map(|r| LedgerLineView {
                // A resident's line is the year's (booked in its first month).
                month: match (r.kind, r.month.get(..4)) {
                    (PayerKind::Resident, Some(y)) => format!("{y}年度"),
                    _ => r.month.clone(),
                },
                kind: PayerKind::label(r.kind),
                base: yuan(r.base_fen),
                employer: yuan(r.employer_fen),
                person: yuan(r.person_fen),
                total: yuan(r.total_fen),
                paid: yuan(r.paid_fen),
                arrears: yuan((r.total_fen - r.paid_fen).max(0)),
                credit: yuan(r.account_credit_fen),
                example: r.example != 0,
            })
            .collect();
        LedgerView {
            year: l.year,
            due: yuan(l.year_totals.due_fen),
            paid: yuan(l.year_totals.paid_fen),
            arrears_year: yuan(l.year_totals.arrears_fen),
            credit: yuan(l.year_totals.account_credit_fen),
            arrears_all: yuan(l.arrears_fen),
            example: lines.iter().any(|x| x.example),
            lines,
        }
    }
}
