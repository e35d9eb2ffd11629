//! The two migration sets describe one schema (issue #14): a fresh SQLite and a fresh PostgreSQL
//! database, each migrated, must have the same tables, columns, keys, constraints and indexes.
//!
//! Both catalogs are read into one vocabulary, then compared. The rules that make the dialects
//! comparable (docs/adr/0001-storage.md, "Schema parity"):
//! - types: SQLite's declared type by its affinity rules, PostgreSQL's `data_type`; both 64-bit
//!   integers are `integer`, PostgreSQL's narrower `integer`/`smallint` are not (they overflow
//!   where SQLite does not);
//! - an auto-assigned id is SQLite's rowid alias (`INTEGER PRIMARY KEY`) or a PostgreSQL identity
//!   or serial; a rowid alias counts as NOT NULL (it can never hold NULL);
//! - defaults, CHECK expressions and partial-index predicates are compared as text after dropping
//!   casts, parentheses and case, with PostgreSQL's `= ANY (ARRAY[…])` read as `IN (…)`;
//! - collation: SQLite's default BINARY, PostgreSQL's "C"/"POSIX" and the PostgreSQL database
//!   default all count as `binary` (the database default is a deployment setting, not part of the
//!   migrations); any other collation is compared by name;
//! - column order is not compared: every statement names its columns, and a SQLite table rebuild
//!   orders columns as its new CREATE TABLE says while PostgreSQL's ADD COLUMN appends;
//! - not compared: index collations and storage settings (0010 keeps one result column
//!   uncompressed on PostgreSQL only).
//!
//! What remains different on purpose is listed in `ACCEPTED`, each entry with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sqlx::{Connection, PgConnection, SqliteConnection};
use yibao_store::test_support::TestDb;
use yibao_store::Backend;

