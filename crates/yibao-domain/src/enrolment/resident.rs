//! 城乡居民参保登记: who may enrol (seed 000 十、办理条件, the Sichuan and Chongqing lists;
//! seed 003 服务对象) and when (seed 003 办理条件1–4).

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::documents::Origin;
use super::error::EnrolmentError;
use super::Jurisdiction;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidentCategory {
    /// 本地户籍城乡居民（含中小学生、中职学生、在园幼儿）
    LocalResident,
    /// 本地户籍新生儿
    Newborn,
    /// 在本地高校就读的全日制学生（含港澳台大学生）
    UniversityStudent,
    /// 取得本地《居住证》的外地户籍人员
    ResidencePermitHolder,
    /// 办理《港澳台居民居住证》的港澳台居民
    HmtResident,
    /// 取得《外国人永久居留证》的外国籍人员
    ForeignPermanentResident,
    /// 引进人才及专家的配偶、子女（重庆：及父母）
    TalentFamily,
    /// 其他符合参保地参保政策规定的人员（四川）
    OtherByLocalPolicy,
}

impl ResidentCategory {
    pub const ALL: [ResidentCategory; 8] = [
        ResidentCategory::LocalResident,
        ResidentCategory::Newborn,
        ResidentCategory::UniversityStudent,
        ResidentCategory::ResidencePermitHolder,
        ResidentCategory::HmtResident,
        ResidentCategory::ForeignPermanentResident,
        ResidentCategory::TalentFamily,
        ResidentCategory::OtherByLocalPolicy,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ResidentCategory::LocalResident => "local_resident",
            ResidentCategory::Newborn => "newborn",
            ResidentCategory::UniversityStudent => "university_student",
            ResidentCategory::ResidencePermitHolder => "residence_permit_holder",
            ResidentCategory::HmtResident => "hmt_resident",
            ResidentCategory::ForeignPermanentResident => "foreign_permanent_resident",
            ResidentCategory::TalentFamily => "talent_family",
            ResidentCategory::OtherByLocalPolicy => "other_by_local_policy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ResidentCategory::LocalResident => "本地户籍城乡居民（含中小学生、在园幼儿）",
            ResidentCategory::Newborn => "本地户籍新生儿",
            ResidentCategory::UniversityStudent => "本地高校全日制学生",
            ResidentCategory::ResidencePermitHolder => "取得本地居住证的外地户籍人员",
            ResidentCategory::HmtResident => "持港澳台居民居住证的港澳台居民",
            ResidentCategory::ForeignPermanentResident => "持外国人永久居留证的外国籍人员",
            ResidentCategory::TalentFamily => "引进人才及专家的家属",
            ResidentCategory::OtherByLocalPolicy => "其他符合参保地参保政策规定的人员",
        }
    }

    pub fn parse(text: &str) -> Option<ResidentCategory> {
        let t = text.trim();
        ResidentCategory::ALL
            .into_iter()
            .find(|c| c.key() == t || c.label() == t)
    }
}

/// The facts the category rules look at.
#[derive(Debug, Clone)]
pub struct ResidentApplicant {
    pub jurisdiction: Jurisdiction,
    pub category: ResidentCategory,
    pub origin: Origin,
    /// Has a job (Sichuan admits 港澳台 and foreign residents only when 未就业).
    pub employed: bool,
}

