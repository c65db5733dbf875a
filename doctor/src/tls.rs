//! Judging the certificate a server sent, the way a browser would, but naming the reason.
//!
//! The chain is verified with rustls' WebPKI verifier against the trust store given (the
//! system's, or the lab's CA bundle in tests). An expired certificate is verified a second time
//! at a moment inside its validity, so a certificate that is both expired and for the wrong name
//! gets both findings, not only the first.
//!
//! Every error the verifier (and the handshake) can return is turned into one of our own plain
//! reasons ([`Problem`], [`HandshakeFailure`]) here, every current variant named: no rustls or
//! webpki Debug text ever reaches a finding; a variant added later gets a generic plain sentence.

use crate::findings::cert_finding;
use crate::lifetime::expiry_finding;
use crate::net::TlsInfo;
use ::time::OffsetDateTime;
use lockstep_domain::doctor::Finding;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, UnixTime};
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
    /// Signed with SHA-1 or MD5 (browsers refuse these since 2017).
    pub weak_signature: bool,
    /// The size of an RSA key, in bits (None for EC keys).
    pub rsa_bits: Option<usize>,
}

/// Signature algorithms browsers no longer accept: MD5 and SHA-1 with RSA, ECDSA or DSA.
const WEAK_SIGNATURE_OIDS: [&str; 5] = [
    "1.2.840.113549.1.1.4", // md5WithRSAEncryption
    "1.2.840.113549.1.1.5", // sha1WithRSAEncryption
    "1.2.840.10045.4.1",    // ecdsa-with-SHA1
    "1.2.840.10040.4.3",    // dsa-with-sha1
    "1.3.14.3.2.29",        // sha1WithRSASignature (old OIW)
];

/// Browsers and rustls refuse RSA keys shorter than this.
pub const MIN_RSA_BITS: usize = 2048;

pub fn facts(der: &CertificateDer<'_>) -> Option<CertFacts> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let mut names: Vec<String> = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_ascii_lowercase()),
                GeneralName::IPAddress(b) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*b) {
                        names.push(std::net::Ipv4Addr::from(v4).to_string());
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*b) {
                        names.push(std::net::Ipv6Addr::from(v6).to_string());
                    }
                }
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
        weak_signature: WEAK_SIGNATURE_OIDS.contains(&cert.signature_algorithm.algorithm.to_id_string().as_str()),
        rsa_bits: match cert.public_key().parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Some(rsa.key_size()),
            _ => None,
        },
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
    /// Refused for another reason, named by us (never the verifier's Debug text).
    Rejected(Problem),
}

/// The other reasons a certificate is refused. Each has its own finding code and words
/// (`findings::problem_words`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The server sent no certificate at all.
    NoCertificate,
    /// The trust store given could not be used (empty).
    NoTrustStore,
    /// A CA certificate (basicConstraints CA:TRUE) served as the site's certificate: what
    /// `openssl req -x509` makes by default.
    CaAsLeaf,
    /// A site certificate used to sign another certificate.
    LeafAsCa,
    /// The certificate is not for web servers (extended key usage without serverAuth).
    WrongPurpose,
    /// Signed with an algorithm browsers refuse (SHA-1, MD5) or do not support.
    WeakSignature,
    /// An RSA key shorter than 2048 bits.
    WeakKey,
    /// The signature does not match the issuer's key.
    BadSignature,
    /// The certificate's bytes are malformed.
    BadEncoding,
    /// The validity dates are impossible (ends before it starts).
    InvalidValidity,
    Revoked,
    /// Revocation could not be checked (no or expired revocation list / OCSP answer).
    RevocationUnknown,
    /// A critical extension the verifier does not understand.
    CriticalExtension,
    /// The issuing CA is not allowed to issue for this name (name or path length constraints).
    NameConstraints,
    /// The issuing CA has been distrusted.
    Distrusted,
    /// The chain is too long or too tangled to check.
    ChainTooComplex,
    /// The certificate names the site in a form that cannot be checked.
    UnsupportedName,
    /// A local policy refused the certificate.
    RejectedByPolicy,
    /// A reason we have no words for yet: a generic plain sentence.
    Unknown,
}

