//! `obakit simulate` against an independent reference partner (written from Orange's published
//! contract, sharing no code with obakit): it passes, with our own decisions listed as warnings;
//! and each fault seeded into it fails the matching contract check, by name.

mod support;

use std::time::Duration;

use obakit_simulator::mock_orange::MockOrangeConfig;
use obakit_simulator::simulate::{Gateway, Level, Report, SimulateConfig, run};
use support::reference::{self, Async, Fault};
use support::simulation::config;

fn reference_config(url: &str) -> SimulateConfig {
    config(url, reference::USER, reference::PASSWORD)
}

async fn gateway() -> Gateway {
    Gateway::start(
        "127.0.0.1:0".parse().expect("address"),
        MockOrangeConfig::default(),
    )
    .await
    .expect("start the mock gateway")
}

fn async_to(gateway: &Gateway) -> Async {
    let (id, secret) = gateway.client_credentials().expect("in-process gateway");
    Async {
        gateway_url: gateway.url().to_owned(),
        client_id: id.to_owned(),
        client_secret: secret.to_owned(),
    }
}

/// A run against the reference partner with `fault`, asynchronous (through a mock gateway) or not.
async fn against(fault: Fault, asynchronous: bool, event_timeout: Duration) -> Report {
    if asynchronous {
        let gateway = gateway().await;
        let partner = reference::start(fault, Some(async_to(&gateway))).await;
        let mut config = reference_config(&partner.url);
        config.event_timeout = event_timeout;
        run(&config, Some(&gateway)).await.expect("the run starts")
    } else {
        let partner = reference::start(fault, None).await;
        run(&reference_config(&partner.url), None)
            .await
            .expect("the run starts")
    }
}

/// Every check is tied to a rule of the level table (none falls through to the fallback).
fn assert_every_check_has_a_basis(report: &Report) {
    let untied: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.basis.contains("not yet tied"))
        .map(|c| c.id.as_str())
        .collect();
    assert!(untied.is_empty(), "checks without a basis: {untied:?}");
}

