//! The browser half: hydrate the server-rendered HTML into the live Leptos app.
#![forbid(unsafe_code)]
// Leptos view types nest deeply; the release wasm build needs more than the default 128.
#![recursion_limit = "256"]

use leptos::prelude::document;

/// Hydrates the page, then marks it interactive.
///
/// Each page is a lazily loaded route (app/src/routes.rs): hydration waits for the current
/// page's wasm chunk, so this is `leptos::mount::hydrate_lazy` written out, with the marker
/// `body[data-hydrated="true"]` set once hydration has finished (the end-to-end tests and
/// scripts/bench-page-weight.sh wait on it; an effect in `App` would run while the page's chunk
/// is still loading, before anything on the page answers a click).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // An Err only means the executor was already set up.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let Some(body) = document().body() else { return };
    leptos::task::spawn_local(async move {
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
