//! The benefit engine (DESIGN §5, issue #8): a pure function from policy, catalogue, person,
//! accumulators and bill to the split of the bill.
//!
//! Formula, in order:
//! 1. Per line: category C is wholly self-pay (全自费); for A/B the part above price cap ×
//!    quantity is self-pay (超限价); a B line's self-pay share of the rest is rounded half up to
//!    the fen (乙类先行自付); the remainder is in scope (政策范围内).
//! 2. The deductible still open in its scope (per admission or per year) is taken from the
//!    in-scope sum. Unfiled care elsewhere under a stated penalty (`UnfiledPenalty`) raises the
//!    standard first.
//! 3. The (band) ratios, adjusted for care elsewhere (the stated penalty's cut, else the
//!    policy's `adjustments`), apply to the remainder; the exact sum is rounded half up once;
//!    the fund pays at most what is left of the pool's annual cap.
//! 4. Critical-illness insurance pays its bands on the part of the year's in-scope self-payment
//!    (in_scope − fund, accumulated) above its threshold that falls in this bill; at most its cap.
//! 5. Medical aid pays its ratio of what is left of the in-scope self-payment, at most its cap.
//! 6. The personal account pays what the policy lets it, up to the balance; cash pays the rest.

use chrono::Datelike;

use super::catalogue::{unique_in_force, Catalogue, CatalogueEntry, Category};
use super::error::BenefitError;
use super::explanation::{
    AccumulatorDeltas, Explanation, LineSource, LineSplit, NotApplicable, Step,
};
use super::policy::{Band, DeductibleScope, PolicySet, RatioAdjustment};
use super::ratio::{apply_ratio, round_bp, Quantity, FULL_BP};
use super::request::{Accumulators, Bill, BillLine, CarePlace, PersonFacts};
use crate::money::Fen;

/// Largest amount accepted on one line or in one accumulator: the shared input limit.
pub(crate) const MAX_AMOUNT: i64 = crate::money::MAX_INPUT.0;
/// Most lines in one bill; with `MAX_AMOUNT` the sums stay far inside i64. The arithmetic is
/// checked all the same (`add`, `sub`): should a bound ever be loosened, an overflow refuses the
/// bill with `benefit.amount_too_large` instead of wrapping into a plausible wrong split.
pub const MAX_LINES: usize = 10_000;

fn too_large(what: &'static str) -> BenefitError {
    BenefitError::AmountTooLarge { what: what.into() }
}

/// `a + b` on amounts in fen, refused on overflow.
fn add(a: i64, b: i64, what: &'static str) -> Result<i64, BenefitError> {
    a.checked_add(b).ok_or_else(|| too_large(what))
}

/// `a − b` on amounts in fen, refused on overflow.
fn sub(a: i64, b: i64, what: &'static str) -> Result<i64, BenefitError> {
    a.checked_sub(b).ok_or_else(|| too_large(what))
}

/// Where the engine looks up a line's code.
#[derive(Debug, Clone, Copy)]
pub enum CatalogueRef<'a> {
    /// A validated catalogue (binary search): what the settlement service holds in memory.
    Indexed(&'a Catalogue),
    /// A few entries carried in a request (linear search).
    Entries(&'a [CatalogueEntry]),
    None,
}

impl<'a> CatalogueRef<'a> {
    /// The entry in force; two versions in force on the day are an error, never "the first".
    fn find(
        self,
        code: &str,
        date: chrono::NaiveDate,
    ) -> Result<Option<&'a CatalogueEntry>, BenefitError> {
        match self {
            CatalogueRef::Indexed(c) => c.find(code, date),
            CatalogueRef::Entries(es) => {
                unique_in_force(es.iter().filter(|e| e.code == code), code, date)
            }
            CatalogueRef::None => Ok(None),
        }
    }
}

