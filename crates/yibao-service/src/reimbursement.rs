//! Manual reimbursement (门诊/住院费用手工报销) through the case engine: the clerk enters the
//! itemised bill from the receipts, the engine's split is shown while the case is reviewed and
//! paid, and completing the case adds it to the person's accumulators (DESIGN §5; issue #8).
//! Care elsewhere without a filing is exactly what comes here: the insured region's unfiled-care
//! rule applies (Chongqing inpatient: deductible +5 % of itself, ratio −5 points; see
//! `UnfiledCareRule::for_insured_region`).

use serde::Deserialize;
use serde_json::{json, Value};
use yibao_domain::benefit::{compute, Accumulators, Bill, CatalogueRef, Explanation};
use yibao_domain::filing::{care_rule, CareRule};
use yibao_domain::reimbursement::{
    check_not_paid, check_payable, BillKey, Exclusion, InstitutionCode, LedgerEntry, ManualGround,
    PaidClaim, PayeeAccount, ReimbursementError,
};
use yibao_domain::staff::StaffRole;
use yibao_domain::{CitizenId, Coded, RegionCode};
use yibao_store::cases::{self as case_store, CaseRow};
use yibao_store::{coverage, settlement as acc_store, Conn, StoreError};

use crate::identity::{forbidden, Actor};
use crate::{audit, benefit_data, filing, ErrorKind, ServiceError, Services};

/// What the clerk enters from the receipts.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct BillEntry {
    /// Where the care took place (the hospital's region).
    pub care_region: String,
    /// The national code of the institution where the care took place (定点医药机构编码, as on
    /// the receipt); with the bill's admission (visit) number it identifies the bill, so that
    /// a bill settled in real time or reimbursed before is not paid again.
    pub institution_code: InstitutionCode,
    #[serde(default)]
    pub emergency: bool,
    /// Why the bill is settled by hand (the guide's 办理条件).
    pub ground: ManualGround,
    /// Where the reimbursement is paid (开户银行, 账号, 户名).
    pub payee: PayeeAccount,
    /// A cost outside the fund's scope declared on the bill (社会保险法第三十条); a case with
    /// one cannot be approved or paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Exclusion>,
    /// With `exclusion` = third party: the third party does not pay or cannot be determined,
    /// so the fund pays first (same article).
    #[serde(default)]
    pub third_party_unpaid: bool,
    /// A chronic/special outpatient bill (特病门诊): the qualified disease it is for (the
    /// qualification's code or name); manual 特病 reimbursement requires the qualification
    /// valid on the bill's date (seed 003 item 26: 「完成特病备案的参保人」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disease: Option<String>,
    pub bill: Bill,
}

impl BillEntry {
    /// The bill's identity: institution and visit (admission) number, the latter required here.
    pub fn key(&self) -> Result<BillKey, ServiceError> {
        BillKey::new(
            self.institution_code.clone(),
            self.bill.admission_id.as_deref(),
        )
        .map_err(ServiceError::from_domain)
    }
}

/// A refusal because the bill is paid already: a conflict with what the ledger holds.
fn paid_already(e: ReimbursementError) -> ServiceError {
    match e {
        ReimbursementError::AlreadySettled { .. }
        | ReimbursementError::AlreadyReimbursed { .. } => ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: e.code(),
            message: e.message(),
            details: None,
        },
        other => ServiceError::from_domain(other),
    }
}

/// Refuses the bill of `case_number` if the settlement ledger shows it settled in real time
/// (not reversed) or another manual reimbursement case has paid it. Runs when the bill is
/// entered, when the case is approved for payment and, inside the paying transaction, when
/// it completes (so a settlement made in between is caught).
pub async fn check_unpaid(
    conn: &mut Conn,
    case_number: &str,
    key: &BillKey,
) -> Result<(), ServiceError> {
    let ledger: Vec<LedgerEntry> = acc_store::for_bill(conn, key.institution.as_str(), &key.visit)
        .await?
        .into_iter()
        .map(|s| LedgerEntry {
            request_id: s.request_id,
            status: s.status,
            at: s.created_at,
        })
        .collect();
    let claims: Vec<PaidClaim> =
        acc_store::reimbursed_bill(conn, key.institution.as_str(), &key.visit)
            .await?
            .into_iter()
            .map(|c| PaidClaim {
                case_number: c.case_number,
            })
            .collect();
    check_not_paid(case_number, &ledger, &claims).map_err(paid_already)
}

