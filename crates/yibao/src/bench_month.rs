//! `yibao bench month`: a month of generated settlements for many institutions on PostgreSQL,
//! declared by every institution (each declaration reconciled against the ledger, as the API
//! does), then the agency's statement run (reconciled again, paid by each agreement's method,
//! 结算单 written) — timed beside a baseline measured in the same run on the same table: one
//! plain `SELECT … GROUP BY` of the month's rows.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use yibao_domain::benefit::VisitType;
use yibao_domain::institution::monthly::{ledger_lines, GroupCases, LedgerGroup};
use yibao_domain::staff::StaffRole;
use yibao_domain::RegionCode;
use yibao_service::identity::{Actor, InstitutionActor, StaffActor};
use yibao_service::institution::monthly::{self, DeclarationInput};
use yibao_service::{Services, SystemClock};
use yibao_store::test_support::execute;
use yibao_store::{agency, Store};

use crate::CliError;

const AGENCY: &str = "BENCH-MONTH-500119";
const MONTH: &str = "2026-11";

pub struct MonthReport {
    pub settlements: u64,
    pub institutions: u32,
    pub generate_seconds: f64,
    pub baseline_seconds: f64,
    pub baseline_groups: usize,
    pub declare_seconds: f64,
    pub issue_seconds: f64,
    pub mismatched: usize,
    pub issued: usize,
    pub skipped: usize,
    /// Fee-for-service statements whose due amount differs from the baseline's sums (0 = all
    /// agree).
    pub disagreements: usize,
}

fn other(e: impl std::fmt::Display) -> CliError {
    CliError::Other(e.to_string())
}

