//! The store layer's error type, with stable codes. Database details stay in logs; users see a
//! Chinese message that does not leak SQL.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("record already exists: {0}")]
    Conflict(String),
    /// The row changed since it was read (optimistic locking).
    #[error("stale record: {0}")]
    Stale(String),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "store.unavailable",
            StoreError::UnsupportedUrl(_) => "store.unsupported_url",
            StoreError::Migration(_) => "store.migration",
            StoreError::Conflict(_) => "store.conflict",
            StoreError::Stale(_) => "store.stale",
            StoreError::Corrupt(_) => "store.corrupt",
            StoreError::Database(_) => "store.database",
        }
    }

    pub fn message(&self) -> String {
        match self {
            StoreError::Unavailable(_) => "数据库暂时无法连接，请稍后重试".into(),
            StoreError::UnsupportedUrl(_) => {
                "数据库地址不受支持：只支持 sqlite:// 和 postgres:// 开头的地址".into()
            }
            StoreError::Migration(_) => "数据库结构升级失败，请联系运维人员".into(),
            // The constraint's name stays in the log; the person learns what to do.
            StoreError::Conflict(_) => "记录已存在，不能重复登记".into(),
            StoreError::Stale(_) => "记录刚被他人修改，请刷新页面后重试".into(),
            StoreError::Corrupt(_) => "数据库中的记录不符合规则，请联系运维人员".into(),
            StoreError::Database(_) => "数据库操作失败，请稍后重试".into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            // A stored value the typed row refuses (e.g. a case status no build knows).
            sqlx::Error::ColumnDecode { .. } => StoreError::Corrupt(e.to_string()),
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}
