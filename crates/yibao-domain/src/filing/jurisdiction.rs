//! Whose guide decides a filing, which kinds it offers, and how fast it completes.
//!
//! The deciding jurisdiction's rule applies (SEED-NOTES §2): for a 川渝通办 case the 000 timing
//! and the insured place's substantive rules.

use serde::{Deserialize, Serialize};

use crate::catalog::{ChannelKind, Service};

use super::error::FilingError;
use super::kind::FilingKind;

/// The five guides (`data/catalog/jurisdictions.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingJurisdiction {
    /// seed 000, 川渝通办
    Chuanyu,
    /// seed 001, 四川省
    Sichuan,
    /// seed 002, 酉阳自治县
    Youyang,
    /// seed 003, 重庆市
    Chongqing,
    /// seed 004, 南川区 (its list gives legal bases only; the municipal guide 003 supplies the
    /// conditions, see `eligibility`)
    Nanchuan,
}

impl FilingJurisdiction {
    pub const ALL: [FilingJurisdiction; 5] = [
        FilingJurisdiction::Chuanyu,
        FilingJurisdiction::Sichuan,
        FilingJurisdiction::Youyang,
        FilingJurisdiction::Chongqing,
        FilingJurisdiction::Nanchuan,
    ];

    /// The catalog key (`data/catalog/<key>/`).
    pub fn key(self) -> &'static str {
        match self {
            FilingJurisdiction::Chuanyu => "chuanyu",
            FilingJurisdiction::Sichuan => "sichuan",
            FilingJurisdiction::Youyang => "youyang",
            FilingJurisdiction::Chongqing => "chongqing",
            FilingJurisdiction::Nanchuan => "nanchuan",
        }
    }

    pub fn from_key(key: &str) -> Option<FilingJurisdiction> {
        FilingJurisdiction::ALL.into_iter().find(|j| j.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            FilingJurisdiction::Chuanyu => "川渝通办",
            FilingJurisdiction::Sichuan => "四川省",
            FilingJurisdiction::Youyang => "酉阳自治县",
            FilingJurisdiction::Chongqing => "重庆市",
            FilingJurisdiction::Nanchuan => "南川区",
        }
    }

    /// Whether the guide has a filing item for `kind`; if not, the error names the kind to file
    /// instead where the guide folds it into another (SEED-NOTES D07).
    pub fn offers(self, kind: FilingKind) -> Result<(), FilingError> {
        use FilingJurisdiction as J;
        use FilingKind as K;
        let refuse = |instead| {
            Err(FilingError::KindNotOffered {
                jurisdiction: self,
                kind,
                instead,
            })
        };
        match (self, kind) {
            // seed 000 二、1–4: only the four long-term and referral items; 表1 lists 临时异地 as
            // a category but the guide has no item for it.
            (
                J::Chuanyu,
                K::RelocatedRetiree | K::LongTermResident | K::PostedWorker | K::Referral,
            ) => Ok(()),
            (J::Chuanyu, _) => refuse(None),
            // seed 001 items 17–21 and item 21's note (trauma registration). No plain temporary
            // item: emergencies are the only temporary filing.
            (J::Sichuan, K::Temporary) => refuse(Some(K::EmergencyAdmission)),
            (J::Sichuan, _) => Ok(()),
            // seed 002 市外异地就医备案: 「临时异地就医备案（含异地突发疾病、异地转诊就医）」.
            (J::Youyang, K::SichuanTrauma) => Err(FilingError::TraumaNotSichuan),
            (J::Youyang, _) => Ok(()),
            // seed 003 items 20–24 and seed 004 items 20–24: a temporary item covers sudden illness.
            (J::Chongqing | J::Nanchuan, K::SichuanTrauma) => Err(FilingError::TraumaNotSichuan),
            (J::Chongqing | J::Nanchuan, K::EmergencyAdmission) => refuse(Some(K::Temporary)),
            (J::Chongqing | J::Nanchuan, _) => Ok(()),
        }
    }

    /// Whether the 人员类别 on 表1 fits the item applied for: each guide has one item per kind
    /// (seed 000 二、1–4; seed 001 items 17–21; seed 003/004 items 20–24), so a referral item
    /// whose form says 异地长期居住人员 would skip the long-term item's conditions and proofs;
    /// seed 002 has one item, 市外异地就医备案, for every kind (its condition 2).
    pub fn item_covers(self, service: Service, kind: FilingKind) -> Result<(), FilingError> {
        if self == FilingJurisdiction::Youyang || kind.service() == service {
            return Ok(());
        }
        let item = FilingKind::ALL
            .into_iter()
            .find(|k| k.service() == service && k.person_category().is_some())
            .unwrap_or(kind);
        Err(FilingError::KindNotOfItem { kind, item })
    }

    /// The kind a filing case of `service` records. 表1 has no category for emergencies (its
    /// nearest is 临时异地); seed 001 item 21 is the emergency-admission filing, and its 备注 the
    /// in-province trauma registration: there the item, not the form, decides.
    pub fn kind_recorded(
        self,
        service: Service,
        from_form: FilingKind,
        trauma: bool,
    ) -> FilingKind {
        match (self, service, trauma) {
            (FilingJurisdiction::Sichuan, Service::FilingTemporary, true) => {
                FilingKind::SichuanTrauma
            }
            (FilingJurisdiction::Sichuan, Service::FilingTemporary, false) => {
                FilingKind::EmergencyAdmission
            }
            _ => from_form,
        }
    }

    /// How a filing of `kind` handed in through `channel` completes, as the guide states it.
    pub fn completion(self, kind: FilingKind, channel: ChannelKind) -> Completion {
        use FilingJurisdiction as J;
        match self {
            // seed 000 二、1–4 十四: window same day at the insured agency after receipt (mailing
            // of about 4 working days not counted), online 2 working days.
            J::Chuanyu => match channel {
                ChannelKind::Online | ChannelKind::App => Completion::WorkingDays(2),
                _ => Completion::SameDayAfterReceipt {
                    transit_working_days: 4,
                },
            },
            // seed 001 items 17–21: 「即时办结」.
            J::Sichuan => Completion::Immediate,
            // seed 003 items 20–24: 即办件, 「即时办结」; item 24 online: 「提交后自动办结」.
            J::Chongqing if kind == FilingKind::Temporary && channel == ChannelKind::Online => {
                Completion::AutoOnSubmit
            }
            J::Chongqing => Completion::Immediate,
            // seed 002: 「提出异地就医备案申请即可备案」 with no stated limit; seed 004 lists no
            // time limit (SEED-NOTES D05).
            J::Youyang | J::Nanchuan => Completion::NotStated,
        }
    }
}

/// How soon a filing completes (办结).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Completion {
    /// 即时办结: on the spot at the window.
    Immediate,
    /// Online, without a clerk: 「提交后自动办结」 (seed 003 item 24).
    AutoOnSubmit,
    /// 当日办结 the day the insured agency receives the papers; transit is not counted (seed 000).
    SameDayAfterReceipt { transit_working_days: u32 },
    /// Within N working days (seed 000 online: 2).
    WorkingDays(u32),
    /// The guide states no limit.
    NotStated,
}

impl Completion {
    /// Whether the filing takes effect at once, with no case left open for a clerk.
    pub fn completes_at_once(self) -> bool {
        matches!(self, Completion::Immediate | Completion::AutoOnSubmit)
    }

    pub fn label(self) -> String {
        match self {
            Completion::Immediate => "即时办结".into(),
            Completion::AutoOnSubmit => "提交后自动办结".into(),
            Completion::SameDayAfterReceipt {
                transit_working_days,
            } => format!(
                "参保地医保经办机构收到申请后当日办结（材料寄递约{transit_working_days}个工作日，不计入时限）"
            ),
            Completion::WorkingDays(n) => format!("{n}个工作日办结"),
            Completion::NotStated => "办事指南未规定办理时限".into(),
        }
    }
}
