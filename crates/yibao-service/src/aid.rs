//! Medical aid (医疗救助) in the application: aid recognitions as registry facts (category,
//! source, from, to; recorded by a clerk from the recognising department's decision), the
//! category settlement uses on a visit date, and manual aid reimbursement (医疗救助对象手工（零星）
//! 报销, seeds 001/003 item 32) through the case engine. Both paths add to the person's yearly
//! `aid_paid` accumulator, under its row lock, so the annual cap is one total.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yibao_domain::aid::{self, category_on, manual_aid, parse_yuan, AidStatus, ManualAid};
use yibao_domain::benefit::{Accumulators, AidCategory, VisitType};
use yibao_domain::catalog::Item;
use yibao_domain::reimbursement::PayeeAccount;
use yibao_domain::staff::StaffRole;
use yibao_domain::{CitizenId, Fen, RegionCode};
use yibao_store::cases::CaseRow;
use yibao_store::qualification::{self as store, AidClaimRow, AidStatusRow};
use yibao_store::{settlement as acc_store, Conn, StoreError};

use crate::identity::Actor;
use crate::{audit, benefit_data, ErrorKind, ServiceError, Services};

fn date_of(text: &str, what: &str) -> Result<NaiveDate, ServiceError> {
    text.parse()
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("{what} {text}: {e}"))))
}

fn status_of(r: &AidStatusRow) -> Result<AidStatus, ServiceError> {
    Ok(AidStatus {
        category: r.category,
        source: r.source.clone(),
        valid_from: date_of(&r.valid_from, "aid_status.valid_from")?,
        valid_to: date_of(&r.valid_to, "aid_status.valid_to")?,
    })
}

/// Every aid recognition of the person.
pub async fn statuses_for(
    conn: &mut Conn,
    person: &CitizenId,
) -> Result<Vec<AidStatus>, ServiceError> {
    store::aid_statuses(conn, person.as_str())
        .await?
        .iter()
        .map(status_of)
        .collect()
}

/// The category real-time settlement applies on `date`: none when the person holds no
/// recognition in force then (an expired one gives no aid).
pub async fn category_for(
    conn: &mut Conn,
    person: &CitizenId,
    date: NaiveDate,
) -> Result<Option<AidCategory>, ServiceError> {
    let statuses = statuses_for(conn, person).await?;
    Ok(category_on(&statuses, date).ok().map(|s| s.category))
}

/// A recognition as a clerk enters it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AidStatusInput {
    /// 救助类别: 特困 / 低保 / 返贫致贫 / 低保边缘 / 易返贫致贫 / 因病致贫 (or the key)
    pub category: String,
    /// 认定部门及依据
    pub source: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// Records a recognition (clerk of an agency serving the person's region).
