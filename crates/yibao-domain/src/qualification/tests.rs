use crate::error::Coded;
use std::collections::BTreeMap;

use super::*;

const CHONGQING: &str = include_str!("../../../../data/diseases/chongqing.toml");
const SICHUAN: &str = include_str!("../../../../data/diseases/sichuan.toml");
/// The catalog item that keeps seed 003's 病种范围 verbatim.
const CQ_ITEM: &str =
    include_str!("../../../../data/catalog/chongqing/25-chronic-disease-qualification.toml");

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cq() -> DiseaseList {
    DiseaseList::parse(CHONGQING).unwrap()
}

fn sc() -> DiseaseList {
    DiseaseList::parse(SICHUAN).unwrap()
}

/// Seed 003 item 25 病种范围 as the catalog item transcribed it: (heading, [(no, name)]).
fn seed_sections() -> Vec<(String, Vec<(u32, String)>)> {
    let v: toml::Value = toml::from_str(CQ_ITEM).unwrap();
    let text = v["extra"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["heading"].as_str() == Some("病种范围"))
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let mut out: Vec<(String, Vec<(u32, String)>)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('、') {
            Some((no, name)) if no.chars().all(|c| c.is_ascii_digit()) => out
                .last_mut()
                .unwrap()
                .1
                .push((no.parse().unwrap(), name.to_string())),
            _ => out.push((line.trim_end_matches('：').to_string(), Vec::new())),
        }
    }
    out
}

#[test]
fn chongqing_list_equals_seed_003_entry_by_entry() {
    let list = cq();
    let seed = seed_sections();
    assert_eq!(seed.len(), 4);
    assert_eq!(list.sections.len(), seed.len());
    for (s, (heading, entries)) in list.sections.iter().zip(&seed) {
        assert_eq!(&s.heading, heading);
        assert_eq!(s.diseases.len(), entries.len(), "{heading}");
        for (dz, (no, name)) in s.diseases.iter().zip(entries) {
            assert_eq!((dz.no, &dz.name), (*no, name));
        }
    }
}

#[test]
fn chongqing_list_sizes_and_samples() {
    let list = cq();
    let sizes: Vec<usize> = list.sections.iter().map(|s| s.size).collect();
    // seed 003: 一档 4, 随单位或二档 23, 居民重大疾病 14, 居民慢性病 13
    assert_eq!(sizes, vec![4, 23, 14, 13]);
    assert_eq!(
        list.find("employee/18").unwrap().disease.name,
        "高血压病（1级高血压中高危和很高危、2级、3级高血压）"
    );
    assert_eq!(
        list.find("employee_flexible_tier1/2").unwrap().disease.name,
        "肾移植后抗排异治疗"
    );
    assert_eq!(
        list.find("resident_chronic/8").unwrap().disease.name,
        "甲亢"
    );
    let pku = list.find("resident_major/13").unwrap().disease;
    assert!(pku.name.starts_with("苯丙酮尿症"));
    assert_eq!(pku.max_age, Some(18));
    assert_eq!(pku.designated_hospitals.len(), 2);
    assert_eq!(
        list.find("resident_major/11").unwrap().disease.max_age,
        Some(14)
    );
    assert!(list.find("resident_major/15").is_err());
    assert!(list.find("nosuch/1").is_err());
    // serves 003, 004 (南川) and 002 (酉阳)
    for j in ["chongqing", "nanchuan", "youyang"] {
        assert!(list.serves(j) && list.evidence_for(j).is_some(), "{j}");
    }
    assert!(!list.serves("sichuan"));
    assert!(list.validity.example && !list.validity.stated);
}

#[test]
fn sichuan_lists_keep_what_seed_001_gives_and_no_more() {
    let list = sc();
    let two = list
        .sections_of(Service::QualificationHypertensionDiabetes)
        .next()
        .unwrap();
    let names: Vec<&str> = two.diseases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["高血压", "糖尿病"]);
    assert_eq!(two.applies_to, vec![Enrollee::Resident]);
    // 门诊慢特病 and 单行支付/高值药品: unpublished in the guide, so empty.
    let chronic: Vec<_> = list
        .sections_of(Service::QualificationChronicDisease)
        .collect();
    assert_eq!(chronic.len(), 1);
    assert!(!chronic[0].published && chronic[0].diseases.is_empty());
    let drugs: Vec<_> = list
        .sections_of(Service::QualificationHighValueDrug)
        .collect();
    let forms: Vec<_> = drugs.iter().filter_map(|s| s.form.as_deref()).collect();
    assert_eq!(
        forms,
        [
            "《基本医疗保险单行支付药品病种认定表》",
            "《基本医疗保险高值药品事前审核表》"
        ]
    );
    assert!(drugs.iter().all(|s| !s.published));
}

#[test]
fn a_list_whose_size_disagrees_with_its_entries_is_refused() {
    let bad = CHONGQING.replacen("size = 4", "size = 5", 1);
    assert!(DiseaseList::parse(&bad).unwrap_err().contains("size 5"));
}

