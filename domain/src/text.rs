//! Text a person reads, in English and in Korean: what a form field's check says, what a step
//! of a run is doing (its note in the timeline).

use serde::{Deserialize, Serialize};

/// A short message in English and Korean (what a form field's check says, a step's note).
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
    /// Each language of `parts` joined with `sep` (a sentence list: `sep` is usually " ").
    pub fn join(parts: &[Message], sep: &str) -> Message {
        Message {
            en: parts.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join(sep),
            ko: parts.iter().map(|m| m.ko.as_str()).collect::<Vec<_>>().join(sep),
        }
    }

    /// `more` after this message in each language, with a space between.
    pub fn then(mut self, more: &Message) -> Message {
        for (have, add) in [(&mut self.en, &more.en), (&mut self.ko, &more.ko)] {
            if !have.is_empty() && !add.is_empty() {
                have.push(' ');
            }
            have.push_str(add);
        }
        self
    }

    /// The message in Korean when `korean`, else in English.
    pub fn said(&self, korean: bool) -> &str {
        if korean {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// The Korean when `korean` and one was recorded, else the English (texts stored before their
/// Korean was added have none).
pub fn korean_or_english<'a>(korean: bool, en: Option<&'a str>, ko: Option<&'a str>) -> Option<&'a str> {
    if korean {
        ko.or(en)
    } else {
        en
    }
}

/// Writes the English.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_when_recorded_else_english() {
        assert_eq!(korean_or_english(true, Some("en"), Some("한")), Some("한"));
        assert_eq!(korean_or_english(true, Some("en"), None), Some("en"));
        assert_eq!(korean_or_english(false, Some("en"), Some("한")), Some("en"));
        assert_eq!(korean_or_english(true, None, Some("한")), Some("한"));
        assert_eq!(korean_or_english(false, None, Some("한")), None);
    }

    #[test]
    fn messages_join_and_follow_one_another_in_each_language() {
        let parts = [msg("One.", "하나."), msg("Two.", "둘.")];
        assert_eq!(Message::join(&parts, " "), msg("One. Two.", "하나. 둘."));
        assert_eq!(Message::join(&[], " "), msg("", ""));
        assert_eq!(msg("A.", "가.").then(&msg("B.", "나.")), msg("A. B.", "가. 나."));
        assert_eq!(msg("", "").then(&msg("B.", "나.")), msg("B.", "나."));
        assert_eq!(msg("A.", "가.").said(true), "가.");
        assert_eq!(msg("A.", "가.").to_string(), "A.", "Display is the English");
    }
}
