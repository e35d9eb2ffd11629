//! `yibao serve`: migrate, optionally load demo data, listen, print the address, and shut down
//! gracefully on SIGTERM or Ctrl-C (in-flight requests finish, the pool closes).

use std::sync::Arc;

use tokio::net::TcpListener;
use yibao_service::{demo, Services, SystemClock};
use yibao_web::AppState;

use crate::config::Config;
use crate::{load_catalog, open_store, print_demo, CliError};

pub async fn serve(config: Config, load_demo: bool) -> Result<(), CliError> {
    tracing::info!(sources = ?config.sources, bind = %config.bind, "starting yibao");
    // The federation client's trust, checked before anything starts: a bad CA file is a
    // configuration error, not a delivery that fails for ever.
    let sender = match &config.federation_ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::Other(format!(
                    "无法读取对端 CA 证书文件 {}：{e} / cannot read YIBAO_FEDERATION_CA_FILE",
                    path.display()
                ))
            })?;
            yibao_service::federation::delivery::Sender::with_ca(&pem).map_err(|e| {
                CliError::Other(format!(
                    "{e}（{}） / bad YIBAO_FEDERATION_CA_FILE",
                    path.display()
                ))
            })?
        }
        None => yibao_service::federation::delivery::Sender::default(),
    };
    let catalog = load_catalog()?;
    tracing::info!(
        items = catalog.current_items().count(),
        "service catalog loaded"
    );
    let store = open_store(&config).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock), catalog);
    if load_demo {
        let report = demo::load(&services).await?;
        print_demo(&report);
    }
    let listener = TcpListener::bind(&config.bind).await.map_err(|e| {
        CliError::Other(format!(
            "无法监听 {}：{e}（端口被占用时可用 --bind 或 YIBAO_BIND 换一个地址） / cannot listen on {}",
            config.bind, config.bind
        ))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::Other(e.to_string()))?;
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        local.ip().to_string()
    };
    println!(
        "yibao 已启动，数据库 {}。请在浏览器中打开 / open: http://{host}:{}/",
        store.backend().name(),
        local.port()
    );
    let jobs = tokio::spawn(run_jobs(services.clone()));
    // Federation messages queued by any process of this installation (docs/federation.md).
    let courier = tokio::spawn(yibao_service::federation::delivery::run(
        services.clone(),
        DELIVER_EVERY,
        sender,
    ));
    let app = yibao_web::app(AppState::new(services.clone())).layer(axum::Extension(
        yibao_web::client::TrustedProxies(config.trusted_proxies.clone()),
    ));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| CliError::Other(format!("服务异常退出 / server error: {e}")))?;
    jobs.abort();
    courier.abort();
    // What settled since the last turn is sealed before the pool closes (by this process, or by
    // another one that is sealing right now).
    if let Err(e) = yibao_service::jobs::seal(&services).await {
        tracing::error!(error = %e, "audit seal at shutdown failed");
    }
    store.close().await;
    println!("yibao 已停止 / stopped");
    Ok(())
}

/// How often the timed jobs take their turn (`yibao_service::jobs`); also the window in which a
/// deleted settlement chain tail would show only against the log (ADR 0006).
const JOBS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// How often the federation outbox is looked at for due messages.
const DELIVER_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Every process runs the loop; each job runs in the one that holds its lock that turn.
async fn run_jobs(services: Services) {
    let mut tick = tokio::time::interval(JOBS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let t = yibao_service::jobs::turn(&services).await;
        if let Some(r) = t.sealed.filter(|r| r.chains > 0) {
            tracing::debug!(chains = r.chains, "audit chains sealed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
