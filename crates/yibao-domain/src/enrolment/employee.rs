//! Employees enrolled and removed by their employer (职工参保登记 / 在职参保人员减员).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::EnrolmentError;
use super::retirement::{
    age_label, age_on, retirement_age_months, retirement_date, RetirementCategory,
};
use super::Jurisdiction;

/// When a report was due and how late it is. Lateness is recorded and shown, not refused:
/// the guides set the employer a duty, and the employee's coverage must still be registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timing {
    pub deadline: NaiveDate,
    pub late_days: i64,
    /// The rule that set the deadline, for the record and the notice.
    pub rule: String,
}

impl Timing {
    /// Due `days` after `event`; late by how many days `today` is past it.
    pub fn of(event: NaiveDate, days: u64, today: NaiveDate, rule: impl Into<String>) -> Timing {
        let deadline = event
            .checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX);
        Timing {
            deadline,
            late_days: (today - deadline).num_days().max(0),
            rule: rule.into(),
        }
    }

    pub fn is_late(&self) -> bool {
        self.late_days > 0
    }

    pub fn notice(&self) -> Option<String> {
        self.is_late().then(|| {
            format!(
                "已超过申报期限{}天（应于{}前申报；{}），已登记并记录逾期",
                self.late_days, self.deadline, self.rule
            )
        })
    }
}

/// Days an employer has to report a new employee, and where that is written (SEED-NOTES D09).
pub fn enrolment_deadline_days(j: Jurisdiction) -> (u64, &'static str) {
    match j {
        Jurisdiction::Chongqing | Jurisdiction::Chuanyu => (
            15,
            "seed 003 职工参保登记 办理条件4「新增人员报到后15日内」",
        ),
        Jurisdiction::Youyang => (15, "seed 002 单位人员新增「报到后15日内」"),
        Jurisdiction::Nanchuan => (
            30,
            "seed 004 法律依据 社会保险法第五十八条「自用工之日起三十日内」",
        ),
        Jurisdiction::Sichuan => (
            30,
            "seed 001 职工参保登记未定申报期限，按社会保险法第五十八条「自用工之日起三十日内」",
        ),
    }
}

#[derive(Debug, Clone)]
pub struct EmployeeEnrolment {
    pub jurisdiction: Jurisdiction,
    pub birth: NaiveDate,
    pub category: RetirementCategory,
    /// 报到 / 用工 date
    pub join_date: NaiveDate,
    pub today: NaiveDate,
}

