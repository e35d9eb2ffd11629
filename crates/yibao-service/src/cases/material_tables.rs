//! Table tests: every built item of every guide (seeds 000–004), walked with the applicant
//! variants its guide names, against the real catalog files. Each row states the exact list a
//! deficiency notice gives when nothing has been handed in: a material id, or a `one_of` set
//! with its options in brackets. Facts are resolved as the case engine resolves them
//! (`yibao_domain::case::facts`): derived from the service, the applicant and the form,
//! declared for what the case cannot know.

use std::collections::{BTreeMap, BTreeSet};

use yibao_domain::case::facts::{derive, resolve, FactInputs};
use yibao_domain::case::{assess, ApplicantType};

use crate::effects::supported;

struct Row {
    id: &'static str,
    applicant: ApplicantType,
    employer_kind: Option<&'static str>,
    form: &'static [(&'static str, &'static str)],
    declared: &'static [&'static str],
    expect: &'static [&'static str],
    /// Where the guide says it (item and material number).
    source: &'static str,
}

const P: ApplicantType = ApplicantType::Person;
const E: ApplicantType = ApplicantType::Employer;
const I: ApplicantType = ApplicantType::Institution;

#[allow(clippy::too_many_arguments)]
const fn row(
    id: &'static str,
    applicant: ApplicantType,
    employer_kind: Option<&'static str>,
    form: &'static [(&'static str, &'static str)],
    declared: &'static [&'static str],
    expect: &'static [&'static str],
    source: &'static str,
) -> Row {
    Row {
        id,
        applicant,
        employer_kind,
        form,
        declared,
        expect,
        source,
    }
}

/// The missing list for a row, rendered as in the tables.
fn missing(jurisdiction: &str, r: &Row) -> Vec<String> {
    let catalog = crate::catalog::embedded().expect("embedded catalog");
    let item = catalog
        .find(jurisdiction, r.id, None)
        .unwrap_or_else(|| panic!("no item {jurisdiction}/{}", r.id));
    let form: BTreeMap<String, String> = r
        .form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let declared: Vec<String> = r.declared.iter().map(|s| s.to_string()).collect();
    let facts = resolve(
        &declared,
        &derive(&FactInputs {
            service: item.service,
            applicant: r.applicant,
            employer_kind: r.employer_kind,
            form: &form,
        }),
    );
    let a = assess(item, &facts, &BTreeMap::new()).expect("assess");
    assert_eq!(
        a.missing.len(),
        a.requirements.len(),
        "nothing provided: every requirement is missing"
    );
    a.requirements
        .iter()
        .map(|req| {
            if req.options.len() == 1 && req.options[0] == req.key {
                req.key.clone()
            } else {
                format!("{}[{}]", req.key, req.options.join("|"))
            }
        })
        .collect()
}

