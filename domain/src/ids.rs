//! Identifiers AWS hands back, parsed once at the edge (an adapter's answer, a step's stored
//! output) so step code never passes a bare string where an ARN or a zone id belongs.
//!
//! Each type checks the shape AWS documents and no more: lockstep must accept every real id,
//! and a value that is clearly not one (an empty string, a name where an id belongs) is refused
//! where it enters, with its words, instead of failing later inside an AWS call. Stored as the
//! plain string (`serde(try_from, into)`), so step outputs written before these types read back
//! unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value is not the identifier it should be (internal: it names what was expected, the
/// value is never echoed to a user because it may come from a remote answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadId {
    pub expected: &'static str,
}

impl fmt::Display for BadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not {}", self.expected)
    }
}

impl std::error::Error for BadId {}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<$name, BadId> {
                let check: fn(&str) -> Option<String> = $check;
                check(s.trim()).map($name).ok_or(BadId { expected: $expected })
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = BadId;
            fn try_from(s: String) -> Result<$name, BadId> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

id_type!(
    /// An Amazon Resource Name: `arn:<partition>:<service>:<region>:<account>:<resource>`
    /// (region and account may be empty, as for CloudFront and IAM).
    Arn,
    "an AWS ARN",
    |s| {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[1].starts_with("aws")
            && token(parts[2])
            && (parts[3].is_empty() || token(parts[3]))
            && (parts[4].is_empty() || parts[4].bytes().all(|b| b.is_ascii_digit()))
            && !parts[5].is_empty()
            && !s.chars().any(char::is_whitespace);
        ok.then(|| s.to_string())
    }
);

id_type!(
    /// A Route 53 hosted zone id (`Z0123...`), without the `/hostedzone/` prefix AWS sometimes
    /// puts in front (it is removed here, once).
    ZoneId,
    "a Route 53 hosted zone id",
    |s| {
        let id = s.strip_prefix("/hostedzone/").unwrap_or(s);
        (id.len() <= 32 && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| id.to_string())
    }
);

id_type!(
    /// An EC2 instance id: `i-` and 8 or 17 hexadecimal digits.
    InstanceId,
    "an EC2 instance id",
    |s| {
        let hex = s.strip_prefix("i-")?;
        ((hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_string())
    }
);

id_type!(
    /// A CloudFront distribution id (`E2ABC...`: upper-case letters and digits).
    DistributionId,
    "a CloudFront distribution id",
    |s| {
        (!s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
            .then(|| s.to_string())
    }
);

id_type!(
    /// An EC2 security group id: `sg-` and hexadecimal digits.
    SecurityGroupId,
    "an EC2 security group id",
    |s| {
        let hex = s.strip_prefix("sg-")?;
        (!hex.is_empty() && hex.len() <= 17 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_string())
    }
);

impl Arn {
    /// The service part (`acm`, `elasticloadbalancing`, ...).
    pub fn service(&self) -> &str {
        self.0.split(':').nth(2).unwrap_or_default()
    }
    /// The region part (empty for global services).
    pub fn region(&self) -> &str {
        self.0.split(':').nth(3).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_ids_parse_and_round_trip_through_json() {
        let arn = "arn:aws:acm:us-east-1:123456789012:certificate/9f2b1c4e-1111-2222-3333-444455556666";
        let a = Arn::parse(arn).unwrap();
        assert_eq!((a.service(), a.region()), ("acm", "us-east-1"));
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::json!(arn));
        assert_eq!(serde_json::from_value::<Arn>(serde_json::json!(arn)).unwrap(), a);
        assert!(Arn::parse("arn:aws:cloudfront::123456789012:distribution/E2ABC").is_ok());
        assert!(Arn::parse("arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/x/1").is_ok());
        assert_eq!(ZoneId::parse("/hostedzone/Z0123456789ABC").unwrap().as_str(), "Z0123456789ABC");
        assert!(InstanceId::parse("i-0123456789abcdef0").is_ok());
        assert!(InstanceId::parse("i-01234567").is_ok());
        assert!(DistributionId::parse("E2QWRUHAPOMQZL").is_ok());
        assert!(SecurityGroupId::parse("sg-0abc1234").is_ok());
    }

    #[test]
    fn values_that_are_not_ids_are_refused_where_they_enter() {
        for bad in
            ["", "certificate", "arn:aws:acm", "arn:aws:acm:us-east-1:12x:certificate/1", "arn:aws:acm:us-east-1:1: x"]
        {
            assert!(Arn::parse(bad).is_err(), "{bad:?} passed as an ARN");
        }
        for bad in ["", "example.com", "Z 123", "/hostedzone/"] {
            assert!(ZoneId::parse(bad).is_err(), "{bad:?} passed as a zone id");
        }
        for bad in ["", "i-", "i-xyz12345", "i-0123456789", "10.0.0.1"] {
            assert!(InstanceId::parse(bad).is_err(), "{bad:?} passed as an instance id");
        }
        assert!(DistributionId::parse("d111.cloudfront.net").is_err());
        assert!(SecurityGroupId::parse("default").is_err());
        assert!(serde_json::from_value::<ZoneId>(serde_json::json!("my zone")).is_err());
    }
}
