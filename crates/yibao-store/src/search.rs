//! What list pages search and page with: a window of rows and a text to find inside columns,
//! written as a LIKE pattern with its wildcards escaped (so `%` and `_` typed by a user match
//! themselves) and compared in upper case (an ID number's check letter may be typed `x`).

/// A page of rows: `limit` rows from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// Rows of one page and how many match in all.
#[derive(Debug, Clone)]
pub struct Found<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// `%text%` with `\`, `%` and `_` escaped for `LIKE … ESCAPE '\'`, in upper case.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.trim().to_uppercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Store ids written into a statement as `1, 2, 3` for `IN (…)`: they are numbers from the
/// store, never user text (the Any driver binds no arrays).
pub fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The condition that one of `columns` contains the pattern bound as `$n`.
pub fn any_contains(columns: &[&str], n: usize) -> String {
    let parts: Vec<String> = columns
        .iter()
        .map(|c| format!("UPPER({c}) LIKE ${n} ESCAPE '\\'"))
        .collect();
    format!("({})", parts.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_typed_by_users_match_themselves() {
        assert_eq!(contains_pattern(" 王 "), "%王%");
        assert_eq!(contains_pattern("50%_x"), "%50\\%\\_X%");
        assert_eq!(contains_pattern("a\\b"), "%A\\\\B%");
        assert_eq!(
            any_contains(&["name", "id_number"], 2),
            "(UPPER(name) LIKE $2 ESCAPE '\\' OR UPPER(id_number) LIKE $2 ESCAPE '\\')"
        );
    }
}
