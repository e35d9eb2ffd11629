//! The contribution policies shipped in `data/policy/contribution/` (parsed once).

use chrono::NaiveDate;
use yibao_domain::contribution::{contribution_policy_for, ContributionPolicy};
use yibao_domain::RegionCode;

use crate::benefit_data::CONTRIBUTION_DIR;

/// Every shipped version. A file that fails to parse or validate is logged and left out; the
/// test suite checks that none does.
pub fn policies() -> &'static [ContributionPolicy] {
    static SETS: std::sync::OnceLock<Vec<ContributionPolicy>> = std::sync::OnceLock::new();
    SETS.get_or_init(|| {
        crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(CONTRIBUTION_DIR))
            .filter_map(|f| match parse(&f.text) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::error!(path = f.path, error = %e, "shipped contribution policy is invalid");
                    None
                }
            })
            .collect()
    })
}

fn parse(text: &str) -> Result<ContributionPolicy, String> {
    let p: ContributionPolicy = toml::from_str(text).map_err(|e| e.to_string())?;
    p.validate().map_err(|e| e.message)?;
    Ok(p)
}

/// The version in force for `region` on `date` (the most specific region containing it).
pub fn policy_for(region: &RegionCode, date: NaiveDate) -> Option<&'static ContributionPolicy> {
    contribution_policy_for(policies(), region, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_contribution_policy_loads() {
        let files = crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(CONTRIBUTION_DIR))
            .count();
        assert!(files >= 4);
        assert_eq!(policies().len(), files);
        let youyang: RegionCode = "500242".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(policy_for(&youyang, d).unwrap().region.as_str(), "500000");
    }
}
