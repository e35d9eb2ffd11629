//! Maternity insurance (生育保险): prenatal care (产前检查费), delivery costs (生育医疗费),
//! family-planning costs (计划生育医疗费), the maternity allowance (生育津贴) and its
//! recalculation (生育津贴复算). Pure rules over the policy data (`policy`), the person's
//! contribution months and the employer's wages of the previous year; no I/O.
//!
//! Sources (docs/maternity.md): seed 003 items 28–31 (重庆市), seed 004 items 28–31 (南川, legal
//! basis 《重庆市职工生育保险暂行办法》令181 art. 13 and 19), seed 001 items 27–30 (四川), seed
//! 002 items 17–19 (酉阳), POLICY-FACTS §5.

pub mod networked;
pub mod policy;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::calendar::HolidayCalendar;
use crate::codes::coded;
use crate::error::Coded;
use crate::ids::Sex;
use crate::{CitizenId, Fen};
pub use policy::{maternity_policy_for, MaternityPolicy};

coded! {
    /// What a maternity case pays (one per service).
    BenefitKind {
        PrenatalCare = ("prenatal_care", "产前检查费"),
        DeliveryCosts = ("delivery_costs", "生育医疗费"),
        FamilyPlanningCosts = ("family_planning_costs", "计划生育医疗费"),
        Allowance = ("allowance", "生育津贴"),
        AllowanceRecalculation = ("allowance_recalculation", "生育津贴复算"),
    }
}

coded! {
    /// The event a claim is for.
    EventKind {
        Birth = ("birth", "分娩"),
        Miscarriage = ("miscarriage", "流产（引产）"),
        FamilyPlanning = ("family_planning", "计划生育手术"),
    }
}

coded! {
    /// How the baby was delivered (生产方式).
    DeliveryMode {
        Normal = ("normal", "顺产"),
        Difficult = ("difficult", "难产"),
        Caesarean = ("caesarean", "剖宫产"),
    }
}

coded! {
    /// The hospital's level (医院等级), which sets the limits.
    HospitalLevel {
        Level1 = ("level_1", "一级"),
        Level2 = ("level_2", "二级"),
        Level3 = ("level_3", "三级"),
    }
}

coded! {
    /// Whose event it is: the insured person, or the insured employee's unemployed spouse
    /// (社会保险法 art. 54 「职工未就业配偶按照国家规定享受生育医疗费用待遇」, quoted in seed 004).
    Beneficiary {
        Insured = ("insured", "参保人本人"),
        Spouse = ("spouse", "参保职工的未就业配偶"),
    }
}

coded! {
    /// Who receives a payment.
    Payee {
        Person = ("person", "参保人个人银行账户"),
        Employer = ("employer", "参保单位银行账户"),
    }
}

coded! {
    /// Family-planning operations (计划生育手术) the policy prices.
    FamilyPlanningOp {
        IudInsertion = ("iud_insertion", "放置宫内节育器"),
        IudRemoval = ("iud_removal", "取出宫内节育器"),
        TubalLigation = ("tubal_ligation", "输卵管结扎术"),
        Vasectomy = ("vasectomy", "输精管结扎术"),
    }
}

impl HospitalLevel {
    pub fn index(self) -> usize {
        match self {
            HospitalLevel::Level1 => 0,
            HospitalLevel::Level2 => 1,
            HospitalLevel::Level3 => 2,
        }
    }
}

macro_rules! labels_and_parse {
    ($($t:ident),*) => {$(
        impl $t {
            /// The labels, in order (the form's choice list).
            pub fn labels() -> Vec<String> {
                $t::ALL.iter().map(|v| v.label().to_string()).collect()
            }

            /// A label or a key.
            pub fn parse(text: &str) -> Option<$t> {
                let t = text.trim();
                $t::ALL.iter().copied().find(|v| v.label() == t || v.key() == t)
            }
        }
    )*};
}
labels_and_parse!(
    EventKind,
    DeliveryMode,
    HospitalLevel,
    Beneficiary,
    FamilyPlanningOp
);

