//! The national interface envelope (医疗保障信息平台 定点医药机构接口规范, ../shared/HOSPITAL-INTERFACE.md)
//! over yibao's settlement: a HIS written against the specification sends `infno`, `msgid`,
//! `fixmedins_code`, `input` … and reads `infcode`, `err_msg`, `output`. Supported here: 1101
//! person information, 2206/2207/2208 outpatient and 2303/2304/2305 inpatient pre-settlement,
//! settlement and reversal, with the fee details (2204/2301 fields) in the same `input` as
//! `feedetail`. Amounts on the wire are yuan text with two decimals; fen inside.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use yibao_domain::enrolment::CoverageStatus;
use yibao_domain::{CitizenId, Fen};
use yibao_store::coverage;

use crate::identity::Actor;
use crate::settlement::{self, SettleRequest};
use crate::{ServiceError, Services};

#[derive(Debug, Deserialize)]
struct Envelope {
    infno: String,
    msgid: String,
    #[serde(default)]
    fixmedins_code: String,
    #[serde(default)]
    inf_time: String,
    #[serde(default)]
    input: Value,
}

/// One call: the response envelope, success or not (infcode 0 / -1). Only an actor who is not
/// an institution is refused outright (as the rest of the API refuses it).
pub async fn call(services: &Services, actor: &Actor, body: &[u8]) -> Result<Value, ServiceError> {
    let inst = actor.institution()?;
    let now = services.clock().now_text();
    let env: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) => {
            return Ok(failure(
                "",
                &now,
                "national.envelope",
                &format!("报文格式不正确：{e}"),
            ))
        }
    };
    if env.fixmedins_code != inst.code {
        return Ok(failure(
            &env.msgid,
            &now,
            "national.institution",
            "定点医药机构编码（fixmedins_code）与接入令牌所属机构不一致",
        ));
    }
    let result = match env.infno.as_str() {
        "1101" => person_info(services, &env).await,
        "2206" | "2303" => settle(services, actor, &env, false).await,
        "2207" | "2304" => settle(services, actor, &env, true).await,
        "2208" | "2305" => reverse(services, actor, &env).await,
        other => Err(ServiceError::invalid(
            "national.infno",
            format!("不支持的交易编号 {other}（支持 1101、2206–2208、2303–2305）"),
        )),
    };
    Ok(match result {
        Ok(output) => json!({
            "infcode": 0, "inf_refmsgid": env.msgid, "refmsg_time": now, "respond_time": now,
            "err_msg": "", "output": output
        }),
        Err(e) => failure(&env.msgid, &now, e.code(), &e.message()),
    })
}

fn failure(msgid: &str, now: &str, code: &str, message: &str) -> Value {
    json!({
        "infcode": -1, "inf_refmsgid": msgid, "refmsg_time": now, "respond_time": now,
        "err_msg": message, "err_code": code, "output": null
    })
}

fn data(env: &Envelope) -> &Value {
    env.input.get("data").unwrap_or(&Value::Null)
}

fn text<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The person's certificate number: mdtrt_cert_no with type 02 (resident ID card), or certno.
fn person_of(env: &Envelope) -> Result<CitizenId, ServiceError> {
    let d = data(env);
    let number = text(d, &["mdtrt_cert_no", "certno", "psn_no"]).ok_or_else(|| {
        ServiceError::invalid(
            "national.person",
            "请提供就诊凭证编号（mdtrt_cert_no，证件类型02）",
        )
    })?;
    if text(d, &["mdtrt_cert_type"]).is_some_and(|t| t != "02") {
        return Err(ServiceError::invalid(
            "national.cert_type",
            "本平台以居民身份证（mdtrt_cert_type=02）识别参保人；电子凭证令牌和社保卡请先由终端解析为身份证号码",
        ));
    }
    Ok(number.parse()?)
}

/// 险种类型 (insutype): 310 employee basic medical insurance, 390 resident.
fn insutype(scheme: yibao_domain::enrolment::Scheme) -> &'static str {
    match scheme {
        yibao_domain::enrolment::Scheme::Employee => "310",
        yibao_domain::enrolment::Scheme::Resident => "390",
    }
}

async fn person_info(services: &Services, env: &Envelope) -> Result<Value, ServiceError> {
    let id = person_of(env)?;
    let mut tx = services.store().begin_read().await?;
    let person = yibao_store::enrolment::find_person(&mut tx, &id)
        .await?
        .ok_or_else(|| {
            ServiceError::not_found("national.person_unknown", "未查询到该人员的参保信息")
        })?;
    let covers = coverage::list_for_person(&mut tx, person.id).await?;
    Ok(json!({
        "baseinfo": {
            "psn_no": person.id_number, "psn_cert_type": "01", "certno": person.id_number,
            "psn_name": person.name, "gend": if person.sex == "male" { "1" } else { "2" },
            "brdy": person.birth_date
        },
        "insuinfo": covers.iter().filter(|c| c.status.on_books()).map(|c| json!({
            "insutype": insutype(c.scheme), "insuplc_admdvs": c.region_code,
            "psn_type": c.category,
            "psn_insu_stas": if c.status == CoverageStatus::Active { "1" } else { "2" },
            "psn_insu_date": c.start_date,
        })).collect::<Vec<_>>()
    }))
}

