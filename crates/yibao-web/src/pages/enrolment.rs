//! Registry records as pages: a person's coverages and history, a citizen's own record, the
//! printable certificates (参保证明) and the employer roster upload (增员/减员名单).

use super::record_id;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use yibao_domain::enrolment::coverage::CoverageStatus;
use yibao_domain::enrolment::event::detail_label;
use yibao_service::enrolment::records::{
    self, employer_certificate, person_certificate, Certificate, CoverageEventRow, EventRow,
    PersonRecord,
};
use yibao_service::enrolment::{bulk, roster::RosterKind};
use yibao_service::{ErrorKind, ServiceError};

use crate::auth::Auth;
use crate::error::{status_of, PageError};
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

/// An event's detail as readable `项目：值` text (the detail is stored as JSON).
fn detail_text(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| format!("{}：{}", detail_label(k), value_text(v)))
            .collect::<Vec<_>>()
            .join("；"),
        Ok(Value::Null) => String::new(),
        Ok(v) => value_text(&v),
        Err(_) => json.to_string(),
    }
}

pub struct CoverageView {
    pub scheme: &'static str,
    pub employer: String,
    pub category: &'static str,
    pub status: &'static str,
    pub start: String,
    pub end: String,
}

pub struct CoverageEventView {
    pub at: String,
    pub scheme: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub reason: String,
    pub effective_on: String,
    pub case_number: Option<String>,
}

pub struct EventView {
    pub at: String,
    pub action: &'static str,
    pub detail: String,
    pub case_number: Option<String>,
    pub actor: String,
}

pub fn event_views(events: &[EventRow]) -> Vec<EventView> {
    events
        .iter()
        .map(|e| EventView {
            at: e.at.clone(),
            action: e.action.label(),
            detail: detail_text(&e.detail_json),
            case_number: e.case_number.clone(),
            actor: e.actor_label.clone(),
        })
        .collect()
}

/// A person's record prepared for the page (shared by the staff page and the citizen's).
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub document: String,
    pub sex: &'static str,
    pub birth_date: String,
    pub region_code: String,
    pub phone: String,
    pub address: String,
    pub created_at: String,
    pub coverages: Vec<CoverageView>,
    pub coverage_events: Vec<CoverageEventView>,
    pub events: Vec<EventView>,
}

pub fn person_view(r: &PersonRecord) -> PersonView {
    let scheme_of = |e: &CoverageEventRow| {
        r.coverages
            .iter()
            .find(|c| c.id == e.coverage_id)
            .map_or("", |c| c.scheme_label)
    };
    let p = &r.person;
    PersonView {
        id: p.id,
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        document: if r.document_label.is_empty() {
            p.document_type.clone()
        } else {
            r.document_label.to_string()
        },
        sex: yibao_domain::ids::Sex::from_key(&p.sex).map_or("", |s| s.label()),
        birth_date: p.birth_date.clone(),
        region_code: p.region_code.clone(),
        phone: p.phone.clone(),
        address: p.address.clone(),
        created_at: p.created_at.clone(),
        coverages: r
            .coverages
            .iter()
            .map(|c| CoverageView {
                scheme: c.scheme_label,
                employer: c.employer.clone().unwrap_or_else(|| "个人".into()),
                category: c.category_label,
                status: c.status_label,
                start: c.start_date.clone().unwrap_or_default(),
                end: c.end_date.clone().unwrap_or_default(),
            })
            .collect(),
        coverage_events: r
            .coverage_events
            .iter()
            .map(|e| CoverageEventView {
                at: e.at.clone(),
                scheme: scheme_of(e),
                from: e.from_status.0.map_or("—", CoverageStatus::label),
                to: e.to_status.label(),
                reason: match e.reason.as_str() {
                    "registered" => "参保登记".into(),
                    other => other.to_string(),
                },
                effective_on: e.effective_on.clone().unwrap_or_default(),
                case_number: e.case_number.clone(),
            })
            .collect(),
        events: event_views(&r.events),
    }
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    c: Certificate,
    back: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CertQuery {
    format: Option<String>,
}

/// Issues the certificate (it gets its verification code, kept for `/verify`) and shows it, or
/// sends it as a PDF (`?format=pdf`).
async fn certificate(
    state: &AppState,
    auth: &Auth,
    (kind, subject): (&str, &str),
    mut c: Certificate,
    back: String,
    format: Option<&str>,
) -> Result<Response, PageError> {
    yibao_service::document::issue(&state.services, &auth.actor, kind, subject, &mut c).await?;
    if format == Some("pdf") {
        let mut footer = vec![
            format!("出具日期：{}", c.issued_on),
            format!("内容摘要：{}", c.check_code),
        ];
        if let Some(v) = &c.verification_code {
            footer.push(format!("核验码：{v}"));
        }
        footer.push(
            "本证明由医保经办服务平台根据参保登记记录生成。任何单位或个人可在本平台“证明核验”页面（/verify）输入核验码，查看本证明出具时的内容以核对真伪；参保信息以经办机构系统记录为准。".into(),
        );
        let head: Vec<String> = c.table_head.iter().map(|s| s.to_string()).collect();
        return crate::pdf::download(
            &crate::pdf::PrintDoc {
                title: c.title,
                lines: &c.lines,
                table_head: &head,
                table: &c.table,
                footer,
            },
            c.title,
            &c.issued_on,
        );
    }
    Ok(html(&CertificatePage {
        chrome: Chrome::of(auth),
        c,
        back,
    }))
}

/// `/staff/persons/{id}/certificate`: 个人参保证明 (whoever may see the record).
pub async fn person_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<CertQuery>,
) -> Result<Response, PageError> {
    let id = record_id(&raw)?;
    let r = records::person_record(&state.services, &auth.actor, id).await?;
    let c = person_certificate(&r, state.services.clock().today());
    let subject = r.person.id_number.clone();
    certificate(
        &state,
        &auth,
        ("person_certificate", &subject),
        c,
        format!("/staff/persons/{id}"),
        q.format.as_deref(),
    )
    .await
}

