//! The catalog held to the seed guides (../shared/seeds), through the API and the pages, on both
//! stores. Each assertion names the seed and item it comes from.

use crate::common::page::{assert_json_snapshot, count, one_text, select_text, table_rows};
use axum::http::StatusCode;

both_stores!(counts_per_jurisdiction_match_the_seeds, |app| {
    // SEED-NOTES §1: 147 jurisdiction items — 000: 12, 001: 40, 002: 22, 003: 36, 004: 37.
    for (j, n) in [
        ("chuanyu", 12),
        ("sichuan", 40),
        ("youyang", 22),
        ("chongqing", 36),
        ("nanchuan", 37),
    ] {
        let v = app
            .get(&format!("/api/v1/catalog?jurisdiction={j}"))
            .await
            .json();
        assert_eq!(v["count"], n, "{j}");
    }
    assert_eq!(app.get("/api/v1/catalog").await.json()["count"], 147);
});

both_stores!(seed_000_relocated_retiree_filing, |app| {
    // Seed 000 二、1: codes 四川省 512036005001 / 重庆市 502036004001; window same day after 4 WD
    // of mailing, online 2 WD; three materials; form 表1.
    let r = app.get("/api/v1/catalog/chuanyu/512036005001").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["id"], "02-1");
    assert_eq!(v["name"], "异地安置退休人员备案");
    let codes: Vec<&str> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["512036005001", "502036004001"]);
    let limits = v["time_limits"].as_array().unwrap();
    assert!(limits.iter().any(|t| t["rule"] == "same_day"
        && t["channel"] == "window"
        && t["transit_working_days"] == 4));
    assert!(limits
        .iter()
        .any(|t| t["rule"] == "working_days" && t["channel"] == "online" && t["days"] == 2));
    assert_eq!(v["materials"].as_array().unwrap().len(), 3);
    assert!(v["materials"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["pledge_allowed"] == true));
    // The same service in 001, 002, 003 and 004 (SEED-NOTES §1).
    let variants: Vec<&str> = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["jurisdiction"].as_str().unwrap())
        .collect();
    for j in ["sichuan", "chongqing", "nanchuan"] {
        assert!(variants.contains(&j), "{variants:?}");
    }
    // The whole answer, every field (the catalog is embedded: nothing varies between runs).
    assert_json_snapshot("catalog-chuanyu-02-1", &v, &[]);
});

both_stores!(seed_time_limits_as_the_guides_state_them, |app| {
    let limit = |v: &serde_json::Value| v["time_limits"][0].clone();
    // Seed 001 十六 转移接续手续办理: 「不超过 20个工作日」.
    let v = app.get("/api/v1/catalog/sichuan/16").await.json();
    assert_eq!(limit(&v)["rule"], "working_days");
    assert_eq!(limit(&v)["days"], 20);
    // Seed 003 单位参保登记: 即办件 yet 「不超过5个工作日」 (SEED-NOTES I01), both kept.
    let v = app.get("/api/v1/catalog/chongqing/01").await.json();
    assert_eq!(v["case_type"], "immediate");
    assert_eq!(limit(&v)["days"], 5);
    assert!(v["defects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["ref"] == "I01"));
    // Seed 003 定点医疗机构费用结算: 「每月15日前完成上月费用结算」.
    let v = app.get("/api/v1/catalog/chongqing/35").await.json();
    assert_eq!(limit(&v)["rule"], "day_of_month");
    assert_eq!(limit(&v)["days"], 15);
    // Seed 001 二十二 慢特病认定: 「不超过 20个工作日」.
    let v = app.get("/api/v1/catalog/sichuan/22").await.json();
    assert_eq!(limit(&v)["days"], 20);
    // Every time limit of these items, whole (channel, rule, days, transit, quoted text).
    let mut all = serde_json::Map::new();
    for path in ["sichuan/16", "chongqing/01", "chongqing/35", "sichuan/22"] {
        let v = app.get(&format!("/api/v1/catalog/{path}")).await.json();
        all.insert(path.into(), v["time_limits"].clone());
    }
    assert_json_snapshot("catalog-time-limits", &all, &[]);
});

both_stores!(seed_000_forms_are_there, |app| {
    // Seed 000 表5 基本医疗保险关系转移接续申请表 with its numbering scheme.
    let v = app.get("/api/v1/forms/chuanyu-form-5").await.json();
    assert_eq!(v["name"], "基本医疗保险关系转移接续申请表");
    assert!(v["numbering"].as_str().unwrap().contains("第XXXX号"));
    for n in 1..=6 {
        let r = app.get(&format!("/api/v1/forms/chuanyu-form-{n}")).await;
        assert_eq!(r.status, StatusCode::OK, "form {n}");
        let r = app.get(&format!("/guide/forms/chuanyu-form-{n}")).await;
        assert_eq!(r.status, StatusCode::OK, "form page {n}");
    }
});

both_stores!(search_filters_and_errors, |app| {
    let v = app
        .get("/api/v1/catalog?category=maternity&jurisdiction=chongqing")
        .await
        .json();
    assert_eq!(v["count"], 4, "seed 003 items 28–31");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["28", "29", "30", "31"], "{v}");
    let v = app
        .get("/api/v1/catalog?q=%E7%94%9F%E8%82%B2%E6%B4%A5%E8%B4%B4")
        .await
        .json();
    assert!(
        v["count"].as_u64().unwrap() >= 4,
        "生育津贴 in 001, 002, 003, 004"
    );
    let r = app.get("/api/v1/catalog?category=nope").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "catalog.unknown_category");
    assert_json_snapshot("catalog-error-unknown-category", &r.json(), &[]);
    let r = app.get("/api/v1/catalog/chongqing/99").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "catalog.item_not_found");
    assert_json_snapshot("catalog-error-item-not-found", &r.json(), &[]);
});

