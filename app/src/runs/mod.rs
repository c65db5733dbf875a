//! What every area's runs share: the live step timeline (with Cancel while a run is active)
//! and the server functions that act on any run (check again, retry, cancel).

pub mod api;
pub mod timeline;

pub(crate) use timeline::CopyButton;
pub use timeline::Timeline;
