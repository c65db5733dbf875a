//! One lazily loaded route per page (issue 22, page weight).
//!
//! Each page's code is a split point: `scripts/build-site.sh` cuts the browser's wasm at these
//! points (wasm-split), so the first download holds the shell (top bar, router, translations)
//! and the browser fetches a page's own chunk only when that page is shown. Before, every page
//! of the app came in one 1.37 MB (gzipped) wasm; see the README, "Page weight".
//!
//! On the server the "lazy" view is an ordinary function call: nothing changes in the HTML.
//! In the browser the app hydrates with `leptos::mount::hydrate_lazy` (frontend/), which waits
//! for the current page's chunk before hydrating.
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `lazy_page!(Route, page::Component)`: a [`LazyRoute`] that shows the page component.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        #[doc = concat!("The lazily loaded route of `", stringify!($page), "`.")]
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(Projects, crate::projects::ProjectsPage);
lazy_page!(NewProject, crate::projects::NewProjectPage);
lazy_page!(Project, crate::projects::ProjectPage);
lazy_page!(Setup, crate::accounts::SetupPage);
lazy_page!(SignIn, crate::accounts::SignInPage);
lazy_page!(SignUp, crate::accounts::SignUpPage);
lazy_page!(Invite, crate::accounts::InvitePage);
lazy_page!(Account, crate::accounts::AccountPage);
lazy_page!(Reset, crate::accounts::ResetPage);
lazy_page!(NewTeam, crate::accounts::NewTeamPage);
lazy_page!(Team, crate::accounts::TeamPage);
