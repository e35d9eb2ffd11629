//! One-time withdrawal (个人账户一次性支取): who may have the balance paid out, on what ground,
//! how, and from when. Rules per guide (SEED-NOTES D12):
//!
//! - Sichuan (seed 001 十三、参保人员个人账户资金一次性支取): employee-insurance members; the
//!   notes name two grounds, death (死亡证或火化证或民事判决书、继承人身份证、银行卡账户信息、亲属关系证明,
//!   or a personal pledge) and giving up employee insurance (主动放弃…的情况说明); the money goes
//!   「划入申请人提供的银行账户」; ≤ 15 working days.
//! - Chongqing (seed 003 医疗保险个人账户一次性支取; Youyang seed 002 and Nanchuan seed 004 item
//!   17 follow the municipality's rules): 「参保人死亡或者出国（境）定居并注销户籍」; on death the
//!   applicant chooses 继承 (into the heir's personal account, 即时办结) or 返还 (to a bank
//!   account, ≤ 15 working days); 「停保当月仍会注入当月账户资金，请于停保次月申请办理该业务」.
//!   Giving up the scheme is not a ground there.
//! - Heirs: the guides ask for the heir's identity and the kinship proof (Sichuan) and say the
//!   balance 「可以继承」 / 「可以依法继承」 (seed 004 item 17, 社会保险法第十四条); the order of
//!   heirs is the law's (民法典第一千一百二十七条): spouse, children, parents first; siblings and
//!   grandparents only when there is no first-order heir.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{AccountError, AccountStatus};
use crate::reimbursement::PayeeAccount;
use crate::{CitizenId, Coded};

/// Which guide's rules apply: Sichuan's, or the municipality's (Chongqing, Youyang, Nanchuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalJurisdiction {
    Sichuan,
    Chongqing,
}

impl WithdrawalJurisdiction {
    /// The rules of a catalog jurisdiction's item, if it has the item.
    pub fn from_key(jurisdiction: &str) -> Option<WithdrawalJurisdiction> {
        match jurisdiction {
            "sichuan" => Some(WithdrawalJurisdiction::Sichuan),
            "chongqing" | "youyang" | "nanchuan" => Some(WithdrawalJurisdiction::Chongqing),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WithdrawalJurisdiction::Sichuan => "四川省",
            WithdrawalJurisdiction::Chongqing => "重庆市",
        }
    }

    pub fn grounds(self) -> &'static [WithdrawalGround] {
        match self {
            WithdrawalJurisdiction::Sichuan => {
                &[WithdrawalGround::Death, WithdrawalGround::LeavingScheme]
            }
            WithdrawalJurisdiction::Chongqing => {
                &[WithdrawalGround::Death, WithdrawalGround::Emigration]
            }
        }
    }
}

macro_rules! coded_enum {
    ($name:ident { $($variant:ident => $key:literal, $label:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),* }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
            /// By key or by label (forms send the label, API clients either).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.key() == s || v.label() == s)
            }
            pub fn labels() -> Vec<&'static str> {
                $name::ALL.iter().map(|v| v.label()).collect()
            }
        }
    };
}

coded_enum!(WithdrawalGround {
    Death => "death", "参保人死亡";
    Emigration => "emigration", "出国（境）定居";
    LeavingScheme => "leaving_scheme", "主动放弃参加职工基本医疗保险";
});

coded_enum!(WithdrawalMethod {
    Refund => "refund", "返还至银行账户";
    Inheritance => "inheritance", "继承（转入继承人个人账户）";
});

coded_enum!(Relationship {
    Spouse => "spouse", "配偶";
    Child => "child", "子女";
    Parent => "parent", "父母";
    Sibling => "sibling", "兄弟姐妹";
    Grandparent => "grandparent", "祖父母、外祖父母";
});

/// 第一顺序 / 第二顺序 (民法典第一千一百二十七条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeirOrder {
    First,
    Second,
}