impl FamilyPlanningOp {
    /// The sex the operation is for.
    pub fn sex(self) -> Sex {
        match self {
            FamilyPlanningOp::Vasectomy => Sex::Male,
            _ => Sex::Female,
        }
    }
}

/// The event of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Birth { mode: DeliveryMode, babies: u32 },
    Miscarriage { weeks: u32 },
    FamilyPlanning { operation: FamilyPlanningOp },
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Birth { .. } => EventKind::Birth,
            Event::Miscarriage { .. } => EventKind::Miscarriage,
            Event::FamilyPlanning { .. } => EventKind::FamilyPlanning,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Event::Birth { mode, babies } if *babies > 1 => {
                format!("分娩（{}，{}胞胎）", mode.label(), babies)
            }
            Event::Birth { mode, .. } => format!("分娩（{}）", mode.label()),
            Event::Miscarriage { weeks } => format!("流产（引产），孕{weeks}周"),
            Event::FamilyPlanning { operation } => format!("计划生育手术（{}）", operation.label()),
        }
    }
}

/// A bank account given on the form (the person's payee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub bank: String,
    pub account: String,
    pub holder: String,
}

impl BankAccount {
    /// The account number with all but the last four digits hidden.
    pub fn masked(&self) -> String {
        let digits: Vec<char> = self
            .account
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let tail: String = digits.iter().skip(digits.len().saturating_sub(4)).collect();
        format!("{} {} 尾号{}", self.bank, self.holder, tail)
    }
}

/// A claim as the form gives it (`data/forms/maternity-claim.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The insured person named on the form (an employer's application names its employee).
    pub insured: Option<CitizenId>,
    pub beneficiary: Beneficiary,
    pub spouse: Option<CitizenId>,
    pub event: Event,
    pub event_date: NaiveDate,
    pub level: Option<HospitalLevel>,
    /// The costs on the hospital's receipts (medical benefits).
    pub costs: Option<Fen>,
    pub bank: Option<BankAccount>,
}

/// The form's field keys, in the form's order (a test checks the form file).
pub const CLAIM_FORM_FIELDS: [&str; 15] = [
    "id_number",
    "beneficiary",
    "spouse_id_number",
    "spouse_name",
    "event",
    "event_date",
    "delivery_mode",
    "babies",
    "weeks",
    "operation",
    "hospital_level",
    "costs",
    "bank",
    "bank_account",
    "account_holder",
];

fn label_of(key: &str) -> &'static str {
    match key {
        "id_number" => "参保人身份证号码",
        "beneficiary" => "待遇享受人",
        "spouse_id_number" => "配偶身份证号码",
        "event" => "生育类别",
        "event_date" => "生产（手术）日期",
        "delivery_mode" => "生产方式",
        "babies" => "婴儿个数",
        "weeks" => "孕周",
        "operation" => "计划生育手术项目",
        "hospital_level" => "医院等级",
        "costs" => "医疗费用合计（元）",
        "bank" => "开户银行",
        "bank_account" => "银行账号",
        "account_holder" => "户名",
        _ => "申请信息",
    }
}

