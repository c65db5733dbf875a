//! lockstep's web UI (Leptos, server-rendered and hydrated).
//!
//! Pages: the project list, the new-project form, and a project's wizard page with the live
//! step timeline. Data comes from the server functions in [`api`]; live progress comes from
//! the server's SSE stream (`/api/runs/{id}/events`), see [`timeline`].
#![forbid(unsafe_code)]
// Leptos view types nest deeply; the release wasm build needs more than the default 128.
#![recursion_limit = "256"]

mod account_ui;
pub mod api;
mod doctor_ui;
mod domain_ui;
mod freepath_ui;
mod frontend_ui;
mod history_ui;
mod ledger_ui;
pub mod model;
mod pages;
mod paid_ui;
mod status_ui;
mod summary_ui;
mod teardown_ui;
pub mod timeline;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the page as interactive once the wasm has hydrated it (end-to-end tests wait on it).
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/lockstep.css"/>
        <Title text="lockstep"/>
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"lockstep"</A>
                <span class="tagline">"HTTP to verified HTTPS, one step at a time"</span>
                <account_ui::UserMenu/>
            </header>
            <EnvBanner/>
            <main class="page">
                <Routes fallback=|| view! { <p class="empty">"This page does not exist. " <A href="/">"Back to your projects"</A></p> }>
                    <Route path=path!("") view=pages::ProjectsPage/>
                    <Route path=path!("/projects/new") view=pages::NewProjectPage/>
                    <Route path=path!("/projects/:id") view=pages::ProjectPage/>
                    <Route path=path!("/setup") view=account_ui::SetupPage/>
                    <Route path=path!("/signin") view=account_ui::SignInPage/>
                    <Route path=path!("/signup") view=account_ui::SignUpPage/>
                    <Route path=path!("/invite/:token") view=account_ui::InvitePage/>
                    <Route path=path!("/teams/new") view=account_ui::NewTeamPage/>
                    <Route path=path!("/teams/:id") view=account_ui::TeamPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Sandbox or real AWS, on every page, so nobody confuses the two.
#[component]
fn EnvBanner() -> impl IntoView {
    let env = Resource::new(|| (), |_| api::environment());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match env.await {
                    Ok(e) if e.sandbox => view! {
                        <div class="banner sandbox" data-testid="env-banner">
                            <strong>"Sandbox AWS."</strong>
                            " Every AWS call goes to a local emulator on this machine: nothing real is created and nothing is billed."
                        </div>
                    }.into_any(),
                    Ok(e) => view! {
                        <div class="banner real" data-testid="env-banner">
                            <strong>"Real AWS."</strong>
                            {format!(" Account {}. Steps create real resources; each shows its cost before it runs.",
                                e.account_id.unwrap_or_else(|| "unknown".into()))}
                        </div>
                    }.into_any(),
                    Err(err) => view! { <div class="banner error">{err.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Renders a server-function error in three parts: what, why, what to do.
/// `false` on the server and while the client hydrates, `true` right after. Parts of a page
/// that read a signal a `Suspend` sets (the latest run, loaded with the page) render behind
/// it: the server may stream them before the `Suspend` resolves while the hydrating client
/// sees the value at once, and the two must produce the same HTML.
pub(crate) fn hydrated() -> ReadSignal<bool> {
    let (done, set_done) = signal(false);
    Effect::new(move |_| set_done.set(true));
    done
}

#[component]
pub fn ErrorBox(error: model::AppError) -> impl IntoView {
    let (what, why, fix) = error.parts();
    view! {
        <div class="error-box" role="alert">
            <p class="what">{what}</p>
            {(!why.is_empty()).then(|| view! { <p class="why">{why}</p> })}
            {(!fix.is_empty()).then(|| view! { <p class="fix"><strong>"What to do: "</strong>{fix}</p> })}
        </div>
    }
}
