//! The service catalog as the application uses it: loaded once from the data embedded in the
//! binary (or from a folder, for `yibao catalog validate --dir`), then read-only and shared.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use yibao_domain::catalog::{self, Catalog, LoadError, SourceFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/data_files.rs"));
}

/// The data files compiled into this binary.
pub fn embedded_files() -> Vec<SourceFile> {
    embedded::DATA_FILES
        .iter()
        .map(|(path, text)| SourceFile {
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The embedded catalog, validated on first use. The embedded data is checked by the test
/// suite, so a release never ships a catalog that fails here.
pub fn embedded() -> Result<Arc<Catalog>, Vec<LoadError>> {
    static CATALOG: OnceLock<Result<Arc<Catalog>, Vec<LoadError>>> = OnceLock::new();
    CATALOG
        .get_or_init(|| catalog::load(&embedded_files()).map(Arc::new))
        .clone()
}

/// Reads every `.toml` file under `dir` (a `data/` folder) for validation.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "toml") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(SourceFile {
                    path: rel,
                    text: std::fs::read_to_string(&path)?,
                });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Form data checked against its definition; all problems in one error (`details.errors`).
pub fn check_form(
    form: &yibao_domain::catalog::Form,
    data: &std::collections::BTreeMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<(), crate::ServiceError> {
    yibao_domain::catalog::validate_form(form, data, today).map_err(|errors| {
        crate::ServiceError::Rule {
            kind: crate::ErrorKind::Invalid,
            code: "form.invalid",
            message: errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            details: Some(serde_json::json!({ "errors": errors })),
        }
    })
}
