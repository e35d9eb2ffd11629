//! What completing a contribution case does (ADR 0007 step 5).
//!
//! 缴费基数申报 / 年度工资申报 (seed 001 九, seed 002 年度工资申报): the employer's declared monthly
//! wages, one line per employee, are clamped to the policy's floor and ceiling, recorded as the
//! year's bases, and the 核定通知单 (what is due each month, employer and employee parts) is the
//! case's outcome.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use yibao_domain::benefit::AidCategory;
use yibao_domain::catalog::{Item, Service};
use yibao_domain::contribution::items::{
    check_employer_back_pay, check_lump_sum, check_personal_back_pay, declaration_timing,
    DeclarationTiming,
};
use yibao_domain::contribution::{
    account_credit, aid_subsidy, employee_dues, flexible_dues, recognise_years, shortfall_payment,
    ContributionError, Member, PayerKind, WorkPeriod,
};
use yibao_domain::enrolment::flexible::Grade;
use yibao_domain::enrolment::{CoverageCategory, CoverageStatus, Jurisdiction, Scheme};
use yibao_domain::ids::Sex;
use yibao_domain::{CitizenId, Fen, RegionCode};
use yibao_store::cases::CaseRow;
use yibao_store::contribution::{self as store, NewBase};
use yibao_store::Conn;

use super::policy_for;
use super::run::{write_line, Line};
use crate::effects::form_map;
use crate::{ServiceError, Services};

/// Which contribution item a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributionOp {
    BaseDeclare,
    EmployerBackPay,
    FlexiblePay,
    YearsRecognition,
    ShortfallPay,
    LumpSum,
    PersonalBackPay,
    AidSubsidy,
}

impl ContributionOp {
    pub fn form_id(self) -> Option<&'static str> {
        match self {
            ContributionOp::BaseDeclare => Some("contribution-base-declare"),
            ContributionOp::EmployerBackPay => Some("contribution-employer-back-pay"),
            ContributionOp::YearsRecognition | ContributionOp::LumpSum => {
                Some("contribution-years")
            }
            ContributionOp::PersonalBackPay => Some("contribution-personal-back-pay"),
            ContributionOp::AidSubsidy => Some("aid-contribution-subsidy"),
            ContributionOp::ShortfallPay => Some("contribution-shortfall"),
            ContributionOp::FlexiblePay => None,
        }
    }
}

pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    op: ContributionOp,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    match op {
        ContributionOp::BaseDeclare => base_declare(conn, services, case, item, today).await,
        ContributionOp::EmployerBackPay => {
            employer_back_pay(conn, services, case, item, today, actor_label).await
        }
        ContributionOp::FlexiblePay => flexible_pay(conn, case, today).await,
        ContributionOp::YearsRecognition => years(conn, case, today, false).await,
        ContributionOp::LumpSum => {
            if let Some(j) = Jurisdiction::from_key(&item.jurisdiction) {
                check_lump_sum(j, today).map_err(ServiceError::from_domain)?;
            }
            years(conn, case, today, true).await
        }
        ContributionOp::ShortfallPay => shortfall(conn, services, case, today).await,
        ContributionOp::PersonalBackPay => personal_back_pay(conn, case).await,
        ContributionOp::AidSubsidy => aid(conn, case, today).await,
    }
}

