use chrono::NaiveDate;

use crate::Coded;

/// Why an account change or an application about an account is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// An entry's amount has the wrong sign for its kind (a credit that takes money, a draw
    /// that adds it) or is zero.
    #[error("amount sign")]
    AmountSign { kind: &'static str },
    /// The balance would go below zero.
    #[error("overdrawn")]
    Overdrawn,
    /// The balance would pass the shared input limit (or overflow).
    #[error("balance limit")]
    BalanceLimit,
    /// The account is closed (一次性支取 paid it out): it takes no credits and pays nothing.
    #[error("closed")]
    Closed,
    /// A stored entry's balance does not follow from the one before it.
    #[error("statement broken")]
    StatementBroken { entry: usize },
    /// The guide of this jurisdiction does not name this ground for a withdrawal.
    #[error("ground not allowed")]
    GroundNotAllowed {
        ground: &'static str,
        jurisdiction: &'static str,
    },
    /// The guide of this jurisdiction does not offer this way of paying out.
    #[error("method not allowed")]
    MethodNotAllowed {
        method: &'static str,
        why: &'static str,
    },
    /// Chongqing: the coverage must have stopped (停保) before the account is paid out.
    #[error("coverage active")]
    CoverageActive,
    /// Chongqing: 「请于停保次月申请办理该业务」.
    #[error("too early")]
    TooEarly { from: NaiveDate },
    /// A withdrawal on death names the heir who receives the balance.
    #[error("heir required")]
    HeirRequired,
    /// The heir cannot be the holder.
    #[error("heir is holder")]
    HeirIsHolder,
    /// A second-order heir takes only when there is no first-order heir (民法典第一千一百二十七条).
    #[error("heir order")]
    HeirOrder,
    /// Chongqing: settling abroad counts only with the household registration cancelled.
    #[error("hukou not cancelled")]
    HukouNotCancelled,
    /// A link (个人账户关联) the rules refuse.
    #[error("link")]
    Link { code: &'static str, message: String },
    /// The year-end carry-over (年度结转) of a year that has not ended.
    #[error("year open")]
    YearOpen { year: i32 },
    /// A form field is missing or does not read.
    #[error("form field")]
    Field {
        field: &'static str,
        message: String,
    },
}

impl Coded for AccountError {
    fn code(&self) -> &'static str {
        match self {
            AccountError::AmountSign { .. } => "account.amount_sign",
            AccountError::Overdrawn => "account.overdrawn",
            AccountError::BalanceLimit => "account.balance_limit",
            AccountError::Closed => "account.closed",
            AccountError::StatementBroken { .. } => "account.statement_broken",
            AccountError::GroundNotAllowed { .. } => "account.ground_not_allowed",
            AccountError::MethodNotAllowed { .. } => "account.method_not_allowed",
            AccountError::CoverageActive => "account.coverage_active",
            AccountError::TooEarly { .. } => "account.too_early",
            AccountError::HeirRequired => "account.heir_required",
            AccountError::HeirIsHolder => "account.heir_is_holder",
            AccountError::HeirOrder => "account.heir_order",
            AccountError::HukouNotCancelled => "account.hukou_not_cancelled",
            AccountError::Link { code, .. } => code,
            AccountError::YearOpen { .. } => "account.carry_over.year_open",
            AccountError::Field { .. } => "account.form",
        }
    }

    fn message(&self) -> String {
        match self {
            AccountError::AmountSign { kind } => {
                format!("个人账户“{kind}”的金额方向不正确或为零")
            }
            AccountError::Overdrawn => "个人账户余额不足，余额不能为负".into(),
            AccountError::BalanceLimit => {
                format!("个人账户余额将超过 {}，请核对金额", crate::money::MAX_INPUT)
            }
            AccountError::Closed => {
                "该个人账户已一次性支取并注销，不再划入资金，也不能再支付费用".into()
            }
            AccountError::StatementBroken { entry } => {
                format!("个人账户明细第{entry}笔的余额与上一笔不衔接，请联系系统运维人员")
            }
            AccountError::GroundNotAllowed {
                ground,
                jurisdiction,
            } => format!("{jurisdiction}办事指南未规定可因“{ground}”一次性支取个人账户"),
            AccountError::MethodNotAllowed { method, why } => {
                format!("不能选择“{method}”：{why}")
            }
            AccountError::CoverageActive => {
                "参保人仍在参保缴费，请先办理停保；停保次月再申请一次性支取".into()
            }
            AccountError::TooEarly { from } => {
                format!("停保当月仍会注入当月账户资金，请于停保次月（{from} 起）申请办理该业务")
            }
            AccountError::HeirRequired => {
                "因死亡支取的，请填写继承人的姓名、身份证号码和与死亡人员的关系".into()
            }
            AccountError::HeirIsHolder => "继承人不能是死亡人员本人".into(),
            AccountError::HeirOrder => "兄弟姐妹、祖父母、外祖父母是第二顺序继承人：\
                 只有没有第一顺序继承人（配偶、子女、父母）或其均放弃、丧失继承权时才能继承，\
                 请提交相应说明（可用个人承诺书）"
                .into(),
            AccountError::HukouNotCancelled => {
                "出国（境）定居的，须已注销户籍方可一次性支取个人账户".into()
            }
            AccountError::Link { message, .. } => message.clone(),
            AccountError::YearOpen { year } => {
                format!("{year}年度尚未结束，年度结转须在次年办理")
            }
            AccountError::Field { message, .. } => message.clone(),
        }
    }
}
