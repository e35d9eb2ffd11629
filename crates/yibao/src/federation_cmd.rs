//! `yibao key show|set-region`, `yibao peer add|list|remove|ping` and `yibao transfer …`
//! (docs/federation.md).

use std::process::ExitCode;

use yibao_service::federation::{outbox, peers};
use yibao_service::transfer;

use crate::cli::{KeyCommand, PeerCommand, TransferCommand};
use crate::config::Config;
use crate::{logging, open_services, operator, run_async, CliError};

pub(crate) fn json_line(v: &impl serde::Serialize) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::Other(e.to_string()))?;
    println!("{s}");
    Ok(())
}

pub fn key(mut config: Config, command: KeyCommand) -> ExitCode {
    let url = match &command {
        KeyCommand::Show { database_url, .. } | KeyCommand::SetRegion { database_url, .. } => {
            database_url.clone()
        }
    };
    if let Some(u) = url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    run_async(async move {
        let (store, services) = open_services(&config).await?;
        match command {
            KeyCommand::Show { json, .. } => {
                let info = peers::key_info(&services).await?;
                if json {
                    json_line(&info)?;
                } else {
                    println!("公钥 / public key: {}", info.public_key);
                    match (&info.region_code, &info.name) {
                        (Some(r), Some(n)) => println!("区划 / region: {r} {n}"),
                        _ => println!(
                            "区划 / region: 未设置（yibao key set-region --region 代码 --name 名称） / not set"
                        ),
                    }
                }
            }
            KeyCommand::SetRegion { region, name, .. } => {
                peers::set_identity(&services, &operator(), &region, &name).await?;
                println!("本机联网身份：{region} {name} / region set");
            }
        }
        store.close().await;
        Ok(())
    })
}

pub fn peer(mut config: Config, command: PeerCommand) -> ExitCode {
    let url = match &command {
        PeerCommand::Add { database_url, .. }
        | PeerCommand::List { database_url, .. }
        | PeerCommand::Remove { database_url, .. }
        | PeerCommand::Ping { database_url, .. } => database_url.clone(),
    };
    if let Some(u) = url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    run_async(async move {
        let (store, services) = open_services(&config).await?;
        match command {
            PeerCommand::Add {
                name,
                regions,
                url,
                public_key,
                ..
            } => {
                let p = peers::add(
                    &services,
                    &operator(),
                    &peers::NewPeer {
                        name: &name,
                        regions: &regions,
                        base_url: &url,
                        public_key: &public_key,
                    },
                )
                .await?;
                println!(
                    "已添加对端 #{} {}（{}） {} / peer added",
                    p.id, p.name, p.region_codes, p.base_url
                );
            }
            PeerCommand::List { json, .. } => {
                let list = peers::list(&services).await?;
                if json {
                    json_line(&list)?;
                } else if list.is_empty() {
                    println!("尚无对端 / no peers");
                } else {
                    for p in list {
                        println!(
                            "#{:<3} {:<16} 区划 {:<20} {:<32} 待投递 {:<4} 公钥 {}",
                            p.id, p.name, p.regions, p.base_url, p.pending, p.public_key
                        );
                    }
                }
            }
            PeerCommand::Remove { id, .. } => {
                peers::remove(&services, &operator(), id).await?;
                println!("已移除对端 #{id}（记录保留） / peer removed");
            }
            PeerCommand::Ping { region, .. } => {
                let id = outbox::ping(&services, &operator(), &region).await?;
                println!("已排队连通检查 {id}，由运行中的服务投递 / ping queued");
            }
        }
        store.close().await;
        Ok(())
    })
}

pub fn transfer(mut config: Config, command: TransferCommand) -> ExitCode {
    use TransferCommand as T;
    let url = match &command {
        T::Certificate { database_url, .. }
        | T::Apply { database_url, .. }
        | T::SendLetter { database_url, .. }
        | T::SendSheet { database_url, .. }
        | T::Complete { database_url, .. }
        | T::List { database_url, .. }
        | T::Owed { database_url, .. } => database_url.clone(),
    };
    if let Some(u) = url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    run_async(async move {
        let (store, services) = open_services(&config).await?;
        let who = operator();
        let step = |t: &yibao_store::transfer::TransferRow| {
            println!(
                "转移接续 {}：{} / status {}",
                t.reference,
                transfer::status_label(&t.status),
                t.status
            );
        };
        match command {
            T::Certificate { id_number, .. } => {
                let cert = transfer::certificate(&services, &who, &id_number).await?;
                for (k, v) in &cert.lines {
                    println!("{k}：{v}");
                }
                println!(
                    "核验码 / verification code: {}",
                    cert.verification_code.unwrap_or_default()
                );
            }
            T::Apply {
                id_number,
                name,
                from_region,
                certificate_code,
                ..
            } => {
                let t = transfer::apply(
                    &services,
                    &who,
                    &transfer::Application {
                        id_number: &id_number,
                        name: &name,
                        from_region: &from_region,
                        certificate_code: &certificate_code,
                    },
                )
                .await?;
                println!(
                    "已受理，转移编号 / reference: {}（联系函须于 {} 前发出）",
                    t.reference,
                    t.due_on.unwrap_or_default()
                );
            }
            T::SendLetter { reference, .. } => {
                step(&transfer::send_letter(&services, &who, &reference).await?)
            }
            T::SendSheet { reference, .. } => {
                step(&transfer::send_sheet(&services, &who, &reference).await?)
            }
            T::Complete { reference, .. } => {
                step(&transfer::complete(&services, &who, &reference).await?)
            }
            T::List { json, .. } => {
                let list = transfer::list(&services, &who).await?;
                if json {
                    json_line(&list)?;
                } else {
                    for t in list {
                        println!(
                            "{} {} {} 对方区划 {} 余额 {} 分 缴费月数 {} {}",
                            t.reference,
                            t.side,
                            t.person,
                            t.other_region,
                            t.balance_fen,
                            t.covered_months,
                            t.status_label
                        );
                    }
                }
            }
            T::Owed { json, .. } => {
                let list = transfer::owed(&services, &who).await?;
                if json {
                    json_line(&list)?;
                } else if list.is_empty() {
                    println!("没有待办步骤 / nothing owed");
                } else {
                    for o in list {
                        println!(
                            "{} {} {} {}：{} 自 {} 起，期限 {}{}",
                            o.reference,
                            o.side,
                            o.person,
                            o.other_region,
                            o.step,
                            o.owed_since,
                            o.due_on,
                            if o.overdue { "（已超期）" } else { "" }
                        );
                    }
                }
            }
        }
        store.close().await;
        Ok(())
    })
}
