//! The check model: every finding of a run is one [`Check`], tied to a feature of Orange's
//! getting-started table (or to a rule of the contract), so a report can tell what a failure
//! costs: a mandatory feature fails the run, an optional one is only reported.

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

    /// Optional in Orange's table: reported on its own, never fails the run.
    pub fn mandatory(self) -> bool {
        !matches!(
            self,
            Feature::EndUser | Feature::OfferSwap | Feature::TechnicalResource | Feature::Login
        )
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier, `step.aspect` (for example `uc2.ids`).
    pub id: String,
    pub mandatory: bool,
    pub feature: Feature,
    pub passed: bool,
    /// What a conforming partner answers.
    pub expected: String,
    /// What came back.
    pub actual: String,
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
}

impl Checks {
    pub(super) fn new(progress: Progress) -> Self {
        Self {
            list: Vec::new(),
            progress,
            step: None,
            steps: 0,
        }
    }

    /// Starts a step; the previous one's progress line is written.
    pub(super) fn step(&mut self, title: &str) {
        self.end_step();
        self.steps += 1;
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
        let failed: Vec<&str> = made
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id.as_str())
            .collect();
        if failed.is_empty() {
            let plural = if made.len() == 1 { "" } else { "s" };
            eprintln!("[{n:>2}] ok    {title} ({} check{plural})", made.len());
        } else {
            eprintln!("[{n:>2}] FAIL  {title}: {}", failed.join(", "));
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
        self.list.push(Check {
            id: id.into(),
            mandatory: feature.mandatory(),
            feature,
            passed,
            expected: expected.into(),
            actual: actual.into(),
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
