//! Collects the findings of one control and derives its verdict from them.

use super::secrets;
use crate::finding::{sort_findings, Finding, Location, Outcome};
use crate::model::RepoModel;
use crate::scorecard::{ControlResult, Verdict};
use crate::source::Snapshot;

/// The findings of one control for one repository, quoting source lines as they are added.
pub struct Evidence<'a> {
    model: &'a RepoModel,
    snapshot: &'a Snapshot,
    id: &'static str,
    findings: Vec<Finding>,
}

impl<'a> Evidence<'a> {
    pub fn new(id: &'static str, model: &'a RepoModel, snapshot: &'a Snapshot) -> Self {
        Evidence {
            model,
            snapshot,
            id,
            findings: Vec::new(),
        }
    }

    /// Adds a finding under the control's own id.
    pub fn add(
        &mut self,
        outcome: Outcome,
        subject: &str,
        location: &Location,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.add_with_id(self.id, outcome, subject, location, message, fix);
    }

    /// Adds a finding under another id, such as an advisory's.
    pub fn add_with_id(
        &mut self,
        id: &str,
        outcome: Outcome,
        subject: &str,
        location: &Location,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let source = self.model.source_text(self.snapshot, &location.path);
        let mut finding = Finding::new(id, outcome, subject, location, source, message, fix);
        // Reports are committed to shared knowledge bases, so no secret from a file is repeated.
        finding.quote = secrets::redact(&finding.quote);
        finding.message = secrets::redact(&finding.message);
        self.findings.push(finding);
    }

    /// Returns the verdict: fail if any finding fails, else review if any finding needs review, else
    /// pass if any passes; `n/a` when nothing was found to judge. Advisories never change it.
    pub fn finish(mut self) -> ControlResult {
        let mut verdict = Verdict::NotApplicable;
        for finding in &self.findings {
            let this = match finding.outcome {
                Outcome::Pass => Verdict::Pass,
                Outcome::Review => Verdict::Review,
                Outcome::Fail => Verdict::Fail,
                Outcome::Advisory => continue,
            };
            verdict = verdict.worst(this);
        }
        sort_findings(&mut self.findings);
        ControlResult {
            verdict,
            findings: self.findings,
            waiver: None,
        }
    }
}
