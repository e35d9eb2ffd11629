//! `yibao calendar deadline|show|between|import`.
//!
//! Read commands use the configured database when it exists (so an administrator's imported
//! years apply) and the schedules shipped in the binary otherwise; they never create a database.

use std::sync::Arc;

use chrono::NaiveDate;
use yibao_domain::calendar::{CalendarWarning, HolidayCalendar, LimitSpec};
use yibao_service::{calendar, Services, SystemClock};
use yibao_store::Store;

use crate::cli::CalendarCommand;
use crate::config::Config;
use crate::{load_catalog, open_store, CliError};

fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::Other(format!(
            "日期“{s}”格式不正确，应为 YYYY-MM-DD / not a date YYYY-MM-DD"
        ))
    })
}

/// True when the configured database already exists (a SQLite file that is there, or any
/// PostgreSQL URL).
fn database_exists(url: &str) -> bool {
    match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            !path.is_empty() && std::path::Path::new(path).exists()
        }
        None => true,
    }
}

async fn services(config: &Config) -> Result<Services, CliError> {
    let store = open_store(config).await?;
    Ok(Services::new(store, Arc::new(SystemClock), load_catalog()?))
}

/// The calendar in force: with imported years when the database exists.
async fn calendar_for(config: &Config, explicit: bool) -> Result<HolidayCalendar, CliError> {
    if explicit || database_exists(&config.database_url) {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        let s = Services::new(store.clone(), Arc::new(SystemClock), load_catalog()?);
        let cal = calendar::current(&s).await?;
        store.close().await;
        Ok(cal)
    } else {
        Ok(calendar::shipped())
    }
}

fn print_warnings(warnings: &[CalendarWarning]) {
    for w in warnings {
        eprintln!("警告 / warning [{}]: {}", w.code, w.message);
    }
}

pub async fn run(command: CalendarCommand, mut config: Config) -> Result<(), CliError> {
    match command {
        CalendarCommand::Deadline {
            from,
            working_days,
            database_url,
        } => {
            let explicit = database_url.is_some();
            if let Some(u) = database_url {
                config.database_url = u;
            }
            let from = parse_date(&from)?;
            let cal = calendar_for(&config, explicit).await?;
            let d = cal.deadline(from, LimitSpec::WorkingDays { days: working_days });
            print_warnings(&d.warnings);
            println!(
                "受理日 {from}（第0日），自次一工作日起算第 {working_days} 个工作日为办结期限 / deadline:"
            );
            if let Some(due) = d.due {
                println!("{due}");
            }
            Ok(())
        }
        CalendarCommand::Between { a, b, database_url } => {
            let explicit = database_url.is_some();
            if let Some(u) = database_url {
                config.database_url = u;
            }
            let (a, b) = (parse_date(&a)?, parse_date(&b)?);
            let cal = calendar_for(&config, explicit).await?;
            let n = cal.working_days_between(a, b);
            print_warnings(&n.warnings);
            println!("{a} 之后至 {b}（含）的工作日数 / working days in (A, B]:");
            println!("{}", n.value);
            Ok(())
        }
        CalendarCommand::Show { year, database_url } => {
            let explicit = database_url.is_some();
            if let Some(u) = database_url {
                config.database_url = u;
            }
            let cal = calendar_for(&config, explicit).await?;
            let Some(s) = cal.schedule(year) else {
                return Err(CliError::Other(format!(
                    "{year}年的节假日安排尚未录入；可用 yibao calendar import FILE 导入 / no schedule for {year}"
                )));
            };
            println!(
                "{}{}{}",
                s.notice,
                s.doc_number
                    .as_deref()
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default(),
                s.published.map(|p| format!(" {p}")).unwrap_or_default()
            );
            for h in &s.holidays {
                let days = h.from.iter_days().take_while(|d| *d <= h.to).count();
                let work: Vec<String> = h.workdays.iter().map(|w| w.to_string()).collect();
                println!(
                    "  {:<10} 放假 {} 至 {}（{} 天）{}",
                    h.name,
                    h.from,
                    h.to,
                    days,
                    if work.is_empty() {
                        String::new()
                    } else {
                        format!("；调休上班 {}", work.join("、"))
                    }
                );
            }
            let working = NaiveDate::from_yo_opt(year, 1)
                .map(|first| {
                    first
                        .iter_days()
                        .take_while(|d| chrono::Datelike::year(d) == year)
                        .filter(|d| cal.is_working_day(*d))
                        .count()
                })
                .unwrap_or(0);
            let makeups = s.holidays.iter().map(|h| h.workdays.len()).sum::<usize>();
            println!("  全年工作日 {working} 天；调休上班 {makeups} 天 / working days in the year");
            Ok(())
        }
        CalendarCommand::Import {
            file,
            actor,
            note,
            database_url,
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CliError::Other(format!("无法读取 {}：{e} / cannot read", file.display()))
            })?;
            let s = services(&config).await?;
            let who = yibao_service::identity::Actor::System { label: actor };
            let r = calendar::import(&s, &text, &who, &note).await?;
            if r.unchanged {
                println!("{}年的安排与已导入的相同，未作变更 / unchanged", r.year);
            } else {
                println!(
                    "已{} {}年的节假日安排（{} 个假期，sha256 {}）/ imported",
                    if r.replaced { "更正" } else { "导入" },
                    r.year,
                    r.holidays,
                    &r.sha256[..12]
                );
            }
            s.store().close().await;
            Ok(())
        }
    }
}
