//! Demo data (演示数据): a few agencies and windows, staff accounts with published demo
//! passwords, employers and insured persons — loaded once, on the first start with `--demo` or by
//! `yibao demo`. Every name says it is a demo record; identifiers are generated with correct check
//! characters so that they pass the same validation as real ones.

use serde::Serialize;
use yibao_domain::enrolment::resident::ResidentCategory;
use yibao_domain::enrolment::CoverageCategory;
use yibao_domain::ids::{citizen_id_check_char, uscc_check_char};
use yibao_domain::{CitizenId, RegionCode, Uscc};
use yibao_store::{agency, enrolment, logins, meta, staff, StoreError};

use crate::identity::hash_password;
use crate::{ServiceError, Services};

pub(crate) const LOADED_KEY: &str = "demo_loaded_at";

/// A staff account the demo created, with its demo password (printed for the operator).
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub agency: String,
    pub roles: String,
}

/// A citizen or employer-operator demo login (login name, password, whose it is).
#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    pub login: String,
    pub password: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    /// False when demo data was already there (nothing was written).
    pub loaded_now: bool,
    pub loaded_at: String,
    pub accounts: Vec<DemoAccount>,
    /// Citizen accounts: login with the ID number.
    pub citizens: Vec<DemoLogin>,
    /// Employer operators: login with the USCC and the username `admin`.
    pub employer_operators: Vec<DemoLogin>,
    pub agencies: usize,
    pub employers: usize,
    pub persons: usize,
}

struct AgencySpec {
    code: &'static str,
    name: &'static str,
    level: &'static str,
    staff_prefix: &'static str,
    roles: &'static [&'static str],
}

const AGENCIES: &[AgencySpec] = &[
    AgencySpec {
        code: "500000",
        name: "重庆市医疗保障事务中心（演示）",
        level: "province",
        staff_prefix: "cq",
        roles: &[
            "clerk",
            "reviewer",
            "finance",
            "supervisor",
            "admin",
            "auditor",
        ],
    },
    AgencySpec {
        code: "500119",
        name: "重庆市南川区医疗保障事务中心（演示）",
        level: "district",
        staff_prefix: "nanchuan",
        roles: &["clerk", "reviewer", "finance", "supervisor"],
    },
    AgencySpec {
        code: "500242",
        name: "酉阳土家族苗族自治县医疗保障事务中心（演示）",
        level: "district",
        staff_prefix: "youyang",
        roles: &["clerk", "reviewer", "finance"],
    },
    AgencySpec {
        code: "510000",
        name: "四川省医疗保障事务中心（演示）",
        level: "province",
        staff_prefix: "sc",
        roles: &["clerk", "reviewer", "admin"],
    },
    AgencySpec {
        code: "510100",
        name: "成都市医疗保障事务中心（演示）",
        level: "city",
        staff_prefix: "chengdu",
        roles: &["clerk", "reviewer", "finance"],
    },
];

/// (name, kind, region, legal representative, organisation-code seed)
const EMPLOYERS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "南川演示建材有限公司",
        "enterprise",
        "500119",
        "演示法人甲",
        "MA5U0001",
    ),
    (
        "酉阳演示茶叶专业合作社",
        "enterprise",
        "500242",
        "演示法人乙",
        "MA5U0002",
    ),
    (
        "成都演示软件有限公司",
        "enterprise",
        "510100",
        "演示法人丙",
        "MA6C0003",
    ),
    (
        "重庆演示社会服务中心",
        "private_non_enterprise",
        "500000",
        "演示法人丁",
        "MJ0P0004",
    ),
];

/// (name, region, birth date YYYYMMDD, sequence, phone)
const PERSONS: &[(&str, &str, &str, &str, &str)] = &[
    ("演示·王建国", "500119", "19650312", "031", "13800000001"),
    ("演示·李秀英", "500119", "19680705", "042", "13800000002"),
    ("演示·张伟", "500242", "19900101", "013", "13800000003"),
    ("演示·刘芳", "510100", "19951120", "028", "13800000004"),
    ("演示·陈小明", "510104", "20230815", "015", "13800000005"),
    ("演示·杨丽", "500000", "19880229", "066", ""),
];

/// Demo coverage by person (index in PERSONS): category (which decides the scheme) and employer
/// (index in EMPLOYERS). 刘芳 has none: she is the demo's resident who still has to register
/// (城乡居民参保登记).
const COVERAGE: &[(usize, CoverageCategory, Option<usize>)] = &[
    (0, CoverageCategory::Retired, Some(0)),
    (1, CoverageCategory::Retired, Some(0)),
    (2, CoverageCategory::InService, Some(1)),
    (
        4,
        CoverageCategory::Resident(ResidentCategory::LocalResident),
        None,
    ),
    (5, CoverageCategory::InService, Some(3)),
];

