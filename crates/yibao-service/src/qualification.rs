//! Chronic/special disease qualifications in the application: the shipped disease lists
//! (`data/diseases/`), the effect of a completed qualification case (the record: person,
//! disease, scheme section, from, to, certifying institution), the check settlement and manual
//! reimbursement make (is the person qualified for this disease on this date?), and what the
//! person and staff see. The rules are yibao-domain's `qualification` module.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};
use yibao_domain::catalog::{Item, Service};
use yibao_domain::enrolment::flexible::Grade;
use yibao_domain::enrolment::CoverageCategory;
use yibao_domain::qualification::{
    check_visit, decide, enrollee_of, find_disease, list_for, Certification, DiseaseList,
    Qualification, QualificationError, Standing,
};
use yibao_domain::CitizenId;
use yibao_store::cases::CaseRow;
use yibao_store::qualification::{self as store, QualificationRow};
use yibao_store::{Conn, StoreError};

use crate::{ServiceError, Services};

/// Where the disease lists live among the embedded data files.
pub const DISEASE_DIR: &str = "diseases/";

/// Every shipped disease list. A file that fails to parse is logged and left out; the test
/// suite checks that none does.
pub fn lists() -> &'static [DiseaseList] {
    static LISTS: std::sync::OnceLock<Vec<DiseaseList>> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(DISEASE_DIR))
            .filter_map(|f| match DiseaseList::parse(&f.text) {
                Ok(l) => Some(l),
                Err(e) => {
                    tracing::error!(path = f.path, error = %e, "shipped disease list is invalid");
                    None
                }
            })
            .collect()
    })
}

/// The list serving `item`, or why there is none.
pub fn list_of(item: &Item) -> Result<&'static DiseaseList, ServiceError> {
    list_for(lists(), &item.jurisdiction, item.service).ok_or_else(|| {
        ServiceError::from_domain(QualificationError::NoList {
            item: item.name.clone(),
        })
    })
}

/// What the application form is checked for before a case opens: the list exists and is
/// published for the item, the disease is on it, the form reads (every problem at once).
pub fn check_form(item: &Item, form: &BTreeMap<String, String>) -> Vec<QualificationError> {
    let Some(list) = list_for(lists(), &item.jurisdiction, item.service) else {
        return vec![QualificationError::NoList {
            item: item.name.clone(),
        }];
    };
    // A service whose sections the guide does not publish (四川 门诊慢特病, 单行支付/高值药品):
    // nothing to check a disease against — handled at the window.
    if list.sections_of(item.service).all(|s| !s.published) {
        let heading = list
            .sections_of(item.service)
            .map(|s| s.heading.as_str())
            .collect::<Vec<_>>()
            .join("、");
        return vec![QualificationError::ListNotPublished { heading }];
    }
    let Some(evidence) = list.evidence_for(&item.jurisdiction) else {
        return vec![QualificationError::NoList {
            item: item.name.clone(),
        }];
    };
    match Certification::parse(form, evidence) {
        Err(list) => list,
        Ok(cert) => match find_disease(list, item.service, &cert.disease, None) {
            Ok(d) if d.section.service == item.service => Vec::new(),
            Ok(_) => vec![QualificationError::UnknownDisease {
                code: cert.disease,
                list: list.name.clone(),
            }],
            Err(e) => vec![e],
        },
    }
}

fn parse_date(text: &str, what: &str) -> Result<NaiveDate, ServiceError> {
    text.parse()
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("{what} {text}: {e}"))))
}

fn record_of(r: &QualificationRow) -> Result<Qualification, ServiceError> {
    Ok(Qualification {
        person: r.person_id_number.clone(),
        service: Service::from_key(&r.service).ok_or_else(|| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "qualification {}: service {}",
                r.id, r.service
            )))
        })?,
        list_id: r.list_id.clone(),
        list_version: u32::try_from(r.list_version).unwrap_or(0),
        disease_code: r.disease_code.clone(),
        disease_name: r.disease_name.clone(),
        scheme: r.scheme.clone(),
        valid_from: parse_date(&r.valid_from, "qualification.valid_from")?,
        valid_to: parse_date(&r.valid_to, "qualification.valid_to")?,
        certifier: r.certifier.clone(),
        certified_on: parse_date(&r.certified_on, "qualification.certified_on")?,
        validity_example: r.validity_example != 0,
    })
}

