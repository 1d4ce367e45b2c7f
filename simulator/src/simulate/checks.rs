//! The check model: every finding of a run is one [`Check`], tied to a feature of Orange's
//! getting-started table and to what it rests on ([`Level`]): a rule Orange publishes fails the
//! run, one of our own decisions is a warning (a failure with `--strict`), an optional feature is
//! only reported. A check that could not run is skipped, never failed.

use serde::Serialize;

/// What a check exercises. The first ten are the rows of the feature table of Orange's
/// getting-started page (2.2); the last two are rules of the contract that every feature shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Feature {
    Availability,
    CustomerCreation,
    LicenseOrdering,
    Consultation,
    StateChange,
    Deletion,
    /// Requests that cannot be processed are refused with the spec's 4xx answers (contract §2).
    RequestValidation,
    /// Acknowledged answers are followed by the matching event (contract §4, "Sync or async").
    AsyncEvents,
    EndUser,
    OfferSwap,
    TechnicalResource,
    Login,
}

impl Feature {
    /// Every feature, mandatory ones first, in the order a report lists them.
    pub const ALL: [Feature; 12] = [
        Feature::Availability,
        Feature::CustomerCreation,
        Feature::LicenseOrdering,
        Feature::Consultation,
        Feature::StateChange,
        Feature::Deletion,
        Feature::RequestValidation,
        Feature::AsyncEvents,
        Feature::EndUser,
        Feature::OfferSwap,
        Feature::TechnicalResource,
        Feature::Login,
    ];

    /// The feature as Orange's table names it.
    pub fn label(self) -> &'static str {
        match self {
            Feature::Availability => "Service availability (ping)",
            Feature::CustomerCreation => "Creation of a customer",
            Feature::LicenseOrdering => "Ordering user licenses",
            Feature::Consultation => "Consultation of licenses",
            Feature::StateChange => "Change of state of licenses",
            Feature::Deletion => "Deletion of one or many licenses",
            Feature::RequestValidation => "Refusal of requests that cannot be processed",
            Feature::AsyncEvents => "Asynchronous answers (events to Orange)",
            Feature::EndUser => "Management of the end user using a license",
            Feature::OfferSwap => "Change the product offering of licenses",
            Feature::TechnicalResource => "Management of technical resource supported by a license",
            Feature::Login => "Renewal of login of a license",
        }
    }

    /// Optional in Orange's table: reported on its own unless the partner's profile declares it.
    pub fn mandatory(self) -> bool {
        !matches!(
            self,
            Feature::EndUser | Feature::OfferSwap | Feature::TechnicalResource | Feature::Login
        )
    }
}

/// What a check rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// A rule Orange publishes (the getting-started page and its history): a failure fails the run.
    Contract,
    /// Our reading where Orange is silent (an `x-contract-source: decision` point of the spec): a
    /// failure is a warning, and fails the run only with `--strict`.
    Decision,
    /// An optional feature of Orange's table the partner did not declare: reported only.
    Optional,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Contract => "contract",
            Level::Decision => "decision",
            Level::Optional => "optional feature",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Passed,
    Failed,
    /// Could not run (no credentials given, an earlier step failed, a feature the profile leaves out).
    Skipped,
}

/// The request and answer a check was made on, for the report (credentials redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Excerpt {
    /// `POST /productordering/v2/productOrder`
    pub request: String,
    /// The start of the request body.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request_body: String,
    /// The status, or why there was none.
    pub status: String,
    /// The start of the response body.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub response_body: String,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Stable identifier, `step.aspect` (for example `uc2.ids`).
    pub id: String,
    pub feature: Feature,
    pub level: Level,
    /// What the check rests on: Orange's published rule, or the spec's decision point (schema,
    /// property or operation), or the row of the feature table.
    pub basis: String,
    pub outcome: Outcome,
    /// What a conforming partner answers.
    pub expected: String,
    /// What came back.
    pub actual: String,
    /// The exchange the check was made on, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Excerpt>,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
    }

    pub fn skipped(&self) -> bool {
        self.outcome == Outcome::Skipped
    }

    /// Whether this check fails the run: a failed contract check, or a failed decision with `strict`.
    pub fn fails_run(&self, strict: bool) -> bool {
        self.failed()
            && match self.level {
                Level::Contract => true,
                Level::Decision => strict,
                Level::Optional => false,
            }
    }

    /// A failed decision check (a warning unless `--strict`).
    pub fn is_warning(&self) -> bool {
        self.failed() && self.level == Level::Decision
    }
}

/// Progress lines on stderr, one per step, as the run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Stderr,
    Silent,
}

/// The checks of a run, in the order they were made, and the progress of its steps.
pub(super) struct Checks {
    list: Vec<Check>,
    progress: Progress,
    step: Option<(usize, String, usize)>,
    steps: usize,
    levels: super::levels::Levels,
    /// The exchange the next checks are made on (the last one the step read from the tap).
    exchange: Option<Excerpt>,
}

impl Checks {
    pub(super) fn new(progress: Progress, levels: super::levels::Levels) -> Self {
        Self {
            list: Vec::new(),
            progress,
            step: None,
            steps: 0,
            levels,
            exchange: None,
        }
    }

    /// An optional feature the partner's profile leaves out (its steps are not played).
    pub(super) fn left_out(&self, feature: Feature) -> bool {
        self.levels.left_out(feature)
    }

