//! People and teams: the first-run page, sign-in, sign-up, invite links, a team's page, the
//! person's own account page (password change), password reset links, and the signed-in
//! person's menu in the top bar.
//!
//! A sign-up or a password reset signs nobody in: the page then shows the sign-in form in
//! place, with the address already filled in (see [`AuthOutcome::SignIn`] for why).

pub mod api;
mod me;
mod sign_in;
mod team;
#[cfg(all(test, feature = "ssr"))]
mod tests;

pub use me::{AccountPage, UserMenu};
pub use sign_in::{InvitePage, ResetPage, SetupPage, SignInPage, SignUpPage};
pub use team::{NewTeamPage, TeamPage};

use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::account::{FieldProblem, Role};

/// After signing in or out the session cookie changed: load the next page from the server,
/// so every part of it (the top bar too) is rendered for the new session.
fn go(to: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(to);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// The message for `field` among the problems, if any.
/// The server's message for `field`, in the page's language (following a switch).
pub(crate) fn problem_for(
    problems: RwSignal<Vec<FieldProblem>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    let i18n = use_i18n();
    move || {
        let korean = i18n.get_locale() == Locale::ko;
        problems.with(|p| p.iter().find(|e| e.field == field).map(|e| e.said(korean).to_string()))
    }
}

/// Follows an [`AuthOutcome`]: go on when done, else show the field problems or the refusal;
/// [`AuthOutcome::SignIn`] puts where to go after signing in into `then_sign_in`.
fn follow(
    outcome: Option<Result<AuthOutcome, AppError>>,
    problems: RwSignal<Vec<FieldProblem>>,
    refusal: RwSignal<Option<AppError>>,
    then_sign_in: RwSignal<Option<String>>,
) {
    match outcome {
        Some(Ok(AuthOutcome::Done { next })) => go(&next),
        Some(Ok(AuthOutcome::SignIn { next })) => {
            problems.set(Vec::new());
            refusal.set(None);
            then_sign_in.set(Some(next));
        }
        Some(Ok(AuthOutcome::Invalid(p))) => {
            refusal.set(None);
            problems.set(p);
        }
        Some(Ok(AuthOutcome::Refused(e))) => {
            problems.set(Vec::new());
            refusal.set(Some(AppError::User(e)));
        }
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    }
}

/// A full link to `path` on this lockstep (the browser knows the address people use).
fn full_link(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default() + path
    }
    #[cfg(not(feature = "hydrate"))]
    {
        path.to_string()
    }
}

/// A role's name in a locale; the English names are the roles' keys (`Role::key`, which the
/// forms send and data attributes use).
pub(crate) fn role_label(l: Locale, role: Role) -> &'static str {
    role_text(role)(l)
}

/// A role's name as a text of the locale files, for `crate::tr(role_text(role))`.
pub(crate) fn role_text(role: Role) -> fn(Locale) -> &'static str {
    match role {
        Role::Owner => |l| td_string!(l, team.role.owner),
        Role::Member => |l| td_string!(l, team.role.member),
        Role::Viewer => |l| td_string!(l, team.role.viewer),
    }
}

/// What a role may do, as a text of the locale files.
fn role_help(role: Role) -> fn(Locale) -> &'static str {
    match role {
        Role::Owner => |l| td_string!(l, team.role_help.owner),
        Role::Member => |l| td_string!(l, team.role_help.member),
        Role::Viewer => |l| td_string!(l, team.role_help.viewer),
    }
}