pub async fn record_status(
    services: &Services,
    actor: &Actor,
    person_id: i64,
    input: &AidStatusInput,
) -> Result<AidStatus, ServiceError> {
    let staff = actor.staff_with(StaffRole::Clerk)?;
    let category = AidCategory::parse(&input.category).ok_or_else(|| {
        ServiceError::invalid(
            "aid.category_unknown",
            "救助类别应为：特困、低保、返贫致贫、低保边缘、易返贫致贫、因病致贫",
        )
    })?;
    let status = AidStatus {
        category,
        source: input.source.trim().to_string(),
        valid_from: input.valid_from,
        valid_to: input.valid_to,
    };
    aid::check_status(&status).map_err(ServiceError::from_domain)?;
    let mut tx = services.store().begin().await?;
    let p = yibao_store::enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    crate::records::may_see_person(actor, &p)?;
    let person: CitizenId = p.id_number.parse()?;
    let now = services.clock().now_text();
    let id = store::insert_aid_status(
        &mut tx,
        &AidStatusRow {
            id: 0,
            person_id_number: person.as_str().to_string(),
            category,
            source: status.source.clone(),
            valid_from: status.valid_from.to_string(),
            valid_to: status.valid_to.to_string(),
            recorded_by: staff.id.to_string(),
            created_at: now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "aid.status_record",
        "aid_status",
        &id.to_string(),
        None,
        Some(&json!({
            "category": category.key(),
            "source": status.source,
            "valid_from": status.valid_from,
            "valid_to": status.valid_to,
        })),
        &format!(
            "登记医疗救助身份 {}（{} 至 {}）",
            category.label(),
            status.valid_from,
            status.valid_to
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(status)
}

/// The manual aid form (`aid-reimbursement`), read.
struct Claim {
    institution_code: String,
    admission_id: String,
    visit_date: NaiveDate,
    visit: VisitType,
    base: Fen,
    payee: PayeeAccount,
}

fn claim_of(case: &CaseRow) -> Result<Claim, ServiceError> {
    let form = crate::effects::form_map(case);
    let mut missing = Vec::new();
    let mut get = |key: &'static str, label: &'static str| {
        let v = form
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        if v.is_empty() {
            missing.push(label);
        }
        v
    };
    let institution_code = get("institution_code", "就医机构编码");
    let admission_id = get("admission_id", "就诊（住院）流水号");
    let visit_date = get("visit_date", "就诊（出院）日期");
    let visit = get("visit_type", "医疗类别");
    let base = get(
        "self_pay",
        "基本医保、大病保险报销后政策范围内个人自付（元）",
    );
    let bank = get("bank", "收款开户银行");
    let account = get("bank_account", "收款账号");
    let holder = get("account_holder", "收款户名");
    if !missing.is_empty() {
        return Err(ServiceError::invalid(
            "aid.form_missing",
            format!("请填写：{}", missing.join("、")),
        ));
    }
    let visit = match visit.as_str() {
        "住院" | "inpatient" | "21" => VisitType::Inpatient,
        "门诊慢特病" | "chronic_outpatient" | "14" => VisitType::ChronicOutpatient,
        _ => {
            return Err(ServiceError::invalid(
                "aid.visit_type",
                "医疗类别应为“住院”或“门诊慢特病”",
            ))
        }
    };
    Ok(Claim {
        institution_code,
        admission_id,
        visit_date: visit_date.parse().map_err(|_| {
            ServiceError::invalid("aid.visit_date", "就诊（出院）日期应为 YYYY-MM-DD")
        })?,
        visit,
        base: parse_yuan(&base).ok_or_else(|| {
            ServiceError::invalid(
                "aid.amount_invalid",
                "政策范围内个人自付应为不小于零的金额（元，最多两位小数）",
            )
        })?,
        payee: PayeeAccount {
            bank,
            account,
            holder,
        }
        .normalised()
        .map_err(ServiceError::from_domain_list)?,
    })
}

/// The calculation of a manual aid case against the accumulators `acc`, with every refusal:
/// no recognition in force on the visit date, the bill aided already (by hand or in real
/// time), no rule, the cap reached.
async fn calculate(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    claim: &Claim,
    acc: &Accumulators,
) -> Result<ManualAid, ServiceError> {
    let person: CitizenId = case.applicant_ref.parse()?;
    let statuses = statuses_for(conn, &person).await?;
    let status = category_on(&statuses, claim.visit_date).map_err(ServiceError::from_domain)?;
    if let Some(c) =
        store::aid_claim_for_bill(conn, &claim.institution_code, &claim.admission_id).await?
    {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "aid.already_claimed",
            message: format!(
                "该笔费用已由办件 {} 支付医疗救助，不能重复报销",
                c.case_number
            ),
            details: None,
        });
    }
    for d in store::standing_settlement_deltas(conn, &claim.institution_code, &claim.admission_id)
        .await?
    {
        let deltas: Value = serde_json::from_str(&d)
            .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("deltas: {e}"))))?;
        let paid = Fen(deltas.get("aid").and_then(Value::as_i64).unwrap_or(0));
        if paid.0 > 0 {
            return Err(ServiceError::Rule {
                kind: ErrorKind::Conflict,
                code: "aid.settled_in_real_time",
                message: format!("该笔费用已在联网结算时支付医疗救助 {paid}，不能再手工报销"),
                details: None,
            });
        }
    }
    let insured: RegionCode = crate::effects::case_region(case)?;
    let data = benefit_data::data(services).await?;
    let policy = data.policy_for(&insured, claim.visit_date).ok_or_else(|| {
        ServiceError::invalid(
            "settlement.no_policy",
            format!(
                "参保地 {} 在 {} 没有有效的待遇政策参数",
                insured.as_str(),
                claim.visit_date
            ),
        )
    })?;
    manual_aid(
        policy,
        status.category,
        claim.visit,
        claim.base,
        acc.aid_paid,
    )
    .map_err(ServiceError::from_domain)
}

fn initial(year: i64) -> String {
    serde_json::to_string(&Accumulators {
        year: Some(year as i32),
        ..Default::default()
    })
    .unwrap_or_default()
}

fn decode(text: &str) -> Result<Accumulators, ServiceError> {
    serde_json::from_str(text)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("accumulator: {e}"))))
}

/// Checked when the case is approved for payment: the calculation must go through.
pub async fn check_before_payment(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
) -> Result<(), ServiceError> {
    let claim = claim_of(case)?;
    let year = i64::from(claim.visit_date.year());
    let acc = match acc_store::read_accumulator(conn, &case.applicant_ref, year).await? {
        Some(t) => decode(&t)?,
        None => decode(&initial(year))?,
    };
    calculate(conn, services, case, &claim, &acc)
        .await
        .map(|_| ())
}

