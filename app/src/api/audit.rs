//! What every server function does around its call: find the [`Api`](super::Api) and the
//! caller, write an action to the deployment history ([`audited`], [`observed`]), and answer
//! with the HTTP status a refusal deserves ([`answer`]).

use super::ssr::{api, Api, Caller};
use crate::model::AppError;
use lockstep_domain::AwsCall;
use std::sync::Arc;

/// A wizard or team action, for the deployment history.
#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub operation: &'static str,
    pub project_id: Option<String>,
    pub team_id: Option<String>,
    /// The run it started, when it started one.
    pub run_id: Option<String>,
    /// What was asked (never a password or a token).
    pub summary: String,
    pub ok: bool,
    pub error_code: Option<String>,
    pub started_at: i64,
    pub duration_ms: i64,
    pub calls: Vec<AwsCall>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Whether an answer means "done" and, if it started a run, which: refusals and field
/// errors are answers too, but not successes.
fn judge<T: serde::Serialize>(result: &Result<T, AppError>) -> (bool, Option<String>, Option<String>) {
    match result {
        Err(e) => {
            let code = match e {
                AppError::User(_) => "refused",
                AppError::NotFound(_) => "not_found",
                AppError::Forbidden(_) => "forbidden",
                AppError::SignInRequired => "sign_in_required",
                AppError::Internal(_) => "internal",
                AppError::Transport(_) => "transport",
            };
            (false, Some(code.to_string()), None)
        }
        Ok(v) => {
            let v = serde_json::to_value(v).unwrap_or_default();
            let inner = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next());
            if let Some((key, _)) = inner.filter(|(k, _)| ["Refused", "Invalid"].contains(&k.as_str())) {
                return (false, Some(key.to_lowercase()), None);
            }
            // A run view, bare or inside `Started`.
            let run = inner.map(|(_, v)| v).filter(|v| v.get("steps").is_some()).unwrap_or(&v);
            let run_id = run.get("steps").and(run.get("id")).and_then(|id| id.as_str()).map(str::to_string);
            (true, None, run_id)
        }
    }
}

/// Where an action belongs in the history.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub project: Option<&'a str>,
    pub team: Option<&'a str>,
    /// A run the action is about (its project is the run's).
    pub run: Option<&'a str>,
}

impl<'a> Scope<'a> {
    pub fn project(id: &'a str) -> Self {
        Scope { project: Some(id), ..Scope::default() }
    }
    pub fn team(id: &'a str) -> Self {
        Scope { team: Some(id), ..Scope::default() }
    }
    pub fn run(id: &'a str) -> Self {
        Scope { run: Some(id), ..Scope::default() }
    }
}

/// Runs an endpoint that changes something: collects its AWS calls, has the server write
/// the action and the calls to the history, and answers like [`answer`].
pub async fn audited<T: serde::Serialize + Send>(
    api: &Arc<dyn Api>,
    who: &Caller,
    operation: &'static str,
    scope: Scope<'_>,
    summary: String,
    fut: impl std::future::Future<Output = Result<T, AppError>> + Send,
) -> Result<T, AppError> {
    record(api, who, operation, scope, summary, fut, false).await
}

/// For an endpoint that only reads: written to the history only when it called AWS (so
/// that every AWS call is there, and page loads that did not are not).
pub async fn observed<T: serde::Serialize + Send>(
    api: &Arc<dyn Api>,
    who: &Caller,
    operation: &'static str,
    scope: Scope<'_>,
    fut: impl std::future::Future<Output = Result<T, AppError>> + Send,
) -> Result<T, AppError> {
    record(api, who, operation, scope, String::new(), fut, true).await
}

async fn record<T: serde::Serialize + Send>(
    api: &Arc<dyn Api>,
    who: &Caller,
    operation: &'static str,
    scope: Scope<'_>,
    summary: String,
    fut: impl std::future::Future<Output = Result<T, AppError>> + Send,
    only_with_calls: bool,
) -> Result<T, AppError> {
    let started_at = now_ms();
    let clock = std::time::Instant::now();
    let mut result = None;
    let calls = api.collect_calls(Box::pin(async { result = Some(fut.await) })).await;
    let Some(result) = result else {
        // `collect_calls` runs the work to its end; only a broken server gets here.
        return answer(Err(AppError::Internal("the action did not run".into())));
    };
    if only_with_calls && calls.is_empty() {
        return answer(result);
    }
    let (ok, error_code, run_id) = judge(&result);
    let record = ActionRecord {
        operation,
        project_id: scope.project.map(str::to_string),
        team_id: scope.team.map(str::to_string),
        run_id: run_id.or(scope.run.map(str::to_string)),
        summary,
        ok,
        error_code,
        started_at,
        duration_ms: clock.elapsed().as_millis() as i64,
        calls,
    };
    api.record_action(who, record).await;
    answer(result)
}

/// The Api and the caller of the request being served.
pub fn ctx() -> Result<(Arc<dyn Api>, Caller), AppError> {
    let caller = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<Caller>().cloned())
        .unwrap_or_else(Caller::anonymous);
    Ok((api()?, caller))
}

/// Passes the answer on, with the HTTP status a refusal deserves (404 for what the caller
/// may not even know exists, 403 for what their role does not allow, 401 when signed out),
/// so scripts and the authorization test see it without reading the body.
pub fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        let status = match e {
            AppError::NotFound(_) => Some(http::StatusCode::NOT_FOUND),
            AppError::Forbidden(_) => Some(http::StatusCode::FORBIDDEN),
            AppError::SignInRequired => Some(http::StatusCode::UNAUTHORIZED),
            _ => None,
        };
        if let (Some(status), Some(res)) = (status, leptos::prelude::use_context::<leptos_axum::ResponseOptions>()) {
            res.set_status(status);
        }
    }
    result
}
