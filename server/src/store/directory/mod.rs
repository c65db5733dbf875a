//! People, teams, invites, password resets, sign-in and sign-up throttling, status pages and the audit log: the part of
//! [`super::Store`] whose SQL is the same on SQLite and PostgreSQL (`$N` placeholders work on both, the columns
//! are plain text and integers). [`directory_impl!`] writes the one implementation into each
//! adapter, so the two cannot drift apart.
//!
//! One file per concern, each with its trait, its row types and the macro writing its
//! implementation: [`StatusPages`], [`People`], [`SignIn`], [`AuditLog`]. [`Directory`] is all
//! four together.

mod audit;
mod people;
mod sign_in;
mod status_pages;

pub use audit::{AuditFilter, AuditLog, AuditRow, NewAudit};
pub use people::{InviteRow, Invited, MemberRow, People, TeamRow, UserRow};
pub use sign_in::{ResetRow, SignIn};
pub use status_pages::{StatusPageRow, StatusPages};

pub(crate) use audit::audit_impl;
pub(crate) use people::people_impl;
pub(crate) use sign_in::sign_in_impl;
pub(crate) use status_pages::status_pages_impl;

/// Everything in the directory: what [`super::Store`] requires of both adapters.
pub trait Directory: StatusPages + People + SignIn + AuditLog {}

impl<T: StatusPages + People + SignIn + AuditLog + ?Sized> Directory for T {}

/// Writes `impl StatusPages`, `People`, `SignIn` and `AuditLog` for `$store` (a struct with a
/// `pool` field) for row type `$row`.
macro_rules! directory_impl {
    ($store:ty, $row:ty) => {
        $crate::store::directory::status_pages_impl!($store, $row);
        $crate::store::directory::people_impl!($store, $row);
        $crate::store::directory::sign_in_impl!($store, $row);
        $crate::store::directory::audit_impl!($store, $row);
    };
}
pub(crate) use directory_impl;
