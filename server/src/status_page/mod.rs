//! The public status page of a project (`/status/<slug>` and its SVG badge), its settings, and
//! the scheduler that starts the hourly re-checks.
//!
//! The page is plain server-rendered HTML (no wasm, no script): it is what strangers and
//! README badges load, so it must be small and fast; a rendered page is kept for a few seconds.
//! It shows names, verdicts, expiry days, times and incidents only: anything in a check's text
//! that looks like an ARN or an AWS account id is blanked out.
//!
//! One file per concern: `render.rs` (HTML and badge), `cache.rs` (rendered pages in memory),
//! `public.rs` (the public routes), `settings.rs` (the project's settings and starting a
//! re-check), `schedule.rs` (the scheduler). The re-check itself is the status run
//! (`steps::status`).

mod cache;
mod public;
mod render;
mod schedule;
mod settings;

pub use cache::{PageCache, SharedCache, CACHE_ENTRIES};
pub use public::{public_badge, public_page};
pub use render::{public_text, render, PageLang};
pub use schedule::schedule;
pub use settings::{check_slug, DEFAULT_INTERVAL};

use app::model::AppError;

fn internal(e: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(reference, error = %e, "status page");
    AppError::Internal(reference)
}
