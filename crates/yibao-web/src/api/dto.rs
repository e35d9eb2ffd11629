//! The documented shapes of the service-layer types the API answers with (or reads) as they are.
//!
//! Why mirrors rather than converting into web-layer structs: the API serialises the service's
//! own types, so what goes over the wire stays byte for byte what it was, and the service and
//! domain crates do not need utoipa. A mirror only describes. To keep a mirror from drifting,
//! `mirror!` also writes, in test builds, an exhaustive destructuring of the service type by the
//! mirror's field names (plus the fields the service type never serialises): a field added to,
//! renamed in or removed from the service type then fails `cargo test` to compile until the
//! mirror follows. Each field's type is checked too: the mirror's type must `Describe` the
//! service's (the same type; `String` for a text newtype, a date or a coded enum, which serialise
//! as text; a mirror for the type it mirrors; `Object` for a free-form document), so a field that
//! changes type fails to compile until the mirror says how it now looks.
//!
//! Free-form sub-documents (a settlement's line-by-line explanation, a catalog item's guide
//! fields) are `Object` here: their structure belongs to the domain's documentation
//! (docs/benefits.md, `data/catalog`).

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Declares `pub struct Mirror { … }` describing `service::Type`, and (in test builds) checks
/// that `Mirror` names exactly the fields of `service::Type` (those in `not_serialized { … }`
/// are `#[serde(skip)]` there).
macro_rules! mirror {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident mirrors $($src:ident)::+ {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        $(not_serialized { $($skip:ident),* $(,)? })?
    )*) => {$(
        $(#[$meta])*
        #[derive(Serialize, ToSchema)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $ty, )* }

        #[cfg(test)]
        const _: fn($($src)::+) = |value| {
            let $($src)::+ { $( $field, )* $($( $skip: _, )*)? } = value;
            $( describes::<$ty, _>(&$field); )*
        };

        #[cfg(test)]
        impl Describes<$($src)::+> for $name {}
    )*};
}

/// `Self` is how the API documents a value of type `T` (see the module comment).
#[cfg(test)]
trait Describes<T: ?Sized> {}

#[cfg(test)]
fn describes<M: Describes<T>, T: ?Sized>(_: &T) {}

#[cfg(test)]
mod describes {
    use super::Describes;
    use std::collections::BTreeMap;

    macro_rules! same {
        ($($t:ty),*) => { $( impl Describes<$t> for $t {} )* };
    }
    same!(String, bool, i32, i64, u8, u16, u32, u64, usize);

    macro_rules! as_text {
        ($($t:ty),*) => { $( impl Describes<$t> for String {} )* };
    }
    as_text!(
        &'static str,
        chrono::NaiveDate,
        yibao_domain::case::CaseStatus,
        yibao_domain::case::EventKind,
        yibao_domain::case::Evaluation,
        yibao_domain::case::FollowUp,
        yibao_domain::account::AccountStatus,
        yibao_domain::case::ApplicantType,
        yibao_domain::enrolment::employer::EmployerStatus,
        yibao_domain::codes::SettlementStatus,
        yibao_domain::enrolment::Scheme,
        yibao_domain::enrolment::CoverageCategory,
        yibao_domain::enrolment::CoverageStatus,
        yibao_domain::enrolment::EnrolmentEvent,
        yibao_domain::codes::MaybeCode<yibao_domain::case::CaseStatus>,
        yibao_domain::CitizenId,
        yibao_domain::RegionCode,
        yibao_domain::filing::Phone,
        yibao_domain::reimbursement::InstitutionCode,
        yibao_domain::catalog::Service,
        yibao_domain::catalog::CaseType,
        yibao_domain::catalog::FieldKind,
        yibao_domain::calendar::WarningLevel,
        yibao_domain::staff::StaffRole,
        yibao_domain::benefit::Scheme,
        yibao_domain::benefit::VisitType,
        yibao_domain::benefit::HospitalLevel,
        yibao_domain::reimbursement::ManualGround,
        yibao_domain::reimbursement::Exclusion,
        yibao_domain::filing::Scheme,
        yibao_domain::filing::FilingKind,
        yibao_domain::filing::FilingJurisdiction,
        yibao_domain::filing::RegistrationType,
        yibao_domain::filing::Signer,
        yibao_service::audit::Problem,
        yibao_service::check::IdentifierKind,
        yibao_domain::complaint::ComplaintKind,
        yibao_domain::complaint::ComplaintChannel,
        yibao_domain::complaint::SubjectKind,
        yibao_domain::complaint::ComplaintStatus,
        yibao_domain::complaint::ComplaintEvaluation,
        yibao_domain::complaint::Timeliness,
        yibao_domain::institution::Stage,
        yibao_domain::institution::PaymentMethod,
        yibao_domain::institution::monthly::StatementStatus,
        yibao_domain::maternity::BenefitKind
    );
    // Money is integer fen; an amount left out when zero is documented as not required.
    impl Describes<yibao_domain::Fen> for i64 {}
    impl Describes<yibao_domain::Fen> for Option<i64> {}
    // A status that may be absent is documented as an optional text.
    impl<T> Describes<yibao_domain::codes::MaybeCode<T>> for Option<String> where String: Describes<T> {}

    // Counts are documented as unsigned whatever their width.
    impl Describes<usize> for u64 {}
    impl Describes<u32> for u64 {}

    impl<M: Describes<T>, T> Describes<Option<T>> for Option<M> {}
    // A flag the service leaves out when false is documented as not required.
    impl Describes<bool> for Option<bool> {}
    // A list or map the service leaves out when empty is documented as not required.
    impl<M: Describes<Vec<T>>, T> Describes<Vec<T>> for Option<M> {}
    impl<M: Describes<BTreeMap<K, T>>, K, T> Describes<BTreeMap<K, T>> for Option<M> {}
    impl<M: Describes<T>, T> Describes<Vec<T>> for Vec<M> {}
    impl<M: Describes<T>, T> Describes<[T]> for Vec<M> {}
    impl<K, M: Describes<T>, T> Describes<BTreeMap<K, T>> for BTreeMap<String, M> where
        String: Describes<K>
    {
    }
    impl<A: Describes<X>, B: Describes<Y>, X, Y> Describes<(X, Y)> for (A, B) {}

    // A JSON column serialises as its document.
    use yibao_store::json_text::JsonText;
    impl Describes<JsonText<BTreeMap<String, String>>> for BTreeMap<String, String> {}
    impl Describes<JsonText<yibao_store::cases::CaseFacts>> for super::CaseFacts {}
    impl Describes<JsonText<Option<serde_json::Value>>> for Option<serde_json::Value> {}

    // A free-form document (`Object`) describes anything serialisable.
    impl<T: serde::Serialize + ?Sized> Describes<T> for serde_json::Value {}
}

