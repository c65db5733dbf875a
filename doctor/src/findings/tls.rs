//! The TLS findings: handshake failures and refused certificates, with their words.

use super::*;

/// Words for one reason: title, why, fix; English then Korean.
pub struct Words {
    pub code: &'static str,
    pub title: (String, String),
    pub why: (String, String),
    pub fix: (String, String),
}

fn words(code: &'static str, title: [&str; 2], why: [&str; 2], fix: [&str; 2]) -> Words {
    Words {
        code,
        title: (title[0].to_string(), title[1].to_string()),
        why: (why[0].to_string(), why[1].to_string()),
        fix: (fix[0].to_string(), fix[1].to_string()),
    }
}

/// One plain clause for a handshake failure (also used in `NetError`'s Display).
pub fn handshake_reason(h: HandshakeFailure) -> &'static str {
    handshake_words(h).1
}

fn handshake_words(h: HandshakeFailure) -> (&'static str, &'static str) {
    match h {
        HandshakeFailure::OldProtocol => ("old_protocol", "the server only offers old TLS versions (1.0/1.1)"),
        HandshakeFailure::NoSharedCipher => ("no_shared_cipher", "the server and a modern browser share no cipher"),
        HandshakeFailure::UnknownName => ("unknown_name", "the server has no certificate set up for this name"),
        HandshakeFailure::ServerError => ("server_error", "the server hit an internal error while setting up TLS"),
        HandshakeFailure::ClientCertificateRequired => {
            ("client_certificate_required", "the server asks visitors for a client certificate")
        }
        HandshakeFailure::Alert => ("alert", "the server ended the handshake with an alert"),
        HandshakeFailure::KeyRefused => ("key_refused", "the server's key could not prove the certificate is its own"),
        HandshakeFailure::NoCertificate => ("no_certificate", "the server sent no certificate"),
        HandshakeFailure::Misbehaved => ("misbehaved", "the server broke the TLS protocol"),
        HandshakeFailure::NoAnswer => ("no_answer", "the server did not answer the handshake"),
        HandshakeFailure::ConnectionLost => ("connection_lost", "the connection closed during the handshake"),
        HandshakeFailure::BadServerName => ("bad_name", "the host cannot be used as a TLS server name"),
        HandshakeFailure::Other => ("failed", "the encrypted connection could not be set up"),
    }
}

