//! Connections as a browser would make them, but telling apart every way they fail.
//!
//! TCP: open / refused / timed out. TLS: the handshake always completes when the peer speaks TLS
//! (an accept-all verifier), so a site with a bad certificate can still be examined; the
//! certificate is then judged separately against the real trust store (`tls.rs`). HTTP/1.1 through
//! hyper's connection API over the stream we opened ourselves (so we choose the address and SNI).
//!
//! Every connection of a doctor run (the URL, each redirect hop, each fetched script or page)
//! goes through [`Net::tcp`], which asks the [`Egress`] policy about the exact address it is about
//! to connect to: lockstep never connects to a private or internal address because a URL (or a
//! DNS answer, or a `Location` header) pointed there.

use crate::dns::{Dns, DnsError, Rdata, Rtype};
use crate::egress::{Egress, NotPublic};
use crate::tls::HandshakeFailure;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, ProtocolVersion, SignatureScheme};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The name has no address (NXDOMAIN or no A/AAAA).
    NoAddress(String),
    /// Nothing listens on the port (TCP RST).
    Refused(SocketAddr),
    /// No answer at all: a firewall or security group drops the packets.
    Timeout(SocketAddr),
    /// TCP failed otherwise (unreachable network...).
    Connect(SocketAddr, String),
    /// The port answered, but not with TLS: a plain-HTTP listener on the HTTPS port.
    NotTls(String),
    /// The TLS handshake failed (protocol version, alert...), in our words.
    Handshake(crate::tls::HandshakeFailure),
    /// Connected, but no HTTP answer within this long (a stuck app, or packets dropped later).
    NoAnswer(Duration),
    /// The HTTP exchange failed.
    Http(String),
    /// Not connected: the address is not a public one (see [`crate::egress`]).
    Blocked(SocketAddr, NotPublic),
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetError::NoAddress(h) => write!(f, "{h} has no address in DNS"),
            NetError::Refused(a) => write!(f, "connection to {a} refused (nothing listens there)"),
            NetError::Timeout(a) => write!(f, "connection to {a} timed out (packets dropped)"),
            NetError::Connect(a, e) => write!(f, "connection to {a} failed: {e}"),
            NetError::NotTls(e) => write!(f, "the port does not speak TLS: {e}"),
            NetError::Handshake(e) => write!(f, "TLS handshake failed: {}", crate::findings::handshake_reason(*e)),
            NetError::NoAnswer(d) => write!(f, "no answer within {} s", d.as_secs_f32()),
            NetError::Http(e) => write!(f, "HTTP failed: {e}"),
            NetError::Blocked(a, why) => {
                write!(f, "not connected to {a}: lockstep does not connect to {why}")
            }
        }
    }
}

/// What the TLS handshake showed.
#[derive(Debug, Clone, Default)]
pub struct TlsInfo {
    pub version: String,
    pub chain: Vec<CertificateDer<'static>>,
    /// The application protocol agreed over ALPN (`h2`, `http/1.1`), when the server chose one.
    pub alpn: Option<String>,
    /// The server stapled an OCSP answer to its certificate.
    pub ocsp_stapled: bool,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub url: Url,
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub addr: SocketAddr,
    pub tls: Option<TlsInfo>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers.get_all(name).iter().filter_map(|v| v.to_str().ok().map(str::to_string)).collect()
    }
    pub fn status_line(&self) -> String {
        let reason = http::StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        format!("{} {} -> {} {}", "GET", self.url, self.status, reason)
    }
}

/// Timeouts per operation.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub tls: Duration,
    pub http: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(4), tls: Duration::from_secs(5), http: Duration::from_secs(8) }
    }
}

pub struct Net {
    dns: Arc<dyn Dns>,
    tls: Arc<ClientConfig>,
    pub timeouts: Timeouts,
    /// Which addresses may be connected to (public only, unless a lab or test opts in).
    pub egress: Egress,
    /// Addresses already looked up in this run (one doctor run asks about few names many times).
    cache: Mutex<HashMap<String, Result<Vec<IpAddr>, NetError>>>,
}