/// Every qualification of the person.
pub async fn records_for(
    conn: &mut Conn,
    person: &CitizenId,
) -> Result<Vec<Qualification>, ServiceError> {
    store::for_person(conn, person.as_str())
        .await?
        .iter()
        .map(record_of)
        .collect()
}

/// The qualification a chronic/special outpatient visit (医疗类别 14) settles under, or the
/// refusal for the hospital: not qualified for the disease, expired, not yet valid.
pub async fn for_visit(
    conn: &mut Conn,
    person: &CitizenId,
    disease: Option<&str>,
    date: NaiveDate,
) -> Result<Qualification, ServiceError> {
    let records = records_for(conn, person).await?;
    check_visit(&records, disease, date)
        .cloned()
        .map_err(ServiceError::from_domain)
}

/// The person's contribution grade (缴费档次) of their active coverage, if recorded.
async fn grade_of(conn: &mut Conn, coverage_id: i64) -> Result<Option<Grade>, ServiceError> {
    Ok(store::coverage_grade(conn, coverage_id)
        .await?
        .and_then(|g| Grade::parse(&g)))
}

/// The effect of a completed qualification case: the form's certification is decided against
/// the item's list and evidence rules, and the qualification recorded.
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let list = list_of(item)?;
    let evidence = list.evidence_for(&item.jurisdiction).ok_or_else(|| {
        ServiceError::from_domain(QualificationError::NoList {
            item: item.name.clone(),
        })
    })?;
    let form = crate::effects::form_map(case);
    let cert = Certification::parse(&form, evidence).map_err(ServiceError::from_domain_list)?;
    let person: CitizenId = case.applicant_ref.parse()?;
    let coverage = yibao_store::coverage::active_for_id_number(conn, person.as_str())
        .await?
        .ok_or_else(|| {
            ServiceError::invalid(
                "qualification.no_coverage",
                "申请人没有有效的基本医疗保险参保，不能认定门诊慢特病（特病）资格",
            )
        })?;
    let grade = if coverage.category == CoverageCategory::Flexible {
        grade_of(conn, coverage.id).await?
    } else {
        None
    };
    let enrollee = enrollee_of(coverage.category, grade).map_err(ServiceError::from_domain)?;
    let q = decide(
        list,
        &item.jurisdiction,
        item.service,
        &person,
        enrollee,
        &cert,
        today,
    )
    .map_err(ServiceError::from_domain_list)?;
    let now = services.clock().now_text();
    let id = store::insert(
        conn,
        &QualificationRow {
            id: 0,
            person_id_number: q.person.clone(),
            service: q.service.key().to_string(),
            list_id: q.list_id.clone(),
            list_version: i64::from(q.list_version),
            disease_code: q.disease_code.clone(),
            disease_name: q.disease_name.clone(),
            scheme: q.scheme.clone(),
            valid_from: q.valid_from.to_string(),
            valid_to: q.valid_to.to_string(),
            certifier: q.certifier.clone(),
            certified_on: q.certified_on.to_string(),
            validity_example: i64::from(q.validity_example),
            case_number: case.number.clone(),
            created_at: now,
        },
    )
    .await?;
    Ok(json!({
        "effect": "qualification",
        "qualification_id": id,
        "disease_code": q.disease_code,
        "disease_name": q.disease_name,
        "scheme": q.scheme,
        "valid_from": q.valid_from,
        "valid_to": q.valid_to,
        "certifier": q.certifier,
        "validity_example": q.validity_example,
        "text": format!(
            "已认定“{}”（{}）门诊慢特病（特病）资格，有效期 {} 至 {}{}；鉴定机构：{}",
            q.disease_name,
            q.scheme,
            q.valid_from,
            q.valid_to,
            if q.validity_example { "（有效期为示例参数）" } else { "" },
            q.certifier
        ),
    }))
}