/// Every reason the enrolment is refused, or when it was due.
pub fn check_employee_enrolment(e: &EmployeeEnrolment) -> Result<Timing, Vec<EnrolmentError>> {
    const SOURCE: &str = "seed 003 职工参保登记 办理条件1「职工年满16周岁且未达到法定退休年龄」";
    let mut errors = Vec::new();
    if e.join_date > e.today {
        errors.push(EnrolmentError::new(
            "registry.employee.join_in_future",
            format!("报到日期{}晚于今天，请在职工报到后申报", e.join_date),
            "seed 003 职工参保登记 办理条件4「报到后15日内」",
        ));
    }
    if age_on(e.birth, e.join_date) < 16 {
        errors.push(EnrolmentError::new(
            "registry.employee.under_16",
            format!("职工报到时（{}）未满16周岁，不能参加职工医保", e.join_date),
            SOURCE,
        ));
    }
    if e.join_date >= retirement_date(e.birth, e.category) {
        errors.push(EnrolmentError::new(
            "registry.employee.retirement_age",
            format!(
                "职工报到时（{}）已达到法定退休年龄{}（{}达到），不能作为在职职工参保",
                e.join_date,
                age_label(retirement_age_months(e.birth, e.category)),
                retirement_date(e.birth, e.category)
            ),
            SOURCE,
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (days, rule) = enrolment_deadline_days(e.jurisdiction);
    Ok(Timing::of(e.join_date, days, e.today, rule.to_string()))
}

/// Why an employee leaves the employer's roll (seed 003 单位在职参保人员减员 办理条件1; seed
/// 002 单位人员减少; 在职转退休 from seed 003 材料2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    ContractEnded,
    ContractTerminated,
    Transferred,
    Resigned,
    Dismissed,
    Enlisted,
    Studying,
    Missing,
    Died,
    EmployerSplit,
    Retired,
}

impl RemovalReason {
    pub const ALL: [RemovalReason; 11] = [
        RemovalReason::ContractEnded,
        RemovalReason::ContractTerminated,
        RemovalReason::Transferred,
        RemovalReason::Resigned,
        RemovalReason::Dismissed,
        RemovalReason::Enlisted,
        RemovalReason::Studying,
        RemovalReason::Missing,
        RemovalReason::Died,
        RemovalReason::EmployerSplit,
        RemovalReason::Retired,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RemovalReason::ContractEnded => "contract_ended",
            RemovalReason::ContractTerminated => "contract_terminated",
            RemovalReason::Transferred => "transferred",
            RemovalReason::Resigned => "resigned",
            RemovalReason::Dismissed => "dismissed",
            RemovalReason::Enlisted => "enlisted",
            RemovalReason::Studying => "studying",
            RemovalReason::Missing => "missing",
            RemovalReason::Died => "died",
            RemovalReason::EmployerSplit => "employer_split",
            RemovalReason::Retired => "retired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RemovalReason::ContractEnded => "终止劳动关系",
            RemovalReason::ContractTerminated => "解除劳动关系",
            RemovalReason::Transferred => "调动工作",
            RemovalReason::Resigned => "辞职",
            RemovalReason::Dismissed => "辞退",
            RemovalReason::Enlisted => "参军",
            RemovalReason::Studying => "上学",
            RemovalReason::Missing => "失踪",
            RemovalReason::Died => "死亡",
            RemovalReason::EmployerSplit => "单位分立",
            RemovalReason::Retired => "在职转退休",
        }
    }

    pub fn parse(text: &str) -> Result<RemovalReason, EnrolmentError> {
        let t = text.trim();
        RemovalReason::ALL
            .into_iter()
            .find(|r| {
                r.key() == t || r.label() == t || (t == "退休" && *r == RemovalReason::Retired)
            })
            .ok_or_else(|| {
                EnrolmentError::new(
                    "registry.removal.reason",
                    format!(
                        "减员原因“{t}”不在办事指南所列原因之内，可用：{}",
                        RemovalReason::ALL.map(|r| r.label()).join("、")
                    ),
                    "seed 003 单位在职参保人员减员 办理条件1",
                )
            })
    }
}

/// A removal is due within 15 days of the event (seed 003 减员 办理条件1; seed 002 单位人员减少).
pub fn check_removal(
    reason: RemovalReason,
    event_date: NaiveDate,
    today: NaiveDate,
) -> Result<Timing, EnrolmentError> {
    if event_date > today {
        return Err(EnrolmentError::new(
            "registry.removal.in_future",
            format!(
                "减员原因发生日期{event_date}（{}）晚于今天，请在发生后申报",
                reason.label()
            ),
            "seed 003 单位在职参保人员减员 办理条件1「上述情形发生后15日内」",
        ));
    }
    Ok(Timing::of(
        event_date,
        15,
        today,
        "seed 003 单位在职参保人员减员 办理条件1「上述情形发生后15日内」",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn enrol(
        j: Jurisdiction,
        birth: NaiveDate,
        join: NaiveDate,
        today: NaiveDate,
    ) -> Result<Timing, Vec<EnrolmentError>> {
        check_employee_enrolment(&EmployeeEnrolment {
            jurisdiction: j,
            birth,
            category: RetirementCategory::Male,
            join_date: join,
            today,
        })
    }

    // SEED-NOTES D09: an employee who starts 2024-03-01 is late in Chongqing from 2024-03-17,
    // under the national law (Nanchuan's legal basis) only from 2024-04-01.
    #[test]
    fn d09_deadline_per_guide() {
        let b = d(1990, 1, 1);
        let join = d(2024, 3, 1);
        assert!(!enrol(Jurisdiction::Chongqing, b, join, d(2024, 3, 16))
            .unwrap()
            .is_late());
        let late = enrol(Jurisdiction::Chongqing, b, join, d(2024, 3, 17)).unwrap();
        assert_eq!(late.late_days, 1);
        assert!(late.notice().unwrap().contains("15日内"));
        assert!(!enrol(Jurisdiction::Nanchuan, b, join, d(2024, 3, 31))
            .unwrap()
            .is_late());
        assert_eq!(
            enrol(Jurisdiction::Nanchuan, b, join, d(2024, 4, 1))
                .unwrap()
                .late_days,
            1
        );
        assert_eq!(
            enrol(Jurisdiction::Youyang, b, join, d(2024, 3, 17))
                .unwrap()
                .late_days,
            1
        );
    }

    #[test]
    fn age_boundaries() {
        let today = d(2026, 6, 1);
        // Turns 16 on the join date: admitted; the day before: refused.
        assert!(enrol(
            Jurisdiction::Chongqing,
            d(2010, 5, 20),
            d(2026, 5, 20),
            today
        )
        .is_ok());
        let e = enrol(
            Jurisdiction::Chongqing,
            d(2010, 5, 21),
            d(2026, 5, 20),
            today,
        )
        .unwrap_err();
        assert_eq!(e[0].code, "registry.employee.under_16");
        assert!(e[0].message.contains("seed 003"));
        // Born 1966-01-10: 60 years 4 months under the reform → reaches it on 2026-05-10.
        assert!(enrol(
            Jurisdiction::Chongqing,
            d(1966, 1, 10),
            d(2026, 5, 9),
            today
        )
        .is_ok());
        let e = enrol(
            Jurisdiction::Chongqing,
            d(1966, 1, 10),
            d(2026, 5, 10),
            today,
        )
        .unwrap_err();
        assert_eq!(e[0].code, "registry.employee.retirement_age");
        assert!(e[0].message.contains("60周岁4个月"), "{}", e[0].message);
    }

    #[test]
    fn removal_reasons_and_deadline() {
        assert_eq!(
            RemovalReason::parse("辞职").unwrap(),
            RemovalReason::Resigned
        );
        assert_eq!(
            RemovalReason::parse("退休").unwrap(),
            RemovalReason::Retired
        );
        assert_eq!(
            RemovalReason::parse("放假").unwrap_err().code,
            "registry.removal.reason"
        );
        let t = check_removal(RemovalReason::Resigned, d(2026, 3, 1), d(2026, 3, 16)).unwrap();
        assert!(!t.is_late());
        let t = check_removal(RemovalReason::Resigned, d(2026, 3, 1), d(2026, 3, 17)).unwrap();
        assert_eq!(t.late_days, 1);
        assert!(check_removal(RemovalReason::Died, d(2026, 4, 1), d(2026, 3, 17)).is_err());
    }
}
