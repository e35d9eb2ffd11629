//! Maternity insurance (生育保险, docs/maternity.md): the policy files of
//! `data/policy/maternity/`, the decision of a claim (eligibility from the contribution ledger,
//! the claim window, the amount) and the effect that records and pays it through finance's
//! disbursement, and the person's benefits for the API.
//!
//! The rules are `yibao_domain::maternity`; this module reads what they need: the case's form,
//! the person's employee months and the employer's wages of the previous year.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yibao_domain::case::ApplicantType;
use yibao_domain::catalog::{Item, Service};
use yibao_domain::maternity::{
    self as rules, maternity_policy_for, networked, Beneficiary, BenefitKind, Claim, EmployerWages,
    LedgerMonth, MaternityError, MaternityPolicy, Payee,
};
use yibao_domain::{CitizenId, Fen, RegionCode};
use yibao_store::cases::CaseRow;
use yibao_store::enrolment as registry;
pub use yibao_store::maternity::BenefitRow;
use yibao_store::maternity::{self as store, NewBenefit};
use yibao_store::Conn;

use crate::identity::Actor;
use crate::{ServiceError, Services};

/// Where the maternity policies live among the embedded data files.
pub const MATERNITY_DIR: &str = "policy/maternity/";

/// Reads one policy file; an error names the file and (for a format error) the line.
pub fn parse_policy(path: &str, text: &str) -> Result<MaternityPolicy, String> {
    let p: MaternityPolicy = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        match line {
            Some(l) => format!("{path}:{l}: {}", e.message()),
            None => format!("{path}: {}", e.message()),
        }
    })?;
    p.validate()
        .map_err(|e| format!("{path}: {}", yibao_domain::Coded::message(&e)))?;
    Ok(p)
}

/// Every shipped version. A file that fails is logged and left out; a test checks none does.
pub fn policies() -> &'static [MaternityPolicy] {
    static SETS: std::sync::OnceLock<Vec<MaternityPolicy>> = std::sync::OnceLock::new();
    SETS.get_or_init(|| {
        crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(MATERNITY_DIR))
            .filter_map(|f| match parse_policy(&f.path, &f.text) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::error!(error = %e, "shipped maternity policy is invalid");
                    None
                }
            })
            .collect()
    })
}

/// The version in force for `region` on `date`.
pub fn policy_for(region: &RegionCode, date: NaiveDate) -> Option<&'static MaternityPolicy> {
    maternity_policy_for(policies(), region, date)
}

/// The benefit a maternity service pays.
pub fn benefit_of_service(service: Service) -> Option<BenefitKind> {
    Some(match service {
        Service::MaternityPrenatalCare => BenefitKind::PrenatalCare,
        Service::MaternityDeliveryCosts => BenefitKind::DeliveryCosts,
        Service::MaternityFamilyPlanningCosts => BenefitKind::FamilyPlanningCosts,
        Service::MaternityAllowance => BenefitKind::Allowance,
        Service::MaternityAllowanceRecalculation => BenefitKind::AllowanceRecalculation,
        _ => return None,
    })
}

/// An item that also pays family-planning costs (seed 002 item 17: one row for both medical
/// benefits, recorded in the catalog as `[[extra]] 覆盖的其他服务`).
fn covers_family_planning(item: &Item) -> bool {
    item.extra
        .iter()
        .any(|x| x.text.trim() == Service::MaternityFamilyPlanningCosts.key())
}

fn domain(e: MaternityError) -> ServiceError {
    ServiceError::from_domain(e)
}

/// The date a case was applied for (申报): the Beijing date of its submission, else of its
/// creation (a stored timestamp is UTC).
fn claimed_on(case: &CaseRow) -> Result<NaiveDate, ServiceError> {
    let text = case.submitted_at.as_deref().unwrap_or(&case.created_at);
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&crate::clock::beijing()).date_naive())
        .ok()
        .or_else(|| text.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()))
        .ok_or_else(|| {
            ServiceError::internal(
                "case.corrupt",
                format!("办件 {} 的申请时间无法识别", case.number),
            )
        })
}