impl Claim {
    /// Reads the form: every problem at once.
    pub fn parse(form: &BTreeMap<String, String>) -> Result<Claim, Vec<MaternityError>> {
        let mut errors = Vec::new();
        let field = |k: &str| form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let missing = |k: &'static str| MaternityError::FieldMissing {
            key: k,
            label: label_of(k),
        };
        let invalid = |k: &'static str, v: &str| MaternityError::FieldInvalid {
            key: k,
            label: label_of(k),
            value: v.chars().take(40).collect(),
        };
        let mut choice = |k: &'static str, parse: &dyn Fn(&str) -> bool| match field(k) {
            Some(v) if parse(v) => Some(v.to_string()),
            Some(v) => {
                errors.push(invalid(k, v));
                None
            }
            None => None,
        };
        let beneficiary = choice("beneficiary", &|v| Beneficiary::parse(v).is_some())
            .and_then(|v| Beneficiary::parse(&v))
            .unwrap_or(Beneficiary::Insured);
        let event_kind =
            choice("event", &|v| EventKind::parse(v).is_some()).and_then(|v| EventKind::parse(&v));
        let mode = choice("delivery_mode", &|v| DeliveryMode::parse(v).is_some())
            .and_then(|v| DeliveryMode::parse(&v));
        let operation = choice("operation", &|v| FamilyPlanningOp::parse(v).is_some())
            .and_then(|v| FamilyPlanningOp::parse(&v));
        let level = choice("hospital_level", &|v| HospitalLevel::parse(v).is_some())
            .and_then(|v| HospitalLevel::parse(&v));
        let number = |k: &'static str, max: u32, errors: &mut Vec<MaternityError>| {
            field(k).and_then(|v| match v.parse::<u32>() {
                Ok(n) if n >= 1 && n <= max => Some(n),
                _ => {
                    errors.push(invalid(k, v));
                    None
                }
            })
        };
        let babies = number("babies", 9, &mut errors);
        let weeks = number("weeks", 45, &mut errors);
        let id = |k: &'static str, errors: &mut Vec<MaternityError>| {
            field(k).and_then(|v| match v.parse::<CitizenId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(invalid(k, v));
                    None
                }
            })
        };
        let insured = id("id_number", &mut errors);
        let spouse = id("spouse_id_number", &mut errors);
        if beneficiary == Beneficiary::Spouse
            && spouse.is_none()
            && field("spouse_id_number").is_none()
        {
            errors.push(missing("spouse_id_number"));
        }
        let event_date = match field("event_date") {
            Some(v) => match v.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(invalid("event_date", v));
                    None
                }
            },
            None => {
                errors.push(missing("event_date"));
                None
            }
        };
        let costs = field("costs").and_then(|v| match v.parse::<Fen>() {
            Ok(f) if f.0 >= 0 && f <= crate::money::MAX_INPUT => Some(f),
            _ => {
                errors.push(invalid("costs", v));
                None
            }
        });
        let event = match event_kind {
            Some(EventKind::Birth) => match mode {
                Some(mode) => Some(Event::Birth {
                    mode,
                    babies: babies.unwrap_or(1),
                }),
                None => {
                    if field("delivery_mode").is_none() {
                        errors.push(missing("delivery_mode"));
                    }
                    None
                }
            },
            Some(EventKind::Miscarriage) => match weeks {
                Some(weeks) => Some(Event::Miscarriage { weeks }),
                None => {
                    if field("weeks").is_none() {
                        errors.push(missing("weeks"));
                    }
                    None
                }
            },
            Some(EventKind::FamilyPlanning) => match operation {
                Some(operation) => Some(Event::FamilyPlanning { operation }),
                None => {
                    if field("operation").is_none() {
                        errors.push(missing("operation"));
                    }
                    None
                }
            },
            None => {
                if field("event").is_none() {
                    errors.push(missing("event"));
                }
                None
            }
        };
        let bank = match (
            field("bank"),
            field("bank_account"),
            field("account_holder"),
        ) {
            (Some(b), Some(a), Some(h)) => {
                let digits: String = a.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() < 8
                    || digits.len() > 30
                    || !digits.chars().all(|c| c.is_ascii_digit())
                {
                    errors.push(invalid("bank_account", a));
                    None
                } else {
                    Some(BankAccount {
                        bank: b.to_string(),
                        account: digits,
                        holder: h.to_string(),
                    })
                }
            }
            _ => None,
        };
        match (event, event_date) {
            (Some(event), Some(event_date)) if errors.is_empty() => Ok(Claim {
                insured,
                beneficiary,
                spouse,
                event,
                event_date,
                level,
                costs,
                bank,
            }),
            _ => Err(errors),
        }
    }
}

