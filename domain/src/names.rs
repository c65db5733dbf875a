//! Domain names as lockstep uses them: one canonical form, checked once.
//!
//! A certificate issued for one spelling and a DNS record made for another is the mistake that
//! cost the seed teams days (`ERR_CERT_COMMON_NAME_INVALID`). Every name therefore passes through
//! [`DomainName::parse`], which produces the single canonical ASCII form (lower case, no trailing
//! dot, IDN as punycode) that certificates, records and aliases are all built from.

use crate::text::{msg, Message};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A fully qualified DNS name in canonical form: lower-case ASCII (IDN labels as punycode),
/// no trailing dot, at least two labels, optionally a wildcard as the whole left-most label.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

/// Why a string is not a usable domain name; the `Display` text (English) or [`NameError::ko`]
/// is shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter a domain name, for example team-app.com.")]
    Empty,
    #[error("\"{0}\" is a web address, not a name: leave out the scheme (http:// or https://).")]
    HasScheme(String),
    #[error("A domain name cannot contain \"{0}\". Use letters, digits, hyphens and dots only.")]
    BadCharacter(char),
    #[error("The name has an empty part (two dots in a row, or a dot at the start).")]
    EmptyLabel,
    #[error("The part \"{0}\" is longer than 63 characters, the limit for one part of a name.")]
    LabelTooLong(String),
    #[error("The name is {0} characters long; DNS allows at most 253.")]
    TooLong(usize),
    #[error("The part \"{0}\" starts or ends with a hyphen, which DNS does not allow.")]
    HyphenAtEdge(String),
    #[error("A wildcard (*) must be the whole first part, as in *.example.com.")]
    MisplacedWildcard,
    #[error("\"{0}\" has no dot: use a full name such as {0}.com.")]
    SingleLabel(String),
    #[error("The last part of the name (\"{0}\") cannot be only digits: that is an IP address, not a domain.")]
    NumericTld(String),
    #[error("\"{0}\" is not a valid international name: {1}")]
    Idna(String, String),
}

impl NameError {
    /// The message in Korean (the `Display` text is the English).
    pub fn ko(&self) -> String {
        match self {
            NameError::Empty => "도메인 이름을 입력하세요. 예: team-app.com.".into(),
            NameError::HasScheme(s) => {
                format!("\"{s}\"은(는) 이름이 아니라 웹 주소입니다. 스킴(http:// 또는 https://)을 빼고 입력하세요.")
            }
            NameError::BadCharacter(c) => {
                format!("도메인 이름에는 \"{c}\"을(를) 쓸 수 없습니다. 문자, 숫자, 하이픈, 마침표만 사용하세요.")
            }
            NameError::EmptyLabel => {
                "이름에 빈 부분이 있습니다 (마침표 두 개가 연달아 있거나 마침표로 시작합니다).".into()
            }
            NameError::LabelTooLong(l) => {
                format!("\"{l}\" 부분이 63자보다 깁니다. 이름의 한 부분은 63자까지만 쓸 수 있습니다.")
            }
            NameError::TooLong(n) => format!("이름이 {n}자입니다. DNS는 최대 253자까지 허용합니다."),
            NameError::HyphenAtEdge(l) => {
                format!("\"{l}\" 부분이 하이픈으로 시작하거나 끝납니다. DNS에서는 허용되지 않습니다.")
            }
            NameError::MisplacedWildcard => {
                "와일드카드(*)는 *.example.com처럼 첫 번째 부분 전체에만 쓸 수 있습니다.".into()
            }
            NameError::SingleLabel(s) => {
                format!("\"{s}\"에는 마침표가 없습니다. {s}.com처럼 전체 이름을 사용하세요.")
            }
            NameError::NumericTld(t) => format!(
                "이름의 마지막 부분(\"{t}\")은 숫자로만 이루어질 수 없습니다. 숫자로만 된 것은 도메인이 아니라 IP 주소입니다."
            ),
            NameError::Idna(s, why) => format!("\"{s}\"은(는) 올바른 국제 도메인 이름이 아닙니다: {why}"),
        }
    }

    /// The message in English and Korean.
    pub fn message(&self) -> Message {
        msg(self.to_string(), self.ko())
    }
}

