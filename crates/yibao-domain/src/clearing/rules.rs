use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::RegionCode;
use crate::money::MAX_INPUT;
use crate::Coded;

/// The two provinces of a statement: where the care was given (就医地, who paid the hospital)
/// and where the person is insured (参保地, who reimburses), each as its province-level code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    pub care: RegionCode,
    pub insured: RegionCode,
}

/// The pair a settlement is cleared under: only care in another province than the insured
/// region's is cleared (seed 000 item 07, 门诊费用跨省直接结算; within a province the province
/// settles its own regions). Chongqing (50) and Sichuan (51) are two provinces.
pub fn pair_of(care: &RegionCode, insured: &RegionCode) -> Option<Pair> {
    (care.province_prefix() != insured.province_prefix()).then(|| Pair {
        care: care.province(),
        insured: insured.province(),
    })
}

/// A clearing month (`YYYY-MM`), by the Beijing date the ledger books a settlement on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// `YYYY-MM` exactly, year 2000–2999.
    pub fn parse(text: &str) -> Result<Month, ClearingError> {
        let bad = || ClearingError::BadMonth(text.chars().take(32).collect());
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn first_day(self) -> NaiveDate {
        // Every parsed or derived month has a first day.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// A month is stated once it has ended: its last settlement and reversal are in the ledger.
pub fn may_issue(month: Month, today: NaiveDate) -> Result<(), ClearingError> {
    if today > month.last_day() {
        Ok(())
    } else {
        Err(ClearingError::MonthNotEnded {
            month: month.key(),
            last_day: month.last_day(),
        })
    }
}

/// A statement line: a settlement the care region paid, or the reversal of one it stated before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// 结算: the insured region owes what the funds and the account paid.
    Settlement,
    /// 撤销: a settlement stated in an earlier month was reversed; the same amount comes back.
    Reversal,
}

impl LineKind {
    pub fn key(self) -> &'static str {
        match self {
            LineKind::Settlement => "settlement",
            LineKind::Reversal => "reversal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LineKind::Settlement => "结算",
            LineKind::Reversal => "撤销",
        }
    }

    pub fn from_key(key: &str) -> Option<LineKind> {
        match key {
            "settlement" => Some(LineKind::Settlement),
            "reversal" => Some(LineKind::Reversal),
            _ => None,
        }
    }
}

/// The split of one settlement as the ledger keeps it, in fen, all non-negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    /// 医疗费总额
    pub total_fen: i64,
    /// 统筹基金支付
    pub pooled_fen: i64,
    /// 大病保险支付
    pub critical_fen: i64,
    /// 医疗救助支付
    pub aid_fen: i64,
    /// 个人账户支付
    pub account_fen: i64,
    /// 个人现金支付
    pub cash_fen: i64,
}

impl Amounts {
    /// What the care region paid the hospital on the insured region's behalf: everything but the
    /// person's cash at the counter.
    pub fn cleared_fen(&self) -> i64 {
        self.total_fen.saturating_sub(self.cash_fen)
    }

    /// Each part within the input bound, cash within the total, and the named funds within what
    /// the hospital did not take in cash.
    pub fn consistent(&self) -> bool {
        let parts = [
            self.total_fen,
            self.pooled_fen,
            self.critical_fen,
            self.aid_fen,
            self.account_fen,
            self.cash_fen,
        ];
        if parts.iter().any(|&p| !(0..=MAX_INPUT.fen()).contains(&p)) {
            return false;
        }
        // Bounded parts: these sums cannot overflow.
        let funds = self.pooled_fen + self.critical_fen + self.aid_fen + self.account_fen;
        self.cash_fen <= self.total_fen && funds <= self.total_fen - self.cash_fen
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The settlement's reference across installations: `institution_code:request_id`.
    pub settlement_ref: String,
    pub kind: LineKind,
    pub institution_code: String,
    pub person_id_number: String,
    /// The insured (pooling) region the settlement's policy came from.
    pub insured_region: String,
    /// The Beijing date it was settled.
    pub settled_on: NaiveDate,
    /// The day it counts in the month: the settlement's day, or the reversal's.
    pub booked_on: NaiveDate,
    #[serde(flatten)]
    pub amounts: Amounts,
}

impl Line {
    /// What this line moves from the insured region to the care region; a reversal's is
    /// negative.
    pub fn cleared_fen(&self) -> i64 {
        match self.kind {
            LineKind::Settlement => self.amounts.cleared_fen(),
            LineKind::Reversal => -self.amounts.cleared_fen(),
        }
    }
}

/// A settlement in the care region's ledger, as the statement of a month looks at it.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub settlement_ref: String,
    pub institution_code: String,
    pub person_id_number: String,
    pub care_region: RegionCode,
    pub insured_region: RegionCode,
    /// The ledger's month for it (the Beijing date it was settled).
    pub ledger_month: Month,
    pub settled_on: NaiveDate,
    /// The Beijing date it was reversed, if it was.
    pub reversed_on: Option<NaiveDate>,
    pub amounts: Amounts,
    /// A statement already holds its settlement line.
    pub stated: bool,
    /// A statement already holds its reversal line.
    pub reversal_stated: bool,
}