// Request bodies the API reads straight into a service type.
mirror! {
    /// 新建工作人员（首次登录须修改密码）
    pub struct NewStaffInput mirrors yibao_service::identity::NewStaffInput {
        username: String,
        display_name: String,
        /// clerk、reviewer、finance、supervisor、admin、auditor
        roles: Vec<String>,
        /// 临时密码
        password: String,
    }

    /// 新建定点医药机构
    pub struct NewInstitutionInput mirrors yibao_service::identity::NewInstitutionInput {
        /// 定点医药机构编码
        code: String,
        name: String,
        kind: String,
        /// 医院等级（可省略）
        #[schema(required = false)]
        level: String,
        region_code: String,
        /// 按定点申请办理（从“已受理申请”开始协议流程）；默认否：按已有协议登记（协议有效，未约定终止日期）
        #[schema(required = false)]
        apply: bool,
        /// 统一社会信用代码（机构在窗口申请信息变更、暂停、恢复等事项时以此识别）
        #[schema(required = false)]
        uscc: Option<String>,
    }

    /// 单位管理员添加经办人
    pub struct NewOperatorInput mirrors yibao_service::identity::NewOperatorInput {
        username: String,
        display_name: String,
        phone: String,
        password: String,
        /// 是否单位管理员，默认否
        #[schema(required = false)]
        manager: bool,
    }

    /// 城乡居民注册：身份号码、手机号与验证码
    pub struct CitizenRegistration mirrors yibao_service::identity::CitizenRegistration {
        id_number: String,
        name: String,
        phone: String,
        /// 短信验证码（POST /api/v1/auth/phone-codes，purpose=register）
        code: String,
        password: String,
    }

    /// 办件申请
    pub struct ApplyInput mirrors yibao_service::cases::ApplyInput {
        /// 辖区
        jurisdiction: String,
        /// 事项序号或事项编码
        item: String,
        /// 渠道：window、online、app、phone ……（须为事项所列之一）
        channel: String,
        /// 申请表字段
        #[schema(required = false)]
        form: BTreeMap<String, String>,
        /// 申请人情形（proxy、non_local_hukou、key_info_change ……）
        #[schema(required = false)]
        facts: Vec<String>,
        /// 窗口代为申请时必填
        applicant: Option<ApplicantInput>,
        /// 代办人
        agent: Option<ApplicantInput>,
    }

    /// 申请人或代办人
    pub struct ApplicantInput mirrors yibao_service::cases::ApplicantInput {
        #[schema(required = false)]
        id_number: String,
        /// 单位申请时的统一社会信用代码
        uscc: Option<String>,
        name: String,
        #[schema(required = false)]
        phone: String,
    }

    /// 手工报销的费用明细（窗口据票据录入）
    pub struct BillEntry mirrors yibao_service::reimbursement::BillEntry {
        /// 就医地行政区划
        care_region: String,
        /// 定点医药机构编码（与住院号一起识别票据，防止重复报销）
        institution_code: String,
        /// 急诊、抢救
        #[schema(required = false)]
        emergency: bool,
        /// 手工报销的原因：non_networked_place、arrears_back_paid、network_failure、verified_unsettleable、not_settled_at_institution、other
        ground: String,
        /// 收款账户
        payee: PayeeAccount,
        /// 不属基金支付范围的情形：work_injury、third_party、public_health、abroad
        exclusion: Option<String>,
        /// 第三人不支付或无法确定，基金先行支付
        #[schema(required = false)]
        third_party_unpaid: bool,
        /// 门诊慢特病（特病门诊）费用：所认定的病种（资格的病种编码或名称）；须有就诊日有效的资格
        disease: Option<String>,
        bill: Bill,
    }

    /// 收款账户
    pub struct PayeeAccount mirrors yibao_domain::reimbursement::PayeeAccount {
        /// 开户银行
        bank: String,
        /// 账号
        account: String,
        /// 户名
        holder: String,
    }

    /// 医疗费用单据（亦接受国家接口字段名：med_type、mdtrt_id ……）
    pub struct Bill mirrors yibao_domain::benefit::Bill {
        #[schema(format = Date)]
        date: String,
        /// general_outpatient、chronic_outpatient、inpatient、maternity（或国家医疗类别代码）
        visit: String,
        /// primary、level_1、level_2、level_3
        hospital_level: String,
        /// 住院号（就诊号）
        admission_id: Option<String>,
        /// 是否使用个人账户，默认是
        #[schema(required = false)]
        use_account: bool,
        /// 费用明细（字段见 docs/benefits.md）
        #[schema(value_type = Vec<Object>)]
        lines: Vec<Value>,
    }

    /// 定点医药机构的结算请求（亦接受国家接口字段名：msgid、certno ……）
    pub struct SettleRequest mirrors yibao_service::settlement::SettleRequest {
        /// 请求流水号（幂等：同一流水号同一请求返回首次结果）
        request_id: String,
        /// 参保人公民身份号码
        id_number: String,
        /// 急诊、抢救：未备案的异地就医按已备案结算
        #[schema(required = false)]
        emergency: bool,
        /// 门诊慢特病（医疗类别 14）的认定病种：资格的病种编码（如 employee/18）或名称（国家接口 dise_codg）
        disease: Option<String>,
        /// 生育就诊（bill.visit 为 maternity，国家接口医疗类别 51–53）必填：所支付的生育待遇及生育（手术）日期
        maternity: Option<MaternityVisit>,
        bill: Bill,
    }

    /// 生育就诊所支付的生育待遇：同一次生育（手术）的医疗费联网结算后不再手工报销，手工报销后不再联网结算
    pub struct MaternityVisit mirrors yibao_service::maternity::MaternityVisit {
        /// 生育待遇：prenatal_care 产前检查费、delivery_costs 生育医疗费、family_planning_costs 计划生育医疗费
        benefit: String,
        /// 生育或计划生育手术日期（国家接口 birctrl_matn_date）；未知时以住院期间认定
        event_date: Option<String>,
        /// 住院起始日期（入院日）；与结算日期一起界定未注明日期的生育事件
        stay_from: Option<String>,
    }
}

mirror! {
    /// 参保人的门诊慢特病（特病）资格与医疗救助身份
    pub struct PersonQualifications mirrors yibao_service::aid::PersonQualifications {
        /// 资格认定记录（最新在前）
        qualifications: Vec<QualificationView>,
        /// 医疗救助身份认定（最新在前）
        aid_statuses: Vec<AidStatusView>,
        /// 年度
        year: i64,
        /// 本年度医疗救助已支付合计（联网结算与手工报销，分）
        aid_paid_fen: i64,
        /// 其中手工（零星）报销（分）
        aid_manual_fen: i64,
    }

    /// 一项门诊慢特病（特病）资格
    pub struct QualificationView mirrors yibao_service::qualification::QualificationView {
        /// qualification.chronic_disease、qualification.hypertension_diabetes、qualification.high_value_drug
        service: String,
        /// 病种编码（病种目录分节/序号，如 employee/18）
        disease_code: String,
        /// 病种名称（按办事指南）
        disease_name: String,
        /// 参保类别（病种范围分节标题）
        scheme: String,
        /// 生效日期
        valid_from: String,
        /// 有效期至（含）；之后就诊不按门诊慢特病结算
        valid_to: String,
        /// 鉴定（认定）医疗机构
        certifier: String,
        /// 鉴定日期
        certified_on: String,
        /// 有效、已到期、尚未生效（按今天）
        standing: String,
        /// 有效期为示例参数（指南未载明）
        validity_example: bool,
    }

    /// 一项医疗救助身份认定
    pub struct AidStatusView mirrors yibao_service::aid::AidStatusView {
        /// extreme_poverty、minimum_living、poverty_relapse、marginal_low_income、monitored_rural、illness_impoverished
        category: String,
        /// 类别名称
        category_label: String,
        /// 认定部门及依据
        source: String,
        valid_from: String,
        /// 终止日期（含）
        valid_to: String,
        /// 有效、已到期、尚未生效（按今天）
        standing: String,
    }
}

