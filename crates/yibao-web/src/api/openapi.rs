//! The OpenAPI document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and served at `GET /api/v1/openapi.json`. A test checks that every route the API
//! modules register is in it, so a new endpoint cannot be left undocumented.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yibao 医保经办服务平台 API",
        description = "错误一律为 JSON：{\"code\": 稳定代码, \"message\": 中文说明, \"details\": …}。浏览器会话（cookie）的非安全请求须带 X-CSRF-Token；程序用 Authorization: Bearer（登录所得令牌，或定点医药机构的 ybi_ 令牌）。"
    ),
    paths(
        super::admin::staff_list,
        super::admin::staff_create,
        super::admin::staff_reset,
        super::admin::staff_deactivate,
        super::admin::institutions,
        super::admin::institution_create,
        super::admin::tokens,
        super::admin::token_create,
        super::admin::token_revoke,
        super::admin::calendar_years,
        super::admin::calendar_import,
        super::admin::benefit_overview,
        super::admin::policy_import,
        super::admin::catalogue_import,
        super::audit::search,
        super::audit::verify,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::password,
        super::auth::phone_code,
        super::auth::register,
        super::auth::reset,
        super::calendar::deadline,
        super::calendar::between,
        super::calendar::year,
        super::cases::list,
        super::cases::apply,
        super::cases::overdue,
        super::cases::stats,
        super::cases::one,
        super::cases::act,
        super::cases::material,
        super::cases::download,
        super::cases::evaluate,
        super::cases::bill,
        super::cases::progress,
        super::catalog::list,
        super::catalog::services,
        super::catalog::item,
        super::catalog::form,
        super::catalog::validate_form,
        super::catalog::offices,
        super::check::check_identifier,
        super::filings::mine,
        super::filings::one,
        super::filings::cancel,
        super::records::persons,
        super::records::person,
        super::records::my_person,
        super::records::employers,
        super::records::employer,
        super::records::operators,
        super::records::add_operator,
        super::records::institution_me,
        super::registry::person_record,
        super::registry::person_cert,
        super::registry::my_record,
        super::registry::my_cert,
        super::registry::employer_record,
        super::registry::employer_cert,
        super::registry::roster,
        super::registry::arrears,
        super::registry::template,
        super::registry::reference,
        super::settlement::national,
        super::settlement::account_credit,
        super::disbursement::waiting,
        super::disbursement::run,
        super::disbursement::list,
        super::disbursement::one,
        super::settlement::settle,
        super::settlement::pre,
        super::settlement::query,
        super::settlement::reverse
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("yibao_session"))),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
