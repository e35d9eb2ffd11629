//! The supervisor's dashboard (监督看板): the agency's and its districts' cases by status, item
//! and agency; open cases overdue and due soon (the same clock as the workbench); working days
//! from acceptance to completion; evaluations and open follow-ups; settlements per day at the
//! region's institutions over the last two weeks.

use std::collections::BTreeMap;

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime};
use serde::Serialize;
use yibao_domain::case::CaseStatus;
use yibao_domain::staff::StaffRole;
use yibao_store::cases::{self as store, DashboardRow};

use super::{item_of_key, supervised_agencies};
use crate::identity::{forbidden, Actor};
use crate::paging::Span;
use crate::{ServiceError, Services};

/// One bar of a chart: what it counts and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub cases: i64,
    pub by_status: Vec<Bar>,
    /// The items with the most cases (at most 12).
    pub by_item: Vec<Bar>,
    pub by_agency: Vec<Bar>,
    pub open: i64,
    pub overdue: i64,
    pub due_soon: i64,
    /// Completed cases by working days from acceptance to completion.
    pub completion: Vec<Bar>,
    /// The average of those days, in tenths (None without a completed case).
    pub completion_avg_tenths: Option<i64>,
    pub evaluations: Vec<Bar>,
    pub open_follow_ups: i64,
    /// The last 14 days (Beijing time), oldest first.
    pub settlements_per_day: Vec<Bar>,
}

/// Working-day buckets of time to completion.
pub const COMPLETION_BUCKETS: [(&str, i64, i64); 5] = [
    ("当日或次日", 0, 1),
    ("2–5 个工作日", 2, 5),
    ("6–10 个工作日", 6, 10),
    ("11–20 个工作日", 11, 20),
    ("20 个工作日以上", 21, i64::MAX),
];

/// The bucket a number of working days falls in.
pub fn completion_bucket(days: i64) -> &'static str {
    COMPLETION_BUCKETS
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&days.max(0)))
        .map_or(COMPLETION_BUCKETS[4].0, |b| b.0)
}

/// Counts as bars, largest first (ties by label), at most `keep`.
pub fn top(counts: BTreeMap<String, i64>, keep: usize) -> Vec<Bar> {
    let mut bars: Vec<Bar> = counts
        .into_iter()
        .map(|(label, value)| Bar { label, value })
        .collect();
    bars.sort_by(|a, b| b.value.cmp(&a.value).then(a.label.cmp(&b.label)));
    bars.truncate(keep);
    bars
}

/// A stored UTC time as Beijing time.
fn beijing(stored: &str) -> Option<NaiveDateTime> {
    let t = chrono::DateTime::parse_from_rfc3339(stored).ok()?;
    Some(
        t.with_timezone(&FixedOffset::east_opt(8 * 3600)?)
            .naive_local(),
    )
}

/// Settlements per Beijing day for the 14 days ending `today`, from counts per UTC hour
/// (`YYYY-MM-DDTHH`).
pub fn per_day(hours: &[(String, i64)], today: NaiveDate) -> Vec<Bar> {
    let first = today - Duration::days(13);
    let mut days: BTreeMap<NaiveDate, i64> =
        (0..14).map(|i| (first + Duration::days(i), 0)).collect();
    for (hour, n) in hours {
        let Some(t) = beijing(&format!("{hour}:00:00Z")) else {
            continue;
        };
        if let Some(v) = days.get_mut(&t.date()) {
            *v += n;
        }
    }
    days.into_iter()
        .map(|(d, value)| Bar {
            label: d.format("%m-%d").to_string(),
            value,
        })
        .collect()
}

