//! Identity documents (有效身份证件) accepted for enrolment: seed 003 职工参保登记 材料2 lists
//! 身份证、居住证、户口簿、护照、港澳台居民来往内地通行证、港澳台居民居住证、外国人永久居住证
//! (SEED-NOTES I10: 「居住证」 there means 居留证). Each number is checked at the edge.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::EnrolmentError;
use crate::ids::Sex;
use crate::CitizenId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证
    ResidentIdCard,
    /// 户口簿 (carries the citizen identity number)
    HouseholdRegister,
    /// 居住证 (issued to mainland citizens outside their hukou place; the citizen number)
    ResidencePermit,
    /// 港澳台居民居住证 (810000 / 820000 / 830000 + MOD 11-2 check)
    HmtResidencePermit,
    /// 港澳居民来往内地通行证
    HkMacauPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 护照
    Passport,
    /// 外国人永久居留身份证
    ForeignPermanentResidence,
}

/// Where the holder comes from; the rules of flexible and resident enrolment depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Mainland,
    HongKongMacauTaiwan,
    Foreign,
}

impl DocumentType {
    pub const ALL: [DocumentType; 8] = [
        DocumentType::ResidentIdCard,
        DocumentType::HouseholdRegister,
        DocumentType::ResidencePermit,
        DocumentType::HmtResidencePermit,
        DocumentType::HkMacauPermit,
        DocumentType::TaiwanPermit,
        DocumentType::Passport,
        DocumentType::ForeignPermanentResidence,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DocumentType::ResidentIdCard => "resident_id_card",
            DocumentType::HouseholdRegister => "household_register",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::HmtResidencePermit => "hmt_residence_permit",
            DocumentType::HkMacauPermit => "hk_macau_permit",
            DocumentType::TaiwanPermit => "taiwan_permit",
            DocumentType::Passport => "passport",
            DocumentType::ForeignPermanentResidence => "foreign_permanent_residence",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentType::ResidentIdCard => "居民身份证",
            DocumentType::HouseholdRegister => "户口簿",
            DocumentType::ResidencePermit => "居住证",
            DocumentType::HmtResidencePermit => "港澳台居民居住证",
            DocumentType::HkMacauPermit => "港澳居民来往内地通行证",
            DocumentType::TaiwanPermit => "台湾居民来往大陆通行证",
            DocumentType::Passport => "护照",
            DocumentType::ForeignPermanentResidence => "外国人永久居留身份证",
        }
    }

    /// Accepts the key or the Chinese name (as typed in a roster), including the guides' own
    /// spellings (身份证, 外国人永久居留证, 外国人永久居住证).
    pub fn parse(text: &str) -> Result<DocumentType, EnrolmentError> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(DocumentType::ResidentIdCard);
        }
        let found = DocumentType::ALL
            .into_iter()
            .find(|d| d.key() == t || d.label() == t)
            .or(match t {
                "身份证" | "居民身份证号码" => Some(DocumentType::ResidentIdCard),
                "外国人永久居留证" | "外国人永久居住证" => {
                    Some(DocumentType::ForeignPermanentResidence)
                }
                "港澳通行证" => Some(DocumentType::HkMacauPermit),
                "台胞证" => Some(DocumentType::TaiwanPermit),
                _ => None,
            });
        found.ok_or_else(|| {
            EnrolmentError::new(
                "registry.document.type",
                format!(
                    "证件类型“{t}”不是有效身份证件，可用：{}",
                    DocumentType::ALL.map(|d| d.label()).join("、")
                ),
                "seed 003 职工参保登记 申请材料2",
            )
        })
    }

    pub fn origin(self) -> Origin {
        match self {
            DocumentType::ResidentIdCard
            | DocumentType::HouseholdRegister
            | DocumentType::ResidencePermit => Origin::Mainland,
            DocumentType::HmtResidencePermit
            | DocumentType::HkMacauPermit
            | DocumentType::TaiwanPermit => Origin::HongKongMacauTaiwan,
            DocumentType::Passport | DocumentType::ForeignPermanentResidence => Origin::Foreign,
        }
    }

    /// True when the number itself carries the birth date and sex (GB 11643 layout).
    pub fn carries_birth(self) -> bool {
        matches!(
            self,
            DocumentType::ResidentIdCard
                | DocumentType::HouseholdRegister
                | DocumentType::ResidencePermit
                | DocumentType::HmtResidencePermit
        )
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A checked document: its type, its number (normalised upper-case) and, where the number
/// carries them, the holder's birth date and sex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityDocument {
    pub kind: DocumentType,
    pub number: String,
}

