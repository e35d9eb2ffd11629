//! `yibao clearing issue|list|show`: cross-province clearing statements (docs/clearing.md).

use std::process::ExitCode;

use yibao_domain::Fen;
use yibao_service::clearing::{self, StatementView};

use crate::cli::ClearingCommand;
use crate::config::Config;
use crate::federation_cmd::json_line;
use crate::{logging, open_services, operator, run_async};

fn line(s: &StatementView) {
    println!(
        "#{} {} {} {}→{} {} 笔 应清算 {} 摘要 {}… {}{}",
        s.id,
        s.month,
        s.role_label,
        s.insured_region_name,
        s.care_region_name,
        s.line_count,
        Fen(s.cleared_fen),
        s.digest.get(..12).unwrap_or(&s.digest),
        s.status_label,
        match (s.accepted_fen, s.disputed_count) {
            (Some(a), Some(d)) => format!("：确认 {}，争议 {d} 笔", Fen(a)),
            _ => String::new(),
        }
    );
}

pub fn run(mut config: Config, command: ClearingCommand) -> ExitCode {
    use ClearingCommand as C;
    let url = match &command {
        C::Issue { database_url, .. }
        | C::List { database_url, .. }
        | C::Show { database_url, .. } => database_url.clone(),
    };
    if let Some(u) = url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    run_async(async move {
        let (store, services) = open_services(&config).await?;
        let who = operator();
        match command {
            C::Issue { month, json, .. } => {
                let done = clearing::issue(&services, &who, &month).await?;
                if json {
                    json_line(&done)?;
                } else if done.issued.is_empty() {
                    println!("{month} 没有需要出具的跨省清算单 / nothing to state for {month}");
                } else {
                    for s in &done.issued {
                        line(s);
                    }
                }
            }
            C::List { json, .. } => {
                let list = clearing::list(&services, &who).await?;
                if json {
                    json_line(&list)?;
                } else if list.is_empty() {
                    println!("本机没有清算单 / no statements");
                } else {
                    list.iter().for_each(line);
                }
            }
            C::Show { id, json, .. } => {
                let d = clearing::detail(&services, &who, id).await?;
                if json {
                    json_line(&d)?;
                } else {
                    line(&d.statement);
                    println!("摘要 / digest (SHA-256): {}", d.statement.digest);
                    for l in &d.lines {
                        println!(
                            "{:>5} {} {} {} {} {} 总额 {} 应清算 {}{}",
                            l.line_no,
                            l.kind_label,
                            l.settlement_ref,
                            l.person_id_number,
                            l.settled_on,
                            l.booked_on,
                            Fen(l.total_fen),
                            Fen(l.cleared_fen),
                            l.dispute_reason
                                .map(|r| format!("（争议：{r}）"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
        store.close().await;
        Ok(())
    })
}
