-- Credits to personal accounts (个人账户划入), as the contribution system reports them, recorded
-- by finance; settlement pays from the balance they make. Keep in step with
-- ../postgres/0013_account_credit.sql.

CREATE TABLE account_credit (
    id               INTEGER PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    year             BIGINT NOT NULL,
    amount_fen       BIGINT NOT NULL CHECK (amount_fen > 0),
    note             TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE INDEX account_credit_person ON account_credit (person_id_number, year);
