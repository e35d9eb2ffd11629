//! The account statement (个人账户明细): every change to a balance is an entry with its kind,
//! its signed amount in fen and the balance after it. Sums are checked; a balance never goes
//! below zero nor past the shared input limit.

use serde::{Deserialize, Serialize};

use super::AccountError;
use crate::money::{Fen, MAX_INPUT};

/// Whether the account still takes credits and pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// 正常
    Open,
    /// 已注销 (paid out by a one-time withdrawal)
    Closed,
}

impl AccountStatus {
    pub fn key(self) -> &'static str {
        match self {
            AccountStatus::Open => "open",
            AccountStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Open => "正常",
            AccountStatus::Closed => "已注销",
        }
    }

    pub fn from_key(s: &str) -> Option<AccountStatus> {
        [AccountStatus::Open, AccountStatus::Closed]
            .into_iter()
            .find(|k| k.key() == s)
    }
}

/// A stored account status or entry kind no build knows (corrupt data, or a newer build's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的个人账户代码 / unknown personal-account key {0:?}")]
pub struct UnknownAccountKey(pub String);

impl TryFrom<String> for AccountStatus {
    type Error = UnknownAccountKey;
    fn try_from(s: String) -> Result<Self, UnknownAccountKey> {
        AccountStatus::from_key(&s).ok_or(UnknownAccountKey(s))
    }
}

/// What an entry of the statement records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// 划入: money credited to the account (as the contribution system reports it).
    Credit,
    /// 结算支付: a settlement at a designated institution paid from the account.
    Settlement,
    /// 结算撤销退回: a reversed settlement gives back what it took.
    Reversal,
    /// 一次性支取: the balance paid out when the account is closed.
    Withdrawal,
    /// 继承转入: a deceased holder's balance received by the heir's account.
    Inheritance,
    /// 跨省划转: the balance paid to a cross-province long-term filer's card (seed 001 item 14).
    Transfer,
    /// 结转下年: a year's closing balance leaves the year at the year-end carry-over (年度结转).
    CarryOut,
    /// 上年结转: the same amount opens the next year.
    CarryIn,
    /// 转移接续转出: the balance leaves with a transfer to another region (issue #18).
    TransferOut,
    /// 转移接续转入: a balance arriving with a transfer from another region (issue #18).
    TransferIn,
}

impl EntryKind {
    pub const ALL: [EntryKind; 10] = [
        EntryKind::Credit,
        EntryKind::Settlement,
        EntryKind::Reversal,
        EntryKind::Withdrawal,
        EntryKind::Inheritance,
        EntryKind::Transfer,
        EntryKind::CarryOut,
        EntryKind::CarryIn,
        EntryKind::TransferOut,
        EntryKind::TransferIn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EntryKind::Credit => "credit",
            EntryKind::Settlement => "settlement",
            EntryKind::Reversal => "reversal",
            EntryKind::Withdrawal => "withdrawal",
            EntryKind::Inheritance => "inheritance",
            EntryKind::Transfer => "transfer",
            EntryKind::CarryOut => "carry_out",
            EntryKind::CarryIn => "carry_in",
            EntryKind::TransferOut => "transfer_out",
            EntryKind::TransferIn => "transfer_in",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Credit => "划入",
            EntryKind::Settlement => "结算支付",
            EntryKind::Reversal => "结算撤销退回",
            EntryKind::Withdrawal => "一次性支取",
            EntryKind::Inheritance => "继承转入",
            EntryKind::Transfer => "跨省划转",
            EntryKind::CarryOut => "结转下年",
            EntryKind::CarryIn => "上年结转",
            EntryKind::TransferOut => "转移接续转出",
            EntryKind::TransferIn => "转移接续转入",
        }
    }

    pub fn from_key(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// True when the entry adds to the balance (its amount is positive).
    pub fn adds(self) -> bool {
        matches!(
            self,
            EntryKind::Credit
                | EntryKind::Reversal
                | EntryKind::Inheritance
                | EntryKind::CarryIn
                | EntryKind::TransferIn
        )
    }
}

impl TryFrom<String> for EntryKind {
    type Error = UnknownAccountKey;
    fn try_from(s: String) -> Result<Self, UnknownAccountKey> {
        EntryKind::from_key(&s).ok_or(UnknownAccountKey(s))
    }
}

/// One line of the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub kind: EntryKind,
    /// Signed: positive adds to the balance, negative takes from it.
    pub amount: Fen,
    pub balance_after: Fen,
}

