//! The seven controls and the blockers, each a pure function from the repo model to a verdict with findings.

/// A control's or blocker's documentation, kept beside its code so that docs and reports cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ControlInfo {
    /// Stable id, such as `non-root`.
    pub id: &'static str,
    /// Column title in the matrix, such as `Non-Root`.
    pub title: &'static str,
    /// What the control checks.
    pub checks: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// A Dockerfile or Compose snippet that fails.
    pub failing_example: &'static str,
    /// The same snippet fixed.
    pub passing_example: &'static str,
    /// How to fix a failure.
    pub fix: &'static str,
    /// Public references.
    pub references: &'static [&'static str],
}
