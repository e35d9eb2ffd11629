//! The case pages: the citizen portal (apply from a guide, upload, answer a notice, follow,
//! evaluate) and the staff workbench (queues with time-limit colours, the case with its history
//! and the actions the viewer may take), printable receipts, notices and completion notices,
//! and the public progress query.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use yibao_domain::case::{Action, ActionNote, CaseStatus, Evaluation};
use yibao_domain::catalog::{ChannelKind, FieldKind, FormField, Item};
use yibao_service::cases::{self, ApplicantInput, ApplyInput, CaseSummary, CaseView, Progress};
use yibao_service::identity::Actor;
use yibao_service::paging::Span;
use yibao_service::{ErrorKind, ServiceError};

use crate::api::ApiQuery;
use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

/// A channel's key as the data files and the API spell it (`online`).
fn channel_key(c: ChannelKind) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn correctable(e: &ServiceError) -> bool {
    matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict)
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    jurisdiction: Option<String>,
    item: Option<String>,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage<'a> {
    chrome: Chrome,
    item: &'a Item,
    jurisdiction_name: String,
    channels: Vec<(String, &'static str)>,
    /// The guide's channels, shown when none is open to this user.
    elsewhere: Vec<String>,
    fields: Vec<FormField>,
    facts: Vec<(String, String)>,
    is_staff: bool,
    /// The applicant is an employer (its 统一社会信用代码 instead of an ID number).
    employer_applicant: bool,
    /// The applicant is a medical institution or pharmacy (by its 统一社会信用代码).
    institution_applicant: bool,
    error: Option<String>,
    /// What the form holds: typed values after a refusal (every one of them), else what the
    /// person's record pre-fills; keyed by input name (`form.<key>`, `channel`, `applicant_…`).
    values: BTreeMap<String, String>,
    /// The declared applicant situations (`facts`) to tick again.
    checked: Vec<String>,
    /// A refusal's message per input name, shown beside its field.
    field_errors: BTreeMap<String, String>,
    /// Province names for the region fields' list (names map to codes on submission).
    /// Names a region field suggests.
    provinces: Vec<String>,
}

impl NewPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn field_error(&self, name: &str) -> Option<&str> {
        self.field_errors.get(name).map(String::as_str)
    }

    fn is_checked(&self, fact: &str) -> bool {
        self.checked.iter().any(|f| f == fact)
    }

    fn is_region(f: &FormField) -> bool {
        matches!(f.kind, FieldKind::Region)
    }

    fn is_date(f: &FormField) -> bool {
        matches!(f.kind, FieldKind::Date)
    }
}

/// What a refused form brings back to its page.
#[derive(Default)]
struct Typed {
    values: BTreeMap<String, String>,
    facts: Vec<String>,
    error: Option<String>,
    field_errors: BTreeMap<String, String>,
}

impl Typed {
    /// The refusal's message, and each `details.errors[].field` beside its input.
    fn refused(mut self, e: &ServiceError) -> Typed {
        let mut general = Vec::new();
        let errors = e
            .details()
            .and_then(|d| d.get("errors").and_then(|x| x.as_array()).cloned())
            .unwrap_or_default();
        for x in &errors {
            let message = x.get("message").and_then(|m| m.as_str()).unwrap_or("");
            match x
                .get("field")
                .and_then(|f| f.as_str())
                .filter(|f| !f.is_empty())
            {
                Some(f) => {
                    self.field_errors
                        .entry(format!("form.{f}"))
                        .or_insert_with(|| message.to_string());
                }
                None => general.push(message.to_string()),
            }
        }
        self.error = Some(if errors.is_empty() {
            e.message()
        } else if general.is_empty() {
            format!(
                "有 {} 处填写需要修改，请查看标注的栏目",
                self.field_errors.len()
            )
        } else {
            general.join("；")
        });
        self
    }
}

