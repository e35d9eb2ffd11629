//! A page per guide listing every built item's rules with their sources (issue #15), for a
//! reviewer from the agency to check one by one against the guide.
//!
//! The page is generated from the catalog data and the effect bindings — the same data the case
//! engine runs on — so it cannot drift from what the system does: `docs/guides/<jurisdiction>.md`
//! is this function's output, and a test fails when the committed page differs from it
//! (`yibao catalog rules <jurisdiction>` prints it; `YIBAO_UPDATE_DOCS=1 cargo test -p
//! yibao-service guide_rules` rewrites the pages).

use std::fmt::Write;

use yibao_domain::case::CaseShape;
use yibao_domain::catalog::{Catalog, Item, Material, TimeLimit, TimeLimitRule};

use crate::cases::channels_for;
use crate::effects::{self, ApplicantKind};

/// The rules page of one guide (`jurisdiction` is its key, e.g. `chongqing`), or `None` when
/// there is no such jurisdiction.
pub fn page(catalog: &Catalog, jurisdiction: &str) -> Option<String> {
    let j = catalog.jurisdiction(jurisdiction)?;
    let items: Vec<&Item> = catalog
        .current_items()
        .filter(|i| i.jurisdiction == j.key)
        .collect();
    let (built, rest): (Vec<&Item>, Vec<&Item>) =
        items.iter().partition(|i| effects::supported(i.service));
    let (own, guide_only): (Vec<&Item>, Vec<&Item>) = rest
        .iter()
        .partition(|i| effects::own_page(i.service).is_some());
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# {} — the built items' rules\n", j.name);
    let _ = writeln!(
        out,
        "Guide: {} (`{}`{}). Generated from `data/catalog/{}/` and the effect bindings by \
         `yibao catalog rules {}`; a test keeps this page equal to the data. Predicates \
         (`contributions_normal`, `proxy` …): which the case derives and which it asks — \
         docs/materials.md; their names — docs/catalog-format.md.\n",
        j.guide,
        j.seed,
        j.edition
            .as_deref()
            .map(|e| format!(", {e}"))
            .unwrap_or_default(),
        j.key,
        j.key
    );
    let _ = writeln!(
        out,
        "{} items in the guide; {} built (bound to an effect), of which {} can be applied for \
         (they have a channel); {} handled by their own pages; {} guide only.\n",
        items.len(),
        built.len(),
        built.iter().filter(|i| !i.channels.is_empty()).count(),
        own.len(),
        guide_only.len()
    );
    for item in &built {
        item_section(&mut out, catalog, item);
    }
    for item in &own {
        let _ = writeln!(out, "## {} {}\n", item.id, item.name);
        let _ = writeln!(out, "- Source: {}", source_of(item));
        let _ = writeln!(
            out,
            "- Service `{}`: its own record, not a case (ADR 0009); applied for at `{}`; rules: {}\n",
            item.service,
            effects::own_page(item.service).unwrap_or_default(),
            effects::own_rules_doc(item.service).unwrap_or_default()
        );
    }
    if !guide_only.is_empty() {
        let _ = writeln!(
            out,
            "## Not built yet (the guide is shown; apply at the window)\n"
        );
        for item in &guide_only {
            let _ = writeln!(
                out,
                "- {} {} (`{}`) — {}",
                item.id,
                item.name,
                item.service,
                source_of(item)
            );
        }
    }
    Some(out)
}

fn source_of(item: &Item) -> String {
    let s = &item.source;
    match &s.lines {
        Some(lines) => format!("{} 「{}」 lines {lines}", s.seed, s.section),
        None => format!("{} 「{}」", s.seed, s.section),
    }
}

fn item_section(out: &mut String, catalog: &Catalog, item: &Item) {
    let _ = writeln!(out, "## {} {}\n", item.id, item.name);
    let _ = writeln!(out, "- Source: {}", source_of(item));
    let Some(binding) = effects::binding(item.service) else {
        return;
    };
    let applicant = match effects::applicant(item).unwrap_or(binding.applicant) {
        ApplicantKind::Person => "the insured person",
        ApplicantKind::Employer => "the employer (统一社会信用代码)",
        ApplicantKind::PersonOrEmployer => "the person or the employer",
        ApplicantKind::Institution => "the medical institution or pharmacy (统一社会信用代码)",
    };
    let _ = writeln!(
        out,
        "- Service `{}`; applicant: {applicant}; effect: `{:?}` (rules: {})",
        item.service,
        binding.effect,
        effects::rules_doc(binding.effect)
    );
    if let Some(form) = effects::main_form(item) {
        let name = catalog
            .form(form)
            .map(|f| match &f.label {
                Some(label) => format!("{label} {}", f.name),
                None => f.name.clone(),
            })
            .unwrap_or_default();
        let _ = writeln!(out, "- Form: `{form}` {name}");
    }
    let shape = CaseShape::of(item);
    let pays = effects::pays_money(item) || shape.pays_money;
    let kind = item
        .case_type
        .map(|c| c.label())
        .or(item.case_type_text.as_deref())
        .unwrap_or("（指南未写明）");
    let _ = writeln!(
        out,
        "- Case: {kind}; {}; review levels after acceptance: {}; {}",
        if shape.immediate {
            "decided at acceptance"
        } else {
            "accepted, then reviewed"
        },
        shape.review_levels,
        if pays {
            "paid through finance's disbursement (待拨付)"
        } else {
            "pays nothing"
        }
    );
    for t in &item.time_limits {
        let _ = writeln!(out, "- {}: {} — 「{}」", t.kind.label(), limit(t), t.text);
    }
    if item.channels.is_empty() {
        let _ = writeln!(
            out,
            "- Channels: none read from the guide — cannot be applied for in the system"
        );
    } else {
        let kinds = |staff| {
            channels_for(item, staff)
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join("、")
        };
        let _ = writeln!(
            out,
            "- Channels: online for the applicant: {}; entered by a clerk: {}",
            or_none(&kinds(false)),
            or_none(&kinds(true))
        );
    }
    if !item.conditions.is_empty() {
        let _ = writeln!(out, "- Conditions (受理条件):");
        for c in &item.conditions {
            let check = match &c.predicate {
                Some(p) => format!("checked as `{p}`"),
                None => "text only (reviewed by the clerk)".to_string(),
            };
            let _ = writeln!(out, "  - 「{}」 — {check}", c.text.trim());
        }
    }
    if !item.materials.is_empty() {
        let _ = writeln!(out, "- Materials (申办材料):");
        for m in &item.materials {
            let _ = writeln!(out, "  - {}", material(m));
        }
    }
    if let Some(upload) = &item.upload {
        let max = upload
            .max_bytes
            .map(|b| format!(", at most {b} bytes"))
            .unwrap_or_default();
        let _ = writeln!(out, "- Uploads: 「{}」{max}", upload.text.trim());
    }
    for f in &item.figures {
        let _ = writeln!(
            out,
            "- Figure `{}` = {}{} — 「{}」",
            f.key,
            f.value,
            f.unit.label(),
            f.quote
        );
    }
    for d in &item.defects {
        let _ = writeln!(
            out,
            "- Guide defect ({}), handled knowingly: {}",
            d.reference, d.text
        );
    }
    out.push('\n');
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "—"
    } else {
        s
    }
}