mirror! {
    /// 工作人员账户
    pub struct StaffRow mirrors yibao_store::staff::StaffRow {
        id: i64,
        /// 用户名
        username: String,
        /// 姓名
        display_name: String,
        /// 所属经办机构
        agency_id: i64,
        /// 角色，逗号分隔：clerk、reviewer、finance、supervisor、admin、auditor
        roles: String,
        /// 1 在用，0 停用
        active: i64,
        /// 1：下次登录须修改密码
        must_change_password: i64,
        created_at: String,
    } not_serialized { password_hash }

    /// 定点医药机构
    pub struct InstitutionRow mirrors yibao_store::institution::InstitutionRow {
        id: i64,
        /// 定点医药机构编码
        code: String,
        name: String,
        /// 机构类别（医院、药店……）
        kind: String,
        /// 医院等级
        level: String,
        /// 所在行政区划（结算的就医地）
        region_code: String,
        agency_id: i64,
        created_at: String,
        /// 统一社会信用代码（未登记为 null）
        uscc: Option<String>,
    }

    /// 接口令牌（不含令牌本身）
    pub struct TokenRow mirrors yibao_store::institution::TokenRow {
        id: i64,
        institution_id: i64,
        /// 令牌前缀，用于辨认
        prefix: String,
        label: String,
        created_at: String,
        expires_at: String,
        revoked_at: Option<String>,
        last_used_at: Option<String>,
    } not_serialized { token_sha256 }

    /// 新签发的令牌：token 只在此显示一次
    pub struct IssuedToken mirrors yibao_service::identity::IssuedToken {
        id: i64,
        /// 令牌（ybi_…），只显示这一次
        token: String,
        prefix: String,
        expires_at: String,
    }

    /// 工作日历的年度来源与变更记录
    pub struct CalendarOverview mirrors yibao_service::calendar::CalendarOverview {
        years: Vec<YearSource>,
        changes: Vec<CalendarChangeRow>,
    }

    /// 一个年度的节假日安排从何而来
    pub struct YearSource mirrors yibao_service::calendar::YearSource {
        year: i32,
        /// 节假日条数
        holidays: u64,
        /// shipped（随版本发布）或 imported（管理员导入，优先）
        source: String,
        /// 国务院办公厅通知名称
        notice: String,
        imported_at: Option<String>,
        imported_by: Option<String>,
    }

    /// 工作日历的一次导入
    pub struct CalendarChangeRow mirrors yibao_store::calendar::CalendarChangeRow {
        id: i64,
        year: i64,
        before_sha256: Option<String>,
        after_sha256: String,
        actor: String,
        note: String,
        at: String,
    }

    /// 工作日历导入结果
    pub struct CalendarImportReport mirrors yibao_service::calendar::ImportReport {
        year: i32,
        holidays: u64,
        /// 是否替换了已有的安排
        replaced: bool,
        /// 与已有内容相同，未作改动
        unchanged: bool,
        sha256: String,
    }

    /// 待遇政策或目录导入结果
    pub struct BenefitImportResult mirrors yibao_service::benefit_data::ImportResult {
        region_code: String,
        version: u32,
        /// 与已有版本相同，未作改动
        unchanged: bool,
    }

    /// 一个待遇政策版本
    pub struct PolicySummary mirrors yibao_service::benefit_data::PolicySummary {
        /// 参保地统筹区
        region_code: String,
        name: String,
        version: u32,
        #[schema(format = Date)]
        effective_from: String,
        #[schema(format = Date)]
        effective_to: Option<String>,
        /// 示例参数（演示用，非正式政策）
        example: bool,
    }

    /// 一个医保目录版本
    pub struct CatalogueRow mirrors yibao_store::benefit_data::CatalogueRow {
        region_code: String,
        version: i64,
        sha256: String,
        /// 目录条数
        entries: i64,
        imported_at: String,
        imported_by: String,
    } not_serialized { csv_text }

    /// 审计链的一条记录
    pub struct AuditRow mirrors yibao_store::audit::AuditRow {
        /// 主链为空串；否则为结算链名称
        chain: String,
        seq: i64,
        at: String,
        actor_kind: String,
        actor_id: i64,
        actor_label: String,
        agency_id: Option<i64>,
        action: String,
        target_kind: String,
        target_id: String,
        before_sha256: String,
        after_sha256: String,
        summary: String,
        prev_hash: String,
        hash: String,
    }

    /// 审计链校验结果
    pub struct VerifyReport mirrors yibao_service::audit::VerifyReport {
        /// 主链条数
        entries: i64,
        head_seq: i64,
        /// 链头哈希：与 head_seq 合为检查点 SEQ:HASH，应另行保存
        head_hash: String,
        /// 结算链数
        chains: i64,
        chain_entries: i64,
        /// 尚未封存进主链的结算链条目
        unsealed: i64,
        ok: bool,
        /// 从头校验遇到的第一个问题
        first_problem: Option<AuditFinding>,
    }

    /// 审计链上的一个问题
    pub struct AuditFinding mirrors yibao_service::audit::Finding {
        chain: String,
        seq: i64,
        /// altered（内容被改）、broken_link（链接断开）、missing（缺号）
        problem: String,
        message: String,
    }

    /// 城乡居民或个人账户
    pub struct CitizenActor mirrors yibao_service::identity::CitizenActor {
        account_id: i64,
        id_number: String,
        name: String,
    }

    /// 单位经办人
    pub struct EmployerActor mirrors yibao_service::identity::EmployerActor {
        operator_id: i64,
        employer_id: i64,
        uscc: String,
        employer_name: String,
        username: String,
        display_name: String,
        /// 单位管理员（可添加经办人）
        manager: bool,
    }

    /// 工作人员
    pub struct StaffActor mirrors yibao_service::identity::StaffActor {
        id: i64,
        username: String,
        display_name: String,
        agency_id: i64,
        agency_name: String,
        /// 所属经办机构服务的行政区划：只能查看区划内的记录
        agency_region: String,
        roles: Vec<String>,
        must_change_password: bool,
    }

    /// 定点医药机构（以接口令牌调用）
    pub struct InstitutionActor mirrors yibao_service::identity::InstitutionActor {
        institution_id: i64,
        code: String,
        name: String,
        agency_id: i64,
        /// 机构所在地：结算的就医地
        region_code: String,
        token_id: i64,
        /// 协议已开通跨省异地就医直接结算
        cross_province: bool,
    }

    /// 日期计算的提示：所依赖的某日落在尚未录入节假日安排的年度
    pub struct CalendarWarning mirrors yibao_domain::calendar::CalendarWarning {
        code: String,
        year: i32,
        message: String,
    }

    /// 一个年度的节假日安排（按国务院办公厅通知）
    pub struct YearSchedule mirrors yibao_domain::calendar::YearSchedule {
        year: i32,
        notice: String,
        /// 文号
        doc_number: Option<String>,
        #[schema(format = Date)]
        published: Option<String>,
        sources: Vec<String>,
        confidence: Option<String>,
        holidays: Vec<Holiday>,
    }

    /// 一个假期
    pub struct Holiday mirrors yibao_domain::calendar::Holiday {
        name: String,
        #[schema(format = Date)]
        from: String,
        #[schema(format = Date)]
        to: String,
        /// 调休上班日
        workdays: Vec<String>,
        /// 是否法定节假日
        statutory: bool,
        notice: Option<String>,
        doc_number: Option<String>,
        #[schema(format = Date)]
        published: Option<String>,
        /// 后来通知取消的调休上班日（仍为休息日）
        cancelled_workdays: Option<Vec<String>>,
    }

    /// 办件（存储的一行）
    pub struct CaseRow mirrors yibao_store::cases::CaseRow {
        id: i64,
        /// 办件编号
        number: String,
        jurisdiction: String,
        item_id: String,
        item_version: i64,
        service_key: String,
        /// citizen、employer 等
        applicant_kind: String,
        applicant_ref: String,
        applicant_name: String,
        applicant_phone: String,
        /// 代办人（JSON 文本）
        agent_json: Option<String>,
        /// window、online ……
        channel: String,
        receiving_agency_id: i64,
        deciding_agency_id: i64,
        /// 办件状态
        status: String,
        review_level: i64,
        /// 申请表内容：字段 → 值
        form: BTreeMap<String, String>,
        /// 参保地及申请人声明的情形
        facts: CaseFacts,
        submitted_at: Option<String>,
        accepted_on: Option<String>,
        /// 办结期限
        deadline: Option<String>,
        completed_at: Option<String>,
        /// 办结结果（各服务不同，含 text 说明）
        #[schema(value_type = Option<Object>)]
        outcome: Option<Value>,
        refusal_reason: Option<String>,
        created_by: String,
        created_at: String,
        updated_at: String,
        row_version: i64,
    }

    /// 办件的参保地及申请人声明的情形（材料的适用条件）
    pub struct CaseFacts mirrors yibao_store::cases::CaseFacts {
        region_code: String,
        facts: Vec<String>,
    }

    /// 列表中的一个办件
    pub struct CaseSummary mirrors yibao_service::cases::CaseSummary {
        number: String,
        item_name: String,
        applicant: String,
        status: String,
        status_label: String,
        created_at: String,
        deadline: Option<String>,
        /// 时限状态：normal、due_soon、overdue、paused
        level: String,
        level_label: String,
        remaining_working_days: Option<u32>,
    }

    /// 好差评统计
    pub struct EvaluationStats mirrors yibao_service::cases::EvaluationStats {
        /// 按事项名称：各评价等级（中文）的件数
        by_item: BTreeMap<String, BTreeMap<String, u32>>,
        /// 差评待整改的办件编号
        open_follow_ups: Vec<String>,
    }

    /// 一个办件的全部信息（按查看人的权限）
    pub struct CaseView mirrors yibao_service::cases::CaseView {
        case: CaseRow,
        item_name: String,
        status_label: String,
        /// 法定时限的文字
        limit_text: Option<String>,
        clock: Option<ClockState>,
        events: Vec<CaseEvent>,
        materials: Vec<MaterialRow>,
        /// 一次性告知
        notices: Vec<NoticeView>,
        /// 计时暂停
        pauses: Vec<PauseRow>,
        /// 目前仍缺的材料
        missing: Vec<NoticeItem>,
        evaluation: Option<EvaluationRow>,
        /// 查看人现在可做的办理环节：[环节, 中文名称]
        actions: Vec<(String, String)>,
        can_evaluate: bool,
        /// 查看人现在可以补充材料
        can_add_material: bool,
        /// 该办件由经办人录入费用明细（手工报销）
        takes_bill: bool,
        /// 办结结果（随事项而异）
        #[schema(value_type = Option<Object>)]
        outcome: Option<Value>,
        /// 手工报销办件办结前的待遇测算
        #[schema(value_type = Option<Object>)]
        reimbursement_preview: Option<Value>,
        /// 跨实例通办：转往参保地实例办理（forwarded）或由异地窗口受理后转来（received）
        peer_link: Option<PeerLinkView>,
    }

    /// 跨实例通办的另一方
    pub struct PeerLinkView mirrors yibao_service::cases::PeerLinkView {
        /// forwarded：本窗口受理、对端参保地办理；received：对端窗口受理后转来本机办理
        direction: String,
        peer_name: String,
        /// 对端的区划代码
        region_code: String,
        /// 办件在对端的编号（已知时）
        other_number: Option<String>,
        /// 转出的办件：对端最近回传的状态
        remote_status_label: Option<String>,
        /// 最近一次状态回传的时间
        reported_at: Option<String>,
        /// 转出的时间（受理时）
        forwarded_at: Option<String>,
        /// 页面上的说明
        text: String,
    }

    /// 办件时限计时
    pub struct ClockState mirrors yibao_domain::calendar::ClockState {
        /// 扣除暂停后的办结期限；暂停中为空
        #[schema(format = Date)]
        due: Option<String>,
        used_working_days: u32,
        remaining_working_days: u32,
        overdue_working_days: u32,
        /// normal、due_soon、overdue、paused
        level: String,
        warnings: Vec<CalendarWarning>,
    }

    /// 办件的一个办理环节
    pub struct CaseEvent mirrors yibao_store::cases::EventRow {
        id: i64,
        case_id: i64,
        at: String,
        action: String,
        from_status: String,
        to_status: String,
        actor_kind: String,
        actor_id: i64,
        actor_label: String,
        channel: String,
        note: String,
    } not_serialized { case_month }

    /// 办件材料（不含内容）
    pub struct MaterialRow mirrors yibao_store::cases::MaterialRow {
        id: i64,
        case_id: i64,
        material_id: String,
        /// upload、original、copy、pledge
        provided_as: String,
        file_name: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
        added_at: String,
        added_by: String,
        replaced_at: Option<String>,
        /// 核验单位公章的经办人员；空 = 未核验
        seal_confirmed_by: String,
        seal_confirmed_at: Option<String>,
    }

    /// 一次性告知的一项
    pub struct NoticeItem mirrors yibao_domain::case::NoticeItem {
        /// 材料编号，或 one_of:名称（任选其一的一组材料）
        key: String,
        name: String,
        reason: String,
    }

    /// 计时暂停
    pub struct PauseRow mirrors yibao_store::cases::PauseRow {
        id: i64,
        case_id: i64,
        reason: String,
        from_date: String,
        to_date: Option<String>,
    }

    /// 好差评
    pub struct EvaluationRow mirrors yibao_store::cases::EvaluationRow {
        case_id: i64,
        level: String,
        comment: String,
        at: String,
        follow_up_status: String,
        follow_up_note: String,
    } not_serialized { case_month }

    /// 办理进度（公开查询）：只含状态与日期
    pub struct Progress mirrors yibao_service::cases::Progress {
        number: String,
        item_name: String,
        status_label: String,
        accepted_on: Option<String>,
        deadline: Option<String>,
        completed_at: Option<String>,
    }

    /// 异地就医备案及其申请
    pub struct FilingRecord mirrors yibao_service::filing::FilingRecord {
        filing: Filing,
        application: FilingApplication,
        case_number: Option<String>,
        created_at: String,
    }

    /// 异地就医备案
    pub struct Filing mirrors yibao_domain::filing::Filing {
        /// 备案编号
        id: String,
        /// 参保人公民身份号码
        person: String,
        /// 备案类型：relocated_retiree、long_term_resident、posted_worker、referral、temporary、emergency_admission、sichuan_trauma
        kind: String,
        /// chuanyu、sichuan、youyang、chongqing、nanchuan
        jurisdiction: String,
        insured_region: String,
        target: FilingTarget,
        #[schema(format = Date)]
        recorded_on: String,
        #[schema(format = Date)]
        effective_from: String,
        /// 有效期末日；空为变更或取消前一直有效
        #[schema(format = Date)]
        effective_to: Option<String>,
        /// 变更或取消
        end: Option<FilingEnd>,
    }

    /// 备案终止
    pub struct FilingEnd mirrors yibao_domain::filing::FilingEnd {
        #[schema(format = Date)]
        last_day: String,
        /// {"reason": "changed", "by": 新备案编号} 或 {"reason": "cancelled"}
        #[schema(value_type = Object)]
        reason: Value,
    }

    /// 异地就医备案申请表（表1）
    pub struct FilingApplication mirrors yibao_domain::filing::FilingApplication {
        filing_number: Option<String>,
        name: String,
        sex: Option<String>,
        /// employee、resident
        scheme: String,
        kind: String,
        /// new、change
        registration: String,
        id_number: String,
        insured_region_address: Option<String>,
        care_region_address: Option<String>,
        phone_1: String,
        phone_2: Option<String>,
        target_province: String,
        target_prefecture: Option<String>,
        target_county: Option<String>,
        /// applicant、agent
        signer: Option<String>,
        #[schema(format = Date)]
        fill_date: Option<String>,
    }

    /// 参保人员列表的一行（号码已遮蔽）
    pub struct PersonListItem mirrors yibao_service::records::PersonListItem {
        id: i64,
        id_number: String,
        name: String,
        sex: String,
        region_code: String,
        phone: String,
    }

    /// 参保人员
    pub struct PersonRow mirrors yibao_store::enrolment::PersonRow {
        id: i64,
        id_number: String,
        name: String,
        sex: String,
        birth_date: String,
        region_code: String,
        phone: String,
        created_at: String,
        document_type: String,
        address: String,
    }

    /// 参保单位列表的一行
    pub struct EmployerListItem mirrors yibao_service::records::EmployerListItem {
        id: i64,
        uscc: String,
        name: String,
        kind: String,
        region_code: String,
        phone: String,
    }

    /// 参保单位
    pub struct EmployerRow mirrors yibao_store::enrolment::EmployerRow {
        id: i64,
        /// 统一社会信用代码
        uscc: String,
        name: String,
        kind: String,
        region_code: String,
        legal_representative: String,
        address: String,
        phone: String,
        created_at: String,
        status: String,
        contact_name: String,
        bank_name: String,
        bank_account: String,
        /// 欠费，单位：分
        arrears_fen: i64,
        registered_on: String,
        deregistered_on: Option<String>,
    }

    /// 单位经办人账户
    pub struct OperatorRow mirrors yibao_store::logins::OperatorRow {
        id: i64,
        employer_id: i64,
        username: String,
        display_name: String,
        phone: String,
        /// 1：单位管理员
        manager: i64,
        active: i64,
        created_at: String,
    } not_serialized { password_hash }

    /// 个人参保信息
    pub struct PersonRecord mirrors yibao_service::enrolment::records::PersonRecord {
        person: PersonRow,
        document_label: String,
        coverages: Vec<CoverageLine>,
        coverage_events: Vec<CoverageEventRow>,
        events: Vec<RegistryEvent>,
    }

    /// 一个险种的参保记录
    pub struct CoverageLine mirrors yibao_service::enrolment::records::CoverageLine {
        id: i64,
        scheme: String,
        scheme_label: String,
        category: String,
        category_label: String,
        status: String,
        status_label: String,
        /// 参保单位名称
        employer: Option<String>,
        region_code: String,
        registered_on: String,
        start_date: Option<String>,
        end_date: Option<String>,
    }

    /// 参保状态的一次变化
    pub struct CoverageEventRow mirrors yibao_store::enrolment::CoverageEventRow {
        id: i64,
        coverage_id: i64,
        at: String,
        /// 新登记时为空
        from_status: Option<String>,
        to_status: String,
        reason: String,
        case_number: Option<String>,
        effective_on: Option<String>,
        /// 变化详情（JSON 文本）
        detail_json: String,
    }

    /// 参保登记信息的一次变更
    pub struct RegistryEvent mirrors yibao_store::enrolment::EventRow {
        id: i64,
        at: String,
        action: String,
        /// 变更详情（JSON 文本）
        detail_json: String,
        case_number: Option<String>,
        actor_label: String,
    }

    /// 单位参保信息
    pub struct EmployerRecord mirrors yibao_service::enrolment::records::EmployerRecord {
        employer: EmployerRow,
        kind_label: String,
        status_label: String,
        employees: Vec<EmployeeRow>,
        /// 在职参保人数
        in_service: u64,
        /// 退休人数
        retired: u64,
        events: Vec<RegistryEvent>,
    }

    /// 单位的一名参保人员
    pub struct EmployeeRow mirrors yibao_store::enrolment::EmployeeRow {
        coverage_id: i64,
        person_id: i64,
        id_number: String,
        document_type: String,
        name: String,
        sex: String,
        birth_date: String,
        category: String,
        status: String,
        start_date: Option<String>,
        end_date: Option<String>,
    }

    /// 参保证明的内容及校验码（经办机构可据登记信息重算以核验）
    pub struct Certificate mirrors yibao_service::enrolment::records::Certificate {
        title: String,
        issued_on: String,
        /// [项目, 内容]
        lines: Vec<(String, String)>,
        table: Vec<Vec<String>>,
        table_head: Vec<String>,
        /// 内容摘要（相同内容得相同摘要）
        check_code: String,
        /// 核验码（页面出具的证明才有，/verify 核验）
        #[schema(required = false)]
        verification_code: Option<String>,
    }

    /// 名单已生成办件并提交
    pub struct RosterAccepted mirrors yibao_service::enrolment::bulk::RosterAccepted {
        case_number: String,
        /// 名单行数
        rows: u64,
    }

    /// 一件待拨付的办件
    pub struct Waiting mirrors yibao_service::disbursement::Waiting {
        number: String,
        item_name: String,
        applicant: String,
        accepted_on: Option<String>,
        /// 测算拨付金额（分）；无费用明细或测算未通过时为空
        amount_fen: Option<i64>,
        /// 测算说明，或测算未通过的原因
        note: String,
    }

    /// 拨付批次及其逐件结果
    pub struct Batch mirrors yibao_service::disbursement::Batch {
        batch: BatchRow,
        lines: Vec<LineRow>,
    }

    /// 拨付批次
    pub struct BatchRow mirrors yibao_store::disbursement::BatchRow {
        id: i64,
        number: String,
        agency_id: i64,
        status: String,
        created_by: String,
        created_at: String,
        closed_at: Option<String>,
        paid_count: i64,
        /// 合计，单位：分
        total_fen: i64,
    }

    /// 批次中一件的拨付结果
    pub struct LineRow mirrors yibao_store::disbursement::LineRow {
        id: i64,
        batch_id: i64,
        case_number: String,
        applicant: String,
        result: String,
        /// 单位：分
        amount_fen: i64,
        message: String,
    }

    /// 号码校验结果（无效时同一形状，状态 422）
    pub struct CheckResult mirrors yibao_service::check::CheckResult {
        /// id、uscc、region
        kind: String,
        valid: bool,
        /// 规范化后的号码（有效时）
        normalized: Option<String>,
        facts: Option<CheckFacts>,
        /// 无效的原因代码
        code: Option<String>,
        message: Option<String>,
    }

    /// 号码本身所含的信息
    pub struct CheckFacts mirrors yibao_service::check::Facts {
        birth_date: Option<String>,
        sex: Option<String>,
        region_code: Option<String>,
        province: Option<String>,
    }

    /// 辖区（办事指南）
    pub struct Jurisdiction mirrors yibao_domain::catalog::Jurisdiction {
        key: String,
        name: String,
        guide: String,
        seed: String,
        issuer: Option<String>,
        edition: Option<String>,
        region_codes: Vec<String>,
    }

    /// 表单定义
    pub struct FormDefinition mirrors yibao_domain::catalog::Form {
        schema: u32,
        id: String,
        name: String,
        label: Option<String>,
        /// 转录自办事指南的表样的出处
        source: Option<CatalogSource>,
        /// 办事指南未印制的表：其说明
        basis: Option<String>,
        notes_text: Option<String>,
        numbering: Option<String>,
        reconstruction_notes: Option<String>,
        fields: Vec<FormField>,
    }

    /// 出处（办事指南的种子文件与章节）
    pub struct CatalogSource mirrors yibao_domain::catalog::Source {
        seed: String,
        section: String,
        lines: Option<String>,
    }

    /// 表单的一个字段
    pub struct FormField mirrors yibao_domain::catalog::FormField {
        key: String,
        label: String,
        /// 字段类型
        kind: String,
        choices: Option<Vec<String>>,
        required: bool,
        section: Option<String>,
        /// 由经办机构填写（申请人不填）
        agency: Option<bool>,
    }

    /// 一个辖区的办理地点
    pub struct OfficeDirectory mirrors yibao_domain::catalog::OfficeDirectory {
        jurisdiction: String,
        source: CatalogSource,
        office: Vec<Office>,
        online_channel: Option<Vec<OnlineChannel>>,
    }

    /// 办理地点
    pub struct Office mirrors yibao_domain::catalog::Office {
        district: String,
        name: Option<String>,
        address: Option<String>,
        phones: Option<Vec<String>>,
        hours: Option<String>,
        transit: Option<String>,
        complaint_address: Option<String>,
        complaint_phones: Option<Vec<String>>,
        text: String,
    }

    /// 网上办理渠道
    pub struct OnlineChannel mirrors yibao_domain::catalog::OnlineChannel {
        name: String,
        address: Option<String>,
        text: String,
    }

    /// 年度累计（按人、险种、年度）
    pub struct Accumulators mirrors yibao_domain::benefit::Accumulators {
        year: Option<i32>,
        /// 按基金池：起付线已用、基金已付（分）
        #[schema(value_type = Option<Object>)]
        pools: Option<Value>,
        /// 按住院号：已计起付线（分）
        admissions: Option<BTreeMap<String, i64>>,
        /// 本年计入大病保险的政策范围内自付（分）
        in_scope_self_pay: i64,
        critical_illness_paid: i64,
        aid_paid: i64,
        /// 个人账户余额（分）
        account_balance: i64,
    }
}