/// The effect of a completed manual aid case (after finance's disbursement): the aid is
/// computed under the person's accumulator lock, added to the year's aid total and recorded
/// against the bill.
pub async fn reimburse(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    _item: &Item,
) -> Result<Value, ServiceError> {
    let claim = claim_of(case)?;
    let year = i64::from(claim.visit_date.year());
    let now = services.clock().now_text();
    let (state, _) =
        acc_store::lock_accumulator(conn, &case.applicant_ref, year, &initial(year), &now).await?;
    let mut acc = decode(&state)?;
    let a = calculate(conn, services, case, &claim, &acc).await?;
    acc.aid_paid = acc
        .aid_paid
        .checked_add(a.paid)
        .map_err(ServiceError::from_domain)?;
    acc_store::write_accumulator(
        conn,
        &case.applicant_ref,
        year,
        &serde_json::to_string(&acc).unwrap_or_default(),
        &now,
    )
    .await?;
    store::insert_aid_claim(
        conn,
        &AidClaimRow {
            id: 0,
            institution_code: claim.institution_code.clone(),
            admission_id: claim.admission_id.clone(),
            case_number: case.number.clone(),
            person_id_number: case.applicant_ref.clone(),
            year,
            category: a.category.key().to_string(),
            amount_fen: a.paid.0,
            created_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "aid.already_claimed",
            message: "该笔费用已由另一办件支付医疗救助，不能重复报销".into(),
            details: None,
        },
        e => ServiceError::Store(e),
    })?;
    let masked = claim.payee.masked();
    Ok(json!({
        "effect": "aid_reimbursement",
        "category": a.category.key(),
        "category_label": a.category.label(),
        "ratio_bp": a.ratio_bp,
        "base": a.base,
        "annual_cap": a.annual_cap,
        "paid_before": a.paid_before,
        "aid": a.paid,
        "reimbursed": a.paid.0,
        "year_total": acc.aid_paid,
        "example": a.example,
        "institution_code": claim.institution_code,
        "admission_id": claim.admission_id,
        "payee": {"bank": claim.payee.bank, "account": masked, "holder": claim.payee.holder},
        "text": format!("医疗救助 {}；本年度累计 {}；收款账户：{} {} {}", a.text, acc.aid_paid, claim.payee.bank, claim.payee.holder, masked),
    }))
}

/// A recognition as the person and staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct AidStatusView {
    /// 类别代码
    pub category: String,
    /// 类别名称
    pub category_label: String,
    /// 认定部门及依据
    pub source: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// 有效 / 已到期 / 尚未生效（按今天）
    pub standing: String,
}

impl AidStatusView {
    pub fn of(s: &AidStatus, today: NaiveDate) -> AidStatusView {
        let standing = if today < s.valid_from {
            "尚未生效"
        } else if today > s.valid_to {
            "已到期"
        } else {
            "有效"
        };
        AidStatusView {
            category: s.category.key().to_string(),
            category_label: s.category.label().to_string(),
            source: s.source.clone(),
            valid_from: s.valid_from,
            valid_to: s.valid_to,
            standing: standing.to_string(),
        }
    }
}

/// A person's qualifications and aid recognitions, and the year's aid paid (both paths).
#[derive(Debug, Clone, Serialize)]
pub struct PersonQualifications {
    pub qualifications: Vec<crate::qualification::QualificationView>,
    pub aid_statuses: Vec<AidStatusView>,
    /// 年度
    pub year: i64,
    /// 本年度医疗救助已支付合计（联网结算与手工报销，分）
    pub aid_paid_fen: i64,
    /// 其中手工（零星）报销（分）
    pub aid_manual_fen: i64,
}

/// What the person (own) and staff serving the person's region see.
pub async fn person_view(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<PersonQualifications, ServiceError> {
    actor.require_login()?;
    let today = services.clock().today();
    let year = i64::from(today.year());
    let mut tx = services.store().begin_read().await?;
    let p = yibao_store::enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    crate::records::may_see_person(actor, &p)?;
    let person: CitizenId = p.id_number.parse()?;
    let qualifications = crate::qualification::records_for(&mut tx, &person)
        .await?
        .iter()
        .map(|q| crate::qualification::QualificationView::of(q, today))
        .collect();
    let aid_statuses = statuses_for(&mut tx, &person)
        .await?
        .iter()
        .map(|s| AidStatusView::of(s, today))
        .collect();
    let aid_paid_fen = match acc_store::read_accumulator(&mut tx, person.as_str(), year).await? {
        Some(t) => decode(&t)?.aid_paid.0,
        None => 0,
    };
    let aid_manual_fen = store::aid_claimed_in_year(&mut tx, person.as_str(), year).await?;
    Ok(PersonQualifications {
        qualifications,
        aid_statuses,
        year,
        aid_paid_fen,
        aid_manual_fen,
    })
}

#[cfg(test)]
mod tests {
    /// The form's visit types are the ones `claim_of` reads.
    #[test]
    fn form_visit_types_are_read() {
        let catalog = crate::catalog::embedded().expect("catalog");
        let form = catalog.form("aid-reimbursement").expect("form");
        let choices = form
            .fields
            .iter()
            .find(|f| f.key == "visit_type")
            .map(|f| f.choices.clone())
            .unwrap_or_default();
        assert_eq!(choices, ["住院", "门诊慢特病"]);
    }
}
