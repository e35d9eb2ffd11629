//! How a reporter's identity reads to staff who do not handle the complaint: enough to tell two
//! reporters apart, not enough to find one (《社会保险法》第八十二条 protection of reporters,
//! ADR 0009).

/// 张三丰 → 张**; one character stays.
pub fn mask_name(name: &str) -> String {
    let mut cs = name.chars();
    match cs.next() {
        Some(first) => std::iter::once(first).chain(cs.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// 13800138000 → 138****8000; a short number keeps only its last two digits.
pub fn mask_phone(phone: &str) -> String {
    let cs: Vec<char> = phone.chars().collect();
    let n = cs.len();
    if n >= 11 {
        cs.iter()
            .enumerate()
            .map(|(i, c)| if i >= 3 && i < n - 4 { '*' } else { *c })
            .collect()
    } else {
        cs.iter()
            .enumerate()
            .map(|(i, c)| if i + 2 < n { '*' } else { *c })
            .collect()
    }
}

/// 500119198001011234 → 5001**********1234.
pub fn mask_id_number(id: &str) -> String {
    let cs: Vec<char> = id.chars().collect();
    let n = cs.len();
    cs.iter()
        .enumerate()
        .map(|(i, c)| if i >= 4 && i + 4 < n { '*' } else { *c })
        .collect()
}