impl Problem {
    /// Every problem, for tests that check each has its own plain words.
    pub const ALL: [Problem; 19] = [
        Problem::NoCertificate,
        Problem::NoTrustStore,
        Problem::CaAsLeaf,
        Problem::LeafAsCa,
        Problem::WrongPurpose,
        Problem::WeakSignature,
        Problem::WeakKey,
        Problem::BadSignature,
        Problem::BadEncoding,
        Problem::InvalidValidity,
        Problem::Revoked,
        Problem::RevocationUnknown,
        Problem::CriticalExtension,
        Problem::NameConstraints,
        Problem::Distrusted,
        Problem::ChainTooComplex,
        Problem::UnsupportedName,
        Problem::RejectedByPolicy,
        Problem::Unknown,
    ];
}

fn verify(
    verifier: &WebPkiServerVerifier,
    chain: &[CertificateDer<'static>],
    host: &str,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    use rustls::client::danger::ServerCertVerifier;
    // An IP address (`https://203.0.113.7`, `https://[2001:db8::1]`) is checked against the
    // certificate's IP address names, a DNS name against its DNS names.
    let name =
        crate::net::server_name(host).ok_or(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
    verifier.verify_server_cert(&chain[0], &chain[1..], &name, &[], now).map(|_| ())
}

/// An unknown issuer, told apart by what was sent: one self-signed certificate, one certificate
/// without its intermediate, or a chain that ends at a CA nobody trusts.
fn unknown_issuer(chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    if chain.len() == 1 && leaf.is_some_and(|l| l.self_issued) {
        Trust::SelfSigned
    } else if chain.len() == 1 {
        Trust::IncompleteChain
    } else {
        Trust::UntrustedIssuer
    }
}

/// Any error the verifier returns, in our words.
pub fn classify(err: &rustls::Error, chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    match err {
        rustls::Error::InvalidCertificate(c) => certificate_trust(c, chain, leaf),
        rustls::Error::Other(o) => webpki_trust(o, chain, leaf),
        rustls::Error::InvalidCertRevocationList(_) => Trust::Rejected(Problem::RevocationUnknown),
        rustls::Error::NoCertificatesPresented => Trust::Rejected(Problem::NoCertificate),
        rustls::Error::UnsupportedNameType => Trust::Rejected(Problem::UnsupportedName),
        _ => Trust::Rejected(Problem::Unknown),
    }
}

/// Every [`CertificateError`] of rustls 0.23, each named (the wildcard is for variants added
/// later, which get the generic plain sentence).
pub fn certificate_trust(c: &CertificateError, chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    match c {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Trust::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => Trust::NotYetValid,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => Trust::NameMismatch,
        CertificateError::UnknownIssuer => unknown_issuer(chain, leaf),
        CertificateError::BadEncoding => Trust::Rejected(Problem::BadEncoding),
        CertificateError::Revoked => Trust::Rejected(Problem::Revoked),
        CertificateError::UnhandledCriticalExtension => Trust::Rejected(Problem::CriticalExtension),
        CertificateError::UnknownRevocationStatus
        | CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. }
        | CertificateError::InvalidOcspResponse => Trust::Rejected(Problem::RevocationUnknown),
        CertificateError::BadSignature => Trust::Rejected(Problem::BadSignature),
        #[allow(deprecated)]
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            Trust::Rejected(Problem::WeakSignature)
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Trust::Rejected(Problem::WrongPurpose)
        }
        CertificateError::ApplicationVerificationFailure => Trust::Rejected(Problem::RejectedByPolicy),
        CertificateError::Other(o) => webpki_trust(o, chain, leaf),
        // CertificateError is `#[non_exhaustive]`, so a wildcard is required outside rustls; the
        // test `every_certificate_error_has_its_own_words` lists every variant of the version in
        // Cargo.lock and fails when one lands here.
        _ => Trust::Rejected(Problem::Unknown),
    }
}