#[cfg(test)]
mod claim_date_tests {
    /// A submission at 20:00 UTC is the next day in Beijing, the day the window is judged on.
    #[test]
    fn the_claim_date_is_the_beijing_date() {
        let case = yibao_store::cases::CaseRow {
            submitted_at: Some("2026-11-22T20:00:00.000Z".into()),
            created_at: "2026-11-20T01:00:00.000Z".into(),
            ..Default::default()
        };
        assert_eq!(
            super::claimed_on(&case).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }
}

fn month_text(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// `months` months before the month of `date` (first day).
fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(first)
}

/// Everything decided about a claim before anything is written.
#[derive(Debug, Clone)]
pub struct Decision {
    pub row: BenefitRow,
    pub dedup_key: Option<String>,
    pub text: String,
    pub policy_example: bool,
}

/// Decides `case` (a maternity item): reads the form, finds the insured person, checks who
/// the event is for, the claim window, the contribution months and double payment, and
/// computes the amount. Nothing is written.
pub async fn decide(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
) -> Result<Decision, ServiceError> {
    let service_benefit = benefit_of_service(item.service).ok_or_else(|| {
        ServiceError::internal("maternity.not_maternity", "该事项不是生育保险事项")
    })?;
    let claim = Claim::parse(&case.form.0).map_err(ServiceError::from_domain_list)?;
    // The insured: the applicant, or the employee the employer's form names.
    let insured_id: CitizenId = match case.applicant_kind {
        ApplicantType::Person => {
            let own: CitizenId = case.applicant_ref.parse()?;
            if claim.insured.as_ref().is_some_and(|i| *i != own) {
                return Err(domain(MaternityError::NotApplicant));
            }
            own
        }
        ApplicantType::Institution => {
            return Err(ServiceError::invalid(
                "maternity.applicant_kind",
                "生育保险待遇由参保人员或参保单位申请",
            ))
        }
        ApplicantType::Employer => {
            claim
                .insured
                .clone()
                .ok_or(domain(MaternityError::FieldMissing {
                    key: "id_number",
                    label: "参保人身份证号码",
                }))?
        }
    };
    let person = registry::find_person(conn, &insured_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在"))?;
    let benefit = rules::benefit_of(service_benefit, &claim.event, covers_family_planning(item))
        .map_err(domain)?;
    rules::check_person(benefit, &claim, &insured_id).map_err(domain)?;
    let region: RegionCode = case.facts.region_code.parse()?;
    let policy = policy_for(&region, claim.event_date).ok_or_else(|| {
        domain(MaternityError::NoPolicy {
            region: region.as_str().to_string(),
            date: claim.event_date,
        })
    })?;
    let calendar = crate::calendar::current(services).await?;
    if benefit != BenefitKind::AllowanceRecalculation {
        rules::check_claim_date(
            policy,
            benefit,
            claim.event_date,
            claimed_on(case)?,
            &calendar,
        )
        .map_err(domain)?;
    }
    let rule = &policy.eligibility;
    let (rows, months) = ledger_months(conn, person.id, rule, claim.event_date).await?;
    let counted = rules::eligibility(rule, claim.event_date, &months).map_err(domain)?;

    let beneficiary_id = match claim.beneficiary {
        Beneficiary::Spouse => claim.spouse.clone().unwrap_or(insured_id.clone()),
        Beneficiary::Insured => insured_id.clone(),
    };
    let dedup_key = (benefit != BenefitKind::AllowanceRecalculation).then(|| {
        let mut k = format!(
            "{}:{}:{}",
            beneficiary_id.as_str(),
            benefit.key(),
            claim.event_date
        );
        if let rules::Event::FamilyPlanning { operation } = claim.event {
            k.push(':');
            k.push_str(operation.key());
        }
        k
    });
    if let Some(key) = &dedup_key {
        if let Some(prior) = store::find_by_key(conn, key).await? {
            if prior.case_number != case.number {
                return Err(domain(MaternityError::AlreadyPaid {
                    benefit,
                    event_date: claim.event_date,
                    case: prior.case_number,
                }));
            }
        }
    }
    // Costs the hospital settled in real time are not claimed again by hand.
    let settled = store::networked(conn, beneficiary_id.as_str(), benefit.key())
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(networked::NetworkedSettlement {
                reference: r.reference,
                benefit,
                from: r.event_from.parse().ok()?,
                to: r.event_to.parse().ok()?,
            })
        })
        .collect::<Vec<_>>();
    networked::check_not_settled_at_hospital(benefit, claim.event_date, &settled)
        .map_err(domain)?;
    let now = services.clock().now_text();
    let mut row = BenefitRow {
        id: 0,
        case_number: case.number.clone(),
        person_id: person.id,
        beneficiary: claim.beneficiary,
        beneficiary_id: beneficiary_id.as_str().to_string(),
        benefit,
        event: claim.event.kind(),
        event_text: claim.event.describe(),
        event_date: claim.event_date.to_string(),
        employer_id: None,
        wage_year: None,
        average_wage_fen: None,
        leave_days: None,
        costs_fen: None,
        limit_fen: None,
        amount_fen: 0,
        paid_before_fen: 0,
        difference_fen: 0,
        paid_fen: 0,
        payee: Payee::Person,
        payee_text: String::new(),
        policy_name: policy.name.clone(),
        example: i64::from(policy.example),
        created_by: String::new(),
        created_at: now,
    };
    let bank_payee = |claim: &Claim| -> Result<String, ServiceError> {
        claim
            .bank
            .as_ref()
            .map(|b| b.masked())
            .ok_or(domain(MaternityError::BankMissing))
    };
    let text;
    let example;
    match benefit {
        BenefitKind::PrenatalCare
        | BenefitKind::DeliveryCosts
        | BenefitKind::FamilyPlanningCosts => {
            let level = claim.level.ok_or(domain(MaternityError::FieldMissing {
                key: "hospital_level",
                label: "医院等级",
            }))?;
            let costs = claim.costs.ok_or(domain(MaternityError::FieldMissing {
                key: "costs",
                label: "医疗费用合计（元）",
            }))?;
            let limit =
                rules::medical_limit(policy, benefit, &claim.event, level).map_err(domain)?;
            let pays = rules::medical_payment(limit, costs);
            example = match benefit {
                BenefitKind::PrenatalCare => policy.medical.prenatal_example,
                BenefitKind::FamilyPlanningCosts => policy.medical.family_planning_example,
                _ => match claim.event {
                    rules::Event::Miscarriage { weeks } => {
                        policy.miscarriage_band(weeks).is_some_and(|b| b.example)
                    }
                    _ => policy.medical.delivery.example,
                },
            };
            // The person applies for the medical benefits and is paid to their bank account; where
            // the guide lets the unit apply for them (seed 001 items 27–29 「单位代办的可划入单位
            // 银行账户，由单位划入参保人银行账户」), the unit's account.
            if case.applicant_kind == ApplicantType::Employer {
                let employer = employer_before(conn, &rows, case, benefit).await?;
                row.employer_id = Some(employer.id);
                row.payee = Payee::Employer;
                row.payee_text = format!(
                    "参保单位“{}”的银行账户（由单位划入参保人银行账户）",
                    employer.name
                );
            } else {
                row.payee = Payee::Person;
                row.payee_text = bank_payee(&claim)?;
            }
            row.costs_fen = Some(costs.0);
            row.limit_fen = Some(limit.0);
            row.amount_fen = pays.0;
            row.difference_fen = pays.0;
            row.paid_fen = pays.0;
            text = format!(
                "{}：{}，{}医院，医疗费用 {costs}，限额 {limit}{}，支付 {pays}至{}",
                benefit.label(),
                claim.event.describe(),
                level.label(),
                if example { "（示例参数）" } else { "" },
                row.payee_text
            );
        }
        BenefitKind::Allowance | BenefitKind::AllowanceRecalculation => {
            let employer = employer_before(conn, &rows, case, benefit).await?;
            let employer_id = employer.id;
            let wages = wages_of(conn, employer_id, claim.event_date).await?;
            let days = rules::leave_days(policy, &claim.event).map_err(domain)?;
            let amount =
                rules::allowance(&wages, days, policy.allowance.divisor_days).map_err(domain)?;
            example = policy.leave.example || policy.allowance.example;
            row.employer_id = Some(employer_id);
            row.wage_year = Some(i64::from(wages.year));
            row.average_wage_fen = Some(wages.average().0);
            row.leave_days = Some(i64::from(days));
            row.amount_fen = amount.0;
            row.payee = policy.allowance.payee;
            row.payee_text = match policy.allowance.payee {
                Payee::Person => bank_payee(&claim)?,
                Payee::Employer => format!("参保单位“{}”的银行账户", employer.name),
            };
            let basis = format!(
                "参保单位“{}” {} 年度月平均缴费工资 {}（{} 人月）÷ {} × {} 天{}",
                employer.name,
                wages.year,
                wages.average(),
                wages.lines,
                policy.allowance.divisor_days,
                days,
                if example { "（示例参数）" } else { "" }
            );
            if benefit == BenefitKind::Allowance {
                row.difference_fen = amount.0;
                row.paid_fen = amount.0;
                text = format!(
                    "生育津贴：{}，{basis} = {amount}，支付至{}",
                    claim.event.describe(),
                    row.payee_text
                );
            } else {
                let prior =
                    store::allowance_rows(conn, beneficiary_id.as_str(), &row.event_date).await?;
                if !prior.iter().any(|r| r.benefit == BenefitKind::Allowance) {
                    return Err(domain(MaternityError::NoAllowance {
                        event_date: claim.event_date,
                    }));
                }
                let paid_before = Fen(prior
                    .iter()
                    .filter(|r| r.case_number != case.number)
                    .map(|r| r.paid_fen)
                    .sum());
                let r = rules::recalculate(amount, paid_before);
                row.paid_before_fen = r.paid_before.0;
                row.difference_fen = r.difference.0;
                row.paid_fen = r.pays.0;
                text = if r.difference.0 >= 0 {
                    format!(
                        "生育津贴复算：{basis} = {amount}，已发放 {}，补发差额 {}，支付至{}",
                        r.paid_before, r.pays, row.payee_text
                    )
                } else {
                    format!(
                        "生育津贴复算：{basis} = {amount}，低于已发放的 {}（差额 {}），本次不发放，已发放部分不予追回",
                        r.paid_before, r.difference
                    )
                };
            }
        }
    }
    let text = format!("{text}；生产（手术）前连续足额缴费 {counted} 个月",);
    Ok(Decision {
        row,
        dedup_key,
        text,
        policy_example: example,
    })
}

