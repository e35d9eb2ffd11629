//! The social security card register (社会保障卡): imported from the card issuer's list, read
//! when a visit presents a card (national `mdtrt_cert_type` 03, docs/national.md).

use serde::Serialize;
use yibao_domain::ids::CitizenId;
use yibao_domain::national::card::{self, CardStatus};
use yibao_store::social_security_card as store;
use yibao_store::{Conn, StoreError};

use crate::identity::{Actor, StaffRole};
use crate::{ServiceError, Services};

/// One problem of an import file, with its line.
#[derive(Debug, Clone, Serialize)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub cards: usize,
}

/// Imports a card list: CSV lines `card_no,id_number,card_sn,status` (a header line naming the
/// columns is skipped; status `normal|lost|cancelled` or 正常/挂失/注销), read as the roster's CSV
/// is (UTF-8, GB18030 or UTF-16, quoted cells). Every line is checked first; one bad line imports
/// nothing and every problem is reported with its line. Audited.
pub async fn import(
    services: &Services,
    actor: &Actor,
    bytes: &[u8],
) -> Result<ImportReport, ServiceError> {
    if !matches!(actor, Actor::System { .. }) {
        actor.staff_with(StaffRole::Admin)?;
    }
    let lines = crate::enrolment::roster::csv_lines(bytes).map_err(|_| {
        ServiceError::invalid(
            "card.import_unreadable",
            "无法读取社会保障卡清单：应为 UTF-8 或 GB18030 编码的 CSV 文本",
        )
    })?;
    let now = services.clock().now_text();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (line_no, cells) in &lines {
        let cols: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
        if cols.iter().all(|c| c.is_empty()) || (*line_no == 1 && cols.first() == Some(&"card_no"))
        {
            continue;
        }
        match parse_line(&cols) {
            Ok((card_no, person, card_sn, status)) => rows.push(store::CardRow {
                card_no,
                person_id_number: person.as_str().to_string(),
                card_sn,
                status,
                updated_at: now.clone(),
            }),
            Err(message) => problems.push(LineProblem {
                line: *line_no,
                message,
            }),
        }
    }
    if !problems.is_empty() {
        let message = problems
            .iter()
            .take(20)
            .map(|p| format!("第 {} 行：{}", p.line, p.message))
            .collect::<Vec<_>>()
            .join("；");
        return Err(ServiceError::Rule {
            kind: crate::ErrorKind::Invalid,
            code: "card.import_invalid",
            message: format!(
                "社会保障卡清单有 {} 行不正确，未导入：{message}",
                problems.len()
            ),
            details: serde_json::to_value(&problems).ok(),
        });
    }
    let mut tx = services.store().begin().await?;
    for r in &rows {
        store::upsert(&mut tx, r).await?;
    }
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "card.import",
        "social_security_card",
        "",
        None,
        Some(&serde_json::json!({ "cards": rows.len() })),
        &format!("导入社会保障卡清单 {} 张", rows.len()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ImportReport { cards: rows.len() })
}

fn parse_line(cols: &[&str]) -> Result<(String, CitizenId, String, CardStatus), String> {
    let [no, id, sn, status] = cols else {
        return Err(format!(
            "应为 4 列（卡号,身份证号,卡识别码,状态），实有 {} 列",
            cols.len()
        ));
    };
    let card_no = card::parse_card_no(no).map_err(|e| yibao_domain::Coded::message(&e))?;
    let person: CitizenId = id
        .parse()
        .map_err(|e: yibao_domain::ids::CitizenIdError| yibao_domain::Coded::message(&e))?;
    if sn.len() > 32 || !sn.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("卡识别码应为不超过32位的字母或数字".into());
    }
    let status = CardStatus::from_key(status)
        .or_else(|| {
            CardStatus::ALL
                .iter()
                .copied()
                .find(|s| s.label() == *status)
        })
        .ok_or_else(|| format!("卡状态“{status}”不正确，应为 正常/挂失/注销"))?;
    Ok((card_no, person, sn.to_ascii_uppercase(), status))
}

/// The person a presented card names: `None` when the card is not in the register; refused when
/// it is not in normal status or its serial number differs.
pub async fn person_of_card(
    conn: &mut Conn,
    card_no: &str,
    card_sn: Option<&str>,
) -> Result<Option<CitizenId>, ServiceError> {
    let Ok(no) = card::parse_card_no(card_no) else {
        return Ok(None);
    };
    let Some(row) = store::find(conn, &no).await? else {
        return Ok(None);
    };
    card::check_use(row.status, &row.card_sn, card_sn).map_err(|e| {
        ServiceError::invalid(
            yibao_domain::Coded::code(&e),
            yibao_domain::Coded::message(&e),
        )
    })?;
    Ok(Some(row.person_id_number.parse()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_lines_are_checked_column_by_column() {
        let ok = parse_line(&["a01234567", "11010519491231002X", "b7654321", "正常"]).unwrap();
        assert_eq!(ok.0, "A01234567");
        assert_eq!(ok.2, "B7654321");
        assert_eq!(ok.3, CardStatus::Normal);
        assert_eq!(
            parse_line(&["A1", "11010519491231002X", "", "lost"])
                .unwrap()
                .3,
            CardStatus::Lost
        );
        assert!(parse_line(&["A1", "11010519491231002X", ""])
            .unwrap_err()
            .contains("4 列"));
        assert!(parse_line(&["A1", "110105194912310021", "", "normal"])
            .unwrap_err()
            .contains("校验码"));
        assert!(parse_line(&["A-1", "11010519491231002X", "", "normal"]).is_err());
        assert!(parse_line(&["A1", "11010519491231002X", "", "丢失"])
            .unwrap_err()
            .contains("卡状态"));
    }
}
