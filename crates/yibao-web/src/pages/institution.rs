//! The designated institution's own pages (docs/institutions.md): its month's real-time
//! settlements, the declaration form (月结算申报), the reconciliation line by line (对账) and
//! the 结算单 to confirm. Staff of the institution log in with its code and an API token.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yibao_domain::benefit::{Scheme, VisitType};
use yibao_domain::institution::monthly::{
    month_ended, parse_month, Fund, GroupCases, LedgerLine, LineKey, LineStatus,
};
use yibao_domain::institution::PaymentMethod;
use yibao_domain::Fen;
use yibao_service::institution::monthly::{self, DeclarationInput, MonthView};

use super::chrome::Chrome;
use super::html;
use super::month_view::{previous_month, MonthShown};
use crate::auth::Auth;
use crate::error::status_of;
use crate::AppState;
use crate::PageError;

/// One fund's field of a group.
pub struct FundField {
    pub name: String,
    pub label: &'static str,
    pub value: String,
}

/// One (scheme, visit type) of the declaration form.
pub struct FormGroup {
    pub legend: String,
    pub count_name: String,
    pub count: String,
    pub funds: Vec<FundField>,
}

/// One disease group's field (按病种分值付费).
pub struct DiseaseField {
    pub name: String,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "institution_month.html")]
struct MonthPage {
    chrome: Chrome,
    d: MonthShown,
    /// The month has ended and no 结算单 exists: the form is offered.
    can_declare: bool,
    not_ended: bool,
    form: Vec<FormGroup>,
    diseases: Vec<DiseaseField>,
    error: Option<String>,
}

fn count_name(si: usize, vi: usize) -> String {
    format!("g{si}{vi}_count")
}

fn fund_name(si: usize, vi: usize, fund: Fund) -> String {
    format!("g{si}{vi}_{}", fund.key())
}

fn disease_name(code: &str) -> String {
    format!("dg_{code}")
}

/// The form's values: what was just submitted, else the latest declaration's figures.
fn values_of(v: &MonthView) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(d) = &v.declaration else {
        return out;
    };
    for l in &d.reconciliation.lines {
        if l.status == LineStatus::NotDeclared {
            continue;
        }
        let (Some(si), Some(vi)) = (
            Scheme::ALL.iter().position(|s| *s == l.key.scheme),
            VisitType::ALL.iter().position(|t| *t == l.key.visit),
        ) else {
            continue;
        };
        out.insert(count_name(si, vi), l.declared_count.to_string());
        out.insert(
            fund_name(si, vi, l.key.fund),
            Fen(l.declared_fen).yuan_string(),
        );
    }
    for g in &d.groups {
        out.insert(disease_name(&g.group), g.cases.to_string());
    }
    out
}

fn form_of(values: &HashMap<String, String>) -> Vec<FormGroup> {
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (si, scheme) in Scheme::ALL.iter().enumerate() {
        for (vi, visit) in VisitType::ALL.iter().enumerate() {
            out.push(FormGroup {
                legend: format!("{} · {}", scheme.label(), visit.label()),
                count_name: count_name(si, vi),
                count: value(&count_name(si, vi)),
                funds: Fund::ALL
                    .iter()
                    .map(|f| FundField {
                        name: fund_name(si, vi, *f),
                        label: f.label(),
                        value: value(&fund_name(si, vi, *f)),
                    })
                    .collect(),
            });
        }
    }
    out
}

