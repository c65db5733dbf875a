//! The domain step's third free choice (issue 24): the instance's own IP address, against moto.
//! Refused with the reason unless the address is an Elastic IP (moto's instance address in the
//! test project is not one; a stand-in that says "Elastic" shows the way through); the plan puts
//! the API at `https://<ip>`; the free path's script asks certbot 5 for an IP certificate; the
//! paid path refuses it.

mod common;

use app::api::ssr::prelude::*;
use app::model::AppError;
use async_trait::async_trait;
use common::{project, world, world_with};
use lockstep_domain::plan::DomainSource;
use lockstep_domain::Region;
use lockstep_server::ports::{Instances, PortResult};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The real adapter, except that every address is an Elastic IP.
struct AllElastic(Arc<dyn Instances>);

#[async_trait]
impl Instances for AllElastic {
    async fn public_ip(&self, region: &Region, id: &str) -> PortResult<Option<Ipv4Addr>> {
        self.0.public_ip(region, id).await
    }
    async fn is_elastic_ip(&self, _: &Region, _: Ipv4Addr) -> PortResult<bool> {
        Ok(true)
    }
}

#[tokio::test]
async fn the_ip_choice_is_refused_without_an_elastic_ip_and_says_why() {
    let w = world().await;
    let pid = project(&w).await;
    let choices = w.service.domain_choices(&w.me, &pid).await.unwrap();
    assert_eq!(choices.ip.as_deref(), Some("54.180.1.2"), "offered beside the magic names");
    match w.service.use_magic(&w.me, &pid, "ip").await {
        Err(AppError::User(e)) => {
            assert!(e.what.contains("54.180.1.2 is not an Elastic IP"), "{e:?}");
            assert!(e.fix.contains("Allocate Elastic IP address"), "{e:?}");
            assert!(e.ko.as_ref().is_some_and(|k| k.what.contains("탄력적 IP")), "{e:?}");
        }
        other => panic!("a changing address must be refused: {other:?}"),
    }
    assert!(w.service.get_project(&w.me, &pid).await.unwrap().plan.is_none(), "nothing saved");
}

#[tokio::test]
async fn with_an_elastic_ip_the_api_is_the_address_and_the_script_asks_for_an_ip_certificate() {
    let w = world_with(|mut a| {
        a.instances = Arc::new(AllElastic(a.instances.clone()));
        a
    })
    .await;
    let pid = project(&w).await;
    let plan = w.service.use_magic(&w.me, &pid, "ip").await.unwrap();
    assert_eq!(plan.source, DomainSource::InstanceIp);
    assert_eq!(plan.api.as_str(), "54.180.1.2");
    assert_eq!(plan.api.as_ipv4(), Some(Ipv4Addr::new(54, 180, 1, 2)));
    assert!(plan.frontend.is_empty() && !plan.source.has_zone());
    // Stored and read back (the host is not a DNS name, and still decodes).
    let stored = w.service.get_project(&w.me, &pid).await.unwrap().plan.unwrap();
    assert_eq!(stored, plan);
    // The free path's facts and the paid path's refusal.
    let facts = w.service.free_path_facts(&w.me, &pid).await.unwrap();
    assert_eq!(facts.api, "54.180.1.2");
    match w.service.start_certificate(&w.me, &pid).await {
        Err(AppError::User(e)) => assert!(e.why.contains("issues none for an IP address") && e.ko.is_some(), "{e:?}"),
        other => panic!("ACM must refuse the IP choice: {other:?}"),
    }
}

#[test]
fn the_free_path_script_for_an_ip_plan_is_the_ip_certificate_script() {
    let v = serde_json::json!({
        "region": "ap-northeast-2", "instance_id": null, "public_ip": "54.180.1.2", "app_port": 8000,
        "health_path": "/health", "api": "54.180.1.2", "zone_id": null, "os": "ubuntu", "staging": false,
        "email": "kim@example.com", "http_port": 80, "https_port": 443
    });
    let inp = lockstep_server::steps::instance_https::decode_input(&v).expect("an IP plan's run input decodes");
    let script = inp.script().unwrap();
    assert!(script.contains("--ip-address 54.180.1.2 --preferred-profile shortlived"), "{script}");
    assert!(script.contains("'certbot==5.8.0'") && script.contains("lockstep-certbot-renew.timer"), "{script}");
}
