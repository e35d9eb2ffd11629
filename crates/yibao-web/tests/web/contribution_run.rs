//! The monthly contribution run written in chunks (issue 17: set-based, one transaction per
//! chunk): the same answer whatever the chunk size, nothing written twice, every written line's
//! credit posted once with a statement line whose balance follows from the one before, and the
//! refusals of the account rule (a closed account, the balance limit) kept as they were: the run
//! is refused. Policy: data/policy/contribution/chongqing/2026.toml (every figure 示例参数).

use crate::common;

use common::TestApp;
use yibao_domain::contribution::BaseAdjustment;
use yibao_domain::Fen;
use yibao_service::contribution::{run_month, run_month_in_chunks, MonthRun};
use yibao_service::identity::Actor;
use yibao_service::ServiceError;

fn operator() -> Actor {
    Actor::System {
        label: "测试".into(),
    }
}

async fn month_run(app: &TestApp, month: u32, chunk: usize) -> Result<MonthRun, ServiceError> {
    run_month_in_chunks(&app.services, &operator(), 2026, month, chunk).await
}

/// (ID number, person id) of a demo person by name.
async fn person(app: &TestApp, name: &str) -> (String, i64) {
    let mut tx = app.services.store().begin().await.unwrap();
    let p = yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap();
    (p.id_number.to_string(), p.id)
}

