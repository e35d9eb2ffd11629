-- Personal accounts (个人账户): whether an account is open or was closed by a one-time
-- withdrawal (一次性支取), and the statement (个人账户明细): every change to a balance, with
-- its kind, signed amount in fen and the balance after it. The balance itself stays on the
-- accumulator row (where settlement takes it under the row lock); the statement of a year
-- adds up to it. Keep in step with ../postgres/0018_account_statement.sql.

CREATE TABLE personal_account (
    person_id_number TEXT NOT NULL PRIMARY KEY,
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at        TEXT,
    closed_by_case   TEXT,
    updated_at       TEXT NOT NULL
);

CREATE TABLE account_entry (
    id                INTEGER PRIMARY KEY,
    person_id_number  TEXT NOT NULL,
    year              BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    amount_fen        BIGINT NOT NULL CHECK (amount_fen <> 0),
    balance_after_fen BIGINT NOT NULL CHECK (balance_after_fen >= 0),
    reference         TEXT NOT NULL,
    note              TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);

CREATE INDEX account_entry_person ON account_entry (person_id_number, year, id);
