//! Whose credentials lockstep uses in AWS, and a team's own credentials.
//!
//! [`Authority`] is the rule: on real AWS a team acts **only** through its own IAM role, so no
//! team can reach another team's hosted zones, instances or buckets through the server's
//! credentials (lockstep's 404-for-outsiders rule covers its own records; the account
//! boundary of each team's role is what covers AWS). The operator may allow the server's own
//! credentials for named teams (`--server-credentials-for`). In the sandbox everyone uses the
//! emulator's credentials (nothing real exists there). A call that may not be made is refused
//! before it is sent ([`Refuse`]), whatever code path made it: there is no fallback.
//!
//! [`AssumeTeamRole`]: lockstep assumes the role the team's owner named, with the team's
//! external id, using the server's own credentials. The temporary credentials live in the SDK's
//! identity cache only (renewed before they expire): never stored, never logged, never sent to
//! a browser; the external id is redacted from the history ([`super::audit`]).

use crate::ports::NoAwsAccess;
use crate::work::AwsAccess;
use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lockstep_domain::account::AwsRole;
use std::collections::BTreeSet;

/// Who may use the server's own AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// Real-AWS rules: a team acts only through its own role.
    real: bool,
    /// Teams (by id) the operator allowed the server's own credentials under real-AWS rules.
    server_for: BTreeSet<String>,
}

impl Authority {
    /// The sandbox: every team without a role uses the emulator's credentials.
    pub fn sandbox() -> Authority {
        Authority { real: false, server_for: BTreeSet::new() }
    }

    /// Real-AWS rules; `server_for` lists the team ids that may use the server's credentials.
    /// (Tests apply these rules to the emulator, whose accounts are separated like AWS's.)
    pub fn real<S: AsRef<str>>(server_for: impl IntoIterator<Item = S>) -> Authority {
        let server_for =
            server_for.into_iter().map(|t| t.as_ref().trim().to_string()).filter(|t| !t.is_empty()).collect();
        Authority { real: true, server_for }
    }

    /// Whether real-AWS rules apply (resources a project names are then checked through the
    /// team's role before the project is saved).
    pub fn is_real(&self) -> bool {
        self.real
    }

    /// Whose credentials calls for `access` use: `Ok(None)` the server's own, `Ok(Some(role))`
    /// the team's role, `Err` none at all. `None` is work outside any action or step.
    pub fn resolve(&self, access: Option<&AwsAccess>) -> Result<Option<AwsRole>, NoAwsAccess> {
        match access {
            Some(AwsAccess::Team { role: Some(role), .. }) => Ok(Some(role.clone())),
            Some(AwsAccess::Server) => Ok(None),
            _ if !self.real => Ok(None),
            Some(AwsAccess::Team { team_id, role: None }) if self.server_for.contains(team_id) => Ok(None),
            Some(AwsAccess::Team { team_id, role: None }) => Err(NoAwsAccess::NoRole { team_id: team_id.clone() }),
            Some(AwsAccess::Orphan) => Err(NoAwsAccess::Orphan),
            Some(AwsAccess::Unnamed) | None => Err(NoAwsAccess::Unnamed),
        }
    }

    /// [`Authority::resolve`] for the action or step running on this task.
    pub fn now(&self) -> Result<Option<AwsRole>, NoAwsAccess> {
        self.resolve(crate::work::aws_access().as_ref())
    }
}

/// The account a role belongs to (`arn:aws:iam::123456789012:role/x` -> `123456789012`).
pub fn account_of(role_arn: &str) -> Option<String> {
    let account = role_arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_string())
}

/// The credentials of a client that may not call AWS: every call fails before it is signed,
/// with the reason ([`no_access`] finds it in the SDK's error).
#[derive(Debug)]
pub struct Refuse(pub NoAwsAccess);

impl ProvideCredentials for Refuse {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::provider_error(self.0.clone())))
    }
}

/// How long assumed credentials last (STS' minimum is 15 minutes; the SDK renews them early).
const SESSION_SECONDS: i32 = 3600;

pub struct AssumeTeamRole {
    pub sts: aws_sdk_sts::Client,
    pub role: AwsRole,
}

/// Without the external id: the SDK may print its credential providers in debug logs.
impl std::fmt::Debug for AssumeTeamRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeTeamRole")
            .field("role_arn", &self.role.role_arn)
            .field("session_name", &self.role.session_name)
            .finish_non_exhaustive()
    }
}