/// The `tls.handshake` words for each failure: every variant, no wildcard.
pub fn handshake_failure_words(h: HandshakeFailure, port: u16) -> Words {
    let code = handshake_words(h).0;
    match h {
        HandshakeFailure::OldProtocol => words(
            code,
            ["The server only offers old TLS versions (1.0/1.1)", "서버가 오래된 TLS 버전(1.0/1.1)만 제공합니다"],
            ["Browsers dropped TLS 1.0 and 1.1 in 2020.", "브라우저는 2020년에 TLS 1.0과 1.1 지원을 중단했습니다."],
            [
                "nginx: `ssl_protocols TLSv1.2 TLSv1.3;`. ALB: choose a current security policy (ELBSecurityPolicy-TLS13-1-2-2021-06).",
                "nginx: `ssl_protocols TLSv1.2 TLSv1.3;`. ALB: 최신 보안 정책(ELBSecurityPolicy-TLS13-1-2-2021-06)을 선택하세요.",
            ],
        ),
        HandshakeFailure::NoSharedCipher => words(
            code,
            ["The server offers no cipher a modern browser accepts", "서버가 최신 브라우저가 받아들이는 암호 방식을 제공하지 않습니다"],
            [
                "The server refused the handshake: none of its cipher suites, key exchange groups or signature schemes is one browsers still use.",
                "서버가 핸드셰이크를 거절했습니다: 서버의 암호 스위트, 키 교환 그룹, 서명 방식 중 브라우저가 아직 쓰는 것이 하나도 없습니다.",
            ],
            [
                "nginx: remove a hand-written ssl_ciphers line (the defaults are fine) and use an RSA 2048 or ECDSA P-256 key. ALB: choose ELBSecurityPolicy-TLS13-1-2-2021-06.",
                "nginx: 직접 적은 ssl_ciphers 줄을 지우고(기본값이면 충분합니다) RSA 2048 또는 ECDSA P-256 키를 쓰세요. ALB: ELBSecurityPolicy-TLS13-1-2-2021-06 정책을 선택하세요.",
            ],
        ),
        HandshakeFailure::UnknownName => words(
            code,
            ["The server has no HTTPS set up for this name", "서버에 이 이름에 대한 HTTPS 설정이 없습니다"],
            [
                "The server answered the handshake with 'unrecognized name': no server block or listener certificate matches the name the browser asked for.",
                "서버가 핸드셰이크에 'unrecognized name'으로 답했습니다: 브라우저가 요청한 이름에 맞는 server 블록이나 리스너 인증서가 없습니다.",
            ],
            [
                "nginx: add the name to server_name in the `listen 443 ssl` server block. ALB: add the certificate for this name to the HTTPS listener.",
                "nginx: `listen 443 ssl` server 블록의 server_name에 이 이름을 추가하세요. ALB: HTTPS 리스너에 이 이름의 인증서를 추가하세요.",
            ],
        ),
        HandshakeFailure::ServerError => words(
            code,
            ["The server failed while setting up HTTPS", "서버가 HTTPS 연결을 준비하다가 실패했습니다"],
            [
                "The server reported an internal error during the handshake, most often because it cannot read its certificate or key file.",
                "서버가 핸드셰이크 중에 내부 오류를 알렸습니다. 대개 인증서나 키 파일을 읽지 못하는 경우입니다.",
            ],
            [
                "Read the server's error log (nginx: /var/log/nginx/error.log), check the certificate and key files exist and match, then `sudo nginx -t` and reload.",
                "서버의 오류 로그(nginx: /var/log/nginx/error.log)를 읽고, 인증서와 키 파일이 있는지, 서로 짝이 맞는지 확인한 다음 `sudo nginx -t` 후 reload 하세요.",
            ],
        ),
        HandshakeFailure::ClientCertificateRequired => words(
            code,
            ["The server demands a client certificate", "서버가 클라이언트 인증서를 요구합니다"],
            [
                "Browsers of ordinary visitors have no client certificate, so they cannot open the site.",
                "일반 방문자의 브라우저에는 클라이언트 인증서가 없어서 사이트를 열 수 없습니다.",
            ],
            [
                "nginx: remove `ssl_verify_client on;` from the public server block. ALB: turn off mutual TLS on the listener.",
                "nginx: 공개 server 블록에서 `ssl_verify_client on;`을 지우세요. ALB: 리스너의 상호 TLS(mutual TLS)를 끄세요.",
            ],
        ),
        HandshakeFailure::Alert => words(
            code,
            ["The server broke off the HTTPS handshake", "서버가 HTTPS 핸드셰이크를 중단했습니다"],
            [
                "The server sent a TLS alert instead of finishing the handshake; browsers show a connection error.",
                "서버가 핸드셰이크를 마치지 않고 TLS 경고(alert)를 보냈습니다. 브라우저는 연결 오류를 보여 줍니다.",
            ],
            [
                "Check the server's TLS settings (ssl_protocols, ssl_ciphers, certificate and key) and its error log at the time of this check.",
                "서버의 TLS 설정(ssl_protocols, ssl_ciphers, 인증서와 키)과 이 검사 시각의 오류 로그를 확인하세요.",
            ],
        ),
        HandshakeFailure::KeyRefused => words(
            code,
            ["The server's key was refused during the handshake", "핸드셰이크 중에 서버의 키가 거부되었습니다"],
            [
                "The server signs the handshake with its private key; that signature could not be checked: the key is too short (RSA under 2048 bits) or does not belong to the certificate.",
                "서버는 개인 키로 핸드셰이크에 서명합니다. 그 서명을 확인할 수 없었습니다: 키가 너무 짧거나(2048비트 미만 RSA) 인증서의 키가 아닙니다.",
            ],
            [
                "Make a new key (RSA 2048 or ECDSA P-256) and a certificate for it (certbot does both), and make sure ssl_certificate_key is the key of ssl_certificate.",
                "새 키(RSA 2048 또는 ECDSA P-256)와 그 키의 인증서를 만드세요(certbot이 둘 다 해 줍니다). ssl_certificate_key가 ssl_certificate의 키인지 확인하세요.",
            ],
        ),
        HandshakeFailure::NoCertificate => words(
            code,
            ["The server sent no certificate", "서버가 인증서를 보내지 않았습니다"],
            [
                "Without a certificate a browser cannot know it talks to the real site, so it refuses the connection.",
                "인증서가 없으면 브라우저는 진짜 사이트와 통신하는지 알 수 없어서 연결을 거부합니다.",
            ],
            [
                "nginx: set ssl_certificate and ssl_certificate_key in the `listen 443 ssl` server block. ALB: attach a certificate to the HTTPS listener.",
                "nginx: `listen 443 ssl` server 블록에 ssl_certificate와 ssl_certificate_key를 설정하세요. ALB: HTTPS 리스너에 인증서를 연결하세요.",
            ],
        ),
        HandshakeFailure::Misbehaved => words(
            code,
            ["The server answered the HTTPS handshake incorrectly", "서버가 HTTPS 핸드셰이크에 잘못 응답했습니다"],
            [
                "What came back on the HTTPS port does not follow the TLS protocol: a broken proxy, or a program that is not a web server.",
                "HTTPS 포트에서 돌아온 응답이 TLS 규약을 따르지 않습니다: 망가진 프록시이거나, 웹 서버가 아닌 프로그램입니다.",
            ],
            [
                "Check which program listens on the port (`sudo ss -ltnp`) and that it is nginx or the load balancer with HTTPS set up.",
                "어떤 프로그램이 이 포트에서 대기하는지(`sudo ss -ltnp`), 그것이 HTTPS가 설정된 nginx나 로드 밸런서인지 확인하세요.",
            ],
        ),
        HandshakeFailure::NoAnswer => words(
            code,
            ["The server accepted the connection but did not answer the HTTPS handshake", "서버가 연결은 받았지만 HTTPS 핸드셰이크에 응답하지 않았습니다"],
            [
                "Something listens on the port but does not speak: an overloaded or stuck server, or a proxy waiting for a backend.",
                "포트에서 무언가 대기하고 있지만 응답하지 않습니다: 과부하로 멈춘 서버이거나 백엔드를 기다리는 프록시입니다.",
            ],
            [
                "Check the server's load and error log, and which program listens on the port (`sudo ss -ltnp`).",
                "서버의 부하와 오류 로그, 그리고 어떤 프로그램이 이 포트에서 대기하는지(`sudo ss -ltnp`) 확인하세요.",
            ],
        ),
        HandshakeFailure::ConnectionLost => words(
            code,
            ["The connection closed in the middle of the HTTPS handshake", "HTTPS 핸드셰이크 도중에 연결이 끊어졌습니다"],
            [
                "The server (or something in front of it) hung up instead of finishing the handshake, often because HTTPS is not set up for this port or name.",
                "서버(또는 그 앞의 무언가)가 핸드셰이크를 마치지 않고 연결을 끊었습니다. 이 포트나 이름에 HTTPS가 설정되지 않은 경우가 많습니다.",
            ],
            [
                "nginx: check there is a `listen 443 ssl` server block for this name and read the error log. ALB: check the HTTPS listener has a certificate.",
                "nginx: 이 이름에 대한 `listen 443 ssl` server 블록이 있는지 확인하고 오류 로그를 읽으세요. ALB: HTTPS 리스너에 인증서가 있는지 확인하세요.",
            ],
        ),
        HandshakeFailure::BadServerName => words(
            code,
            ["This host name cannot be used for HTTPS", "이 호스트 이름은 HTTPS에 쓸 수 없습니다"],
            [
                "A certificate is issued for a DNS name (or an IP address); this host is neither.",
                "인증서는 DNS 이름(또는 IP 주소)에 대해 발급됩니다. 이 호스트는 둘 다 아닙니다.",
            ],
            ["Use the site's DNS name, like api.example.com.", "api.example.com처럼 사이트의 DNS 이름을 쓰세요."],
        ),
        HandshakeFailure::Other => words(
            code,
            [&format!("The HTTPS handshake on port {port} failed"), &format!("{port}번 포트의 HTTPS 핸드셰이크가 실패했습니다")],
            [
                "Browsers cannot set up an encrypted connection, so they show an error page.",
                "브라우저가 암호화된 연결을 맺지 못해 오류 페이지를 보여 줍니다.",
            ],
            [
                "Check the server's TLS settings (certificate and key files readable, ssl_protocols) and its error log.",
                "서버의 TLS 설정(인증서와 키 파일을 읽을 수 있는지, ssl_protocols)과 서버의 오류 로그를 확인하세요.",
            ],
        ),
    }
}

