//! The TLS judge's words: every verifier and handshake error named, in plain words.

use super::*;
use crate::findings::{cert_finding, handshake_failed, handshake_failure_words, problem_words};
use crate::net::NetError;
use lockstep_domain::doctor::Finding;
use rustls::pki_types::ServerName;
use rustls::{AlertDescription, ExtendedKeyPurpose, OtherError, PeerIncompatible};

/// What a user reads: title, why and fix in both languages, and the evidence.
fn texts(f: &Finding) -> Vec<String> {
    let mut v = vec![f.title.clone()];
    v.extend(f.why.clone());
    v.extend(f.fix.clone());
    v.extend(f.evidence.clone());
    if let Some(k) = &f.ko {
        v.extend([k.what.clone(), k.why.clone(), k.fix.clone()]);
    }
    v
}

/// No Rust Debug or error text: `Other(`, `Error`, `{`, `::` (a browser's own error code such
/// as NET::ERR_CERT_DATE_INVALID is what users see in the browser, so it is allowed).
fn assert_plain(f: &Finding) {
    for t in texts(f) {
        let t = t.replace("NET::ERR_", "NET-ERR_");
        for bad in ["Other(", "Error", "{", "::", "Context", "Some(", "\"(\"", "\")"] {
            assert!(!t.contains(bad), "{bad:?} in {t:?} ({} {})", f.check, f.code);
        }
    }
}

fn info() -> TlsInfo {
    TlsInfo { version: "TLS 1.3".into(), ..Default::default() }
}

fn other(e: webpki::Error) -> CertificateError {
    CertificateError::Other(OtherError(Arc::new(e)))
}

/// Every CertificateError of rustls 0.23 (the version in Cargo.lock), each with a Context
/// form filled in: none falls through to the generic words, none shows Debug text.
#[test]
#[allow(deprecated)]
fn every_certificate_error_has_its_own_words() {
    let t = UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000));
    let all = vec![
        CertificateError::BadEncoding,
        CertificateError::Expired,
        CertificateError::ExpiredContext { time: t, not_after: t },
        CertificateError::NotValidYet,
        CertificateError::NotValidYetContext { time: t, not_before: t },
        CertificateError::Revoked,
        CertificateError::UnhandledCriticalExtension,
        CertificateError::UnknownIssuer,
        CertificateError::UnknownRevocationStatus,
        CertificateError::ExpiredRevocationList,
        CertificateError::ExpiredRevocationListContext { time: t, next_update: t },
        CertificateError::BadSignature,
        CertificateError::UnsupportedSignatureAlgorithm,
        CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: vec![1, 2],
            supported_algorithms: vec![],
        },
        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
            signature_algorithm_id: vec![1],
            public_key_algorithm_id: vec![2],
        },
        CertificateError::NotValidForName,
        CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("api.example.com".to_string()).expect("name"),
            presented: vec!["other.example.com".into()],
        },
        CertificateError::InvalidPurpose,
        CertificateError::InvalidPurposeContext {
            required: ExtendedKeyPurpose::ServerAuth,
            presented: vec![ExtendedKeyPurpose::ClientAuth],
        },
        CertificateError::InvalidOcspResponse,
        CertificateError::ApplicationVerificationFailure,
        other(webpki::Error::CaUsedAsEndEntity),
    ];
    for c in &all {
        let trust = certificate_trust(c, &[], None);
        assert_ne!(trust, Trust::Rejected(Problem::Unknown), "{c:?} has no words of its own");
        let f = cert_finding("api.example.com", &trust, None, &info());
        assert!(!f.title.is_empty());
        assert_plain(&f);
        // The same through rustls::Error, as the verifier returns it.
        assert_eq!(classify(&rustls::Error::InvalidCertificate(c.clone()), &[], None), trust);
    }
}

/// webpki's errors that rustls wraps in `Other`: each is downcast and named.
#[test]
#[allow(deprecated)]
fn webpki_errors_inside_other_are_downcast_and_named() {
    use webpki::Error as W;
    let named = [
        (W::CaUsedAsEndEntity, Problem::CaAsLeaf),
        (W::EndEntityUsedAsCa, Problem::LeafAsCa),
        (W::CertDistrusted, Problem::Distrusted),
        (W::RequiredEkuNotFound, Problem::WrongPurpose),
        (W::EmptyEkuExtension, Problem::WrongPurpose),
        (W::InvalidCertValidity, Problem::InvalidValidity),
        (W::NameConstraintViolation, Problem::NameConstraints),
        (W::PathLenConstraintViolated, Problem::NameConstraints),
        (W::MaximumPathDepthExceeded, Problem::ChainTooComplex),
        (W::BadDer, Problem::BadEncoding),
        (W::MalformedExtensions, Problem::BadEncoding),
        (W::UnsupportedCriticalExtension, Problem::CriticalExtension),
        (W::UnsupportedNameType, Problem::UnsupportedName),
        (W::UnsupportedSignatureAlgorithm, Problem::WeakSignature),
        (W::SignatureAlgorithmMismatch, Problem::WeakSignature),
        (W::InvalidSignatureForPublicKey, Problem::BadSignature),
        (W::CertRevoked, Problem::Revoked),
        (W::UnknownRevocationStatus, Problem::RevocationUnknown),
    ];
    for (e, p) in named {
        let got = certificate_trust(&other(e.clone()), &[], None);
        assert_eq!(got, Trust::Rejected(p), "{e:?}");
        let got = classify(&rustls::Error::Other(OtherError(Arc::new(e))), &[], None);
        assert_eq!(got, Trust::Rejected(p));
    }
    assert_eq!(certificate_trust(&other(W::UnknownIssuer), &[], None), Trust::UntrustedIssuer);
    // Not a webpki error at all: the generic plain sentence, never its Debug text.
    let strange = CertificateError::Other(OtherError(Arc::new(std::io::Error::other("Weird(Thing { x: 1 })"))));
    let trust = certificate_trust(&strange, &[], None);
    assert_eq!(trust, Trust::Rejected(Problem::Unknown));
    let f = cert_finding("api.example.com", &trust, None, &info());
    assert_eq!(f.title, "The certificate is not accepted");
    assert_plain(&f);
}

