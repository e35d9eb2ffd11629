//! Small coded values the records store as keys and the pages show as Chinese labels: one
//! definition each, so no page or template keeps its own label table.

/// A stored key that no variant has (corrupt data, or written by a newer build): reading it is
/// an error, never a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{what} / unknown {what} {key:?}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub key: String,
}

/// A stored key that may be empty: `""` is `None` (e.g. the status before a record existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct MaybeCode<T>(pub Option<T>);

impl<T: TryFrom<String, Error = UnknownCode>> TryFrom<String> for MaybeCode<T> {
    type Error = UnknownCode;

    fn try_from(key: String) -> Result<MaybeCode<T>, UnknownCode> {
        if key.is_empty() {
            Ok(MaybeCode(None))
        } else {
            T::try_from(key).map(|v| MaybeCode(Some(v)))
        }
    }
}

/// Declares a coded enum: each variant with its stored key and its label.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($key:literal, $label:literal),)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $key)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.key() == key)
            }

            /// The label of a stored key, for lists; an unknown key shows as 未知.
            pub fn label_of_key(key: &str) -> &'static str {
                $name::from_key(key).map_or("未知", $name::label)
            }
        }

        /// Reading from the store (`#[sqlx(try_from = "String")]`): unknown is an error.
        impl TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(key: String) -> Result<$name, $crate::codes::UnknownCode> {
                $name::from_key(&key).ok_or($crate::codes::UnknownCode {
                    what: stringify!($name),
                    key,
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use coded;

coded! {
    /// A designated institution's kind (定点医药机构).
    InstitutionKind {
        Hospital = ("hospital", "医疗机构"),
        Pharmacy = ("pharmacy", "零售药店"),
    }
}

coded! {
    /// The level of an agency (经办机构).
    AgencyLevel {
        Province = ("province", "省级"),
        City = ("city", "市级"),
        District = ("district", "区县级"),
    }
}

coded! {
    /// A disbursement batch (拨付批次): open while its cases are paid, closed when every line
    /// has a result.
    BatchStatus {
        Open = ("open", "进行中"),
        Closed = ("closed", "已完成"),
    }
}

coded! {
    /// One line of a disbursement batch.
    LineResult {
        Pending = ("pending", "待处理"),
        Paid = ("paid", "已拨付"),
        Failed = ("failed", "未拨付"),
    }
}

coded! {
    /// Where a year's working-day calendar comes from.
    CalendarSource {
        /// Shipped in the release (随版本发布).
        Shipped = ("shipped", "随版本发布"),
        /// Imported by an administrator; takes precedence.
        Imported = ("imported", "管理员导入"),
    }
}

coded! {
    /// A real-time settlement (联网结算) of a bill.
    SettlementStatus {
        /// 预结算: computed, nothing written.
        PreSettled = ("pre_settled", "预结算"),
        Settled = ("settled", "已结算"),
        /// 撤销 (冲正): the accumulators got back what it took.
        Reversed = ("reversed", "已撤销"),
    }
}

coded! {
    /// A visit (就诊, `mdtrt_id`) opened over the national interface: 2201 outpatient
    /// registration or 2401 admission.
    VisitKind {
        Outpatient = ("outpatient", "门诊"),
        Inpatient = ("inpatient", "住院"),
    }
}

coded! {
    /// The state of a national-interface visit.
    VisitStatus {
        /// 2201 registered / 2401 admitted.
        Open = ("open", "就诊中"),
        /// 2402 discharged (2405 takes it back to open).
        Discharged = ("discharged", "已出院"),
        /// 2202 / 2404 (or 2601 of the opening message).
        Cancelled = ("cancelled", "已撤销"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_keys_say_so() {
        for k in InstitutionKind::ALL {
            assert_eq!(InstitutionKind::from_key(k.key()), Some(*k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.key());
        }
        for k in AgencyLevel::ALL {
            assert_eq!(AgencyLevel::from_key(k.key()), Some(*k));
        }
        assert_eq!(LineResult::label_of_key("paid"), "已拨付");
        assert_eq!(LineResult::label_of_key("lost"), "未知");
        assert_eq!(BatchStatus::label_of_key("closed"), "已完成");
        assert_eq!(CalendarSource::label_of_key("imported"), "管理员导入");
        assert_eq!(AgencyLevel::label_of_key(""), "未知");
        assert_eq!(
            BatchStatus::try_from("open".to_string()),
            Ok(BatchStatus::Open)
        );
        assert!(BatchStatus::try_from("reopened".to_string()).is_err());
    }
}
