//! Errors of the benefit engine: every one has a stable code and a Chinese message naming the
//! line, field or parameter at fault, so a hospital's interface or a clerk can correct the input.

use chrono::NaiveDate;

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenefitError {
    #[error("bill has no lines")]
    EmptyBill,
    #[error("line {line_no}: negative {field}")]
    NegativeAmount { line_no: u32, field: &'static str },
    #[error("negative accumulator {field}")]
    NegativeAccumulator { field: &'static str },
    #[error("amount too large: {what}")]
    AmountTooLarge { what: String },
    #[error("line {line_no}: duplicate line number")]
    DuplicateLine { line_no: u32 },
    #[error("line {line_no}: unknown code {code}")]
    UnknownCode { line_no: u32, code: String },
    #[error("line {line_no}: {reason}")]
    InvalidLine { line_no: u32, reason: String },
    #[error("no policy parameters in the request")]
    PolicyMissing { policy_file: Option<String> },
    #[error("policy not in force on {date}")]
    PolicyNotInForce { date: NaiveDate },
    #[error("invalid policy: {reason}")]
    PolicyInvalid { reason: String },
    #[error("no benefit rule for {scheme}/{visit}/{level}")]
    NoRule {
        scheme: &'static str,
        visit: &'static str,
        level: &'static str,
    },
    #[error("per-admission deductible needs an admission id")]
    AdmissionMissing,
    #[error("accumulators of year {accumulators} used for a bill of year {bill}")]
    AccumulatorYear { accumulators: i32, bill: i32 },
    #[error("quantity {0:?} is not a decimal with at most three places")]
    Quantity(String),
    #[error("quantity {text:?} out of range (line {line_no:?})")]
    QuantityOutOfRange { line_no: Option<u32>, text: String },
    #[error("code {code}: two catalogue versions in force on {date}")]
    CatalogueOverlap { code: String, date: NaiveDate },
    #[error("invalid catalogue: {reason}")]
    CatalogueInvalid { reason: String },
    #[error("catalogue CSV line {line}: {reason}")]
    CatalogueCsv { line: usize, reason: String },
}

impl Coded for BenefitError {
    fn code(&self) -> &'static str {
        match self {
            BenefitError::EmptyBill => "benefit.empty_bill",
            BenefitError::NegativeAmount { .. } => "benefit.negative_amount",
            BenefitError::NegativeAccumulator { .. } => "benefit.negative_accumulator",
            BenefitError::AmountTooLarge { .. } => "benefit.amount_too_large",
            BenefitError::DuplicateLine { .. } => "benefit.duplicate_line",
            BenefitError::UnknownCode { .. } => "benefit.unknown_code",
            BenefitError::InvalidLine { .. } => "benefit.invalid_line",
            BenefitError::PolicyMissing { .. } => "benefit.policy_missing",
            BenefitError::PolicyNotInForce { .. } => "benefit.policy_not_in_force",
            BenefitError::PolicyInvalid { .. } => "benefit.policy_invalid",
            BenefitError::NoRule { .. } => "benefit.no_rule",
            BenefitError::AdmissionMissing => "benefit.admission_missing",
            BenefitError::AccumulatorYear { .. } => "benefit.accumulator_year",
            BenefitError::Quantity(_) => "benefit.quantity",
            BenefitError::QuantityOutOfRange { .. } => "benefit.quantity_out_of_range",
            BenefitError::CatalogueOverlap { .. } => "benefit.catalogue_overlap",
            BenefitError::CatalogueInvalid { .. } => "benefit.catalogue_invalid",
            BenefitError::CatalogueCsv { .. } => "benefit.catalogue_csv",
        }
    }

    fn message(&self) -> String {
        match self {
            BenefitError::EmptyBill => "费用清单为空：至少需要一条费用明细".to_string(),
            BenefitError::NegativeAmount { line_no, field } => {
                format!("第 {line_no} 条费用明细的“{field}”为负数；退费请走冲正（撤销结算），不要录入负数")
            }
            BenefitError::NegativeAccumulator { field } => {
                format!("年度累计数“{field}”不能为负数")
            }
            BenefitError::AmountTooLarge { what } => {
                format!("金额超出可处理的范围：{what}")
            }
            BenefitError::DuplicateLine { line_no } => {
                format!("费用明细流水号 {line_no} 重复")
            }
            BenefitError::UnknownCode { line_no, code } => {
                format!("第 {line_no} 条费用明细的项目编码“{code}”不在医保目录中（或在结算日期不在有效期内），且明细未注明收费项目等级")
            }
            BenefitError::InvalidLine { line_no, reason } => {
                format!("第 {line_no} 条费用明细有误：{reason}")
            }
            BenefitError::PolicyMissing {
                policy_file: Some(f),
            } => {
                format!("请求只写了待遇参数文件名“{f}”，须先由调用方读取该文件并填入 policy")
            }
            BenefitError::PolicyMissing { policy_file: None } => {
                "请求中没有待遇参数（policy 或 policy_file）".to_string()
            }
            BenefitError::PolicyNotInForce { date } => {
                format!("所给待遇参数在结算日期 {date} 不在有效期内")
            }
            BenefitError::PolicyInvalid { reason } => format!("待遇参数有误：{reason}"),
            BenefitError::NoRule {
                scheme,
                visit,
                level,
            } => format!("待遇参数中没有适用于“{scheme}·{visit}·{level}”的支付规则"),
            BenefitError::AdmissionMissing => {
                "该待遇按每次住院计算起付线，须提供住院号（admission_id / mdtrt_id）".to_string()
            }
            BenefitError::AccumulatorYear { accumulators, bill } => format!(
                "年度累计数属于 {accumulators} 年，而结算日期在 {bill} 年；须使用结算年度的累计数"
            ),
            BenefitError::Quantity(q) => {
                format!("数量“{q}”格式不正确：应为整数或最多三位小数的数字字符串，例如 \"1.5\"")
            }
            BenefitError::QuantityOutOfRange { line_no, text } => {
                let at = line_no.map_or(String::new(), |n| format!("第 {n} 条费用明细的"));
                format!(
                    "{at}数量“{text}”不在允许范围内：数量须大于 0 且不超过 {}；没有发生的费用请删除该条明细",
                    super::ratio::MAX_QUANTITY
                )
            }
            BenefitError::CatalogueOverlap { code, date } => format!(
                "医保目录中编码“{code}”在 {date} 有两个同时有效的版本，无法确定适用哪一个；请更正目录（同一编码的有效期不能重叠）"
            ),
            BenefitError::CatalogueInvalid { reason } => format!("医保目录有误：{reason}"),
            BenefitError::CatalogueCsv { line, reason } => {
                format!("医保目录 CSV 第 {line} 行：{reason}")
            }
        }
    }
}