/// The insured's employer before the event: the one of the latest contribution month. A unit
/// applying must be it.
async fn employer_before(
    conn: &mut Conn,
    rows: &[store::PersonMonth],
    case: &CaseRow,
    benefit: BenefitKind,
) -> Result<registry::EmployerRow, ServiceError> {
    let employer_id = rows
        .iter()
        .rev()
        .find_map(|r| r.employer_id)
        .ok_or(domain(MaternityError::NoEmployer))?;
    let employer = registry::find_employer(conn, employer_id)
        .await?
        .ok_or(domain(MaternityError::NoEmployer))?;
    if case.applicant_kind == ApplicantType::Employer && case.applicant_ref != employer.uscc {
        return Err(ServiceError::invalid(
            "maternity.not_the_employer",
            format!(
                "参保人生产前的参保单位是“{}”，{}由该单位申领",
                employer.name,
                benefit.label()
            ),
        ));
    }
    Ok(employer)
}

/// The person's employee lines before the month of `event_date`, far enough back for the rule
/// and its arrears, and the same as the rule reads them (paid in full or not).
async fn ledger_months(
    conn: &mut Conn,
    person_id: i64,
    rule: &rules::policy::EligibilityRule,
    event_date: NaiveDate,
) -> Result<(Vec<store::PersonMonth>, Vec<LedgerMonth>), ServiceError> {
    let back = rule.continuous_months.max(1) + rule.arrears_back_pay_months + 24;
    let first = months_before(event_date, back);
    let last = months_before(event_date, 1);
    let rows = store::person_months(
        conn,
        person_id,
        &month_text(first.year(), first.month()),
        &month_text(last.year(), last.month()),
    )
    .await?;
    let months = rows
        .iter()
        .filter_map(|r| {
            let (y, m) = r.month.split_once('-')?;
            Some(LedgerMonth {
                year: y.parse().ok()?,
                month: m.parse().ok()?,
                full: r.paid_fen >= r.total_fen,
            })
        })
        .collect();
    Ok((rows, months))
}

