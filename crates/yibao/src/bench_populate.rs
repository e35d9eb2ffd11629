//! `yibao bench populate`: a large city's population and years of settlements on PostgreSQL,
//! written with set-based statements (`generate_series`), for the volume measurements of
//! `yibao bench volume` (docs/performance.md, "Volume"). Everything it writes is generated test
//! data under its own agency (`BENCH-POP-500119`): use a scratch database.
//!
//! - `persons` insured persons of Nanchuan (500119) with valid ID numbers, each with one
//!   coverage as the registry keeps it (coverage row, its registration event, the person's
//!   register event): employees in service at `employers` generated employers, retired
//!   employees, and residents, by age;
//! - `per_day` settlements on every day of the last `years` years (Beijing dates up to
//!   yesterday) at `institutions` institutions, one partition per month (migration 0042),
//!   spread over the persons; 1 in 97 reversed. Their stored result is a generated JSON of
//!   `explanation_bytes` bytes (the real explanation is several kB; 0 stores `{}` as
//!   `yibao bench month` does) — the ledger's sums are real columns either way;
//! - an accumulator row for the current year of every person who settled in it (their initial
//!   state: the generated settlements are not replayed through the engine).
//!
//! The run stops adding months once the database exceeds `max_gb`.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use yibao_store::test_support::execute;
use yibao_store::{agency, partition, Backend, Store, StoreError};

use crate::CliError;

pub const AGENCY: &str = "BENCH-POP-500119";

/// Persons per batch (one statement each).
const PERSON_BATCH: u64 = 500_000;

/// Birth dates span this many days from 1940-01-01 (to 2022); with a 3-digit sequence number
/// per date this gives 26 million distinct ID numbers.
const BIRTH_DAYS: u64 = 30_000;

pub struct Populated {
    pub persons: u64,
    pub employers: u64,
    pub institutions: u32,
    pub settlements: u64,
    pub months: u32,
    pub first_day: String,
    pub last_day: String,
    pub persons_seconds: f64,
    pub settlements_seconds: f64,
    pub vacuum_seconds: f64,
    pub database_bytes: i64,
    pub stopped_at_budget: bool,
}

fn other(e: impl std::fmt::Display) -> CliError {
    CliError::Other(e.to_string())
}