/// Differences the two schemas keep on purpose: a line of the report, and why. An entry that no
/// longer matches a difference fails the test, so the list cannot go stale.
/// The settlement ledger is partitioned by month on PostgreSQL only (migration 0042, ADR 0014):
/// PostgreSQL needs the partition key in every key of a partitioned table, so the ledger's
/// idempotency key lives in `settlement_request` there, and a settlement id is reached by a
/// foreign key through that table's unique settlement_id.
/// The case tables are partitioned by the case's month on PostgreSQL only (migration 0050,
/// ADR 0015): their keys include the month there, the month CHECK makes `(number, month)` as
/// unique as the number, and each child names its case by id and month through `case_key`.
const ACCEPTED: &[(&str, &str)] = &[
    (
        "maternity_settlement: foreign key (settlement_id): sqlite settlement (id) on delete no \
         action on update no action, postgres settlement_request (settlement_id) on delete no \
         action on update no action",
        "a partitioned ledger's id is unique only with its month; the key table's settlement_id is",
    ),
    (
        "settlement: foreign key (institution_id): sqlite institution (id) on delete no action \
         on update no action, postgres -",
        "on PostgreSQL a trigger on institution refuses the same deletes (0056, ADR 0018): the \
         key locked the institution's row for every settlement",
    ),
    (
        "settlement: primary key: sqlite (id), postgres (id, month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "settlement: unique (institution_id, request_id): only on sqlite",
        "on PostgreSQL settlement_request holds this key across months",
    ),
    (
        "case_evaluation: primary key: sqlite (case_id), postgres (case_id, case_month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_evaluation: foreign key (case_id): sqlite case_file (id) on delete no action on \
         update no action, postgres -",
        "on SQLite a case id is unique by itself (one table); PostgreSQL names the case with \
         its month",
    ),
    (
        "case_evaluation: foreign key (case_id, case_month): sqlite -, postgres case_key (id, \
         month) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_event: primary key: sqlite (id), postgres (id, case_month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_event: foreign key (case_id): sqlite case_file (id) on delete no action on update \
         no action, postgres -",
        "on SQLite a case id is unique by itself (one table); PostgreSQL names the case with \
         its month",
    ),
    (
        "case_event: foreign key (case_id, case_month): sqlite -, postgres case_key (id, \
         month) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_material: primary key: sqlite (id), postgres (id, case_month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_material: foreign key (case_id): sqlite case_file (id) on delete no action on \
         update no action, postgres -",
        "on SQLite a case id is unique by itself (one table); PostgreSQL names the case with \
         its month",
    ),
    (
        "case_material: foreign key (case_id, case_month): sqlite -, postgres case_key (id, \
         month) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_notice: primary key: sqlite (id), postgres (id, case_month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_notice: foreign key (case_id): sqlite case_file (id) on delete no action on \
         update no action, postgres -",
        "on SQLite a case id is unique by itself (one table); PostgreSQL names the case with \
         its month",
    ),
    (
        "case_notice: foreign key (case_id, case_month): sqlite -, postgres case_key (id, \
         month) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_pause: primary key: sqlite (id), postgres (id, case_month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_pause: foreign key (case_id): sqlite case_file (id) on delete no action on update \
         no action, postgres -",
        "on SQLite a case id is unique by itself (one table); PostgreSQL names the case with \
         its month",
    ),
    (
        "case_pause: foreign key (case_id, case_month): sqlite -, postgres case_key (id, \
         month) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_file: primary key: sqlite (id), postgres (id, month)",
        "a partitioned table's primary key includes the partition key",
    ),
    (
        "case_file: unique (number): only on sqlite",
        "on PostgreSQL unique (number, month) with the month CHECK is the same key",
    ),
    (
        "case_file: unique (number, month): only on postgres",
        "the form of the number's key that a partitioned table can hold",
    ),
    (
        "case_file: CHECK ((month = ((substr(number, 8, 4) || '-'::text) || substr(number, 12, \
         2)))): only on postgres (normalised: month = substr number , 8 , 4 || '-' || substr \
         number , 12 , 2)",
        "makes unique (number, month) as strong as unique (number); SQLite keeps unique \
         (number) itself, and its ADD COLUMN cannot add a CHECK that existing rows would fail \
         before they are filled",
    ),
    (
        "case_forward: foreign key (case_id): sqlite case_file (id) on delete no action on \
         update no action, postgres case_key (id) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_origin: foreign key (case_id): sqlite case_file (id) on delete no action on \
         update no action, postgres case_key (id) on delete no action on update no action",
        "a partitioned case_file's id is unique only with its month; case_key holds every id",
    ),
    (
        "case_key: table only on postgres",
        "every case id with its month, which the case children's keys reference; SQLite keeps \
         the id unique on case_file itself",
    ),
    (
        "settlement_request: table only on postgres",
        "the idempotency key of the partitioned ledger; SQLite keeps it on settlement itself",
    ),
];

// ------------------------------------------------------------------------------------------------
// The common vocabulary

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    ty: String,
    not_null: bool,
    /// Normalised default expression; `None` also for `DEFAULT NULL`.
    default: Option<String>,
    auto_id: bool,
    collation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    table: String,
    columns: Vec<String>,
    on_delete: String,
    on_update: String,
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) on delete {} on update {}",
            self.table,
            self.columns.join(", "),
            self.on_delete,
            self.on_update
        )
    }
}

