use crate::ids::RegionCode;
use crate::Coded;

/// A message kind and the version of its body. A receiver applies only the versions it knows;
/// a new body shape is a new version, never a silent change of an old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// 连通检查: proves the link and both keys; applying it only records it.
    Ping,
    /// 联系函: the joining side asks the leaving side for a transfer (issue #18).
    TransferContactLetter,
    /// 信息表 with the personal-account balance: the leaving side's answer.
    TransferInformationSheet,
    /// 转移接续办结: the joining side tells the leaving side it completed.
    TransferCompleted,
    /// 退回: the leaving side refuses a 联系函 (its 参保凭证 was not issued there for that
    /// person) and tells the joining side why.
    TransferRefused,
    /// 通办转办: a case received at the sender's window, with its form and materials, for the
    /// receiver (the insured region) to decide.
    CaseForwarded,
    /// 办件状态回传: the deciding side reports a forwarded case's new status to the window
    /// that received it.
    CaseStatusReport,
    /// 跨省清算单: the care region's monthly statement of care it paid for persons insured in
    /// the receiver's province (docs/clearing.md).
    ClearingStatement,
    /// 清算对账结果: the insured region's answer to a statement, line by line.
    ClearingReconciled,
}

impl MessageKind {
    pub const ALL: [MessageKind; 9] = [
        MessageKind::Ping,
        MessageKind::TransferContactLetter,
        MessageKind::TransferInformationSheet,
        MessageKind::TransferCompleted,
        MessageKind::TransferRefused,
        MessageKind::CaseForwarded,
        MessageKind::CaseStatusReport,
        MessageKind::ClearingStatement,
        MessageKind::ClearingReconciled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MessageKind::Ping => "federation.ping",
            MessageKind::TransferContactLetter => "transfer.contact_letter",
            MessageKind::TransferInformationSheet => "transfer.information_sheet",
            MessageKind::TransferCompleted => "transfer.completed",
            MessageKind::TransferRefused => "transfer.refused",
            MessageKind::CaseForwarded => "case.forwarded",
            MessageKind::CaseStatusReport => "case.status",
            MessageKind::ClearingStatement => "clearing.statement",
            MessageKind::ClearingReconciled => "clearing.reconciled",
        }
    }

    /// The body version this build writes and reads.
    pub fn version(self) -> u32 {
        match self {
            MessageKind::Ping
            | MessageKind::TransferContactLetter
            | MessageKind::TransferInformationSheet
            | MessageKind::TransferCompleted
            | MessageKind::TransferRefused
            | MessageKind::CaseForwarded
            | MessageKind::CaseStatusReport
            | MessageKind::ClearingStatement
            | MessageKind::ClearingReconciled => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Ping => "连通检查",
            MessageKind::TransferContactLetter => "联系函",
            MessageKind::TransferInformationSheet => "信息表",
            MessageKind::TransferCompleted => "转移接续办结通知",
            MessageKind::TransferRefused => "转移接续退回通知",
            MessageKind::CaseForwarded => "异地转办件",
            MessageKind::CaseStatusReport => "转办件状态回传",
            MessageKind::ClearingStatement => "跨省异地就医清算单",
            MessageKind::ClearingReconciled => "清算对账结果",
        }
    }

    /// The kind named `key` at `version`, if this build knows that pair.
    pub fn parse(key: &str, version: u32) -> Result<MessageKind, FederationError> {
        let kind = MessageKind::ALL
            .into_iter()
            .find(|k| k.key() == key)
            .ok_or_else(|| FederationError::UnknownKind(key.to_string()))?;
        if kind.version() != version {
            return Err(FederationError::UnknownVersion {
                kind: kind.label(),
                version,
            });
        }
        Ok(kind)
    }
}

/// What a signature covers: a fixed context line (so a signature over anything else this key
/// signs — e-voucher tokens — can never pass for a message) and the envelope's exact text as
/// sent. The receiver verifies these bytes before it parses the envelope, so no canonical JSON
/// form is needed: the text is the canonical form.
pub fn signed_bytes(envelope_text: &str) -> Vec<u8> {
    const CONTEXT: &[u8] = b"yibao-federation-message/1\n";
    let mut bytes = Vec::with_capacity(CONTEXT.len() + envelope_text.len());
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(envelope_text.as_bytes());
    bytes
}

/// First retry after this many seconds; doubling each time.
pub const FIRST_RETRY_SECONDS: i64 = 5;
/// No wait is longer than an hour: a peer back after a long outage gets its mail within one.
pub const MAX_RETRY_SECONDS: i64 = 3600;

/// Seconds to wait after the `attempts`-th failed delivery (1 for the first failure): 5, 10,
/// 20 … capped at an hour.
pub fn retry_after_seconds(attempts: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    FIRST_RETRY_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_SECONDS)
}

/// A peer's base URL: `https://host[:port][/path]` (or `http://` on a private network),
/// kept without a trailing slash.
pub fn parse_base_url(raw: &str) -> Result<String, FederationError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(FederationError::BadUrl)?;
    let host = rest.split('/').next().unwrap_or("");
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || !host.chars().all(ok_char) || url.chars().any(char::is_whitespace) {
        return Err(FederationError::BadUrl);
    }
    Ok(url.to_string())
}

/// A peer's regions: comma- or space-separated region codes, at least one, each valid, no
/// repeats.
pub fn parse_regions(raw: &str) -> Result<Vec<RegionCode>, FederationError> {
    let mut out: Vec<RegionCode> = Vec::new();
    for part in raw
        .split([',', ' ', '，', '、'])
        .filter(|p| !p.trim().is_empty())
    {
        let code: RegionCode = part
            .trim()
            .parse()
            .map_err(|_| FederationError::BadRegion(part.trim().to_string()))?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.is_empty() {
        return Err(FederationError::NoRegion);
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("unknown message kind {0}")]
    UnknownKind(String),
    #[error("unknown version {version} of {kind}")]
    UnknownVersion { kind: &'static str, version: u32 },
    #[error("bad url")]
    BadUrl,
    #[error("bad region {0}")]
    BadRegion(String),
    #[error("no region")]
    NoRegion,
}

impl Coded for FederationError {
    fn code(&self) -> &'static str {
        match self {
            FederationError::UnknownKind(_) => "federation.unknown_kind",
            FederationError::UnknownVersion { .. } => "federation.unknown_version",
            FederationError::BadUrl => "federation.bad_url",
            FederationError::BadRegion(_) => "federation.bad_region",
            FederationError::NoRegion => "federation.no_region",
        }
    }

    fn message(&self) -> String {
        match self {
            FederationError::UnknownKind(k) => format!("本机不认识消息类型“{k}”"),
            FederationError::UnknownVersion { kind, version } => {
                format!("本机不支持{kind}消息的第 {version} 版")
            }
            FederationError::BadUrl => {
                "对端地址须为 https://主机[:端口][/路径]（或专网内的 http://）的形式".into()
            }
            FederationError::BadRegion(r) => format!("“{r}”不是有效的行政区划代码"),
            FederationError::NoRegion => "请至少填写一个对端服务的行政区划代码".into(),
        }
    }
}
