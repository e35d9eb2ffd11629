//! Staff lists search and page (参保人员, 参保单位, 办件工作台, 审计日志) and export what they
//! show to Excel: the query is kept in every link, wildcards typed by a user match themselves,
//! a staff member sees only their region, and the export holds the whole list (not one page).

use crate::common;

use axum::http::StatusCode;
use common::page::{count, one_text};
use common::TestApp;

async fn staff_browser<'a>(app: &'a TestApp, user: &str) -> common::Browser<'a> {
    let mut b = app.browser();
    b.get("/login").await;
    let (prefix, role) = user.split_once('.').unwrap();
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", user),
                ("password", &format!("demo-{prefix}-{role}")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

fn cid(region: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{region}{birth}{seq}");
    format!(
        "{first17}{}",
        yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
    )
}

/// The rows of an exported sheet (header first).
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

both_stores_with_demo!(persons_search_page_and_export, |app| {
    // 120 more people of 南川 (500119), named 列表甲0 … 列表甲119.
    {
        let mut tx = app.services.store().begin().await.unwrap();
        let region: yibao_domain::RegionCode = "500119".parse().unwrap();
        for n in 0..120u32 {
            let id: yibao_domain::CitizenId = cid("500119", "19900101", &format!("{:03}", 500 + n))
                .parse()
                .unwrap();
            yibao_store::enrolment::insert_person(
                &mut tx,
                &yibao_store::enrolment::NewPerson {
                    id_number: &id,
                    name: &format!("列表甲{n}"),
                    region_code: &region,
                    phone: "",
                },
                "2026-01-01T00:00:00Z",
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let mut b = staff_browser(app, "cq.clerk").await;
    let page = b.get("/staff/persons?q=列表甲").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The page's title is its name, nothing else (the page links once leaked into it).
    assert_eq!(one_text(&page.body, "title"), "参保人员 · yibao");
    assert_eq!(count(&page.body, "nav.pager"), 1);
    assert_eq!(count(&page.body, "#persons tbody tr"), 50);
    assert_eq!(
        one_text(&page.body, "#pager-count"),
        "共 120 条，第 1 / 3 页"
    );
    assert_eq!(count(&page.body, "#pager-prev"), 0);
    let next = common::page::attrs(&page.body, "#pager-next", "href");
    assert_eq!(
        next,
        ["/staff/persons?q=%E5%88%97%E8%A1%A8%E7%94%B2&page=2"]
    );
    let last = b.get("/staff/persons?q=列表甲&page=3").await;
    assert_eq!(count(&last.body, "#persons tbody tr"), 20);
    assert_eq!(count(&last.body, "#pager-next"), 0);
    assert_eq!(count(&last.body, "#pager-prev"), 1);
    // Past the end: an empty page that still counts them.
    let past = b.get("/staff/persons?q=列表甲&page=9").await;
    assert_eq!(count(&past.body, "#persons tbody tr"), 0);
    assert!(one_text(&past.body, "#pager-count").starts_with("共 120 条"));
    // A narrower text: 列表甲11 and 列表甲110…119.
    let p = b.get("/staff/persons?q=列表甲11").await;
    assert_eq!(count(&p.body, "#persons tbody tr"), 11);
    // Wildcards typed by a user are letters, not wildcards.
    let p = b.get("/staff/persons?q=%25").await;
    assert_eq!(count(&p.body, "#persons tbody tr"), 0, "{}", p.body);
    assert!(p.body.contains("没有找到与“%”相符的记录"));
    let p = b.get("/staff/persons?q=列表_").await;
    assert_eq!(count(&p.body, "#persons tbody tr"), 0);
    // The export holds all 120, not one page, with the masked numbers the page shows.
    let x = b.get("/staff/persons?q=列表甲&format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        x.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(x.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let rows = sheet(&x.bytes);
    assert_eq!(rows.len(), 121);
    assert_eq!(rows[0][0], "姓名");
    assert!(rows[1][1].contains('*'), "{:?}", rows[1]);
    assert_eq!(rows[1][3], yibao_domain::ids::region_text("500119"));

    // A Chengdu clerk sees none of them, and finds 刘芳 by the end of her number, lower-case x.
    let mut c = staff_browser(app, "chengdu.clerk").await;
    let p = c.get("/staff/persons?q=列表甲").await;
    assert_eq!(count(&p.body, "#persons tbody tr"), 0);
    let p = c.get("/staff/persons?q=028x").await;
    assert_eq!(count(&p.body, "#persons tbody tr"), 1, "{}", p.body);

    // The API pages the same way.
    let t = app.staff_token("cq.clerk").await;
    let r = app
        .call(
            "GET",
            "/api/v1/persons?q=%E5%88%97%E8%A1%A8%E7%94%B2&page=2",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (
            v["total"].as_i64(),
            v["page"].as_i64(),
            v["persons"].as_array().map(Vec::len)
        ),
        (Some(120), Some(2), Some(50))
    );
});

both_stores_with_demo!(workbench_employers_and_audit_search_and_export, |app| {
    let demo = app.demo().await;
    let mut b = staff_browser(app, "cq.clerk").await;
    // Employers by name; the kind and the region read as words, not codes.
    let all = b.get("/staff/employers").await;
    assert_eq!(one_text(&all.body, "title"), "参保单位 · yibao");
    let n = count(&all.body, "#employers tbody tr");
    assert!(n >= 1, "{}", all.body);
    let first_name = one_text(&all.body, "#employers tbody tr:first-child td:first-child");
    let some: String = first_name.chars().skip(1).take(3).collect();
    let p = b.get(&format!("/staff/employers?q={some}")).await;
    assert!(count(&p.body, "#employers tbody tr") >= 1);
    assert!(!p.body.contains(">enterprise<"), "kind as a word");
    let x = b.get("/staff/employers?format=xlsx").await;
    assert_eq!(sheet(&x.bytes).len(), n + 1);

    // A case found by its applicant's ID number on the workbench, and by status.
    let wang = demo.citizens[0].login.clone();
    let clerk = app.staff_token("nanchuan.clerk").await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&clerk),
            serde_json::json!({"jurisdiction": "nanchuan", "item": "17", "channel": "window",
                "applicant": {"id_number": wang, "name": ""}, "form": {}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.json()["case"]["number"].as_str().unwrap().to_string();
    let mut nb = staff_browser(app, "nanchuan.clerk").await;
    let p = nb.get(&format!("/cases?q={}", &wang[10..])).await;
    assert!(p.body.contains(&number), "{}", p.body);
    let p = nb
        .get(&format!("/cases?q={}&status=completed", &wang[10..]))
        .await;
    assert!(!p.body.contains(&number));
    let p = nb.get("/cases?status=nonsense").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let x = nb.get(&format!("/cases?q={number}&format=xlsx")).await;
    let rows = sheet(&x.bytes);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], number);

    // The audit trail pages and exports for the auditor.
    let mut a = staff_browser(app, "cq.auditor").await;
    let p = a.get("/audit").await;
    assert_eq!(p.status, StatusCode::OK);
    let total: i64 = one_text(&p.body, "#pager-count")
        .trim_start_matches("共 ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 0);
    assert_eq!(count(&p.body, "#entries tbody tr") as i64, total.min(50));
    let x = a.get("/audit?format=xlsx").await;
    assert_eq!(sheet(&x.bytes).len() as i64, total + 1);
});
