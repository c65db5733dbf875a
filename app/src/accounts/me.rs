//! The signed-in person: the menu in the top bar and their own account page.

use super::api::*;
use super::{go, problem_for};
use crate::i18n::*;
use crate::model::*;
use crate::ErrorBox;
use crate::FormField;
use leptos::prelude::*;
use leptos_router::components::A;

/// The signed-in person in the top bar: their teams and "Sign out".
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    let sign_out = ServerAction::<SignOut>::new();
    // The signed-in person's own language choice wins over the browser's, on every device.
    let current = crate::locale_key();
    Effect::new(move |_| {
        if let Some(Ok(SessionInfo { me: Some(Me { locale: Some(l), .. }), .. })) = session.get() {
            if current != Some(l.as_str()) {
                crate::set_locale_by_key(&l);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go("/signin");
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.me).map(|me| view! {
                    <nav class="user-menu" data-testid="user-menu">
                        {me.teams.into_iter().map(|t| view! {
                            <A href=format!("/teams/{}", t.id) attr:class="team-link">{t.name}</A>
                        }).collect_view()}
                        <A href="/account" attr:class="who" attr:data-testid="signed-in-as">{me.name}</A>
                        <ActionForm action=sign_out attr:class="inline">
                            <button type="submit" class="button small" data-testid="sign-out">{crate::tr(|l| td_string!(l, account.sign_out))}</button>
                        </ActionForm>
                    </nav>
                })
            })}
        </Suspense>
    }
}

/// `/account`: who is signed in, and changing the password (which signs out every other
/// session of the account).
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    let change = ServerAction::<ChangePassword>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None::<AppError>);
    let changed = RwSignal::new(false);
    Effect::new(move |_| match change.value().get() {
        Some(Ok(ActionOutcome::Done)) => {
            problems.set(Vec::new());
            refusal.set(None);
            changed.set(true);
        }
        Some(Ok(ActionOutcome::Invalid(p))) => {
            refusal.set(None);
            changed.set(false);
            problems.set(p);
        }
        Some(Ok(ActionOutcome::Refused(e))) => {
            problems.set(Vec::new());
            changed.set(false);
            refusal.set(Some(AppError::User(e)));
        }
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    });
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.account_title))}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.me).map(|me| view! {
                    <p class="muted" data-testid="account-who">{crate::tr_with(move |l| td_string!(l, account.signed_in_as, name = &me.name, email = &me.email).to_string())}</p>
                })
            })}
        </Suspense>
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, account.change_password))}</h2>
            <p class="muted">{crate::tr(|l| td_string!(l, account.change_password_intro))}</p>
            {move || changed.get().then(|| view! { <div class="notice ok" data-testid="password-changed"><p>{crate::tr(|l| td_string!(l, account.password_changed))}</p></div> })}
            {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=change attr:class="form" attr:novalidate=true attr:data-testid="change-password-form">
                <FormField label=|l| td_string!(l, account.current_password) name="current_password" hint=|_| "" error=problem_for(problems, "current_password")>
                    <input name="current_password" id="current_password" type="password" autocomplete="current-password"/>
                </FormField>
                <FormField label=|l| td_string!(l, account.new_password) name="new_password" hint=|l| td_string!(l, account.password_hint) error=problem_for(problems, "new_password")>
                    <input name="new_password" id="new_password" type="password" autocomplete="new-password"/>
                </FormField>
                <div class="actions">
                    <button type="submit" class="button primary" data-testid="change-password-submit" disabled=move || change.pending().get()>
                        {move || if change.pending().get() { crate::tr(|l| td_string!(l, account.changing)).into_any() } else { crate::tr(|l| td_string!(l, account.change_password)).into_any() }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