/// SQL for the valid 18-digit ID number of generated person `k` (an SQL expression of
/// 1..=26 million): region 500119, birth date `1940-01-01 + k % 30000` days, sequence
/// `k / 30000` (its last digit odd for men), and the GB 11643 check character.
fn id_number_sql(k: &str) -> String {
    let f17 = format!(
        "('500119' || to_char(DATE '1940-01-01' + ({k} % {BIRTH_DAYS})::int, 'YYYYMMDD') \
         || lpad(({k} / {BIRTH_DAYS})::text, 3, '0'))"
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum = WEIGHTS
        .iter()
        .enumerate()
        .map(|(i, w)| format!("substr(f17, {}, 1)::int * {w}", i + 1))
        .collect::<Vec<_>>()
        .join(" + ");
    format!(
        "(SELECT f17 || substr('10X98765432', ({sum}) % 11 + 1, 1) FROM (SELECT {f17} AS f17) x)"
    )
}

async fn database_bytes(store: &Store) -> Result<i64, CliError> {
    let mut tx = store.begin().await?;
    let b = partition::database_bytes(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(b)
}

#[allow(clippy::too_many_arguments)]
pub async fn populate(
    url: &str,
    persons: u64,
    per_day: u64,
    years: u32,
    institutions: u32,
    employers: u64,
    explanation_bytes: u32,
    max_gb: f64,
) -> Result<Populated, CliError> {
    let store = Store::connect(url).await?;
    if store.backend() != Backend::Postgres {
        return Err(CliError::Other(
            "yibao bench populate 仅支持 PostgreSQL / PostgreSQL only".into(),
        ));
    }
    if persons == 0 || persons > BIRTH_DAYS * 870 {
        return Err(CliError::Other(format!(
            "persons 1..={} / persons must be 1..={}",
            BIRTH_DAYS * 870,
            BIRTH_DAYS * 870
        )));
    }
    store.migrate().await?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let employers = employers.max(1);
    let institutions = institutions.max(1);

    // The agency, once: a second populate on the same database is refused.
    let t0 = Instant::now();
    let mut tx = store.begin().await?;
    if agency::find_by_code(&mut tx, AGENCY).await?.is_some() {
        return Err(CliError::Other(format!(
            "数据库中已有生成数据（{AGENCY}），请使用新的专用数据库 / this database was populated \
             already: use a fresh scratch database"
        )));
    }
    let agency_id = agency::insert(
        &mut tx,
        &agency::NewAgency {
            code: AGENCY,
            name: "容量测试经办机构（基准测试专用）",
            region_code: "500119",
            level: "district",
            address: "",
            phone: "",
            hours: "",
        },
        &now,
    )
    .await?;
    execute(
        &mut tx,
        &format!(
            "INSERT INTO institution (code, name, kind, level, region_code, agency_id, created_at) \
             SELECT 'P5011' || lpad(g::text, 7, '0'), '容量测试机构' || g, \
             CASE WHEN g % 3 = 0 THEN 'pharmacy' ELSE 'hospital' END, \
             CASE WHEN g % 50 = 0 THEN '三级' WHEN g % 3 = 0 THEN '' ELSE '一级' END, \
             '500119', {agency_id}, '{now}' FROM generate_series(1, {institutions}) g"
        ),
    )
    .await?;
    execute(
        &mut tx,
        &format!(
            "INSERT INTO employer (uscc, name, kind, region_code, created_at, status, registered_on, updated_at) \
             SELECT '91500119P' || lpad(g::text, 9, '0'), '容量测试单位' || g, 'enterprise', \
             '500119', '{now}', 'active', '2015-01-01', '{now}' FROM generate_series(1, {employers}) g"
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;

    // The persons, each with a coverage, its event and the person's register event.
    let id_number = id_number_sql("g");
    let mut from = 1u64;
    while from <= persons {
        let to = (from + PERSON_BATCH - 1).min(persons);
        let mut tx = store.begin().await?;
        execute(
            &mut tx,
            &format!(
                "WITH e AS (SELECT array_agg(id ORDER BY id) AS a, count(*) AS n FROM employer \
                   WHERE uscc LIKE '91500119P%'), \
                 g AS (SELECT g, {id_number} AS idn, DATE '1940-01-01' + (g % {BIRTH_DAYS})::int AS born \
                   FROM generate_series({from}::bigint, {to}::bigint) g), \
                 p AS (INSERT INTO person (id_number, name, sex, birth_date, region_code, phone, \
                   created_at, address, updated_at) \
                   SELECT idn, '参保人' || g, CASE WHEN (g / {BIRTH_DAYS}) % 2 = 1 THEN 'male' ELSE 'female' END, \
                   to_char(born, 'YYYY-MM-DD'), '500119', '', '{now}', '', '{now}' FROM g \
                   RETURNING id, birth_date), \
                 pe AS (INSERT INTO person_event (person_id, at, action, detail_json, actor_label) \
                   SELECT id, '{now}', 'register', '{{}}', 'bench:populate' FROM p), \
                 c AS (INSERT INTO coverage (person_id, scheme, category, employer_id, region_code, \
                   status, registered_on, start_date, created_at, updated_at) \
                   SELECT p.id, \
                   CASE WHEN p.birth_date < '1966-01-01' AND p.id % 3 <> 0 THEN 'employee' \
                        WHEN p.birth_date BETWEEN '1966-01-01' AND '2004-12-31' AND p.id % 10 < 4 THEN 'employee' \
                        ELSE 'resident' END, \
                   CASE WHEN p.birth_date < '1966-01-01' AND p.id % 3 <> 0 THEN 'retired' \
                        WHEN p.birth_date BETWEEN '1966-01-01' AND '2004-12-31' AND p.id % 10 < 4 THEN 'in_service' \
                        ELSE 'local_resident' END, \
                   CASE WHEN p.birth_date BETWEEN '1966-01-01' AND '2004-12-31' AND p.id % 10 < 4 \
                        THEN e.a[1 + p.id % e.n] END, \
                   '500119', 'active', '2015-01-01', '2015-01-01', '{now}', '{now}' FROM p, e \
                   RETURNING id) \
                 INSERT INTO coverage_event (coverage_id, at, from_status, to_status, reason, effective_on) \
                 SELECT id, '{now}', '', 'active', 'registered', '2015-01-01' FROM c"
            ),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        eprintln!("  … {to} / {persons} persons");
        from = to + 1;
    }
    let persons_seconds = t0.elapsed().as_secs_f64();

    // The settlements, one statement per month (Beijing dates), newest month last.
    let t1 = Instant::now();
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let last = today - Duration::days(1);
    let first = NaiveDate::from_ymd_opt(today.year() - years as i32, today.month(), 1)
        .ok_or_else(|| other("first day"))?;
    let result_sql = if explanation_bytes == 0 {
        "'{}'".to_string()
    } else {
        format!("'{{\"generated\":\"' || repeat('x', {explanation_bytes}) || '\"}}'")
    };
    let person_sql = id_number_sql(&format!("(1 + (v.g * 7919) % {persons})"));
    let mut day = first;
    let mut settlements = 0u64;
    let mut months = 0u32;
    let mut stopped = false;
    while day <= last {
        let month = day.format("%Y-%m").to_string();
        let next_month = partition::add_months(&month, 1).ok_or_else(|| other("month"))?;
        let month_end = NaiveDate::parse_from_str(&format!("{next_month}-01"), "%Y-%m-%d")
            .map_err(other)?
            - Duration::days(1);
        let until = month_end.min(last);
        let days = (until - day).num_days() as u64 + 1;
        let base = settlements;
        let mut tx = store.begin().await?;
        partition::ensure(&mut tx, &month).await?;
        let n = execute(
            &mut tx,
            &format!(
                "WITH ids AS (SELECT array_agg(id ORDER BY id) AS a, count(*) AS n FROM institution \
                   WHERE agency_id = {agency_id}), \
                 g AS (SELECT {base}::bigint + d::bigint * {per_day} + i AS g, DATE '{day}' + d::int AS day \
                   FROM generate_series(0, {days} - 1) d, generate_series(1, {per_day}) i), \
                 s AS (SELECT g.g, g.day, 3000 + (g.g * 7919) % 300000 AS t, \
                   (ARRAY['employee_in_service','employee_retired','resident'])[1 + g.g % 3] AS scheme, \
                   (ARRAY['general_outpatient','general_outpatient','chronic_outpatient','inpatient'])[1 + (g.g / 3) % 4] AS visit, \
                   (g.day::timestamp - INTERVAL '8 hours') + ((g.g * 37) % 86400) * INTERVAL '1 second' AS at \
                   FROM g), \
                 v AS (SELECT s.*, t * 6 / 10 AS p, \
                   CASE WHEN visit = 'inpatient' AND g % 11 = 0 THEN t / 20 ELSE 0 END AS c, \
                   CASE WHEN g % 53 = 0 THEN t / 50 ELSE 0 END AS a, \
                   CASE WHEN scheme <> 'resident' THEN t / 10 ELSE 0 END AS ac FROM s), \
                 ins AS (INSERT INTO settlement (institution_id, request_id, payload_sha256, \
                   person_id_number, year, admission_id, status, result_json, deltas_json, \
                   created_at, month, scheme, visit_type, total_fen, pooled_fen, critical_fen, \
                   aid_fen, account_fen, cash_fen) \
                   SELECT ids.a[1 + (v.g * 104729) % ids.n], 'POP' || v.g, '', \
                   {person_sql}, \
                   extract(year FROM v.day)::bigint, NULL, \
                   CASE WHEN v.g % 97 = 0 THEN 'reversed' ELSE 'settled' END, {result_sql}, '{{}}', \
                   to_char(v.at, 'YYYY-MM-DD\"T\"HH24:MI:SS.000\"Z\"'), '{month}', v.scheme, v.visit, \
                   v.t, v.p, v.c, v.a, v.ac, v.t - v.p - v.c - v.a - v.ac FROM v, ids \
                   RETURNING institution_id, request_id, id, month) \
                 INSERT INTO settlement_request (institution_id, request_id, settlement_id, month) \
                 SELECT institution_id, request_id, id, month FROM ins"
            ),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        settlements += n;
        months += 1;
        let bytes = database_bytes(&store).await?;
        eprintln!(
            "  … {month}: {n} settlements ({settlements} in all), database {:.1} GB",
            bytes as f64 / 1e9
        );
        day = until + Duration::days(1);
        if bytes as f64 > max_gb * 1e9 && day <= last {
            eprintln!("  database over {max_gb} GB: stopping before {day}");
            stopped = true;
            break;
        }
    }
    let settlements_seconds = t1.elapsed().as_secs_f64();

    // The current year's accumulator of everyone who settled in it (initial state).
    let year = today.year();
    let initial = serde_json::to_string(&yibao_domain::benefit::Accumulators {
        year: Some(year),
        ..Default::default()
    })
    .map_err(other)?;
    let mut tx = store.begin().await?;
    execute(
        &mut tx,
        &format!(
            "INSERT INTO accumulator (person_id_number, year, state_json, version, updated_at) \
             SELECT DISTINCT person_id_number, year, '{}', 0, '{now}' FROM settlement \
             WHERE month >= '{year:04}-01' AND year = {year} ON CONFLICT DO NOTHING",
            initial.replace('\'', "''")
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;

    let t2 = Instant::now();
    store.run_outside_transaction("VACUUM ANALYZE").await?;
    let vacuum_seconds = t2.elapsed().as_secs_f64();
    let database_bytes = database_bytes(&store).await?;
    store.close().await;
    Ok(Populated {
        persons,
        employers,
        institutions,
        settlements,
        months,
        first_day: first.to_string(),
        last_day: (day - Duration::days(1)).to_string(),
        persons_seconds,
        settlements_seconds,
        vacuum_seconds,
        database_bytes,
        stopped_at_budget: stopped,
    })
}
