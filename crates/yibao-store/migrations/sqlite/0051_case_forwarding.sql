-- Issue #18, 通办 across instances (docs/federation.md): a case received at this window for a
-- person insured at a peer's region is forwarded there (`case_forward`, on the receiving side)
-- and decided by the peer's case engine as a case of its own (`case_origin`, on the deciding
-- side). Each status change of the deciding side's case travels back numbered by `status_seq`;
-- the receiving side keeps the highest number it applied (`remote_seq`) and ignores any older
-- one that arrives late. Keep in step with ../postgres/0051_case_forwarding.sql.

CREATE TABLE case_forward (
    case_id       BIGINT NOT NULL PRIMARY KEY REFERENCES case_file (id),
    peer_id       BIGINT NOT NULL REFERENCES federation_peer (id),
    to_region     TEXT NOT NULL,
    message_id    TEXT,
    forwarded_at  TEXT,
    remote_number TEXT,
    remote_status TEXT,
    remote_seq    BIGINT NOT NULL DEFAULT 0,
    remote_at     TEXT
);

CREATE TABLE case_origin (
    case_id       BIGINT NOT NULL PRIMARY KEY REFERENCES case_file (id),
    peer_id       BIGINT NOT NULL REFERENCES federation_peer (id),
    origin_region TEXT NOT NULL,
    origin_number TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    status_seq    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (origin_region, origin_number)
);
