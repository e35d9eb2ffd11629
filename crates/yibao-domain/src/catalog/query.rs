//! Browsing and searching the catalog: by jurisdiction, by business domain (the category a
//! citizen recognises), and by Chinese text.

use super::model::Item;
use super::Catalog;

/// Business domains (DESIGN §2) with the category name a citizen sees.
pub const DOMAINS: &[(&str, &str)] = &[
    ("enrolment", "参保登记"),
    ("contribution", "缴费"),
    ("account", "个人账户"),
    ("transfer", "关系转移接续"),
    ("filing", "异地就医备案"),
    ("qualification", "待遇资格认定"),
    ("benefit", "医疗费用报销"),
    ("settlement", "费用结算"),
    ("maternity", "生育保险"),
    ("aid", "医疗救助"),
    ("institution", "定点医药机构"),
    ("complaint", "投诉举报"),
    ("evoucher", "医保电子凭证"),
];

pub fn domain_label(domain: &str) -> &'static str {
    DOMAINS
        .iter()
        .find(|(d, _)| *d == domain)
        .map(|(_, l)| *l)
        .unwrap_or("其他")
}

#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub jurisdiction: Option<String>,
    /// A domain key from `DOMAINS`.
    pub category: Option<String>,
    /// What someone typed: terms split at spaces and punctuation, each found as typed, through
    /// its synonyms, or in order in an item's name; best matches first (`rank`).
    pub text: Option<String>,
}

impl Catalog {
    pub fn domain_of(&self, item: &Item) -> &str {
        self.service(item.service)
            .map(|s| s.domain.as_str())
            .unwrap_or("")
    }

    /// The current items matching the query: in catalog order, or best first when there is
    /// text to find.
    pub fn search(&self, q: &CatalogQuery) -> Vec<&Item> {
        let items: Vec<&Item> = self
            .current_items()
            .filter(|i| {
                q.jurisdiction
                    .as_deref()
                    .is_none_or(|j| i.jurisdiction == j)
            })
            .filter(|i| q.category.as_deref().is_none_or(|c| self.domain_of(i) == c))
            .collect();
        let text = q.text.as_deref().unwrap_or("");
        if super::rank::terms(text).is_empty() {
            return items;
        }
        let searchable = items
            .iter()
            .map(|i| super::rank::Searchable {
                item: i,
                name: i.name.to_lowercase(),
                aliases: self.alias_text(i),
                text: self.search_text(i),
            })
            .collect();
        super::rank::rank(searchable, text).unwrap_or_default()
    }

    /// An item's other names: its heading and its service's, lower case.
    fn alias_text(&self, i: &Item) -> String {
        let mut parts: Vec<&str> = Vec::new();
        parts.extend(i.heading.as_deref());
        parts.extend(self.service(i.service).map(|s| s.name.as_str()));
        parts.join("\n").to_lowercase()
    }

    /// What a text search looks at: names, codes, service, target, conditions, materials, notes.
    fn search_text(&self, i: &Item) -> String {
        let mut parts: Vec<&str> = vec![&i.name, &i.id, i.service.key()];
        parts.extend(i.heading.as_deref());
        parts.extend(self.service(i.service).map(|s| s.name.as_str()));
        parts.extend(i.codes.iter().map(|c| c.code.as_str()));
        parts.extend(i.target.as_deref());
        parts.extend(i.scope.as_deref());
        parts.extend(i.conditions_text.as_deref());
        parts.extend(i.conditions.iter().map(|c| c.text.as_str()));
        parts.extend(i.materials.iter().map(|m| m.name.as_str()));
        parts.extend(i.notes_text.as_deref());
        parts.join("\n").to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_has_a_label() {
        for (d, l) in DOMAINS {
            assert_eq!(domain_label(d), *l);
        }
        assert_eq!(domain_label("nope"), "其他");
    }
}
