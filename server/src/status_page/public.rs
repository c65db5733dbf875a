//! The public routes: `/status/<slug>` and `/status/<slug>/badge.svg`, served from the cache.

use super::render::{render, PageLang};
use crate::service::Lockstep;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lockstep_domain::status::HISTORY_DAYS;
use std::sync::Arc;
use std::time::Instant;
use tracing::warn;

async fn cached(service: &Lockstep, slug: &str, lang: PageLang) -> Option<(String, String)> {
    let key = format!("{slug}|{lang:?}");
    if let Some(v) = service.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).fresh(&key) {
        return Some(v);
    }
    let page = service.store.status_page_by_slug(slug).await.ok().flatten().filter(|p| p.public);
    let rendered = match page {
        Some(p) => {
            let now = service.clock.now_ms();
            let name =
                service.store.get_project(&p.project_id).await.ok().flatten().map(|r| r.name).unwrap_or_default();
            let checks = match service.store.status_checks(&p.project_id, now - HISTORY_DAYS * 86_400_000).await {
                Ok(c) => c,
                Err(e) => {
                    // Shown as "not checked yet" rather than an error page to strangers; logged.
                    warn!(project_id = %p.project_id, error = %e, "status page: reading the checks");
                    Vec::new()
                }
            };
            Some(render(&name, slug, &checks, p.interval_minutes, now, lang))
        }
        None => None,
    };
    // Only published pages are kept: a miss is one indexed query, and is not remembered.
    if let Some(r) = &rendered {
        service.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).put(key, r.clone(), Instant::now());
    }
    rendered
}

fn not_published() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>No status page</title></head><body><h1>No status page here</h1><p>This address has no published status page. If it is yours, publish it from the project's page in lockstep.</p></body></html>"),
    )
        .into_response()
}

pub async fn public_page(
    State(service): State<Arc<Lockstep>>,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let lang = PageLang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    match cached(&service, &slug, lang).await {
        Some((page, _)) => {
            ([(header::CACHE_CONTROL, "public, max-age=30"), (header::VARY, "Accept-Language")], Html(page))
                .into_response()
        }
        None => not_published(),
    }
}

pub async fn public_badge(State(service): State<Arc<Lockstep>>, Path(slug): Path<String>) -> Response {
    match cached(&service, &slug, PageLang::En).await {
        Some((_, svg)) => {
            ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=300")], svg)
                .into_response()
        }
        None => not_published(),
    }
}
