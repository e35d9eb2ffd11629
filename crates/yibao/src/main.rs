//! `yibao`: the server and the operator's command line.

mod backup_cmd;
mod bench;
mod bench_contrib;
mod bench_month;
mod bench_populate;
mod bench_volume;
mod calendar_cmd;
mod catalog_cmd;
mod clearing_cmd;
mod cli;
mod config;
mod federation_cmd;
mod logging;
mod partition_cmd;
mod serve;

use std::process::ExitCode;

/// Many small allocations per request (JSON, SQL rows, the explanation); mimalloc serves them
/// with far less contention than glibc's malloc (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;

use clap::Parser;
use yibao_service::check::{check, IdentifierKind};
use yibao_service::{demo, ServiceError, Services, SystemClock};
use yibao_store::Store;

use crate::cli::{
    AccountsCommand, AgencyCommand, AuditCommand, BenchCommand, BenefitCommand, CardCommand,
    CheckKind, Cli, Command, ContributionsCommand, StaffCommand,
};
use crate::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |k: &str| std::env::var(k).ok();
    let mut config = match Config::load(cli.config.as_deref(), &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误 / configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Check { kind, value, json } => run_check(kind, &value, json),
        Command::Bench {
            command:
                BenchCommand::Settle {
                    clients,
                    seconds,
                    persons,
                    http,
                    target,
                    database_url,
                    json,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            run_async(async move {
                let r = bench::settle(
                    &config.database_url,
                    clients.max(1),
                    seconds.max(1),
                    persons.max(1),
                    http || target.is_some(),
                    target.as_deref(),
                )
                .await?;
                if json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "backend": r.backend, "path": r.path, "clients": r.clients, "seconds": r.seconds,
                            "settlements": r.settlements, "errors": r.errors,
                            "per_second": r.per_second, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
                            "first_error": r.first_error
                        })
                    );
                } else {
                    println!(
                        "{}（{}）：{} 个客户端，{:.1} 秒，结算 {} 笔（失败 {}），{:.0} 笔/秒，p50 {:.2} ms，p99 {:.2} ms / settlements per second and latency",
                        r.backend, r.path, r.clients, r.seconds, r.settlements, r.errors, r.per_second, r.p50_ms, r.p99_ms
                    );
                }
                if let Some(e) = &r.first_error {
                    eprintln!("第一个失败 / first error: {e}");
                }
                Ok(())
            })
        }
        Command::Benefit {
            command: BenefitCommand::Explain { request },
        } => run_benefit_explain(&request),
        Command::Agency {
            command:
                AgencyCommand::Add {
                    code,
                    name,
                    level,
                    region,
                    address,
                    phone,
                    hours,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let (_, services) = open_services(&config).await?;
                let region = region.unwrap_or_else(|| code.clone());
                let input = yibao_service::setup::NewAgencyInput {
                    code: &code,
                    name: &name,
                    level: &level,
                    region_code: &region,
                    address: &address,
                    phone: &phone,
                    hours: &hours,
                };
                yibao_service::setup::add_agency(&services, &operator(), &input).await?;
                println!("已新建经办机构 {code} {name} / agency added");
                Ok(())
            })
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    agency,
                    username,
                    name,
                    roles,
                    password_file,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let password = match password_file {
                    Some(f) => std::fs::read_to_string(&f)
                        .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
                        .map_err(|e| {
                            CliError::Other(format!("无法读取 {}：{e} / cannot read", f.display()))
                        })?,
                    None => std::env::var("YIBAO_STAFF_PASSWORD").map_err(|_| {
                        CliError::Other(
                            "请用环境变量 YIBAO_STAFF_PASSWORD 或 --password-file 提供初始密码 / \
                             give the initial password in YIBAO_STAFF_PASSWORD or --password-file"
                                .into(),
                        )
                    })?,
                };
                let (_, services) = open_services(&config).await?;
                yibao_service::setup::add_staff(
                    &services,
                    &operator(),
                    &agency,
                    &username,
                    &name,
                    &roles,
                    &password,
                )
                .await?;
                println!("已新建工作人员 {username}，首次登录须修改密码 / staff added; must change the password at first login");
                Ok(())
            })
        }
        Command::Partition { command } => partition_cmd::run(config, command),
        Command::Key { command } => federation_cmd::key(config, command),
        Command::Peer { command } => federation_cmd::peer(config, command),
        Command::Transfer { command } => federation_cmd::transfer(config, command),
        Command::Clearing { command } => clearing_cmd::run(config, command),
        Command::Audit {
            command:
                AuditCommand::Verify {
                    database_url,
                    json,
                    expect_head,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            let checkpoint = match expect_head.as_deref().map(str::parse).transpose() {
                Ok(c) => c,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            };
            run_audit_verify(config, json, checkpoint)
        }
        Command::Audit {
            command: AuditCommand::Seal { database_url },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let (store, services) = open_services(&config).await?;
                let r = yibao_service::audit::seal(&services, &operator()).await?;
                store.close().await;
                println!(
                    "已封存 {} 条结算审计链的链头（{} 条封存记录） / sealed {} chain heads in {} entries",
                    r.chains, r.seals, r.chains, r.seals
                );
                Ok(())
            })
        }
        Command::Bench {
            command:
                BenchCommand::Contributions {
                    persons,
                    month,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            run_async(async move {
                let r = bench_contrib::contributions(&config.database_url, persons.max(1), month)
                    .await?;
                println!(
                    "{} persons={} written={} population={:.1}s baseline_insert_select={:.2}s run={:.1}s lines/s={:.0} ratio_to_baseline={:.1}",
                    r.backend,
                    r.persons,
                    r.written,
                    r.population_seconds,
                    r.baseline_seconds,
                    r.run_seconds,
                    r.lines_per_second,
                    r.run_seconds / r.baseline_seconds.max(1e-9)
                );
                Ok(())
            })
        }
        Command::Bench {
            command:
                BenchCommand::Month {
                    settlements,
                    institutions,
                    concurrency,
                    reuse,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            run_async(async move {
                let r = bench_month::month(
                    &config.database_url,
                    institutions,
                    settlements,
                    concurrency,
                    reuse,
                )
                .await?;
                println!(
                    "postgres settlements={} institutions={} generate={:.1}s baseline_group_by={:.2}s ({} groups) declare_and_reconcile={:.2}s issue_statements={:.2}s month_total={:.2}s ratio_to_baseline={:.1} mismatched_declared={} issued={} skipped={} ffs_disagreements={}",
                    r.settlements,
                    r.institutions,
                    r.generate_seconds,
                    r.baseline_seconds,
                    r.baseline_groups,
                    r.declare_seconds,
                    r.issue_seconds,
                    r.declare_seconds + r.issue_seconds,
                    (r.declare_seconds + r.issue_seconds) / r.baseline_seconds.max(1e-9),
                    r.mismatched,
                    r.issued,
                    r.skipped,
                    r.disagreements
                );
                Ok(())
            })
        }
        Command::Bench {
            command:
                BenchCommand::Populate {
                    persons,
                    per_day,
                    years,
                    institutions,
                    employers,
                    explanation_bytes,
                    max_gb,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            run_async(async move {
                let r = bench_populate::populate(
                    &config.database_url,
                    persons,
                    per_day,
                    years,
                    institutions,
                    employers,
                    explanation_bytes,
                    max_gb,
                )
                .await?;
                println!(
                    "postgres persons={} employers={} institutions={} settlements={} months={} days={}..{} persons_time={:.0}s settlements_time={:.0}s vacuum_time={:.0}s database={:.1}GB{}",
                    r.persons,
                    r.employers,
                    r.institutions,
                    r.settlements,
                    r.months,
                    r.first_day,
                    r.last_day,
                    r.persons_seconds,
                    r.settlements_seconds,
                    r.vacuum_seconds,
                    r.database_bytes as f64 / 1e9,
                    if r.stopped_at_budget { " (stopped at the size budget)" } else { "" }
                );
                Ok(())
            })
        }
        Command::Bench {
            command:
                BenchCommand::Volume {
                    samples,
                    load_clients,
                    load_seconds,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            run_async(async move {
                let r = bench_volume::volume(
                    &config.database_url,
                    samples.max(1),
                    load_clients,
                    load_seconds,
                )
                .await?;
                println!("postgres persons={}", r.persons);
                for l in &r.lines {
                    println!(
                        "{:<40} app p50={:.2}ms p99={:.2}ms | baseline p50={:.2}ms p99={:.2}ms | samples={}/{} | {}",
                        l.name,
                        l.app.p50_ms,
                        l.app.p99_ms,
                        l.baseline.p50_ms,
                        l.baseline.p99_ms,
                        l.app.samples,
                        l.baseline.samples,
                        l.note
                    );
                }
                if let Some(s) = &r.load {
                    println!(
                        "settlement load: {} settlements in {:.1}s ({:.0}/s), p50={:.1}ms p99={:.1}ms, errors={}",
                        s.settlements, s.seconds, s.per_second, s.p50_ms, s.p99_ms, s.errors
                    );
                }
                Ok(())
            })
        }
        Command::Catalog { command } => catalog_cmd::run(command),
        Command::Contributions {
            command:
                ContributionsCommand::Run {
                    year,
                    month,
                    database_url,
                },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let (store, services) = open_services(&config).await?;
                let r = yibao_service::contribution::run_month(&services, &operator(), year, month)
                    .await;
                store.close().await;
                let r = r?;
                println!(
                    "{}：新增 {} 条，已有 {} 条，未申报基数 {} 人，无适用政策 {} 人；应缴 {}，划入个人账户 {}（示例参数 {} 条） / written, already, no base, no policy",
                    r.month,
                    r.written,
                    r.already,
                    r.no_base,
                    r.no_policy,
                    yibao_domain::Fen(r.due_fen),
                    yibao_domain::Fen(r.account_credit_fen),
                    r.example_lines
                );
                Ok(())
            })
        }
        Command::Contributions {
            command: ContributionsCommand::ResidentYear { year, database_url },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let (store, services) = open_services(&config).await?;
                let r =
                    yibao_service::contribution::run_resident_year(&services, &operator(), year)
                        .await;
                store.close().await;
                let r = r?;
                println!(
                    "{} 年度城乡居民：新增 {} 条，已有 {} 条，无适用政策 {} 人；应缴 {}（示例参数 {} 条） / written, already, no policy",
                    r.year,
                    r.written,
                    r.already,
                    r.no_policy,
                    yibao_domain::Fen(r.due_fen),
                    r.example_lines
                );
                Ok(())
            })
        }
        Command::Accounts {
            command: AccountsCommand::CarryOver { year, database_url },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let (store, services) = open_services(&config).await?;
                let r = yibao_service::account::carry_over(&services, &operator(), year).await;
                store.close().await;
                let r = r?;
                println!(
                    "{} 年度个人账户余额结转：{} 个账户，合计 {} / accounts carried, total",
                    r.year,
                    r.accounts,
                    yibao_domain::Fen(r.total_fen)
                );
                Ok(())
            })
        }
        Command::Calendar { command } => {
            logging::init(config.log_format);
            run_async(calendar_cmd::run(command, config))
        }
        Command::Serve {
            demo,
            bind,
            database_url,
        } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(serve::serve(config, demo))
        }
        Command::Card {
            command: CardCommand::Import { file, database_url },
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let text = std::fs::read(&file)
                    .map_err(|e| CliError::Other(format!("无法读取 {}：{e}", file.display())))?;
                let (store, services) = open_services(&config).await?;
                let r = yibao_service::card::import(&services, &operator(), &text).await;
                store.close().await;
                println!("已导入社会保障卡 {} 张 / cards imported", r?.cards);
                Ok(())
            })
        }
        Command::Backup { to, database_url } => backup_cmd::backup(config, to, database_url),
        Command::Restore { from, database_url } => backup_cmd::restore(config, from, database_url),
        Command::Migrate { database_url } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let store = open_store(&config).await?;
                println!(
                    "数据库结构已是最新 / database is up to date ({})",
                    store.backend().name()
                );
                Ok(())
            })
        }
        Command::Demo {
            database_url,
            agencies_in,
        } => {
            if let Some(u) = database_url {
                config.database_url = u;
            }
            logging::init(config.log_format);
            run_async(async move {
                let regions = agencies_in
                    .as_deref()
                    .map(yibao_domain::federation::parse_regions)
                    .transpose()
                    .map_err(|e| {
                        use yibao_domain::Coded;
                        CliError::Other(format!("{}：{}", e.code(), e.message()))
                    })?;
                let (_, services) = open_services(&config).await?;
                let report = demo::load_within(&services, regions.as_deref()).await?;
                print_demo(&report);
                Ok(())
            })
        }
    }
}

