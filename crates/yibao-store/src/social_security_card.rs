//! The social security card register (migration 0045): card number → person, with the card's
//! serial number and status.

use sqlx::AnyConnection;
use yibao_domain::national::card::CardStatus;

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    pub card_no: String,
    pub person_id_number: String,
    pub card_sn: String,
    #[sqlx(try_from = "String")]
    pub status: CardStatus,
    pub updated_at: String,
}

pub async fn find(conn: &mut AnyConnection, card_no: &str) -> Result<Option<CardRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT card_no, person_id_number, card_sn, status, updated_at \
         FROM social_security_card WHERE card_no = $1",
    )
    .bind(card_no)
    .fetch_optional(conn)
    .await?)
}

/// Inserts the card or replaces what the register knew of it (a re-import after a loss).
pub async fn upsert(conn: &mut AnyConnection, c: &CardRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO social_security_card (card_no, person_id_number, card_sn, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (card_no) DO UPDATE SET \
         person_id_number = excluded.person_id_number, card_sn = excluded.card_sn, \
         status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(&c.card_no)
    .bind(&c.person_id_number)
    .bind(&c.card_sn)
    .bind(c.status.key())
    .bind(&c.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}
