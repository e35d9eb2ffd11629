//! The tax authority's paid records (实缴, it collects the contributions), imported from its CSV
//! or XLSX export with the roster machinery: every row is checked, and either all rows are
//! recorded or none, with every problem named by line.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::json;
use yibao_domain::contribution::{ledger_month, PayerKind};
use yibao_domain::staff::StaffRole;
use yibao_domain::{CitizenId, Fen};
use yibao_store::contribution::{self as store, NewImport, NewPaid};
use yibao_store::enrolment as records;
use yibao_store::StoreError;

use crate::enrolment::roster::{col, parse_table, Column, RowProblem};
use crate::identity::Actor;
use crate::{audit, ErrorKind, ServiceError, Services};

const PAID_COLUMNS: &[Column] = &[
    col(
        "receipt_number",
        &["票据号", "缴费凭证号", "电子税票号"],
        true,
        false,
    ),
    // Not `id_number`: the roster reads that key as one line per person, and a person pays
    // for several months in one file.
    col(
        "payer_id_number",
        &["证件号码", "身份证号码", "公民身份号码"],
        true,
        false,
    ),
    col("kind", &["缴费类型", "参保身份"], true, false),
    col("month", &["费款所属期", "所属期"], true, false),
    col("amount", &["金额", "实缴金额"], true, false),
    col("paid_on", &["缴费日期", "入库日期"], true, true),
];

/// For messages and docs: the columns the file must have.
pub const PAID_COLUMNS_HELP: &str =
    "票据号、证件号码、缴费类型（单位职工/灵活就业人员/城乡居民）、费款所属期（YYYY-MM；城乡居民为年度，如 2026）、金额（元）、缴费日期";

/// At most this many rows per file.
pub const MAX_PAID_ROWS: usize = 50_000;

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub import_id: i64,
    pub rows: i64,
    pub total_fen: i64,
    /// Resident coverages that came into force because their year is now paid (参保生效).
    pub activated: u64,
}

fn problem(line: usize, column: &str, code: &'static str, message: String) -> RowProblem {
    RowProblem {
        line,
        column: column.to_string(),
        code,
        message,
    }
}

