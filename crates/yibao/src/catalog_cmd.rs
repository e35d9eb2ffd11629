//! `yibao catalog list|show|search|rules|validate`.

use std::process::ExitCode;

use yibao_domain::catalog::{domain_label, Catalog, CatalogQuery, Item};
use yibao_service::catalog as catalog_service;

use crate::cli::CatalogCommand;

pub fn run(command: CatalogCommand) -> ExitCode {
    if let CatalogCommand::Validate { dir } = &command {
        return validate(dir.as_deref());
    }
    let catalog = match catalog_service::embedded() {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("内置事项清单无效 / the embedded catalog is invalid");
            return ExitCode::from(2);
        }
    };
    match command {
        CatalogCommand::List {
            jurisdiction,
            category,
            json,
        } => {
            let q = CatalogQuery {
                jurisdiction,
                category,
                text: None,
            };
            print_list(&catalog, &catalog.search(&q), json)
        }
        CatalogCommand::Search {
            text,
            jurisdiction,
            json,
        } => {
            let q = CatalogQuery {
                jurisdiction,
                category: None,
                text: Some(text),
            };
            print_list(&catalog, &catalog.search(&q), json)
        }
        CatalogCommand::Show {
            jurisdiction,
            code,
            json,
        } => match catalog.find(&jurisdiction, &code, None) {
            Some(item) => {
                if json {
                    print_json(item)
                } else {
                    print_item(&catalog, item);
                    ExitCode::SUCCESS
                }
            }
            None => {
                eprintln!("未找到事项 {jurisdiction}/{code} / no such item");
                ExitCode::from(1)
            }
        },
        CatalogCommand::Rules { jurisdiction } => {
            match yibao_service::guide_rules::page(&catalog, &jurisdiction) {
                Some(page) => {
                    print!("{page}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("未找到辖区 {jurisdiction} / no such jurisdiction");
                    ExitCode::from(1)
                }
            }
        }
        CatalogCommand::Validate { .. } => ExitCode::SUCCESS,
    }
}

fn validate(dir: Option<&std::path::Path>) -> ExitCode {
    let (files, origin) = match dir {
        Some(d) => match catalog_service::files_in(d) {
            Ok(f) => (f, d.display().to_string()),
            Err(e) => {
                eprintln!("无法读取 {}：{e} / cannot read", d.display());
                return ExitCode::from(2);
            }
        },
        None => (
            catalog_service::embedded_files(),
            "内置数据 / embedded".into(),
        ),
    };
    match yibao_domain::catalog::load(&files) {
        Ok(c) => {
            println!(
                "有效 / valid: {} 个辖区，{} 个事项（{} 个版本），{} 张表单，{} 处办理地点（{origin}）",
                c.jurisdictions.len(),
                c.current_items().count(),
                c.items.len(),
                c.forms.len(),
                c.offices.iter().map(|o| o.office.len()).sum::<usize>()
            );
            for j in &c.jurisdictions {
                println!(
                    "  {:<10} {:>3} 个事项  {}",
                    j.key,
                    c.items_in(&j.key).count(),
                    j.name
                );
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                println!("{e}");
            }
            println!("无效 / invalid: {} 处问题（{origin}）", errors.len());
            ExitCode::from(1)
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn print_list(catalog: &Catalog, items: &[&Item], json: bool) -> ExitCode {
    if json {
        let list: Vec<_> = items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "jurisdiction": i.jurisdiction,
                    "id": i.id,
                    "version": i.version,
                    "name": i.name,
                    "service": i.service,
                    "category": catalog.domain_of(i),
                    "codes": i.codes,
                })
            })
            .collect();
        return print_json(&list);
    }
    for i in items {
        let codes: Vec<&str> = i.codes.iter().map(|c| c.code.as_str()).collect();
        println!(
            "{:<10} {:<6} {:<8} {}{}",
            i.jurisdiction,
            i.id,
            domain_label(catalog.domain_of(i)),
            i.name,
            if codes.is_empty() {
                String::new()
            } else {
                format!("  [{}]", codes.join(", "))
            }
        );
    }
    println!("共 {} 项 / {} items", items.len(), items.len());
    ExitCode::SUCCESS
}

fn print_item(catalog: &Catalog, i: &Item) {
    let line = |label: &str, value: Option<&str>| {
        if let Some(v) = value {
            println!("【{label}】\n{v}\n");
        }
    };
    let jurisdiction = catalog
        .jurisdiction(&i.jurisdiction)
        .map(|j| j.name.as_str())
        .unwrap_or("");
    println!(
        "{}（{} · 第 {} 项 · 第 {} 版）\n",
        i.name, jurisdiction, i.id, i.version
    );
    line("事项编码", i.codes_text.as_deref());
    for c in &i.codes {
        println!("  {} {}", c.region.as_deref().unwrap_or(""), c.code);
    }
    line("服务对象", i.target.as_deref());
    line("适用范围", i.scope.as_deref());
    line("办理条件", i.conditions_text.as_deref());
    line("申办材料", i.materials_text.as_deref());
    line("办理方式", i.channels_text.as_deref());
    line("办件类型", i.case_type.map(|c| c.label()));
    line("办理时限", i.time_limit_text.as_deref());
    line("办理流程", i.process_text.as_deref());
    line("出件材料", i.outputs_text.as_deref());
    line("收费", i.fees_text.as_deref());
    line("设定依据", i.legal_basis_text.as_deref());
    line("备注", i.notes_text.as_deref());
    println!("来源 / source: {} {}", i.source.seed, i.source.section);
}