/// 单位补缴 (seed 002 酉阳): the months `from_month`..=`to_month` (not before January 2005, not after
/// the current month) for the listed people, each at their monthly wage clamped with the policy in
/// force in that month; a month already in the ledger is left as it is. 「允许跨单位、跨区县进行补缴」:
/// the people need not be the unit's employees today. Every line is written with its account
/// credit, and the outcome is the 补缴核定 with the total.
async fn employer_back_pay(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    let form = form_map(case);
    let month = |key: &str, label: &str| {
        form.get(key).and_then(|v| parse_month(v)).ok_or_else(|| {
            ServiceError::invalid(
                "contribution.back_pay.month",
                format!("{label}应为 YYYY-MM"),
            )
        })
    };
    let from = month("from_month", "补缴起月")?;
    let to = month("to_month", "补缴止月")?;
    let jurisdiction = Jurisdiction::from_key(&item.jurisdiction)
        .ok_or_else(|| ServiceError::internal("contribution.jurisdiction", "事项所属地区无效"))?;
    check_employer_back_pay(jurisdiction, from, to, today).map_err(refuse)?;
    if (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 >= 240 {
        return Err(ServiceError::invalid(
            "contribution.back_pay.span",
            "一次补缴不超过 240 个月",
        ));
    }
    let lines =
        parse_lines(form.get("wage_lines").map(String::as_str).unwrap_or("")).map_err(refuse)?;
    let employer = yibao_store::enrolment::find_employer_by_uscc(conn, &case.applicant_ref)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("contribution.base.employer", "申请单位尚未参保登记")
        })?;
    let region: RegionCode = employer.region_code.parse()?;
    let now = services.clock().now_text();
    let mut errors = Vec::new();
    let mut people = Vec::new();
    for (n, id, wage) in &lines {
        match yibao_store::enrolment::find_person(conn, id).await? {
            Some(p) => people.push((p, *wage)),
            None => errors.push(ContributionError::new(
                "contribution.back_pay.person",
                format!("第 {n} 行：{} 尚未参保登记", id.as_str()),
                "",
            )),
        }
    }
    let mut months = Vec::new();
    let mut m = from;
    while m <= to {
        match policy_for(&region, m) {
            Some(p) => months.push((m, p)),
            None => errors.push(ContributionError::new(
                "contribution.no_policy",
                format!(
                    "{} 没有参保地适用的缴费政策参数，不能核定",
                    m.format("%Y-%m")
                ),
                "",
            )),
        }
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    if !errors.is_empty() {
        return Err(refuse(errors));
    }
    let (mut written, mut already, mut total, mut example) = (0u32, 0u32, Fen::ZERO, false);
    let mut notice = Vec::new();
    for (p, wage) in &people {
        for (m, policy) in &months {
            let d = employee_dues(*wage, policy).map_err(ServiceError::from_domain)?;
            let credit = account_credit(Member::InService { base: d.base.base }, policy)
                .map_err(ServiceError::from_domain)?;
            let ex = policy.base.example || policy.employee.example || policy.account.example;
            let month_text = m.format("%Y-%m").to_string();
            let inserted = write_line(
                conn,
                &Line {
                    person_id: p.id,
                    id_number: &p.id_number,
                    employer_id: Some(employer.id),
                    kind: PayerKind::Employee,
                    year: m.year(),
                    month: &month_text,
                    base: d.base.base,
                    employer: d.employer,
                    person: d.employee,
                    total: d.total,
                    credit,
                    policy_name: &policy.name,
                    example: ex,
                },
                &format!("{actor_label}（办件 {}）", case.number),
                &now,
            )
            .await?;
            if inserted {
                written += 1;
                example |= ex;
                total = total
                    .checked_add(d.total)
                    .map_err(ServiceError::from_domain)?;
                notice.push(json!({ "id_number": p.id_number, "month": month_text, "base_fen": d.base.base.0, "employer_fen": d.employer.0, "employee_fen": d.employee.0, "total_fen": d.total.0 }));
            } else {
                already += 1;
            }
        }
    }
    Ok(crate::enrolment::outcome(
        "contribution.employer_back_pay",
        format!(
            "已核定补缴 {written} 个人月，合计 {total}{}{}",
            if already > 0 {
                format!("；{already} 个人月已在台账中，未重复核定")
            } else {
                String::new()
            },
            if example { "（含示例参数）" } else { "" }
        ),
        json!({ "notice": { "title": "职工医疗保险补缴核定", "employer": employer.name, "from": from.format("%Y-%m").to_string(), "to": to.format("%Y-%m").to_string(), "lines": notice, "already": already, "total_fen": total.0, "example": example } }),
    ))
}

/// The applicant person and their coverages (the case's applicant reference is the ID number).
async fn person_of(
    conn: &mut Conn,
    case: &CaseRow,
) -> Result<
    (
        yibao_store::enrolment::PersonRow,
        Vec<yibao_store::coverage::CoverageRow>,
    ),
    ServiceError,
> {
    let id: CitizenId = case.applicant_ref.parse()?;
    let person = yibao_store::enrolment::find_person(conn, &id)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("contribution.person_unknown", "申请人尚未参保登记")
        })?;
    let covs = yibao_store::coverage::list_for_person(conn, person.id).await?;
    Ok((person, covs))
}

