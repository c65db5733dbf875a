//! What the new-project form offers to pick (issue 22, "pick, don't type"): the team's running
//! instances in the region (Name tag, public IP, SSM reach, security groups) and its buckets
//! (website hosting on or not), read through the team's own AWS access. A list AWS would not
//! give comes back as plain words, never the SDK's text; the form then offers typing.

use super::{aws_error, messages, Lockstep};
use crate::ports::{BucketSummary, PortError};
use app::model::AppError;
use app::projects::api::{BucketChoice, InstanceChoice, PickLists};
use lockstep_domain::{Region, UserError};

/// At most this many buckets are checked for website hosting (one call each).
const WEBSITE_CHECKS: usize = 40;

impl Lockstep {
    pub(super) async fn choices(&self, region: &Region) -> PickLists {
        let a = &self.adapters;
        let (instances, online, buckets) = tokio::join!(
            a.instance_catalog.running_instances(region),
            a.ssm_reach.online_instances(region),
            a.bucket_catalog.buckets(region),
        );
        let mut out = PickLists::default();
        match instances {
            Ok(list) => {
                // SSM unknown (not allowed, not answering): said as "unknown" per instance.
                let online = online.map_err(|e| tracing::info!(error = %e, "SSM reach unknown")).ok();
                out.instances = list
                    .into_iter()
                    .map(|i| InstanceChoice {
                        ssm: online.as_ref().map(|o| o.contains(&i.instance_id)),
                        id: i.instance_id,
                        name: i.name,
                        public_ip: i.public_ip.map(|ip| ip.to_string()),
                        security_groups: i.security_groups,
                    })
                    .collect();
                // Named ones first (alphabetically), then the rest by id.
                out.instances
                    .sort_by(|x, y| (x.name.is_none(), &x.name, &x.id).cmp(&(y.name.is_none(), &y.name, &y.id)));
            }
            Err(e) => out.instances_error = Some(list_error(Listing::Instances, region, e)),
        }
        match buckets {
            Ok(list) => out.buckets = self.with_website(region, list).await,
            Err(e) => out.buckets_error = Some(list_error(Listing::Buckets, region, e)),
        }
        out
    }

    /// Each bucket with whether website hosting is on (asked in the bucket's own region).
    async fn with_website(&self, hint: &Region, mut list: Vec<BucketSummary>) -> Vec<BucketChoice> {
        list.sort_by(|a, b| a.name.cmp(&b.name));
        let mut out = Vec::with_capacity(list.len());
        for (n, b) in list.into_iter().enumerate() {
            let website = if n < WEBSITE_CHECKS {
                let region = match b.region {
                    Some(r) => Some(r),
                    None => self.adapters.buckets.region(hint, &b.name).await.ok(),
                };
                match region {
                    Some(r) => self.adapters.buckets.website_enabled(&r, &b.name).await.ok(),
                    None => None,
                }
            } else {
                None
            };
            out.push(BucketChoice { name: b.name, website });
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Listing {
    Instances,
    Buckets,
}

/// Why a list is missing, in English and Korean, with what to do instead (type the value).
fn list_error(what: Listing, region: &Region, e: PortError) -> UserError {
    let (list, fix) = match what {
        Listing::Instances => messages::instances_not_listed(region),
        Listing::Buckets => messages::buckets_not_listed(),
    };
    let why = match &e {
        // The team's role or the operator's rules: the words those cases already have.
        PortError::NoAccess(_) | PortError::TeamRole { .. } => {
            return match aws_error(&list, e) {
                AppError::User(u) => u,
                _ => messages::list_missing(&list, None, &fix),
            };
        }
        PortError::Denied { code, .. } => messages::list_denied(code),
        PortError::Throttled(_) | PortError::Unavailable(_) => messages::list_unanswered(),
        PortError::NotFound(_) | PortError::Rejected { .. } | PortError::Unsupported(_) => messages::list_refused(),
    };
    tracing::info!(error = %e, "a list for the new-project form is missing");
    messages::list_missing(&list, Some(&why), &fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_errors_carry_no_sdk_text() {
        let region = Region::parse("ap-northeast-2").unwrap();
        let e = PortError::Rejected { code: "Weird".into(), message: "DescribeInstancesInput { secret }".into() };
        let u = list_error(Listing::Instances, &region, e);
        let all = format!("{} {} {} {:?}", u.what, u.why, u.fix, u.ko);
        assert!(!all.contains("DescribeInstancesInput"), "{all}");
        assert!(u.ko.is_some());
        let u = list_error(
            Listing::Buckets,
            &region,
            PortError::Denied { code: "AccessDenied".into(), message: "arn:aws:iam::123:role/x is not".into() },
        );
        let all = format!("{} {} {} {:?}", u.what, u.why, u.fix, u.ko);
        assert!(u.why.contains("AccessDenied") && !all.contains("arn:aws:iam"), "{all}");
    }
}
