//! What completing a case does (DESIGN §3): every canonical service is bound here once, by an
//! exhaustive `match` on `Service`, either to its effect or explicitly as "guide only". A service
//! added to `data/catalog/services.toml` (and so to the `Service` enum) does not compile until it
//! is listed here. docs/adr/0007-adding-a-service.md is the checklist.
//!
//! The case engine asks the binding who applies, which form the application fills in and what
//! the case can do beyond the generic steps (a bill to enter); it runs the effect in the same
//! transaction as the completing transition. Nothing outside this module names a service.

mod filing;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;
use yibao_domain::catalog::{
    validate_form, Catalog, ChannelKind, FieldError, FormField, Item, Service,
};
use yibao_domain::codes::InstitutionKind;
use yibao_domain::error::Coded;
use yibao_domain::filing::{FilingApplication, FilingError, FilingJurisdiction, FilingKind};
use yibao_domain::maternity::BenefitKind;
use yibao_domain::qualification::QualificationError;
use yibao_domain::RegionCode;
use yibao_store::cases::CaseRow;
use yibao_store::Conn;

use crate::contribution::effect::ContributionOp;
use crate::enrolment::Op;
use crate::institution::case_effect::InstitutionOp;
use crate::{ServiceError, Services};

/// Who may apply for a service (the case's applicant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantKind {
    /// An insured person (the applicant reference is a 身份证号码).
    Person,
    /// An employer (the applicant reference is its 统一社会信用代码).
    Employer,
    /// Either: e.g. 职工参保信息变更, which the guides let the unit or the employee apply for.
    PersonOrEmployer,
    /// A medical institution or pharmacy (the applicant reference is its 统一社会信用代码):
    /// applying for designation, or as a designated institution for a change of its agreement.
    Institution,
}

/// What completing a case of the service does inside the completing transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A registry change (参保登记): records and their history.
    Enrolment(Op),
    /// A remote-care filing (异地就医备案) of the kind the guide's item names.
    Filing(FilingKind),
    /// A manual reimbursement (零星报销): the bill entered by the clerk is split and paid.
    Reimbursement,
    /// A contribution item (缴费): bases declared, dues assessed.
    Contribution(ContributionOp),
    /// A one-time withdrawal (个人账户一次性支取): the balance is paid out, the account closed.
    AccountWithdrawal,
    /// Account linking (个人账户关联): the holder links a user, or revokes the link.
    AccountLinking,
    /// Cross-province transfer of the balance (个人账户划转): paid to the card account.
    AccountTransfer,
    /// A maternity benefit (生育保险待遇): prenatal care, delivery or family-planning costs, the
    /// allowance or its recalculation, decided from the contribution ledger and paid.
    Maternity(yibao_domain::maternity::BenefitKind),
    /// A chronic/special disease qualification (门诊慢特病 / 特病 / 两病 / 单行支付药品 认定): the
    /// certification is decided against the item's disease list and recorded with its validity.
    Qualification,
    /// Manual medical aid (医疗救助对象手工（零星）报销): the aid on what basic and critical-illness
    /// insurance left, added to the year's aid total and paid.
    AidReimbursement,
    /// 出具《参保凭证》 (leaving side): the certificate issued with its verification code.
    TransferCertificate,
    /// 转移接续 (joining side): the transfer recorded and its 联系函 sent to the leaving side's
    /// installation (docs/federation.md).
    TransferApplication,
    /// A designated institution's agreement (定点协议管理): designation, information change,
    /// suspension/termination, restoration, remote direct settlement.
    Institution(InstitutionOp),
}

/// The binding of one service: its applicant, its form, its effect and its capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub applicant: ApplicantKind,
    /// The form (under `data/forms`) an application fills in when the item names none.
    pub default_form: Option<&'static str>,
    pub effect: Effect,
}

impl Binding {
    /// The clerk enters a bill (费用明细) on the case before it can be approved.
    pub fn takes_bill(&self) -> bool {
        matches!(self.effect, Effect::Reimbursement)
    }