/// The benefit a claim is for: the service's, except that an item covering both medical
/// benefits (seed 002 item 17 「生育医疗费和计划生育医疗费的手工报销」) pays a family-planning
/// operation as family-planning costs.
pub fn benefit_of(
    service_benefit: BenefitKind,
    event: &Event,
    item_covers_family_planning: bool,
) -> Result<BenefitKind, MaternityError> {
    use BenefitKind as B;
    let fp = matches!(event, Event::FamilyPlanning { .. });
    match service_benefit {
        B::FamilyPlanningCosts if fp => Ok(B::FamilyPlanningCosts),
        B::DeliveryCosts if fp && item_covers_family_planning => Ok(B::FamilyPlanningCosts),
        B::FamilyPlanningCosts => Err(MaternityError::EventNotOfBenefit {
            benefit: service_benefit,
            event: event.kind(),
        }),
        _ if fp => Err(MaternityError::EventNotOfBenefit {
            benefit: service_benefit,
            event: event.kind(),
        }),
        b => Ok(b),
    }
}

/// Who may receive the benefit and of which sex the person of the event must be: births and
/// miscarriages are a woman's (「参加生育保险的女职工」, seed 003 items 28/29/31), or the
/// insured employee's unemployed wife for the medical costs only (社会保险法 art. 54: 「生育医疗
/// 费用待遇」, not the allowance); a family-planning operation is the insured employee's own
/// (「参加生育保险的职工」, seed 003 item 30), of the sex the operation is for.
pub fn check_person(
    benefit: BenefitKind,
    claim: &Claim,
    insured: &CitizenId,
) -> Result<(), MaternityError> {
    let spouse = claim.beneficiary == Beneficiary::Spouse;
    if spouse {
        if !matches!(
            benefit,
            BenefitKind::PrenatalCare | BenefitKind::DeliveryCosts
        ) {
            return Err(MaternityError::SpouseNotEntitled { benefit });
        }
        let Some(s) = &claim.spouse else {
            return Err(MaternityError::FieldMissing {
                key: "spouse_id_number",
                label: label_of("spouse_id_number"),
            });
        };
        if s == insured {
            return Err(MaternityError::SpouseIsInsured);
        }
    }
    let person = if spouse {
        claim.spouse.as_ref().unwrap_or(insured)
    } else {
        insured
    };
    let required = match claim.event {
        Event::FamilyPlanning { operation } => operation.sex(),
        _ => Sex::Female,
    };
    if person.sex() != required {
        return Err(MaternityError::Sex {
            required,
            event: claim.event.kind(),
        });
    }
    Ok(())
}

/// One month of the person's contribution ledger (employee lines): whether it was paid in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerMonth {
    pub year: i32,
    pub month: u32,
    pub full: bool,
}

fn month_index(year: i32, month: u32) -> i64 {
    i64::from(year) * 12 + i64::from(month) - 1
}

