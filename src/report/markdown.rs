//! The Markdown report: the scorecard matrix, its legend, the blockers and each repository's details.
//!
//! The layout lives in templates/report.md.tera. This module only arranges the scorecard into
//! the rows and lists that template walks, in the order the caller gave.

use super::templates;
use crate::controls::{self, CONTROLS};
use crate::finding::Finding;
use crate::scorecard::{AppliedWaiver, BlockerResult, RepoReport, Score, Scorecard, Verdict};
use serde::Serialize;

/// The grade of a repository that could not be read.
const ERROR_GRADE: &str = "error";

pub fn render(scorecard: &Scorecard) -> tera::Result<String> {
    let tera = templates::load()?;
    let view = ReportView::new(scorecard);
    tera.render("report.md.tera", &tera::Context::from_serialize(&view)?)
}

#[derive(Serialize)]
struct ReportView<'a> {
    tool: &'a str,
    version: &'a str,
    columns: Vec<Column>,
    repos: Vec<RepoView<'a>>,
    blocker_rows: Vec<BlockerRow<'a>>,
}

/// One control column of the matrix.
#[derive(Serialize)]
struct Column {
    id: &'static str,
    title: &'static str,
}

#[derive(Serialize)]
struct RepoView<'a> {
    name: &'a str,
    source: &'a str,
    commit: Option<&'a str>,
    grade: &'a str,
    score: Option<Score>,
    /// The reason shown across the row when the repository could not be read.
    error: Option<String>,
    /// One verdict label per column, `n/a` where the scorecard has no result.
    cells: Vec<&'static str>,
    blocker_marks: Vec<BlockerMark<'a>>,
    parse_error: bool,
    notes: &'a [String],
    subjects: &'a [String],
    /// False for a repository that could not be read, or where no control applies and none
    /// has findings: its details would only repeat the matrix row.
    show_controls: bool,
    controls: Vec<ControlView<'a>>,
    blockers: Vec<BlockerView<'a>>,
    findings: Vec<FindingView<'a>>,
    skipped: &'a [String],
    errors: Vec<ErrorView<'a>>,
}

#[derive(Serialize)]
struct BlockerMark<'a> {
    id: &'a str,
    waived: bool,
}

#[derive(Serialize)]
struct ControlView<'a> {
    id: &'static str,
    title: &'static str,
    verdict: &'static str,
    findings: Vec<FindingView<'a>>,
    waiver: Option<WaiverView<'a>>,
}

#[derive(Serialize)]
struct BlockerView<'a> {
    id: &'a str,
    /// The blocker's title from its metadata, or its id when the id is unknown.
    title: &'a str,
    findings: Vec<FindingView<'a>>,
    waiver: Option<WaiverView<'a>>,
}

#[derive(Serialize)]
struct WaiverView<'a> {
    reason: &'a str,
    expires: &'a str,
    original: &'static str,
}

#[derive(Serialize)]
struct FindingView<'a> {
    id: &'a str,
    /// False when the id is the one of the control or blocker the finding is listed under.
    show_id: bool,
    outcome: crate::finding::Outcome,
    subject: &'a str,
    /// `path:line`, or the path alone for a finding about a whole file (line 0).
    location: String,
    quote: &'a str,
    message: &'a str,
    fix: &'a str,
}

#[derive(Serialize)]
struct ErrorView<'a> {
    path: Option<&'a str>,
    message: &'a str,
}

/// One row of the blockers section: a single finding of a blocker.
#[derive(Serialize)]
struct BlockerRow<'a> {
    repo: &'a str,
    id: &'a str,
    waived: bool,
    location: Option<String>,
    message: Option<&'a str>,
}

impl<'a> ReportView<'a> {
    fn new(scorecard: &'a Scorecard) -> Self {
        let columns = CONTROLS
            .iter()
            .map(|info| Column {
                id: info.id,
                title: info.title,
            })
            .collect();
        let repos = scorecard.repos.iter().map(RepoView::new).collect();
        let blocker_rows = scorecard.repos.iter().flat_map(blocker_rows).collect();
        ReportView {
            tool: &scorecard.tool,
            version: &scorecard.version,
            columns,
            repos,
            blocker_rows,
        }
    }
}

