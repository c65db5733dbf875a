//! The Route 53 Domains adapter and the purchase flow with scripted SDK replies, for what moto
//! does not do: availability states, prices, an operation that FAILS with a reason, throttling,
//! and a retry after a crash between RegisterDomain and saving its result.

mod common;

use app::api::ssr::prelude::*;
use app::model::{BuyOutcome, SearchOutcome};
use aws_sdk_route53domains::operation::check_domain_availability::CheckDomainAvailabilityOutput;
use aws_sdk_route53domains::operation::get_domain_detail::GetDomainDetailError;
use aws_sdk_route53domains::operation::get_domain_suggestions::GetDomainSuggestionsOutput;
use aws_sdk_route53domains::operation::get_operation_detail::GetOperationDetailOutput;
use aws_sdk_route53domains::operation::list_operations::ListOperationsOutput;
use aws_sdk_route53domains::operation::list_prices::ListPricesOutput;
use aws_sdk_route53domains::operation::register_domain::RegisterDomainOutput;
use aws_sdk_route53domains::types::{
    DomainAvailability, DomainPrice, DomainSuggestion, OperationStatus, OperationSummary, OperationType,
    PriceWithCurrency,
};
use aws_sdk_route53domains::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use common::contact;
use common::{drive, drive_until, project, world_with};
use lockstep_domain::{DomainName, RunStatus, StepKind, StepStatus};
use lockstep_server::aws::domains::Route53Domains;
use lockstep_server::ports::{Availability, Registrar};
use std::sync::Arc;

fn availability(a: DomainAvailability) -> Rule {
    mock!(Client::check_domain_availability)
        .then_output(move || CheckDomainAvailabilityOutput::builder().availability(a.clone()).build())
}

fn prices() -> Rule {
    mock!(Client::list_prices).then_output(|| {
        let p = |v| PriceWithCurrency::builder().price(v).currency("USD").build().unwrap();
        ListPricesOutput::builder()
            .prices(DomainPrice::builder().name("com").registration_price(p(15.0)).renewal_price(p(16.5)).build())
            .build()
    })
}

fn suggestions() -> Rule {
    mock!(Client::get_domain_suggestions).then_output(|| {
        GetDomainSuggestionsOutput::builder()
            .suggestions_list(DomainSuggestion::builder().domain_name("teamapp.com").availability("AVAILABLE").build())
            .build()
    })
}

fn not_in_account() -> Rule {
    mock!(Client::get_domain_detail).then_error(|| {
        GetDomainDetailError::InvalidInput(
            aws_sdk_route53domains::types::error::InvalidInput::builder()
                .message("Domain is not associated with this account")
                .build(),
        )
    })
}

#[tokio::test]
async fn availability_states_and_prices_are_read_correctly() {
    let name = DomainName::parse("team.com").unwrap();
    for (reply, want) in [
        (DomainAvailability::Available, Availability::Available),
        (DomainAvailability::Unavailable, Availability::Unavailable("UNAVAILABLE".into())),
        (DomainAvailability::UnavailablePremium, Availability::Unavailable("UNAVAILABLE_PREMIUM".into())),
        (DomainAvailability::DontKnow, Availability::Unknown("the registry did not answer".into())),
    ] {
        let rule = availability(reply);
        let r = Route53Domains::with_client(mock_client!(aws_sdk_route53domains, [&rule]));
        assert_eq!(r.availability(&name).await.unwrap(), want);
    }
    let rule = prices();
    let r = Route53Domains::with_client(mock_client!(aws_sdk_route53domains, [&rule]));
    let p = r.price("com").await.unwrap().unwrap();
    assert_eq!((p.registration.0, p.renewal.0), (1500, 1650));
    assert_eq!(p.renewal.to_string(), "$16.50");
}

