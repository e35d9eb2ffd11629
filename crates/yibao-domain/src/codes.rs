//! Small coded values the records store as keys and the pages show as Chinese labels: one
//! definition each, so no page or template keeps its own label table.

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
    };
}

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
    }
}