mirror! {
    /// 个人账户明细（金额单位：分）
    pub struct AccountStatement mirrors yibao_service::account::Statement {
        /// open（正常）、closed（已一次性支取并注销）
        status: String,
        status_label: String,
        year: i64,
        /// 该年度余额
        balance_fen: i64,
        /// 年度合计：opening、credited、inherited、settled、reversed、withdrawn、transferred、closing、entries
        #[schema(value_type = Object)]
        totals: Value,
        /// 明细（最新在前）：id、kind（credit、settlement、reversal、withdrawal、inheritance、transfer）、kind_label、amount_fen（正为收入，负为支出）、balance_after_fen、reference、note、created_at
        #[schema(value_type = Vec<Object>)]
        entries: Vec<Value>,
        /// 下一页（更早）的 before 参数；最后一页为 null
        next_before: Option<i64>,
        /// 本人提供给他人使用的关联（other 为使用人，已遮蔽）
        #[schema(value_type = Vec<Object>)]
        links_held: Vec<Value>,
        /// 本人使用他人个人账户的关联（other 为提供人，已遮蔽）
        #[schema(value_type = Vec<Object>)]
        links_drawn_on: Vec<Value>,
    }
}

/// 结算（预结算、结算、查询）的应答：待遇计算的分项与逐行说明，加请求流水号、状态和就医地规则。
// `yibao_domain::benefit::Explanation` with what the settlement service adds beside it; the
// service writes this JSON itself (stored once, answered as stored).
#[derive(Serialize, ToSchema)]
pub struct SettlementResult {
    /// 请求流水号
    pub request_id: String,
    /// pre_settled、settled、reversed
    pub status: String,
    /// 重复提交同一请求时为 true（返回首次的结果）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed: Option<bool>,
    /// 就医地与参保地的结算规则说明
    pub care_rule: String,
    /// 门诊慢特病（医疗类别 14）所依据的资格认定（病种、参保类别、有效期、鉴定机构）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
    #[serde(flatten)]
    pub explanation: Explanation,
}

