//! Filing journeys of each kind under each guide, held to the seeds (file and item cited), plus
//! targets, validity boundaries, the choice of the active filing and the settlement rule.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::catalog::{self, Catalog, ChannelKind, Item, Service, SourceFile};
use crate::error::Coded;
use crate::ids::{citizen_id_check_char, CitizenId, RegionCode};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn r(s: &str) -> RegionCode {
    s.parse().unwrap()
}

/// A valid citizen id for a 17-digit body.
fn cid(body: &str) -> CitizenId {
    format!("{body}{}", citizen_id_check_char(body.as_bytes()))
        .parse()
        .unwrap()
}

fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
        let mut files = Vec::new();
        fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<SourceFile>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else if p.extension().is_some_and(|x| x == "toml") {
                    out.push(SourceFile {
                        path: p
                            .strip_prefix(root)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                        text: std::fs::read_to_string(&p).unwrap(),
                    });
                }
            }
        }
        let root = std::path::Path::new(root);
        walk(root, root, &mut files);
        catalog::load(&files).unwrap_or_else(|e| panic!("catalog: {e:?}"))
    })
}

fn item(jurisdiction: &str, id: &str) -> &'static Item {
    catalog()
        .find(jurisdiction, id, None)
        .unwrap_or_else(|| panic!("no item {jurisdiction} {id}"))
}

fn codes(errs: &[FilingError]) -> Vec<&'static str> {
    errs.iter().map(|e| e.code()).collect()
}

/// An employee-insurance retiree of 南川 (500119) who lives in 海口 (460100), all in order.
fn retiree() -> ApplicantFacts {
    ApplicantFacts {
        scheme: Scheme::Employee,
        insured: true,
        contributions_normal: true,
        retired: true,
        hukou_moved: true,
        stay_meets_minimum: None,
        referral: None,
        emergency_admission: false,
        insured_region: r("500119"),
        care_region: r("460100"),
    }
}

