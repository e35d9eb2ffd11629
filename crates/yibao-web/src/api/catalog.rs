//! The service catalog as JSON: `GET /api/v1/catalog` (filter by jurisdiction, category, text),
//! `GET /api/v1/catalog/{jurisdiction}/{code}` (every field of one item), the canonical services,
//! forms and the offices directory.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::catalog::{
    domain_label, Catalog, CatalogQuery, Form, Item, Jurisdiction, OfficeDirectory, DOMAINS,
};

use super::{dto, ApiQuery};
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(services))
        .routes(routes!(item))
        .routes(routes!(form))
        .routes(routes!(validate_form))
        .routes(routes!(offices))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 辖区（chuanyu、sichuan、youyang、chongqing、nanchuan）
    jurisdiction: Option<String>,
    /// 类别
    category: Option<String>,
    /// 中文检索词
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

/// 事项摘要
#[derive(Serialize, ToSchema)]
#[schema(as = CatalogSummary)]
struct Summary {
    jurisdiction: String,
    jurisdiction_name: String,
    /// 事项序号
    id: String,
    version: u32,
    name: String,
    /// 规范服务
    service: String,
    service_name: String,
    category: String,
    category_name: String,
    /// 事项编码
    codes: Vec<String>,
    /// immediate（即办件）或 promised（承诺件）
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    case_type: Option<yibao_domain::catalog::CaseType>,
    /// 事项详情的地址
    href: String,
}

// Owned strings: the answer outlives the borrow of the catalog (a few hundred short strings per
// list, which is nothing beside the request).
fn summary(catalog: &Catalog, i: &Item) -> Summary {
    let category = catalog.domain_of(i);
    Summary {
        jurisdiction: i.jurisdiction.clone(),
        jurisdiction_name: catalog
            .jurisdiction(&i.jurisdiction)
            .map(|j| j.name.clone())
            .unwrap_or_default(),
        id: i.id.clone(),
        version: i.version,
        name: i.name.clone(),
        service: i.service.key().to_string(),
        service_name: catalog
            .service(i.service)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        category: category.to_string(),
        category_name: domain_label(category).to_string(),
        codes: i.codes.iter().map(|c| c.code.clone()).collect(),
        case_type: i.case_type,
        href: format!("/api/v1/catalog/{}/{}", i.jurisdiction, i.id),
    }
}

/// 事项清单
#[derive(Serialize, ToSchema)]
struct CatalogList {
    count: usize,
    items: Vec<Summary>,
    /// 全部辖区
    #[schema(value_type = Vec<dto::Jurisdiction>)]
    jurisdictions: Vec<Jurisdiction>,
    /// 全部类别
    categories: Vec<Category>,
}

/// 事项类别
#[derive(Serialize, ToSchema)]
struct Category {
    key: String,
    name: String,
}