fn policy_at(
    region: &str,
    date: NaiveDate,
) -> Result<&'static yibao_domain::contribution::ContributionPolicy, ServiceError> {
    let region: RegionCode = region.parse()?;
    policy_for(&region, date).ok_or_else(|| {
        ServiceError::invalid(
            "contribution.no_policy",
            format!("{date} 没有参保地适用的缴费政策参数"),
        )
    })
}

/// seed 001 八、灵活就业人员缴纳职工医疗保险费: for an individual insured in the employee scheme,
/// the 缴费通知单 — the monthly amount of their grade.
async fn flexible_pay(
    conn: &mut Conn,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let (person, covs) = person_of(conn, case).await?;
    let cov = covs
        .iter()
        .find(|c| c.category == CoverageCategory::Flexible && c.status.is_open())
        .ok_or_else(|| {
            ServiceError::from_domain(ContributionError::new(
                "contribution.flexible.not_enrolled",
                "申请人未以灵活就业人员身份参加职工医保",
                "seed 001 八 服务对象「统筹地区内已办理职工医保参保登记的灵活就业人员」",
            ))
        })?;
    let policy = policy_at(&cov.region_code, today)?;
    let grade = Grade::parse(&yibao_store::enrolment::grade_of(conn, cov.id).await?)
        .unwrap_or(Grade::Tier1);
    let dues = flexible_dues(grade, policy).map_err(ServiceError::from_domain)?;
    let example = policy.flexible_grade(grade).is_some_and(|g| g.example);
    Ok(crate::enrolment::outcome(
        "contribution.flexible_pay",
        format!(
            "已出具缴费通知单：{}每月应缴 {}{}",
            grade.label(),
            dues.total,
            if example { "（示例参数）" } else { "" }
        ),
        json!({ "notice": {
            "title": "缴费通知单", "name": person.name, "id_number": person.id_number,
            "grade": grade.key(), "grade_label": grade.label(), "base_fen": dues.base.0,
            "basic_fen": dues.basic.0, "supplementary_fen": dues.supplementary.0,
            "monthly_fen": dues.total.0, "policy": policy.name, "example": example,
        }}),
    ))
}

fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

/// Work periods before the scheme, one a line: "YYYY-MM YYYY-MM" (first and last month).
fn parse_periods(text: &str) -> Result<Vec<WorkPeriod>, ServiceError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '至' || c == ',')
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [a, b] => match (parse_month(a), parse_month(b)) {
                (Some(from), Some(to)) => out.push(WorkPeriod { from, to }),
                _ => errors.push(ContributionError::new(
                    "contribution.years.period",
                    format!("第 {} 行的月份应为 YYYY-MM", i + 1),
                    "",
                )),
            },
            _ => errors.push(ContributionError::new(
                "contribution.years.period",
                format!("第 {} 行应为“起始月 终止月”，例如 1990-07 2000-12", i + 1),
                "",
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(refuse(errors))
    }
}

