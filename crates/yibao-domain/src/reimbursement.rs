//! Manual reimbursement (手工报销 / 零星报销): the bill's identity and the rule that a bill is
//! paid once.
//!
//! A manual reimbursement exists for a bill that was *not* settled in real time: seed 001 items
//! 25/26 serve 「未在定点医疗机构联网结算门诊费用的 / 住院费用的基本医疗保险参保人员」; seed 003
//! items 26/27 list 「非联网结算」, 「联网医疗机构计算机网络故障时发生的未进行网络结算的医疗费用」
//! and 「经医保经办机构核实无法进行联网结算或反结算的医保费用」. A bill the settlement ledger shows
//! as settled (not reversed — 反结算 restores the bill to the person) has already been paid by
//! the fund at the counter; a bill another manual case has reimbursed has been paid at the window.
//! Either is refused.
//!
//! A bill is identified by where the care happened (the institution's national code, 定点医药机构
//! 编码) and its visit/admission number (就诊流水号 / 住院号, `mdtrt_id` in the national
//! interface): the two together are what the real-time ledger records for a settlement.

use serde::{Deserialize, Serialize};

use crate::codes::SettlementStatus;
use crate::error::Coded;

/// Longest visit number kept (the national interface's `mdtrt_id` is at most 30; room is left).
pub const VISIT_NUMBER_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReimbursementError {
    #[error("institution code invalid")]
    InstitutionCode,
    #[error("visit number missing or invalid")]
    VisitNumber,
    /// The ledger shows the bill as settled in real time.
    #[error("already settled")]
    AlreadySettled { request_id: String, at: String },
    /// Another manual reimbursement case has paid the bill.
    #[error("already reimbursed")]
    AlreadyReimbursed { case_number: String },
    #[error("payee bank missing")]
    PayeeBank,
    #[error("payee account number invalid")]
    PayeeAccount,
    #[error("payee holder missing")]
    PayeeHolder,
    /// The bill is declared outside the fund's scope (社会保险法第三十条).
    #[error("excluded")]
    Excluded(Exclusion),
}

impl Coded for ReimbursementError {
    fn code(&self) -> &'static str {
        match self {
            ReimbursementError::InstitutionCode => "reimbursement.institution_code",
            ReimbursementError::VisitNumber => "reimbursement.visit_number",
            ReimbursementError::AlreadySettled { .. } => "reimbursement.already_settled",
            ReimbursementError::AlreadyReimbursed { .. } => "reimbursement.already_reimbursed",
            ReimbursementError::PayeeBank => "reimbursement.payee_bank",
            ReimbursementError::PayeeAccount => "reimbursement.payee_account",
            ReimbursementError::PayeeHolder => "reimbursement.payee_holder",
            ReimbursementError::Excluded(_) => "reimbursement.excluded",
        }
    }

    fn message(&self) -> String {
        match self {
            ReimbursementError::InstitutionCode => {
                "就医机构编码应为定点医药机构编码：H（医疗机构）或 P（药店）加11位数字".into()
            }
            ReimbursementError::VisitNumber => format!(
                "就诊流水号（住院号/门诊号）不能为空，且不超过{VISIT_NUMBER_MAX}个字符，不含空白或控制字符"
            ),
            ReimbursementError::AlreadySettled { request_id, at } => format!(
                "该费用已于 {at} 在就医机构联网直接结算（结算流水号 {request_id}），\
                 不能再手工报销；如结算已撤销（反结算），请以撤销后的记录为准"
            ),
            ReimbursementError::AlreadyReimbursed { case_number } => format!(
                "该费用已由办件 {case_number} 手工报销，不能重复报销"
            ),
            ReimbursementError::PayeeBank => format!(
                "收款账户的开户银行不能为空，且不超过{TEXT_MAX}个字符"
            ),
            ReimbursementError::PayeeAccount => format!(
                "收款账号应为{ACCOUNT_DIGITS_MIN}至{ACCOUNT_DIGITS_MAX}位数字"
            ),
            ReimbursementError::PayeeHolder => format!(
                "收款账户的户名不能为空，且不超过{TEXT_MAX}个字符"
            ),
            ReimbursementError::Excluded(x) => format!(
                "该费用属于“{}”，依{}不纳入基本医疗保险基金支付范围，不能报销",
                x.label(),
                EXCLUSION_SOURCE
            ),
        }
    }
}

