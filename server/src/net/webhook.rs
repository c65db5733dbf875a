//! Alert webhooks over HTTPS (reqwest, rustls with the system's roots).

use crate::ports::Webhook;
use async_trait::async_trait;
use std::time::Duration;

pub struct HttpWebhook {
    client: reqwest::Client,
}

impl HttpWebhook {
    pub fn new() -> HttpWebhook {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("lockstep/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with default settings");
        HttpWebhook { client }
    }
}

impl Default for HttpWebhook {
    fn default() -> Self {
        HttpWebhook::new()
    }
}

#[async_trait]
impl Webhook for HttpWebhook {
    async fn post(&self, url: &str, body: &serde_json::Value) -> Result<(), String> {
        let r = self.client.post(url).json(body).send().await.map_err(|e| {
            // Not the URL: it is a secret.
            if e.is_timeout() {
                "the webhook did not answer within 10 s".to_string()
            } else {
                "could not reach the webhook".to_string()
            }
        })?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered HTTP {}", r.status().as_u16()))
        }
    }
}