/// A qualification as the person and staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct QualificationView {
    /// 事项（服务）
    pub service: String,
    /// 病种编码（目录分节/序号）
    pub disease_code: String,
    /// 病种名称（按指南）
    pub disease_name: String,
    /// 参保类别（病种范围分节）
    pub scheme: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// 鉴定（认定）医疗机构
    pub certifier: String,
    pub certified_on: NaiveDate,
    /// 有效 / 已到期 / 尚未生效（按今天）
    pub standing: String,
    /// 有效期为示例参数（指南未载明）
    pub validity_example: bool,
}

impl QualificationView {
    pub fn of(q: &Qualification, today: NaiveDate) -> QualificationView {
        let standing: Standing = q.standing_on(today);
        QualificationView {
            service: q.service.key().to_string(),
            disease_code: q.disease_code.clone(),
            disease_name: q.disease_name.clone(),
            scheme: q.scheme.clone(),
            valid_from: q.valid_from,
            valid_to: q.valid_to,
            certifier: q.certifier.clone(),
            certified_on: q.certified_on,
            standing: standing.label().to_string(),
            validity_example: q.validity_example,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yibao_domain::qualification::{PROVIDED, RESULTS};
    use yibao_domain::Coded;

    #[test]
    fn every_shipped_list_parses() {
        let files = crate::catalog::embedded_files()
            .into_iter()
            .filter(|f| f.path.starts_with(DISEASE_DIR))
            .count();
        assert_eq!(files, 2);
        assert_eq!(lists().len(), files);
    }

    /// Every item of a qualification service that can be applied for has its list and an
    /// evidence rule; 南川 25 has no channel (seed 004 gives none) and stays guide only.
    #[test]
    fn every_open_qualification_item_has_its_list() {
        let catalog = crate::catalog::embedded().expect("catalog");
        let mut open = Vec::new();
        for item in catalog.current_items().filter(|i| {
            yibao_domain::qualification::CHRONIC_SERVICES.contains(&i.service)
                && !i.channels.is_empty()
        }) {
            let list = list_of(item).expect("list");
            assert!(list.evidence_for(&item.jurisdiction).is_some());
            open.push(format!("{}/{}", item.jurisdiction, item.id));
        }
        open.sort();
        assert_eq!(
            open,
            [
                "chongqing/25",
                "sichuan/22",
                "sichuan/23",
                "sichuan/24",
                "youyang/20"
            ]
        );
    }

    #[test]
    fn form_choices_equal_the_domain() {
        let catalog = crate::catalog::embedded().expect("catalog");
        let form = catalog.form("qualification-application").expect("form");
        let choices = |key: &str| {
            form.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.choices.clone())
                .unwrap_or_default()
        };
        assert_eq!(choices("result"), RESULTS);
        assert_eq!(choices("document_1")[0], PROVIDED);
        // as many document fields as the longest evidence list
        let longest = lists()
            .iter()
            .flat_map(|l| l.evidence.iter())
            .map(|e| e.documents.len())
            .max()
            .unwrap_or(0);
        assert_eq!(
            form.fields
                .iter()
                .filter(|f| f.key.starts_with("document_"))
                .count(),
            longest
        );
    }

    #[test]
    fn sichuan_unpublished_lists_are_refused_at_application() {
        let catalog = crate::catalog::embedded().expect("catalog");
        let item = catalog.find("sichuan", "22", None).expect("item");
        let errs = check_form(item, &BTreeMap::new());
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message().contains("未在办事指南中公布"));
        let item = catalog.find("sichuan", "23", None).expect("item");
        let mut form = BTreeMap::new();
        form.insert("disease".to_string(), "高血压".to_string());
        form.insert("certifier".to_string(), "成都市某医院".to_string());
        form.insert("certified_on".to_string(), "2026-03-01".to_string());
        form.insert("result".to_string(), RESULTS[0].to_string());
        assert!(check_form(item, &form).is_empty());
        form.insert("disease".to_string(), "冠心病".to_string());
        assert_eq!(
            check_form(item, &form)[0].code(),
            "qualification.unknown_disease"
        );
    }
}
