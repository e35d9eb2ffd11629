//! Issued documents and their verification (核验, issue #23): a certificate printed from the
//! system carries a random verification code; anyone holding the paper enters it at `/verify`
//! and sees what was issued, with the holder's name and ID number masked, to compare with the
//! paper. The content digest alone (`Certificate::check_code`) could be recomputed by anyone
//! for forged content; the code can only be had from an issued document.

use rand::Rng;
use serde::Serialize;
use yibao_domain::ids::{mask_id_number, mask_name};
use yibao_store::document::{self as store, IssuedRow};
use yibao_store::Conn;

use crate::enrolment::records::Certificate;
use crate::identity::Actor;
use crate::{ServiceError, Services};

/// Crockford's base32 alphabet: no I, L, O or U to misread.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 16;

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    let raw: String = (0..CODE_CHARS)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    group(&raw)
}

/// `ABCD-EFGH-JKMN-PQRS`.
fn group(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What a person types, normalised: upper case, no spaces or dashes, O→0, I/L→1; `None` when it
/// cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let raw: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (raw.len() == CODE_CHARS && raw.bytes().all(|b| ALPHABET.contains(&b))).then(|| group(&raw))
}

#[derive(Serialize, serde::Deserialize)]
struct Content {
    lines: Vec<(String, String)>,
    table_head: Vec<String>,
    table: Vec<Vec<String>>,
}

/// Issues `cert` inside the caller's transaction: stores it (or finds the same content issued
/// the same day) and sets its verification code.
pub async fn issue_in(
    conn: &mut Conn,
    now: &str,
    issued_by: &str,
    kind: &str,
    subject: &str,
    cert: &mut Certificate,
) -> Result<(), ServiceError> {
    let content = Content {
        lines: cert.lines.clone(),
        table_head: cert.table_head.iter().map(|s| s.to_string()).collect(),
        table: cert.table.clone(),
    };
    let row = IssuedRow {
        code: new_code(),
        kind: kind.to_string(),
        title: cert.title.to_string(),
        subject: subject.to_string(),
        content_digest: cert.check_code.clone(),
        content: serde_json::to_string(&content).unwrap_or_default(),
        issued_on: cert.issued_on.clone(),
        issued_by: issued_by.to_string(),
        created_at: now.to_string(),
    };
    cert.verification_code = Some(store::issue(conn, &row).await?);
    Ok(())
}

/// Issues `cert` for `actor` (a page that prints it).
pub async fn issue(
    services: &Services,
    actor: &Actor,
    kind: &str,
    subject: &str,
    cert: &mut Certificate,
) -> Result<(), ServiceError> {
    let mut tx = services.store().begin().await?;
    let now = services.clock().now_text();
    issue_in(&mut tx, &now, &actor.display(), kind, subject, cert).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(())
}

/// What `/verify` shows of an issued document.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub code: String,
    pub title: String,
    pub issued_on: String,
    pub lines: Vec<(String, String)>,
    pub table_head: Vec<String>,
    pub table: Vec<Vec<String>>,
}

/// The document issued with `code`, its holder's name and ID number masked; `None` when no
/// document carries it (or the text typed cannot be a code).
pub async fn verify(services: &Services, typed: &str) -> Result<Option<Verified>, ServiceError> {
    let Some(code) = normalise_code(typed) else {
        return Ok(None);
    };
    let mut tx = services.store().begin_read().await?;
    let Some(row) = store::find(&mut tx, &code).await? else {
        return Ok(None);
    };
    let content: Content = serde_json::from_str(&row.content).map_err(|e| {
        ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
            "issued document {code}: {e}"
        )))
    })?;
    let lines = content
        .lines
        .into_iter()
        .map(|(k, v)| {
            let shown = match k.as_str() {
                "姓名" => mask_name(&v),
                "证件号码" => mask_id_number(&v),
                _ => v,
            };
            (k, shown)
        })
        .collect();
    Ok(Some(Verified {
        code: row.code,
        title: row.title,
        issued_on: row.issued_on,
        lines,
        table_head: content.table_head,
        table: content.table,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_as_typed() {
        let c = new_code();
        assert_eq!(c.len(), 19);
        assert_eq!(normalise_code(&c), Some(c.clone()));
        assert_eq!(
            normalise_code(&c.to_lowercase().replace('-', " ")),
            Some(c.clone())
        );
        assert_eq!(
            normalise_code("abcd efgh jkmn pqro"),
            Some("ABCD-EFGH-JKMN-PQR0".into())
        );
        assert_eq!(normalise_code("ABCD-EFGH"), None);
        assert_eq!(normalise_code("ABCD-EFGH-JKMN-PQR!"), None);
        assert_eq!(
            normalise_code("ABCD-EFGH-JKMN-PQRU"),
            None,
            "U is not in the alphabet"
        );
    }
}
