//! What changed in a care region's catalogue between two versions: the rows a designated
//! institution downloads when it holds version `ver` (the national 1301–1319 downloads are
//! incremental by version, HOSPITAL-INTERFACE-FIELDS §2.3).

use super::catalogue::{Catalogue, CatalogueEntry};

/// One row of an incremental download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueChange<'a> {
    /// New or changed since the held version: valid (`vali_flag` 1).
    Current(&'a CatalogueEntry),
    /// The code is no longer in the catalogue: its last row, invalid (`vali_flag` 0).
    Gone(&'a CatalogueEntry),
}

/// The rows of `new` that `held` lacks or holds differently, then the rows of `held` whose code
/// `new` no longer has. `held = None` (nothing held yet) is every row of `new`.
pub fn catalogue_changes<'a>(
    held: Option<&'a Catalogue>,
    new: &'a Catalogue,
) -> Vec<CatalogueChange<'a>> {
    let Some(held) = held else {
        return new.entries().iter().map(CatalogueChange::Current).collect();
    };
    let mut out: Vec<CatalogueChange<'a>> = new
        .entries()
        .iter()
        .filter(|e| !held.entries().contains(e))
        .map(CatalogueChange::Current)
        .collect();
    out.extend(
        held.entries()
            .iter()
            .filter(|e| !new.entries().iter().any(|n| n.code == e.code))
            .map(CatalogueChange::Gone),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::benefit::parse_catalogue_csv;

    fn cat(version: u32, rows: &str) -> Catalogue {
        let csv = format!(
            "code,name,kind,category,self_pay_share_bp,price_cap,effective_from,effective_to\n{rows}"
        );
        Catalogue::new(version, parse_catalogue_csv(&csv).unwrap()).unwrap()
    }

    #[test]
    fn a_download_names_what_is_new_changed_or_gone_since_the_held_version() {
        let v1 = cat(1, "A1,甲药,drug,a,,,2026-01-01,\nB1,乙药,drug,b,2000,,2026-01-01,\nS1,诊查,service,a,,,2026-01-01,\n");
        let v2 = cat(2, "A1,甲药,drug,a,,,2026-01-01,\nB1,乙药,drug,b,3000,,2026-01-01,\nM1,耗材,material,c,,,2026-06-01,\n");
        let codes = |c: &[CatalogueChange<'_>]| -> Vec<String> {
            c.iter()
                .map(|x| match x {
                    CatalogueChange::Current(e) => format!("+{}", e.code),
                    CatalogueChange::Gone(e) => format!("-{}", e.code),
                })
                .collect()
        };
        assert_eq!(codes(&catalogue_changes(None, &v2)), ["+A1", "+B1", "+M1"]);
        // B1's share changed, M1 is new, S1 left; A1 is the same and not sent again.
        assert_eq!(
            codes(&catalogue_changes(Some(&v1), &v2)),
            ["+B1", "+M1", "-S1"]
        );
        assert!(catalogue_changes(Some(&v2), &v2).is_empty());
    }
}
