//! Cross-province direct settlement at an institution (跨省异地就医直接结算): who needs it and
//! whether the institution may give it. Seed 000 item 07 (门诊费用跨省直接结算, the川渝 guide):
//! 「已经参加四川省、重庆市基本医疗保险,且在待遇享受期内,跨省就医需要结算门诊费用的人员」, accepted by
//! 「四川省、重庆市跨省门诊费用直接结算定点医疗机构」; Sichuan item 38 (开通跨省异地就医直接结算) is
//! how an institution becomes one (the agreement's `cross_province`, docs/institutions.md).
//! Whether care elsewhere is settled directly at all — the filing (备案) and the insured region's
//! rule for unfiled care — is `filing::care_rule`'s, checked after this.

use crate::ids::RegionCode;

/// Care in another province than the insured region's: the two region codes' provinces differ.
/// Chongqing (50) and Sichuan (51) are two provinces, so 川渝 care across the border is
/// cross-province.
pub fn is_cross_province(insured: &RegionCode, care: &RegionCode) -> bool {
    insured.province_prefix() != care.province_prefix()
}

/// Whether an institution in `care` may settle directly for a person insured in `insured`:
/// always within the province; across provinces only when its agreement has cross-province
/// direct settlement opened.
pub fn may_settle(insured: &RegionCode, care: &RegionCode, institution_open: bool) -> bool {
    institution_open || !is_cross_province(insured, care)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str) -> RegionCode {
        code.parse().unwrap()
    }

    // Seed 000 item 07 boundaries: a Chongqing insured person at a Chengdu institution, and the
    // other way round, need an opened institution; Chengdu and Mianyang (both Sichuan), or two
    // Chongqing districts, do not.
    #[test]
    fn chongqing_and_sichuan_are_two_provinces() {
        assert!(is_cross_province(&r("500119"), &r("510104")));
        assert!(is_cross_province(&r("510100"), &r("500000")));
        assert!(!is_cross_province(&r("510100"), &r("510700")));
        assert!(!is_cross_province(&r("500119"), &r("500103")));
        assert!(!is_cross_province(&r("500000"), &r("500119")));
    }

    #[test]
    fn only_an_opened_institution_settles_across_the_border() {
        assert!(!may_settle(&r("500119"), &r("510104"), false));
        assert!(may_settle(&r("500119"), &r("510104"), true));
        assert!(may_settle(&r("510100"), &r("510700"), false));
        assert!(may_settle(&r("500119"), &r("500103"), false));
    }
}
