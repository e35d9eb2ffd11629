//! What the engine returns: the split of the bill, each line's split with its reason, the steps
//! with Chinese explanations a clerk can read to the citizen, and the accumulator deltas.
//!
//! The engine stores numbers only; the Chinese text is rendered when the explanation is
//! serialised, which keeps the hot path free of string formatting.

use serde::{Serialize, Serializer};

use super::catalogue::Category;
use super::policy::{AidCategory, DeductibleScope, HospitalLevel, Scheme, VisitType};
use super::request::CarePlace;
use crate::ids::RegionCode;
use crate::money::Fen;

/// The split of one bill. `total = fund + critical_illness + aid + account + cash` (plus
/// `account_mutual_aid` when a linked account paid), and
/// `total = self_pay_out_of_catalogue + self_pay_over_price_cap + self_pay_category_b + in_scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub policy_region: RegionCode,
    pub policy_version: u32,
    pub scheme: Scheme,
    pub visit: VisitType,
    pub hospital_level: HospitalLevel,
    /// 医疗费总额 medfee_sumamt
    pub total: Fen,
    /// 全自费金额 fulamt_ownpay_amt (category C)
    pub self_pay_out_of_catalogue: Fen,
    /// 超限价自费费用 overlmt_selfpay
    pub self_pay_over_price_cap: Fen,
    /// 先行自付金额 preselfpay_amt
    pub self_pay_category_b: Fen,
    /// 符合政策范围金额 inscp_scp_amt
    pub in_scope: Fen,
    /// 实际支付起付线 act_pay_dedc
    pub deductible: Fen,
    /// The ratio of the first band after adjustments (pool_prop_selfpay), basis points.
    pub ratio_bp: u32,
    /// 统筹基金支出 hifp_pay
    pub fund: Fen,
    /// 政策范围内个人自付: in_scope − fund (what critical illness and aid look at).
    pub in_scope_self_pay: Fen,
    /// 大病保险 hifmi_pay (employees: 大额医疗补助 hifob_pay)
    pub critical_illness: Fen,
    /// 医疗救助 maf_pay
    pub aid: Fen,
    /// 个人账户支出 acct_pay
    pub account: Fen,
    /// 个人账户共济支付 acct_mulaid_pay: paid from a linked family member's account (个人账户
    /// 关联 / 家庭共济, `account::draw_on_linked`), when the own account did not cover what the
    /// policy lets an account pay. Then `total = fund + critical_illness + aid + account +
    /// account_mutual_aid + cash`.
    #[serde(default, skip_serializing_if = "Fen::is_zero")]
    pub account_mutual_aid: Fen,
    /// 个人现金支出 psn_cash_pay
    pub cash: Fen,
    /// 个人负担总金额 psn_part_amt = account + account_mutual_aid + cash
    pub person_share: Fen,
    /// 基金支付总额 fund_pay_sumamt = fund + critical_illness + aid
    pub funds_total: Fen,
    /// 个人账户余额 balc after this settlement
    pub account_balance_after: Fen,
    pub lines: Vec<LineSplit>,
    #[serde(serialize_with = "serialize_steps")]
    pub steps: Vec<Step>,
    pub deltas: AccumulatorDeltas,
}

/// What the store adds to the accumulators (`Accumulators::apply`) or takes back on reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccumulatorDeltas {
    pub year: i32,
    pub pool: String,
    pub deductible_scope: DeductibleScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission_id: Option<String>,
    /// Added to the pool's `deductible_used` (per year) or to the admission's counter.
    pub deductible: Fen,
    /// Added to the pool's `fund_paid`.
    pub fund: Fen,
    /// Added to `in_scope_self_pay` (zero when the visit does not count for critical illness).
    pub in_scope_self_pay: Fen,
    pub critical_illness: Fen,
    pub aid: Fen,
    /// Taken from `account_balance`.
    pub account: Fen,
    /// Taken from a linked holder's account (家庭共济); restored to it on reversal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutual_aid: Option<MutualAidDelta>,
}

/// What a settlement took from the account of the holder it is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutualAidDelta {
    /// The holder's ID number.
    pub holder: String,
    pub amount: Fen,
}

/// Where a line's category came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineSource {
    Catalogue,
    Line,
}