/// A maternity visit settled in real time (national interface 医疗类别 51 生育门诊, 52 生育住院,
/// 53 计划生育手术费) is a maternity benefit: the same eligibility as the manual claims applies
/// (seed 003 items 28–31 「足额连续缴满6个月生育保险费的次月起」; arrears stop it), judged on the
/// visit's date and the insured region's policy. The split itself is the benefit policy's
/// `maternity` rule.
pub async fn check_realtime_eligibility(
    conn: &mut Conn,
    person_id: i64,
    insured: &RegionCode,
    date: NaiveDate,
) -> Result<(), ServiceError> {
    let policy = policy_for(insured, date).ok_or_else(|| {
        domain(MaternityError::NoPolicy {
            region: insured.as_str().to_string(),
            date,
        })
    })?;
    let (_, months) = ledger_months(conn, person_id, &policy.eligibility, date).await?;
    rules::eligibility(&policy.eligibility, date, &months).map_err(domain)?;
    Ok(())
}

/// What a maternity visit settled at the hospital pays for (`SettleRequest::maternity`): the
/// benefit, and the event's date when known (national `birctrl_matn_date`), else the first day
/// of the stay it covers (`stay_from`, the admission day; the bill's date ends it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaternityVisit {
    pub benefit: BenefitKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stay_from: Option<NaiveDate>,
}

