//! The Markdown report: the scorecard matrix, its legend, the blockers and each repository's details.
//!
//! The layout lives in templates/report.md.tera. This module arranges the scorecard into the
//! rows and lists that template walks, with repositories in the order the caller gave, and
//! hands out the anchors that the matrix links to.

use super::anchor::Anchors;
use super::{escape, templates};
use crate::controls::{self, CONTROLS};
use crate::finding::{Finding, Outcome};
use crate::scorecard::{
    AppliedWaiver, BlockerResult, RepoReport, Score, Scorecard, ShardInfo, Verdict, WaiverReport,
};
use serde::Serialize;

/// The grade of a repository that could not be read.
pub(super) const ERROR_GRADE: &str = "error";

pub fn render(scorecard: &Scorecard) -> tera::Result<String> {
    let tera = templates::load()?;
    let view = ReportView::new(scorecard);
    tera.render("report.md.tera", &tera::Context::from_serialize(&view)?)
}

/// The title of the report, the first heading before the matrix.
const TITLE_HEADING: &str = "Docker hardening scorecard";
/// The headings between the matrix and the first repository, in the template's order.
const HEADINGS_BEFORE_REPOS: [&str; 2] = ["Blockers", "Details"];
/// The heading after the last repository.
const LEGEND_HEADING: &str = "Legend";

#[derive(Serialize)]
struct ReportView<'a> {
    tool: &'a str,
    version: &'a str,
    /// The shard of a `scan --shard` report, named in a note because the report covers only it.
    shard: Option<&'a ShardInfo>,
    columns: Vec<Column>,
    repos: Vec<RepoView<'a>>,
    blocker_rows: Vec<BlockerRow<'a>>,
    legend_anchor: String,
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
    /// The anchor of the repository's details heading. It is `None` when no character of the
    /// name survives in an anchor, and the matrix then shows the name without a link.
    anchor: Option<String>,
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
    waivers: Vec<WaiverRow<'a>>,
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

/// A waiver applied to a control or blocker. Its reason is shown in the repository's waiver
/// table, so it is not repeated here.
#[derive(Serialize)]
struct WaiverView<'a> {
    expires: &'a str,
    original: &'static str,
}

/// One row of a repository's waiver table.
#[derive(Serialize)]
struct WaiverRow<'a> {
    id: &'a str,
    /// The status with what it means for the grade, such as `expired (ignored)`.
    status: String,
    expires: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct FindingView<'a> {
    id: &'a str,
    /// False when the id is the one of the control or blocker the finding is listed under.
    show_id: bool,
    outcome: Outcome,
    /// The image or service, or empty when it only repeats the finding's path.
    subject: &'a str,
    /// `path:line`, or the path alone for a finding about a whole file (line 0).
    location: String,
    /// The quoted line, or empty when the message already contains it.
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
    /// The anchor of the repository's details heading, as in [`RepoView`].
    anchor: Option<String>,
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

        // Anchors depend on every heading before them, so they are handed out in the order the
        // template renders the headings.
        let mut anchors = Anchors::default();
        anchors.next(TITLE_HEADING);
        for heading in HEADINGS_BEFORE_REPOS {
            anchors.next(heading);
        }
        let mut repos: Vec<RepoView> = Vec::with_capacity(scorecard.repos.len());
        for repo in &scorecard.repos {
            let mut view = RepoView::new(repo);
            let anchor = anchors.next(&escape::flatten(&repo.name));
            view.anchor = Some(anchor).filter(|anchor| !anchor.is_empty());
            for heading in view.section_headings() {
                anchors.next(heading);
            }
            repos.push(view);
        }
        let legend_anchor = anchors.next(LEGEND_HEADING);

        let blocker_rows = scorecard
            .repos
            .iter()
            .zip(&repos)
            .flat_map(|(repo, view)| blocker_rows(repo, view.anchor.as_deref()))
            .collect();
        ReportView {
            tool: &scorecard.tool,
            version: &scorecard.version,
            shard: scorecard.shard.as_ref(),
            columns,
            repos,
            blocker_rows,
            legend_anchor,
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
            anchor: None,
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
            waivers: repo.waivers.iter().map(WaiverRow::new).collect(),
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

impl RepoView<'_> {
    /// Returns the headings of the repository's details after its name, in the order
    /// templates/report.md.tera renders them, so that later anchors count them.
    fn section_headings(&self) -> Vec<&'static str> {
        let sections = [
            (!self.errors.is_empty(), "Errors"),
            (!self.subjects.is_empty(), "Graded images and services"),
            (!self.blockers.is_empty(), "Blockers"),
            (self.show_controls, "Controls"),
            (!self.waivers.is_empty(), "Waivers"),
            (!self.findings.is_empty(), "Other findings"),
            (!self.skipped.is_empty(), "Skipped files"),
        ];
        sections
            .into_iter()
            .filter(|(shown, _)| *shown)
            .map(|(_, heading)| heading)
            .collect()
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
            expires: &waiver.expires,
            original: waiver.original.as_str(),
        }
    }
}

impl<'a> WaiverRow<'a> {
    fn new(waiver: &'a WaiverReport) -> Self {
        let status = match waiver.status.as_str() {
            "applied" => "applied".to_string(),
            "expired" => "expired (ignored)".to_string(),
            "unused" => "unused (nothing to waive)".to_string(),
            other => other.to_string(),
        };
        WaiverRow {
            id: &waiver.id,
            status,
            expires: &waiver.expires,
            reason: &waiver.reason,
        }
    }
}