/// The lines of `month`'s statements, by pair, each in ledger order of `entries`:
/// - a settlement of the month that still stands and no statement holds yet;
/// - the reversal, during the month, of a settlement an earlier statement holds.
///
/// A settlement reversed before its month was stated is on no statement, and neither is its
/// reversal: nothing was paid across, nothing comes back. Care within one province is on none.
pub fn statement_lines(month: Month, entries: &[LedgerEntry]) -> BTreeMap<Pair, Vec<Line>> {
    let mut out: BTreeMap<Pair, Vec<Line>> = BTreeMap::new();
    for e in entries {
        let Some(pair) = pair_of(&e.care_region, &e.insured_region) else {
            continue;
        };
        let kind_and_day = match e.reversed_on {
            None if e.ledger_month == month && !e.stated => {
                Some((LineKind::Settlement, e.settled_on))
            }
            Some(on) if month.contains(on) && e.stated && !e.reversal_stated => {
                Some((LineKind::Reversal, on))
            }
            _ => None,
        };
        if let Some((kind, booked_on)) = kind_and_day {
            out.entry(pair).or_default().push(Line {
                settlement_ref: e.settlement_ref.clone(),
                kind,
                institution_code: e.institution_code.clone(),
                person_id_number: e.person_id_number.clone(),
                insured_region: e.insured_region.as_str().to_string(),
                settled_on: e.settled_on,
                booked_on,
                amounts: e.amounts,
            });
        }
    }
    out
}

/// A statement's sums; reversals count against it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub line_count: i64,
    pub settlement_count: i64,
    pub reversal_count: i64,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    /// 应清算金额: what the insured region owes the care region on this statement.
    pub cleared_fen: i64,
}

pub fn totals(lines: &[Line]) -> Result<Totals, ClearingError> {
    let mut t = Totals::default();
    let add = |acc: &mut i64, v: i64| -> Result<(), ClearingError> {
        *acc = acc.checked_add(v).ok_or(ClearingError::Overflow)?;
        Ok(())
    };
    for l in lines {
        let sign = match l.kind {
            LineKind::Settlement => {
                t.settlement_count += 1;
                1
            }
            LineKind::Reversal => {
                t.reversal_count += 1;
                -1
            }
        };
        t.line_count += 1;
        let a = &l.amounts;
        add(&mut t.total_fen, sign * a.total_fen)?;
        add(&mut t.pooled_fen, sign * a.pooled_fen)?;
        add(&mut t.critical_fen, sign * a.critical_fen)?;
        add(&mut t.aid_fen, sign * a.aid_fen)?;
        add(&mut t.account_fen, sign * a.account_fen)?;
        add(&mut t.cash_fen, sign * a.cash_fen)?;
        add(&mut t.cleared_fen, sign * a.cleared_fen())?;
    }
    Ok(t)
}