/// Every problem and every handshake failure has its own code and title, in plain words,
/// English and Korean.
#[test]
fn every_reason_has_distinct_plain_bilingual_words() {
    let mut codes = std::collections::HashSet::new();
    let mut titles = std::collections::HashSet::new();
    for p in Problem::ALL {
        let w = problem_words(p, "api.example.com");
        assert!(codes.insert(w.code), "code {} twice", w.code);
        assert!(titles.insert(w.title.0.clone()), "title {} twice", w.title.0);
        for t in [&w.title.1, &w.why.1, &w.fix.1] {
            assert!(t.chars().any(|c| ('가'..='힣').contains(&c)), "no Korean in {t}");
        }
        assert_plain(&cert_finding("api.example.com", &Trust::Rejected(p), None, &info()));
    }
    let mut codes = std::collections::HashSet::new();
    for h in HandshakeFailure::ALL {
        let w = handshake_failure_words(h, 443);
        assert!(codes.insert(w.code), "code {} twice", w.code);
        assert!(w.title.1.chars().any(|c| ('가'..='힣').contains(&c)));
        assert_plain(&handshake_failed("api.example.com", 443, &NetError::Handshake(h)));
    }
}

/// Alerts and incompatibilities the server can answer with, each named.
#[test]
fn handshake_errors_are_named() {
    use rustls::Error as E;
    let cases = [
        (E::AlertReceived(AlertDescription::ProtocolVersion), HandshakeFailure::OldProtocol),
        (E::AlertReceived(AlertDescription::HandshakeFailure), HandshakeFailure::NoSharedCipher),
        (E::AlertReceived(AlertDescription::InsufficientSecurity), HandshakeFailure::NoSharedCipher),
        (E::AlertReceived(AlertDescription::UnrecognisedName), HandshakeFailure::UnknownName),
        (E::AlertReceived(AlertDescription::InternalError), HandshakeFailure::ServerError),
        (E::AlertReceived(AlertDescription::CertificateRequired), HandshakeFailure::ClientCertificateRequired),
        (E::AlertReceived(AlertDescription::DecodeError), HandshakeFailure::Alert),
        (E::AlertReceived(AlertDescription::Unknown(250)), HandshakeFailure::Alert),
        (E::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13), HandshakeFailure::OldProtocol),
        (E::PeerIncompatible(PeerIncompatible::NoCipherSuitesInCommon), HandshakeFailure::NoSharedCipher),
        (E::InvalidCertificate(CertificateError::BadSignature), HandshakeFailure::KeyRefused),
        (E::NoCertificatesPresented, HandshakeFailure::NoCertificate),
        (E::DecryptError, HandshakeFailure::Misbehaved),
        (E::General("x".into()), HandshakeFailure::Other),
    ];
    for (e, want) in cases {
        assert_eq!(handshake_failure(&e), want, "{e:?}");
        let f = handshake_failed("api.example.com", 443, &NetError::Handshake(handshake_failure(&e)));
        assert_plain(&f);
    }
    // The old code's raw text: "TLS handshake failed: received fatal alert: HandshakeFailure".
    let f = handshake_failed(
        "api.example.com",
        443,
        &NetError::Handshake(handshake_failure(&E::AlertReceived(AlertDescription::HandshakeFailure))),
    );
    assert_eq!(f.code, "no_shared_cipher");
}

#[test]
fn a_wildcard_covers_exactly_one_label() {
    assert!(name_covers("*.example.com", "api.example.com"));
    assert!(name_covers("*.Example.com.", "API.example.com"));
    assert!(!name_covers("*.example.com", "example.com"));
    assert!(!name_covers("*.example.com", "a.b.example.com"));
    assert!(name_covers("example.com", "example.com"));
    assert!(!name_covers("www.example.com", "api.example.com"));
}