pub fn handshake_failed(host: &str, port: u16, e: &NetError) -> Finding {
    let h = match e {
        NetError::Handshake(h) => *h,
        NetError::NoAnswer(_) => HandshakeFailure::NoAnswer,
        _ => HandshakeFailure::ConnectionLost,
    };
    let w = handshake_failure_words(h, port);
    Finding::new("tls.handshake", w.code, Area::Tls, format!("{host}:{port}"), Verdict::Fail)
        .title(w.title.0)
        .evidence(format!("TLS handshake with {host}:{port}: {}", handshake_reason(h)))
        .why(w.why.0)
        .fix(w.fix.0)
        .ko(w.title.1, w.why.1, w.fix.1)
}

/// The `tls.certificate` words for a refused certificate: every [`Problem`], no wildcard.
pub fn problem_words(p: Problem, host: &str) -> Words {
    let reissue = [
        format!("Get a new certificate for {host}: `sudo certbot --nginx -d {host}` on the instance, or ACM for an ALB or CloudFront, and serve its full chain."),
        format!("{host}용 인증서를 새로 받으세요: 인스턴스에서 `sudo certbot --nginx -d {host}`를 실행하거나, ALB나 CloudFront라면 ACM을 쓰고, 전체 인증서 체인을 제공하세요."),
    ];
    let re = [reissue[0].as_str(), reissue[1].as_str()];
    match p {
        Problem::NoCertificate => words(
            "no_certificate",
            ["The server sent no certificate", "서버가 인증서를 보내지 않았습니다"],
            ["Without a certificate a browser cannot know it talks to the real site.", "인증서가 없으면 브라우저는 진짜 사이트와 통신하는지 알 수 없습니다."],
            [
                "nginx: set ssl_certificate and ssl_certificate_key. ALB: attach a certificate to the HTTPS listener.",
                "nginx: ssl_certificate와 ssl_certificate_key를 설정하세요. ALB: HTTPS 리스너에 인증서를 연결하세요.",
            ],
        ),
        Problem::NoTrustStore => words(
            "no_trust_store",
            ["The certificate could not be judged: no trusted authorities to compare with", "인증서를 판단할 수 없습니다: 비교할 신뢰 기관 목록이 없습니다"],
            [
                "The doctor needs a list of trusted certificate authorities (the system's, or the file given with --ca-file), and that list is empty.",
                "진단 도구에는 신뢰할 인증 기관 목록(시스템의 목록이나 --ca-file로 준 파일)이 필요한데, 그 목록이 비어 있습니다.",
            ],
            [
                "Install the ca-certificates package on the machine running lockstep, or give a PEM file of CA certificates with --ca-file.",
                "lockstep을 실행하는 컴퓨터에 ca-certificates 패키지를 설치하거나, --ca-file로 CA 인증서 PEM 파일을 지정하세요.",
            ],
        ),
        Problem::CaAsLeaf => words(
            "ca_as_server_certificate",
            [
                "The certificate is a self-made CA certificate, not a server certificate",
                "인증서가 서버 인증서가 아니라 직접 만든 CA 인증서입니다",
            ],
            [
                "It is marked as a certificate authority (basicConstraints CA:TRUE), which is what `openssl req -x509` makes by default; browsers refuse a CA certificate as a site's own certificate, and nobody vouches for it.",
                "이 인증서는 인증 기관(basicConstraints CA:TRUE)으로 표시되어 있습니다. `openssl req -x509`가 기본으로 만드는 형태입니다. 브라우저는 CA 인증서를 사이트 자체의 인증서로 받아들이지 않고, 아무도 이 인증서를 보증하지 않습니다.",
            ],
            re,
        ),
        Problem::LeafAsCa => words(
            "server_certificate_as_ca",
            ["The chain uses a server certificate as if it were an authority", "인증서 체인이 서버 인증서를 인증 기관처럼 쓰고 있습니다"],
            [
                "A certificate in the chain was signed by a certificate that is not allowed to sign others.",
                "체인의 인증서 하나가 다른 인증서에 서명할 수 없는 인증서로 서명되었습니다.",
            ],
            re,
        ),
        Problem::WrongPurpose => words(
            "wrong_purpose",
            ["The certificate is not meant for web servers", "인증서가 웹 서버용이 아닙니다"],
            [
                "Its extended key usage does not include server authentication (for example it allows only client authentication), so browsers refuse it for a site.",
                "인증서의 확장 키 용도(extended key usage)에 서버 인증이 없습니다(예: 클라이언트 인증만 허용). 그래서 브라우저는 사이트용으로 받아들이지 않습니다.",
            ],
            re,
        ),
        Problem::WeakSignature => words(
            "weak_signature",
            ["The certificate is signed with an outdated algorithm (such as SHA-1)", "인증서가 오래된 알고리즘(예: SHA-1)으로 서명되었습니다"],
            [
                "Browsers stopped accepting SHA-1 and MD5 signatures in 2017 because they can be forged.",
                "SHA-1과 MD5 서명은 위조될 수 있어서 브라우저가 2017년부터 받아들이지 않습니다.",
            ],
            re,
        ),
        Problem::WeakKey => words(
            "weak_key",
            ["The certificate's key is too short (RSA under 2048 bits)", "인증서의 키가 너무 짧습니다 (2048비트 미만 RSA)"],
            [
                "Short RSA keys can be broken; browsers and TLS libraries refuse keys under 2048 bits.",
                "짧은 RSA 키는 깨질 수 있습니다. 브라우저와 TLS 라이브러리는 2048비트 미만의 키를 거부합니다.",
            ],
            [
                &format!("Make a new key of RSA 2048 bits or more (or ECDSA P-256) and a certificate for it: `sudo certbot --nginx -d {host}` does both; ACM keys are always long enough."),
                &format!("2048비트 이상의 RSA(또는 ECDSA P-256) 키와 그 키의 인증서를 새로 만드세요: `sudo certbot --nginx -d {host}`가 둘 다 해 줍니다. ACM의 키는 항상 충분히 깁니다."),
            ],
        ),
        Problem::BadSignature => words(
            "bad_signature",
            ["The certificate's signature does not match its issuer", "인증서의 서명이 발급자와 맞지 않습니다"],
            [
                "The issuer's key did not make this signature: the chain file mixes certificates from different issuances, or the certificate was altered.",
                "이 서명은 발급자의 키로 만든 것이 아닙니다: 체인 파일에 서로 다른 발급의 인증서가 섞였거나, 인증서가 변경되었습니다.",
            ],
            re,
        ),
        Problem::BadEncoding => words(
            "malformed",
            ["The certificate is damaged or malformed", "인증서가 손상되었거나 형식이 잘못되었습니다"],
            [
                "Its bytes do not form a valid certificate; browsers cannot read it.",
                "인증서의 바이트가 올바른 인증서 형식이 아닙니다. 브라우저가 읽을 수 없습니다.",
            ],
            [
                "Copy the certificate file again in full (PEM, with its BEGIN and END lines) or re-issue it.",
                "인증서 파일을 BEGIN과 END 줄까지 포함해 다시 온전히 복사하거나(PEM), 다시 발급하세요.",
            ],
        ),
        Problem::InvalidValidity => words(
            "invalid_dates",
            ["The certificate's validity dates are impossible", "인증서의 유효 기간 날짜가 올바르지 않습니다"],
            ["Its end date is before its start date, so it is never valid.", "종료 날짜가 시작 날짜보다 앞이라서 한 번도 유효하지 않습니다."],
            re,
        ),
        Problem::Revoked => words(
            "revoked",
            ["The certificate has been revoked", "인증서가 폐기(revoke)되었습니다"],
            [
                "The authority that issued it has withdrawn it, for example after the key leaked; browsers refuse it.",
                "발급 기관이 인증서를 철회했습니다(예: 키 유출 이후). 브라우저가 거부합니다.",
            ],
            re,
        ),
        Problem::RevocationUnknown => words(
            "revocation_unknown",
            ["Whether the certificate was revoked could not be checked", "인증서가 폐기되었는지 확인할 수 없습니다"],
            [
                "The revocation information needed (a revocation list or OCSP answer) was missing, out of date or unreadable.",
                "필요한 폐기 정보(폐기 목록이나 OCSP 응답)가 없거나, 오래되었거나, 읽을 수 없습니다.",
            ],
            [
                "Run the doctor again later; if it repeats, re-issue the certificate from a public authority (ACM or Let's Encrypt).",
                "나중에 다시 검사해 보세요. 같은 일이 반복되면 공인 기관(ACM이나 Let's Encrypt)에서 인증서를 다시 발급하세요.",
            ],
        ),
        Problem::CriticalExtension => words(
            "unknown_critical_extension",
            ["The certificate has a required extension browsers do not understand", "인증서에 브라우저가 이해하지 못하는 필수 확장이 있습니다"],
            [
                "An extension marked critical must be understood to accept the certificate; this one is not.",
                "critical로 표시된 확장은 이해해야만 인증서를 받아들일 수 있는데, 이 확장은 그렇지 않습니다.",
            ],
            re,
        ),
        Problem::NameConstraints => words(
            "name_constraints",
            ["The issuing authority is not allowed to issue this certificate", "발급 기관이 이 인증서를 발급할 권한이 없습니다"],
            [
                "An authority in the chain is limited to certain names or chain lengths, and this certificate is outside those limits.",
                "체인의 인증 기관은 정해진 이름이나 체인 길이에 대해서만 발급할 수 있는데, 이 인증서는 그 범위를 벗어납니다.",
            ],
            re,
        ),
        Problem::Distrusted => words(
            "distrusted",
            ["The certificate's authority is no longer trusted", "인증서 발급 기관을 더 이상 신뢰하지 않습니다"],
            ["Browsers have removed their trust in the authority that issued it.", "브라우저가 이 인증서를 발급한 기관에 대한 신뢰를 철회했습니다."],
            re,
        ),
        Problem::ChainTooComplex => words(
            "chain_too_complex",
            ["The certificate chain is too long or tangled to check", "인증서 체인이 너무 길거나 복잡해서 확인할 수 없습니다"],
            [
                "The server sends more certificates than a browser will try to link up, or certificates that do not form one chain.",
                "서버가 브라우저가 이어 붙여 볼 수 있는 것보다 많은 인증서를 보내거나, 하나의 체인을 이루지 않는 인증서를 보냅니다.",
            ],
            [
                "Serve only the site's certificate followed by its intermediate(s): certbot's fullchain.pem, or ACM's certificate chain.",
                "사이트의 인증서와 그 뒤의 중간 인증서만 제공하세요: certbot의 fullchain.pem이나 ACM의 인증서 체인입니다.",
            ],
        ),
        Problem::UnsupportedName => words(
            "unsupported_name",
            ["The certificate names the site in a form browsers cannot check", "인증서가 브라우저가 확인할 수 없는 형태로 사이트 이름을 적고 있습니다"],
            [
                "Certificates for web sites list DNS names (or IP addresses) in their subject alternative names.",
                "웹 사이트용 인증서는 주체 대체 이름(subject alternative name)에 DNS 이름(또는 IP 주소)을 적습니다.",
            ],
            re,
        ),
        Problem::RejectedByPolicy => words(
            "rejected_by_policy",
            ["The certificate was refused by a local check", "인증서가 로컬 검사에서 거부되었습니다"],
            ["A rule of this installation refused the certificate.", "이 설치 환경의 규칙이 인증서를 거부했습니다."],
            re,
        ),
        Problem::Unknown => words(
            "invalid",
            ["The certificate is not accepted", "인증서가 받아들여지지 않습니다"],
            [
                "Checked the way a browser checks it, the certificate was refused for a reason the doctor has no plain words for yet.",
                "브라우저와 같은 방식으로 확인했을 때, 진단 도구가 아직 쉬운 말로 설명하지 못하는 이유로 인증서가 거부되었습니다.",
            ],
            re,
        ),
    }
}