impl DomainName {
    /// Parses user input into the canonical form. Accepts surrounding spaces, upper case,
    /// a trailing dot and Unicode (IDN) labels.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.contains("://") {
            return Err(NameError::HasScheme(trimmed.to_string()));
        }
        let without_dot = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if without_dot.is_empty() || without_dot.ends_with('.') {
            return Err(NameError::EmptyLabel);
        }
        // Characters that can never appear, checked before IDNA so the message names them.
        if let Some(c) =
            without_dot.chars().find(|c| c.is_whitespace() || matches!(c, '/' | ':' | '@' | '_' | '?' | '#' | ','))
        {
            return Err(NameError::BadCharacter(c));
        }
        let (wildcard, rest) = match without_dot.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, without_dot),
        };
        if rest.contains('*') {
            return Err(NameError::MisplacedWildcard);
        }
        let ascii = if rest.is_ascii() {
            rest.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(rest).map_err(|e| NameError::Idna(rest.to_string(), e.to_string()))?
        };
        let mut labels = 0usize;
        for label in ascii.split('.') {
            labels += 1;
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if label.len() > 63 {
                return Err(NameError::LabelTooLong(label.to_string()));
            }
            if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
                return Err(NameError::BadCharacter(c));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(NameError::HyphenAtEdge(label.to_string()));
            }
        }
        if labels < 2 {
            return Err(NameError::SingleLabel(ascii));
        }
        let tld = ascii.rsplit('.').next().unwrap_or_default();
        if tld.chars().all(|c| c.is_ascii_digit()) {
            return Err(NameError::NumericTld(tld.to_string()));
        }
        let full = if wildcard { format!("*.{ascii}") } else { ascii };
        if full.len() > 253 {
            return Err(NameError::TooLong(full.len()));
        }
        Ok(DomainName(full))
    }

    /// The one host that is not a DNS name: the instance's public IPv4 address as the API's
    /// "name" on the free path's IP-certificate choice (`DomainSource::InstanceIp`, issue 24).
    /// It flows where the API name flows (the nginx `server_name`, `https://<ip>` URLs, the
    /// doctor's target, the framework settings) and nowhere a DNS name is required: such a plan
    /// has no hosted zone, so no record, ACM certificate or CloudFront alias is made for it.
    /// Typed input never becomes one ([`DomainName::parse`] still refuses an IP).
    pub fn ipv4(ip: std::net::Ipv4Addr) -> DomainName {
        DomainName(ip.to_string())
    }

    /// The address, when this is [`DomainName::ipv4`]'s host.
    pub fn as_ipv4(&self) -> Option<std::net::Ipv4Addr> {
        self.0.parse().ok()
    }

    /// The canonical ASCII form, without a trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name with a trailing dot, as Route 53 returns record names.
    pub fn fqdn(&self) -> String {
        format!("{}.", self.0)
    }

    /// `true` for `*.example.com`.
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }

    /// The name shown to people: IDN labels in Unicode again.
    pub fn to_unicode(&self) -> String {
        let (out, result) = idna::domain_to_unicode(&self.0);
        if result.is_ok() {
            out
        } else {
            self.0.clone()
        }
    }

    /// `label.self`, e.g. `api` + `example.com`.
    pub fn child(&self, label: &str) -> Result<DomainName, NameError> {
        DomainName::parse(&format!("{label}.{}", self.0))
    }

    /// `true` when `self` equals `zone` or lies below it (`api.example.com` in `example.com`).
    pub fn is_within(&self, zone: &DomainName) -> bool {
        let name = self.0.strip_prefix("*.").unwrap_or(&self.0);
        name == zone.0 || name.ends_with(&format!(".{}", zone.0))
    }

    /// Whether a certificate name (`self`, possibly a wildcard) covers `host`.
    /// A wildcard covers exactly one label: `*.example.com` covers `api.example.com`
    /// but neither `example.com` nor `a.b.example.com`.
    pub fn covers(&self, host: &DomainName) -> bool {
        if self == host {
            return true;
        }
        match self.0.strip_prefix("*.") {
            Some(parent) => match host.0.split_once('.') {
                Some((first, rest)) => first != "*" && rest == parent,
                None => false,
            },
            None => false,
        }
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DomainName({})", self.0)
    }
}