/// Computes the split of `bill`. The policy must have passed `PolicySet::validate` (the service
/// validates once at load; `explain` validates per request). Inputs from outside (bill,
/// accumulators) are validated here.
pub fn compute(
    policy: &PolicySet,
    catalogue: CatalogueRef<'_>,
    person: &PersonFacts,
    acc: &Accumulators,
    bill: &Bill,
) -> Result<Explanation, BenefitError> {
    acc.validate(bill.date.year())?;
    person.validate()?;
    validate_bill(bill)?;
    if !policy.in_force_on(bill.date) {
        return Err(BenefitError::PolicyNotInForce { date: bill.date });
    }
    let rule = policy
        .rule_for(
            person.scheme,
            bill.visit,
            bill.hospital_level,
            person.disease.as_deref(),
        )
        .ok_or(BenefitError::NoRule {
            scheme: person.scheme.label(),
            visit: bill.visit.label(),
            level: bill.hospital_level.label(),
        })?;

    let mut steps = Vec::with_capacity(12);

    // 1. Lines.
    let mut lines = Vec::with_capacity(bill.lines.len());
    let (mut out, mut over, mut cat_b, mut in_scope) = (0i64, 0i64, 0i64, 0i64);
    for line in &bill.lines {
        let split = split_line(line, catalogue, bill.date)?;
        out = add(out, split.out_of_catalogue.0, "丙类全自费合计")?;
        over = add(over, split.over_price_cap.0, "超限价自费合计")?;
        cat_b = add(cat_b, split.category_b.0, "乙类先行自付合计")?;
        in_scope = add(in_scope, split.in_scope.0, "政策范围内金额合计")?;
        lines.push(split);
    }
    let total = add(
        add(out, over, "医疗费总额")?,
        add(cat_b, in_scope, "医疗费总额")?,
        "医疗费总额",
    )?;
    steps.push(Step::Classify {
        lines: bill.lines.len() as u32,
        total: Fen(total),
        out_of_catalogue: Fen(out),
        over_price_cap: Fen(over),
        category_b: Fen(cat_b),
        in_scope: Fen(in_scope),
    });

    // 2. Deductible, raised first where the insured region states a penalty for unfiled care.
    let penalty = person.penalty_for(bill.visit);
    let standard = match penalty {
        Some(p) => {
            let raised = apply_ratio(rule.deductible, FULL_BP + p.deductible_increase_bp)?;
            steps.push(Step::UnfiledPenalty {
                care_place: person.care_place,
                standard: rule.deductible,
                raised,
                deductible_increase_bp: p.deductible_increase_bp,
                ratio_cut_bp: p.ratio_cut_bp,
                source: p.source.clone(),
            });
            raised
        }
        None => rule.deductible,
    };
    let pool = acc.pool(&rule.pool);
    let used_before = match rule.deductible_scope {
        DeductibleScope::PerYear => pool.deductible_used,
        DeductibleScope::PerAdmission => match &bill.admission_id {
            Some(id) => acc.admission_deductible(id),
            None => return Err(BenefitError::AdmissionMissing),
        },
    };
    let open = standard.remaining_after(used_before);
    let deductible = open.0.min(in_scope);
    steps.push(Step::Deductible {
        scope: rule.deductible_scope,
        standard,
        used_before,
        open,
        in_scope: Fen(in_scope),
        taken: Fen(deductible),
    });

    // 3. Ratio (with adjustment for care elsewhere), rounding once, annual cap. A stated penalty
    // replaces the policy's adjustment rather than adding to it.
    let adjustment = match penalty {
        Some(_) => None,
        None => adjustment_for(policy, person),
    };
    if let Some(a) = adjustment {
        steps.push(Step::Adjustment {
            care_place: person.care_place,
            filed: person.filed,
            points_bp: a.points_bp,
            multiplier_bp: a.multiplier_bp,
        });
    }
    let adjust = |bp: u32| match penalty {
        Some(p) => bp.saturating_sub(p.ratio_cut_bp),
        None => adjustment.map_or(bp, |a| a.apply(bp)),
    };
    let base = sub(in_scope, deductible, "起付线以上金额")?;
    let single = [Band {
        up_to: None,
        ratio_bp: rule.ratio_bp.unwrap_or(0),
    }];
    let bands: &[Band] = if rule.bands.is_empty() {
        &single
    } else {
        &rule.bands
    };
    let mut exact: i128 = 0;
    for_each_band(bands, 0, base, |from, to, b, amount| {
        let r = adjust(b.ratio_bp);
        exact += i128::from(amount) * i128::from(r);
        if bands.len() > 1 || adjustment.is_some() || penalty.is_some() {
            steps.push(Step::RatioBand {
                from: Fen(from),
                to: to.map(Fen),
                base_ratio_bp: b.ratio_bp,
                ratio_bp: r,
                amount: Fen(amount),
            });
        }
    });
    let rounded = round_bp(exact)?;
    steps.push(Step::Ratio {
        base: Fen(base),
        exact_fen_bp: exact,
        rounded: Fen(rounded),
    });
    let cap_remaining = rule.annual_cap.map(|c| c.remaining_after(pool.fund_paid));
    let fund = cap_remaining.map_or(rounded, |r| rounded.min(r.0));
    steps.push(Step::AnnualCap {
        pool: rule.pool.clone(),
        cap: rule.annual_cap,
        paid_before: pool.fund_paid,
        remaining: cap_remaining,
        before_cap: Fen(rounded),
        fund: Fen(fund),
    });
    let self_pay = sub(in_scope, fund, "政策范围内个人自付")?;

    // 4. Critical-illness insurance on the year's in-scope self-payment above its threshold.
    let ci_rule = policy.critical_illness_for(person.scheme);
    let counts = ci_rule.is_none_or(|c| c.counts(bill.visit));
    let mut critical_illness = 0i64;
    match ci_rule {
        None => steps.push(Step::NotApplicable {
            what: NotApplicable::NoCriticalIllnessRule,
        }),
        Some(_) if !counts => steps.push(Step::NotApplicable {
            what: NotApplicable::VisitNotCountedForCriticalIllness,
        }),
        Some(c) => {
            let before = acc.in_scope_self_pay.0;
            let lo = before.max(c.threshold.0) - c.threshold.0;
            let hi = sub(
                add(before, self_pay, "大病保险累计自付")?,
                c.threshold.0,
                "大病保险累计自付",
            )?
            .max(lo);
            let band_steps_at = steps.len();
            let mut exact: i128 = 0;
            for_each_band(&c.bands, lo, hi, |from, to, b, amount| {
                exact += i128::from(amount) * i128::from(b.ratio_bp);
                steps.push(Step::CriticalIllnessBand {
                    from: Fen(from),
                    to: to.map(Fen),
                    ratio_bp: b.ratio_bp,
                    amount: Fen(amount),
                });
            });
            let cap_remaining = c
                .annual_cap
                .map(|cap| cap.remaining_after(acc.critical_illness_paid));
            let r = round_bp(exact)?;
            critical_illness = cap_remaining.map_or(r, |rem| r.min(rem.0));
            steps.insert(
                band_steps_at,
                Step::CriticalIllness {
                    threshold: c.threshold,
                    self_pay_before: acc.in_scope_self_pay,
                    self_pay_this_bill: Fen(self_pay),
                    above_threshold: Fen(sub(hi, lo, "大病保险起付线以上金额")?),
                    exact_fen_bp: exact,
                    cap_remaining,
                    paid: Fen(critical_illness),
                },
            );
        }
    }

    // 5. Medical aid on what remains of the in-scope self-payment.
    let mut aid = 0i64;
    match person.aid_category {
        None => steps.push(Step::NotApplicable {
            what: NotApplicable::NotAidRecipient,
        }),
        Some(category) => match policy.aid_for(category, bill.visit) {
            None => steps.push(Step::NotApplicable {
                what: NotApplicable::NoAidRule,
            }),
            Some(a) => {
                let base = sub(self_pay, critical_illness, "医疗救助基数")?;
                let cap_remaining = a.annual_cap.map(|cap| cap.remaining_after(acc.aid_paid));
                let r = apply_ratio(Fen(base), a.ratio_bp)?.0;
                aid = cap_remaining.map_or(r, |rem| r.min(rem.0));
                steps.push(Step::MedicalAid {
                    category,
                    base: Fen(base),
                    ratio_bp: a.ratio_bp,
                    cap_remaining,
                    paid: Fen(aid),
                });
            }
        },
    }

    // 6. Personal account, then cash.
    let mut account = 0i64;
    match policy.account_for(person.scheme) {
        None => steps.push(Step::NotApplicable {
            what: NotApplicable::NoAccountRule,
        }),
        Some(_) if !bill.use_account => steps.push(Step::NotApplicable {
            what: NotApplicable::AccountNotUsed,
        }),
        Some(a) => {
            let mut allowed = 0;
            if a.pays_in_scope_self_pay {
                let left = sub(
                    self_pay,
                    add(critical_illness, aid, "个人账户可付金额")?,
                    "个人账户可付金额",
                )?;
                allowed = add(allowed, left, "个人账户可付金额")?;
            }
            if a.pays_category_b {
                allowed = add(allowed, cat_b, "个人账户可付金额")?;
            }
            if a.pays_out_of_scope {
                allowed = add(
                    allowed,
                    add(out, over, "个人账户可付金额")?,
                    "个人账户可付金额",
                )?;
            }
            account = allowed.min(acc.account_balance.0);
            steps.push(Step::Account {
                balance: acc.account_balance,
                allowed: Fen(allowed),
                paid: Fen(account),
            });
        }
    }
    let funds_total = add(
        add(fund, critical_illness, "基金支付总额")?,
        aid,
        "基金支付总额",
    )?;
    let cash = sub(
        sub(total, funds_total, "个人现金支付")?,
        account,
        "个人现金支付",
    )?;
    steps.push(Step::Cash { amount: Fen(cash) });
    debug_assert!(cash >= 0 && fund >= 0 && critical_illness >= 0 && aid >= 0 && account >= 0);
    let person_share = add(account, cash, "个人负担总金额")?;
    let account_balance_after = sub(acc.account_balance.0, account, "个人账户余额")?;

    Ok(Explanation {
        policy_region: policy.region.clone(),
        policy_version: policy.version,
        scheme: person.scheme,
        visit: bill.visit,
        hospital_level: bill.hospital_level,
        total: Fen(total),
        self_pay_out_of_catalogue: Fen(out),
        self_pay_over_price_cap: Fen(over),
        self_pay_category_b: Fen(cat_b),
        in_scope: Fen(in_scope),
        deductible: Fen(deductible),
        ratio_bp: adjust(bands[0].ratio_bp),
        fund: Fen(fund),
        in_scope_self_pay: Fen(self_pay),
        critical_illness: Fen(critical_illness),
        aid: Fen(aid),
        account: Fen(account),
        account_mutual_aid: Fen::ZERO,
        cash: Fen(cash),
        person_share: Fen(person_share),
        funds_total: Fen(funds_total),
        account_balance_after: Fen(account_balance_after),
        lines,
        steps,
        deltas: AccumulatorDeltas {
            year: bill.date.year(),
            pool: rule.pool.clone(),
            deductible_scope: rule.deductible_scope,
            admission_id: match rule.deductible_scope {
                DeductibleScope::PerAdmission => bill.admission_id.clone(),
                DeductibleScope::PerYear => None,
            },
            deductible: Fen(deductible),
            fund: Fen(fund),
            in_scope_self_pay: Fen(if counts { self_pay } else { 0 }),
            critical_illness: Fen(critical_illness),
            aid: Fen(aid),
            account: Fen(account),
            mutual_aid: None,
        },
    })
}

