//! The national interface as hospital systems drive it (issue #22, docs/national.md): complete
//! outpatient (9001 → 1101 → 2201 → 2203 → 2204 → 2206 → 2207 → 2208 → 2205 → 2202) and inpatient
//! (1101 → 2401 → 2301 → 2303 → 2304 → 2402 → 2305 → 2405 → 2302 → 2404) sequences, with messages
//! shaped as HOSPITAL-INTERFACE-FIELDS.md §2 defines them (strings where it says strings, nulls
//! where clients send nulls, the envelope fields clients fill), each step reading what the
//! previous answer returned; a retry with a new msgid; a wrong medfee_sumamt; 2601; certificate
//! types 02 / 03 / 01 (the e-voucher's signed QR token: accepted, forged, malformed, expired,
//! revoked by the holder and by a clerk).

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

const CODE: &str = "H50011900009";

async fn institution(app: &TestApp) -> String {
    let a = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&a), json!({"code": CODE, "name": "演示医院", "kind": "hospital", "level": "二级", "region_code": "500119"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{CODE}/tokens"),
            Some(&a),
            json!({"label": "HIS"}),
        )
        .await;
    r.json()["token"]["token"].as_str().unwrap().to_string()
}

async fn person_id(app: &TestApp, name: &str) -> String {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains(name))
        .unwrap()
        .id_number
}

/// A HIS session: the envelope as clients fill it (FIELDS §1.1), with the sign_no and insured
/// region it learnt from earlier answers, and a new 30-character msgid per call.
struct His<'a> {
    app: &'a TestApp,
    token: String,
    seq: u32,
    sign_no: Value,
    insuplc: Value,
}

impl His<'_> {
    fn msgid(&mut self) -> String {
        self.seq += 1;
        format!("{CODE}20261120090000{:04}", self.seq)
    }

    async fn send(&mut self, infno: &str, input: Value) -> (String, Value) {
        let msgid = self.msgid();
        let out = self.send_as(infno, &msgid, input).await;
        (msgid, out)
    }

    async fn send_as(&mut self, infno: &str, msgid: &str, input: Value) -> Value {
        let env = json!({
            "infno": infno, "msgid": msgid, "mdtrtarea_admvs": "500119",
            "insuplc_admdvs": self.insuplc, "recer_sys_code": "YBXT", "dev_no": null,
            "dev_safe_info": null, "cainfo": null, "signtype": null, "infver": "V1.0",
            "opter_type": "1", "opter": "0001", "opter_name": "收费员甲",
            "inf_time": "2026-11-20 09:30:00", "fixmedins_code": CODE, "fixmedins_name": "演示医院",
            "sign_no": self.sign_no, "input": input
        });
        let r = self
            .app
            .post_json("/api/v1/national", Some(&self.token), env)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = r.json();
        // The response envelope (FIELDS §1.2): times yyyyMMddHHmmssSSS, a 30-character id.
        assert_eq!(v["refmsg_time"].as_str().unwrap().len(), 17, "{v}");
        assert_eq!(v["inf_refmsgid"].as_str().unwrap().len(), 30, "{v}");
        v
    }

    async fn ok(&mut self, infno: &str, input: Value) -> (String, Value) {
        let (msgid, v) = self.send(infno, input).await;
        assert_eq!(v["infcode"], 0, "{infno}: {v}");
        (msgid, v["output"].clone())
    }

    async fn fails(&mut self, infno: &str, input: Value) -> Value {
        let (_, v) = self.send(infno, input).await;
        assert_eq!(v["infcode"], -1, "{infno} should fail: {v}");
        assert!(v["output"].is_null());
        v
    }
}

/// A money field: a JSON number (yuan, two decimals at most), in fen.
fn fen(v: &Value) -> i64 {
    assert!(v.is_number(), "money as a JSON number: {v}");
    let t = v.to_string();
    assert!(t.split_once('.').is_none_or(|(_, f)| f.len() <= 2), "{t}");
    t.parse::<yibao_domain::Fen>().unwrap().fen()
}

/// `yyyy-MM-dd HH:mm:ss` (FIELDS §0, type DT).
fn is_datetime(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok())
}

/// What every settlement answer must hold (FIELDS §2.7): the fields a client reads next, money
/// as numbers, and the sums of the Chongqing sample.
fn check_setlinfo(s: &Value, med_type: &str) {
    for k in [
        "mdtrt_id",
        "psn_no",
        "psn_name",
        "psn_cert_type",
        "certno",
        "gend",
        "age",
        "insutype",
        "psn_type",
        "cvlserv_flag",
        "setl_time",
        "med_type",
        "medfee_sumamt",
        "fulamt_ownpay_amt",
        "overlmt_selfpay",
        "preselfpay_amt",
        "inscp_scp_amt",
        "act_pay_dedc",
        "hifp_pay",
        "pool_prop_selfpay",
        "cvlserv_pay",
        "hifes_pay",
        "hifmi_pay",
        "hifob_pay",
        "maf_pay",
        "oth_pay",
        "fund_pay_sumamt",
        "psn_part_amt",
        "acct_pay",
        "psn_cash_pay",
        "hosp_part_amt",
        "balc",
        "acct_mulaid_pay",
        "medins_setl_id",
        "clr_optins",
        "clr_way",
        "clr_type",
    ] {
        assert!(!s[k].is_null(), "setlinfo.{k} missing: {s}");
    }
    assert_eq!(s["med_type"], med_type);
    assert_eq!(s["psn_type"], "1201", "retired employee: national code");
    assert_eq!(s["insutype"], "310");
    assert!(is_datetime(&s["setl_time"]), "{}", s["setl_time"]);
    assert!(s["pool_prop_selfpay"].is_number());
    assert!(s["age"].is_number());
    assert_eq!(
        fen(&s["medfee_sumamt"]),
        fen(&s["fund_pay_sumamt"]) + fen(&s["psn_part_amt"]) + fen(&s["hosp_part_amt"])
    );
    assert_eq!(
        fen(&s["psn_part_amt"]),
        fen(&s["acct_pay"]) + fen(&s["acct_mulaid_pay"]) + fen(&s["psn_cash_pay"])
    );
}

fn diseinfo(psn_no: &str) -> Value {
    json!([{"psn_no": psn_no, "diag_type": "1", "maindiag_flag": "1", "diag_srt_no": 1,
            "diag_code": "J06.900", "diag_name": "急性上呼吸道感染", "adm_cond": null,
            "diag_dept": "内科", "dise_dor_no": "D001", "dise_dor_name": "医生甲",
            "diag_time": "2026-11-20 09:10:00", "vali_flag": "1"}])
}

/// 2204 lines as the NMG/SZ clients build them: string serials, numbers and numeric strings,
/// two-digit charge levels, nulls.
fn outpatient_lines(mdtrt_id: &str, psn_no: &str, batch: &str, prefix: &str) -> Value {
    let line =
        |sn: &str, code: &str, amount: Value, cnt: Value, pric: Value, lv: &str, prop: Value| {
            json!({"feedetl_sn": format!("{prefix}{sn}"), "mdtrt_id": mdtrt_id, "psn_no": psn_no,
               "chrg_bchno": batch, "dise_codg": null, "rxno": null, "rx_circ_flag": "0",
               "fee_ocur_time": "2026-11-20 09:20:00", "med_list_codg": code,
               "medins_list_codg": format!("HIS-{code}"), "det_item_fee_sumamt": amount, "cnt": cnt,
               "pric": pric, "sin_dos_dscr": null, "used_frqu_dscr": null, "prd_days": null,
               "medc_way_dscr": null, "bilg_dept_codg": "NK", "bilg_dept_name": "内科",
               "bilg_dr_codg": "D001", "bilg_dr_name": "医生甲", "acord_dept_codg": null,
               "acord_dept_name": null, "orders_dr_code": null, "orders_dr_name": null,
               "hosp_appr_flag": "1", "tcmdrug_used_way": null, "etip_flag": null,
               "etip_hosp_code": null, "dscg_tkdrug_flag": null, "matn_fee_flag": null,
               "chrgitm_lv": lv, "selfpay_prop": prop, "exp_content": null})
        };
    json!([
        line(
            "5129673",
            "S001",
            json!(300.0),
            json!(1),
            json!("300.000000"),
            "01",
            Value::Null
        ),
        line(
            "5129674",
            "D002",
            json!("123.45"),
            json!("3.0000"),
            json!(41.15),
            "02",
            json!(0.1)
        ),
        line(
            "5129675",
            "D003",
            json!(50),
            json!(2.0),
            json!("25.00"),
            "03",
            json!("1.0000")
        ),
    ])
}

