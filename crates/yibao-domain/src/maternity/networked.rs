//! Care settled at the hospital (联网结算) is not claimed again by hand, and what was paid by
//! hand is not settled again at the hospital: one birth or operation, one payment of its medical
//! costs. Seed 003 item 29 备注 (一) 「参保人在内生育保险定点医疗机构发生的生育医疗费可直接
//! 联网结算」, seed 001 items 25/26 服务对象 「未在定点医疗机构联网结算…费用的」: the manual
//! claim is for costs the hospital did not settle.
//!
//! A networked settlement names the event by its date when the hospital sends it (national
//! `birctrl_matn_date`), otherwise by the stay it covers (admission to settlement day): the
//! event lies somewhere in it.

use chrono::NaiveDate;

use super::{BenefitKind, MaternityError};

/// A standing (not reversed) real-time maternity settlement of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkedSettlement {
    /// How the agency names it (institution code / request id).
    pub reference: String,
    pub benefit: BenefitKind,
    /// The days the event may lie in (one day when its date was sent).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A maternity benefit paid by hand (the manual claim's record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidClaim {
    pub case: String,
    pub benefit: BenefitKind,
    pub event_date: NaiveDate,
}

/// Whether the one-payment rule applies to `benefit`. Prenatal checks are many visits under
/// one limit, and the allowance is not a medical cost: neither is an event paid once.
fn one_payment(benefit: BenefitKind) -> bool {
    matches!(
        benefit,
        BenefitKind::DeliveryCosts | BenefitKind::FamilyPlanningCosts
    )
}

/// A manual claim of `benefit` for the event on `event_date`: refused when a standing
/// settlement at the hospital already paid that event's costs.
pub fn check_not_settled_at_hospital(
    benefit: BenefitKind,
    event_date: NaiveDate,
    settled: &[NetworkedSettlement],
) -> Result<(), MaternityError> {
    if !one_payment(benefit) {
        return Ok(());
    }
    match settled
        .iter()
        .find(|s| s.benefit == benefit && s.from <= event_date && event_date <= s.to)
    {
        Some(s) => Err(MaternityError::SettledAtHospital {
            benefit,
            event_date,
            reference: s.reference.clone(),
        }),
        None => Ok(()),
    }
}

/// A real-time settlement of `benefit` for an event in `from..=to`: refused when a manual claim
/// already paid an event of those days.
pub fn check_not_claimed_by_hand(
    benefit: BenefitKind,
    from: NaiveDate,
    to: NaiveDate,
    paid: &[PaidClaim],
) -> Result<(), MaternityError> {
    if !one_payment(benefit) {
        return Ok(());
    }
    match paid
        .iter()
        .find(|p| p.benefit == benefit && from <= p.event_date && p.event_date <= to)
    {
        Some(p) => Err(MaternityError::AlreadyPaid {
            benefit,
            event_date: p.event_date,
            case: p.case.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn stay(benefit: BenefitKind, from: NaiveDate, to: NaiveDate) -> NetworkedSettlement {
        NetworkedSettlement {
            reference: "H1/N:1".into(),
            benefit,
            from,
            to,
        }
    }

    #[test]
    fn a_birth_settled_at_the_hospital_is_not_claimed_by_hand() {
        let s = [stay(BenefitKind::DeliveryCosts, d(11, 16), d(11, 20))];
        // The stay's first and last day, and inside it.
        for day in [16, 18, 20] {
            let e = check_not_settled_at_hospital(BenefitKind::DeliveryCosts, d(11, day), &s)
                .unwrap_err();
            assert_eq!(e.code(), "maternity.settled_at_hospital");
            assert!(e.message().contains("H1/N:1"), "{}", e.message());
        }
        // The day before admission and after the settlement: another event.
        assert!(check_not_settled_at_hospital(BenefitKind::DeliveryCosts, d(11, 15), &s).is_ok());
        assert!(check_not_settled_at_hospital(BenefitKind::DeliveryCosts, d(11, 21), &s).is_ok());
        // A family-planning operation is not the birth's costs.
        assert!(
            check_not_settled_at_hospital(BenefitKind::FamilyPlanningCosts, d(11, 18), &s).is_ok()
        );
        // Prenatal checks and the allowance are not one payment per event.
        assert!(check_not_settled_at_hospital(BenefitKind::PrenatalCare, d(11, 18), &s).is_ok());
        let dated = [stay(BenefitKind::DeliveryCosts, d(11, 18), d(11, 18))];
        assert!(check_not_settled_at_hospital(BenefitKind::Allowance, d(11, 18), &dated).is_ok());
        assert!(
            check_not_settled_at_hospital(BenefitKind::DeliveryCosts, d(11, 17), &dated).is_ok()
        );
        assert!(
            check_not_settled_at_hospital(BenefitKind::DeliveryCosts, d(11, 18), &dated).is_err()
        );
    }

    #[test]
    fn costs_paid_by_hand_are_not_settled_again_at_the_hospital() {
        let paid = [PaidClaim {
            case: "C1".into(),
            benefit: BenefitKind::DeliveryCosts,
            event_date: d(11, 18),
        }];
        let e = check_not_claimed_by_hand(BenefitKind::DeliveryCosts, d(11, 16), d(11, 20), &paid)
            .unwrap_err();
        assert_eq!(e.code(), "maternity.already_paid");
        assert!(
            check_not_claimed_by_hand(BenefitKind::DeliveryCosts, d(11, 19), d(11, 25), &paid)
                .is_ok()
        );
        assert!(check_not_claimed_by_hand(
            BenefitKind::FamilyPlanningCosts,
            d(11, 16),
            d(11, 20),
            &paid
        )
        .is_ok());
    }
}