/// Prints the explanation as JSON; exit 0, or 2 with the Chinese reason on stderr.
fn run_benefit_explain(request: &std::path::Path) -> ExitCode {
    use std::io::Read as _;
    let (text, base) = if request.as_os_str() == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("无法读取标准输入 / cannot read stdin: {e}");
            return ExitCode::from(2);
        }
        (s, None)
    } else {
        match std::fs::read_to_string(request) {
            Ok(s) => (s, request.parent().map(|p| p.to_path_buf())),
            Err(e) => {
                eprintln!("无法读取 {} / cannot read: {e}", request.display());
                return ExitCode::from(2);
            }
        }
    };
    match yibao_service::benefit::explain_json(&text, base.as_deref()) {
        Ok(x) => match serde_json::to_string_pretty(&x) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("错误 / error [{}]: {}", e.code(), e.message());
            ExitCode::from(2)
        }
    }
}

/// The machine's operator as the audit chain records them: the OS user running the command.
fn operator() -> yibao_service::identity::Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    yibao_service::identity::Actor::System {
        label: format!("cli:{user}"),
    }
}

/// Exit 0 when the chain is intact, 1 when an entry was altered or is missing, 2 on errors.
fn run_audit_verify(
    config: Config,
    json: bool,
    checkpoint: Option<yibao_service::audit::Checkpoint>,
) -> ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(e.to_string()))
        .and_then(|rt| {
            rt.block_on(async move {
                let (store, services) = open_services(&config).await?;
                let report =
                    yibao_service::audit::verify_against(&services, checkpoint.as_ref()).await?;
                store.close().await;
                Ok::<_, CliError>(report)
            })
        });
    match result {
        Ok(report) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.ok {
                println!(
                    "审计链完整：主链 {} 条记录，结算审计链 {} 条共 {} 条记录（{} 条尚未封存） / audit chain intact: {} main entries, {} settlement chains with {} entries ({} not yet sealed)",
                    report.entries, report.chains, report.chain_entries, report.unsealed,
                    report.entries, report.chains, report.chain_entries, report.unsealed
                );
                println!(
                    "检查点（请保存在数据库之外）/ checkpoint (keep it outside the database): {}:{}",
                    report.head_seq, report.head_hash
                );
            } else if let Some(f) = &report.first_problem {
                println!(
                    "审计链校验失败 / audit chain broken at entry {}{}: {}",
                    if f.chain.is_empty() {
                        String::new()
                    } else {
                        format!("{} #", f.chain)
                    },
                    f.seq,
                    f.message
                );
            }
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn run_check(kind: CheckKind, value: &str, json: bool) -> ExitCode {
    let kind = match kind {
        CheckKind::Id => IdentifierKind::Id,
        CheckKind::Uscc => IdentifierKind::Uscc,
        CheckKind::Region => IdentifierKind::Region,
    };
    let result = check(kind, value);
    if json {
        match serde_json::to_string_pretty(&result) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    } else if result.valid {
        println!("valid");
    } else {
        println!(
            "invalid: {}（{}）",
            result.message.as_deref().unwrap_or(""),
            result.code.unwrap_or("")
        );
    }
    if result.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs an async command on a multi-threaded runtime and turns its error into exit code 2.
fn run_async(fut: impl std::future::Future<Output = Result<(), CliError>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时 / cannot start runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Errors of the command line: a service error (with its code) or anything else, in Chinese.
#[derive(Debug)]
pub enum CliError {
    Service(ServiceError),
    Other(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Service(e) => write!(f, "{}（{}）[{}]", e.message(), e.code(), e),
            CliError::Other(s) => f.write_str(s),
        }
    }
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        CliError::Service(e)
    }
}

impl From<yibao_store::StoreError> for CliError {
    fn from(e: yibao_store::StoreError) -> Self {
        CliError::Service(ServiceError::Store(e))
    }
}

/// The embedded catalog, or every problem in it (a build with a broken catalog must not serve).
pub fn load_catalog() -> Result<Arc<yibao_domain::catalog::Catalog>, CliError> {
    yibao_service::catalog::embedded().map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        CliError::Other(format!(
            "事项清单数据无效 / the catalog data is invalid:\n{}",
            lines.join("\n")
        ))
    })
}

