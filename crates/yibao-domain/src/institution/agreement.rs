//! The agreement lifecycle of a designated institution (定点协议管理) as pure state rules.
//!
//! Chongqing 33/34 (seed 003 「医疗机构/零售药店申请定点协议管理」): application, on-site
//! evaluation (实地查看、评估) within 10 days of acceptance, publicity (公示) of 7 working days,
//! then the service agreement (医保服务协议) is signed. Sichuan 33/34 (seed 001) name the same
//! steps inside one 60-working-day limit (考察评估、协商谈判、结果公示) without a publicity length.
//! Sichuan 35–37: information change, suspension/termination and restoration of the agreement;
//! Sichuan 38: opening cross-province direct settlement (a flag on the agreement).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::monthly::PaymentMethod;
use super::InstitutionError;
use crate::calendar::HolidayCalendar;

crate::codes::coded! {
    /// Where an institution stands in its agreement lifecycle.
    Stage {
        /// 已申请: the application was accepted.
        Applied = ("applied", "已受理申请"),
        /// 已评估: the on-site evaluation passed.
        Evaluated = ("evaluated", "评估通过"),
        /// 公示中: publicised, waiting for the publicity period to end.
        Publicised = ("publicised", "公示中"),
        /// 协议有效: the agreement is signed (in force within its term).
        InForce = ("in_force", "协议有效"),
        /// 暂停: the agreement is suspended (Sichuan 36).
        Suspended = ("suspended", "协议暂停"),
        /// 解除: the agreement is terminated (Sichuan 36); final.
        Terminated = ("terminated", "协议解除"),
        /// 未通过: the evaluation or the publicity failed; final.
        Refused = ("refused", "未通过评估或公示"),
    }
}

/// The terms of a service agreement (医保服务协议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force; `None` for an agreement recorded without a stated term (an
    /// institution an administrator registered before agreements were kept).
    pub valid_until: Option<NaiveDate>,
    /// 医疗机构等级 as agreed (e.g. 一级/二级/三级; free text from the licence).
    pub level: String,
    /// Services the agreement covers (e.g. 普通门诊、住院、门诊慢特病、生育).
    pub services: Vec<String>,
    /// How the month is paid (按项目 / 按病种分值 / 总额预付).
    pub methods: Vec<PaymentMethod>,
    /// 总额预付: the agreed annual budget in fen, when `methods` has `GlobalBudget`.
    pub annual_budget_fen: Option<i64>,
    /// 跨省异地就医直接结算 opened (Sichuan 38).
    pub cross_province: bool,
}

impl Agreement {
    /// Checks the terms: the term is ordered, a global budget has its amount, methods exist.
    pub fn check(&self) -> Result<(), InstitutionError> {
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err(InstitutionError::TermInvalid);
        }
        if self.methods.is_empty() {
            return Err(InstitutionError::FieldInvalid {
                field: "结算方式".into(),
                why: "至少约定一种结算方式".into(),
            });
        }
        let global = self.methods.contains(&PaymentMethod::GlobalBudget);
        match (global, self.annual_budget_fen) {
            (true, None) => Err(InstitutionError::FieldInvalid {
                field: "年度总额预算".into(),
                why: "约定总额预付的，须填写年度总额预算".into(),
            }),
            (true, Some(b)) if b <= 0 => Err(InstitutionError::FieldInvalid {
                field: "年度总额预算".into(),
                why: "应为正数".into(),
            }),
            _ => Ok(()),
        }
    }

    /// True when `date` is within the term.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|u| date <= u)
    }
}

/// True when the institution may settle on `date`: the agreement is signed, not suspended or
/// terminated, and `date` is within its term. Its API tokens work only then.
pub fn in_force_on(stage: Stage, agreement: Option<&Agreement>, date: NaiveDate) -> bool {
    stage == Stage::InForce && agreement.is_some_and(|a| a.covers(date))
}

/// Why an institution is not in force on `date`, in Chinese (for the refused API call).
pub fn not_in_force_reason(stage: Stage, agreement: Option<&Agreement>, date: NaiveDate) -> String {
    match (stage, agreement) {
        (Stage::InForce, Some(a)) if a.valid_from > date => {
            format!("医保服务协议自 {} 起生效，当前不能联网结算", a.valid_from)
        }
        (Stage::InForce, Some(a)) => match a.valid_until {
            Some(u) if u < date => format!("医保服务协议已于 {u} 到期，不能联网结算"),
            _ => "医保服务协议有效".to_string(),
        },
        (Stage::Suspended, _) => "医保服务协议已暂停，暂停期间不能联网结算".to_string(),
        (Stage::Terminated, _) => "医保服务协议已解除，不能联网结算".to_string(),
        (s, _) => format!(
            "尚未签订医保服务协议（当前状态：{}），不能联网结算",
            s.label()
        ),
    }
}

