//! Runs every control and blocker check over one repo model.

use crate::finding::{sort_findings, Finding, Location, Outcome};
use crate::model::RepoModel;
use crate::scorecard::{BlockerResult, ControlResult};
use crate::source::Snapshot;
use std::collections::BTreeMap;

use super::{
    cap_drop, dockerignore, healthcheck, multi_stage, non_root, pinned_digest, read_only,
    runtime_blockers, secret_in_image,
};

type Evaluate = fn(&RepoModel, &Snapshot) -> ControlResult;

/// The seven controls in matrix order, each with its evaluation.
pub const EVALUATIONS: [(&str, Evaluate); 7] = [
    (multi_stage::INFO.id, multi_stage::evaluate),
    (non_root::INFO.id, non_root::evaluate),
    (pinned_digest::INFO.id, pinned_digest::evaluate),
    (healthcheck::INFO.id, healthcheck::evaluate),
    (dockerignore::INFO.id, dockerignore::evaluate),
    (cap_drop::INFO.id, cap_drop::evaluate),
    (read_only::INFO.id, read_only::evaluate),
];

/// Every verdict and finding of one repository, before waivers and grading.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub controls: BTreeMap<String, ControlResult>,
    pub blockers: Vec<BlockerResult>,
    /// Findings that belong to no control: `parse-error` and `secret-build-arg`.
    pub findings: Vec<Finding>,
}

/// Runs the seven controls and the blocker checks.
pub fn evaluate_all(model: &RepoModel, snapshot: &Snapshot) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for (id, evaluate) in EVALUATIONS {
        evaluation
            .controls
            .insert(id.to_string(), evaluate(model, snapshot));
    }

    let mut blocker_findings = runtime_blockers::evaluate(model, snapshot);
    blocker_findings.extend(secret_in_image::evaluate(model, snapshot));
    let mut grouped: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for finding in blocker_findings {
        if finding.outcome == Outcome::Advisory {
            evaluation.findings.push(finding);
        } else {
            grouped.entry(finding.id.clone()).or_default().push(finding);
        }
    }
    for (id, mut findings) in grouped {
        sort_findings(&mut findings);
        merge_same_line(&mut findings);
        evaluation.blockers.push(BlockerResult {
            id,
            findings,
            waiver: None,
        });
    }

    evaluation.findings.extend(parse_errors(model, snapshot));
    for finding in &mut evaluation.findings {
        finding.quote = super::secrets::redact(&finding.quote);
        finding.message = super::secrets::redact(&finding.message);
    }
    sort_findings(&mut evaluation.findings);
    evaluation
}

/// Merges findings with the same message about the same line, as when one service belongs to
/// two Compose projects (its base file alone, and the base file with a variant): the subjects
/// are joined so the report lists the line once.
fn merge_same_line(findings: &mut Vec<Finding>) {
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings.drain(..) {
        let same = merged.iter_mut().find(|kept| {
            kept.path == finding.path
                && kept.line == finding.line
                && kept.message == finding.message
        });
        match same {
            Some(kept)
                if !kept
                    .subject
                    .split("; ")
                    .any(|subject| subject == finding.subject) =>
            {
                kept.subject = format!("{}; {}", kept.subject, finding.subject);
            }
            Some(_) => {}
            None => merged.push(finding),
        }
    }
    *findings = merged;
}

/// Returns a `parse-error` finding for every Dockerfile and Compose project that does not load.
fn parse_errors(model: &RepoModel, snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = model.link_findings.clone();
    // A Dockerfile that could not be read at all was reported where Compose names it.
    for dockerfile in model.dockerfiles.iter().filter(|d| d.declared_at.is_none()) {
        if let Err(error) = &dockerfile.parsed {
            findings.push(Finding::new(
                "parse-error",
                Outcome::Review,
                dockerfile.path.clone(),
                &Location::new(dockerfile.path.clone(), error.line.max(1)),
                Some(&dockerfile.text),
                if dockerfile.text.is_empty() {
                    error.message.clone()
                } else {
                    format!("the Dockerfile does not parse: {}", error.message)
                },
                "Fix the line so that docker build accepts it; controls that need this file answer review until then.",
            ));
        }
    }
    for project in &model.projects {
        if let Err(error) = &project.loaded {
            findings.push(Finding::new(
                "parse-error",
                Outcome::Review,
                project.files.join(" + "),
                &Location::new(error.path.clone(), error.line.max(1)),
                snapshot.text(&error.path),
                format!("the Compose project does not load: {}", error.message),
                "Fix the file so that docker compose config accepts it; controls that need it answer review until then.",
            ));
        }
    }
    findings
}