/// The eligibility of an event in `event_date`'s month: the `continuous_months` months right
/// before it each have a contribution line paid in full (seed 003 items 28–31 「参保单位女职工由
/// 参保单位为其足额连续缴满6个月生育保险费的次月起按照规定享受生育保险待遇」). Returns the
/// number of continuous full months counted back from the month before the event.
///
/// Refusals cite the rule: too few months (a month short is refused); arrears within
/// `arrears_back_pay_months` are paid once made up with the late fee (「欠费在6个月以内的，
/// 足额补缴所欠金额及滞纳金后，按规定补发待遇」); longer arrears: the employer pays the
/// benefit of the arrears period (令181 art. 13, seed 004 items 28–31 legal basis).
pub fn eligibility(
    rule: &policy::EligibilityRule,
    event_date: NaiveDate,
    months: &[LedgerMonth],
) -> Result<u32, MaternityError> {
    let event = month_index(event_date.year(), event_date.month());
    let by_month: BTreeMap<i64, bool> = months
        .iter()
        .map(|m| (month_index(m.year, m.month), m.full))
        .collect();
    // Arrears: unpaid lines before the event month, counted back without a break from the
    // latest unpaid one.
    let unpaid: Vec<i64> = by_month
        .range(..event)
        .filter(|(_, full)| !**full)
        .map(|(m, _)| *m)
        .collect();
    let mut continuous = 0u32;
    let mut m = event - 1;
    while by_month.get(&m) == Some(&true) {
        continuous += 1;
        m -= 1;
    }
    let need = rule.continuous_months;
    if continuous >= need {
        return Ok(continuous);
    }
    // An unpaid month inside the window is arrears, not a short insurance period.
    let window_start = event - i64::from(need);
    let arrears_in_window = unpaid.iter().any(|m| *m >= window_start);
    if arrears_in_window {
        let months = unpaid.len() as u32;
        if months <= rule.arrears_back_pay_months || !rule.employer_pays_beyond {
            return Err(MaternityError::Arrears {
                months,
                limit: rule.arrears_back_pay_months,
                rule: rule.source.clone(),
            });
        }
        return Err(MaternityError::ArrearsEmployerPays {
            months,
            limit: rule.arrears_back_pay_months,
            rule: rule.source.clone(),
        });
    }
    Err(MaternityError::ContributionShort {
        have: continuous,
        need,
        rule: rule.source.clone(),
    })
}

/// The last day a claim of `benefit` for an event on `event_date` is accepted, or `None` when
/// the policy states no window for it. The window counts calendar days from the day after the
/// event (民法典 art. 201: 「开始的当日不计入」); a window whose last day is not a working day
/// ends on the next working day when the policy says so (民法典 art. 203: 「期间的最后一日是
/// 法定休假日的，以法定休假日结束的次日为期间的最后一日」).
pub fn claim_deadline(
    policy: &MaternityPolicy,
    benefit: BenefitKind,
    event_date: NaiveDate,
    calendar: &HolidayCalendar,
) -> Option<NaiveDate> {
    let w = &policy.claim_window;
    let days = w.days?;
    if !w.benefits.contains(&benefit) {
        return None;
    }
    let last = event_date.checked_add_days(chrono::Days::new(u64::from(days)))?;
    Some(if w.extend_to_working_day {
        calendar.working_day_on_or_after(last)
    } else {
        last
    })
}

/// Checks the claim date against the event and the window.
pub fn check_claim_date(
    policy: &MaternityPolicy,
    benefit: BenefitKind,
    event_date: NaiveDate,
    claimed_on: NaiveDate,
    calendar: &HolidayCalendar,
) -> Result<(), MaternityError> {
    if event_date > claimed_on {
        return Err(MaternityError::EventInFuture { event_date });
    }
    if let Some(last) = claim_deadline(policy, benefit, event_date, calendar) {
        if claimed_on > last {
            return Err(MaternityError::WindowClosed {
                event_date,
                last_day: last,
                claimed_on,
                rule: policy.claim_window.source.clone(),
            });
        }
    }
    Ok(())
}

