//! Credentials for a team's own AWS account: lockstep assumes the role the team's owner named,
//! with the team's external id, using the server's own credentials. The temporary credentials
//! live in the SDK's identity cache only (renewed before they expire): never stored, never
//! logged, never sent to a browser.

use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lockstep_domain::account::AwsRole;

/// How long assumed credentials last (STS' minimum is 15 minutes; the SDK renews them early).
const SESSION_SECONDS: i32 = 3600;

#[derive(Debug)]
pub struct AssumeTeamRole {
    pub sts: aws_sdk_sts::Client,
    pub role: AwsRole,
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

/// The refusal inside an SDK error, if the call failed because the team's role could not be
/// assumed.
pub fn refusal<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e RoleRefused> {
    let mut e: Option<&'e (dyn std::error::Error + 'static)> = Some(err);
    while let Some(cur) = e {
        if let Some(r) = cur.downcast_ref::<RoleRefused>() {
            return Some(r);
        }
        e = cur.source();
    }
    None
}
