//! What `obakit simulate` leaves behind: the HTML report (rendered by a real headless Chromium,
//! without a console message), the `--record` directory, and a run driven by the partner's profile.

mod support;

use std::path::Path;
use std::process::Command;

use obakit_api::profile::Profile;
use obakit_simulator::simulate::{Level, run};
use support::reference::{self, Fault};
use support::simulation::{config, simulate_command};

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("OBAKIT_CI").is_none(),
        "OBAKIT_CI is set but {CHROMIUM} is missing (install Debian's chromium package)"
    );
    eprintln!(
        "skipping: {CHROMIUM} is missing (install Debian's chromium package to run this test)"
    );
    false
}

/// Renders `page` in headless Chromium with no network: the DOM, and the console lines it logged.
fn render(page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Any external asset would fail to load, and say so on the console.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_renders_in_chromium_without_console_messages_and_the_record_keeps_every_exchange()
 {
    let partner = reference::start(Fault::NoFleetId, None).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = dir.path().join("report.html");
    let record = dir.path().join("exchanges");
    let output = simulate_command(
        &partner.url,
        &[
            "--report",
            "html",
            "--report-file",
            &page.display().to_string(),
            "--record",
            &record.display().to_string(),
        ],
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("report file");
    // Credentials never reach the report (the password is not in it, nor a Basic header).
    assert!(!html.contains(reference::PASSWORD));
    assert!(!html.contains("Basic "));

    // Every exchange is a JSON file, in order, and none holds the credentials either.
    let mut files: Vec<_> = std::fs::read_dir(&record)
        .expect("record directory")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() > 20, "{} exchanges recorded", files.len());
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).expect("read")).expect("JSON");
    assert_eq!(first["request"], "GET /ping");
    assert_eq!(first["status"], 200);
    assert!(
        files.iter().any(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            text.contains("\"POST /productordering/v2/productOrder\"")
                && text.contains("userServiceQuantity")
        }),
        "no order recorded with its body"
    );
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        assert!(!text.contains(reference::PASSWORD), "{}", file.display());
    }

    if !chromium_available() {
        return;
    }
    // The console capture works: a page that logs is seen logging.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<p>x</p><script>console.error('control')</script>",
    )
    .expect("write");
    let (_, console) = render(&control);
    assert!(console.iter().any(|l| l.contains("control")), "{console:?}");

    let (dom, console) = render(&page);
    assert!(console.is_empty(), "console messages: {console:?}");
    for shown in [
        "obakit simulate: <span class=\"failed\">FAILED</span>",
        "<dt>Target</dt>",
        "<dt>Profile</dt>",
        "<dt>obakit version</dt>",
        "<dt>Date</dt>",
        "Ordering user licenses",
        "<tr id=\"uc2.fleet_id\">",
        "<td class=\"failed\">failed</td>",
        "<td class=\"warning\">warning</td>",
        "POST /productordering/v2/productOrder",
    ] {
        assert!(dom.contains(shown), "the page does not show {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_sets_the_offers_the_characteristics_sent_the_features_expected_and_the_modes() {
    let partner = reference::start(Fault::None, None).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("appendix2.toml");
    std::fs::write(
        &file,
        r#"
product_ordering = "sync"
user_service = "sync"
[features]
offer_swap = false
login = false
[offers.PO-REF-BASIC]
characteristics = ["domain", "storage"]
realizing_resource_type = "email"
[offers.PO-REF-PLUS]
"#,
    )
    .expect("write the profile");
    let mut config = config(&partner.url, reference::USER, reference::PASSWORD);
    config.profile = Some(Profile::load(&file).expect("the profile"));
    config.profile_source = Some(file.display().to_string());
    config.offer = "PO-REF-BASIC".into();
    config.swap_offer = "PO-REF-PLUS".into();
    let record = dir.path().join("exchanges");
    config.record = Some(record.clone());
    let report = run(&config, None).await.expect("the run starts");
    assert!(report.passed(), "{:?}\n{}", report.failing(), report.text());
    assert!(
        report.profile.contains("appendix2.toml"),
        "{}",
        report.profile
    );
    // Left out in the profile: skipped, not failed nor reported as unsupported.
    for id in ["swap.state", "login.shown"] {
        let check = report.check(id).unwrap_or_else(|| panic!("{id} not made"));
        assert!(check.skipped(), "{id}: {:?}", check.outcome);
    }
    // Declared: held like the mandatory features, no longer reported only.
    let applied = report.check("end_user.applied").expect("check made");
    assert_eq!(applied.level, Level::Contract);
    assert!(applied.passed(), "{}", applied.actual);
    let resource = report
        .check("technical_resource.applied")
        .expect("check made");
    assert!(
        resource.expected.contains("\"type\":\"email\""),
        "{}",
        resource.expected
    );
    for id in ["mode.product_ordering", "mode.user_service"] {
        assert!(report.check(id).expect("check made").passed(), "{id}");
    }
    // The orders carried the characteristics Appendix 2 asks for with the offer.
    let orders: Vec<String> = std::fs::read_dir(&record)
        .expect("record directory")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
        .filter(|t| {
            t.contains("\"POST /productordering/v2/productOrder\"") && t.contains("PO-REF-BASIC")
        })
        .collect();
    assert!(!orders.is_empty());
    assert!(
        orders.iter().any(|t| t.contains("\"name\": \"storage\"")),
        "no order carried the characteristics"
    );
}