    /// The exchange the checks added next are made on.
    pub(super) fn on(&mut self, exchange: Option<Excerpt>) {
        self.exchange = exchange;
    }

    /// Starts a step; the previous one's progress line is written.
    pub(super) fn step(&mut self, title: &str) {
        self.end_step();
        self.steps += 1;
        self.exchange = None;
        self.step = Some((self.steps, title.to_owned(), self.list.len()));
    }

    /// Writes the progress line of the current step.
    pub(super) fn end_step(&mut self) {
        let Some((n, title, first)) = self.step.take() else {
            return;
        };
        if self.progress == Progress::Silent {
            return;
        }
        let made = &self.list[first..];
        let failed = |level: Level| -> Vec<&str> {
            made.iter()
                .filter(|c| c.failed() && c.level == level)
                .map(|c| c.id.as_str())
                .collect()
        };
        let (contract, decision) = (failed(Level::Contract), failed(Level::Decision));
        if !contract.is_empty() {
            eprintln!("[{n:>2}] FAIL  {title}: {}", contract.join(", "));
        } else if !decision.is_empty() {
            eprintln!(
                "[{n:>2}] warn  {title}: {} (decisions)",
                decision.join(", ")
            );
        } else {
            let plural = if made.len() == 1 { "" } else { "s" };
            eprintln!("[{n:>2}] ok    {title} ({} check{plural})", made.len());
        }
    }

    /// A line of its own while the run waits (for an event), so a long wait does not look stuck.
    pub(super) fn note(&self, text: &str) {
        if self.progress == Progress::Stderr {
            eprintln!("      {text}");
        }
    }

    pub(super) fn add(
        &mut self,
        id: impl Into<String>,
        feature: Feature,
        passed: bool,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) {
        let outcome = if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        self.push(id.into(), feature, outcome, expected.into(), actual.into());
    }

    /// A check that could not run, and why.
    pub(super) fn skip(
        &mut self,
        id: impl Into<String>,
        feature: Feature,
        expected: impl Into<String>,
        why: impl Into<String>,
    ) {
        self.push(
            id.into(),
            feature,
            Outcome::Skipped,
            expected.into(),
            why.into(),
        );
    }

    fn push(
        &mut self,
        id: String,
        feature: Feature,
        outcome: Outcome,
        expected: String,
        actual: String,
    ) {
        let (level, basis) = self.levels.of(&id, feature);
        // A feature the partner's profile leaves out is not exercised: its checks are skipped.
        let (outcome, actual) = match self.levels.left_out(feature) {
            true if outcome != Outcome::Skipped => (
                Outcome::Skipped,
                format!("not expected: the profile leaves this optional feature out ({actual})"),
            ),
            _ => (outcome, actual),
        };
        self.list.push(Check {
            id,
            feature,
            level,
            basis,
            outcome,
            expected,
            actual,
            exchange: self.exchange.clone(),
        });
    }

    /// A check made of several findings: passed when there is none; `fine` is what came back then.
    pub(super) fn findings(
        &mut self,
        id: impl Into<String>,
        feature: Feature,
        expected: impl Into<String>,
        findings: Vec<String>,
        fine: impl Into<String>,
    ) {
        let passed = findings.is_empty();
        let actual = if passed {
            fine.into()
        } else {
            findings.join("; ")
        };
        self.add(id, feature, passed, expected, actual);
    }

    pub(super) fn into_list(mut self) -> Vec<Check> {
        self.end_step();
        self.list
    }
}

/// Where a JSON document has `null`, `{}` or `[]` below its root. Orange rejects empty nodes, and
/// the spec leaves optional properties out rather than sending them empty; the root may be `[]`
/// (a consultation that matches nothing).
pub(super) fn empty_nodes(value: &serde_json::Value) -> Vec<String> {
    fn walk(value: &serde_json::Value, at: String, root: bool, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Null => found.push(format!("{at} is null")),
            serde_json::Value::Array(a) if a.is_empty() && !root => {
                found.push(format!("{at} is []"));
            }
            serde_json::Value::Object(o) if o.is_empty() && !root => {
                found.push(format!("{at} is {{}}"));
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{at}/{i}"), false, found);
                }
            }
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    walk(v, format!("{at}/{k}"), false, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(value, String::new(), true, &mut found);
    found
}

/// A body for a report line: one line, at most `max` characters.
pub(super) fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= max {
        return trimmed.to_owned();
    }
    let cut: String = trimmed.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_nodes_are_found_below_the_root_only() {
        let value = serde_json::json!([{"a": null, "b": {}, "c": [], "d": [{"e": 1}]}]);
        assert_eq!(
            empty_nodes(&value),
            vec!["/0/a is null", "/0/b is {}", "/0/c is []"]
        );
        assert!(empty_nodes(&serde_json::json!([])).is_empty());
    }

    #[test]
    fn only_the_four_optional_features_of_the_table_are_optional() {
        // The levels of their checks follow from it (and from the profile): see `levels`.
        let optional: Vec<Feature> = Feature::ALL
            .into_iter()
            .filter(|f| !f.mandatory())
            .collect();
        assert_eq!(
            optional,
            vec![
                Feature::EndUser,
                Feature::OfferSwap,
                Feature::TechnicalResource,
                Feature::Login
            ]
        );
    }

    #[test]
    fn shorten_keeps_one_line() {
        assert_eq!(shorten("a\nb", 10), "a b");
        assert_eq!(shorten("abcdef", 3), "abc…");
    }
}