fn submitted(pairs: &[(&str, Provided)]) -> Submitted {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

use Provided::{Document as Doc, Pledge};

// ---------------------------------------------------------------- targets

#[test]
fn province_level_targets_of_seed_000_form_1_tip_3() {
    // 「到北京、天津、上海、重庆、海南、西藏和新疆生产建设兵团就医，备案到就医省份即可」
    for (care, province) in [
        ("110105", "110000"), // 北京 朝阳
        ("120101", "120000"), // 天津 和平
        ("310115", "310000"), // 上海 浦东
        ("500242", "500000"), // 重庆 酉阳
        ("469001", "460000"), // 海南 五指山 (省直辖县级 still province)
        ("460100", "460000"), // 海口
        ("540102", "540000"), // 拉萨 城关
        ("660800", "660000"), // 兵团 第八师 (medical-security code)
        ("659001", "660000"), // 石河子 (GB/T 2260 spelling of a Corps city)
    ] {
        let t = filing_target(&r(care)).unwrap();
        assert_eq!(t, FilingTarget::Province(r(province)), "{care}");
        assert!(t.is_province_level());
    }
}

#[test]
fn other_places_file_to_their_city() {
    // 「办理备案时直接备案到就医地市或省份」 (seed 000 表1 温馨提示 2)
    for (care, city) in [
        ("510104", "510100"), // 成都 锦江
        ("510100", "510100"),
        ("440305", "440300"), // 深圳 南山
        ("650102", "650100"), // 乌鲁木齐: Xinjiang outside the Corps files to cities
        ("419001", "419001"), // 济源: directly administered county-level city
        ("429004", "429004"), // 仙桃
    ] {
        assert_eq!(
            filing_target(&r(care)).unwrap(),
            FilingTarget::City(r(city)),
            "{care}"
        );
    }
    assert_eq!(
        filing_target(&r("510000")).unwrap_err().code(),
        "filing.target.city_required"
    );
    assert_eq!(
        filing_target(&r("810000")).unwrap_err().code(),
        "filing.target.outside_mainland"
    );
}

#[test]
fn targets_cover_their_own_places_only() {
    let beijing = filing_target(&r("110105")).unwrap();
    assert!(beijing.covers(&r("110108")));
    assert!(!beijing.covers(&r("120101")));
    let chengdu = filing_target(&r("510104")).unwrap();
    assert!(chengdu.covers(&r("510107")));
    assert!(!chengdu.covers(&r("510703")));
    assert!(!chengdu.covers(&r("510000")));
    let xpcc = filing_target(&r("660100")).unwrap();
    assert!(xpcc.covers(&r("659002")));
    assert!(!xpcc.covers(&r("650102")));
    assert!(is_xpcc(&r("659012")) && !is_xpcc(&r("652301")));
}

proptest! {
    #[test]
    fn every_target_covers_the_place_it_came_from(
        prefix in prop::sample::select(vec!["11","13","31","44","46","50","51","54","65","66"]),
        mid in 0u32..100, tail in 0u32..100,
    ) {
        let code = r(&format!("{prefix}{mid:02}{tail:02}"));
        if let Ok(t) = filing_target(&code) {
            prop_assert!(t.covers(&code));
            // A target never leaves the province, except the Corps' GB/T spelling (6590xx).
            if !is_xpcc(&code) {
                prop_assert_eq!(t.code().province_prefix(), code.province_prefix());
            }
        } else {
            prop_assert_eq!(mid, 0);
        }
    }
}

// ---------------------------------------------------------------- the form

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn good_form() -> BTreeMap<String, String> {
    form(&[
        ("name", "张三"),
        ("scheme", "职工医保"),
        ("person_category", "异地安置退休人员"),
        ("registration_type", "新增"),
        ("id_number", "11010519491231002X"),
        ("insured_region_address", "重庆市南川区东城街道"),
        ("care_region_address", "海南省海口市美兰区"),
        ("phone_1", "138-0000-1234"),
        ("phone_2", "023 6666 8888"),
        ("target_province", "460000"),
        ("target_prefecture", "460100"),
        ("target_county", "460108"),
        ("signer", "本人"),
        ("fill_date", "2024-03-04"),
    ])
}

#[test]
fn form_1_parses_into_a_typed_application() {
    // Field keys of data/forms/chuanyu-form-1.toml (seed 000 表1).
    let app = FilingApplication::parse(&good_form()).unwrap();
    assert_eq!(app.scheme, Scheme::Employee);
    assert_eq!(app.kind, FilingKind::RelocatedRetiree);
    assert_eq!(app.registration, RegistrationType::New);
    assert_eq!(app.phone_1.as_str(), "13800001234");
    assert_eq!(app.phone_2.as_ref().unwrap().as_str(), "02366668888");
    assert_eq!(app.care_region(), &r("460108"));
    assert_eq!(app.target().unwrap(), FilingTarget::Province(r("460000")));
    assert_eq!(app.signer, Some(Signer::Applicant));
    assert_eq!(app.fill_date, Some(d("2024-03-04")));
}

#[test]
fn form_1_reports_every_problem_at_once() {
    let mut f = good_form();
    f.remove("name");
    f.insert("scheme".into(), "商业保险".into());
    f.insert("person_category".into(), "探亲人员".into());
    f.insert("registration_type".into(), "注销".into());
    f.insert("id_number".into(), "110105194912310021".into());
    f.insert("phone_1".into(), "12345".into());
    f.insert("target_province".into(), "510000".into());
    f.insert("target_prefecture".into(), "500100".into());
    f.remove("target_county");
    let errs = FilingApplication::parse(&f).unwrap_err();
    assert_eq!(
        codes(&errs),
        [
            "filing.form.missing",
            "filing.form.invalid",
            "filing.form.invalid",
            "filing.form.invalid",
            "id.check_digit",
            "filing.form.invalid",
            "filing.form.target_mismatch",
        ]
    );
    assert!(errs[0].message().contains("姓名"));
    assert!(errs[1].message().contains("险种"));
}

#[test]
fn form_1_needs_a_city_outside_the_province_level_targets() {
    let mut f = good_form();
    f.insert("target_province".into(), "510000".into());
    f.remove("target_prefecture");
    f.remove("target_county");
    let errs = FilingApplication::parse(&f).unwrap_err();
    assert_eq!(codes(&errs), ["filing.target.city_required"]);
    // …but the province alone is enough for Chongqing or the Corps (温馨提示 3).
    for p in ["500000", "660000"] {
        f.insert("target_province".into(), p.into());
        let app = FilingApplication::parse(&f).unwrap();
        assert_eq!(app.target().unwrap(), FilingTarget::Province(r(p)));
    }
    // The Corps' cities under their GB/T 2260 code nest in 660000.
    f.insert("target_prefecture".into(), "659001".into());
    assert!(FilingApplication::parse(&f).is_ok());
}

#[test]
fn blank_values_count_as_missing() {
    let mut f = good_form();
    f.insert("phone_1".into(), "   ".into());
    f.insert("target_province".into(), "".into());
    let errs = FilingApplication::parse(&f).unwrap_err();
    assert_eq!(
        errs,
        [
            FilingError::FieldMissing {
                key: "phone_1",
                label: "联系电话1"
            },
            FilingError::FieldMissing {
                key: "target_province",
                label: "转往省(市、区)"
            },
        ]
    );
}

// ---------------------------------------------------------------- eligibility journeys

const RETIREE_DOCS: &[(&str, Provided)] = &[
    ("id_document", Doc),
    ("filing_form", Doc),
    ("relocation_proof", Doc),
];

#[test]
fn relocated_retiree_journeys_under_seed_000() {
    let j = FilingJurisdiction::Chuanyu;
    let k = FilingKind::RelocatedRetiree;
    let it = item("chuanyu", "02-1"); // seed 000 二、1 异地安置退休人员备案
    let ok = check_filing(j, k, &retiree(), Some(it), &submitted(RETIREE_DOCS));
    assert_eq!(ok, Ok(()));

    // 「已经参加…职工基本医疗保险」: a resident-scheme member is refused (D06).
    let resident = ApplicantFacts {
        scheme: Scheme::Resident,
        ..retiree()
    };
    let errs = check_filing(j, k, &resident, Some(it), &submitted(RETIREE_DOCS)).unwrap_err();
    assert_eq!(codes(&errs), ["filing.wrong_scheme"]);

    // 「已享受医保退休得遇」: someone still working is refused.
    let working = ApplicantFacts {
        retired: false,
        ..retiree()
    };
    let errs = check_filing(j, k, &working, Some(it), &submitted(RETIREE_DOCS)).unwrap_err();
    assert_eq!(codes(&errs), ["filing.not_retired"]);

    // Material 3 「…或个人承诺书（原件1份，样表见附表6）」: the pledge replaces the hukou pages.
    let pledged = submitted(&[
        ("id_document", Doc),
        ("filing_form", Doc),
        ("relocation_proof", Pledge),
    ]);
    assert_eq!(check_filing(j, k, &retiree(), Some(it), &pledged), Ok(()));

    // The form itself (表1, 原件) cannot be pledged, and a missing ID is named.
    let wrong = submitted(&[("filing_form", Pledge), ("relocation_proof", Doc)]);
    let errs = check_filing(j, k, &retiree(), Some(it), &wrong).unwrap_err();
    assert_eq!(
        codes(&errs),
        ["filing.material_missing", "filing.pledge_not_allowed"]
    );
    assert!(errs[0].message().contains("有效身份证件"));
    assert!(errs[1].message().contains("异地就医登记备案表"));
}

#[test]
fn every_unmet_condition_is_returned_at_once() {
    let facts = ApplicantFacts {
        scheme: Scheme::Resident,
        insured: false,
        contributions_normal: false,
        retired: false,
        hukou_moved: false,
        ..retiree()
    };
    let errs = check_filing(
        FilingJurisdiction::Chuanyu,
        FilingKind::RelocatedRetiree,
        &facts,
        Some(item("chuanyu", "02-1")),
        &Submitted::new(),
    )
    .unwrap_err();
    // Seed 000's own conditions, then Chongqing's local ones (insured in 南川), then materials.
    assert_eq!(
        codes(&errs),
        [
            "filing.not_insured",
            "filing.not_retired",
            "filing.wrong_scheme",
            "filing.not_entitled",
            "filing.hukou_not_moved",
            "filing.material_missing",
            "filing.material_missing",
            "filing.material_missing",
        ]
    );
}

#[test]
fn chongqing_retirees_need_the_hukou_moved_not_the_employee_scheme() {
    // seed 003 异地安置退休人员备案: 服务对象 「户籍迁入定居地」, no scheme restriction (D06);
    // the materials accept a pledge instead of the hukou pages (I12).
    let j = FilingJurisdiction::Chongqing;
    let k = FilingKind::RelocatedRetiree;
    let it = item("chongqing", "20");
    let resident = ApplicantFacts {
        scheme: Scheme::Resident,
        ..retiree()
    };
    assert_eq!(
        check_filing(j, k, &resident, Some(it), &submitted(RETIREE_DOCS)),
        Ok(())
    );
    let not_moved = ApplicantFacts {
        hukou_moved: false,
        ..retiree()
    };
    let errs = check_filing(j, k, &not_moved, Some(it), &submitted(RETIREE_DOCS)).unwrap_err();
    assert_eq!(codes(&errs), ["filing.hukou_not_moved"]);
    let pledged = submitted(&[
        ("id_document", Doc),
        ("filing_form", Doc),
        ("relocation_proof", Pledge),
    ]);
    assert_eq!(check_filing(j, k, &not_moved, Some(it), &pledged), Ok(()));
    // 「正常缴纳医疗保险费用，具备待遇享受资格」
    let arrears = ApplicantFacts {
        contributions_normal: false,
        ..retiree()
    };
    let errs = check_filing(j, k, &arrears, Some(it), &submitted(RETIREE_DOCS)).unwrap_err();
    assert_eq!(codes(&errs), ["filing.not_entitled"]);
}

fn resident_elsewhere(insured: &str, stay_meets_minimum: Option<bool>) -> ApplicantFacts {
    ApplicantFacts {
        scheme: Scheme::Resident,
        retired: false,
        stay_meets_minimum,
        insured_region: r(insured),
        care_region: r("440305"),
        ..retiree()
    }
}

#[test]
fn long_term_residence_of_four_months_differs_by_guide() {
    // SEED-NOTES D06: a 4-month stay — 003 refuses (「原则上不低于6个月」), 001 states no duration.
    let docs = submitted(&[
        ("id_document", Doc),
        ("credential", Doc),
        ("filing_form", Doc),
        ("residence_proof", Pledge),
    ]);
    let k = FilingKind::LongTermResident;
    let cq = check_filing(
        FilingJurisdiction::Chongqing,
        k,
        &resident_elsewhere("500119", Some(false)),
        Some(item("chongqing", "21")),
        &docs,
    )
    .unwrap_err();
    assert_eq!(codes(&cq), ["filing.stay_too_short"]);
    assert!(cq[0].message().contains("临时异地就医备案"));
    assert_eq!(
        check_filing(
            FilingJurisdiction::Chongqing,
            k,
            &resident_elsewhere("500119", Some(true)),
            Some(item("chongqing", "21")),
            &docs,
        ),
        Ok(())
    );
    assert_eq!(
        check_filing(
            FilingJurisdiction::Sichuan,
            k,
            &resident_elsewhere("510104", Some(false)),
            Some(item("sichuan", "18")),
            &docs,
        ),
        Ok(())
    );
    // 川渝通办 defers to 「当地办理长期异地居住备案条件」: the insured province's rule decides.
    let cy = item("chuanyu", "02-2");
    assert_eq!(
        check_filing(
            FilingJurisdiction::Chuanyu,
            k,
            &resident_elsewhere("510104", Some(false)),
            Some(cy),
            &docs
        ),
        Ok(())
    );
    assert_eq!(
        codes(
            &check_filing(
                FilingJurisdiction::Chuanyu,
                k,
                &resident_elsewhere("500119", Some(false)),
                Some(cy),
                &docs
            )
            .unwrap_err()
        ),
        ["filing.stay_too_short"]
    );
}

#[test]
fn posted_workers_must_be_employee_members() {
    // seed 000 二、3 「已经参保…职工基本医疗保险」; seed 001 item 19 「职工基本医疗保险参保人员」;
    // seed 003 「用人单位派驻异地工作」.
    let k = FilingKind::PostedWorker;
    let worker = ApplicantFacts {
        retired: false,
        stay_meets_minimum: Some(true),
        ..retiree()
    };
    let docs = submitted(&[
        ("id_document", Doc),
        ("credential", Doc),
        ("filing_form", Doc),
        ("work_proof", Doc),
    ]);
    for (j, it) in [
        (FilingJurisdiction::Chuanyu, "02-3"),
        (FilingJurisdiction::Sichuan, "19"),
        (FilingJurisdiction::Chongqing, "22"),
    ] {
        let jk = j.key();
        let facts = ApplicantFacts {
            insured_region: r(if jk == "sichuan" { "510104" } else { "500119" }),
            ..worker.clone()
        };
        assert_eq!(
            check_filing(j, k, &facts, Some(item(jk, it)), &docs),
            Ok(()),
            "{jk}"
        );
        let resident = ApplicantFacts {
            scheme: Scheme::Resident,
            ..facts
        };
        let errs = check_filing(j, k, &resident, Some(item(jk, it)), &docs).unwrap_err();
        assert_eq!(codes(&errs), ["filing.wrong_scheme"], "{jk}");
    }
}

#[test]
fn referrals_need_a_certificate_from_a_qualified_hospital() {
    // seed 000 二、4 材料3, seed 001 item 20 材料3, seed 003 异地转诊就医备案 办理条件2.
    let k = FilingKind::Referral;
    let patient = ApplicantFacts {
        retired: false,
        scheme: Scheme::Resident,
        insured_region: r("510104"),
        care_region: r("110105"),
        ..retiree()
    };
    let docs = submitted(&[
        ("credential", Doc),
        ("id_document", Doc),
        ("filing_form", Doc),
    ]);
    for (j, it) in [
        (FilingJurisdiction::Chuanyu, "02-4"),
        (FilingJurisdiction::Sichuan, "20"),
        (FilingJurisdiction::Chongqing, "23"),
    ] {
        let it = Some(item(j.key(), it));
        let errs = check_filing(j, k, &patient, it, &docs).unwrap_err();
        assert_eq!(
            codes(&errs),
            ["filing.referral_certificate_missing"],
            "{j:?}"
        );
        let unqualified = ApplicantFacts {
            referral: Some(ReferralCertificate {
                issuer_qualified: false,
            }),
            ..patient.clone()
        };
        let errs = check_filing(j, k, &unqualified, it, &docs).unwrap_err();
        assert_eq!(
            codes(&errs),
            ["filing.referral_issuer_not_qualified"],
            "{j:?}"
        );
        let referred = ApplicantFacts {
            referral: Some(ReferralCertificate {
                issuer_qualified: true,
            }),
            ..patient.clone()
        };
        assert_eq!(check_filing(j, k, &referred, it, &docs), Ok(()), "{j:?}");
    }
    // seed 002 市外异地就医备案: 「提出异地就医备案申请即可备案」 — no certificate asked for.
    let youyang = ApplicantFacts {
        insured_region: r("500242"),
        ..patient
    };
    assert_eq!(
        check_filing(
            FilingJurisdiction::Youyang,
            k,
            &youyang,
            None,
            &Submitted::new()
        ),
        Ok(())
    );
}

#[test]
fn temporary_and_emergency_filings() {
    let traveller = ApplicantFacts {
        retired: false,
        insured_region: r("500119"),
        care_region: r("440305"),
        ..retiree()
    };
    // seed 003 临时异地就医备案: credential + 《跨省临时异地就医登记备案表》.
    let it = item("chongqing", "24");
    let docs = submitted(&[("id_document", Doc), ("filing_form", Doc)]);
    assert_eq!(
        check_filing(
            FilingJurisdiction::Chongqing,
            FilingKind::Temporary,
            &traveller,
            Some(it),
            &docs
        ),
        Ok(())
    );
    let errs = check_filing(
        FilingJurisdiction::Chongqing,
        FilingKind::Temporary,
        &traveller,
        Some(it),
        &submitted(&[("id_document", Doc)]),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), ["filing.material_missing"]);

    // seed 001 item 21: 「在异地因急诊、抢救住院」 with the hospital's record.
    let sc = ApplicantFacts {
        insured_region: r("510104"),
        ..traveller.clone()
    };
    let it = item("sichuan", "21");
    let creds = submitted(&[("credential", Doc)]);
    let errs = check_filing(
        FilingJurisdiction::Sichuan,
        FilingKind::EmergencyAdmission,
        &sc,
        Some(it),
        &creds,
    )
    .unwrap_err();
    assert_eq!(codes(&errs), ["filing.not_emergency_admission"]);
    let admitted = ApplicantFacts {
        emergency_admission: true,
        ..sc
    };
    assert_eq!(
        check_filing(
            FilingJurisdiction::Sichuan,
            FilingKind::EmergencyAdmission,
            &admitted,
            Some(it),
            &creds
        ),
        Ok(())
    );
}

