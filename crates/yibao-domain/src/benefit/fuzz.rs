//! Fuzz targets of the benefit request (`yibao benefit explain --request FILE.json`, and the
//! same request behind the settlement API), the policy TOML, the catalogue CSV and quantity
//! text. Arbitrary text never panics; the documented example requests with one to four values
//! replaced by extremes (i64::MAX, negative, floats, wrong types, impossible dates) give either
//! an explanation whose split adds up to the bill or the engine's error — never a panic.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{explain, parse_catalogue_csv, ExplainRequest, PolicySet, Quantity, MAX_QUANTITY};
use crate::fuzz_support::{arb_text, config, near};

const CHONGQING: &str = include_str!("../../../../data/policy/chongqing/2026.toml");
const EXAMPLES: [&str; 3] = [
    include_str!("../../../../docs/examples/benefit/employee-inpatient-chongqing.json"),
    include_str!("../../../../docs/examples/benefit/resident-critical-illness-aid-chongqing.json"),
    include_str!("../../../../docs/examples/benefit/cross-province-outpatient-inline-policy.json"),
];

/// The examples with their policy file inlined, as JSON values to mutate.
fn seeds() -> Vec<Value> {
    EXAMPLES
        .iter()
        .map(|text| {
            let mut v: Value = serde_json::from_str(text).unwrap();
            if v.get("policy_file").is_some() {
                let policy: PolicySet = toml::from_str(CHONGQING).unwrap();
                let obj = v.as_object_mut().unwrap();
                obj.remove("policy_file");
                obj.insert("policy".into(), serde_json::to_value(policy).unwrap());
            }
            v
        })
        .collect()
}

/// JSON pointers of every leaf (and every array, which may be emptied).
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            out.push(at.clone());
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

fn extreme() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(u32::MAX),
            json!(i64::MAX / 100),
            json!(1_000_000_000_001i64),
            json!(-1),
            json!(0),
            json!(1e300),
            json!(0.5),
            json!("9223372036854775807"),
            json!("99999999999.999"),
            json!("1.5"),
            json!(""),
            json!("2026-02-30"),
            json!("+262143-12-31"),
            json!("1900-01-01"),
            json!(null),
            json!(true),
            json!([]),
            json!({}),
        ]),
        any::<i64>().prop_map(|n| json!(n)),
        arb_text().prop_map(Value::String),
    ]
}

/// An example request with one to four leaves replaced.
fn mutated_request() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(seeds()),
        prop::collection::vec((any::<prop::sample::Index>(), extreme()), 1..=4),
    )
        .prop_map(|(mut v, edits)| {
            for (at, value) in edits {
                let mut paths = Vec::new();
                leaves(&v, String::new(), &mut paths);
                let p = &paths[at.index(paths.len())];
                if let Some(slot) = v.pointer_mut(p) {
                    *slot = value;
                }
            }
            v
        })
}

fn check(req: &ExplainRequest) -> Result<(), TestCaseError> {
    if let Ok(e) = explain(req) {
        let parts = [e.fund, e.critical_illness, e.aid, e.account, e.cash];
        prop_assert!(parts.iter().all(|f| f.0 >= 0), "{:?}", parts);
        prop_assert_eq!(parts.iter().map(|f| f.0).sum::<i64>(), e.total.0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn benefit_request_arbitrary_text_never_panics(s in prop_oneof![
        arb_text(),
        near(prop::sample::select(EXAMPLES.map(String::from).to_vec())),
    ]) {
        if let Ok(req) = serde_json::from_str::<ExplainRequest>(&s) {
            check(&req)?;
        }
    }

    #[test]
    fn benefit_request_with_extreme_values_never_panics(v in mutated_request()) {
        if let Ok(req) = serde_json::from_value::<ExplainRequest>(v) {
            check(&req)?;
        }
    }

    #[test]
    fn benefit_policy_toml_never_panics(s in prop_oneof![
        arb_text(),
        near(Just(CHONGQING.to_string())),
    ]) {
        if let Ok(p) = toml::from_str::<PolicySet>(&s) {
            let _ = p.validate();
        }
    }

    #[test]
    fn benefit_catalogue_csv_never_panics(s in prop_oneof![
        arb_text(),
        near(Just("code,name,kind,category,self_pay_share_bp,price_cap,effective_from\nD1,\"药,品\",drug,b,1000,500,2026-01-01\n".to_string())),
    ]) {
        let _ = parse_catalogue_csv(&s);
    }

    #[test]
    fn benefit_quantity_text_round_trips(milli in 0i64..1_000_000_000_000_000, s in arb_text()) {
        let q = Quantity::from_milli(milli);
        if milli <= MAX_QUANTITY.milli() {
            prop_assert_eq!(Quantity::parse(&q.to_string()), Ok(q));
        } else {
            // Refused at parse, never carried into the engine.
            let e = Quantity::parse(&q.to_string()).unwrap_err();
            prop_assert_eq!(crate::Coded::code(&e), "benefit.quantity_out_of_range");
        }
        if let Ok(q) = Quantity::parse(&s) {
            prop_assert!(q.milli() >= 0 && q.milli() <= MAX_QUANTITY.milli());
            prop_assert_eq!(Quantity::parse(&q.to_string()), Ok(q));
        }
    }
}
