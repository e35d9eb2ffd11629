//! The `yibao` binary as an operator uses it: help, identifier checks, and a server that starts,
//! prints its address, serves, stops on SIGTERM and keeps its data across a restart — on SQLite
//! and on PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use yibao_store::test_support::TestDb;
use yibao_store::Backend;

const BIN: &str = env!("CARGO_BIN_EXE_yibao");

fn yibao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("YIBAO_DATABASE_URL")
        .output()
        .expect("run yibao");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_describes_every_command_in_both_languages() {
    let (code, out, _) = yibao(&["--help"]);
    assert_eq!(code, 0);
    for (cmd, zh, en) in [
        ("serve", "启动服务", "start the server"),
        (
            "migrate",
            "升级数据库结构",
            "apply pending database migrations",
        ),
        ("demo", "装入演示数据", "load demo data"),
        ("check", "校验号码", "check an identifier"),
    ] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(cmd))
            .unwrap_or_else(|| panic!("{cmd} missing from help:\n{out}"));
        assert!(line.contains(zh) && line.contains(en), "{line}");
    }
}

#[test]
fn check_prints_valid_or_the_reason_with_exit_codes() {
    let (code, out, _) = yibao(&["check", "id", "11010519491231002X"]);
    assert_eq!((code, out.trim()), (0, "valid"));
    let (code, out, _) = yibao(&["check", "id", "110105194912310021"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("校验码") && out.contains("id.check_digit"),
        "{out}"
    );
    let (code, out, _) = yibao(&["check", "uscc", "91350100M000100Y43"]);
    assert_eq!((code, out.trim()), (0, "valid"));
    let (code, out, _) = yibao(&["check", "uscc", "91350100M000100Y4"]);
    assert_eq!(code, 1);
    assert!(out.contains("18位"), "{out}");
    let (code, out, _) = yibao(&["check", "id", "11010519491231002X", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["facts"]["sex"], "女");
}

struct Server {
    child: Child,
    address: String,
}

/// Starts `yibao serve` on a free port and waits for the address line.
fn start(database_url: &str, data_dir: &std::path::Path, demo: bool) -> Server {
    let mut args = vec![
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        database_url,
    ];
    if demo {
        args.push("--demo");
    }
    let child = Command::new(BIN)
        .args(&args)
        .current_dir(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn yibao serve");
    let mut server = Server {
        child,
        address: String::new(),
    };
    let stdout = server.child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            Instant::now() < deadline,
            "server did not print its address"
        );
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "server exited before printing its address");
        if let Some(i) = line.find("http://") {
            let address = line[i + 7..].trim().trim_end_matches('/').to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut sink = String::new();
                let _ = reader.read_to_string(&mut sink);
            });
            server.address = address;
            return server;
        }
    }
}

/// A test that fails half-way must not leave a server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    (status, body.to_string())
}

fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let code = server.child.wait().unwrap();
    assert!(code.success(), "graceful shutdown exits 0, got {code:?}");
}