both_stores_with_demo!(national_outpatient_flow_as_clients_send_it, |app| {
    app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    let mut his = His {
        app,
        token,
        seq: 0,
        sign_no: Value::Null,
        insuplc: Value::Null,
    };
    // 9001 sign-in: the sign_no goes into every later envelope.
    let (_, out) = his
        .ok(
            "9001",
            json!({"signIn": {"opter_no": "0001", "mac": "00-16-3E-00-00-01", "ip": "10.0.0.8"}}),
        )
        .await;
    let sign_no = out["signinoutb"]["sign_no"].as_str().unwrap().to_string();
    assert_eq!(sign_no.len(), 30, "{out}");
    assert!(is_datetime(&out["signinoutb"]["sign_time"]));
    his.sign_no = json!(sign_no);

    // 1101 with the ID card (02).
    let (_, out) = his
        .ok("1101", json!({"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": wang, "card_sn": null,
                                     "begntime": null, "psn_cert_type": "01", "certno": wang, "psn_name": null}}))
        .await;
    let base = &out["baseinfo"];
    let psn_no = base["psn_no"].as_str().unwrap().to_string();
    assert_eq!(base["psn_cert_type"], "01");
    assert_eq!(base["gend"], "1");
    assert_eq!(
        base["age"].as_f64(),
        Some(61.0),
        "born 1965-03-12, today 2026-11-22"
    );
    let insu = &out["insuinfo"][0];
    assert_eq!(insu["insutype"], "310");
    assert_eq!(insu["psn_type"], "1201");
    assert_eq!(insu["insuplc_admdvs"], "500119");
    assert_eq!(insu["cvlserv_flag"], "0");
    assert!(fen(&insu["balc"]) >= 0);
    assert!(
        insu["emp_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{insu}"
    );
    assert_eq!(out["idetinfo"], json!([]));
    his.insuplc = insu["insuplc_admdvs"].clone();
    let insutype = insu["insutype"].as_str().unwrap().to_string();

    // 2201 registration: the platform issues mdtrt_id.
    let reg = json!({"data": {"psn_no": psn_no, "insutype": insutype, "begntime": "2026-11-20 09:00:00",
        "mdtrt_cert_type": "02", "mdtrt_cert_no": wang, "ipt_otp_no": "MZ202611200001",
        "atddr_no": "D001", "dr_name": "医生甲", "dept_code": "NK", "dept_name": "内科", "caty": "A03"}});
    let (_, out) = his.ok("2201", reg.clone()).await;
    let mdtrt_id = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
    assert_eq!(out["data"]["psn_no"], psn_no.as_str());
    assert_eq!(out["data"]["ipt_otp_no"], "MZ202611200001");
    assert!(mdtrt_id.len() <= 30);
    // A retry of the registration (same serial) is the same visit.
    let (_, again) = his.ok("2201", reg.clone()).await;
    assert_eq!(again["data"]["mdtrt_id"], mdtrt_id.as_str());
    let mut bad_time = reg;
    bad_time["data"]["ipt_otp_no"] = json!("MZ202611200002");
    bad_time["data"]["begntime"] = json!("20261120");
    assert_eq!(
        his.fails("2201", bad_time).await["err_code"],
        "national.time"
    );

    // 2203 visit information.
    his.ok("2203", json!({
        "mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": "11",
                      "begntime": "2026-11-20 09:00:00", "main_cond_dscr": "咳嗽三天", "dise_codg": null,
                      "dise_name": null, "birctrl_type": null, "birctrl_matn_date": null},
        "diseinfo": diseinfo(&psn_no)
    })).await;

    // 2204 fee upload: result[] per line, serials echoed, levels two digits, money numbers.
    let (_, out) = his
        .ok(
            "2204",
            json!({"feedetail": outpatient_lines(&mdtrt_id, &psn_no, "CB0001", "XM")}),
        )
        .await;
    let result = out["result"].as_array().unwrap();
    assert_eq!(result.len(), 3);
    assert_eq!(result[0]["feedetl_sn"], "XM5129673");
    assert_eq!(result[1]["chrgitm_lv"], "02");
    assert_eq!(
        fen(&result[1]["preselfpay_amt"]),
        1235,
        "10 % of 123.45, half up"
    );
    assert_eq!(result[2]["chrgitm_lv"], "03");
    assert_eq!(fen(&result[2]["fulamt_ownpay_amt"]), 5000);
    let sum: i64 = result.iter().map(|l| fen(&l["det_item_fee_sumamt"])).sum();
    assert_eq!(sum, 47345);

    let settle_data = |medfee: Value, med_type: &str| {
        json!({"data": {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": wang,
                        "med_type": med_type, "medfee_sumamt": medfee, "psn_setlway": "01",
                        "mdtrt_id": mdtrt_id, "chrg_bchno": "CB0001", "acct_used_flag": "1",
                        "insutype": insutype}})
    };
    // Another person's ID card on this visit is refused.
    let mut other = settle_data(json!(473.45), "11");
    other["data"]["mdtrt_cert_no"] = json!("110101199003070011");
    other["data"]["psn_no"] = Value::Null;
    assert_eq!(
        his.fails("2206", other).await["err_code"],
        "national.person_mismatch"
    );
    // A wrong medfee_sumamt is refused with the difference named.
    let bad = his.fails("2206", settle_data(json!(473.0), "11")).await;
    let msg = bad["err_msg"].as_str().unwrap();
    assert!(
        msg.contains("473.00") && msg.contains("473.45") && msg.contains("-0.45"),
        "{msg}"
    );
    // A medical type the engine has no rules for is refused by its code; 13 (emergency) settles.
    let bad = his.fails("2206", settle_data(json!(473.45), "41")).await;
    assert!(bad["err_msg"].as_str().unwrap().contains("41"), "{bad}");
    his.ok("2206", settle_data(json!("473.45"), "13")).await;

    // 2206 pre-settlement: no setl_id; the amounts the client copies into 2207.
    let (_, pre) = his.ok("2206", settle_data(json!(473.45), "11")).await;
    let ps = &pre["setlinfo"];
    assert!(ps["setl_id"].is_null(), "{ps}");
    check_setlinfo(ps, "11");
    assert_eq!(fen(&ps["medfee_sumamt"]), 47345);
    assert_eq!(fen(&ps["fulamt_ownpay_amt"]), 5000);
    assert_eq!(fen(&ps["preselfpay_amt"]), 1235);

    // 2207 settlement with the four amounts from 2206 and an invoice number.
    let mut input = settle_data(json!(473.45), "11");
    for k in [
        "fulamt_ownpay_amt",
        "overlmt_selfpay",
        "preselfpay_amt",
        "inscp_scp_amt",
    ] {
        input["data"][k] = ps[k].clone();
    }
    input["data"]["invono"] = json!("FP0001");
    let (setl_msgid, out) = his.ok("2207", input.clone()).await;
    let s = out["setlinfo"].clone();
    check_setlinfo(&s, "11");
    let setl_id = s["setl_id"].as_str().unwrap().to_string();
    assert!(setl_id.len() <= 30);
    assert_eq!(s["medins_setl_id"], setl_msgid.as_str());
    assert_eq!(s["mdtrt_id"], mdtrt_id.as_str());
    assert_eq!(s["psn_name"], "演示·王建国");
    assert_eq!(s["clr_type"], "11");
    assert_eq!(s["hifp_pay"], ps["hifp_pay"]);
    let funds: i64 = out["setldetail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["fund_pay_type"] != "310200")
        .map(|d| fen(&d["fund_payamt"]))
        .sum();
    assert_eq!(funds, fen(&s["fund_pay_sumamt"]));

    // A retry with a new msgid (every client makes one per call) gets the first settlement.
    let (_, again) = his.ok("2207", input.clone()).await;
    assert_eq!(
        again["setlinfo"], s,
        "the retry answers the first settlement"
    );
    let mut tx = app.services.store().begin().await.unwrap();
    let inst = yibao_store::institution::find_by_code(&mut tx, CODE)
        .await
        .unwrap()
        .unwrap();
    assert!(
        yibao_store::settlement::find(&mut tx, inst.id, &format!("N:{mdtrt_id}/CB0001#1"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        yibao_store::settlement::find(&mut tx, inst.id, &format!("N:{mdtrt_id}/CB0001#2"))
            .await
            .unwrap()
            .is_none(),
        "settled once"
    );
    drop(tx);
    // 3201 对总账 over the month: the institution's totals agree with the ledger's; a wrong count
    // is named.
    let stmt = |count: i64| {
        json!({"data": {"insutype": "310", "clr_type": "11", "setl_optins": "500119",
                        "stmt_begndate": "2026-11-01", "stmt_enddate": "2026-11-30",
                        "medfee_sumamt": s["medfee_sumamt"], "fund_pay_sumamt": s["fund_pay_sumamt"],
                        "acct_pay": s["acct_pay"], "fixmedins_setl_cnt": count}})
    };
    let (_, out) = his.ok("3201", stmt(1)).await;
    assert_eq!(out["stmtinfo"]["stmt_rslt"], "0", "{out}");
    let (_, out) = his.ok("3201", stmt(2)).await;
    assert_eq!(out["stmtinfo"]["stmt_rslt"], "1");
    assert!(out["stmtinfo"]["stmt_rslt_dscr"]
        .as_str()
        .unwrap()
        .contains("结算笔数"));
    // A pre-settlement after the settlement answers the settlement (not a second deductible).
    let (_, pre_again) = his.ok("2206", settle_data(json!(473.45), "11")).await;
    assert_eq!(pre_again["setlinfo"], s);
    // The settled batch takes no more lines; the visit cannot be cancelled under it.
    his.fails(
        "2204",
        json!({"feedetail": outpatient_lines(&mdtrt_id, &psn_no, "CB0001", "YY")}),
    )
    .await;
    his.fails(
        "2202",
        json!({"data": {"psn_no": psn_no, "mdtrt_id": mdtrt_id, "ipt_otp_no": "MZ202611200001"}}),
    )
    .await;

    // 2208 reversal: the same amounts, negative.
    let (_, rev) = his
        .ok(
            "2208",
            json!({"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}}),
        )
        .await;
    let r = &rev["setlinfo"];
    assert_eq!(fen(&r["medfee_sumamt"]), -47345);
    assert_eq!(fen(&r["hifp_pay"]), -fen(&s["hifp_pay"]));
    assert_eq!(r["setl_id"], setl_id.as_str());
    assert!(is_datetime(&r["setl_time"]));
    his.fails(
        "2208",
        json!({"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}}),
    )
    .await;

    // The batch settles again after its reversal (a new settlement), and 2601 (冲正) by the
    // settling message's msgid reverses it.
    let (msgid2, out) = his.ok("2207", input.clone()).await;
    let setl_id2 = out["setlinfo"]["setl_id"].as_str().unwrap().to_string();
    assert_ne!(setl_id2, setl_id);
    his.ok(
        "2601",
        json!({"data": {"psn_no": psn_no, "omsgid": msgid2, "oinfno": "2207"}}),
    )
    .await;
    his.fails(
        "2208",
        json!({"data": {"setl_id": setl_id2, "mdtrt_id": mdtrt_id, "psn_no": psn_no}}),
    )
    .await;
    // Repeating the correction is harmless; an unknown message is named.
    his.ok(
        "2601",
        json!({"data": {"psn_no": psn_no, "omsgid": msgid2, "oinfno": "2207"}}),
    )
    .await;
    let bad = his
        .fails("2601", json!({"data": {"psn_no": psn_no, "omsgid": "H50011900009202611200000999", "oinfno": "2207"}}))
        .await;
    assert_eq!(bad["err_code"], "national.correction_unknown");

    // Unwind: 2205 (0000 = every line), 2202; the cancelled visit settles nothing.
    his.ok(
        "2205",
        json!({"data": {"mdtrt_id": mdtrt_id, "chrg_bchno": "0000", "psn_no": psn_no}}),
    )
    .await;
    his.ok(
        "2202",
        json!({"data": {"psn_no": psn_no, "mdtrt_id": mdtrt_id, "ipt_otp_no": "MZ202611200001"}}),
    )
    .await;
    let bad = his.fails("2206", settle_data(json!(473.45), "11")).await;
    assert_eq!(bad["err_code"], "national.visit_cancelled");
});

both_stores_with_demo!(
    national_inpatient_flow_with_the_social_security_card,
    |app| {
        app.demo().await;
        let token = institution(app).await;
        let wang = person_id(app, "演示·王建国").await;
        // A client that never signs in.
        let mut his = His {
            app,
            token,
            seq: 100,
            sign_no: Value::Null,
            insuplc: json!(""),
        };
        // 1101 with the social security card (03): the card number is unknown here, psn_no names
        // the person; without psn_no a card number is refused by name.
        let bad = his
        .fails("1101", json!({"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "A01234567", "card_sn": "B7654321"}}))
        .await;
        assert_eq!(bad["err_code"], "national.card");
        let (_, out) = his
        .ok("1101", json!({"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "A01234567", "card_sn": "B7654321", "psn_no": wang}}))
        .await;
        let psn_no = out["baseinfo"]["psn_no"].as_str().unwrap().to_string();
        his.insuplc = out["insuinfo"][0]["insuplc_admdvs"].clone();

        // 2401 admission: result.mdtrt_id.
        let (_, out) = his
        .ok("2401", json!({
            "mdtrtinfo": {"psn_no": psn_no, "insutype": "310", "coner_name": null, "tel": null,
                "begntime": "2026-11-10 08:00:00", "mdtrt_cert_type": "03", "mdtrt_cert_no": "A01234567",
                "med_type": "21", "ipt_no": "ZY20261110001", "medrcdno": null, "atddr_no": "D002",
                "chfpdr_name": "医生乙", "adm_diag_dscr": "肺炎", "adm_dept_codg": "HX",
                "adm_dept_name": "呼吸科", "adm_bed": "12", "dscg_maindiag_code": "J18.900",
                "dscg_maindiag_name": "肺炎", "main_cond_dscr": null, "dise_codg": null, "dise_name": null,
                "oprn_oprt_code": null, "oprn_oprt_name": null, "fpsc_no": null, "matn_type": null,
                "birctrl_type": null, "latechb_flag": null, "geso_val": null, "fetts": null,
                "fetus_cnt": null, "pret_flag": null, "birctrl_matn_date": null, "dise_type_code": null},
            "diseinfo": diseinfo(&psn_no)
        }))
        .await;
        let mdtrt_id = out["result"]["mdtrt_id"].as_str().unwrap().to_string();

        // 2403 corrects the stay: 24 (emergency → inpatient) from now on.
        his.ok(
            "2403",
            json!({"adminfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": "24",
            "begntime": "2026-11-10 07:30:00", "endtime": null, "ipt_otp_no": "ZY20261110001"},
            "diseinfo": diseinfo(&psn_no)}),
        )
        .await;
        // 2301 daily uploads (no chrg_bchno; serials unique within the stay).
        let line = |sn: &str, code: &str, amount: Value, lv: &str| {
            json!({"feedetl_sn": sn, "init_feedetl_sn": null, "mdtrt_id": mdtrt_id, "drord_no": null,
               "psn_no": psn_no, "med_type": "21", "fee_ocur_time": "2026-11-11 10:00:00",
               "med_list_codg": code, "medins_list_codg": format!("HIS-{code}"),
               "det_item_fee_sumamt": amount, "cnt": "1.0000", "pric": amount, "bilg_dept_codg": "HX",
               "bilg_dept_name": "呼吸科", "bilg_dr_codg": "D002", "bilg_dr_name": "医生乙",
               "hosp_appr_flag": "1", "chrgitm_lv": lv, "memo": null, "exp_content": null})
        };
        let (_, out) = his
        .ok("2301", json!({"feedetail": [line("ZY0001", "S001", json!(3000.0), "01"), line("ZY0002", "D003", json!("50.00"), "03")]}))
        .await;
        assert_eq!(out["result"].as_array().unwrap().len(), 2);
        his.ok(
            "2301",
            json!({"feedetail": [line("ZY0003", "S002", json!(500), "01")]}),
        )
        .await;

        // 2303 with the card number alone: the visit names the person.
        let (_, pre) = his
            .ok("2303", json!({"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "A01234567", "card_sn": "B7654321",
                                         "medfee_sumamt": "3550.00", "psn_setlway": "01", "mdtrt_id": mdtrt_id,
                                         "insutype": "310", "acct_used_flag": "1", "mid_setl_flag": "0"}}))
            .await;
        assert_eq!(pre["setlinfo"]["psn_no"], psn_no.as_str());
        let data = |medfee: Value| {
            json!({"data": {"psn_no": psn_no, "mdtrt_cert_type": "03", "mdtrt_cert_no": "A01234567",
                        "medfee_sumamt": medfee, "psn_setlway": "01", "mdtrt_id": mdtrt_id,
                        "insutype": "310", "acct_used_flag": "1", "invono": null, "mid_setl_flag": "0",
                        "fulamt_ownpay_amt": null, "overlmt_selfpay": null, "preselfpay_amt": null,
                        "inscp_scp_amt": null, "dscgTime": "2026-11-20"}})
        };
        his.fails("2303", data(json!(3500.0))).await;
        let (_, pre) = his.ok("2303", data(json!(3550.0))).await;
        check_setlinfo(&pre["setlinfo"], "24");
        let (_, out) = his.ok("2304", data(json!(3550.0))).await;
        let s = &out["setlinfo"];
        check_setlinfo(s, "24");
        assert_eq!(s["clr_type"], "21");
        assert_eq!(s["hifp_pay"], pre["setlinfo"]["hifp_pay"]);
        assert!(fen(&s["hifp_pay"]) > 0, "{s}");
        let setl_id = s["setl_id"].as_str().unwrap().to_string();
        let (_, again) = his.ok("2304", data(json!(3550.0))).await;
        assert_eq!(again["setlinfo"]["setl_id"], setl_id.as_str());

        // 2402 discharge; the stay's settlement blocks 2405 until 2305 reverses it.
        his.ok(
            "2402",
            json!({
                "dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": "310",
                             "endtime": "2026-11-20 10:00:00", "dise_codg": null, "dise_name": null,
                             "oprn_oprt_code": null, "oprn_oprt_name": null, "cop_flag": null,
                             "dscg_dept_codg": "HX", "dscg_dept_name": "呼吸科", "dscg_bed": "12",
                             "dscg_way": "1", "die_date": null},
                "diseinfo": diseinfo(&psn_no)
            }),
        )
        .await;
        let bad = his
            .fails(
                "2405",
                json!({"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}}),
            )
            .await;
        assert!(bad["err_msg"].as_str().unwrap().contains("2305"), "{bad}");
        let (_, rev) = his
        .ok("2305", json!({"data": {"mdtrt_id": mdtrt_id, "setl_id": setl_id, "psn_no": psn_no, "exp_content": null}}))
        .await;
        assert_eq!(fen(&rev["setlinfo"]["medfee_sumamt"]), -355000);
        his.ok(
            "2405",
            json!({"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}}),
        )
        .await;
        // 2404 waits for the fee lines to go (2302, sent as an array as NMG does).
        let bad = his
            .fails(
                "2404",
                json!({"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}}),
            )
            .await;
        assert_eq!(bad["err_code"], "national.fees_remain");
        let bad = his
            .fails(
                "2302",
                json!({"data": [{"feedetl_sn": "ZY0009", "mdtrt_id": mdtrt_id, "psn_no": psn_no}]}),
            )
            .await;
        assert!(bad["err_msg"].as_str().unwrap().contains("ZY0009"), "{bad}");
        // Two lines by serial in one message, then the rest with 0000.
        his.ok("2302", json!({"data": [{"feedetl_sn": "ZY0001", "mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null},
                                   {"feedetl_sn": "ZY0002", "mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}]}))
        .await;
        his.ok("2302", json!({"data": [{"feedetl_sn": "0000", "mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}]}))
        .await;
        his.ok(
            "2404",
            json!({"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "exp_content": null}}),
        )
        .await;
    }
);

/// Logs the demo citizen 王建国 in, activates his e-voucher on its page and reads the token the
/// page shows under its QR code.
async fn voucher_token(b: &mut common::Browser<'_>) -> String {
    let page = b.get("/account/evoucher").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    if common::page::count(&page.body, "#activate") == 1 {
        let r = b.post_form("/account/evoucher", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let page = b.get("/account/evoucher").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        common::page::count(&page.body, "#qr svg"),
        1,
        "{}",
        page.body
    );
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "no-store",
        "a token is not cached"
    );
    common::page::one_text(&page.body, "#token")
}

both_stores_with_demo!(national_e_voucher_tokens, |app| {
    let demo = app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    assert_eq!(demo.citizens[0].login, wang);
    let mut citizen = app.browser();
    citizen.get("/login").await;
    citizen
        .post_form(
            "/login/citizen",
            &[
                ("id_number", &wang),
                ("password", &demo.citizens[0].password),
            ],
        )
        .await;
    let qr = voucher_token(&mut citizen).await;
    assert!(qr.starts_with("EV1."), "{qr}");
    let mut his = His {
        app,
        token: token.clone(),
        seq: 200,
        sign_no: Value::Null,
        insuplc: json!("500119"),
    };
    // 1101 with the token alone: the token names the person (verified offline).
    let (_, out) = his
        .ok(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr, "psn_no": null, "certno": ""}}),
        )
        .await;
    assert_eq!(out["baseinfo"]["certno"], wang.as_str());
    // Registration and settlement with the token (no psn_no).
    let (_, out) = his
        .ok("2201", json!({"data": {"insutype": "310", "begntime": "2026-11-20 09:00:00",
            "mdtrt_cert_type": "01", "mdtrt_cert_no": qr, "ipt_otp_no": "MZ9",
            "atddr_no": "D1", "dr_name": "医生甲", "dept_code": "NK", "dept_name": "内科", "caty": "A03"}}))
        .await;
    assert_eq!(out["data"]["psn_no"], wang.as_str());
    let mdtrt_id = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
    let (_, out) = his
        .ok("2207", json!({
            "data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr,
                     "med_type": "11", "medfee_sumamt": 300.0, "psn_setlway": "01", "mdtrt_id": mdtrt_id,
                     "chrg_bchno": "B1", "acct_used_flag": "0", "insutype": "310"},
            "feedetail": [outpatient_lines(&mdtrt_id, &wang, "B1", "Q")[0].clone()]
        }))
        .await;
    check_setlinfo(&out["setlinfo"], "11");
    assert_eq!(out["setlinfo"]["mdtrt_cert_type"], "01");
    assert_eq!(out["setlinfo"]["psn_no"], wang.as_str());
    // A psn_no naming someone else beside the token is refused.
    let bad = his
        .fails(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr, "psn_no": "500119196503120311"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.person_mismatch", "{bad}");

    // Forged: another signature, or the person changed under the same signature.
    let (signed, sig) = qr.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    for forged in [
        format!("{signed}.{flipped}{}", &sig[1..]),
        qr.replace(&wang, "11010519491231002X"),
    ] {
        let bad = his
            .fails(
                "1101",
                json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": forged}}),
            )
            .await;
        assert_eq!(bad["err_code"], "evoucher.token_forged", "{bad}");
        assert!(bad["err_msg"].as_str().unwrap().contains("签名"), "{bad}");
    }
    // Not a token at all (what a client sends when it read something else).
    let bad = his
        .fails(
            "2201",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "EVT-2c6b1f0e", "psn_no": wang, "ipt_otp_no": "MZ10"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "evoucher.token_malformed", "{bad}");
    // 01 without a token still works with psn_no (clients that read the person elsewhere).
    let (_, out) = his
        .ok(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "", "psn_no": wang}}),
        )
        .await;
    assert_eq!(out["baseinfo"]["certno"], wang.as_str());
    let bad = his
        .fails(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": null}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.evoucher");

    // Expired: the same token four minutes later (valid three).
    let later =
        app.later(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 22, 9, 4, 0).unwrap());
    let env = |msgid: &str, data: Value| {
        json!({"infno": "1101", "msgid": msgid, "fixmedins_code": CODE,
        "inf_time": "2026-11-22 17:04:00", "input": {"data": data}})
    };
    let r = later
        .call(
            "POST",
            "/api/v1/national",
            Some(&token),
            Some(env(
                "M-EXP-1",
                json!({"mdtrt_cert_type": "01", "mdtrt_cert_no": qr}),
            )),
        )
        .await;
    let v = r.json();
    assert_eq!(v["infcode"], -1, "{v}");
    assert_eq!(v["err_code"], "evoucher.token_expired", "{v}");
    assert!(v["err_msg"].as_str().unwrap().contains("过期"), "{v}");

    // Revoked by the holder (挂失): the token drawn before is refused, by its own code.
    let page = citizen.get("/account/evoucher").await;
    let voucher: String = common::page::table_rows(&page.body, "#vouchers")[1][0].clone();
    let r = citizen
        .post_form(
            &format!("/account/evoucher/{voucher}/revoke"),
            &[("reason", "lost")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unconfirmed: {}",
        r.body
    );
    let r = citizen
        .post_form(
            &format!("/account/evoucher/{voucher}/revoke"),
            &[("reason", "lost"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(common::page::one_text(&r.body, "#notice").contains("挂失"));
    let bad = his
        .fails(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr}}),
        )
        .await;
    assert_eq!(bad["err_code"], "evoucher.revoked", "{bad}");
    // Settlement refuses it too.
    let bad = his
        .fails(
            "2206",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr,
            "med_type": "11", "mdtrt_id": mdtrt_id, "chrg_bchno": "B1", "insutype": "310"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "evoucher.revoked", "{bad}");

    // A new voucher (领取 again) gives a token that works; a clerk of Nanchuan revokes it (注销).
    let qr2 = voucher_token(&mut citizen).await;
    assert_ne!(qr2, qr);
    his.ok(
        "1101",
        json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr2}}),
    )
    .await;
    let pid = {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::enrolment::find_person(&mut tx, &wang.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let mut clerk = app.browser();
    clerk.get("/login").await;
    clerk
        .post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.clerk"),
                ("password", "demo-nanchuan-clerk"),
            ],
        )
        .await;
    let page = clerk.get(&format!("/staff/persons/{pid}/evoucher")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = common::page::table_rows(&page.body, "#vouchers");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][2], "有效");
    assert_eq!(rows[2][2], "已停用");
    let active = rows[1][0].clone();
    let r = clerk
        .post_form(
            &format!("/staff/persons/{pid}/evoucher/{active}/revoke"),
            &[("reason", "deregistered"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bad = his
        .fails(
            "1101",
            json!({"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": qr2}}),
        )
        .await;
    assert_eq!(bad["err_code"], "evoucher.revoked", "{bad}");
    // A second revocation is refused; the page tells it.
    let r = clerk
        .post_form(
            &format!("/staff/persons/{pid}/evoucher/{active}/revoke"),
            &[("reason", "deregistered"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Another district's clerk cannot see Wang's vouchers.
    let mut other = app.browser();
    other.get("/login").await;
    other
        .post_form(
            "/login/staff",
            &[
                ("username", "youyang.clerk"),
                ("password", "demo-youyang-clerk"),
            ],
        )
        .await;
    let page = other.get(&format!("/staff/persons/{pid}/evoucher")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
});

/// Clients retry on a timeout with a new msgid while the first call may still be running: eight
/// 2201 of one serial open one visit, and eight 2207 of one batch at the same time (real
/// parallelism) settle it once and all answer the same setl_id.
async fn concurrent_retries(app: std::sync::Arc<TestApp>) {
    app.demo().await;
    let token = institution(&app).await;
    let wang = person_id(&app, "演示·王建国").await;
    let mut his = His {
        app: &app,
        token: token.clone(),
        seq: 300,
        sign_no: Value::Null,
        insuplc: json!("500119"),
    };
    // Eight simultaneous registrations under one serial open one visit.
    let regs: Vec<_> = (0..8)
        .map(|i| {
            let (app, token) = (app.clone(), token.clone());
            let env = json!({"infno": "2201", "msgid": format!("{CODE}202611200900{i:06}"),
                "fixmedins_code": CODE, "inf_time": "2026-11-20 09:00:00",
                "input": {"data": {"psn_no": wang, "insutype": "310", "begntime": "2026-11-20 09:00:00",
                    "mdtrt_cert_type": "02", "mdtrt_cert_no": wang, "ipt_otp_no": "MZ-C1",
                    "atddr_no": "D1", "dr_name": "医生甲", "dept_code": "NK", "dept_name": "内科", "caty": "A03"}}});
            tokio::spawn(async move {
                app.post_json("/api/v1/national", Some(&token), env)
                    .await
                    .json()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in regs {
        let v = t.await.unwrap();
        assert_eq!(v["infcode"], 0, "{v}");
        ids.push(
            v["output"]["data"]["mdtrt_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert!(ids.iter().all(|m| *m == ids[0]), "{ids:?}");
    let out = json!({"data": {"mdtrt_id": ids[0]}});
    let mdtrt_id = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
    his.ok(
        "2204",
        json!({"feedetail": outpatient_lines(&mdtrt_id, &wang, "CB-C", "C")}),
    )
    .await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (app, token) = (app.clone(), token.clone());
            let env = json!({"infno": "2207", "msgid": format!("{CODE}202611200930{i:06}"),
                "fixmedins_code": CODE, "inf_time": "2026-11-20 09:30:00", "infver": "V1.0",
                "input": {"data": {"psn_no": wang, "mdtrt_cert_type": "02", "mdtrt_cert_no": wang,
                    "med_type": "11", "medfee_sumamt": 473.45, "psn_setlway": "01",
                    "mdtrt_id": mdtrt_id, "chrg_bchno": "CB-C", "acct_used_flag": "1", "insutype": "310"}}});
            tokio::spawn(async move {
                app.post_json("/api/v1/national", Some(&token), env)
                    .await
                    .json()
            })
        })
        .collect();
    let mut setl_ids = Vec::new();
    for t in tasks {
        let v = t.await.unwrap();
        assert_eq!(v["infcode"], 0, "{v}");
        setl_ids.push(v["output"]["setlinfo"]["setl_id"].clone());
    }
    assert!(setl_ids.iter().all(|s| *s == setl_ids[0]), "{setl_ids:?}");
    let mut tx = app.services.store().begin().await.unwrap();
    let inst = yibao_store::institution::find_by_code(&mut tx, CODE)
        .await
        .unwrap()
        .unwrap();
    assert!(
        yibao_store::settlement::find(&mut tx, inst.id, &format!("N:{mdtrt_id}/CB-C#2"))
            .await
            .unwrap()
            .is_none(),
        "settled once"
    );
}

mod national_concurrent_retries_settle_once {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let app =
            std::sync::Arc::new(super::TestApp::with_demo(yibao_store::Backend::Sqlite).await);
        super::concurrent_retries(app.clone()).await;
        if let Ok(app) = std::sync::Arc::try_unwrap(app) {
            app.finish().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        let app =
            std::sync::Arc::new(super::TestApp::with_demo(yibao_store::Backend::Postgres).await);
        super::concurrent_retries(app.clone()).await;
        if let Ok(app) = std::sync::Arc::try_unwrap(app) {
            app.finish().await;
        }
    }
}

/// One 2204 line as clients send it, with the national and the hospital's own code.
fn coded_line(mdtrt_id: &str, psn_no: &str, sn: &str, national: Value, ours: &str) -> Value {
    json!({"feedetl_sn": sn, "mdtrt_id": mdtrt_id, "psn_no": psn_no, "chrg_bchno": "CB1",
        "rx_circ_flag": "0", "fee_ocur_time": "2026-11-20 09:20:00", "med_list_codg": national,
        "medins_list_codg": ours, "det_item_fee_sumamt": 100.0, "cnt": 1, "pric": 100.0,
        "bilg_dept_codg": "NK", "bilg_dept_name": "内科", "bilg_dr_codg": "D001",
        "bilg_dr_name": "医生甲", "hosp_appr_flag": "1", "chrgitm_lv": null, "selfpay_prop": null})
}

both_stores_with_demo!(national_catalogue_download_and_mapping, |app| {
    app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    let mut his = His {
        app,
        token,
        seq: 400,
        sign_no: Value::Null,
        insuplc: json!("500119"),
    };
    // Nothing to download or map before the care region has a catalogue.
    let bad = his.fails("1312", json!({"data": {"ver": "0"}})).await;
    assert_eq!(bad["err_code"], "national.no_catalogue");
    let admin = app.staff_token("cq.admin").await;
    let head = "code,name,kind,category,self_pay_share_bp,price_cap,effective_from,effective_to\n";
    for (version, rows) in [
        (1, "XM-A,诊查费,service,a,,,2026-01-01,\nYP-B,演示乙类药,drug,b,2000,,2026-01-01,\nHC-C,演示耗材,material,c,,,2026-01-01,\n"),
        (2, "XM-A,诊查费,service,a,,,2026-01-01,\nYP-B,演示乙类药,drug,b,3000,5000,2026-01-01,\nYP-N,新增药,drug,a,,,2026-01-01,\n"),
    ] {
        let r = app
            .post_json(
                "/api/v1/admin/benefit/catalogues",
                Some(&admin),
                json!({"region_code": "500119", "version": version, "csv": format!("{head}{rows}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let codes = |out: &Value| -> Vec<String> {
        out["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}:{}",
                    r["hilist_code"].as_str().unwrap(),
                    r["vali_flag"].as_str().unwrap()
                )
            })
            .collect()
    };
    // Everything of the newest version, as 1312 rows.
    let (_, out) = his
        .ok(
            "1312",
            json!({"data": {"updt_time": "2026-01-01", "page_num": 1, "page_size": 100}}),
        )
        .await;
    assert_eq!(out["ver"], "2");
    assert_eq!(codes(&out), ["XM-A:1", "YP-B:1", "YP-N:1"]);
    let b = &out["data"][1];
    assert_eq!(b["chrgitm_lv"], "02");
    assert_eq!(b["list_type"], "101");
    assert_eq!(b["selfpay_prop"], 0.3);
    assert_eq!(b["hilist_pric_uplmt_amt"], 50.0);
    assert_eq!(b["insu_admdvs"], "500119");
    assert_eq!(out["recordCounts"], 3);
    // Holding version 1: what changed (YP-B's share), what is new, what left (vali_flag 0).
    let (_, out) = his.ok("1312", json!({"data": {"ver": "1"}})).await;
    assert_eq!(codes(&out), ["YP-B:1", "YP-N:1", "HC-C:0"]);
    // Holding the newest: nothing; paging over the full list.
    let (_, out) = his.ok("1312", json!({"data": {"ver": "2"}})).await;
    assert_eq!(out["recordCounts"], 0);
    let (_, out) = his
        .ok("1312", json!({"data": {"page_num": "2", "page_size": "2"}}))
        .await;
    assert_eq!(codes(&out), ["YP-N:1"]);
    assert_eq!(out["pages"], 2);
    assert_eq!(out["lastPage"], true);
    let (_, out) = his.ok("1312", json!({"data": {"list_type": "201"}})).await;
    assert_eq!(codes(&out), ["XM-A:1"]);
    let bad = his.fails("1312", json!({"data": {"ver": "v1"}})).await;
    assert_eq!(bad["err_code"], "national.ver");

    // 目录对照: the hospital's items mapped to national codes; all rows or none.
    his.ok(
        "3301",
        json!({"data": [{"fixmedins_hilist_id": "HIS-001", "fixmedins_hilist_name": "阿莫西林胶囊",
                        "list_type": "101", "med_list_codg": "YP-B", "begndate": "2026-01-01", "enddate": null},
                       {"fixmedins_hilist_id": "HIS-002", "list_type": "201", "med_list_codg": "XM-A"}]}),
    )
    .await;
    his.ok(
        "3301",
        json!({"data": {"fixmedins_hilist_id": "HIS-001", "med_list_codg": "YP-B"}}),
    )
    .await;
    let bad = his
        .fails(
            "3301",
            json!({"data": {"fixmedins_hilist_id": "HIS-001", "med_list_codg": "XM-A"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.mapping_exists");
    let bad = his
        .fails(
            "3301",
            json!({"data": [{"fixmedins_hilist_id": "HIS-003", "med_list_codg": "YP-N"},
                           {"fixmedins_hilist_id": "HIS-004", "med_list_codg": "HC-C"}]}),
        )
        .await;
    assert_eq!(
        bad["err_code"], "national.mapping_code_unknown",
        "HC-C left the catalogue"
    );

    // Settlement: a line without a national code settles under its item's mapping; a line
    // whose code the catalogue lacks and whose item is not mapped is refused by name.
    let (_, out) = his
        .ok(
            "2201",
            json!({"data": {"psn_no": wang, "insutype": "310", "begntime": "2026-11-20 09:00:00",
            "mdtrt_cert_type": "02", "mdtrt_cert_no": wang, "ipt_otp_no": "MZ-M1"}}),
        )
        .await;
    let mdtrt_id = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
    let bad = his
        .fails(
            "2204",
            json!({"feedetail": [coded_line(&mdtrt_id, &wang, "XM5129673", json!(""), "HIS-001"),
                                 coded_line(&mdtrt_id, &wang, "XM5129674", json!("ZZ-9"), "HIS-404")]}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.unmapped", "{bad}");
    let msg = bad["err_msg"].as_str().unwrap();
    assert!(
        msg.contains("XM5129674") && msg.contains("ZZ-9") && msg.contains("HIS-404"),
        "{msg}"
    );
    // A line carrying a level is still refused once the region has a catalogue.
    let mut levelled = coded_line(&mdtrt_id, &wang, "XM5129675", json!("ZZ-9"), "HIS-404");
    levelled["chrgitm_lv"] = json!("01");
    let bad = his.fails("2204", json!({"feedetail": [levelled]})).await;
    assert_eq!(bad["err_code"], "national.unmapped", "{bad}");
    let (_, out) = his
        .ok(
            "2204",
            json!({"feedetail": [coded_line(&mdtrt_id, &wang, "XM5129673", Value::Null, "HIS-001"),
                                 coded_line(&mdtrt_id, &wang, "XM5129676", json!("YP-N"), "HIS-999")]}),
        )
        .await;
    let rows = out["result"].as_array().unwrap();
    // HIS-001 → YP-B: category B with v2's 30 % share and 50 yuan cap.
    assert_eq!(rows[0]["chrgitm_lv"], "02", "{out}");
    assert_eq!(rows[0]["selfpay_prop"], 0.3, "{out}");
    assert_eq!(rows[1]["chrgitm_lv"], "01", "{out}");
    let (_, out) = his
        .ok(
            "2207",
            json!({"data": {"psn_no": wang, "mdtrt_cert_type": "02", "mdtrt_cert_no": wang,
            "med_type": "11", "medfee_sumamt": 200.0, "psn_setlway": "01", "mdtrt_id": mdtrt_id,
            "chrg_bchno": "CB1", "acct_used_flag": "0", "insutype": "310"}}),
        )
        .await;
    check_setlinfo(&out["setlinfo"], "11");
    assert_eq!(fen(&out["setlinfo"]["medfee_sumamt"]), 20000);
    // The stored line carries the mapped national code beside the hospital's.
    let mut tx = app.services.store().begin().await.unwrap();
    let inst = yibao_store::institution::find_by_code(&mut tx, CODE)
        .await
        .unwrap()
        .unwrap();
    let visit = yibao_store::national::find_visit(&mut tx, inst.id, &mdtrt_id)
        .await
        .unwrap()
        .unwrap();
    let lines = yibao_store::national::fee_lines(&mut tx, visit.id, Some("CB1"))
        .await
        .unwrap();
    let mapped = lines.iter().find(|l| l.feedetl_sn == "XM5129673").unwrap();
    assert_eq!(mapped.line_json.med_list_codg, "YP-B");
    assert_eq!(
        mapped.line_json.medins_list_codg.as_deref(),
        Some("HIS-001")
    );
    drop(tx);

    // 3302 withdraws; a withdrawn item no longer maps.
    his.ok("3302", json!({"data": {"fixmedins_code": CODE, "fixmedins_hilist_id": "HIS-001", "list_type": "101", "med_list_codg": "YP-B"}}))
        .await;
    let bad = his
        .fails("3302", json!({"data": {"fixmedins_hilist_id": "HIS-001"}}))
        .await;
    assert_eq!(bad["err_code"], "national.mapping_unknown");
    let (_, out) = his
        .ok(
            "2201",
            json!({"data": {"psn_no": wang, "insutype": "310", "begntime": "2026-11-20 10:00:00",
            "mdtrt_cert_type": "02", "mdtrt_cert_no": wang, "ipt_otp_no": "MZ-M2"}}),
        )
        .await;
    let second = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
    let bad = his
        .fails(
            "2204",
            json!({"feedetail": [coded_line(&second, &wang, "XM1", json!(""), "HIS-001")]}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.unmapped", "{bad}");
    assert!(bad["err_msg"].as_str().unwrap().contains("XM1"));
});

both_stores_with_demo!(national_sign_in_sessions, |app| {
    app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    let mut his = His {
        app,
        token,
        seq: 500,
        sign_no: Value::Null,
        insuplc: json!("500119"),
    };
    let person = json!({"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": wang}});
    // Without a sign_no a call is accepted (clients differ; the token names the institution).
    his.ok("1101", person.clone()).await;
    // A sign_no never issued is refused, by its own code.
    his.sign_no = json!("500119202611200900000000000001");
    let bad = his.fails("1101", person.clone()).await;
    assert_eq!(bad["err_code"], "national.sign_no_unknown", "{bad}");
    // 9001 issues one; calls under it pass.
    his.sign_no = Value::Null;
    let (_, out) = his
        .ok(
            "9001",
            json!({"signIn": {"opter_no": "0001", "mac": "00-16-3E-00-00-01", "ip": "10.0.0.8"}}),
        )
        .await;
    let sign_no = out["signinoutb"]["sign_no"].as_str().unwrap().to_string();
    assert_eq!(sign_no.len(), 30);
    his.sign_no = json!(sign_no);
    his.ok("1101", person.clone()).await;
    // Another institution cannot use it.
    let other = app
        .nanchuan_hospital_token("H50011900077", "另一医院")
        .await;
    let env = json!({"infno": "1101", "msgid": "H500119000772026112009000001",
        "fixmedins_code": "H50011900077", "sign_no": sign_no, "input": person});
    let r = app.post_json("/api/v1/national", Some(&other), env).await;
    assert_eq!(
        r.json()["err_code"],
        "national.sign_no_unknown",
        "{}",
        r.body
    );
    // 9002 closes it (SZ sends the sign_no in signOut); later calls under it are refused.
    let (_, out) = his
        .ok(
            "9002",
            json!({"signOut": {"sign_no": sign_no, "opter_no": "0001"}}),
        )
        .await;
    assert!(is_datetime(&out["signoutoutb"]["sign_time"]));
    let bad = his.fails("1101", person.clone()).await;
    assert_eq!(bad["err_code"], "national.signed_out", "{bad}");
    assert!(bad["err_msg"].as_str().unwrap().contains("9001"));
    // A retried 9002 succeeds; one naming an unknown session does not; one naming none does.
    his.ok("9002", json!({"signOut": {"sign_no": sign_no}}))
        .await;
    his.sign_no = Value::Null;
    let bad = his
        .fails(
            "9002",
            json!({"signOut": {"sign_no": "500119202611200900000000000002"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.sign_no_unknown");
    his.ok("9002", json!({"signOut": {"opter_no": "0001"}}))
        .await;
});

// ------------------------------------------------------------------------------------------------
// 9101 → 3202 → 9102: reconciliation of details (对明细账) as the NMG client drives it
// (docs/national.md "Reconciliation of details"): the detail lines written tab-separated to a
// .txt, zipped, sent Base64 in fsUploadIn.in; 3202 names the file_qury_no; 9102 answers the
// result zip, whose result.txt the client splits by tab into ten columns.

/// A zip as .NET's `ZipFile.CreateFromDirectory` makes it: one deflated text file.
fn zipped(name: &str, text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(name, options).unwrap();
    zip.write_all(text).unwrap();
    zip.finish().unwrap().into_inner()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// result.txt of a 9102 answer, split by tab.
fn result_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name("result.txt")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// One settlement as the HIS recorded it.
#[derive(Clone)]
struct Recorded {
    setl_id: String,
    mdtrt_id: String,
    msgid: String,
    medfee: i64,
    funds: i64,
    acct: i64,
}

impl Recorded {
    /// The detail line (SZ's column order), amounts in yuan; a refund line negated.
    fn line(&self, psn_no: &str, refund: bool) -> String {
        let s = if refund { -1 } else { 1 };
        let y = |f: i64| yibao_domain::Fen(s * f).yuan_string();
        format!(
            "{}\t{}\t{psn_no}\t{}\t{}\t{}\t{}\r\n",
            self.setl_id,
            self.mdtrt_id,
            y(self.medfee),
            y(self.funds),
            y(self.acct),
            if refund { "1" } else { "0" }
        )
    }
}

impl His<'_> {
    /// 2201 → 2203 → 2204 → 2207 for one visit; what the answer gave.
    async fn settle_visit(&mut self, n: u32, psn_no: &str, wang: &str) -> Recorded {
        let (_, out) = self
            .ok("2201", json!({"data": {"psn_no": psn_no, "insutype": "310",
                "begntime": "2026-11-22 09:00:00", "mdtrt_cert_type": "02", "mdtrt_cert_no": wang,
                "ipt_otp_no": format!("MZ2026112200{n:02}"), "atddr_no": "D001", "dr_name": "医生甲",
                "dept_code": "NK", "dept_name": "内科", "caty": "A03"}}))
            .await;
        let mdtrt_id = out["data"]["mdtrt_id"].as_str().unwrap().to_string();
        self.ok(
            "2203",
            json!({"mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no,
            "med_type": "11", "begntime": "2026-11-22 09:00:00"}, "diseinfo": diseinfo(psn_no)}),
        )
        .await;
        let batch = format!("CB{n:04}");
        self.ok(
            "2204",
            json!({"feedetail": outpatient_lines(&mdtrt_id, psn_no, &batch, &format!("R{n}-"))}),
        )
        .await;
        let (msgid, out) = self
            .ok(
                "2207",
                json!({"data": {"psn_no": psn_no, "mdtrt_cert_type": "02",
                "mdtrt_cert_no": wang, "med_type": "11", "medfee_sumamt": 473.45,
                "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": batch,
                "acct_used_flag": "1", "insutype": "310"}}),
            )
            .await;
        let s = &out["setlinfo"];
        Recorded {
            setl_id: s["setl_id"].as_str().unwrap().to_string(),
            mdtrt_id,
            msgid,
            medfee: fen(&s["medfee_sumamt"]),
            funds: fen(&s["fund_pay_sumamt"]),
            acct: fen(&s["acct_pay"]),
        }
    }

    /// 9101 with `in` as the NMG client sends it (Base64 text); the file_qury_no.
    async fn upload(&mut self, filename: &str, bytes: &[u8]) -> String {
        let (_, out) = self
            .ok(
                "9101",
                json!({"fsUploadIn": {"in": base64_of(bytes), "filename": filename,
                                      "fixmedins_code": "11"}}),
            )
            .await;
        assert_eq!(out["filename"], filename);
        assert_eq!(out["fixmedins_code"], CODE);
        assert!(is_datetime(&out["dld_endtime"]), "{out}");
        let no = out["file_qury_no"].as_str().unwrap().to_string();
        assert_eq!(no.len(), 30, "{no}");
        no
    }

    /// 3202 as NMG sends it (with clr_type); the answer envelope.
    async fn reconcile_details(&mut self, file_qury_no: &str, days: (&str, &str)) -> Value {
        self.send(
            "3202",
            json!({"data": {"setl_optins": "500119", "clr_type": "11", "file_qury_no": file_qury_no,
                "stmt_begndate": days.0, "stmt_enddate": days.1, "medfee_sumamt": 1420.35,
                "fund_pay_sumamt": "100.00", "cash_payamt": 0, "fixmedins_setl_cnt": 3}}),
        )
        .await
        .1
    }

    /// 9102 as the NMG client sends it; the raw answer (a file, or an error envelope).
    async fn download(&mut self, file_qury_no: &str, filename: &str) -> common::Reply {
        let env = json!({"infno": "9102", "msgid": self.msgid(), "mdtrtarea_admvs": "500119",
            "insuplc_admdvs": "", "recer_sys_code": "YBXT", "infver": "V1.0", "opter_type": "1",
            "opter": "0001", "opter_name": "收费员甲", "inf_time": "2026-11-22 17:30:00",
            "fixmedins_code": CODE, "fixmedins_name": "演示医院", "sign_no": self.sign_no,
            "input": {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": filename,
                                       "fixmedins_code": CODE}}});
        self.app
            .post_json("/api/v1/national", Some(&self.token), env)
            .await
    }

    /// 9101 → 3202 → 9102 over today: the result rows.
    async fn reconcile_file(&mut self, upload: &[u8]) -> Vec<Vec<String>> {
        let no = self.upload("医保对账20261122", upload).await;
        let v = self
            .reconcile_details(&no, ("2026-11-22", "2026-11-22"))
            .await;
        assert_eq!(v["infcode"], 0, "{v}");
        let info = &v["output"]["fileinfo"];
        assert!(is_datetime(&info["dld_endtime"]), "{info}");
        let filename = info["filename"].as_str().unwrap().to_string();
        assert!(filename.ends_with(".zip"), "{filename}");
        let r = self
            .download(info["file_qury_no"].as_str().unwrap(), &filename)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/octet-stream");
        assert!(r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&filename));
        let rows = result_rows(&r.bytes);
        assert!(rows.iter().all(|r| r.len() == 10), "{rows:?}");
        rows
    }
}

/// The row of `setl_id` (refund flag `refd`) in a result: (stmt_rslt, memo).
fn row_of<'a>(rows: &'a [Vec<String>], setl_id: &str, refd: &str) -> (&'a str, &'a str) {
    let r = rows
        .iter()
        .find(|r| r[2] == setl_id && r[5] == refd)
        .unwrap_or_else(|| panic!("{setl_id}/{refd} in {rows:?}"));
    (&r[4], &r[6])
}

both_stores_with_demo!(national_reconciliation_of_details, |app| {
    app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    let mut his = His {
        app,
        token,
        seq: 700,
        sign_no: Value::Null,
        insuplc: json!("500119"),
    };
    let (_, out) = his
        .ok(
            "9001",
            json!({"signIn": {"opter_no": "0001", "mac": "00-16-3E-00-00-01", "ip": "10.0.0.8"}}),
        )
        .await;
    his.sign_no = out["signinoutb"]["sign_no"].clone();
    let psn_no = wang.clone();
    let a = his.settle_visit(1, &psn_no, &wang).await;
    let b = his.settle_visit(2, &psn_no, &wang).await;
    let c = his.settle_visit(3, &psn_no, &wang).await;
    assert!(a.funds > 0 && b.funds > 0, "the pooled fund paid a share");
    // C is reversed (2208): the HIS records a refund line (退费结算) with the negated amounts.
    his.ok(
        "2208",
        json!({"data": {"setl_id": c.setl_id, "mdtrt_id": c.mdtrt_id, "psn_no": psn_no}}),
    )
    .await;
    let all = [
        a.line(&psn_no, false),
        b.line(&psn_no, false),
        c.line(&psn_no, false),
        c.line(&psn_no, true),
    ];
    let text = |lines: &[String]| lines.concat().into_bytes();

    // A matching file: every row agrees (stmt_rslt 0), with the settling msgid for 2601.
    let rows = his
        .reconcile_file(&zipped("医保对账20261122.txt", &text(&all)))
        .await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        rows.iter().all(|r| r[4] == "0" && r[6].is_empty()),
        "{rows:?}"
    );
    let ra = rows.iter().find(|r| r[2] == a.setl_id).unwrap();
    assert_eq!(ra[0], psn_no);
    assert_eq!(ra[1], a.mdtrt_id);
    assert_eq!(ra[3], a.msgid);
    assert_eq!(ra[7], yibao_domain::Fen(a.medfee).yuan_string());
    let rc = rows
        .iter()
        .find(|r| r[2] == c.setl_id && r[5] == "1")
        .unwrap();
    assert_eq!(ra[9], yibao_domain::Fen(a.acct).yuan_string());
    assert_eq!(rc[7], yibao_domain::Fen(-c.medfee).yuan_string());

    // A missing line (B), sent as plain text with a byte-order mark and LF.
    let mut missing = "\u{feff}".to_string();
    for l in [&all[0], &all[2], &all[3]] {
        missing.push_str(&l.replace("\r\n", "\n"));
    }
    let rows = his.reconcile_file(missing.as_bytes()).await;
    assert_eq!(rows.len(), 4);
    let (rslt, memo) = row_of(&rows, &b.setl_id, "0");
    assert_eq!(rslt, "1");
    assert!(memo.contains("机构明细中无此结算"), "{memo}");
    assert_eq!(row_of(&rows, &a.setl_id, "0").0, "0");

    // An extra line the platform does not know.
    let mut extra = all.to_vec();
    extra.push(format!(
        "ST999999999999\tMD999999999999\t{psn_no}\t10.00\t5.00\t0.00\t0\r\n"
    ));
    let rows = his.reconcile_file(&zipped("a.txt", &text(&extra))).await;
    assert_eq!(rows.len(), 5);
    let (rslt, memo) = row_of(&rows, "ST999999999999", "0");
    assert_eq!(rslt, "1");
    assert!(
        memo.contains("平台无此结算") && memo.contains("第 5 行"),
        "{memo}"
    );

    // An amount one fen off.
    let mut fen_off = all.to_vec();
    fen_off[1] = Recorded {
        medfee: b.medfee + 1,
        ..b.clone()
    }
    .line(&psn_no, false);
    let rows = his.reconcile_file(&zipped("a.txt", &text(&fen_off))).await;
    let (rslt, memo) = row_of(&rows, &b.setl_id, "0");
    assert_eq!(rslt, "1");
    let (ours, theirs) = (
        yibao_domain::Fen(b.medfee).yuan_string(),
        yibao_domain::Fen(b.medfee + 1).yuan_string(),
    );
    assert!(
        memo.contains(&format!("医疗费总额：机构 {theirs} 元，平台 {ours} 元")),
        "{memo}"
    );
    assert_eq!(rows.iter().filter(|r| r[4] == "1").count(), 1);

    // The reversed settlement: a HIS that missed the refund differs on that line; one that
    // records the refund with positive amounts and the flag agrees.
    let rows = his.reconcile_file(&zipped("a.txt", &text(&all[..3]))).await;
    let (rslt, memo) = row_of(&rows, &c.setl_id, "1");
    assert_eq!(rslt, "1");
    assert!(memo.contains("机构明细中无此退费结算"), "{memo}");
    assert_eq!(row_of(&rows, &c.setl_id, "0").0, "0");
    let mut positive = all[..3].to_vec();
    positive.push(c.line(&psn_no, false).replace("\t0\r\n", "\t1\r\n"));
    let rows = his.reconcile_file(&zipped("a.txt", &text(&positive))).await;
    assert!(rows.iter().all(|r| r[4] == "0"), "{rows:?}");

    // Days without these settlements: every file line is extra.
    let no = his.upload("a", &zipped("a.txt", &text(&all))).await;
    let v = his
        .reconcile_details(&no, ("2026-11-01", "2026-11-21"))
        .await;
    let info = v["output"]["fileinfo"].clone();
    let r = his
        .download(info["file_qury_no"].as_str().unwrap(), "plc")
        .await;
    let rows = result_rows(&r.bytes);
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|r| r[4] == "1" && r[6].contains("平台无此")),
        "{rows:?}"
    );

    // Java clients may send `in` as an array of byte values.
    let bytes = zipped("a.txt", &text(&all));
    let (_, out) = his
        .ok(
            "9101",
            json!({"fsUploadIn": {"in": bytes, "filename": "java.zip",
                                          "fixmedins_code": CODE}}),
        )
        .await;
    let v = his
        .reconcile_details(
            out["file_qury_no"].as_str().unwrap(),
            ("2026-11-22", "2026-11-22"),
        )
        .await;
    assert_eq!(v["infcode"], 0, "{v}");

    // Broken files are refused by 3202 with a stable code and a Chinese message.
    for (bytes, code) in [
        (b"PK\x03\x04garbage".to_vec(), "national.detail_zip"),
        (
            zipped("a.txt", b"ST1\tMD1\tP1\t1.00\t1.00\t0.00\r\n"),
            "national.detail_columns",
        ),
        (zipped("a.txt", b"\r\n"), "national.detail_empty"),
        (
            zipped("a.txt", b"ST1\tMD1\t\xbd\xe1\t1.00\t1.00\t0.00\t0\r\n"),
            "national.detail_encoding",
        ),
    ] {
        let no = his.upload("bad", &bytes).await;
        let v = his
            .reconcile_details(&no, ("2026-11-22", "2026-11-22"))
            .await;
        assert_eq!(v["infcode"], -1, "{v}");
        assert_eq!(v["err_code"], code, "{v}");
        assert!(v["err_msg"].as_str().unwrap().contains("对账明细"), "{v}");
    }
    // 9101 without data, or with text that is not Base64.
    let bad = his
        .fails(
            "9101",
            json!({"fsUploadIn": {"filename": "x", "fixmedins_code": CODE}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.file_content");
    let bad = his
        .fails(
            "9101",
            json!({"fsUploadIn": {"in": "不是Base64", "filename": "x"}}),
        )
        .await;
    assert_eq!(bad["err_code"], "national.file_content");
    // 3202 naming a result file, or no file at all.
    let result_no = info["file_qury_no"].as_str().unwrap().to_string();
    let v = his
        .reconcile_details(&result_no, ("2026-11-22", "2026-11-22"))
        .await;
    assert_eq!(v["err_code"], "national.file_kind", "{v}");
    let v = his
        .reconcile_details(
            "FQ500119202611220000000000000",
            ("2026-11-22", "2026-11-22"),
        )
        .await;
    assert_eq!(v["err_code"], "national.file_unknown", "{v}");
    let r = his.download("FQ500119202611220000000000000", "plc").await;
    assert_eq!(r.json()["err_code"], "national.file_unknown");

    // Another institution finds neither the upload nor the result.
    let other = app
        .nanchuan_hospital_token("H50011900077", "另一医院")
        .await;
    for no in [&no, &result_no] {
        let env = json!({"infno": "9102", "msgid": "H500119000772026112209000001",
            "fixmedins_code": "H50011900077",
            "input": {"fsDownloadIn": {"file_qury_no": no, "filename": "plc"}}});
        let r = app.post_json("/api/v1/national", Some(&other), env).await;
        assert_eq!(r.headers["content-type"], "application/json", "{}", r.body);
        assert_eq!(r.json()["err_code"], "national.file_unknown", "{}", r.body);
    }
    // The owner downloads its own upload byte for byte; after dld_endtime nobody does.
    let r = his.download(&no, "a").await;
    assert_eq!(r.bytes, zipped("a.txt", &text(&all)));
    let later =
        app.later(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 9, 0, 1).unwrap());
    let env = json!({"infno": "9102", "msgid": "H500119000092026112309000001",
        "fixmedins_code": CODE, "input": {"fsDownloadIn": {"file_qury_no": result_no}}});
    let r = later
        .call("POST", "/api/v1/national", Some(&his.token), Some(env))
        .await;
    assert_eq!(r.json()["err_code"], "national.file_expired", "{}", r.body);
});

// ------------------------------------------------------------------------------------------------
// Seed 000 item 07 (门诊费用跨省直接结算): a Chongqing-insured person's outpatient visit at a Chengdu
// hospital, through the national interface as a HIS drives it. The guide: insured in 川渝 and in
// the benefit period, care in another province, at a 「跨省门诊费用直接结算定点医疗机构」; the
// filing (备案) decides by the insured region's rule (Chongqing: unfiled care goes back to the
// insured region), an emergency counts as filed.

both_stores_with_demo!(cross_province_outpatient_settlement_item_07, |app| {
    use yibao_domain::filing::{
        Filing, FilingJurisdiction, FilingKind, FilingRequest, FilingTarget,
    };
    app.demo().await;
    let sc = app.staff_token("sc.admin").await;
    let code = "H51010400061";
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&sc), json!({"code": code,
            "name": "成都跨省门诊医院", "kind": "hospital", "level": "二级", "region_code": "510104",
            "apply": true}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/api/v1/admin/institutions/{code}/agreement");
    for body in [
        json!({"action": "evaluate", "passed": true}),
        json!({"action": "publicise"}),
        json!({"action": "sign", "terms": {"valid_from": "2026-11-22", "valid_until": null,
            "level": "二级", "services": ["门诊"], "methods": ["fee_for_service"],
            "annual_budget_fen": null, "cross_province": false}}),
    ] {
        let r = app.post_json(&path, Some(&sc), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let token = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/tokens"),
            Some(&sc),
            json!({"label": "HIS"}),
        )
        .await
        .json()["token"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    // The HIS of this hospital (its own code in the envelope).
    struct Cd<'a> {
        app: &'a TestApp,
        token: String,
    }
    let cd = Cd { app, token };
    let wang = person_id(app, "演示·王建国").await;
    let chen = person_id(app, "演示·陈小明").await;
    let mut seq = 900;
    let mut call = |infno: &str, input: Value| {
        seq += 1;
        let body = json!({"infno": infno, "msgid": format!("{code}20261122100000{seq:04}"),
            "fixmedins_code": code, "mdtrtarea_admvs": "510104", "infver": "V1.0",
            "input": input});
        let (app, token) = (cd.app, cd.token.clone());
        async move {
            let r = app.post_json("/api/v1/national", Some(&token), body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()
        }
    };
    // One visit: 2201 → 2203 → 2204 → 2207; the last answer.
    async fn visit<F, Fut>(call: &mut F, n: u32, psn: &str, med_type: &str) -> Value
    where
        F: FnMut(&str, Value) -> Fut,
        Fut: std::future::Future<Output = Value>,
    {
        let out = call(
            "2201",
            json!({"data": {"psn_no": psn, "insutype": null,
            "begntime": "2026-11-22 10:00:00", "mdtrt_cert_type": "03", "mdtrt_cert_no": null,
            "ipt_otp_no": format!("CD2026112200{n:02}"), "atddr_no": "D001", "dr_name": "医生甲",
            "dept_code": "NK", "dept_name": "内科", "caty": "A03"}}),
        )
        .await;
        assert_eq!(out["infcode"], 0, "2201: {out}");
        let mdtrt_id = out["output"]["data"]["mdtrt_id"]
            .as_str()
            .unwrap()
            .to_string();
        let out = call(
            "2203",
            json!({"mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": psn,
            "med_type": med_type, "begntime": "2026-11-22 10:00:00"}, "diseinfo": diseinfo(psn)}),
        )
        .await;
        assert_eq!(out["infcode"], 0, "2203: {out}");
        let out = call(
            "2204",
            json!({"feedetail": outpatient_lines(&mdtrt_id, psn, "CB0001", &format!("CD{n}-"))}),
        )
        .await;
        if out["infcode"] != 0 {
            return out;
        }
        call(
            "2207",
            json!({"data": {"psn_no": psn, "mdtrt_cert_type": "03", "mdtrt_cert_no": null,
            "med_type": med_type, "medfee_sumamt": 473.45, "psn_setlway": "01",
            "mdtrt_id": mdtrt_id, "chrg_bchno": "CB0001", "acct_used_flag": "0"}}),
        )
        .await
    }
    let listed = |body: &str| body.contains(code);

    // Not yet a cross-province institution: not on the public list; a Chongqing-insured
    // patient is refused at the first priced step, a Chengdu-insured one (same province) settles.
    let page = app.get("/cross-province").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("门诊费用跨省直接结算") && !listed(&page.body));
    let out = visit(&mut call, 1, &wang, "11").await;
    assert_eq!(
        out["err_code"], "settlement.cross_province_not_open",
        "{out}"
    );
    let out = visit(&mut call, 2, &chen, "11").await;
    assert_eq!(out["infcode"], 0, "same province: {out}");

    // Opened (Sichuan 38): listed; now the filing rule decides. Chongqing sends unfiled care back
    // to the insured region; an emergency (13) counts as filed and settles here.
    let r = app
        .post_json(&path, Some(&sc), json!({"action": "open_cross_province"}))
        .await;
    assert_eq!(r.json()["terms"]["cross_province"], true, "{}", r.body);
    assert!(listed(&app.get("/cross-province").await.body));
    let out = visit(&mut call, 3, &wang, "11").await;
    assert_eq!(out["err_code"], "settlement.not_direct", "{out}");
    let out = visit(&mut call, 4, &wang, "13").await;
    assert_eq!(out["infcode"], 0, "emergency: {out}");

    // With a filing for Chengdu on record (备案到市级), the general outpatient visit settles directly, under
    // the insured region's policy and the care region's catalogue.
    let f = Filing::open(
        FilingRequest {
            id: "F-CQ-SC".into(),
            person: wang.parse().unwrap(),
            kind: FilingKind::LongTermResident,
            jurisdiction: FilingJurisdiction::Chongqing,
            insured_region: "500119".parse().unwrap(),
            target: FilingTarget::City("510100".parse().unwrap()),
            recorded_on: "2026-11-01".parse().unwrap(),
            starts_on: None,
            requested_end: None,
        },
        &yibao_domain::filing::ValidityPolicy::per_seeds(),
    );
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::filing::insert(
            &mut tx,
            &yibao_store::filing::FilingRow {
                id: "F-CQ-SC".into(),
                person_id_number: wang.clone(),
                kind: "LongTermResident".into(),
                target_code: "510100".into(),
                case_number: None,
                filing_json: serde_json::to_string(&f).unwrap(),
                application_json: "{}".into(),
                created_at: "2026-11-01T00:00:00Z".into(),
                updated_at: "2026-11-01T00:00:00Z".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    assert!(f.in_force_on("2026-11-22".parse().unwrap()), "{f:?}");
    let out = visit(&mut call, 5, &wang, "11").await;
    assert_eq!(out["infcode"], 0, "filed: {out}");
    let s = &out["output"]["setlinfo"];
    assert_eq!(s["clr_optins"], "510104", "the care region clears: {s}");
    assert!(fen(&s["fund_pay_sumamt"]) > 0, "{s}");

    // The guide page sends the citizen to the list, not to the agency's window.
    let r = app.get("/guide/chuanyu/07").await;
    assert!(r.body.contains("href=\"/cross-province\""), "{}", r.body);
    assert!(r.body.contains("可跨省直接结算的医疗机构"), "{}", r.body);
    assert!(!r.body.contains("id=\"guide-only\""), "{}", r.body);
});

both_stores_with_demo!(national_social_security_card_register, |app| {
    app.demo().await;
    let token = institution(app).await;
    let wang = person_id(app, "演示·王建国").await;
    let li = person_id(app, "演示·李秀英").await;
    let operator = yibao_service::identity::Actor::System {
        label: "cli:test".into(),
    };
    let mut his = His {
        app,
        token,
        seq: 300,
        sign_no: Value::Null,
        insuplc: json!(""),
    };
    let card = |no: &str, sn: &str| json!({"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": no, "card_sn": sn}});

    // A list with one bad line imports nothing; every problem is named with its line.
    let bad = yibao_service::card::import(
        &app.services,
        &operator,
        format!("card_no,id_number,card_sn,status\nA01234567,{wang},B7654321,正常\nA0000-1,{li},,normal\nA07654321,{li},,丢失\n").as_bytes(),
    )
    .await
    .unwrap_err();
    assert_eq!(bad.code(), "card.import_invalid");
    assert!(
        bad.message().contains("第 3 行") && bad.message().contains("第 4 行"),
        "{}",
        bad.message()
    );
    let refused = his.fails("1101", card("A01234567", "B7654321")).await;
    assert_eq!(
        refused["err_code"], "national.card",
        "not imported: {refused}"
    );

    let r = yibao_service::card::import(
        &app.services,
        &operator,
        format!("card_no,id_number,card_sn,status\na01234567,{wang},b7654321,正常\nA07654321,{li},,normal\n").as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.cards, 2);

    // The card number alone names its holder, as a card reader's client sends it (no psn_no).
    let (_, out) = his.ok("1101", card("A01234567", "B7654321")).await;
    assert_eq!(out["baseinfo"]["psn_no"], json!(wang));
    let (_, out) = his.ok("1101", card("A07654321", "")).await;
    assert_eq!(out["baseinfo"]["psn_no"], json!(li));
    // Another chip under the same number, or someone else's psn_no beside the card: refused.
    let e = his.fails("1101", card("A01234567", "B0000000")).await;
    assert_eq!(e["err_code"], "national.card_sn");
    let mut other = card("A01234567", "B7654321");
    other["data"]["psn_no"] = json!(li);
    let e = his.fails("1101", other).await;
    assert_eq!(e["err_code"], "national.person_mismatch");

    // Reported lost (re-imported with its new status): refused by its status, named in Chinese.
    yibao_service::card::import(
        &app.services,
        &operator,
        format!("A01234567,{wang},B7654321,挂失\n").as_bytes(),
    )
    .await
    .unwrap();
    let e = his.fails("1101", card("A01234567", "B7654321")).await;
    assert_eq!(e["err_code"], "national.card_status");
    assert!(
        e["err_msg"].as_str().unwrap_or_default().contains("挂失"),
        "{e}"
    );

    // The import is in the audit chain.
    let verify = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(verify.ok);
});
