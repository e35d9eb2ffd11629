//! Refusals of the case engine, each with a stable code and a Chinese message.

use crate::error::Coded;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("illegal transition {action} from {from}")]
    IllegalTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("role {role} may not {action}")]
    RoleNotAllowed {
        role: &'static str,
        action: &'static str,
    },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("not an immediate item")]
    NotImmediate,
    #[error("case number {0:?} is malformed")]
    NumberFormat(String),
    #[error("later notice raises unchanged materials {0:?}")]
    NoticeRepeats(Vec<String>),
    #[error("nothing to notify")]
    NothingMissing,
    #[error("materials missing")]
    MaterialsMissing(Vec<String>),
    #[error("upload kind {found:?} not allowed")]
    UploadFormat {
        found: Option<&'static str>,
        allowed: String,
    },
    #[error("upload too large: {size} > {max}")]
    UploadTooLarge { size: u64, max: u64 },
    #[error("upload empty")]
    UploadEmpty,
    #[error("unknown material {0}")]
    UnknownMaterial(String),
    #[error("pledge not allowed for {0}")]
    PledgeNotAllowed(String),
    #[error("unknown evaluation level {0}")]
    EvaluationLevel(String),
    #[error("forwarded materials too large: {size} > {max}")]
    ForwardTooLarge { size: u64, max: u64 },
    #[error("a forwarded case is decided by the peer")]
    DecidedElsewhere,
    #[error("remote status {0} cannot be mirrored")]
    RemoteStatus(&'static str),
    #[error("material {0} does not match its digest")]
    MaterialDigest(String),
}

impl Coded for CaseError {
    fn code(&self) -> &'static str {
        match self {
            CaseError::IllegalTransition { .. } => "case.transition_illegal",
            CaseError::RoleNotAllowed { .. } => "case.role_not_allowed",
            CaseError::ReasonRequired => "case.reason_required",
            CaseError::NotImmediate => "case.not_immediate",
            CaseError::NumberFormat(_) => "case.number_format",
            CaseError::NoticeRepeats(_) => "case.notice_repeats",
            CaseError::NothingMissing => "case.nothing_missing",
            CaseError::MaterialsMissing(_) => "case.materials_missing",
            CaseError::UploadFormat { .. } => "case.upload_format",
            CaseError::UploadTooLarge { .. } => "case.upload_too_large",
            CaseError::UploadEmpty => "case.upload_empty",
            CaseError::UnknownMaterial(_) => "case.material_unknown",
            CaseError::PledgeNotAllowed(_) => "case.pledge_not_allowed",
            CaseError::EvaluationLevel(_) => "case.evaluation_level",
            CaseError::ForwardTooLarge { .. } => "case.forward_too_large",
            CaseError::DecidedElsewhere => "case.decided_elsewhere",
            CaseError::RemoteStatus(_) => "case.remote_status",
            CaseError::MaterialDigest(_) => "case.material_digest",
        }
    }

    fn message(&self) -> String {
        match self {
            CaseError::IllegalTransition { from, action } => {
                format!("办件当前状态为“{from}”，不能执行“{action}”")
            }
            CaseError::RoleNotAllowed { role, action } => {
                format!("“{role}”不能执行“{action}”")
            }
            CaseError::ReasonRequired => "不予受理或退回须写明理由".into(),
            CaseError::NotImmediate => "该事项不是即办件，不能受理即办结".into(),
            CaseError::NumberFormat(s) => {
                format!(
                    "办件编号“{s}”格式不正确，应为“区划代码-日期-序号”，如 500119-20261122-000001"
                )
            }
            CaseError::NoticeRepeats(names) => format!(
                "一次性告知后不得再次要求已提交且未变更的材料：{}",
                names.join("、")
            ),
            CaseError::NothingMissing => "材料齐全、条件符合，无需发出补正告知".into(),
            CaseError::MaterialsMissing(names) => {
                format!("材料不齐全，不能受理：{}", names.join("、"))
            }
            CaseError::UploadFormat { found, allowed } => format!(
                "上传文件的实际格式为{}，本事项只接受：{allowed}",
                found
                    .map(|f| format!("“{f}”"))
                    .unwrap_or_else(|| "无法识别的格式".into())
            ),
            CaseError::UploadTooLarge { size, max } => format!(
                "上传的文件为 {}，本事项要求文件小于 {}，请压缩或拆分后上传",
                size_text(*size),
                size_text(*max)
            ),
            CaseError::UploadEmpty => "上传的文件是空的".into(),
            CaseError::UnknownMaterial(id) => format!("本事项没有编号为“{id}”的材料"),
            CaseError::PledgeNotAllowed(name) => {
                format!("材料“{name}”不能以个人承诺书代替")
            }
            CaseError::EvaluationLevel(s) => format!("评价等级“{s}”无效"),
            CaseError::ForwardTooLarge { size, max } => format!(
                "本办件的电子材料共 {}，超过异地转办一次可传递的 {}；原件请随纸质材料寄递",
                size_text(*size),
                size_text(*max)
            ),
            CaseError::DecidedElsewhere => {
                "本办件已转参保地办理，由参保地经办机构审核决定，本窗口不能办理这一环节".into()
            }
            CaseError::RemoteStatus(s) => format!("参保地回传的状态“{s}”不是受理后的状态"),
            CaseError::MaterialDigest(name) => {
                format!("转来的材料“{name}”与其 SHA-256 摘要不符，拒收")
            }
        }
    }
}

/// A size for people, exact and without floating point: "3 MB（3145728 字节）",
/// "2.9 MB（3145727 字节）", "200 KB（204800 字节）" or "100 字节".
fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    let rounded = if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= MIB {
        // One decimal, truncated, so a file just under the limit never reads as the limit.
        format!("{}.{} MB", bytes / MIB, (bytes % MIB) * 10 / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        return format!("{bytes} 字节");
    };
    format!("{rounded}（{bytes} 字节）")
}