#[derive(Debug, Clone)]
struct Check {
    /// What is compared.
    normalised: String,
    /// What is shown.
    raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    unique: bool,
    /// Column names, `<expression>` for an expression, with ` desc` when descending.
    columns: Vec<String>,
    /// Normalised WHERE of a partial index.
    predicate: Option<String>,
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unique {
            f.write_str("unique ")?;
        }
        write!(f, "({})", self.columns.join(", "))?;
        if let Some(p) = &self.predicate {
            write!(f, " where {p}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Column lists of UNIQUE constraints (unique indexes created by name are in `indexes`).
    uniques: BTreeSet<Vec<String>>,
    /// By referencing columns.
    foreign_keys: BTreeMap<Vec<String>, ForeignKey>,
    checks: Vec<Check>,
    /// Indexes created by name, not those backing a key or UNIQUE constraint.
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

// ------------------------------------------------------------------------------------------------
// Normalisation

/// SQLite's type affinity (sqlite.org/datatype3.html §3.1), with BOOL taken out of NUMERIC.
fn sqlite_type(declared: &str) -> String {
    let d = declared.to_ascii_uppercase();
    let ty = if d.contains("INT") {
        // Whatever the declared width, SQLite stores 64-bit integers.
        "integer"
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
        "text"
    } else if d.contains("BLOB") || d.is_empty() {
        "blob"
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        "real"
    } else if d.contains("BOOL") {
        "bool"
    } else {
        "numeric"
    };
    ty.to_string()
}

fn postgres_type(data_type: &str, max_length: Option<i32>) -> String {
    match (data_type, max_length) {
        ("bigint", _) => "integer".to_string(),
        // Narrower than SQLite's integers: a value SQLite takes would overflow here.
        ("integer", _) => "integer (32-bit)".to_string(),
        ("smallint", _) => "integer (16-bit)".to_string(),
        ("text", _) | ("character varying", None) => "text".to_string(),
        // SQLite does not enforce a declared length.
        ("character varying" | "character", Some(n)) => format!("text (at most {n})"),
        ("bytea", _) => "blob".to_string(),
        ("real" | "double precision", _) => "real".to_string(),
        ("boolean", _) => "bool".to_string(),
        (other, _) => other.to_string(),
    }
}

/// SQLite compares text bytewise (BINARY) unless told otherwise; on PostgreSQL "C" and "POSIX"
/// do the same, and a column without a collation takes the database's, which is chosen when the
/// database is created, not by the migrations.
fn collation(name: Option<&str>) -> String {
    match name {
        None => "binary".to_string(),
        Some(n) if ["binary", "c", "posix"].contains(&n.to_ascii_lowercase().as_str()) => {
            "binary".to_string()
        }
        Some(n) => n.to_ascii_lowercase(),
    }
}

/// PostgreSQL's `pg_constraint.confupdtype`/`confdeltype`, spelt as SQLite's foreign_key_list.
fn postgres_action(code: &str) -> String {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => other,
    }
    .to_string()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A keyword or identifier, lower-cased; quoted identifiers unquoted.
    Word(String),
    /// A string literal with its quotes.
    Str(String),
    Num(String),
    Punct(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

const OPERATORS: &[&str] = &[
    "!~~*", "!~~", "~~*", "::", "<>", "!=", "<=", ">=", "||", "==", "~~",
];

/// A tokeniser good enough for the DDL and expressions the two catalogs give back: comments,
/// string literals, quoted identifiers, numbers, words and operators.
fn tokenise(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            continue;
        }
        if sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            continue;
        }
        let tok = if c == b'\'' || c == b'"' || c == b'`' {
            // A doubled quote inside is the quote itself.
            i += 1;
            loop {
                if i >= bytes.len() {
                    break;
                }
                if bytes[i] == c {
                    if bytes.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            let text = &sql[start..i];
            if c == b'\'' {
                Tok::Str(text.to_string())
            } else {
                Tok::Word(text[1..text.len().saturating_sub(1)].to_string())
            }
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            Tok::Num(sql[start..i].to_string())
        } else if c.is_ascii_alphabetic() || c == b'_' || !c.is_ascii() {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || !bytes[i].is_ascii())
            {
                i += 1;
            }
            Tok::Word(sql[start..i].to_ascii_lowercase())
        } else if let Some(op) = OPERATORS.iter().find(|op| sql[i..].starts_with(**op)) {
            i += op.len();
            Tok::Punct(op.to_string())
        } else {
            i += 1;
            Tok::Punct((c as char).to_string())
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(&t.tok, Tok::Word(x) if x == w)
}

fn is_punct(t: &Token, p: &str) -> bool {
    matches!(&t.tok, Tok::Punct(x) if x == p)
}

/// The index just past the parenthesis that closes the one at `open`.
fn matching_paren(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if is_punct(t, "(") {
            depth += 1;
        } else if is_punct(t, ")") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i + 1;
            }
        }
    }
    toks.len()
}

/// Words that continue a type name after its first.
const TYPE_NAME_TAIL: &[&str] = &["varying", "precision", "with", "without", "time", "zone"];

/// An expression as comparable text: casts (`'x'::text`, `(0)::bigint`) and parentheses dropped,
/// words lower-cased, PostgreSQL's `= ANY (ARRAY[…])` and `<> ALL (ARRAY[…])` read as SQLite's
/// `IN (…)` and `NOT IN (…)`, `!=` as `<>`, `~~` as LIKE. Dropping parentheses can equate
/// `(a OR b) AND c` with `a OR (b AND c)`; both catalogs print what was written, so that is an
/// accepted blind spot.
fn normalise_expr(toks: &[Token]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if is_punct(t, "::") {
            // The type name (`text`, `character varying`, `timestamp with time zone`), then an
            // optional modifier and array brackets.
            i += 2;
            while i < toks.len() && TYPE_NAME_TAIL.iter().any(|w| is_word(&toks[i], w)) {
                i += 1;
            }
            if i < toks.len() && is_punct(&toks[i], "(") {
                i = matching_paren(toks, i);
            }
            while i + 1 < toks.len() && is_punct(&toks[i], "[") && is_punct(&toks[i + 1], "]") {
                i += 2;
            }
            continue;
        }
        match &t.tok {
            Tok::Punct(p) if ["(", ")", "[", "]"].contains(&p.as_str()) => {}
            Tok::Punct(p) if p == "!=" => words.push("<>".into()),
            Tok::Punct(p) if p == "==" => words.push("=".into()),
            Tok::Punct(p) if p == "~~" => words.push("like".into()),
            Tok::Punct(p) if p == "!~~" => words.push("not like".into()),
            Tok::Word(w) if w == "array" => {}
            Tok::Word(w) if w == "any" && words.last().is_some_and(|l| l == "=") => {
                words.pop();
                words.push("in".into());
            }
            Tok::Word(w) if w == "all" && words.last().is_some_and(|l| l == "<>") => {
                words.pop();
                words.push("not in".into());
            }
            Tok::Word(w) | Tok::Str(w) | Tok::Num(w) | Tok::Punct(w) => words.push(w.clone()),
        }
        i += 1;
    }
    // A unary minus belongs to its number (`-1` and PostgreSQL's `'-1'::bigint` alike).
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let unary = out.last().is_some_and(|l| l == "-")
            && (out.len() == 1
                || out[out.len() - 2]
                    .chars()
                    .all(|c| !c.is_ascii_alphanumeric() && c != '\'')
                || ["in", "and", "or", "not"].contains(&out[out.len() - 2].as_str()));
        if unary && w.chars().all(|c| c.is_ascii_digit() || c == '.') {
            out.pop();
            out.push(format!("-{w}"));
        } else {
            out.push(w);
        }
    }
    out.join(" ")
}