/// The benefit and days a real-time maternity settlement records.
#[derive(Debug, Clone)]
pub struct NetworkedEvent {
    benefit: BenefitKind,
    from: NaiveDate,
    to: NaiveDate,
}

/// A maternity visit names its benefit (产前检查费, 生育医疗费 or 计划生育医疗费) and its event;
/// one whose birth or operation was already paid by a manual claim is refused (one event, one
/// payment: docs/maternity.md).
pub async fn check_realtime_event(
    conn: &mut Conn,
    person: &CitizenId,
    req: &crate::settlement::SettleRequest,
) -> Result<NetworkedEvent, ServiceError> {
    let visit = req.maternity.as_ref().ok_or_else(|| {
        ServiceError::invalid(
            "settlement.maternity_missing",
            "生育就诊（医疗类别 51–53）应注明支付的生育待遇（maternity.benefit）和生育或手术日期（maternity.event_date）",
        )
    })?;
    if !matches!(
        visit.benefit,
        BenefitKind::PrenatalCare | BenefitKind::DeliveryCosts | BenefitKind::FamilyPlanningCosts
    ) {
        return Err(ServiceError::invalid(
            "settlement.maternity_benefit",
            format!("{}不在定点医疗机构联网结算", visit.benefit.label()),
        ));
    }
    let to = req.bill.date;
    let from = visit.event_date.or(visit.stay_from).unwrap_or(to);
    let to = visit.event_date.unwrap_or(to);
    if from > to {
        return Err(ServiceError::invalid(
            "settlement.maternity_date",
            format!("生育或手术日期 {from} 晚于结算日期 {to}"),
        ));
    }
    let paid = store::paid_between(
        conn,
        person.as_str(),
        visit.benefit.key(),
        &from.to_string(),
        &to.to_string(),
    )
    .await?
    .into_iter()
    .filter_map(|(case, date)| {
        Some(networked::PaidClaim {
            case,
            benefit: visit.benefit,
            event_date: date.parse().ok()?,
        })
    })
    .collect::<Vec<_>>();
    networked::check_not_claimed_by_hand(visit.benefit, from, to, &paid).map_err(domain)?;
    Ok(NetworkedEvent {
        benefit: visit.benefit,
        from,
        to,
    })
}

