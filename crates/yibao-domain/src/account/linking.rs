//! Account linking (个人账户关联 / 家庭共济): a holder (提供人) lets a named person (使用人) pay
//! from the holder's account what the user's own account does not cover.
//!
//! - Youyang (seed 002 医保个人账户长期关联): 「双方参保状态正常」; 「双方居民身份证、社会保障卡」; the
//!   holder comes in person with both persons' documents (「提供人持本人和使用人有效证件原件亲自到医保
//!   经办机构现场办理」).
//! - Nanchuan (seed 004 item 37, 渝人社发〔2012〕106号): an employee-insurance member whose own
//!   account 「资金不足或无余额支付其应自付的门诊或住院医疗费用时，可使用其亲属或指定人的城镇职工基本
//!   医疗保险个人账户资金…但均应征得被使用者同意」: the user is an employee-insurance member, the
//!   holder a relative or a designated person (any person), who consents by applying.
//!
//! What this system adds, to keep settlement serialisable without deadlocks: one holder per user
//! at a time, and no chains (a holder is not a user of another link, a user not a holder).

use std::collections::BTreeMap;

use serde::Serialize;

use super::AccountError;
use crate::benefit::{Explanation, MutualAidDelta, Step};
use crate::money::Fen;
use crate::{CitizenId, Coded};

macro_rules! coded {
    ($name:ident { $($variant:ident => $key:literal, $label:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn key(self) -> &'static str { match self { $($name::$variant => $key),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.key() == s || v.label() == s)
            }
            pub fn labels() -> Vec<&'static str> { $name::ALL.iter().map(|v| v.label()).collect() }
        }
    };
}

coded!(LinkAction {
    Link => "link", "建立关联";
    Revoke => "revoke", "解除关联";
});

// 渝人社发〔2012〕106号: 「亲属或指定人」.
coded!(LinkRelationship {
    Spouse => "spouse", "配偶";
    Child => "child", "子女";
    Parent => "parent", "父母";
    OtherRelative => "other_relative", "其他亲属";
    Designated => "designated", "指定人";
});

/// The form's fields (`data/forms/account-linking.toml`), in order.
pub const LINKING_FORM_FIELDS: &[&str] = &["action", "user_name", "user_id_number", "relationship"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRequest {
    pub action: LinkAction,
    pub user_name: String,
    pub user: CitizenId,
    /// Required to link; not to revoke.
    pub relationship: Option<LinkRelationship>,
}

impl LinkRequest {
    pub fn from_form(form: &BTreeMap<String, String>) -> Result<Self, Vec<AccountError>> {
        let get = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
        let field = |field: &'static str, message: String| AccountError::Field { field, message };
        let mut errors = Vec::new();
        let action = LinkAction::parse(get("action"));
        if action.is_none() {
            errors.push(field(
                "action",
                format!("办理类型应为：{}", LinkAction::labels().join("、")),
            ));
        }
        let name = get("user_name");
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(field("user_name", "请填写使用人姓名（不超过50字）".into()));
        }
        let user = get("user_id_number").parse::<CitizenId>();
        if let Err(e) = &user {
            errors.push(field(
                "user_id_number",
                format!("使用人身份证号码：{}", e.message()),
            ));
        }
        let relationship = match get("relationship") {
            "" => None,
            r => match LinkRelationship::parse(r) {
                Some(r) => Some(r),
                None => {
                    errors.push(field(
                        "relationship",
                        format!(
                            "使用人与提供人的关系应为：{}",
                            LinkRelationship::labels().join("、")
                        ),
                    ));
                    None
                }
            },
        };
        if action == Some(LinkAction::Link) && relationship.is_none() && errors.is_empty() {
            errors.push(field(
                "relationship",
                "建立关联请填写使用人与提供人的关系".into(),
            ));
        }
        match (action, user, errors.is_empty()) {
            (Some(action), Ok(user), true) => Ok(LinkRequest {
                action,
                user_name: name.to_string(),
                user,
                relationship,
            }),
            _ => Err(errors),
        }
    }
}

/// What the record says of the two persons when a link is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFacts {
    /// Employee insurance in force (参保缴费) for the holder / the user.
    pub holder_active_employee: bool,
    pub user_active_employee: bool,
    pub holder_account_open: bool,
    /// The user already draws on an account (one holder per user).
    pub user_has_link: bool,
    /// The holder draws on someone's account / the user lets someone draw on theirs (no chains).
    pub holder_is_user: bool,
    pub user_is_holder: bool,
}

/// Decides a new link of `holder` to `user`.
pub fn check_link(holder: &CitizenId, user: &CitizenId, f: LinkFacts) -> Result<(), AccountError> {
    let refuse = |code: &'static str, message: &str| {
        Err(AccountError::Link {
            code,
            message: message.to_string(),
        })
    };
    if holder == user {
        return refuse("account.link_self", "提供人和使用人不能是同一人");
    }
    if !f.holder_active_employee || !f.user_active_employee {
        return refuse(
            "account.link_coverage",
            "双方参保状态应正常：提供人和使用人均须正常参加职工基本医疗保险",
        );
    }
    if !f.holder_account_open {
        return Err(AccountError::Closed);
    }
    if f.user_has_link {
        return refuse(
            "account.link_exists",
            "使用人已关联一个家庭成员的个人账户，请先解除原关联",
        );
    }
    if f.holder_is_user || f.user_is_holder {
        return refuse(
            "account.link_chain",
            "提供人本身使用他人个人账户、或使用人已向他人提供个人账户的，不能再关联（不可转关联）",
        );
    }
    Ok(())
}

