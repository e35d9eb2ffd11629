//! A PostgreSQL URL naming several hosts, as libpq writes it and `pg_autoctl show uri` prints it:
//! `postgres://user@h1:5432,h2:5433/yibao?target_session_attrs=read-write`. sqlx 0.8 connects to
//! one host only (launchbadge/sqlx#2290, #3333), so the store does what libpq would: it tries the
//! hosts in order and keeps the first that is a primary, through sqlx's own connect options (one
//! single-host URL per host). After a failover a watcher finds the new primary, points the pool
//! at it (`Pool::set_connect_options`) and has every connection made before the switch discarded
//! when it is next acquired (docs/operations.md, "Database failover").

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};
use tokio::sync::Notify;

use crate::db::redact;
use crate::error::StoreError;

/// How often the watcher asks the current host whether it is still the primary.
const PROBE_EVERY: Duration = Duration::from_millis(500);
/// How long one host may take to answer a probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the connection must be, from `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `any`: the first host that answers.
    Any,
    /// `read-write` or `primary`: a host not in recovery (and, for read-write, not read-only).
    Primary,
}

/// The hosts of a multi-host URL, each as a single-host URL sqlx accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hosts {
    pub urls: Vec<String>,
    pub target: Target,
}

/// `Some` when `url` names more than one host; `None` for an ordinary URL.
pub(crate) fn parse(url: &str) -> Result<Option<Hosts>, StoreError> {
    let bad = |why: &str| StoreError::UnsupportedUrl(format!("{}: {why}", redact(url)));
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(None);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostlist) = match authority.rfind('@') {
        Some(at) => (&authority[..=at], &authority[at + 1..]),
        None => ("", authority),
    };
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let mut target = None;
    let mut kept = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("target_session_attrs", v)) => {
                target = Some(match v {
                    "any" => Target::Any,
                    "read-write" | "primary" => Target::Primary,
                    other => return Err(bad(&format!("target_session_attrs={other} 不受支持"))),
                })
            }
            _ => kept.push(pair),
        }
    }
    let hosts: Vec<&str> = hostlist.split(',').collect();
    if hosts.len() < 2 {
        return Ok(None);
    }
    if hosts.iter().any(|h| h.is_empty()) {
        return Err(bad("主机列表中有空项"));
    }
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    Ok(Some(Hosts {
        urls: hosts
            .iter()
            .map(|h| format!("{scheme}://{userinfo}{h}{path}{query}"))
            .collect(),
        // libpq's default is `any`; a list of hosts for failover means the primary.
        target: target.unwrap_or(Target::Primary),
    }))
}

/// Whether a connection may serve as the pool's: for `Primary`, not a standby and not read-only.
pub(crate) async fn acceptable(
    conn: &mut AnyConnection,
    target: Target,
) -> Result<bool, sqlx::Error> {
    if target == Target::Any {
        return Ok(true);
    }
    let (standby,): (bool,) = sqlx::query_as(
        "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'",
    )
    .fetch_one(conn)
    .await?;
    Ok(!standby)
}

async fn probe(url: &str, target: Target) -> Result<AnyConnection, String> {
    let attempt = async {
        let mut conn = AnyConnection::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        if acceptable(&mut conn, target)
            .await
            .map_err(|e| e.to_string())?
        {
            Ok(conn)
        } else {
            let _ = conn.close().await;
            Err("standby (in recovery)".to_string())
        }
    };
    tokio::time::timeout(PROBE_TIMEOUT, attempt)
        .await
        .map_err(|_| "no answer".to_string())?
}

/// The first host, in order, that is acceptable, with a connection to it.
pub(crate) async fn find(hosts: &Hosts) -> Result<(usize, AnyConnection), StoreError> {
    let mut why = Vec::new();
    for (i, url) in hosts.urls.iter().enumerate() {
        match probe(url, hosts.target).await {
            Ok(conn) => return Ok((i, conn)),
            Err(e) => why.push(format!("{}: {e}", redact(url))),
        }
    }
    Err(StoreError::Unavailable(format!(
        "no primary among the hosts ({})",
        why.join("; ")
    )))
}

pub(crate) fn options(url: &str) -> Result<AnyConnectOptions, StoreError> {
    Ok(AnyConnectOptions::from_str(url)
        .map_err(|e| StoreError::UnsupportedUrl(format!("{}: {e}", redact(url))))?
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500)))
}

/// Shared between the pool's hooks and the watcher.
pub(crate) struct Switch {
    /// When the pool was last pointed at another host; connections older are discarded.
    at: Mutex<Instant>,
    /// Woken by a hook that found its new connection on a standby.
    pub wake: Notify,
}