/// 演示·张伟's employer declares 3,000 元 a month for 2026 (the base is the 4,404 元 floor), and he
/// also gets an individual (flexible) coverage at 二档 (an account rate above 0, where 一档 has
/// none): two lines a month, two credits to one account.
async fn zhang_with_two_lines(app: &TestApp) -> String {
    let (zhang, zhang_id) = person(app, "演示·张伟").await;
    let mut tx = app.services.store().begin().await.unwrap();
    let employer = yibao_store::coverage::list_for_person(&mut tx, zhang_id)
        .await
        .unwrap()
        .iter()
        .find_map(|c| c.employer_id)
        .unwrap();
    yibao_store::contribution::put_base(
        &mut tx,
        &yibao_store::contribution::NewBase {
            employer_id: employer,
            person_id: zhang_id,
            year: 2026,
            declared_fen: 300_000,
            base_fen: 440_400,
            adjustment: BaseAdjustment::RaisedToFloor,
            case_number: None,
            now: "2026-03-01T00:00:00Z",
        },
    )
    .await
    .unwrap();
    let flexible = yibao_store::coverage::insert(
        &mut tx,
        &yibao_store::coverage::CoverageRow {
            id: 0,
            person_id: zhang_id,
            scheme: yibao_domain::enrolment::Scheme::Employee,
            category: yibao_domain::enrolment::CoverageCategory::from_key("flexible").unwrap(),
            employer_id: None,
            region_code: "500242".into(),
            status: yibao_domain::enrolment::CoverageStatus::Active,
            registered_on: "2026-01-01".into(),
            start_date: Some("2026-01-01".into()),
            end_date: None,
            case_number: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
        },
    )
    .await
    .unwrap();
    yibao_store::test_support::execute(
        &mut tx,
        &format!("UPDATE coverage SET grade = 'tier2' WHERE id = {flexible}"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    zhang
}

/// Every line of the month: (person id, kind, account credit).
async fn lines_of(app: &TestApp, month: &str) -> Vec<(i64, String, i64)> {
    let mut tx = app.services.store().begin().await.unwrap();
    let mut out = Vec::new();
    for p in yibao_store::enrolment::list_persons(&mut tx).await.unwrap() {
        for l in yibao_store::contribution::person_ledger(&mut tx, p.id, 100, 0)
            .await
            .unwrap()
        {
            if l.month == month {
                out.push((l.person_id, l.kind.key().to_string(), l.account_credit_fen));
            }
        }
    }
    out.sort();
    out
}

/// The person's 2026 statement is a chain: each line's balance is the one before plus its amount
/// (from 0), the last one is the balance settlement pays from, and each statement line has its
/// credit row. Returns the amounts.
async fn checked_statement(app: &TestApp, id_number: &str) -> Vec<i64> {
    let (entries, credits) = {
        let mut tx = app.services.store().begin().await.unwrap();
        (
            yibao_store::account::year(&mut tx, id_number, 2026)
                .await
                .unwrap(),
            yibao_store::settlement::credits(&mut tx, id_number)
                .await
                .unwrap(),
        )
    };
    let mut balance = 0;
    for e in &entries {
        assert_eq!(e.kind, yibao_domain::account::EntryKind::Credit, "{e:?}");
        balance += e.amount_fen;
        assert_eq!(e.balance_after_fen, balance, "{id_number}: {entries:?}");
    }
    let acc = yibao_service::settlement::accumulators(&app.services, id_number, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance, Fen(balance), "{id_number}");
    let amounts: Vec<i64> = entries.iter().map(|e| e.amount_fen).collect();
    let credited: Vec<i64> = credits.iter().map(|c| c.amount_fen).collect();
    assert_eq!(amounts, credited, "{id_number}");
    amounts
}

async fn run_entries(app: &TestApp, month: &str) -> Vec<yibao_store::audit::AuditRow> {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::audit::search(
        &mut tx,
        &yibao_store::audit::AuditFilter {
            action: "contribution.run_month".into(),
            target_kind: "contribution_month".into(),
            target_id: month.into(),
            ..Default::default()
        },
        None,
        yibao_store::search::Window {
            limit: 100,
            offset: 0,
        },
    )
    .await
    .unwrap()
    .rows
}

// Chunks of 2 over 4 lines (张伟 twice, the two 南川 retirees): the same answer as one chunk,
// a second run writes nothing, and 张伟's two credits of each month chain on his statement —
// within one chunk and across the two months.
both_stores_with_demo!(chunked_run_is_idempotent_and_chains_the_statement, |app| {
    let zhang = zhang_with_two_lines(app).await;
    let march = month_run(app, 3, 2).await.unwrap();
    assert_eq!(
        (march.written, march.already, march.no_base, march.no_policy),
        (4, 0, 1, 0),
        "{march:?}"
    );
    // 4,404 × 10 % (示例参数 rates) + 二档 563.75 元 as an individual; retirees owe nothing.
    assert_eq!(march.due_fen, 44_040 + 56_375, "{march:?}");
    let lines = lines_of(app, "2026-03").await;
    assert_eq!(lines.len(), 4, "{lines:?}");
    let credit_total: i64 = lines.iter().map(|l| l.2).sum();
    assert_eq!(march.account_credit_fen, credit_total);

    // April in one chunk gives the same answer as March in chunks of two.
    let april = run_month(&app.services, &operator(), 2026, 4)
        .await
        .unwrap();
    assert_eq!(
        MonthRun {
            month: "2026-03".into(),
            ..april.clone()
        },
        march
    );

    // Again, in chunks of one and of three: nothing written, nothing credited, all counted.
    for chunk in [1, 3] {
        let again = month_run(app, 3, chunk).await.unwrap();
        assert_eq!((again.written, again.already), (0, 4), "{again:?}");
        assert_eq!((again.due_fen, again.account_credit_fen), (0, 0));
    }
    assert_eq!(lines_of(app, "2026-03").await, lines);

    // 张伟: employee and flexible credits of March, then of April, one statement line each.
    let zhang_id = person(app, "演示·张伟").await.1;
    let mut his: Vec<i64> = lines
        .iter()
        .filter(|l| l.0 == zhang_id)
        .map(|l| l.2)
        .collect();
    his.sort_unstable();
    assert!(his.len() == 2 && his[0] > 0, "{his:?}");
    let mut amounts = checked_statement(app, &zhang).await;
    assert_eq!(amounts.len(), 4, "{amounts:?}");
    amounts.sort_unstable();
    let twice: Vec<i64> = vec![his[0], his[0], his[1], his[1]];
    assert_eq!(amounts, twice);
    for name in ["演示·王建国", "演示·李秀英"] {
        let (id, _) = person(app, name).await;
        // 60.00 元 a month for a retiree (示例参数), March and April.
        assert_eq!(
            checked_statement(app, &id).await,
            vec![6_000, 6_000],
            "{name}"
        );
    }

    // The audit: March's first run wrote two chunks, each with its entry (the last one holds the
    // run's answer); the runs that wrote nothing have the run's entry only.
    let entries = run_entries(app, "2026-03").await;
    assert_eq!(entries.len(), 1 + 1 + 2, "{entries:?}");
    assert_eq!(run_entries(app, "2026-04").await.len(), 1);
    assert!(
        entries
            .iter()
            .any(|e| e.summary.contains("第 1 批，共 2 批")),
        "{entries:?}"
    );
});

// A run that stops part way (here: refused at its second chunk) leaves its first chunk written
// and credited; once the cause is gone, the next run writes exactly the rest.
both_stores_with_demo!(
    a_run_stopped_between_chunks_is_completed_by_the_next,
    |app| {
        zhang_with_two_lines(app).await;
        let members = {
            let mut tx = app.services.store().begin().await.unwrap();
            yibao_store::contribution::members(&mut tx, 2026, "2026-05-01", "2026-05-31")
                .await
                .unwrap()
        };
        // The last line of the month is refused: its person's account is at the balance limit.
        let last = members
            .iter()
            .rev()
            .find(|m| m.base_fen.is_some() || m.category != "in_service")
            .unwrap();
        set_balance(app, &last.id_number, yibao_domain::money::MAX_INPUT).await;
        let err = month_run(app, 5, 2).await.unwrap_err();
        assert_eq!(err.code(), "account.balance_limit", "{err:?}");
        let written = lines_of(app, "2026-05").await;
        assert_eq!(written.len(), 2, "the first chunk stays: {written:?}");
        assert!(written.iter().all(|l| l.0 != last.person_id));
        set_balance(app, &last.id_number, Fen(0)).await;
        let rest = month_run(app, 5, 2).await.unwrap();
        assert_eq!((rest.written, rest.already), (2, 2), "{rest:?}");
        assert_eq!(lines_of(app, "2026-05").await.len(), 4);
        // Each credited person's statement: one line per written line, chained.
        for m in &members {
            if m.base_fen.is_none() && m.category == "in_service" {
                continue;
            }
            let n = lines_of(app, "2026-05")
                .await
                .iter()
                .filter(|l| l.0 == m.person_id)
                .count();
            let statement = checked_statement(app, &m.id_number).await;
            if m.id_number != last.id_number {
                assert_eq!(statement.len(), n, "{}", m.id_number);
            }
        }
    }
);

/// Sets the person's 2026 account balance directly (as if credited up to it).
async fn set_balance(app: &TestApp, id_number: &str, balance: Fen) {
    let mut tx = app.services.store().begin().await.unwrap();
    let initial = serde_json::to_string(&yibao_domain::benefit::Accumulators {
        year: Some(2026),
        ..Default::default()
    })
    .unwrap();
    let (state, _) =
        yibao_store::settlement::lock_accumulator(&mut tx, id_number, 2026, &initial, "2026-01-01")
            .await
            .unwrap();
    let mut acc: yibao_domain::benefit::Accumulators = serde_json::from_str(&state).unwrap();
    acc.year = Some(2026);
    acc.account_balance = balance;
    yibao_store::settlement::write_accumulator(
        &mut tx,
        id_number,
        2026,
        &serde_json::to_string(&acc).unwrap(),
        "2026-01-01",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

// A credit that would take a balance past the input limit refuses the run, as the one-line
// path always did (account.balance_limit): nothing of the month is written when it fits in
// one chunk, and the balance stays where it was.
both_stores_with_demo!(a_credit_past_the_balance_limit_refuses_the_run, |app| {
    zhang_with_two_lines(app).await;
    let (li, _) = person(app, "演示·李秀英").await;
    let near = Fen(yibao_domain::money::MAX_INPUT.fen() - 5_999);
    set_balance(app, &li, near).await;
    let err = run_month(&app.services, &operator(), 2026, 3)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "account.balance_limit", "{err:?}");
    assert!(lines_of(app, "2026-03").await.is_empty());
    let acc = yibao_service::settlement::accumulators(&app.services, &li, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance, near);
    // One fen less and the credit fits exactly.
    set_balance(app, &li, Fen(near.fen() - 1)).await;
    let r = run_month(&app.services, &operator(), 2026, 3)
        .await
        .unwrap();
    assert_eq!(r.written, 4, "{r:?}");
    let acc = yibao_service::settlement::accumulators(&app.services, &li, 2026)
        .await
        .unwrap();
    assert_eq!(acc.account_balance, yibao_domain::money::MAX_INPUT);
});

// A closed account (一次性支取) takes no credit: a new line for its holder refuses the run
// (account.closed), in one chunk with nothing written; a line written before the account closed
// is simply kept on the next run (no credit is posted again).
both_stores_with_demo!(a_closed_account_takes_no_credit, |app| {
    let (wang, wang_id) = person(app, "演示·王建国").await;
    let march = month_run(app, 3, 2).await.unwrap();
    assert_eq!(march.written, 2, "{march:?}");
    {
        let mut tx = app.services.store().begin().await.unwrap();
        assert!(
            yibao_store::account::close(&mut tx, &wang, "TEST-CLOSE", "2026-03-20T00:00:00Z")
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    // March again: his line is there, nothing is posted to the closed account.
    let again = month_run(app, 3, 2).await.unwrap();
    assert_eq!((again.written, again.already), (0, 2), "{again:?}");
    assert_eq!(checked_statement(app, &wang).await, vec![6_000]);
    // April: his new line would credit the closed account; the run is refused, nothing written.
    let err = run_month(&app.services, &operator(), 2026, 4)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "account.closed", "{err:?}");
    assert!(lines_of(app, "2026-04").await.is_empty());
    assert_eq!(checked_statement(app, &wang).await, vec![6_000]);
    assert!(lines_of(app, "2026-03")
        .await
        .iter()
        .any(|l| l.0 == wang_id));
});

/// Runs `f` once per store on a multi-threaded runtime (real parallelism, not interleaving).
macro_rules! both_stores_parallel {
    ($name:ident, $f:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = std::sync::Arc::new(
                    super::TestApp::with_demo(yibao_store::Backend::Sqlite).await,
                );
                super::$f(app.clone()).await;
                if let Ok(app) = std::sync::Arc::try_unwrap(app) {
                    app.finish().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let app = std::sync::Arc::new(
                    super::TestApp::with_demo(yibao_store::Backend::Postgres).await,
                );
                super::$f(app.clone()).await;
                if let Ok(app) = std::sync::Arc::try_unwrap(app) {
                    app.finish().await;
                }
            }
        }
    };
}

// Finance credits the same person-year while six monthly runs (chunks of one line) credit it:
// no update is lost — the balance is every credit's sum and the statement chains, whichever
// order the row lock gave them.
async fn runs_beside_credits(app: std::sync::Arc<TestApp>) {
    let finance = app.staff_token("cq.finance").await;
    let (li, li_id) = person(&app, "演示·李秀英").await;
    let runner = {
        let app = app.clone();
        tokio::spawn(async move {
            for month in 1..=6 {
                let r = month_run(&app, month, 1).await.unwrap();
                assert_eq!(r.written, 2, "{r:?}");
            }
        })
    };
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = app.clone();
        let finance = finance.clone();
        tasks.push(tokio::spawn(async move {
            let r = app
                .post_json(
                    &format!("/api/v1/persons/{li_id}/account-credits"),
                    Some(&finance),
                    serde_json::json!({"year": 2026, "amount_fen": 100 + i, "note": "并发划入"}),
                )
                .await;
            assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
        }));
    }
    runner.await.unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let amounts = checked_statement(&app, &li).await;
    assert_eq!(amounts.len(), 6 + 12, "{amounts:?}");
    let manual: i64 = (0..12).map(|i| 100 + i).sum();
    assert_eq!(amounts.iter().sum::<i64>(), 6 * 6_000 + manual);
}

both_stores_parallel!(monthly_runs_beside_finance_credits, runs_beside_credits);