impl Relationship {
    pub fn order(self) -> HeirOrder {
        match self {
            Relationship::Spouse | Relationship::Child | Relationship::Parent => HeirOrder::First,
            Relationship::Sibling | Relationship::Grandparent => HeirOrder::Second,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heir {
    pub name: String,
    pub id_number: CitizenId,
    pub relationship: Relationship,
}

/// What the application form says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawalRequest {
    pub ground: WithdrawalGround,
    pub method: WithdrawalMethod,
    pub heir: Option<Heir>,
    /// A second-order heir declares there is no first-order heir (or all gave up the estate).
    pub no_first_order_heir: bool,
    /// Chongqing: 「出国（境）定居并注销户籍」.
    pub hukou_cancelled: bool,
    /// Where a refund is paid (开户银行、账号、户名); none for an inheritance.
    pub payee: Option<PayeeAccount>,
}

/// The fields of `data/forms/account-withdrawal.toml`, in order (a test checks the file).
pub const WITHDRAWAL_FORM_FIELDS: &[&str] = &[
    "ground",
    "method",
    "heir_name",
    "heir_id_number",
    "heir_relationship",
    "no_first_order_heir",
    "hukou_cancelled",
    "bank",
    "bank_account",
    "account_holder",
];

fn yes(form: &BTreeMap<String, String>, key: &str) -> Result<bool, AccountError> {
    match form.get(key).map(|s| s.trim()).unwrap_or("") {
        "" | "否" | "no" | "false" => Ok(false),
        "是" | "yes" | "true" => Ok(true),
        _ => Err(AccountError::Field {
            field: "yes_no",
            message: format!("“{key}”应填“是”或“否”"),
        }),
    }
}

impl WithdrawalRequest {
    /// Reads the form; every problem at once.
    pub fn from_form(form: &BTreeMap<String, String>) -> Result<Self, Vec<AccountError>> {
        let mut errors = Vec::new();
        let get = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
        let field = |field: &'static str, message: String| AccountError::Field { field, message };
        let ground = WithdrawalGround::parse(get("ground"));
        if ground.is_none() {
            errors.push(field(
                "ground",
                format!("支取原因应为：{}", WithdrawalGround::labels().join("、")),
            ));
        }
        let method = match get("method") {
            "" => Some(WithdrawalMethod::Refund),
            m => WithdrawalMethod::parse(m),
        };
        if method.is_none() {
            errors.push(field(
                "method",
                format!("清算方式应为：{}", WithdrawalMethod::labels().join("、")),
            ));
        }
        let heir = if get("heir_name").is_empty()
            && get("heir_id_number").is_empty()
            && get("heir_relationship").is_empty()
        {
            None
        } else {
            let name = get("heir_name");
            if name.is_empty() || name.chars().count() > 50 {
                errors.push(field("heir_name", "请填写继承人姓名（不超过50字）".into()));
            }
            let id = get("heir_id_number").parse::<CitizenId>();
            if let Err(e) = &id {
                errors.push(field(
                    "heir_id_number",
                    format!("继承人身份证号码：{}", e.message()),
                ));
            }
            let rel = Relationship::parse(get("heir_relationship"));
            if rel.is_none() {
                errors.push(field(
                    "heir_relationship",
                    format!(
                        "继承人与死亡人员的关系应为：{}",
                        Relationship::labels().join("、")
                    ),
                ));
            }
            match (id, rel) {
                (Ok(id_number), Some(relationship)) => Some(Heir {
                    name: name.to_string(),
                    id_number,
                    relationship,
                }),
                _ => None,
            }
        };
        let no_first = yes(form, "no_first_order_heir").map_err(|e| errors.push(e));
        let hukou = yes(form, "hukou_cancelled").map_err(|e| errors.push(e));
        let payee = if method == Some(WithdrawalMethod::Inheritance) {
            None
        } else {
            match (PayeeAccount {
                bank: get("bank").to_string(),
                account: get("bank_account").to_string(),
                holder: get("account_holder").to_string(),
            })
            .normalised()
            {
                Ok(p) => Some(p),
                Err(es) => {
                    errors.extend(es.into_iter().map(|e| field("payee", e.message())));
                    None
                }
            }
        };
        match (ground, method, errors.is_empty()) {
            (Some(ground), Some(method), true) => Ok(WithdrawalRequest {
                ground,
                method,
                heir,
                no_first_order_heir: no_first.unwrap_or(false),
                hukou_cancelled: hukou.unwrap_or(false),
                payee,
            }),
            _ => Err(errors),
        }
    }
}

/// What the holder's record says at the time of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolderFacts {
    pub status: AccountStatus,
    /// The person still has active coverage (参保缴费).
    pub coverage_active: bool,
    /// The last day of the latest coverage that ended (停保 / 终止), if any.
    pub coverage_ended_on: Option<NaiveDate>,
}

/// Where the balance goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum PayTo {
    /// 返还: to a bank account.
    Bank { payee: PayeeAccount },
    /// 继承: into the heir's personal account.
    HeirAccount { heir: CitizenId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawalDecision {
    pub ground: WithdrawalGround,
    pub method: WithdrawalMethod,
    pub pay_to: PayTo,
    pub heir: Option<Heir>,
}

/// The first day of the month after `d` (停保次月).
fn month_after(d: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if d.month() == 12 {
        (d.year().checked_add(1)?, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// Decides an application of `holder` under jurisdiction `j` on `today`.
pub fn check_withdrawal(
    j: WithdrawalJurisdiction,
    req: &WithdrawalRequest,
    holder: &CitizenId,
    facts: HolderFacts,
    today: NaiveDate,
) -> Result<WithdrawalDecision, AccountError> {
    if facts.status == AccountStatus::Closed {
        return Err(AccountError::Closed);
    }
    if !j.grounds().contains(&req.ground) {
        return Err(AccountError::GroundNotAllowed {
            ground: req.ground.label(),
            jurisdiction: j.label(),
        });
    }
    if req.method == WithdrawalMethod::Inheritance {
        if j == WithdrawalJurisdiction::Sichuan {
            return Err(AccountError::MethodNotAllowed {
                method: req.method.label(),
                why: "四川省办事指南规定将个人账户资金划入申请人提供的银行账户",
            });
        }
        if req.ground != WithdrawalGround::Death {
            return Err(AccountError::MethodNotAllowed {
                method: req.method.label(),
                why: "只有死亡人员的个人账户可以继承",
            });
        }
    }
    let heir = match req.ground {
        WithdrawalGround::Death => {
            let heir = req.heir.clone().ok_or(AccountError::HeirRequired)?;
            if &heir.id_number == holder {
                return Err(AccountError::HeirIsHolder);
            }
            if heir.relationship.order() == HeirOrder::Second && !req.no_first_order_heir {
                return Err(AccountError::HeirOrder);
            }
            Some(heir)
        }
        WithdrawalGround::Emigration => {
            if j == WithdrawalJurisdiction::Chongqing && !req.hukou_cancelled {
                return Err(AccountError::HukouNotCancelled);
            }
            None
        }
        WithdrawalGround::LeavingScheme => None,
    };
    if j == WithdrawalJurisdiction::Chongqing {
        if facts.coverage_active {
            return Err(AccountError::CoverageActive);
        }
        if let Some(from) = facts.coverage_ended_on.and_then(month_after) {
            if today < from {
                return Err(AccountError::TooEarly { from });
            }
        }
    }
    let pay_to = match (req.method, &req.payee, &heir) {
        (WithdrawalMethod::Inheritance, _, Some(h)) => PayTo::HeirAccount {
            heir: h.id_number.clone(),
        },
        (WithdrawalMethod::Refund, Some(p), _) => PayTo::Bank { payee: p.clone() },
        _ => {
            return Err(AccountError::Field {
                field: "payee",
                message: "请填写收款银行账户（开户银行、账号、户名）".into(),
            })
        }
    };
    Ok(WithdrawalDecision {
        ground: req.ground,
        method: req.method,
        pay_to,
        heir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(first17: &str) -> CitizenId {
        let check = crate::ids::citizen_id_check_char(first17.as_bytes());
        format!("{first17}{check}").parse().unwrap()
    }

    // The demo's 李秀英: the heir.
    fn other_id() -> CitizenId {
        id("50011919680705042")
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn bank() -> Vec<(&'static str, &'static str)> {
        vec![
            ("bank", "中国工商银行南川支行"),
            ("bank_account", "6222 0212 3456 7890"),
            ("account_holder", "王小军"),
        ]
    }

    fn death(rel: &str) -> BTreeMap<String, String> {
        let id = other_id();
        let mut f = form(&[
            ("ground", "参保人死亡"),
            ("heir_name", "王小军"),
            ("heir_relationship", rel),
        ]);
        f.insert("heir_id_number".into(), id.as_str().to_string());
        f.extend(form(&bank()));
        f
    }

    // The demo's 王建国: the holder.
    fn holder() -> CitizenId {
        id("50011919650312031")
    }

    const ENDED_OCT: HolderFacts = HolderFacts {
        status: AccountStatus::Open,
        coverage_active: false,
        coverage_ended_on: Some(match NaiveDate::from_ymd_opt(2026, 10, 15) {
            Some(d) => d,
            None => NaiveDate::MIN,
        }),
    };

    fn decide(
        j: WithdrawalJurisdiction,
        f: &BTreeMap<String, String>,
        facts: HolderFacts,
        today: &str,
    ) -> Result<WithdrawalDecision, AccountError> {
        let req = WithdrawalRequest::from_form(f).map_err(|mut e| e.remove(0))?;
        check_withdrawal(j, &req, &holder(), facts, d(today))
    }

    use WithdrawalJurisdiction::{Chongqing, Sichuan};

    // SEED-NOTES D12: death is a ground in every guide; a first-order heir takes the balance.
    #[test]
    fn death_pays_a_first_order_heir_in_both_provinces() {
        for j in [Sichuan, Chongqing] {
            let x = decide(j, &death("子女"), ENDED_OCT, "2026-11-02").unwrap();
            assert_eq!(x.ground, WithdrawalGround::Death);
            assert!(matches!(x.pay_to, PayTo::Bank { .. }), "{j:?}");
            assert_eq!(x.heir.unwrap().relationship, Relationship::Child);
        }
    }

    // 民法典第一千一百二十七条 (the law the guides' 「依法继承」 refers to): a sibling inherits only
    // when no first-order heir does, which the applicant declares.
    #[test]
    fn a_second_order_heir_needs_the_declaration() {
        let f = death("兄弟姐妹");
        assert_eq!(
            decide(Chongqing, &f, ENDED_OCT, "2026-11-02"),
            Err(AccountError::HeirOrder)
        );
        let mut f2 = f.clone();
        f2.insert("no_first_order_heir".into(), "是".into());
        assert!(decide(Chongqing, &f2, ENDED_OCT, "2026-11-02").is_ok());
        // Death without an heir named is refused; the heir is not the deceased.
        let mut none = death("子女");
        for k in ["heir_name", "heir_id_number", "heir_relationship"] {
            none.remove(k);
        }
        assert_eq!(
            decide(Sichuan, &none, ENDED_OCT, "2026-11-02"),
            Err(AccountError::HeirRequired)
        );
        let mut same = death("子女");
        same.insert("heir_id_number".into(), holder().as_str().into());
        assert_eq!(
            decide(Sichuan, &same, ENDED_OCT, "2026-11-02"),
            Err(AccountError::HeirIsHolder)
        );
    }

    // Seed 003: 「请于停保次月申请办理该业务」 — coverage ended 2026-10-15: 2026-10-31 is too early,
    // 2026-11-01 is the first day; active coverage is refused. Sichuan names no such wait.
    #[test]
    fn chongqing_waits_for_the_month_after_coverage_stopped() {
        let f = death("配偶");
        assert_eq!(
            decide(Chongqing, &f, ENDED_OCT, "2026-10-31"),
            Err(AccountError::TooEarly {
                from: d("2026-11-01")
            })
        );
        assert!(decide(Chongqing, &f, ENDED_OCT, "2026-11-01").is_ok());
        assert!(decide(Sichuan, &f, ENDED_OCT, "2026-10-31").is_ok());
        let active = HolderFacts {
            coverage_active: true,
            ..ENDED_OCT
        };
        assert_eq!(
            decide(Chongqing, &f, active, "2026-11-02"),
            Err(AccountError::CoverageActive)
        );
        assert!(decide(Sichuan, &f, active, "2026-11-02").is_ok());
        // December's stop: January of the next year.
        let dec = HolderFacts {
            coverage_ended_on: Some(d("2026-12-31")),
            ..ENDED_OCT
        };
        assert_eq!(
            decide(Chongqing, &f, dec, "2026-12-31"),
            Err(AccountError::TooEarly {
                from: d("2027-01-01")
            })
        );
        assert!(decide(Chongqing, &f, dec, "2027-01-01").is_ok());
    }

    // SEED-NOTES D12: giving up employee insurance — Sichuan pays out, Chongqing refuses;
    // settling abroad — Chongqing with the hukou cancelled; Sichuan's guide does not name it.
    #[test]
    fn grounds_differ_between_the_provinces() {
        let mut leave = form(&[("ground", "主动放弃参加职工基本医疗保险")]);
        leave.extend(form(&bank()));
        assert!(decide(Sichuan, &leave, ENDED_OCT, "2026-11-02").is_ok());
        assert_eq!(
            decide(Chongqing, &leave, ENDED_OCT, "2026-11-02")
                .unwrap_err()
                .code(),
            "account.ground_not_allowed"
        );
        let mut abroad = form(&[("ground", "emigration")]);
        abroad.extend(form(&bank()));
        assert_eq!(
            decide(Chongqing, &abroad, ENDED_OCT, "2026-11-02"),
            Err(AccountError::HukouNotCancelled)
        );
        abroad.insert("hukou_cancelled".into(), "是".into());
        assert!(decide(Chongqing, &abroad, ENDED_OCT, "2026-11-02").is_ok());
        assert_eq!(
            decide(Sichuan, &abroad, ENDED_OCT, "2026-11-02")
                .unwrap_err()
                .code(),
            "account.ground_not_allowed"
        );
    }

    // Seed 003: on death the applicant chooses 继承 (into the heir's account) or 返还; seed 001
    // pays into the applicant's bank account only.
    #[test]
    fn inheritance_into_the_heirs_account_is_chongqings() {
        let mut f = death("子女");
        f.insert("method".into(), "继承（转入继承人个人账户）".into());
        for k in ["bank", "bank_account", "account_holder"] {
            f.remove(k);
        }
        let x = decide(Chongqing, &f, ENDED_OCT, "2026-11-02").unwrap();
        assert_eq!(x.pay_to, PayTo::HeirAccount { heir: other_id() });
        assert_eq!(
            decide(Sichuan, &f, ENDED_OCT, "2026-11-02")
                .unwrap_err()
                .code(),
            "account.method_not_allowed"
        );
        let mut abroad = form(&[
            ("ground", "emigration"),
            ("hukou_cancelled", "是"),
            ("method", "inheritance"),
        ]);
        abroad.extend(form(&bank()));
        assert_eq!(
            decide(Chongqing, &abroad, ENDED_OCT, "2026-11-02")
                .unwrap_err()
                .code(),
            "account.method_not_allowed"
        );
    }

    #[test]
    fn a_closed_account_is_not_paid_twice() {
        let closed = HolderFacts {
            status: AccountStatus::Closed,
            ..ENDED_OCT
        };
        assert_eq!(
            decide(Chongqing, &death("子女"), closed, "2026-11-02"),
            Err(AccountError::Closed)
        );
    }

    #[test]
    fn the_form_reports_every_problem_at_once() {
        let f = form(&[
            ("ground", "退休"),
            ("heir_name", "王小军"),
            ("heir_id_number", "500119196503120314"),
            ("heir_relationship", "朋友"),
            ("hukou_cancelled", "也许"),
        ]);
        let errs = WithdrawalRequest::from_form(&f).unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| match e {
                AccountError::Field { field, .. } => *field,
                _ => "",
            })
            .collect();
        assert_eq!(
            fields,
            [
                "ground",
                "heir_id_number",
                "heir_relationship",
                "yes_no",
                "payee",
                "payee",
                "payee"
            ]
        );
    }
}