/// Yuan text (or an integer) on the wire to fen.
fn fen_of(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse::<Fen>().ok().map(|f| f.fen()),
        Value::Number(n) if n.is_i64() => n.as_i64().and_then(|y| y.checked_mul(100)),
        Value::Number(n) => n.to_string().parse::<Fen>().ok().map(|f| f.fen()),
        _ => None,
    }
}

/// A decimal fraction ("0.1", "0.15") in basis points, without going through floats.
fn basis_points(v: &Value) -> Option<u32> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if frac.len() > 4
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let frac: u32 = format!("{frac:0<4}").parse().ok()?;
    whole.checked_mul(10_000)?.checked_add(frac)
}

fn level_of(text: &str) -> Option<&'static str> {
    match text.trim() {
        "三级" | "level_3" | "3" => Some("level_3"),
        "二级" | "level_2" | "2" => Some("level_2"),
        "一级" | "level_1" | "1" => Some("level_1"),
        "基层" | "社区" | "primary" => Some("primary"),
        _ => None,
    }
}

/// The national input as yibao's settlement request.
async fn request_of(
    services: &Services,
    actor: &Actor,
    env: &Envelope,
) -> Result<SettleRequest, ServiceError> {
    let inst = actor.institution()?;
    person_of(env)?;
    let level = {
        let mut tx = services.store().begin_read().await?;
        let row = yibao_store::institution::find_by_code(&mut tx, &inst.code).await?;
        row.and_then(|r| level_of(&r.level))
    }
    .ok_or_else(|| {
        ServiceError::invalid(
            "national.level",
            "该定点机构未登记医院等级，无法确定待遇标准",
        )
    })?;
    settle_request(env, level)
}

/// The envelope's input as yibao's settlement request, at an institution of `level`: the pure
/// part of `request_of`, without the database.
fn settle_request(env: &Envelope, level: &str) -> Result<SettleRequest, ServiceError> {
    let d = data(env);
    let id = person_of(env)?;
    let date = text(d, &["setl_time", "begntime"]).unwrap_or(&env.inf_time);
    let date = date.get(..10).unwrap_or(date);
    let mut lines = Vec::new();
    for (i, f) in env
        .input
        .get("feedetail")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let bad = |what: &str| {
            ServiceError::invalid("national.feedetail", format!("费用明细第{}条{what}", i + 1))
        };
        let mut line = Map::new();
        line.insert(
            "line_no".into(),
            f.get("feedetl_sn").cloned().unwrap_or(json!(i + 1)),
        );
        line.insert(
            "code".into(),
            json!(text(f, &["med_list_codg", "hilist_code"])
                .ok_or_else(|| bad("缺少目录编码（med_list_codg）"))?),
        );
        let amount = f
            .get("det_item_fee_sumamt")
            .and_then(fen_of)
            .ok_or_else(|| bad("金额（det_item_fee_sumamt）不正确"))?;
        line.insert("amount".into(), json!(amount));
        if let Some(c) = f.get("cnt") {
            line.insert(
                "quantity".into(),
                match c {
                    Value::Number(n) => json!(n.to_string()),
                    other => other.clone(),
                },
            );
        }
        if let Some(p) = f.get("pric").and_then(fen_of) {
            line.insert("unit_price".into(), json!(p));
        }
        if let Some(c) = text(f, &["chrgitm_lv"]) {
            line.insert("category".into(), json!(c));
        }
        if let Some(bp) = f.get("selfpay_prop").and_then(basis_points) {
            line.insert("self_pay_share_bp".into(), json!(bp));
        }
        if let Some(cap) = f.get("pric_uplmt_amt").and_then(fen_of) {
            line.insert("price_cap".into(), json!(cap));
        }
        lines.push(Value::Object(line));
    }
    if lines.is_empty() {
        return Err(ServiceError::invalid(
            "national.feedetail",
            "缺少费用明细（feedetail）",
        ));
    }
    let req = json!({
        "request_id": env.msgid,
        "id_number": id.as_str(),
        "bill": {
            "date": date,
            "visit": text(d, &["med_type"]).unwrap_or(match env.infno.as_str() { "2303" | "2304" => "21", _ => "11" }),
            "hospital_level": level,
            "admission_id": text(d, &["mdtrt_id"]),
            "use_account": text(d, &["acct_used_flag"]) != Some("0"),
            "lines": lines,
        }
    });
    serde_json::from_value(req)
        .map_err(|e| ServiceError::invalid("national.input", format!("交易输入不正确：{e}")))
}

