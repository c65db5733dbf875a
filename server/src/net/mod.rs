//! Network adapters that are not AWS: public DNS (and, with the doctor, TLS and HTTP probes).

pub mod dns;
pub mod webhook;