/// A designated institution's national code (定点医药机构编码): `H` (医疗机构) or `P` (药店)
/// and 11 digits, e.g. `H50011900001` — the same rule the institution register applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct InstitutionCode(String);

impl InstitutionCode {
    pub fn parse(s: &str) -> Result<InstitutionCode, ReimbursementError> {
        let s = s.trim();
        let ok = s.len() == 12
            && matches!(s.as_bytes()[0], b'H' | b'P')
            && s.bytes().skip(1).all(|b| b.is_ascii_digit());
        if ok {
            Ok(InstitutionCode(s.to_string()))
        } else {
            Err(ReimbursementError::InstitutionCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for InstitutionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        InstitutionCode::parse(&s).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// The visit (admission) number as the institution issued it, trimmed.
pub fn visit_number(s: Option<&str>) -> Result<String, ReimbursementError> {
    let s = s.map(str::trim).unwrap_or("");
    if s.is_empty()
        || s.chars().count() > VISIT_NUMBER_MAX
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ReimbursementError::VisitNumber);
    }
    Ok(s.to_string())
}

/// One bill's identity: the institution where the care happened and its visit number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BillKey {
    pub institution: InstitutionCode,
    pub visit: String,
}

impl BillKey {
    pub fn new(
        institution: InstitutionCode,
        visit: Option<&str>,
    ) -> Result<BillKey, ReimbursementError> {
        Ok(BillKey {
            institution,
            visit: visit_number(visit)?,
        })
    }
}

/// A real-time settlement of the same bill found in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub request_id: String,
    /// `settled` or `reversed`.
    pub status: SettlementStatus,
    pub at: String,
}

/// A manual reimbursement of the same bill already paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidClaim {
    pub case_number: String,
}

/// The once-only rule: refused when any ledger entry of the bill is still settled (a reversed
/// one does not count: 反结算 gives the bill back to the person, seed 003 item 27 condition 4),
/// or when another case (not `this_case`) has reimbursed it.
pub fn check_not_paid(
    this_case: &str,
    ledger: &[LedgerEntry],
    claims: &[PaidClaim],
) -> Result<(), ReimbursementError> {
    if let Some(s) = ledger
        .iter()
        .find(|s| s.status == SettlementStatus::Settled)
    {
        return Err(ReimbursementError::AlreadySettled {
            request_id: s.request_id.clone(),
            at: s.at.clone(),
        });
    }
    if let Some(c) = claims.iter().find(|c| c.case_number != this_case) {
        return Err(ReimbursementError::AlreadyReimbursed {
            case_number: c.case_number.clone(),
        });
    }
    Ok(())
}

/// Why the bill is settled by hand (手工结算的情形), as the guides list them. Chongqing (seed 003
/// items 26 特病门诊费用报销 and 27 住院费用报销, 办理条件 1–5; 002 and 004 are Chongqing districts
/// and state no other list) names five; Sichuan (seed 001 items 25/26, 服务对象) names one,
/// 「未在定点医疗机构联网结算」, which `NotSettledAtInstitution` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualGround {
    /// 003 item 27 condition 1 「参保人进行异地就医备案，在非联网结算就医地发生的住院费用」; item 26
    /// condition 1 「参保人在非联网结算地就医发生的特病门诊医疗费用」.
    NonNetworkedPlace,
    /// 003 items 26/27 condition 2.
    ArrearsBackPaid,
    /// 003 items 26/27 condition 3.
    NetworkFailure,
    /// 003 items 26/27 condition 4.
    VerifiedUnsettleable,
    /// 001 items 25/26 服务对象.
    NotSettledAtInstitution,
    /// 003 items 26/27 condition 5.
    Other,
}

