-- Account links (个人账户关联 / 家庭共济): the holder's account pays what the user's own account
-- does not. One active link per user (the partial unique index, also the settlement path's
-- look-up); revoking keeps the row. Keep in step with ../postgres/0019_account_links.sql.

CREATE TABLE account_link (
    id               INTEGER PRIMARY KEY,
    holder_id_number TEXT NOT NULL,
    user_id_number   TEXT NOT NULL,
    relationship     TEXT NOT NULL,
    created_case     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    revoked_at       TEXT,
    revoked_case     TEXT
);

CREATE UNIQUE INDEX account_link_user ON account_link (user_id_number) WHERE revoked_at IS NULL;
CREATE INDEX account_link_holder ON account_link (holder_id_number);
