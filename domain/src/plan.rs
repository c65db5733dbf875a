//! The name plan: which names the project serves, fixed once and used by every later step.
//!
//! Seed teams lost days to a certificate for one name and a DNS record for another
//! (`ERR_CERT_COMMON_NAME_INVALID`). Here the names are chosen once, parsed into
//! [`DomainName`]s, checked against the domain they live in, and everything else (certificate
//! names, records, CloudFront aliases, CORS origins, framework settings) is *derived* from this
//! one value, so a mismatch cannot be produced.

use crate::names::{DomainName, NameError};
use crate::text::{msg, Message};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// How the project got its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainSource {
    /// A public hosted zone that already exists in this AWS account.
    ExistingZone,
    /// A domain registered elsewhere; lockstep created (or reused) the hosted zone and the
    /// team points the registrar's name servers at it.
    OtherRegistrar,
    /// Bought through Route 53 Domains by lockstep.
    Route53Purchase,
    /// A free `<ip>.nip.io` / `<ip-dashed>.sslip.io` name for the Nginx path.
    Magic(MagicProvider),
    /// No name at all: the API at `https://<ip>` with a certificate for the instance's Elastic
    /// IP (the Nginx path only; `crate::ipcert`).
    InstanceIp,
}

impl DomainSource {
    pub fn key(self) -> &'static str {
        match self {
            DomainSource::ExistingZone => "existing_zone",
            DomainSource::OtherRegistrar => "other_registrar",
            DomainSource::Route53Purchase => "route53_purchase",
            DomainSource::Magic(MagicProvider::NipIo) => "nip_io",
            DomainSource::Magic(MagicProvider::SslipIo) => "sslip_io",
            DomainSource::InstanceIp => "instance_ip",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DomainSource::ExistingZone => "An existing Route 53 hosted zone",
            DomainSource::OtherRegistrar => "A domain at another registrar",
            DomainSource::Route53Purchase => "Bought in Route 53",
            DomainSource::Magic(MagicProvider::NipIo) => "Free nip.io name",
            DomainSource::Magic(MagicProvider::SslipIo) => "Free sslip.io name",
            DomainSource::InstanceIp => "The instance's IP address (no domain)",
        }
    }

    /// Whether the domain lives in a Route 53 hosted zone lockstep can write records into
    /// (ACM's DNS validation, alias records). Magic names do not: they only suit the Nginx
    /// path with Let's Encrypt's HTTP challenge.
    pub fn has_zone(self) -> bool {
        !matches!(self, DomainSource::Magic(_) | DomainSource::InstanceIp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MagicProvider {
    NipIo,
    SslipIo,
}

impl MagicProvider {
    pub const ALL: [MagicProvider; 2] = [MagicProvider::NipIo, MagicProvider::SslipIo];

    /// `54.180.1.2.nip.io` or `54-180-1-2.sslip.io`: both resolve to the address in the name.
    pub fn name_for(self, ip: Ipv4Addr) -> DomainName {
        let o = ip.octets();
        let s = match self {
            MagicProvider::NipIo => format!("{}.{}.{}.{}.nip.io", o[0], o[1], o[2], o[3]),
            MagicProvider::SslipIo => format!("{}-{}-{}-{}.sslip.io", o[0], o[1], o[2], o[3]),
        };
        DomainName::parse(&s).expect("magic names are valid by construction")
    }

    pub fn suffix(self) -> &'static str {
        match self {
            MagicProvider::NipIo => "nip.io",
            MagicProvider::SslipIo => "sslip.io",
        }
    }
}

/// The warning shown with every magic name, before anything runs (its Korean:
/// [`crate::rate_limit::magic_warning`]).
pub const MAGIC_WARNING: &str = "Before you choose: nip.io and sslip.io are not on the Public Suffix List, so each is ONE registered domain shared by everyone in the world who uses it, and Let's Encrypt counts all their certificates against one weekly limit. It runs out (sslip.io used up its 250,000 a week in May 2026), and then certbot answers \"too many certificates already issued\" through no fault of yours. If that happens lockstep says which limit it was and when it resets, and the ways out are, in order: the other magic domain, a certificate for the instance's own IP address (the third free choice), or your team's own domain. Practise with Let's Encrypt staging first (the staging switch) and issue the real certificate once.";

/// The names a project serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePlan {
    pub source: DomainSource,
    /// The registered domain (or the magic name itself).
    pub apex: DomainName,
    /// The Route 53 hosted zone id, when the source has one.
    pub zone_id: Option<String>,
    /// Names the frontend (CloudFront) answers on. Empty for magic names: the frontend is then
    /// the distribution's own `*.cloudfront.net` name.
    pub frontend: Vec<DomainName>,
    /// The backend API's name.
    pub api: DomainName,
}