impl Net {
    pub fn new(dns: Arc<dyn Dns>, timeouts: Timeouts) -> Net {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the default provider supports the default versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny { provider, stapled: None }))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Net { dns, tls: Arc::new(config), timeouts, egress: Egress::PublicOnly, cache: Mutex::new(HashMap::new()) }
    }

    pub fn dns(&self) -> &Arc<dyn Dns> {
        &self.dns
    }

    /// A and AAAA of `host` (IPv4 first), CNAMEs followed.
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, NetError> {
        if let Ok(ip) = host.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        if let Some(hit) = self.cache.lock().expect("cache lock").get(host) {
            return hit.clone();
        }
        let (a, aaaa) = futures::join!(self.dns.query(host, Rtype::A), self.dns.query(host, Rtype::Aaaa));
        let mut ips = Vec::new();
        for records in [a, aaaa].into_iter().flatten() {
            ips.extend(records.into_iter().filter_map(|(_, d)| match d {
                Rdata::A(ip) => Some(ip),
                _ => None,
            }));
        }
        let result = if ips.is_empty() { Err(NetError::NoAddress(host.to_string())) } else { Ok(ips) };
        self.cache.lock().expect("cache lock").insert(host.to_string(), result.clone());
        result
    }

    /// The one place a doctor connection is opened: the address is checked against the egress
    /// policy right here, on the exact address connected to (no gap between the check and the
    /// connect for a DNS answer to change in).
    pub async fn tcp(&self, host: &str, port: u16) -> Result<TcpStream, NetError> {
        let ips = self.addresses(host).await?;
        let addr = SocketAddr::new(ips[0], port);
        self.egress.check(addr.ip()).map_err(|why| NetError::Blocked(addr, why))?;
        match tokio::time::timeout(self.timeouts.connect, TcpStream::connect(addr)).await {
            Err(_) => Err(NetError::Timeout(addr)),
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => Err(NetError::Refused(addr)),
            Ok(Err(e)) if e.kind() == io::ErrorKind::TimedOut => Err(NetError::Timeout(addr)),
            Ok(Err(e)) => Err(NetError::Connect(addr, e.to_string())),
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                Ok(s)
            }
        }
    }

    /// TLS with SNI = `host`. Any certificate is accepted here; see `tls::judge`.
    pub async fn tls(&self, host: &str, port: u16) -> Result<(TlsStream<TcpStream>, TlsInfo), NetError> {
        self.handshake(host, port, self.tls.clone()).await
    }

    /// The handshake a browser makes, to see what the server offers: `h2` and `http/1.1` over
    /// ALPN, a stapled OCSP answer, and (with `versions`) only these TLS versions. The stream is
    /// not for HTTP (it may have agreed on HTTP/2): only the facts are returned.
    pub async fn tls_offer(
        &self,
        host: &str,
        port: u16,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<TlsInfo, NetError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let stapled = Arc::new(AtomicBool::new(false));
        let verifier = AcceptAny { provider: provider.clone(), stapled: Some(stapled.clone()) };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(|_| NetError::Handshake(HandshakeFailure::Other))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let (_, mut info) = self.handshake(host, port, Arc::new(config)).await?;
        info.ocsp_stapled = stapled.load(Ordering::Relaxed);
        Ok(info)
    }

    async fn handshake(
        &self,
        host: &str,
        port: u16,
        config: Arc<ClientConfig>,
    ) -> Result<(TlsStream<TcpStream>, TlsInfo), NetError> {
        let tcp = self.tcp(host, port).await?;
        let name = server_name(host).ok_or(NetError::Handshake(HandshakeFailure::BadServerName))?;
        let connector = TlsConnector::from(config);
        let stream = match tokio::time::timeout(self.timeouts.tls, connector.connect(name, tcp)).await {
            Err(_) => return Err(NetError::Handshake(HandshakeFailure::NoAnswer)),
            Ok(Err(e)) => return Err(classify_handshake(e)),
            Ok(Ok(s)) => s,
        };
        let (_, conn) = stream.get_ref();
        let version = match conn.protocol_version() {
            Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
            Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
            Some(v) => format!("{v:?}"),
            None => "unknown".to_string(),
        };
        let chain =
            conn.peer_certificates().map(|c| c.iter().map(|c| c.clone().into_owned()).collect()).unwrap_or_default();
        let alpn = conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).to_string());
        Ok((stream, TlsInfo { version, chain, alpn, ocsp_stapled: false }))
    }

    /// One HTTP/1.1 request to `url` (no redirects followed), body read up to `limit` bytes.
    pub async fn request(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        limit: usize,
    ) -> Result<Response, NetError> {
        let host = url.host_str().ok_or_else(|| NetError::Http(format!("{url} has no host")))?.to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let (stream, tls) = if url.scheme() == "https" {
            let (s, info) = self.tls(&host, port).await?;
            (Stream::Tls(Box::new(s)), Some(info))
        } else {
            (Stream::Plain(self.tcp(&host, port).await?), None)
        };
        let addr = stream.peer_addr();
        let work = async {
            let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| NetError::Http(e.to_string()))?;
            let driver = tokio::spawn(async move {
                let _ = conn.await;
            });
            let authority = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.clone(),
            };
            let path = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let mut req = http::Request::builder()
                .method(method)
                .uri(path)
                .header("host", authority)
                .header("user-agent", concat!("lockstep-doctor/", env!("CARGO_PKG_VERSION")))
                .header("accept", "*/*");
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let req = req.body(Empty::<Bytes>::new()).map_err(|e| NetError::Http(e.to_string()))?;
            let res = sender.send_request(req).await.map_err(|e| NetError::Http(e.to_string()))?;
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let body = if method == "HEAD" {
                Bytes::new()
            } else {
                match Limited::new(res.into_body(), limit).collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(_) => Bytes::new(),
                }
            };
            driver.abort();
            Ok::<_, NetError>((status, headers, body))
        };
        let (status, headers, body) = tokio::time::timeout(self.timeouts.http, work)
            .await
            .map_err(|_| NetError::NoAnswer(self.timeouts.http))??;
        Ok(Response {
            url: url.clone(),
            status,
            headers,
            body,
            addr: addr.unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0))),
            tls,
        })
    }

    pub async fn get(&self, url: &Url, limit: usize) -> Result<Response, NetError> {
        self.request("GET", url, &[], limit).await
    }

    /// A plain-HTTP GET to a port, raw, to see what a non-TLS client gets there (e.g. nginx's
    /// 400 "The plain HTTP request was sent to HTTPS port", or a TLS alert).
    pub async fn raw_http_probe(&self, host: &str, port: u16) -> Result<String, NetError> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = self.tcp(host, port).await?;
        let req = format!("GET / HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let io = async {
            s.write_all(req.as_bytes()).await?;
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 1024];
            while buf.len() < 4096 {
                let n = s.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Ok::<_, io::Error>(String::from_utf8_lossy(&buf).to_string())
        };
        match tokio::time::timeout(self.timeouts.http, io).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(NetError::Http(e.to_string())),
            Err(_) => Err(NetError::NoAnswer(self.timeouts.http)),
        }
    }
}

