//! Dates in TOML data files may be written quoted ("2024-03-04") or bare (2024-03-04, a TOML
//! local date); both mean the same ISO date.

use chrono::NaiveDate;
use serde::de::{Deserializer, Error};
use serde::Deserialize;

fn parse<E: Error>(v: toml::Value) -> Result<NaiveDate, E> {
    let text = match v {
        toml::Value::String(s) => s,
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
        other => {
            return Err(E::custom(format!(
                "expected a date YYYY-MM-DD, found {other}"
            )))
        }
    };
    text.parse::<NaiveDate>()
        .map_err(|_| E::custom(format!("\"{text}\" is not a date YYYY-MM-DD")))
}

pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    parse(toml::Value::deserialize(d)?)
}

pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    parse(toml::Value::deserialize(d)?).map(Some)
}

pub fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<toml::Value>::deserialize(d)?
        .into_iter()
        .map(parse)
        .collect()
}
