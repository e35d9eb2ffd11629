//! What an item asks of *this* applicant, what is missing or wrong — all of it at once, for the
//! one-time deficiency notice (一次性告知) — and the rule that a later notice may not raise a
//! material that was already there, unchanged, at the first one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::error::CaseError;
use crate::catalog::{Item, Material, MaterialForm};

/// How a material was provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvidedAs {
    /// An uploaded file (content checked at upload).
    Upload,
    /// Shown at the window in the original.
    Original,
    /// A paper copy handed in at the window.
    Copy,
    /// The personal pledge (个人承诺书, seed 000 表6) in place of the proof.
    Pledge,
    /// The item's form filled in online.
    Form,
}

impl ProvidedAs {
    pub fn as_str(self) -> &'static str {
        match self {
            ProvidedAs::Upload => "upload",
            ProvidedAs::Original => "original",
            ProvidedAs::Copy => "copy",
            ProvidedAs::Pledge => "pledge",
            ProvidedAs::Form => "form",
        }
    }

    pub fn parse(s: &str) -> Option<ProvidedAs> {
        [
            ProvidedAs::Upload,
            ProvidedAs::Original,
            ProvidedAs::Copy,
            ProvidedAs::Pledge,
            ProvidedAs::Form,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProvidedAs::Upload => "电子文件",
            ProvidedAs::Original => "原件（已核验）",
            ProvidedAs::Copy => "复印件",
            ProvidedAs::Pledge => "个人承诺书",
            ProvidedAs::Form => "在线填写",
        }
    }

    /// The label of a stored key (`upload`); an unknown key shows as 未知.
    pub fn label_of_key(key: &str) -> &'static str {
        ProvidedAs::parse(key).map_or("未知", ProvidedAs::label)
    }
}

/// One provided material: how, and the SHA-256 of its content (empty for papers seen at the
/// window), so that "unchanged" can be decided later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provided {
    pub how: ProvidedAs,
    pub sha256: String,
    /// A clerk confirmed the unit's seal on it (加盖单位公章; only asked where the guide asks).
    #[serde(default)]
    pub sealed: bool,
}

/// A material this applicant must provide: one material, or one of a set of alternatives
/// (`one_of`, e.g. 有效身份证件, satisfied by the document of the applicant's category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub key: String,
    pub name: String,
    /// The material ids that satisfy it (one for a plain material).
    pub options: Vec<String>,
    pub pledge_allowed: bool,
    pub original_required: bool,
    /// The options whose guide text asks for the unit's seal (加盖单位公章).
    pub sealed_options: Vec<String>,
}

/// The reason a deficiency notice gives for a material whose seal is not confirmed.
pub const SEAL_MISSING: &str = "未加盖单位公章";

/// One entry of a deficiency notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItem {
    /// The requirement's key (a material id, or `one_of:<label>`).
    pub key: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub requirements: Vec<Requirement>,
    /// Every missing or invalid material, at once.
    pub missing: Vec<NoticeItem>,
}

impl Assessment {
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// For a proxy application to an item that lists no proxy papers of its own, the engine asks
/// for the authorisation letter and the agent's identity document (issue #5; seed 000 表1
/// 「代办人」, seed 003 「委托办理时还需提供…授权委托书」 where listed).
pub const PROXY_AUTHORISATION: &str = "proxy_authorisation";
pub const PROXY_AGENT_ID: &str = "proxy_agent_id";

/// The engine's own materials, valid on any item.
pub fn engine_material_name(id: &str) -> Option<&'static str> {
    match id {
        PROXY_AUTHORISATION => Some("授权委托书"),
        PROXY_AGENT_ID => Some("代办人有效身份证件"),
        _ => None,
    }
}

/// Whether a material applies to this applicant: every predicate it is conditioned on holds.
pub fn applies(m: &Material, facts: &BTreeSet<String>) -> bool {
    m.predicates().all(|p| facts.contains(p))
}