mirror! {
    /// 待遇计算结果，金额单位：分
    pub struct Explanation mirrors yibao_domain::benefit::Explanation {
        /// 适用政策的参保地统筹区
        policy_region: String,
        policy_version: u32,
        /// employee_in_service、employee_retired、resident
        scheme: String,
        /// general_outpatient、chronic_outpatient、inpatient、maternity
        visit: String,
        /// primary、level_1、level_2、level_3
        hospital_level: String,
        /// 医疗费用总额
        total: i64,
        /// 目录外自费
        self_pay_out_of_catalogue: i64,
        /// 超限价自费
        self_pay_over_price_cap: i64,
        /// 乙类先行自付
        self_pay_category_b: i64,
        /// 政策范围内费用
        in_scope: i64,
        /// 起付线
        deductible: i64,
        /// 支付比例（万分比）
        ratio_bp: u32,
        /// 统筹基金支付
        fund: i64,
        in_scope_self_pay: i64,
        /// 大病保险支付
        critical_illness: i64,
        /// 医疗救助支付
        aid: i64,
        /// 个人账户支付
        account: i64,
        /// 个人账户共济支付（关联的家庭成员个人账户支付，acct_mulaid_pay），仅在发生时出现
        #[serde(skip_serializing_if = "Option::is_none")]
        account_mutual_aid: Option<i64>,
        /// 个人现金支付
        cash: i64,
        person_share: i64,
        funds_total: i64,
        account_balance_after: i64,
        /// 逐行分项
        #[schema(value_type = Vec<Object>)]
        lines: Vec<Value>,
        /// 逐步说明（中文）
        #[schema(value_type = Vec<Object>)]
        steps: Vec<Value>,
        /// 对年度累计的影响
        #[schema(value_type = Object)]
        deltas: Value,
    }
}