/// Why a plan was refused, per name field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Name(Message),
    #[error("{name} is not inside {apex}: every name must be {apex} or end in .{apex}, because only that hosted zone's records are yours to set.")]
    OutsideDomain { name: String, apex: String },
    #[error("{0} is listed twice. Each name may appear only once.")]
    Duplicate(String),
    #[error("The API name {0} is also a frontend name. The backend needs a name of its own (for example api.{1}).")]
    ApiIsFrontend(String, String),
    #[error("That is {0} names; an ACM certificate holds at most 10 by default. Remove some, or use a wildcard such as *.{1}.")]
    TooMany(usize, String),
    #[error("Add at least one frontend name (for example {0} and www.{0}).")]
    NoFrontend(String),
}

impl From<NameError> for PlanError {
    fn from(e: NameError) -> Self {
        PlanError::Name(e.message())
    }
}

impl PlanError {
    /// The message in Korean (the `Display` text is the English).
    pub fn ko(&self) -> String {
        match self {
            PlanError::Name(m) => m.ko.clone(),
            PlanError::OutsideDomain { name, apex } => format!(
                "{name}은(는) {apex} 안에 있지 않습니다. 그 호스팅 영역의 레코드만 설정할 수 있으므로, 모든 이름은 {apex}이거나 .{apex}로 끝나야 합니다."
            ),
            PlanError::Duplicate(n) => format!("{n}이(가) 두 번 나옵니다. 각 이름은 한 번만 쓸 수 있습니다."),
            PlanError::ApiIsFrontend(api, apex) => format!(
                "API 이름 {api}이(가) 프런트엔드 이름이기도 합니다. 백엔드에는 별도의 이름이 필요합니다 (예: api.{apex})."
            ),
            PlanError::TooMany(n, apex) => format!(
                "이름이 {n}개입니다. ACM 인증서에는 기본적으로 이름을 최대 10개까지 넣을 수 있습니다. 일부를 빼거나 *.{apex} 같은 와일드카드를 사용하세요."
            ),
            PlanError::NoFrontend(apex) => format!("프런트엔드 이름을 하나 이상 추가하세요 (예: {apex}, www.{apex})."),
        }
    }

    /// The message in English and Korean.
    pub fn message(&self) -> Message {
        msg(self.to_string(), self.ko())
    }
}

/// The plan form: the user's text for each name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// Frontend names, comma- or space-separated.
    pub frontend: String,
    pub api: String,
}

/// Per-field errors of the plan form, in English and Korean.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanErrors {
    pub frontend: Option<Message>,
    pub api: Option<Message>,
}

impl PlanErrors {
    pub fn is_empty(&self) -> bool {
        self.frontend.is_none() && self.api.is_none()
    }
    /// The frontend names' message in Korean when `korean`, else in English.
    pub fn frontend_said(&self, korean: bool) -> Option<&str> {
        self.frontend.as_ref().map(|m| m.said(korean))
    }
    /// The API name's message in Korean when `korean`, else in English.
    pub fn api_said(&self, korean: bool) -> Option<&str> {
        self.api.as_ref().map(|m| m.said(korean))
    }
}