both_stores!(guide_pages_show_every_item, |app| {
    let r = app.get("/guide?jurisdiction=nanchuan").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("共 37 项"));
    assert_eq!(one_text(&r.body, "p.meta"), "共 37 项");
    assert_eq!(count(&r.body, "table.guide tbody tr"), 37);
    let first = &table_rows(&r.body, "table.guide tbody")[0];
    assert_eq!(first[0], "南川区", "{first:?}");
    assert_eq!(first[1], "01", "{first:?}");
    // Seed 004 row 1 quotes 社会保险法 第五十七条: the item page keeps the article text.
    let r = app.get("/guide/nanchuan/01").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("第五十七条"));
    let r = app.get("/guide/chuanyu/02-1").await;
    assert!(r.body.contains("异地就医登记备案表"));
    assert_eq!(one_text(&r.body, "h1"), "异地安置退休人员备案");
    assert_eq!(count(&r.body, "table.materials tbody tr"), 3);
    assert!(
        select_text(&r.body, "table.materials td")
            .iter()
            .any(|t| t.contains("可以个人承诺书代替")),
        "the pledge is offered in the materials table"
    );
    let r = app.get("/offices").await;
    assert!(r.body.contains("万州区"));
    assert!(r.body.contains("（41 处）"));
    let wanzhou = table_rows(&r.body, "table.offices tbody")
        .into_iter()
        .filter(|row| row[0].starts_with("万州区"))
        .count();
    assert!(wanzhou >= 1, "万州区 is an office row, not just text");
    assert!(
        select_text(&r.body, "h2")
            .iter()
            .any(|h| h.ends_with("（41 处）")),
        "{:?}",
        select_text(&r.body, "h2")
    );
    // The annex's 网上办理 table: five online channels (seed 003, lines 2097-2122).
    for name in [
        "重庆医疗保障局官网",
        "社保保险网上经办平台",
        "重庆医保微信公众号",
        "重庆掌上12333app",
        "渝快办APP",
    ] {
        assert!(r.body.contains(name), "{name}");
    }
    let online = select_text(&r.body, "h3 + ul li");
    for name in ["重庆医疗保障局官网", "渝快办APP"] {
        assert!(
            online.iter().any(|li| li.starts_with(name)),
            "{name} is a 网上办理 entry: {online:?}"
        );
    }
    assert!(r.body.contains("https://ylbzj.cq.gov.cn/"));
    assert_eq!(
        app.get("/guide/chuanyu/nope").await.status,
        StatusCode::NOT_FOUND
    );
});

