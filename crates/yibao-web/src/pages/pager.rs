//! The search box, page links and export link under a list (`_pager.html`), with the query
//! kept in every link.

use yibao_service::paging::Paged;

pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The same list as an Excel file.
    pub export: String,
}

fn href(path: &str, params: &[(&str, &str)], page: Option<i64>, format: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    if let Some(p) = page.filter(|p| *p > 1) {
        q.append_pair("page", &p.to_string());
    }
    if let Some(f) = format {
        q.append_pair("format", f);
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

impl Pager {
    /// `params`: the list's filters as they were asked (empty ones are left out of links).
    pub fn new<T>(path: &str, params: &[(&str, &str)], p: &Paged<T>) -> Pager {
        let pages = p.pages();
        Pager {
            page: p.page,
            pages,
            total: p.total,
            prev: (p.page > 1).then(|| href(path, params, Some(p.page - 1), None)),
            next: (p.page < pages).then(|| href(path, params, Some(p.page + 1), None)),
            export: href(path, params, None, Some("xlsx")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yibao_service::paging::Span;

    #[test]
    fn links_keep_the_query() {
        let p = Paged::new(vec![0; 50], Span::Page(2), 120);
        let pager = Pager::new("/staff/persons", &[("q", "王 五&"), ("status", "")], &p);
        assert_eq!(pager.pages, 3);
        assert_eq!(
            pager.prev.as_deref(),
            Some("/staff/persons?q=%E7%8E%8B+%E4%BA%94%26")
        );
        assert_eq!(
            pager.next.as_deref(),
            Some("/staff/persons?q=%E7%8E%8B+%E4%BA%94%26&page=3")
        );
        assert_eq!(
            pager.export,
            "/staff/persons?q=%E7%8E%8B+%E4%BA%94%26&format=xlsx"
        );
        let last = Pager::new("/cases", &[], &Paged::new(vec![0; 1], Span::Page(1), 1));
        assert_eq!((last.prev, last.next), (None, None));
    }
}