pub async fn dashboard(services: &Services, actor: &Actor) -> Result<Dashboard, ServiceError> {
    let staff = actor.staff()?;
    if !staff.has_role(StaffRole::Supervisor) && !staff.has_role(StaffRole::Auditor) {
        return Err(forbidden(
            "auth.forbidden",
            "监督看板仅限监督或审计岗位查看",
        ));
    }
    let today = services.clock().today();
    let cal = crate::calendar::current(services).await?;
    let mut tx = services.store().begin_read().await?;
    let agencies = supervised_agencies(&mut tx, &staff.agency_region).await?;
    let rows: Vec<DashboardRow> = store::dashboard_rows(&mut tx, &agencies).await?;
    let names: BTreeMap<i64, String> = yibao_store::agency::list(&mut tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let since = (today - Duration::days(14)).to_string();
    let hours = yibao_store::settlement::per_hour_in_region(
        &mut tx,
        staff.agency_region.contained_prefix(),
        &since,
    )
    .await?;
    let evals = store::evaluations(&mut tx).await?;
    drop(tx);

    let mut by_status: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut by_item: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_agency: BTreeMap<String, i64> = BTreeMap::new();
    let mut completion: BTreeMap<&'static str, i64> = BTreeMap::new();
    let (mut days_sum, mut days_n) = (0i64, 0i64);
    for r in &rows {
        *by_status.entry(r.status.as_str()).or_default() += 1;
        let item = item_of_key(services, &r.jurisdiction, &r.item_id, r.item_version)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| format!("{} {}", r.jurisdiction, r.item_id));
        *by_item.entry(item).or_default() += 1;
        let agency = names
            .get(&r.deciding_agency_id)
            .cloned()
            .unwrap_or_else(|| r.deciding_agency_id.to_string());
        *by_agency.entry(agency).or_default() += 1;
        if r.status == CaseStatus::Completed {
            let accepted = r
                .accepted_on
                .as_deref()
                .and_then(|d| d.parse::<NaiveDate>().ok());
            let done = r
                .completed_at
                .as_deref()
                .and_then(beijing)
                .map(|t| t.date());
            if let (Some(a), Some(d)) = (accepted, done) {
                let wd = cal.working_days_between(a, d).value.max(0);
                *completion.entry(completion_bucket(wd)).or_default() += 1;
                days_sum += wd;
                days_n += 1;
            }
        }
    }
    // Open cases on the workbench's own clock.
    let open_cases = super::queue(services, actor, None, "", Span::Export).await?;
    let (mut open, mut overdue, mut due_soon) = (0, 0, 0);
    for c in &open_cases.items {
        if CaseStatus::ALL
            .iter()
            .any(|s| s.as_str() == c.status && s.is_terminal())
        {
            continue;
        }
        open += 1;
        match c.level {
            "overdue" => overdue += 1,
            "due_soon" => due_soon += 1,
            _ => {}
        }
    }
    let ids: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
    let mut by_level: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut open_follow_ups = 0;
    for e in evals.iter().filter(|e| ids.contains(&e.case_id)) {
        *by_level.entry(e.level.label()).or_default() += 1;
        if e.follow_up_status == yibao_domain::case::FollowUp::Open {
            open_follow_ups += 1;
        }
    }
    Ok(Dashboard {
        cases: rows.len() as i64,
        by_status: CaseStatus::ALL
            .iter()
            .map(|s| Bar {
                label: s.label().to_string(),
                value: by_status.get(s.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        by_item: top(by_item, 12),
        by_agency: top(by_agency, 20),
        open,
        overdue,
        due_soon,
        completion: COMPLETION_BUCKETS
            .iter()
            .map(|(l, _, _)| Bar {
                label: (*l).to_string(),
                value: completion.get(l).copied().unwrap_or(0),
            })
            .collect(),
        completion_avg_tenths: (days_n > 0).then(|| (days_sum * 10 + days_n / 2) / days_n),
        evaluations: yibao_domain::case::Evaluation::ALL
            .iter()
            .map(|e| Bar {
                label: e.label().to_string(),
                value: by_level.get(e.label()).copied().unwrap_or(0),
            })
            .collect(),
        open_follow_ups,
        settlements_per_day: per_day(&hours, today),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_day_count() {
        assert_eq!(completion_bucket(0), "当日或次日");
        assert_eq!(completion_bucket(1), "当日或次日");
        assert_eq!(completion_bucket(2), "2–5 个工作日");
        assert_eq!(completion_bucket(5), "2–5 个工作日");
        assert_eq!(completion_bucket(20), "11–20 个工作日");
        assert_eq!(completion_bucket(21), "20 个工作日以上");
        assert_eq!(completion_bucket(-3), "当日或次日");
    }

    #[test]
    fn top_keeps_the_largest() {
        let counts: BTreeMap<String, i64> = [("a", 1), ("b", 5), ("c", 5), ("d", 2)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        let t = top(counts, 3);
        let got: Vec<(&str, i64)> = t.iter().map(|b| (b.label.as_str(), b.value)).collect();
        assert_eq!(got, [("b", 5), ("c", 5), ("d", 2)]);
    }

    #[test]
    fn settlements_fall_on_beijing_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        // 2026-11-21T16 UTC is 00:00 on the 22nd in Beijing; 15 UTC is still the 21st.
        let hours = vec![
            ("2026-11-21T15".to_string(), 2),
            ("2026-11-21T16".to_string(), 3),
            ("2026-11-01T00".to_string(), 9),
        ];
        let d = per_day(&hours, today);
        assert_eq!(d.len(), 14);
        assert_eq!(
            d[13],
            Bar {
                label: "11-22".into(),
                value: 3
            }
        );
        assert_eq!(
            d[12],
            Bar {
                label: "11-21".into(),
                value: 2
            }
        );
        assert_eq!(
            d.iter().map(|b| b.value).sum::<i64>(),
            5,
            "older than 14 days left out"
        );
    }
}