/// The split of one fee line. `amount = out_of_catalogue + over_price_cap + category_b + in_scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSplit {
    pub line_no: u32,
    pub code: String,
    pub category: Category,
    pub source: LineSource,
    pub amount: Fen,
    /// Price cap × quantity, when the item has a cap.
    pub allowed: Option<Fen>,
    pub self_pay_share_bp: u32,
    pub out_of_catalogue: Fen,
    pub over_price_cap: Fen,
    pub category_b: Fen,
    pub in_scope: Fen,
}

impl LineSplit {
    /// The reason in Chinese, e.g. "乙类，先行自付 10%（12.35元），其余 111.15元 纳入政策范围".
    pub fn reason(&self) -> String {
        let y = |f: Fen| f.yuan_string();
        if self.category == Category::C {
            return format!("丙类（目录外），{}元 全部自费", y(self.amount));
        }
        let mut s = String::from(self.category.label());
        if let Some(allowed) = self.allowed {
            if self.over_price_cap.0 > 0 {
                s += &format!(
                    "，超过限价金额 {}元 的 {}元 自费",
                    y(allowed),
                    y(self.over_price_cap)
                );
            } else {
                s += &format!("，未超过限价金额 {}元", y(allowed));
            }
        }
        if self.category == Category::B {
            s += &format!(
                "，先行自付 {}（{}元）",
                pct(self.self_pay_share_bp),
                y(self.category_b)
            );
        }
        s + &format!("，{}元 纳入政策范围", y(self.in_scope))
    }
}

impl Serialize for LineSplit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            line_no: u32,
            code: &'a str,
            category: Category,
            source: LineSource,
            amount: Fen,
            #[serde(skip_serializing_if = "Option::is_none")]
            allowed: Option<Fen>,
            self_pay_share_bp: u32,
            out_of_catalogue: Fen,
            over_price_cap: Fen,
            category_b: Fen,
            in_scope: Fen,
            reason: String,
        }
        Out {
            line_no: self.line_no,
            code: &self.code,
            category: self.category,
            source: self.source,
            amount: self.amount,
            allowed: self.allowed,
            self_pay_share_bp: self.self_pay_share_bp,
            out_of_catalogue: self.out_of_catalogue,
            over_price_cap: self.over_price_cap,
            category_b: self.category_b,
            in_scope: self.in_scope,
            reason: self.reason(),
        }
        .serialize(s)
    }
}

/// One rule applied, with the parameters and amounts it used. Serialised with `rule` (its kind)
/// and `text` (the Chinese explanation) beside the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Step {
    /// Lines sorted into out-of-catalogue, over-cap, category-B share and in-scope.
    Classify {
        lines: u32,
        total: Fen,
        out_of_catalogue: Fen,
        over_price_cap: Fen,
        category_b: Fen,
        in_scope: Fen,
    },
    Deductible {
        scope: DeductibleScope,
        standard: Fen,
        used_before: Fen,
        open: Fen,
        in_scope: Fen,
        taken: Fen,
    },
    Adjustment {
        care_place: CarePlace,
        filed: bool,
        points_bp: i32,
        multiplier_bp: Option<u32>,
    },
    /// The insured region's stated penalty for unfiled care elsewhere (`UnfiledPenalty`).
    UnfiledPenalty {
        care_place: CarePlace,
        standard: Fen,
        raised: Fen,
        deductible_increase_bp: u32,
        ratio_cut_bp: u32,
        source: String,
    },
    RatioBand {
        from: Fen,
        to: Option<Fen>,
        base_ratio_bp: u32,
        ratio_bp: u32,
        amount: Fen,
    },
    Ratio {
        base: Fen,
        /// Fund before rounding, in fen × basis points (exact).
        exact_fen_bp: i128,
        rounded: Fen,
    },
    AnnualCap {
        pool: String,
        cap: Option<Fen>,
        paid_before: Fen,
        remaining: Option<Fen>,
        before_cap: Fen,
        fund: Fen,
    },
    CriticalIllness {
        threshold: Fen,
        self_pay_before: Fen,
        self_pay_this_bill: Fen,
        above_threshold: Fen,
        exact_fen_bp: i128,
        cap_remaining: Option<Fen>,
        paid: Fen,
    },
    CriticalIllnessBand {
        from: Fen,
        to: Option<Fen>,
        ratio_bp: u32,
        amount: Fen,
    },
    MedicalAid {
        category: AidCategory,
        base: Fen,
        ratio_bp: u32,
        cap_remaining: Option<Fen>,
        paid: Fen,
    },
    Account {
        balance: Fen,
        allowed: Fen,
        paid: Fen,
    },
    /// 家庭共济: the linked holder's account pays what the own account did not.
    MutualAid {
        /// The holder's ID number, masked.
        holder: String,
        balance: Fen,
        paid: Fen,
    },
    Cash {
        amount: Fen,
    },
    NotApplicable {
        what: NotApplicable,
    },
}