fn person(id: &str) -> CitizenId {
    id.parse().unwrap()
}

/// A 1990-born person (11010519491231002X is the GB 11643 sample; this one is built the same way).
const ADULT: &str = "110105199003071234";

fn form(disease: &str, docs: &[usize], result: &str) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    f.insert("disease".into(), disease.into());
    f.insert("certifier".into(), "重庆市南川区人民医院".into());
    f.insert("certified_on".into(), "2026-03-02".into());
    f.insert("result".into(), result.into());
    for i in docs {
        f.insert(format!("document_{i}"), PROVIDED.into());
    }
    f
}

fn valid_id(base: &str) -> String {
    // Recompute the GB 11643 check digit for a 17-digit base.
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = base
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(s % 11) as usize];
    format!("{base}{check}")
}

#[test]
fn chongqing_application_needs_every_document_and_a_passed_examination() {
    let list = cq();
    let ev = list.evidence_for("chongqing").unwrap().clone();
    let p = person(&valid_id(&ADULT[..17]));
    let today = d("2026-03-04");
    // all three documents, passed: valid from the agency's confirmation for 24 months
    let cert = Certification::parse(&form("employee/18", &[1, 2, 3], RESULTS[0]), &ev).unwrap();
    let q = decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::EmployeeWithEmployer,
        &cert,
        today,
    )
    .unwrap();
    assert_eq!(q.disease_code, "employee/18");
    assert_eq!((q.valid_from, q.valid_to), (today, d("2028-03-03")));
    assert!(q.validity_example);
    // the diagnosis certificate missing, examination failed: both told at once
    let cert = Certification::parse(&form("employee/18", &[1, 2], RESULTS[1]), &ev).unwrap();
    let errs = decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::EmployeeWithEmployer,
        &cert,
        today,
    )
    .unwrap_err();
    assert_eq!(
        errs,
        vec![
            QualificationError::EvidenceMissing {
                document: "特殊疾病诊断证明书".into()
            },
            QualificationError::ExaminationNotPassed
        ]
    );
    // a resident cannot be qualified from the employee section
    let cert = Certification::parse(&form("employee/18", &[1, 2, 3], RESULTS[0]), &ev).unwrap();
    let errs = decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::Resident,
        &cert,
        today,
    )
    .unwrap_err();
    assert_eq!(errs[0].code(), "qualification.not_for_scheme");
    // by name: the resident's own section is chosen
    let cert = Certification::parse(&form("冠心病", &[1, 2, 3], RESULTS[0]), &ev).unwrap();
    let q = decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::Resident,
        &cert,
        today,
    )
    .unwrap();
    assert_eq!(q.disease_code, "resident_chronic/2");
}

#[test]
fn missing_fields_are_all_reported() {
    let list = cq();
    let ev = list.evidence_for("chongqing").unwrap();
    let errs = Certification::parse(&BTreeMap::new(), ev).unwrap_err();
    let keys: Vec<&str> = errs
        .iter()
        .map(|e| match e {
            QualificationError::FieldMissing { key, .. } => *key,
            _ => "",
        })
        .collect();
    assert_eq!(keys, ["disease", "certifier", "certified_on", "result"]);
}

#[test]
fn youyang_runs_from_the_institutions_certification() {
    let list = cq();
    let ev = list.evidence_for("youyang").unwrap().clone();
    assert_eq!(ev.effective_when, EffectiveWhen::InstitutionRecords);
    let p = person(&valid_id(&ADULT[..17]));
    let cert = Certification::parse(&form("resident_chronic/1", &[1, 2], RESULTS[0]), &ev).unwrap();
    let q = decide(
        &list,
        "youyang",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::Resident,
        &cert,
        d("2026-03-10"),
    )
    .unwrap();
    assert_eq!(q.valid_from, d("2026-03-02"));
}

#[test]
fn age_limits_of_the_childrens_diseases() {
    let list = cq();
    let ev = list.evidence_for("chongqing").unwrap().clone();
    // born 2011-03-02: 15 on the day of certification 2026-03-02, 14 the day before
    let child = person(&valid_id("11010520110302123"));
    let mut f = form("resident_major/11", &[1, 2, 3], RESULTS[0]);
    let cert = Certification::parse(&f, &ev).unwrap();
    let errs = decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &child,
        Enrollee::Resident,
        &cert,
        d("2026-03-04"),
    )
    .unwrap_err();
    assert_eq!(errs[0].code(), "qualification.age_limit");
    f.insert("certified_on".into(), "2026-03-01".into());
    let cert = Certification::parse(&f, &ev).unwrap();
    assert!(decide(
        &list,
        "chongqing",
        Service::QualificationChronicDisease,
        &child,
        Enrollee::Resident,
        &cert,
        d("2026-03-04"),
    )
    .is_ok());
}

