//! Does the server still accept TLS 1.0 or 1.1? rustls cannot speak either, so the doctor writes
//! the one message that asks, a ClientHello limited to that version (a few dozen bytes, by hand),
//! and reads the first bytes of the answer: a ServerHello with that version means accepted; an
//! alert, a closed connection or another version means refused. The handshake never goes further
//! (no key exchange, nothing sent in the old protocol).

use crate::net::Net;
use std::net::IpAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The versions browsers dropped in 2020.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    Tls10,
    Tls11,
}

impl Legacy {
    pub const ALL: [Legacy; 2] = [Legacy::Tls10, Legacy::Tls11];

    fn wire(self) -> [u8; 2] {
        match self {
            Legacy::Tls10 => [3, 1],
            Legacy::Tls11 => [3, 2],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Legacy::Tls10 => "TLS 1.0",
            Legacy::Tls11 => "TLS 1.1",
        }
    }
}

/// What the server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello for this version.
    Accepted,
    /// An alert (its description code), a ServerHello for another version, or the connection
    /// closed: the version is not spoken.
    Refused,
    /// No answer in time, not TLS, or no connection: nothing can be said.
    Unknown,
}

/// The cipher suites servers of the TLS 1.0 era pick from (ECDHE and RSA key exchange, AES-CBC
/// and 3DES with SHA-1): any server that speaks 1.0 or 1.1 shares one of them.
const SUITES: [u16; 10] = [0xc013, 0xc014, 0xc009, 0xc00a, 0x0033, 0x0039, 0x002f, 0x0035, 0x000a, 0x0005];

fn u16be(v: usize) -> [u8; 2] {
    [(v >> 8) as u8, v as u8]
}

/// A ClientHello offering only `v`, with SNI when `host` is a name (not an address), the usual
/// curves and secure renegotiation (some servers refuse a hello without it).
pub fn client_hello(v: Legacy, host: &str) -> Vec<u8> {
    let mut ext = Vec::new();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_err() && !bare.is_empty() {
        let name = bare.as_bytes();
        ext.extend([0, 0]);
        ext.extend(u16be(name.len() + 5));
        ext.extend(u16be(name.len() + 3));
        ext.push(0);
        ext.extend(u16be(name.len()));
        ext.extend(name);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    ext.extend([0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]);
    // ec_point_formats: uncompressed.
    ext.extend([0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // renegotiation_info, empty.
    ext.extend([0xff, 0x01, 0x00, 0x01, 0x00]);

    let mut body = Vec::new();
    body.extend(v.wire());
    // The random: its content does not matter for a hello that goes no further.
    body.extend((0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)));
    body.push(0); // no session id
    body.extend(u16be(SUITES.len() * 2));
    for s in SUITES {
        body.extend(s.to_be_bytes());
    }
    body.extend([1, 0]); // compression: null only
    body.extend(u16be(ext.len()));
    body.extend(ext);

    let mut hs = vec![1];
    hs.extend(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend(body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend(u16be(hs.len()));
    rec.extend(hs);
    rec
}

/// The first bytes of the server's answer (at least 11 of them for a ServerHello, 7 for an
/// alert), or fewer if it closed the connection.
pub fn read_answer(v: Legacy, bytes: &[u8]) -> Answer {
    match bytes {
        // handshake record, then a ServerHello (type 2) with its 3-byte length, then its version.
        [0x16, 3, _, _, _, 2, _, _, _, a, b, ..] => {
            if [*a, *b] == v.wire() {
                Answer::Accepted
            } else {
                Answer::Refused
            }
        }
        // An alert record: the server says no.
        [0x15, 3, ..] => Answer::Refused,
        [] => Answer::Refused,
        _ => Answer::Unknown,
    }
}

/// Ask `host:port` whether it accepts `v`. Goes through [`Net::tcp`] (the egress policy).
pub async fn probe(net: &Net, host: &str, port: u16, v: Legacy) -> Answer {
    let mut s = match net.tcp(host, port).await {
        Ok(s) => s,
        Err(_) => return Answer::Unknown,
    };
    let io = async {
        s.write_all(&client_hello(v, host)).await?;
        let mut buf = Vec::with_capacity(16);
        let mut chunk = [0u8; 64];
        while buf.len() < 11 {
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.first() == Some(&0x15) && buf.len() >= 7 {
                break;
            }
        }
        Ok::<_, std::io::Error>(buf)
    };
    match tokio::time::timeout(net.timeouts.tls, io).await {
        Ok(Ok(buf)) => read_answer(v, &buf),
        // Reset by the server while we asked: it does not speak this version.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => Answer::Refused,
        Ok(Err(_)) | Err(_) => Answer::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hello parses back: record length, handshake length, version, suites, SNI.
    #[test]
    fn the_hello_is_well_formed() {
        for v in Legacy::ALL {
            let h = client_hello(v, "api.example.com");
            assert_eq!(&h[..3], &[0x16, 3, 1]);
            let rec_len = u16::from_be_bytes([h[3], h[4]]) as usize;
            assert_eq!(rec_len, h.len() - 5);
            assert_eq!(h[5], 1, "ClientHello");
            let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
            assert_eq!(hs_len, h.len() - 9);
            assert_eq!([h[9], h[10]], v.wire());
            // random (32), session id length 0, then the suites.
            assert_eq!(h[43], 0);
            let suites = u16::from_be_bytes([h[44], h[45]]) as usize;
            assert_eq!(suites, SUITES.len() * 2);
            let after = 46 + suites;
            assert_eq!(&h[after..after + 2], &[1, 0]);
            let ext_len = u16::from_be_bytes([h[after + 2], h[after + 3]]) as usize;
            assert_eq!(ext_len, h.len() - after - 4);
            // SNI first, naming the host.
            assert_eq!(&h[after + 4..after + 6], &[0, 0]);
            let text = String::from_utf8_lossy(&h);
            assert!(text.contains("api.example.com"));
        }
        // No SNI for an address.
        let ip = client_hello(Legacy::Tls10, "[2001:db8::1]");
        assert!(!String::from_utf8_lossy(&ip).contains("2001"));
        assert!(ip.len() < client_hello(Legacy::Tls10, "api.example.com").len());
    }

    #[test]
    fn answers_are_read() {
        let hello = |a: u8, b: u8| vec![0x16, 3, a, 0, 80, 2, 0, 0, 76, 3, b, 9, 9];
        assert_eq!(read_answer(Legacy::Tls10, &hello(1, 1)), Answer::Accepted);
        assert_eq!(read_answer(Legacy::Tls11, &hello(1, 2)), Answer::Accepted);
        // A server that answers 1.2 to a 1.0 hello does not speak 1.0.
        assert_eq!(read_answer(Legacy::Tls10, &hello(3, 3)), Answer::Refused);
        // protocol_version (70) and handshake_failure (40) alerts.
        assert_eq!(read_answer(Legacy::Tls10, &[0x15, 3, 1, 0, 2, 2, 70]), Answer::Refused);
        assert_eq!(read_answer(Legacy::Tls11, &[0x15, 3, 3, 0, 2, 2, 40]), Answer::Refused);
        assert_eq!(read_answer(Legacy::Tls10, &[]), Answer::Refused);
        assert_eq!(read_answer(Legacy::Tls10, b"HTTP/1.1 400 Bad Request"), Answer::Unknown);
    }
}
