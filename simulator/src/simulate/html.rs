//! `--report html`: the report as one self-contained page to attach to a message (inline style,
//! no script, no external asset): a header (target, mode, profile, obakit version, date), the
//! verdict, then one section per feature of Orange's table with each check's level, what was
//! expected, what came, and the request and answer it was made on (credentials never appear: the
//! tap keeps no header).

use std::fmt::Write as _;

use super::checks::{Check, Feature, Level, Outcome};
use super::report::{Report, VERSION, xml as escape};

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;\
vertical-align:top;text-align:left}th{background:#f3f3f3}\
.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}.warning{color:#9a6700;font-weight:bold}\
.skipped,.optional{color:#666}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}\
dt{font-weight:bold}pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:4px;\
margin:2px 0;max-height:12em;overflow:auto}.basis{color:#555;font-size:.9em}";

/// The page.
pub(super) fn page(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if report.passed() { "PASSED" } else { "FAILED" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>obakit simulate: {verdict}: {}</title><style>{STYLE}</style></head><body>\n",
        escape(&report.target)
    );
    let _ = writeln!(
        out,
        "<h1>obakit simulate: <span class=\"{}\">{verdict}</span></h1>",
        if report.passed() { "passed" } else { "failed" }
    );
    let _ = writeln!(out, "<dl id=\"run\">");
    for (name, value) in [
        ("Target", report.target.clone()),
        ("Mode", report.mode.clone()),
        ("Profile", report.profile.clone()),
        ("obakit version", VERSION.to_owned()),
        ("Date", report.started.clone()),
        (
            "Duration",
            format!("{:.1} s", report.duration.as_secs_f64()),
        ),
        (
            "Strict",
            if report.strict {
                "yes: decision checks fail the run too"
            } else {
                "no: decision checks are warnings"
            }
            .to_owned(),
        ),
    ] {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", escape(&value));
    }
    let _ = writeln!(out, "</dl>");
    let count = |keep: &dyn Fn(&Check) -> bool| report.checks.iter().filter(|c| keep(c)).count();
    let _ = writeln!(
        out,
        "<p id=\"summary\">{} checks: {} passed, {} failing the run, {} decision warnings, {} \
         optional not supported, {} skipped.</p>",
        report.checks.len(),
        count(&Check::passed),
        report.failing().len(),
        if report.strict {
            0
        } else {
            report.warnings().len()
        },
        count(&|c| c.failed() && c.level == Level::Optional),
        count(&Check::skipped),
    );
    let _ = writeln!(
        out,
        "<p class=\"basis\">Levels: <b>contract</b> rests on a rule Orange publishes (the \
         getting-started page and its history) and fails the run; <b>decision</b> rests on our \
         reading where Orange is silent (an <code>x-contract-source: decision</code> point of the \
         spec, named with each check) and is a warning unless the run is strict; <b>optional \
         feature</b> is reported only.</p>"
    );
    for feature in Feature::ALL {
        let checks: Vec<&Check> = report
            .checks
            .iter()
            .filter(|c| c.feature == feature)
            .collect();
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h2>{} <small>({})</small></h2>\n<table><tr><th>Check</th><th>Level</th>\
             <th>Result</th><th>Expected</th><th>Got</th><th>Exchange</th></tr>",
            escape(feature.label()),
            if feature.mandatory() {
                "mandatory"
            } else {
                "optional"
            }
        );
        for c in checks {
            let (class, result) = match (c.outcome, c.level) {
                (Outcome::Passed, _) => ("passed", "passed"),
                (Outcome::Skipped, _) => ("skipped", "skipped"),
                _ if c.fails_run(report.strict) => ("failed", "failed"),
                (_, Level::Decision) => ("warning", "warning"),
                _ => ("optional", "not supported"),
            };
            let _ = writeln!(
                out,
                "<tr id=\"{id}\"><td><code>{id}</code></td><td>{}<div class=\"basis\">{}</div></td>\
                 <td class=\"{class}\">{result}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.level.label(),
                escape(&c.basis),
                escape(&c.expected),
                escape(&c.actual),
                excerpt(c),
                id = escape(&c.id),
            );
        }
        let _ = writeln!(out, "</table>");
    }
    out.push_str("</body></html>\n");
    out
}

fn excerpt(check: &Check) -> String {
    let Some(e) = &check.exchange else {
        return String::new();
    };
    let mut out = format!(
        "<details><summary>{} → {}</summary>",
        escape(&e.request),
        escape(&e.status)
    );
    if !e.request_body.is_empty() {
        let _ = write!(out, "request<pre>{}</pre>", escape(&e.request_body));
    }
    if !e.response_body.is_empty() {
        let _ = write!(out, "response<pre>{}</pre>", escape(&e.response_body));
    }
    out.push_str("</details>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::checks::Excerpt;

    #[test]
    fn the_page_is_self_contained_and_escapes_what_the_partner_sent() {
        let report = Report {
            target: "http://partner".into(),
            mode: "sync".into(),
            profile: "none".into(),
            strict: false,
            started: "2026-01-01T00:00:00Z".into(),
            duration: std::time::Duration::from_secs(1),
            checks: vec![Check {
                id: "uc1.ids".into(),
                feature: Feature::CustomerCreation,
                level: Level::Decision,
                basis: "decision: Contact.id".into(),
                outcome: Outcome::Failed,
                expected: "ids".into(),
                actual: "<script>alert(1)</script>".into(),
                exchange: Some(Excerpt {
                    request: "POST /productordering/v2/productOrder".into(),
                    request_body: "{}".into(),
                    status: "201".into(),
                    response_body: "{\"id\":\"po-1\"}".into(),
                }),
            }],
        };
        let html = page(&report);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("src=") && !html.contains("href="), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("class=\"warning\">warning"));
        assert!(html.contains(VERSION));
    }
}
