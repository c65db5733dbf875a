//! The new-project form's pick lists against moto (issue 22, "pick, don't type"): running
//! instances of the region with their Name tag, public IP, SSM reach and security groups (a
//! stopped one and another region's are not offered), buckets with website hosting on or off,
//! and a list AWS refuses said in plain words in both languages.

mod common;
use common::ec2_sdk::Ec2Sdk;

use app::api::ssr::prelude::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{InstanceType, ResourceType, Tag, TagSpecification};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, IndexDocument, WebsiteConfiguration};
use common::*;
use lockstep_domain::Region;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::{InstanceCatalog, InstanceSummary, PortError, PortResult, SsmReach};
use std::sync::Arc;

async fn instance(aws: &Aws, region: &str, name: Option<&str>) -> String {
    let ec2 = aws.ec2_sdk(region);
    let group = format!("app-{}", uuid::Uuid::new_v4().simple());
    let sg = ec2.create_security_group().group_name(&group).description("app").send().await.unwrap();
    let mut run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(sg.group_id().unwrap());
    if let Some(name) = name {
        run = run.tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Instance)
                .tags(Tag::builder().key("Name").value(name).build())
                .build(),
        );
    }
    run.send().await.unwrap().instances()[0].instance_id().unwrap().to_string()
}

async fn bucket(aws: &Aws, name: &str, website: bool) {
    let s3 = aws.s3("ap-northeast-2");
    s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from("ap-northeast-2"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    if website {
        s3.put_bucket_website()
            .bucket(name)
            .website_configuration(
                WebsiteConfiguration::builder()
                    .index_document(IndexDocument::builder().suffix("index.html").build().unwrap())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn running_instances_and_buckets_are_offered_with_what_matters() {
    let account = account();
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.clone()) }).await;
    let shop = instance(&aws, "ap-northeast-2", Some("shop-api")).await;
    let unnamed = instance(&aws, "ap-northeast-2", None).await;
    let stopped = instance(&aws, "ap-northeast-2", Some("old-box")).await;
    aws.ec2_sdk("ap-northeast-2").stop_instances().instance_ids(&stopped).send().await.unwrap();
    let elsewhere = instance(&aws, "us-east-1", Some("virginia")).await;
    let suffix = &account[6..];
    let (site, plain) = (format!("shop-front-{suffix}"), format!("shop-logs-{suffix}"));
    bucket(&aws, &site, true).await;
    bucket(&aws, &plain, false).await;

    // moto 5.2.5 answers DescribeInstanceInformation with HTTP 500 (then each instance's SSM
    // reach is "unknown", None): SSM's answer is scripted here, the rest is moto's.
    let online = shop.clone();
    let w = world_for(account, move |mut a| {
        a.ssm_reach = Arc::new(Online(vec![online]));
        a
    })
    .await;
    let lists = w.service.project_choices(&w.me, &w.team, "ap-northeast-2").await.unwrap();
    assert_eq!(lists.instances_error, None);
    assert_eq!(lists.buckets_error, None);
    let ids: Vec<&str> = lists.instances.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec![shop.as_str(), unnamed.as_str()], "named first; not the stopped one, not another region's");
    assert!(!ids.contains(&elsewhere.as_str()));
    let first = &lists.instances[0];
    assert_eq!(first.name.as_deref(), Some("shop-api"));
    assert!(first.public_ip.as_deref().is_some_and(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok()), "{first:?}");
    assert_eq!(first.security_groups.len(), 1, "{first:?}");
    assert_eq!(first.ssm, Some(true), "{first:?}");
    assert_eq!(lists.instances[1].name, None);
    assert_eq!(lists.instances[1].ssm, Some(false));

    let website = |name: &str| lists.buckets.iter().find(|b| b.name == name).map(|b| b.website);
    assert_eq!(website(&site), Some(Some(true)));
    assert_eq!(website(&plain), Some(Some(false)));

    // Another region of the same account: nothing from Seoul.
    let virginia = w.service.project_choices(&w.me, &w.team, "us-east-1").await.unwrap();
    assert_eq!(virginia.instances.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec![elsewhere.as_str()]);

    // A region lockstep does not know: said, nothing listed.
    let bad = w.service.project_choices(&w.me, &w.team, "mars-1").await.unwrap_err();
    assert!(matches!(bad, app::model::AppError::User(_)), "{bad:?}");
}

/// SSM's answer: these instances have an agent online.
struct Online(Vec<String>);

#[async_trait]
impl SsmReach for Online {
    async fn online_instances(&self, _: &Region) -> PortResult<Vec<String>> {
        Ok(self.0.clone())
    }
}

/// EC2 refusing the list (a team role without ec2:DescribeInstances).
struct Refusing;

#[async_trait]
impl InstanceCatalog for Refusing {
    async fn running_instances(&self, _: &Region) -> PortResult<Vec<InstanceSummary>> {
        Err(PortError::Denied {
            code: "UnauthorizedOperation".into(),
            message: "You are not authorized. Encoded authorization failure message: DescribeInstancesInput { x }"
                .into(),
        })
    }
}

#[tokio::test]
async fn a_refused_list_is_said_in_words_and_typing_stays() {
    let w = world_with(|mut a| {
        a.instance_catalog = Arc::new(Refusing);
        a
    })
    .await;
    let lists = w.service.project_choices(&w.me, &w.team, "ap-northeast-2").await.unwrap();
    assert!(lists.instances.is_empty());
    assert_eq!(lists.instances_error.as_ref().map(|_| ()), Some(()));
    let e = lists.instances_error.expect("the refusal is said");
    assert!(e.why.contains("UnauthorizedOperation"), "{e:?}");
    assert!(e.fix.contains("Type it instead"), "{e:?}");
    let all = serde_json::to_string(&e).unwrap();
    assert!(!all.contains("DescribeInstancesInput") && !all.contains("Encoded authorization"), "{all}");
    let ko = e.ko.as_ref().expect("Korean too");
    assert!(serde_json::to_string(ko).unwrap().contains("직접 입력"));
    // The buckets still come (the sandbox has none until a project makes one): no error.
    assert_eq!(lists.buckets_error, None);
}

#[tokio::test]
async fn someone_outside_the_team_gets_no_lists() {
    let w = world().await;
    let stranger = app::api::ssr::Caller::user("nobody");
    assert!(w.service.project_choices(&stranger, &w.team, "ap-northeast-2").await.is_err());
}