#[test]
fn sichuan_unpublished_lists_refuse_and_two_diseases_are_for_residents() {
    let list = sc();
    let ev = list.evidence_for("sichuan").unwrap().clone();
    let p = person(&valid_id(&ADULT[..17]));
    let cert = Certification::parse(&form("two_diseases/2", &[1, 2], RESULTS[0]), &ev).unwrap();
    let q = decide(
        &list,
        "sichuan",
        Service::QualificationHypertensionDiabetes,
        &p,
        Enrollee::Resident,
        &cert,
        d("2026-03-04"),
    )
    .unwrap();
    assert_eq!(q.disease_name, "糖尿病");
    let errs = decide(
        &list,
        "sichuan",
        Service::QualificationHypertensionDiabetes,
        &p,
        Enrollee::EmployeeWithEmployer,
        &cert,
        d("2026-03-04"),
    )
    .unwrap_err();
    assert_eq!(errs[0].code(), "qualification.not_for_scheme");
    // a disease the guide does not list: unknown
    let cert = Certification::parse(&form("冠心病", &[1, 2], RESULTS[0]), &ev).unwrap();
    let errs = decide(
        &list,
        "sichuan",
        Service::QualificationChronicDisease,
        &p,
        Enrollee::Resident,
        &cert,
        d("2026-03-04"),
    )
    .unwrap_err();
    assert_eq!(errs[0].code(), "qualification.unknown_disease");
}

#[test]
fn enrollee_from_coverage() {
    use crate::enrolment::resident::ResidentCategory;
    assert_eq!(
        enrollee_of(CoverageCategory::Retired, None),
        Ok(Enrollee::EmployeeWithEmployer)
    );
    assert_eq!(
        enrollee_of(CoverageCategory::Flexible, Some(Grade::Tier1)),
        Ok(Enrollee::EmployeeFlexibleTier1)
    );
    assert_eq!(
        enrollee_of(CoverageCategory::Flexible, None),
        Err(QualificationError::GradeUnknown)
    );
    assert_eq!(
        enrollee_of(CoverageCategory::Resident(ResidentCategory::ALL[0]), None),
        Ok(Enrollee::Resident)
    );
}

fn record(code: &str, name: &str, from: &str, to: &str) -> Qualification {
    Qualification {
        person: "x".into(),
        service: Service::QualificationChronicDisease,
        list_id: "chongqing-special-disease".into(),
        list_version: 1,
        disease_code: code.into(),
        disease_name: name.into(),
        scheme: "居民医保慢性病".into(),
        valid_from: d(from),
        valid_to: d(to),
        certifier: "医院".into(),
        certified_on: d(from),
        validity_example: true,
    }
}

#[test]
fn a_visit_settles_only_under_a_valid_qualification_for_its_disease() {
    let rs = vec![record(
        "resident_chronic/2",
        "冠心病",
        "2026-01-01",
        "2026-06-30",
    )];
    assert!(check_visit(&rs, Some("resident_chronic/2"), d("2026-06-30")).is_ok());
    assert!(check_visit(&rs, Some("冠心病"), d("2026-01-01")).is_ok());
    assert_eq!(
        check_visit(&rs, Some("冠心病"), d("2026-07-01")),
        Err(QualificationError::Expired {
            disease: "冠心病".into(),
            valid_to: d("2026-06-30")
        })
    );
    assert_eq!(
        check_visit(&rs, Some("冠心病"), d("2025-12-31"))
            .unwrap_err()
            .code(),
        "qualification.not_yet_valid"
    );
    assert_eq!(
        check_visit(&rs, Some("甲亢"), d("2026-03-01"))
            .unwrap_err()
            .code(),
        "qualification.not_qualified"
    );
    assert_eq!(
        check_visit(&rs, None, d("2026-03-01")),
        Err(QualificationError::DiseaseMissing)
    );
    // re-certified: the new record covers the visit after the old one lapsed
    let mut rs = rs;
    rs.push(record(
        "resident_chronic/2",
        "冠心病",
        "2026-07-05",
        "2028-07-04",
    ));
    assert_eq!(
        check_visit(&rs, Some("冠心病"), d("2026-07-02"))
            .unwrap_err()
            .code(),
        "qualification.expired"
    );
    assert_eq!(
        check_visit(&rs, Some("冠心病"), d("2026-07-05"))
            .unwrap()
            .valid_to,
        d("2028-07-04")
    );
    let msg = QualificationError::Expired {
        disease: "冠心病".into(),
        valid_to: d("2026-06-30"),
    }
    .message();
    assert!(msg.contains("2026-06-30") && msg.contains("重新办理资格认定"));
}

#[test]
fn validity_end_is_the_day_before_the_anniversary() {
    assert_eq!(valid_until(d("2026-03-04"), 24), d("2028-03-03"));
    assert_eq!(valid_until(d("2026-02-01"), 1), d("2026-02-28"));
    assert_eq!(valid_until(d("2026-01-31"), 1), d("2026-02-28"));
    assert_eq!(valid_until(d("2024-02-29"), 12), d("2025-02-28"));
}
