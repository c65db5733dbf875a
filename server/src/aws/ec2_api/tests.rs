use super::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use std::collections::VecDeque;
use std::sync::Mutex;

/// A stand-in EC2 endpoint on loopback: it keeps every request it gets and answers from a
/// script (then `200 <Ok/>`).
#[derive(Clone, Default)]
struct Endpoint {
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    script: Arc<Mutex<VecDeque<(u16, String)>>>,
}

impl Endpoint {
    async fn start() -> (Endpoint, String) {
        let ep = Endpoint::default();
        let state = ep.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                state.seen.lock().unwrap().push((headers, String::from_utf8_lossy(&body).to_string()));
                let (status, body) =
                    state.script.lock().unwrap().pop_front().unwrap_or((200, "<Ok><done>true</done></Ok>".into()));
                (StatusCode::from_u16(status).unwrap(), body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (ep, url)
    }

    fn answer(&self, status: u16, body: &str) {
        self.script.lock().unwrap().push_back((status, body.to_string()));
    }

    fn bodies(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|(_, b)| b.clone()).collect()
    }
}

async fn sdk_config(endpoint: &str) -> SdkConfig {
    let creds = Credentials::new("AKIDEXAMPLE", "secret-key-example", None, None, "test");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_types::region::Region::new("ap-northeast-2"))
        .credentials_provider(creds)
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
        .load()
        .await
}

async fn api(endpoint: &str) -> Ec2Api {
    Ec2Api::new(http_client(), &sdk_config(endpoint).await, None, "ap-northeast-2")
}

/// A form body as its sorted `key=value` pairs, decoded (order differs between encoders).
fn pairs(body: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = body
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (urlencoding::decode(k).unwrap().into_owned(), urlencoding::decode(v).unwrap().into_owned())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn answers_become_a_tree_of_names_and_texts() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId>
  <reservationSet>
    <item><instancesSet>
      <item><instanceId>i-1</instanceId><ipAddress>3.35.1.2</ipAddress>
        <tagSet><item><key>Name</key><value>shop &amp; &#53;&lt;api&gt;</value></item></tagSet>
        <groupSet><item><groupId>sg-1</groupId></item><item><groupId>sg-2</groupId></item></groupSet>
      </item>
      <item><instanceId>i-2</instanceId><ipAddress/></item>
    </instancesSet></item>
    <item><instancesSet><item><instanceId>i-3</instanceId></item></instancesSet></item>
  </reservationSet>
</DescribeInstancesResponse>"#;
    let root = xml::parse(doc).unwrap();
    assert_eq!(root.name, "DescribeInstancesResponse");
    let instances = root.items_at(&["reservationSet", "instancesSet"]);
    let ids: Vec<_> = instances.iter().filter_map(|i| i.text_of("instanceId")).collect();
    assert_eq!(ids, ["i-1", "i-2", "i-3"]);
    assert_eq!(instances[0].items("tagSet").next().unwrap().text_of("value"), Some("shop & 5<api>"));
    assert_eq!(instances[0].items("groupSet").count(), 2);
    assert_eq!(instances[1].text_of("ipAddress"), None, "an empty element is no value");
    assert!(xml::parse("<a><b></a>").is_err());
    assert!(xml::parse("<a><b>").is_err(), "cut off");
    assert!(xml::parse("not xml").is_err());
    assert!(xml::parse(&"<a>".repeat(100)).is_err(), "too deep");
}

/// Every EC2 request lockstep sends, in words for the history (the operation's name is added
/// by the history).
#[test]
fn requests_are_put_in_words() {
    let cases = [
        (Call::new("DescribeInstances").list("InstanceId", "instance", "instances", &["i-0abc"]), "instance i-0abc"),
        (Call::new("DescribeSubnets").filter("vpc-id", &["vpc-1"]), "filter vpc-id=vpc-1"),
        (
            Call::new("AuthorizeSecurityGroupIngress").named("GroupId", "group", "sg-1").permission(&Permission {
                ipv4: vec![Source::new("0.0.0.0/0", "x")],
                ipv6: vec![Source::new("::/0", "x")],
                ..Permission::tcp(443)
            }),
            "group sg-1, rule tcp port 443 from 0.0.0.0/0, ::/0",
        ),
        (
            Call::new("DescribeSecurityGroups").filter("vpc-id", &["vpc-1"]).filter("group-name", &["lockstep-alb"]),
            "filters vpc-id=vpc-1, group-name=lockstep-alb",
        ),
        (
            Call::new("RunInstances")
                .named("ImageId", "image", "ami-1")
                .param("MinCount", "1")
                .list("SecurityGroupId", "security group", "security groups", &["sg-1"])
                .name_instance("lockstep-demo"),
            "image ami-1, security group sg-1",
        ),
    ];
    for (call, expected) in cases {
        assert_eq!(call.details().as_deref(), Some(expected), "{}", call.action());
    }
    assert_eq!(Call::new("DescribeVpcs").details(), None);
}

