//! DNS checks with scripted answers: CAA up the tree and through a CNAME, and the NS delegation
//! compared with the hosted zone's. (The lab's dnsmasq has no CAA or NS records to test these.)

use async_trait::async_trait;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use lockstep_doctor::doctor::Verdict;
use lockstep_doctor::{parse_url, Doctor, Target};
use rustls::RootCertStore;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Default)]
struct Scripted(HashMap<(String, &'static str), Vec<(String, Rdata)>>);

fn key(r: Rtype) -> &'static str {
    match r {
        Rtype::A => "A",
        Rtype::Aaaa => "AAAA",
        Rtype::Caa => "CAA",
        Rtype::Ns => "NS",
        Rtype::Cname => "CNAME",
    }
}

#[async_trait]
impl Dns for Scripted {
    async fn query(&self, name: &str, rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        self.0.get(&(name.to_string(), key(rtype))).cloned().ok_or(DnsError::NoRecords)
    }
}

fn caa(owner: &str, value: &str) -> (String, Rdata) {
    (owner.into(), Rdata::Caa { flags: 0, tag: "issue".into(), value: value.into() })
}

async fn doctor_on(dns: Scripted, issuers: &[&str], ns: &[&str]) -> lockstep_doctor::doctor::Report {
    let d = Doctor::new(Arc::new(dns), RootCertStore::empty());
    let mut t = Target::new(parse_url("https://api.team.example.com/").unwrap());
    t.issuers = issuers.iter().map(|s| s.to_string()).collect();
    t.expected_ns = ns.iter().map(|s| s.to_string()).collect();
    d.check(&t).await
}

#[tokio::test]
async fn caa_on_a_parent_that_forbids_amazon_fails_with_the_record_to_add() {
    let mut dns = Scripted::default();
    dns.0.insert(("example.com".into(), "CAA"), vec![caa("example.com", "digicert.com")]);
    let r = doctor_on(dns, &["amazon.com"], &[]).await;
    let f = r.of("dns.caa").next().expect("a CAA finding");
    assert_eq!((f.code.as_str(), f.verdict), ("forbids", Verdict::Fail), "{f:?}");
    assert!(f.fix.as_ref().unwrap().contains("0 issue \"amazon.com\""), "{f:?}");
    assert!(f.evidence[0].contains("example.com") && f.evidence[0].contains("digicert.com"));
}

#[tokio::test]
async fn caa_is_followed_through_a_cname_and_the_closest_set_wins() {
    let mut dns = Scripted::default();
    // The resolver answers the CAA query of the name with the CNAME target's records.
    dns.0.insert(
        ("api.team.example.com".into(), "CAA"),
        vec![
            ("api.team.example.com".into(), Rdata::Cname("lb.hosting.net".into())),
            caa("lb.hosting.net", "letsencrypt.org"),
        ],
    );
    dns.0.insert(("example.com".into(), "CAA"), vec![caa("example.com", "digicert.com")]);
    let r = doctor_on(dns, &["letsencrypt.org"], &[]).await;
    let f = r.of("dns.caa").next().unwrap();
    assert_eq!((f.code.as_str(), f.verdict), ("allowed", Verdict::Pass), "{f:?}");
    assert!(f.evidence[0].contains("lb.hosting.net"));
}

#[tokio::test]
async fn no_caa_anywhere_allows_every_ca() {
    let r = doctor_on(Scripted::default(), &["amazon.com"], &[]).await;
    assert_eq!(r.of("dns.caa").next().unwrap().code, "none");
}

#[tokio::test]
async fn a_zone_delegated_elsewhere_fails_and_a_matching_one_passes() {
    let ns = |names: &[&str]| {
        names.iter().map(|n| ("example.com".to_string(), Rdata::Ns(n.to_string()))).collect::<Vec<_>>()
    };
    let mut dns = Scripted::default();
    dns.0.insert(("example.com".into(), "NS"), ns(&["ns1.registrar-parking.com", "ns2.registrar-parking.com"]));
    let r = doctor_on(dns, &[], &["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"]).await;
    let f = r.of("dns.ns").next().unwrap();
    assert_eq!((f.code.as_str(), f.verdict), ("not_delegated", Verdict::Fail), "{f:?}");

    let mut dns = Scripted::default();
    dns.0.insert(("example.com".into(), "NS"), ns(&["NS-2.awsdns-02.com.", "ns-1.awsdns-01.org"]));
    let r = doctor_on(dns, &[], &["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"]).await;
    assert_eq!(r.of("dns.ns").next().unwrap().verdict, Verdict::Pass);
}