    /// Completing pays money out (a reimbursement, a withdrawn balance): the case waits for
    /// finance's disbursement (待拨付) even where the guide lists no 支付/拨付 step (seeds 002
    /// and 004 list none), so nothing is reported paid that finance has not paid.
    pub fn pays_money(&self) -> bool {
        matches!(
            self.effect,
            Effect::Reimbursement
                | Effect::AccountWithdrawal
                | Effect::Maternity(_)
                | Effect::AidReimbursement
        )
    }
}

/// A service handled by its own record rather than a case (ADR 0009), with the page where it is
/// applied for: the guide page links there instead of to the case form.
pub fn own_page(service: Service) -> Option<&'static str> {
    match service {
        Service::ComplaintAccept => Some("/complaints/new"),
        // 即时办结, no materials (seed 000 item 01): the citizen activates the voucher itself.
        Service::EvoucherApply => Some("/account/evoucher"),
        // Done at the institution's window when the person settles there (seed 000 item 07):
        // the settlement is the record; the page lists the institutions open for it.
        Service::CrossProvinceOutpatient => Some("/cross-province"),
        // The monthly settlement is the declaration flow (申报 → 对账 → 结算单 → 确认 → 拨付,
        // docs/institutions.md): one record per institution and month, not a case with
        // materials; the institution declares on its month page (ADR 0007, issue #21).
        Service::HospitalMonthlySettlement | Service::PharmacyMonthlySettlement => {
            Some("/institution")
        }
        _ => None,
    }
}

/// The guide page's button to a service's own page (`own_page`).
pub fn own_page_label(service: Service, staff: bool) -> &'static str {
    match service {
        Service::CrossProvinceOutpatient => "可跨省直接结算的医疗机构",
        _ if staff => "窗口录入",
        _ => "在线办理",
    }
}

/// The docs page of a service handled by its own record.
pub fn own_rules_doc(service: Service) -> Option<&'static str> {
    match service {
        Service::ComplaintAccept => Some("docs/complaints.md"),
        Service::EvoucherApply => Some("docs/national.md"),
        Service::CrossProvinceOutpatient => Some("docs/institutions.md"),
        Service::HospitalMonthlySettlement | Service::PharmacyMonthlySettlement => {
            Some("docs/institutions.md")
        }
        _ => None,
    }
}

/// The page of `docs/` that states the rules an effect applies (linked from the guide pages,
/// `docs/guides/`).
pub fn rules_doc(effect: Effect) -> &'static str {
    match effect {
        Effect::Enrolment(_) => "docs/enrolment.md",
        Effect::Filing(_) => "docs/filing-rules.md",
        Effect::Reimbursement => "docs/benefits.md",
        Effect::Contribution(_) => "docs/contributions.md",
        Effect::AccountWithdrawal | Effect::AccountLinking | Effect::AccountTransfer => {
            "docs/accounts.md"
        }
        Effect::Maternity(_) => "docs/maternity.md",
        Effect::Qualification | Effect::AidReimbursement => "docs/qualifications.md",
        Effect::TransferCertificate | Effect::TransferApplication => "docs/federation.md",
        Effect::Institution(_) => "docs/institutions.md",
    }
}