async fn settle(
    services: &Services,
    actor: &Actor,
    env: &Envelope,
    write: bool,
) -> Result<Value, ServiceError> {
    let req = request_of(services, actor, env).await?;
    let result: Value = if write {
        let answer = settlement::settle(services, actor, &req).await?;
        serde_json::from_str(answer.get()).map_err(|e| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "settlement answer: {e}"
            )))
        })?
    } else {
        serde_json::to_value(settlement::pre_settle(services, actor, &req).await?).map_err(|e| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "settlement answer: {e}"
            )))
        })?
    };
    Ok(json!({ "setlinfo": setlinfo(&result, env, &req) }))
}

/// yibao's split in the specification's names (HOSPITAL-INTERFACE.md, settlement result).
fn setlinfo(r: &Value, env: &Envelope, req: &SettleRequest) -> Value {
    let f = |k: &str| r[k].as_i64().unwrap_or(0);
    let y = |fen: i64| Fen(fen).yuan_string();
    // The engine's own checked totals, rather than sums redone here.
    let funds = f("funds_total");
    let employee = r["scheme"]
        .as_str()
        .is_some_and(|s| s.starts_with("employee"));
    let ratio = r["ratio_bp"].as_u64().unwrap_or(0);
    json!({
        "setl_id": env.msgid,
        "mdtrt_id": req.bill.admission_id,
        "psn_no": req.id_number,
        "insutype": if employee { "310" } else { "390" },
        "med_type": data(env).get("med_type"),
        "medfee_sumamt": y(f("total")),
        "fulamt_ownpay_amt": y(f("self_pay_out_of_catalogue")),
        "overlmt_selfpay": y(f("self_pay_over_price_cap")),
        "preselfpay_amt": y(f("self_pay_category_b")),
        "inscp_scp_amt": y(f("in_scope")),
        "act_pay_dedc": y(f("deductible")),
        "hifp_pay": y(f("fund")),
        "pool_prop_selfpay": format!("{}.{:04}", ratio / 10_000, ratio % 10_000),
        "hifmi_pay": y(if employee { 0 } else { f("critical_illness") }),
        "hifob_pay": y(if employee { f("critical_illness") } else { 0 }),
        "maf_pay": y(f("aid")),
        "fund_pay_sumamt": y(funds),
        "psn_part_amt": y(f("person_share")),
        "acct_pay": y(f("account")),
        "psn_cash_pay": y(f("cash")),
        "status": r["status"],
        "care_rule": r["care_rule"],
    })
}

