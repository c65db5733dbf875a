//! What a backend run acts on: the load-balancer steps' input ([`AlbInput`]) and the whole run's
//! input ([`BackendInput`]: the certificate steps' input and this one, in one JSON object).
//!
//! Values that name AWS resources are parsed here, where the input enters (`InstanceId`, `Arn`,
//! `ZoneId`): a run input that does not parse is refused by the engine before any step runs.

use crate::steps::certificate::CertInput;
use lockstep_domain::{Arn, DomainName, InstanceId, Region, ZoneId};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// What the load-balancer steps act on, fixed when the run starts (from the project and its
/// name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbInput {
    pub region: Region,
    pub instance_id: InstanceId,
    /// The port the app listens on (plain HTTP).
    pub app_port: u16,
    /// The path the load balancer's health check calls, e.g. `/health`.
    pub health_path: String,
    /// The API name (e.g. `api.example.com`).
    pub api: DomainName,
    /// An ISSUED ACM certificate covering `api`, in `region`. `None` when the same run requests
    /// it first (the paid path's backend run starts with the certificate steps): the ARN is then
    /// read from the run's `cert.request` output. Inputs stored before this was typed have `""`
    /// for none.
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<Arn>,
    /// The hosted zone for the alias records; `None` when the domain's DNS is elsewhere. (In a
    /// [`BackendInput`] the certificate's input has `""` for no zone: read as `None` too.)
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<ZoneId>,
    /// Names the load balancer, its target group and its security group.
    pub project_slug: String,
}

/// `null`, a missing field or `""` as `None`; anything else must parse as `T`.
fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    match Option::<String>::deserialize(d)? {
        Some(s) if !s.trim().is_empty() => T::try_from(s).map(Some).map_err(D::Error::custom),
        _ => Ok(None),
    }
}

/// The input of a backend run (the paid path's API: the certificate in the instance's region,
/// then the load balancer), stored as **one** JSON object: the certificate's fields and the
/// load balancer's fields side by side, so each step decodes the part it reads from the same
/// input (`cert.*` steps their [`CertInput`], `alb.*` steps their [`AlbInput`]).
///
/// The two parts share `region` and `zone_id`, which must agree (the service builds both from
/// the same project and name plan); encoding refuses parts that disagree. The certificate's
/// part writes `zone_id: ""` for no zone and the load balancer's part leaves it out, so both
/// read the same "no zone". The load balancer's `certificate_arn` is normally `None` here: its
/// steps read the ARN the run's certificate step recorded.
///
/// Not `#[serde(flatten)]` twice: serde's flatten hands each shared field to the first part
/// only, so the second would miss `region`. Encoding and decoding are written out below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInput {
    pub certificate: CertInput,
    pub load_balancer: AlbInput,
}

fn object<T: Serialize>(v: &T) -> Result<Map<String, Value>, serde_json::Error> {
    match serde_json::to_value(v)? {
        Value::Object(m) => Ok(m),
        _ => Err(<serde_json::Error as serde::ser::Error>::custom("a run input part is not a JSON object")),
    }
}

impl Serialize for BackendInput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut all = object(&self.certificate).map_err(S::Error::custom)?;
        for (key, value) in object(&self.load_balancer).map_err(S::Error::custom)? {
            match all.get(&key) {
                Some(have) if *have != value => {
                    return Err(S::Error::custom(format!(
                        "the certificate's and the load balancer's inputs disagree on {key}"
                    )))
                }
                _ => {
                    all.insert(key, value);
                }
            }
        }
        all.serialize(s)
    }
}

impl<'de> Deserialize<'de> for BackendInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BackendInput, D::Error> {
        let all = Value::deserialize(d)?;
        Ok(BackendInput {
            certificate: serde_json::from_value(all.clone()).map_err(D::Error::custom)?,
            load_balancer: serde_json::from_value(all).map_err(D::Error::custom)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::certificate::CertChoice;
    use serde_json::json;

    const ZONE: &str = "Z0123456789ABC";

    fn parts(zone: Option<&str>) -> BackendInput {
        let region = Region::parse("ap-northeast-2").unwrap();
        let api = DomainName::parse("api.example.com").unwrap();
        BackendInput {
            certificate: CertInput {
                region: region.clone(),
                names: vec![api.clone()],
                zone_id: ZoneId::parse(zone.unwrap_or(ZONE)).unwrap(),
                zone_name: DomainName::parse("example.com").unwrap(),
                choice: CertChoice::Auto,
            },
            load_balancer: AlbInput {
                region,
                instance_id: InstanceId::parse("i-0123456789abcdef0").unwrap(),
                app_port: 8000,
                health_path: "/health".into(),
                api,
                certificate_arn: None,
                zone_id: zone.map(|z| ZoneId::parse(z).unwrap()),
                project_slug: "capstone-shop".into(),
            },
        }
    }

    #[test]
    fn one_object_that_each_part_reads_back() {
        // The certificate always validates in a hosted zone (the paid path is refused without
        // one), so the backend's parts always name it.
        let input = parts(Some(ZONE));
        let v = serde_json::to_value(&input).unwrap();
        assert_eq!(v["region"], "ap-northeast-2");
        assert_eq!(v["instance_id"], "i-0123456789abcdef0");
        assert_eq!(v["zone_id"], ZONE, "{v}");
        assert_eq!(serde_json::from_value::<BackendInput>(v.clone()).unwrap(), input);
        assert_eq!(serde_json::from_value::<AlbInput>(v.clone()).unwrap(), input.load_balancer);
        assert_eq!(serde_json::from_value::<CertInput>(v).unwrap(), input.certificate);
    }

    #[test]
    fn parts_that_disagree_are_not_encoded() {
        let mut input = parts(Some(ZONE));
        input.load_balancer.region = Region::parse("us-east-1").unwrap();
        assert!(serde_json::to_value(&input).is_err());
    }

    #[test]
    fn an_input_stored_before_the_types_reads_the_same() {
        let old = json!({
            "region": "ap-northeast-2", "instance_id": "i-0123456789abcdef0", "app_port": 8000,
            "health_path": "/health", "api": "api.example.com", "certificate_arn": "",
            "zone_id": null, "project_slug": "capstone-shop",
        });
        let inp: AlbInput = serde_json::from_value(old).unwrap();
        assert_eq!((inp.certificate_arn, inp.zone_id), (None, None));
        let bad = json!({
            "region": "ap-northeast-2", "instance_id": "54.180.1.2", "app_port": 8000,
            "health_path": "/health", "api": "api.example.com", "project_slug": "capstone-shop",
        });
        assert!(serde_json::from_value::<AlbInput>(bad).is_err(), "an IP is not an instance id");
    }
}