pub fn cert_finding(host: &str, trust: &Trust, leaf: Option<&CertFacts>, info: &TlsInfo) -> Finding {
    let names = leaf.map(|l| l.names.join(", ")).unwrap_or_default();
    let issuer = leaf.map(|l| l.issuer.clone()).unwrap_or_default();
    let base = |code: &str, v: Verdict| {
        let mut f = Finding::new("tls.certificate", code, Area::Tls, host, v);
        if let Some(l) = leaf {
            f = f
                .evidence(format!("names: {}", l.names.join(", ")))
                .evidence(format!("issuer: {}", l.issuer))
                .evidence(format!("chain sent: {} certificate(s)", info.chain.len()));
        }
        f
    };
    match trust {
        Trust::Ok => base("ok", Verdict::Pass)
            .title(format!("Certificate is valid for {host} and trusted (issuer {issuer})"))
            .ko(format!("인증서가 {host}에 대해 유효하고 신뢰할 수 있습니다 (발급자 {issuer})"), "", ""),
        Trust::NameMismatch => {
            let near: Vec<&String> = leaf.map(|l| l.names.iter().filter(|n| n.starts_with("*.")).collect()).unwrap_or_default();
            let wildcard_hint = if near.iter().any(|n| host.ends_with(n.trim_start_matches('*'))) && !near.iter().any(|n| name_covers(n, host)) {
                " A wildcard covers exactly one label: *.example.com covers api.example.com but not example.com or a.b.example.com."
            } else {
                ""
            };
            let wildcard_hint_ko = if wildcard_hint.is_empty() {
                ""
            } else {
                " 와일드카드는 정확히 한 단계만 포함합니다: *.example.com은 api.example.com을 포함하지만 example.com이나 a.b.example.com은 포함하지 않습니다."
            };
            base("name_mismatch", Verdict::Fail)
                .title(format!("The certificate is not for {host} (it is for {names})"))
                .why(format!("Browsers check that the name in the address bar is one of the certificate's names; otherwise NET::ERR_CERT_COMMON_NAME_INVALID.{wildcard_hint}"))
                .fix(format!("Request a certificate that includes {host} (ACM: add it to the names; certbot: `-d {host}`), and attach it to the listener or server block that serves {host}."))
                .ko(
                    format!("인증서가 {host}용이 아닙니다 (인증서의 이름: {names})"),
                    format!("브라우저는 주소창의 이름이 인증서의 이름 중 하나인지 확인합니다. 아니면 NET::ERR_CERT_COMMON_NAME_INVALID 오류가 납니다.{wildcard_hint_ko}"),
                    format!("{host} 이름이 포함된 인증서를 요청하세요 (ACM: 이름 목록에 추가, certbot: `-d {host}`). 그리고 {host} 요청을 처리하는 리스너나 server 블록에 그 인증서를 연결하세요."),
                )
        }
        Trust::Expired => base("expired", Verdict::Fail)
            .title("The certificate has expired")
            .ko("인증서가 만료되었습니다", "", ""),
        Trust::NotYetValid => base("not_yet_valid", Verdict::Fail)
            .title("The certificate is not valid yet")
            .why("Its start date is in the future, or the server's clock is wrong.")
            .fix("Check the server's clock (timedatectl / chrony); re-issue the certificate.")
            .ko(
                "인증서가 아직 유효하지 않습니다",
                "인증서의 시작 날짜가 미래이거나, 서버의 시계가 틀렸습니다.",
                "서버의 시계를 확인하고(timedatectl / chrony) 인증서를 다시 발급하세요.",
            ),
        Trust::SelfSigned => base("self_signed", Verdict::Fail)
            .title("The certificate is self-signed")
            .why("Nobody vouches for a self-signed certificate; browsers show NET::ERR_CERT_AUTHORITY_INVALID and API calls fail.")
            .fix(format!("Get a free certificate: `sudo certbot --nginx -d {host}` on the instance, or ACM for an ALB or CloudFront."))
            .ko(
                "자체 서명 인증서입니다",
                "자체 서명 인증서는 아무도 보증해 주지 않습니다. 브라우저는 NET::ERR_CERT_AUTHORITY_INVALID 오류를 보여 주고 API 호출은 실패합니다.",
                format!("무료 인증서를 받으세요: 인스턴스에서 `sudo certbot --nginx -d {host}`를 실행하거나, ALB나 CloudFront라면 ACM을 쓰세요."),
            ),
        Trust::IncompleteChain => base("incomplete_chain", Verdict::Fail)
            .title("The server sends its certificate without the intermediate")
            .why("Browsers need the chain up to a trusted root. Some desktop browsers patch it up from a cache; phones, curl, Java, Node and Python fail with 'unable to get local issuer certificate'.")
            .fix("nginx: point ssl_certificate at fullchain.pem, not cert.pem (certbot writes both). Elsewhere, append the intermediate after the leaf.")
            .ko(
                "서버가 중간 인증서 없이 인증서만 보냅니다",
                "브라우저에는 신뢰할 수 있는 루트까지 이어지는 인증서 체인이 필요합니다. 일부 데스크톱 브라우저는 캐시로 빈 곳을 채우지만, 휴대폰, curl, Java, Node, Python은 'unable to get local issuer certificate' 오류로 실패합니다.",
                "nginx: ssl_certificate가 cert.pem이 아니라 fullchain.pem을 가리키게 하세요 (certbot이 둘 다 만듭니다). 다른 서버라면 리프(leaf) 인증서 뒤에 중간 인증서를 이어 붙이세요.",
            ),
        Trust::UntrustedIssuer => base("untrusted_issuer", Verdict::Fail)
            .title(format!("The certificate's issuer is not trusted ({issuer})"))
            .why("The chain does not end at a certificate authority that browsers trust: a private CA, a test CA (Let's Encrypt staging), or a wrong chain file.")
            .fix("Issue a certificate from a public CA (ACM, or certbot without --staging / --test-cert) and serve its full chain.")
            .ko(
                format!("인증서 발급자를 신뢰할 수 없습니다 ({issuer})"),
                "인증서 체인이 브라우저가 신뢰하는 인증 기관에서 끝나지 않습니다: 사설 CA, 테스트용 CA(Let's Encrypt staging), 또는 잘못된 체인 파일입니다.",
                "공인 CA에서 인증서를 발급받고(ACM, 또는 --staging / --test-cert 없이 certbot) 전체 인증서 체인을 제공하세요.",
            ),
        Trust::Rejected(p) => {
            let w = problem_words(*p, host);
            base(w.code, Verdict::Fail).title(w.title.0).why(w.why.0).fix(w.fix.0).ko(w.title.1, w.why.1, w.fix.1)
        }
    }
}