/// 当前身份：kind 为 anonymous、citizen、employer、staff、institution、system，其余字段随 kind 而定
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Anonymous,
    Citizen(CitizenActor),
    Employer(EmployerActor),
    Staff(StaffActor),
    Institution(InstitutionActor),
    /// 机器上的命令行（导入、维护）
    System {
        label: String,
    },
}

#[cfg(test)]
const _: fn(yibao_service::identity::Actor) = |actor| {
    use yibao_service::identity::Actor as A;
    match actor {
        A::Anonymous | A::Citizen(_) | A::Employer(_) | A::Staff(_) | A::Institution(_) => {}
        A::System { label: _ } => {}
    }
};

/// 找回密码：城乡居民凭身份号码，单位经办人凭统一社会信用代码与用户名；均须手机验证码（purpose=reset）
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PasswordReset {
    Citizen {
        id_number: String,
        phone: String,
        code: String,
        new_password: String,
    },
    Employer {
        uscc: String,
        username: String,
        phone: String,
        code: String,
        new_password: String,
    },
}

#[cfg(test)]
const _: fn(yibao_service::identity::PasswordReset) = |reset| {
    use yibao_service::identity::PasswordReset as R;
    match reset {
        R::Citizen {
            id_number: _,
            phone: _,
            code: _,
            new_password: _,
        } => {}
        R::Employer {
            uscc: _,
            username: _,
            phone: _,
            code: _,
            new_password: _,
        } => {}
    }
};

mirror! {
    /// 办事指南中的一个事项（一个版本）。结构化的指南内容（设定依据、条件、材料、渠道、时限、流程……）
    /// 以对象数组给出，字段见 data/catalog 的说明。
    pub struct CatalogItem mirrors yibao_domain::catalog::Item {
        schema: u32,
        jurisdiction: String,
        /// 事项序号
        id: String,
        /// 规范服务
        service: String,
        name: String,
        heading: Option<String>,
        version: u32,
        #[schema(format = Date)]
        effective_from: Option<String>,
        #[schema(format = Date)]
        effective_to: Option<String>,
        category: Option<String>,
        /// immediate（即办件）或 promised（承诺件）
        case_type: Option<String>,
        case_type_text: Option<String>,
        issuing_bureau: Option<String>,
        scope: Option<String>,
        target: Option<String>,
        accepting_agency: Option<String>,
        deciding_agency: Option<String>,
        level: Option<String>,
        guiding_department: Option<String>,
        implementing_department: Option<String>,
        conditions_text: Option<String>,
        materials_text: Option<String>,
        channels_text: Option<String>,
        time_limit_text: Option<String>,
        process_text: Option<String>,
        outputs_text: Option<String>,
        fees_text: Option<String>,
        fee_charged: Option<bool>,
        result_delivery: Option<String>,
        consultation: Option<String>,
        progress_query: Option<String>,
        evaluation: Option<String>,
        remedies: Option<String>,
        complaint: Option<String>,
        notes_text: Option<String>,
        legal_basis_text: Option<String>,
        codes_text: Option<String>,
        dates_text: Option<String>,
        /// 表单编号（GET /api/v1/forms/{id}）
        forms: Option<Vec<String>>,
        /// 已实现的办理效果
        effect: Option<String>,
        source: CatalogSource,
        /// 事项编码
        #[schema(value_type = Option<Vec<Object>>)]
        codes: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        dates: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        legal_basis: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        conditions: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        materials: Option<Vec<Value>>,
        #[schema(value_type = Option<Object>)]
        upload: Option<Value>,
        #[schema(value_type = Option<Vec<Object>>)]
        channels: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        time_limits: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        steps: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        outputs: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        figures: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        defects: Option<Vec<Value>>,
        #[schema(value_type = Option<Vec<Object>>)]
        extra: Option<Vec<Value>>,
    }
}

mirror! {
    /// 撤销结算的应答
    pub struct SettlementReversed mirrors yibao_service::settlement::SettlementReversed {
        request_id: String,
        /// 恒为 reversed
        status: String,
    }
}

/// 国家医保信息平台接口报文（1101、2206–2208、2303–2305）；金额为元（两位小数的文本）
#[derive(Serialize, ToSchema)]
pub struct NationalRequest {
    /// 交易编号
    pub infno: String,
    /// 报文 ID
    pub msgid: String,
    /// 定点医药机构编码
    #[schema(required = false)]
    pub fixmedins_code: String,
    /// 交易时间 yyyy-MM-dd HH:mm:ss
    #[schema(required = false)]
    pub inf_time: String,
    /// 交易输入：data、mdtrtinfo、dscginfo、feedetail 等节点，随交易而定（docs/national.md）；
    /// sign_no、infver、dev_no、cainfo 等其他报文头字段可照常发送
    #[schema(value_type = Object)]
    pub input: Value,
}

/// 国家医保信息平台接口应答
#[derive(Serialize, ToSchema)]
pub struct NationalAnswer {
    /// 0 成功，-1 失败
    pub infcode: i32,
    /// 接收方报文ID：就医地区划（6位）+ 时间（14位）+ 序号（10位）
    pub inf_refmsgid: String,
    /// 接收报文时间 yyyyMMddHHmmssSSS
    pub refmsg_time: String,
    /// 响应报文时间 yyyyMMddHHmmssSSS
    pub respond_time: String,
    /// 失败时的中文说明；成功时为空
    pub err_msg: String,
    /// 警告信息（目前总为空）
    pub warn_msg: String,
    /// 失败时的稳定代码
    pub err_code: Option<String>,
    /// 交易输出，随交易而定（金额为以元计的数值）；失败时为 null
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
}

/// 备案的就医地：{"level": "province" | "city", "code": 行政区划代码}
#[derive(Serialize, ToSchema)]
pub struct FilingTarget {
    /// province（省级）或 city（地市级，含省直辖县级市）
    pub level: String,
    pub code: String,
}

#[cfg(test)]
impl Describes<yibao_domain::filing::FilingTarget> for FilingTarget {}

#[cfg(test)]
const _: fn(yibao_domain::filing::FilingTarget) = |target| {
    use yibao_domain::filing::FilingTarget as T;
    match target {
        T::Province(_) | T::City(_) => {}
    }
};

mirror! {
    /// 一次性告知书
    pub struct NoticeView mirrors yibao_service::cases::NoticeView {
        issued_at: String,
        issued_by: String,
        items: Vec<NoticeItem>,
        answered_at: Option<String>,
    }
}

// Complaints and reports (投诉、举报).
mirror! {
    /// 登记投诉举报
    pub struct ComplaintSubmitInput mirrors yibao_service::complaint::SubmitInput {
        /// complaint（投诉）或 report（举报）
        kind: String,
        /// 工作人员录入：window、phone、letter、hotline_12345；群众网上提交为 online
        #[schema(required = false)]
        channel: Option<String>,
        /// 12345 工单号（12345 转办时必填）
        #[schema(required = false)]
        ticket: Option<String>,
        /// 网上提交：事项发生地的区县区划代码
        #[schema(required = false)]
        region_code: Option<String>,
        /// institution、employer、person、agency、other
        subject_kind: String,
        subject_name: String,
        /// 定点医药机构编码（对象为定点医药机构时）
        #[schema(required = false)]
        institution_code: Option<String>,
        content: String,
        /// 匿名举报（投诉须实名）
        #[schema(required = false)]
        anonymous: bool,
        #[schema(required = false)]
        reporter_name: Option<String>,
        #[schema(required = false)]
        reporter_phone: Option<String>,
        #[schema(required = false)]
        reporter_id_number: Option<String>,
    }

    /// 受理决定
    pub struct ComplaintDecideInput mirrors yibao_service::complaint::DecideInput {
        /// accept（受理）、refuse（不予受理）、transfer（移交）
        decision: String,
        /// 不予受理或移交的理由
        #[schema(required = false)]
        reason: Option<String>,
        /// 移交的有权处理部门
        #[schema(required = false)]
        department: Option<String>,
    }

    /// 投诉举报
    pub struct ComplaintView mirrors yibao_service::complaint::ComplaintView {
        number: String,
        kind: String,
        kind_label: String,
        channel: String,
        channel_label: String,
        ticket: Option<String>,
        agency_name: String,
        region_code: String,
        subject_kind: String,
        subject_kind_label: String,
        subject_name: String,
        institution_code: Option<String>,
        content: String,
        anonymous: bool,
        /// 对无权查看的人员以掩码显示
        reporter_name: Option<String>,
        reporter_phone: Option<String>,
        reporter_id_number: Option<String>,
        reporter_masked: bool,
        status: String,
        status_label: String,
        received_on: String,
        decide_by: String,
        answer_by: Option<String>,
        due: Option<String>,
        /// done、on_time、due_today、overdue
        timeliness: String,
        /// 时限为示例参数（指南未规定）
        limits_example: bool,
        decision_text: Option<String>,
        transferred_to: Option<String>,
        handler: Option<String>,
        answer_text: Option<String>,
        answered_at: Option<String>,
        evaluation: Option<String>,
        evaluation_label: Option<String>,
        evaluation_text: Option<String>,
        /// 当前用户可做的操作：decide、assign、answer、evaluate
        actions: Vec<String>,
        events: Vec<ComplaintEventView>,
    }

    /// 办理经过
    pub struct ComplaintEventView mirrors yibao_service::complaint::ComplaintEventView {
        at: String,
        action_label: String,
        status_label: String,
        note: String,
    }

    /// 投诉举报清单的一行
    pub struct ComplaintSummary mirrors yibao_service::complaint::ComplaintSummary {
        number: String,
        kind_label: String,
        channel_label: String,
        subject_kind_label: String,
        subject_name: String,
        institution_code: Option<String>,
        status: String,
        status_label: String,
        received_on: String,
        due: Option<String>,
        timeliness: String,
    }
}