impl<'a> RepoView<'a> {
    fn new(repo: &'a RepoReport) -> Self {
        let verdicts: Vec<Verdict> = CONTROLS
            .iter()
            .map(|info| {
                repo.controls
                    .get(info.id)
                    .map_or(Verdict::NotApplicable, |result| result.verdict)
            })
            .collect();

        let controls: Vec<ControlView> = CONTROLS
            .iter()
            .zip(&verdicts)
            .map(|(info, verdict)| {
                let result = repo.controls.get(info.id);
                ControlView {
                    id: info.id,
                    title: info.title,
                    verdict: verdict.as_str(),
                    findings: result
                        .map_or_else(Vec::new, |result| finding_views(&result.findings, info.id)),
                    waiver: result.and_then(|result| result.waiver.as_ref().map(WaiverView::new)),
                }
            })
            .collect();

        let parse_error = repo
            .findings
            .iter()
            .chain(repo.controls.values().flat_map(|result| &result.findings))
            .any(|finding| finding.id == controls::advisories::PARSE_ERROR.id);

        let show_controls = repo.grade != ERROR_GRADE
            && controls.iter().any(|control| {
                control.verdict != Verdict::NotApplicable.as_str() || !control.findings.is_empty()
            });

        RepoView {
            name: &repo.name,
            source: &repo.source,
            commit: repo.commit.as_deref(),
            grade: &repo.grade,
            score: repo.score,
            error: error_reason(repo),
            cells: verdicts.iter().map(|verdict| verdict.as_str()).collect(),
            blocker_marks: repo
                .blockers
                .iter()
                .map(|blocker| BlockerMark {
                    id: &blocker.id,
                    waived: blocker.waiver.is_some(),
                })
                .collect(),
            parse_error,
            notes: &repo.notes,
            subjects: &repo.subjects,
            show_controls,
            controls,
            blockers: repo.blockers.iter().map(BlockerView::new).collect(),
            findings: finding_views(&repo.findings, ""),
            skipped: &repo.skipped,
            errors: repo
                .errors
                .iter()
                .map(|error| ErrorView {
                    path: error.path.as_deref(),
                    message: &error.message,
                })
                .collect(),
        }
    }
}

impl<'a> BlockerView<'a> {
    fn new(blocker: &'a BlockerResult) -> Self {
        let title = controls::BLOCKERS
            .iter()
            .find(|info| info.id == blocker.id)
            .map_or(blocker.id.as_str(), |info| info.title);
        BlockerView {
            id: &blocker.id,
            title,
            findings: finding_views(&blocker.findings, &blocker.id),
            waiver: blocker.waiver.as_ref().map(WaiverView::new),
        }
    }
}

impl<'a> WaiverView<'a> {
    fn new(waiver: &'a AppliedWaiver) -> Self {
        WaiverView {
            reason: &waiver.reason,
            expires: &waiver.expires,
            original: waiver.original.as_str(),
        }
    }
}

fn finding_views<'a>(findings: &'a [Finding], group_id: &str) -> Vec<FindingView<'a>> {
    findings
        .iter()
        .map(|finding| FindingView {
            id: &finding.id,
            show_id: finding.id != group_id,
            outcome: finding.outcome,
            subject: &finding.subject,
            location: location(finding),
            quote: &finding.quote,
            message: &finding.message,
            fix: &finding.fix,
        })
        .collect()
}

fn location(finding: &Finding) -> String {
    if finding.line == 0 {
        finding.path.clone()
    } else {
        format!("{}:{}", finding.path, finding.line)
    }
}

/// Lists each blocker finding of a repository as one row; a blocker without findings still
/// gets a row, so that it is never hidden.
fn blocker_rows(repo: &RepoReport) -> Vec<BlockerRow<'_>> {
    let mut rows = Vec::new();
    for blocker in &repo.blockers {
        let waived = blocker.waiver.is_some();
        if blocker.findings.is_empty() {
            rows.push(BlockerRow {
                repo: &repo.name,
                id: &blocker.id,
                waived,
                location: None,
                message: None,
            });
        }
        for finding in &blocker.findings {
            rows.push(BlockerRow {
                repo: &repo.name,
                id: &blocker.id,
                waived,
                location: Some(location(finding)),
                message: Some(&finding.message),
            });
        }
    }
    rows
}

/// Returns the reason shown across the matrix row of a repository that could not be read.
fn error_reason(repo: &RepoReport) -> Option<String> {
    if repo.grade != ERROR_GRADE {
        return None;
    }
    let messages: Vec<String> = repo
        .errors
        .iter()
        .map(|error| match &error.path {
            Some(path) => format!("{path}: {}", error.message),
            None => error.message.clone(),
        })
        .collect();
    if messages.is_empty() {
        Some("could not be read".to_string())
    } else {
        Some(messages.join("; "))
    }
}
