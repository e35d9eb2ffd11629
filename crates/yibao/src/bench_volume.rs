//! `yibao bench volume`: latency percentiles of four reads on a database filled by `yibao bench
//! populate`, each beside a plain SQL baseline measured in the same run on the same database
//! (`yibao_store::volume`): person lookup, a person's record page, a day's settlements of one
//! institution, and the accumulator read while `yibao bench settle` runs settlements.
//!
//! Each path draws its own random keys (the baseline never reads a row its application twin
//! has just brought into the cache), and the two are interleaved so that both see the same
//! machine load.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use yibao_store::{enrolment, settlement, volume, Backend, Store, StoreError};

use crate::bench_populate::AGENCY;
use crate::CliError;

/// p50 and p99 of one path, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn percentiles(mut v: Vec<f64>) -> Percentiles {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        if v.is_empty() {
            return 0.0;
        }
        v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1]
    };
    Percentiles {
        samples: v.len(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

pub struct Line {
    pub name: &'static str,
    pub app: Percentiles,
    pub baseline: Percentiles,
    pub note: String,
}

pub struct VolumeReport {
    pub persons: i64,
    pub lines: Vec<Line>,
    pub load: Option<crate::bench::Report>,
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn other(e: impl std::fmt::Display) -> CliError {
    CliError::Other(e.to_string())
}

/// The stored UTC timestamp (as settlements keep it) of a Beijing date's midnight.
fn beijing_midnight(day: NaiveDate) -> String {
    format!(
        "{}T16:00:00.000Z",
        (day - Duration::days(1)).format("%Y-%m-%d")
    )
}

pub async fn volume(
    url: &str,
    samples: usize,
    load_clients: usize,
    load_seconds: u64,
) -> Result<VolumeReport, CliError> {
    let store = Store::connect(url).await?;
    if store.backend() != Backend::Postgres {
        return Err(other(
            "yibao bench volume 仅支持 PostgreSQL / PostgreSQL only",
        ));
    }
    // Days with generated settlements: from the day after the oldest one's UTC date (a whole
    // Beijing day) to yesterday.
    let first_day = volume::first_settlement_date(&store)
        .await?
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .ok_or_else(|| other("没有结算记录 / no settlements"))?
        + Duration::days(1);
    let last_day = (chrono::Utc::now() + Duration::hours(8)).date_naive() - Duration::days(1);
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    let (lo, hi) = volume::id_range(&store).await?;
    if hi <= lo {
        return Err(other(
            "没有参保人员，请先运行 yibao bench populate / run yibao bench populate first",
        ));
    }
    let institutions = volume::institutions_of(&store, AGENCY).await?;
    if institutions.is_empty() || last_day < first_day {
        return Err(other("没有生成的结算数据 / no populated settlements"));
    }
    let mut draw_people = |n: usize| (0..n).map(|_| rng.gen_range(lo..=hi)).collect::<Vec<i64>>();
    let (app_ids, base_ids) = (draw_people(samples), draw_people(samples));
    let app_people = volume::persons_by_id(&store, &app_ids).await?;
    let base_people = volume::persons_by_id(&store, &base_ids).await?;
    let mut lines = Vec::new();

    // 1. Person lookup by ID number.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (p, q) in app_people.iter().zip(&base_people) {
        let t = Instant::now();
        let mut tx = store.begin_read().await?;
        let found = enrolment::find_person_by_number(&mut tx, &p.1).await?;
        tx.commit().await.map_err(StoreError::from)?;
        a.push(ms(t));
        if found.is_none() {
            return Err(other(format!("person {} not found", p.1)));
        }
        let t = Instant::now();
        let found = volume::person(&store, &q.1).await?;
        b.push(ms(t));
        if found.is_none() {
            return Err(other(format!("person {} not found", q.1)));
        }
    }
    lines.push(Line {
        name: "person lookup",
        app: percentiles(a),
        baseline: percentiles(b),
        note: "app: read transaction + enrolment::find_person_by_number; baseline: SELECT id FROM person WHERE id_number = $1".into(),
    });

    // 2. A person's record page (what the record page and API read).
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut coverages = 0usize;
    for (p, q) in app_people.iter().zip(&base_people).rev() {
        let t = Instant::now();
        let mut tx = store.begin_read().await?;
        let person = enrolment::find_person_by_number(&mut tx, &p.1)
            .await?
            .ok_or_else(|| other(format!("person {}", p.1)))?;
        let record = yibao_service::enrolment::records::person_record_in(&mut tx, person).await?;
        tx.commit().await.map_err(StoreError::from)?;
        a.push(ms(t));
        coverages += record.coverages.len();
        let t = Instant::now();
        let found = volume::record(&store, &q.1).await?;
        b.push(ms(t));
        if found.is_none() {
            return Err(other(format!("person {} not found", q.1)));
        }
    }
    lines.push(Line {
        name: "person record page",
        app: percentiles(a),
        baseline: percentiles(b),
        note: format!(
            "app: read transaction + person + person_record_in (coverages, employers, coverage events, events; {coverages} coverages read); baseline: one statement with json_agg subqueries"
        ),
    });

    // 3. A day's settlements of one institution.
    let days = (last_day - first_day).num_days().max(0);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut rows = (0usize, 0usize);
    for _ in 0..samples {
        let pick = |rng: &mut rand::rngs::StdRng| {
            let inst = institutions[rng.gen_range(0..institutions.len())];
            let day = first_day + Duration::days(rng.gen_range(0..=days));
            (inst, day)
        };
        let (inst, day) = pick(&mut rng);
        let (from, to) = (
            beijing_midnight(day),
            beijing_midnight(day + Duration::days(1)),
        );
        let t = Instant::now();
        let mut tx = store.begin_read().await?;
        let got = settlement::standing_between(&mut tx, inst, &from, &to).await?;
        tx.commit().await.map_err(StoreError::from)?;
        a.push(ms(t));
        rows.0 += got.len();
        let (inst, day) = pick(&mut rng);
        let (from, to) = (
            beijing_midnight(day),
            beijing_midnight(day + Duration::days(1)),
        );
        let month = day.format("%Y-%m").to_string();
        let t = Instant::now();
        rows.1 += volume::day_settlements(&store, inst, &month, &from, &to).await?;
        b.push(ms(t));
    }
    lines.push(Line {
        name: "a day's settlements of one institution",
        app: percentiles(a),
        baseline: percentiles(b),
        note: format!(
            "app: read transaction + settlement::standing_between (every column; {} rows in all); baseline: SELECT id, request_id, result_json … WHERE institution_id, month, created_at range ({} rows in all)",
            rows.0, rows.1
        ),
    });

    // 4. The accumulator read while settlements run.
    let people = volume::accumulator_sample(&store, 2.0, (samples * 40) as i64).await?;
    if people.len() < 2 {
        return Err(other("没有累计记录 / no accumulator rows"));
    }
    // The settle bench's own population and institution first (outside the measured window).
    crate::bench::settle(url, 1, 1, 10_000, false, None).await?;
    let load_url = url.to_string();
    let load = tokio::spawn(async move {
        crate::bench::settle(
            &load_url,
            load_clients.max(1),
            load_seconds.max(1),
            10_000,
            false,
            None,
        )
        .await
    });
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut hits = 0usize;
    let started = Instant::now();
    // Leave the load a second to reach its pace, and stop sampling before it winds down.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    while started.elapsed().as_secs_f64() < load_seconds as f64 - 0.5 {
        let p = &people[rng.gen_range(0..people.len())];
        let t = Instant::now();
        let mut tx = store.begin_read().await?;
        let got = settlement::read_accumulator(&mut tx, &p.0, p.1).await?;
        tx.commit().await.map_err(StoreError::from)?;
        a.push(ms(t));
        hits += usize::from(got.is_some());
        let q = &people[rng.gen_range(0..people.len())];
        let t = Instant::now();
        volume::accumulator(&store, &q.0, q.1).await?;
        b.push(ms(t));
    }
    let load = load.await.map_err(other)??;
    lines.push(Line {
        name: "accumulator read under settlement load",
        app: percentiles(a),
        baseline: percentiles(b),
        note: format!(
            "app: read transaction + settlement::read_accumulator ({hits} rows found); baseline: the same SELECT outside a transaction; load: yibao bench settle, {} clients in process",
            load_clients.max(1)
        ),
    });
    store.close().await;
    Ok(VolumeReport {
        persons: hi - lo + 1,
        lines,
        load: Some(load),
    })
}