/// Connects and migrates: every command that touches the database works on the current schema.
pub async fn open_store(config: &Config) -> Result<Store, CliError> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The migrated store and the services on it (system clock, embedded or configured catalog), as
/// every one-shot command uses them; the store is returned to be closed when the command ends.
pub async fn open_services(config: &Config) -> Result<(Store, Services), CliError> {
    let store = open_store(config).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock), load_catalog()?);
    Ok((store, services))
}

pub fn print_demo(report: &demo::DemoReport) {
    if report.loaded_now {
        println!("已装入演示数据 / demo data loaded ({})", report.loaded_at);
    } else {
        println!(
            "演示数据已于 {} 装入，未重复装入 / demo data already present",
            report.loaded_at
        );
    }
    println!(
        "  经办机构 {} 个，参保单位 {} 个，参保人员 {} 人 / agencies, employers, persons",
        report.agencies, report.employers, report.persons
    );
    println!("演示账户（仅供体验，切勿用于正式环境）/ demo staff accounts (demo only):");
    for a in &report.accounts {
        println!(
            "  {:<20} 密码 {:<24} {} · {}",
            a.username,
            a.password,
            a.agency,
            yibao_service::identity::role_label(&a.roles)
        );
    }
    println!("演示参保人账户（身份证号登录）/ demo citizen accounts (log in with the ID number):");
    for c in &report.citizens {
        println!("  {:<20} 密码 {:<24} {}", c.login, c.password, c.name);
    }
    println!("演示单位经办人（统一社会信用代码 + 用户名 admin）/ demo employer operators (USCC + admin):");
    for e in &report.employer_operators {
        println!("  {:<20} 密码 {:<24} {}", e.login, e.password, e.name);
    }
}