/// The requirements of `item` for an applicant of whom `facts` (catalog predicates such as
/// `proxy`, `non_local_hukou`, `key_info_change`) are true.
pub fn requirements(item: &Item, facts: &BTreeSet<String>) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = Vec::new();
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for m in item
        .materials
        .iter()
        .filter(|m| m.required && applies(m, facts))
    {
        let original = matches!(m.form, Some(MaterialForm::Original));
        let sealed: Vec<String> = if m.seal_required {
            vec![m.id.clone()]
        } else {
            Vec::new()
        };
        match m.one_of.as_deref() {
            Some(g) => match groups.get(g) {
                Some(&i) => {
                    out[i].options.push(m.id.clone());
                    out[i].pledge_allowed |= m.pledge_allowed;
                    out[i].sealed_options.extend(sealed);
                }
                None => {
                    groups.insert(g, out.len());
                    out.push(Requirement {
                        key: format!("one_of:{g}"),
                        name: g.to_string(),
                        options: vec![m.id.clone()],
                        pledge_allowed: m.pledge_allowed,
                        original_required: original,
                        sealed_options: sealed,
                    });
                }
            },
            None => out.push(Requirement {
                key: m.id.clone(),
                name: m.name.clone(),
                options: vec![m.id.clone()],
                pledge_allowed: m.pledge_allowed,
                original_required: original,
                sealed_options: sealed,
            }),
        }
    }
    let item_has_proxy_papers = item
        .materials
        .iter()
        .any(|m| m.predicates().any(|p| p == "proxy"));
    if facts.contains("proxy") && !item_has_proxy_papers {
        for id in [PROXY_AUTHORISATION, PROXY_AGENT_ID] {
            out.push(Requirement {
                key: id.to_string(),
                name: engine_material_name(id).unwrap_or(id).to_string(),
                options: vec![id.to_string()],
                pledge_allowed: false,
                original_required: true,
                sealed_options: Vec::new(),
            });
        }
    }
    out
}

/// Everything missing or invalid for this applicant, at once.
pub fn assess(
    item: &Item,
    facts: &BTreeSet<String>,
    provided: &BTreeMap<String, Provided>,
) -> Result<Assessment, CaseError> {
    for id in provided.keys() {
        if !item.materials.iter().any(|m| &m.id == id) && engine_material_name(id).is_none() {
            return Err(CaseError::UnknownMaterial(id.clone()));
        }
    }
    let requirements = requirements(item, facts);
    let mut missing = Vec::new();
    for r in &requirements {
        let given: Vec<&Provided> = r.options.iter().filter_map(|o| provided.get(o)).collect();
        let names = || {
            r.options
                .iter()
                .filter_map(|o| {
                    item.materials
                        .iter()
                        .find(|m| &m.id == o)
                        .map(|m| m.name.as_str())
                        .or_else(|| engine_material_name(o))
                })
                .collect::<Vec<_>>()
                .join("或")
        };
        if given.is_empty() {
            let how = if r.pledge_allowed {
                "（可以个人承诺书代替）"
            } else {
                ""
            };
            missing.push(NoticeItem {
                key: r.key.clone(),
                name: r.name.clone(),
                reason: format!("未提交：{}{how}", names()),
            });
            continue;
        }
        if given.iter().all(|p| p.how == ProvidedAs::Pledge) && !r.pledge_allowed {
            missing.push(NoticeItem {
                key: r.key.clone(),
                name: r.name.clone(),
                reason: "本材料不能以个人承诺书代替，请提交证明材料".into(),
            });
        } else if r.original_required && given.iter().all(|p| p.how == ProvidedAs::Copy) {
            // Online, the scan or the form filled in stands for the original; at the window a
            // paper copy alone does not.
            missing.push(NoticeItem {
                key: r.key.clone(),
                name: r.name.clone(),
                reason: "须出示原件核验".into(),
            });
        } else if !r.sealed_options.is_empty() {
            // The guide asks for the unit's seal on it: one of the provided options that asks
            // for a seal must carry a confirmed one (an option that asks none, e.g. another
            // alternative, satisfies as it is).
            let ok = r.options.iter().any(|o| match provided.get(o) {
                Some(p) => !r.sealed_options.contains(o) || p.sealed || p.how == ProvidedAs::Pledge,
                None => false,
            });
            if !ok {
                missing.push(NoticeItem {
                    key: r.key.clone(),
                    name: r.name.clone(),
                    reason: SEAL_MISSING.into(),
                });
            }
        }
    }
    Ok(Assessment {
        requirements,
        missing,
    })
}

/// The rule of the one-time notice: a later notice may not raise a material that was present at
/// the first notice and is unchanged since (same content hash). `first_snapshot` is what was
/// provided when the first notice was issued.
pub fn check_later_notice(
    item: &Item,
    facts: &BTreeSet<String>,
    first_snapshot: &BTreeMap<String, Provided>,
    current: &BTreeMap<String, Provided>,
    proposed: &[NoticeItem],
) -> Result<(), CaseError> {
    let reqs = requirements(item, facts);
    let mut repeats = Vec::new();
    for n in proposed {
        let Some(r) = reqs.iter().find(|r| r.key == n.key) else {
            continue;
        };
        let unchanged = r
            .options
            .iter()
            .any(|o| match (first_snapshot.get(o), current.get(o)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            });
        if unchanged {
            repeats.push(n.name.clone());
        }
    }
    if repeats.is_empty() {
        Ok(())
    } else {
        Err(CaseError::NoticeRepeats(repeats))
    }
}

/// Who hands in a material: the applicant (online, their own case) or a clerk (at the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter {
    Applicant,
    Clerk,
}