/// The limit of a medical benefit for the event at the hospital's level.
pub fn medical_limit(
    policy: &MaternityPolicy,
    benefit: BenefitKind,
    event: &Event,
    level: HospitalLevel,
) -> Result<Fen, MaternityError> {
    let m = &policy.medical;
    let at = |l: &policy::Limits| MaternityPolicy::limit(l, level);
    Ok(match (benefit, event) {
        (BenefitKind::PrenatalCare, _) => at(&m.prenatal_care),
        (BenefitKind::DeliveryCosts, Event::Birth { mode, babies }) => {
            let base = match mode {
                DeliveryMode::Normal => at(&m.delivery.normal),
                DeliveryMode::Difficult => at(&m.delivery.difficult),
                DeliveryMode::Caesarean => at(&m.delivery.caesarean),
            };
            let extra = i64::from(babies.saturating_sub(1)) * at(&m.delivery.per_extra_baby).0;
            Fen(base.0 + extra)
        }
        (BenefitKind::DeliveryCosts, Event::Miscarriage { weeks }) => policy
            .miscarriage_band(*weeks)
            .map(|b| at(&b.limits))
            .ok_or_else(|| MaternityError::Policy(format!("没有孕{weeks}周的流产（引产）标准")))?,
        (BenefitKind::FamilyPlanningCosts, Event::FamilyPlanning { operation }) => policy
            .operation(*operation)
            .map(|o| at(&o.limits))
            .ok_or_else(|| {
                MaternityError::Policy(format!("没有“{}”的支付标准", operation.label()))
            })?,
        (b, e) => {
            return Err(MaternityError::EventNotOfBenefit {
                benefit: b,
                event: e.kind(),
            })
        }
    })
}

/// What the fund pays of the costs: the costs up to the limit (限额内据实支付).
pub fn medical_payment(limit: Fen, costs: Fen) -> Fen {
    Fen(costs.0.clamp(0, limit.0.max(0)))
}

/// The leave days the allowance pays for the event: base days, plus the complication days
/// once for a difficult birth or a caesarean, plus the days per extra baby; a miscarriage its
/// band's days. A family-planning operation pays no allowance here.
pub fn leave_days(policy: &MaternityPolicy, event: &Event) -> Result<u32, MaternityError> {
    let l = &policy.leave;
    match event {
        Event::Birth { mode, babies } => {
            let complication = if matches!(mode, DeliveryMode::Difficult | DeliveryMode::Caesarean)
            {
                l.complication_days
            } else {
                0
            };
            Ok(l.base_days + complication + babies.saturating_sub(1) * l.per_extra_baby_days)
        }
        Event::Miscarriage { weeks } => policy
            .miscarriage_band(*weeks)
            .map(|b| b.leave_days)
            .ok_or_else(|| MaternityError::Policy(format!("没有孕{weeks}周的流产假标准"))),
        Event::FamilyPlanning { .. } => Err(MaternityError::EventNotOfBenefit {
            benefit: BenefitKind::Allowance,
            event: EventKind::FamilyPlanning,
        }),
    }
}

/// The employer's wages of a year as the ledger has them: the sum of the monthly bases of its
/// employees' lines, and the number of lines (person-months).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmployerWages {
    pub year: i32,
    pub base_sum: i64,
    pub lines: i64,
}

impl EmployerWages {
    /// The average monthly contribution wage (月平均缴费工资), rounded half up to the fen (shown
    /// only; the allowance is computed from the exact quotient).
    pub fn average(&self) -> Fen {
        Fen(div_half_up(
            i128::from(self.base_sum),
            i128::from(self.lines.max(1)),
        ))
    }
}

fn div_half_up(num: i128, den: i128) -> i64 {
    if den <= 0 {
        return 0;
    }
    let q = (2 * num + den) / (2 * den);
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// 生育津贴 = 单位上年度职工月平均缴费工资 ÷ `divisor_days` × leave days (POLICY-FACTS §5;
/// 国务院令第619号 art. 8). Computed exactly as base_sum × days ÷ (lines × divisor) and rounded
/// once, half up, to the fen.
pub fn allowance(
    wages: &EmployerWages,
    days: u32,
    divisor_days: u32,
) -> Result<Fen, MaternityError> {
    if wages.lines <= 0 || wages.base_sum <= 0 {
        return Err(MaternityError::NoWages { year: wages.year });
    }
    let num = i128::from(wages.base_sum) * i128::from(days);
    let den = i128::from(wages.lines) * i128::from(divisor_days.max(1));
    Ok(Fen(div_half_up(num, den)))
}

/// A recalculation (复算): the new amount against what was paid for the same birth so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recalculation {
    pub new_amount: Fen,
    pub paid_before: Fen,
    /// new − paid before; negative when the recalculation lowers the amount.
    pub difference: Fen,
    /// What this recalculation pays: the difference when positive, else nothing. Seed 002 item
    /// 19 provides for paying the recalculated allowance (「重算后的生育生活津贴发放」) and says
    /// nothing of recovering an allowance paid on the base in force at the time, so a lower
    /// result is recorded (its negative difference shown) and nothing is recovered.
    pub pays: Fen,
}

