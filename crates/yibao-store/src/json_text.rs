//! A JSON document kept in a text column (the same on SQLite and PostgreSQL), read into its type
//! at the store edge: text that does not parse is `StoreError::Corrupt` (sqlx reports it as a
//! column decode error), never a default. It serialises as the document itself, not as text.

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

use crate::error::StoreError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonText<T>(pub T);

impl<T: DeserializeOwned> TryFrom<String> for JsonText<T> {
    type Error = serde_json::Error;

    fn try_from(text: String) -> Result<JsonText<T>, serde_json::Error> {
        serde_json::from_str(&text).map(JsonText)
    }
}

/// A nullable column: NULL is `None`.
impl<T: DeserializeOwned> TryFrom<Option<String>> for JsonText<Option<T>> {
    type Error = serde_json::Error;

    fn try_from(text: Option<String>) -> Result<JsonText<Option<T>>, serde_json::Error> {
        match text {
            None => Ok(JsonText(None)),
            Some(t) => serde_json::from_str(&t).map(|v| JsonText(Some(v))),
        }
    }
}

impl<T: Serialize> JsonText<T> {
    /// The text to store.
    pub fn text(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.0).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

impl<T: Serialize> JsonText<Option<T>> {
    /// The text to store; NULL for `None`.
    pub fn nullable_text(&self) -> Result<Option<String>, StoreError> {
        self.0
            .as_ref()
            .map(|v| serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }
}

impl<T> std::ops::Deref for JsonText<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for JsonText<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Serialize> Serialize for JsonText<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reads_documents_and_refuses_damaged_text() {
        let ok: JsonText<BTreeMap<String, String>> =
            JsonText::try_from(r#"{"a":"1"}"#.to_string()).unwrap();
        assert_eq!(ok.get("a").map(String::as_str), Some("1"));
        assert_eq!(ok.text().unwrap(), r#"{"a":"1"}"#);
        assert!(JsonText::<BTreeMap<String, String>>::try_from("{not json".to_string()).is_err());
        assert!(JsonText::<BTreeMap<String, String>>::try_from("[1]".to_string()).is_err());
        let none: JsonText<Option<serde_json::Value>> = JsonText::try_from(None).unwrap();
        assert_eq!(none.nullable_text().unwrap(), None);
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"a":"1"}"#);
    }
}