/// 退休人员缴费年限认定 (seed 002) and, with `pay`, 趸缴 (seed 001 十; the years the same way,
/// the missing months priced): deemed months before the policy's date plus paid months.
async fn years(
    conn: &mut Conn,
    case: &CaseRow,
    today: NaiveDate,
    pay: bool,
) -> Result<Value, ServiceError> {
    let form = form_map(case);
    let (person, covs) = person_of(conn, case).await?;
    let retired = covs
        .iter()
        .find(|c| c.category == CoverageCategory::Retired && c.status.is_open());
    // 趸缴 (seed 001 十): the retirement papers, or a flexible worker's pledge, are materials;
    // the registry need not show the retirement yet.
    let region = retired
        .or_else(|| covs.iter().find(|c| c.scheme == Scheme::Employee))
        .map(|c| c.region_code.clone())
        .unwrap_or_else(|| person.region_code.clone());
    let policy = policy_at(&region, today)?;
    let periods = parse_periods(form.get("work_periods").map(String::as_str).unwrap_or(""))?;
    let paid: u32 = form
        .get("paid_months")
        .and_then(|v| v.trim().parse().ok())
        .filter(|m| *m <= 1200)
        .ok_or_else(|| {
            ServiceError::invalid(
                "contribution.years.paid_months",
                "实际缴费月数应为 0 到 1200 的整数",
            )
        })?;
    let sex = Sex::from_key(&person.sex)
        .ok_or_else(|| ServiceError::internal("contribution.person_sex", "参保人员性别数据有误"))?;
    let r = recognise_years(sex, pay || retired.is_some(), &periods, paid, policy)
        .map_err(ServiceError::from_domain)?;
    let amount =
        shortfall_payment(r.shortfall_months, policy).map_err(ServiceError::from_domain)?;
    let example = policy.years.example;
    let recognition = json!({
        "deemed_months": r.deemed_months, "paid_months": r.paid_months, "total_months": r.total_months,
        "required_months": r.required_months, "shortfall_months": r.shortfall_months,
        "deemed_before": policy.years.deemed_before.to_string(), "policy": policy.name, "example": example,
    });
    if pay {
        Ok(crate::enrolment::outcome(
            "contribution.lump_sum",
            format!(
                "已出具缴费通知单：缺 {} 个月，一次性趸缴 {}{}",
                r.shortfall_months,
                amount,
                if example { "（示例参数）" } else { "" }
            ),
            json!({ "recognition": recognition, "notice": { "title": "缴费通知单", "amount_fen": amount.0, "example": example } }),
        ))
    } else {
        Ok(crate::enrolment::outcome(
            "contribution.retiree_years_recognition",
            format!(
                "已认定缴费年限 {} 个月（视同 {}、实际 {}），规定 {} 个月，{}{}",
                r.total_months,
                r.deemed_months,
                r.paid_months,
                r.required_months,
                if r.shortfall_months == 0 {
                    "已缴满".to_string()
                } else {
                    format!("不足 {} 个月", r.shortfall_months)
                },
                if example { "（示例参数）" } else { "" }
            ),
            json!({ "recognition": recognition, "title": "重庆市医疗保险退休人员缴费年限确认表" }),
        ))
    }
}

/// 单位退休人员不足年限补缴 (seed 002): from the person's latest completed years recognition, the
/// 不足年限征缴计划 for the missing months when the applicant agrees to pay; when they do not,
/// 「若不同意补缴，则暂停其医保关系」: their retired employee coverage is suspended.
async fn shortfall(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let (_, covs) = person_of(conn, case).await?;
    let recognised =
        yibao_store::cases::list_by_applicant(conn, case.applicant_kind, &case.applicant_ref)
            .await?
            .into_iter()
            .filter(|c| {
                c.service_key == Service::ContributionRetireeYearsRecognition.key()
                    && c.status == yibao_domain::case::CaseStatus::Completed
            })
            .find_map(|c| c.outcome.0)
            .and_then(|o| o["recognition"]["shortfall_months"].as_u64());
    let Some(months) = recognised else {
        return Err(ServiceError::from_domain(ContributionError::new(
            "contribution.shortfall.not_recognised",
            "尚未办理退休人员缴费年限认定，不能办理不足年限补缴",
            "seed 002 单位退休人员不足年限补缴 办理条件「参保单位退休人员经认定缴费年限不足的」",
        )));
    };
    if months == 0 {
        return Err(ServiceError::from_domain(ContributionError::new(
            "contribution.shortfall.complete",
            "经认定缴费年限已满，无需补缴",
            "seed 002 单位退休人员不足年限补缴 办理条件",
        )));
    }
    let retired = covs.iter().find(|c| {
        c.scheme == Scheme::Employee
            && c.category == CoverageCategory::Retired
            && c.status == CoverageStatus::Active
    });
    let agrees = match form_map(case).get("agree").map(|v| v.trim()) {
        Some("同意补缴" | "同意" | "yes") => true,
        Some("不同意补缴" | "不同意" | "no") => false,
        other => {
            return Err(ServiceError::invalid(
                "contribution.shortfall.agree",
                format!(
                    "请选择是否同意补缴（同意补缴或不同意补缴），收到“{}”",
                    other.unwrap_or("")
                ),
            ))
        }
    };
    if !agrees {
        let Some(cov) = retired else {
            return Err(ServiceError::from_domain(ContributionError::new(
                "contribution.shortfall.no_coverage",
                "申请人没有正常参保的退休职工医保关系，无可暂停",
                "seed 002 单位退休人员不足年限补缴 办理流程「若不同意补缴，则暂停其医保关系」",
            )));
        };
        let now = services.clock().now_text();
        let today_text = today.to_string();
        yibao_store::enrolment::change_coverage_status(
            conn,
            &yibao_store::enrolment::StatusChange {
                coverage_id: cov.id,
                from: CoverageStatus::Active,
                to: CoverageStatus::Suspended,
                effective_on: &today_text,
                reason:
                    "不同意补缴不足年限医保费，暂停医保关系（酉阳指南 单位退休人员不足年限补缴）",
                detail_json: &json!({ "shortfall_months": months }).to_string(),
                case_number: Some(&case.number),
                now: &now,
            },
        )
        .await?;
        return Ok(crate::enrolment::outcome(
            "contribution.retiree_shortfall_pay",
            format!(
                "申请人不同意补缴不足年限医保费（不足 {months} 个月），已自 {today_text} 起暂停其医保关系"
            ),
            json!({ "suspended": { "coverage_id": cov.id, "from": today_text, "shortfall_months": months } }),
        ));
    }
    let region = retired
        .or_else(|| covs.iter().find(|c| c.scheme == Scheme::Employee))
        .map(|c| c.region_code.clone())
        .unwrap_or_default();
    let policy = policy_at(&region, today)?;
    let months = u32::try_from(months)
        .map_err(|_| ServiceError::invalid("contribution.shortfall.months", "不足月数超出范围"))?;
    let amount = shortfall_payment(months, policy).map_err(ServiceError::from_domain)?;
    let example = policy.years.example || policy.base.example;
    Ok(crate::enrolment::outcome(
        "contribution.retiree_shortfall_pay",
        format!(
            "已出具不足年限征缴计划：不足 {months} 个月，应一次性补缴 {amount}{}",
            if example { "（示例参数）" } else { "" }
        ),
        json!({ "plan": { "title": "不足年限征缴计划", "shortfall_months": months, "amount_fen": amount.0, "policy": policy.name, "example": example } }),
    ))
}

