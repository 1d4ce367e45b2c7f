//! `obakit simulate` against obakit's own server (it must pass), and the command itself: exit
//! codes, report formats, the run without a gateway or without an answering partner. The
//! independent reference partner and its seeded faults are in `simulate_reference.rs`.

mod support;

use obakit_simulator::mock_orange::MockOrangeConfig;
use obakit_simulator::simulate::{Gateway, Report, run};
use support::TestDb;
use support::app::{self, TestApp};
use support::reference::{self, Async, Fault};
use support::simulation::{config, simulate_command};

/// The report as a person reads it, when a test is about to fail.
fn explain(report: &Report) -> String {
    report.text()
}

/// Contract checks obakit's own server is known to fail in asynchronous mode: none. A check that
/// starts failing must be fixed in the server, or listed here with the reason.
const OBAKIT_ASYNC_GAPS: &[&str] = &[];

/// The same in synchronous mode: none.
const OBAKIT_SYNC_GAPS: &[&str] = &[];

/// No check fails the run but `known` ones (each of which must fail, so the list stays true).
fn assert_passes_but_for(report: &Report, known: &[&str]) {
    let failing = report.failing();
    let unexpected: Vec<&&str> = failing.iter().filter(|id| !known.contains(id)).collect();
    assert!(
        unexpected.is_empty(),
        "checks failed: {unexpected:?}\n{}",
        explain(report)
    );
    let fixed: Vec<&&str> = known.iter().filter(|id| !failing.contains(id)).collect();
    assert!(
        fixed.is_empty(),
        "{fixed:?} pass now: take them off the list of known gaps\n{}",
        explain(report)
    );
}