pub fn recalculate(new_amount: Fen, paid_before: Fen) -> Recalculation {
    let difference = Fen(new_amount.0 - paid_before.0);
    Recalculation {
        new_amount,
        paid_before,
        difference,
        pays: Fen(difference.0.max(0)),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaternityError {
    #[error("maternity policy invalid: {0}")]
    Policy(String),
    #[error("no maternity policy")]
    NoPolicy { region: String, date: NaiveDate },
    #[error("field missing: {key}")]
    FieldMissing {
        key: &'static str,
        label: &'static str,
    },
    #[error("field invalid: {key}")]
    FieldInvalid {
        key: &'static str,
        label: &'static str,
        value: String,
    },
    #[error("event not of benefit")]
    EventNotOfBenefit {
        benefit: BenefitKind,
        event: EventKind,
    },
    #[error("spouse not entitled")]
    SpouseNotEntitled { benefit: BenefitKind },
    #[error("spouse is the insured")]
    SpouseIsInsured,
    #[error("sex")]
    Sex { required: Sex, event: EventKind },
    #[error("contribution short")]
    ContributionShort { have: u32, need: u32, rule: String },
    #[error("arrears")]
    Arrears {
        months: u32,
        limit: u32,
        rule: String,
    },
    #[error("arrears, employer pays")]
    ArrearsEmployerPays {
        months: u32,
        limit: u32,
        rule: String,
    },
    #[error("event in future")]
    EventInFuture { event_date: NaiveDate },
    #[error("window closed")]
    WindowClosed {
        event_date: NaiveDate,
        last_day: NaiveDate,
        claimed_on: NaiveDate,
        rule: String,
    },
    #[error("already paid")]
    AlreadyPaid {
        benefit: BenefitKind,
        event_date: NaiveDate,
        case: String,
    },
    #[error("settled at the hospital")]
    SettledAtHospital {
        benefit: BenefitKind,
        event_date: NaiveDate,
        reference: String,
    },
    #[error("no allowance to recalculate")]
    NoAllowance { event_date: NaiveDate },
    #[error("no wages")]
    NoWages { year: i32 },
    #[error("no employer")]
    NoEmployer,
    #[error("payee bank missing")]
    BankMissing,
    #[error("not the applicant")]
    NotApplicant,
}

impl Coded for MaternityError {
    fn code(&self) -> &'static str {
        use MaternityError as E;
        match self {
            E::Policy(_) => "maternity.policy_invalid",
            E::NoPolicy { .. } => "maternity.no_policy",
            E::FieldMissing { .. } => "maternity.field_missing",
            E::FieldInvalid { .. } => "maternity.field_invalid",
            E::EventNotOfBenefit { .. } => "maternity.event_not_of_benefit",
            E::SpouseNotEntitled { .. } => "maternity.spouse_not_entitled",
            E::SpouseIsInsured => "maternity.spouse_is_insured",
            E::Sex { .. } => "maternity.sex",
            E::ContributionShort { .. } => "maternity.contribution_short",
            E::Arrears { .. } => "maternity.arrears",
            E::ArrearsEmployerPays { .. } => "maternity.arrears_employer_pays",
            E::EventInFuture { .. } => "maternity.event_in_future",
            E::WindowClosed { .. } => "maternity.claim_window_closed",
            E::AlreadyPaid { .. } => "maternity.already_paid",
            E::SettledAtHospital { .. } => "maternity.settled_at_hospital",
            E::NoAllowance { .. } => "maternity.no_allowance",
            E::NoWages { .. } => "maternity.no_wages",
            E::NoEmployer => "maternity.no_employer",
            E::BankMissing => "maternity.bank_missing",
            E::NotApplicant => "maternity.not_applicant",
        }
    }

    fn message(&self) -> String {
        use MaternityError as E;
        match self {
            E::Policy(r) => format!("生育保险政策参数有误：{r}"),
            E::NoPolicy { region, date } => {
                format!("没有适用于参保地 {region} 在 {date} 的生育保险政策参数")
            }
            E::FieldMissing { label, .. } => format!("请填写“{label}”"),
            E::FieldInvalid { label, value, .. } => format!("“{label}”的值“{value}”无法识别"),
            E::EventNotOfBenefit { benefit, event } => format!(
                "“{}”不适用于{}，请选择对应的事项",
                event.label(),
                benefit.label()
            ),
            E::SpouseNotEntitled { benefit } => format!(
                "参保职工未就业配偶按规定享受生育医疗费用待遇（《社会保险法》第五十四条），不享受{}",
                benefit.label()
            ),
            E::SpouseIsInsured => "配偶身份证号码与参保人相同".to_string(),
            E::Sex { required, event } => format!(
                "{}的待遇享受人应为{}性（身份证号码显示性别不符）",
                event.label(),
                required.label()
            ),
            E::ContributionShort { have, need, rule } => format!(
                "生育保险费在生产（手术）当月之前足额连续缴纳 {have} 个月，不满 {need} 个月，暂不能享受生育保险待遇（{rule}）"
            ),
            E::Arrears { months, limit, rule } if *limit > 0 => format!(
                "参保单位欠缴生育保险费 {months} 个月，欠缴期间停止享受生育保险待遇；欠费在{limit}个月以内的，足额补缴所欠金额及滞纳金后按规定补发（{rule}）"
            ),
            E::Arrears { months, rule, .. } => format!(
                "生育保险费欠缴 {months} 个月，未足额缴费，足额补缴后方可享受生育保险待遇（{rule}）"
            ),
            E::ArrearsEmployerPays { months, limit, rule } => format!(
                "参保单位欠缴生育保险费 {months} 个月，超过{limit}个月，欠缴期间职工的生育保险待遇由该单位支付，不由生育保险基金支付（{rule}）"
            ),
            E::EventInFuture { event_date } => {
                format!("生产（手术）日期 {event_date} 晚于申报日期")
            }
            E::WindowClosed {
                event_date,
                last_day,
                claimed_on,
                rule,
            } => format!(
                "生产日期 {event_date}，申报期限至 {last_day}，{claimed_on} 申报已超过期限（{rule}）"
            ),
            E::AlreadyPaid {
                benefit,
                event_date,
                case,
            } => format!(
                "{event_date} 的{}已由办件 {case} 申领，同一次生育不重复支付",
                benefit.label()
            ),
            E::SettledAtHospital {
                benefit,
                event_date,
                reference,
            } => format!(
                "{event_date} 的{}已在定点医疗机构联网结算（结算 {reference}），不再手工报销（联网结算的费用不重复支付）",
                benefit.label()
            ),
            E::NoAllowance { event_date } => format!(
                "没有 {event_date} 生育已发放的生育津贴，复算须在生育津贴发放后办理（酉阳清单「生育津贴已按照原基数发放后」）"
            ),
            E::NoWages { year } => format!(
                "缴费台账中没有参保单位 {year} 年度的职工缴费工资，无法计算生育津贴"
            ),
            E::NoEmployer => {
                "缴费台账中没有参保人生产当月之前的参保单位缴费记录，无法确定生育津贴的计发单位"
                    .to_string()
            }
            E::BankMissing => "请填写收款的开户银行、银行账号和户名".to_string(),
            E::NotApplicant => "申请表中的参保人不是申请人本人".to_string(),
        }
    }
}