#[test]
fn kinds_a_guide_does_not_offer() {
    let f = retiree();
    let none = Submitted::new();
    let refused = |j, k| check_filing(j, k, &f, None, &none).unwrap_err();
    // seed 000 has no temporary item although 表1 lists the category (D07).
    let e = refused(FilingJurisdiction::Chuanyu, FilingKind::Temporary);
    assert_eq!(codes(&e), ["filing.kind_not_offered"]);
    // seed 003/004 fold sudden illness into the temporary filing; seed 001 the reverse.
    assert_eq!(
        refused(
            FilingJurisdiction::Chongqing,
            FilingKind::EmergencyAdmission
        )[0],
        FilingError::KindNotOffered {
            jurisdiction: FilingJurisdiction::Chongqing,
            kind: FilingKind::EmergencyAdmission,
            instead: Some(FilingKind::Temporary)
        }
    );
    assert!(
        refused(FilingJurisdiction::Sichuan, FilingKind::Temporary)[0]
            .message()
            .contains("异地急诊、抢救住院")
    );
    assert_eq!(
        codes(&refused(
            FilingJurisdiction::Nanchuan,
            FilingKind::SichuanTrauma
        )),
        ["filing.trauma_not_sichuan"]
    );
}

#[test]
fn sichuan_trauma_registration_is_in_province_only() {
    // seed 001 item 21 备注: 「外伤暂不能跨省直接结算，外伤省内异地就医直接结算需填写《四川省省内异地就医
    // 外伤入院登记表》」.
    let j = FilingJurisdiction::Sichuan;
    let k = FilingKind::SichuanTrauma;
    let injured = ApplicantFacts {
        retired: false,
        insured_region: r("510104"),
        care_region: r("510703"),
        ..retiree()
    };
    let form = submitted(&[(TRAUMA_FORM_MATERIAL, Doc)]);
    assert_eq!(check_filing(j, k, &injured, None, &form), Ok(()));
    let errs = check_filing(j, k, &injured, None, &Submitted::new()).unwrap_err();
    assert_eq!(codes(&errs), ["filing.material_missing"]);
    assert!(errs[0].message().contains("外伤入院登记表"));
    let cross = ApplicantFacts {
        care_region: r("500103"),
        ..injured.clone()
    };
    assert_eq!(
        codes(&check_filing(j, k, &cross, None, &form).unwrap_err()),
        ["filing.trauma_cross_province"]
    );
    let cq_insured = ApplicantFacts {
        insured_region: r("500103"),
        ..injured
    };
    assert_eq!(
        codes(&check_filing(j, k, &cq_insured, None, &form).unwrap_err()),
        ["filing.trauma_not_sichuan"]
    );
}

