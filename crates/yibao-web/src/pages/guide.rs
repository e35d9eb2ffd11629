//! 办事指南 pages: the catalog by jurisdiction and category, searchable in Chinese; one page per
//! item showing every field the guide gives; blank forms; the offices directory. All printable.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use yibao_domain::catalog::{
    domain_label, Catalog, Form, Item, Jurisdiction, OfficeDirectory, DOMAINS,
};

use crate::api::catalog::validated_query;
use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;
use yibao_service::identity::Actor;

#[derive(Debug, Default, Deserialize)]
pub struct GuideQuery {
    jurisdiction: Option<String>,
    category: Option<String>,
    q: Option<String>,
}

pub struct Row<'a> {
    pub item: &'a Item,
    pub jurisdiction_name: &'a str,
    pub category_name: &'static str,
}

#[derive(Template)]
#[template(path = "guide_index.html")]
struct GuideIndex<'a> {
    chrome: Chrome,
    jurisdictions: &'a [Jurisdiction],
    domains: &'static [(&'static str, &'static str)],
    jurisdiction: String,
    category: String,
    q: String,
    rows: Vec<Row<'a>>,
    error: Option<String>,
}

fn row<'a>(catalog: &'a Catalog, item: &'a Item) -> Row<'a> {
    Row {
        item,
        jurisdiction_name: catalog
            .jurisdiction(&item.jurisdiction)
            .map(|j| j.name.as_str())
            .unwrap_or(""),
        category_name: domain_label(catalog.domain_of(item)),
    }
}

pub async fn index(
    auth: Auth,
    State(state): State<AppState>,
    query: Result<Query<GuideQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|q| q.0).unwrap_or_default();
    let catalog = state.services.catalog();
    let (rows, error) = match validated_query(
        catalog,
        q.jurisdiction.clone(),
        q.category.clone(),
        q.q.clone(),
    ) {
        Ok(query) => (
            catalog
                .search(&query)
                .into_iter()
                .map(|i| row(catalog, i))
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(e.body.message)),
    };
    html(&GuideIndex {
        chrome: Chrome::of(&auth),
        jurisdictions: &catalog.jurisdictions,
        domains: DOMAINS,
        jurisdiction: q.jurisdiction.unwrap_or_default(),
        category: q.category.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        rows,
        error,
    })
}

#[derive(Template)]
#[template(path = "guide_item.html")]
struct GuideItem<'a> {
    chrome: Chrome,
    can_apply: bool,
    /// The item's own page where it is not a case (complaints, ADR 0009).
    own_page: Option<&'static str>,
    is_staff: bool,
    item: &'a Item,
    jurisdiction: &'a Jurisdiction,
    category_name: &'static str,
    service_name: &'a str,
    variants: Vec<Row<'a>>,
    forms: Vec<&'a Form>,
    versions: Vec<u32>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemQuery {
    version: Option<u32>,
}

pub async fn item(
    auth: Auth,
    State(state): State<AppState>,
    Path((jurisdiction, code)): Path<(String, String)>,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let catalog = state.services.catalog();
    let version = query.ok().and_then(|q| q.0.version);
    let found = catalog
        .find(&jurisdiction, &code, None)
        .and_then(|i| match version {
            Some(v) => catalog.find_version(&jurisdiction, &i.id, v),
            None => Some(i),
        });
    let (Some(item), Some(j)) = (found, catalog.jurisdiction(&jurisdiction)) else {
        return Err(PageError::not_found());
    };
    let forms = item.forms.iter().filter_map(|f| catalog.form(f)).collect();
    Ok(html(&GuideItem {
        chrome: Chrome::of(&auth),
        // Applicants (and visitors, who log in first) are offered the form only where the
        // guide offers an online channel; staff where it offers theirs.
        can_apply: yibao_service::effects::supported(item.service)
            && item.in_force_on(state.services.clock().today())
            && !yibao_service::cases::channels_for(item, matches!(auth.actor, Actor::Staff(_)))
                .is_empty(),
        is_staff: matches!(auth.actor, Actor::Staff(_)),
        own_page: yibao_service::effects::own_page(item.service)
            .filter(|_| item.in_force_on(state.services.clock().today())),
        item,
        jurisdiction: j,
        category_name: domain_label(catalog.domain_of(item)),
        service_name: catalog
            .service(item.service)
            .map(|s| s.name.as_str())
            .unwrap_or(""),
        variants: catalog
            .other_variants(item)
            .map(|v| row(catalog, v))
            .collect(),
        forms,
        versions: catalog.versions_of(item),
    }))
}

#[derive(Template)]
#[template(path = "guide_form.html")]
struct FormPage<'a> {
    chrome: Chrome,
    form: &'a Form,
}

pub async fn form(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let form = state
        .services
        .catalog()
        .form(&id)
        .ok_or_else(PageError::not_found)?;
    Ok(html(&FormPage {
        chrome: Chrome::of(&auth),
        form,
    }))
}

#[derive(Template)]
#[template(path = "offices.html")]
struct OfficesPage<'a> {
    chrome: Chrome,
    directories: Vec<(&'a OfficeDirectory, &'a str)>,
}

pub async fn offices(auth: Auth, State(state): State<AppState>) -> Response {
    let catalog = state.services.catalog();
    html(&OfficesPage {
        chrome: Chrome::of(&auth),
        directories: catalog
            .offices
            .iter()
            .map(|d| {
                (
                    d,
                    catalog
                        .jurisdiction(&d.jurisdiction)
                        .map(|j| j.name.as_str())
                        .unwrap_or(""),
                )
            })
            .collect(),
    })
}
