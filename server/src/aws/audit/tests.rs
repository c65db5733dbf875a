use super::{error_code, redact};

#[test]
fn secrets_of_the_teams_access_are_redacted() {
    let input = r#"AssumeRoleInput { role_arn: Some("arn:aws:iam::222233334444:role/lockstep"), role_session_name: Some("lockstep-t1"), external_id: Some("lockstep-ext-\"x"), serial_number: None, token_code: Some("123456") }"#;
    let out = redact(input);
    assert!(!out.contains("lockstep-ext") && !out.contains("123456"), "{out}");
    assert!(out.contains("external_id: ** redacted **, serial_number: None, token_code: ** redacted ** }"), "{out}");
    assert!(out.contains("role/lockstep") && out.contains("lockstep-t1"), "the rest stays: {out}");
    // Cut off mid-value: nothing of it is kept.
    assert_eq!(redact(r#"X { external_id: Some("lockstep-ex"#), "X { external_id: ** redacted **");
    assert_eq!(redact("Y { my_external_id: Some(\"kept\") }"), "Y { my_external_id: Some(\"kept\") }");
}

/// Every request type lockstep sends, summarised: the operation, the key parameters in
/// words, never Rust `Debug` text and never a secret.
#[test]
fn each_known_request_is_put_in_words() {
    use super::{summarise, Input};
    use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType};
    let rrset = ResourceRecordSet::builder().name("_x.api.example.com").r#type(RrType::Cname).build().unwrap();
    let change = Change::builder().action(ChangeAction::Upsert).resource_record_set(rrset).build().unwrap();
    let cases: Vec<(Input, &str, &str)> = vec![
        (
            Input::erase(
                aws_sdk_sts::operation::assume_role::AssumeRoleInput::builder()
                    .role_arn("arn:aws:iam::222233334444:role/lockstep")
                    .role_session_name("lockstep-t1")
                    .external_id("lockstep-ext-secret")
                    .serial_number("arn:aws:iam::1:mfa/x")
                    .token_code("123456")
                    .build()
                    .unwrap(),
            ),
            "AssumeRole",
            "AssumeRole: role arn:aws:iam::222233334444:role/lockstep, session lockstep-t1",
        ),
        (
            Input::erase(
                aws_sdk_route53::operation::change_resource_record_sets::ChangeResourceRecordSetsInput::builder()
                    .hosted_zone_id("Z123")
                    .change_batch(ChangeBatch::builder().changes(change).build().unwrap())
                    .build()
                    .unwrap(),
            ),
            "ChangeResourceRecordSets",
            "ChangeResourceRecordSets: UPSERT CNAME _x.api.example.com, in zone Z123",
        ),
        (
            Input::erase(
                aws_sdk_acm::operation::request_certificate::RequestCertificateInput::builder()
                    .domain_name("api.example.com")
                    .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
                    .build()
                    .unwrap(),
            ),
            "RequestCertificate",
            "RequestCertificate: certificate for api.example.com, validated by DNS",
        ),
        (
            Input::erase(
                aws_sdk_route53domains::operation::register_domain::RegisterDomainInput::builder()
                    .domain_name("school-demo.com")
                    .duration_in_years(1)
                    .admin_contact(
                        aws_sdk_route53domains::types::ContactDetail::builder()
                            .email("teacher@example.com")
                            .phone_number("+82.1012345678")
                            .build(),
                    )
                    .build()
                    .unwrap(),
            ),
            "RegisterDomain",
            "RegisterDomain: domain school-demo.com, 1 year(s)",
        ),
        (
            Input::erase(
                aws_sdk_elasticloadbalancingv2::operation::register_targets::RegisterTargetsInput::builder()
                    .target_group_arn("arn:tg")
                    .targets(
                        aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                            .id("i-0abc")
                            .port(8000)
                            .build(),
                    )
                    .build()
                    .unwrap(),
            ),
            "RegisterTargets",
            "RegisterTargets: target i-0abc:8000, in arn:tg",
        ),
        (
            Input::erase(
                aws_sdk_elasticloadbalancingv2::operation::create_listener::CreateListenerInput::builder()
                    .load_balancer_arn("arn:lb")
                    .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Https)
                    .port(443)
                    .build()
                    .unwrap(),
            ),
            "CreateListener",
            "CreateListener: HTTPS, port 443, on arn:lb",
        ),
        (
            Input::erase(
                aws_sdk_cloudfront::operation::create_invalidation::CreateInvalidationInput::builder()
                    .distribution_id("E1")
                    .invalidation_batch(
                        aws_sdk_cloudfront::types::InvalidationBatch::builder()
                            .caller_reference("r")
                            .paths(aws_sdk_cloudfront::types::Paths::builder().quantity(1).items("/*").build().unwrap())
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            ),
            "CreateInvalidation",
            "CreateInvalidation: path /*, of distribution E1",
        ),
        (
            Input::erase(
                aws_sdk_s3::operation::put_object::PutObjectInput::builder()
                    .bucket("site")
                    .key("index.html")
                    .build()
                    .unwrap(),
            ),
            "PutObject",
            "PutObject: object index.html, in bucket site",
        ),
        (
            Input::erase(
                aws_sdk_ssm::operation::send_command::SendCommandInput::builder()
                    .document_name("AWS-RunShellScript")
                    .instance_ids("i-0abc")
                    .parameters("commands", vec!["echo secret-script".to_string()])
                    .build()
                    .unwrap(),
            ),
            "SendCommand",
            "SendCommand: run AWS-RunShellScript, on instance i-0abc",
        ),
        (
            Input::erase(
                aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityInput::builder().build().unwrap(),
            ),
            "GetCallerIdentity",
            "GetCallerIdentity",
        ),
        // A type this list does not know: its operation name alone.
        (Input::erase(String::from("anything")), "SomethingNew", "SomethingNew"),
    ];
    for (input, op, expected) in cases {
        let text = summarise(op, &input);
        assert_eq!(text, expected);
        for debug in ["TypeErasedBox", "Some(", "{", "Input(", "None"] {
            assert!(!text.contains(debug), "{op}: {text}");
        }
        for secret in ["lockstep-ext-secret", "123456", "mfa/x", "teacher@example.com", "+82", "secret-script"] {
            assert!(!text.contains(secret), "{op}: {text}");
        }
    }
}

#[test]
fn stored_debug_text_is_shown_as_the_operation_name() {
    use super::readable_stored;
    let old = "Input(TypeErasedBox[!Clone]:DescribeInstancesInput { instance_ids: Some([\"i-0abc\"]), filters: None })";
    assert_eq!(readable_stored("aws", "ec2:DescribeInstances", old), "DescribeInstances");
    let old = r#"AssumeRoleInput { role_arn: Some("arn"), external_id: ** redacted ** }"#;
    assert_eq!(readable_stored("aws", "sts:AssumeRole", old), "AssumeRole");
    // Words stay; so do actions' own summaries.
    assert_eq!(
        readable_stored("aws", "ec2:DescribeInstances", "DescribeInstances: instance i-0abc"),
        "DescribeInstances: instance i-0abc"
    );
    assert_eq!(readable_stored("action", "choose_zone", "zone Z1"), "zone Z1");

    // Both the timeline and the JSON export read rows through `entry_view`.
    use crate::store::directory::{AuditRow, NewAudit};
    let row = AuditRow {
        seq: 1,
        entry: NewAudit {
            kind: "aws".into(),
            operation: "ec2:DescribeInstances".into(),
            summary: "Input(TypeErasedBox[!Clone]:DescribeInstancesInput { instance_ids: Some([]) })".into(),
            ..NewAudit::default()
        },
    };
    assert_eq!(crate::history::entry_view(row).summary, "DescribeInstances");
}

#[test]
fn error_codes_come_from_the_header_the_xml_or_the_json() {
    assert_eq!(error_code(400, Some("ResourceInUseException:http://x"), None), "ResourceInUseException");
    let xml = b"<ErrorResponse><Error><Code>DependencyViolation</Code></Error></ErrorResponse>";
    assert_eq!(error_code(400, None, Some(xml)), "DependencyViolation");
    let json = br#"{"__type":"com.amazonaws.acm#ResourceNotFoundException","message":"x"}"#;
    assert_eq!(error_code(400, None, Some(json)), "ResourceNotFoundException");
    assert_eq!(error_code(503, None, Some(b"")), "HTTP 503");
}