/// 个人参保补缴 (seed 002): once the arrears are verified (核销), the 核定通知单 of what the ledger
/// shows unpaid.
async fn personal_back_pay(conn: &mut Conn, case: &CaseRow) -> Result<Value, ServiceError> {
    let form = form_map(case);
    let verified = matches!(
        form.get("arrears_verified").map(|v| v.trim()),
        Some("是" | "yes" | "true")
    );
    check_personal_back_pay(verified).map_err(ServiceError::from_domain)?;
    let (person, _) = person_of(conn, case).await?;
    // The row is about individuals' arrears (「个人身份参加城镇职工医疗保险欠费补缴确认表」).
    let totals = store::person_totals_of_kind(conn, person.id, PayerKind::Flexible).await?;
    if totals.arrears_fen <= 0 {
        return Err(ServiceError::from_domain(ContributionError::new(
            "contribution.personal_back_pay.none",
            "缴费台账中没有欠费，无需补缴",
            "",
        )));
    }
    Ok(crate::enrolment::outcome(
        "contribution.personal_back_pay",
        format!("已出具核定通知单：欠费 {}", Fen(totals.arrears_fen)),
        json!({ "notice": { "title": "重庆市以个人身份参加职工医保医疗保险费核定通知单", "name": person.name, "arrears_fen": totals.arrears_fen } }),
    ))
}

const AID_CATEGORIES: [AidCategory; 6] = [
    AidCategory::ExtremePoverty,
    AidCategory::MinimumLiving,
    AidCategory::PovertyRelapse,
    AidCategory::MarginalLowIncome,
    AidCategory::MonitoredRural,
    AidCategory::IllnessImpoverished,
];

