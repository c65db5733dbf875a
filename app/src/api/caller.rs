//! Who is calling a server function: the signed-in person, their address and their session.

use std::sync::Arc;

/// Who is calling: the signed-in user (from the session cookie), their address, and
/// their session (to sign in or out). The server puts one in every request.
#[derive(Clone)]
pub struct Caller {
    pub user_id: Option<String>,
    /// The client's IP address (sign-in throttling), when known.
    pub address: Option<String>,
    pub session: Arc<dyn SessionPort>,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller { user_id: None, address: None, session: Arc::new(NoSession) }
    }
    /// A signed-in user without a real session (in-process tests, scheduled work).
    pub fn user(id: &str) -> Caller {
        Caller { user_id: Some(id.to_string()), address: None, session: Arc::new(NoSession) }
    }
}

/// The caller's session, as far as signing in and out needs it.
#[async_trait::async_trait]
pub trait SessionPort: Send + Sync {
    /// Signs `user_id` in: the session gets a NEW id first (a planted id is useless), then
    /// remembers the user and their session epoch (a later password change or reset, which
    /// raises it, signs this session out).
    async fn begin(&self, user_id: &str, epoch: i64) -> Result<(), String>;
    /// Signs out: the session and its cookie are deleted.
    async fn end(&self) -> Result<(), String>;
}

pub struct NoSession;

#[async_trait::async_trait]
impl SessionPort for NoSession {
    async fn begin(&self, _: &str, _: i64) -> Result<(), String> {
        Ok(())
    }
    async fn end(&self) -> Result<(), String> {
        Ok(())
    }
}