/// The ratio adjustment for where the care happens and whether it was filed.
fn adjustment_for<'a>(policy: &'a PolicySet, person: &PersonFacts) -> Option<&'a RatioAdjustment> {
    let a = &policy.adjustments;
    match (person.care_place, person.filed) {
        (CarePlace::Local, _) | (CarePlace::InProvince, true) => None,
        (CarePlace::InProvince, false) => a.in_province_unfiled.as_ref(),
        (CarePlace::CrossProvince, true) => a.cross_province_filed.as_ref(),
        (CarePlace::CrossProvince, false) => a.cross_province_unfiled.as_ref(),
    }
}

/// Calls `f(from, to, band, amount)` for each band's share of the interval `[lo, hi)`, where
/// band boundaries are cumulative (`up_to`) from zero.
fn for_each_band(
    bands: &[Band],
    lo: i64,
    hi: i64,
    mut f: impl FnMut(i64, Option<i64>, &Band, i64),
) {
    let mut start = 0i64;
    for b in bands {
        let end = b.up_to.map(|u| u.0);
        let seg_lo = start.max(lo);
        let seg_hi = end.map_or(hi, |e| e.min(hi));
        if seg_hi > seg_lo {
            f(start, end, b, seg_hi - seg_lo);
        }
        match end {
            Some(e) if e < hi => start = e,
            _ => break,
        }
    }
}

