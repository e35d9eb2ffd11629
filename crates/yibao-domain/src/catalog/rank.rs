//! Ranked text search of the catalog (事项搜索): what people type is rarely the guide's own
//! wording. A query is split into terms at spaces and punctuation; each term matches an item
//! when it, or a word of its synonym group, occurs in the item's text, or when its characters
//! occur in order in the item's name (异地备案 → 异地就医备案). Every term must match; items
//! score by where they matched (name first), and the best come first.

use super::model::Item;

/// Words the guides use for the same thing, and the everyday words people type for them. Each
/// group is symmetric: typing any word finds items with any other, so a group holds only words
/// that mean the same (异地就医 is wider than 异地就医备案 and is not in its group). Sources: the item names and
/// texts of seeds 000–004 (e.g. 门诊慢特病 in seed 001, 特殊疾病/特病 in seeds 002–004, 慢性病 in
/// seeds 003–004; 异地就医备案 everywhere; 手工报销 / 零星报销 / 费用报销).
pub const SYNONYMS: &[&[&str]] = &[
    &[
        "慢病",
        "慢性病",
        "慢特病",
        "门诊慢特病",
        "特病",
        "特殊疾病",
        "门特",
        "两病",
    ],
    &[
        "异地备案",
        "异地就医备案",
        "异地登记备案",
        "异地就医登记备案",
    ],
    &["报销", "手工报销", "零星报销", "费用报销", "报账"],
    &["停保", "暂停参保", "中断参保"],
    &["续保", "恢复参保", "续缴"],
    &["转移", "转移接续", "关系转移", "转出", "转入", "迁移"],
    &[
        "医保卡",
        "社保卡",
        "社会保障卡",
        "医保电子凭证",
        "电子凭证",
        "医保码",
    ],
    &["个账", "个人账户", "医保账户", "家庭共济", "账户关联"],
    &["交费", "缴费", "交钱"],
    &["生孩子", "生育", "生育保险", "生育津贴", "产检", "产前检查"],
    &["公司", "企业", "单位"],
    &["医院", "定点医疗机构", "定点医药机构"],
    &["药店", "定点零售药店", "定点医药机构"],
    &["投诉", "举报", "投诉举报"],
    &["参保证明", "参保凭证", "缴费证明"],
];

/// The words a term stands for: itself, and every word of each synonym group it names.
pub fn expansions(term: &str) -> Vec<String> {
    let mut out = vec![term.to_string()];
    for group in SYNONYMS {
        if group.contains(&term) {
            for w in group.iter() {
                if !out.iter().any(|o| o == w) {
                    out.push((*w).to_string());
                }
            }
        }
    }
    out
}

/// The query's terms: split at white space and punctuation (ASCII or full-width), lower case.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| {
            c.is_whitespace()
                || c.is_ascii_punctuation()
                || "，。、；：？！（）《》“”‘’·".contains(c)
        })
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True when `needle`'s characters occur in `hay` in order, spread over at most twice the
/// needle's length plus two (so 异地备案 finds 异地就医备案, not four characters anywhere).
pub fn in_order(hay: &str, needle: &str) -> bool {
    let n: Vec<char> = needle.chars().collect();
    if n.len() < 2 {
        return false;
    }
    let h: Vec<char> = hay.chars().collect();
    let max_span = n.len() * 2 + 2;
    for start in 0..h.len() {
        if h[start] != n[0] {
            continue;
        }
        let mut k = 1;
        let mut i = start + 1;
        while i < h.len() && k < n.len() && i - start < max_span {
            if h[i] == n[k] {
                k += 1;
            }
            i += 1;
        }
        if k == n.len() {
            return true;
        }
    }
    false
}

/// What one item offers to the search: its own name, its other names (heading, service), and
/// all its text.
pub struct Searchable<'a> {
    pub item: &'a Item,
    pub name: String,
    pub aliases: String,
    pub text: String,
}

/// How well one term matches: 0 when it does not.
fn term_score(s: &Searchable<'_>, term: &str) -> u32 {
    let words = expansions(term);
    let mut best = 0;
    for (i, w) in words.iter().enumerate() {
        // The term itself ranks above its synonyms.
        let own = i == 0;
        let score = if s.name.contains(w.as_str()) {
            if own {
                100
            } else {
                80
            }
        } else if s.aliases.contains(w.as_str()) {
            if own {
                70
            } else {
                55
            }
        } else if s.text.contains(w.as_str()) {
            if own {
                30
            } else {
                20
            }
        } else if own && (in_order(&s.name, w) || in_order(&s.aliases, w)) {
            60
        } else {
            0
        };
        best = best.max(score);
    }
    best
}

/// The items every term matches, best first (ties in catalog order); `None` when the query
/// has no terms.
pub fn rank<'a>(items: Vec<Searchable<'a>>, query: &str) -> Option<Vec<&'a Item>> {
    let terms = terms(query);
    if terms.is_empty() {
        return None;
    }
    let mut scored: Vec<(u32, usize, &Item)> = items
        .iter()
        .enumerate()
        .filter_map(|(pos, s)| {
            let mut total = 0;
            for t in &terms {
                let sc = term_score(s, t);
                if sc == 0 {
                    return None;
                }
                total += sc;
            }
            Some((total, pos, s.item))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Some(scored.into_iter().map(|(_, _, i)| i).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_split_at_spaces_and_punctuation() {
        assert_eq!(terms(" 慢病，报销 ABC"), ["慢病", "报销", "abc"]);
        assert!(terms(" ，。 ").is_empty());
    }

    #[test]
    fn synonyms_are_symmetric_and_include_the_term() {
        assert!(expansions("慢病").contains(&"门诊慢特病".to_string()));
        assert!(expansions("特殊疾病").contains(&"慢病".to_string()));
        assert_eq!(expansions("慢病")[0], "慢病");
        assert_eq!(expansions("无关"), ["无关"]);
    }

    #[test]
    fn characters_in_order_within_a_short_span() {
        assert!(in_order("市外异地就医备案", "异地备案"));
        assert!(in_order("住院费用手工报销", "住院报销"));
        assert!(!in_order("住院费用手工报销", "报销住院"), "order matters");
        assert!(
            !in_order("异地就医备案", "异"),
            "one character is not a search"
        );
        // Four characters spread over a long text do not count.
        assert!(!in_order(
            "异……………………………………地……………………备……………………案",
            "异地备案"
        ));
    }
}