fn limit(t: &TimeLimit) -> String {
    let days = t.days.unwrap_or(0);
    let mut s = match t.rule {
        TimeLimitRule::Immediate => "immediate (即时办结)".to_string(),
        TimeLimitRule::SameDay => "the same day (当日办结)".to_string(),
        TimeLimitRule::WorkingDays => format!("{days} working days"),
        TimeLimitRule::CalendarDays => format!("{days} calendar days"),
        TimeLimitRule::DayOfMonth => format!("by day {days} of the next month"),
        TimeLimitRule::Batch => format!("{days} working days per batch"),
        TimeLimitRule::Timely => "timely (及时办理), no count".to_string(),
        TimeLimitRule::Unspecified => "no limit stated".to_string(),
    };
    if let Some(n) = t.transit_working_days {
        let _ = write!(s, " + {n} working days in transit (通办)");
    }
    if let Some(n) = t.batches_per_year {
        let _ = write!(s, ", {n} batches a year");
    }
    if let Some(c) = t.channel {
        let _ = write!(s, " ({})", c.label());
    }
    s
}

fn material(m: &Material) -> String {
    let mut s = format!("`{}` {}", m.id, m.name);
    let mut notes: Vec<String> = Vec::new();
    notes.push(if m.required { "required" } else { "optional" }.to_string());
    let predicates: Vec<String> = m.predicates().map(|p| format!("`{p}`")).collect();
    if !predicates.is_empty() {
        let words = m
            .applies_to_text
            .as_deref()
            .map(|t| format!(" 「{t}」"))
            .unwrap_or_default();
        notes.push(format!("only when {}{words}", predicates.join(" and ")));
    }
    if let Some(one_of) = &m.one_of {
        notes.push(format!("one of 「{one_of}」"));
    }
    if !m.alternatives.is_empty() {
        notes.push(format!("any of: {}", m.alternatives.join("、")));
    }
    if let Some(form) = m.form {
        notes.push(form.label().to_string());
    }
    if let Some(n) = m.copies {
        notes.push(format!("{n} copies"));
    }
    if m.seal_required {
        notes.push("unit seal checked by the clerk (加盖公章)".to_string());
    }
    if m.pledge_allowed {
        notes.push("a personal pledge may replace it (个人承诺书)".to_string());
    }
    if let Some(form) = &m.form_ref {
        notes.push(format!("the form `{form}`"));
    }
    if let Some(group) = &m.group {
        notes.push(format!("listed under 「{group}」"));
    }
    let _ = write!(s, " — {}", notes.join("; "));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/guides/<jurisdiction>.md` is the generated page of each guide: a change to the
    /// catalog data or a binding that is not reflected in the docs fails here.
    #[test]
    fn the_committed_guide_pages_are_the_generated_ones() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guides");
        let update = std::env::var_os("YIBAO_UPDATE_DOCS").is_some();
        let mut stale = Vec::new();
        for j in &catalog.jurisdictions {
            let generated = page(&catalog, &j.key).expect("known jurisdiction");
            let path = dir.join(format!("{}.md", j.key));
            if update {
                std::fs::create_dir_all(&dir).expect("docs/guides");
                std::fs::write(&path, &generated).expect("write the page");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        assert!(
            stale.is_empty(),
            "stale guide pages (regenerate with YIBAO_UPDATE_DOCS=1 cargo test -p yibao-service guide_rules): {stale:?}"
        );
    }

    /// The page lists a built item's conditions, materials with their conditions and seals,
    /// and its source lines, as the reviewer needs them.
    #[test]
    fn a_page_carries_the_items_rules_and_sources() {
        let catalog = crate::catalog::embedded().expect("embedded catalog");
        let p = page(&catalog, "chongqing").expect("chongqing");
        let section = p
            .split("\n## ")
            .find(|s| s.starts_with("21 "))
            .expect("item 21");
        assert!(section.contains("lines 736-775"), "{section}");
        assert!(section.contains("checked as `min_stay`"), "{section}");
        assert!(
            section.contains("a personal pledge may replace it"),
            "{section}"
        );
        assert!(section.contains("decided at acceptance"), "{section}");
        assert!(page(&catalog, "nowhere").is_none());
    }
}
