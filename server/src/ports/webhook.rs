//! Where alerts go: an incoming webhook.

use super::*;

/// Where alerts go: a Slack- or Discord-compatible incoming webhook.
#[async_trait]
pub trait Webhook: Send + Sync {
    /// Whether `url` may be saved as a webhook (public https only; see `net/webhook.rs`);
    /// `Err` is the form field's message.
    async fn vet(&self, url: &str) -> Result<(), lockstep_domain::Message>;
    /// POSTs `body` as JSON to `url`; `Err` says why it did not arrive.
    async fn post(&self, url: &str, body: &serde_json::Value) -> Result<(), lockstep_domain::Message>;
}
