//! The bucket policy statement that lets one distribution read a private bucket through its
//! Origin Access Control. A bucket policy is a JSON document by nature (and may hold other
//! people's statements of any shape), so it is read and written as JSON here, and only here.

use serde_json::{json, Value};

/// Why the bucket's current policy cannot take lockstep's statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyProblem {
    /// Not valid JSON; where the parser stopped.
    NotJson {
        line: usize,
        column: usize,
    },
    NotAnObject,
    StatementNotAList,
}

/// The statement id lockstep adds to a bucket policy for one distribution.
pub fn policy_sid(distribution_id: &str) -> String {
    let id: String = distribution_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("LockstepCloudFrontRead{id}")
}

/// `value` is `want`, or a list holding it (IAM allows either).
fn is_or_has(value: &Value, want: &str) -> bool {
    value.as_str() == Some(want) || value.as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some(want)))
}

/// The bucket policy with the statement letting the distribution read every object through its
/// Origin Access Control, merged into `existing`. `Ok(None)` when it is there already.
pub fn merge_policy(
    existing: Option<&str>,
    bucket: &str,
    distribution_id: &str,
    distribution_arn: &str,
) -> Result<Option<String>, PolicyProblem> {
    let mut doc: Value = match existing.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| PolicyProblem::NotJson { line: e.line(), column: e.column() })?
        }
        None => json!({ "Version": "2012-10-17", "Statement": [] }),
    };
    let resource = format!("arn:aws:s3:::{bucket}/*");
    let obj = doc.as_object_mut().ok_or(PolicyProblem::NotAnObject)?;
    let statements = obj.entry("Statement").or_insert_with(|| json!([]));
    if statements.is_object() {
        *statements = json!([statements.take()]);
    }
    let list = statements.as_array_mut().ok_or(PolicyProblem::StatementNotAList)?;
    let grants = |s: &Value| {
        s["Effect"] == "Allow"
            && is_or_has(&s["Principal"]["Service"], "cloudfront.amazonaws.com")
            && is_or_has(&s["Action"], "s3:GetObject")
            && is_or_has(&s["Resource"], &resource)
            && s["Condition"]["StringEquals"]["AWS:SourceArn"] == json!(distribution_arn)
    };
    if list.iter().any(grants) {
        return Ok(None);
    }
    let sid = policy_sid(distribution_id);
    list.retain(|s| s["Sid"] != json!(sid));
    list.push(json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "Service": "cloudfront.amazonaws.com" },
        "Action": "s3:GetObject",
        "Resource": resource,
        "Condition": { "StringEquals": { "AWS:SourceArn": distribution_arn } },
    }));
    if !obj.contains_key("Version") {
        obj.insert("Version".into(), json!("2012-10-17"));
    }
    Ok(Some(doc.to_string()))
}
