//! The pure benefit engine on twenty-line bills (issue #8 target: 200,000 a second per core).
//! Run: `cargo bench -p yibao-domain --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use yibao_domain::benefit::{compute, Accumulators, Bill, CatalogueRef, PersonFacts, PolicySet};

fn inputs() -> (PolicySet, PersonFacts, Accumulators, Bill) {
    let policy: PolicySet =
        toml::from_str(include_str!("../../../data/policy/chongqing/2026.toml"))
            .expect("the Chongqing example policy");
    policy.validate().expect("valid policy");
    let person: PersonFacts = serde_json::from_str(r#"{"scheme": "employee_in_service"}"#).unwrap();
    let acc: Accumulators =
        serde_json::from_str(r#"{"year": 2026, "account_balance": 50000}"#).unwrap();
    let lines: Vec<serde_json::Value> = (1..=20)
        .map(|i| {
            let category = ["a", "a", "b", "a", "c"][i % 5];
            serde_json::json!({
                "line_no": i, "code": format!("X{i:04}"), "amount": 1234 * i as i64 + 99,
                "category": category, "self_pay_share_bp": if category == "b" { 1000 } else { 0 },
                "price_cap": if i % 7 == 0 { Some(1000 * i as i64) } else { None }
            })
        })
        .collect();
    let bill: Bill = serde_json::from_value(serde_json::json!({
        "date": "2026-05-20", "visit": "inpatient", "hospital_level": "level_2",
        "admission_id": "ZY1", "lines": lines
    }))
    .unwrap();
    (policy, person, acc, bill)
}

fn engine(c: &mut Criterion) {
    let (policy, person, acc, bill) = inputs();
    let mut g = c.benchmark_group("benefit");
    g.throughput(Throughput::Elements(1));
    g.bench_function("twenty_line_inpatient_bill", |b| {
        b.iter(|| {
            compute(
                &policy,
                CatalogueRef::None,
                &person,
                &acc,
                std::hint::black_box(&bill),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