/// The balance after posting `amount` of `kind` to an account holding `balance` with
/// `status`: the amount's sign must match the kind (and not be zero); a closed account takes
/// no credit and pays nothing; the result stays within 0..=`MAX_INPUT`.
pub fn post(
    balance: Fen,
    status: AccountStatus,
    kind: EntryKind,
    amount: Fen,
) -> Result<Fen, AccountError> {
    if amount.fen() == 0 || kind.adds() != (amount.fen() > 0) {
        return Err(AccountError::AmountSign { kind: kind.label() });
    }
    if status == AccountStatus::Closed {
        return Err(AccountError::Closed);
    }
    let after = balance
        .checked_add(amount)
        .map_err(|_| AccountError::BalanceLimit)?;
    if after.is_negative() {
        return Err(AccountError::Overdrawn);
    }
    if after.fen() > MAX_INPUT.fen() {
        return Err(AccountError::BalanceLimit);
    }
    Ok(after)
}

/// The year-end carry-over (年度结转) of `year` on `today`: the year must have ended; what moves
/// is the year's whole closing balance, as long as there is one (a later change to the year —
/// a late reversal — leaves a new balance that the next carry-over moves). `None`: nothing to move.
pub fn carry_over(
    year: i32,
    today: chrono::NaiveDate,
    closing: Fen,
    status: AccountStatus,
) -> Result<Option<Fen>, AccountError> {
    use chrono::Datelike;
    if today.year() <= year {
        return Err(AccountError::YearOpen { year });
    }
    if status == AccountStatus::Closed || closing.fen() <= 0 {
        return Ok(None);
    }
    Ok(Some(closing))
}

/// A year's totals (年度合计) of a statement, each a sum of the entries of its kind (amounts
/// as positive figures), with the opening and closing balances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct YearTotals {
    pub opening: Fen,
    pub credited: Fen,
    pub inherited: Fen,
    pub settled: Fen,
    pub reversed: Fen,
    pub withdrawn: Fen,
    pub transferred: Fen,
    /// 上年结转: what the previous year's carry-over brought in.
    pub carried_in: Fen,
    /// 结转下年: what this year's carry-over moved to the next.
    pub carried_out: Fen,
    /// 转移接续转入 / 转出: balances that came with or left with a transfer between regions.
    pub transferred_in: Fen,
    pub transferred_out: Fen,
    pub closing: Fen,
    pub entries: u64,
}