async fn new_page(
    state: &AppState,
    auth: &Auth,
    jurisdiction: &str,
    code: &str,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    auth.actor.require_login()?;
    let catalog = state.services.catalog();
    let item = catalog
        .find(jurisdiction, code, Some(state.services.clock().today()))
        .ok_or_else(PageError::not_found)?;
    let is_staff = matches!(auth.actor, Actor::Staff(_));
    let channels: Vec<(String, &'static str)> = cases::channels_for(item, is_staff)
        .into_iter()
        .map(|c| (channel_key(c), c.label()))
        .collect();
    // Where the guide sends those it offers no channel to (its window's text).
    let elsewhere: Vec<String> = item
        .channels
        .iter()
        .map(|c| format!("{}：{}", c.kind.label(), c.text))
        .collect();
    let fields = yibao_service::effects::form_fields(catalog, item);
    let applicant_kind = yibao_service::effects::applicant(item);
    let employer_applicant =
        applicant_kind == Some(yibao_service::effects::ApplicantKind::Employer);
    let institution_applicant =
        applicant_kind == Some(yibao_service::effects::ApplicantKind::Institution);
    let typed = match typed {
        Some(t) => t,
        None => Typed {
            values: prefill(state, auth, &fields, applicant_kind).await?,
            ..Typed::default()
        },
    };
    // The applicant situations the materials and conditions depend on (e.g. 委托办理时,
    // 市外户籍人员, 已办理退休): declared here, confirmed by the clerk at acceptance.
    // Those the case decides itself from the service, the applicant and this form (e.g. the
    // removal reason, the document type; docs/materials.md) are not asked.
    let decided = decided_predicates(item, &fields, applicant_kind);
    let mut facts: Vec<(String, String)> = Vec::new();
    for c in &item.conditions {
        if let Some(p) = &c.predicate {
            if !facts.iter().any(|(k, _)| k == p) && !decided.contains(p.as_str()) {
                facts.push((p.clone(), c.text.clone()));
            }
        }
    }
    for m in &item.materials {
        for p in m.predicates() {
            if !facts.iter().any(|(k, _)| k == p) && !decided.contains(p) {
                facts.push((
                    p.to_string(),
                    m.applies_to_text.clone().unwrap_or_else(|| p.to_string()),
                ));
            }
        }
    }
    Ok(html(&NewPage {
        chrome: Chrome::of(auth),
        jurisdiction_name: catalog
            .jurisdiction(&item.jurisdiction)
            .map(|j| j.name.clone())
            .unwrap_or_default(),
        item,
        channels,
        elsewhere,
        fields,
        facts,
        is_staff,
        employer_applicant,
        institution_applicant,
        error: typed.error,
        values: typed.values,
        checked: typed.facts,
        field_errors: typed.field_errors,
        provinces: super::region_suggestions(),
    }))
}

/// The case's facts that the item's materials or conditions name, each in the guide's words
/// (the material's `applies_to_text`, else the condition's text).
fn situations_of(item: &yibao_domain::catalog::Item, facts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in facts {
        let text = item
            .materials
            .iter()
            .filter(|m| m.predicates().any(|p| p == f))
            .find_map(|m| m.applies_to_text.clone())
            .or_else(|| {
                item.conditions
                    .iter()
                    .find(|c| c.predicate.as_deref() == Some(f.as_str()))
                    .map(|c| c.text.clone())
            });
        if let Some(t) = text {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// The predicates an application to `item` decides from its service, its applicant and the
/// fields of its form, whatever is typed in them (`yibao_domain::case::facts::derive` with a
/// sample of the form): an employer applicant's kind is in the registry.
fn decided_predicates(
    item: &yibao_domain::catalog::Item,
    fields: &[FormField],
    applicant: Option<yibao_service::effects::ApplicantKind>,
) -> std::collections::BTreeSet<&'static str> {
    use yibao_domain::case::facts::{derive, FactInputs};
    use yibao_domain::case::ApplicantType;
    use yibao_service::effects::ApplicantKind;
    let sample: BTreeMap<String, String> = fields
        .iter()
        .map(|f| {
            let v = f.choices.first().cloned().unwrap_or_else(|| "1".into());
            (f.key.clone(), v)
        })
        .collect();
    let applicants: &[ApplicantType] = match applicant {
        Some(ApplicantKind::Employer) => &[ApplicantType::Employer],
        Some(ApplicantKind::PersonOrEmployer) => &[ApplicantType::Person, ApplicantType::Employer],
        Some(ApplicantKind::Institution) => &[ApplicantType::Institution],
        _ => &[ApplicantType::Person],
    };
    let per_applicant: Vec<std::collections::BTreeSet<&'static str>> = applicants
        .iter()
        .map(|a| {
            derive(&FactInputs {
                service: item.service,
                applicant: *a,
                employer_kind: (*a == ApplicantType::Employer).then_some("企业"),
                form: &sample,
            })
            .into_keys()
            .collect()
        })
        .collect();
    per_applicant.iter().skip(1).fold(
        per_applicant.first().cloned().unwrap_or_default(),
        |acc, s| acc.intersection(s).copied().collect(),
    )
}

/// What a citizen's own record fills in of a person's form: name, ID number and phone, which
/// the registry holds (an employer's form is about its employees, so nothing is pre-filled).
async fn prefill(
    state: &AppState,
    auth: &Auth,
    fields: &[FormField],
    applicant: Option<yibao_service::effects::ApplicantKind>,
) -> Result<BTreeMap<String, String>, PageError> {
    let mut values = BTreeMap::new();
    let Actor::Citizen(c) = &auth.actor else {
        return Ok(values);
    };
    if matches!(
        applicant,
        Some(
            yibao_service::effects::ApplicantKind::Employer
                | yibao_service::effects::ApplicantKind::Institution
        )
    ) {
        return Ok(values);
    }
    let person = yibao_service::records::my_person(&state.services, &auth.actor).await?;
    let phone = person.as_ref().map(|p| p.phone.clone()).unwrap_or_default();
    for f in fields {
        let v = match f.key.as_str() {
            "name" => c.name.clone(),
            "id_number" => c.id_number.clone(),
            "phone" | "phone_1" => phone.clone(),
            _ => continue,
        };
        if !v.is_empty() {
            values.insert(format!("form.{}", f.key), v);
        }
    }
    Ok(values)
}

pub async fn new(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<NewQuery>,
) -> Result<Response, PageError> {
    new_page(
        &state,
        &auth,
        q.jurisdiction.as_deref().unwrap_or_default(),
        q.item.as_deref().unwrap_or_default(),
        None,
    )
    .await
}

/// The new-case form: `form.<key>` fields, repeated `facts`, the applicant for window cases.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut input = ApplyInput {
        jurisdiction: String::new(),
        item: String::new(),
        channel: String::new(),
        form: BTreeMap::new(),
        facts: Vec::new(),
        applicant: None,
        agent: None,
    };
    let mut applicant = ApplicantInput {
        id_number: String::new(),
        uscc: None,
        name: String::new(),
        phone: String::new(),
    };
    let mut typed = Typed::default();
    for (k, v) in form_urlencoded::parse(&body) {
        let v = v.trim().to_string();
        if k == "facts" {
            typed.facts.push(v.clone());
        } else if k != "csrf_token" {
            typed.values.insert(k.to_string(), v.clone());
        }
        match k.as_ref() {
            "jurisdiction" => input.jurisdiction = v,
            "item" => input.item = v,
            "channel" => input.channel = v,
            "facts" => input.facts.push(v),
            "applicant_id_number" => applicant.id_number = v,
            "applicant_name" => applicant.name = v,
            "applicant_phone" => applicant.phone = v,
            "applicant_uscc" if !v.is_empty() => applicant.uscc = Some(v),
            key => {
                if let Some(field) = key.strip_prefix("form.") {
                    if !v.is_empty() {
                        input.form.insert(field.to_string(), v);
                    }
                }
            }
        }
    }
    if !applicant.id_number.is_empty() || applicant.uscc.is_some() {
        input.applicant = Some(applicant);
    }
    match cases::apply(&state.services, &auth.actor, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cases/{}", c.number)).into_response()),
        Err(e) if correctable(&e) => {
            let mut r = new_page(
                &state,
                &auth,
                &input.jurisdiction,
                &input.item,
                Some(typed.refused(&e)),
            )
            .await?;
            *r.status_mut() = crate::error::status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    cases: Vec<CaseSummary>,
    is_staff: bool,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    q: String,
    /// Page links and export: the staff workbench only.
    pager: Option<super::pager::Pager>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

const CASE_HEADERS: [&str; 7] = [
    "办件编号",
    "事项",
    "申请人",
    "状态",
    "办结期限",
    "时限",
    "申请时间",
];

fn case_cells(c: &CaseSummary) -> Vec<String> {
    vec![
        c.number.clone(),
        c.item_name.clone(),
        c.applicant.clone(),
        c.status_label.to_string(),
        c.deadline.clone().unwrap_or_default(),
        c.level_label.to_string(),
        yibao_service::clock::local_text(&c.created_at),
    ]
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    let is_staff = matches!(auth.actor, Actor::Staff(_));
    let status = q.status.unwrap_or_default();
    let text = yibao_service::paging::search_text(q.q.as_deref());
    if !is_staff {
        return Ok(html(&ListPage {
            chrome: Chrome::of(&auth),
            title: "我的办件",
            cases: cases::list_mine(&state.services, &auth.actor).await?,
            is_staff,
            statuses: Vec::new(),
            status,
            q: text,
            pager: None,
        }));
    }
    let export = q.format.as_deref() == Some("xlsx");
    let span = if export {
        Span::Export
    } else {
        Span::page(q.page.as_deref())
    };
    let found = cases::queue(&state.services, &auth.actor, Some(&status), &text, span).await?;
    if export {
        let rows: Vec<Vec<String>> = found.items.iter().map(case_cells).collect();
        return crate::export::download(
            "办件工作台",
            state.services.clock().today(),
            "办件",
            &CASE_HEADERS,
            &rows,
        );
    }
    let pager = super::pager::Pager::new("/cases", &[("q", &text), ("status", &status)], &found);
    Ok(html(&ListPage {
        chrome: Chrome::of(&auth),
        title: "办件工作台",
        cases: found.items,
        is_staff,
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        status,
        q: text,
        pager: Some(pager),
    }))
}

pub async fn overdue(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let cases = cases::overdue(&state.services, &auth.actor).await?;
    Ok(html(&ListPage {
        chrome: Chrome::of(&auth),
        title: "超期办件",
        cases,
        is_staff: false,
        statuses: Vec::new(),
        status: String::new(),
        q: String::new(),
        pager: None,
    }))
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    v: CaseView,
    error: Option<String>,
    notice: Option<String>,
    terminal: bool,
    level_key: &'static str,
    level_label: &'static str,
    outcome_text: Option<String>,
    can_add_material: bool,
    material_options: Vec<(String, String)>,
    how_options: Vec<(&'static str, &'static str)>,
    upload_hint: String,
    evaluation_levels: Vec<(&'static str, &'static str)>,
    evaluation_label: &'static str,
    can_enter_bill: bool,
    /// 报销测算 for a bill, 待遇测算 for a maternity claim.
    preview_title: &'static str,
    preview_text: Option<String>,
    actions: Vec<ActionView>,
    /// A clerk who may record materials: offered the seal confirmation (加盖单位公章).
    can_confirm_seal: bool,
    /// The item's materials whose guide text asks for the unit's seal.
    sealed_materials: Vec<String>,
    /// The conditions of the item's materials and conditions that hold for this case (declared
    /// by the applicant or read from the form), in the guide's words: what the clerk confirms.
    situations: Vec<String>,
    /// The bill form's values (as typed after a refusal) and choice lists.
    bill: crate::pages::bill::Typed,
    bill_choices: crate::pages::bill::BillChoices,
    bill_rows: Vec<usize>,
    /// A designation case's evaluation, publicity and negotiated terms.
    institution: Option<yibao_service::institution::case_effect::ApplicationView>,
    /// A reviewer of the deciding agency may record those steps (the case is accepted).
    can_step_institution: bool,
    /// The agreement's payment methods (key, label) for the terms form.
    payment_methods: Vec<(&'static str, &'static str)>,
}

/// One action button, with the note field its action asks for (`Action::note`).
struct ActionView {
    key: &'static str,
    label: &'static str,
    note: bool,
    note_required: bool,
}

impl CasePage {
    /// Whether the guide asks for the unit's seal on this material.
    fn needs_seal(&self, id: &str) -> bool {
        self.sealed_materials.iter().any(|m| m == id)
    }

    fn bill_value(&self, name: &str) -> &str {
        self.bill.get(name).map(String::as_str).unwrap_or("")
    }

    /// A material's name (the item's, or the engine's proxy papers), never its id.
    fn material_name(&self, id: &str) -> String {
        self.material_options
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, n)| n.clone())
            .or_else(|| yibao_domain::case::engine_material_name(id).map(str::to_string))
            .unwrap_or_else(|| "其他材料".to_string())
    }

    fn bill_line(&self, i: &usize, what: &str) -> &str {
        self.bill_value(&format!("line.{i}.{what}"))
    }
}

async fn case_page(
    state: &AppState,
    auth: &Auth,
    number: &str,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    case_page_with(state, auth, number, error, notice, None).await
}

/// The case page; `bill` is the bill form as typed when its entry was refused.
async fn case_page_with(
    state: &AppState,
    auth: &Auth,
    number: &str,
    error: Option<String>,
    notice: Option<String>,
    bill: Option<crate::pages::bill::Typed>,
) -> Result<Response, PageError> {
    let v = cases::view(&state.services, &auth.actor, number).await?;
    let item = state.services.catalog().find_version(
        &v.case.jurisdiction,
        &v.case.item_id,
        v.case.item_version as u32,
    );
    let status = v.case.status;
    let is_staff = matches!(auth.actor, Actor::Staff(_));
    let can_add_material = v.can_add_material;
    let how_options: Vec<(&'static str, &'static str)> = if is_staff {
        vec![
            ("original", "原件（已核验）"),
            ("copy", "复印件"),
            ("upload", "电子文件"),
            ("pledge", "个人承诺书"),
        ]
    } else {
        vec![
            ("upload", "电子文件"),
            ("pledge", "个人承诺书（限允许承诺的材料）"),
        ]
    };
    let upload_hint = item
        .and_then(|i| i.upload.as_ref())
        .map(|u| u.text.clone())
        .unwrap_or_else(|| "可上传 PDF、JPEG、PNG，单个文件应小于 3MB".into());
    let (level_key, level_label) = match v.clock.as_ref().map(|c| c.level) {
        Some(l) => (
            match l {
                yibao_domain::calendar::WarningLevel::Normal => "normal",
                yibao_domain::calendar::WarningLevel::DueSoon => "due_soon",
                yibao_domain::calendar::WarningLevel::Overdue => "overdue",
                yibao_domain::calendar::WarningLevel::Paused => "paused",
            },
            l.label(),
        ),
        None => ("none", ""),
    };
    let evaluation_label = v.evaluation.as_ref().map_or("", |e| e.level.label());
    let can_enter_bill = is_staff && v.takes_bill && !status.is_terminal();
    let preview_text = v
        .reimbursement_preview
        .as_ref()
        .and_then(|p| p.get("text"))
        .and_then(|t| t.as_str())
        .map(str::to_string);
    let actions = v
        .actions
        .iter()
        .filter_map(|(key, label)| Action::parse(key).map(|a| (a, *label)))
        .map(|(a, label)| ActionView {
            key: a.as_str(),
            label,
            note: a.note() != ActionNote::None,
            note_required: a.note() == ActionNote::Required,
        })
        .collect();
    // A new bill form uses the personal account unless the clerk unticks it (the engine's default).
    let bill = bill.unwrap_or_else(|| {
        [("use_account".to_string(), "on".to_string())]
            .into_iter()
            .collect()
    });
    let sealed_materials: Vec<String> = item
        .map(|i| {
            i.materials
                .iter()
                .filter(|m| m.seal_required)
                .map(|m| m.id.clone())
                .collect()
        })
        .unwrap_or_default();
    let situations = item.map_or_else(Vec::new, |i| situations_of(i, &v.case.facts.facts));
    // Only a designation case has the steps (no further read for any other case).
    let institution =
        if yibao_service::institution::case_effect::is_designation(&v.case.service_key) {
            yibao_service::institution::case_effect::application(
                &state.services,
                &auth.actor,
                number,
            )
            .await?
        } else {
            None
        };
    let can_step_institution = institution.is_some()
        && status == yibao_domain::case::CaseStatus::Accepted
        && match &auth.actor {
            Actor::Staff(s) => {
                s.roles.contains(&yibao_domain::staff::StaffRole::Reviewer)
                    && s.agency_id == v.case.deciding_agency_id
            }
            _ => false,
        };
    Ok(html(&CasePage {
        institution,
        can_step_institution,
        payment_methods: yibao_domain::institution::PaymentMethod::ALL
            .iter()
            .map(|m| (m.key(), m.label()))
            .collect(),
        chrome: Chrome::of(auth),
        situations,
        can_confirm_seal: is_staff && can_add_material && !sealed_materials.is_empty(),
        sealed_materials,
        actions,
        can_enter_bill,
        preview_title: if v.takes_bill {
            "报销测算"
        } else {
            "待遇测算"
        },
        preview_text,
        bill,
        bill_choices: crate::pages::bill::BillChoices::new(),
        bill_rows: (1..=crate::pages::bill::LINES).collect(),
        terminal: status.is_terminal(),
        level_key,
        level_label,
        outcome_text: v
            .outcome
            .as_ref()
            .and_then(|o| o.get("text"))
            .and_then(|t| t.as_str())
            .map(str::to_string),
        can_add_material,
        material_options: item
            .map(|i| {
                i.materials
                    .iter()
                    .map(|m| (m.id.clone(), m.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        how_options,
        upload_hint,
        evaluation_levels: Evaluation::ALL
            .iter()
            .map(|e| (e.as_str(), e.label()))
            .collect(),
        evaluation_label,
        v,
        error,
        notice,
    }))
}

pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    case_page(&state, &auth, &number, None, None).await
}

pub async fn material(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (input, bytes) = match crate::api::cases::read_material(multipart).await {
        Ok(x) => x,
        Err(e) => return case_page(&state, &auth, &number, Some(e.body.message), None).await,
    };
    match cases::add_material(&state.services, &auth.actor, &number, &input, &bytes).await {
        Ok(_) => case_page(&state, &auth, &number, None, Some("材料已提交".into())).await,
        Err(e) if correctable(&e) => {
            case_page(&state, &auth, &number, Some(e.message()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A clerk confirms the unit's seal on a material already on the case.
pub async fn confirm_seal(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    match cases::confirm_seal(&state.services, &auth.actor, &number, id).await {
        Ok(_) => case_page(&state, &auth, &number, None, Some("已核验单位公章".into())).await,
        Err(e) if correctable(&e) => {
            case_page(&state, &auth, &number, Some(e.message()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    note: String,
}

pub async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    Form(f): Form<ActForm>,
) -> Result<Response, PageError> {
    let Some(action) = Action::parse(&f.action) else {
        return Err(PageError::not_found());
    };
    match cases::transition(&state.services, &auth.actor, &number, action, &f.note).await {
        Ok(c) => {
            let text = format!("已{}，当前状态：{}", action.label(), c.status.label());
            case_page(&state, &auth, &number, None, Some(text)).await
        }
        Err(e) if correctable(&e) => {
            case_page(&state, &auth, &number, Some(e.message()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct EvaluateForm {
    level: String,
    #[serde(default)]
    comment: String,
}

pub async fn evaluate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    Form(f): Form<EvaluateForm>,
) -> Result<Response, PageError> {
    match cases::evaluate(&state.services, &auth.actor, &number, &f.level, &f.comment).await {
        Ok(_) => case_page(&state, &auth, &number, None, Some("感谢您的评价".into())).await,
        Err(e) if correctable(&e) => {
            case_page(&state, &auth, &number, Some(e.message()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    let (row, bytes) = cases::material_content(&state.services, &auth.actor, &number, id).await?;
    let ct = if row.content_type.is_empty() {
        "application/octet-stream".to_string()
    } else {
        row.content_type
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ct),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"material-{id}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "case_print.html")]
struct PrintPage {
    chrome: Chrome,
    title: &'static str,
    doc: String,
    v: CaseView,
    outcome_text: Option<String>,
    /// The item's materials (id, name), to name what was received.
    materials: Vec<(String, String)>,
}

impl PrintPage {
    fn material_name(&self, id: &str) -> String {
        self.materials
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, n)| n.clone())
            .or_else(|| yibao_domain::case::engine_material_name(id).map(str::to_string))
            .unwrap_or_else(|| "其他材料".to_string())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PrintQuery {
    format: Option<String>,
}

pub async fn print(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, doc)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PrintQuery>,
) -> Result<Response, PageError> {
    let title = match doc.as_str() {
        "receipt" => "受理回执",
        "notice" => "一次性告知书",
        "completion" => "办结通知书",
        _ => return Err(PageError::not_found()),
    };
    let v = cases::view(&state.services, &auth.actor, &number).await?;
    let materials = state
        .services
        .catalog()
        .find_version(
            &v.case.jurisdiction,
            &v.case.item_id,
            v.case.item_version as u32,
        )
        .map(|i| {
            i.materials
                .iter()
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let page = PrintPage {
        chrome: Chrome::of(&auth),
        materials,
        title,
        outcome_text: v
            .outcome
            .as_ref()
            .and_then(|o| o.get("text"))
            .and_then(|t| t.as_str())
            .map(str::to_string),
        doc,
        v,
    };
    if q.format.as_deref() == Some("pdf") {
        return print_pdf(&page);
    }
    Ok(html(&page))
}

/// The same document as a PDF (issue #23): the case lines, then what the document is about.
fn print_pdf(p: &PrintPage) -> Result<Response, PageError> {
    let c = &p.v.case;
    let mut lines = vec![
        ("办件编号".to_string(), c.number.clone()),
        ("事项".to_string(), p.v.item_name.clone()),
        ("申请人".to_string(), c.applicant_name.clone()),
    ];
    if let Some(a) = &c.accepted_on {
        lines.push(("受理日期".into(), a.to_string()));
    }
    if let Some(d) = &c.deadline {
        lines.push(("承诺办结日期".into(), d.to_string()));
    }
    if let Some(t) = &c.completed_at {
        lines.push(("办结时间".into(), yibao_service::clock::local_text(t)));
    }
    lines.push(("状态".into(), p.v.status_label.to_string()));
    let (head, table, mut footer): (Vec<String>, Vec<Vec<String>>, Vec<String>) =
        match p.doc.as_str() {
            "receipt" => (
                vec!["已收材料".into(), "提交方式".into()],
                p.v.materials
                    .iter()
                    .map(|m| {
                        vec![
                            p.material_name(&m.material_id),
                            yibao_domain::case::ProvidedAs::label_of_key(&m.provided_as).to_string(),
                        ]
                    })
                    .collect(),
                vec!["查询办理进度：登录后在“我的办件”查看，或在 /progress 输入办件编号和身份证号码查询。".into()],
            ),
            "notice" => {
                let mut rows = Vec::new();
                for n in &p.v.notices {
                    for i in &n.items {
                        rows.push(vec![
                            yibao_service::clock::local_text(&n.issued_at),
                            i.name.clone(),
                            i.reason.clone(),
                        ]);
                    }
                }
                (
                    vec!["告知时间".into(), "尚需补正的材料".into(), "原因".into()],
                    rows,
                    vec!["经审查，您的申请尚需补正上列材料，请一次性补齐后提交。补正期间办理时限暂停计算。".into()],
                )
            }
            _ => (
                Vec::new(),
                Vec::new(),
                vec![p.outcome_text.clone().unwrap_or_else(|| "您的申请已办结。".into())],
            ),
        };
    footer.push("医保经办服务平台".into());
    crate::pdf::download(
        &crate::pdf::PrintDoc {
            title: p.title,
            lines: &lines,
            table_head: &head,
            table: &table,
            footer,
        },
        &format!("{}-{}", p.title, c.number),
        &c.number,
    )
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    chrome: Chrome,
    number: String,
    result: Option<Progress>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgressQuery {
    number: Option<String>,
    id_number: Option<String>,
}

pub async fn progress(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Response, PageError> {
    let number = q.number.unwrap_or_default();
    let (result, error) = match (number.is_empty(), q.id_number.as_deref()) {
        (false, Some(id)) => match cases::progress(&state.services, &number, id).await {
            Ok(p) => (Some(p), None),
            Err(e) if e.kind() == ErrorKind::NotFound => (None, Some(e.message())),
            Err(e) => return Err(e.into()),
        },
        _ => (None, None),
    };
    Ok(html(&ProgressPage {
        chrome: Chrome::of(&auth),
        number,
        result,
        error,
    }))
}

/// The bill entered on the page, line by line (pages/bill.rs); refused entries come back with
/// everything typed.
pub async fn bill(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let typed = crate::pages::bill::typed(&body);
    let refused = |message: String, typed| {
        let state = state.clone();
        let auth = &auth;
        let number = number.clone();
        async move {
            let mut r =
                case_page_with(&state, auth, &number, Some(message), None, Some(typed)).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok::<Response, PageError>(r)
        }
    };
    let entry = match crate::pages::bill::entry_json(&typed).and_then(|v| {
        serde_json::from_value::<yibao_service::reimbursement::BillEntry>(v)
            .map_err(|e| vec![format!("费用明细有误：{e}")])
    }) {
        Ok(e) => e,
        Err(errors) => return refused(errors.join("；"), typed).await,
    };
    match yibao_service::reimbursement::enter_bill(&state.services, &auth.actor, &number, &entry)
        .await
    {
        Ok(()) => case_page(&state, &auth, &number, None, Some("费用明细已录入".into())).await,
        Err(e) if correctable(&e) => refused(e.message(), typed).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "evaluations.html")]
struct EvaluationsPage {
    chrome: Chrome,
    levels: Vec<&'static str>,
    rows: Vec<(String, Vec<u32>)>,
    follow_ups: Vec<String>,
}

/// Evaluation statistics per item and the dissatisfied evaluations awaiting follow-up.
pub async fn evaluations(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let stats = cases::evaluation_stats(&state.services, &auth.actor).await?;
    let levels: Vec<&'static str> = Evaluation::ALL.iter().map(|e| e.label()).collect();
    let rows = stats
        .by_item
        .iter()
        .map(|(item, counts)| {
            (
                item.clone(),
                levels
                    .iter()
                    .map(|l| counts.get(l).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    Ok(html(&EvaluationsPage {
        chrome: Chrome::of(&auth),
        levels,
        rows,
        follow_ups: stats.open_follow_ups,
    }))
}

/// A step of a designation case from its page (评估 / 公示 / 公示有异议 / 协议条款); a refused
/// step comes back with its reason.
pub async fn institution_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    use yibao_service::institution::case_effect::{step_application, ApplicationStepInput};
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut methods: Vec<yibao_domain::institution::PaymentMethod> = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        if k == "methods" {
            if let Some(m) = yibao_domain::institution::PaymentMethod::from_key(v.trim()) {
                methods.push(m);
            }
        } else {
            fields.insert(k.into_owned(), v.trim().to_string());
        }
    }
    let get = |k: &str| fields.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let date = |k: &str, label: &str| -> Result<Option<chrono::NaiveDate>, String> {
        get(k)
            .map(|v| {
                yibao_domain::catalog::parse_date_text(v)
                    .ok_or_else(|| format!("{label}应为日期，如 2026-11-01"))
            })
            .transpose()
    };
    let built = (|| -> Result<ApplicationStepInput, String> {
        let action = get("action").unwrap_or_default().to_string();
        let terms = if action == "terms" {
            let valid_from =
                date("valid_from", "协议起始日")?.ok_or_else(|| "请填写协议起始日".to_string())?;
            let annual_budget_fen = get("annual_budget")
                .map(|v| {
                    v.parse::<yibao_domain::Fen>()
                        .map(|f| f.fen())
                        .map_err(|_| "年度总额预算应为金额（元）".to_string())
                })
                .transpose()?;
            Some(yibao_domain::institution::Agreement {
                valid_from,
                valid_until: date("valid_until", "协议终止日")?,
                level: get("level").unwrap_or_default().to_string(),
                services: yibao_domain::institution::designation::split_list(
                    get("services").unwrap_or_default(),
                ),
                methods: methods.clone(),
                annual_budget_fen,
                cross_province: get("cross_province").is_some(),
            })
        } else {
            None
        };
        Ok(ApplicationStepInput {
            passed: get("passed").map(|v| v == "1"),
            from: date("from", "公示起始日")?,
            terms,
            note: get("note").unwrap_or_default().to_string(),
            action,
        })
    })();
    let input = match built {
        Ok(i) => i,
        Err(message) => {
            let mut r = case_page(&state, &auth, &number, Some(message), None).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    match step_application(&state.services, &auth.actor, &number, &input).await {
        Ok(v) => {
            let notice = match &v.code {
                Some(code) if input.action == "evaluate" => {
                    format!("已记录：{}，机构编码 {code}", v.stage_label)
                }
                _ => format!("已记录：{}", v.stage_label),
            };
            case_page(&state, &auth, &number, None, Some(notice)).await
        }
        Err(e) if correctable(&e) => {
            let mut r = case_page(&state, &auth, &number, Some(e.message()), None).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
