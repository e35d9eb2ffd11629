//! The benefit engine as the application offers it: explaining a request (CLI
//! `yibao benefit explain`, no database needed), with policy files read from the release's
//! `data/policy/` or from disk.

use std::path::Path;

use yibao_domain::benefit::{explain, ExplainRequest, Explanation, PolicySet};

use crate::ServiceError;

/// The policy file `name` (e.g. `chongqing/2026.toml`): a file beside the request if there is
/// one, else the release's `data/policy/<name>`.
pub fn policy_text(name: &str, base: Option<&Path>) -> Option<String> {
    if name.contains("..") {
        return None;
    }
    if let Some(dir) = base {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            return Some(text);
        }
    }
    let wanted = format!("policy/{}", name.trim_start_matches("policy/"));
    crate::catalog::embedded_files()
        .into_iter()
        .find(|f| f.path == wanted)
        .map(|f| f.text)
}

fn invalid(code: &'static str, message: String) -> ServiceError {
    ServiceError::invalid(code, message)
}

/// Parses a request (JSON), resolves its policy file and runs the engine.
pub fn explain_json(text: &str, base: Option<&Path>) -> Result<Explanation, ServiceError> {
    let mut req: ExplainRequest = serde_json::from_str(text).map_err(|e| {
        invalid(
            "benefit.request_invalid",
            format!(
                "结算请求不是所需格式的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if req.policy.is_none() {
        if let Some(name) = req.policy_file.clone() {
            let text = policy_text(&name, base).ok_or_else(|| {
                invalid(
                    "benefit.policy_file_not_found",
                    format!("找不到待遇政策文件“{name}”（请求文件所在目录或 data/policy/ 下）"),
                )
            })?;
            let policy: PolicySet = toml::from_str(&text).map_err(|e| {
                invalid(
                    "benefit.policy_invalid",
                    format!("待遇政策文件“{name}”格式错误：{e}"),
                )
            })?;
            req.policy = Some(policy);
        }
    }
    explain(&req).map_err(ServiceError::from_domain)
}