fn normalise_default(expr: Option<&str>, ty: &str) -> Option<String> {
    let expr = normalise_expr(&tokenise(expr?));
    if expr.is_empty() || expr == "null" {
        return None;
    }
    // PostgreSQL quotes some numeric defaults ('-1'::bigint); SQLite keeps them as written.
    let numeric = ty.starts_with("integer") || ty == "real" || ty == "numeric";
    if numeric && expr.len() > 2 && expr.starts_with('\'') && expr.ends_with('\'') {
        let inner = &expr[1..expr.len() - 1];
        if inner.parse::<f64>().is_ok() {
            return Some(inner.to_string());
        }
    }
    Some(expr)
}

/// The CHECK expressions and explicit collations in a SQLite `CREATE TABLE` statement (the
/// catalog keeps only its text; ADD COLUMN appends to it).
fn sqlite_table_sql(sql: &str) -> (Vec<Check>, BTreeMap<String, String>) {
    let toks = tokenise(sql);
    let mut checks = Vec::new();
    let mut collations = BTreeMap::new();
    let Some(open) = toks.iter().position(|t| is_punct(t, "(")) else {
        return (checks, collations);
    };
    let close = matching_paren(&toks, open) - 1;
    // Split the body at top-level commas into column and table-constraint definitions.
    let mut definitions = Vec::new();
    let mut depth = 0;
    let mut from = open + 1;
    for i in open + 1..close {
        let t = &toks[i];
        if is_punct(t, "(") {
            depth += 1;
        } else if is_punct(t, ")") {
            depth -= 1;
        } else if depth == 0 && is_punct(t, ",") {
            definitions.push(&toks[from..i]);
            from = i + 1;
        }
    }
    definitions.push(&toks[from..close]);
    for def in definitions {
        let Some(first) = def.first() else { continue };
        let column = match &first.tok {
            Tok::Word(w)
                if !["constraint", "primary", "unique", "check", "foreign"]
                    .contains(&w.as_str()) =>
            {
                Some(w.clone())
            }
            _ => None,
        };
        let mut i = 0;
        while i < def.len() {
            if is_word(&def[i], "check") && i + 1 < def.len() && is_punct(&def[i + 1], "(") {
                let end = matching_paren(def, i + 1);
                let inner = &def[i + 2..end - 1];
                checks.push(Check {
                    normalised: normalise_expr(inner),
                    raw: sql[def[i].start..def[end - 1].end].to_string(),
                });
                i = end;
                continue;
            }
            if is_punct(&def[i], "(") {
                i = matching_paren(def, i);
                continue;
            }
            if let (Some(col), true, Some(name)) =
                (&column, is_word(&def[i], "collate"), def.get(i + 1))
            {
                if let Tok::Word(n) | Tok::Str(n) = &name.tok {
                    collations.insert(col.clone(), n.trim_matches('\'').to_string());
                }
            }
            i += 1;
        }
    }
    (checks, collations)
}