/// `/staff/employers/{id}/certificate`: 单位参保证明.
pub async fn employer_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<CertQuery>,
) -> Result<Response, PageError> {
    let id = record_id(&raw)?;
    let r = records::employer_record(&state.services, &auth.actor, id, false).await?;
    let c = employer_certificate(&r, state.services.clock().today());
    let subject = r.employer.uscc.clone();
    certificate(
        &state,
        &auth,
        ("employer_certificate", &subject),
        c,
        format!("/staff/employers/{id}"),
        q.format.as_deref(),
    )
    .await
}

/// `/employer/certificate`: the operator's own employer's certificate.
pub async fn my_employer_cert(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<CertQuery>,
) -> Result<Response, PageError> {
    let id = auth.actor.employer()?.employer_id;
    let r = records::employer_record(&state.services, &auth.actor, id, false).await?;
    let c = employer_certificate(&r, state.services.clock().today());
    let subject = r.employer.uscc.clone();
    certificate(
        &state,
        &auth,
        ("employer_certificate", &subject),
        c,
        "/employer".into(),
        q.format.as_deref(),
    )
    .await
}

#[derive(Template)]
#[template(path = "my_record.html")]
struct MyRecordPage {
    chrome: Chrome,
    p: Option<PersonView>,
    /// The year's contributions (缴费记录), as the staff see them on the person's page.
    c: Option<crate::pages::contributions::LedgerView>,
    account: Option<crate::pages::account_view::AccountView>,
    b: Option<crate::pages::benefits_view::BenefitsView>,
}

/// `/account/record`: 我的参保信息.
pub async fn my_record(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let r = records::my_record(&state.services, &auth.actor).await?;
    let (account, c) = match &r {
        Some(r) => {
            let year = chrono::Datelike::year(&state.services.clock().today());
            let ledger = yibao_service::contribution::person_ledger(
                &state.services,
                &auth.actor,
                r.person.id,
                year,
                1,
            )
            .await?;
            (
                Some(
                    crate::pages::account_view::current(&state.services, &auth.actor, r.person.id)
                        .await?,
                ),
                Some(crate::pages::contributions::LedgerView::from(&ledger)),
            )
        }
        None => (None, None),
    };
    let b = match &r {
        Some(r) => Some(
            crate::pages::benefits_view::current(&state.services, &auth.actor, r.person.id).await?,
        ),
        None => None,
    };
    Ok(html(&MyRecordPage {
        chrome: Chrome::of(&auth),
        p: r.as_ref().map(person_view),
        c,
        account,
        b,
    }))
}

