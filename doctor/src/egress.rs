//! Where lockstep may connect: public addresses only.
//!
//! lockstep connects to addresses its users type (the doctor's URLs, the redirects and scripts
//! those sites point at, alert webhooks). It runs inside a network (a school's server, an EC2
//! instance next to the instance metadata service at 169.254.169.254); without this rule anyone
//! who can type a URL could make lockstep look into that network and read the answers back in a
//! finding. So every outbound connection asks [`Egress::check`] about the exact address it is
//! about to connect to (after DNS, after every redirect), and this module is the one place that
//! says which addresses are public.
//!
//! Pure `std::net`: IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
//! judged by the IPv4 address inside them, so `::ffff:127.0.0.1` is loopback.

use lockstep_domain::text::{msg, Message};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not a public one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotPublic {
    /// 127.0.0.0/8, ::1: the machine lockstep runs on.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16 (and the local-use NAT64 prefix 64:ff9b:1::/48).
    Private,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// A cloud's instance metadata service (169.254.169.254, fd00:ec2::254, ...): it hands out
    /// the server's credentials.
    Metadata,
    /// 0.0.0.0/8, :: (on Linux, connecting there reaches this machine).
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// 100.64/10, carrier-grade NAT: a provider's private network.
    SharedCgnat,
    /// 224/4, ff00::/8.
    Multicast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// 198.18/15, 2001:2::/48.
    Benchmarking,
    /// 192.0.0/24, 240/4, 192.88.99/24, 2001::/23 and IPv6 outside 2000::/3.
    Reserved,
    /// fc00::/7 (IPv6's private addresses).
    UniqueLocal,
    /// fec0::/10 (the old IPv6 private addresses).
    SiteLocal,
    /// 100::/64: the discard-only prefix.
    Discard,
    /// 2001::/32: a Teredo tunnel address hides the IPv4 address it leads to.
    Teredo,
}

impl NotPublic {
    /// A stable name (evidence lines, logs, tests).
    pub fn code(self) -> &'static str {
        match self {
            NotPublic::Loopback => "loopback",
            NotPublic::Private => "private",
            NotPublic::LinkLocal => "link_local",
            NotPublic::Metadata => "metadata",
            NotPublic::Unspecified => "unspecified",
            NotPublic::Broadcast => "broadcast",
            NotPublic::SharedCgnat => "shared_cgnat",
            NotPublic::Multicast => "multicast",
            NotPublic::Documentation => "documentation",
            NotPublic::Benchmarking => "benchmarking",
            NotPublic::Reserved => "reserved",
            NotPublic::UniqueLocal => "unique_local",
            NotPublic::SiteLocal => "site_local",
            NotPublic::Discard => "discard",
            NotPublic::Teredo => "teredo",
        }
    }

    /// What kind of address it is, as a noun phrase in English and Korean.
    pub fn kind(self) -> Message {
        match self {
            NotPublic::Loopback => msg("a loopback address (the server itself)", "루프백 주소(서버 자기 자신)"),
            NotPublic::Private => msg("a private network address", "사설 네트워크 주소"),
            NotPublic::LinkLocal => msg("a link-local address", "링크 로컬 주소"),
            NotPublic::Metadata => msg(
                "the cloud's instance metadata service (it hands out the server's credentials)",
                "클라우드의 인스턴스 메타데이터 서비스 주소(서버의 자격 증명을 내어 줍니다)",
            ),
            NotPublic::Unspecified => {
                msg("an unspecified address (0.0.0.0 or ::)", "지정되지 않은 주소(0.0.0.0 또는 ::)")
            }
            NotPublic::Broadcast => msg("the broadcast address", "브로드캐스트 주소"),
            NotPublic::SharedCgnat => {
                msg("a carrier-grade NAT address (100.64.0.0/10)", "통신사 NAT용 공유 주소(100.64.0.0/10)")
            }
            NotPublic::Multicast => msg("a multicast address", "멀티캐스트 주소"),
            NotPublic::Documentation => {
                msg("an address reserved for documentation examples", "문서 예시용으로 예약된 주소")
            }
            NotPublic::Benchmarking => msg("an address reserved for benchmarking", "성능 측정용으로 예약된 주소"),
            NotPublic::Reserved => msg("a reserved address", "예약된 주소"),
            NotPublic::UniqueLocal => msg("an IPv6 private (unique local) address", "IPv6 사설(고유 로컬) 주소"),
            NotPublic::SiteLocal => msg("an IPv6 site-local address", "IPv6 사이트 로컬 주소"),
            NotPublic::Discard => msg("an IPv6 discard-only address", "IPv6 폐기 전용 주소"),
            NotPublic::Teredo => msg(
                "a Teredo tunnel address (it hides the IPv4 address it leads to)",
                "Teredo 터널 주소(실제로 연결되는 IPv4 주소를 감춥니다)",
            ),
        }
    }
}

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind().en)
    }
}

