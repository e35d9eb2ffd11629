//! One refusal of the registry: a stable code and a Chinese message that names the rule and
//! its source, so a clerk can read it to the applicant.

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EnrolmentError {
    pub code: &'static str,
    pub message: String,
}

impl EnrolmentError {
    /// `rule` says what is wrong; `source` where the rule is written (seed and item).
    pub fn new(code: &'static str, rule: impl AsRef<str>, source: impl AsRef<str>) -> Self {
        let source = source.as_ref();
        let message = if source.is_empty() {
            rule.as_ref().to_string()
        } else {
            format!("{}（依据：{}）", rule.as_ref(), source)
        };
        EnrolmentError { code, message }
    }
}

impl Coded for EnrolmentError {
    fn code(&self) -> &'static str {
        self.code
    }

    fn message(&self) -> String {
        self.message.clone()
    }
}
