//! The report of a run: for a person (text, grouped by feature, one line per check with its
//! level), for tools (JSON), for CI (JUnit XML, where only what fails the run is a failure) and to
//! attach (one HTML page, see `html`).

use std::fmt::Write as _;
use std::time::Duration;

use super::checks::{Check, Feature, Level, Outcome};

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The partner's base URL.
    pub target: String,
    /// `sync`, or `async` when the partner answered `acknowledged`.
    pub mode: String,
    /// Where the expectations came from: the profile file, or today's defaults.
    pub profile: String,
    /// Decision checks fail the run too (`--strict`).
    pub strict: bool,
    /// When the run started (RFC 3339).
    pub started: String,
    pub duration: Duration,
    pub checks: Vec<Check>,
}

/// The output formats of `--report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    Junit,
    /// One self-contained page to attach (no external asset).
    Html,
}

/// The version of obakit that made the report.
pub(super) const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Report {
    /// No check that fails the run failed: every contract check (and with `--strict` every
    /// decision check) passed or was skipped. The exit code is 0.
    pub fn passed(&self) -> bool {
        self.failing().is_empty()
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Ids of the checks that fail the run.
    pub fn failing(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.fails_run(self.strict))
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Ids of the failed contract checks.
    pub fn failed_contract(&self) -> Vec<&str> {
        self.ids(|c| c.failed() && c.level == Level::Contract)
    }

    /// Ids of the failed decision checks (warnings, unless `--strict`).
    pub fn warnings(&self) -> Vec<&str> {
        self.ids(Check::is_warning)
    }

    /// Ids of the checks that could not run.
    pub fn skipped(&self) -> Vec<&str> {
        self.ids(Check::skipped)
    }

    fn ids(&self, keep: impl Fn(&Check) -> bool) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.id.as_str())
            .collect()
    }

    fn of(&self, feature: Feature) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.feature == feature)
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => self.json(),
            Format::Junit => self.junit(),
            Format::Html => super::html::page(self),
        }
    }

    /// `PASS`, `FAIL`, `WARN` (a failed decision, not strict), `SKIP`, `NO` (an optional feature
    /// not supported).
    fn mark(&self, c: &Check) -> &'static str {
        match (c.outcome, c.level) {
            (Outcome::Passed, _) => "PASS",
            (Outcome::Skipped, _) => "SKIP",
            (Outcome::Failed, Level::Contract) => "FAIL",
            (Outcome::Failed, Level::Decision) if self.strict => "FAIL",
            (Outcome::Failed, Level::Decision) => "WARN",
            (Outcome::Failed, Level::Optional) => "NO",
        }
    }

    /// The verdict of one feature.
    fn verdict(&self, feature: Feature, checks: &[&Check]) -> String {
        let count = |keep: &dyn Fn(&Check) -> bool| checks.iter().filter(|c| keep(c)).count();
        let failing = count(&|c| c.fails_run(self.strict));
        let warnings = count(&|c| c.is_warning() && !self.strict);
        let optional_failed = count(&|c| c.failed() && c.level == Level::Optional);
        let skipped = count(&|c| c.skipped());
        let mut verdict = if failing > 0 {
            format!("{failing} failed")
        } else if optional_failed > 0 {
            format!(
                "not supported ({optional_failed} of {} checks failed)",
                checks.len()
            )
        } else if !feature.mandatory() {
            "supported".to_owned()
        } else {
            "passed".to_owned()
        };
        if warnings > 0 {
            verdict.push_str(&format!(", {warnings} decision warnings"));
        }
        if skipped > 0 {
            verdict.push_str(&format!(", {skipped} skipped"));
        }
        verdict
    }

    /// One line per check under its feature; optional features on their own at the end.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "obakit simulate {VERSION}: {} ({} mode), {} checks in {:.1} s, started {}",
            self.target,
            self.mode,
            self.checks.len(),
            self.duration.as_secs_f64(),
            self.started,
        );
        let _ = writeln!(out, "Profile: {}", self.profile);
        let _ = writeln!(
            out,
            "Levels: contract (Orange's published rules) fails the run; decision (our reading where \
             Orange is silent) is a warning{}; optional feature is reported only",
            if self.strict {
                " and, with --strict, fails the run too"
            } else {
                " (fails the run only with --strict)"
            }
        );
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for (heading, mandatory) in [("Mandatory features", true), ("Optional features", false)] {
            let _ = writeln!(out, "\n{heading}");
            for feature in Feature::ALL
                .into_iter()
                .filter(|f| f.mandatory() == mandatory)
            {
                let checks: Vec<&Check> = self.of(feature).collect();
                if checks.is_empty() {
                    if !mandatory {
                        let _ = writeln!(out, "\n  {}: not exercised", feature.label());
                    }
                    continue;
                }
                let _ = writeln!(
                    out,
                    "\n  {}: {}",
                    feature.label(),
                    self.verdict(feature, &checks)
                );
                for c in checks {
                    let _ = writeln!(
                        out,
                        "  {} {:width$}  [{}]  expected: {}  |  got: {}",
                        self.mark(c),
                        c.id,
                        c.level.label(),
                        c.expected,
                        c.actual,
                    );
                }
            }
        }
        let _ = writeln!(out);
        let warnings = self.warnings();
        if !warnings.is_empty() {
            let _ = writeln!(
                out,
                "Decision warnings ({}): {}; each names the spec's decision point it rests on \
                 (--report json: \"basis\"); confirm them with Orange",
                warnings.len(),
                warnings.join(", ")
            );
        }
        let skipped = self.skipped();
        if !skipped.is_empty() {
            let _ = writeln!(out, "Skipped ({}): {}", skipped.len(), skipped.join(", "));
        }
        let failing = self.failing();
        if failing.is_empty() {
            let _ = writeln!(
                out,
                "Result: PASSED: no contract check failed{} ({} checks, {} decision warnings, {} skipped)",
                if self.strict {
                    " and no decision check failed"
                } else {
                    ""
                },
                self.checks.len(),
                warnings.len(),
                skipped.len(),
            );
        } else {
            let _ = writeln!(
                out,
                "Result: FAILED: {} checks failed: {}",
                failing.len(),
                failing.join(", ")
            );
        }
        out
    }

    /// The whole report with a summary per feature; pretty-printed.
    pub fn json(&self) -> String {
        let features: Vec<serde_json::Value> = Feature::ALL
            .into_iter()
            .map(|f| {
                let checks: Vec<&Check> = self.of(f).collect();
                let count =
                    |keep: &dyn Fn(&Check) -> bool| checks.iter().filter(|c| keep(c)).count();
                serde_json::json!({
                    "feature": f,
                    "label": f.label(),
                    "mandatory": f.mandatory(),
                    "passed": count(&|c| c.passed()),
                    "failed": count(&|c| c.failed()),
                    "skipped": count(&|c| c.skipped()),
                })
            })
            .collect();
        // The verdict first, for a person opening the file.
        let value = serde_json::json!({
            "target": self.target,
            "mode": self.mode,
            "profile": self.profile,
            "strict": self.strict,
            "obakitVersion": VERSION,
            "started": self.started,
            "passed": self.passed(),
            "failing": self.failing(),
            "failedContract": self.failed_contract(),
            "warnings": self.warnings(),
            "skipped": self.skipped(),
            "durationMs": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "features": features,
            "checks": self.checks,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// One testsuite per feature, one testcase per check, its level and basis as properties. A
    /// failed contract check is a `failure`; a failed decision is a `failure` with `--strict`, a
    /// `skipped` warning otherwise; an unsupported optional feature and a check that could not run
    /// are `skipped`.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let not_failing = |c: &Check| !c.passed() && !c.fails_run(self.strict);
        let failures = self.failing().len();
        let skipped = self.checks.iter().filter(|c| not_failing(c)).count();
        let _ = writeln!(
            out,
            "<testsuites name=\"obakit simulate {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            xml(&self.target),
            self.checks.len(),
            self.duration.as_secs_f64()
        );
        for feature in Feature::ALL {
            let checks: Vec<&Check> = self.of(feature).collect();
            if checks.is_empty() {
                continue;
            }
            let failures = checks.iter().filter(|c| c.fails_run(self.strict)).count();
            let skipped = checks.iter().filter(|c| not_failing(c)).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
                xml(feature.label()),
                checks.len()
            );
            for c in checks {
                let _ = writeln!(
                    out,
                    "    <testcase classname=\"obakit.simulate.{}\" name=\"{}\">",
                    serde_json::to_value(feature)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    xml(&c.id)
                );
                let _ = writeln!(
                    out,
                    "      <properties><property name=\"level\" value=\"{}\"/><property name=\"basis\" value=\"{}\"/></properties>",
                    c.level.label(),
                    xml(&c.basis)
                );
                let detail = format!("expected: {}; got: {}", c.expected, c.actual);
                match (c.outcome, c.level) {
                    (Outcome::Passed, _) => {}
                    _ if c.fails_run(self.strict) => {
                        let _ = writeln!(
                            out,
                            "      <failure type=\"{}\" message=\"expected: {}\">got: {}</failure>",
                            c.level.label(),
                            xml(&c.expected),
                            xml(&c.actual)
                        );
                    }
                    (Outcome::Skipped, _) => {
                        let _ = writeln!(
                            out,
                            "      <skipped message=\"skipped: {}\"/>",
                            xml(&detail)
                        );
                    }
                    (_, Level::Decision) => {
                        let _ = writeln!(
                            out,
                            "      <skipped message=\"decision warning (fails only with --strict): {}\"/>",
                            xml(&detail)
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "      <skipped message=\"optional feature not supported: {}\"/>",
                            xml(&detail)
                        );
                    }
                }
                let _ = writeln!(out, "    </testcase>");
            }
            let _ = writeln!(out, "  </testsuite>");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

pub(super) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write most control characters; a report does not need them.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, feature: Feature, level: Level, outcome: Outcome) -> Check {
        Check {
            id: id.into(),
            feature,
            level,
            basis: "getting-started".into(),
            outcome,
            expected: "201 <productOrder>".into(),
            actual: "500 \"boom\" & more".into(),
            exchange: None,
        }
    }

    fn report(checks: Vec<Check>) -> Report {
        Report {
            target: "http://partner".into(),
            mode: "sync".into(),
            profile: "none".into(),
            strict: false,
            started: "2026-01-01T00:00:00Z".into(),
            duration: Duration::from_millis(1500),
            checks,
        }
    }

    #[test]
    fn only_a_failed_contract_check_fails_the_run_unless_strict() {
        let r = report(vec![
            check(
                "ping.spec",
                Feature::Availability,
                Level::Contract,
                Outcome::Passed,
            ),
            check(
                "swap.state",
                Feature::OfferSwap,
                Level::Optional,
                Outcome::Failed,
            ),
            check(
                "uc1.ids",
                Feature::CustomerCreation,
                Level::Decision,
                Outcome::Failed,
            ),
            check(
                "bad_input.no_credentials",
                Feature::RequestValidation,
                Level::Decision,
                Outcome::Skipped,
            ),
        ]);
        assert!(r.passed());
        let text = r.text();
        assert!(text.contains("Result: PASSED"), "{text}");
        assert!(text.contains("WARN uc1.ids"), "{text}");
        assert!(text.contains("SKIP bad_input.no_credentials"), "{text}");
        assert_eq!(r.warnings(), vec!["uc1.ids"]);
        let strict = Report { strict: true, ..r };
        assert!(!strict.passed());
        assert_eq!(strict.failing(), vec!["uc1.ids"]);
        let r = report(vec![check(
            "ping.spec",
            Feature::Availability,
            Level::Contract,
            Outcome::Failed,
        )]);
        assert!(!r.passed());
        assert_eq!(r.failed_contract(), vec!["ping.spec"]);
    }

    #[test]
    fn json_report_has_every_check_its_level_and_the_verdict() {
        let r = report(vec![check(
            "uc2.fleet_id",
            Feature::LicenseOrdering,
            Level::Contract,
            Outcome::Failed,
        )]);
        let value: serde_json::Value = serde_json::from_str(&r.json()).expect("JSON");
        assert_eq!(value["passed"], false);
        assert_eq!(value["durationMs"], 1500);
        assert_eq!(value["checks"][0]["id"], "uc2.fleet_id");
        assert_eq!(value["checks"][0]["feature"], "licenseOrdering");
        assert_eq!(value["checks"][0]["level"], "contract");
        assert_eq!(value["checks"][0]["outcome"], "failed");
        assert_eq!(value["failing"][0], "uc2.fleet_id");
        assert_eq!(value["profile"], "none");
    }

    #[test]
    fn junit_report_fails_contract_checks_and_skips_warnings_and_optional_ones() {
        let r = report(vec![
            check(
                "uc2.fleet_id",
                Feature::LicenseOrdering,
                Level::Contract,
                Outcome::Failed,
            ),
            check(
                "uc1.ids",
                Feature::CustomerCreation,
                Level::Decision,
                Outcome::Failed,
            ),
            check(
                "swap.state",
                Feature::OfferSwap,
                Level::Optional,
                Outcome::Failed,
            ),
            check(
                "ping.spec",
                Feature::Availability,
                Level::Contract,
                Outcome::Passed,
            ),
        ]);
        let xml = r.junit();
        assert!(
            xml.contains("tests=\"4\" failures=\"1\" skipped=\"2\""),
            "{xml}"
        );
        assert!(xml.contains("<failure type=\"contract\" message=\"expected: 201 &lt;productOrder&gt;\">got: 500 &quot;boom&quot; &amp; more</failure>"), "{xml}");
        assert!(xml.contains("<skipped message=\"decision warning"), "{xml}");
        assert!(
            xml.contains("<skipped message=\"optional feature not supported"),
            "{xml}"
        );
        assert!(
            xml.contains("<property name=\"level\" value=\"decision\"/>"),
            "{xml}"
        );
    }
}
