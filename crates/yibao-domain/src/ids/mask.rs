//! Masking for lists, logs and exports (DESIGN §9): full values only on a record's own page,
//! to someone allowed to see it.

/// `510104199001011234` → `5101**********1234`. Shorter or odd values keep at most their first
/// and last characters so that nothing leaks from a malformed number either.
pub fn mask_id_number(value: &str) -> String {
    mask_middle(value, 4, 4)
}

/// `13812345678` → `138****5678`.
pub fn mask_phone(value: &str) -> String {
    mask_middle(value, 3, 4)
}

/// A person's name: `张三丰` → `张**`, keeping the family name only.
pub fn mask_name(value: &str) -> String {
    let mut chars = value.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_middle(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    // Too short to keep both ends: show one character at each end at most.
    let (head, tail) = if n > head + tail {
        (head, tail)
    } else if n > 2 {
        (1, 1)
    } else {
        (0, 0)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_as_the_issue_shows() {
        assert_eq!(mask_id_number("510104199001011234"), "5101**********1234");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_phone("123"), "1*3");
        assert_eq!(mask_phone("12"), "**");
        assert_eq!(mask_id_number(""), "");
    }

    proptest! {
        #[test]
        fn masking_keeps_length_and_hides_the_middle(s in "[0-9X]{9,20}") {
            let m = mask_id_number(&s);
            prop_assert_eq!(m.chars().count(), s.chars().count());
            prop_assert_eq!(m.matches('*').count(), s.len() - 8);
        }
    }
}
