//! Everything a filing can be refused for, each with a stable code and a Chinese message. The
//! checks return every problem at once (一次性告知), so most functions give a `Vec<FilingError>`.

use chrono::NaiveDate;

use crate::error::Coded;
use crate::ids::{CitizenIdError, RegionCode, RegionCodeError};

use super::jurisdiction::FilingJurisdiction;
use super::kind::{FilingKind, Scheme};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilingError {
    // --- the form (seed 000 表1) ---
    #[error("form field {key} is missing")]
    FieldMissing {
        key: &'static str,
        label: &'static str,
    },
    #[error("form field {key} is invalid: {value}")]
    FieldInvalid {
        key: &'static str,
        label: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("id number: {0}")]
    IdNumber(CitizenIdError),
    #[error("region code: {0}")]
    Region(RegionCodeError),
    #[error("target fields do not nest: {child} is not inside {parent}")]
    TargetMismatch {
        parent: RegionCode,
        child: RegionCode,
    },

    // --- the target ---
    #[error("care region {region} files to a city; the city is missing")]
    TargetNeedsCity { region: RegionCode },
    #[error("care region {region} is outside the mainland system")]
    TargetOutsideMainland { region: RegionCode },

    // --- eligibility (办理条件) ---
    #[error("{jurisdiction:?} has no {kind:?} filing")]
    KindNotOffered {
        jurisdiction: FilingJurisdiction,
        kind: FilingKind,
        instead: Option<FilingKind>,
    },
    #[error("not insured")]
    NotInsured,
    #[error("contributions not normal / no entitlement")]
    NotEntitled,
    #[error("{kind:?} needs scheme {required:?}")]
    WrongScheme { kind: FilingKind, required: Scheme },
    #[error("not retired")]
    NotRetired,
    #[error("household registration not moved to the place of settlement")]
    HukouNotMoved,
    #[error("stay below {min} months")]
    StayTooShort { min: u32 },
    #[error("form kind {kind:?} is not the item's {item:?}")]
    KindNotOfItem { kind: FilingKind, item: FilingKind },
    #[error("referral certificate missing")]
    ReferralCertificateMissing,
    #[error("referral issued by a hospital not qualified to refer")]
    ReferralIssuerNotQualified,
    #[error("no emergency or rescue admission")]
    NotEmergencyAdmission,
    #[error("care region is inside the insured pooling region")]
    SamePoolingRegion,
    #[error("trauma registration is for in-province care only")]
    TraumaCrossProvince,
    #[error("trauma registration is a Sichuan rule")]
    TraumaNotSichuan,
    #[error("material {id} missing")]
    MaterialMissing { id: String, name: String },
    #[error("material {id} may not be replaced by a pledge")]
    PledgeNotAllowed { id: String, name: String },
    #[error("channel {channel} not offered for this item")]
    ChannelNotOffered { channel: &'static str },

    // --- validity, change and cancellation ---
    #[error("filing {id} is not in force on {date}")]
    NotInForce { id: String, date: NaiveDate },
    #[error("filing {id} may change or be cancelled from {earliest}")]
    TooEarlyToChange { id: String, earliest: NaiveDate },
    #[error("the change must name the same person and kind group")]
    ChangeIncompatible,
}

impl Coded for FilingError {
    fn code(&self) -> &'static str {
        use FilingError::*;
        match self {
            FieldMissing { .. } => "filing.form.missing",
            FieldInvalid { .. } => "filing.form.invalid",
            IdNumber(e) => e.code(),
            Region(e) => e.code(),
            TargetMismatch { .. } => "filing.form.target_mismatch",
            TargetNeedsCity { .. } => "filing.target.city_required",
            TargetOutsideMainland { .. } => "filing.target.outside_mainland",
            KindNotOffered { .. } => "filing.kind_not_offered",
            NotInsured => "filing.not_insured",
            NotEntitled => "filing.not_entitled",
            WrongScheme { .. } => "filing.wrong_scheme",
            NotRetired => "filing.not_retired",
            HukouNotMoved => "filing.hukou_not_moved",
            StayTooShort { .. } => "filing.stay_too_short",
            KindNotOfItem { .. } => "filing.kind_not_of_item",
            ReferralCertificateMissing => "filing.referral_certificate_missing",
            ReferralIssuerNotQualified => "filing.referral_issuer_not_qualified",
            NotEmergencyAdmission => "filing.not_emergency_admission",
            SamePoolingRegion => "filing.same_pooling_region",
            TraumaCrossProvince => "filing.trauma_cross_province",
            TraumaNotSichuan => "filing.trauma_not_sichuan",
            MaterialMissing { .. } => "filing.material_missing",
            PledgeNotAllowed { .. } => "filing.pledge_not_allowed",
            ChannelNotOffered { .. } => "filing.channel_not_offered",
            NotInForce { .. } => "filing.not_in_force",
            TooEarlyToChange { .. } => "filing.too_early_to_change",
            ChangeIncompatible => "filing.change_incompatible",
        }
    }

    fn message(&self) -> String {
        use FilingError::*;
        match self {
            FieldMissing { label, .. } => format!("请填写“{label}”"),
            FieldInvalid {
                label,
                value,
                expected,
                ..
            } => format!("“{label}”填写有误（收到“{value}”），应为{expected}"),
            IdNumber(e) => e.message(),
            Region(e) => e.message(),
            TargetMismatch { parent, child } => {
                format!("转往地区填写不一致：{child}不属于{parent}")
            }
            TargetNeedsCity { region } => format!(
                "{}须备案到就医地市（州），请选择具体的地区（市、州）（行政区划代码{region}）",
                region.province_name()
            ),
            TargetOutsideMainland { region } => format!(
                "{}不在内地（大陆）异地就医直接结算范围内，无法办理备案",
                region.province_name()
            ),
            KindNotOffered {
                jurisdiction,
                kind,
                instead,
            } => match instead {
                Some(i) => format!(
                    "{}办事指南没有“{}”备案事项，请办理“{}”备案",
                    jurisdiction.label(),
                    kind.label(),
                    i.label()
                ),
                None => format!(
                    "{}办事指南没有“{}”备案事项，请向参保地医保经办机构申请",
                    jurisdiction.label(),
                    kind.label()
                ),
            },
            NotInsured => "申请人未参加基本医疗保险或参保状态不正常".into(),
            NotEntitled => "申请人未正常缴纳医疗保险费用，不具备待遇享受资格".into(),
            WrongScheme { kind, required } => format!(
                "“{}”备案仅限{}参保人员办理",
                kind.label(),
                match required {
                    Scheme::Employee => "职工基本医疗保险",
                    Scheme::Resident => "城乡居民基本医疗保险",
                }
            ),
            NotRetired => "异地安置退休人员备案须已享受医保退休待遇".into(),
            HukouNotMoved => {
                "异地安置退休人员须户籍迁入定居地（可提供户口簿首页和本人常住人口登记卡，或个人承诺书）"
                    .into()
            }
            StayTooShort { min } => format!(
                "在异地居住或工作的时间原则上不低于{min}个月；短期外出请办理临时异地就医备案"
            ),
            KindNotOfItem { kind, item } => format!(
                "备案表“人员类别”为{}，与所办事项（{}备案）不一致：请改填人员类别，或改办{}备案",
                kind.label(),
                item.label(),
                kind.label()
            ),
            ReferralCertificateMissing => {
                "缺少具有转诊资质的定点医疗机构开具的转诊转院证明材料".into()
            }
            ReferralIssuerNotQualified => {
                "转诊转院证明须由具有转诊资质的定点医疗机构开具".into()
            }
            NotEmergencyAdmission => {
                "须为在异地因急诊、抢救住院，并提供救治医疗机构出具的急诊抢救病历或入院记录或病情诊断证明"
                    .into()
            }
            SamePoolingRegion => "就医地在参保统筹区内，无需办理异地就医备案".into(),
            TraumaCrossProvince => {
                "外伤暂不能跨省直接结算；外伤入院登记仅适用于四川省内异地就医".into()
            }
            TraumaNotSichuan => {
                "《四川省省内异地就医外伤入院登记表》仅适用于四川省参保人员在省内异地就医".into()
            }
            MaterialMissing { name, .. } => format!("缺少申办材料：{name}"),
            PledgeNotAllowed { name, .. } => {
                format!("申办材料“{name}”不能以个人承诺书代替")
            }
            ChannelNotOffered { channel } => format!("该事项不提供“{channel}”渠道"),
            NotInForce { date, .. } => format!("该备案在{date}不在有效期内"),
            TooEarlyToChange { earliest, .. } => {
                format!("备案后未满规定期限，{earliest}起方可变更或取消")
            }
            ChangeIncompatible => "变更只能针对本人同一类别的备案".into(),
        }
    }
}