/// The on-site evaluation is due within 10 days of acceptance (Chongqing 33/34:
/// 「经办机构在正式受理10日内对医疗机构进行实地查看、评估工作」; 日 = calendar days).
pub fn evaluation_due(accepted_on: NaiveDate) -> NaiveDate {
    accepted_on
        .checked_add_days(Days::new(10))
        .unwrap_or(accepted_on)
}

/// Publicity (公示) in working days: Chongqing 33/34 「对外进行公示7个工作日」. Sichuan 33/34
/// name 结果公示 without a length (the whole is ≤ 60 working days): `None`.
pub fn publicity_working_days(jurisdiction: &str) -> Option<u32> {
    match jurisdiction {
        "chongqing" | "nanchuan" | "youyang" | "chuanyu" => Some(7),
        _ => None,
    }
}

/// The last day of a publicity that starts on `from` and lasts `days` working days (the first
/// working day on or after `from` is day 1).
pub fn publicity_ends(cal: &HolidayCalendar, from: NaiveDate, days: u32) -> NaiveDate {
    let first = cal.working_day_on_or_after(from);
    cal.add_working_days(first, days.saturating_sub(1)).value
}

/// A step of the lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementAction {
    /// The evaluation's result (评估): passed or not.
    Evaluate { passed: bool },
    /// Publicity starts (公示) on `from`; it ends after `days` working days (`None`: no fixed
    /// length, as in Sichuan; the agency closes it when it signs).
    Publicise { from: NaiveDate },
    /// The publicity found an objection that stands (公示未通过).
    PublicityObjected,
    /// The agreement is signed on `on` (签订协议).
    Sign {
        on: NaiveDate,
        publicity_ends: Option<NaiveDate>,
    },
    /// A change of the agreement's terms (信息变更 / 协议变更) while it is in force or suspended.
    Change,
    /// 暂停 (Sichuan 36).
    Suspend,
    /// 解除 (Sichuan 36).
    Terminate,
    /// 恢复 (Sichuan 37): a suspended agreement resumes.
    Restore,
}

impl AgreementAction {
    pub fn label(&self) -> &'static str {
        match self {
            AgreementAction::Evaluate { .. } => "评估",
            AgreementAction::Publicise { .. } => "公示",
            AgreementAction::PublicityObjected => "公示未通过",
            AgreementAction::Sign { .. } => "签订协议",
            AgreementAction::Change => "协议变更",
            AgreementAction::Suspend => "暂停协议",
            AgreementAction::Terminate => "解除协议",
            AgreementAction::Restore => "恢复协议",
        }
    }
}