/// `/account/record/certificate`: the citizen's own 个人参保证明.
pub async fn my_cert(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<CertQuery>,
) -> Result<Response, PageError> {
    let r = records::my_record(&state.services, &auth.actor)
        .await?
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                "person.not_found",
                "您尚未参保登记，无法出具参保证明",
            )
        })?;
    let c = person_certificate(&r, state.services.clock().today());
    let subject = r.person.id_number.clone();
    certificate(
        &state,
        &auth,
        ("person_certificate", &subject),
        c,
        "/account/record".into(),
        q.format.as_deref(),
    )
    .await
}

/// One problem of a rejected roster, as shown in the problem table.
pub struct ProblemView {
    pub line: String,
    pub column: String,
    pub message: String,
}

/// What a roster upload came to, shown on the employer page.
#[derive(Default)]
pub struct RosterView {
    /// The case the roster became, and its row count.
    pub accepted: Option<(String, usize)>,
    /// Only checked: the row count.
    pub checked: Option<usize>,
    pub problems: Vec<ProblemView>,
    pub error: Option<String>,
}

fn problems_of(e: &ServiceError) -> Vec<ProblemView> {
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    e.details()
        .and_then(|d| d.get("problems").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|p| ProblemView {
            line: text(&p["line"]),
            column: text(&p["column"]),
            message: text(&p["message"]),
        })
        .collect()
}

/// Reads and checks or submits a roster; the result and the status the page answers with.
/// Errors a user can correct come back as the view; others (not found, forbidden) as errors.
pub async fn upload_roster(
    state: &AppState,
    auth: &Auth,
    employer_id: i64,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, RosterView), PageError> {
    let unreadable = |message: String| {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            RosterView {
                error: Some(message),
                ..RosterView::default()
            },
        ))
    };
    let Ok(multipart) = multipart else {
        return unreadable("请通过页面上的表单上传名单文件".into());
    };
    let (kind, check, bytes): (RosterKind, bool, Vec<u8>) =
        match crate::api::enrolment::read_roster(multipart).await {
            Ok(x) => x,
            Err(e) => return unreadable(e.body.message),
        };
    let result = if check {
        bulk::check_roster(&state.services, &auth.actor, employer_id, kind, &bytes)
            .await
            .map(|(_, rows)| RosterView {
                checked: Some(rows.as_array().map(Vec::len).unwrap_or(0)),
                ..RosterView::default()
            })
    } else {
        bulk::submit_roster(&state.services, &auth.actor, employer_id, kind, &bytes)
            .await
            .map(|a| RosterView {
                accepted: Some((a.case_number, a.rows)),
                ..RosterView::default()
            })
    };
    match result {
        Ok(v) => Ok((StatusCode::OK, v)),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => Ok((
            status_of(e.kind()),
            RosterView {
                problems: problems_of(&e),
                error: Some(if e.code() == "registry.roster.rejected" {
                    "名单有问题，未导入任何人员。请按下表逐行修改后重新上传。".to_string()
                } else {
                    e.message()
                }),
                ..RosterView::default()
            },
        )),
        Err(e) => Err(e.into()),
    }
}

/// A page answered with the given status.
pub fn with_status(status: StatusCode, page: Response) -> Response {
    if status == StatusCode::OK || !page.status().is_success() {
        return page;
    }
    (status, page).into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct VerifyQuery {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    code: String,
    found: Option<yibao_service::document::Verified>,
}

/// `/verify`: anyone checks a printed certificate by its verification code (public).
pub async fn verify(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<VerifyQuery>,
) -> Result<Response, PageError> {
    let code: String = q.code.unwrap_or_default().chars().take(40).collect();
    let found = if code.trim().is_empty() {
        None
    } else {
        yibao_service::document::verify(&state.services, &code).await?
    };
    let missing = !code.trim().is_empty() && found.is_none();
    let mut r = html(&VerifyPage {
        chrome: Chrome::of(&auth),
        code: code.trim().to_string(),
        found,
    });
    if missing {
        // A code that verifies nothing answers 404 for programs; the page explains it to people.
        *r.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(r)
}