async fn employer_id_of(
    conn: &mut yibao_store::Conn,
    index: Option<usize>,
) -> Result<Option<i64>, ServiceError> {
    let Some((_, _, region, _, org)) = index.and_then(|i| EMPLOYERS.get(i)) else {
        return Ok(None);
    };
    let uscc = demo_uscc(region, org)?;
    Ok(enrolment::find_employer_by_uscc(conn, uscc.as_str())
        .await?
        .map(|e| e.id))
}

/// The demo password of an account: public on purpose (printed at start-up and in the README).
fn demo_password(prefix: &str, role: &str) -> String {
    format!("demo-{prefix}-{role}")
}

fn demo_uscc(region: &str, org: &str) -> Result<Uscc, ServiceError> {
    // 9 = registered with market regulation, 1 = enterprise; org part padded to 9 characters.
    let first17 = format!("91{region}{org}0");
    let check = uscc_check_char(first17.as_bytes()).unwrap_or('0');
    Ok(format!("{first17}{check}").parse::<Uscc>()?)
}

fn demo_citizen_id(region: &str, birth: &str, seq: &str) -> Result<CitizenId, ServiceError> {
    let first17 = format!("{region}{birth}{seq}");
    let check = citizen_id_check_char(first17.as_bytes());
    Ok(format!("{first17}{check}").parse::<CitizenId>()?)
}