/// Stored values: a name, or the IPv4 host lockstep itself stored ([`DomainName::ipv4`]).
impl TryFrom<String> for DomainName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.parse::<std::net::Ipv4Addr>() {
            Ok(ip) if ip.to_string() == value => Ok(DomainName::ipv4(ip)),
            _ => DomainName::parse(&value),
        }
    }
}

impl From<DomainName> for String {
    fn from(value: DomainName) -> Self {
        value.0
    }
}

impl std::str::FromStr for DomainName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DomainName::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canonicalises_case_space_and_trailing_dot() {
        let n = DomainName::parse("  API.Example.COM. ").unwrap();
        assert_eq!(n.as_str(), "api.example.com");
        assert_eq!(n.fqdn(), "api.example.com.");
    }

    #[test]
    fn idn_to_punycode_and_back() {
        let n = DomainName::parse("한국.example.com").unwrap();
        assert_eq!(n.as_str(), "xn--3e0b707e.example.com");
        assert_eq!(n.to_unicode(), "한국.example.com");
    }

    #[test]
    fn rejects_bad_names_with_reasons() {
        assert_eq!(DomainName::parse(""), Err(NameError::Empty));
        assert!(matches!(DomainName::parse("https://x.com"), Err(NameError::HasScheme(_))));
        assert_eq!(DomainName::parse("a..com"), Err(NameError::EmptyLabel));
        assert_eq!(DomainName::parse("a_b.com"), Err(NameError::BadCharacter('_')));
        assert!(matches!(DomainName::parse("-a.com"), Err(NameError::HyphenAtEdge(_))));
        assert_eq!(DomainName::parse("a.*.com"), Err(NameError::MisplacedWildcard));
        assert!(matches!(DomainName::parse("localhost"), Err(NameError::SingleLabel(_))));
        assert!(matches!(DomainName::parse("1.2.3.4"), Err(NameError::NumericTld(_))));
        let long_label = "a".repeat(64);
        assert!(matches!(DomainName::parse(&format!("{long_label}.com")), Err(NameError::LabelTooLong(_))));
        let long_name = vec!["a".repeat(60); 5].join(".");
        assert!(matches!(DomainName::parse(&long_name), Err(NameError::TooLong(_))));
    }

    #[test]
    fn every_reason_has_its_korean() {
        let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        for bad in ["", "https://x.com", "a..com", "a_b.com", "-a.com", "a.*.com", "localhost", "1.2.3.4"] {
            let e = DomainName::parse(bad).unwrap_err();
            let m = e.message();
            assert_eq!(m.en, e.to_string());
            assert!(hangul(&m.ko), "{bad:?}: {}", m.ko);
        }
    }

    #[test]
    fn wildcard_covers_exactly_one_label() {
        let w = DomainName::parse("*.example.com").unwrap();
        let p = |s| DomainName::parse(s).unwrap();
        assert!(w.covers(&p("api.example.com")));
        assert!(!w.covers(&p("example.com")));
        assert!(!w.covers(&p("a.b.example.com")));
        assert!(p("example.com").covers(&p("example.com")));
        assert!(!p("example.com").covers(&p("www.example.com")));
    }

    #[test]
    fn within_zone() {
        let zone = DomainName::parse("example.com").unwrap();
        assert!(DomainName::parse("api.example.com").unwrap().is_within(&zone));
        assert!(zone.is_within(&zone));
        assert!(!DomainName::parse("badexample.com").unwrap().is_within(&zone));
    }

    proptest! {
        // Parsing never panics, and whatever it accepts is canonical: parsing again is the identity.
        #[test]
        fn parse_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(n) = DomainName::parse(&s) {
                let again = DomainName::parse(n.as_str()).unwrap();
                prop_assert_eq!(&again, &n);
                prop_assert!(n.as_str().len() <= 253);
                prop_assert!(n.as_str().split('.').all(|l| !l.is_empty() && l.len() <= 63));
                prop_assert!(n.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b'*'));
            }
        }

        #[test]
        fn valid_ascii_names_round_trip(labels in proptest::collection::vec("[a-z][a-z0-9-]{0,20}[a-z0-9]", 2..5)) {
            let s = labels.join(".");
            let n = DomainName::parse(&s.to_uppercase()).unwrap();
            prop_assert_eq!(n.as_str(), s.as_str());
        }
    }
}
