//! The live view of a run (`/api/runs/{id}/events`): server-sent events, the run's whole view
//! whenever it changes (plus a look every 2 s, so changes made by another server are seen too).
//!
//! A stream is a connection held open and a database read every few seconds, for as long as a
//! tab stays open, so each one is bounded (issue 19):
//! - at most [`LiveLimits::per_user`] at once per person: one more (a forgotten pile of tabs,
//!   or a script opening streams in a loop) is answered 429 with words, and one person cannot
//!   hold every connection the server has;
//! - the caller's access is checked again every [`LiveLimits::recheck`], as on the first
//!   request: someone removed from the team (or whose account is gone) stops seeing the run
//!   within that time instead of for as long as the tab stays open;
//! - it ends after the run's last view (succeeded, failed, cancelled): nothing changes after
//!   that, and the page closes its EventSource on that view anyway;
//! - it ends when the server shuts down, so a graceful shutdown does not wait for every open
//!   tab (the browser's EventSource reconnects by itself, to the restarted server).

use crate::http::status_of;
use crate::service::{run_view, Lockstep};
use app::api::ssr::Caller;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::Stream;
use lockstep_domain::account::{msg, Message, Need};
use lockstep_domain::RunStatus;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How often a stream looks at its run when no change was announced.
const POLL: Duration = Duration::from_secs(2);

/// How many streams one person may hold and how often their access is checked again.
#[derive(Debug, Clone, Copy)]
pub struct LiveLimits {
    pub per_user: usize,
    pub recheck: Duration,
}

impl Default for LiveLimits {
    fn default() -> LiveLimits {
        LiveLimits { per_user: 8, recheck: Duration::from_secs(30) }
    }
}

/// The open streams of this server, by person, and the server's shutdown signal.
pub struct LiveStreams {
    limits: LiveLimits,
    open: Mutex<HashMap<String, usize>>,
    shutdown: CancellationToken,
}

impl LiveStreams {
    pub fn new(limits: LiveLimits, shutdown: CancellationToken) -> Arc<LiveStreams> {
        Arc::new(LiveStreams { limits, open: Mutex::new(HashMap::new()), shutdown })
    }

    /// A place for one more stream of `user_id`, or `None` when they hold the most allowed.
    pub fn admit(self: &Arc<Self>, user_id: &str) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(user_id.to_string()).or_default();
        if *count >= self.limits.per_user {
            return None;
        }
        *count += 1;
        Some(Ticket { streams: self.clone(), user_id: user_id.to_string() })
    }

    /// How many streams `user_id` holds now.
    pub fn open_for(&self, user_id: &str) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).get(user_id).copied().unwrap_or(0)
    }
}

/// One admitted stream: its place is given back when the stream is dropped (the run's last
/// view, a refused re-check, shutdown, or the browser going away).
pub struct Ticket {
    streams: Arc<LiveStreams>,
    user_id: String,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

/// `GET /api/runs/{id}/events`: the same rule as every server function (the run's team
/// only), then the stream if the caller has a place left.
pub async fn run_events(
    State(service): State<Arc<Lockstep>>,
    State(live): State<Arc<LiveStreams>>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
) -> Response {
    let caller = caller.map(|c| c.0).unwrap_or_else(Caller::anonymous);
    if let Err(e) = service.guard_run(&caller, &id, Need::Read).await {
        return status_of(&e).into_response();
    }
    let Some(user_id) = caller.user_id.clone() else { return StatusCode::UNAUTHORIZED.into_response() };
    let Some(ticket) = live.admit(&user_id) else {
        tracing::warn!(user_id = %user_id, run_id = %id, "live stream refused: too many open");
        return crate::edge::plain(StatusCode::TOO_MANY_REQUESTS, &too_many(live.limits.per_user));
    };
    Sse::new(run_stream(service, caller, id, ticket)).keep_alive(KeepAlive::default()).into_response()
}

fn too_many(n: usize) -> Message {
    msg(
        format!(
            "You already follow {n} runs live (open pages showing a run), the most one person may at once, so that nobody can hold all of the server's connections. Close a page or tab that shows a run, then reload this one."
        ),
        format!(
            "이미 {n}개의 실행을 실시간으로 보고 있습니다(실행을 보여 주는 열린 페이지). 한 사람이 서버의 연결을 모두 차지하지 않도록 동시에 {n}개까지만 볼 수 있습니다. 실행을 보여 주는 페이지나 탭을 하나 닫고 이 페이지를 새로 고치세요."
        ),
    )
}

/// The run's views as events, under `ticket`'s limits (see the module's documentation).
pub fn run_stream(
    service: Arc<Lockstep>,
    caller: Caller,
    run_id: String,
    ticket: Ticket,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let recheck = ticket.streams.limits.recheck;
    let watch = Watch {
        rx: service.store.subscribe(),
        service,
        caller,
        run_id,
        last: None,
        over: false,
        next_poll: Instant::now(),
        next_check: Instant::now() + recheck,
        ticket,
    };
    futures::stream::unfold(watch, |mut w| async move {
        let event = w.next().await?;
        Some((Ok(event), w))
    })
}

struct Watch {
    service: Arc<Lockstep>,
    caller: Caller,
    run_id: String,
    rx: tokio::sync::broadcast::Receiver<crate::store::RunChanged>,
    /// The last view sent, as sent.
    last: Option<String>,
    /// The last view sent was the run's last.
    over: bool,
    next_poll: Instant,
    next_check: Instant,
    ticket: Ticket,
}

impl Watch {
    /// The next view to send, or `None` when the stream is over.
    async fn next(&mut self) -> Option<Event> {
        let streams = self.ticket.streams.clone();
        loop {
            if self.over || streams.shutdown.is_cancelled() {
                return None;
            }
            if self.last.is_some() {
                tokio::select! {
                    biased;
                    _ = streams.shutdown.cancelled() => return None,
                    _ = tokio::time::sleep_until(self.next_check) => {
                        if self.service.guard_run(&self.caller, &self.run_id, Need::Read).await.is_err() {
                            tracing::info!(run_id = %self.run_id, user_id = ?self.caller.user_id, "live stream ended: no access any more");
                            return None;
                        }
                        self.next_check = Instant::now() + streams.limits.recheck;
                        continue;
                    }
                    r = self.rx.recv() => match r {
                        Ok(c) if c.run_id != self.run_id => continue,
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return None,
                    },
                    _ = tokio::time::sleep_until(self.next_poll) => {}
                }
            }
            self.next_poll = Instant::now() + POLL;
            let Ok(Some((run, steps))) = self.service.store.get_run(&self.run_id).await else { return None };
            let view = run_view(run, steps);
            let over = view.status != RunStatus::Active;
            let json = serde_json::to_string(&view).ok()?;
            if self.last.as_ref() == Some(&json) {
                continue;
            }
            self.over = over;
            self.last = Some(json.clone());
            return Some(Event::default().data(json));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_per_person_and_given_back() {
        let live = LiveStreams::new(LiveLimits { per_user: 2, recheck: Duration::from_secs(1) }, Default::default());
        let a = live.admit("ann").unwrap();
        let _b = live.admit("ann").unwrap();
        assert!(live.admit("ann").is_none(), "a third for ann");
        let _other = live.admit("bob").expect("bob has his own places");
        drop(a);
        assert_eq!(live.open_for("ann"), 1);
        assert!(live.admit("ann").is_some());
    }
}