impl NamePlan {
    /// The default for a domain with a hosted zone: the frontend on the apex and `www.`, the
    /// backend on `api.`.
    pub fn default_for(source: DomainSource, apex: DomainName, zone_id: Option<String>) -> Result<NamePlan, PlanError> {
        let www = apex.child("www")?;
        let api = apex.child("api")?;
        Ok(NamePlan { source, frontend: vec![apex.clone(), www], api, apex, zone_id })
    }

    /// The IP plan: the API at `https://<ip>` (the host is [`DomainName::ipv4`]); the frontend on
    /// CloudFront's own name.
    pub fn instance_ip(ip: Ipv4Addr) -> NamePlan {
        let host = DomainName::ipv4(ip);
        NamePlan {
            source: DomainSource::InstanceIp,
            apex: host.clone(),
            zone_id: None,
            frontend: Vec::new(),
            api: host,
        }
    }

    /// A magic-name plan: the API on the magic name; the frontend on CloudFront's own name.
    pub fn magic(provider: MagicProvider, ip: Ipv4Addr) -> NamePlan {
        let name = provider.name_for(ip);
        NamePlan {
            source: DomainSource::Magic(provider),
            apex: name.clone(),
            zone_id: None,
            frontend: Vec::new(),
            api: name,
        }
    }

    /// Applies the user's edits, checking every name against the domain.
    pub fn edit(&self, input: &PlanInput) -> Result<NamePlan, PlanErrors> {
        let mut errors = PlanErrors::default();
        let api = match DomainName::parse(&input.api) {
            Ok(n) => match self.check_inside(&n) {
                Ok(()) => Some(n),
                Err(e) => {
                    errors.api = Some(e.message());
                    None
                }
            },
            Err(e) => {
                errors.api = Some(e.message());
                None
            }
        };
        let mut frontend = Vec::new();
        if self.source.has_zone() {
            for raw in input.frontend.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()) {
                let parsed = DomainName::parse(raw).map_err(PlanError::from).and_then(|n| {
                    self.check_inside(&n)?;
                    if frontend.contains(&n) {
                        return Err(PlanError::Duplicate(n.to_string()));
                    }
                    Ok(n)
                });
                match parsed {
                    Ok(n) => frontend.push(n),
                    Err(e) => {
                        errors.frontend = Some(msg(format!("\"{raw}\": {e}"), format!("\"{raw}\": {}", e.ko())));
                        break;
                    }
                }
            }
            if errors.frontend.is_none() && frontend.is_empty() {
                errors.frontend = Some(PlanError::NoFrontend(self.apex.to_string()).message());
            }
        }
        if let (Some(api), None) = (&api, &errors.frontend) {
            if frontend.iter().any(|f| f == api) {
                errors.api = Some(PlanError::ApiIsFrontend(api.to_string(), self.apex.to_string()).message());
            }
            let total = frontend.len() + 1;
            if total > 10 {
                errors.frontend = Some(PlanError::TooMany(total, self.apex.to_string()).message());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NamePlan { frontend, api: api.expect("no api error means parsed"), ..self.clone() })
    }

    fn check_inside(&self, name: &DomainName) -> Result<(), PlanError> {
        if name.is_within(&self.apex) {
            Ok(())
        } else {
            Err(PlanError::OutsideDomain { name: name.to_string(), apex: self.apex.to_string() })
        }
    }

    /// The form values that reproduce this plan.
    pub fn to_input(&self) -> PlanInput {
        PlanInput {
            frontend: self.frontend.iter().map(DomainName::as_str).collect::<Vec<_>>().join(", "),
            api: self.api.to_string(),
        }
    }

    /// Every name of the plan, frontend first, without repeats.
    pub fn all_names(&self) -> Vec<DomainName> {
        let mut v = self.frontend.clone();
        if !v.contains(&self.api) {
            v.push(self.api.clone());
        }
        v
    }

    /// Names of the certificate CloudFront uses (must be in us-east-1).
    pub fn cloudfront_certificate_names(&self) -> Vec<DomainName> {
        self.frontend.clone()
    }

