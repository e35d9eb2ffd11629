//! Designated institutions (定点医药机构) and their API tokens (only token hashes are stored).

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InstitutionRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub region_code: String,
    pub agency_id: i64,
    pub created_at: String,
    /// 统一社会信用代码, when known (an institution designated through a case has it).
    pub uscc: Option<String>,
}

const COLS: &str = "id, code, name, kind, level, region_code, agency_id, created_at, uscc";

#[derive(Debug, Clone)]
pub struct NewInstitution<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub level: &'a str,
    pub region_code: &'a str,
    pub agency_id: i64,
    pub uscc: Option<&'a str>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    i: &NewInstitution<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO institution (code, name, kind, level, region_code, agency_id, created_at, \
         uscc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(i.code)
    .bind(i.name)
    .bind(i.kind)
    .bind(i.level)
    .bind(i.region_code)
    .bind(i.agency_id)
    .bind(now)
    .bind(i.uscc)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<InstitutionRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM institution WHERE code = $1"))
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

/// The institution with this 统一社会信用代码 (the latest registered, should there be several:
/// one designated again after its agreement was terminated).
pub async fn find_by_uscc(
    conn: &mut AnyConnection,
    uscc: &str,
) -> Result<Option<InstitutionRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM institution WHERE uscc = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(uscc)
    .fetch_optional(conn)
    .await?)
}

/// The codes, registered or given to an application, that start with `prefix` (H/P + division).
pub async fn codes_with_prefix(
    conn: &mut AnyConnection,
    prefix: &str,
) -> Result<Vec<String>, StoreError> {
    let pattern = format!("{prefix}%");
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT code FROM institution WHERE code LIKE $1 \
         UNION SELECT code FROM institution_application WHERE code LIKE $1",
    )
    .bind(&pattern)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Records a changed name and level (信息变更).
pub async fn update_identity(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    level: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE institution SET name = $1, level = $2 WHERE id = $3")
        .bind(name)
        .bind(level)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<InstitutionRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM institution WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<InstitutionRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM institution ORDER BY code"))
            .fetch_all(conn)
            .await?,
    )
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub institution_id: i64,
    #[serde(skip)]
    pub token_sha256: String,
    pub prefix: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

const TOKEN_COLS: &str =
    "id, institution_id, token_sha256, prefix, label, created_at, expires_at, \
                          revoked_at, last_used_at";

#[allow(clippy::too_many_arguments)]
pub async fn insert_token(
    conn: &mut AnyConnection,
    institution_id: i64,
    token_sha256: &str,
    prefix: &str,
    label: &str,
    now: &str,
    expires_at: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_token (institution_id, token_sha256, prefix, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(institution_id)
    .bind(token_sha256)
    .bind(prefix)
    .bind(label)
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_token(
    conn: &mut AnyConnection,
    token_sha256: &str,
) -> Result<Option<TokenRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TOKEN_COLS} FROM api_token WHERE token_sha256 = $1"
    ))
    .bind(token_sha256)
    .fetch_optional(conn)
    .await?)
}

pub async fn find_token_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<TokenRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {TOKEN_COLS} FROM api_token WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn list_tokens(
    conn: &mut AnyConnection,
    institution_id: i64,
) -> Result<Vec<TokenRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TOKEN_COLS} FROM api_token WHERE institution_id = $1 ORDER BY id"
    ))
    .bind(institution_id)
    .fetch_all(conn)
    .await?)
}

pub async fn revoke_token(conn: &mut AnyConnection, id: i64, now: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch_token(conn: &mut AnyConnection, id: i64, now: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An institution's agreement (医保服务协议): its lifecycle stage and terms.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgreementRow {
    pub institution_id: i64,
    #[sqlx(try_from = "String")]
    pub stage: yibao_domain::institution::Stage,
    #[sqlx(try_from = "Option<String>")]
    pub terms_json: crate::json_text::JsonText<Option<yibao_domain::institution::Agreement>>,
    pub jurisdiction: String,
    pub applied_on: Option<String>,
    pub publicity_from: Option<String>,
    pub publicity_ends: Option<String>,
    pub updated_at: String,
}

const AGREEMENT_COLS: &str = "institution_id, stage, terms_json, jurisdiction, applied_on, \
                              publicity_from, publicity_ends, updated_at";

pub async fn find_agreement(
    conn: &mut AnyConnection,
    institution_id: i64,
) -> Result<Option<AgreementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {AGREEMENT_COLS} FROM institution_agreement WHERE institution_id = $1"
    ))
    .bind(institution_id)
    .fetch_optional(conn)
    .await?)
}

