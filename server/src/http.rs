//! HTTP: the Leptos pages and server functions, the live SSE stream per run ([`crate::live`]),
//! health checks, and the limits and headers every request passes ([`crate::edge`]).

use crate::auth::{self, HttpSettings, SignInGate};
use crate::edge;
use crate::live::{LiveLimits, LiveStreams};
use crate::service::Lockstep;
use crate::store::Store;
use app::api::ssr::ApiHandle;
use app::api::ssr::Caller;
use app::model::AppError;
use app::{shell, App};
use axum::extract::{FromRef, MatchedPath, Path, State};
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Extension;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, site_pkg_dir_service, site_pkg_dir_service_route_path, LeptosRoutes};
use std::future::Future;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub service: Arc<Lockstep>,
    pub live: Arc<LiveStreams>,
}

/// How the HTTP side behaves: cookies, the cross-site check, client addresses.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    pub settings: HttpSettings,
    /// Mark the session cookie `Secure` (lockstep is served over HTTPS).
    pub secure_cookies: bool,
    /// How many live streams one person may hold, how often their access is checked again.
    pub live: LiveLimits,
    /// Cancelled when the server shuts down: live streams end then.
    pub shutdown: CancellationToken,
}

pub fn router(leptos_options: LeptosOptions, service: Arc<Lockstep>, config: HttpConfig) -> Router {
    let live = LiveStreams::new(config.live, config.shutdown.clone());
    let state = AppState {
        leptos_options: leptos_options.clone(),
        store: service.store.clone(),
        service: service.clone(),
        live,
    };
    let hosts = Arc::new(edge::AllowedHosts::new(config.settings.public_origin.as_deref()));
    let routes = generate_route_list(App);
    let settings = Arc::new(config.settings);
    let gate = Arc::new(SignInGate::new(service.store.clone()));
    let sessions = auth::session_layer(service.store.sessions().store(), config.secure_cookies);
    let api: Arc<dyn app::api::ssr::Api> = service;
    let status_policy = || {
        SetResponseHeaderLayer::overriding(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(edge::STATUS_PAGE_POLICY),
        )
    };
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/api/runs/{id}/events", get(crate::live::run_events))
        .route("/api/projects/{id}/history.json", get(history_export))
        .route("/status/{slug}", get(crate::status_page::public_page).layer(status_policy()))
        .route("/status/{slug}/badge.svg", get(crate::status_page::public_badge))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ApiHandle(api.clone()));
                edge::provide_page_policy();
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // The browser's files straight from disk, with no reactive owner involved (see
        // `no_stale_owner`): leptos_axum's file handler copied another page's 404 onto them.
        // A file that is not there is a plain 404.
        .route_service(&site_pkg_dir_service_route_path(&leptos_options), site_pkg_dir_service(&leptos_options))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(edge::provide_page_policy, shell))
        // Innermost first: pages need a signed-in caller, the caller comes from the session,
        // and nothing state-changing gets that far from another site.
        .layer(axum::middleware::from_fn_with_state(gate.clone(), auth::require_sign_in))
        .layer(axum::middleware::from_fn_with_state((settings.clone(), gate), auth::attach_caller))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(settings, auth::refuse_cross_site))
        // Before the session or any handler reads a byte: the Host check, then the body limit
        // (see `edge`).
        .layer(RequestBodyLimitLayer::new(edge::BODY_LIMIT))
        .layer(axum::middleware::map_response(edge::explain_too_large))
        .layer(axum::middleware::from_fn_with_state(hosts, edge::check_host))
        // The wasm is ~1.6 MB raw and ~0.5 MB gzipped: on a student's phone hotspot that matters.
        // (SSE responses are not compressed: tower-http skips text/event-stream.)
        .layer(CompressionLayer::new());
    // Every response, refusals included, carries the security headers.
    edge::security_headers(router)
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let path = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
            tracing::info_span!(
                "http",
                method = %req.method(),
                path = path.as_deref().unwrap_or(req.uri().path()),
                request_id = %uuid::Uuid::new_v4().simple(),
            )
        }))
        .layer(axum::middleware::from_fn(no_stale_owner))
        .with_state(state)
}

/// Serves a request with no reactive owner left current on the worker thread.
///
/// Measured here (leptos 0.8.23 / leptos_axum 0.8.10 / reactive_graph 0.2.16): at the top of
/// most requests' futures, the tokio worker thread still had as its current `Owner` one from
/// another request's page render, with that page's `ResponseOptions` in its context (424 of
/// 600 requests in `tests/site_files.rs`). Everything leptos_axum makes with `Owner::new()`
/// (the server-function handler, the static-file branch of `file_and_error_handler`) becomes a
/// child of that stranger and sees its context where it provides none of its own: the static
/// file branch copied a used invite page's 404 onto `/pkg/lockstep.js`, and the page never
/// hydrated. At the top of a request's poll nothing of this request is on the stack, so any
/// owner current there is left over and is cleared before every poll.
async fn no_stale_owner(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut served = Box::pin(next.run(req));
    std::future::poll_fn(move |cx| {
        clear_current_owner();
        served.as_mut().poll(cx)
    })
    .await
}

fn clear_current_owner() {
    if let Some(owner) = Owner::current() {
        owner.unset();
    }
}

/// The project's whole history as a JSON file (the timeline's "Download" link).
async fn history_export(
    State(service): State<Arc<Lockstep>>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, StatusCode> {
    let caller = caller.map(|c| c.0).unwrap_or_else(Caller::anonymous);
    let entries = service.history_entries(&caller, &id).await.map_err(|e| status_of(&e))?;
    let body = serde_json::to_string_pretty(&entries).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let name = format!("attachment; filename=\"lockstep-history-{id}.json\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        body,
    ))
}

pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::SignInRequired => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn readyz(State(store): State<Arc<dyn Store>>) -> impl IntoResponse {
    if store.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable or migrations not applied")
    }
}

#[cfg(test)]
mod owner_tests {
    use super::*;
    use tower::ServiceExt;

    /// What a handler sees of the thread's reactive owner, with or without `no_stale_owner`.
    async fn owner_seen(layered: bool) -> String {
        let mut router: Router = Router::new().route("/", get(|| async { Owner::current().is_some().to_string() }));
        if layered {
            router = router.layer(axum::middleware::from_fn(no_stale_owner));
        }
        // Another request's owner left current on this (the test's only) thread.
        let stranger = Owner::new();
        stranger.set();
        let response = router.oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap()).await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), 64).await.unwrap();
        stranger.unset();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_stale_owner_is_cleared_before_the_request_runs() {
        assert_eq!(owner_seen(false).await, "true", "without the layer the handler inherits the stranger");
        assert_eq!(owner_seen(true).await, "false");
    }
}