fn split_line(
    line: &BillLine,
    catalogue: CatalogueRef<'_>,
    date: chrono::NaiveDate,
) -> Result<LineSplit, BenefitError> {
    let (category, share_bp, cap, source) = match catalogue.find(&line.code, date)? {
        Some(e) => (
            e.category,
            e.self_pay_share_bp,
            e.price_cap,
            LineSource::Catalogue,
        ),
        None => match line.category {
            Some(c) => (
                c,
                line.self_pay_share_bp.unwrap_or(0),
                line.price_cap,
                LineSource::Line,
            ),
            None => {
                return Err(BenefitError::UnknownCode {
                    line_no: line.line_no,
                    code: line.code.clone(),
                })
            }
        },
    };
    if share_bp > FULL_BP || (share_bp > 0 && category != Category::B) {
        return Err(BenefitError::InvalidLine {
            line_no: line.line_no,
            reason: format!("先行自付比例 {share_bp} 基点只适用于乙类且不超过 10000"),
        });
    }
    let amount = line.amount;
    let mut split = LineSplit {
        line_no: line.line_no,
        code: line.code.clone(),
        category,
        source,
        amount,
        allowed: None,
        self_pay_share_bp: share_bp,
        out_of_catalogue: Fen::ZERO,
        over_price_cap: Fen::ZERO,
        category_b: Fen::ZERO,
        in_scope: Fen::ZERO,
    };
    if category == Category::C {
        split.out_of_catalogue = amount;
        return Ok(split);
    }
    let mut rest = amount;
    if let Some(cap) = cap {
        // Without a quantity the line is one unit. Quantities are 0 < q ≤ MAX_QUANTITY and caps
        // ≤ MAX_INPUT (validate_bill, catalogue validation), so this fits; `times` checks anyway.
        let allowed = line.quantity.unwrap_or(Quantity::ONE).times(cap)?;
        split.allowed = Some(allowed);
        split.over_price_cap = amount.remaining_after(allowed);
        rest = Fen(sub(amount.0, split.over_price_cap.0, "限价内金额")?);
    }
    if category == Category::B {
        split.category_b = apply_ratio(rest, share_bp)?;
    }
    split.in_scope = Fen(sub(rest.0, split.category_b.0, "政策范围内金额")?);
    Ok(split)
}

