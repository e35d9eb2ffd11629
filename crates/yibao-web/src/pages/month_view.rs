//! An institution's month (`MonthView`) as both its own page and the agency's detail page show
//! it (`templates/_month.html`): the ledger's totals, the reconciliation line by line, the
//! deductions and the 结算单, every amount in yuan.

use yibao_domain::institution::monthly::{Fund, LineStatus, StatementStatus};
use yibao_domain::Fen;
use yibao_service::institution::monthly::MonthView;

fn yuan(fen: i64) -> String {
    Fen(fen).yuan_string()
}

/// One (scheme, visit type) of the ledger.
pub struct LedgerRow {
    pub scheme: &'static str,
    pub visit: &'static str,
    pub count: i64,
    /// Total, pooled, critical illness, aid, account, cash — in yuan.
    pub amounts: Vec<String>,
}

/// One line of the reconciliation.
pub struct ReconRow {
    pub scheme: &'static str,
    pub visit: &'static str,
    pub fund: &'static str,
    pub declared_count: i64,
    pub declared: String,
    pub ledger_count: i64,
    pub ledger: String,
    pub status: &'static str,
    pub matched: bool,
}

pub struct StatementLineRow {
    pub item: String,
    pub basis: String,
    pub amount: String,
}

pub struct StatementShown {
    pub status: &'static str,
    /// Waiting for the institution's confirmation.
    pub issued: bool,
    pub lines: Vec<StatementLineRow>,
    pub due: String,
    pub deductions: String,
    pub reserve: String,
    pub net: String,
    pub pay_by: String,
    pub issued_at: String,
    pub confirmed_at: String,
    pub paid_at: String,
    pub batch: String,
}

pub struct DeductionShown {
    pub reason: String,
    pub amount: String,
    pub created_at: String,
}

pub struct MonthShown {
    pub month: String,
    pub code: String,
    pub name: String,
    pub rules_label: String,
    pub fund_labels: Vec<&'static str>,
    pub ledger: Vec<LedgerRow>,
    pub ledger_count: i64,
    pub declared_at: Option<String>,
    pub declaration_seq: i64,
    pub mismatches: usize,
    pub recon: Vec<ReconRow>,
    /// Disease groups declared: (code, cases).
    pub groups: Vec<(String, i64)>,
    pub deductions: Vec<DeductionShown>,
    pub statement: Option<StatementShown>,
}

impl MonthShown {
    pub fn of(v: &MonthView) -> MonthShown {
        let ledger = v
            .ledger
            .iter()
            .map(|g| LedgerRow {
                scheme: g.scheme.label(),
                visit: g.visit.label(),
                count: g.count,
                amounts: Fund::ALL.iter().map(|f| yuan(g.amount(*f))).collect(),
            })
            .collect();
        let (recon, mismatches, declared_at, declaration_seq, groups) = match &v.declaration {
            Some(d) => (
                d.reconciliation
                    .lines
                    .iter()
                    .map(|l| ReconRow {
                        scheme: l.key.scheme.label(),
                        visit: l.key.visit.label(),
                        fund: l.key.fund.label(),
                        declared_count: l.declared_count,
                        declared: yuan(l.declared_fen),
                        ledger_count: l.ledger_count,
                        ledger: yuan(l.ledger_fen),
                        status: l.status.label(),
                        matched: l.status == LineStatus::Matched,
                    })
                    .collect(),
                d.reconciliation.mismatches,
                Some(yibao_service::clock::local_text(&d.declared_at)),
                d.seq,
                d.groups
                    .iter()
                    .map(|g| (g.group.clone(), g.cases))
                    .collect(),
            ),
            None => (Vec::new(), 0, None, 0, Vec::new()),
        };
        let statement = v.statement.as_ref().map(|s| StatementShown {
            status: s.status_label,
            issued: s.status == StatementStatus::Issued,
            lines: s
                .statement
                .lines
                .iter()
                .map(|l| StatementLineRow {
                    item: l.item.clone(),
                    basis: l.basis.clone(),
                    amount: yuan(l.amount_fen),
                })
                .collect(),
            due: yuan(s.statement.due_fen),
            deductions: yuan(s.statement.deductions_fen),
            reserve: yuan(s.statement.reserve_fen),
            net: yuan(s.statement.net_fen),
            pay_by: s.pay_by.clone(),
            issued_at: yibao_service::clock::local_text(&s.issued_at),
            confirmed_at: s
                .confirmed_at
                .as_deref()
                .map(yibao_service::clock::local_text)
                .unwrap_or_default(),
            paid_at: s
                .paid_at
                .as_deref()
                .map(yibao_service::clock::local_text)
                .unwrap_or_default(),
            batch: s.batch.clone().unwrap_or_default(),
        });
        MonthShown {
            month: v.month.clone(),
            code: v.code.clone(),
            name: v.name.clone(),
            rules_label: v.rules_label.clone(),
            fund_labels: Fund::ALL.iter().map(|f| f.label()).collect(),
            ledger_count: v.ledger.iter().map(|g| g.count).sum(),
            ledger,
            declared_at,
            declaration_seq,
            mismatches,
            recon,
            groups,
            deductions: v
                .deductions
                .iter()
                .map(|d| DeductionShown {
                    reason: d.reason.clone(),
                    amount: yuan(d.amount_fen),
                    created_at: yibao_service::clock::local_text(&d.created_at),
                })
                .collect(),
            statement,
        }
    }
}

/// The month being settled on `today`: the one before (`YYYY-MM`).
pub fn previous_month(today: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    format!("{y:04}-{m:02}")
}
