//! The free path's choices (Nginx + Certbot on the instance): the instance's OS, Let's Encrypt
//! staging or production, and the e-mail Let's Encrypt writes to before a certificate expires.

use crate::contact::Email;
use crate::nginx::{Os, SiteSpec};
use crate::text::{msg, Message};
use crate::DomainName;
use serde::{Deserialize, Serialize};

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreePathForm {
    pub os: String,
    pub staging: bool,
    pub email: String,
}

/// The form, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreePathChoice {
    pub os: Os,
    pub staging: bool,
    /// Goes into `certbot -m` on the instance: an [`Email`] has no shell characters.
    pub email: Email,
}

/// One field's problem, for the form to show beside that field: `message` in English, `ko` in
/// Korean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ko: Option<String>,
}

impl FieldError {
    pub fn new(field: &str, m: Message) -> FieldError {
        FieldError { field: field.into(), message: m.en, ko: Some(m.ko) }
    }
    /// The message in Korean when `korean` (where written), else in English.
    pub fn said(&self, korean: bool) -> &str {
        match (&self.ko, korean) {
            (Some(ko), true) => ko,
            _ => &self.message,
        }
    }
}

impl FreePathForm {
    /// Every field's problem at once (the student fixes them in one go, nothing typed is lost).
    pub fn parse(&self) -> Result<FreePathChoice, Vec<FieldError>> {
        let mut errors = Vec::new();
        let os = Os::parse(&self.os);
        if os.is_none() {
            errors.push(FieldError::new(
                "os",
                msg(
                    "Choose the instance's operating system: Amazon Linux 2023 or Ubuntu (the EC2 console shows it as the AMI name).",
                    "인스턴스의 운영 체제를 선택하세요: Amazon Linux 2023 또는 Ubuntu (EC2 콘솔에서 AMI 이름으로 확인할 수 있습니다).",
                ),
            ));
        }
        let email = Email::parse(&self.email);
        if let Err(problem) = &email {
            let ask = msg(
                "Enter an e-mail address your team reads, such as kim@example.com: Let's Encrypt writes there if the certificate is about to expire.",
                "팀이 확인하는 이메일 주소를 입력하세요. 예: kim@example.com. 인증서가 곧 만료될 때 Let's Encrypt가 이 주소로 알려 줍니다.",
            );
            // What is wrong with what was typed (a blank field needs no more than the ask).
            let said = if self.email.trim().is_empty() { ask } else { ask.then(problem) };
            errors.push(FieldError::new("email", said));
        }
        match (os, email) {
            (Some(os), Ok(email)) if errors.is_empty() => Ok(FreePathChoice { os, staging: self.staging, email }),
            _ => Err(errors),
        }
    }
}

/// The site for a project's API name: `/etc/nginx/conf.d/lockstep-<name with dashes>.conf`.
/// Refused (with the reason) for a name nginx and certbot cannot serve (a wildcard).
pub fn site_for(api: &DomainName, app_port: u16) -> Result<SiteSpec, Message> {
    SiteSpec::new(vec![api.clone()], app_port, &api.as_str().replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named_and_good_input_is_kept() {
        let bad = FreePathForm { os: "windows".into(), staging: false, email: "kim at example".into() };
        let errs = bad.parse().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["os", "email"]);
        assert!(errs[1].message.starts_with("Enter an e-mail address") && errs[1].said(false) == errs[1].message);
        assert!(errs[1].said(true).starts_with("팀이 확인하는 이메일"));
        // An answer from before the Korean (no `ko`) still reads, in English.
        let old: FieldError = serde_json::from_str(r#"{"field":"os","message":"Choose."}"#).unwrap();
        assert_eq!(old.said(true), "Choose.");
        let good = FreePathForm { os: "ubuntu".into(), staging: true, email: " Kim@Example.com ".into() };
        assert_eq!(
            good.parse().unwrap(),
            FreePathChoice { os: Os::Ubuntu, staging: true, email: Email::parse("kim@example.com").unwrap() }
        );
    }

    #[test]
    fn the_site_file_is_named_after_the_api_name() {
        let s = site_for(&DomainName::parse("api.team.com").unwrap(), 8000).unwrap();
        assert_eq!(s.file_stem(), "lockstep-api-team-com");
        assert_eq!(s.server_names(), "api.team.com");
    }
}
