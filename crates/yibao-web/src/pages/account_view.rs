//! The personal account (个人账户) as the person's record pages show it: the year's status,
//! balance and totals, the latest lines and the links (docs/accounts.md). The full, paged
//! statement is `GET /api/v1/persons/{id}/account`.

use chrono::Datelike;
use yibao_domain::Fen;
use yibao_service::account::{statement, Statement};
use yibao_service::identity::Actor;
use yibao_service::{ServiceError, Services};

/// How many lines the page shows (newest first).
const PAGE_LINES: i64 = 20;

pub struct AccountLine {
    pub at: String,
    pub kind: &'static str,
    pub amount: String,
    pub balance_after: String,
    pub reference: String,
}

pub struct LinkLine {
    pub other: String,
    pub relationship: &'static str,
    pub since: String,
    pub revoked: String,
}

pub struct AccountView {
    pub status: &'static str,
    pub year: i64,
    pub balance: String,
    pub opening: String,
    pub credited: String,
    pub inherited: String,
    pub settled: String,
    pub reversed: String,
    pub withdrawn: String,
    pub transferred: String,
    pub lines: Vec<AccountLine>,
    /// Older lines exist beyond the page.
    pub more: bool,
    pub links_held: Vec<LinkLine>,
    pub links_drawn_on: Vec<LinkLine>,
}

/// Fen's own display: `12.34元`.
fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

fn links(list: &[yibao_service::account::LinkView]) -> Vec<LinkLine> {
    list.iter()
        .map(|l| LinkLine {
            other: l.other.clone(),
            relationship: l.relationship_label,
            since: yibao_service::clock::local_text(&l.created_at),
            revoked: l
                .revoked_at
                .as_deref()
                .map(yibao_service::clock::local_text)
                .unwrap_or_default(),
        })
        .collect()
}

pub fn view(s: &Statement) -> AccountView {
    let t = &s.totals;
    AccountView {
        status: s.status_label,
        year: s.year,
        balance: yuan(s.balance_fen),
        opening: yuan(t.opening.fen()),
        credited: yuan(t.credited.fen()),
        inherited: yuan(t.inherited.fen()),
        settled: yuan(t.settled.fen()),
        reversed: yuan(t.reversed.fen()),
        withdrawn: yuan(t.withdrawn.fen()),
        transferred: yuan(t.transferred.fen()),
        lines: s
            .entries
            .iter()
            .map(|e| AccountLine {
                at: yibao_service::clock::local_text(&e.created_at),
                kind: e.kind_label,
                amount: yuan(e.amount_fen),
                balance_after: yuan(e.balance_after_fen),
                reference: e.reference.clone(),
            })
            .collect(),
        more: s.next_before.is_some(),
        links_held: links(&s.links_held),
        links_drawn_on: links(&s.links_drawn_on),
    }
}

/// The account of the person `person_id` this year, for whoever may see the record.
pub async fn current(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<AccountView, ServiceError> {
    let year = i64::from(services.clock().today().year());
    Ok(view(
        &statement(services, actor, person_id, year, None, PAGE_LINES).await?,
    ))
}
