//! The service catalog as JSON: `GET /api/v1/catalog` (filter by jurisdiction, category, text),
//! `GET /api/v1/catalog/{jurisdiction}/{code}` (every field of one item), the canonical services,
//! forms and the offices directory.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yibao_domain::catalog::{domain_label, Catalog, CatalogQuery, Item, DOMAINS};

use super::ApiQuery;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalog", get(list))
        .route("/catalog/services", get(services))
        .route("/catalog/{jurisdiction}/{code}", get(item))
        .route("/forms/{id}", get(form))
        .route("/forms/{id}/validate", axum::routing::post(validate_form))
        .route("/offices", get(offices))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    jurisdiction: Option<String>,
    category: Option<String>,
    q: Option<String>,
}

/// Checks the filters against what exists, so a typo is an error rather than an empty list.
pub fn validated_query(
    catalog: &Catalog,
    jurisdiction: Option<String>,
    category: Option<String>,
    text: Option<String>,
) -> Result<CatalogQuery, ApiError> {
    let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    let jurisdiction = nonempty(jurisdiction);
    let category = nonempty(category);
    if let Some(j) = &jurisdiction {
        if catalog.jurisdiction(j).is_none() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "catalog.unknown_jurisdiction",
                format!(
                    "没有辖区“{j}”：可选 {}",
                    catalog
                        .jurisdictions
                        .iter()
                        .map(|j| format!("{}（{}）", j.key, j.name))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
    }
    if let Some(c) = &category {
        if !DOMAINS.iter().any(|(d, _)| d == c) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "catalog.unknown_category",
                format!(
                    "没有类别“{c}”：可选 {}",
                    DOMAINS
                        .iter()
                        .map(|(d, l)| format!("{d}（{l}）"))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
    }
    Ok(CatalogQuery {
        jurisdiction,
        category,
        text: nonempty(text),
    })
}

#[derive(Serialize)]
struct Summary<'a> {
    jurisdiction: &'a str,
    jurisdiction_name: &'a str,
    id: &'a str,
    version: u32,
    name: &'a str,
    service: &'a str,
    service_name: &'a str,
    category: &'a str,
    category_name: &'static str,
    codes: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_type: Option<yibao_domain::catalog::CaseType>,
    href: String,
}

fn summary<'a>(catalog: &'a Catalog, i: &'a Item) -> Summary<'a> {
    let category = catalog.domain_of(i);
    Summary {
        jurisdiction: &i.jurisdiction,
        jurisdiction_name: catalog
            .jurisdiction(&i.jurisdiction)
            .map(|j| j.name.as_str())
            .unwrap_or(""),
        id: &i.id,
        version: i.version,
        name: &i.name,
        service: i.service.key(),
        service_name: catalog
            .service(i.service)
            .map(|s| s.name.as_str())
            .unwrap_or(""),
        category,
        category_name: domain_label(category),
        codes: i.codes.iter().map(|c| c.code.as_str()).collect(),
        case_type: i.case_type,
        href: format!("/api/v1/catalog/{}/{}", i.jurisdiction, i.id),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog",
    tag = "事项清单",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.services.catalog();
    let query = validated_query(catalog, q.jurisdiction, q.category, q.q)?;
    let items: Vec<Summary> = catalog
        .search(&query)
        .into_iter()
        .map(|i| summary(catalog, i))
        .collect();
    Ok(Json(json!({
        "count": items.len(),
        "items": items,
        "jurisdictions": catalog.jurisdictions,
        "categories": DOMAINS.iter().map(|(k, l)| json!({"key": k, "name": l})).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
struct ItemQuery {
    version: Option<u32>,
}

#[derive(Serialize)]
struct ItemBody<'a> {
    #[serde(flatten)]
    item: &'a Item,
    jurisdiction_name: &'a str,
    category: &'a str,
    category_name: &'static str,
    service_name: &'a str,
    /// The same canonical service in the other jurisdictions.
    variants: Vec<Summary<'a>>,
    /// Every version of this item (a case records the one it was filed under).
    versions: Vec<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/{jurisdiction}/{code}",
    tag = "事项清单",
    params(("jurisdiction" = String, Path), ("code" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn item(
    State(state): State<AppState>,
    Path((jurisdiction, code)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.services.catalog();
    let found = match q.version {
        Some(v) => catalog
            .find(&jurisdiction, &code, None)
            .and_then(|i| catalog.find_version(&jurisdiction, &i.id, v)),
        None => catalog.find(&jurisdiction, &code, None),
    };
    let Some(item) = found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "catalog.item_not_found",
            format!("辖区“{jurisdiction}”中没有序号或事项编码为“{code}”的事项"),
        ));
    };
    let category = catalog.domain_of(item);
    let body = ItemBody {
        item,
        jurisdiction_name: catalog
            .jurisdiction(&item.jurisdiction)
            .map(|j| j.name.as_str())
            .unwrap_or(""),
        category,
        category_name: domain_label(category),
        service_name: catalog
            .service(item.service)
            .map(|s| s.name.as_str())
            .unwrap_or(""),
        variants: catalog
            .other_variants(item)
            .map(|v| summary(catalog, v))
            .collect(),
        versions: catalog.versions_of(item),
    };
    serde_json::to_value(&body)
        .map(Json)
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "序列化失败"))
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/services",
    tag = "事项清单",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn services(State(state): State<AppState>) -> Json<Value> {
    let catalog = state.services.catalog();
    let list: Vec<Value> = catalog
        .services
        .iter()
        .map(|s| {
            json!({
                "key": s.key,
                "name": s.name,
                "category": s.domain,
                "category_name": domain_label(&s.domain),
                "variants": catalog.variants(s.key).map(|i| summary(catalog, i)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(json!({ "count": list.len(), "services": list }))
}

#[utoipa::path(
    get,
    path = "/api/v1/forms/{id}",
    tag = "事项清单",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.services.catalog();
    let form = catalog.form(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "catalog.form_not_found",
            format!("没有编号为“{id}”的表单"),
        )
    })?;
    Ok(Json(json!(form)))
}

#[derive(Debug, Deserialize)]
struct OfficesQuery {
    jurisdiction: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/offices",
    tag = "事项清单",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn offices(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OfficesQuery>,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.services.catalog();
    let query = validated_query(catalog, q.jurisdiction, None, None)?;
    let dirs: Vec<_> = catalog
        .offices
        .iter()
        .filter(|o| {
            query
                .jurisdiction
                .as_deref()
                .is_none_or(|j| o.jurisdiction == j)
        })
        .collect();
    Ok(Json(json!({ "directories": dirs })))
}

/// `POST /api/v1/forms/{id}/validate` with `{"field": "value", …}`: 200 `{"valid": true}`, or
/// 422 with every problem in `details.errors` (field, code, message).
#[utoipa::path(
    post,
    path = "/api/v1/forms/{id}/validate",
    tag = "事项清单",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn validate_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    super::ApiJson(data): super::ApiJson<std::collections::BTreeMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let form = state.services.catalog().form(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "catalog.form_not_found",
            format!("没有编号为“{id}”的表格"),
        )
    })?;
    yibao_service::catalog::check_form(form, &data, state.services.clock().today())?;
    Ok(Json(serde_json::json!({ "valid": true })))
}
