//! `alb.listeners`: HTTPS:443 with the certificate forwarding to the target group, HTTP:80
//! redirecting to HTTPS. Equivalent listeners that exist are kept; different ones are explained,
//! never changed (lockstep does not change what it did not make).

use super::messages::{self, Task};
use super::{aws_id, certificate_arn, existed_before, rules, AlbDeps, AlbInput, Create, TargetGroup};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::PortError;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Arn, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Listeners(pub Arc<AlbDeps>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenersOutput {
    pub https_listener_arn: Arn,
    pub http_listener_arn: Arn,
    /// [`crate::ports::ALB_SSL_POLICY`].
    pub ssl_policy: String,
    /// The listeners lockstep made (HTTPS first).
    pub created: Vec<Created>,
}

#[async_trait]
impl Step for Listeners {
    const KIND: StepKind = StepKind::LoadBalancerListeners;
    type Input = AlbInput;
    type Output = ListenersOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<ListenersOutput>, StepError> {
        let d = &self.0;
        let region = &inp.region;
        let lb = ctx.output::<Create>().await?;
        let tg = ctx.output::<TargetGroup>().await?;
        let cert = certificate_arn(ctx, &inp).await?;
        let (lb_arn, tg_arn) = (lb.load_balancer_arn.as_str(), tg.target_group_arn.as_str());
        let existing = d
            .listeners
            .listeners(region, lb_arn)
            .await
            .map_err(|e| port_error(&messages::task(Task::ListListeners), e))?;
        let mut created = Vec::new();

        let https = existing.iter().find(|l| l.port == 443);
        let kept_https = existed_before(ctx, "elb.listener_443", https.is_some()).await?;
        let https = match https {
            Some(l) if rules::https_listener_ok(l, cert.as_str(), tg_arn) => l.clone(),
            Some(l) => {
                let actions = messages::describe_actions(l);
                return Err(StepError::Fatal(messages::https_listener_differs(
                    &lb.name, &actions, &cert, &tg.name, &inp.api,
                )));
            }
            None => {
                ctx.note(&messages::adding_https()).await?;
                faults::point("alb.listeners.before_https").await;
                let l = d.listeners.create_https_listener(region, lb_arn, cert.as_str(), tg_arn).await.map_err(
                    |e| match e {
                        PortError::Rejected { code, message } if code.contains("Certificate") => {
                            StepError::Fatal(messages::certificate_refused(&code, &message, region))
                        }
                        other => port_error(&messages::task(Task::AddHttps), other),
                    },
                )?;
                faults::point("alb.listeners.after_https").await;
                l
            }
        };
        let https = aws_id(Arn::parse(&https.arn), "the HTTPS listener's ARN")?;
        if !kept_https {
            created.push(Created::new(ResourceKind::Listener, https.as_str(), region));
        }

        let http = existing.iter().find(|l| l.port == 80);
        let kept_http = existed_before(ctx, "elb.listener_80", http.is_some()).await?;
        let http = match http {
            Some(l) if rules::redirect_listener_ok(l) => l.clone(),
            Some(l) => {
                let actions = messages::describe_actions(l);
                return Err(StepError::Fatal(messages::http_listener_differs(&lb.name, &actions)));
            }
            None => {
                ctx.note(&messages::adding_redirect()).await?;
                d.listeners
                    .create_redirect_listener(region, lb_arn)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::AddRedirect), e))?
            }
        };
        let http = aws_id(Arn::parse(&http.arn), "the HTTP listener's ARN")?;
        if !kept_http {
            created.push(Created::new(ResourceKind::Listener, http.as_str(), region));
        }
        Ok(StepOutcome::Done {
            note: Some(messages::listeners_done(&tg.name, kept_https, kept_http)),
            output: ListenersOutput {
                https_listener_arn: https,
                http_listener_arn: http,
                ssl_policy: crate::ports::ALB_SSL_POLICY.to_string(),
                created,
            },
        })
    }
}