both_stores!(form_data_is_validated_against_the_form_definition, |app| {
    // Seed 000 表1: every problem at once, per field.
    let r = app
        .post_json(
            "/api/v1/forms/chuanyu-form-1/validate",
            None,
            serde_json::json!({"scheme": "商业保险", "id_number": "110105194912310021", "phone_1": "123", "typo": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    assert_eq!(v["code"], "form.invalid");
    let fields: Vec<&str> = v["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for k in ["scheme", "id_number", "phone_1", "typo"] {
        assert!(fields.contains(&k), "{k}: {fields:?}");
    }
    // Every problem with its message, and nothing else (no field flagged twice or wrongly).
    assert_json_snapshot("form-1-validation-errors", &v, &[]);
    let r = app
        .post_json(
            "/api/v1/forms/chuanyu-form-1/validate",
            None,
            serde_json::json!({"name": "张三", "scheme": "职工医保", "id_number": "11010519491231002X", "phone_1": "13800000001", "target_province": "460000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.post_json("/api/v1/forms/nope/validate", None, serde_json::json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // An application's form is held to the same rules.
    let demo = app.demo().await;
    let c = &demo.citizens[3];
    let t = app
        .token(serde_json::json!({"kind":"citizen","id_number": c.login,"password": c.password}))
        .await;
    let r = app
        .post_json("/api/v1/cases", Some(&t), serde_json::json!({"jurisdiction":"chuanyu","item":"03","channel":"online","form": {"sex": "未知"}}))
        .await;
    assert_eq!(r.json()["code"], "form.invalid", "{}", r.body);
});

// What people type finds the guides' own words, best first (#23): 慢病 → 特病 / 门诊慢特病,
// 异地备案 → 异地就医备案 (characters in order in the name), 报销 → 手工报销; several terms all
// have to match; wildcards and punctuation are not special.
both_stores!(search_finds_what_people_type, |app| {
    let names = |q: &str| {
        let path = format!(
            "/api/v1/catalog?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        async move {
            let v = app.get(&path).await.json();
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["jurisdiction"].as_str().unwrap().to_string(),
                        i["name"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    // Before, 慢病 found nothing.
    let slow = names("慢病").await;
    assert!(slow.len() >= 3, "{slow:?}");
    assert!(
        slow.iter()
            .any(|(j, n)| j == "sichuan" && n.contains("门诊慢特病")),
        "{slow:?}"
    );
    assert!(
        slow.iter()
            .any(|(j, n)| j == "chongqing" && n.contains("特")),
        "{slow:?}"
    );
    // Items named for it come first: 门诊慢特病 / 特病 in the name, before those that only
    // mention it (e.g. 市外异地就医备案 lists 特病 among its cases).
    assert!(
        slow[..4].iter().all(|(_, n)| n.contains("特病")),
        "{slow:?}"
    );
    let first_without = slow.iter().position(|(_, n)| !n.contains("特病")).unwrap();
    assert!(
        slow[first_without..]
            .iter()
            .all(|(_, n)| !n.contains("特病")),
        "{slow:?}"
    );
    // Before, 异地备案 found one item.
    let filing = names("异地备案").await;
    assert!(filing.len() >= 8, "{filing:?}");
    assert!(filing[0].1.contains("备案"), "{filing:?}");
    // 报销: items named for manual reimbursement come before those that only mention it.
    let claims = names("报销").await;
    assert!(
        claims[0].1.contains("报销") || claims[0].1.contains("结算"),
        "{claims:?}"
    );
    // Two terms: both must match.
    let both = names("住院 报销").await;
    assert!(!both.is_empty());
    assert!(both.len() < claims.len(), "{both:?}");
    // Nothing matches nonsense; punctuation alone is no query (everything, in catalog order).
    assert!(names("火星签证").await.is_empty());
    let all = app.get("/api/v1/catalog").await.json()["count"].as_u64();
    let punct = app.get("/api/v1/catalog?q=%EF%BC%8C").await.json()["count"].as_u64();
    assert_eq!(all, punct);
});