/// Lists findings with the evidence of the verdict first: fail, review, pass, then advisories.
/// Findings of the same outcome keep the scorecard's order.
fn finding_views<'a>(findings: &'a [Finding], group_id: &str) -> Vec<FindingView<'a>> {
    let mut views: Vec<FindingView> = findings
        .iter()
        .map(|finding| FindingView {
            id: &finding.id,
            show_id: finding.id != group_id,
            outcome: finding.outcome,
            subject: if finding.subject == finding.path {
                ""
            } else {
                &finding.subject
            },
            location: location(finding),
            quote: if finding.message.contains(finding.quote.as_str()) {
                ""
            } else {
                &finding.quote
            },
            message: &finding.message,
            fix: &finding.fix,
        })
        .collect();
    views.sort_by_key(|view| outcome_rank(view.outcome));
    views
}

pub(super) fn outcome_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Review => 1,
        Outcome::Pass => 2,
        Outcome::Advisory => 3,
    }
}

pub(super) fn location(finding: &Finding) -> String {
    if finding.line == 0 {
        finding.path.clone()
    } else {
        format!("{}:{}", finding.path, finding.line)
    }
}

/// Lists each blocker finding of a repository as one row; a blocker without findings still
/// gets a row, so that it is never hidden.
fn blocker_rows<'a>(repo: &'a RepoReport, anchor: Option<&str>) -> Vec<BlockerRow<'a>> {
    let mut rows = Vec::new();
    for blocker in &repo.blockers {
        let waived = blocker.waiver.is_some();
        if blocker.findings.is_empty() {
            rows.push(BlockerRow {
                repo: &repo.name,
                anchor: anchor.map(str::to_string),
                id: &blocker.id,
                waived,
                location: None,
                message: None,
            });
        }
        for finding in &blocker.findings {
            rows.push(BlockerRow {
                repo: &repo.name,
                anchor: anchor.map(str::to_string),
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
pub(super) fn error_reason(repo: &RepoReport) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::{ControlResult, RepoError};
    use std::collections::BTreeMap;

    fn finding(id: &str, outcome: Outcome) -> Finding {
        Finding {
            id: id.to_string(),
            outcome,
            subject: "service api".to_string(),
            path: "compose.yaml".to_string(),
            line: 3,
            quote: "privileged: true".to_string(),
            message: "Service api runs privileged.".to_string(),
            fix: String::new(),
        }
    }

    /// Builds a repository that has every part of the details section.
    fn repo_with_every_section() -> RepoReport {
        let waiver = WaiverReport {
            id: "privileged".to_string(),
            reason: "CI runner".to_string(),
            expires: "2030-01-01".to_string(),
            status: "applied".to_string(),
        };
        RepoReport {
            name: "acme/api".to_string(),
            source: "acme/api".to_string(),
            commit: None,
            web_url: None,
            grade: "F".to_string(),
            score: Some(Score {
                passed: 0,
                applicable: 1,
            }),
            notes: vec!["a note".to_string()],
            controls: BTreeMap::from([(
                "read-only".to_string(),
                ControlResult {
                    verdict: Verdict::Fail,
                    findings: vec![finding("read-only", Outcome::Fail)],
                    waiver: None,
                },
            )]),
            blockers: vec![BlockerResult {
                id: "privileged".to_string(),
                findings: vec![finding("privileged", Outcome::Fail)],
                waiver: None,
            }],
            findings: vec![finding("parse-error", Outcome::Review)],
            subjects: vec!["service api (compose.yaml): runs alpine".to_string()],
            skipped: vec!["vendor/Dockerfile: inside vendor/".to_string()],
            errors: vec![RepoError {
                path: Some("Dockerfile".to_string()),
                message: "not valid UTF-8".to_string(),
            }],
            waivers: vec![waiver],
        }
    }

    #[test]
    fn section_headings_follow_the_template() {
        let report = repo_with_every_section();
        let scorecard = Scorecard {
            schema_version: crate::scorecard::SCHEMA_VERSION,
            tool: "dockgrade".to_string(),
            version: "0.1.0".to_string(),
            shard: None,
            repos: vec![report.clone()],
        };
        let text = render(&scorecard).expect("the scorecard renders");
        let rendered: Vec<&str> = text
            .lines()
            .skip_while(|line| *line != "### acme/api")
            .skip(1)
            .take_while(|line| !line.starts_with("## "))
            .filter_map(|line| line.strip_prefix("#### "))
            .collect();

        let view = RepoView::new(&report);
        assert_eq!(rendered, view.section_headings());
        assert_eq!(rendered.len(), 7, "every section is shown: {rendered:?}");
    }

    #[test]
    fn headings_around_repos_follow_the_template() {
        let scorecard = Scorecard {
            schema_version: crate::scorecard::SCHEMA_VERSION,
            tool: "dockgrade".to_string(),
            version: "0.1.0".to_string(),
            shard: None,
            repos: vec![repo_with_every_section()],
        };
        let text = render(&scorecard).expect("the scorecard renders");
        let top_level: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# ").or_else(|| line.strip_prefix("## ")))
            .collect();
        let mut expected = vec![TITLE_HEADING];
        expected.extend(HEADINGS_BEFORE_REPOS);
        expected.push(LEGEND_HEADING);
        assert_eq!(top_level, expected);
    }
}
