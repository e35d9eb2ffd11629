//! Uploads checked by what the bytes are, not by the file name: PDF, JPEG, PNG, Word and Excel
//! (old and new formats) as the item allows, smaller than 3 MB unless the item says otherwise.

use serde::Serialize;

use super::error::CaseError;
use crate::catalog::{Upload, UploadFormat};

/// 3 MB (3 × 1024 × 1024 bytes), the limit the guides state most often. Seed 000 (川渝通办),
/// 十二、办理方式 item 2 网上办理 of every item from 二、异地就医结算备案 to
/// 六、医保定点医疗机构基础信息变更: 「格式包括 Word、Excel、PDF、JPEG,文件应小于 3M」. "小于" is
/// strict: a file must be smaller than the limit, so exactly 3 MB is refused.
pub const DEFAULT_MAX_BYTES: u64 = 3 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Word,
    Excel,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG 图片",
            FileKind::Png => "PNG 图片",
            FileKind::Word => "Word 文档",
            FileKind::Excel => "Excel 表格",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Word => "application/msword",
            FileKind::Excel => "application/vnd.ms-excel",
        }
    }

    fn format(self) -> UploadFormat {
        match self {
            FileKind::Pdf => UploadFormat::Pdf,
            FileKind::Jpeg => UploadFormat::Jpeg,
            FileKind::Png => UploadFormat::Png,
            FileKind::Word => UploadFormat::Word,
            FileKind::Excel => UploadFormat::Excel,
        }
    }
}

/// What the bytes are, if one of the kinds we accept at all.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let kind = infer::get(bytes)?;
    match kind.mime_type() {
        "application/pdf" => Some(FileKind::Pdf),
        "image/jpeg" => Some(FileKind::Jpeg),
        "image/png" => Some(FileKind::Png),
        "application/msword"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            Some(FileKind::Word)
        }
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Some(FileKind::Excel)
        }
        _ => None,
    }
}

/// Checks an upload against the item's rule (or the default: PDF, JPEG, PNG; smaller than
/// 3 MB).
pub fn check_upload(bytes: &[u8], rule: Option<&Upload>) -> Result<FileKind, CaseError> {
    if bytes.is_empty() {
        return Err(CaseError::UploadEmpty);
    }
    let max = rule.and_then(|r| r.max_bytes).unwrap_or(DEFAULT_MAX_BYTES);
    // The guides' limit is 「小于」 (less than): a file of exactly `max` bytes is too large.
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size >= max {
        return Err(CaseError::UploadTooLarge { size, max });
    }
    let allowed: Vec<UploadFormat> = match rule {
        Some(r) if !r.formats.is_empty() => r.formats.clone(),
        _ => vec![UploadFormat::Pdf, UploadFormat::Jpeg, UploadFormat::Png],
    };
    let found = sniff(bytes);
    match found {
        Some(k) if allowed.contains(&k.format()) => Ok(k),
        _ => Err(CaseError::UploadFormat {
            found: found.map(FileKind::label),
            allowed: allowed
                .iter()
                .map(|f| format!("{f:?}").to_uppercase())
                .collect::<Vec<_>>()
                .join("、"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check_upload(PDF, None).unwrap(), FileKind::Pdf);
        assert_eq!(check_upload(PNG, None).unwrap(), FileKind::Png);
        assert_eq!(check_upload(JPEG, None).unwrap(), FileKind::Jpeg);
        let e = check_upload(EXE, None).unwrap_err();
        assert_eq!(crate::Coded::code(&e), "case.upload_format");
        assert!(check_upload(b"just text pretending to be a pdf", None).is_err());
        assert_eq!(check_upload(b"", None).unwrap_err(), CaseError::UploadEmpty);
    }

    #[test]
    fn the_item_rule_limits_formats_and_size() {
        let pdf_only = Upload {
            formats: vec![UploadFormat::Pdf],
            max_bytes: Some(100),
            text: String::new(),
        };
        assert!(check_upload(PDF, Some(&pdf_only)).is_ok());
        assert!(matches!(
            check_upload(PNG, Some(&pdf_only)),
            Err(CaseError::UploadFormat { .. })
        ));
        let big = [PDF, &[b' '; 200][..]].concat();
        assert!(matches!(
            check_upload(&big, Some(&pdf_only)),
            Err(CaseError::UploadTooLarge { .. })
        ));
        let over_default = [PDF, &vec![b' '; DEFAULT_MAX_BYTES as usize][..]].concat();
        assert!(matches!(
            check_upload(&over_default, None),
            Err(CaseError::UploadTooLarge { .. })
        ));
    }

    /// A PDF of exactly `size` bytes.
    fn pdf_of(size: u64) -> Vec<u8> {
        let mut v = PDF.to_vec();
        v.resize(size as usize, b' ');
        v
    }

    #[test]
    fn smaller_than_3_mb_means_exactly_3_mb_is_refused() {
        // Seed 000, 十二、办理方式 2. 网上办理: 「文件应小于 3M」 — strictly less than 3 MiB.
        assert_eq!(DEFAULT_MAX_BYTES, 3_145_728);
        assert_eq!(
            check_upload(&pdf_of(DEFAULT_MAX_BYTES - 1), None),
            Ok(FileKind::Pdf)
        );
        let e = check_upload(&pdf_of(DEFAULT_MAX_BYTES), None).unwrap_err();
        assert_eq!(
            e,
            CaseError::UploadTooLarge {
                size: DEFAULT_MAX_BYTES,
                max: DEFAULT_MAX_BYTES
            }
        );
        assert_eq!(crate::Coded::code(&e), "case.upload_too_large");
        assert_eq!(
            crate::Coded::message(&e),
            "上传的文件为 3 MB（3145728 字节），本事项要求文件小于 3 MB（3145728 字节），请压缩或拆分后上传"
        );
        // The same rule for an item's own limit (the chuanyu items carry 3145728 from the guide).
        let rule = Upload {
            formats: vec![UploadFormat::Pdf],
            max_bytes: Some(DEFAULT_MAX_BYTES),
            text: "格式包括 Word、Excel、PDF、JPEG,文件应小于 3M".into(),
        };
        assert!(check_upload(&pdf_of(DEFAULT_MAX_BYTES - 1), Some(&rule)).is_ok());
        assert!(check_upload(&pdf_of(DEFAULT_MAX_BYTES), Some(&rule)).is_err());
        let e = check_upload(
            &pdf_of(100),
            Some(&Upload {
                max_bytes: Some(100),
                ..rule
            }),
        )
        .unwrap_err();
        assert!(
            crate::Coded::message(&e).contains("小于 100 字节"),
            "{}",
            crate::Coded::message(&e)
        );
    }
}