/// Records a real-time maternity settlement's event (in the settlement's transaction).
pub(crate) async fn record_networked(
    conn: &mut Conn,
    settlement_id: i64,
    person: &str,
    event: &NetworkedEvent,
    now: &str,
) -> Result<(), ServiceError> {
    store::insert_networked(
        conn,
        settlement_id,
        person,
        event.benefit.key(),
        &event.from.to_string(),
        &event.to.to_string(),
        now,
    )
    .await?;
    Ok(())
}

/// The employer's wages of the year before the event (POLICY-FACTS §5: 「上年度」); without a
/// previous-year figure, the event year's months before the event (「if there is no
/// previous-year figure, the current-year average is used」).
async fn wages_of(
    conn: &mut Conn,
    employer_id: i64,
    event_date: NaiveDate,
) -> Result<EmployerWages, ServiceError> {
    let year = event_date.year() - 1;
    let (sum, lines) = store::employer_wages(
        conn,
        employer_id,
        &month_text(year, 1),
        &month_text(year, 12),
    )
    .await?;
    if lines > 0 {
        return Ok(EmployerWages {
            year,
            base_sum: sum,
            lines,
        });
    }
    let last = months_before(event_date, 1);
    let (sum, lines) = if last.year() == event_date.year() {
        store::employer_wages(
            conn,
            employer_id,
            &month_text(event_date.year(), 1),
            &month_text(last.year(), last.month()),
        )
        .await?
    } else {
        (0, 0)
    };
    Ok(EmployerWages {
        year: event_date.year(),
        base_sum: sum,
        lines,
    })
}

/// What the case would pay now (for finance's list and the case page), or the refusal.
pub async fn preview(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
) -> Result<Option<Value>, ServiceError> {
    let Some(item) = services.catalog().find_version(
        &case.jurisdiction,
        &case.item_id,
        case.item_version as u32,
    ) else {
        return Ok(None);
    };
    if benefit_of_service(item.service).is_none() {
        return Ok(None);
    }
    let d = decide(conn, services, case, item).await?;
    Ok(Some(
        json!({ "reimbursed": d.row.paid_fen, "text": d.text }),
    ))
}

