//! The pure rules and the texts built from them, without AWS.

use super::messages::describe_actions;
use super::*;
use crate::ports::{InstanceNetwork, ListenerAction, ListenerInfo, SubnetInfo, TargetGroupInfo};

fn subnet(id: &str, az: &str, public: bool) -> SubnetInfo {
    SubnetInfo {
        subnet_id: id.into(),
        availability_zone: az.into(),
        cidr: "10.0.0.0/24".into(),
        map_public_ip: public,
        routes_to_internet: None,
    }
}

fn instance(subnet: &str, az: &str) -> InstanceNetwork {
    InstanceNetwork {
        instance_id: "i-1".into(),
        vpc_id: "vpc-1".into(),
        subnet_id: subnet.into(),
        availability_zone: az.into(),
        security_groups: vec!["sg-app".into()],
        state: "running".into(),
    }
}

#[test]
fn names_fit_aws_rules() {
    assert_eq!(lb_name("capstone-shop"), "lockstep-capstone-shop");
    assert_eq!(lb_name("Team_7 Shop!"), "lockstep-team-7-shop");
    let long = lb_name("a-very-long-project-name-for-the-class");
    assert_eq!(long.len(), 32, "{long}");
    assert!(long.starts_with("lockstep-a-very-long-projec-") && !long.contains("--"), "{long}");
    assert_ne!(long, lb_name("a-very-long-project-name-for-the-clasz"), "a hash keeps long names apart");
    assert_eq!(long, lb_name("a-very-long-project-name-for-the-class"), "stable");
    assert!(!lb_name("shop-").ends_with('-'));
    assert_eq!(alb_group_name("shop"), "lockstep-alb-shop");
    assert_eq!(rule_id("sg-1", 8000, "sg-2"), "sg-1:tcp:8000:from:sg-2");
}

#[test]
fn subnets_are_the_instances_zone_and_one_more_public_one() {
    let subnets = vec![
        subnet("s-a", "ap-northeast-2a", true),
        subnet("s-b-private", "ap-northeast-2b", false),
        subnet("s-c", "ap-northeast-2c", true),
        subnet("s-b2", "ap-northeast-2b", true),
    ];
    let got = choose_subnets(&instance("s-c", "ap-northeast-2c"), &subnets).unwrap();
    let ids: Vec<&str> = got.iter().map(|s| s.subnet_id.as_str()).collect();
    assert_eq!(ids, vec!["s-c", "s-a"]);

    let one_az = vec![subnet("s-a", "ap-northeast-2a", true), subnet("s-a2", "ap-northeast-2a", true)];
    let e = choose_subnets(&instance("s-a", "ap-northeast-2a"), &one_az).unwrap_err();
    assert!(e.what.contains("only 1 availability zone") && e.why.contains("two"), "{e:?}");
    assert!(e.fix.contains("Create subnet") && e.fix.contains("ap-northeast-2b"), "{e:?}");

    let private_other = vec![subnet("s-a", "ap-northeast-2a", true), subnet("s-b", "ap-northeast-2b", false)];
    let e = choose_subnets(&instance("s-a", "ap-northeast-2a"), &private_other).unwrap_err();
    assert!(e.what.contains("private"), "{e:?}");

    // A route to an internet gateway decides over the public-IP flag.
    let mut routed = subnet("s-b", "ap-northeast-2b", false);
    routed.routes_to_internet = Some(true);
    let ok = choose_subnets(&instance("s-a", "ap-northeast-2a"), &[subnet("s-a", "ap-northeast-2a", true), routed]);
    assert_eq!(ok.unwrap()[1].subnet_id, "s-b");
}

fn tg(protocol: &str, port: u16) -> TargetGroupInfo {
    TargetGroupInfo {
        arn: "arn:tg".into(),
        name: "lockstep-shop".into(),
        protocol: protocol.into(),
        port,
        vpc_id: "vpc-1".into(),
        health_path: "/health".into(),
        matcher: "200".into(),
        target_type: "instance".into(),
        load_balancers: vec![],
    }
}

#[test]
fn an_https_target_group_is_refused_with_seed_001s_reason() {
    assert!(check_target_group(&tg("HTTP", 8000), 8000, "vpc-1").is_ok());
    let e = check_target_group(&tg("HTTPS", 8000), 8000, "vpc-1").unwrap_err();
    assert!(e.what.contains("HTTPS") && e.why.contains("502") && e.fix.contains("Delete the target group"), "{e:?}");
    assert!(check_target_group(&tg("HTTP", 80), 8000, "vpc-1").unwrap_err().what.contains("port 80"));
    assert!(check_target_group(&tg("HTTP", 8000), 8000, "vpc-2").unwrap_err().what.contains("another VPC"));
}

#[test]
fn listeners_are_compared_with_what_lockstep_makes() {
    let https = ListenerInfo {
        arn: "l1".into(),
        protocol: "HTTPS".into(),
        port: 443,
        certificate_arns: vec!["cert".into()],
        ssl_policy: None,
        default_actions: vec![ListenerAction::Forward { target_group_arn: "tg".into() }],
    };
    assert!(https_listener_ok(&https, "cert", "tg"));
    assert!(!https_listener_ok(&https, "other-cert", "tg"));
    assert!(!https_listener_ok(&https, "cert", "other-tg"));
    let redirect = ListenerInfo {
        arn: "l2".into(),
        protocol: "HTTP".into(),
        port: 80,
        certificate_arns: vec![],
        ssl_policy: None,
        default_actions: vec![ListenerAction::Redirect {
            protocol: "HTTPS".into(),
            port: "443".into(),
            status_code: "HTTP_301".into(),
        }],
    };
    assert!(redirect_listener_ok(&redirect));
    let forward80 = ListenerInfo { default_actions: https.default_actions.clone(), ..redirect.clone() };
    assert!(!redirect_listener_ok(&forward80));
    assert!(describe_actions(&forward80).en.contains("forwards to"));
    assert!(describe_actions(&forward80).ko.contains("전달"));
}

#[test]
fn health_notes_and_the_give_up_are_plain_words() {
    let n = health_note(
        "unhealthy",
        Some("Target.ResponseCodeMismatch"),
        Some("Health checks failed with these codes: [404]"),
        8000,
        "/health",
    );
    assert!(n.en.contains("/health") && n.en.contains("[404]") && n.en.contains("What to do"), "{n:?}");
    assert!(n.ko.contains("/health") && n.ko.contains("[404]") && n.ko.contains("해결 방법"), "{n:?}");
    let t = crate::ports::TargetHealth {
        target_id: "i-1".into(),
        port: 8000,
        state: "unhealthy".into(),
        reason: Some("Target.Timeout".into()),
        description: None,
    };
    let e = unhealthy_error(UNHEALTHY_LIMIT, &t, 8000, "/health", "sg-app", "sg-alb");
    assert!(e.what.contains("10 minutes"), "{e:?}");
    assert!(e.said(true).0.contains("10분 동안"), "{e:?}");
    assert!(
        e.fix.contains("8000") && e.fix.contains("/health") && e.fix.contains("sg-app") && e.fix.contains("sg-alb")
    );
}