/// 救助对象个人缴费补贴 (seed 001 三十一): 特困 the whole contribution, others the policy's fixed
/// amount, never more than was paid; to be paid into the insured's 社保卡金融账户.
async fn aid(conn: &mut Conn, case: &CaseRow, today: NaiveDate) -> Result<Value, ServiceError> {
    let form = form_map(case);
    let (person, covs) = person_of(conn, case).await?;
    let cov = covs
        .iter()
        .find(|c| c.scheme == Scheme::Resident && c.status.is_open())
        .ok_or_else(|| {
            ServiceError::from_domain(ContributionError::new(
                "contribution.subsidy.not_resident",
                "申请人未参加城乡居民基本医疗保险",
                "seed 001 三十一 服务对象「符合资助条件的城乡居民基本医疗保险参保人员」",
            ))
        })?;
    let label = form.get("aid_category").map(|s| s.trim()).unwrap_or("");
    let category = AID_CATEGORIES
        .into_iter()
        .find(|c| c.label() == label)
        .ok_or_else(|| {
            ServiceError::invalid(
                "contribution.subsidy.category",
                format!("救助对象类别“{label}”无效"),
            )
        })?;
    let paid: Fen = form
        .get("contribution")
        .ok_or_else(|| ServiceError::invalid("contribution.subsidy.amount", "请填写个人缴费金额"))?
        .parse()
        .map_err(ServiceError::from_domain)?;
    if !paid.is_input() || paid.0 == 0 {
        return Err(ServiceError::invalid(
            "contribution.subsidy.amount",
            "个人缴费金额应大于零",
        ));
    }
    let policy = policy_at(&cov.region_code, today)?;
    let amount = aid_subsidy(category, paid, policy).map_err(ServiceError::from_domain)?;
    let rule = policy.aid_subsidy_for(category);
    let example = rule.is_some_and(|r| r.example);
    Ok(crate::enrolment::outcome(
        "aid.contribution_subsidy",
        format!(
            "{}：{}，补贴 {}，划入参保人社保卡金融账户{}",
            category.label(),
            rule.map_or("", |r| r.kind.label()),
            amount,
            if example { "（示例参数）" } else { "" }
        ),
        // `reimbursed` is what the disbursement batch pays (seed 001 三十一 四、拨付).
        json!({ "reimbursed": amount.0, "subsidy": { "name": person.name, "category": category.label(), "kind": rule.map(|r| r.kind.label()), "contribution_fen": paid.0, "amount_fen": amount.0, "payee": "参保人社保卡金融账户", "example": example } }),
    ))
}

fn refuse(errors: Vec<ContributionError>) -> ServiceError {
    ServiceError::from_domain_list(errors)
}