/// Checks every row and records all of them in one transaction, or returns every problem
/// (`ErrorKind::Invalid`, details `{"problems": [{line, column, code, message}]}`).
pub async fn import_paid(
    services: &Services,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, ServiceError> {
    actor.staff_with(StaffRole::Finance)?;
    let parsed = parse_table(PAID_COLUMNS, bytes);
    let mut problems = parsed.problems;
    if parsed.records.len() > MAX_PAID_ROWS {
        problems.push(problem(
            0,
            "",
            "contribution.import.too_many",
            format!("一个文件最多 {MAX_PAID_ROWS} 行，请分批导入"),
        ));
    }
    let sha: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    if store::import_exists(&mut tx, &sha).await? {
        problems.push(problem(
            0,
            "",
            "contribution.import.duplicate_file",
            "该文件已导入过，未重复导入".to_string(),
        ));
    }
    let mut seen = HashSet::new();
    let mut rows: Vec<(String, i64, PayerKind, String, Fen, String)> = Vec::new();
    for r in &parsed.records {
        let f = |k: &str| r.fields.get(k).map(String::as_str).unwrap_or("");
        let before = problems.len();
        let receipt = f("receipt_number").to_string();
        if !seen.insert(receipt.clone()) {
            problems.push(problem(
                r.line,
                "票据号",
                "contribution.import.receipt_repeated",
                format!("票据号“{receipt}”在文件中重复"),
            ));
        } else if store::receipt_exists(&mut tx, &receipt).await? {
            problems.push(problem(
                r.line,
                "票据号",
                "contribution.import.receipt_known",
                format!("票据号“{receipt}”已导入过"),
            ));
        }
        let person = match f("payer_id_number").parse::<CitizenId>() {
            Ok(id) => match records::find_person(&mut tx, &id).await? {
                Some(p) => Some(p.id),
                None => {
                    problems.push(problem(
                        r.line,
                        "证件号码",
                        "contribution.import.person_unknown",
                        "没有该参保人员".to_string(),
                    ));
                    None
                }
            },
            Err(e) => {
                problems.push(problem(
                    r.line,
                    "证件号码",
                    "contribution.import.id_number",
                    yibao_domain::Coded::message(&e),
                ));
                None
            }
        };
        let kind = PayerKind::parse_paying(f("kind"));
        if kind.is_none() {
            problems.push(problem(
                r.line,
                "缴费类型",
                "contribution.import.kind",
                format!(
                    "缴费类型“{}”应为单位职工、灵活就业人员或城乡居民",
                    f("kind")
                ),
            ));
        }
        let month = kind.and_then(|k| ledger_month(k, f("month")));
        if kind.is_some() && month.is_none() {
            problems.push(problem(
                r.line,
                "费款所属期",
                "contribution.import.month",
                if kind == Some(PayerKind::Resident) {
                    format!("费款所属期“{}”应为缴费年度（如 2026）", f("month"))
                } else {
                    format!("费款所属期“{}”应为 YYYY-MM", f("month"))
                },
            ));
        }
        let amount = match f("amount").parse::<Fen>() {
            Ok(a) if a.0 > 0 && a.is_input() => Some(a),
            Ok(_) => {
                problems.push(problem(
                    r.line,
                    "金额",
                    "contribution.import.amount",
                    "金额须大于零".to_string(),
                ));
                None
            }
            Err(e) => {
                problems.push(problem(
                    r.line,
                    "金额",
                    "contribution.import.amount",
                    yibao_domain::Coded::message(&e),
                ));
                None
            }
        };
        let paid_on = f("paid_on").to_string();
        if problems.len() == before {
            if let (Some(person_id), Some(kind), Some(month), Some(amount)) =
                (person, kind, month, amount)
            {
                rows.push((receipt, person_id, kind, month, amount, paid_on));
            }
        }
    }
    if !problems.is_empty() {
        let message = format!(
            "导入文件有 {} 处问题，未导入任何记录：{}",
            problems.len(),
            problems
                .iter()
                .take(5)
                .map(|p| if p.line == 0 {
                    p.message.clone()
                } else {
                    format!("第 {} 行 {}", p.line, p.message)
                })
                .collect::<Vec<_>>()
                .join("；")
        );
        return Err(ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "contribution.import.invalid",
            message,
            details: Some(json!({ "problems": problems })),
        });
    }
    let total = rows
        .iter()
        .try_fold(Fen::ZERO, |t, r| t.checked_add(r.4))
        .map_err(ServiceError::from_domain)?;
    let import_id = store::insert_import(
        &mut tx,
        &NewImport {
            file_name,
            sha256: &sha,
            row_count: rows.len() as i64,
            total_fen: total.0,
            created_by: &actor.label(),
            now: &now,
        },
    )
    .await?;
    for (receipt, person_id, kind, month, amount, paid_on) in &rows {
        store::insert_paid(
            &mut tx,
            import_id,
            &NewPaid {
                receipt_number: receipt,
                person_id: *person_id,
                kind: *kind,
                month,
                amount_fen: amount.0,
                paid_on,
            },
            &now,
        )
        .await?;
    }
    let mut activated = 0u64;
    let mut resident_lines: Vec<(i64, &str)> = rows
        .iter()
        .filter(|r| r.2 == PayerKind::Resident)
        .map(|r| (r.1, r.3.as_str()))
        .collect();
    resident_lines.sort_unstable();
    resident_lines.dedup();
    for (person_id, month) in resident_lines {
        if super::resident::activate_paid(&mut tx, person_id, month, &now)
            .await?
            .is_some()
        {
            activated += 1;
        }
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "contribution.import_paid",
        "contribution_import",
        &import_id.to_string(),
        None,
        Some(&json!({ "file_name": file_name, "sha256": sha, "rows": rows.len(), "total_fen": total.0, "activated": activated })),
        &format!(
            "导入税务实缴记录 {} 条，合计 {}；城乡居民参保生效 {} 人",
            rows.len(),
            total,
            activated
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ImportReport {
        import_id,
        rows: rows.len() as i64,
        total_fen: total.0,
        activated,
    })
}
