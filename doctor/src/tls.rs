//! Judging the certificate a server sent, the way a browser would, but naming the reason.
//!
//! The chain is verified with rustls' WebPKI verifier against the trust store given (the
//! system's, or the lab's CA bundle in tests). An expired certificate is verified a second time
//! at a moment inside its validity, so a certificate that is both expired and for the wrong name
//! gets both findings, not only the first.

use crate::findings::{cert_finding, expiry_finding};
use crate::net::TlsInfo;
use ::time::OffsetDateTime;
use lockstep_domain::doctor::Finding;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, RootCertStore};
use std::sync::Arc;
use std::time::Duration;
use x509_parser::prelude::*;

/// The fields of a certificate a student needs to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub self_issued: bool,
}

pub fn facts(der: &CertificateDer<'_>) -> Option<CertFacts> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let mut names: Vec<String> = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_ascii_lowercase()),
                GeneralName::IPAddress(b) if b.len() == 4 => names.push(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
                _ => {}
            }
        }
    }
    if names.is_empty() {
        if let Some(cn) = cert.subject().iter_common_name().next().and_then(|c| c.as_str().ok()) {
            names.push(cn.to_ascii_lowercase());
        }
    }
    Some(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

/// Does certificate name `pattern` cover `host`? A wildcard covers exactly one label, and only
/// as the whole left-most label (`*.example.com` covers `api.example.com`, not `example.com` nor
/// `a.b.example.com`).
pub fn name_covers(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.trim_end_matches('.').to_ascii_lowercase(), host.trim_end_matches('.').to_ascii_lowercase());
    match p.strip_prefix("*.") {
        Some(base) => match h.split_once('.') {
            Some((label, rest)) => !label.is_empty() && rest == base,
            None => false,
        },
        None => p == h,
    }
}

/// What verification against the trust store says, in our own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    Ok,
    NameMismatch,
    Expired,
    NotYetValid,
    SelfSigned,
    IncompleteChain,
    UntrustedIssuer,
    Other(String),
}

fn verify(
    verifier: &WebPkiServerVerifier,
    chain: &[CertificateDer<'static>],
    host: &str,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    use rustls::client::danger::ServerCertVerifier;
    let name = ServerName::try_from(host.to_string()).map_err(|e| rustls::Error::General(e.to_string()))?;
    verifier.verify_server_cert(&chain[0], &chain[1..], &name, &[], now).map(|_| ())
}

fn classify(err: &rustls::Error, chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    match err {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => Trust::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => Trust::NotYetValid,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => Trust::NameMismatch,
            CertificateError::UnknownIssuer => {
                if chain.len() == 1 && leaf.is_some_and(|l| l.self_issued) {
                    Trust::SelfSigned
                } else if chain.len() == 1 {
                    Trust::IncompleteChain
                } else {
                    Trust::UntrustedIssuer
                }
            }
            other => Trust::Other(format!("{other:?}")),
        },
        other => Trust::Other(other.to_string()),
    }
}

/// The `tls.certificate` and `tls.expiry` findings for `host`.
pub fn judge(host: &str, info: &TlsInfo, roots: &Arc<RootCertStore>, now: OffsetDateTime) -> Vec<Finding> {
    let subject = host.to_string();
    if info.chain.is_empty() {
        return vec![cert_finding(&subject, &Trust::Other("the server sent no certificate".into()), None, info)];
    }
    let leaf = facts(&info.chain[0]);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = match WebPkiServerVerifier::builder_with_provider(roots.clone(), provider).build() {
        Ok(v) => v,
        Err(e) => {
            return vec![cert_finding(&subject, &Trust::Other(format!("no trust store: {e}")), leaf.as_ref(), info)]
        }
    };
    let unix = |t: OffsetDateTime| UnixTime::since_unix_epoch(Duration::from_secs(t.unix_timestamp().max(0) as u64));
    let mut trust = match verify(&verifier, &info.chain, host, unix(now)) {
        Ok(()) => Trust::Ok,
        Err(e) => classify(&e, &info.chain, leaf.as_ref()),
    };
    // Expired or not yet valid: look again inside the validity window for the other problems.
    if matches!(trust, Trust::Expired | Trust::NotYetValid) {
        if let Some(l) = &leaf {
            let inside = l.not_before + (l.not_after - l.not_before) / 2;
            trust = match verify(&verifier, &info.chain, host, unix(inside)) {
                Ok(()) => Trust::Ok,
                Err(e) => match classify(&e, &info.chain, leaf.as_ref()) {
                    // An intermediate outside its window at that moment: keep the plain verdict.
                    Trust::Expired | Trust::NotYetValid => Trust::Ok,
                    t => t,
                },
            };
        }
    }
    let mut out = vec![cert_finding(&subject, &trust, leaf.as_ref(), info)];
    if let Some(l) = &leaf {
        out.push(expiry_finding(&subject, l, now));
    }
    out
}

/// Read PEM certificates (a CA bundle) into a trust store.
pub fn roots_from_pem(pem: &[u8]) -> Result<RootCertStore, String> {
    use rustls::pki_types::pem::PemObject;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
        store.add(cert).map_err(|e| format!("a certificate in the bundle is not usable as a root: {e}"))?;
    }
    if store.is_empty() {
        return Err("the bundle holds no certificate".into());
    }
    Ok(store)
}

/// The machine's trust store (what curl and most tools use).
pub fn system_roots() -> RootCertStore {
    let mut store = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        let _ = store.add(cert);
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_exactly_one_label() {
        assert!(name_covers("*.example.com", "api.example.com"));
        assert!(name_covers("*.Example.com.", "API.example.com"));
        assert!(!name_covers("*.example.com", "example.com"));
        assert!(!name_covers("*.example.com", "a.b.example.com"));
        assert!(name_covers("example.com", "example.com"));
        assert!(!name_covers("www.example.com", "api.example.com"));
    }
}
