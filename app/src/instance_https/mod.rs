//! HTTPS on the instance itself (the free path): Nginx and Certbot, set up through SSM or by
//! hand with the script the page shows.

pub mod api;
mod view;

pub(crate) use view::{part_of, FreePathPanel};
