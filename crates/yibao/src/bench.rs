//! `yibao bench settle`: settlements per second and latency percentiles against a real
//! database, with realistic bills (10–40 lines) and a population of insured persons. The figure
//! is meant to be read beside pgbench's TPC-B on the same PostgreSQL (scripts/bench.sh,
//! docs/performance.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use http_body_util::BodyExt;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
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
pub(crate) fn person_id(n: u32) -> Result<CitizenId, CliError> {
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
                    uscc: None,
                },
                &now,
            )
            .await?;
            let row = institution::find(&mut tx, id)
                .await?
                .ok_or_else(|| CliError::Other("bench institution".into()))?;
            // Its agreement, in force from the bench's first day (its tokens work only then).
            let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .ok_or_else(|| CliError::Other("bench date".into()))?;
            institution::put_agreement(
                &mut tx,
                &yibao_service::institution::initial_agreement(&row, start, false, &now),
            )
            .await?;
            row
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
        use yibao_domain::enrolment::resident::ResidentCategory;
        use yibao_domain::enrolment::CoverageCategory;
        let category = match n % 3 {
            0 => CoverageCategory::InService,
            1 => CoverageCategory::Retired,
            _ => CoverageCategory::Resident(ResidentCategory::LocalResident),
        };
        coverage::insert(
            &mut tx,
            &coverage::CoverageRow {
                id: 0,
                person_id: p.id,
                scheme: category.scheme(),
                category,
                employer_id: None,
                region_code: "500119".into(),
                status: yibao_domain::enrolment::CoverageStatus::Active,
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
        cross_province: true,
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
    pub path: &'static str,
    pub clients: usize,
    pub seconds: f64,
    pub settlements: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub first_error: Option<String>,
}

/// How the bench reaches settlement: in process (the service call below HTTP), or over HTTP on
/// loopback as a hospital's system does (bearer token, JSON body, keep-alive connections).
#[derive(Clone)]
enum Path {
    InProcess(Services, Arc<Actor>),
    Http(Arc<HttpTarget>),
}

struct HttpTarget {
    /// `host:port`, to connect to and to name in `Host`.
    authority: String,
    /// The settlement endpoint's path.
    uri: axum::http::Uri,
    authorization: String,
}

/// One bench client's own keep-alive connection, driven inside the client's task (as pgbench
/// drives its connections in its own threads): a pooled client would hand every request to a
/// connection task of its own, and the load generator would spend the machine's two cores on
/// waking it.
struct HttpConn {
    sender: http1::SendRequest<Body>,
    driver: Pin<Box<dyn Future<Output = Result<(), hyper::Error>> + Send>>,
}

impl HttpConn {
    async fn open(t: &HttpTarget) -> Result<HttpConn, String> {
        let tcp = tokio::net::TcpStream::connect(&t.authority)
            .await
            .map_err(|e| format!("connect {}: {e}", t.authority))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) = http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        Ok(HttpConn {
            sender,
            driver: Box::pin(conn),
        })
    }

    async fn post(&mut self, t: &HttpTarget, raw: String) -> Result<(), String> {
        let req = axum::http::Request::post(t.uri.clone())
            .header("host", &t.authority)
            .header("authorization", &t.authorization)
            .header("content-type", "application/json")
            .body(Body::from(raw))
            .map_err(|e| e.to_string())?;
        let HttpConn { sender, driver } = self;
        let exchange = async {
            let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
            let status = resp.status();
            // Read the whole answer, as a client must before the connection is reused.
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
            }
        };
        tokio::select! {
            r = exchange => r,
            r = driver => Err(format!("connection closed: {r:?}")),
        }
    }
}

/// A bench client: its way in, and over HTTP its own connection once opened.
struct Caller {
    path: Path,
    conn: Option<HttpConn>,
}

impl Caller {
    fn new(path: &Path) -> Caller {
        Caller {
            path: path.clone(),
            conn: None,
        }
    }

    /// Ok, or what went wrong (the first one is reported). A failed connection is opened again
    /// for the next request.
    async fn settle(&mut self, raw: String) -> Result<(), String> {
        match &self.path {
            Path::InProcess(services, actor) => {
                let req = serde_json::from_str::<SettleRequest>(&raw).map_err(|e| e.to_string())?;
                settlement::settle(services, actor, &req)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            Path::Http(t) => {
                let mut c = match self.conn.take() {
                    Some(c) => c,
                    None => HttpConn::open(t).await?,
                };
                let r = c.post(t, raw).await;
                if r.is_ok() {
                    self.conn = Some(c);
                }
                r
            }
        }
    }
}

/// An API token for the bench institution, written straight to the store (the bench's own
/// institution only; the service's token issue needs an agency admin).
async fn bench_token(store: &Store, institution_id: i64) -> Result<String, CliError> {
    let token = format!(
        "{}bench{:032x}",
        yibao_service::identity::TOKEN_PREFIX,
        rand::random::<u128>()
    );
    let now = chrono::Utc::now();
    let ts =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = store.begin().await?;
    institution::insert_token(
        &mut tx,
        institution_id,
        &yibao_service::identity::sha256_hex(&token),
        &token[..12],
        "基准测试（bench settle --http）",
        &ts(now),
        &ts(now + chrono::Duration::hours(2)),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(token)
}

/// The app on a loopback port of its own, for `--http` without `--target`.
async fn serve_in_process(services: Services) -> Result<std::net::SocketAddr, CliError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::Other(format!("bench listener: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Other(e.to_string()))?;
    let app = yibao_web::app(yibao_web::AppState::new(services));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok(addr)
}

pub async fn settle(
    database_url: &str,
    clients: usize,
    seconds: u64,
    persons: u32,
    http: bool,
    target: Option<&str>,
) -> Result<Report, CliError> {
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let inst = population(&store, persons).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock), crate::load_catalog()?);
    let path = if http {
        let token = bench_token(&store, inst.institution_id).await?;
        let base = match target {
            // A running service (the cluster's balancer): its database holds the population.
            Some(t) => t.trim_end_matches('/').to_string(),
            None => format!("http://{}", serve_in_process(services.clone()).await?),
        };
        let uri: axum::http::Uri = base
            .parse()
            .map_err(|e| CliError::Other(format!("bench uri: {e}")))?;
        if uri.scheme_str() != Some("http") {
            return Err(CliError::Other(format!(
                "bench --target 只支持 http:// 地址 / plain http only: {base}"
            )));
        }
        let authority = match (uri.host(), uri.port_u16()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => format!("{h}:80"),
            _ => return Err(CliError::Other(format!("bench uri without a host: {base}"))),
        };
        Path::Http(Arc::new(HttpTarget {
            authority,
            // Origin form, as HTTP/1.1 asks of a request to the server itself.
            uri: axum::http::Uri::from_static("/api/v1/settlements"),
            authorization: format!("Bearer {token}"),
        }))
    } else {
        Path::InProcess(services.clone(), Arc::new(Actor::Institution(inst)))
    };
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
        let mut caller = Caller::new(&path);
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
            let mut first_error = None;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let raw = templates[n as usize % templates.len()].replacen(
                    "__RID__",
                    &format!("B{run}-{c}-{n}"),
                    1,
                );
                let t = Instant::now();
                match caller.settle(raw).await {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let (lat, e, first) = t.await.map_err(|e| CliError::Other(e.to_string()))?;
        all.extend(lat);
        errors += e;
        first_error = first_error.or(first);
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
        path: if http { "http" } else { "in-process" },
        clients,
        seconds: elapsed,
        settlements: all.len(),
        errors,
        per_second: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        first_error,
    };
    store.close().await;
    Ok(report)
}