/// The binding of `service`, or `None` when the service is "guide only" today: its items show
/// the guide and send the applicant to the window.
pub fn binding(service: Service) -> Option<Binding> {
    use ApplicantKind::{Employer, Institution, Person, PersonOrEmployer};
    use Service as S;
    let registry = |applicant, op: Op| Binding {
        applicant,
        default_form: op.form_id(),
        effect: Effect::Enrolment(op),
    };
    let filing = |kind| Binding {
        applicant: Person,
        // seed 000 表1 异地就医登记备案表: the form every filing records.
        default_form: Some("chuanyu-form-1"),
        effect: Effect::Filing(kind),
    };
    let contribution = |applicant, op: ContributionOp| Binding {
        applicant,
        default_form: op.form_id(),
        effect: Effect::Contribution(op),
    };
    let reimbursement = Binding {
        applicant: Person,
        default_form: None,
        effect: Effect::Reimbursement,
    };
    // The applicant is the holder (for a deceased holder the heir applies in their name; the
    // form names the heir). The guides name their 申请表/确认表 without printing it.
    let maternity = |applicant, benefit| Binding {
        applicant,
        default_form: Some("maternity-claim"),
        effect: Effect::Maternity(benefit),
    };
    let institution = |op: InstitutionOp| Binding {
        applicant: Institution,
        default_form: op.form_id(),
        effect: Effect::Institution(op),
    };
    let withdrawal = Binding {
        applicant: Person,
        default_form: Some("account-withdrawal"),
        effect: Effect::AccountWithdrawal,
    };
    Some(match service {
        S::EmployerRegister => registry(Employer, Op::EmployerRegister),
        S::EmployerChange => registry(Employer, Op::EmployerChange),
        S::EmployerSplit => registry(Employer, Op::EmployerSplit),
        S::EmployerMerge => registry(Employer, Op::EmployerMerge),
        S::EmployerRelocate => registry(Employer, Op::EmployerRelocate),
        S::EmployerDeregister => registry(Employer, Op::EmployerDeregister),
        S::EmployerRecordQuery => registry(Employer, Op::EmployerRecordQuery),
        S::EmployeeEnrol => registry(Employer, Op::EmployeeEnrol),
        S::EmployeeRemove => registry(Employer, Op::EmployeeRemove),
        S::EmployeeChange => registry(PersonOrEmployer, Op::EmployeeChange),
        S::FlexibleEnrol => registry(Person, Op::FlexibleEnrol),
        S::FlexibleSuspend => registry(Person, Op::FlexibleSuspend),
        S::FlexibleResume => registry(Person, Op::FlexibleResume),
        S::ResidentEnrol => registry(Person, Op::ResidentEnrol),
        S::ResidentChange => registry(Person, Op::ResidentChange),
        S::PhoneChange => registry(Person, Op::PhoneChange),
        S::PersonRecordQuery => registry(Person, Op::PersonRecordQuery),
        S::FilingRelocatedRetiree => filing(FilingKind::RelocatedRetiree),
        S::FilingLongTermResident => filing(FilingKind::LongTermResident),
        S::FilingPostedWorker => filing(FilingKind::PostedWorker),
        S::FilingReferral => filing(FilingKind::Referral),
        S::FilingTemporary => filing(FilingKind::Temporary),
        S::OutpatientReimbursement | S::InpatientReimbursement => reimbursement,
        S::ContributionBaseDeclare => contribution(Employer, ContributionOp::BaseDeclare),
        S::ContributionEmployerBackPay => contribution(Employer, ContributionOp::EmployerBackPay),
        S::ContributionFlexiblePay => contribution(Person, ContributionOp::FlexiblePay),
        S::ContributionLumpSum => contribution(Person, ContributionOp::LumpSum),
        S::ContributionRetireeYearsRecognition => {
            contribution(Person, ContributionOp::YearsRecognition)
        }
        S::ContributionRetireeShortfallPay => contribution(Person, ContributionOp::ShortfallPay),
        S::ContributionPersonalBackPay => contribution(Person, ContributionOp::PersonalBackPay),
        S::AidContributionSubsidy => contribution(Person, ContributionOp::AidSubsidy),
        S::AccountOneTimeWithdrawal => withdrawal,
        // The applicant is the holder (提供人), who consents; the form names the user (使用人).
        // seed 001 item 14: the filer applies; the form gives the card's bank account.
        S::AccountCrossProvinceTransfer => Binding {
            applicant: Person,
            default_form: Some("account-transfer"),
            effect: Effect::AccountTransfer,
        },
        S::AccountLinking => Binding {
            applicant: Person,
            default_form: Some("account-linking"),
            effect: Effect::AccountLinking,
        },
        // The insured person applies; seed 001 item 30 has the unit apply for the allowance
        // (「申请：参保单位提交申请材料」), seed 003 item 31 the person: either may, the form
        // names the insured (docs/maternity.md).
        S::MaternityPrenatalCare => maternity(Person, BenefitKind::PrenatalCare),
        S::MaternityDeliveryCosts => maternity(Person, BenefitKind::DeliveryCosts),
        S::MaternityFamilyPlanningCosts => maternity(Person, BenefitKind::FamilyPlanningCosts),
        S::MaternityAllowance => maternity(PersonOrEmployer, BenefitKind::Allowance),
        S::MaternityAllowanceRecalculation => {
            maternity(PersonOrEmployer, BenefitKind::AllowanceRecalculation)
        }
        // The guides name their 申请表/认定表 without printing them; the form holds the
        // certification the list's evidence rule asks for (data/diseases/).
        S::QualificationChronicDisease
        | S::QualificationHypertensionDiabetes
        | S::QualificationHighValueDrug => Binding {
            applicant: Person,
            default_form: Some("qualification-application"),
            effect: Effect::Qualification,
        },
        // seeds 001/003 item 32: the 结算单 after basic and critical-illness insurance.
        S::AidManualReimbursement => Binding {
            applicant: Person,
            default_form: Some("aid-reimbursement"),
            effect: Effect::AidReimbursement,
        },
        // seed 000 items 05-1/05-2, 重庆 and 南川 18/19, 四川 15/16, 酉阳 16 (docs/federation.md).
        S::TransferCertificate => Binding {
            applicant: Person,
            default_form: None,
            effect: Effect::TransferCertificate,
        },
        // The guides name 《基本医疗保险关系转移接续申请表》 without printing it; the form holds
        // what the 联系函 needs: the leaving region and the 参保凭证's verification code.
        S::Transfer => Binding {
            applicant: Person,
            default_form: Some("transfer-application"),
            effect: Effect::TransferApplication,
        },
        // Chongqing/Sichuan 33–34, seed 000 item 06, Sichuan 35–38: the institution applies
        // (docs/institutions.md "Through the case engine").
        S::InstitutionHospitalApplication => {
            institution(InstitutionOp::Designation(InstitutionKind::Hospital))
        }
        S::InstitutionPharmacyApplication => {
            institution(InstitutionOp::Designation(InstitutionKind::Pharmacy))
        }
        S::InstitutionInfoChange => institution(InstitutionOp::InfoChange),
        S::InstitutionSuspend => institution(InstitutionOp::SuspendOrTerminate),
        S::InstitutionRestore => institution(InstitutionOp::Restore),
        S::InstitutionRemoteSettlementOpen => institution(InstitutionOp::RemoteSettlementOpen),
        // Not a case: the e-voucher (`evoucher`), complaints and the monthly settlement are
        // their own records with their own pages (`own_page`, ADR 0009); cross-province
        // outpatient settlement (seed 000 item 07) is the settlement itself, made at the
        // institution's window.
        S::EvoucherApply
        | S::ComplaintAccept
        | S::CrossProvinceOutpatient
        | S::HospitalMonthlySettlement
        | S::PharmacyMonthlySettlement => return None,
    })
}

