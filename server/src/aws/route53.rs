//! Route 53: hosted zones and records.

use super::{classify, Aws};
use crate::ports::{AliasTarget, ChangeStatus, DnsRecords, HostedZones, PortError, PortResult, RecordSet, Zone};
use async_trait::async_trait;
use aws_sdk_route53::types::AliasTarget as SdkAliasTarget;
use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType};
use lockstep_domain::DomainName;
use std::sync::Arc;

pub struct Route53(pub Arc<Aws>);

fn bare_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").trim_start_matches("/change/").to_string()
}

fn zone(z: &aws_sdk_route53::types::HostedZone) -> Zone {
    Zone {
        id: bare_id(z.id()),
        name: z.name().trim_end_matches('.').to_ascii_lowercase(),
        private: z.config().is_some_and(|c| c.private_zone()),
        record_count: z.resource_record_set_count().unwrap_or_default(),
        caller_reference: Some(z.caller_reference().to_string()).filter(|r| !r.is_empty()),
    }
}

fn invalid(e: impl std::fmt::Display) -> PortError {
    PortError::Rejected { code: "InvalidInput".into(), message: e.to_string() }
}

#[async_trait]
impl HostedZones for Route53 {
    async fn list_zones(&self) -> PortResult<Vec<Zone>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self.0.route53().list_hosted_zones().set_marker(marker.take()).send().await.map_err(classify)?;
            out.extend(page.hosted_zones().iter().map(zone));
            match (page.is_truncated(), page.next_marker()) {
                (true, Some(m)) => marker = Some(m.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn get_zone(&self, id: &str) -> PortResult<Zone> {
        let out = self.0.route53().get_hosted_zone().id(id).send().await.map_err(classify)?;
        out.hosted_zone().map(zone).ok_or_else(|| PortError::NotFound(format!("hosted zone {id}")))
    }

    async fn create_zone(&self, name: &DomainName, caller_reference: &str) -> PortResult<Zone> {
        let out = self
            .0
            .route53()
            .create_hosted_zone()
            .name(name.as_str())
            .caller_reference(caller_reference)
            // Sent once, without the SDK's retries: sent again after its answer was lost, AWS
            // refuses the repeated CallerReference (HostedZoneAlreadyExists) and the sandbox's
            // emulator makes a second zone of the same name. The callers look for the zone
            // before creating it, so their own retry finds the one the lost answer was about.
            .customize()
            .config_override(
                aws_sdk_route53::config::Builder::default()
                    .retry_config(aws_smithy_types::retry::RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(classify)?;
        out.hosted_zone().map(zone).ok_or_else(|| PortError::Unavailable("no zone in the answer".into()))
    }

    async fn delete_zone(&self, zone_id: &str) -> PortResult<()> {
        self.0.route53().delete_hosted_zone().id(zone_id).send().await.map_err(classify)?;
        Ok(())
    }

    async fn delegation(&self, zone_id: &str) -> PortResult<Vec<String>> {
        let out = self.0.route53().get_hosted_zone().id(zone_id).send().await.map_err(classify)?;
        Ok(out
            .delegation_set()
            .map(|d| d.name_servers().iter().map(|n| n.trim_end_matches('.').to_ascii_lowercase()).collect())
            .unwrap_or_default())
    }
}

#[async_trait]
impl DnsRecords for Route53 {
    async fn upsert(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String> {
        self.change(zone_id, ChangeAction::Upsert, records).await
    }

    async fn delete_records(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String> {
        self.change(zone_id, ChangeAction::Delete, records).await
    }

    async fn change_status(&self, change_id: &str) -> PortResult<ChangeStatus> {
        let out = self.0.route53().get_change().id(change_id).send().await.map_err(classify)?;
        Ok(match out.change_info().map(|c| c.status().clone()) {
            Some(aws_sdk_route53::types::ChangeStatus::Insync) => ChangeStatus::InSync,
            _ => ChangeStatus::Pending,
        })
    }

    async fn list_records(&self, zone_id: &str) -> PortResult<Vec<RecordSet>> {
        let mut out = Vec::new();
        let mut start: Option<(String, RrType)> = None;
        loop {
            let mut req = self.0.route53().list_resource_record_sets().hosted_zone_id(zone_id);
            if let Some((name, t)) = start.take() {
                req = req.start_record_name(name).start_record_type(t);
            }
            let page = req.send().await.map_err(classify)?;
            for s in page.resource_record_sets() {
                out.push(RecordSet {
                    name: s.name().trim_end_matches('.').to_ascii_lowercase(),
                    rtype: s.r#type().as_str().to_string(),
                    ttl: s.ttl().unwrap_or_default(),
                    values: s.resource_records().iter().map(|r| r.value().to_string()).collect(),
                    alias: s.alias_target().map(|a| AliasTarget {
                        dns_name: a.dns_name().trim_end_matches('.').to_ascii_lowercase(),
                        hosted_zone_id: a.hosted_zone_id().to_string(),
                        evaluate_target_health: a.evaluate_target_health(),
                    }),
                });
            }
            match (page.is_truncated(), page.next_record_name(), page.next_record_type()) {
                (true, Some(n), Some(t)) => start = Some((n.to_string(), t.clone())),
                _ => break,
            }
        }
        Ok(out)
    }
}

impl Route53 {
    /// One change batch applying `action` to every record.
    async fn change(&self, zone_id: &str, action: ChangeAction, records: &[RecordSet]) -> PortResult<String> {
        let mut batch = ChangeBatch::builder().comment("lockstep");
        for r in records {
            let mut set = ResourceRecordSet::builder().name(&r.name).r#type(RrType::from(r.rtype.as_str()));
            match &r.alias {
                // An alias record has no TTL and no values: Route 53 answers with the target's.
                Some(a) => {
                    set = set.alias_target(
                        SdkAliasTarget::builder()
                            .hosted_zone_id(&a.hosted_zone_id)
                            .dns_name(&a.dns_name)
                            .evaluate_target_health(a.evaluate_target_health)
                            .build()
                            .map_err(invalid)?,
                    )
                }
                None => {
                    set = set.ttl(r.ttl);
                    for v in &r.values {
                        set = set.resource_records(ResourceRecord::builder().value(v).build().map_err(invalid)?);
                    }
                }
            }
            batch = batch.changes(
                Change::builder()
                    .action(action.clone())
                    .resource_record_set(set.build().map_err(invalid)?)
                    .build()
                    .map_err(invalid)?,
            );
        }
        let out = self
            .0
            .route53()
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch.build().map_err(invalid)?)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.change_info().map(|c| bare_id(c.id())).unwrap_or_default())
    }
}