fn serve_restart_keeps_data(label: &str, database_url: &str) {
    let dir = std::env::temp_dir().join(format!("yibao-cli-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let server = start(database_url, &dir, true);
    let (status, body) = http_get(&server.address, "/readyz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(&server.address, "/");
    assert_eq!(status, 200);
    assert!(body.contains("演示数据"));
    assert!(body.contains("figure\">5<"), "five demo agencies");
    stop(server);

    let server = start(database_url, &dir, false);
    let (_, body) = http_get(&server.address, "/agencies");
    assert!(
        body.contains("重庆市南川区医疗保障事务中心（演示）"),
        "data survives a restart"
    );
    let (status, _) = http_get(&server.address, "/metrics");
    assert_eq!(status, 200);
    stop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_on_sqlite_restarts_with_its_data() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-sqlitedb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/data/yibao.db", dir.display());
    serve_restart_keeps_data("sqlite", &url);
    assert!(
        dir.join("data/yibao.db").exists(),
        "the folder and file are created"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_on_postgres_restarts_with_its_data() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDb::new(Backend::Postgres)).unwrap();
    serve_restart_keeps_data("postgres", &db.url);
    runtime.block_on(db.cleanup());
}

#[test]
fn a_bad_database_url_is_refused_clearly() {
    let (code, _, err) = yibao(&["migrate", "--database-url", "mysql://localhost/x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("sqlite://") && err.contains("postgres://"),
        "{err}"
    );
}

#[test]
fn calendar_deadline_prints_the_date_as_its_last_line() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(BIN)
        .args([
            "calendar",
            "deadline",
            "--from",
            "2023-09-28",
            "--working-days",
            "3",
        ])
        .current_dir(&dir)
        .env_remove("YIBAO_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some("2023-10-09"));
    assert!(
        !dir.join("yibao-data").exists(),
        "a read command creates no database"
    );

    let (code, out, _) = yibao(&["calendar", "between", "2024-03-04", "2024-04-16"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().last(), Some("30"));
    let (code, _, err) = yibao(&[
        "calendar",
        "deadline",
        "--from",
        "2024-13-01",
        "--working-days",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("YYYY-MM-DD"));

    // An import goes to the database, and later reads use it.
    let db = format!("sqlite://{}/cal.db", dir.display());
    let file = dir.join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\nnotice = \"测试\"\n[[holidays]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-04\"\n",
    )
    .unwrap();
    let (code, out, err) = yibao(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--actor",
        "tester",
        "--database-url",
        &db,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = yibao(&[
        "calendar",
        "deadline",
        "--from",
        "2026-12-31",
        "--working-days",
        "1",
        "--database-url",
        &db,
    ]);
    assert_eq!(out.lines().last(), Some("2027-01-05"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `yibao audit verify` on both stores: exit 0 on an intact chain; after a row is altered in
/// the database, exit 1 naming that entry.
fn audit_verify_finds_an_altered_row(url: &str) {
    let (code, _, err) = yibao(&["demo", "--database-url", url]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = yibao(&["audit", "verify", "--database-url", url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("审计链完整"), "{out}");
    // Settlements (made by the bench, over HTTP) go to their persons' chains; a seal anchors them.
    let (code, out, err) = yibao(&[
        "bench",
        "settle",
        "--http",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--persons",
        "4",
        "--json",
        "--database-url",
        url,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let bench: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(bench["errors"], 0, "{out}");
    assert!(bench["settlements"].as_i64().unwrap() > 0, "{out}");
    let (code, out, _) = yibao(&["audit", "verify", "--database-url", url, "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["chain_entries"], bench["settlements"]);
    assert_eq!(v["unsealed"], bench["settlements"]);
    let (code, out, err) = yibao(&["audit", "seal", "--database-url", url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("已封存 {} 条", v["chains"])), "{out}");
    let (code, out, _) = yibao(&["audit", "verify", "--database-url", url, "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unsealed"], 0);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = yibao_store::Store::connect(url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let n = yibao_store::test_support::execute(
            &mut tx,
            "UPDATE audit_log SET actor_label = 'system:someone-else' WHERE chain = '' AND seq = 1",
        )
        .await
        .unwrap();
        assert_eq!(n, 1);
        tx.commit().await.unwrap();
        store.close().await;
    });
    let (code, out, _) = yibao(&["audit", "verify", "--database-url", url, "--json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["first_problem"]["seq"], 1);
    assert_eq!(v["first_problem"]["problem"], "altered");
}

#[test]
fn audit_verify_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    audit_verify_finds_an_altered_row(&format!("sqlite://{}/audit.db", dir.display()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_verify_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDb::new(Backend::Postgres)).unwrap();
    audit_verify_finds_an_altered_row(&db.url);
    runtime.block_on(db.cleanup());
}

#[test]
fn a_new_installation_gets_its_agency_and_first_admin_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-setup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/setup.db", dir.display());
    let (code, out, err) = yibao(&[
        "agency",
        "add",
        "--code",
        "500119",
        "--name",
        "南川区医疗保障事务中心",
        "--level",
        "district",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = yibao(&[
        "agency",
        "add",
        "--code",
        "500119",
        "--name",
        "重复",
        "--level",
        "district",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("已存在"), "{err}");

    // Without a password the command refuses; the password never appears on the command line.
    let (code, _, err) = yibao(&[
        "staff",
        "add",
        "--agency",
        "500119",
        "--username",
        "nc.admin",
        "--name",
        "管理员",
        "--roles",
        "admin,auditor",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("YIBAO_STAFF_PASSWORD"), "{err}");
    let pw = dir.join("pw");
    std::fs::write(&pw, "Initial123\n").unwrap();
    let (code, out, err) = yibao(&[
        "staff",
        "add",
        "--agency",
        "500119",
        "--username",
        "nc.admin",
        "--name",
        "管理员",
        "--roles",
        "admin,auditor",
        "--password-file",
        pw.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{out}{err}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = yibao_store::Store::connect(&url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let row = yibao_store::staff::find_by_username(&mut tx, "nc.admin")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.roles, "admin,auditor");
        assert_eq!(row.must_change_password, 1);
        assert!(row.password_hash.starts_with("$argon2id$"));
        drop(tx);
        store.close().await;
    });
    let (code, out, _) = yibao(&["audit", "verify", "--database-url", &url]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 "),
        "agency and staff creation are audited: {out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn benefit_explain_prints_the_split_as_json_without_a_database() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/benefit");
    for name in [
        "employee-inpatient-chongqing.json",
        "resident-critical-illness-aid-chongqing.json",
        "cross-province-outpatient-inline-policy.json",
    ] {
        let (code, out, err) =
            yibao(&["benefit", "explain", "--request", &format!("{root}/{name}")]);
        assert_eq!(code, 0, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let f = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{name}: field {k}"));
        for k in [
            "self_pay_out_of_catalogue",
            "self_pay_category_b",
            "self_pay_over_price_cap",
            "deductible",
        ] {
            assert!(f(k) >= 0);
        }
        assert_eq!(
            f("total"),
            f("fund") + f("critical_illness") + f("aid") + f("account") + f("cash"),
            "{name}: the split sums to the total"
        );
        assert!(!v["lines"].as_array().unwrap().is_empty());
    }
    // The worked example of docs/benefits.md (employee inpatient, Chongqing example policy).
    let (_, out, _) = yibao(&[
        "benefit",
        "explain",
        "--request",
        &format!("{root}/employee-inpatient-chongqing.json"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 357345);
    assert_eq!(v["fund"], 216334);

    // Bad input: a clear Chinese reason and exit 2.
    let dir = std::env::temp_dir().join(format!("yibao-cli-benefit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"policy_file": "nowhere/2026.toml", "person": {}, "bill": {}}"#,
    )
    .unwrap();
    let (code, _, err) = yibao(&["benefit", "explain", "--request", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("JSON") || err.contains("政策文件"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_settle_runs_and_reports() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/bench.db", dir.display());
    let (code, out, err) = yibao(&[
        "bench",
        "settle",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--persons",
        "30",
        "--json",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["settlements"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["errors"], 0, "{v}");
    assert!(v["p99_ms"].as_f64().unwrap() >= v["p50_ms"].as_f64().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `yibao contributions run`: the demo's two 南川 retirees get their monthly credit (示例参数),
/// the two in-service employees without a declared base are counted, not charged; a second run
/// of the month writes nothing; a month that does not exist is refused with exit code 2.
#[test]
fn contributions_run_is_idempotent_per_month() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-contrib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/contrib.db", dir.display());
    let (code, _, err) = yibao(&["demo", "--database-url", &url]);
    assert_eq!(code, 0, "{err}");
    let run = |month: &str| {
        yibao(&[
            "contributions",
            "run",
            "--year",
            "2026",
            "--month",
            month,
            "--database-url",
            &url,
        ])
    };
    let (code, out, err) = run("3");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("2026-03：新增 2 条，已有 0 条，未申报基数 2 人"),
        "{out}"
    );
    assert!(out.contains("划入个人账户 120.00元"), "{out}");
    let (code, out, _) = run("3");
    assert_eq!(code, 0);
    assert!(out.contains("新增 0 条，已有 2 条"), "{out}");
    let (code, _, err) = run("13");
    assert_eq!(code, 2);
    assert!(err.contains("contribution.month"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_contributions_runs_and_reports() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-bench-contrib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/bench.db", dir.display());
    let (code, out, err) = yibao(&[
        "bench",
        "contributions",
        "--persons",
        "30",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("persons=30 written=30"), "{out}");
    // The month is written once: a second run on the same population writes nothing.
    let (code, out, err) = yibao(&[
        "bench",
        "contributions",
        "--persons",
        "30",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("written=0"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clearing_issue_checks_the_month_and_lists_nothing_on_a_new_installation() {
    let dir = std::env::temp_dir().join(format!("yibao-cli-clearing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/clearing.db", dir.display());
    let (code, _, err) = yibao(&["demo", "--database-url", &url]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = yibao(&[
        "clearing",
        "issue",
        "--month",
        "2026-13",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("clearing.bad_month"), "{err}");
    // A month long over with no cross-province care: nothing to state, and nothing listed.
    let (code, out, err) = yibao(&[
        "clearing",
        "issue",
        "--month",
        "2025-01",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("没有需要出具的跨省清算单"), "{out}");
    let (code, out, _) = yibao(&["clearing", "list", "--json", "--database-url", &url]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "[]");
    let (code, _, err) = yibao(&["clearing", "show", "7", "--database-url", &url]);
    assert_ne!(code, 0);
    assert!(err.contains("clearing.not_found"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