/// The words every refusal uses, wherever it is shown (a doctor finding, a webhook field).
pub fn refusal_what() -> Message {
    msg(
        "lockstep does not connect to private or internal addresses",
        "lockstep은 사설 주소나 내부 주소에는 연결하지 않습니다",
    )
}

/// Why lockstep refuses, in plain words.
pub fn refusal_why() -> Message {
    msg(
        "lockstep runs inside a network of its own; if it connected to addresses inside that network because someone typed them, anyone could use it to look at (and read back) the server's neighbours, its cloud credentials included.",
        "lockstep은 자체 네트워크 안에서 실행됩니다. 누군가 입력했다는 이유로 그 네트워크 안의 주소에 연결하면, 누구나 lockstep을 통해 서버 주변의 시스템(클라우드 자격 증명 포함)을 들여다보고 그 응답을 읽을 수 있게 됩니다.",
    )
}

/// What to do instead.
pub fn refusal_fix() -> Message {
    msg(
        "Use the public name or public IP address that visitors reach from the internet (for an EC2 instance: its public IPv4 address or an Elastic IP, not 172.31.x.x).",
        "인터넷에서 방문자가 접속하는 공개 이름이나 공개 IP 주소를 쓰세요 (EC2 인스턴스라면 172.31.x.x가 아니라 퍼블릭 IPv4 주소나 탄력적 IP).",
    )
}

/// The address policy of one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Egress {
    /// Public addresses only: the only setting for a real server.
    #[default]
    PublicOnly,
    /// Also loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and carrier-grade NAT
    /// addresses: the HTTPS lab on 127.x and tests only (`--allow-private-targets`). The
    /// metadata service, link-local, unspecified and the other special addresses stay refused.
    AllowPrivate,
}

impl Egress {
    /// `Ok` when a connection to `ip` is allowed under this policy.
    pub fn check(self, ip: IpAddr) -> Result<(), NotPublic> {
        match (classify(ip), self) {
            (None, _) => Ok(()),
            (
                Some(NotPublic::Loopback | NotPublic::Private | NotPublic::UniqueLocal | NotPublic::SharedCgnat),
                Egress::AllowPrivate,
            ) => Ok(()),
            (Some(why), _) => Err(why),
        }
    }

    pub fn allows_private(self) -> bool {
        self == Egress::AllowPrivate
    }
}

/// `None` for a public address, else why it is not one.
pub fn classify(ip: IpAddr) -> Option<NotPublic> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, bits: u32) -> bool {
    let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
    (u128::from(ip) & mask) == (u128::from(net) & mask)
}

const fn v6(s: [u16; 8]) -> Ipv6Addr {
    Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
}

/// Metadata services of the clouds lockstep may run on (they hand out credentials).
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254), // AWS, GCP, Azure, OpenStack IMDS
    Ipv4Addr::new(169, 254, 170, 2),   // ECS task metadata and credentials
    Ipv4Addr::new(169, 254, 170, 23),  // EKS pod identity
    Ipv4Addr::new(100, 100, 100, 200), // Alibaba Cloud
    Ipv4Addr::new(168, 63, 129, 16),   // Azure wire server
];
const METADATA_V6: [Ipv6Addr; 2] = [
    v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]), // AWS IMDS over IPv6
    v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23]),  // EKS pod identity over IPv6
];

fn classify_v4(ip: Ipv4Addr) -> Option<NotPublic> {
    use NotPublic::*;
    if METADATA_V4.contains(&ip) || ip == Ipv4Addr::new(192, 0, 0, 192) {
        return Some(Metadata);
    }
    let table: [([u8; 4], u32, NotPublic); 16] = [
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, SharedCgnat),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 88, 99, 0], 24, Reserved),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    table.iter().find(|(net, bits, _)| in_v4(ip, *net, *bits)).map(|(_, _, why)| *why)
}

