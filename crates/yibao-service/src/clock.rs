//! The clock is read here, in the shell, and passed into the domain as a value.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

/// China Standard Time (UTC+8, no daylight saving): dates of acceptance and deadlines are
/// Beijing dates, whatever the server's time zone.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// A stored timestamp (RFC 3339, UTC) as the people at the counter read it: Beijing time to the
/// minute (`2026-11-22 17:00`). Text that is not a timestamp is shown as it is.
pub fn local_text(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_string(),
        |t| {
            t.with_timezone(&beijing())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        },
    )
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The timestamp format stored in the database (RFC 3339, UTC, milliseconds).
    fn now_text(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Today's date in Beijing (the agency's working day).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&beijing()).date_naive()
    }
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time, for tests.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod local_text_tests {
    #[test]
    fn utc_is_shown_in_beijing_time_and_other_text_as_is() {
        assert_eq!(
            super::local_text("2026-11-22T16:30:00.000Z"),
            "2026-11-23 00:30"
        );
        assert_eq!(super::local_text("（预检）"), "（预检）");
    }
}
