//! Why a qualification is refused, or a chronic/special-disease visit is not settled under one.

use chrono::NaiveDate;

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualificationError {
    #[error("form field {key} missing")]
    FieldMissing {
        key: &'static str,
        label: &'static str,
    },
    #[error("form field {key} invalid")]
    FieldInvalid {
        key: &'static str,
        label: &'static str,
        expected: &'static str,
    },
    #[error("unknown disease {code}")]
    UnknownDisease { code: String, list: String },
    #[error("list not published")]
    ListNotPublished { heading: String },
    #[error("no list for the item")]
    NoList { item: String },
    #[error("disease not for the person's scheme")]
    NotForScheme {
        disease: String,
        enrollee: &'static str,
        heading: String,
    },
    #[error("too old")]
    TooOld { disease: String, max_age: u32 },
    #[error("evidence missing")]
    EvidenceMissing { document: String },
    #[error("examination not passed")]
    ExaminationNotPassed,
    #[error("certified in the future")]
    CertifiedInFuture { date: NaiveDate },
    #[error("flexible worker without grade")]
    GradeUnknown,
    #[error("not qualified")]
    NotQualified { disease: String },
    #[error("expired")]
    Expired {
        disease: String,
        valid_to: NaiveDate,
    },
    #[error("not yet valid")]
    NotYetValid {
        disease: String,
        valid_from: NaiveDate,
    },
    #[error("disease missing on a chronic visit")]
    DiseaseMissing,
}

impl Coded for QualificationError {
    fn code(&self) -> &'static str {
        use QualificationError as E;
        match self {
            E::FieldMissing { .. } => "qualification.field_missing",
            E::FieldInvalid { .. } => "qualification.field_invalid",
            E::UnknownDisease { .. } => "qualification.unknown_disease",
            E::ListNotPublished { .. } => "qualification.list_not_published",
            E::NoList { .. } => "qualification.no_list",
            E::NotForScheme { .. } => "qualification.not_for_scheme",
            E::TooOld { .. } => "qualification.age_limit",
            E::EvidenceMissing { .. } => "qualification.evidence_missing",
            E::ExaminationNotPassed => "qualification.examination_not_passed",
            E::CertifiedInFuture { .. } => "qualification.certified_in_future",
            E::GradeUnknown => "qualification.grade_unknown",
            E::NotQualified { .. } => "qualification.not_qualified",
            E::Expired { .. } => "qualification.expired",
            E::NotYetValid { .. } => "qualification.not_yet_valid",
            E::DiseaseMissing => "qualification.disease_missing",
        }
    }

    fn message(&self) -> String {
        use QualificationError as E;
        match self {
            E::FieldMissing { label, .. } => format!("请填写“{label}”"),
            E::FieldInvalid {
                label, expected, ..
            } => format!("“{label}”填写有误，应为{expected}"),
            E::UnknownDisease { code, list } => {
                format!("病种“{code}”不在《{list}》中")
            }
            E::ListNotPublished { heading } => format!(
                "{heading}目录未在办事指南中公布（以各经办机构公布的为准），本事项请到经办机构窗口办理"
            ),
            E::NoList { item } => format!("事项“{item}”没有可适用的病种目录，请到窗口办理"),
            E::NotForScheme {
                disease,
                enrollee,
                heading,
            } => format!(
                "病种“{disease}”属于“{heading}”，不适用于{enrollee}参保人员"
            ),
            E::TooOld { disease, max_age } => {
                format!("病种“{disease}”限{max_age}周岁（含）以下参保人")
            }
            E::EvidenceMissing { document } => {
                format!("缺少认定所需的医学证明材料：{document}")
            }
            E::ExaminationNotPassed => {
                "鉴定检查（体检）结果不符合特病准入标准，不予认定".into()
            }
            E::CertifiedInFuture { date } => format!("鉴定（诊断）日期 {date} 晚于今天"),
            E::GradeUnknown => {
                "未查到该灵活就业人员的缴费档次，无法确定适用的病种范围".into()
            }
            E::NotQualified { disease } => format!(
                "该参保人未认定“{disease}”门诊慢特病（特病）资格，不能按门诊慢特病结算；请先办理资格认定，或按普通门诊结算"
            ),
            E::Expired { disease, valid_to } => format!(
                "该参保人“{disease}”门诊慢特病（特病）资格已于 {valid_to} 到期，到期后不能按门诊慢特病结算；请参保人重新办理资格认定"
            ),
            E::NotYetValid {
                disease,
                valid_from,
            } => format!(
                "该参保人“{disease}”门诊慢特病（特病）资格自 {valid_from} 起生效，就诊日尚未生效"
            ),
            E::DiseaseMissing => {
                "门诊慢特病（医疗类别 14）结算须填写所认定的病种（disease / dise_codg）".into()
            }
        }
    }
}