/// True when completing a case of this service has its effect built.
pub fn supported(service: Service) -> bool {
    binding(service).is_some()
}

/// The binding of `item`'s service, or the refusal a guide-only item answers with.
pub fn bound(item: &Item) -> Result<Binding, ServiceError> {
    binding(item.service).ok_or_else(|| {
        ServiceError::invalid(
            "case.guide_only",
            format!(
                "事项“{}”暂未开通在线办理，请按办事指南到窗口办理",
                item.name
            ),
        )
    })
}

/// Who applies for `item` (a guide-only item has no applicant here): the service's applicant,
/// widened to the employer where the item lets the unit apply on the person's behalf (a
/// condition with `employer_agency`, e.g. seed 001 items 27–29 「单位代办的…」).
pub fn applicant(item: &Item) -> Option<ApplicantKind> {
    binding(item.service).map(|b| {
        let agency = item
            .conditions
            .iter()
            .any(|c| c.predicate.as_deref() == Some("employer_agency"));
        match b.applicant {
            ApplicantKind::Person if agency => ApplicantKind::PersonOrEmployer,
            kind => kind,
        }
    })
}

/// True when completing a case of this item pays money out through finance.
pub fn pays_money(item: &Item) -> bool {
    binding(item.service).is_some_and(|b| b.pays_money())
}

