//! Cross-province transfer of the balance (跨省异地长期备案人员个人账户资金划转), seed 001 item 14
//! (四川): 「统筹地区内办理了跨省异地长期备案的职工基本医疗保险参保人员」; the balance is paid 「划入
//! 参保人的社会保障卡金融账户」 (备注 2); ≤ 15 working days; review and payment steps. 长期备案 are
//! the kinds `FilingKind::is_long_term` names (异地安置退休、异地长期居住、常驻异地工作); cross-province:
//! the filing's target lies in another province than the insured region.

use chrono::NaiveDate;

use super::{AccountError, AccountStatus};
use crate::filing::Filing;
use crate::CitizenId;

/// The filing that entitles `person` to the transfer on `today`: long-term, in force, to
/// another province. Refused when the account is closed or no such filing exists.
pub fn check_cross_province_transfer<'a>(
    filings: &'a [Filing],
    person: &CitizenId,
    status: AccountStatus,
    today: NaiveDate,
) -> Result<&'a Filing, AccountError> {
    if status == AccountStatus::Closed {
        return Err(AccountError::Closed);
    }
    filings
        .iter()
        .filter(|f| &f.person == person && f.kind.is_long_term() && f.in_force_on(today))
        .find(|f| f.target.code().province_prefix() != f.insured_region.province_prefix())
        .ok_or(AccountError::Link {
            code: "account.no_cross_province_filing",
            message: "未查到有效的跨省异地长期备案（异地安置退休、异地长期居住或常驻异地工作），\
                      不能办理个人账户资金划转"
                .into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::{FilingJurisdiction, FilingKind, FilingRequest, FilingTarget};
    use crate::Coded;

    fn person() -> CitizenId {
        let first17 = "51010019951120028";
        format!(
            "{first17}{}",
            crate::ids::citizen_id_check_char(first17.as_bytes())
        )
        .parse()
        .unwrap()
    }

    fn filing(kind: FilingKind, target: FilingTarget) -> Filing {
        Filing::open(
            FilingRequest {
                id: "F1".into(),
                person: person(),
                kind,
                jurisdiction: FilingJurisdiction::Sichuan,
                insured_region: "510100".parse().unwrap(),
                target,
                recorded_on: "2026-03-01".parse().unwrap(),
                starts_on: None,
                requested_end: None,
            },
            &crate::filing::ValidityPolicy::per_seeds(),
        )
    }

    fn code(r: Result<&Filing, AccountError>) -> &'static str {
        r.map(|_| "ok").unwrap_or_else(|e| e.code())
    }

    // Seed 001 item 14: only 跨省 and only 长期备案 (the three long-term kinds), in force.
    #[test]
    fn only_a_long_term_filing_to_another_province_counts() {
        let today: NaiveDate = "2026-11-22".parse().unwrap();
        let open = AccountStatus::Open;
        let cq = FilingTarget::Province("500000".parse().unwrap());
        let long = [filing(FilingKind::LongTermResident, cq.clone())];
        assert_eq!(
            code(check_cross_province_transfer(&long, &person(), open, today)),
            "ok"
        );
        for kind in [FilingKind::RelocatedRetiree, FilingKind::PostedWorker] {
            let f = [filing(kind, cq.clone())];
            assert_eq!(
                code(check_cross_province_transfer(&f, &person(), open, today)),
                "ok"
            );
        }
        let within = [filing(
            FilingKind::LongTermResident,
            FilingTarget::City("510700".parse().unwrap()),
        )];
        let temporary = [filing(FilingKind::Temporary, cq.clone())];
        for f in [&within[..], &temporary[..], &[]] {
            assert_eq!(
                code(check_cross_province_transfer(f, &person(), open, today)),
                "account.no_cross_province_filing"
            );
        }
        // Before it takes effect it does not count.
        let early: NaiveDate = "2026-02-28".parse().unwrap();
        assert_eq!(
            code(check_cross_province_transfer(&long, &person(), open, early)),
            "account.no_cross_province_filing"
        );
        assert_eq!(
            code(check_cross_province_transfer(
                &long,
                &person(),
                AccountStatus::Closed,
                today
            )),
            "account.closed"
        );
    }
}
