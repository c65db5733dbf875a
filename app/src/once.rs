//! Resources a component makes once per server render, however often the server runs it.
//!
//! Leptos runs the children of a `<Suspense>`/`<Transition>` more than once on the server
//! (to find the resources they read, then again once those have resolved; see
//! leptos-rs/leptos#4688). A component inside such children that makes its own `Resource`
//! makes a new one each time. On the project page (every panel sits inside the project's
//! `<Transition>`) that meant every panel's server function ran two or three times per page
//! load, and every copy was sent to the browser. The browser runs the component once, so it
//! took the *first* copy's data, while the HTML came from the *last* copy: when a run moved on
//! between the two fetches (a certificate step finishing while the page loaded), the HTML and
//! the data disagreed and hydration panicked (`tachys hydration.rs: unreachable`).
//!
//! [`once`] makes the value the first time a call site runs during a server render, under the
//! app's owner (so the re-run does not dispose it), and hands the same value to every later
//! run of that call site. The browser hydrates the single run's value, which now matches the
//! HTML, and each server function runs once per page load.
//!
//! In the browser `once` just calls `make`: there a component runs once while hydrating, and
//! a component built again later (after `project.refetch()`, say) should fetch afresh.
//!
//! One value per call site per render: not for a component repeated in a list.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// Where [`once`] keeps what it made during one server render (provided by `App`).
#[derive(Clone)]
pub struct RenderOnce {
    #[cfg(feature = "ssr")]
    inner: std::sync::Arc<std::sync::Mutex<Made>>,
}

#[cfg(feature = "ssr")]
struct Made {
    owner: Owner,
    values: std::collections::HashMap<&'static std::panic::Location<'static>, Box<dyn std::any::Any + Send + Sync>>,
}

impl RenderOnce {
    /// Starts the store for this render, owned by the current (the app's) owner.
    pub fn provide() {
        #[cfg(feature = "ssr")]
        if let Some(owner) = Owner::current() {
            provide_context(RenderOnce {
                inner: std::sync::Arc::new(std::sync::Mutex::new(Made { owner, values: Default::default() })),
            });
        }
    }
}

/// `make()`, once per call site per server render (see the module's documentation).
#[track_caller]
pub fn once<T: Copy + Send + Sync + 'static>(make: impl FnOnce() -> T) -> T {
    #[cfg(feature = "ssr")]
    if let Some(store) = use_context::<RenderOnce>() {
        let site = std::panic::Location::caller();
        let owner = {
            let made = store.inner.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(v) = made.values.get(site).and_then(|v| v.downcast_ref::<T>()) {
                return *v;
            }
            made.owner.clone()
        };
        // Not under the lock: `make` may reach `once` itself.
        let value = owner.with(make);
        store.inner.lock().unwrap_or_else(|e| e.into_inner()).values.insert(site, Box::new(value));
        return value;
    }
    make()
}
