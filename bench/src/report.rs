//! Figures and the printed table: one line per figure with the measured value, the baseline
//! measured in the same run, their ratio and the target.

use std::fmt::Write as _;

/// What a figure must reach.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// Reported only: the issue sets no target.
    None,
    /// value / baseline ≥ this.
    RatioAtLeast(f64),
    /// value / baseline ≤ this.
    RatioAtMost(f64),
    /// value ≤ this, in the figure's unit.
    AtMost(f64),
    /// value ≥ this, in the figure's unit.
    AtLeast(f64),
}

/// One measured figure: medians over the rounds of a run.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    pub(crate) name: String,
    /// `sqlite`, `postgres`, or `-` for figures without a database.
    pub(crate) backend: String,
    pub(crate) value: f64,
    pub(crate) baseline: f64,
    /// What the baseline is, e.g. `hyper` or `SELECT+serde`.
    pub(crate) baseline_name: String,
    pub(crate) unit: &'static str,
    /// Median of the per-round ratios (not the ratio of the medians).
    pub(crate) ratio: f64,
    pub(crate) target: Target,
    pub(crate) note: String,
}

impl Figure {
    /// A figure from per-round (value, baseline) pairs: medians of each and of the ratios.
    pub(crate) fn from_rounds(
        name: impl Into<String>,
        backend: &str,
        unit: &'static str,
        baseline_name: impl Into<String>,
        rounds: &[(f64, f64)],
        target: Target,
    ) -> Self {
        let values: Vec<f64> = rounds.iter().map(|r| r.0).collect();
        let baselines: Vec<f64> = rounds.iter().map(|r| r.1).collect();
        let ratios: Vec<f64> = rounds.iter().map(|r| r.0 / r.1).collect();
        Self {
            name: name.into(),
            backend: backend.to_owned(),
            value: median(&values),
            baseline: median(&baselines),
            baseline_name: baseline_name.into(),
            unit,
            ratio: median(&ratios),
            target,
            note: String::new(),
        }
    }

    pub(crate) fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// `Some(true)` met, `Some(false)` missed, `None` no target.
    pub(crate) fn met(&self) -> Option<bool> {
        match self.target {
            Target::None => None,
            Target::RatioAtLeast(t) => Some(self.ratio >= t),
            Target::RatioAtMost(t) => Some(self.ratio <= t),
            Target::AtMost(t) => Some(self.value <= t),
            Target::AtLeast(t) => Some(self.value >= t),
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::None => "-".to_owned(),
            Target::RatioAtLeast(t) => format!(">= {t:.2}x"),
            Target::RatioAtMost(t) => format!("<= {t:.2}x"),
            Target::AtMost(t) => format!("<= {} {}", number(t), self.unit),
            Target::AtLeast(t) => format!(">= {} {}", number(t), self.unit),
        }
    }

    /// The figure's line in the table.
    pub(crate) fn line(&self) -> String {
        let verdict = match self.met() {
            None => "",
            Some(true) => "met",
            Some(false) => "MISSED",
        };
        let mut line = format!(
            "{:<44} {:<8} {:>12} {:<6} {:>12} {:<15} {:>8} {:>15} {}",
            self.name,
            self.backend,
            number(self.value),
            self.unit,
            number(self.baseline),
            self.baseline_name,
            if self.ratio.is_finite() {
                format!("{:.2}x", self.ratio)
            } else {
                "-".to_owned()
            },
            self.target_text(),
            verdict,
        );
        if !self.note.is_empty() {
            let _ = write!(line, "  ({})", self.note);
        }
        line.trim_end().to_owned()
    }
}

/// The table's header.
pub(crate) fn header() -> String {
    format!(
        "{:<44} {:<8} {:>12} {:<6} {:>12} {:<15} {:>8} {:>15} {}",
        "figure",
        "backend",
        "value",
        "unit",
        "baseline",
        "(baseline)",
        "ratio",
        "target",
        "verdict"
    )
}

/// A number shown with a sensible precision for its size.
pub(crate) fn number(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

pub(crate) fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of samples.
pub(crate) fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}