/// The totals of a year's entries, in order, starting from `opening`. Each entry's balance
/// must follow from the one before it (else the statement is broken, and said so).
pub fn year_totals(opening: Fen, entries: &[Entry]) -> Result<YearTotals, AccountError> {
    let mut t = YearTotals {
        opening,
        closing: opening,
        ..YearTotals::default()
    };
    let add = |a: Fen, b: Fen| a.checked_add(b).map_err(|_| AccountError::BalanceLimit);
    for (i, e) in entries.iter().enumerate() {
        let expected = add(t.closing, e.amount)?;
        if expected != e.balance_after || e.balance_after.is_negative() {
            return Err(AccountError::StatementBroken { entry: i + 1 });
        }
        let size = Fen(e
            .amount
            .fen()
            .checked_abs()
            .ok_or(AccountError::BalanceLimit)?);
        match e.kind {
            EntryKind::Credit => t.credited = add(t.credited, size)?,
            EntryKind::Inheritance => t.inherited = add(t.inherited, size)?,
            EntryKind::Settlement => t.settled = add(t.settled, size)?,
            EntryKind::Reversal => t.reversed = add(t.reversed, size)?,
            EntryKind::Withdrawal => t.withdrawn = add(t.withdrawn, size)?,
            EntryKind::Transfer => t.transferred = add(t.transferred, size)?,
            EntryKind::CarryIn => t.carried_in = add(t.carried_in, size)?,
            EntryKind::CarryOut => t.carried_out = add(t.carried_out, size)?,
            EntryKind::TransferIn => t.transferred_in = add(t.transferred_in, size)?,
            EntryKind::TransferOut => t.transferred_out = add(t.transferred_out, size)?,
        }
        t.closing = e.balance_after;
        t.entries += 1;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;
    use proptest::prelude::*;

    const OPEN: AccountStatus = AccountStatus::Open;

    #[test]
    fn credits_add_and_draws_take_but_never_below_zero() {
        assert_eq!(
            post(Fen(0), OPEN, EntryKind::Credit, Fen(500)),
            Ok(Fen(500))
        );
        assert_eq!(
            post(Fen(500), OPEN, EntryKind::Settlement, Fen(-500)),
            Ok(Fen(0))
        );
        assert_eq!(
            post(Fen(500), OPEN, EntryKind::Settlement, Fen(-501)),
            Err(AccountError::Overdrawn)
        );
        // The sign says the direction; zero is no entry.
        for (kind, amount) in [
            (EntryKind::Credit, -1),
            (EntryKind::Reversal, -1),
            (EntryKind::Settlement, 1),
            (EntryKind::Withdrawal, 1),
            (EntryKind::Credit, 0),
            (EntryKind::CarryIn, -1),
            (EntryKind::CarryOut, 1),
        ] {
            assert_eq!(
                post(Fen(500), OPEN, kind, Fen(amount)).unwrap_err().code(),
                "account.amount_sign",
                "{kind:?} {amount}"
            );
        }
    }

    #[test]
    fn the_balance_stops_at_the_input_limit() {
        let max = MAX_INPUT;
        assert_eq!(
            post(Fen(max.fen() - 1), OPEN, EntryKind::Credit, Fen(1)),
            Ok(max)
        );
        assert_eq!(
            post(max, OPEN, EntryKind::Credit, Fen(1)),
            Err(AccountError::BalanceLimit)
        );
        assert_eq!(
            post(Fen(i64::MAX), OPEN, EntryKind::Credit, Fen(i64::MAX)),
            Err(AccountError::BalanceLimit)
        );
    }

    // Seed 003 医疗保险个人账户一次性支取: once paid out, the account is closed (no credit, no
    // draw).
    #[test]
    fn a_closed_account_takes_nothing_and_pays_nothing() {
        let closed = AccountStatus::Closed;
        assert_eq!(
            post(Fen(0), closed, EntryKind::Credit, Fen(100)),
            Err(AccountError::Closed)
        );
        assert_eq!(
            post(Fen(100), closed, EntryKind::Settlement, Fen(-1)),
            Err(AccountError::Closed)
        );
    }

    #[test]
    fn year_totals_sum_each_kind_and_check_the_chain() {
        let e = |kind, amount, after| Entry {
            kind,
            amount: Fen(amount),
            balance_after: Fen(after),
        };
        let entries = [
            e(EntryKind::Credit, 10_000, 12_000),
            e(EntryKind::Settlement, -3_000, 9_000),
            e(EntryKind::Reversal, 3_000, 12_000),
            e(EntryKind::Settlement, -2_500, 9_500),
            e(EntryKind::CarryOut, -9_000, 500),
            e(EntryKind::CarryIn, 9_000, 9_500),
            e(EntryKind::Withdrawal, -9_500, 0),
        ];
        let t = year_totals(Fen(2_000), &entries).unwrap();
        assert_eq!(
            t,
            YearTotals {
                opening: Fen(2_000),
                credited: Fen(10_000),
                inherited: Fen(0),
                settled: Fen(5_500),
                reversed: Fen(3_000),
                withdrawn: Fen(9_500),
                transferred: Fen(0),
                carried_in: Fen(9_000),
                carried_out: Fen(9_000),
                transferred_in: Fen(0),
                transferred_out: Fen(0),
                closing: Fen(0),
                entries: 7,
            }
        );
        let mut broken = entries;
        broken[2].balance_after = Fen(11_999);
        assert_eq!(
            year_totals(Fen(2_000), &broken),
            Err(AccountError::StatementBroken { entry: 3 })
        );
    }

    #[test]
    fn carry_over_only_after_the_year_and_only_a_balance() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // 31 December is still the year; 1 January is the next.
        assert_eq!(
            carry_over(2026, d(2026, 12, 31), Fen(100), OPEN),
            Err(AccountError::YearOpen { year: 2026 })
        );
        assert_eq!(
            carry_over(2026, d(2027, 1, 1), Fen(100), OPEN),
            Ok(Some(Fen(100)))
        );
        assert_eq!(carry_over(2026, d(2027, 1, 1), Fen(0), OPEN), Ok(None));
        assert_eq!(
            carry_over(2026, d(2027, 1, 1), Fen(1), AccountStatus::Closed),
            Ok(None)
        );
        assert_eq!(
            carry_over(2027, d(2027, 6, 1), Fen(1), OPEN)
                .unwrap_err()
                .code(),
            "account.carry_over.year_open"
        );
    }

    #[test]
    fn labels_and_keys_round_trip() {
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::from_key(k.key()), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(
            AccountStatus::from_key("closed"),
            Some(AccountStatus::Closed)
        );
        assert!(EntryKind::try_from("other".to_string()).is_err());
    }

    proptest! {
        /// Whatever is posted, a statement built by `post` always checks, and its closing
        /// balance is the opening plus the sum of its amounts.
        #[test]
        fn posted_statements_always_add_up(
            opening in 0i64..1_000_000,
            moves in proptest::collection::vec((0usize..EntryKind::ALL.len(), 1i64..500_000), 0..40),
        ) {
            let mut balance = Fen(opening);
            let mut entries = Vec::new();
            let mut sum = opening;
            for (k, size) in moves {
                let kind = EntryKind::ALL[k];
                let amount = if kind.adds() { Fen(size) } else { Fen(-size) };
                if let Ok(after) = post(balance, OPEN, kind, amount) {
                    entries.push(Entry { kind, amount, balance_after: after });
                    balance = after;
                    sum += amount.fen();
                }
            }
            let t = year_totals(Fen(opening), &entries).unwrap();
            prop_assert_eq!(t.closing, balance);
            prop_assert_eq!(t.closing.fen(), sum);
            prop_assert!(t.closing.fen() >= 0);
        }
    }
}