/// A mock gateway on a free port and an asynchronous reference partner sending its events there.
async fn asynchronous(fault: Fault) -> (Gateway, reference::Running) {
    let gateway = Gateway::start(
        "127.0.0.1:0".parse().expect("address"),
        MockOrangeConfig::default(),
    )
    .await
    .expect("start the mock gateway");
    let (id, secret) = gateway.client_credentials().expect("in-process gateway");
    let partner = reference::start(
        fault,
        Some(Async {
            gateway_url: gateway.url().to_owned(),
            client_id: id.to_owned(),
            client_secret: secret.to_owned(),
        }),
    )
    .await;
    (gateway, partner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_passes_against_obakits_own_server_in_sync_mode_even_strict() {
    let db = TestDb::sqlite();
    let obakit = TestApp::start(&db).await;
    let mut config = config(&obakit.base_url, app::USER, app::PASSWORD);
    // obakit implements our own decisions too: none may fail.
    config.strict = true;
    let report = run(&config, None).await.expect("the run starts");
    assert_passes_but_for(&report, OBAKIT_SYNC_GAPS);
    assert_eq!(report.mode, "sync");
    // obakit serves the optional offer swap and end-user/realizing-resource configuration too.
    for id in [
        "swap.after",
        "end_user.applied",
        "technical_resource.applied",
    ] {
        let check = report.check(id).expect("check made");
        assert!(
            check.passed(),
            "{id}: {}\n{}",
            check.actual,
            explain(&report)
        );
    }
    // Logins come only from the partner's own tools: reported, and the run still passes.
    assert!(!report.check("login.shown").expect("check made").passed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_passes_against_obakits_own_server_in_async_mode_even_strict() {
    let gateway = Gateway::start(
        "127.0.0.1:0".parse().expect("address"),
        MockOrangeConfig::default(),
    )
    .await
    .expect("start the mock gateway");
    let (id, secret) = gateway.client_credentials().expect("in-process gateway");
    let (url, id, secret) = (gateway.url().to_owned(), id.to_owned(), secret.to_owned());
    let db = TestDb::sqlite();
    let obakit = TestApp::start_with(&db, move |c| {
        c.mode.product_ordering = obakit_server::config::Mode::Async;
        c.mode.user_service = obakit_server::config::Mode::Async;
        c.orange.gateway_url = url;
        c.orange.client_id = Some(id);
        c.orange.client_secret = Some(secret);
    })
    .await;
    let mut config = config(&obakit.base_url, app::USER, app::PASSWORD);
    config.strict = true;
    let report = run(&config, Some(&gateway)).await.expect("the run starts");
    assert_passes_but_for(&report, OBAKIT_ASYNC_GAPS);
    assert_eq!(report.mode, "async");
    assert!(
        report
            .check("uc2.event.matches")
            .expect("check made")
            .passed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_answer_without_a_gateway_skips_its_event_check_and_says_how_to_receive_it()
{
    let (_gateway, partner) = asynchronous(Fault::None).await;
    let report = run(
        &config(&partner.url, reference::USER, reference::PASSWORD),
        None,
    )
    .await
    .expect("the run starts");
    assert_eq!(report.mode, "async");
    let check = report.check("uc2.event").expect("check made");
    assert!(check.skipped(), "{:?}", check.outcome);
    assert!(check.actual.contains("--async"), "{}", check.actual);
    assert!(report.skipped().contains(&"uc2.event"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_exits_0_with_a_json_report_listing_decision_warnings_when_no_contract_check_fails()
 {
    let partner = reference::start(Fault::None, None).await;
    let output = simulate_command(&partner.url, &["--report", "json"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is the JSON report");
    assert_eq!(report["passed"], true);
    assert!(report["checks"].as_array().is_some_and(|c| c.len() > 80));
    let warnings = report["warnings"].as_array().expect("warnings listed");
    assert!(warnings.iter().any(|w| w == "uc1.ids"), "{warnings:?}");
    assert_eq!(report["checks"][0]["level"], "contract");
    // Today's defaults, said so.
    assert!(
        report["profile"]
            .as_str()
            .is_some_and(|p| p.starts_with("none given"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_exits_1_with_a_junit_report_naming_the_failed_check() {
    let partner = reference::start(Fault::NoFleetId, None).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("report.xml");
    let file_arg = file.display().to_string();
    let output = simulate_command(
        &partner.url,
        &["--report", "junit", "--report-file", &file_arg],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let xml = std::fs::read_to_string(&file).expect("report file");
    assert!(xml.contains("name=\"uc2.fleet_id\">"), "{xml}");
    assert!(xml.contains("<failure type=\"contract\""), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_reads_the_profile_and_with_strict_fails_on_a_decision() {
    let partner = reference::start(Fault::None, None).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let profile = dir.path().join("appendix2.toml");
    std::fs::write(
        &profile,
        "[features]\nlogin = false\n[offers.PO-REF-BASIC]\ncharacteristics = [\"domain\"]\n[offers.PO-REF-PLUS]\n",
    )
    .expect("write the profile");
    let profile_arg = profile.display().to_string();
    let output = simulate_command(
        &partner.url,
        &["--profile", &profile_arg, "--strict", "--report", "json"],
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is the JSON report");
    assert_eq!(report["strict"], true);
    assert!(
        report["profile"]
            .as_str()
            .is_some_and(|p| p.contains("appendix2.toml")),
        "{}",
        report["profile"]
    );
    // Only decisions fail this run (the reference partner breaks no contract rule).
    assert_eq!(report["failedContract"], serde_json::json!([]));
    let failing = report["failing"].as_array().expect("failing listed");
    assert!(failing.iter().any(|f| f == "uc1.ids"), "{failing:?}");
    // The profile's first offer was ordered, with the characteristic it asks for.
    let uc2 = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "uc2.spec")
        .expect("uc2.spec made");
    let sent = uc2["exchange"]["requestBody"]
        .as_str()
        .expect("request excerpt");
    assert!(
        sent.contains("PO-REF-BASIC") && sent.contains("\"domain\""),
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_that_does_not_answer_fails_ping_and_stops_the_run() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let report = run(&config(&format!("http://127.0.0.1:{port}"), "u", "p"), None)
        .await
        .expect("the run starts");
    assert_eq!(report.failing(), vec!["ping.spec"]);
    assert_eq!(report.checks.len(), 1);
    let check = report.check("ping.spec").expect("check made");
    assert!(
        check.actual.starts_with("no answer to GET /ping"),
        "{}",
        check.actual
    );
}