/// webpki's errors that rustls passes on wrapped in `Other` (CaUsedAsEndEntity and friends).
/// webpki's enum is non-exhaustive: one it adds later gets the generic plain sentence.
fn webpki_trust(o: &rustls::OtherError, chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    let Some(e) = o.0.downcast_ref::<webpki::Error>() else {
        return Trust::Rejected(Problem::Unknown);
    };
    webpki_error_trust(e, chain, leaf)
}

#[allow(deprecated)]
pub fn webpki_error_trust(e: &webpki::Error, chain: &[CertificateDer<'static>], leaf: Option<&CertFacts>) -> Trust {
    use webpki::Error as W;
    let p = match e {
        W::CertExpired { .. } => return Trust::Expired,
        W::CertNotValidYet { .. } => return Trust::NotYetValid,
        W::CertNotValidForName(_) => return Trust::NameMismatch,
        W::UnknownIssuer => return unknown_issuer(chain, leaf),
        W::CaUsedAsEndEntity => Problem::CaAsLeaf,
        W::EndEntityUsedAsCa => Problem::LeafAsCa,
        W::CertDistrusted => Problem::Distrusted,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => Problem::WrongPurpose,
        W::InvalidCertValidity => Problem::InvalidValidity,
        W::NameConstraintViolation
        | W::InvalidNetworkMaskConstraint
        | W::MalformedNameConstraint
        | W::PathLenConstraintViolated => Problem::NameConstraints,
        W::MaximumNameConstraintComparisonsExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded => Problem::ChainTooComplex,
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::ExtensionValueInvalid
        | W::MalformedDnsIdentifier
        | W::MalformedExtensions
        | W::InvalidSerialNumber
        | W::UnsupportedCertVersion => Problem::BadEncoding,
        W::UnsupportedCriticalExtension => Problem::CriticalExtension,
        W::UnsupportedNameType => Problem::UnsupportedName,
        W::SignatureAlgorithmMismatch
        | W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Problem::WeakSignature,
        W::InvalidSignatureForPublicKey => Problem::BadSignature,
        W::CertRevoked => Problem::Revoked,
        W::UnknownRevocationStatus
        | W::CrlExpired { .. }
        | W::InvalidCrlNumber
        | W::InvalidCrlSignatureForPublicKey
        | W::IssuerNotCrlSigner
        | W::UnsupportedCrlIssuingDistributionPoint
        | W::UnsupportedCrlVersion
        | W::UnsupportedDeltaCrl
        | W::UnsupportedIndirectCrl
        | W::UnsupportedRevocationReason
        | W::UnsupportedRevocationReasonsPartitioning
        | W::UnsupportedCrlSignatureAlgorithm
        | W::UnsupportedCrlSignatureAlgorithmContext(_)
        | W::UnsupportedCrlSignatureAlgorithmForPublicKey
        | W::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Problem::RevocationUnknown,
        _ => Problem::Unknown,
    };
    Trust::Rejected(p)
}

/// Why a TLS handshake failed, in our words (`findings::handshake_failed` has the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeFailure {
    /// The server offers only TLS 1.0/1.1 (or SSL): a protocol_version alert or no common version.
    OldProtocol,
    /// No cipher suite, key exchange group or signature scheme in common (handshake_failure alert).
    NoSharedCipher,
    /// The server has no certificate for this name (unrecognized_name alert: SNI not configured).
    UnknownName,
    /// The server failed internally (internal_error alert): often an unreadable key file.
    ServerError,
    /// The server asks for a client certificate (mutual TLS).
    ClientCertificateRequired,
    /// The server sent another alert.
    Alert,
    /// The server's key could not verify the handshake (a weak key or a broken certificate).
    KeyRefused,
    /// The server sent no certificate.
    NoCertificate,
    /// The server broke the protocol.
    Misbehaved,
    /// No answer to the handshake within the time allowed.
    NoAnswer,
    /// The connection closed in the middle of the handshake.
    ConnectionLost,
    /// The host cannot be used as a TLS server name.
    BadServerName,
    /// A reason we have no words for yet.
    Other,
}

