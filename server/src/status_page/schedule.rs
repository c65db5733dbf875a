//! The scheduler: starts the re-checks that are due (one server claims each, see
//! `Store::claim_due_status_check`), every tick until shutdown.

use crate::service::Lockstep;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// Starts due re-checks until `stop`: every `tick`, claims due projects one by one.
pub async fn schedule(service: Arc<Lockstep>, tick: Duration, stop: CancellationToken) {
    loop {
        loop {
            let now = service.clock.now_ms();
            match service.store.claim_due_status_check(now).await {
                Ok(Some(page)) => {
                    if let Err(e) = service.start_status_run(&page.project_id, None).await {
                        warn!(project_id = %page.project_id, error = %e, "scheduled re-check not started");
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    warn!(error = %e, "looking for due re-checks");
                    break;
                }
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}
