//! The instance's security group against moto: rules read back (IPv4 and IPv6), 80/443 opened
//! to the world once (a second call is a no-op, not an error), risky world-open ports named.

mod common;
use common::ec2_sdk::Ec2Sdk;

use aws_sdk_ec2::types::{InstanceType, IpPermission, IpRange};
use common::*;
use lockstep_domain::Region;
use lockstep_server::aws::ec2::Ec2;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::Firewall;
use lockstep_server::steps::instance_https::risks;
use std::sync::Arc;

#[tokio::test]
async fn ports_open_once_and_world_open_ssh_is_pointed_out() {
    let region = Region::parse("ap-northeast-2").unwrap();
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account()) }).await,
    );
    let ec2 = aws.ec2_sdk(region.as_str());
    let sg = ec2
        .create_security_group()
        .group_name("web")
        .description("web")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&sg)
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_string();

    let fw = Ec2(aws.clone());
    let (groups, rules) = fw.instance_rules(&region, &instance).await.unwrap();
    assert_eq!(groups, vec![sg.clone()]);
    assert!(!rules.iter().any(|r| r.covers(443)));
    let r = risks(&rules, Some(8000));
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].en.contains("port 22 (SSH)") && r[0].en.contains("My IP"), "{r:?}");
    assert!(r[0].ko.contains("포트 22(SSH)") && r[0].ko.contains("내 IP"), "{r:?}");

    assert!(fw.open_to_world(&region, &sg, 443).await.unwrap(), "opened");
    assert!(!fw.open_to_world(&region, &sg, 443).await.unwrap(), "second time: already open, no error");
    let (_, rules) = fw.instance_rules(&region, &instance).await.unwrap();
    let https: Vec<_> = rules.iter().filter(|r| r.covers(443)).collect();
    assert_eq!(https.len(), 1, "{rules:?}");
    assert!(
        https[0].cidrs.contains(&"0.0.0.0/0".to_string()) && https[0].cidrs.contains(&"::/0".to_string()),
        "{https:?}"
    );
}
