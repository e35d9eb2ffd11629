//! Designated institutions (定点医药机构): the agreement lifecycle (申请 → 评估 → 公示 → 协议,
//! change, suspension, termination, restoration) and the monthly settlement with the agency
//! (申报 → 对账 → 结算单 → 确认 → 拨付). Pure rules; time and data are parameters.

pub mod agreement;
pub mod cross_province;
pub mod designation;
pub mod monthly;
pub mod year_end;

pub use agreement::{Agreement, AgreementAction, Stage};
pub use monthly::{
    compute_statement, reconcile, Fund, LedgerLine, LineKey, MonthRules, PaymentMethod,
    Reconciliation, Statement,
};

use crate::error::Coded;

/// Why an institution rule refused an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionError {
    /// The action is not allowed from the institution's current stage.
    #[error("action not allowed")]
    ActionNotAllowed {
        action: &'static str,
        stage: &'static str,
    },
    /// Signing before the publicity period (公示) has ended.
    #[error("publicity running")]
    PublicityRunning { ends_on: chrono::NaiveDate },
    /// An agreement's term ends before it starts, or a date falls outside it.
    #[error("term invalid")]
    TermInvalid,
    /// A field of a declaration or an agreement is missing or wrong.
    #[error("field invalid")]
    FieldInvalid { field: String, why: String },
    /// The month's rules (data) do not read or are inconsistent.
    #[error("rules invalid")]
    RulesInvalid(String),
    /// The declaration does not match the ledger: no 结算单 until it does.
    #[error("mismatched")]
    Mismatched { lines: usize },
    /// Deductions larger than what is due.
    #[error("deductions exceed")]
    DeductionsExceedDue,
    /// An amount overflowed.
    #[error("overflow")]
    Overflow,
    /// A field of an application's form (its key, for the page) is missing or wrong.
    #[error("form invalid")]
    Form { key: &'static str, message: String },
}

impl Coded for InstitutionError {
    fn code(&self) -> &'static str {
        match self {
            InstitutionError::ActionNotAllowed { .. } => "institution.action_not_allowed",
            InstitutionError::PublicityRunning { .. } => "institution.publicity_running",
            InstitutionError::TermInvalid => "institution.term_invalid",
            InstitutionError::FieldInvalid { .. } => "institution.field_invalid",
            InstitutionError::RulesInvalid(_) => "institution.rules_invalid",
            InstitutionError::Mismatched { .. } => "monthly.mismatched",
            InstitutionError::DeductionsExceedDue => "monthly.deductions_exceed_due",
            InstitutionError::Overflow => "monthly.overflow",
            InstitutionError::Form { .. } => "institution.form_invalid",
        }
    }

    fn message(&self) -> String {
        match self {
            InstitutionError::ActionNotAllowed { action, stage } => {
                format!("机构当前状态为“{stage}”，不能办理“{action}”")
            }
            InstitutionError::PublicityRunning { ends_on } => {
                format!("公示期至 {ends_on} 结束，公示期满后方可签订医保服务协议")
            }
            InstitutionError::TermInvalid => "协议期限有误：终止日期不能早于起始日期".to_string(),
            InstitutionError::FieldInvalid { field, why } => format!("{field}：{why}"),
            InstitutionError::RulesInvalid(why) => format!("月结算规则数据有误：{why}"),
            InstitutionError::Mismatched { lines } => format!(
                "申报数据与实时结算记录有 {lines} 处不一致，请核对后重新申报，对账无误后方可生成月结算单"
            ),
            InstitutionError::DeductionsExceedDue => {
                "扣款合计超过本月应付金额，请核对扣款".to_string()
            }
            InstitutionError::Overflow => "金额超出可处理范围".to_string(),
            InstitutionError::Form { message, .. } => message.clone(),
        }
    }
}