impl Switch {
    pub fn new() -> Arc<Switch> {
        Arc::new(Switch {
            at: Mutex::new(Instant::now()),
            wake: Notify::new(),
        })
    }

    /// Whether a connection `age` old was made before the last switch.
    pub fn stale(&self, age: Duration) -> bool {
        let at = *self.at.lock().unwrap_or_else(|p| p.into_inner());
        Instant::now()
            .checked_sub(age)
            .is_some_and(|made| made < at)
    }

    pub(crate) fn switched(&self) {
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }
}

/// Watches the host the pool uses until the pool is closed: when it stops answering as an
/// acceptable host, finds the one that does and points the pool at it.
pub(crate) async fn watch(
    pool: AnyPool,
    hosts: Hosts,
    mut current: usize,
    mut conn: Option<AnyConnection>,
    switch: Arc<Switch>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(PROBE_EVERY) => {}
            _ = switch.wake.notified() => {}
        }
        if pool.is_closed() {
            break;
        }
        let healthy = match conn.as_mut() {
            Some(c) => tokio::time::timeout(PROBE_TIMEOUT, acceptable(c, hosts.target))
                .await
                .is_ok_and(|r| r.unwrap_or(false)),
            None => false,
        };
        if healthy {
            continue;
        }
        conn = None;
        match find(&hosts).await {
            Ok((i, c)) => {
                conn = Some(c);
                if i != current {
                    match options(&hosts.urls[i]) {
                        Ok(o) => {
                            pool.set_connect_options(o);
                            switch.switched();
                            tracing::warn!(
                                from = %redact(&hosts.urls[current]),
                                to = %redact(&hosts.urls[i]),
                                "database primary moved; connections to the old host are dropped"
                            );
                            current = i;
                        }
                        Err(e) => tracing::error!(error = %e, "cannot use the new primary's URL"),
                    }
                } else {
                    // The same host again (it came back): connections from before the outage
                    // are dropped too, rather than each failing once.
                    switch.switched();
                }
            }
            Err(e) => tracing::error!(error = %e, "no database primary reachable; retrying"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_list_becomes_one_url_per_host() {
        let h = parse("postgres://yibao:pw@h1:5432,h2:5433/yibao?sslmode=disable&target_session_attrs=read-write")
            .unwrap()
            .unwrap();
        assert_eq!(
            h.urls,
            vec![
                "postgres://yibao:pw@h1:5432/yibao?sslmode=disable",
                "postgres://yibao:pw@h2:5433/yibao?sslmode=disable"
            ]
        );
        assert_eq!(h.target, Target::Primary);
        let h = parse("postgresql://a,b:6000/db?target_session_attrs=any")
            .unwrap()
            .unwrap();
        assert_eq!(h.urls, vec!["postgresql://a/db", "postgresql://b:6000/db"]);
        assert_eq!(h.target, Target::Any);
        assert_eq!(parse("postgres://u@h1:5432/db").unwrap(), None);
        assert!(parse("postgres://h1,,h2/db").is_err());
        assert!(parse("postgres://h1,h2/db?target_session_attrs=standby").is_err());
    }

    #[test]
    fn connections_made_before_a_switch_are_stale() {
        let s = Switch::new();
        std::thread::sleep(Duration::from_millis(20));
        assert!(!s.stale(Duration::from_millis(5)), "made after");
        assert!(s.stale(Duration::from_millis(200)), "made before");
        s.switched();
        assert!(s.stale(Duration::from_millis(10)));
    }
}

#[cfg(test)]
mod live_tests {
    use crate::test_support::TestDb;
    use crate::{Backend, Store};

    /// The test server's database URL with a dead host (port 1) listed before it.
    fn behind_a_dead_host(url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let at = rest.find('@').map(|i| i + 1).unwrap_or(0);
        format!("{scheme}://{}127.0.0.1:1,{}", &rest[..at], &rest[at..])
            + if rest.contains('?') { "&" } else { "?" }
            + "target_session_attrs=read-write"
    }

    #[tokio::test]
    async fn the_first_host_that_answers_as_primary_is_used() {
        let db = TestDb::new(Backend::Postgres).await.expect("test database");
        let url = behind_a_dead_host(&db.url);
        let store = Store::connect(&url)
            .await
            .expect("connects past the dead host");
        let mut tx = store.begin().await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM login_source")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, 0, "the migrated test database, through the second host");
        tx.rollback().await.unwrap();
        store.close().await;
        // No host answering: a clear error, not a hang.
        let none = Store::connect("postgres://postgres@127.0.0.1:1,127.0.0.1:2/x").await;
        assert!(matches!(none, Err(crate::StoreError::Unavailable(_))));
        db.cleanup().await;
    }
}