/// Creates the bench agency, `institutions` institutions with agreements in force (every 10th
/// paid by disease points for inpatient care, every 7th by a global budget, the rest by fee for
/// service) and `settlements` settlements of November 2026 spread over them (1 in 97 reversed),
/// in set-based statements. Earlier bench data of the month is removed first.
async fn generate(store: &Store, institutions: u32, settlements: u64) -> Result<i64, CliError> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = store.begin().await?;
    let agency_id = match agency::find_by_code(&mut tx, AGENCY).await? {
        Some(a) => a.id,
        None => {
            agency::insert(
                &mut tx,
                &agency::NewAgency {
                    code: AGENCY,
                    name: "月结算性能测试经办机构（基准测试专用）",
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
    let mine = format!("SELECT id FROM institution WHERE agency_id = {agency_id}");
    for table in [
        "monthly_statement",
        "monthly_declaration",
        "monthly_deduction",
        "settlement",
        "settlement_request",
        "institution_agreement_event",
        "institution_agreement",
        "api_token",
    ] {
        execute(
            &mut tx,
            &format!("DELETE FROM {table} WHERE institution_id IN ({mine})"),
        )
        .await?;
    }
    execute(
        &mut tx,
        &format!("DELETE FROM monthly_point_value WHERE agency_id = {agency_id}"),
    )
    .await?;
    execute(
        &mut tx,
        &format!("DELETE FROM institution WHERE agency_id = {agency_id}"),
    )
    .await?;
    execute(
        &mut tx,
        &format!(
            "INSERT INTO institution (code, name, kind, level, region_code, agency_id, created_at) \
             SELECT 'H5011' || lpad(g::text, 7, '0'), '月结算基准机构' || g, 'hospital', '二级', \
             '500119', {agency_id}, '{now}' FROM generate_series(1, {institutions}) g"
        ),
    )
    .await?;
    execute(
        &mut tx,
        &format!(
            "INSERT INTO institution_agreement (institution_id, stage, terms_json, jurisdiction, updated_at) \
             SELECT id, 'in_force', json_build_object('valid_from', '2026-01-01', 'valid_until', NULL, \
             'level', '二级', 'services', json_build_array('普通门诊', '住院'), \
             'methods', CASE WHEN id % 10 = 0 THEN json_build_array('disease_points', 'fee_for_service') \
                             WHEN id % 7 = 0 THEN json_build_array('global_budget') \
                             ELSE json_build_array('fee_for_service') END, \
             'annual_budget_fen', CASE WHEN id % 10 <> 0 AND id % 7 = 0 THEN 2400000000 END, \
             'cross_province', TRUE)::text, 'nanchuan', '{now}' FROM institution WHERE agency_id = {agency_id}"
        ),
    )
    .await?;
    // The month's ledger partition (migration 0042), so that its rows do not land in the
    // default partition.
    yibao_store::partition::ensure(&mut tx, MONTH).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    // The settlements, in batches of a million rows (one statement each).
    let batch: u64 = 1_000_000;
    let mut from = 1u64;
    while from <= settlements {
        let to = (from + batch - 1).min(settlements);
        let mut tx = store.begin().await?;
        // The idempotency keys are written by the statement itself, set-based, as every writer
        // of the ledger does on PostgreSQL (migration 0052).
        execute(
            &mut tx,
            &format!(
                "WITH ids AS (SELECT array_agg(id ORDER BY id) AS a, count(*) AS n FROM institution \
                 WHERE agency_id = {agency_id}), \
                 g AS (SELECT g, 5000 + (g * 7919) % 300000 AS t, \
                   (ARRAY['employee_in_service','employee_retired','resident'])[1 + g % 3] AS scheme, \
                   (ARRAY['general_outpatient','chronic_outpatient','inpatient','maternity'])[1 + (g / 3) % 4] AS visit \
                   FROM generate_series({from}::bigint, {to}::bigint) g), \
                 s AS (SELECT g.*, t * 6 / 10 AS p, \
                   CASE WHEN visit = 'inpatient' AND g % 11 = 0 THEN t / 20 ELSE 0 END AS c, \
                   CASE WHEN g % 53 = 0 THEN t / 50 ELSE 0 END AS a, \
                   CASE WHEN scheme <> 'resident' THEN t / 10 ELSE 0 END AS ac FROM g), \
                 ins AS (INSERT INTO settlement (institution_id, request_id, payload_sha256, person_id_number, \
                   year, admission_id, status, result_json, deltas_json, created_at, month, scheme, \
                   visit_type, total_fen, pooled_fen, critical_fen, aid_fen, account_fen, cash_fen) \
                 SELECT ids.a[1 + s.g % ids.n], 'BM' || s.g, '', '500119195001010011', 2026, NULL, \
                   CASE WHEN s.g % 97 = 0 THEN 'reversed' ELSE 'settled' END, '{{}}', '{{}}', \
                   '2026-11-15T02:00:00.000Z', '{MONTH}', s.scheme, s.visit, s.t, s.p, s.c, s.a, s.ac, \
                   s.t - s.p - s.c - s.a - s.ac FROM s, ids \
                   RETURNING institution_id, request_id, id, month) \
                 INSERT INTO settlement_request (institution_id, request_id, settlement_id, month) \
                 SELECT institution_id, request_id, id, month FROM ins"
            ),
        )
        .await?;
        tx.commit().await.map_err(yibao_store::StoreError::from)?;
        eprintln!("  … {to} / {settlements} settlements");
        from = to + 1;
    }
    // A past month's rows are all visible (autovacuum has set the visibility map), which
    // index-only scans need: VACUUM (outside a transaction) brings the fresh rows there. Only
    // the month's partition: the other months are not touched.
    let part = yibao_store::partition::partition_name(MONTH)
        .ok_or_else(|| CliError::Other(format!("bench month {MONTH}")))?;
    store
        .run_outside_transaction(&format!("VACUUM ANALYZE {part}"))
        .await?;
    Ok(agency_id)
}

/// With `reuse`: the bench agency of an earlier run when it has exactly these many institutions
/// and settlements; its declarations, statements and point value are removed (the month is
/// declared and issued afresh), the settlements kept.
async fn reusable(
    store: &Store,
    institutions: u32,
    settlements: u64,
    reuse: bool,
) -> Result<Option<i64>, CliError> {
    if !reuse {
        return Ok(None);
    }
    let mut tx = store.begin().await?;
    let Some(agency_id) = agency::find_by_code(&mut tx, AGENCY).await?.map(|a| a.id) else {
        return Ok(None);
    };
    let have_inst = yibao_store::institution::list(&mut tx)
        .await?
        .into_iter()
        .filter(|i| i.agency_id == agency_id)
        .count();
    let rows = yibao_store::settlement::month_groups_all(&mut tx, MONTH).await?;
    let settled: i64 = rows.iter().map(|r| r.count).sum();
    // 1 in 97 was generated reversed.
    let expected = settlements - settlements / 97;
    if have_inst != institutions as usize || settled as u64 != expected {
        eprintln!(
            "  earlier bench data does not match ({have_inst} institutions, {settled} settled): generating afresh"
        );
        return Ok(None);
    }
    let mine = format!("SELECT id FROM institution WHERE agency_id = {agency_id}");
    for table in [
        "monthly_statement",
        "monthly_declaration",
        "monthly_deduction",
    ] {
        execute(
            &mut tx,
            &format!("DELETE FROM {table} WHERE institution_id IN ({mine})"),
        )
        .await?;
    }
    execute(
        &mut tx,
        &format!("DELETE FROM monthly_point_value WHERE agency_id = {agency_id}"),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(Some(agency_id))
}

fn group_of(r: &yibao_store::settlement::MonthGroup) -> Result<LedgerGroup, CliError> {
    Ok(LedgerGroup {
        scheme: serde_json::from_value(serde_json::Value::String(r.scheme.clone()))
            .map_err(other)?,
        visit: serde_json::from_value(serde_json::Value::String(r.visit_type.clone()))
            .map_err(other)?,
        count: r.count,
        total: r.total_fen,
        pooled: r.pooled_fen,
        critical_illness: r.critical_fen,
        aid: r.aid_fen,
        account: r.account_fen,
        cash: r.cash_fen,
    })
}

pub async fn month(
    database_url: &str,
    institutions: u32,
    settlements: u64,
    concurrency: usize,
    reuse: bool,
) -> Result<MonthReport, CliError> {
    if !database_url.starts_with("postgres") {
        return Err(CliError::Other(
            "yibao bench month 仅支持 PostgreSQL / PostgreSQL only".into(),
        ));
    }
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let t = Instant::now();
    let agency_id = match reusable(&store, institutions, settlements, reuse).await? {
        Some(id) => id,
        None => generate(&store, institutions.max(1), settlements).await?,
    };
    let generate_seconds = t.elapsed().as_secs_f64();

    // Baseline: the month's sums per institution, scheme and visit type, in one GROUP BY.
    let t = Instant::now();
    let mut tx = store.begin_read().await?;
    let rows = yibao_store::settlement::month_groups_all(&mut tx, MONTH).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    let baseline_seconds = t.elapsed().as_secs_f64();
    let baseline_groups = rows.len();
    let mut ledger: BTreeMap<i64, Vec<LedgerGroup>> = BTreeMap::new();
    for r in &rows {
        ledger
            .entry(r.institution_id)
            .or_default()
            .push(group_of(r)?);
    }

    let services = Services::new(store.clone(), Arc::new(SystemClock), crate::load_catalog()?);
    let mut tx = store.begin_read().await?;
    let list: Vec<_> = yibao_store::institution::list(&mut tx)
        .await?
        .into_iter()
        .filter(|i| i.agency_id == agency_id)
        .collect();
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    // Each institution declares what its HIS counted (the baseline's sums); every 100th
    // declares one amount a fen off, deliberately.
    let mut jobs = Vec::with_capacity(list.len());
    let mut mismatched = 0;
    for (n, inst) in list.iter().enumerate() {
        let groups = ledger.get(&inst.id).cloned().unwrap_or_default();
        let mut lines = ledger_lines(&groups);
        if n % 100 == 99 {
            if let Some(l) = lines.get_mut(1) {
                l.amount_fen += 1;
                mismatched += 1;
            }
        }
        let inpatient: i64 = groups
            .iter()
            .filter(|g| g.visit == VisitType::Inpatient)
            .map(|g| g.count)
            .sum();
        let actor = Actor::Institution(InstitutionActor {
            institution_id: inst.id,
            code: inst.code.clone(),
            name: inst.name.clone(),
            agency_id,
            region_code: inst.region_code.clone(),
            token_id: 0,
            cross_province: true,
        });
        let input = DeclarationInput {
            lines,
            groups: vec![GroupCases {
                group: "J18.9".into(),
                cases: inpatient,
            }],
        };
        jobs.push((actor, input));
    }
    let t = Instant::now();
    let jobs = Arc::new(std::sync::Mutex::new(jobs));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let jobs = jobs.clone();
        let services = services.clone();
        set.spawn(async move {
            loop {
                let job = jobs.lock().ok().and_then(|mut j| j.pop());
                let Some((actor, input)) = job else {
                    return Ok::<_, CliError>(());
                };
                monthly::declare(&services, &actor, MONTH, &input).await?;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(other)??;
    }
    let declare_seconds = t.elapsed().as_secs_f64();

    let reviewer = Actor::Staff(StaffActor {
        id: 0,
        username: "bench".into(),
        display_name: "基准测试".into(),
        agency_id,
        agency_name: AGENCY.into(),
        agency_region: "500119".parse::<RegionCode>().map_err(other)?,
        roles: vec![StaffRole::Reviewer],
        must_change_password: false,
    });
    let t = Instant::now();
    let run = monthly::issue_statements(&services, &reviewer, MONTH).await?;
    let issue_seconds = t.elapsed().as_secs_f64();

    // Fee-for-service statements against the baseline's sums, independently.
    let mut disagreements = 0;
    let mut tx = store.begin_read().await?;
    for inst in &list {
        if inst.id % 10 == 0 || inst.id % 7 == 0 {
            continue;
        }
        let Some(s) = yibao_store::monthly::find_statement(&mut tx, inst.id, MONTH).await? else {
            continue;
        };
        let due: i64 = ledger
            .get(&inst.id)
            .map(|g| {
                g.iter()
                    .map(|g| g.pooled + g.critical_illness + g.aid + g.account)
                    .sum()
            })
            .unwrap_or(0);
        if s.due_fen != due {
            disagreements += 1;
        }
    }
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    store.close().await;
    Ok(MonthReport {
        settlements,
        institutions,
        generate_seconds,
        baseline_seconds,
        baseline_groups,
        declare_seconds,
        issue_seconds,
        mismatched,
        issued: run.issued.len(),
        skipped: run.skipped.len(),
        disagreements,
    })
}
