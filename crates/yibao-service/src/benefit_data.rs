//! Policy parameters and benefit catalogues as the settlement uses them: the versions shipped in
//! `data/policy/` plus those administrators import (validated, immutable per version, audited).
//! Held in memory for the hot path and reloaded at most a minute after a change elsewhere.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use yibao_domain::staff::StaffRole;

use serde::Serialize;
use serde_json::json;
use yibao_domain::benefit::{parse_catalogue_csv, Catalogue, PolicySet};
use yibao_domain::RegionCode;
pub use yibao_store::benefit_data::CatalogueRow;
use yibao_store::benefit_data::{self as store, PolicyRow};
use yibao_store::StoreError;

use crate::identity::{sha256_hex, Actor};
use crate::{audit, ErrorKind, ServiceError, Services};

/// Everything loaded: policies (shipped and imported) and catalogues per region.
pub struct BenefitData {
    pub policies: Vec<PolicySet>,
    pub catalogues: Vec<(RegionCode, u32, Catalogue)>,
}

impl BenefitData {
    /// The policy of the most specific region containing `region`, in force on `date`.
    pub fn policy_for(&self, region: &RegionCode, date: chrono::NaiveDate) -> Option<&PolicySet> {
        self.policy_index(region, date).map(|i| &self.policies[i])
    }

    pub fn policy_index(&self, region: &RegionCode, date: chrono::NaiveDate) -> Option<usize> {
        self.policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.region.contains(region) && p.in_force_on(date))
            .max_by_key(|(_, p)| (!p.region.is_province_level(), p.version, p.effective_from))
            .map(|(i, _)| i)
    }

    /// The care region's catalogue (就医地目录): the most specific region, newest version.
    pub fn catalogue_for(&self, region: &RegionCode) -> Option<&Catalogue> {
        self.catalogues
            .iter()
            .filter(|(r, _, _)| r.contains(region))
            .max_by_key(|(r, v, _)| (!r.is_province_level(), *v))
            .map(|(_, _, c)| c)
    }
}

#[derive(Default)]
pub struct Cache {
    loaded: RwLock<Option<(Instant, Arc<BenefitData>)>>,
}

const MAX_AGE: Duration = Duration::from_secs(60);

impl Cache {
    fn get(&self) -> Option<Arc<BenefitData>> {
        let guard = self.loaded.read().ok()?;
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < MAX_AGE)
            .map(|(_, d)| d.clone())
    }

    fn put(&self, data: Arc<BenefitData>) {
        if let Ok(mut g) = self.loaded.write() {
            *g = Some((Instant::now(), data));
        }
    }

    pub fn invalidate(&self) {
        if let Ok(mut g) = self.loaded.write() {
            *g = None;
        }
    }
}

fn parse_policy(text: &str) -> Result<PolicySet, ServiceError> {
    let p: PolicySet = toml::from_str(text).map_err(|e| {
        ServiceError::invalid(
            "benefit.policy_invalid",
            format!("待遇政策文件格式错误：{e}"),
        )
    })?;
    p.validate().map_err(ServiceError::from_domain)?;
    // A rule for a disease names it as the disease lists do (data/diseases/, `<section>/<no>`).
    for code in p.rules.iter().flat_map(|r| r.diseases.iter()) {
        if !crate::qualification::lists()
            .iter()
            .any(|l| l.find(code).is_ok())
        {
            return Err(ServiceError::invalid(
                "benefit.policy_invalid",
                format!("待遇政策文件有误：病种“{code}”不在任何病种目录中（data/diseases/）"),
            ));
        }
    }
    Ok(p)
}

/// Contribution policies live beside the benefit policies but in their own format
/// (`crate::contribution_policy`); so do the maternity policies (`crate::maternity`).
pub const CONTRIBUTION_DIR: &str = "policy/contribution/";