impl ManualGround {
    pub const ALL: [ManualGround; 6] = [
        ManualGround::NonNetworkedPlace,
        ManualGround::ArrearsBackPaid,
        ManualGround::NetworkFailure,
        ManualGround::VerifiedUnsettleable,
        ManualGround::NotSettledAtInstitution,
        ManualGround::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ManualGround::NonNetworkedPlace => "non_networked_place",
            ManualGround::ArrearsBackPaid => "arrears_back_paid",
            ManualGround::NetworkFailure => "network_failure",
            ManualGround::VerifiedUnsettleable => "verified_unsettleable",
            ManualGround::NotSettledAtInstitution => "not_settled_at_institution",
            ManualGround::Other => "other",
        }
    }

    /// The guide's words.
    pub fn label(self) -> &'static str {
        match self {
            ManualGround::NonNetworkedPlace => {
                "在非联网结算地就医发生的医疗费用（异地就医未能直接结算）"
            }
            ManualGround::ArrearsBackPaid => {
                "参保人在欠缴基本医疗保险费期间发生的医疗费用，按规定补缴后，符合补结算规定的费用"
            }
            ManualGround::NetworkFailure => {
                "联网医疗机构计算机网络故障时发生的未进行网络结算的医疗费用"
            }
            ManualGround::VerifiedUnsettleable => {
                "经医保经办机构核实无法进行联网结算或反结算的医保费用"
            }
            ManualGround::NotSettledAtInstitution => "未在定点医疗机构联网结算的医疗费用",
            ManualGround::Other => "其他需要手工结算的医疗费用情况",
        }
    }

    /// Where the guide states it.
    pub fn source(self) -> &'static str {
        match self {
            ManualGround::NonNetworkedPlace => {
                "重庆市经办指南（种子003）第26项 特病门诊费用报销、第27项 住院费用报销 办理条件1"
            }
            ManualGround::ArrearsBackPaid => "重庆市经办指南（种子003）第26、27项 办理条件2",
            ManualGround::NetworkFailure => "重庆市经办指南（种子003）第26、27项 办理条件3",
            ManualGround::VerifiedUnsettleable => "重庆市经办指南（种子003）第26、27项 办理条件4",
            ManualGround::NotSettledAtInstitution => {
                "四川省经办指南（种子001）第二十五项 门诊费用报销、第二十六项 住院费用报销 服务对象"
            }
            ManualGround::Other => "重庆市经办指南（种子003）第26、27项 办理条件5",
        }
    }
}

/// Longest bank name or holder name kept.
pub const TEXT_MAX: usize = 60;
pub const ACCOUNT_DIGITS_MIN: usize = 12;
pub const ACCOUNT_DIGITS_MAX: usize = 30;

/// Where the reimbursement is paid (seed 003 items 26/27 material 「银行卡账户信息」, paid
/// 「至个人银行账户」; seed 001 items 25/26 「参保人银行账户信息」, 「将报销费用划入参保人银行账户」).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayeeAccount {
    /// 开户银行
    pub bank: String,
    /// 账号 (digits; blanks between groups are dropped)
    pub account: String,
    /// 户名
    pub holder: String,
}

impl PayeeAccount {
    /// The account as kept: trimmed, blanks removed from the number; or every problem found.
    pub fn normalised(&self) -> Result<PayeeAccount, Vec<ReimbursementError>> {
        let mut errors = Vec::new();
        let text = |s: &str| {
            let t = s.trim();
            (!t.is_empty() && t.chars().count() <= TEXT_MAX && !t.chars().any(char::is_control))
                .then(|| t.to_string())
        };
        let bank = text(&self.bank);
        if bank.is_none() {
            errors.push(ReimbursementError::PayeeBank);
        }
        let holder = text(&self.holder);
        if holder.is_none() {
            errors.push(ReimbursementError::PayeeHolder);
        }
        let account: String = self.account.chars().filter(|c| *c != ' ').collect();
        let ok = (ACCOUNT_DIGITS_MIN..=ACCOUNT_DIGITS_MAX).contains(&account.len())
            && account.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            errors.push(ReimbursementError::PayeeAccount);
        }
        match (bank, holder, errors.is_empty()) {
            (Some(bank), Some(holder), true) => Ok(PayeeAccount {
                bank,
                account,
                holder,
            }),
            _ => Err(errors),
        }
    }

    /// The number as shown: the last four digits only.
    pub fn masked(&self) -> String {
        let n = self.account.chars().count();
        let tail: String = self.account.chars().skip(n.saturating_sub(4)).collect();
        format!("{}{tail}", "*".repeat(n.saturating_sub(4)))
    }
}