/// The normalised WHERE of a SQLite `CREATE INDEX` statement.
fn sqlite_index_predicate(sql: &str) -> Option<String> {
    let toks = tokenise(sql);
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate() {
        if is_punct(t, "(") {
            depth += 1;
        } else if is_punct(t, ")") {
            depth -= 1;
        } else if depth == 0 && is_word(t, "where") {
            return Some(normalise_expr(&toks[i + 1..]));
        }
    }
    None
}

// ------------------------------------------------------------------------------------------------
// Reading the catalogs

async fn read_sqlite(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url).await.expect("sqlite");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("sqlite tables");
    let mut schema = Schema::new();
    for (name, sql) in tables {
        let (checks, collations) = sqlite_table_sql(&sql);
        let mut table = Table {
            checks,
            ..Table::default()
        };

        let columns: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("sqlite columns");
        let mut pk: Vec<(i64, String)> = columns
            .iter()
            .filter(|c| c.4 > 0)
            .map(|c| (c.4, c.0.clone()))
            .collect();
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        // A single-column INTEGER PRIMARY KEY is the rowid: assigned when NULL, never NULL.
        let rowid = match table.primary_key.as_slice() {
            [only] => columns
                .iter()
                .find(|c| &c.0 == only)
                .is_some_and(|c| c.1.eq_ignore_ascii_case("INTEGER")),
            _ => false,
        };
        for (col, declared, not_null, default, pk_pos) in columns {
            let ty = sqlite_type(&declared);
            let auto_id = rowid && pk_pos == 1;
            table.columns.insert(
                col.clone(),
                Column {
                    default: normalise_default(default.as_deref(), &ty),
                    ty,
                    not_null: not_null != 0 || auto_id,
                    auto_id,
                    collation: collation(collations.get(&col).map(String::as_str)),
                },
            );
        }

        let indexes: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .expect("sqlite indexes");
        for (index, unique, origin) in indexes {
            let keys: Vec<(Option<String>, i64)> = sqlx::query_as(
                "SELECT name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
            )
            .bind(&index)
            .fetch_all(&mut conn)
            .await
            .expect("sqlite index columns");
            let columns: Vec<String> = keys
                .into_iter()
                .map(|(c, desc)| {
                    let c = c.unwrap_or_else(|| "<expression>".to_string());
                    if desc != 0 {
                        format!("{c} desc")
                    } else {
                        c
                    }
                })
                .collect();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    table.uniques.insert(columns);
                }
                _ => {
                    let sql: Option<String> =
                        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = ?1")
                            .bind(&index)
                            .fetch_one(&mut conn)
                            .await
                            .expect("sqlite index sql");
                    table.indexes.insert(
                        index,
                        Index {
                            unique: unique != 0,
                            columns,
                            predicate: sql.as_deref().and_then(sqlite_index_predicate),
                        },
                    );
                }
            }
        }

        let fks: Vec<(i64, String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\", \"to\", on_delete, on_update \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("sqlite foreign keys");
        let mut by_id: BTreeMap<i64, (Vec<String>, ForeignKey)> = BTreeMap::new();
        for (id, ref_table, from, to, on_delete, on_update) in fks {
            let entry = by_id.entry(id).or_insert_with(|| {
                (
                    Vec::new(),
                    ForeignKey {
                        table: ref_table,
                        columns: Vec::new(),
                        on_delete: on_delete.to_ascii_lowercase(),
                        on_update: on_update.to_ascii_lowercase(),
                    },
                )
            });
            entry.0.push(from);
            // `to` is NULL for `REFERENCES t` without columns; filled in below from t's key.
            entry.1.columns.extend(to);
        }
        for (_, (cols, fk)) in by_id {
            table.foreign_keys.insert(cols, fk);
        }
        schema.insert(name, table);
    }
    // `REFERENCES t` means t's primary key.
    let keys: BTreeMap<String, Vec<String>> = schema
        .iter()
        .map(|(n, t)| (n.clone(), t.primary_key.clone()))
        .collect();
    for table in schema.values_mut() {
        for fk in table.foreign_keys.values_mut() {
            if fk.columns.is_empty() {
                fk.columns = keys.get(&fk.table).cloned().unwrap_or_default();
            }
        }
    }
    conn.close().await.expect("sqlite close");
    schema
}

