//! Sharper checks than a status code or `body.contains`: a page's text pinned to its element by a
//! CSS selector, and JSON answers compared whole against a snapshot under `tests/web/snapshots/`.
//!
//! Snapshots are named explicitly (never after the test function), so the SQLite and the
//! PostgreSQL run of a `both_stores!` test compare against one file: a difference between the
//! stores fails the test. Values that differ between runs (ids, case numbers, timestamps, tokens,
//! hashes) are redacted by the caller with insta selectors; nothing else should be.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test -p yibao-web --test web`, then read
//! the diff of `tests/web/snapshots/`. With `CI=true` a missing or different snapshot fails.

use insta::Settings;
use scraper::{ElementRef, Html, Selector};
use serde::Serialize;

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad CSS selector {css:?}: {e}"))
}

/// An element's text with runs of whitespace (template indentation) folded to one space.
fn text_of(el: ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of every element matching `css`, in document order, whitespace folded.
pub fn select_text(body: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(body);
    let sel = selector(css);
    doc.select(&sel).map(text_of).collect()
}

/// Like `select_text`, but an element with table cells (a `tr`) is its cells' texts joined
/// with ` | `, so a snapshot shows which cell holds what.
fn select_lines(body: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(body);
    let sel = selector(css);
    let cells = selector("th, td");
    doc.select(&sel)
        .map(|el| {
            let cells: Vec<String> = el.select(&cells).map(text_of).collect();
            if cells.is_empty() {
                text_of(el)
            } else {
                cells.join(" | ").trim_end().to_string()
            }
        })
        .collect()
}

/// The text of the one element matching `css`; fails when there is none or more than one.
pub fn one_text(body: &str, css: &str) -> String {
    let all = select_text(body, css);
    assert_eq!(
        all.len(),
        1,
        "expected exactly one element for {css:?}, found {}: {all:?}\n{body}",
        all.len()
    );
    all.into_iter().next().unwrap()
}

/// How many elements match `css`.
pub fn count(body: &str, css: &str) -> usize {
    let doc = Html::parse_document(body);
    let sel = selector(css);
    doc.select(&sel).count()
}

/// The value of attribute `name` on every element matching `css` that has it.
pub fn attrs(body: &str, css: &str, name: &str) -> Vec<String> {
    let doc = Html::parse_document(body);
    let sel = selector(css);
    doc.select(&sel)
        .filter_map(|el| el.value().attr(name).map(str::to_string))
        .collect()
}

/// Text rows of a table: one `Vec` of cell texts (`th` and `td`) per `tr` under `table_css`.
pub fn table_rows(body: &str, table_css: &str) -> Vec<Vec<String>> {
    let doc = Html::parse_document(body);
    let rows = selector(&format!("{table_css} tr"));
    let cells = selector("th, td");
    doc.select(&rows)
        .map(|tr| tr.select(&cells).map(text_of).collect())
        .collect()
}

fn settings() -> Settings {
    let mut s = Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// Compares `value` with the snapshot `name` (one file for both stores), after replacing what
/// each insta selector in `redactions` matches with its placeholder, e.g.
/// `&[(".case.number", "[number]"), (".**.created_at", "[ts]")]`.
pub fn assert_json_snapshot<T: Serialize>(name: &str, value: &T, redactions: &[(&str, &str)]) {
    let mut s = settings();
    for (sel, placeholder) in redactions {
        s.add_redaction(sel, *placeholder);
    }
    s.bind(|| insta::assert_json_snapshot!(name, value));
}

/// Compares the text of the elements matching `css` on a page, one line each (a table row's
/// cells separated by ` | `), with the snapshot `name`; each `(literal, placeholder)` in
/// `replace` is substituted first (a case number, an id that differs between runs).
pub fn assert_page_snapshot(name: &str, body: &str, css: &str, replace: &[(&str, &str)]) {
    let mut text = select_lines(body, css).join("\n");
    for (literal, placeholder) in replace {
        text = text.replace(literal, placeholder);
    }
    assert!(!text.is_empty(), "nothing matches {css:?}:\n{body}");
    settings().bind(|| insta::assert_snapshot!(name, text));
}
