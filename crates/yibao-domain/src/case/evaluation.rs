//! 好差评: five levels, once per case after it ends; a dissatisfied one opens a follow-up.

use serde::{Deserialize, Serialize};

use super::error::CaseError;
use crate::codes::{coded, UnknownCode};

coded! {
    /// The supervisor's follow-up of an evaluation (差评整改).
    FollowUp {
        /// Satisfied levels need none.
        NotNeeded = ("none", "无需整改"),
        Open = ("open", "待整改"),
        Closed = ("closed", "已整改"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl TryFrom<String> for Evaluation {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<Evaluation, UnknownCode> {
        match Evaluation::ALL.into_iter().find(|e| e.as_str() == key) {
            Some(e) => Ok(e),
            None => Err(UnknownCode {
                what: "Evaluation",
                key,
            }),
        }
    }
}

impl Evaluation {
    pub const ALL: [Evaluation; 5] = [
        Evaluation::VerySatisfied,
        Evaluation::Satisfied,
        Evaluation::BasicallySatisfied,
        Evaluation::Dissatisfied,
        Evaluation::VeryDissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Evaluation::VerySatisfied => "very_satisfied",
            Evaluation::Satisfied => "satisfied",
            Evaluation::BasicallySatisfied => "basically_satisfied",
            Evaluation::Dissatisfied => "dissatisfied",
            Evaluation::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Evaluation::VerySatisfied => "非常满意",
            Evaluation::Satisfied => "满意",
            Evaluation::BasicallySatisfied => "基本满意",
            Evaluation::Dissatisfied => "不满意",
            Evaluation::VeryDissatisfied => "非常不满意",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Result<Evaluation, CaseError> {
        let s = s.trim();
        Evaluation::ALL
            .into_iter()
            .find(|e| e.as_str() == s || e.label() == s)
            .ok_or_else(|| CaseError::EvaluationLevel(s.chars().take(20).collect()))
    }

    /// The follow-up an evaluation starts with: a dissatisfied one is open.
    pub fn follow_up(self) -> FollowUp {
        if self.is_dissatisfied() {
            FollowUp::Open
        } else {
            FollowUp::NotNeeded
        }
    }

    /// 不满意 and 非常不满意 open a follow-up for the supervisor (差评整改).
    pub fn is_dissatisfied(self) -> bool {
        matches!(
            self,
            Evaluation::Dissatisfied | Evaluation::VeryDissatisfied
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dissatisfied_levels_open_a_follow_up_and_stored_levels_read_back() {
        for e in Evaluation::ALL {
            assert_eq!(Evaluation::try_from(e.as_str().to_string()), Ok(e));
            let expect = if e.is_dissatisfied() {
                FollowUp::Open
            } else {
                FollowUp::NotNeeded
            };
            assert_eq!(e.follow_up(), expect);
        }
        assert!(Evaluation::try_from("非常满意".to_string()).is_err());
        assert_eq!(FollowUp::try_from("open".to_string()), Ok(FollowUp::Open));
    }

    #[test]
    fn five_levels_and_the_dissatisfied_two() {
        assert_eq!(
            Evaluation::parse("非常满意").unwrap(),
            Evaluation::VerySatisfied
        );
        assert_eq!(
            Evaluation::parse("dissatisfied").unwrap(),
            Evaluation::Dissatisfied
        );
        assert!(Evaluation::parse("还行").is_err());
        let bad: Vec<_> = Evaluation::ALL
            .into_iter()
            .filter(|e| e.is_dissatisfied())
            .collect();
        assert_eq!(
            bad,
            vec![Evaluation::Dissatisfied, Evaluation::VeryDissatisfied]
        );
    }
}