/// What the own account left unpaid of what the policy lets an account pay, and the bill still
/// leaves to cash: what a linked account could pay. Zero when the own account covered it.
pub fn linked_need(x: &Explanation) -> Fen {
    let own = x.steps.iter().rev().find_map(|s| match s {
        Step::Account { allowed, paid, .. } => Some((*allowed, *paid)),
        _ => None,
    });
    match own {
        Some((allowed, paid)) => Fen(allowed
            .fen()
            .saturating_sub(paid.fen())
            .max(0)
            .min(x.cash.fen())),
        None => Fen::ZERO,
    }
}

/// Pays from the linked `holder`'s account (balance `holder_balance`) what the own account did
/// not: moves that much from cash to `account_mutual_aid`, explains it before the cash step and
/// records it in the deltas (so a reversal gives it back to the holder). Returns the amount.
pub fn draw_on_linked(
    x: &mut Explanation,
    holder: &CitizenId,
    holder_balance: Fen,
) -> Result<Fen, AccountError> {
    let need = linked_need(x);
    let paid = Fen(need.fen().min(holder_balance.fen()).max(0));
    if paid.fen() == 0 {
        return Ok(Fen::ZERO);
    }
    x.cash = x
        .cash
        .checked_sub(paid)
        .map_err(|_| AccountError::Overdrawn)?;
    x.account_mutual_aid = paid;
    for s in x.steps.iter_mut() {
        if let Step::Cash { amount } = s {
            *amount = x.cash;
        }
    }
    let at = x
        .steps
        .iter()
        .position(|s| matches!(s, Step::Cash { .. }))
        .unwrap_or(x.steps.len());
    x.steps.insert(
        at,
        Step::MutualAid {
            holder: holder.masked(),
            balance: holder_balance,
            paid,
        },
    );
    x.deltas.mutual_aid = Some(MutualAidDelta {
        holder: holder.as_str().to_string(),
        amount: paid,
    });
    Ok(paid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(first17: &str) -> CitizenId {
        let check = crate::ids::citizen_id_check_char(first17.as_bytes());
        format!("{first17}{check}").parse().unwrap()
    }

    const OK: LinkFacts = LinkFacts {
        holder_active_employee: true,
        user_active_employee: true,
        holder_account_open: true,
        user_has_link: false,
        holder_is_user: false,
        user_is_holder: false,
    };

    fn code(r: Result<(), AccountError>) -> &'static str {
        r.err().map(|e| e.code()).unwrap_or("ok")
    }

    // Seed 002 医保个人账户长期关联: 「双方参保状态正常」; 渝人社发〔2012〕106号: employee insurance on
    // both sides; one holder per user and no chains (this system's rule, for serialisable
    // settlement).
    #[test]
    fn both_sides_insured_one_holder_no_chains() {
        let (h, u) = (id("50011919650312031"), id("50011919680705042"));
        assert_eq!(code(check_link(&h, &u, OK)), "ok");
        assert_eq!(code(check_link(&h, &h, OK)), "account.link_self");
        for f in [
            LinkFacts {
                holder_active_employee: false,
                ..OK
            },
            LinkFacts {
                user_active_employee: false,
                ..OK
            },
        ] {
            assert_eq!(code(check_link(&h, &u, f)), "account.link_coverage");
        }
        assert_eq!(
            code(check_link(
                &h,
                &u,
                LinkFacts {
                    holder_account_open: false,
                    ..OK
                }
            )),
            "account.closed"
        );
        assert_eq!(
            code(check_link(
                &h,
                &u,
                LinkFacts {
                    user_has_link: true,
                    ..OK
                }
            )),
            "account.link_exists"
        );
        for f in [
            LinkFacts {
                holder_is_user: true,
                ..OK
            },
            LinkFacts {
                user_is_holder: true,
                ..OK
            },
        ] {
            assert_eq!(code(check_link(&h, &u, f)), "account.link_chain");
        }
    }

    #[test]
    fn the_form_needs_a_relationship_to_link_but_not_to_revoke() {
        let u = id("50011919680705042");
        let form = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let link = form(&[
            ("action", "建立关联"),
            ("user_name", "李秀英"),
            ("user_id_number", u.as_str()),
        ]);
        let e = LinkRequest::from_form(&link).unwrap_err();
        assert_eq!(e[0].code(), "account.form");
        let mut with = link.clone();
        with.insert("relationship".into(), "指定人".into());
        let r = LinkRequest::from_form(&with).unwrap();
        assert_eq!(r.relationship, Some(LinkRelationship::Designated));
        let revoke = form(&[
            ("action", "revoke"),
            ("user_name", "李秀英"),
            ("user_id_number", u.as_str()),
        ]);
        assert_eq!(
            LinkRequest::from_form(&revoke).unwrap().action,
            LinkAction::Revoke
        );
    }
}