/// The effect: records the benefit (one per birth and benefit) and answers what is paid; the
/// case pays through finance's disbursement (`Binding::pays_money`).
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let mut d = decide(conn, services, case, item).await?;
    d.row.created_by = actor_label.to_string();
    store::insert(
        conn,
        &NewBenefit {
            row: &d.row,
            dedup_key: d.dedup_key.as_deref(),
        },
    )
    .await?;
    let r = &d.row;
    crate::audit::record(
        conn,
        services,
        &Actor::System {
            label: actor_label.to_string(),
        },
        &format!("maternity.{}", r.benefit.key()),
        "person",
        &r.person_id.to_string(),
        None,
        Some(&json!({ "case": r.case_number, "paid_fen": r.paid_fen, "amount_fen": r.amount_fen })),
        &format!(
            "{}（办件 {}）：支付 {}",
            r.benefit.label(),
            r.case_number,
            Fen(r.paid_fen)
        ),
    )
    .await?;
    Ok(json!({
        "effect": format!("maternity.{}", r.benefit.key()),
        "benefit": r.benefit.key(),
        "event": r.event.key(),
        "event_date": r.event_date,
        "reimbursed": r.paid_fen,
        "paid_fen": r.paid_fen,
        "amount_fen": r.amount_fen,
        "paid_before_fen": r.paid_before_fen,
        "difference_fen": r.difference_fen,
        "leave_days": r.leave_days,
        "average_wage_fen": r.average_wage_fen,
        "wage_year": r.wage_year,
        "costs_fen": r.costs_fen,
        "limit_fen": r.limit_fen,
        "payee": r.payee.key(),
        "example": d.policy_example,
        "text": d.text,
    }))
}

/// A person's maternity benefits as the API answers them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonMaternity {
    pub person_id: i64,
    pub benefits: Vec<BenefitRow>,
    pub total_paid_fen: i64,
}

/// The person's claims and allowances: the person themself, or staff serving their region.
pub async fn for_person(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<PersonMaternity, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let person = registry::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    crate::records::may_see_person(actor, &person)?;
    let benefits = store::for_person(&mut tx, person.id).await?;
    let total_paid_fen = benefits.iter().map(|b| b.paid_fen).sum();
    Ok(PersonMaternity {
        person_id: person.id,
        benefits,
        total_paid_fen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_maternity_policy_loads() {
        let files = crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(MATERNITY_DIR))
            .count();
        assert_eq!(files, 2);
        assert_eq!(policies().len(), files);
        let nanchuan: RegionCode = "500119".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(policy_for(&nanchuan, d).unwrap().region.as_str(), "500000");
    }

    /// A bad file fails with its path and line.
    #[test]
    fn a_bad_policy_file_names_its_path_and_line() {
        let text = crate::catalog::embedded_files()
            .into_iter()
            .find(|f| f.path == "policy/maternity/chongqing/2026.toml")
            .unwrap()
            .text;
        let bad = text.replacen("continuous_months = 6", "continuous_months = \"six\"", 1);
        let line = bad.lines().position(|l| l.contains("\"six\"")).unwrap() + 1;
        let e = parse_policy("policy/maternity/chongqing/2026.toml", &bad).unwrap_err();
        assert!(
            e.starts_with(&format!("policy/maternity/chongqing/2026.toml:{line}:")),
            "{e}"
        );
        let invalid = text.replacen("divisor_days = 30", "divisor_days = 0", 1);
        let e = parse_policy("x.toml", &invalid).unwrap_err();
        assert!(e.starts_with("x.toml: ") && e.contains("折算天数"), "{e}");
    }

    /// The claim form's fields are the ones the domain reads, its choice lists the domain's
    /// labels.
    #[test]
    fn the_claim_form_matches_the_domain() {
        use rules::{Beneficiary, DeliveryMode, EventKind, FamilyPlanningOp, HospitalLevel};
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let form = catalog.form("maternity-claim").expect("form");
        let keys: Vec<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
        let mut expected = rules::CLAIM_FORM_FIELDS.to_vec();
        expected.push("networked_settlement");
        assert_eq!(keys, expected);
        let choices = |key: &str| -> Vec<String> {
            form.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.choices.clone())
                .unwrap_or_default()
        };
        assert_eq!(choices("beneficiary"), Beneficiary::labels());
        assert_eq!(choices("event"), EventKind::labels());
        assert_eq!(choices("delivery_mode"), DeliveryMode::labels());
        assert_eq!(choices("operation"), FamilyPlanningOp::labels());
        assert_eq!(choices("hospital_level"), HospitalLevel::labels());
        assert!(form.basis.is_some() && form.source.is_none());
    }
}