    /// Names of the certificate the ALB uses (in the ALB's region).
    pub fn alb_certificate_names(&self) -> Vec<DomainName> {
        vec![self.api.clone()]
    }

    /// The origins the backend must allow in CORS (`https://` + each frontend name).
    pub fn cors_origins(&self) -> Vec<String> {
        self.frontend.iter().map(|n| format!("https://{n}")).collect()
    }

    /// What must be redone when the plan changes from `self` to `new`: names that are new
    /// (certificates must be reissued to cover them, records created) and names that are gone
    /// (their records should be removed).
    pub fn diff(&self, new: &NamePlan) -> PlanDiff {
        let old = self.all_names();
        let now = new.all_names();
        PlanDiff {
            added: now.iter().filter(|n| !old.contains(n)).cloned().collect(),
            removed: old.iter().filter(|n| !now.contains(n)).cloned().collect(),
            api_changed: self.api != new.api,
            frontend_changed: self.frontend != new.frontend,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDiff {
    pub added: Vec<DomainName>,
    pub removed: Vec<DomainName>,
    pub api_changed: bool,
    pub frontend_changed: bool,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && !self.api_changed && !self.frontend_changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> NamePlan {
        NamePlan::default_for(DomainSource::ExistingZone, DomainName::parse("team.com").unwrap(), Some("Z1".into()))
            .unwrap()
    }

    #[test]
    fn default_plan_and_derivations() {
        let p = plan();
        assert_eq!(p.to_input().frontend, "team.com, www.team.com");
        assert_eq!(p.api.as_str(), "api.team.com");
        assert_eq!(p.cors_origins(), vec!["https://team.com", "https://www.team.com"]);
        assert_eq!(p.all_names().len(), 3);
    }

    #[test]
    fn edits_are_checked_against_the_domain() {
        let p = plan();
        let ok = p
            .edit(&PlanInput { frontend: "App.Team.com www.team.com".into(), api: "backend.team.com".into() })
            .unwrap();
        assert_eq!(ok.frontend[0].as_str(), "app.team.com");
        let diff = p.diff(&ok);
        assert!(diff.api_changed && diff.added.len() == 2 && diff.removed.len() == 2);

        let e = p.edit(&PlanInput { frontend: "team.org".into(), api: "api.team.com".into() }).unwrap_err();
        assert!(e.frontend.unwrap().en.contains("not inside team.com"));
        let e = p.edit(&PlanInput { frontend: "team.com, team.com".into(), api: "api.team.com".into() }).unwrap_err();
        assert!(e.frontend.unwrap().en.contains("twice"));
        let e = p.edit(&PlanInput { frontend: "team.com".into(), api: "team.com".into() }).unwrap_err();
        assert!(e.api.unwrap().en.contains("name of its own"));
        let e = p.edit(&PlanInput { frontend: "".into(), api: "a b".into() }).unwrap_err();
        assert!(e.frontend.is_some() && e.api.is_some());
        assert!(e.frontend_said(true).unwrap().contains("프런트엔드"), "{e:?}");
        assert!(e.api_said(true).unwrap().contains("\" \""), "the Korean names the bad character: {e:?}");
        assert_eq!(e.api_said(false), Some(e.api.as_ref().unwrap().en.as_str()));
        let e = p.edit(&PlanInput { frontend: "a.*.team.com".into(), api: "api.team.com".into() }).unwrap_err();
        assert!(e.frontend.unwrap().en.contains("wildcard"));
    }

    #[test]
    fn magic_names() {
        let ip: Ipv4Addr = "54.180.1.2".parse().unwrap();
        assert_eq!(MagicProvider::NipIo.name_for(ip).as_str(), "54.180.1.2.nip.io");
        assert_eq!(MagicProvider::SslipIo.name_for(ip).as_str(), "54-180-1-2.sslip.io");
        let p = NamePlan::magic(MagicProvider::SslipIo, ip);
        assert!(p.frontend.is_empty() && !p.source.has_zone());
        assert_eq!(p.all_names().len(), 1);
    }
}