fn validate_bill(bill: &Bill) -> Result<(), BenefitError> {
    if bill.lines.is_empty() {
        return Err(BenefitError::EmptyBill);
    }
    if bill.lines.len() > MAX_LINES {
        return Err(BenefitError::AmountTooLarge {
            what: format!("费用明细超过 {MAX_LINES} 条"),
        });
    }
    let mut sorted = true;
    for (i, l) in bill.lines.iter().enumerate() {
        let check = |field: &'static str, f: Option<Fen>| match f {
            Some(f) if f.0 < 0 => Err(BenefitError::NegativeAmount {
                line_no: l.line_no,
                field,
            }),
            Some(f) if f.0 > MAX_AMOUNT => Err(BenefitError::AmountTooLarge {
                what: format!("第 {} 条费用明细的 {field}", l.line_no),
            }),
            _ => Ok(()),
        };
        check("amount", Some(l.amount))?;
        check("unit_price", l.unit_price)?;
        check("price_cap", l.price_cap)?;
        // Quantity 0 is refused rather than read: with a price cap it would put the whole
        // line above the cap (0 × cap = 0 allowed), and a charged line of nothing is a data
        // error. Above MAX_QUANTITY the parse already refuses; a value built in code is
        // checked here too.
        if let Some(q) = l.quantity.filter(|q| !q.in_range()) {
            return Err(BenefitError::QuantityOutOfRange {
                line_no: Some(l.line_no),
                text: q.to_string(),
            });
        }
        if i > 0 && bill.lines[i - 1].line_no >= l.line_no {
            sorted = false;
        }
    }
    if !sorted {
        let mut nos: Vec<u32> = bill.lines.iter().map(|l| l.line_no).collect();
        nos.sort_unstable();
        if let Some(w) = nos.windows(2).find(|w| w[0] == w[1]) {
            return Err(BenefitError::DuplicateLine { line_no: w[0] });
        }
    }
    Ok(())
}