/// Whether materials may be added to a case in `status`: the applicant while the case is theirs
/// to change (a draft, or answering a deficiency notice); a clerk also while it waits at intake
/// (submitted, not yet accepted). Once accepted, the review decides on what was handed in.
pub fn materials_open(status: super::CaseStatus, by: Submitter) -> bool {
    use super::CaseStatus as S;
    match by {
        Submitter::Applicant => matches!(status, S::Draft | S::Correction),
        Submitter::Clerk => matches!(status, S::Draft | S::Submitted | S::Correction),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn materials_open_by_status_and_submitter() {
        use super::super::CaseStatus as S;
        use super::{materials_open, Submitter};
        // (status, applicant may add, clerk may add)
        let table = [
            (S::Draft, true, true),
            (S::Submitted, false, true),
            (S::Correction, true, true),
            (S::Accepted, false, false),
            (S::Disbursement, false, false),
            (S::Completed, false, false),
            (S::Refused, false, false),
            (S::Withdrawn, false, false),
        ];
        assert_eq!(table.len(), S::ALL.len());
        for (status, applicant, clerk) in table {
            assert_eq!(
                materials_open(status, Submitter::Applicant),
                applicant,
                "{status:?}"
            );
            assert_eq!(
                materials_open(status, Submitter::Clerk),
                clerk,
                "{status:?}"
            );
        }
    }

    use super::*;

    /// Seed 003 城乡居民参保登记 (data/catalog/chongqing/11-resident-enrol.toml): the form, one
    /// identity document by category (one_of 有效身份证件), and the proxy papers when proxied.
    fn item() -> Item {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/catalog/chongqing/11-resident-enrol.toml"
        ))
        .unwrap();
        toml::from_str(&text).unwrap()
    }

    fn facts(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn given(list: &[(&str, ProvidedAs, &str)]) -> BTreeMap<String, Provided> {
        list.iter()
            .map(|(id, how, sha)| {
                (
                    id.to_string(),
                    Provided {
                        how: *how,
                        sha256: sha.to_string(),
                        sealed: false,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn requirements_follow_the_applicant() {
        let it = item();
        let plain = requirements(&it, &facts(&[]));
        let keys: Vec<_> = plain.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, vec!["enrolment_form", "one_of:有效身份证件"]);
        assert_eq!(plain[1].options, vec!["id_ordinary"]);
        let proxied_newborn = requirements(&it, &facts(&["proxy", "newborn"]));
        assert_eq!(proxied_newborn.len(), 3);
        assert_eq!(
            proxied_newborn[1].options,
            vec!["id_ordinary", "id_newborn"]
        );
        assert!(
            proxied_newborn[2].original_required,
            "the proxy's ID is seen in the original"
        );
    }

    #[test]
    fn everything_missing_is_reported_at_once() {
        let it = item();
        let a = assess(&it, &facts(&["proxy"]), &BTreeMap::new()).unwrap();
        assert_eq!(a.missing.len(), 3);
        let a = assess(
            &it,
            &facts(&["proxy"]),
            &given(&[
                ("enrolment_form", ProvidedAs::Form, "f1"),
                ("id_ordinary", ProvidedAs::Upload, "h1"),
                ("proxy_documents", ProvidedAs::Copy, ""),
            ]),
        )
        .unwrap();
        assert_eq!(a.missing.len(), 1);
        assert_eq!(a.missing[0].reason, "须出示原件核验");
        assert!(assess(
            &it,
            &facts(&[]),
            &given(&[("nonsense", ProvidedAs::Copy, "")])
        )
        .is_err());
    }

    #[test]
    fn a_proxy_application_needs_the_authorisation_and_the_agents_id() {
        // Seed 001 item 3 lists no proxy papers; the engine asks for them (issue #5).
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/catalog/sichuan/03-resident-enrol.toml"
        ))
        .unwrap();
        let it: Item = toml::from_str(&text).unwrap();
        let keys: Vec<_> = requirements(&it, &facts(&["proxy"]))
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert!(
            keys.contains(&PROXY_AUTHORISATION.to_string())
                && keys.contains(&PROXY_AGENT_ID.to_string())
        );
        assert!(requirements(&it, &facts(&[]))
            .iter()
            .all(|r| r.key != PROXY_AGENT_ID));
        // Seed 003 lists its own proxy papers: the engine adds nothing.
        assert!(requirements(&item(), &facts(&["proxy"]))
            .iter()
            .all(|r| r.key != PROXY_AGENT_ID));
    }

    fn item_at(path: &str) -> Item {
        let text = std::fs::read_to_string(format!(
            "{}/../../data/catalog/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        toml::from_str(&text).unwrap()
    }

    fn sealed(list: &[(&str, ProvidedAs, bool)]) -> BTreeMap<String, Provided> {
        list.iter()
            .map(|(id, how, sealed)| {
                (
                    id.to_string(),
                    Provided {
                        how: *how,
                        sha256: String::new(),
                        sealed: *sealed,
                    },
                )
            })
            .collect()
    }

    /// Seed 003 item 1, 2、企业: the 登记表（加盖单位公章） and the certificate are both required;
    /// `group = "企业"` is a label, not a set of alternatives (ADR 0008).
    #[test]
    fn a_group_label_does_not_make_alternatives_and_a_seal_must_be_confirmed() {
        let it = item_at("chongqing/01-employer-register.toml");
        let f = facts(&["enterprise", "non_public_sector"]);
        let a = assess(
            &it,
            &f,
            &sealed(&[("uscc_certificate", ProvidedAs::Copy, false)]),
        )
        .unwrap();
        let keys: Vec<_> = a.missing.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["registration_form_enterprise"]);
        let unsealed = sealed(&[
            ("uscc_certificate", ProvidedAs::Copy, false),
            ("registration_form_enterprise", ProvidedAs::Original, false),
        ]);
        let a = assess(&it, &f, &unsealed).unwrap();
        assert_eq!(a.missing.len(), 1);
        assert_eq!(a.missing[0].reason, SEAL_MISSING);
        let ok = sealed(&[
            ("uscc_certificate", ProvidedAs::Copy, false),
            ("registration_form_enterprise", ProvidedAs::Original, true),
        ]);
        assert!(assess(&it, &f, &ok).unwrap().complete());
    }

    /// Seed 001 item 10: 退休审批资料, or for a flexible worker the pledge (`one_of`).
    #[test]
    fn one_of_is_satisfied_by_any_applying_member() {
        let it = item_at("sichuan/10-lump-sum-contribution.toml");
        let pledge = sealed(&[
            ("credential", ProvidedAs::Original, false),
            ("flexible_pledge", ProvidedAs::Original, false),
        ]);
        assert!(assess(&it, &facts(&["flexible_worker"]), &pledge)
            .unwrap()
            .complete());
        // Not a flexible worker: the pledge does not apply, the approval is missing.
        let a = assess(&it, &facts(&[]), &pledge).unwrap();
        assert_eq!(a.missing.len(), 1);
        assert_eq!(a.missing[0].key, "one_of:退休审批资料");
        assert_eq!(a.missing[0].reason, "未提交：退休审批资料");
    }

    /// Seed 000 四、1: the unit's seal on a key-information change only when a unit's agent
    /// makes it (`applies_to` and `applies_also` both hold).
    #[test]
    fn every_condition_of_a_material_must_hold() {
        let it = item_at("chuanyu/04-1-employee-info-change.toml");
        let asks = |f: &[&str]| {
            requirements(&it, &facts(f))
                .iter()
                .any(|r| r.key == "employer_seal_key_change")
        };
        assert!(asks(&["key_info_change", "employer_applicant"]));
        assert!(!asks(&["key_info_change", "person_applicant"]));
        assert!(!asks(&["employer_applicant"]));
    }

    #[test]
    fn a_pledge_counts_only_where_the_item_allows_it() {
        let it = item();
        let a = assess(
            &it,
            &facts(&[]),
            &given(&[
                ("enrolment_form", ProvidedAs::Form, "f1"),
                ("id_ordinary", ProvidedAs::Pledge, "p"),
            ]),
        )
        .unwrap();
        assert_eq!(a.missing.len(), 1);
        assert!(a.missing[0].reason.contains("个人承诺书"));
    }

    #[test]
    fn a_later_notice_may_not_raise_what_was_there_unchanged() {
        let it = item();
        let first = given(&[("id_ordinary", ProvidedAs::Upload, "h1")]);
        let item_for = |key: &str| NoticeItem {
            key: key.into(),
            name: key.into(),
            reason: String::new(),
        };
        // Unchanged ID document raised again: refused.
        let e = check_later_notice(
            &it,
            &facts(&[]),
            &first,
            &first,
            &[item_for("one_of:有效身份证件")],
        )
        .unwrap_err();
        assert!(matches!(e, CaseError::NoticeRepeats(_)));
        // Replaced since (a new upload): may be raised, e.g. the new scan is unreadable.
        let now = given(&[("id_ordinary", ProvidedAs::Upload, "h2")]);
        assert!(check_later_notice(
            &it,
            &facts(&[]),
            &first,
            &now,
            &[item_for("one_of:有效身份证件")]
        )
        .is_ok());
        // Something absent at the first notice may be raised.
        assert!(check_later_notice(
            &it,
            &facts(&[]),
            &first,
            &first,
            &[item_for("enrolment_form")]
        )
        .is_ok());
    }
}