/// What approval for payment and payment check on a case's bill: it is not excluded from the
/// fund and not paid already.
pub async fn check_case(conn: &mut Conn, case: &CaseRow) -> Result<(), ServiceError> {
    let entry = entry_of(case)?.ok_or_else(no_bill)?;
    check_payable(entry.exclusion, entry.third_party_unpaid).map_err(ServiceError::from_domain)?;
    check_unpaid(conn, &case.number, &entry.key()?).await
}

fn no_bill() -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: "reimbursement.no_bill",
        message: "尚未录入费用明细，不能办结".into(),
        details: None,
    }
}

/// The bill stored on the case, if entered. A stored entry that no longer reads is an error
/// (never "no bill": that would let the case ask for a new one and pay twice).
fn entry_of(case: &CaseRow) -> Result<Option<BillEntry>, ServiceError> {
    let form = crate::effects::form_map(case);
    form.get("bill_entry")
        .map(|t| {
            serde_json::from_str(t).map_err(|e| crate::effects::corrupt(case, "bill_entry", &e))
        })
        .transpose()
}

/// Stores the bill entry on the case (clerk of the receiving or deciding agency, before the case
/// is completed).
pub async fn enter_bill(
    services: &Services,
    actor: &Actor,
    number: &str,
    entry: &BillEntry,
) -> Result<(), ServiceError> {
    let staff = actor.staff_with(StaffRole::Clerk)?;
    let _: RegionCode = entry.care_region.parse()?;
    let key = entry.key()?;
    let mut entry = entry.clone();
    entry.payee = entry
        .payee
        .normalised()
        .map_err(ServiceError::from_domain_list)?;
    let mut tx = services.store().begin().await?;
    let mut case = crate::cases::load_for(&mut tx, actor, number).await?;
    if !crate::cases::takes_bill(services, &case)? {
        return Err(ServiceError::invalid(
            "reimbursement.not_reimbursement",
            "该事项不是费用报销事项，不能录入费用明细",
        ));
    }
    if staff.agency_id != case.receiving_agency_id && staff.agency_id != case.deciding_agency_id {
        return Err(forbidden("case.not_yours", "您不能办理此办件"));
    }
    if !matches!(
        case.status.as_str(),
        "draft" | "submitted" | "correction" | "accepted"
    ) {
        return Err(ServiceError::invalid(
            "reimbursement.closed",
            "办件当前状态下不能再修改费用明细",
        ));
    }
    check_unpaid(&mut tx, &case.number, &key).await?;
    let mut form = crate::effects::form_map(&case);
    form.insert(
        "bill_entry".into(),
        serde_json::to_string(&entry).unwrap_or_default(),
    );
    // Four eyes: whoever enters the bill may not approve it (`check_approver`).
    form.insert(ENTERED_BY.into(), staff.id.to_string());
    case.form = yibao_store::json_text::JsonText(form);
    case.updated_at = services.clock().now_text();
    case_store::update(&mut tx, &case).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "reimbursement.bill_entry",
        "case",
        &case.number,
        None,
        Some(&json!({
            "lines": entry.bill.lines.len(),
            "institution_code": key.institution.as_str(),
            "admission_id": key.visit,
            "ground": entry.ground.key(),
            "exclusion": entry.exclusion,
            "payee": {"bank": entry.payee.bank, "account": entry.payee.masked()},
        })),
        &format!(
            "办件 {} 录入费用明细 {} 条",
            case.number,
            entry.bill.lines.len()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The split of the case's bill against the accumulators `acc`.
async fn split(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    entry: &BillEntry,
    acc: &Accumulators,
) -> Result<(Explanation, CareRule), ServiceError> {
    let person: CitizenId = case.applicant_ref.parse()?;
    let active = coverage::active_for_id_number(conn, person.as_str())
        .await?
        .ok_or_else(|| {
            ServiceError::invalid(
                "reimbursement.no_coverage",
                "申请人在就医时无有效参保，不能报销",
            )
        })?;
    let scheme = active.category.benefit_scheme();
    let insured: RegionCode = active.region_code.parse()?;
    let care_region: RegionCode = entry.care_region.parse()?;
    let date = entry.bill.date;
    let qualification = if entry.bill.visit == yibao_domain::benefit::VisitType::ChronicOutpatient {
        Some(crate::qualification::for_visit(conn, &person, entry.disease.as_deref(), date).await?)
    } else {
        None
    };
    let data = benefit_data::data(services).await?;
    let policy = data.policy_for(&insured, date).ok_or_else(|| {
        ServiceError::invalid(
            "settlement.no_policy",
            format!(
                "参保地 {} 在 {date} 没有有效的待遇政策参数",
                insured.as_str()
            ),
        )
    })?;
    let f = filing::active_for(conn, &person, &care_region, date).await?;
    let care = care_rule(&insured, &care_region, date, f.as_ref(), entry.emergency);
    let catalogue = match data.catalogue_for(&care_region) {
        Some(c) => CatalogueRef::Indexed(c),
        None => CatalogueRef::None,
    };
    // The care rule's own facts, penalty included: what is computed is what is explained.
    let mut facts = care.person_facts(scheme, None);
    // The disease's own policy rule, where the policy sets one.
    facts.disease = qualification.map(|q| q.disease_code);
    let x =
        compute(policy, catalogue, &facts, acc, &entry.bill).map_err(ServiceError::from_domain)?;
    Ok((x, care))
}

fn initial(year: i64) -> String {
    serde_json::to_string(&Accumulators {
        year: Some(year as i32),
        ..Default::default()
    })
    .unwrap_or_default()
}

fn outcome(x: &Explanation, care: &CareRule, entry: &BillEntry, applied: bool) -> Value {
    // The engine's checked totals: funds = fund + critical illness + aid, the rest the person's.
    let paid = x.funds_total.fen();
    let mut v = serde_json::to_value(x).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("care_rule".into(), json!(care.explanation()));
        m.insert("reimbursed".into(), json!(paid));
        m.insert("applied".into(), json!(applied));
        m.insert(
            "institution_code".into(),
            json!(entry.institution_code.as_str()),
        );
        m.insert(
            "ground".into(),
            json!({
                "key": entry.ground.key(),
                "label": entry.ground.label(),
                "source": entry.ground.source(),
            }),
        );
        m.insert(
            "payee".into(),
            json!({
                "bank": entry.payee.bank,
                "account": entry.payee.masked(),
                "holder": entry.payee.holder,
            }),
        );
        let excluded = match entry.exclusion {
            Some(x) => {
                m.insert(
                    "exclusion".into(),
                    json!({
                        "key": x,
                        "label": x.label(),
                        "source": yibao_domain::reimbursement::EXCLUSION_SOURCE,
                        "third_party_unpaid": entry.third_party_unpaid,
                    }),
                );
                format!("；申报不予支付情形：{}", x.label())
            }
            None => String::new(),
        };
        m.insert(
            "text".into(),
            json!(format!(
                "报销 {}：统筹基金 {}，大病保险 {}，医疗救助 {}；个人负担 {}\
                 （就医机构 {}，就诊流水号 {}）；手工结算原因：{}；收款账户：{} {} {}{excluded}",
                x.funds_total,
                x.fund,
                x.critical_illness,
                x.aid,
                x.person_share,
                entry.institution_code.as_str(),
                entry.bill.admission_id.as_deref().unwrap_or(""),
                entry.ground.label(),
                entry.payee.bank,
                entry.payee.holder,
                entry.payee.masked()
            )),
        );
    }
    v
}

/// The form key holding the staff id of whoever entered the case's bill.
const ENTERED_BY: &str = "bill_entered_by";

/// True when `actor` entered the bill of `case` (four eyes: they may not approve it).
pub fn entered_by(actor: &Actor, case: &CaseRow) -> bool {
    let Actor::Staff(s) = actor else {
        return false;
    };
    case.form
        .get(ENTERED_BY)
        .is_some_and(|id| *id == s.id.to_string())
}

/// Approving a bill for payment (issue #23, money four-eyes): not by whoever entered the bill,
/// and not when the calculation refuses it (e.g. 无有效参保，不能报销) — its reason is the answer.
pub async fn check_approver(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    case: &CaseRow,
) -> Result<(), ServiceError> {
    if entered_by(actor, case) {
        return Err(forbidden(
            "reimbursement.four_eyes",
            "录入费用明细的工作人员不能审批同一笔报销，请由另一名工作人员审核",
        ));
    }
    match preview(conn, services, case).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(no_bill()),
        Err(e) if e.kind() == ErrorKind::Invalid || e.kind() == ErrorKind::Conflict => {
            Err(ServiceError::Rule {
                kind: ErrorKind::Invalid,
                code: "reimbursement.calculation_refused",
                message: format!("报销测算未通过，不能审批拨付：{}", e.message()),
                details: None,
            })
        }
        Err(e) => Err(e),
    }
}