/// The stage after `action` from `stage`, or why it is not allowed.
pub fn next_stage(stage: Stage, action: &AgreementAction) -> Result<Stage, InstitutionError> {
    use AgreementAction as A;
    use Stage as S;
    let not_allowed = || InstitutionError::ActionNotAllowed {
        action: action.label(),
        stage: stage.label(),
    };
    match (stage, action) {
        (S::Applied, A::Evaluate { passed: true }) => Ok(S::Evaluated),
        (S::Applied, A::Evaluate { passed: false }) => Ok(S::Refused),
        (S::Evaluated, A::Publicise { .. }) => Ok(S::Publicised),
        (S::Publicised, A::PublicityObjected) => Ok(S::Refused),
        (S::Publicised, A::Sign { on, publicity_ends }) => match publicity_ends {
            Some(end) if on <= end => Err(InstitutionError::PublicityRunning { ends_on: *end }),
            _ => Ok(S::InForce),
        },
        (S::InForce | S::Suspended, A::Change) => Ok(stage),
        (S::InForce, A::Suspend) => Ok(S::Suspended),
        (S::InForce | S::Suspended, A::Terminate) => Ok(S::Terminated),
        (S::Suspended, A::Restore) => Ok(S::InForce),
        _ => Err(not_allowed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearSchedule;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal2026() -> HolidayCalendar {
        let text = include_str!("../../../../data/calendar/2026.toml");
        HolidayCalendar::new([YearSchedule::parse(text).unwrap()])
    }

    fn agreement() -> Agreement {
        Agreement {
            valid_from: d("2026-01-01"),
            valid_until: Some(d("2028-12-31")),
            level: "二级".into(),
            services: vec!["住院".into()],
            methods: vec![PaymentMethod::FeeForService],
            annual_budget_fen: None,
            cross_province: false,
        }
    }

    /// Chongqing 33: evaluated → publicised 7 working days → signed after it ends.
    #[test]
    fn the_chongqing_path_signs_only_after_seven_working_days_of_publicity() {
        let cal = cal2026();
        let days = publicity_working_days("chongqing").unwrap();
        assert_eq!(days, 7);
        // Publicity from Wednesday 2026-09-23: 23, 24, 25 (Fri) then 中秋 9/25–9/27 is off…
        // counted by the calendar, not by adding calendar days.
        let ends = publicity_ends(&cal, d("2026-09-23"), days);
        assert_eq!(cal.working_days_between(d("2026-09-22"), ends).value, 7);
        let mut s = Stage::Applied;
        s = next_stage(s, &AgreementAction::Evaluate { passed: true }).unwrap();
        s = next_stage(
            s,
            &AgreementAction::Publicise {
                from: d("2026-09-23"),
            },
        )
        .unwrap();
        assert_eq!(s, Stage::Publicised);
        let early = AgreementAction::Sign {
            on: ends,
            publicity_ends: Some(ends),
        };
        assert_eq!(
            next_stage(s, &early),
            Err(InstitutionError::PublicityRunning { ends_on: ends })
        );
        let after = AgreementAction::Sign {
            on: ends.succ_opt().unwrap(),
            publicity_ends: Some(ends),
        };
        assert_eq!(next_stage(s, &after), Ok(Stage::InForce));
    }

    #[test]
    fn publicity_over_the_national_day_holiday_skips_it() {
        let cal = cal2026();
        // 2026 国庆 10/1–10/7 off, 10/10 (Sat) a make-up working day.
        let ends = publicity_ends(&cal, d("2026-09-29"), 7);
        // 9/29, 9/30, 10/8, 10/9, 10/10, 10/12, 10/13
        assert_eq!(ends, d("2026-10-13"));
    }

    #[test]
    fn sichuan_names_no_publicity_length() {
        assert_eq!(publicity_working_days("sichuan"), None);
        let s = next_stage(
            Stage::Publicised,
            &AgreementAction::Sign {
                on: d("2026-03-02"),
                publicity_ends: None,
            },
        );
        assert_eq!(s, Ok(Stage::InForce));
    }

    #[test]
    fn a_failed_evaluation_or_objection_refuses() {
        assert_eq!(
            next_stage(Stage::Applied, &AgreementAction::Evaluate { passed: false }),
            Ok(Stage::Refused)
        );
        assert_eq!(
            next_stage(Stage::Publicised, &AgreementAction::PublicityObjected),
            Ok(Stage::Refused)
        );
    }

    /// Sichuan 36/37: suspend, restore, terminate (final).
    #[test]
    fn suspension_restoration_and_termination() {
        let s = next_stage(Stage::InForce, &AgreementAction::Suspend).unwrap();
        assert_eq!(s, Stage::Suspended);
        assert!(!in_force_on(s, Some(&agreement()), d("2026-06-01")));
        assert_eq!(next_stage(s, &AgreementAction::Restore), Ok(Stage::InForce));
        let t = next_stage(s, &AgreementAction::Terminate).unwrap();
        assert_eq!(t, Stage::Terminated);
        for a in [
            AgreementAction::Restore,
            AgreementAction::Change,
            AgreementAction::Suspend,
        ] {
            assert!(matches!(
                next_stage(t, &a),
                Err(InstitutionError::ActionNotAllowed { .. })
            ));
        }
        assert!(next_stage(Stage::InForce, &AgreementAction::Restore).is_err());
        assert!(next_stage(
            Stage::Applied,
            &AgreementAction::Sign {
                on: d("2026-01-01"),
                publicity_ends: None
            }
        )
        .is_err());
    }

    #[test]
    fn in_force_only_within_the_term() {
        let a = agreement();
        assert!(!in_force_on(Stage::InForce, Some(&a), d("2025-12-31")));
        assert!(in_force_on(Stage::InForce, Some(&a), d("2026-01-01")));
        assert!(in_force_on(Stage::InForce, Some(&a), d("2028-12-31")));
        assert!(!in_force_on(Stage::InForce, Some(&a), d("2029-01-01")));
        assert!(!in_force_on(Stage::InForce, None, d("2026-06-01")));
        assert!(not_in_force_reason(Stage::InForce, Some(&a), d("2029-01-01")).contains("到期"));
        assert!(not_in_force_reason(Stage::Suspended, Some(&a), d("2026-06-01")).contains("暂停"));
        let open = Agreement {
            valid_until: None,
            ..a
        };
        assert!(in_force_on(Stage::InForce, Some(&open), d("2040-01-01")));
    }

    #[test]
    fn terms_are_checked() {
        let mut a = agreement();
        a.valid_until = Some(d("2025-12-31"));
        assert_eq!(a.check(), Err(InstitutionError::TermInvalid));
        let mut b = agreement();
        b.methods = vec![PaymentMethod::GlobalBudget];
        assert!(b.check().is_err());
        b.annual_budget_fen = Some(120_000_000);
        assert!(b.check().is_ok());
        let mut c = agreement();
        c.methods.clear();
        assert!(c.check().is_err());
    }

    #[test]
    fn evaluation_is_due_ten_days_after_acceptance() {
        assert_eq!(evaluation_due(d("2026-09-25")), d("2026-10-05"));
    }
}
