//! The working-day calendar as the application uses it: the schedules shipped in the binary,
//! with any year an administrator imported taking precedence; deadlines; imports with a change log.

use std::sync::OnceLock;
use yibao_domain::staff::StaffRole;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use yibao_domain::calendar::{Counted, Deadline, HolidayCalendar, LimitSpec, YearSchedule};
use yibao_store::calendar::{self as store, CalendarYearRow};
use yibao_store::StoreError;

use crate::identity::Actor;
use crate::{ErrorKind, ServiceError, Services};

/// The schedules embedded from `data/calendar/` (checked by the test suite).
pub fn shipped_schedules() -> &'static [YearSchedule] {
    static SHIPPED: OnceLock<Vec<YearSchedule>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with("calendar/"))
            .filter_map(|f| match YearSchedule::parse(&f.text) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(file = %f.path, error = %e, "shipped calendar file is invalid");
                    None
                }
            })
            .collect()
    })
}

/// The calendar from the shipped schedules only (no database).
pub fn shipped() -> HolidayCalendar {
    HolidayCalendar::new(shipped_schedules().iter().cloned())
}

/// The calendar in force: shipped schedules, overridden by imported years.
pub async fn current(services: &Services) -> Result<HolidayCalendar, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let imported = store::list(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut schedules: Vec<YearSchedule> = shipped_schedules().to_vec();
    for row in imported {
        match YearSchedule::parse(&row.source_text) {
            Ok(s) => schedules.push(s),
            // Imports are checked before they are stored; a bad row means tampering.
            Err(e) => {
                tracing::error!(year = row.year, error = %e, "stored calendar year is invalid")
            }
        }
    }
    Ok(HolidayCalendar::new(schedules))
}

/// One year as the admin page lists it: where its schedule comes from.
#[derive(Debug, Clone, Serialize)]
pub struct YearSource {
    pub year: i32,
    pub holidays: usize,
    /// "shipped" (in the release) or "imported" (by an administrator; takes precedence).
    pub source: &'static str,
    pub notice: String,
    pub imported_at: Option<String>,
    pub imported_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarOverview {
    pub years: Vec<YearSource>,
    pub changes: Vec<store::CalendarChangeRow>,
}

/// Every year the system knows, newest first, and the log of imports.
pub async fn admin_overview(services: &Services) -> Result<CalendarOverview, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let imported = store::list(&mut tx).await?;
    let changes = store::changes(&mut tx).await?;
    let mut years: Vec<YearSource> = Vec::new();
    for s in shipped_schedules() {
        years.push(YearSource {
            year: s.year,
            holidays: s.holidays.len(),
            source: "shipped",
            notice: s.notice.clone(),
            imported_at: None,
            imported_by: None,
        });
    }
    for row in imported {
        let Ok(s) = YearSchedule::parse(&row.source_text) else {
            continue;
        };
        years.retain(|y| y.year != s.year);
        years.push(YearSource {
            year: s.year,
            holidays: s.holidays.len(),
            source: "imported",
            notice: s.notice.clone(),
            imported_at: Some(row.imported_at),
            imported_by: Some(row.imported_by),
        });
    }
    years.sort_by_key(|y| std::cmp::Reverse(y.year));
    Ok(CalendarOverview { years, changes })
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub year: i32,
    pub holidays: usize,
    pub replaced: bool,
    pub unchanged: bool,
    pub sha256: String,
}

/// Imports one year's schedule (the file format of `data/calendar/`), replacing any earlier
/// import of that year. Checked before it is stored; logged with who and when.
pub async fn import(
    services: &Services,
    text: &str,
    actor: &Actor,
    note: &str,
) -> Result<ImportReport, ServiceError> {
    // Administrators of an agency, or the machine's operator on the command line.
    if !matches!(actor, Actor::System { .. }) {
        actor.staff_with(StaffRole::Admin)?;
    }
    let schedule = YearSchedule::parse(text).map_err(|e| ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: "calendar.invalid_schedule",
        message: e.message_zh(),
        details: None,
    })?;
    let sha = sha256_hex(text);
    let mut tx = services.store().begin().await?;
    let before = store::get(&mut tx, i64::from(schedule.year)).await?;
    if before.as_ref().is_some_and(|b| b.sha256 == sha) {
        return Ok(ImportReport {
            year: schedule.year,
            holidays: schedule.holidays.len(),
            replaced: false,
            unchanged: true,
            sha256: sha,
        });
    }
    let row = CalendarYearRow {
        year: i64::from(schedule.year),
        source_text: text.to_string(),
        sha256: sha.clone(),
        imported_at: services.clock().now_text(),
        imported_by: actor.label(),
    };
    store::upsert(
        &mut tx,
        &row,
        before.as_ref().map(|b| b.sha256.as_str()),
        note,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "calendar.import",
        "calendar_year",
        &schedule.year.to_string(),
        before
            .as_ref()
            .map(|b| serde_json::json!({ "sha256": b.sha256 }))
            .as_ref(),
        Some(&serde_json::json!({ "sha256": sha, "note": note })),
        &format!(
            "导入 {} 年节假日安排（{} 个节日）",
            schedule.year,
            schedule.holidays.len()
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(year = schedule.year, actor = %actor.label(), "calendar year imported");
    Ok(ImportReport {
        year: schedule.year,
        holidays: schedule.holidays.len(),
        replaced: before.is_some(),
        unchanged: false,
        sha256: sha,
    })
}

/// The deadline of `working_days` from `from` under the calendar in force.
pub async fn deadline(
    services: &Services,
    from: NaiveDate,
    spec: LimitSpec,
) -> Result<Deadline, ServiceError> {
    Ok(current(services).await?.deadline(from, spec))
}

pub async fn between(
    services: &Services,
    a: NaiveDate,
    b: NaiveDate,
) -> Result<Counted<i64>, ServiceError> {
    Ok(current(services).await?.working_days_between(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_calendar_covers_2004_to_2026() {
        let cal = shipped();
        for y in 2004..=2026 {
            assert!(cal.schedule(y).is_some(), "{y}");
        }
        assert_eq!(
            shipped_schedules().len(),
            crate::catalog::embedded_files()
                .iter()
                .filter(|f| f.path.starts_with("calendar/"))
                .count(),
            "every shipped calendar file parses"
        );
    }
}