/// The split as it stands (no writes), for the case page while it is reviewed and paid.
pub async fn preview(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
) -> Result<Option<Value>, ServiceError> {
    let Some(entry) = entry_of(case)? else {
        return Ok(None);
    };
    let year = i64::from(chrono::Datelike::year(&entry.bill.date));
    let acc: Accumulators =
        match acc_store::read_accumulator(conn, &case.applicant_ref, year).await? {
            Some(t) => serde_json::from_str(&t)
                .map_err(|e| ServiceError::Store(StoreError::Corrupt(e.to_string())))?,
            None => serde_json::from_str(&initial(year)).map_err(|e| {
                ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                    "initial accumulators: {e}"
                )))
            })?,
        };
    let (x, care) = split(conn, services, case, &entry, &acc).await?;
    Ok(Some(outcome(&x, &care, &entry, false)))
}

/// The effect of completing a reimbursement case: the split is added to the accumulators.
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
) -> Result<Value, ServiceError> {
    let entry = entry_of(case)?.ok_or_else(no_bill)?;
    // Paid once: checked again in the paying transaction, and the bill recorded as paid; the
    // table's key refuses a second case paying it at the same moment.
    let key = entry.key()?;
    check_payable(entry.exclusion, entry.third_party_unpaid).map_err(ServiceError::from_domain)?;
    check_unpaid(conn, &case.number, &key).await?;
    acc_store::insert_reimbursed_bill(
        conn,
        &acc_store::ReimbursedBill {
            institution_code: key.institution.as_str().to_string(),
            admission_id: key.visit.clone(),
            case_number: case.number.clone(),
            person_id_number: case.applicant_ref.clone(),
            created_at: services.clock().now_text(),
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => paid_already(ReimbursementError::AlreadyReimbursed {
            case_number: "（同时办理的另一办件）".into(),
        }),
        e => ServiceError::Store(e),
    })?;
    let year = i64::from(chrono::Datelike::year(&entry.bill.date));
    let now = services.clock().now_text();
    let (state, _) =
        acc_store::lock_accumulator(conn, &case.applicant_ref, year, &initial(year), &now).await?;
    let mut acc: Accumulators = serde_json::from_str(&state)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(e.to_string())))?;
    let (x, care) = split(conn, services, case, &entry, &acc).await?;
    acc.apply(&x.deltas).map_err(ServiceError::from_domain)?;
    acc_store::write_accumulator(
        conn,
        &case.applicant_ref,
        year,
        &serde_json::to_string(&acc).unwrap_or_default(),
        &now,
    )
    .await?;
    Ok(outcome(&x, &care, &entry, true))
}