async fn reverse(
    services: &Services,
    actor: &Actor,
    env: &Envelope,
) -> Result<Value, ServiceError> {
    let setl_id = text(data(env), &["setl_id"]).ok_or_else(|| {
        ServiceError::invalid("national.setl_id", "请提供要撤销的结算流水号（setl_id）")
    })?;
    let r = settlement::reverse(services, actor, setl_id).await?;
    Ok(json!({ "setl_id": setl_id, "status": r.status.key() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_amounts_and_shares_are_refused_not_overflowed() {
        // Found by the fuzz target: an integer amount of i64::MAX yuan overflowed `y * 100`
        // (a panic in debug builds, a wrapped amount in release), and a share of 429497 or
        // more overflowed `whole * 10_000`.
        assert_eq!(fen_of(&json!(i64::MAX)), None);
        assert_eq!(fen_of(&json!(i64::MIN)), None);
        assert_eq!(
            fen_of(&json!(92_233_720_368_547_758i64)),
            Some(9_223_372_036_854_775_800)
        );
        assert_eq!(fen_of(&json!("12.34")), Some(1234));
        assert_eq!(basis_points(&json!("429497")), None);
        assert_eq!(basis_points(&json!(u32::MAX)), None);
        assert_eq!(basis_points(&json!("0.15")), Some(1500));
        assert_eq!(basis_points(&json!("429496.7295")), Some(u32::MAX));
    }
}

/// Fuzz targets of the national envelope: arbitrary bytes, and envelopes whose fields hold
/// anything JSON can (huge integers, floats, text amounts, wrong types), never panic and give
/// either a settlement request or the interface's error; yuan text amounts agree with fen.
#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::fuzz_support::{arb_bytes, arb_text, config};
    use proptest::prelude::*;
    use yibao_domain::ids::citizen_id_check_char;

    /// Any JSON scalar an amount, share or quantity field might carry.
    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|v| json!(v)),
            any::<u64>().prop_map(|v| json!(v)),
            any::<f64>().prop_map(|v| json!(v)),
            any::<i64>().prop_map(|v| json!(Fen(v).yuan_string())),
            (0u32..1_000_000, 0u32..100_000).prop_map(|(w, f)| json!(format!("{w}.{f}"))),
            arb_text().prop_map(Value::String),
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            Just(json!([1, 2])),
            Just(json!({"a": 1})),
        ]
    }

    fn id_number() -> impl Strategy<Value = Value> {
        prop_oneof![
            3 => (0u32..1000).prop_map(|seq| {
                let first17 = format!("50010219900101{seq:03}");
                json!(format!("{first17}{}", citizen_id_check_char(first17.as_bytes())))
            }),
            1 => scalar(),
        ]
    }

    fn fee_line() -> impl Strategy<Value = Value> {
        (
            prop::option::of(scalar()),
            prop::option::of(prop_oneof![Just(json!("X001")), scalar()]),
            scalar(),
            prop::option::of(scalar()),
            prop::option::of(scalar()),
            prop::option::of(prop_oneof![
                Just(json!("01")),
                Just(json!("甲类")),
                scalar()
            ]),
            prop::option::of(scalar()),
            prop::option::of(scalar()),
        )
            .prop_map(|(sn, code, amount, cnt, pric, lv, prop_, cap)| {
                let mut m = Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        m.insert(k.to_string(), v);
                    }
                };
                put("feedetl_sn", sn);
                put("med_list_codg", code);
                put("det_item_fee_sumamt", Some(amount));
                put("cnt", cnt);
                put("pric", pric);
                put("chrgitm_lv", lv);
                put("selfpay_prop", prop_);
                put("pric_uplmt_amt", cap);
                Value::Object(m)
            })
    }

    fn envelope() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec!["1101", "2206", "2207", "2208", "2303", "2304", "9999"]),
            arb_text(),
            id_number(),
            prop::option::of(prop_oneof![Just(json!("02")), scalar()]),
            prop::option::of(prop_oneof![Just(json!("11")), Just(json!("21")), scalar()]),
            prop::option::of(prop_oneof![Just(json!("2026-03-01 10:00:00")), scalar()]),
            prop::collection::vec(fee_line(), 0..4),
        )
            .prop_map(|(infno, msgid, id, cert_type, med_type, time, lines)| {
                let mut data = json!({ "mdtrt_cert_no": id });
                if let Some(t) = cert_type {
                    data["mdtrt_cert_type"] = t;
                }
                if let Some(t) = med_type {
                    data["med_type"] = t;
                }
                if let Some(t) = time {
                    data["setl_time"] = t;
                }
                json!({
                    "infno": infno, "msgid": msgid, "fixmedins_code": "H50011900001",
                    "inf_time": "2026-03-01 10:00:00",
                    "input": { "data": data, "feedetail": lines },
                })
            })
    }

    proptest! {
        #![proptest_config(config(1))]

        #[test]
        fn national_arbitrary_bytes_never_panic(bytes in arb_bytes()) {
            if let Ok(env) = serde_json::from_slice::<Envelope>(&bytes) {
                let _ = person_of(&env);
                let _ = settle_request(&env, "level_3");
            }
        }

        #[test]
        fn national_envelope_fields_of_any_json_never_panic(v in envelope()) {
            let env: Envelope = serde_json::from_value(v.clone()).unwrap();
            match settle_request(&env, "level_2") {
                Ok(req) => {
                    // Every line's amount is the input's, read exactly.
                    let lines = v["input"]["feedetail"].as_array().unwrap();
                    prop_assert_eq!(req.bill.lines.len(), lines.len());
                    for (line, input) in req.bill.lines.iter().zip(lines) {
                        prop_assert_eq!(Some(line.amount.fen()), fen_of(&input["det_item_fee_sumamt"]));
                    }
                }
                Err(e) => {
                    let code = e.code();
                    prop_assert!(code.starts_with("national.") || code.starts_with("id."), "{}", code);
                }
            }
        }

        #[test]
        fn national_yuan_text_agrees_with_fen(fen in any::<i64>().prop_filter("no positive twin", |f| *f != i64::MIN)) {
            let text = Fen(fen).yuan_string();
            prop_assert_eq!(fen_of(&json!(text)), Some(fen));
            prop_assert_eq!(fen_of(&json!(format!(" {text} "))), Some(fen));
            // A whole number of yuan sent as a JSON integer: exact, or refused when too large.
            prop_assert_eq!(fen_of(&json!(fen)), fen.checked_mul(100));
        }

        #[test]
        fn national_shares_read_exactly_or_not_at_all(whole in any::<u32>(), frac in 0u32..10_000, text in arb_text()) {
            let v = json!(format!("{whole}.{frac:04}"));
            let expected = u64::from(whole) * 10_000 + u64::from(frac);
            prop_assert_eq!(basis_points(&v).map(u64::from), (expected <= u64::from(u32::MAX)).then_some(expected));
            let _ = basis_points(&Value::String(text));
        }
    }
}