/// The decisions an independent partner may well differ on, which must not fail the run.
const DECISIONS_THE_REFERENCE_DIFFERS_ON: [&str; 4] = [
    "uc1.ids",
    "uc2.status",
    "bad_input.both_query",
    "bad_input.update_empty",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_partner_passes_with_our_decisions_listed_as_warnings() {
    let report = against(Fault::None, false, Duration::from_secs(5)).await;
    assert!(
        report.failed_contract().is_empty(),
        "contract checks failed: {:?}\n{}",
        report.failed_contract(),
        report.text()
    );
    assert!(report.passed(), "{}", report.text());
    assert_every_check_has_a_basis(&report);
    for id in DECISIONS_THE_REFERENCE_DIFFERS_ON {
        let check = report.check(id).unwrap_or_else(|| panic!("{id} not made"));
        assert_eq!(check.level, Level::Decision, "{id}");
        assert!(check.failed(), "{id}: {}", check.actual);
        assert!(report.warnings().contains(&id), "{id}");
        assert!(check.basis.contains(".yaml"), "{id}: {}", check.basis);
    }
    let text = report.text();
    assert!(text.contains("WARN uc1.ids"), "{text}");
    assert!(text.contains("Result: PASSED"), "{text}");
    // With --strict, the same decisions fail the run.
    let strict = Report {
        strict: true,
        ..report
    };
    assert!(!strict.passed());
    for id in DECISIONS_THE_REFERENCE_DIFFERS_ON {
        assert!(strict.failing().contains(&id), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_asynchronous_reference_partner_passes_through_the_mock_gateway() {
    let gateway = gateway().await;
    let partner = reference::start(Fault::None, Some(async_to(&gateway))).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = reference_config(&partner.url);
    config.record = Some(dir.path().to_owned());
    let report = run(&config, Some(&gateway)).await.expect("the run starts");
    // --record keeps the events too, without their bearer token.
    let events: Vec<String> = std::fs::read_dir(dir.path())
        .expect("record directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("event-"))
        })
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e.contains("completedStateNotification")),
        "{} events recorded",
        events.len()
    );
    assert!(events.iter().all(|e| !e.contains("Bearer")));
    assert!(report.passed(), "{:?}\n{}", report.failing(), report.text());
    assert_eq!(report.mode, "async");
    assert_every_check_has_a_basis(&report);
    for id in [
        "uc1.async_answer",
        "uc2.event",
        "uc2.event.type",
        "uc3.hidden_until_completed",
        "suspend.event",
        "update_unknown_id.event",
        "update_unknown_id.failed",
    ] {
        let check = report.check(id).unwrap_or_else(|| panic!("{id} not made"));
        assert!(check.passed(), "{id}: {}\n{}", check.actual, report.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_given_the_credential_check_is_skipped_not_failed() {
    let partner = reference::start_anonymous().await;
    let report = run(&SimulateConfig::new(&partner.url), None)
        .await
        .expect("the run starts");
    let check = report
        .check("bad_input.no_credentials")
        .expect("check made");
    assert!(check.skipped(), "{:?}", check.outcome);
    assert!(report.skipped().contains(&"bad_input.no_credentials"));
    assert!(report.passed(), "{:?}\n{}", report.failing(), report.text());
}

/// Each seeded fault, and the contract check it must fail (with a word of what came, when the
/// check's own text is worth pinning).
const FAULTS: &[(Fault, bool, &str, &str)] = &[
    (
        Fault::ArrayForObject,
        false,
        "suspend.spec",
        "does not match the spec",
    ),
    (Fault::NoFleetId, false, "uc2.fleet_id", "no productRef.id"),
    (
        Fault::HalfUpdate,
        false,
        "update_unknown_id.after",
        "is active (expected inactive)",
    ),
    (
        Fault::DuplicatedReplay,
        false,
        "uc2_replay.after",
        "unexpected license",
    ),
    (
        Fault::DuplicatedReplay,
        false,
        "uc2_replay.same_answer",
        "order id",
    ),
    (
        Fault::CrashOnBadInput,
        false,
        "bad_input.malformed_json",
        "500",
    ),
    (
        Fault::CrashOnBadInput,
        false,
        "bad_input.missing_field",
        "500",
    ),
    (Fault::CrashOnBadInput, false, "limits.deep_nesting", "500"),
    (
        Fault::NullForOptional,
        false,
        "consult.wire",
        "/0/endUser is null",
    ),
    (
        Fault::WrongStateAfterSuspend,
        false,
        "suspend.licenses",
        "is active",
    ),
    (
        Fault::WrongStateAfterSuspend,
        false,
        "suspend.after",
        "is active (expected inactive)",
    ),
    (
        Fault::DeletedStillListed,
        false,
        "delete.after",
        "unexpected license",
    ),
    (
        Fault::ObjectForArray,
        false,
        "consult.spec",
        "does not match the spec",
    ),
    (
        Fault::NoEventForFailedUpdate,
        true,
        "update_unknown_id.event",
        "no matching event",
    ),
    (Fault::NoEvents, true, "uc2.event", "no matching event"),
    (
        Fault::VisibleBeforeEvent,
        true,
        "uc3.hidden_until_completed",
        "before the event",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_seeded_fault_fails_the_matching_contract_check_by_name() {
    let mut wrong = Vec::new();
    for (fault, asynchronous, id, says) in FAULTS {
        // Long enough for VisibleBeforeEvent's event (3 s late), short for events that never come.
        let timeout = if *fault == Fault::VisibleBeforeEvent {
            6
        } else {
            2
        };
        let report = against(*fault, *asynchronous, Duration::from_secs(timeout)).await;
        let check = report.check(id);
        let named = report.failed_contract().contains(id);
        let said = check.is_some_and(|c| c.actual.contains(says));
        if report.passed() || !named || !said {
            wrong.push(format!(
                "{fault:?}: {id} {} (run {}); got: {}",
                if named { "failed" } else { "did not fail" },
                if report.passed() { "passed" } else { "failed" },
                check.map_or("not made", |c| c.actual.as_str())
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
