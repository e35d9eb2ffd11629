//! `yibao bench settle`: settlements per second and latency percentiles against a real
//! database, with realistic bills (10–40 lines) and a population of insured persons. The figure
//! is meant to be read beside pgbench's TPC-B on the same PostgreSQL (scripts/bench.sh,
//! docs/performance.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use yibao_domain::ids::citizen_id_check_char;
use yibao_domain::CitizenId;
use yibao_service::identity::{Actor, InstitutionActor};
use yibao_service::settlement::{self, SettleRequest};
use yibao_service::{Services, SystemClock};
use yibao_store::{agency, coverage, enrolment, institution, meta, Store};

use crate::CliError;

const POPULATION_KEY: &str = "bench_population";
const INSTITUTION: &str = "H50011999999";

/// The bench's persons: valid ID numbers in Nanchuan (500119), one per sequence number.
fn person_id(n: u32) -> Result<CitizenId, CliError> {
    let birth = 19500101 + (n % 50) * 10000 + (n / 50 % 12) * 100 + (n / 600 % 28);
    let first17 = format!("500119{birth:08}{:03}", n % 1000);
    let check = citizen_id_check_char(first17.as_bytes());
    format!("{first17}{check}")
        .parse()
        .map_err(|e| CliError::Other(format!("bench id {first17}: {e:?}")))
}

/// Creates the bench agency, institution and `persons` insured persons once.
async fn population(store: &Store, persons: u32) -> Result<InstitutionActor, CliError> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = store.begin().await?;
    let agency_id = match agency::find_by_code(&mut tx, "BENCH-500119").await? {
        Some(a) => a.id,
        None => {
            agency::insert(
                &mut tx,
                &agency::NewAgency {
                    code: "BENCH-500119",
                    name: "性能测试经办机构（基准测试专用）",
                    region_code: "500119",
                    level: "district",
                    address: "",
                    phone: "",
                    hours: "",
                },
                &now,
            )
            .await?
        }
    };
    let inst = match institution::find_by_code(&mut tx, INSTITUTION).await? {
        Some(i) => i,
        None => {
            let id = institution::insert(
                &mut tx,
                &institution::NewInstitution {
                    code: INSTITUTION,
                    name: "性能测试医院（基准测试专用）",
                    kind: "hospital",
                    level: "二级",
                    region_code: "500119",
                    agency_id,
                },
                &now,
            )
            .await?;
            institution::find(&mut tx, id)
                .await?
                .ok_or_else(|| CliError::Other("bench institution".into()))?
        }
    };
    let have: u32 = meta::get(&mut tx, POPULATION_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let region = "500119"
        .parse()
        .map_err(|_| CliError::Other("region".into()))?;
    for n in have..persons {
        let id = person_id(n)?;
        if enrolment::find_person(&mut tx, &id).await?.is_some() {
            continue;
        }
        enrolment::insert_person(
            &mut tx,
            &enrolment::NewPerson {
                id_number: &id,
                name: "基准测试人员",
                region_code: &region,
                phone: "",
            },
            &now,
        )
        .await?;
        let p = enrolment::find_person(&mut tx, &id)
            .await?
            .ok_or_else(|| CliError::Other("bench person".into()))?;
        let (scheme, category) = match n % 3 {
            0 => ("employee", "in_service"),
            1 => ("employee", "retired"),
            _ => ("resident", "adult"),
        };
        coverage::insert(
            &mut tx,
            &coverage::CoverageRow {
                id: 0,
                person_id: p.id,
                scheme: scheme.into(),
                category: category.into(),
                employer_id: None,
                region_code: "500119".into(),
                status: "active".into(),
                registered_on: "2026-01-01".into(),
                start_date: Some("2026-01-01".into()),
                end_date: None,
                case_number: None,
                created_at: now.clone(),
                updated_at: now.clone(),
            },
        )
        .await?;
    }
    if persons > have {
        meta::set(&mut tx, POPULATION_KEY, &persons.to_string(), &now).await?;
    }
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(InstitutionActor {
        institution_id: inst.id,
        code: inst.code,
        name: inst.name,
        agency_id,
        region_code: inst.region_code,
        token_id: 0,
    })
}

/// A bill of 10–40 lines: categories A (60 %), B (30 %, 5–20 % own share), C (10 %), some
/// with price caps; outpatient or inpatient.
fn bill(rng: &mut StdRng, request_id: &str, id_number: &str) -> String {
    let lines = rng.gen_range(10..=40);
    let inpatient = rng.gen_bool(0.3);
    let mut out = Vec::with_capacity(lines);
    for i in 1..=lines {
        let amount: i64 = rng.gen_range(500..=80_000);
        let roll = rng.gen_range(0..10);
        let mut line = json!({"line_no": i, "code": format!("X{:05}", rng.gen_range(0..5000)), "amount": amount});
        match roll {
            0..=5 => line["category"] = json!("a"),
            6..=8 => {
                line["category"] = json!("b");
                line["self_pay_share_bp"] = json!(rng.gen_range(5..=20) * 100);
            }
            _ => line["category"] = json!("c"),
        }
        if rng.gen_bool(0.1) {
            line["price_cap"] = json!(amount * 9 / 10);
        }
        out.push(line);
    }
    json!({
        "request_id": request_id,
        "id_number": id_number,
        "bill": {
            "date": "2026-11-20",
            "visit": if inpatient { "inpatient" } else { "general_outpatient" },
            "hospital_level": "level_2",
            "admission_id": format!("ZY{}", rng.gen_range(0..1_000_000_000u64)),
            "lines": out
        }
    })
    .to_string()
}

pub struct Report {
    pub backend: &'static str,
    pub clients: usize,
    pub seconds: f64,
    pub settlements: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub async fn settle(
    database_url: &str,
    clients: usize,
    seconds: u64,
    persons: u32,
) -> Result<Report, CliError> {
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let inst = population(&store, persons).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock), crate::load_catalog()?);
    let actor = Arc::new(Actor::Institution(inst));
    let ids: Arc<Vec<String>> = Arc::new(
        (0..persons)
            .map(|n| person_id(n).map(|i| i.as_str().to_string()))
            .collect::<Result<_, _>>()?,
    );
    let run = format!("{:x}", chrono::Utc::now().timestamp_millis());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let services = services.clone();
        let actor = actor.clone();
        let ids = ids.clone();
        let run = run.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(c as u64 + 1);
            // The bills are made before the clock starts, as a hospital's system has them ready:
            // only the server's work (parse, settle, store) is measured.
            let templates: Vec<String> = (0..256)
                .map(|_| {
                    let who = &ids[rng.gen_range(0..ids.len())];
                    bill(&mut rng, "__RID__", who)
                })
                .collect();
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let raw = templates[n as usize % templates.len()].replacen(
                    "__RID__",
                    &format!("B{run}-{c}-{n}"),
                    1,
                );
                let t = Instant::now();
                let ok = match serde_json::from_str::<SettleRequest>(&raw) {
                    Ok(req) => settlement::settle(&services, &actor, &req).await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.map_err(|e| CliError::Other(e.to_string()))?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let report = Report {
        backend: store.backend().name(),
        clients,
        seconds: elapsed,
        settlements: all.len(),
        errors,
        per_second: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    };
    store.close().await;
    Ok(report)
}