mirror! {
    /// 医保服务协议条款
    pub struct Agreement mirrors yibao_domain::institution::Agreement {
        /// 协议起始日
        #[schema(format = Date)]
        valid_from: String,
        /// 协议终止日；空为未约定
        #[schema(format = Date)]
        valid_until: Option<String>,
        /// 协议约定的机构等级
        level: String,
        /// 协议服务范围（如 普通门诊、住院、门诊慢特病、生育）
        services: Vec<String>,
        /// 结算方式：fee_for_service（按项目付费）、disease_points（按病种分值付费）、global_budget（总额预付）
        methods: Vec<String>,
        /// 总额预付的年度总额预算（分）
        annual_budget_fen: Option<i64>,
        /// 已开通跨省异地就医直接结算
        cross_province: bool,
    }

    /// 协议流程的一步（办理记录）
    pub struct AgreementEvent mirrors yibao_store::institution::AgreementEventRow {
        id: i64,
        institution_id: i64,
        action: String,
        stage_from: String,
        stage_to: String,
        note: String,
        actor_label: String,
        at: String,
    }

    /// 定点协议：流程状态、条款与办理记录
    pub struct AgreementView mirrors yibao_service::institution::AgreementView {
        code: String,
        name: String,
        /// applied、evaluated、publicised、in_force、suspended、terminated、refused
        stage: String,
        stage_label: String,
        terms: Option<Agreement>,
        #[schema(format = Date)]
        applied_on: Option<String>,
        #[schema(format = Date)]
        publicity_from: Option<String>,
        /// 公示期末日（重庆：公示7个工作日）；空为指南未规定公示天数
        #[schema(format = Date)]
        publicity_ends: Option<String>,
        /// 今日协议有效（接口令牌可用）
        in_force: bool,
        events: Vec<AgreementEvent>,
    }

    /// 定点申请办件的一步（受理后、办结前）
    pub struct ApplicationStepInput mirrors yibao_service::institution::case_effect::ApplicationStepInput {
        /// evaluate（评估）、publicise（公示）、object（公示有异议）、terms（协议条款）
        action: String,
        /// evaluate：实地查看、评估是否通过
        #[schema(required = false)]
        passed: Option<bool>,
        /// publicise：公示起始日，默认今日
        #[schema(format = Date, required = false)]
        from: Option<String>,
        /// terms：协商确定的协议条款
        #[schema(required = false)]
        terms: Option<Agreement>,
        #[schema(required = false)]
        note: String,
    }

    /// 定点申请办件已办理的一步
    pub struct ApplicationStep mirrors yibao_store::institution::ApplicationStep {
        action: String,
        #[schema(format = Date)]
        on: String,
        note: String,
        actor: String,
    }

    /// 定点申请办件的评估、公示与协议条款
    pub struct ApplicationView mirrors yibao_service::institution::case_effect::ApplicationView {
        /// applied、evaluated、publicised、refused
        stage: String,
        stage_label: String,
        /// 评估通过时生成的机构编码
        code: Option<String>,
        /// 重庆：正式受理10日内实地查看、评估
        #[schema(format = Date)]
        evaluation_due: Option<String>,
        #[schema(format = Date)]
        evaluated_on: Option<String>,
        /// 公示工作日数（重庆7个工作日；四川未规定，为 null）
        publicity_working_days: Option<u32>,
        #[schema(format = Date)]
        publicity_from: Option<String>,
        #[schema(format = Date)]
        publicity_ends: Option<String>,
        terms: Option<Agreement>,
        /// 办结前尚需完成的事项（为空即可办结）
        outstanding: Vec<String>,
        history: Vec<ApplicationStep>,
    }

    /// 协议流程的一步
    pub struct AgreementStep mirrors yibao_service::institution::AgreementStep {
        /// evaluate（评估）、publicise（公示）、object（公示未通过）、sign（签订协议）、change（协议变更）、suspend（暂停）、terminate（解除）、restore（恢复）、open_cross_province（开通跨省直接结算）
        action: String,
        /// evaluate：评估是否通过
        #[schema(required = false)]
        passed: Option<bool>,
        /// publicise：公示起始日，默认今日
        #[schema(format = Date, required = false)]
        from: Option<String>,
        /// sign、change：协议条款
        #[schema(required = false)]
        terms: Option<Agreement>,
        #[schema(required = false)]
        note: String,
    }

    /// 某病种的住院例数
    pub struct GroupCases mirrors yibao_domain::institution::monthly::GroupCases {
        /// 病种编码（见月结算规则数据）
        group: String,
        cases: i64,
    }

    /// 月结算申报
    pub struct DeclarationInput mirrors yibao_service::institution::monthly::DeclarationInput {
        /// 每行：{"scheme": employee_in_service | employee_retired | resident, "visit": general_outpatient | chronic_outpatient | inpatient | maternity（亦可用 med_type 11/14/21/51）, "fund": total | pooled | critical_illness | aid | account | cash, "count": 人次, "amount_fen": 金额（分）}
        #[schema(value_type = Vec<Object>)]
        lines: Value,
        /// 按病种分值付费的机构：本月各病种住院例数
        #[schema(required = false)]
        groups: Vec<GroupCases>,
    }

    /// 实时结算记录中某险种、医疗类别的月度合计（已撤销的不计）
    pub struct LedgerGroup mirrors yibao_domain::institution::monthly::LedgerGroup {
        scheme: String,
        visit: String,
        count: i64,
        total: i64,
        pooled: i64,
        critical_illness: i64,
        aid: i64,
        account: i64,
        cash: i64,
    }

    /// 申报与对账结果
    pub struct DeclarationView mirrors yibao_service::institution::monthly::DeclarationView {
        /// 第几次申报
        seq: i64,
        declared_at: String,
        /// 对账：{"lines": [{scheme, visit, fund, declared_count, declared_fen, ledger_count, ledger_fen, status: matched | mismatched | not_declared | not_in_ledger}], "mismatches": 不一致行数}
        #[schema(value_type = Object)]
        reconciliation: Value,
        groups: Vec<GroupCases>,
    }

    /// 扣款
    pub struct Deduction mirrors yibao_store::monthly::DeductionRow {
        id: i64,
        institution_id: i64,
        month: String,
        reason: String,
        amount_fen: i64,
        created_by: String,
        created_at: String,
    }

    /// 月结算单
    pub struct StatementView mirrors yibao_service::institution::monthly::StatementView {
        /// issued（待机构确认）、confirmed（待拨付）、paid（已拨付）
        status: String,
        status_label: String,
        /// {"lines": [{item, method, basis, amount_fen}], "due_fen": 应付, "deductions_fen": 扣款, "reserve_fen": 质量保证金, "net_fen": 实付}
        #[schema(value_type = Object)]
        statement: Value,
        /// 拨付期限（重庆：次月15日前；四川：30个工作日内）
        #[schema(format = Date)]
        pay_by: String,
        issued_at: String,
        issued_by: String,
        confirmed_at: Option<String>,
        paid_at: Option<String>,
        batch: Option<String>,
    }

    /// 机构某月的结算：实时结算合计、申报与对账、扣款、结算单
    pub struct MonthView mirrors yibao_service::institution::monthly::MonthView {
        /// YYYY-MM
        month: String,
        code: String,
        name: String,
        ledger: Vec<LedgerGroup>,
        declaration: Option<DeclarationView>,
        deductions: Vec<Deduction>,
        statement: Option<StatementView>,
        /// 协议约定的结算方式：fee_for_service、disease_points、global_budget
        methods: Vec<String>,
        /// 规则数据的说明（示例参数）
        rules_label: String,
    }

    /// 扣款录入
    pub struct DeductionInput mirrors yibao_service::institution::monthly::DeductionInput {
        /// 机构编码
        institution: String,
        reason: String,
        amount_fen: i64,
    }

    /// 生成的结算单
    pub struct IssuedStatement mirrors yibao_service::institution::monthly::IssuedStatement {
        code: String,
        net_fen: i64,
        #[schema(format = Date)]
        pay_by: String,
    }

    /// 年终清算：生成年终清算单的输入
    pub struct YearEndInput mirrors yibao_service::institution::year_end::YearEndInput {
        /// 年度考核得分（0–100）
        score: i64,
    }

    /// 年终清算单
    pub struct YearEndView mirrors yibao_service::institution::year_end::YearEndView {
        year: i32,
        code: String,
        name: String,
        /// issued（待机构确认）、confirmed（待拨付）、paid（已拨付）
        status: String,
        status_label: String,
        /// {"year", "budget": {annual_budget_fen 年度总额, actual_pooled_fen 统筹基金实际支出, entitlement_fen 清算应得, advances_paid_fen 已预拨, balance_fen 补付（负数为追回）, basis} 或 null, "reserve": {withheld_fen 已扣留质量保证金, score 考核得分, returned_fen 返还, kept_fen 不予返还, basis}, "net_fen": 清算金额（负数为追回）}
        #[schema(value_type = Object)]
        statement: Value,
        issued_at: String,
        issued_by: String,
        confirmed_at: Option<String>,
        paid_at: Option<String>,
        batch: Option<String>,
        /// 规则数据的说明（示例参数）
        rules_label: String,
    }

    /// 年终清算拨付中的一家机构
    pub struct YearEndPaid mirrors yibao_service::institution::year_end::YearEndPaid {
        code: String,
        /// 负数为追回
        net_fen: i64,
    }

    /// 年终清算拨付批次
    pub struct YearEndBatch mirrors yibao_service::institution::year_end::YearEndBatch {
        batch: String,
        year: i32,
        paid: Vec<YearEndPaid>,
        /// 拨付减追回的合计
        total_fen: i64,
    }

    /// 未生成结算单的机构及原因
    pub struct Skipped mirrors yibao_service::institution::monthly::Skipped {
        code: String,
        reason: String,
    }

    /// 本月点值：统筹区预算 ÷ 总分值
    pub struct PointValue mirrors yibao_service::institution::monthly::PointValue {
        region_points: i64,
        budget_fen: i64,
    }

    /// 生成月结算单的结果
    pub struct RunReport mirrors yibao_service::institution::monthly::RunReport {
        month: String,
        issued: Vec<IssuedStatement>,
        skipped: Vec<Skipped>,
        point_value: Option<PointValue>,
        rules_label: String,
    }

    /// 拨付批次
    pub struct PaymentBatch mirrors yibao_service::institution::monthly::PaymentBatch {
        batch: String,
        month: String,
        paid: Vec<IssuedStatement>,
        total_fen: i64,
        /// 超过拨付期限的份数
        late: u64,
    }

    /// 经办机构月结算列表的一行
    pub struct MonthRow mirrors yibao_service::institution::monthly::MonthRow {
        code: String,
        name: String,
        kind: String,
        stage: String,
        stage_label: String,
        ledger_count: i64,
        ledger_total_fen: i64,
        ledger_pooled_fen: i64,
        declared: bool,
        mismatches: Option<i64>,
        status_label: String,
        due_fen: Option<i64>,
        deductions_fen: Option<i64>,
        reserve_fen: Option<i64>,
        net_fen: Option<i64>,
        pay_by: Option<String>,
        batch: Option<String>,
    }

    /// 经办机构某月的定点医药机构结算
    pub struct AgencyMonth mirrors yibao_service::institution::monthly::AgencyMonth {
        month: String,
        rows: Vec<MonthRow>,
        ledger_total_fen: i64,
        net_total_fen: i64,
        rules_label: String,
    }
}

