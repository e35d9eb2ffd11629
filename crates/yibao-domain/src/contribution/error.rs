//! One refusal or failure of the contribution rules: a stable code and a Chinese message that
//! names the rule and where it is written (guide and item, or the policy file).

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ContributionError {
    pub code: &'static str,
    pub message: String,
}

impl ContributionError {
    /// `rule` says what is wrong; `source` where the rule is written (seed and item, or policy).
    pub fn new(code: &'static str, rule: impl AsRef<str>, source: impl AsRef<str>) -> Self {
        let source = source.as_ref();
        let message = if source.is_empty() {
            rule.as_ref().to_string()
        } else {
            format!("{}（依据：{}）", rule.as_ref(), source)
        };
        ContributionError { code, message }
    }

    pub(crate) fn overflow() -> Self {
        ContributionError::new("contribution.overflow", "金额超出可处理的范围", "")
    }

    pub(crate) fn policy(reason: impl AsRef<str>) -> Self {
        ContributionError::new(
            "contribution.policy_invalid",
            format!("缴费政策参数有误：{}", reason.as_ref()),
            "",
        )
    }
}

impl Coded for ContributionError {
    fn code(&self) -> &'static str {
        self.code
    }

    fn message(&self) -> String {
        self.message.clone()
    }
}