/// One parsed line of the declaration: (line number, ID number, declared monthly wage).
fn parse_lines(text: &str) -> Result<Vec<(usize, CitizenId, Fen)>, Vec<ContributionError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        let mut parts = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|p| !p.is_empty());
        let (Some(id), Some(wage), None) = (parts.next(), parts.next(), parts.next()) else {
            errors.push(ContributionError::new(
                "contribution.base.line",
                format!("第 {n} 行应为“证件号码 月平均工资”"),
                "",
            ));
            continue;
        };
        let id = match id.parse::<CitizenId>() {
            Ok(id) => id,
            Err(e) => {
                errors.push(ContributionError::new(
                    "contribution.base.id_number",
                    format!("第 {n} 行：{}", yibao_domain::Coded::message(&e)),
                    "",
                ));
                continue;
            }
        };
        match wage.parse::<Fen>() {
            Ok(w) if w.is_input() => out.push((n, id, w)),
            _ => errors.push(ContributionError::new(
                "contribution.base.wage",
                format!("第 {n} 行的月平均工资“{wage}”应为不小于零、以元为单位的金额"),
                "",
            )),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(ContributionError::new(
            "contribution.base.empty",
            "申报表中没有职工工资",
            "",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn base_declare(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let form = form_map(case);
    let year: i32 = form
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            ServiceError::invalid("contribution.base.year", "申报年度应为四位年份，例如 2026")
        })?;
    let lines =
        parse_lines(form.get("wage_lines").map(String::as_str).unwrap_or("")).map_err(refuse)?;
    let employer = yibao_store::enrolment::find_employer_by_uscc(conn, &case.applicant_ref)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("contribution.base.employer", "申请单位尚未参保登记")
        })?;
    let region: RegionCode = employer.region_code.parse()?;
    let first_day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let policy = policy_for(&region, first_day).ok_or_else(|| {
        ServiceError::invalid(
            "contribution.no_policy",
            format!("{year} 年度没有参保地适用的缴费政策参数"),
        )
    })?;
    let now = services.clock().now_text();
    let mut errors = Vec::new();
    let mut notice = Vec::new();
    let (mut employer_total, mut person_total) = (Fen::ZERO, Fen::ZERO);
    for (n, id, wage) in &lines {
        let person = yibao_store::enrolment::find_person(conn, id).await?;
        let covered = match &person {
            Some(p) => yibao_store::coverage::list_for_person(conn, p.id)
                .await?
                .iter()
                .any(|c| {
                    c.employer_id == Some(employer.id)
                        && c.category == CoverageCategory::InService
                        && c.status.is_open()
                }),
            None => false,
        };
        let (Some(p), true) = (person, covered) else {
            errors.push(ContributionError::new(
                "contribution.base.not_employee",
                format!("第 {n} 行：{} 不是本单位在职参保职工", id.as_str()),
                "",
            ));
            continue;
        };
        let dues = employee_dues(*wage, policy).map_err(ServiceError::from_domain)?;
        store::put_base(
            conn,
            &NewBase {
                employer_id: employer.id,
                person_id: p.id,
                year,
                declared_fen: wage.0,
                base_fen: dues.base.base.0,
                adjustment: dues.base.adjustment,
                case_number: Some(&case.number),
                now: &now,
            },
        )
        .await?;
        employer_total = employer_total
            .checked_add(dues.employer)
            .map_err(ServiceError::from_domain)?;
        person_total = person_total
            .checked_add(dues.employee)
            .map_err(ServiceError::from_domain)?;
        notice.push(json!({
            "id_number": id.as_str(), "name": p.name,
            "declared_fen": wage.0, "base_fen": dues.base.base.0,
            "adjustment": dues.base.adjustment.key(), "adjustment_label": dues.base.adjustment.label(),
            "employer_fen": dues.employer.0, "employee_fen": dues.employee.0, "total_fen": dues.total.0,
        }));
    }
    if !errors.is_empty() {
        return Err(refuse(errors));
    }
    let jurisdiction = Jurisdiction::from_key(&item.jurisdiction);
    let late = jurisdiction
        .is_some_and(|j| declaration_timing(j, year - 1, today) == DeclarationTiming::Late);
    let example = policy.base.example || policy.employee.example;
    let text = format!(
        "已核定 {} 年度 {} 名职工的缴费基数；每月应缴单位部分 {}、个人部分 {}{}{}",
        year,
        notice.len(),
        employer_total,
        person_total,
        if example { "（含示例参数）" } else { "" },
        if late {
            "；逾期申报（应于每年3月底前申报）"
        } else {
            ""
        },
    );
    Ok(crate::enrolment::outcome(
        "contribution.base_declare",
        text,
        json!({
            "notice": {
                "title": "缴费基数核定通知单",
                "employer": employer.name, "uscc": employer.uscc, "year": year,
                "policy": policy.name, "example": example,
                "floor_fen": policy.base.monthly_floor.0, "ceiling_fen": policy.base.monthly_ceiling.0,
                "lines": notice,
                "monthly_employer_fen": employer_total.0, "monthly_employee_fen": person_total.0,
                "declared_late": late,
                "declared_on": today.to_string(),
            }
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The choice lists of the forms equal what the effects parse.
    #[test]
    fn form_choices_equal_the_domain_labels() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let aid = catalog.form("aid-contribution-subsidy").unwrap();
        let choices = &aid
            .fields
            .iter()
            .find(|f| f.key == "aid_category")
            .unwrap()
            .choices;
        let labels: Vec<&str> = AID_CATEGORIES.iter().map(|c| c.label()).collect();
        assert_eq!(choices, &labels);
        for op in [
            ContributionOp::BaseDeclare,
            ContributionOp::EmployerBackPay,
            ContributionOp::YearsRecognition,
            ContributionOp::PersonalBackPay,
            ContributionOp::AidSubsidy,
        ] {
            assert!(catalog.form(op.form_id().unwrap()).is_some(), "{op:?}");
        }
    }

    #[test]
    fn declaration_lines_are_checked_each_by_number() {
        let ok = parse_lines("11010519491231002X 3000\n\n110105194912310029,4000.50").unwrap_err();
        // The second ID number has a wrong check digit.
        assert_eq!(ok.len(), 1);
        assert!(ok[0].message.contains("第 3 行"), "{:?}", ok);
        let errs = parse_lines("abc\n11010519491231002X -1").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(
            parse_lines("").unwrap_err()[0].code,
            "contribution.base.empty"
        );
        let lines = parse_lines("11010519491231002X 3000").unwrap();
        assert_eq!(lines[0].2, Fen(300_000));
    }
}