async fn read_postgres(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.expect("postgres");
    let mut schema = Schema::new();

    type ColumnRow = (
        String,
        String,
        String,
        Option<i32>,
        bool,
        Option<String>,
        bool,
        Option<String>,
    );
    let columns: Vec<ColumnRow> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
                c.character_maximum_length::int4, c.is_nullable::text = 'NO', \
                c.column_default::text, c.is_identity::text = 'YES', c.collation_name::text \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations' \
           AND NOT EXISTS (SELECT 1 FROM pg_class p JOIN pg_namespace n ON n.oid = p.relnamespace \
                           WHERE n.nspname = c.table_schema AND p.relname = c.table_name \
                             AND p.relispartition) \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .expect("postgres columns");
    for (table, col, data_type, max_length, not_null, default, identity, coll) in columns {
        let ty = postgres_type(&data_type, max_length);
        let serial = default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        let default = if serial {
            None
        } else {
            normalise_default(default.as_deref(), &ty)
        };
        schema.entry(table).or_default().columns.insert(
            col,
            Column {
                ty,
                not_null,
                default,
                auto_id: identity || serial,
                collation: collation(coll.as_deref()),
            },
        );
    }

    type ConstraintRow = (
        String,
        String,
        Vec<String>,
        Option<String>,
        Vec<String>,
        String,
        String,
        String,
    );
    // `conparentid = 0`: a foreign key to a partitioned table (the case tables, migration 0050)
    // also has one internal copy per referenced partition; the declared one is the schema.
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT t.relname::text, c.contype::text, \
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o) \
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n \
                      ORDER BY k.o), \
                r.relname::text, \
                ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o) \
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n \
                      ORDER BY k.o), \
                c.confdeltype::text, c.confupdtype::text, pg_get_constraintdef(c.oid) \
         FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_class r ON r.oid = c.confrelid \
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c') \
           AND c.conparentid = 0 \
         ORDER BY 1, 2, 8",
    )
    .fetch_all(&mut conn)
    .await
    .expect("postgres constraints");
    for (table, kind, cols, ref_table, ref_cols, on_delete, on_update, def) in constraints {
        let Some(table) = schema.get_mut(&table) else {
            continue;
        };
        match kind.as_str() {
            "p" => table.primary_key = cols,
            "u" => {
                table.uniques.insert(cols);
            }
            "f" => {
                table.foreign_keys.insert(
                    cols,
                    ForeignKey {
                        table: ref_table.unwrap_or_default(),
                        columns: ref_cols,
                        on_delete: postgres_action(&on_delete),
                        on_update: postgres_action(&on_update),
                    },
                );
            }
            _ => {
                let toks = tokenise(&def);
                let body = match toks.first() {
                    Some(t) if is_word(t, "check") => &toks[1..],
                    _ => &toks[..],
                };
                table.checks.push(Check {
                    normalised: normalise_expr(body),
                    raw: def,
                });
            }
        }
    }

    type IndexRow = (String, String, bool, Vec<String>, Option<String>);
    let indexes: Vec<IndexRow> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, ix.indisunique, \
                ARRAY(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN '<expression>' \
                                  ELSE pg_get_indexdef(ix.indexrelid, k, true) END \
                             || CASE WHEN ix.indoption[k - 1] & 1 = 1 THEN ' desc' ELSE '' END \
                      FROM generate_series(1, ix.indnkeyatts::int4) AS k ORDER BY k), \
                pg_get_expr(ix.indpred, ix.indrelid) \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                           WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid \
                             AND c.contype IN ('p', 'u', 'x'))",
    )
    .fetch_all(&mut conn)
    .await
    .expect("postgres indexes");
    for (table, name, unique, columns, predicate) in indexes {
        let Some(table) = schema.get_mut(&table) else {
            continue;
        };
        table.indexes.insert(
            name,
            Index {
                unique,
                columns,
                predicate: predicate.map(|p| normalise_expr(&tokenise(&p))),
            },
        );
    }
    conn.close().await.expect("postgres close");
    schema
}