impl IdentityDocument {
    pub fn parse(kind: DocumentType, number: &str) -> Result<IdentityDocument, EnrolmentError> {
        let n = number.trim().to_uppercase();
        let bad = |what: &str| {
            EnrolmentError::new(
                "registry.document.number",
                format!("{}号码“{}”格式不正确：{what}", kind.label(), number.trim()),
                "",
            )
        };
        match kind {
            DocumentType::ResidentIdCard
            | DocumentType::HouseholdRegister
            | DocumentType::ResidencePermit => {
                let id: CitizenId = n.parse().map_err(|e: crate::ids::CitizenIdError| {
                    bad(&crate::Coded::message(&e))
                })?;
                if matches!(&n[..2], "81" | "82" | "83") {
                    return Err(bad("以81、82、83开头的是港澳台居民居住证号码，请选择对应证件类型"));
                }
                Ok(IdentityDocument {
                    kind,
                    number: id.as_str().to_string(),
                })
            }
            DocumentType::HmtResidencePermit => {
                if !matches!(n.get(..6), Some("810000" | "820000" | "830000")) {
                    return Err(bad("应以810000（香港）、820000（澳门）或830000（台湾）开头"));
                }
                let id: CitizenId = n.parse().map_err(|e: crate::ids::CitizenIdError| {
                    bad(&crate::Coded::message(&e))
                })?;
                Ok(IdentityDocument {
                    kind,
                    number: id.as_str().to_string(),
                })
            }
            DocumentType::HkMacauPermit => {
                let ok = matches!(n.chars().next(), Some('H' | 'M'))
                    && matches!(n.len(), 9 | 11)
                    && n[1..].bytes().all(|b| b.is_ascii_digit());
                ok.then_some(IdentityDocument { kind, number: n })
                    .ok_or_else(|| bad("应为H或M加8位（或10位）数字"))
            }
            DocumentType::TaiwanPermit => {
                let ok = matches!(n.len(), 8 | 10) && n.bytes().all(|b| b.is_ascii_digit());
                ok.then_some(IdentityDocument { kind, number: n })
                    .ok_or_else(|| bad("应为8位（或10位）数字"))
            }
            DocumentType::Passport => {
                let ok = (5..=17).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric());
                ok.then_some(IdentityDocument { kind, number: n })
                    .ok_or_else(|| bad("应为5至17位字母或数字"))
            }
            DocumentType::ForeignPermanentResidence => parse_foreign_permanent(&n)
                .then(|| IdentityDocument { kind, number: n.clone() })
                .ok_or_else(|| {
                    bad("旧版为3位国籍字母加12位数字；2023版为以9开头的18位号码（校验码按GB 11643计算）")
                }),
        }
    }

    /// The citizen identity number, for documents that carry one (the key of a citizen's
    /// online account and of the person record).
    pub fn citizen_id(&self) -> Option<CitizenId> {
        self.kind
            .carries_birth()
            .then(|| self.number.parse().ok())
            .flatten()
    }

    pub fn birth_and_sex(&self) -> Option<(NaiveDate, Sex)> {
        self.citizen_id().map(|id| (id.birth_date(), id.sex()))
    }

    pub fn origin(&self) -> super::documents::Origin {
        match self.number.get(..2) {
            Some("81" | "82" | "83") if self.kind == DocumentType::HmtResidencePermit => {
                Origin::HongKongMacauTaiwan
            }
            _ => self.kind.origin(),
        }
    }
}

fn parse_foreign_permanent(n: &str) -> bool {
    let b = n.as_bytes();
    match b.len() {
        15 => b[..3].iter().all(u8::is_ascii_uppercase) && b[3..].iter().all(u8::is_ascii_digit),
        18 => {
            b[0] == b'9'
                && b[..17].iter().all(u8::is_ascii_digit)
                && crate::ids::citizen_id_check_char(&b[..17]) == char::from(b[17])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            crate::ids::citizen_id_check_char(first17.as_bytes())
        )
    }

    #[test]
    fn citizen_documents_check_the_digit() {
        let good = with_check("50010219900101001");
        let doc = IdentityDocument::parse(DocumentType::ResidentIdCard, &good).unwrap();
        assert_eq!(doc.citizen_id().unwrap().as_str(), good);
        assert_eq!(doc.origin(), Origin::Mainland);
        let mut bad = good.clone();
        bad.replace_range(17..18, if good.ends_with('0') { "1" } else { "0" });
        let e = IdentityDocument::parse(DocumentType::HouseholdRegister, &bad).unwrap_err();
        assert_eq!(e.code, "registry.document.number");
        assert!(e.message.contains("校验码"), "{}", e.message);
    }

    #[test]
    fn hmt_residence_permit_needs_its_prefix() {
        let hk = with_check("81000019900101002");
        let doc = IdentityDocument::parse(DocumentType::HmtResidencePermit, &hk).unwrap();
        assert_eq!(doc.origin(), Origin::HongKongMacauTaiwan);
        assert!(doc.birth_and_sex().is_some());
        let e = IdentityDocument::parse(DocumentType::ResidentIdCard, &hk).unwrap_err();
        assert!(e.message.contains("港澳台居民居住证"));
        let mainland = with_check("50010219900101001");
        assert!(IdentityDocument::parse(DocumentType::HmtResidencePermit, &mainland).is_err());
    }

    #[test]
    fn other_documents_by_shape() {
        use DocumentType::*;
        for (kind, good, bad) in [
            (HkMacauPermit, "H12345678", "X12345678"),
            (HkMacauPermit, "m1234567890", "H1234567"),
            (TaiwanPermit, "12345678", "1234567A"),
            (Passport, "e12345678", "E-1234"),
            (
                ForeignPermanentResidence,
                "USA110012345678",
                "US1100123456789",
            ),
        ] {
            assert!(
                IdentityDocument::parse(kind, good).is_ok(),
                "{kind:?} {good}"
            );
            assert!(
                IdentityDocument::parse(kind, bad).is_err(),
                "{kind:?} {bad}"
            );
        }
        let new_fp = with_check("93115619900101001");
        let doc = IdentityDocument::parse(ForeignPermanentResidence, &new_fp).unwrap();
        assert_eq!(doc.origin(), Origin::Foreign);
        assert!(doc.citizen_id().is_none());
    }

    #[test]
    fn type_names_from_rosters() {
        assert_eq!(
            DocumentType::parse("").unwrap(),
            DocumentType::ResidentIdCard
        );
        assert_eq!(
            DocumentType::parse("身份证").unwrap(),
            DocumentType::ResidentIdCard
        );
        assert_eq!(
            DocumentType::parse("外国人永久居住证").unwrap(),
            DocumentType::ForeignPermanentResidence
        );
        assert_eq!(
            DocumentType::parse("passport").unwrap(),
            DocumentType::Passport
        );
        assert_eq!(
            DocumentType::parse("驾驶证").unwrap_err().code,
            "registry.document.type"
        );
    }
}