/// The text both sides hash (SHA-256) to know they hold the same statement: a context line, the
/// month and pair, then each line's fields, every field length-prefixed so that no field's
/// content can pass for a boundary.
pub fn canonical_text(month: Month, pair: &Pair, lines: &[Line]) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "yibao-clearing-statement/1\n{}\n{}\n{}\n",
        month.key(),
        pair.care.as_str(),
        pair.insured.as_str()
    );
    for l in lines {
        let a = &l.amounts;
        let fields = [
            l.settlement_ref.clone(),
            l.kind.key().to_string(),
            l.institution_code.clone(),
            l.person_id_number.clone(),
            l.insured_region.clone(),
            l.settled_on.to_string(),
            l.booked_on.to_string(),
            a.total_fen.to_string(),
            a.pooled_fen.to_string(),
            a.critical_fen.to_string(),
            a.aid_fen.to_string(),
            a.account_fen.to_string(),
            a.cash_fen.to_string(),
        ];
        for f in fields {
            let _ = write!(s, "{}:{f};", f.len());
        }
        s.push('\n');
    }
    s
}

/// The most lines one statement message carries between installations (the inbox takes 4 MiB;
/// a line is about 300 bytes of JSON).
pub const MAX_LINES_PER_MESSAGE: usize = 10_000;

/// What the insured region knows about one line, from its own register and earlier statements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// The person had coverage in the statement's insured province on `settled_on`.
    pub insured_on_day: bool,
    /// A settlement line with this reference was accepted on an earlier statement.
    pub settlement_accepted: bool,
    /// A reversal line with this reference was accepted on an earlier statement.
    pub reversal_accepted: bool,
}

/// A coverage period of the person in the insured region's register, as the check needs it.
#[derive(Debug, Clone)]
pub struct CoveragePeriod {
    pub region: RegionCode,
    /// From when it covered (its start, else the day it was registered).
    pub from: NaiveDate,
    /// Until when, inclusive, if it ended.
    pub to: Option<NaiveDate>,
    /// Registered but never paid for (已登记、待缴费): it covered nothing.
    pub registered_only: bool,
}

/// Whether the person was insured in `province` on `day`: a period there, paid for, that
/// had begun and not yet ended.
pub fn insured_on(periods: &[CoveragePeriod], province: &RegionCode, day: NaiveDate) -> bool {
    periods.iter().any(|p| {
        !p.registered_only
            && province.contains(&p.region)
            && p.from <= day
            && p.to.is_none_or(|to| day <= to)
    })
}

/// Why the insured region does not reimburse a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispute {
    /// The amounts do not add up (a negative part, cash above the total, funds above the rest).
    InconsistentAmounts,
    /// The line's day is not in the statement's month.
    OutsideMonth,
    /// The line's insured region is not in the statement's insured province.
    OutsideProvince,
    /// The person was not insured in this province on the day of care.
    NotInsured,
    /// The same settlement (or reversal) was accepted already, here or on an earlier statement.
    Duplicate,
    /// A reversal of a settlement this side never accepted: nothing to give back.
    NoOriginal,
}

impl Dispute {
    pub fn code(self) -> &'static str {
        match self {
            Dispute::InconsistentAmounts => "clearing.inconsistent_amounts",
            Dispute::OutsideMonth => "clearing.outside_month",
            Dispute::OutsideProvince => "clearing.outside_province",
            Dispute::NotInsured => "clearing.not_insured",
            Dispute::Duplicate => "clearing.duplicate",
            Dispute::NoOriginal => "clearing.no_original",
        }
    }

    pub fn from_code(code: &str) -> Option<Dispute> {
        [
            Dispute::InconsistentAmounts,
            Dispute::OutsideMonth,
            Dispute::OutsideProvince,
            Dispute::NotInsured,
            Dispute::Duplicate,
            Dispute::NoOriginal,
        ]
        .into_iter()
        .find(|d| d.code() == code)
    }

    pub fn reason(self) -> &'static str {
        match self {
            Dispute::InconsistentAmounts => {
                "金额不平：各项支付为负、现金超过总额或基金支付超过非现金部分"
            }
            Dispute::OutsideMonth => "记账日期不在清算月份内",
            Dispute::OutsideProvince => "参保地不在本清算单的参保省份内",
            Dispute::NotInsured => "参保地查无该人员在就医之日的参保记录",
            Dispute::Duplicate => "该笔已在本清算单或此前的清算单中确认，不重复清算",
            Dispute::NoOriginal => "被撤销的结算未曾在清算中确认，无需退回",
        }
    }
}