/// The legal basis of the exclusions as the guide quotes it (seed 004, legal basis of the
/// manual reimbursement rows, e.g. 「基本医疗保险参保人员特病门诊费用手工（零星）报销」).
pub const EXCLUSION_SOURCE: &str =
    "《中华人民共和国社会保险法》第三十条（种子004 手工（零星）报销事项的设定依据）";

/// Costs outside the basic insurance fund (社会保险法第三十条, quoted by seed 004): 「下列医疗费用
/// 不纳入基本医疗保险基金支付范围：（一）应当从工伤保险基金中支付的；（二）应当由第三人负担的；
/// （三）应当由公共卫生负担的；（四）在境外就医的。」
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// （一）应当从工伤保险基金中支付的
    WorkInjury,
    /// （二）应当由第三人负担的
    ThirdParty,
    /// （三）应当由公共卫生负担的
    PublicHealth,
    /// （四）在境外就医的
    Abroad,
}

impl Exclusion {
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::WorkInjury => "应当从工伤保险基金中支付的",
            Exclusion::ThirdParty => "应当由第三人负担的",
            Exclusion::PublicHealth => "应当由公共卫生负担的",
            Exclusion::Abroad => "在境外就医的",
        }
    }
}

/// Whether the fund may pay a bill declared with `exclusion`. A liable third party excludes the
/// bill unless the third party does not pay or cannot be determined: then 「由基本医疗保险基金
/// 先行支付」 (same article), which `third_party_unpaid` declares.
pub fn check_payable(
    exclusion: Option<Exclusion>,
    third_party_unpaid: bool,
) -> Result<(), ReimbursementError> {
    match exclusion {
        None => Ok(()),
        Some(Exclusion::ThirdParty) if third_party_unpaid => Ok(()),
        Some(x) => Err(ReimbursementError::Excluded(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(status: SettlementStatus) -> LedgerEntry {
        LedgerEntry {
            request_id: "R1".into(),
            status,
            at: "2026-10-10T10:00:00+08:00".into(),
        }
    }

    #[test]
    fn institution_codes_follow_the_national_form() {
        assert!(InstitutionCode::parse("H50011900001").is_ok());
        assert!(InstitutionCode::parse(" P51010400012 ").is_ok());
        for bad in [
            "",
            "H5001190000",
            "H500119000012",
            "X50011900001",
            "h50011900001",
            "H5001190000A",
            "Ｈ5001190000",
        ] {
            assert_eq!(
                InstitutionCode::parse(bad),
                Err(ReimbursementError::InstitutionCode),
                "{bad}"
            );
        }
    }

    #[test]
    fn visit_numbers_are_required_and_bounded() {
        assert_eq!(visit_number(Some(" ZY-1 ")).as_deref(), Ok("ZY-1"));
        assert!(visit_number(None).is_err());
        assert!(visit_number(Some("  ")).is_err());
        assert!(visit_number(Some("A B")).is_err());
        assert!(visit_number(Some(&"9".repeat(VISIT_NUMBER_MAX))).is_ok());
        assert!(visit_number(Some(&"9".repeat(VISIT_NUMBER_MAX + 1))).is_err());
    }

    #[test]
    fn a_settled_bill_is_refused_a_reversed_one_is_not() {
        let e = check_not_paid("C1", &[settled(SettlementStatus::Settled)], &[]).unwrap_err();
        assert_eq!(e.code(), "reimbursement.already_settled");
        assert!(e.message().contains("联网直接结算"), "{}", e.message());
        assert_eq!(
            check_not_paid("C1", &[settled(SettlementStatus::Reversed)], &[]),
            Ok(())
        );
        assert_eq!(check_not_paid("C1", &[], &[]), Ok(()));
        // Reversed, then settled again under a new request: settled wins.
        assert!(check_not_paid(
            "C1",
            &[
                settled(SettlementStatus::Reversed),
                settled(SettlementStatus::Settled)
            ],
            &[]
        )
        .is_err());
    }

    #[test]
    fn a_bill_reimbursed_by_another_case_is_refused_but_not_by_its_own() {
        let paid = [PaidClaim {
            case_number: "C1".into(),
        }];
        assert_eq!(check_not_paid("C1", &[], &paid), Ok(()));
        let e = check_not_paid("C2", &[], &paid).unwrap_err();
        assert_eq!(e.code(), "reimbursement.already_reimbursed");
        assert!(e.message().contains("C1"));
    }

    fn payee(bank: &str, account: &str, holder: &str) -> PayeeAccount {
        PayeeAccount {
            bank: bank.into(),
            account: account.into(),
            holder: holder.into(),
        }
    }

    #[test]
    fn payee_accounts_are_validated() {
        let ok = payee(" 中国工商银行南川支行 ", "6222 0212 3456 7890", "王建国")
            .normalised()
            .unwrap();
        assert_eq!(ok.account, "6222021234567890");
        assert_eq!(ok.bank, "中国工商银行南川支行");
        assert_eq!(ok.masked(), "************7890");
        // 12 and 30 digits are the bounds.
        assert!(payee("银行", &"1".repeat(12), "户名").normalised().is_ok());
        assert!(payee("银行", &"1".repeat(30), "户名").normalised().is_ok());
        for bad in [
            "1".repeat(11),
            "1".repeat(31),
            "62220212345678X0".into(),
            String::new(),
        ] {
            assert_eq!(
                payee("银行", &bad, "户名").normalised(),
                Err(vec![ReimbursementError::PayeeAccount]),
                "{bad}"
            );
        }
        // Every problem at once.
        let all = payee(" ", "1", "").normalised().unwrap_err();
        let codes: Vec<_> = all.iter().map(Coded::code).collect();
        assert_eq!(
            codes,
            [
                "reimbursement.payee_bank",
                "reimbursement.payee_holder",
                "reimbursement.payee_account"
            ]
        );
        assert!(payee("银行", &"1".repeat(12), &"名".repeat(TEXT_MAX + 1))
            .normalised()
            .is_err());
    }

    #[test]
    fn grounds_carry_the_guides_words_and_sources() {
        for g in ManualGround::ALL {
            assert!(
                !g.label().is_empty() && g.source().contains("种子00"),
                "{g:?}"
            );
            let json = serde_json::to_value(g).unwrap();
            assert_eq!(json, g.key());
        }
        assert!(ManualGround::NetworkFailure.label().contains("网络故障"));
    }

    #[test]
    fn excluded_costs_are_not_paid() {
        assert_eq!(check_payable(None, false), Ok(()));
        for x in [
            Exclusion::WorkInjury,
            Exclusion::ThirdParty,
            Exclusion::PublicHealth,
            Exclusion::Abroad,
        ] {
            let e = check_payable(Some(x), false).unwrap_err();
            assert_eq!(e.code(), "reimbursement.excluded");
            assert!(e.message().contains(x.label()) && e.message().contains("第三十条"));
        }
        // 第三人不支付或者无法确定第三人的，由基本医疗保险基金先行支付.
        assert_eq!(check_payable(Some(Exclusion::ThirdParty), true), Ok(()));
        assert!(check_payable(Some(Exclusion::WorkInjury), true).is_err());
    }
}