fn walk(jurisdiction: &str, rows: &[Row]) {
    let mut failures = Vec::new();
    for r in rows {
        let got = missing(jurisdiction, r);
        if got != r.expect {
            failures.push(format!(
                "{jurisdiction}/{} ({}; form {:?}; declared {:?}):\n  expected {:?}\n  got      {:?}",
                r.id, r.source, r.form, r.declared, r.expect, got
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const PUBLIC: Option<&str> = Some("机关、事业单位");
const ENTERPRISE: Option<&str> = Some("企业");
const SOCIAL: Option<&str> = Some("社会团体");
const ID_CARD: &[(&str, &str)] = &[("document_type", "居民身份证")];
const PASSPORT: &[(&str, &str)] = &[("document_type", "护照")];
const HMT_PERMIT: &[(&str, &str)] = &[("document_type", "港澳台居民居住证")];
const NEW_PHONE: &[(&str, &str)] = &[("new_phone", "13800000000")];
const NEW_NAME: &[(&str, &str)] = &[("new_name", "李四")];
const NEW_BIRTH: &[(&str, &str)] = &[("new_birth_date", "1990-01-01")];
const DEATH: &[(&str, &str)] = &[("ground", "death")];
const EMIGRATION: &[(&str, &str)] = &[("ground", "emigration")];
const LEAVING: &[(&str, &str)] = &[("ground", "leaving_scheme")];
const NONE: &[(&str, &str)] = &[];
const NETWORKED: &[(&str, &str)] = &[("networked_settlement", "是")];

#[rustfmt::skip]
fn chongqing() -> Vec<Row> {
    vec![
        // 转移接续 (docs/federation.md).
        row("18", P, None, NONE, &[], &["id_or_card"], "003 出具《参保凭证》 材料 1"),
        row("18", P, None, NONE, &["proxy"], &["id_or_card", "proxy_documents"], "003 出具《参保凭证》 材料 2「委托办理时」"),
        row("19", P, None, NONE, &[], &["id_or_card", "insurance_certificate", "transfer_form"], "003 转移接续手续办理 材料 1-3"),
        row("33", I, None, NONE, &[], &["application", "practice_licence", "equipment_list", "capacity_report", "health_commission_approval", "staff_roster", "bank_account_permit"], "003 item 33"),
        row("34", I, None, NONE, &[], &["application", "licences", "pharmacist_certificates", "staff_certificates", "bank_account_permit"], "003 item 34"),
        row("25", P, None, NONE, &[], &["id_document", "application_form", "medical_records"], "003 item 25"),
        row("32", P, None, NONE, &[], &["id_document", "settlement_documents"], "003 item 32"),
        // 单位参保登记: per kind, the 登记表 AND the certificate (not alternatives).
        row("01", E, None, &[("kind", "企业")], &[], &["registration_form_enterprise", "uscc_certificate"], "003 item 1 材料 2(1)(2)"),
        row("01", E, None, &[("kind", "机关、事业单位")], &[], &["registration_form_government", "approval_document"], "003 item 1 材料 1(1)(2)"),
        row("01", E, None, &[("kind", "社会团体")], &[], &["registration_form_enterprise", "uscc_certificate"], "003 item 1 服务对象 社会团体: the 企业 list (defect note)"),
        row("02", E, ENTERPRISE, NONE, &[], &["registration_form", "split_approval"], "003 item 2"),
        row("03", E, ENTERPRISE, NONE, &[], &["merger_form", "merger_approval"], "003 item 3"),
        row("04", E, ENTERPRISE, NONE, &[], &["transfer_form"], "003 item 4"),
        row("05", E, ENTERPRISE, NONE, &[], &["deregistration_form", "deregistration_proof"], "003 item 5"),
        // 职工参保登记: the special papers follow the document type; 用编批文 for 机关事业单位.
        row("06", E, ENTERPRISE, ID_CARD, &[], &["person_info_form", "id_document_copy"], "003 item 6 材料 1-2"),
        row("06", E, ENTERPRISE, PASSPORT, &[], &["person_info_form", "id_document_copy", "foreigner_documents"], "003 item 6 材料 3(2)"),
        row("06", E, ENTERPRISE, HMT_PERMIT, &[], &["person_info_form", "id_document_copy", "hmt_documents"], "003 item 6 材料 3(1)"),
        row("06", E, PUBLIC, ID_CARD, &[], &["person_info_form", "id_document_copy", "staffing_approval"], "003 item 6 材料 4"),
        // 减员: retirement approval only for 在职转退休.
        row("07", E, ENTERPRISE, &[("reason", "辞职")], &[], &["reduction_form"], "003 item 7 材料 1"),
        row("07", E, ENTERPRISE, &[("reason", "在职转退休")], &[], &["reduction_form", "retirement_approval"], "003 item 7 材料 2"),
        // 以个人身份参保: 外省户籍 retirees give one of the two retirement proofs.
        row("08", P, None, NONE, &[], &["enrolment_form", "id_document"], "003 item 8 材料 1-2"),
        row("08", P, None, NONE, &["retired"], &["enrolment_form", "id_document"], "003 item 8 材料 3 (local retiree)"),
        row("08", P, None, NONE, &["retired", "non_local_hukou"], &["enrolment_form", "id_document", "one_of:外省户籍退休人员证明[retirement_certificate_individual|retirement_certificate_employer]"], "003 item 8 材料 3(1)(2)"),
        row("08", P, None, NONE, &["proxy"], &["enrolment_form", "id_document", "proxy_documents"], "003 item 8 材料 4"),
        row("09", P, None, NONE, &[], &["id_or_card"], "003 item 9"),
        row("09", P, None, NONE, &["proxy"], &["id_or_card", "proxy_documents"], "003 item 9"),
        row("10", P, None, NONE, &[], &["id_or_card"], "003 item 10"),
        row("10", P, None, NONE, &["proxy"], &["id_or_card", "proxy_documents"], "003 item 10"),
        // 城乡居民参保登记: one identity document by category.
        row("11", P, None, NONE, &[], &["enrolment_form", "one_of:有效身份证件[id_ordinary]"], "003 item 11"),
        row("11", P, None, NONE, &["newborn"], &["enrolment_form", "one_of:有效身份证件[id_ordinary|id_newborn]"], "003 item 11"),
        row("11", P, None, NONE, &["foreign_national", "proxy"], &["enrolment_form", "one_of:有效身份证件[id_ordinary|id_foreign]", "proxy_documents"], "003 item 11"),
        row("11", P, None, NONE, &["non_local_hukou"], &["enrolment_form", "one_of:有效身份证件[id_ordinary|id_non_local]"], "003 item 11"),
        row("11", P, None, NONE, &["hk_macao_taiwan_resident"], &["enrolment_form", "one_of:有效身份证件[id_ordinary|id_hmt]"], "003 item 11"),
        row("12", E, ENTERPRISE, NEW_PHONE, &[], &["change_form"], "003 item 12"),
        row("12", E, ENTERPRISE, NEW_NAME, &[], &["change_form", "key_change_proof"], "003 item 12"),
        row("13", P, None, NEW_PHONE, &[], &["id_or_card", "change_form"], "003 item 13"),
        row("13", P, None, NEW_BIRTH, &["proxy"], &["id_or_card", "change_form", "key_change_proof", "proxy_documents"], "003 item 13"),
        row("14", P, None, NEW_PHONE, &[], &["id_or_card", "change_form"], "003 item 14"),
        row("14", P, None, NEW_NAME, &["proxy"], &["id_or_card", "change_form", "key_change_proof", "proxy_documents"], "003 item 14"),
        row("15", E, ENTERPRISE, NONE, &[], &["employer_proof"], "003 item 15"),
        row("16", P, None, NONE, &[], &["id_or_card"], "003 item 16"),
        row("16", P, None, NONE, &["proxy"], &["id_or_card", "proxy_documents"], "003 item 16"),
        row("17", P, None, DEATH, &[], &["deceased_id_or_card", "heir_id", "death_certificate", "bank_account_death", "withdrawal_form_death"], "003 item 17 继承"),
        row("17", P, None, EMIGRATION, &[], &["insured_id_or_card", "emigration_proof", "bank_account_emigration", "withdrawal_form_emigration"], "003 item 17 出国"),
        row("17", P, None, EMIGRATION, &["proxy"], &["insured_id_or_card", "emigration_proof", "bank_account_emigration", "withdrawal_form_emigration", "proxy_documents"], "003 item 17 委托"),
        row("20", P, None, NONE, &[], &["id_document", "filing_form", "relocation_proof"], "003 item 20"),
        row("21", P, None, NONE, &[], &["id_document", "filing_form", "residence_proof"], "003 item 21"),
        row("22", P, None, NONE, &[], &["id_document", "filing_form", "work_proof"], "003 item 22"),
        row("23", P, None, NONE, &[], &["id_document", "filing_form", "referral_certificate"], "003 item 23"),
        row("24", P, None, NONE, &[], &["id_document", "filing_form"], "003 item 24"),
        row("26", P, None, NONE, &[], &["id_document", "hospital_receipts", "expense_list", "prescription", "bank_account"], "003 item 26"),
        // 住院费用报销: accident papers only for injuries, the emergency diagnosis only for 急诊.
        row("27", P, None, NONE, &[], &["id_document", "hospital_receipts", "expense_list", "diagnosis_certificate", "medical_records", "bank_account"], "003 item 27 材料 1-6"),
        row("27", P, None, NONE, &["injury"], &["id_document", "hospital_receipts", "expense_list", "diagnosis_certificate", "medical_records", "bank_account", "accident_proof"], "003 item 27 材料 7"),
        row("27", P, None, NONE, &["emergency_admission"], &["id_document", "hospital_receipts", "expense_list", "diagnosis_certificate", "medical_records", "bank_account", "emergency_diagnosis"], "003 item 27 材料 8"),
        row("28", P, None, NONE, &[], &["id_document", "hospital_receipts", "expense_list", "diagnosis_certificate", "bank_account"], "003 item 28"),
        row("29", P, None, NONE, &[], &["id_document", "hospital_receipts", "expense_list", "medical_records", "bank_account"], "003 item 29"),
        row("30", P, None, NONE, &[], &["id_document", "hospital_receipts", "expense_list", "medical_records", "bank_account"], "003 item 30"),
        // 病历资料「已进行生育医疗费联网结算的无需提供」.
        row("31", P, None, NONE, &[], &["id_document", "medical_records", "bank_account"], "003 item 31"),
        row("31", P, None, NETWORKED, &[], &["id_document", "bank_account"], "003 item 31 病历资料 联网结算"),
    ]
}

#[rustfmt::skip]
fn chuanyu() -> Vec<Row> {
    vec![
        // 转移接续 (docs/federation.md).
        row("05-1", P, None, NONE, &[], &["id_document"], "000 item 05-1"),
        row("05-2", P, None, NONE, &[], &["id_document", "insurance_certificate", "transfer_application"], "000 item 05-2"),
        row("06", I, None, NONE, &[], &["approval_document", "written_application"], "000 item 06"),
        row("02-1", P, None, NONE, &[], &["id_document", "filing_form", "relocation_proof"], "000 二、1"),
        row("02-2", P, None, NONE, &[], &["id_document", "filing_form", "residence_proof"], "000 二、2"),
        row("02-3", P, None, NONE, &[], &["id_document", "filing_form", "work_proof"], "000 二、3"),
        row("02-4", P, None, NONE, &[], &["id_document", "filing_form", "referral_proof"], "000 二、4"),
        row("03", P, None, NONE, &[], &["id_document", "enrolment_form"], "000 三"),
        row("03", P, None, NONE, &["proxy"], &["id_document", "enrolment_form", "proxy_authorisation", "proxy_agent_id"], "000 三 (表1 代办人)"),
        // 表3: a key field (出生日期, 姓名) asks for the originals and copies; by a unit's agent,
        // the unit's seal as well.
        row("04-1", P, None, &[("change_item", "联系电话")], &[], &["id_document", "change_form"], "000 四、1 材料 1-2"),
        row("04-1", P, None, &[("change_item", "出生日期")], &[], &["id_document", "id_document_key_change", "change_form"], "000 四、1 材料 1"),
        row("04-1", E, ENTERPRISE, &[("change_item", "姓名")], &[], &["id_document", "id_document_key_change", "change_form", "employer_seal_key_change"], "000 四、1 材料 2"),
        row("04-2", P, None, &[("change_item", "联系电话")], &[], &["id_document", "change_form"], "000 四、2"),
        row("04-2", P, None, &[("change_item", "姓名")], &[], &["id_document", "id_document_key_change", "change_form"], "000 四、2 材料 1"),
    ]
}

#[rustfmt::skip]
fn sichuan() -> Vec<Row> {
    vec![
        // 转移接续 (docs/federation.md).
        row("15", P, None, NONE, &[], &["credential"], "001 item 15"),
        row("16", P, None, NONE, &[], &["credential", "insurance_certificate", "transfer_application_form"], "001 item 16"),
        // 33–38: the institution applies (issue #21); every paper is asked.
        row("33", I, None, NONE, &[], &["agreement_application_form", "practice_licence", "level_proof", "staff_roster", "equipment_list"], "001 item 33"),
        row("34", I, None, NONE, &[], &["agreement_application_form", "drug_trading_licence", "business_licence", "pharmacist_credentials"], "001 item 34"),
        row("35", I, None, NONE, &[], &["change_approval", "written_application"], "001 item 35"),
        row("36", I, None, NONE, &[], &["written_application"], "001 item 36"),
        row("37", I, None, NONE, &[], &["written_application"], "001 item 37"),
        row("38", I, None, NONE, &[], &["platform_access_form"], "001 item 38"),
        row("22", P, None, NONE, &[], &["credential", "qualification_form", "medical_records"], "001 item 22"),
        row("23", P, None, NONE, &[], &["credential", "qualification_form", "medical_records"], "001 item 23"),
        row("24", P, None, NONE, &[], &["credential", "qualification_form", "medical_records"], "001 item 24"),
        row("32", P, None, NONE, &[], &["credential", "settlement_documents", "aid_application_card"], "001 item 32"),
        row("32", P, None, NONE, &["aid_unrecognised"], &["credential", "settlement_documents", "aid_application_card", "economic_check_authorization"], "001 item 32 备注 2"),
        // 单位参保登记 (新参保): no split/merger approval, no deregistration papers.
        row("01", E, None, &[("kind", "企业")], &[], &["uscc_or_approval", "employer_registration_form"], "001 item 1 材料; 备注 3 only for 拆分/合并/注销"),
        // 职工参保登记 (在职职工): no retirement approval, no emigration papers.
        row("02", E, ENTERPRISE, ID_CARD, &[], &["employee_enrol_form", "employee_id_copy"], "001 item 2 材料 1"),
        row("02", E, ENTERPRISE, PASSPORT, &[], &["employee_enrol_form", "employee_id_copy", "foreigner_documents"], "001 item 2 备注 2②"),
        row("02", E, ENTERPRISE, &[("document_type", "港澳居民来往内地通行证")], &["proxy"], &["employee_enrol_form", "employee_id_copy", "hmt_documents", "proxy_id_documents"], "001 item 2 备注 2①, 4"),
        row("03", P, None, NONE, &[], &["id_document", "resident_enrol_form"], "001 item 3"),
        row("03", P, None, NONE, &["proxy"], &["id_document", "resident_enrol_form", "proxy_authorisation", "proxy_agent_id"], "001 item 3 (issue #5)"),
        row("04", E, ENTERPRISE, NEW_PHONE, &[], &["employer_change_form"], "001 item 4"),
        row("04", E, ENTERPRISE, NEW_NAME, &[], &["employer_change_form", "key_info_supporting"], "001 item 4"),
        row("05", P, None, NEW_PHONE, &[], &["credential", "employee_change_form"], "001 item 5"),
        row("05", P, None, NEW_NAME, &[], &["credential", "employee_change_form", "key_info_supporting"], "001 item 5"),
        row("05", E, ENTERPRISE, NEW_NAME, &[], &["credential", "employee_change_form", "employer_seal_key_change", "key_info_supporting"], "001 item 5 材料 2 「关键信息变更加盖单位公章」 (D02)"),
        row("05", E, ENTERPRISE, NEW_PHONE, &[], &["credential", "employee_change_form"], "001 item 5"),
        row("06", P, None, NEW_PHONE, &[], &["credential", "resident_change_form"], "001 item 6"),
        row("06", P, None, NEW_BIRTH, &[], &["credential", "resident_change_form", "key_info_supporting"], "001 item 6"),
        row("07", P, None, NONE, &[], &["credential"], "001 item 7"),
        row("08", P, None, NONE, &[], &["credential", "bank_account"], "001 item 8"),
        row("09", E, ENTERPRISE, NONE, &[], &["base_declaration_form"], "001 item 9"),
        row("10", P, None, NONE, &[], &["credential", "one_of:退休审批资料[retirement_approval]"], "001 item 10 材料 2"),
        row("10", P, None, NONE, &["flexible_worker"], &["credential", "one_of:退休审批资料[retirement_approval|flexible_pledge]"], "001 item 10 备注 2"),
        row("11", E, ENTERPRISE, NONE, &[], &["employer_proof"], "001 item 11"),
        row("12", P, None, NONE, &[], &["credential"], "001 item 12"),
        row("12", P, None, NONE, &["proxy"], &["credential", "proxy_id_documents"], "001 item 12"),
        row("13", P, None, DEATH, &[], &["credential", "withdrawal_form", "death_documents"], "001 item 13"),
        row("13", P, None, LEAVING, &[], &["credential", "withdrawal_form", "waiver_statement"], "001 item 13"),
        row("14", P, None, NONE, &[], &["credential", "transfer_form"], "001 item 14"),
        row("14", P, None, NONE, &["proxy"], &["credential", "transfer_form", "proxy_id_documents"], "001 item 14"),
        row("17", P, None, NONE, &[], &["credential", "filing_form", "relocation_proof"], "001 item 17"),
        row("18", P, None, NONE, &[], &["credential", "filing_form", "residence_proof"], "001 item 18"),
        row("19", P, None, NONE, &[], &["credential", "filing_form", "work_proof"], "001 item 19"),
        row("20", P, None, NONE, &[], &["credential", "filing_form", "referral_certificate"], "001 item 20"),
        row("21", P, None, NONE, &[], &["credential", "emergency_record"], "001 item 21"),
        row("21", P, None, NONE, &["trauma_admission"], &["credential", "emergency_record", "trauma_admission_form"], "001 item 21 备注"),
        row("25", P, None, NONE, &[], &["credential", "hospital_invoice", "outpatient_cost_list", "prescription", "bank_account"], "001 item 25"),
        // 住院费用报销: accident papers only for injuries (备注 1), 急诊 diagnosis (备注 2).
        row("26", P, None, NONE, &[], &["credential", "hospital_invoice", "inpatient_cost_list", "discharge_record", "bank_account"], "001 item 26 材料"),
        row("26", P, None, NONE, &["injury"], &["credential", "hospital_invoice", "inpatient_cost_list", "discharge_record", "bank_account", "accident_inpatient_record", "accident_proof"], "001 item 26 备注 1"),
        row("26", P, None, NONE, &["emergency_admission"], &["credential", "hospital_invoice", "inpatient_cost_list", "discharge_record", "bank_account", "emergency_diagnosis"], "001 item 26 备注 2"),
        row("31", P, None, NONE, &[], &["aid_identity_proof", "contribution_receipt"], "001 item 31"),
        row("27", P, None, NONE, &[], &["credential", "hospital_invoice", "cost_list", "diagnosis_certificate", "bank_account", "birth_service_certificate"], "001 item 27"),
        row("28", P, None, NONE, &[], &["credential", "hospital_invoice", "cost_list", "medical_records", "bank_account", "birth_service_certificate"], "001 item 28"),
        row("29", P, None, NONE, &[], &["credential", "hospital_invoice", "cost_list", "medical_records", "bank_account", "birth_service_certificate"], "001 item 29"),
        // 备注 2: 已联网结算的「申领生育津贴无需提供病历资料」.
        row("30", E, ENTERPRISE, NONE, &[], &["credential", "medical_records", "birth_service_certificate"], "001 item 30"),
        row("30", E, ENTERPRISE, NETWORKED, &[], &["credential", "birth_service_certificate"], "001 item 30 备注 2"),
        row("30", E, PUBLIC, NONE, &[], &["credential", "medical_records", "birth_service_certificate", "unit_pledge"], "001 item 30 备注 4"),
    ]
}

#[rustfmt::skip]
fn youyang() -> Vec<Row> {
    vec![
        // 转移接续 (docs/federation.md).
        row("16", P, None, NONE, &[], &["id_document", "insurance_certificate"], "002 转移接续"),
        row("20", P, None, NONE, &[], &["id_document", "medical_history", "diagnosis_certificate"], "002 待遇资格认定"),
        // 单位登记: an enterprise gives its name or USCC only (I16); 机关事业单位 its three papers.
        row("01", E, None, &[("kind", "企业")], &[], &["unit_name_or_uscc"], "002 单位登记 企业 (1)"),
        row("01", E, None, &[("kind", "机关、事业单位")], &[], &["registration_form_public", "approval_document", "uscc_certificate_copy"], "002 单位登记 机关事业单位"),
        row("01", E, None, &[("kind", "社会团体")], &[], &["registration_form", "uscc_certificate"], "002 单位登记 企业、其他单位 (1)-(3)"),
        row("02", E, ENTERPRISE, NONE, &[], &["deregistration_form", "deregistration_proof"], "002 单位注销"),
        row("03", E, ENTERPRISE, NEW_PHONE, &[], &["change_form"], "002 单位信息变更"),
        row("03", E, SOCIAL, NEW_NAME, &[], &["change_form", "key_info_proof"], "002 单位信息变更"),
        row("04", E, ENTERPRISE, ID_CARD, &[], &["person_info_form"], "002 单位人员新增 (1)"),
        row("04", E, PUBLIC, ID_CARD, &[], &["person_info_form", "recruitment_transfer_papers"], "002 单位人员新增 (2)"),
        row("05", E, ENTERPRISE, &[("reason", "辞职")], &[], &["removal_form"], "002 单位人员减少 (1)"),
        row("05", E, PUBLIC, &[("reason", "调动工作")], &[], &["removal_form", "removal_proof"], "002 单位人员减少 (2)"),
        row("06", P, None, NEW_PHONE, &[], &["id_document", "change_form"], "002 单位职工信息变更"),
        row("06", E, ENTERPRISE, NEW_BIRTH, &[], &["id_document", "change_form", "key_info_proof"], "002 单位职工信息变更"),
        row("07", P, None, NONE, &[], &["enrolment_form", "id_document", "icbc_debit_account"], "002 个人身份参（续）保 (1)(2)(4)"),
        row("07", P, None, NONE, &["retired"], &["enrolment_form", "id_document", "one_of:退休审批材料[retirement_papers_individual|retirement_papers_employer]", "icbc_debit_account"], "002 个人身份参（续）保 (3)"),
        row("08", P, None, NONE, &[], &["id_and_ssc_both"], "002 医保个人账户长期关联"),
        row("09", P, None, DEATH, &[], &["death_proof", "heir_id", "death_bank_account", "death_confirmation_form"], "002 个人账户一次性支取 死亡"),
        row("09", P, None, EMIGRATION, &[], &["emigrant_id", "emigration_proof", "emigrant_bank_account", "emigrant_confirmation_form"], "002 个人账户一次性支取 出国（境）"),
        row("10", E, ENTERPRISE, NONE, &[], &["wage_summary_form", "wage_declaration_form"], "002 年度工资申报"),
        row("11", E, ENTERPRISE, NONE, &[], &["back_pay_form", "employment_and_wage_proof"], "002 单位补缴"),
        row("12", P, None, NONE, &["government_or_public_institution"], &["public_years_form", "public_retirement_approval"], "002 退休人员缴费年限认定 (1)"),
        row("12", P, None, NONE, &["enterprise"], &["enterprise_years_form", "enterprise_retirement_papers"], "002 退休人员缴费年限认定 (2)"),
        row("13", P, None, NONE, &[], &["shortfall_detail_form"], "002 单位退休人员不足年限补缴"),
        row("14", P, None, NONE, &[], &["id_document"], "002 个人参保补缴"),
        row("15", P, None, NONE, &[], &[], "002 个人参保一次性趸缴 (no materials listed)"),
        row("21", P, None, NONE, &[], &[], "002 市外异地就医备案 (no materials listed)"),
        // 手工报销: accident papers only for injuries, the outpatient papers only for 特病门诊.
        row("22", P, None, NONE, &[], &["id_document", "hospital_receipts", "inpatient_cost_list", "diagnosis_certificate", "medical_records", "bank_account"], "002 手工报销费用结算 (1)-(6)"),
        row("22", P, None, NONE, &["injury"], &["id_document", "hospital_receipts", "inpatient_cost_list", "diagnosis_certificate", "medical_records", "bank_account", "accident_proof"], "002 手工报销费用结算 (7)"),
        row("22", P, None, NONE, &["special_outpatient"], &["id_document", "hospital_receipts", "inpatient_cost_list", "diagnosis_certificate", "medical_records", "bank_account", "special_outpatient_papers"], "002 手工报销费用结算 (8)"),
        row("17", P, None, NONE, &[], &["id_document", "hospital_receipts", "inpatient_cost_list", "diagnosis_certificate", "bank_account", "medical_records_and_birth_certificate"], "002 生育医疗费手工 报销"),
        // 「未联网结算的参保人需要提供的资料」: nothing when claimed through the hospital.
        row("18", P, None, NONE, &[], &["id_document", "medical_records", "bank_account", "birth_certificate"], "002 生育津贴支付 (1)②"),
        row("18", P, None, NETWORKED, &[], &[], "002 生育津贴支付 (1)①"),
        row("19", P, None, NONE, &[], &[], "002 生育津贴复算、支付 (no materials listed)"),
    ]
}

/// Seed 004 lists its items without materials: nothing is asked but the engine's proxy papers.
fn nanchuan() -> Vec<Row> {
    let catalog = crate::catalog::embedded().expect("embedded catalog");
    let mut rows = Vec::new();
    for item in catalog
        .current_items()
        .filter(|i| i.jurisdiction == "nanchuan" && supported(i.service))
    {
        assert!(
            item.materials.is_empty(),
            "nanchuan/{} lists materials",
            item.id
        );
        let id: &'static str = Box::leak(item.id.clone().into_boxed_str());
        let applicant = match crate::effects::applicant(item) {
            Some(crate::effects::ApplicantKind::Employer) => E,
            _ => P,
        };
        rows.push(row(
            id,
            applicant,
            None,
            NONE,
            &[],
            &[],
            "004 (no materials listed)",
        ));
        rows.push(row(
            id,
            applicant,
            None,
            NONE,
            &["proxy"],
            &["proxy_authorisation", "proxy_agent_id"],
            "004 (issue #5: proxy papers)",
        ));
    }
    rows
}

#[test]
fn chongqing_003_built_items() {
    walk("chongqing", &chongqing());
}

#[test]
fn chuanyu_000_built_items() {
    walk("chuanyu", &chuanyu());
}

#[test]
fn sichuan_001_built_items() {
    walk("sichuan", &sichuan());
}

#[test]
fn youyang_002_built_items() {
    walk("youyang", &youyang());
}

#[test]
fn nanchuan_004_built_items() {
    walk("nanchuan", &nanchuan());
}

/// Materials of built items that no application to the item can need: the item is bound to
/// one operation of those its guide lists (the others are its 备注 only).
const UNREACHABLE: &[(&str, &str, &str)] = &[
    ("sichuan", "01", "split_merge_approval"), // 备注 3: 拆分/合并/分立 — item 01 registers
    ("sichuan", "01", "deregistration_proof"), // 备注 3: 注销 — item 01 registers
    ("sichuan", "02", "flexible_enrol_form"),  // 材料 2: 灵活就业 — item 02 enrols employees
    ("sichuan", "02", "flexible_id_document"),
    ("sichuan", "02", "emigration_documents"), // 备注 2③: 出国定居 is a removal
    ("sichuan", "02", "retirement_approval"),  // 备注 2④: 在职转退休 is a removal
];

fn ids(expect: &[&'static str]) -> BTreeSet<&'static str> {
    expect
        .iter()
        .flat_map(|e| match e.split_once('[') {
            // "one_of:x[a|b]" names a and b.
            Some((_, opts)) => opts.trim_end_matches(']').split('|').collect::<Vec<_>>(),
            None => vec![*e],
        })
        .collect()
}

/// Every built item of every guide has at least one row, and every conditional material of a
/// built item is asked in at least one row and left out in another.
#[test]
fn the_tables_cover_every_built_item_and_condition() {
    let catalog = crate::catalog::embedded().expect("embedded catalog");
    let tables: Vec<(&str, Vec<Row>)> = vec![
        ("chongqing", chongqing()),
        ("chuanyu", chuanyu()),
        ("sichuan", sichuan()),
        ("youyang", youyang()),
        ("nanchuan", nanchuan()),
    ];
    let mut uncovered = Vec::new();
    for item in catalog.current_items().filter(|i| supported(i.service)) {
        let rows: Vec<BTreeSet<&str>> = tables
            .iter()
            .filter(|(j, _)| *j == item.jurisdiction)
            .flat_map(|(_, rs)| rs.iter())
            .filter(|r| r.id == item.id)
            .map(|r| ids(r.expect))
            .collect();
        if rows.is_empty() {
            uncovered.push(format!("{}/{}: no row", item.jurisdiction, item.id));
            continue;
        }
        for m in item.materials.iter().filter(|m| m.required) {
            let unreachable = UNREACHABLE
                .iter()
                .any(|(j, i, id)| *j == item.jurisdiction && *i == item.id && *id == m.id);
            let asked = rows.iter().filter(|r| r.contains(m.id.as_str())).count();
            if unreachable {
                if asked > 0 {
                    uncovered.push(format!(
                        "{}/{}: {} is asked",
                        item.jurisdiction, item.id, m.id
                    ));
                }
                continue;
            }
            if asked == 0 {
                uncovered.push(format!(
                    "{}/{}: {} never asked",
                    item.jurisdiction, item.id, m.id
                ));
            }
            // A condition the service itself decides (e.g. in_service for an employee's
            // enrolment) holds in every row.
            let decided_by_service = m
                .predicates()
                .all(|p| yibao_domain::case::facts::always_derived(item.service, p));
            if m.predicates().next().is_some() && !decided_by_service && asked == rows.len() {
                uncovered.push(format!(
                    "{}/{}: conditional {} asked in every row",
                    item.jurisdiction, item.id, m.id
                ));
            }
        }
    }
    assert!(uncovered.is_empty(), "\n{}", uncovered.join("\n"));
}