/// Writes the agreement (insert or replace the institution's one row).
pub async fn put_agreement(conn: &mut AnyConnection, a: &AgreementRow) -> Result<(), StoreError> {
    let terms = a.terms_json.nullable_text()?;
    sqlx::query(
        "INSERT INTO institution_agreement (institution_id, stage, terms_json, jurisdiction, \
         applied_on, publicity_from, publicity_ends, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (institution_id) DO UPDATE SET \
         stage = excluded.stage, terms_json = excluded.terms_json, \
         jurisdiction = excluded.jurisdiction, applied_on = excluded.applied_on, \
         publicity_from = excluded.publicity_from, publicity_ends = excluded.publicity_ends, \
         updated_at = excluded.updated_at",
    )
    .bind(a.institution_id)
    .bind(a.stage.key())
    .bind(terms)
    .bind(&a.jurisdiction)
    .bind(&a.applied_on)
    .bind(&a.publicity_from)
    .bind(&a.publicity_ends)
    .bind(&a.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One step of an agreement's lifecycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgreementEventRow {
    pub id: i64,
    pub institution_id: i64,
    pub action: String,
    pub stage_from: String,
    pub stage_to: String,
    pub note: String,
    pub actor_label: String,
    pub at: String,
}

pub async fn insert_agreement_event(
    conn: &mut AnyConnection,
    e: &AgreementEventRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO institution_agreement_event (institution_id, action, stage_from, stage_to, \
         note, actor_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.institution_id)
    .bind(&e.action)
    .bind(&e.stage_from)
    .bind(&e.stage_to)
    .bind(&e.note)
    .bind(&e.actor_label)
    .bind(&e.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn agreement_events(
    conn: &mut AnyConnection,
    institution_id: i64,
) -> Result<Vec<AgreementEventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, institution_id, action, stage_from, stage_to, note, actor_label, at \
         FROM institution_agreement_event WHERE institution_id = $1 ORDER BY id",
    )
    .bind(institution_id)
    .fetch_all(conn)
    .await?)
}

/// A designation application's steps before its institution exists (keyed by case number).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApplicationRow {
    pub case_number: String,
    #[sqlx(try_from = "String")]
    pub stage: yibao_domain::institution::Stage,
    pub code: Option<String>,
    pub evaluated_on: Option<String>,
    pub publicity_from: Option<String>,
    pub publicity_ends: Option<String>,
    #[sqlx(try_from = "Option<String>")]
    pub terms_json: crate::json_text::JsonText<Option<yibao_domain::institution::Agreement>>,
    #[sqlx(try_from = "String")]
    pub history_json: crate::json_text::JsonText<Vec<ApplicationStep>>,
    pub updated_at: String,
}

/// One step recorded on an application (评估, 公示, 协议条款 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ApplicationStep {
    pub action: String,
    pub on: String,
    pub note: String,
    pub actor: String,
}

const APPLICATION_COLS: &str = "case_number, stage, code, evaluated_on, publicity_from, \
                                publicity_ends, terms_json, history_json, updated_at";

pub async fn find_application(
    conn: &mut AnyConnection,
    case_number: &str,
) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {APPLICATION_COLS} FROM institution_application WHERE case_number = $1"
    ))
    .bind(case_number)
    .fetch_optional(conn)
    .await?)
}

/// Writes the application (insert or replace its row).
pub async fn put_application(
    conn: &mut AnyConnection,
    a: &ApplicationRow,
) -> Result<(), StoreError> {
    let terms = a.terms_json.nullable_text()?;
    let history = a.history_json.text()?;
    sqlx::query(
        "INSERT INTO institution_application (case_number, stage, code, evaluated_on, \
         publicity_from, publicity_ends, terms_json, history_json, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (case_number) DO UPDATE SET \
         stage = excluded.stage, code = excluded.code, evaluated_on = excluded.evaluated_on, \
         publicity_from = excluded.publicity_from, publicity_ends = excluded.publicity_ends, \
         terms_json = excluded.terms_json, history_json = excluded.history_json, \
         updated_at = excluded.updated_at",
    )
    .bind(&a.case_number)
    .bind(a.stage.key())
    .bind(&a.code)
    .bind(&a.evaluated_on)
    .bind(&a.publicity_from)
    .bind(&a.publicity_ends)
    .bind(terms)
    .bind(history)
    .bind(&a.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}