/// The bodies lockstep sends are the SDK's for the same requests, parameter for parameter
/// (what EC2 reads); and each is signed so that a server recomputing the signature from what
/// it received (method, host, content type, date, body) gets the same one.
#[tokio::test]
async fn bodies_match_the_sdks_and_signatures_verify() {
    use aws_sdk_ec2::types as t;
    let (ep, url) = Endpoint::start().await;
    let sdk = aws_sdk_ec2::Client::new(&sdk_config(&url).await);
    let ours = api(&url).await;
    let rule =
        |p: &Permission| Call::new("AuthorizeSecurityGroupIngress").named("GroupId", "group", "sg-1").permission(p);
    let world = Permission {
        ipv4: vec![Source::new("0.0.0.0/0", "lockstep: HTTPS path")],
        ipv6: vec![Source::new("::/0", "lockstep: HTTPS path")],
        ..Permission::tcp(443)
    };
    let from_alb =
        Permission { groups: vec![Source::new("sg-alb", "lockstep: from the ALB")], ..Permission::tcp(8000) };

    let _ = sdk.describe_instances().instance_ids("i-0abc").send().await;
    let _ = ours.send(Call::new("DescribeInstances").list("InstanceId", "instance", "instances", &["i-0abc"])).await;

    let f = |n: &str, v: &str| t::Filter::builder().name(n).values(v).build();
    let _ = sdk.describe_security_groups().filters(f("vpc-id", "vpc-1")).filters(f("group-name", "a b")).send().await;
    let _ = ours
        .send(Call::new("DescribeSecurityGroups").filter("vpc-id", &["vpc-1"]).filter("group-name", &["a b"]))
        .await;

    let _ = sdk
        .authorize_security_group_ingress()
        .group_id("sg-1")
        .ip_permissions(
            t::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(t::IpRange::builder().cidr_ip("0.0.0.0/0").description("lockstep: HTTPS path").build())
                .ipv6_ranges(t::Ipv6Range::builder().cidr_ipv6("::/0").description("lockstep: HTTPS path").build())
                .build(),
        )
        .send()
        .await;
    let _ = ours.send(rule(&world)).await;

    let _ = sdk
        .authorize_security_group_ingress()
        .group_id("sg-1")
        .ip_permissions(
            t::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8000)
                .to_port(8000)
                .user_id_group_pairs(
                    t::UserIdGroupPair::builder().group_id("sg-alb").description("lockstep: from the ALB").build(),
                )
                .build(),
        )
        .send()
        .await;
    let _ = ours.send(rule(&from_alb)).await;

    let _ = sdk.create_security_group().group_name("lockstep-alb").description("the ALB").vpc_id("vpc-1").send().await;
    let _ = ours
        .send(
            Call::new("CreateSecurityGroup")
                .named("GroupName", "group", "lockstep-alb")
                .param("GroupDescription", "the ALB")
                .named("VpcId", "in", "vpc-1"),
        )
        .await;

    let _ = sdk
        .run_instances()
        .image_id("ami-1")
        .instance_type(t::InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids("sg-1")
        .tag_specifications(
            t::TagSpecification::builder()
                .resource_type(t::ResourceType::Instance)
                .tags(t::Tag::builder().key("Name").value("lockstep-demo").build())
                .build(),
        )
        .send()
        .await;
    let _ = ours
        .send(
            Call::new("RunInstances")
                .named("ImageId", "image", "ami-1")
                .param("InstanceType", "t2.micro")
                .param("MinCount", "1")
                .param("MaxCount", "1")
                .list("SecurityGroupId", "security group", "security groups", &["sg-1"])
                .name_instance("lockstep-demo"),
        )
        .await;

    let seen = ep.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 12, "six requests each way");
    for pair in seen.chunks(2) {
        let (sdk_body, our_body) = (&pair[0].1, &pair[1].1);
        let sdk_pairs: Vec<_> = pairs(sdk_body).into_iter().filter(|(k, _)| !k.starts_with("ClientToken")).collect();
        assert_eq!(pairs(our_body), sdk_pairs, "\nours: {our_body}\nsdk:  {sdk_body}");
        // Encoded as the SDK encodes (`:` and spaces escaped the same way).
        assert_eq!(our_body.contains("%3A"), sdk_body.contains("%3A"));
        verify_signature(&pair[1].0, our_body);
    }
}