fn classify_v6(ip: Ipv6Addr) -> Option<NotPublic> {
    use NotPublic::*;
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    if METADATA_V6.contains(&ip) {
        return Some(Metadata);
    }
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the old "compatible" form): the IPv4 inside.
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return classify_v4(embedded(s[6], s[7]));
    }
    // NAT64 (64:ff9b::/96): the IPv4 inside; the local-use prefix is a private network.
    if in_v6(ip, v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]), 96) {
        return classify_v4(embedded(s[6], s[7]));
    }
    if in_v6(ip, v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48) {
        return Some(Private);
    }
    // 6to4 (2002::/16): the IPv4 in bits 16..48.
    if s[0] == 0x2002 {
        return classify_v4(embedded(s[1], s[2]));
    }
    let table: [(Ipv6Addr, u32, NotPublic); 11] = [
        (v6([0x100, 0, 0, 0, 0, 0, 0, 0]), 64, Discard),
        (v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 32, Teredo),
        (v6([0x2001, 2, 0, 0, 0, 0, 0, 0]), 48, Benchmarking),
        (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32, Documentation),
        (v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 23, Reserved),
        (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0]), 20, Documentation),
        (v6([0x5f00, 0, 0, 0, 0, 0, 0, 0]), 16, Reserved),
        (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]), 7, UniqueLocal),
        (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 10, LinkLocal),
        (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0]), 10, SiteLocal),
        (v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8, Multicast),
    ];
    if let Some((_, _, why)) = table.iter().find(|(net, bits, _)| in_v6(ip, *net, *bits)) {
        return Some(*why);
    }
    // Global unicast is 2000::/3; everything else is not handed out on the internet.
    if !in_v6(ip, v6([0x2000, 0, 0, 0, 0, 0, 0, 0]), 3) {
        return Some(Reserved);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_range_is_named_and_public_addresses_pass() {
        use NotPublic::*;
        let table: &[(&str, Option<NotPublic>)] = &[
            ("1.1.1.1", None),
            ("8.8.8.8", None),
            ("54.180.1.2", None),
            ("172.32.0.1", None),
            ("100.128.0.1", None),
            ("2606:4700::1111", None),
            ("2a00:1450:4001:80e::200e", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("::1", Some(Loopback)),
            ("10.0.0.8", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("192.168.1.1", Some(Private)),
            ("169.254.1.1", Some(LinkLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("febf::1", Some(LinkLocal)),
            ("169.254.169.254", Some(Metadata)),
            ("169.254.170.2", Some(Metadata)),
            ("fd00:ec2::254", Some(Metadata)),
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("::", Some(Unspecified)),
            ("255.255.255.255", Some(Broadcast)),
            ("100.64.0.1", Some(SharedCgnat)),
            ("100.127.255.255", Some(SharedCgnat)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("ff02::1", Some(Multicast)),
            ("192.0.0.8", Some(Reserved)),
            ("192.0.2.1", Some(Documentation)),
            ("198.18.0.1", Some(Benchmarking)),
            ("198.19.255.255", Some(Benchmarking)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.9", Some(Documentation)),
            ("240.0.0.1", Some(Reserved)),
            ("2001:db8::1", Some(Documentation)),
            ("fc00::1", Some(UniqueLocal)),
            ("fd12:3456::1", Some(UniqueLocal)),
            ("fec0::1", Some(SiteLocal)),
            ("100::1", Some(Discard)),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Some(Teredo)),
            // IPv6 forms that carry an IPv4 address are judged by it.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:169.254.169.254", Some(Metadata)),
            ("::ffff:10.0.0.8", Some(Private)),
            ("::ffff:1.1.1.1", None),
            ("::127.0.0.1", Some(Loopback)),
            ("::10.0.0.8", Some(Private)),
            ("64:ff9b::7f00:1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(Metadata)),
            ("64:ff9b::101:101", None),
            ("64:ff9b:1::1", Some(Private)),
            ("2002:7f00:1::1", Some(Loopback)),
            ("2002:a00:8::1", Some(Private)),
            ("2002:101:101::1", None),
            // Outside 2000::/3: not handed out.
            ("4000::1", Some(Reserved)),
        ];
        for (ip, want) in table {
            let got = classify(ip.parse().unwrap());
            assert_eq!(got, *want, "{ip}");
        }
    }

    #[test]
    fn the_lab_opt_in_allows_loopback_and_private_but_never_the_metadata_service() {
        let allow = Egress::AllowPrivate;
        for ip in ["127.0.2.1", "10.77.0.1", "192.168.1.1", "fd12::1", "::ffff:127.0.0.1", "100.64.0.1", "1.1.1.1"] {
            assert_eq!(allow.check(ip.parse().unwrap()), Ok(()), "{ip}");
        }
        for ip in ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "169.254.1.1", "0.0.0.0", "224.0.0.1"]
        {
            assert!(allow.check(ip.parse().unwrap()).is_err(), "{ip}");
        }
        assert_eq!(Egress::default().check("127.0.0.1".parse().unwrap()), Err(NotPublic::Loopback));
        assert_eq!(Egress::default().check("2606:4700::1111".parse().unwrap()), Ok(()));
    }

    #[test]
    fn every_class_has_words_in_both_languages() {
        use NotPublic::*;
        for c in [
            Loopback,
            Private,
            LinkLocal,
            Metadata,
            Unspecified,
            Broadcast,
            SharedCgnat,
            Multicast,
            Documentation,
            Benchmarking,
            Reserved,
            UniqueLocal,
            SiteLocal,
            Discard,
            Teredo,
        ] {
            let k = c.kind();
            assert!(!k.en.is_empty() && k.ko.chars().any(|ch| ('\u{AC00}'..='\u{D7A3}').contains(&ch)), "{c:?}");
        }
    }
}