/// Why a later-stage payer did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    NoCriticalIllnessRule,
    VisitNotCountedForCriticalIllness,
    NotAidRecipient,
    NoAidRule,
    NoAccountRule,
    AccountNotUsed,
}

fn pct(bp: u32) -> String {
    let (i, r) = (bp / 100, bp % 100);
    if r == 0 {
        format!("{i}%")
    } else if r % 10 == 0 {
        format!("{i}.{}%", r / 10)
    } else {
        format!("{i}.{r:02}%")
    }
}

fn exact_yuan(fen_bp: i128) -> String {
    // fen × bp / 10000 = fen with four decimals; show yuan with up to six decimals, trimmed.
    let micro_yuan = fen_bp; // 1 fen·bp = 10^-6 yuan
    let (i, r) = (micro_yuan / 1_000_000, micro_yuan % 1_000_000);
    let frac = format!("{r:06}");
    let frac = frac.trim_end_matches('0');
    let frac = if frac.len() < 2 {
        format!("{frac:0<2}")
    } else {
        frac.to_string()
    };
    format!("{i}.{frac}")
}

impl Step {
    /// The Chinese explanation of this step.
    pub fn text(&self) -> String {
        let y = |f: Fen| f.yuan_string();
        match self {
            Step::Classify {
                lines,
                total,
                out_of_catalogue,
                over_price_cap,
                category_b,
                in_scope,
            } => format!(
                "共 {lines} 条费用明细，医疗费总额 {}元：丙类全自费 {}元，超限价自费 {}元，乙类先行自付 {}元，符合政策范围 {}元",
                y(*total), y(*out_of_catalogue), y(*over_price_cap), y(*category_b), y(*in_scope)
            ),
            Step::Deductible { scope, standard, used_before, open, in_scope, taken } => format!(
                "起付线（{}）{}元，本{}已累计 {}元，尚余 {}元；从政策范围内金额 {}元 中先扣起付线 {}元",
                scope.label(), y(*standard),
                if *scope == DeductibleScope::PerYear { "年度" } else { "次住院" },
                y(*used_before), y(*open), y(*in_scope), y(*taken)
            ),
            Step::Adjustment { care_place, filed, points_bp, multiplier_bp } => {
                let mut s = format!(
                    "{}（{}）：支付比例调整",
                    care_place.label(),
                    if *filed { "已备案" } else { "未备案" }
                );
                if let Some(m) = multiplier_bp {
                    s += &format!("，乘以 {}", pct(*m));
                }
                if *points_bp != 0 {
                    s += &format!(
                        "，{} {} 个百分点",
                        if *points_bp < 0 { "降低" } else { "提高" },
                        exact_points(points_bp.unsigned_abs())
                    );
                }
                s
            }
            Step::UnfiledPenalty { care_place, standard, raised, deductible_increase_bp, ratio_cut_bp, source } => format!(
                "{}未备案，按参保地规定（{source}）：起付线提高 {}（{}元 → {}元，四舍五入到分），支付比例降低 {} 个百分点",
                care_place.label(),
                pct(*deductible_increase_bp),
                y(*standard),
                y(*raised),
                exact_points(*ratio_cut_bp)
            ),
            Step::RatioBand { from, to, base_ratio_bp, ratio_bp, amount } => {
                let seg = match to {
                    Some(t) => format!("{}–{}元 段", y(*from), y(*t)),
                    None => format!("{}元 以上段", y(*from)),
                };
                let adj = if base_ratio_bp != ratio_bp {
                    format!("（原比例 {}）", pct(*base_ratio_bp))
                } else {
                    String::new()
                };
                format!("起付线以上金额的 {seg}：{}元 按 {}{adj} 支付", y(*amount), pct(*ratio_bp))
            }
            Step::Ratio { base, exact_fen_bp, rounded } => format!(
                "起付线以上政策范围内金额 {}元，按比例计算统筹支付 {}元，四舍五入到分为 {}元",
                y(*base), exact_yuan(*exact_fen_bp), y(*rounded)
            ),
            Step::AnnualCap { pool, cap, paid_before, remaining, before_cap, fund } => match (cap, remaining) {
                (Some(cap), Some(rem)) if fund < before_cap => format!(
                    "统筹基金年度最高支付限额（{pool}）{}元，本年已支付 {}元，尚余 {}元；本次应付 {}元 超过余额，统筹基金支付 {}元",
                    y(*cap), y(*paid_before), y(*rem), y(*before_cap), y(*fund)
                ),
                (Some(cap), Some(rem)) => format!(
                    "统筹基金年度最高支付限额（{pool}）{}元，本年已支付 {}元，尚余 {}元；统筹基金支付 {}元",
                    y(*cap), y(*paid_before), y(*rem), y(*fund)
                ),
                _ => format!("统筹基金（{pool}）无年度限额，支付 {}元", y(*fund)),
            },
            Step::CriticalIllness { threshold, self_pay_before, self_pay_this_bill, above_threshold, exact_fen_bp, cap_remaining, paid } => {
                let mut s = format!(
                    "大病保险：政策范围内个人自付本年已累计 {}元，本次 {}元；大病保险起付线 {}元，本次超过起付线的部分 {}元",
                    y(*self_pay_before), y(*self_pay_this_bill), y(*threshold), y(*above_threshold)
                );
                if above_threshold.0 > 0 {
                    s += &format!("，按比例计算 {}元", exact_yuan(*exact_fen_bp));
                    if let Some(r) = cap_remaining {
                        s += &format!("，年度限额尚余 {}元", y(*r));
                    }
                }
                s + &format!("，大病保险支付 {}元", y(*paid))
            }
            Step::CriticalIllnessBand { from, to, ratio_bp, amount } => {
                let seg = match to {
                    Some(t) => format!("超过起付线 {}–{}元 段", y(*from), y(*t)),
                    None => format!("超过起付线 {}元 以上段", y(*from)),
                };
                format!("大病保险 {seg}：{}元 按 {} 支付", y(*amount), pct(*ratio_bp))
            }
            Step::MedicalAid { category, base, ratio_bp, cap_remaining, paid } => {
                let mut s = format!(
                    "医疗救助（{}）：基本医保和大病保险后剩余的政策范围内自付 {}元，按 {} 救助",
                    category.label(), y(*base), pct(*ratio_bp)
                );
                if let Some(r) = cap_remaining {
                    s += &format!("，年度限额尚余 {}元", y(*r));
                }
                s + &format!("，医疗救助支付 {}元", y(*paid))
            }
            Step::Account { balance, allowed, paid } => format!(
                "个人账户余额 {}元，按政策可由个人账户支付的部分 {}元，个人账户支付 {}元",
                y(*balance), y(*allowed), y(*paid)
            ),
            Step::MutualAid { holder, balance, paid } => format!(
                "个人账户不足部分使用关联的家庭成员个人账户（{holder}，余额 {}元）共济支付 {}元",
                y(*balance), y(*paid)
            ),
            Step::Cash { amount } => format!("其余 {}元 由个人现金支付", y(*amount)),
            Step::NotApplicable { what } => match what {
                NotApplicable::NoCriticalIllnessRule => "该险种没有大病保险规则，大病保险不支付".into(),
                NotApplicable::VisitNotCountedForCriticalIllness => "该医疗类别不纳入大病保险，大病保险不支付".into(),
                NotApplicable::NotAidRecipient => "非医疗救助对象，医疗救助不支付".into(),
                NotApplicable::NoAidRule => "没有适用于该救助对象类别和医疗类别的医疗救助规则".into(),
                NotApplicable::NoAccountRule => "该险种没有个人账户支付规则，个人账户不支付".into(),
                NotApplicable::AccountNotUsed => "本次不使用个人账户".into(),
            },
        }
    }
}

fn exact_points(bp: u32) -> String {
    pct(bp).trim_end_matches('%').to_string()
}

/// Serialised as the derived fields plus `text`.
#[derive(Serialize)]
struct StepOut<'a> {
    #[serde(flatten)]
    step: &'a Step,
    text: String,
}

/// Serialises a step list with each step's Chinese text.
pub(crate) fn serialize_steps<S: Serializer>(steps: &[Step], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(steps.iter().map(|step| StepOut {
        step,
        text: step.text(),
    }))
}
