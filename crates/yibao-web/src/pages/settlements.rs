//! Staff's list of real-time settlements in their region (结算记录): search, pages, Excel.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use yibao_service::paging::{self, Span};
use yibao_service::settlement::{self, SettlementListItem};

use super::chrome::Chrome;
use super::{html, yuan};
use crate::auth::Auth;
use crate::AppState;
use crate::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "settlements.html")]
struct SettlementsPage {
    chrome: Chrome,
    items: Vec<SettlementListItem>,
    q: String,
    pager: super::pager::Pager,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    let text = paging::search_text(q.q.as_deref());
    let export = q.format.as_deref() == Some("xlsx");
    let span = if export {
        Span::Export
    } else {
        Span::page(q.page.as_deref())
    };
    let found = settlement::list_in_region(&state.services, &auth.actor, &text, span).await?;
    if export {
        let rows: Vec<Vec<String>> = found
            .items
            .iter()
            .map(|s| {
                vec![
                    yibao_service::clock::local_text(&s.created_at),
                    s.institution_code.clone(),
                    s.institution_name.clone(),
                    s.request_id.clone(),
                    s.person.clone(),
                    yuan(&s.total_fen),
                    yuan(&s.funds_fen),
                    yuan(&s.person_fen),
                    s.status.label().to_string(),
                ]
            })
            .collect();
        return crate::export::download(
            "结算记录",
            state.services.clock().today(),
            "结算记录",
            &[
                "结算时间",
                "机构编码",
                "定点机构",
                "结算流水号",
                "参保人（脱敏）",
                "医疗费总额（元）",
                "基金支付（元）",
                "个人负担（元）",
                "状态",
            ],
            &rows,
        );
    }
    let pager = super::pager::Pager::new("/staff/settlements", &[("q", &text)], &found);
    Ok(html(&SettlementsPage {
        chrome: Chrome::of(&auth),
        items: found.items,
        q: text,
        pager,
    }))
}