/// The shipped policies (parsed once).
fn shipped() -> &'static [(String, PolicySet)] {
    static SETS: std::sync::OnceLock<Vec<(String, PolicySet)>> = std::sync::OnceLock::new();
    SETS.get_or_init(|| {
        crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| {
                f.path.starts_with("policy/")
                    && !f.path.starts_with(CONTRIBUTION_DIR)
                    && !f.path.starts_with(crate::maternity::MATERNITY_DIR)
            })
            .filter_map(|f| match parse_policy(&f.text) {
                Ok(p) => Some((sha256_hex(&f.text), p)),
                Err(e) => {
                    tracing::error!(path = f.path, error = %e, "shipped policy file is invalid");
                    None
                }
            })
            .collect()
    })
}

/// The data in force (from memory when fresh).
pub async fn data(services: &Services) -> Result<Arc<BenefitData>, ServiceError> {
    if let Some(d) = services.benefit_cache().get() {
        return Ok(d);
    }
    let mut tx = services.store().begin_read().await?;
    let imported = store::policies(&mut tx).await?;
    let catalogue_rows = store::catalogues(&mut tx).await?;
    drop(tx);
    let mut policies: Vec<PolicySet> = shipped().iter().map(|(_, p)| p.clone()).collect();
    for row in imported {
        match parse_policy(&row.text) {
            Ok(p) => policies.push(p),
            Err(e) => {
                tracing::error!(region = row.region_code, version = row.version, error = %e, "stored policy is invalid")
            }
        }
    }
    let mut catalogues = Vec::new();
    for row in catalogue_rows {
        let parsed = parse_catalogue_csv(&row.csv_text)
            .and_then(|entries| Catalogue::new(row.version as u32, entries));
        match (parsed, row.region_code.parse::<RegionCode>()) {
            (Ok(c), Ok(r)) => catalogues.push((r, row.version as u32, c)),
            _ => tracing::error!(
                region = row.region_code,
                version = row.version,
                "stored catalogue is invalid"
            ),
        }
    }
    let d = Arc::new(BenefitData {
        policies,
        catalogues,
    });
    services.benefit_cache().put(d.clone());
    Ok(d)
}