/// STS refused to let lockstep act as the team's role: AWS's code and message, and the role.
#[derive(Debug, thiserror::Error)]
#[error("could not assume {role_arn} ({code}): {message}")]
pub struct RoleRefused {
    pub role_arn: String,
    pub code: String,
    pub message: String,
}

impl AssumeTeamRole {
    async fn assume(&self) -> provider::Result {
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role.role_arn)
            .external_id(&self.role.external_id)
            .role_session_name(&self.role.session_name)
            .duration_seconds(SESSION_SECONDS)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                let (code, message) = match e.as_service_error() {
                    Some(se) => (se.code().unwrap_or("Unknown").to_string(), se.message().unwrap_or("").to_string()),
                    None => (
                        "Unavailable".to_string(),
                        aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
                    ),
                };
                let refused = RoleRefused { role_arn: self.role.role_arn.clone(), code, message };
                return Err(CredentialsError::provider_error(refused));
            }
        };
        let Some(c) = out.credentials() else {
            return Err(CredentialsError::unhandled("STS AssumeRole answered without credentials"));
        };
        let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "lockstep-team-role",
        ))
    }
}

impl ProvideCredentials for AssumeTeamRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.assume())
    }
}

/// The first error of type `T` in `err`'s chain of sources.
fn in_chain<'e, T: std::error::Error + 'static>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e T> {
    let mut e: Option<&'e (dyn std::error::Error + 'static)> = Some(err);
    while let Some(cur) = e {
        if let Some(r) = cur.downcast_ref::<T>() {
            return Some(r);
        }
        e = cur.source();
    }
    None
}

/// The refusal inside an SDK error, if the call failed because the team's role could not be
/// assumed.
pub fn refusal<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e RoleRefused> {
    in_chain(err)
}

/// Why lockstep refused to send the call, if it did ([`Refuse`]).
pub fn no_access<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e NoAwsAccess> {
    in_chain(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> AwsRole {
        AwsRole::for_team("t1", "arn:aws:iam::222233334444:role/lockstep", "lockstep-ext")
    }

    #[test]
    fn real_rules_use_only_the_teams_role_unless_the_operator_allowed_the_server() {
        let real = Authority::real([" staff ", ""]);
        let team = |id: &str, role: Option<AwsRole>| AwsAccess::Team { team_id: id.into(), role };
        assert_eq!(real.resolve(Some(&team("t1", Some(role())))), Ok(Some(role())));
        assert_eq!(real.resolve(Some(&team("t1", None))), Err(NoAwsAccess::NoRole { team_id: "t1".into() }));
        assert_eq!(real.resolve(Some(&team("staff", None))), Ok(None), "allowed by the operator");
        assert_eq!(real.resolve(Some(&AwsAccess::Orphan)), Err(NoAwsAccess::Orphan));
        assert_eq!(real.resolve(Some(&AwsAccess::Unnamed)), Err(NoAwsAccess::Unnamed));
        assert_eq!(real.resolve(None), Err(NoAwsAccess::Unnamed), "work outside any action is nobody's");
        assert_eq!(real.resolve(Some(&AwsAccess::Server)), Ok(None));

        let sandbox = Authority::sandbox();
        assert_eq!(sandbox.resolve(Some(&team("t1", None))), Ok(None));
        assert_eq!(sandbox.resolve(Some(&AwsAccess::Orphan)), Ok(None));
        assert_eq!(sandbox.resolve(Some(&team("t1", Some(role())))), Ok(Some(role())));
    }

    #[test]
    fn a_roles_account_comes_from_its_arn() {
        assert_eq!(account_of("arn:aws:iam::222233334444:role/lockstep").as_deref(), Some("222233334444"));
        assert_eq!(account_of("arn:aws:iam::12:role/x"), None);
    }

    #[test]
    fn the_providers_debug_text_has_no_external_id() {
        let sts = aws_sdk_sts::Client::from_conf(aws_sdk_sts::Config::builder().behavior_version_latest().build());
        let shown = format!("{:?}", AssumeTeamRole { sts, role: role() });
        assert!(shown.contains("222233334444") && !shown.contains("lockstep-ext"), "{shown}");
    }
}