/// Recomputes the SigV4 signature from what the server received, as AWS does.
fn verify_signature(headers: &HeaderMap, body: &str) {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let auth = header("authorization");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && auth.contains("/ap-northeast-2/ec2/aws4_request"),
        "{auth}"
    );
    let date = header("x-amz-date");
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = time::PrimitiveDateTime::parse(&date, format).unwrap().assume_utc();
    let identity = Credentials::new("AKIDEXAMPLE", "secret-key-example", None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("ap-northeast-2")
        .name("ec2")
        .time(SystemTime::from(at))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = header("host");
    let content_type = header("content-type");
    let signable = SignableRequest::new(
        "POST",
        format!("http://{host}/"),
        [("content-type", content_type.as_str())].into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (_, signature) = sign(signable, &params).unwrap().into_parts();
    assert!(auth.ends_with(&format!("Signature={signature}")), "{auth}\nexpected {signature}");
}

const ERROR: &str = "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>r</RequestID></Response>";

fn error(code: &str, message: &str) -> String {
    ERROR.replace("{code}", code).replace("{message}", message)
}

/// Faults are sorted like the SDK's, transient ones tried again (3 tries), a `once` call sent
/// once, and each call is one history row with its error code.
#[tokio::test]
async fn faults_retries_and_the_history() {
    let (ep, url) = Endpoint::start().await;
    let ec2 = api(&url).await;
    let describe = || Call::new("DescribeInstances").list("InstanceId", "instance", "instances", &["i-1"]);

    ep.answer(503, "busy");
    ep.answer(500, &error("InternalError", "x"));
    let ((ok, rejected, throttled, once), calls) = crate::work::collect_calls(async {
        let ok = ec2.send(describe()).await;
        ep.answer(400, &error("InvalidGroup.NotFound", "The security group 'sg-9' does not exist"));
        let rejected = ec2.send(Call::new("DeleteSecurityGroup").named("GroupId", "group", "sg-9")).await;
        for _ in 0..3 {
            ep.answer(503, &error("RequestLimitExceeded", "Request limit exceeded."));
        }
        let throttled = ec2.send(describe()).await;
        ep.answer(503, "busy");
        let once = ec2.send(describe().once()).await;
        (ok, rejected, throttled, once)
    })
    .await;
    assert_eq!(ok.unwrap().text_of("done"), Some("true"), "answered on the third try");
    match rejected {
        Err(PortError::Rejected { code, message }) => {
            assert_eq!(code, "InvalidGroup.NotFound");
            assert!(message.contains("sg-9"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(throttled, Err(PortError::Throttled(_))), "{throttled:?}");
    assert!(matches!(once, Err(PortError::Unavailable(_))), "{once:?}");
    assert_eq!(ep.bodies().len(), 3 + 1 + 3 + 1, "3 tries, 1 (not transient), 3 tries, 1 (once)");

    let rows: Vec<_> =
        calls.iter().map(|c| (c.operation.as_str(), c.summary.as_str(), c.error_code.as_deref())).collect();
    assert_eq!(
        rows,
        [
            ("ec2:DescribeInstances", "DescribeInstances: instance i-1", None),
            ("ec2:DeleteSecurityGroup", "DeleteSecurityGroup: group sg-9", Some("InvalidGroup.NotFound")),
            ("ec2:DescribeInstances", "DescribeInstances: instance i-1", Some("RequestLimitExceeded")),
            ("ec2:DescribeInstances", "DescribeInstances: instance i-1", Some("HTTP 503")),
        ]
    );
}

/// No answer at all (nothing listening) is a transient fault, noted as a connection error.
#[tokio::test]
async fn no_answer_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let ec2 = api(&url).await;
    let (out, calls) = crate::work::collect_calls(ec2.send(Call::new("DescribeVpcs"))).await;
    assert!(matches!(out, Err(PortError::Unavailable(_))), "{out:?}");
    assert_eq!(calls[0].error_code.as_deref(), Some("no answer (connection error)"));
}
