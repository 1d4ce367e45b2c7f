//! The report of a run: for a person (text, grouped by feature, one line per check), for tools
//! (JSON) and for CI (JUnit XML, where a failed optional check is "skipped", not a failure).

use std::fmt::Write as _;
use std::time::Duration;

use super::checks::{Check, Feature};

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The partner's base URL.
    pub target: String,
    /// `sync`, or `async` when the partner answered `acknowledged`.
    pub mode: String,
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
}

impl Report {
    /// Every mandatory check passed: the run succeeds (exit code 0).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed || !c.mandatory)
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Ids of the failed mandatory checks.
    pub fn failed_mandatory(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.mandatory && !c.passed)
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
        }
    }

    /// One line per check under its feature; optional features on their own at the end.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "obakit simulate: {} ({} mode), {} checks in {:.1} s",
            self.target,
            self.mode,
            self.checks.len(),
            self.duration.as_secs_f64()
        );
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for (heading, mandatory) in [
            ("Mandatory", true),
            ("Optional (reported only, never fail the run)", false),
        ] {
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
                let failed = checks.iter().filter(|c| !c.passed).count();
                let verdict = match (failed, mandatory) {
                    (0, true) => "passed".to_owned(),
                    (0, false) => "supported".to_owned(),
                    (n, true) => format!("{n} failed"),
                    (n, false) => format!("not supported ({n} of {} checks failed)", checks.len()),
                };
                let _ = writeln!(out, "\n  {}: {verdict}", feature.label());
                for c in checks {
                    let _ = writeln!(
                        out,
                        "  {} {:width$}  expected: {}  |  got: {}",
                        if c.passed { "PASS" } else { "FAIL" },
                        c.id,
                        c.expected,
                        c.actual,
                    );
                }
            }
        }
        let failed = self.failed_mandatory();
        let optional_failed = self
            .checks
            .iter()
            .filter(|c| !c.mandatory && !c.passed)
            .count();
        let _ = writeln!(out);
        if failed.is_empty() {
            let _ = writeln!(
                out,
                "Result: PASSED: every mandatory check passed ({} checks; {optional_failed} optional checks failed)",
                self.checks.iter().filter(|c| c.mandatory).count()
            );
        } else {
            let _ = writeln!(
                out,
                "Result: FAILED: {} mandatory checks failed: {}",
                failed.len(),
                failed.join(", ")
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
                serde_json::json!({
                    "feature": f,
                    "label": f.label(),
                    "mandatory": f.mandatory(),
                    "passed": checks.iter().filter(|c| c.passed).count(),
                    "failed": checks.iter().filter(|c| !c.passed).count(),
                })
            })
            .collect();
        // The verdict first, for a person opening the file.
        let value = serde_json::json!({
            "target": self.target,
            "mode": self.mode,
            "passed": self.passed(),
            "failedMandatory": self.failed_mandatory(),
            "durationMs": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "features": features,
            "checks": self.checks,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// One testsuite per feature, one testcase per check. A failed optional check is `skipped`
    /// so CI stays green on what Orange's table calls optional.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let failures = self.failed_mandatory().len();
        let skipped = self
            .checks
            .iter()
            .filter(|c| !c.mandatory && !c.passed)
            .count();
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
            let failures = checks.iter().filter(|c| c.mandatory && !c.passed).count();
            let skipped = checks.iter().filter(|c| !c.mandatory && !c.passed).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
                xml(feature.label()),
                checks.len()
            );
            for c in checks {
                let _ = write!(
                    out,
                    "    <testcase classname=\"obakit.simulate.{}\" name=\"{}\"",
                    serde_json::to_value(feature)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    xml(&c.id)
                );
                if c.passed {
                    let _ = writeln!(out, "/>");
                } else if c.mandatory {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"expected: {}\">got: {}</failure>\n    </testcase>",
                        xml(&c.expected),
                        xml(&c.actual)
                    );
                } else {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"optional feature not supported: expected: {}; got: {}\"/>\n    </testcase>",
                        xml(&c.expected),
                        xml(&c.actual)
                    );
                }
            }
            let _ = writeln!(out, "  </testsuite>");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn xml(text: &str) -> String {
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

    fn check(id: &str, feature: Feature, passed: bool) -> Check {
        Check {
            id: id.into(),
            mandatory: feature.mandatory(),
            feature,
            passed,
            expected: "201 <productOrder>".into(),
            actual: "500 \"boom\" & more".into(),
        }
    }

    fn report(checks: Vec<Check>) -> Report {
        Report {
            target: "http://partner".into(),
            mode: "sync".into(),
            duration: Duration::from_millis(1500),
            checks,
        }
    }

    #[test]
    fn a_failed_optional_check_does_not_fail_the_run() {
        let r = report(vec![
            check("ping.spec", Feature::Availability, true),
            check("swap.state", Feature::OfferSwap, false),
        ]);
        assert!(r.passed());
        assert!(r.text().contains("Result: PASSED"));
        let r = report(vec![check("ping.spec", Feature::Availability, false)]);
        assert!(!r.passed());
        assert_eq!(r.failed_mandatory(), vec!["ping.spec"]);
    }

    #[test]
    fn json_report_has_every_check_and_the_verdict() {
        let r = report(vec![check("uc2.ids", Feature::LicenseOrdering, false)]);
        let value: serde_json::Value = serde_json::from_str(&r.json()).expect("JSON");
        assert_eq!(value["passed"], false);
        assert_eq!(value["durationMs"], 1500);
        assert_eq!(value["checks"][0]["id"], "uc2.ids");
        assert_eq!(value["checks"][0]["feature"], "licenseOrdering");
        assert_eq!(value["checks"][0]["mandatory"], true);
        assert_eq!(value["failedMandatory"][0], "uc2.ids");
    }

    #[test]
    fn junit_report_fails_mandatory_checks_and_skips_optional_ones() {
        let r = report(vec![
            check("uc2.ids", Feature::LicenseOrdering, false),
            check("swap.state", Feature::OfferSwap, false),
            check("ping.spec", Feature::Availability, true),
        ]);
        let xml = r.junit();
        assert!(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""));
        assert!(xml.contains("<failure message=\"expected: 201 &lt;productOrder&gt;\">got: 500 &quot;boom&quot; &amp; more</failure>"));
        assert!(xml.contains("<skipped message=\"optional feature not supported"));
        assert!(xml.contains("name=\"ping.spec\"/>"));
    }
}
