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
    own_label: &'static str,
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
        own_label: yibao_service::effects::own_page_label(
            item.service,
            matches!(auth.actor, Actor::Staff(_)),
        ),
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

/// One institution of the cross-province list.
pub struct OpenInstitution {
    pub code: String,
    pub name: String,
    pub level: String,
    pub province: &'static str,
    pub region_code: String,
}

#[derive(Template)]
#[template(path = "cross_province.html")]
struct CrossProvincePage {
    chrome: Chrome,
    /// The guide item's link, conditions and materials (empty when the catalog lacks it).
    guide: String,
    conditions: String,
    materials: String,
    institutions: Vec<OpenInstitution>,
}

/// 门诊费用跨省直接结算 (seed 000 item 07): what the guide asks, and the institutions open today
/// for cross-province direct settlement — the 「跨省门诊费用直接结算定点医疗机构」 where it is done.
pub async fn cross_province(
    auth: Auth,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let catalog = state.services.catalog();
    let item = catalog.find("chuanyu", "07", None);
    let institutions = yibao_service::institution::cross_province_open(&state.services)
        .await?
        .into_iter()
        .map(|i| OpenInstitution {
            province: i
                .region_code
                .parse::<yibao_domain::RegionCode>()
                .map(|r| r.province_name())
                .unwrap_or(""),
            code: i.code,
            name: i.name,
            level: i.level,
            region_code: i.region_code,
        })
        .collect();
    let text = |t: Option<&String>| {
        t.map(|s| s.trim_end_matches('。').to_string())
            .unwrap_or_default()
    };
    Ok(html(&CrossProvincePage {
        chrome: Chrome::of(&auth),
        guide: item
            .map(|i| format!("/guide/{}/{}", i.jurisdiction, i.id))
            .unwrap_or_default(),
        conditions: text(item.and_then(|i| i.conditions_text.as_ref())),
        materials: text(item.and_then(|i| i.materials_text.as_ref())),
        institutions,
    }))
}