/// Whether the category is on the deciding guide's list (SEED-NOTES D22).
pub fn check_resident_category(a: &ResidentApplicant) -> Result<(), EnrolmentError> {
    use ResidentCategory as C;
    let sichuan = a.jurisdiction == Jurisdiction::Sichuan;
    let list = if sichuan {
        "seed 000 十、办理条件 四川省1–7"
    } else {
        "seed 000 十、办理条件 重庆市1–7；seed 003 城乡居民参保登记 服务对象"
    };
    let on_list = match a.category {
        C::OtherByLocalPolicy => sichuan,
        // 003 adds 「办理了我市港澳台居民居住证的港澳台胞」 to the Chongqing list of 000.
        _ => true,
    };
    if !on_list {
        return Err(EnrolmentError::new(
            "registry.resident.category",
            format!(
                "“{}”不在参保地办事指南所列城乡居民参保对象之内",
                a.category.label()
            ),
            list,
        ));
    }
    let needs_unemployed =
        sichuan && matches!(a.category, C::HmtResident | C::ForeignPermanentResident);
    if needs_unemployed && a.employed {
        return Err(EnrolmentError::new(
            "registry.resident.employed",
            format!(
                "{}须为未就业人员方可参加城乡居民医保；已就业的应由用人单位办理职工参保",
                a.category.label()
            ),
            "seed 000 十、办理条件 四川省4、5「未就业」",
        ));
    }
    let origin_fits = match a.category {
        C::HmtResident => a.origin == Origin::HongKongMacauTaiwan,
        C::ForeignPermanentResident => a.origin == Origin::Foreign,
        C::LocalResident | C::Newborn | C::ResidencePermitHolder => a.origin == Origin::Mainland,
        _ => true,
    };
    if !origin_fits {
        return Err(EnrolmentError::new(
            "registry.resident.document",
            format!("所持证件与参保类别“{}”不符", a.category.label()),
            list,
        ));
    }
    Ok(())
}