mirror! {
    /// 转移接续（本机为转入地或转出地），含本方当前应办步骤及其时限
    pub struct TransferView mirrors yibao_service::transfer::TransferView {
        /// 转移接续编号（两地共用）
        reference: String,
        /// 转入地 或 转出地
        side: String,
        /// joining（转入地）或 leaving（转出地）
        side_key: String,
        /// 姓名（已遮蔽）
        person: String,
        /// 对方区划代码
        other_region: String,
        /// applied、letter_sent、letter_received、sheet_sent、sheet_received、completed、refused（转出地退回）
        status: String,
        status_label: String,
        /// 划转的个人账户余额（分）
        balance_fen: i64,
        /// 信息表所载缴费月数
        covered_months: i64,
        /// 本方应办步骤：letter（发出联系函）、sheet（发出信息表并划转余额）、completion（完成转入）；无则为 null
        owed_step: Option<String>,
        owed_step_label: Option<String>,
        /// 该步骤起算日（第0日）
        owed_since: Option<String>,
        /// 该步骤办理时限（工作日计算）
        due_on: Option<String>,
        /// 已超过时限
        overdue: bool,
        letter_sent_on: Option<String>,
        sheet_sent_on: Option<String>,
        completed_on: Option<String>,
        /// 转出地退回的理由（状态为 refused 时）
        refusal_reason: Option<String>,
    }
}

mirror! {
    /// 跨省异地就医费用清算单（本机为就医地或参保地），金额单位：分
    pub struct ClearingStatement mirrors yibao_service::clearing::StatementView {
        id: i64,
        /// care（本方为就医地，已向医药机构支付）或 insured（本方为参保地，应偿付）
        role: String,
        role_label: String,
        /// 清算月份 YYYY-MM
        month: String,
        /// 就医地省级区划代码
        care_region: String,
        care_region_name: String,
        /// 参保地省级区划代码
        insured_region: String,
        insured_region_name: String,
        /// 对方：本机，或对端实例名称
        counterpart: String,
        line_count: i64,
        total_fen: i64,
        pooled_fen: i64,
        critical_fen: i64,
        aid_fen: i64,
        account_fen: i64,
        cash_fen: i64,
        /// 应清算金额（医疗费总额减个人现金支付；撤销冲减）
        cleared_fen: i64,
        /// 明细的 SHA-256 摘要，两地相同即持有同一清算单
        digest: String,
        /// awaiting（待参保地对账）或 reconciled（已对账）
        status: String,
        status_label: String,
        accepted_count: Option<i64>,
        /// 参保地确认偿付的金额
        accepted_fen: Option<i64>,
        disputed_count: Option<i64>,
        disputed_fen: Option<i64>,
        issued_at: String,
        reconciled_at: Option<String>,
    }

    /// 清算单的一笔明细
    pub struct ClearingLine mirrors yibao_service::clearing::LineView {
        line_no: i64,
        /// 结算的跨实例编号：医药机构编码:结算请求号
        settlement_ref: String,
        /// settlement（结算）或 reversal（撤销，冲减）
        kind: String,
        kind_label: String,
        institution_code: String,
        person_id_number: String,
        /// 参保统筹区
        insured_region: String,
        /// 结算日期（北京时间）
        settled_on: String,
        /// 计入本月的日期（结算日或撤销日）
        booked_on: String,
        total_fen: i64,
        pooled_fen: i64,
        critical_fen: i64,
        aid_fen: i64,
        account_fen: i64,
        cash_fen: i64,
        /// 本笔应清算金额（撤销为负）
        cleared_fen: i64,
        /// 参保地不予确认的代码，如 clearing.not_insured
        dispute_code: Option<String>,
        dispute_reason: Option<String>,
    }

    /// 出具某月清算单的结果
    pub struct ClearingIssued mirrors yibao_service::clearing::Issued {
        month: String,
        /// 本次出具的清算单（已出具的不重复）
        issued: Vec<ClearingStatement>,
    }
}

/// 一张清算单及其明细
#[derive(Serialize, ToSchema)]
pub struct ClearingDetail {
    #[serde(flatten)]
    pub statement: ClearingStatement,
    pub lines: Vec<ClearingLine>,
}
