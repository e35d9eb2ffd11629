//! Complaint pages (投诉举报, ADR 0009): a citizen's form and own list; the staff list of their
//! agencies' complaints; one complaint with the steps this viewer may take.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yibao_domain::complaint::{ComplaintChannel, ComplaintEvaluation, ComplaintKind, SubjectKind};
use yibao_service::complaint::{self, ComplaintSummary, ComplaintView, DecideInput, SubmitInput};
use yibao_service::identity::Actor;
use yibao_service::paging::{self, Span};
use yibao_service::{ErrorKind, ServiceError};

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
use crate::{AppState, PageError};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    chrome: Chrome,
    staff: bool,
    items: Vec<ComplaintSummary>,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    pager: super::pager::Pager,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    let text = paging::search_text(q.q.as_deref());
    let status = q.status.clone().unwrap_or_default();
    let export = q.format.as_deref() == Some("xlsx");
    let span = if export {
        Span::Export
    } else {
        Span::page(q.page.as_deref())
    };
    let found = complaint::list(&state.services, &auth.actor, Some(&status), &text, span).await?;
    if export {
        let rows: Vec<Vec<String>> = found
            .items
            .iter()
            .map(|c| {
                vec![
                    c.number.clone(),
                    c.kind_label.to_string(),
                    c.channel_label.to_string(),
                    format!("{} {}", c.subject_kind_label, c.subject_name),
                    c.received_on.clone(),
                    c.status_label.to_string(),
                    c.due.clone().unwrap_or_default(),
                ]
            })
            .collect();
        return crate::export::download(
            "投诉举报",
            state.services.clock().today(),
            "投诉举报",
            &[
                "编号",
                "类别",
                "渠道",
                "对象",
                "登记日期",
                "状态",
                "当前步骤期限",
            ],
            &rows,
        );
    }
    let pager =
        super::pager::Pager::new("/complaints", &[("q", &text), ("status", &status)], &found);
    Ok(html(&ListPage {
        chrome: Chrome::of(&auth),
        staff: matches!(auth.actor, Actor::Staff(_)),
        items: found.items,
        q: text,
        status,
        statuses: yibao_domain::complaint::ComplaintStatus::ALL
            .iter()
            .map(|s| (s.key(), s.label()))
            .collect(),
        pager,
    }))
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    chrome: Chrome,
    staff: bool,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    subjects: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    error: Option<String>,
    limits: yibao_domain::complaint::ComplaintLimits,
}

impl NewPage {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    fn field_error(&self, key: &str) -> Option<&str> {
        self.errors.get(key).map(String::as_str)
    }
}

async fn new_page(
    state: &AppState,
    auth: &Auth,
    values: BTreeMap<String, String>,
    refused: Option<&ServiceError>,
) -> Result<Response, PageError> {
    let staff = match &auth.actor {
        Actor::Staff(_) => true,
        Actor::Citizen(_) => false,
        Actor::Anonymous => return Ok(Redirect::to("/login?next=/complaints/new").into_response()),
        _ => {
            return Err(ServiceError::Rule {
                kind: ErrorKind::Forbidden,
                code: "auth.forbidden",
                message: "此类账户不能提交投诉举报".into(),
                details: None,
            }
            .into())
        }
    };
    let mut errors = BTreeMap::new();
    if let Some(ServiceError::Rule {
        details: Some(d), ..
    }) = refused
    {
        for e in d["errors"].as_array().into_iter().flatten() {
            if let (Some(f), Some(m)) = (e["field"].as_str(), e["message"].as_str()) {
                errors.insert(f.to_string(), m.to_string());
            }
        }
    }
    let error = refused.map(|e| e.message());
    Ok(html(&NewPage {
        chrome: Chrome::of(auth),
        staff,
        kinds: ComplaintKind::ALL
            .iter()
            .map(|k| (k.key(), k.label()))
            .collect(),
        channels: ComplaintChannel::ALL
            .iter()
            .filter(|c| **c != ComplaintChannel::Online)
            .map(|c| (c.key(), c.label()))
            .collect(),
        subjects: SubjectKind::ALL
            .iter()
            .map(|k| (k.key(), k.label()))
            .collect(),
        agencies: complaint::agencies(&state.services).await?,
        values,
        errors,
        error,
        limits: complaint::limits(),
    }))
}

pub async fn new(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    new_page(&state, &auth, BTreeMap::new(), None).await
}

fn form_of(body: &Bytes) -> BTreeMap<String, String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect()
}

fn some(values: &BTreeMap<String, String>, key: &str) -> Option<String> {
    values.get(key).filter(|v| !v.is_empty()).cloned()
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> Result<Response, PageError> {
    let values = form_of(&body);
    let input = SubmitInput {
        kind: values.get("kind").cloned().unwrap_or_default(),
        channel: some(&values, "channel"),
        ticket: some(&values, "ticket"),
        region_code: some(&values, "region_code"),
        subject_kind: values.get("subject_kind").cloned().unwrap_or_default(),
        subject_name: values.get("subject_name").cloned().unwrap_or_default(),
        institution_code: some(&values, "institution_code"),
        content: values.get("content").cloned().unwrap_or_default(),
        anonymous: values.get("anonymous").is_some_and(|v| v == "yes"),
        reporter_name: some(&values, "reporter_name"),
        reporter_phone: some(&values, "reporter_phone"),
        reporter_id_number: some(&values, "reporter_id_number"),
    };
    match complaint::submit(&state.services, &auth.actor, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/{}", c.number)).into_response()),
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let mut r = new_page(&state, &auth, values, Some(&e)).await?;
            *r.status_mut() = crate::error::status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct OnePage {
    chrome: Chrome,
    c: ComplaintView,
    evaluations: Vec<(&'static str, &'static str)>,
    message: Option<String>,
}

impl OnePage {
    fn can(&self, action: &str) -> bool {
        self.c.actions.contains(&action)
    }
}

async fn one_page(
    state: &AppState,
    auth: &Auth,
    number: &str,
    message: Option<String>,
) -> Result<Response, PageError> {
    let c = complaint::get(&state.services, &auth.actor, number).await?;
    Ok(html(&OnePage {
        chrome: Chrome::of(auth),
        c,
        evaluations: ComplaintEvaluation::ALL
            .iter()
            .map(|e| (e.key(), e.label()))
            .collect(),
        message,
    }))
}

pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    one_page(&state, &auth, &number, None).await
}

/// One step from the complaint's page: done, the page again; refused for the input, the page
/// with the reason and a 422.
pub async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, step)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = form_of(&body);
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let s = &state.services;
    let done = match step.as_str() {
        "decision" => {
            let input = DecideInput {
                decision: get("decision"),
                reason: some(&v, "reason"),
                department: some(&v, "department"),
            };
            complaint::decide(s, &auth.actor, &number, &input).await
        }
        "assign" => complaint::assign(s, &auth.actor, &number, &get("handler")).await,
        "answer" => complaint::answer(s, &auth.actor, &number, &get("text")).await,
        "evaluation" => {
            complaint::evaluate(
                s,
                &auth.actor,
                &number,
                &get("evaluation"),
                v.get("comment").map(String::as_str),
            )
            .await
        }
        _ => {
            return Err(ServiceError::not_found("page.not_found", "没有这个页面").into());
        }
    };
    match done {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/{}", c.number)).into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => {
            let mut r = one_page(&state, &auth, &number, Some(e.message())).await?;
            *r.status_mut() = crate::error::status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
