//! Lists that search and page (办件工作台, 参保人员, 参保单位, 审计日志): what a list is asked
//! for — the text to find, a page, or everything for an Excel export — and the page answered.

use serde::Serialize;
pub use yibao_store::search::{Found, Window};

/// Rows on one page.
pub const PER_PAGE: i64 = 50;
/// At most this many rows go into one export; the page says so when there are more.
pub const EXPORT_ROWS: i64 = 50_000;
/// A search text longer than this is cut (nothing anyone types to find a record is longer).
pub const MAX_TEXT: usize = 64;

/// Which rows of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Page `n` (1-based) of `PER_PAGE` rows.
    Page(i64),
    /// The first `EXPORT_ROWS` rows, for an export.
    Export,
}

impl Span {
    /// A page number as typed in a query string: anything not a positive number is page 1.
    pub fn page(text: Option<&str>) -> Span {
        Span::Page(
            text.and_then(|t| t.trim().parse::<i64>().ok())
                .filter(|n| (1..=1_000_000).contains(n))
                .unwrap_or(1),
        )
    }

    pub fn window(self) -> Window {
        match self {
            Span::Page(n) => Window {
                limit: PER_PAGE,
                offset: (n.max(1) - 1).saturating_mul(PER_PAGE),
            },
            Span::Export => Window {
                limit: EXPORT_ROWS,
                offset: 0,
            },
        }
    }

    fn number(self) -> i64 {
        match self {
            Span::Page(n) => n.max(1),
            Span::Export => 1,
        }
    }
}

/// The search text as the store gets it: trimmed and cut to `MAX_TEXT` characters.
pub fn search_text(q: Option<&str>) -> String {
    q.unwrap_or("").trim().chars().take(MAX_TEXT).collect()
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    /// Rows matching in all.
    pub total: i64,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, span: Span, total: i64) -> Paged<T> {
        Paged {
            items,
            page: span.number(),
            per_page: match span {
                Span::Page(_) => PER_PAGE,
                Span::Export => EXPORT_ROWS,
            },
            total,
        }
    }

    /// How many pages there are (at least one).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }

    /// True when an export left rows out.
    pub fn truncated(&self) -> bool {
        self.total > self.items.len() as i64 && self.per_page == EXPORT_ROWS
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_windows() {
        assert_eq!(Span::page(None), Span::Page(1));
        assert_eq!(Span::page(Some("0")), Span::Page(1));
        assert_eq!(Span::page(Some("-3")), Span::Page(1));
        assert_eq!(Span::page(Some("abc")), Span::Page(1));
        assert_eq!(Span::page(Some(" 3 ")), Span::Page(3));
        assert_eq!(
            Span::Page(3).window(),
            Window {
                limit: 50,
                offset: 100
            }
        );
        let p = Paged::new(vec![1; 50], Span::Page(1), 101);
        assert_eq!(p.pages(), 3);
        assert_eq!(Paged::new(Vec::<i32>::new(), Span::Page(1), 0).pages(), 1);
        assert_eq!(Paged::new(vec![1; 50], Span::Page(1), 50).pages(), 1);
        assert!(!p.truncated());
        assert!(Paged::new(vec![1; 3], Span::Export, 4).truncated());
        assert_eq!(search_text(Some(&"王".repeat(100))).chars().count(), 64);
    }
}