/// Citizen accounts for the demo persons that have a phone number.
pub fn demo_citizens() -> Result<Vec<DemoLogin>, ServiceError> {
    let mut out = Vec::new();
    for (i, (name, region, birth, seq, phone)) in PERSONS.iter().enumerate() {
        if phone.is_empty() {
            continue;
        }
        out.push(DemoLogin {
            login: demo_citizen_id(region, birth, seq)?.as_str().to_string(),
            password: format!("demo-citizen-{}", i + 1),
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// One managing operator `admin` per demo employer.
pub fn demo_operators() -> Result<Vec<DemoLogin>, ServiceError> {
    let mut out = Vec::new();
    for (i, (name, _, region, _, org)) in EMPLOYERS.iter().enumerate() {
        out.push(DemoLogin {
            login: demo_uscc(region, org)?.as_str().to_string(),
            password: format!("demo-employer-{}", i + 1),
            name: name.to_string(),
        });
    }
    Ok(out)
}

pub fn demo_accounts() -> Vec<DemoAccount> {
    accounts_of(&agencies_within(None))
}

/// The demo agencies inside one of `regions` (all of them for `None`).
fn agencies_within(regions: Option<&[RegionCode]>) -> Vec<&'static AgencySpec> {
    AGENCIES
        .iter()
        .filter(|a| {
            regions.is_none_or(|rs| {
                a.code
                    .parse::<RegionCode>()
                    .is_ok_and(|code| rs.iter().any(|r| r.contains(&code)))
            })
        })
        .collect()
}

fn accounts_of(agencies: &[&'static AgencySpec]) -> Vec<DemoAccount> {
    agencies
        .iter()
        .flat_map(|a| {
            a.roles.iter().map(move |role| DemoAccount {
                username: format!("{}.{role}", a.staff_prefix),
                password: demo_password(a.staff_prefix, role),
                agency: a.name.to_string(),
                roles: role.to_string(),
            })
        })
        .collect()
}

/// Loads the demo data unless it is already there. One transaction: all or nothing.
pub async fn load(services: &Services) -> Result<DemoReport, ServiceError> {
    load_within(services, None).await
}

/// As [`load`], with only the agencies (and their staff) that lie inside one of `regions`:
/// an installation that serves one province, as each bureau's does when installations talk to
/// each other (scripts/federation-demo.sh). Persons and employers are all loaded, as a copy of
/// the register would hold them; a case for one insured in a region no agency here serves goes
/// to the peer that serves it (docs/federation.md, 通办).
pub async fn load_within(
    services: &Services,
    regions: Option<&[RegionCode]>,
) -> Result<DemoReport, ServiceError> {
    let agencies = agencies_within(regions);
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    // Several processes started with `--demo` at once: one loads, the others wait and find it loaded.
    yibao_store::leader::serialise_transaction(&mut tx, services.store().backend(), LOADED_KEY)
        .await?;
    if let Some(at) = meta::get(&mut tx, LOADED_KEY).await? {
        return Ok(DemoReport {
            loaded_now: false,
            loaded_at: at,
            accounts: accounts_of(&agencies),
            citizens: demo_citizens()?,
            employer_operators: demo_operators()?,
            agencies: agencies.len(),
            employers: EMPLOYERS.len(),
            persons: PERSONS.len(),
        });
    }
    if agency::count(&mut tx).await? > 0 {
        return Err(ServiceError::invalid(
            "demo.not_empty",
            "数据库中已有正式数据，不能再装入演示数据；请使用新的数据库运行演示",
        ));
    }
    let mut accounts = Vec::new();
    for a in &agencies {
        let agency_id = agency::insert(
            &mut tx,
            &agency::NewAgency {
                code: a.code,
                name: a.name,
                region_code: a.code,
                level: a.level,
                address: "",
                phone: "",
                hours: "",
            },
            &now,
        )
        .await?;
        agency::insert_window(&mut tx, agency_id, "W01", "综合受理窗口", false, &now).await?;
        agency::insert_window(&mut tx, agency_id, "W02", "川渝通办专窗", true, &now).await?;
        for role in a.roles {
            let account = DemoAccount {
                username: format!("{}.{role}", a.staff_prefix),
                password: demo_password(a.staff_prefix, role),
                agency: a.name.to_string(),
                roles: role.to_string(),
            };
            let hash = hash_password(&account.password).await?;
            staff::insert(
                &mut tx,
                &staff::NewStaff {
                    username: &account.username,
                    display_name: &format!("演示{}", crate::identity::role_label(role)),
                    agency_id,
                    roles: role,
                    password_hash: &hash,
                },
                &now,
            )
            .await?;
            accounts.push(account);
        }
    }
    let operators = demo_operators()?;
    for ((name, kind, region, legal, org), op) in EMPLOYERS.iter().zip(&operators) {
        let uscc = demo_uscc(region, org)?;
        let region: RegionCode = region.parse()?;
        let employer_id = enrolment::insert_employer(
            &mut tx,
            &enrolment::NewEmployer {
                uscc: &uscc,
                name,
                kind,
                region_code: &region,
                legal_representative: legal,
                address: "",
                phone: "",
                contact_name: "",
                bank_name: "",
                bank_account: "",
                registered_on: "2026-01-01",
            },
            &now,
        )
        .await?;
        yibao_store::enrolment::add_event(
            &mut tx,
            yibao_store::enrolment::Subject::Employer,
            employer_id,
            &yibao_store::enrolment::NewEvent {
                at: &now,
                action: yibao_domain::enrolment::EnrolmentEvent::Register,
                detail_json: &serde_json::json!({ "demo": true, "region_code": region.as_str() })
                    .to_string(),
                case_number: None,
                actor_label: "演示数据",
            },
        )
        .await?;
        logins::insert_operator(
            &mut tx,
            &logins::NewOperator {
                employer_id,
                username: "admin",
                display_name: "演示单位经办人",
                phone: "13900000000",
                password_hash: &hash_password(&op.password).await?,
                manager: true,
            },
            &now,
        )
        .await?;
    }
    let citizens = demo_citizens()?;
    for (name, region, birth, seq, phone) in PERSONS {
        let id = demo_citizen_id(region, birth, seq)?;
        let region: RegionCode = region.parse()?;
        enrolment::insert_person(
            &mut tx,
            &enrolment::NewPerson {
                id_number: &id,
                name,
                region_code: &region,
                phone,
            },
            &now,
        )
        .await?;
        if let Some(c) = citizens.iter().find(|c| c.login == id.as_str()) {
            logins::insert_citizen(
                &mut tx,
                id.as_str(),
                name,
                phone,
                &hash_password(&c.password).await?,
                &now,
            )
            .await?;
        }
    }
    for (index, category, employer) in COVERAGE {
        let (_, region, birth, seq, _) = PERSONS[*index];
        let id = demo_citizen_id(region, birth, seq)?;
        let person = enrolment::find_person(&mut tx, &id)
            .await?
            .ok_or_else(|| ServiceError::not_found("person.not_found", "演示人员缺失"))?;
        let employer_id = employer_id_of(&mut tx, *employer).await?;
        yibao_store::coverage::insert(
            &mut tx,
            &yibao_store::coverage::CoverageRow {
                id: 0,
                person_id: person.id,
                scheme: category.scheme(),
                category: *category,
                employer_id,
                region_code: region.to_string(),
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
    meta::set(&mut tx, LOADED_KEY, &now, &now).await?;
    crate::audit::record(
        &mut tx,
        services,
        &crate::identity::Actor::System {
            label: "demo".into(),
        },
        "demo.load",
        "database",
        "demo",
        None,
        None,
        "装入演示数据",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(agencies = agencies.len(), "demo data loaded");
    Ok(DemoReport {
        loaded_now: true,
        loaded_at: now,
        accounts,
        citizens,
        employer_operators: operators,
        agencies: agencies.len(),
        employers: EMPLOYERS.len(),
        persons: PERSONS.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_identifiers_are_valid() {
        for (_, _, region, _, org) in EMPLOYERS {
            assert!(demo_uscc(region, org).is_ok(), "{region} {org}");
        }
        for (_, region, birth, seq, _) in PERSONS {
            assert!(demo_citizen_id(region, birth, seq).is_ok(), "{birth}");
        }
    }

    #[test]
    fn every_account_has_a_known_role() {
        for a in demo_accounts() {
            assert_ne!(crate::identity::role_label(&a.roles), "未知角色");
        }
    }
}