fn diseases_of(v: &MonthView, values: &HashMap<String, String>) -> Vec<DiseaseField> {
    if !v.methods.contains(&PaymentMethod::DiseasePoints) {
        return Vec::new();
    }
    let Ok(rules) = monthly::rules() else {
        return Vec::new();
    };
    rules
        .disease_groups
        .iter()
        .map(|g| DiseaseField {
            name: disease_name(&g.code),
            label: format!("{} {}（{} 分）", g.code, g.name, g.points),
            value: values
                .get(&disease_name(&g.code))
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

fn page(
    state: &AppState,
    auth: &Auth,
    v: &MonthView,
    submitted: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> Response {
    let not_ended = parse_month(&v.month)
        .map(|(y, m)| !month_ended(y, m, state.services.clock().today()))
        .unwrap_or(true);
    let values = submitted.cloned().unwrap_or_else(|| values_of(v));
    html(&MonthPage {
        chrome: Chrome::of(auth),
        d: MonthShown::of(v),
        can_declare: !not_ended && v.statement.is_none(),
        not_ended,
        form: form_of(&values),
        diseases: diseases_of(v, &values),
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    month: Option<String>,
}

/// `/institution`: the month asked for (the month picker), else the month being settled.
pub async fn home(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<HomeQuery>,
) -> Result<Response, PageError> {
    auth.actor.institution()?;
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => {
            let (y, m) = parse_month(m).map_err(yibao_service::ServiceError::from_domain)?;
            format!("{y:04}-{m:02}")
        }
        None => previous_month(state.services.clock().today()),
    };
    Ok(Redirect::to(&format!("/institution/months/{month}")).into_response())
}

pub async fn month(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    let v = monthly::own_month(&state.services, &auth.actor, &month).await?;
    Ok(page(&state, &auth, &v, None, None))
}

/// The declaration as the form wrote it: a group is declared when its 人次 is filled; a fund
/// left empty in a declared group is 0.
fn declaration_of(
    fields: &HashMap<String, String>,
    diseases: &[DiseaseField],
) -> Result<DeclarationInput, String> {
    let mut lines = Vec::new();
    for (si, scheme) in Scheme::ALL.iter().enumerate() {
        for (vi, visit) in VisitType::ALL.iter().enumerate() {
            let at = format!("{} · {}", scheme.label(), visit.label());
            let filled = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
            let Some(count) = filled(&count_name(si, vi)) else {
                if Fund::ALL
                    .iter()
                    .any(|f| filled(&fund_name(si, vi, *f)).is_some())
                {
                    return Err(format!("{at}：填写了金额，请同时填写人次"));
                }
                continue;
            };
            let count: i64 = count
                .parse()
                .ok()
                .filter(|c| *c >= 0)
                .ok_or_else(|| format!("{at}：人次应为不小于0的整数"))?;
            for fund in Fund::ALL {
                let amount = match filled(&fund_name(si, vi, fund)) {
                    None => 0,
                    Some(t) => t
                        .parse::<Fen>()
                        .ok()
                        .filter(|f| f.is_input())
                        .ok_or_else(|| {
                            format!(
                                "{at} · {}：金额应为不小于0的元数，最多两位小数",
                                fund.label()
                            )
                        })?
                        .fen(),
                };
                lines.push(LedgerLine {
                    key: LineKey {
                        scheme: *scheme,
                        visit: *visit,
                        fund,
                    },
                    count,
                    amount_fen: amount,
                });
            }
        }
    }
    if lines.is_empty() {
        return Err("请至少填写一个险种和医疗类别的人次和金额".into());
    }
    let mut groups = Vec::new();
    for d in diseases {
        let Some(v) = fields
            .get(&d.name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let cases: i64 = v
            .parse()
            .ok()
            .filter(|c| *c >= 0)
            .ok_or_else(|| format!("{}：例数应为不小于0的整数", d.label))?;
        if cases > 0 {
            groups.push(GroupCases {
                group: d.name.trim_start_matches("dg_").to_string(),
                cases,
            });
        }
    }
    Ok(DeclarationInput { lines, groups })
}

pub async fn declare(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let fields: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let current = monthly::own_month(&state.services, &auth.actor, &month).await?;
    let diseases = diseases_of(&current, &fields);
    let input = match declaration_of(&fields, &diseases) {
        Ok(i) => i,
        Err(message) => {
            let mut r = page(&state, &auth, &current, Some(&fields), Some(message));
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    match monthly::declare(&state.services, &auth.actor, &current.month, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/institution/months/{}", current.month)).into_response())
        }
        Err(e)
            if matches!(
                e.kind(),
                yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
            ) =>
        {
            let mut r = page(&state, &auth, &current, Some(&fields), Some(e.message()));
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    match monthly::confirm(&state.services, &auth.actor, &month).await {
        Ok(v) => Ok(Redirect::to(&format!("/institution/months/{}", v.month)).into_response()),
        Err(e) if e.kind() == yibao_service::ErrorKind::Conflict => {
            let v = monthly::own_month(&state.services, &auth.actor, &month).await?;
            let mut r = page(&state, &auth, &v, None, Some(e.message()));
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