/// True when the clerk enters a bill on cases of this item.
pub fn takes_bill(item: &Item) -> bool {
    binding(item.service).is_some_and(|b| b.takes_bill())
}

/// The form an application to `item` fills in: the item's first form (the guide's own, e.g.
/// 表3 for 职工参保信息变更 in seed 000), else the binding's.
pub fn main_form(item: &Item) -> Option<&str> {
    item.forms
        .first()
        .map(String::as_str)
        .or_else(|| binding(item.service).and_then(|b| b.default_form))
}

/// The fields the application page shows for `item`: not a signature (given at the window),
/// not the agency's own block (经办机构、经办人、经办日期, filled in by the system and the clerk).
pub fn form_fields(catalog: &Catalog, item: &Item) -> Vec<FormField> {
    main_form(item)
        .and_then(|f| catalog.form(f))
        .map(|f| {
            f.fields
                .iter()
                .filter(|x| {
                    !x.agency && !matches!(x.kind, yibao_domain::catalog::FieldKind::Signature)
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Checks the form of an application before its case is opened, every problem at once with the
/// field it belongs to (`details.errors[].field`), so a case never waits for a form no page can
/// fill in (issue #23): a guide's printed form against its definition, and a filing's 表1 the way
/// the filing effect reads it (the printed 表1 marks nothing required, the filing needs seven).
pub fn check_application_form(
    catalog: &Catalog,
    item: &Item,
    form: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(def) = main_form(item).and_then(|f| catalog.form(f)) {
        // An effect's own input form (`basis`, e.g. the registry's) only lays out the page: its
        // effect parses the fields into domain types, accepting the codes and synonyms rosters
        // and API clients send (and inferring some, e.g. the region from the USCC), and checks
        // them at completion.
        if def.source.is_some() {
            if let Err(list) = validate_form(def, form, today) {
                errors.extend(list);
            }
        }
    }
    if let Some(Effect::Filing(_)) = binding(item.service).map(|b| b.effect) {
        let parsed = FilingApplication::parse(form).and_then(|a| {
            match yibao_domain::filing::FilingJurisdiction::from_key(&item.jurisdiction) {
                Some(j) => j
                    .item_covers(item.service, a.kind)
                    .map_err(|e| vec![e])
                    .map(|()| a),
                None => Ok(a),
            }
        });
        if let Err(list) = parsed {
            for e in list {
                let field = match &e {
                    FilingError::FieldMissing { key, .. }
                    | FilingError::FieldInvalid { key, .. } => (*key).to_string(),
                    FilingError::IdNumber(_) => "id_number".to_string(),
                    FilingError::TargetNeedsCity { .. } => "target_prefecture".to_string(),
                    FilingError::TargetOutsideMainland { .. } => "target_province".to_string(),
                    FilingError::KindNotOfItem { .. } => "person_category".to_string(),
                    _ => String::new(),
                };
                if field.is_empty() || !errors.iter().any(|x| x.field == field) {
                    errors.push(FieldError {
                        field,
                        code: e.code(),
                        message: e.message(),
                    });
                }
            }
        }
    }
    if let Some(Effect::Maternity(_)) = binding(item.service).map(|b| b.effect) {
        if let Err(list) = yibao_domain::maternity::Claim::parse(form) {
            for e in list {
                let field = match &e {
                    yibao_domain::maternity::MaternityError::FieldMissing { key, .. }
                    | yibao_domain::maternity::MaternityError::FieldInvalid { key, .. } => {
                        (*key).to_string()
                    }
                    _ => String::new(),
                };
                errors.push(FieldError {
                    field,
                    code: e.code(),
                    message: e.message(),
                });
            }
        }
    }
    if let Some(Effect::Qualification) = binding(item.service).map(|b| b.effect) {
        for e in crate::qualification::check_form(item, form) {
            let field = match &e {
                QualificationError::FieldMissing { key, .. }
                | QualificationError::FieldInvalid { key, .. } => (*key).to_string(),
                QualificationError::UnknownDisease { .. } => "disease".to_string(),
                _ => String::new(),
            };
            if field.is_empty() || !errors.iter().any(|x| x.field == field) {
                errors.push(FieldError {
                    field,
                    code: e.code(),
                    message: e.message(),
                });
            }
        }
    }
    if let Some(Effect::TransferApplication) = binding(item.service).map(|b| b.effect) {
        errors.extend(crate::transfer::check_form(form));
    }
    if let Some(Effect::Institution(op)) = binding(item.service).map(|b| b.effect) {
        for e in crate::institution::case_effect::check_form(item, op, form) {
            if e.field.is_empty() || !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Rule {
        kind: crate::ErrorKind::Invalid,
        code: "form.invalid",
        message: errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        details: Some(serde_json::json!({ "errors": errors })),
    })
}

/// True when the guide completes a submission of this item through `channel` without a clerk
/// (seed 003 item 24: online temporary filings 「提交后自动办结」).
pub fn completes_on_submit(item: &Item, channel: &str) -> bool {
    let Some(Effect::Filing(kind)) = binding(item.service).map(|b| b.effect) else {
        return false;
    };
    let Some(channel) = ChannelKind::from_key(channel) else {
        return false;
    };
    FilingJurisdiction::from_key(&item.jurisdiction).is_some_and(|j| {
        j.completion(kind, channel) == yibao_domain::filing::Completion::AutoOnSubmit
    })
}

/// The case's form as stored (a stored form that does not read failed when the case was
/// loaded: an effect never runs on fields nobody could read).
pub fn form_map(case: &CaseRow) -> BTreeMap<String, String> {
    case.form.0.clone()
}

/// Runs the effect of `case`'s service; returns what it did (stored as the case's outcome).
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    match bound(item)?.effect {
        Effect::Enrolment(op) => {
            let fx = crate::enrolment::Effect {
                case,
                item,
                op,
                jurisdiction: crate::enrolment::jurisdiction_of(item, &case_region(case)?)?,
                today,
                now: services.clock().now_text(),
                actor_label: actor_label.to_string(),
            };
            crate::enrolment::apply(conn, &fx).await
        }
        Effect::Filing(_) => filing::record(conn, services, case, item, today).await,
        Effect::Reimbursement => crate::reimbursement::apply(conn, services, case).await,
        Effect::Contribution(op) => {
            crate::contribution::effect::apply(conn, services, case, item, op, today, actor_label)
                .await
        }
        Effect::AccountWithdrawal => {
            crate::account::withdraw(conn, services, case, item, today, actor_label).await
        }
        Effect::AccountLinking => crate::account::link(conn, services, case, actor_label).await,
        Effect::AccountTransfer => {
            crate::account::transfer(conn, services, case, today, actor_label).await
        }
        Effect::Maternity(_) => {
            crate::maternity::apply(conn, services, case, item, actor_label).await
        }
        Effect::Qualification => {
            crate::qualification::apply(conn, services, case, item, today).await
        }
        Effect::AidReimbursement => crate::aid::reimburse(conn, services, case, item).await,
        Effect::TransferCertificate => {
            crate::transfer::certificate_effect(conn, services, case, today, actor_label).await
        }
        Effect::TransferApplication => {
            crate::transfer::application_effect(conn, services, case, today, actor_label).await
        }
        Effect::Institution(op) => {
            crate::institution::case_effect::apply(
                conn,
                services,
                case,
                item,
                op,
                today,
                actor_label,
            )
            .await
        }
    }
}

/// What follows a completed case once its transaction has committed: an institution whose
/// agreement changed has its cached token look-ups dropped, so its next API call reads the
/// agreement again (a suspended one is refused at once, a restored one works at once).
pub async fn after_commit(services: &Services, case: &CaseRow) {
    if let Some(code) = crate::institution::case_effect::touched_institution(case) {
        if let Err(e) = crate::institution::forget_tokens(services, &code).await {
            tracing::warn!(institution = %code, error = %e, "cached tokens not dropped");
        }
    }
}

/// What is checked when a case is approved for payment (→ 待拨付), so that a case that cannot
/// be paid stops there: a reimbursement's bill not paid meanwhile; a withdrawal's grounds and
/// the holder's record (checked again when it pays).
pub async fn check_before_payment(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    match binding(item.service).map(|b| b.effect) {
        Some(Effect::Reimbursement) => crate::reimbursement::check_case(conn, case).await,
        Some(Effect::AccountWithdrawal) => {
            crate::account::decide_withdrawal(conn, case, item, today)
                .await
                .map(|_| ())
        }
        Some(Effect::AccountTransfer) => crate::account::decide_transfer(conn, case, today)
            .await
            .map(|_| ()),
        Some(Effect::Maternity(_)) => crate::maternity::decide(conn, services, case, item)
            .await
            .map(|_| ()),
        Some(Effect::AidReimbursement) => {
            crate::aid::check_before_payment(conn, services, case).await
        }
        _ => Ok(()),
    }
}

/// The applicant's insured region, as recorded on the case's facts.
pub fn case_region(case: &CaseRow) -> Result<RegionCode, ServiceError> {
    Ok(case.facts.region_code.parse()?)
}

/// Stored case data (a JSON column, or a value inside one) that does not read.
pub(crate) fn corrupt(case: &CaseRow, column: &str, e: &serde_json::Error) -> ServiceError {
    tracing::error!(case = %case.number, column, error = %e, "stored case data is not valid JSON");
    ServiceError::internal(
        "case.corrupt",
        format!("办件 {} 的存储数据已损坏，请联系系统运维人员", case.number),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every service in `data/catalog/services.toml` is either bound or explicitly guide only
    /// (the `match` above is exhaustive; this pins the count the docs quote).
    #[test]
    fn every_service_is_bound_or_guide_only() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        assert_eq!(catalog.services.len(), Service::ALL.len());
        let bound = Service::ALL.iter().filter(|s| supported(**s)).count();
        assert_eq!(bound, 52, "update docs/adr/0007 when a service is bound");
    }

    /// A bound service's default form exists in the catalog and has fields; so does every
    /// form an item of a bound service names.
    #[test]
    fn bound_forms_exist() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        for s in Service::ALL {
            if let Some(form) = binding(*s).and_then(|b| b.default_form) {
                let f = catalog.form(form);
                assert!(f.is_some_and(|f| !f.fields.is_empty()), "{s}: form {form}");
            }
        }
        for item in catalog.current_items().filter(|i| supported(i.service)) {
            if let Some(form) = main_form(item) {
                assert!(
                    catalog.form(form).is_some(),
                    "{}/{}",
                    item.jurisdiction,
                    item.id
                );
            }
        }
    }

    /// The agency's block of 表1 (seed 000: 经办机构、联系电话、经办人、经办日期, and the 备案编号
    /// the agency gives) is not asked of the applicant.
    #[test]
    fn the_application_page_leaves_out_the_agency_block() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let item = catalog.find("chongqing", "24", None).expect("item 24");
        let keys: Vec<String> = form_fields(&catalog, item)
            .into_iter()
            .map(|f| f.key)
            .collect();
        for k in [
            "filing_number",
            "agency",
            "agency_phone",
            "clerk",
            "handling_date",
        ] {
            assert!(!keys.iter().any(|x| x == k), "{k} in {keys:?}");
        }
        assert!(keys.iter().any(|x| x == "target_province"));
    }

    #[test]
    fn a_case_without_a_valid_region_is_an_error() {
        let case = CaseRow::default();
        assert!(case_region(&case).is_err());
    }
}
