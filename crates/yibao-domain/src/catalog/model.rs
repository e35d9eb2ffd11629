//! The catalog's data model, exactly as `docs/catalog-format.md` describes the files. Every struct
//! refuses unknown keys, so a typo in a reviewed file is an error, not a silently lost field.

use super::Service;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseType {
    /// 即办件
    Immediate,
    /// 承诺件
    Promised,
}

impl CaseType {
    pub fn label(self) -> &'static str {
        match self {
            CaseType::Immediate => "即办件",
            CaseType::Promised => "承诺件",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub seed: String,
    pub section: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub published: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
    /// 验原件: the original is shown and handed back.
    OriginalForCheck,
    Electronic,
}

impl MaterialForm {
    pub fn label(self) -> &'static str {
        match self {
            MaterialForm::Original => "原件",
            MaterialForm::Copy => "复印件",
            MaterialForm::OriginalAndCopy => "原件及复印件",
            MaterialForm::OriginalForCheck => "原件（验后退还）",
            MaterialForm::Electronic => "电子材料",
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub id: String,
    pub name: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<MaterialForm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// Further predicates that must hold as well as `applies_to` (e.g. a key-information
    /// change made by an employer's agent: `applies_to = "key_info_change"`,
    /// `applies_also = ["employer_applicant"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_also: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to_text: Option<String>,
    #[serde(default)]
    pub pledge_allowed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_ref: Option<String>,
    /// 加盖（单位）公章: the clerk confirms the seal on the material it records; the case is not
    /// complete while the seal is unconfirmed (docs/materials.md).
    #[serde(default)]
    pub seal_required: bool,
    /// A label only: the applicant kind the guide lists this material under (e.g.
    /// `"机关事业单位"`, `"特殊人群"`). It never changes what is asked (ADR 0008).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Alternatives: the materials of one item sharing a `one_of` label are one requirement,
    /// satisfied by any one of those that apply (ADR 0008).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<String>,
}

impl Material {
    /// Every predicate this material is conditioned on (`applies_to` and `applies_also`).
    pub fn predicates(&self) -> impl Iterator<Item = &str> {
        self.applies_to
            .iter()
            .chain(self.applies_also.iter())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadFormat {
    Word,
    Excel,
    Pdf,
    Jpeg,
    Png,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    pub formats: Vec<UploadFormat>,
    /// The guide's size limit in bytes. The guides say 「文件应小于 3M」 (smaller than), so a file
    /// must be strictly smaller: one of exactly `max_bytes` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Window,
    Online,
    App,
    Phone,
    Mail,
    Kiosk,
    Hospital,
}

impl ChannelKind {
    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Window => "窗口办理",
            ChannelKind::Online => "网上办理",
            ChannelKind::App => "移动端办理",
            ChannelKind::Phone => "电话办理",
            ChannelKind::Mail => "邮寄办理",
            ChannelKind::Kiosk => "自助终端",
            ChannelKind::Hospital => "定点医疗机构办理",
        }
    }

    /// The channel of a stored or submitted key (`online`), as the data files spell it.
    pub fn from_key(key: &str) -> Option<ChannelKind> {
        use serde::de::IntoDeserializer;
        let key: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            key.into_deserializer();
        ChannelKind::deserialize(key).ok()
    }

    /// The label of a stored channel key; an unknown key shows as 未知.
    pub fn label_of_key(key: &str) -> &'static str {
        ChannelKind::from_key(key).map_or("未知", ChannelKind::label)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub kind: ChannelKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitKind {
    /// 法定办结时限
    Statutory,
    /// 承诺办结时限
    Promised,
    /// The guide states one limit without saying which.
    Stated,
}

impl TimeLimitKind {
    pub fn label(self) -> &'static str {
        match self {
            TimeLimitKind::Statutory => "法定办结时限",
            TimeLimitKind::Promised => "承诺办结时限",
            TimeLimitKind::Stated => "办理时限",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitRule {
    /// 即时办结
    Immediate,
    /// 当日办结
    SameDay,
    /// N 个工作日
    WorkingDays,
    /// N 日 (calendar days)
    CalendarDays,
    /// Before the N-th of next month.
    DayOfMonth,
    /// Per application batch of N working days.
    Batch,
    /// 及时办理
    Timely,
    /// Text without a limit.
    Unspecified,
}

impl TimeLimitRule {
    pub fn needs_days(self) -> bool {
        matches!(
            self,
            TimeLimitRule::WorkingDays
                | TimeLimitRule::CalendarDays
                | TimeLimitRule::DayOfMonth
                | TimeLimitRule::Batch
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    pub kind: TimeLimitKind,
    pub rule: TimeLimitRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_working_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batches_per_year: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureUnit {
    WorkingDays,
    CalendarDays,
    Months,
    Years,
    AgeYears,
    Yuan,
    Percent,
    Count,
    DayOfMonth,
}

impl FigureUnit {
    pub fn label(self) -> &'static str {
        match self {
            FigureUnit::WorkingDays => "个工作日",
            FigureUnit::CalendarDays => "日",
            FigureUnit::Months => "个月",
            FigureUnit::Years => "年",
            FigureUnit::AgeYears => "周岁",
            FigureUnit::Yuan => "元",
            FigureUnit::Percent => "%",
            FigureUnit::Count => "",
            FigureUnit::DayOfMonth => "日（每月）",
        }
    }
}

/// A number a rule can use, with the verbatim words it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub key: String,
    pub value: i64,
    pub unit: FigureUnit,
    pub quote: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defect {
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extra {
    pub heading: String,
    pub text: String,
}

/// One service item (政务服务事项) of one jurisdiction, one version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub schema: u32,
    pub jurisdiction: String,
    pub id: String,
    pub service: Service,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub version: u32,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_from: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_type: Option<CaseType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_type_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_bureau: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepting_agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deciding_agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guiding_department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementing_department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_charged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_delivery: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedies: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates_text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Service>,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<ItemCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<ItemDates>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_limits: Vec<TimeLimit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Output>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defects: Vec<Defect>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<Extra>,
}

impl Item {
    /// True if `code` is this item's id or one of its item codes (事项编码).
    pub fn answers_to(&self, code: &str) -> bool {
        self.id == code || self.codes.iter().any(|c| c.code == code)
    }

    pub fn figure(&self, key: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.key == key)
    }

    /// Whether this version applies on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|from| from <= date)
            && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// A canonical service's entry in `data/catalog/services.toml`: its name and owning domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInfo {
    pub key: Service,
    pub name: String,
    pub domain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceList {
    pub service: Vec<ServiceInfo>,
}

/// A jurisdiction: whose guide, from which seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub key: String,
    pub name: String,
    pub guide: String,
    pub seed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// The regions whose agencies handle its cases (6-digit codes; 川渝通办 spans two provinces).
    pub region_codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionList {
    pub jurisdiction: Vec<Jurisdiction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Choice,
    MultiChoice,
    Date,
    IdNumber,
    Phone,
    Region,
    Address,
    Signature,
    Money,
    Number,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Filled in by the agency (经办机构、经办人、经办日期 …): not asked of the applicant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agency: bool,
}

/// A form (表) an item's applicant fills in, e.g. seed 000 表1 异地就医登记备案表.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub schema: u32,
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Where a form printed in a guide was transcribed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// For a form no guide prints (an effect's own inputs): what it is, shown to the user.
    /// A form has exactly one of `source` and `basis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbering: Option<String>,
    /// How the OCR-damaged form text was reconstructed (kept for reviewers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconstruction_notes: Option<String>,
    pub fields: Vec<FormField>,
}