/// Which enrolment window the application falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// 集中参保期 9月1日–12月31日, for the next year
    Annual,
    /// 新生儿出生之日起90日内
    Newborn,
    /// 高校大学生开学之日起60天内
    University,
    /// 中途参保, until 30 September of the coverage year
    MidYear,
    /// The deciding guide states no window (seed 001 / 000 for Sichuan).
    NotStated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoveragePlan {
    pub window: Window,
    pub coverage_year: i32,
    pub starts_on: NaiveDate,
    /// First day benefits are paid; later than `starts_on` when a waiting period applies.
    pub benefits_from: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct ResidentTiming {
    pub jurisdiction: Jurisdiction,
    pub category: ResidentCategory,
    pub birth: NaiveDate,
    /// 开学日期, for university students
    pub term_start: Option<NaiveDate>,
    /// The coverage year asked for; by default the next year during the annual window,
    /// otherwise this year.
    pub year: Option<i32>,
    pub today: NaiveDate,
}

const CQ: &str = "seed 003 城乡居民参保登记 办理条件";
/// National rule, POLICY-FACTS §2 (国办发〔2024〕38号, secondary source): a fixed 3-month wait
/// for those who enrol outside the concentrated period.
const WAIT: &str = "国办发〔2024〕38号：集中参保期外参保的，设置3个月固定待遇等待期（POLICY-FACTS 第2节，二手来源）";

/// When the coverage starts, or why it cannot be registered now.
pub fn resident_enrolment_plan(t: &ResidentTiming) -> Result<CoveragePlan, EnrolmentError> {
    let today = t.today;
    let this_year = today.year();
    if t.jurisdiction == Jurisdiction::Sichuan {
        let year = t.year.unwrap_or(this_year);
        if year != this_year && year != this_year + 1 {
            return Err(bad_year(year, this_year, "seed 001 城乡居民参保登记"));
        }
        let starts_on = if year == this_year { today } else { jan1(year) };
        return Ok(CoveragePlan {
            window: Window::NotStated,
            coverage_year: year,
            starts_on,
            benefits_from: starts_on,
            note: "四川省办事指南未规定参保登记时间，缴费期和待遇等待期按参保地当地规定执行".into(),
        });
    }
    if t.category == ResidentCategory::Newborn {
        let last = t
            .birth
            .checked_add_days(Days::new(90))
            .unwrap_or(NaiveDate::MAX);
        if today < t.birth {
            return Err(EnrolmentError::new(
                "registry.resident.birth",
                "出生日期晚于今天",
                "",
            ));
        }
        if today <= last && t.year.is_none_or(|y| y == t.birth.year()) {
            return Ok(CoveragePlan {
                window: Window::Newborn,
                coverage_year: t.birth.year(),
                starts_on: t.birth,
                benefits_from: t.birth,
                note: format!("新生儿出生之日起90日内参保（{CQ}2），自出生之日起享受待遇"),
            });
        }
    }
    if let (ResidentCategory::UniversityStudent, Some(start)) = (t.category, t.term_start) {
        let last = start
            .checked_add_days(Days::new(60))
            .unwrap_or(NaiveDate::MAX);
        if today >= start && today <= last && t.year.is_none_or(|y| y == start.year()) {
            return Ok(CoveragePlan {
                window: Window::University,
                coverage_year: start.year(),
                starts_on: start,
                benefits_from: start,
                note: format!("在渝高校大学生开学之日起60天内参保（{CQ}3）"),
            });
        }
    }
    let in_annual = today.month() >= 9;
    let year = t
        .year
        .unwrap_or(if in_annual { this_year + 1 } else { this_year });
    if year == this_year + 1 {
        if !in_annual {
            return Err(EnrolmentError::new(
                "registry.resident.window",
                format!("集中参加{year}年度居民医保的申报缴费时间为{this_year}年9月1日至12月31日，现在不在集中参保期内；可申请{this_year}年度中途参保"),
                format!("{CQ}1"),
            ));
        }
        return Ok(CoveragePlan {
            window: Window::Annual,
            coverage_year: year,
            starts_on: jan1(year),
            benefits_from: jan1(year),
            note: format!("集中参保期（每年9月1日至12月31日）参加次年居民医保（{CQ}1）"),
        });
    }
    if year != this_year {
        return Err(bad_year(year, this_year, &format!("{CQ}1、4")));
    }
    let last_mid = NaiveDate::from_ymd_opt(this_year, 9, 30).unwrap_or(today);
    if today > last_mid {
        return Err(EnrolmentError::new(
            "registry.resident.window",
            format!("中途参保最迟申报缴费时间截止到参保年度的9月30日，{this_year}年度已不能中途参保；请在12月31日前参加{}年度集中参保", this_year + 1),
            format!("{CQ}4"),
        ));
    }
    let benefits_from = today.checked_add_months(Months::new(3)).unwrap_or(today);
    Ok(CoveragePlan {
        window: Window::MidYear,
        coverage_year: year,
        starts_on: today,
        benefits_from,
        note: format!("中途参保（{CQ}4）；{WAIT}"),
    })
}

fn jan1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn bad_year(year: i32, this_year: i32, source: &str) -> EnrolmentError {
    EnrolmentError::new(
        "registry.resident.year",
        format!(
            "只能登记{this_year}年度或{}年度的居民医保，申请的是{year}年度",
            this_year + 1
        ),
        source,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn plan(
        category: ResidentCategory,
        today: NaiveDate,
        year: Option<i32>,
    ) -> Result<CoveragePlan, EnrolmentError> {
        resident_enrolment_plan(&ResidentTiming {
            jurisdiction: Jurisdiction::Chongqing,
            category,
            birth: d(1990, 1, 1),
            term_start: None,
            year,
            today,
        })
    }

    #[test]
    fn annual_window_is_september_to_december() {
        let p = plan(ResidentCategory::LocalResident, d(2026, 9, 1), None).unwrap();
        assert_eq!(
            (p.window, p.coverage_year, p.starts_on),
            (Window::Annual, 2027, d(2027, 1, 1))
        );
        let p = plan(ResidentCategory::LocalResident, d(2026, 12, 31), None).unwrap();
        assert_eq!(p.coverage_year, 2027);
        let e = plan(ResidentCategory::LocalResident, d(2026, 8, 31), Some(2027)).unwrap_err();
        assert_eq!(e.code, "registry.resident.window");
    }

    #[test]
    fn mid_year_until_30_september_with_waiting_period() {
        let p = plan(ResidentCategory::LocalResident, d(2026, 9, 30), Some(2026)).unwrap();
        assert_eq!((p.window, p.coverage_year), (Window::MidYear, 2026));
        assert_eq!(p.benefits_from, d(2026, 12, 30));
        let p = plan(ResidentCategory::LocalResident, d(2026, 3, 5), None).unwrap();
        assert_eq!(p.window, Window::MidYear);
        let e = plan(ResidentCategory::LocalResident, d(2026, 10, 1), Some(2026)).unwrap_err();
        assert_eq!(e.code, "registry.resident.window");
        assert!(e.message.contains("9月30日"));
        assert_eq!(
            plan(ResidentCategory::LocalResident, d(2026, 3, 5), Some(2025))
                .unwrap_err()
                .code,
            "registry.resident.year"
        );
    }

    #[test]
    fn newborn_within_90_days_from_birth() {
        let born = d(2026, 2, 1);
        let t = |today| {
            resident_enrolment_plan(&ResidentTiming {
                jurisdiction: Jurisdiction::Chongqing,
                category: ResidentCategory::Newborn,
                birth: born,
                term_start: None,
                year: None,
                today,
            })
        };
        let p = t(d(2026, 5, 2)).unwrap(); // day 90
        assert_eq!(
            (p.window, p.starts_on, p.benefits_from),
            (Window::Newborn, born, born)
        );
        let p = t(d(2026, 5, 3)).unwrap(); // day 91: an ordinary mid-year enrolment
        assert_eq!(p.window, Window::MidYear);
    }

    #[test]
    fn university_students_within_60_days_of_term() {
        let t = |today| {
            resident_enrolment_plan(&ResidentTiming {
                jurisdiction: Jurisdiction::Chongqing,
                category: ResidentCategory::UniversityStudent,
                birth: d(2007, 1, 1),
                term_start: Some(d(2026, 9, 1)),
                year: None,
                today,
            })
        };
        assert_eq!(t(d(2026, 10, 31)).unwrap().window, Window::University);
        // Day 61: the annual window for next year applies instead.
        let p = t(d(2026, 11, 1)).unwrap();
        assert_eq!((p.window, p.coverage_year), (Window::Annual, 2027));
    }

    #[test]
    fn sichuan_states_no_window() {
        let p = resident_enrolment_plan(&ResidentTiming {
            jurisdiction: Jurisdiction::Sichuan,
            category: ResidentCategory::LocalResident,
            birth: d(1990, 1, 1),
            term_start: None,
            year: None,
            today: d(2026, 10, 15),
        })
        .unwrap();
        assert_eq!((p.window, p.coverage_year), (Window::NotStated, 2026));
    }

    // SEED-NOTES D22.
    #[test]
    fn category_lists_per_guide() {
        let a = |j, category, origin, employed| ResidentApplicant {
            jurisdiction: j,
            category,
            origin,
            employed,
        };
        use ResidentCategory::*;
        assert!(check_resident_category(&a(
            Jurisdiction::Chongqing,
            HmtResident,
            Origin::HongKongMacauTaiwan,
            true
        ))
        .is_ok());
        assert_eq!(
            check_resident_category(&a(
                Jurisdiction::Sichuan,
                HmtResident,
                Origin::HongKongMacauTaiwan,
                true
            ))
            .unwrap_err()
            .code,
            "registry.resident.employed"
        );
        assert!(check_resident_category(&a(
            Jurisdiction::Chongqing,
            ForeignPermanentResident,
            Origin::Foreign,
            true
        ))
        .is_ok());
        assert!(check_resident_category(&a(
            Jurisdiction::Sichuan,
            OtherByLocalPolicy,
            Origin::Mainland,
            false
        ))
        .is_ok());
        assert_eq!(
            check_resident_category(&a(
                Jurisdiction::Chongqing,
                OtherByLocalPolicy,
                Origin::Mainland,
                false
            ))
            .unwrap_err()
            .code,
            "registry.resident.category"
        );
        assert_eq!(
            check_resident_category(&a(
                Jurisdiction::Chongqing,
                LocalResident,
                Origin::Foreign,
                false
            ))
            .unwrap_err()
            .code,
            "registry.resident.document"
        );
    }
}