// ------------------------------------------------------------------------------------------------
// Comparing

fn show<T: fmt::Display>(v: Option<&T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn list(cols: &[String]) -> String {
    format!("({})", cols.join(", "))
}

/// One line per difference: `where: what: sqlite …, postgres …`.
fn compare(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("{name}: table only on sqlite"));
                continue;
            }
            (None, _) => {
                out.push(format!("{name}: table only on postgres"));
                continue;
            }
        };

        let cols: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for col in cols {
            let (sc, pc) = match (s.columns.get(col), p.columns.get(col)) {
                (Some(sc), Some(pc)) => (sc, pc),
                (Some(_), None) => {
                    out.push(format!("{name}.{col}: column only on sqlite"));
                    continue;
                }
                (None, _) => {
                    out.push(format!("{name}.{col}: column only on postgres"));
                    continue;
                }
            };
            let mut differ = |what: &str, a: String, b: String| {
                if a != b {
                    out.push(format!("{name}.{col}: {what}: sqlite {a}, postgres {b}"));
                }
            };
            differ("type", sc.ty.clone(), pc.ty.clone());
            differ("not null", sc.not_null.to_string(), pc.not_null.to_string());
            differ(
                "default",
                show(sc.default.as_ref()),
                show(pc.default.as_ref()),
            );
            differ("auto id", sc.auto_id.to_string(), pc.auto_id.to_string());
            differ("collation", sc.collation.clone(), pc.collation.clone());
        }

        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key: sqlite {}, postgres {}",
                list(&s.primary_key),
                list(&p.primary_key)
            ));
        }
        for u in s.uniques.difference(&p.uniques) {
            out.push(format!("{name}: unique {}: only on sqlite", list(u)));
        }
        for u in p.uniques.difference(&s.uniques) {
            out.push(format!("{name}: unique {}: only on postgres", list(u)));
        }

        let fk_cols: BTreeSet<&Vec<String>> =
            s.foreign_keys.keys().chain(p.foreign_keys.keys()).collect();
        for cols in fk_cols {
            let (a, b) = (s.foreign_keys.get(cols), p.foreign_keys.get(cols));
            if a != b {
                out.push(format!(
                    "{name}: foreign key {}: sqlite {}, postgres {}",
                    list(cols),
                    show(a),
                    show(b)
                ));
            }
        }

        // Checks as multisets of their normalised text.
        let mut unmatched: Vec<&Check> = p.checks.iter().collect();
        for c in &s.checks {
            match unmatched.iter().position(|u| u.normalised == c.normalised) {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => out.push(format!(
                    "{name}: {}: only on sqlite (normalised: {})",
                    c.raw, c.normalised
                )),
            }
        }
        for c in unmatched {
            out.push(format!(
                "{name}: {}: only on postgres (normalised: {})",
                c.raw, c.normalised
            ));
        }

        let indexes: BTreeSet<&String> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for index in indexes {
            let (a, b) = (s.indexes.get(index), p.indexes.get(index));
            if a != b {
                out.push(format!(
                    "{name}: index {index}: sqlite {}, postgres {}",
                    show(a),
                    show(b)
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn both_migration_sets_give_the_same_schema() {
    let sqlite = TestDb::new(Backend::Sqlite).await.expect("sqlite database");
    let postgres = TestDb::new(Backend::Postgres)
        .await
        .expect("postgres database");
    let s = read_sqlite(&sqlite.url).await;
    let p = read_postgres(&postgres.url).await;
    // Both are rebuilt from the migrations at will: nothing to keep for inspection.
    sqlite.cleanup().await;
    postgres.cleanup().await;

    // An empty read would compare equal.
    assert!(
        s.contains_key("audit_log") && p.contains_key("audit_log"),
        "catalogs not read"
    );
    let differences = compare(&s, &p);
    let mut problems: Vec<String> = differences
        .iter()
        .filter(|d| !ACCEPTED.iter().any(|(a, _)| a == d))
        .cloned()
        .collect();
    for (accepted, _) in ACCEPTED {
        if !differences.iter().any(|d| d == accepted) {
            problems.push(format!(
                "accepted difference no longer found, remove it from ACCEPTED: {accepted}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "migrations/sqlite and migrations/postgres disagree ({} difference(s)); fix them in a new \
         migration pair, or accept one in ACCEPTED with its reason:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// ------------------------------------------------------------------------------------------------
// The normalisation rules themselves

fn expr(sql: &str) -> String {
    normalise_expr(&tokenise(sql))
}

#[test]
fn checks_read_alike_in_both_dialects() {
    assert_eq!(
        expr("((level = ANY (ARRAY['province'::text, 'city'::text])))"),
        expr("level IN ('province', 'city')")
    );
    assert_eq!(
        expr("((active = ANY (ARRAY[(0)::bigint, (1)::bigint])))"),
        expr("active IN (0, 1)")
    );
    assert_eq!(
        expr("(x <> ALL (ARRAY['a'::text]))"),
        expr("x NOT IN ('a')")
    );
    assert_eq!(expr("((id = 1))"), "id = 1");
    assert_eq!(
        expr("((sealed = 0) AND (chain <> ''::text))"),
        expr("sealed = 0 AND chain != ''")
    );
    assert_eq!(expr("(name)::character varying(10)"), "name");
    assert_ne!(expr("amount > 0"), expr("amount >= 0"));
    assert_ne!(expr("level IN ('a', 'b')"), expr("level IN ('a')"));
}

#[test]
fn defaults_read_alike_in_both_dialects() {
    assert_eq!(
        normalise_default(Some("''::text"), "text"),
        Some("''".into())
    );
    assert_eq!(normalise_default(Some("'{}'"), "text"), Some("'{}'".into()));
    assert_eq!(
        normalise_default(Some("'-1'::bigint"), "integer"),
        Some("-1".into())
    );
    assert_eq!(normalise_default(Some("-1"), "integer"), Some("-1".into()));
    assert_eq!(normalise_default(Some("(0)"), "integer"), Some("0".into()));
    assert_eq!(normalise_default(Some("NULL"), "text"), None);
    assert_eq!(normalise_default(Some("'0'"), "text"), Some("'0'".into()));
}

#[test]
fn reads_checks_and_collations_from_sqlite_ddl() {
    let (checks, collations) = sqlite_table_sql(
        "CREATE TABLE \"t\" (\n  -- a comment, with a comma\n  id INTEGER PRIMARY KEY,\n  \
         level TEXT NOT NULL CHECK (level IN ('a', 'b')),\n  name TEXT COLLATE NOCASE,\n  \
         CONSTRAINT positive CHECK (id > 0), UNIQUE (level, name))",
    );
    let checks: Vec<&str> = checks.iter().map(|c| c.normalised.as_str()).collect();
    assert_eq!(checks, ["level in 'a' , 'b'", "id > 0"]);
    assert_eq!(
        collations.into_iter().collect::<Vec<_>>(),
        [("name".to_string(), "nocase".to_string())]
    );
    assert_eq!(
        sqlite_index_predicate("CREATE INDEX i ON t (a, b) WHERE sealed = 0 AND chain <> ''"),
        Some("sealed = 0 and chain <> ''".into())
    );
    assert_eq!(sqlite_index_predicate("CREATE INDEX i ON t (a)"), None);
}
