//! The legal time limit of a case: which of the item's limits applies to its channel, the
//! deadline at acceptance, and the clock with its pauses (notice outstanding, materials in
//! transit between regions).

use chrono::NaiveDate;
use yibao_domain::calendar::{CaseClock, ClockState, HolidayCalendar, Pause, Thresholds};
use yibao_domain::catalog::{ChannelKind, Item, TimeLimit, TimeLimitKind, TimeLimitRule};
use yibao_store::cases::{CaseRow, PauseRow};

/// The limit that binds this case: the promised one if the guide makes a promise, else the
/// statutory or stated one; a limit for the case's channel beats one without a channel.
pub fn limit_for<'a>(item: &'a Item, channel: &str) -> Option<&'a TimeLimit> {
    let channel: Option<ChannelKind> =
        serde_json::from_value(serde_json::Value::String(channel.to_string())).ok();
    let fits = |t: &&TimeLimit| t.channel.is_none() || t.channel == channel;
    let rank = |t: &TimeLimit| {
        let kind = match t.kind {
            TimeLimitKind::Promised => 0,
            TimeLimitKind::Stated => 1,
            TimeLimitKind::Statutory => 2,
        };
        (kind, if t.channel.is_some() { 0 } else { 1 })
    };
    item.time_limits.iter().filter(fits).min_by_key(|t| rank(t))
}

/// Working days of the limit, when the clock can count it (即时/当日 count as 0: due the day
/// of acceptance).
pub fn limit_working_days(limit: &TimeLimit) -> Option<u32> {
    match limit.rule {
        TimeLimitRule::Immediate | TimeLimitRule::SameDay => Some(0),
        TimeLimitRule::WorkingDays => limit.days,
        _ => None,
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

pub(crate) fn pauses(rows: &[PauseRow]) -> Vec<Pause> {
    rows.iter()
        .filter_map(|p| {
            Some(Pause {
                from: date(&p.from_date)?,
                to: p.to_date.as_deref().and_then(date),
                reason: p.reason.clone(),
            })
        })
        .collect()
}

/// The clock of an accepted case at the end of `today`, if its limit is in working days.
pub fn clock_of(
    cal: &HolidayCalendar,
    item: &Item,
    case: &CaseRow,
    pause_rows: &[PauseRow],
    today: NaiveDate,
) -> Option<ClockState> {
    let accepted = case.accepted_on.as_deref().and_then(date)?;
    let limit = limit_for(item, &case.channel)?;
    let days = limit_working_days(limit)?;
    let clock = CaseClock {
        accepted_on: accepted,
        limit_working_days: days,
        // Pauses before acceptance (a notice answered before it) do not touch the limit.
        pauses: pauses(pause_rows)
            .into_iter()
            .filter(|p| p.to.is_none_or(|t| t > accepted))
            .collect(),
    };
    // A finished case's clock stops at its completion day.
    let end = case
        .completed_at
        .as_deref()
        .and_then(|t| t.get(..10))
        .and_then(date)
        .map(|d| d.min(today))
        .unwrap_or(today);
    Some(clock.state(cal, end, Thresholds::default()))
}
