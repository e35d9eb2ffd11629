//! `yibao bench contributions`: one month's dues and account credits (`contribution::run_month`)
//! for a population of in-service employees with declared bases, timed beside a baseline
//! measured in the same run on the same database: the same number of rows written by one
//! set-based `INSERT … SELECT` (what the database does at best for rows of that shape).

use std::sync::Arc;
use std::time::Instant;

use yibao_service::{Services, SystemClock};
use yibao_store::test_support::execute;
use yibao_store::Store;

use crate::CliError;

pub struct ContribReport {
    pub backend: &'static str,
    pub persons: u32,
    pub population_seconds: f64,
    pub baseline_seconds: f64,
    pub run_seconds: f64,
    pub written: u64,
    pub lines_per_second: f64,
}

const EMPLOYER_USCC: &str = "91500119MABENCH01X";

/// The `n`th test person's ID number: distinct for every `n` below 1,000,000 (1,000 sequence
/// numbers a birth date, birth dates 19 days apart from 1950 on).
fn person_id(n: u32) -> Result<yibao_domain::CitizenId, CliError> {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(n / 1000) * 19)))
        .ok_or_else(|| CliError::Other(format!("bench person {n}: no birth date")))?;
    let first17 = format!("500119{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let check = yibao_domain::ids::citizen_id_check_char(first17.as_bytes());
    format!("{first17}{check}")
        .parse()
        .map_err(|e| CliError::Other(format!("bench id {first17}: {e:?}")))
}

/// Creates the population once (a scratch database): `persons` people, one employer, an open
/// in-service coverage and a 2026 base each. Rows go in batches of 1,000 per statement.
async fn population(store: &Store, persons: u32) -> Result<(), CliError> {
    let mut tx = store.begin().await?;
    if employer_id(&mut tx).await?.is_none() {
        execute(
            &mut tx,
            &format!(
                "INSERT INTO employer (uscc, name, kind, region_code, created_at, registered_on, updated_at) \
                 VALUES ('{EMPLOYER_USCC}', '缴费基准测试单位（基准测试专用）', 'enterprise', '500119', '', '2026-01-01', '')"
            ),
        )
        .await?;
        let mut values = Vec::with_capacity(1000);
        for n in 0..persons {
            let id = person_id(n)?;
            let sex = match id.sex() {
                yibao_domain::ids::Sex::Male => "male",
                yibao_domain::ids::Sex::Female => "female",
            };
            values.push(format!(
                "('{}', '基准{n}', '{sex}', '{}', '500119', '')",
                id.as_str(),
                id.birth_date().format("%Y-%m-%d")
            ));
            if values.len() == 1000 || n + 1 == persons {
                execute(
                    &mut tx,
                    &format!(
                        "INSERT INTO person (id_number, name, sex, birth_date, region_code, created_at) VALUES {}",
                        values.join(",")
                    ),
                )
                .await?;
                values.clear();
            }
        }
        execute(
            &mut tx,
            &format!(
                "INSERT INTO coverage (person_id, scheme, category, employer_id, region_code, status, \
                 registered_on, start_date, created_at, updated_at) \
                 SELECT p.id, 'employee', 'in_service', e.id, '500119', 'active', '2026-01-01', '2026-01-01', '', '' \
                 FROM person p, employer e WHERE e.uscc = '{EMPLOYER_USCC}' AND p.name LIKE '基准%'"
            ),
        )
        .await?;
        // Declared wages spread from below the floor to above the ceiling.
        execute(
            &mut tx,
            &format!(
                "INSERT INTO contribution_base (employer_id, person_id, year, declared_fen, base_fen, \
                 adjustment, created_at) \
                 SELECT e.id, p.id, 2026, (p.id * 7919) % 3000000, (p.id * 7919) % 3000000, 'as_declared', '' \
                 FROM person p, employer e WHERE e.uscc = '{EMPLOYER_USCC}' AND p.name LIKE '基准%'"
            ),
        )
        .await?;
    }
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    // Statistics for the planner, as a database that grew over time has them.
    let mut tx = store.begin().await?;
    execute(&mut tx, "ANALYZE").await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(())
}

async fn employer_id(tx: &mut yibao_store::Conn) -> Result<Option<i64>, CliError> {
    Ok(
        yibao_store::enrolment::find_employer_by_uscc(tx, EMPLOYER_USCC)
            .await?
            .map(|e| e.id),
    )
}

pub async fn contributions(
    database_url: &str,
    persons: u32,
    month: u32,
) -> Result<ContribReport, CliError> {
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let started = Instant::now();
    population(&store, persons).await?;
    let population_seconds = started.elapsed().as_secs_f64();

    // Baseline: the same number of rows, of the ledger line's width, in one statement.
    let mut tx = store.begin().await?;
    execute(&mut tx, "DROP TABLE IF EXISTS bench_baseline_line").await?;
    execute(
        &mut tx,
        "CREATE TABLE bench_baseline_line (person_id BIGINT NOT NULL, employer_id BIGINT, \
         month TEXT NOT NULL, base_fen BIGINT NOT NULL, employer_fen BIGINT NOT NULL, \
         person_fen BIGINT NOT NULL, total_fen BIGINT NOT NULL, credit_fen BIGINT NOT NULL, \
         UNIQUE (person_id, month))",
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    let t = Instant::now();
    let mut tx = store.begin().await?;
    execute(
        &mut tx,
        "INSERT INTO bench_baseline_line SELECT c.person_id, c.employer_id, '2026-01', b.base_fen, \
         (b.base_fen * 800 + 5000) / 10000, (b.base_fen * 200 + 5000) / 10000, \
         (b.base_fen * 1000 + 5000) / 10000, (b.base_fen * 200 + 5000) / 10000 \
         FROM coverage c JOIN contribution_base b ON b.person_id = c.person_id AND b.year = 2026",
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    let baseline_seconds = t.elapsed().as_secs_f64();

    let services = Services::new(store.clone(), Arc::new(SystemClock), crate::load_catalog()?);
    let actor = yibao_service::identity::Actor::System {
        label: "bench".into(),
    };
    let t = Instant::now();
    let r = yibao_service::contribution::run_month(&services, &actor, 2026, month).await?;
    let run_seconds = t.elapsed().as_secs_f64();
    store.close().await;
    Ok(ContribReport {
        backend: if database_url.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        },
        persons,
        population_seconds,
        baseline_seconds,
        run_seconds,
        written: r.written,
        lines_per_second: r.written as f64 / run_seconds.max(1e-9),
    })
}