#[utoipa::path(
    get,
    path = "/catalog",
    tag = "事项清单", params(ListQuery),
    responses((status = 200, description = "符合条件的事项", body = CatalogList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CatalogList>, ApiError> {
    let catalog = state.services.catalog();
    let query = validated_query(catalog, q.jurisdiction, q.category, q.q)?;
    let items: Vec<Summary> = catalog
        .search(&query)
        .into_iter()
        .map(|i| summary(catalog, i))
        .collect();
    Ok(Json(CatalogList {
        count: items.len(),
        items,
        jurisdictions: catalog.jurisdictions.clone(),
        categories: DOMAINS
            .iter()
            .map(|(k, l)| Category {
                key: k.to_string(),
                name: l.to_string(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ItemQuery {
    /// 事项的某一版本（默认现行版本）
    version: Option<u32>,
}

/// 事项的全部字段，及其辖区、类别、规范服务的名称和其他辖区的同一服务
#[derive(Serialize, ToSchema)]
#[schema(as = CatalogItemDetail)]
struct ItemBody {
    #[serde(flatten)]
    #[schema(value_type = dto::CatalogItem)]
    item: Item,
    jurisdiction_name: String,
    /// 类别键（取代指南原文的 category）
    #[serde(rename = "category")]
    domain: String,
    category_name: String,
    service_name: String,
    /// 其他辖区的同一规范服务
    variants: Vec<Summary>,
    /// 该事项的全部版本（办件记录其申请时所依的版本）
    versions: Vec<u32>,
}

#[utoipa::path(
    get,
    path = "/catalog/{jurisdiction}/{code}",
    tag = "事项清单",
    params(("jurisdiction" = String, Path), ("code" = String, Path, description = "事项序号或事项编码"), ItemQuery),
    responses((status = 200, description = "事项的全部字段", body = ItemBody), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn item(
    State(state): State<AppState>,
    Path((jurisdiction, code)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> Result<Json<ItemBody>, ApiError> {
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
    // The answer's `category` is the catalog's domain key. Serialised through a map before,
    // the domain replaced the guide's own `category` text; cleared here so the key is written
    // once.
    let mut own = item.clone();
    own.category = None;
    Ok(Json(ItemBody {
        item: own,
        jurisdiction_name: catalog
            .jurisdiction(&item.jurisdiction)
            .map(|j| j.name.clone())
            .unwrap_or_default(),
        domain: category.to_string(),
        category_name: domain_label(category).to_string(),
        service_name: catalog
            .service(item.service)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        variants: catalog
            .other_variants(item)
            .map(|v| summary(catalog, v))
            .collect(),
        versions: catalog.versions_of(item),
    }))
}

#[utoipa::path(
    get,
    path = "/catalog/services",
    tag = "事项清单",
    responses((status = 200, description = "规范服务及其在各辖区的事项", body = ServiceList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn services(State(state): State<AppState>) -> Json<ServiceList> {
    let catalog = state.services.catalog();
    let services: Vec<ServiceEntry> = catalog
        .services
        .iter()
        .map(|s| ServiceEntry {
            key: s.key.key().to_string(),
            name: s.name.clone(),
            category: s.domain.clone(),
            category_name: domain_label(&s.domain).to_string(),
            variants: catalog
                .variants(s.key)
                .map(|i| summary(catalog, i))
                .collect(),
        })
        .collect();
    Json(ServiceList {
        count: services.len(),
        services,
    })
}

/// 规范服务
#[derive(Serialize, ToSchema)]
struct ServiceList {
    count: usize,
    services: Vec<ServiceEntry>,
}

/// 一项规范服务及其在各辖区的事项
#[derive(Serialize, ToSchema)]
struct ServiceEntry {
    key: String,
    name: String,
    category: String,
    category_name: String,
    variants: Vec<Summary>,
}

#[utoipa::path(
    get,
    path = "/forms/{id}",
    tag = "事项清单",
    params(("id" = String, Path)),
    responses((status = 200, description = "表单定义", body = dto::FormDefinition), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Form>, ApiError> {
    let catalog = state.services.catalog();
    let form = catalog.form(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "catalog.form_not_found",
            format!("没有编号为“{id}”的表单"),
        )
    })?;
    Ok(Json(form.clone()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OfficesQuery {
    /// 辖区（默认全部）
    jurisdiction: Option<String>,
}

/// 办理地点
#[derive(Serialize, ToSchema)]
struct Offices {
    #[schema(value_type = Vec<dto::OfficeDirectory>)]
    directories: Vec<OfficeDirectory>,
}

/// 表单各字段的值：{"字段": "值", …}
#[derive(Deserialize, ToSchema)]
struct FormValues(std::collections::BTreeMap<String, String>);

/// 表单内容无误
#[derive(Serialize, ToSchema)]
struct FormValid {
    /// 恒为 true（有问题时为 422）
    valid: bool,
}

#[utoipa::path(
    get,
    path = "/offices",
    tag = "事项清单", params(OfficesQuery),
    responses((status = 200, description = "办理地点", body = Offices), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn offices(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OfficesQuery>,
) -> Result<Json<Offices>, ApiError> {
    let catalog = state.services.catalog();
    let query = validated_query(catalog, q.jurisdiction, None, None)?;
    let directories: Vec<OfficeDirectory> = catalog
        .offices
        .iter()
        .filter(|o| {
            query
                .jurisdiction
                .as_deref()
                .is_none_or(|j| o.jurisdiction == j)
        })
        .cloned()
        .collect();
    Ok(Json(Offices { directories }))
}

/// `POST /api/v1/forms/{id}/validate` with `{"field": "value", …}`: 200 `{"valid": true}`, or
/// 422 with every problem in `details.errors` (field, code, message).
#[utoipa::path(
    post,
    path = "/forms/{id}/validate",
    tag = "事项清单", request_body = FormValues,
    params(("id" = String, Path)),
    responses((status = 200, description = "内容无误", body = FormValid), (status = 422, description = "有问题：details.errors 逐项列出（field、code、message）", body = crate::error::ErrorBody), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn validate_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    super::ApiJson(FormValues(data)): super::ApiJson<FormValues>,
) -> Result<Json<FormValid>, ApiError> {
    let form = state.services.catalog().form(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "catalog.form_not_found",
            format!("没有编号为“{id}”的表格"),
        )
    })?;
    yibao_service::catalog::check_form(form, &data, state.services.clock().today())?;
    Ok(Json(FormValid { valid: true }))
}
