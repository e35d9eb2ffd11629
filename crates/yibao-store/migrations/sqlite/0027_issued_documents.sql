-- Documents the agency issues (参保证明 …) with a verification code (核验码) that anyone holding
-- the paper can check at /verify: the code is random, the content is kept as issued. One row per
-- content and day (the same certificate printed twice the same day keeps its code). Keep in
-- step with ../postgres/0027_issued_documents.sql.

CREATE TABLE issued_document (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    subject        TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    content        TEXT NOT NULL,
    issued_on      TEXT NOT NULL,
    issued_by      TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE UNIQUE INDEX issued_document_content ON issued_document (content_digest, issued_on);
