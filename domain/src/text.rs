//! Text a person reads, in English and in Korean: what a form field's check says.

use serde::{Deserialize, Serialize};

/// A short message in English and Korean (what a form field's check says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub en: String,
    pub ko: String,
}

/// A [`Message`].
pub fn msg(en: impl Into<String>, ko: impl Into<String>) -> Message {
    Message { en: en.into(), ko: ko.into() }
}

impl Message {
    /// The message in Korean when `korean`, else in English.
    pub fn said(&self, korean: bool) -> &str {
        if korean {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// Writes the English.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Message {}