/// The insured region's answer to a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    pub accepted_count: i64,
    /// 确认金额: what it reimburses (reversals accepted count against it).
    pub accepted_fen: i64,
    pub disputed_count: i64,
    /// 争议金额: the disputed lines' cleared amounts, signed as on the statement.
    pub disputed_fen: i64,
    /// Each disputed line by its index on the statement.
    pub disputes: Vec<(usize, Dispute)>,
}

/// Checks each line of a statement for `month` and `pair` against the insured region's facts
/// (`facts[i]` for `lines[i]`), in this order: amounts, month, province, then for a settlement
/// that the person was insured that day and that it was not accepted before, for a reversal
/// that its settlement was accepted and its reversal was not. A reference twice on one
/// statement is a duplicate the second time.
pub fn reconcile(
    month: Month,
    pair: &Pair,
    lines: &[Line],
    facts: &[LineFacts],
) -> Result<Reconciliation, ClearingError> {
    if facts.len() != lines.len() {
        return Err(ClearingError::FactsMismatch);
    }
    let mut r = Reconciliation::default();
    let mut seen: HashSet<(&str, LineKind)> = HashSet::new();
    let mut accepted_here: HashSet<&str> = HashSet::new();
    for (i, (l, f)) in lines.iter().zip(facts).enumerate() {
        let in_province = l
            .insured_region
            .parse::<RegionCode>()
            .is_ok_and(|r| pair.insured.contains(&r));
        let first_here = seen.insert((l.settlement_ref.as_str(), l.kind));
        let dispute = if !l.amounts.consistent() {
            Some(Dispute::InconsistentAmounts)
        } else if !month.contains(l.booked_on) {
            Some(Dispute::OutsideMonth)
        } else if !in_province {
            Some(Dispute::OutsideProvince)
        } else {
            match l.kind {
                LineKind::Settlement if !f.insured_on_day => Some(Dispute::NotInsured),
                LineKind::Settlement if f.settlement_accepted || !first_here => {
                    Some(Dispute::Duplicate)
                }
                LineKind::Reversal
                    if !f.settlement_accepted
                        && !accepted_here.contains(l.settlement_ref.as_str()) =>
                {
                    Some(Dispute::NoOriginal)
                }
                LineKind::Reversal if f.reversal_accepted || !first_here => {
                    Some(Dispute::Duplicate)
                }
                _ => None,
            }
        };
        let amount = l.cleared_fen();
        match dispute {
            Some(d) => {
                r.disputed_count += 1;
                r.disputed_fen = r.disputed_fen.saturating_add(amount);
                r.disputes.push((i, d));
            }
            None => {
                if l.kind == LineKind::Settlement {
                    accepted_here.insert(l.settlement_ref.as_str());
                }
                r.accepted_count += 1;
                r.accepted_fen = r
                    .accepted_fen
                    .checked_add(amount)
                    .ok_or(ClearingError::Overflow)?;
            }
        }
    }
    Ok(r)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearingError {
    #[error("bad month {0}")]
    BadMonth(String),
    #[error("month {month} not ended")]
    MonthNotEnded { month: String, last_day: NaiveDate },
    #[error("sum overflow")]
    Overflow,
    #[error("facts do not match lines")]
    FactsMismatch,
}

impl Coded for ClearingError {
    fn code(&self) -> &'static str {
        match self {
            ClearingError::BadMonth(_) => "clearing.bad_month",
            ClearingError::MonthNotEnded { .. } => "clearing.month_not_ended",
            ClearingError::Overflow => "clearing.overflow",
            ClearingError::FactsMismatch => "clearing.facts_mismatch",
        }
    }

    fn message(&self) -> String {
        match self {
            ClearingError::BadMonth(m) => {
                format!("清算月份应为“年-月”格式，如 2026-11，收到的是“{m}”")
            }
            ClearingError::MonthNotEnded { month, last_day } => {
                format!("{month} 尚未结束（最后一日为 {last_day}），月度结束后方可出具清算单")
            }
            ClearingError::Overflow => "清算单金额合计超出可表示范围".into(),
            ClearingError::FactsMismatch => "对账依据与清算明细条数不一致".into(),
        }
    }
}