impl HandshakeFailure {
    pub const ALL: [HandshakeFailure; 13] = [
        HandshakeFailure::OldProtocol,
        HandshakeFailure::NoSharedCipher,
        HandshakeFailure::UnknownName,
        HandshakeFailure::ServerError,
        HandshakeFailure::ClientCertificateRequired,
        HandshakeFailure::Alert,
        HandshakeFailure::KeyRefused,
        HandshakeFailure::NoCertificate,
        HandshakeFailure::Misbehaved,
        HandshakeFailure::NoAnswer,
        HandshakeFailure::ConnectionLost,
        HandshakeFailure::BadServerName,
        HandshakeFailure::Other,
    ];
}

/// A rustls handshake error, in our words. rustls::Error is non-exhaustive, so the last arm is a
/// generic reason, never its Debug text.
pub fn handshake_failure(e: &rustls::Error) -> HandshakeFailure {
    use rustls::{AlertDescription as A, PeerIncompatible as P};
    match e {
        rustls::Error::AlertReceived(a) => match a {
            A::ProtocolVersion => HandshakeFailure::OldProtocol,
            A::HandshakeFailure | A::InsufficientSecurity => HandshakeFailure::NoSharedCipher,
            A::UnrecognisedName => HandshakeFailure::UnknownName,
            A::InternalError => HandshakeFailure::ServerError,
            A::CertificateRequired => HandshakeFailure::ClientCertificateRequired,
            _ => HandshakeFailure::Alert,
        },
        rustls::Error::PeerIncompatible(p) => match p {
            P::ServerDoesNotSupportTls12Or13
            | P::ServerTlsVersionIsDisabledByOurConfig
            | P::SupportedVersionsExtensionRequired
            | P::Tls12NotOffered
            | P::Tls12NotOfferedOrEnabled => HandshakeFailure::OldProtocol,
            P::NoCipherSuitesInCommon
            | P::NoKxGroupsInCommon
            | P::NoSignatureSchemesInCommon
            | P::NoEcPointFormatsInCommon => HandshakeFailure::NoSharedCipher,
            _ => HandshakeFailure::Misbehaved,
        },
        rustls::Error::InvalidCertificate(_) => HandshakeFailure::KeyRefused,
        rustls::Error::NoCertificatesPresented => HandshakeFailure::NoCertificate,
        rustls::Error::PeerMisbehaved(_)
        | rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::DecryptError
        | rustls::Error::PeerSentOversizedRecord => HandshakeFailure::Misbehaved,
        rustls::Error::UnsupportedNameType => HandshakeFailure::BadServerName,
        _ => HandshakeFailure::Other,
    }
}

/// A certificate browsers refuse whatever its chain: a SHA-1/MD5 signature or a short RSA key.
fn weakness(leaf: &CertFacts) -> Option<Problem> {
    if leaf.rsa_bits.is_some_and(|b| b < MIN_RSA_BITS) {
        Some(Problem::WeakKey)
    } else if leaf.weak_signature {
        Some(Problem::WeakSignature)
    } else {
        None
    }
}

/// The `tls.certificate` and `tls.expiry` findings for `host`.
pub fn judge(host: &str, info: &TlsInfo, roots: &Arc<RootCertStore>, now: OffsetDateTime) -> Vec<Finding> {
    let subject = host.to_string();
    if info.chain.is_empty() {
        return vec![cert_finding(&subject, &Trust::Rejected(Problem::NoCertificate), None, info)];
    }
    let leaf = facts(&info.chain[0]);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = match WebPkiServerVerifier::builder_with_provider(roots.clone(), provider).build() {
        Ok(v) => v,
        Err(_) => return vec![cert_finding(&subject, &Trust::Rejected(Problem::NoTrustStore), leaf.as_ref(), info)],
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
    // A SHA-1 signature or a short RSA key: refused whatever the chain (the verifier may not
    // even look at the signature of a certificate whose issuer it does not know).
    if let Some(weak) = leaf.as_ref().and_then(weakness) {
        if trust != Trust::NameMismatch {
            trust = Trust::Rejected(weak);
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
#[path = "tls_tests.rs"]
mod tests;