#[tokio::test]
async fn the_price_list_is_read_across_pages() {
    let rule = mock!(Client::list_prices)
        .sequence()
        .output(|| {
            let p = |v| PriceWithCurrency::builder().price(v).currency("USD").build().unwrap();
            ListPricesOutput::builder()
                .prices(DomainPrice::builder().name("co.kr").registration_price(p(20.0)).renewal_price(p(20.0)).build())
                .next_page_marker("page-2")
                .build()
        })
        .output(|| {
            let p = |v| PriceWithCurrency::builder().price(v).currency("USD").build().unwrap();
            ListPricesOutput::builder()
                .prices(DomainPrice::builder().name("click").registration_price(p(3.0)).renewal_price(p(3.0)).build())
                .build()
        })
        .build();
    let r = Route53Domains::with_client(mock_client!(aws_sdk_route53domains, [&rule]));
    let p = r.price("click").await.unwrap().expect("found on the second page");
    assert_eq!(p.registration.0, 300);
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn throttling_is_reported_as_retryable() {
    let rule = mock!(Client::check_domain_availability)
        .sequence()
        .http_status(400, Some(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into()))
        .build();
    let r = Route53Domains::with_client(mock_client!(aws_sdk_route53domains, [&rule]));
    let e = r.availability(&DomainName::parse("team.com").unwrap()).await.unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
}

#[tokio::test]
async fn unavailable_domain_is_not_bought_and_a_failed_operation_explains_why() {
    // Unavailable: the search says so, the purchase is refused before any registration.
    let unavailable = availability(DomainAvailability::Unavailable);
    let (p1, s1) = (prices(), suggestions());
    let register_never =
        mock!(Client::register_domain).then_output(|| RegisterDomainOutput::builder().operation_id("never").build());
    let client = mock_client!(
        aws_sdk_route53domains,
        RuleMode::MatchAny,
        [&unavailable, &p1, &s1, &not_in_account(), &register_never]
    );
    let w = world_with(move |mut a| {
        a.registrar = Arc::new(Route53Domains::with_client(client));
        a
    })
    .await;
    let pid = project(&w).await;
    let SearchOutcome::Found(found) = w.service.search_domain(&w.me, &pid, "team.com").await.unwrap() else { panic!() };
    assert!(!found.available);
    assert_eq!(found.price.as_ref().unwrap().registration, "$15.00", "price shown even when taken");
    let BuyOutcome::Refused(why) = w.service.buy_domain(&w.me, &pid, "team.com", 1500, contact()).await.unwrap() else {
        panic!()
    };
    assert!(why.en.contains("not available"), "{why}");
    assert_eq!(register_never.num_calls(), 0);

    // Available, bought, and the registration FAILS: the user reads AWS's reason and the fix.
    let (avail, p2, s2) = (availability(DomainAvailability::Available), prices(), suggestions());
    let no_ops = mock!(Client::list_operations).then_output(|| ListOperationsOutput::builder().build());
    let register =
        mock!(Client::register_domain).then_output(|| RegisterDomainOutput::builder().operation_id("op-1").build());
    let failed = mock!(Client::get_operation_detail).then_output(|| {
        GetOperationDetailOutput::builder()
            .operation_id("op-1")
            .status(OperationStatus::Failed)
            .message("The registrant contact's e-mail address is not valid.")
            .domain_name("team.com")
            .build()
    });
    let client = mock_client!(
        aws_sdk_route53domains,
        RuleMode::MatchAny,
        [&avail, &p2, &s2, &no_ops, &register, &failed, &not_in_account()]
    );
    let w = world_with(move |mut a| {
        a.registrar = Arc::new(Route53Domains::with_client(client));
        a
    })
    .await;
    let pid = project(&w).await;
    let BuyOutcome::Started(run) = w.service.buy_domain(&w.me, &pid, "team.com", 1500, contact()).await.unwrap() else {
        panic!()
    };
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Failed);
    let step = done.steps.iter().find(|s| s.kind == StepKind::DomainAwaitRegistration).unwrap();
    let err = step.error.as_ref().expect("explained");
    assert!(err.what.contains("failed (FAILED)"), "{err:?}");
    assert_eq!(err.why, "The registrant contact's e-mail address is not valid.");
    assert!(err.fix.contains("contact details"));
    assert_eq!(register.num_calls(), 1);
}

#[tokio::test]
async fn a_retry_after_a_crash_finds_the_submitted_registration_instead_of_buying_twice() {
    // The previous attempt called RegisterDomain and died before saving the operation id:
    // ListOperations shows it, so the retry must use it and never call RegisterDomain again.
    let (avail, p, s) = (availability(DomainAvailability::Available), prices(), suggestions());
    let earlier = mock!(Client::list_operations).then_output(|| {
        ListOperationsOutput::builder()
            .operations(
                OperationSummary::builder()
                    .operation_id("op-earlier")
                    .status(OperationStatus::InProgress)
                    .r#type(OperationType::RegisterDomain)
                    .domain_name("crash-team.com")
                    .submitted_date(aws_smithy_types::DateTime::from_secs(1_800_000_000))
                    .build(),
            )
            .build()
    });
    let register = mock!(Client::register_domain)
        .then_output(|| RegisterDomainOutput::builder().operation_id("op-second").build());
    let detail = mock!(Client::get_operation_detail)
        .match_requests(|r| r.operation_id() == Some("op-earlier"))
        .then_output(|| {
            GetOperationDetailOutput::builder()
                .operation_id("op-earlier")
                .status(OperationStatus::Successful)
                .domain_name("crash-team.com")
                .build()
        });
    let client = mock_client!(
        aws_sdk_route53domains,
        RuleMode::MatchAny,
        [&avail, &p, &s, &earlier, &register, &detail, &not_in_account()]
    );
    let w = world_with(move |mut a| {
        a.registrar = Arc::new(Route53Domains::with_client(client));
        a
    })
    .await;
    // Route 53 creates the zone for a registered domain; here moto plays that part.
    w.zones.create_zone(&DomainName::parse("crash-team.com").unwrap(), "r53d-created").await.unwrap();
    let pid = project(&w).await;
    let BuyOutcome::Started(run) = w.service.buy_domain(&w.me, &pid, "crash-team.com", 1500, contact()).await.unwrap()
    else {
        panic!()
    };
    let run = drive_until(&w, &run.id, |r| {
        r.steps.iter().any(|s| s.kind == StepKind::DomainFindZone && s.status == StepStatus::Succeeded)
    })
    .await;
    let reg = run.steps.iter().find(|s| s.kind == StepKind::DomainRegister).unwrap();
    assert!(reg.note.as_ref().map(|n| n.en.as_str()).unwrap().contains("op-earlier"), "{reg:?}");
    assert_eq!(register.num_calls(), 0, "RegisterDomain must not be called a second time");
    assert!(w.service.get_project(&w.me, &pid).await.unwrap().plan.is_some());
}