#[test]
fn no_filing_inside_the_own_pooling_region() {
    // seed 002: 「市外异地就医备案」 — 酉阳 to 南川 is inside Chongqing's municipal pooling.
    let facts = ApplicantFacts {
        insured_region: r("500242"),
        care_region: r("500119"),
        ..retiree()
    };
    let errs = check_filing(
        FilingJurisdiction::Youyang,
        FilingKind::Temporary,
        &facts,
        None,
        &Submitted::new(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), ["filing.same_pooling_region"]);
}

#[test]
fn pledges_follow_the_catalog_material_by_material() {
    // For every filing item of every guide: a pledge stands in exactly where the catalog says
    // `pledge_allowed` (seed 000 附表6; 001/003 「或个人承诺书」).
    let mut checked = 0;
    for it in catalog()
        .current_items()
        .filter(|i| i.service.domain() == "filing")
    {
        let Some(j) = FilingJurisdiction::from_key(&it.jurisdiction) else {
            continue;
        };
        let kind = FilingKind::ALL
            .into_iter()
            .find(|k| k.service() == it.service && j.offers(*k).is_ok())
            .unwrap();
        for m in it
            .materials
            .iter()
            .filter(|m| m.required && m.applies_to.is_none())
        {
            if ["referral_certificate", "referral_proof", "emergency_record"]
                .contains(&m.id.as_str())
            {
                continue;
            }
            let mut sub: Submitted = it.materials.iter().map(|m| (m.id.clone(), Doc)).collect();
            sub.insert(m.id.clone(), Pledge);
            let res = check_filing(j, kind, &everything_in_order(), Some(it), &sub);
            let refused_pledge = res
                .err()
                .unwrap_or_default()
                .iter()
                .any(|e| e.code() == "filing.pledge_not_allowed");
            assert_eq!(
                refused_pledge, !m.pledge_allowed,
                "{} {} {}",
                it.jurisdiction, it.id, m.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} materials checked");
}

/// Meets every condition of every kind (retired employee, hukou moved, 12 months, certificate,
/// admitted as an emergency).
fn everything_in_order() -> ApplicantFacts {
    ApplicantFacts {
        stay_meets_minimum: Some(true),
        referral: Some(ReferralCertificate {
            issuer_qualified: true,
        }),
        emergency_admission: true,
        ..retiree()
    }
}

#[test]
fn catalog_predicates_are_enforced() {
    // Items whose conditions carry `scheme_employee` / `retired` / `referral_certificate` /
    // `contributions_normal` refuse an applicant lacking it.
    for it in catalog()
        .current_items()
        .filter(|i| i.service.domain() == "filing")
    {
        let Some(j) = FilingJurisdiction::from_key(&it.jurisdiction) else {
            continue;
        };
        let kind = FilingKind::ALL
            .into_iter()
            .find(|k| k.service() == it.service && j.offers(*k).is_ok())
            .unwrap();
        for c in &it.conditions {
            let (facts, code) = match c.predicate.as_deref() {
                Some("scheme_employee") => (
                    ApplicantFacts {
                        scheme: Scheme::Resident,
                        ..everything_in_order()
                    },
                    "filing.wrong_scheme",
                ),
                Some("retired") => (
                    ApplicantFacts {
                        retired: false,
                        ..everything_in_order()
                    },
                    "filing.not_retired",
                ),
                Some("referral_certificate") => (
                    ApplicantFacts {
                        referral: None,
                        ..everything_in_order()
                    },
                    "filing.referral_certificate_missing",
                ),
                Some("min_stay") => (
                    ApplicantFacts {
                        stay_meets_minimum: Some(false),
                        ..everything_in_order()
                    },
                    "filing.stay_too_short",
                ),
                Some("contributions_normal") => (
                    ApplicantFacts {
                        contributions_normal: false,
                        ..everything_in_order()
                    },
                    "filing.not_entitled",
                ),
                _ => continue,
            };
            let errs = check_filing(j, kind, &facts, None, &Submitted::new()).unwrap_err();
            assert!(
                codes(&errs).contains(&code),
                "{} {}: {:?}",
                it.jurisdiction,
                it.id,
                errs
            );
        }
    }
}

#[test]
fn completion_per_guide_and_channel() {
    use ChannelKind::*;
    let (cy, sc, cq, yy) = (
        FilingJurisdiction::Chuanyu,
        FilingJurisdiction::Sichuan,
        FilingJurisdiction::Chongqing,
        FilingJurisdiction::Youyang,
    );
    // seed 000 二、1 十四: window same day after receipt (4 WD mailing), online 2 WD (D05).
    assert_eq!(
        cy.completion(FilingKind::LongTermResident, Window),
        Completion::SameDayAfterReceipt {
            transit_working_days: 4
        }
    );
    assert_eq!(
        cy.completion(FilingKind::Referral, Online),
        Completion::WorkingDays(2)
    );
    // seed 001 items 17–21 and seed 003 items 20–24: 「即时办结」.
    assert_eq!(
        sc.completion(FilingKind::Referral, Phone),
        Completion::Immediate
    );
    assert_eq!(
        cq.completion(FilingKind::Temporary, Window),
        Completion::Immediate
    );
    // seed 003 临时异地就医备案 网上办理: 「提交后自动办结」.
    assert_eq!(
        cq.completion(FilingKind::Temporary, Online),
        Completion::AutoOnSubmit
    );
    assert_eq!(
        cq.completion(FilingKind::LongTermResident, Online),
        Completion::Immediate
    );
    assert!(Completion::AutoOnSubmit.completes_at_once());
    assert!(!Completion::WorkingDays(2).completes_at_once());
    assert_eq!(
        yy.completion(FilingKind::Temporary, Window),
        Completion::NotStated
    );
    // The hand-written table agrees with the catalog's time limits.
    for it in catalog()
        .current_items()
        .filter(|i| i.service.domain() == "filing")
    {
        let Some(j) = FilingJurisdiction::from_key(&it.jurisdiction) else {
            continue;
        };
        for tl in &it.time_limits {
            let ch = tl.channel.unwrap_or(Window);
            let ours = j.completion(FilingKind::Temporary, ch);
            let theirs = match tl.rule {
                catalog::TimeLimitRule::Immediate => {
                    matches!(ours, Completion::Immediate | Completion::AutoOnSubmit)
                }
                catalog::TimeLimitRule::SameDay => {
                    matches!(ours, Completion::SameDayAfterReceipt { .. })
                }
                catalog::TimeLimitRule::WorkingDays => {
                    ours == Completion::WorkingDays(tl.days.unwrap())
                }
                _ => true,
            };
            assert!(theirs, "{} {} {:?}", it.jurisdiction, it.id, tl.rule);
        }
    }
}

// ---------------------------------------------------------------- validity

fn request(id: &str, kind: FilingKind, care: &str, on: &str) -> FilingRequest {
    FilingRequest {
        id: id.into(),
        person: cid("11010519491231002"),
        kind,
        jurisdiction: FilingJurisdiction::Chongqing,
        insured_region: r("500119"),
        target: filing_target(&r(care)).unwrap(),
        recorded_on: d(on),
        starts_on: None,
        requested_end: None,
    }
}

#[test]
fn per_seeds_filings_last_until_changed() {
    let p = ValidityPolicy::per_seeds();
    assert!(!p.example);
    for kind in FilingKind::ALL {
        let f = Filing::open(request("F1", kind, "460100", "2024-03-04"), &p);
        assert_eq!(f.effective_from, d("2024-03-04"));
        assert!(!f.in_force_on(d("2024-03-03")));
        assert!(f.in_force_on(d("2024-03-04")));
        assert!(f.in_force_on(d("2034-03-04")));
    }
}

#[test]
fn status_on_a_day() {
    let p = ValidityPolicy::example_national_2022();
    let mut req = request("S1", FilingKind::Temporary, "440305", "2024-03-04");
    req.starts_on = Some(d("2024-03-10"));
    let f = Filing::open(req, &p);
    let last = f
        .effective_to
        .expect("temporary filings end under the example policy");
    assert_eq!(f.status(d("2024-03-09")), FilingStatus::Pending);
    assert_eq!(f.status(d("2024-03-10")), FilingStatus::InForce);
    assert_eq!(f.status(last), FilingStatus::InForce);
    assert_eq!(f.status(last.succ_opt().unwrap()), FilingStatus::Expired);
    let mut ended = f.clone();
    ended.end = Some(FilingEnd {
        last_day: d("2024-04-01"),
        reason: EndReason::Cancelled,
    });
    // Ended wins over every date, even before the filing started.
    for day in ["2024-03-01", "2024-03-20", "2030-01-01"] {
        assert_eq!(ended.status(d(day)), FilingStatus::Ended, "{day}");
    }
    assert_eq!(FilingStatus::Pending.label(), "待生效");
}

#[test]
fn example_policy_boundaries() {
    // Example only (uncertain, 医保发〔2022〕22号 as commonly quoted): 6 months for temporary.
    let p = ValidityPolicy::example_national_2022();
    assert!(p.example && p.source.contains("示例"));
    let f = Filing::open(
        request("T1", FilingKind::Temporary, "440305", "2024-03-04"),
        &p,
    );
    assert_eq!(f.effective_to, Some(d("2024-09-03")));
    assert!(f.in_force_on(d("2024-09-03")));
    assert!(!f.in_force_on(d("2024-09-04")));
    // Month ends clamp: 2024-08-31 + 6 months = 2025-02-28, last day the 27th.
    let f = Filing::open(
        request("T2", FilingKind::Referral, "440305", "2024-08-31"),
        &p,
    );
    assert_eq!(f.effective_to, Some(d("2025-02-27")));
    // A requested end earlier than the rule wins.
    let mut req = request("T3", FilingKind::Temporary, "440305", "2024-03-04");
    req.requested_end = Some(d("2024-03-20"));
    assert_eq!(Filing::open(req, &p).effective_to, Some(d("2024-03-20")));
    // An emergency filed after admission covers from the admission day (seed 001 item 21).
    let mut req = request("E1", FilingKind::EmergencyAdmission, "440305", "2024-03-06");
    req.starts_on = Some(d("2024-03-02"));
    let f = Filing::open(req, &p);
    assert!(f.in_force_on(d("2024-03-02")) && !f.in_force_on(d("2024-03-01")));
    // Long-term stays open.
    let f = Filing::open(
        request("L1", FilingKind::PostedWorker, "440305", "2024-03-04"),
        &p,
    );
    assert_eq!(f.effective_to, None);
}

#[test]
fn change_and_cancellation() {
    let seeds = ValidityPolicy::per_seeds();
    let example = ValidityPolicy::example_national_2022();
    let old = Filing::open(
        request("L1", FilingKind::LongTermResident, "460100", "2024-03-04"),
        &seeds,
    );
    let new = request("L2", FilingKind::LongTermResident, "440305", "2024-05-10");

    // Under the example's 6-month minimum the change is refused before 2024-09-04.
    let errs = change_filing(&old, new.clone(), d("2024-09-03"), &example).unwrap_err();
    assert_eq!(
        errs,
        [FilingError::TooEarlyToChange {
            id: "L1".into(),
            earliest: d("2024-09-04")
        }]
    );
    assert!(change_filing(&old, new.clone(), d("2024-09-04"), &example).is_ok());

    // The seeds set no minimum: change on 2024-05-10; the old one ends the day before.
    let (closed, changed) = change_filing(&old, new.clone(), d("2024-05-10"), &seeds).unwrap();
    assert_eq!(closed.last_day(), Some(d("2024-05-09")));
    assert_eq!(
        closed.end.as_ref().unwrap().reason,
        EndReason::Changed { by: "L2".into() }
    );
    assert_eq!(changed.effective_from, d("2024-05-10"));
    // A closed filing cannot be changed or cancelled again.
    assert_eq!(
        cancel_filing(&closed, d("2024-06-01"), &seeds)
            .unwrap_err()
            .code(),
        "filing.not_in_force"
    );
    // Another person, or long-term to temporary, is not a change.
    let mut other = new.clone();
    other.person = cid("50011919600101001");
    assert_eq!(
        codes(&change_filing(&old, other, d("2024-05-10"), &seeds).unwrap_err()),
        ["filing.change_incompatible"]
    );
    let temp = request("T9", FilingKind::Temporary, "440305", "2024-05-10");
    assert!(change_filing(&old, temp, d("2024-05-10"), &seeds).is_err());

    // Cancellation: no longer applies from the day it is made.
    let cancelled = cancel_filing(&changed, d("2024-07-01"), &seeds).unwrap();
    assert!(cancelled.in_force_on(d("2024-06-30")));
    assert!(!cancelled.in_force_on(d("2024-07-01")));
    // A filing for a later stay may be withdrawn before it starts, even under a minimum period.
    let mut later = request("L3", FilingKind::LongTermResident, "440305", "2024-03-04");
    later.starts_on = Some(d("2024-04-01"));
    let later = Filing::open(later, &example);
    assert!(cancel_filing(&later, d("2024-03-10"), &example).is_ok());
    assert!(cancel_filing(&later, d("2024-04-02"), &example).is_err());
}

#[test]
fn active_filing_choice() {
    let p = ValidityPolicy::per_seeds();
    let example = ValidityPolicy::example_national_2022();
    let person = cid("11010519491231002");
    let long = Filing::open(
        request("L1", FilingKind::LongTermResident, "110105", "2024-01-10"),
        &p,
    );
    let temp = Filing::open(
        request("T1", FilingKind::Temporary, "110101", "2024-03-01"),
        &example,
    );
    let chengdu = Filing::open(
        request("C1", FilingKind::Referral, "510104", "2024-03-01"),
        &p,
    );
    let all = vec![long.clone(), temp.clone(), chengdu.clone()];

    // Beijing files to the province: a filing for 东城 covers care in 海淀; long-term wins.
    let got = active_filing(&all, &person, &r("110108"), d("2024-03-05")).unwrap();
    assert_eq!(got.id, "L1");
    // Before the long-term filing existed nothing applies; Chengdu's covers only Chengdu.
    assert!(active_filing(&all, &person, &r("110108"), d("2024-01-09")).is_none());
    assert_eq!(
        active_filing(&all, &person, &r("510107"), d("2024-03-05"))
            .unwrap()
            .id,
        "C1"
    );
    assert!(active_filing(&all, &person, &r("510703"), d("2024-03-05")).is_none());
    // Someone else's filings never apply.
    assert!(active_filing(
        &all,
        &cid("50011919600101001"),
        &r("110108"),
        d("2024-03-05")
    )
    .is_none());

    // Cancel the long-term filing: the temporary one takes over until it expires.
    let cancelled = cancel_filing(&long, d("2024-04-01"), &p).unwrap();
    let all = vec![cancelled.clone(), temp.clone(), chengdu.clone()];
    assert_eq!(
        active_filing(&all, &person, &r("110108"), d("2024-03-31"))
            .unwrap()
            .id,
        "L1"
    );
    assert_eq!(
        active_filing(&all, &person, &r("110108"), d("2024-04-01"))
            .unwrap()
            .id,
        "T1"
    );
    assert!(active_filing(&all, &person, &r("110108"), d("2024-09-01")).is_none());

    // A change: the old target applies before, the new one after.
    let (closed, moved) = change_filing(
        &chengdu,
        request("C2", FilingKind::Referral, "510703", "2024-05-01"),
        d("2024-05-01"),
        &p,
    )
    .unwrap();
    let all = vec![closed, moved];
    assert_eq!(
        active_filing(&all, &person, &r("510104"), d("2024-04-30"))
            .unwrap()
            .id,
        "C1"
    );
    assert!(active_filing(&all, &person, &r("510104"), d("2024-05-01")).is_none());
    assert_eq!(
        active_filing(&all, &person, &r("510703"), d("2024-05-01"))
            .unwrap()
            .id,
        "C2"
    );
}

// ---------------------------------------------------------------- care rule

#[test]
fn care_rule_selection() {
    let p = ValidityPolicy::per_seeds();
    let on = d("2024-06-01");
    let nanchuan = r("500119");
    let chengdu = r("510104");

    // Inside Chongqing's municipal pooling region: local.
    let rule = care_rule(&nanchuan, &r("500242"), on, None, false);
    assert!(matches!(rule, CareRule::Local { .. }));
    assert!(rule.direct_settlement());

    // Cross-province with a filing: care region's catalogue, insured region's policy (表1 温馨提示1).
    let f = Filing::open(
        request("L1", FilingKind::LongTermResident, "460100", "2024-01-10"),
        &p,
    );
    let rule = care_rule(&nanchuan, &r("460106"), on, Some(&f), false);
    assert_eq!(
        rule,
        CareRule::CrossRegionFiled {
            scope: Scope::CrossProvince,
            kind: FilingKind::LongTermResident,
            filing_id: "L1".into(),
            catalogue_region: r("460106"),
            policy_region: nanchuan.clone(),
        }
    );
    let text = rule.explanation();
    assert!(
        text.contains("跨省异地")
            && text.contains("就医地（460106）医保目录")
            && text.contains("参保地（500119）起付线")
    );

    // In-province filed care (Sichuan: 成都 → 绵阳).
    let mut req = request("S1", FilingKind::Referral, "510703", "2024-05-01");
    req.insured_region = chengdu.clone();
    let f_sc = Filing::open(req, &p);
    let rule = care_rule(&chengdu, &r("510703"), on, Some(&f_sc), false);
    assert!(matches!(
        rule,
        CareRule::CrossRegionFiled {
            scope: Scope::InProvince,
            ..
        }
    ));
    assert!(rule.explanation().starts_with("省内异地"));

    // Without a filing, Chongqing's rule: deductible +5 %, ratio −5 (渝办发〔2011〕293号, seed 004).
    let rule = care_rule(&nanchuan, &r("440305"), on, None, false);
    assert_eq!(
        rule,
        CareRule::CrossRegionUnfiled {
            scope: Scope::CrossProvince,
            policy_region: nanchuan.clone(),
            rule: UnfiledCareRule::Reduced {
                penalty: crate::benefit::UnfiledPenalty {
                    deductible_increase_bp: 500,
                    ratio_cut_bp: 500,
                    visits: vec![crate::benefit::VisitType::Inpatient],
                    source: "渝办发〔2011〕293号（南川区事项清单设定依据）".into(),
                },
            },
        }
    );
    assert!(!rule.direct_settlement());
    assert!(
        rule.explanation().contains(
            "住院按参保地同级定点医疗机构标准，起付线提高5%，报销比例下降5%（即5个百分点）"
        ),
        "{}",
        rule.explanation()
    );
    // The engine gets the very penalty the explanation is rendered from.
    let facts = rule.person_facts(crate::benefit::Scheme::EmployeeRetired, None);
    assert!(!facts.filed);
    assert_eq!(
        facts.unfiled_penalty.as_ref().map(|p| p.ratio_cut_bp),
        Some(500)
    );

    // Sichuan states no figure: the insured region's existing rules (表1 温馨提示4).
    let rule = care_rule(&chengdu, &r("440305"), on, None, false);
    assert!(matches!(
        rule,
        CareRule::CrossRegionUnfiled {
            rule: UnfiledCareRule::InsuredRegionRules { .. },
            ..
        }
    ));
    assert!(rule.explanation().contains("温馨提示第4条"));

    // Emergency without a filing is treated as filed (POLICY-FACTS §6).
    let rule = care_rule(&chengdu, &r("440305"), on, None, true);
    assert!(matches!(
        rule,
        CareRule::EmergencyTreatedAsFiled {
            scope: Scope::CrossProvince,
            ..
        }
    ));
    assert!(rule.explanation().contains("视同已备案"));

    // A filing for another place, or one no longer in force, does not count.
    let rule = care_rule(&nanchuan, &r("440305"), on, Some(&f), false);
    assert!(matches!(rule, CareRule::CrossRegionUnfiled { .. }));
    let cancelled = cancel_filing(&f, d("2024-05-01"), &p).unwrap();
    let rule = care_rule(&nanchuan, &r("460106"), on, Some(&cancelled), false);
    assert!(matches!(rule, CareRule::CrossRegionUnfiled { .. }));
    // …but on a date it was in force it still does (a late reimbursement claim).
    let rule = care_rule(
        &nanchuan,
        &r("460106"),
        d("2024-04-30"),
        Some(&cancelled),
        false,
    );
    assert!(matches!(rule, CareRule::CrossRegionFiled { .. }));
}

#[test]
fn every_error_has_a_dotted_code_and_a_chinese_message() {
    let samples = vec![
        FilingError::FieldMissing {
            key: "name",
            label: "姓名",
        },
        FilingError::TargetNeedsCity {
            region: r("510000"),
        },
        FilingError::KindNotOffered {
            jurisdiction: FilingJurisdiction::Chuanyu,
            kind: FilingKind::Temporary,
            instead: None,
        },
        FilingError::WrongScheme {
            kind: FilingKind::PostedWorker,
            required: Scheme::Employee,
        },
        FilingError::StayTooShort { min: 6 },
        FilingError::KindNotOfItem {
            kind: FilingKind::LongTermResident,
            item: FilingKind::Referral,
        },
        FilingError::TooEarlyToChange {
            id: "x".into(),
            earliest: d("2024-09-04"),
        },
    ];
    for e in samples {
        assert!(e.code().starts_with("filing."));
        assert!(
            e.message()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e:?}"
        );
        let de: crate::DomainError = e.clone().into();
        assert_eq!(de.code(), e.code());
    }
}

#[test]
fn the_form_kind_must_be_the_items() {
    // Issue #15: a referral item whose 表1 says 异地长期居住人员 must not complete as a long-term
    // filing without the long-term item's conditions. One item per kind in seeds 000/001/003/004;
    // seed 002's 市外异地就医备案 covers every kind.
    let e = FilingJurisdiction::Chongqing
        .item_covers(Service::FilingReferral, FilingKind::LongTermResident)
        .unwrap_err();
    assert_eq!(e.code(), "filing.kind_not_of_item");
    assert!(e.message().contains("异地长期居住"), "{}", e.message());
    assert!(e.message().contains("异地转诊"), "{}", e.message());
    assert_eq!(
        FilingJurisdiction::Chuanyu.item_covers(Service::FilingReferral, FilingKind::Referral),
        Ok(())
    );
    assert_eq!(
        FilingJurisdiction::Youyang
            .item_covers(Service::FilingRelocatedRetiree, FilingKind::Referral),
        Ok(())
    );
    // Sichuan's item 21 records emergency and trauma kinds under filing.temporary.
    assert_eq!(
        FilingJurisdiction::Sichuan
            .item_covers(Service::FilingTemporary, FilingKind::EmergencyAdmission),
        Ok(())
    );
    assert!(FilingJurisdiction::Sichuan
        .item_covers(Service::FilingTemporary, FilingKind::PostedWorker)
        .is_err());
}