impl From<DnsError> for NetError {
    fn from(e: DnsError) -> Self {
        NetError::NoAddress(format!("{e:?}"))
    }
}

fn classify_handshake(e: io::Error) -> NetError {
    let text = e.to_string();
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()).cloned();
    match inner {
        Some(rustls::Error::InvalidMessage(m)) => NetError::NotTls(format!("{m:?}")),
        Some(rustls::Error::InappropriateMessage { .. })
        | Some(rustls::Error::InappropriateHandshakeMessage { .. }) => NetError::NotTls(text),
        Some(other) => NetError::Handshake(crate::tls::handshake_failure(&other)),
        None if text.contains("InvalidContentType") || text.contains("corrupt message") => NetError::NotTls(text),
        // An I/O error without a TLS reason: the peer closed or reset the connection.
        None => NetError::Handshake(HandshakeFailure::ConnectionLost),
    }
}

/// The name to send as SNI and to verify: a DNS name, or an IP address (a URL's `[2001:db8::1]`
/// loses its brackets; an IP is verified against the certificate's IP addresses).
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    ServerName::try_from(bare.to_string()).ok()
}

/// Accepts any certificate (signatures are still checked): the doctor judges certificates itself.
/// Notes whether an OCSP answer was stapled, when asked to.
#[derive(Debug)]
struct AcceptAny {
    provider: Arc<rustls::crypto::CryptoProvider>,
    stapled: Option<Arc<AtomicBool>>,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(s) = &self.stapled {
            s.store(!ocsp.is_empty(), Ordering::Relaxed);
        }
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    fn peer_addr(&self) -> Option<SocketAddr> {
        match self {
            Stream::Plain(s) => s.peer_addr().ok(),
            Stream::Tls(s) => s.get_ref().0.peer_addr().ok(),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