/// Administrators of the policy's region (or the command line) may import.
fn may_import(actor: &Actor, region: &RegionCode) -> Result<(), ServiceError> {
    match actor {
        Actor::System { .. } => Ok(()),
        _ => {
            let admin = actor.staff_with(StaffRole::Admin)?;
            if admin.agency_region.contains(region) {
                Ok(())
            } else {
                Err(crate::identity::forbidden(
                    "auth.out_of_agency",
                    "只能维护本经办机构辖区的待遇政策和目录",
                ))
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportResult {
    pub region_code: String,
    pub version: u32,
    pub unchanged: bool,
}

/// Imports one policy version (the format of `data/policy/`). A version is immutable: the same
/// text again changes nothing; different text under an existing version is refused.
pub async fn import_policy(
    services: &Services,
    actor: &Actor,
    text: &str,
) -> Result<ImportResult, ServiceError> {
    let policy = parse_policy(text)?;
    may_import(actor, &policy.region)?;
    let sha = sha256_hex(text);
    let region = policy.region.as_str().to_string();
    let version = policy.version;
    let existing_shipped = shipped()
        .iter()
        .find(|(_, p)| p.region == policy.region && p.version == version);
    let mut tx = services.store().begin().await?;
    let existing_db = store::policies(&mut tx)
        .await?
        .into_iter()
        .find(|r| r.region_code == region && r.version == i64::from(version));
    let known = existing_shipped
        .map(|(s, _)| s.clone())
        .or(existing_db.map(|r| r.sha256));
    if let Some(s) = known {
        if s == sha {
            return Ok(ImportResult {
                region_code: region,
                version,
                unchanged: true,
            });
        }
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "benefit.policy_version_exists",
            message: format!(
                "区划 {region} 的第 {version} 版政策参数已存在且内容不同；更正请发布新版本"
            ),
            details: None,
        });
    }
    let now = services.clock().now_text();
    store::insert_policy(
        &mut tx,
        &PolicyRow {
            region_code: region.clone(),
            version: i64::from(version),
            text: text.to_string(),
            sha256: sha.clone(),
            imported_at: now,
            imported_by: actor.label(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "benefit.policy_import",
        "policy",
        &format!("{region}/v{version}"),
        None,
        Some(&json!({ "sha256": sha, "effective_from": policy.effective_from })),
        &format!(
            "导入 {region} 第 {version} 版待遇政策参数（{} 起）",
            policy.effective_from
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    services.benefit_cache().invalidate();
    Ok(ImportResult {
        region_code: region,
        version,
        unchanged: false,
    })
}

/// Imports a benefit catalogue (CSV, `yibao_domain::benefit::CSV_COLUMNS`) for a region.
pub async fn import_catalogue(
    services: &Services,
    actor: &Actor,
    region: &str,
    version: u32,
    csv: &str,
) -> Result<ImportResult, ServiceError> {
    let region: RegionCode = region.parse()?;
    may_import(actor, &region)?;
    let entries = parse_catalogue_csv(csv).map_err(ServiceError::from_domain)?;
    let count = entries.len();
    Catalogue::new(version, entries).map_err(ServiceError::from_domain)?;
    let sha = sha256_hex(csv);
    let mut tx = services.store().begin().await?;
    if let Some(existing) = store::catalogues(&mut tx)
        .await?
        .into_iter()
        .find(|c| c.region_code == region.as_str() && c.version == i64::from(version))
    {
        if existing.sha256 == sha {
            return Ok(ImportResult {
                region_code: region.as_str().into(),
                version,
                unchanged: true,
            });
        }
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "benefit.catalogue_version_exists",
            message: format!(
                "区划 {} 的第 {version} 版目录已存在且内容不同；更正请发布新版本",
                region.as_str()
            ),
            details: None,
        });
    }
    let now = services.clock().now_text();
    store::insert_catalogue(
        &mut tx,
        &CatalogueRow {
            region_code: region.as_str().into(),
            version: i64::from(version),
            csv_text: csv.to_string(),
            sha256: sha.clone(),
            entries: count as i64,
            imported_at: now,
            imported_by: actor.label(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "benefit.catalogue_import",
        "benefit_catalogue",
        &format!("{}/v{version}", region.as_str()),
        None,
        Some(&json!({ "sha256": sha, "entries": count })),
        &format!(
            "导入 {} 第 {version} 版医保目录（{count} 条）",
            region.as_str()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    services.benefit_cache().invalidate();
    Ok(ImportResult {
        region_code: region.as_str().into(),
        version,
        unchanged: false,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    pub region_code: String,
    pub name: String,
    pub version: u32,
    pub effective_from: chrono::NaiveDate,
    pub effective_to: Option<chrono::NaiveDate>,
    pub example: bool,
}

/// What is in force, for the admin page and API.
pub async fn overview(
    services: &Services,
    actor: &Actor,
) -> Result<(Vec<PolicySummary>, Vec<CatalogueRow>), ServiceError> {
    actor.staff_with(StaffRole::Admin)?;
    let d = data(services).await?;
    let policies = d
        .policies
        .iter()
        .map(|p| PolicySummary {
            region_code: p.region.as_str().into(),
            name: p.name.clone(),
            version: p.version,
            effective_from: p.effective_from,
            effective_to: p.effective_to,
            example: p.example,
        })
        .collect();
    let mut tx = services.store().begin_read().await?;
    Ok((policies, store::catalogues(&mut tx).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule for a disease must name one of the disease lists' codes.
    #[test]
    fn a_disease_rule_names_a_listed_disease() {
        let text = include_str!("../../../data/policy/chongqing/2026.toml");
        assert!(parse_policy(text).is_ok());
        let with = |code: &str| {
            text.replacen(
                "deductible_scope = \"per_admission\"",
                &format!("deductible_scope = \"per_admission\"\ndiseases = [\"{code}\"]"),
                1,
            )
        };
        assert!(parse_policy(&with("employee/18")).is_ok());
        let e = parse_policy(&with("employee/99")).unwrap_err();
        assert!(e.message().contains("employee/99"), "{}", e.message());
    }
}
