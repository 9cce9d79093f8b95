//! The diff as Markdown: a summary table of the repositories that changed, then per repository
//! its blocker, control, finding, waiver and error changes.
//!
//! The layout lives in templates/diff.md.tera. This module arranges the diff into the rows and
//! lists that template walks, and adds links to new findings when the caller gives a
//! [`LinkBuilder`].

use super::{BlockerState, FindingChanges, Grade, RepoDiff, RepoSummary, ScorecardDiff};
use crate::controls::{BLOCKERS, CONTROLS};
use crate::finding::{Finding, Outcome};
use crate::report::{templates, RenderError};
use serde::Serialize;

/// The place of a new finding, handed to a [`LinkBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkTarget<'a> {
    /// The repository's name in the scorecard.
    pub repo: &'a str,
    /// The repository's source: a path relative to repos.toml, or `owner/name`.
    pub source: &'a str,
    /// The commit the new scorecard read the repository at, when the source has one.
    pub commit: Option<&'a str>,
    /// The file, relative to the repository root, with `/` separators.
    pub path: &'a str,
    /// The 1-based line, or 0 for a finding about a whole file.
    pub line: usize,
}

/// Builds the web address of a file and line of the new scorecard, such as a pull request's
/// head commit on GitHub. Any `Fn(&LinkTarget) -> Option<String>` is one.
pub trait LinkBuilder {
    /// Returns an `https://` URL of the target, or `None` to show the location without a link.
    /// A URL with another scheme is dropped, so a link in the report cannot run script.
    fn link(&self, target: &LinkTarget) -> Option<String>;
}

impl<F> LinkBuilder for F
where
    F: Fn(&LinkTarget) -> Option<String>,
{
    fn link(&self, target: &LinkTarget) -> Option<String> {
        self(target)
    }
}

/// Layout options of [`render`]: a link builder and the heading level of the title.
#[derive(Clone, Copy)]
pub struct MarkdownOptions<'a> {
    links: Option<&'a dyn LinkBuilder>,
    heading_level: usize,
}

impl Default for MarkdownOptions<'_> {
    fn default() -> Self {
        MarkdownOptions {
            links: None,
            heading_level: 1,
        }
    }
}

impl<'a> MarkdownOptions<'a> {
    /// Returns options with no links and the title as a level-1 heading.
    pub fn new() -> Self {
        Self::default()
    }

    /// Links the location of every new finding with `links`.
    pub fn with_links(self, links: &'a dyn LinkBuilder) -> Self {
        MarkdownOptions {
            links: Some(links),
            ..self
        }
    }

    /// Renders the title at `level` (1 for `#`), and each repository one level below. Levels
    /// outside 1 to 4 are clamped, because Markdown has six levels and the deepest section of
    /// the diff is two below the title.
    pub fn with_heading_level(self, level: usize) -> Self {
        MarkdownOptions {
            heading_level: level.clamp(1, 4),
            ..self
        }
    }
}

/// The diff's templates, compiled into the binary beside the report's.
const DIFF_TEMPLATES: [(&str, &str); 2] = [
    (
        "diff.macros.md.tera",
        include_str!("../../templates/diff.macros.md.tera"),
    ),
    ("diff.md.tera", include_str!("../../templates/diff.md.tera")),
];

/// Renders the diff as Markdown. Repository names, paths, quotes and messages are escaped, so
/// text from a repository cannot break the table or add markup. A diff is often posted on
/// a pull request or an issue, so `@name` and `#123` in that text are kept from mentioning
/// anyone or linking an issue there (see [`crate::report::escape::conversation`]).
pub fn render(diff: &ScorecardDiff, options: &MarkdownOptions) -> Result<String, RenderError> {
    let mut tera = templates::load_for_conversation().map_err(RenderError::Markdown)?;
    tera.add_raw_templates(DIFF_TEMPLATES)
        .map_err(RenderError::Markdown)?;
    let view = DiffView::new(diff, options);
    let context = tera::Context::from_serialize(&view).map_err(RenderError::Markdown)?;
    tera.render("diff.md.tera", &context)
        .map_err(RenderError::Markdown)
}

#[derive(Serialize)]
struct DiffView {
    /// The heading markers of the title, the repositories and their sections.
    h1: String,
    h2: String,
    h3: String,
    changed: bool,
    old_version: String,
    new_version: String,
    counts: Counts,
    worsenings: Vec<String>,
    rows: Vec<SummaryRow>,
    repos: Vec<RepoView>,
}

#[derive(Serialize)]
struct Counts {
    changed: usize,
    added: usize,
    removed: usize,
    unchanged: usize,
}

/// One row of the summary table.
#[derive(Serialize)]
struct SummaryRow {
    name: String,
    /// `changed`, `added` or `removed`.
    kind: &'static str,
    old_grade: Option<String>,
    new_grade: Option<String>,
    controls: Vec<VerdictChange>,
    new_findings: usize,
    fixed_findings: usize,
    /// The reason findings are not compared, when the repository could not be read on a side.
    reading: Option<&'static str>,
}

#[derive(Serialize)]
struct VerdictChange {
    title: String,
    old: &'static str,
    new: &'static str,
}

#[derive(Serialize)]
struct RepoView {
    name: String,
    source: String,
    /// The old source of a repository that moved.
    old_source: Option<String>,
    /// The reason findings are not compared, when the repository could not be read on a side.
    reading: Option<&'static str>,
    old_commit: Option<String>,
    new_commit: Option<String>,
    old_grade: String,
    new_grade: String,
    blockers: Vec<GroupView>,
    controls: Vec<GroupView>,
    other_findings: Vec<FindingView>,
    expired_waivers: Vec<WaiverView>,
    new_errors: Vec<String>,
    resolved_errors: Vec<String>,
}

/// A control or blocker: what became of it, and its new findings before its fixed ones.
#[derive(Serialize)]
struct GroupView {
    id: String,
    title: String,
    /// For a control, the old and new verdict labels.
    old_verdict: Option<&'static str>,
    new_verdict: Option<&'static str>,
    /// For a blocker, what became of it, such as `new` or `no longer waived`.
    change: Option<&'static str>,
    findings: Vec<FindingView>,
}

#[derive(Serialize)]
struct FindingView {
    /// `new` or `fixed`.
    change: &'static str,
    id: String,
    /// False when the id is the one of the control or blocker the finding is listed under.
    show_id: bool,
    outcome: Outcome,
    /// `path:line`, or the path alone for a finding about a whole file.
    location: String,
    link: Option<String>,
    /// The image or service, or empty when it only repeats the path.
    subject: String,
    /// The quoted line, or empty when the message already contains it.
    quote: String,
    message: String,
}

#[derive(Serialize)]
struct WaiverView {
    id: String,
    expires: String,
    reason: String,
}

impl DiffView {
    fn new(diff: &ScorecardDiff, options: &MarkdownOptions) -> Self {
        let level = options.heading_level;
        let mut rows: Vec<SummaryRow> = diff
            .changed
            .iter()
            .map(SummaryRow::changed)
            .chain(
                diff.added
                    .iter()
                    .map(|repo| SummaryRow::added_or_removed(repo, "added")),
            )
            .chain(
                diff.removed
                    .iter()
                    .map(|repo| SummaryRow::added_or_removed(repo, "removed")),
            )
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));

        DiffView {
            h1: "#".repeat(level),
            h2: "#".repeat(level + 1),
            h3: "#".repeat(level + 2),
            changed: diff.has_changes(),
            old_version: diff.old_version.clone(),
            new_version: diff.new_version.clone(),
            counts: Counts {
                changed: diff.changed.len(),
                added: diff.added.len(),
                removed: diff.removed.len(),
                unchanged: diff.unchanged,
            },
            worsenings: diff.worsenings().iter().map(ToString::to_string).collect(),
            rows,
            repos: diff
                .changed
                .iter()
                .map(|repo| RepoView::new(repo, options.links))
                .collect(),
        }
    }
}

impl SummaryRow {
    fn changed(repo: &RepoDiff) -> Self {
        let findings = repo
            .controls
            .iter()
            .map(|control| &control.findings)
            .chain(repo.blockers.iter().map(|blocker| &blocker.findings))
            .chain([&repo.other_findings]);
        let (new_findings, fixed_findings) = findings.fold((0, 0), |(new, fixed), changes| {
            (new + changes.new.len(), fixed + changes.fixed.len())
        });
        SummaryRow {
            name: repo.name.clone(),
            kind: "changed",
            old_grade: Some(grade_label(&repo.old_grade)),
            new_grade: Some(grade_label(&repo.new_grade)),
            controls: repo
                .controls
                .iter()
                .filter(|control| control.verdict_changed())
                .map(|control| VerdictChange {
                    title: control_title(&control.id),
                    old: control.old_verdict.as_str(),
                    new: control.new_verdict.as_str(),
                })
                .collect(),
            new_findings,
            fixed_findings,
            reading: repo.reading.describe(),
        }
    }

    fn added_or_removed(repo: &RepoSummary, kind: &'static str) -> Self {
        let grade = Some(grade_label(&repo.grade));
        let (old_grade, new_grade) = if kind == "added" {
            (None, grade)
        } else {
            (grade, None)
        };
        SummaryRow {
            name: repo.name.clone(),
            kind,
            old_grade,
            new_grade,
            controls: Vec::new(),
            new_findings: 0,
            fixed_findings: 0,
            reading: None,
        }
    }
}

impl RepoView {
    fn new(repo: &RepoDiff, links: Option<&dyn LinkBuilder>) -> Self {
        let link = |finding: &Finding| {
            let target = LinkTarget {
                repo: &repo.name,
                source: &repo.source,
                commit: repo.new_commit.as_deref(),
                path: &finding.path,
                line: finding.line,
            };
            links
                .and_then(|builder| builder.link(&target))
                .filter(|url| url.starts_with("https://"))
                .map(|url| link_destination(&url))
        };

        let blockers = repo
            .blockers
            .iter()
            .map(|blocker| GroupView {
                id: blocker.id.clone(),
                title: blocker_title(&blocker.id),
                old_verdict: None,
                new_verdict: None,
                change: Some(blocker_change(blocker.old, blocker.new)),
                findings: finding_views(&blocker.findings, &blocker.id, &link),
            })
            .collect();
        let controls = repo
            .controls
            .iter()
            .map(|control| GroupView {
                id: control.id.clone(),
                title: control_title(&control.id),
                old_verdict: Some(control.old_verdict.as_str()),
                new_verdict: Some(control.new_verdict.as_str()),
                change: None,
                findings: finding_views(&control.findings, &control.id, &link),
            })
            .collect();

        RepoView {
            name: repo.name.clone(),
            source: repo.source.clone(),
            old_source: repo.old_source.clone(),
            reading: repo.reading.describe(),
            old_commit: repo.old_commit.clone(),
            new_commit: repo.new_commit.clone(),
            old_grade: grade_label(&repo.old_grade),
            new_grade: grade_label(&repo.new_grade),
            blockers,
            controls,
            other_findings: finding_views(&repo.other_findings, "", &link),
            expired_waivers: repo
                .expired_waivers
                .iter()
                .map(|waiver| WaiverView {
                    id: waiver.id.clone(),
                    expires: waiver.expires.clone(),
                    reason: waiver.reason.clone(),
                })
                .collect(),
            new_errors: repo.new_errors.iter().map(error_label).collect(),
            resolved_errors: repo.resolved_errors.iter().map(error_label).collect(),
        }
    }
}

/// Lists the new findings, then the fixed ones; each group fail first, then review and
/// advisories, in file order within an outcome. Only new findings get a link, because the
/// link builder points into the new scorecard's commit.
fn finding_views(
    changes: &FindingChanges,
    group_id: &str,
    link: &dyn Fn(&Finding) -> Option<String>,
) -> Vec<FindingView> {
    let view = |finding: &Finding, change: &'static str| FindingView {
        change,
        id: finding.id.clone(),
        show_id: finding.id != group_id,
        outcome: finding.outcome,
        location: if finding.line == 0 {
            finding.path.clone()
        } else {
            format!("{}:{}", finding.path, finding.line)
        },
        link: if change == "new" { link(finding) } else { None },
        subject: if finding.subject == finding.path {
            String::new()
        } else {
            finding.subject.clone()
        },
        quote: if finding.message.contains(finding.quote.as_str()) {
            String::new()
        } else {
            finding.quote.clone()
        },
        message: finding.message.clone(),
    };
    let mut new: Vec<FindingView> = changes.new.iter().map(|f| view(f, "new")).collect();
    let mut fixed: Vec<FindingView> = changes.fixed.iter().map(|f| view(f, "fixed")).collect();
    new.sort_by_key(|view| outcome_rank(view.outcome));
    fixed.sort_by_key(|view| outcome_rank(view.outcome));
    new.extend(fixed);
    new
}

fn outcome_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Review => 1,
        Outcome::Pass => 2,
        Outcome::Advisory => 3,
    }
}

/// Returns `A (6/7)`, or the grade alone when it has no score.
fn grade_label(grade: &Grade) -> String {
    match grade.score {
        Some(score) => format!("{} ({}/{})", grade.grade, score.passed, score.applicable),
        None => grade.grade.clone(),
    }
}

fn control_title(id: &str) -> String {
    CONTROLS
        .iter()
        .find(|info| info.id == id)
        .map_or(id, |info| info.title)
        .to_string()
}

fn blocker_title(id: &str) -> String {
    BLOCKERS
        .iter()
        .find(|info| info.id == id)
        .map_or(id, |info| info.title)
        .to_string()
}

/// Describes what became of a blocker, for its line in a repository's section.
fn blocker_change(old: Option<BlockerState>, new: Option<BlockerState>) -> &'static str {
    match (old, new) {
        (None, Some(BlockerState::Active)) => "new",
        (None, Some(BlockerState::Waived)) => "new, waived",
        (Some(_), None) => "fixed",
        (Some(BlockerState::Waived), Some(BlockerState::Active)) => "no longer waived",
        (Some(BlockerState::Active), Some(BlockerState::Waived)) => "now waived",
        (Some(BlockerState::Active), Some(BlockerState::Active)) => "still found",
        (Some(BlockerState::Waived), Some(BlockerState::Waived)) => "still found, waived",
        (None, None) => "not found",
    }
}

fn error_label(error: &crate::scorecard::RepoError) -> String {
    match &error.path {
        Some(path) => format!("{path}: {}", error.message),
        None => error.message.clone(),
    }
}

/// Percent-encodes the characters that would end or break a Markdown link destination
/// (CommonMark: spaces, control characters, `<`, `>`, and unbalanced parentheses), and the
/// characters the Markdown escaper treats as markup.
fn link_destination(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_control() || matches!(c, ' ' | '<' | '>' | '(' | ')' | '"' | '\\' | '`' | '|') {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        } else {
            encoded.push(c);
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::{ControlResult, RepoReport, Scorecard};
    use std::collections::BTreeMap;

    /// Returns a diff where repository `a|b` gained a failing non-root finding at line 3.
    fn diff_with_new_finding() -> ScorecardDiff {
        let old = RepoReport {
            name: "a|b".to_string(),
            source: "octo/a".to_string(),
            commit: Some("1111".to_string()),
            web_url: None,
            grade: "A".to_string(),
            score: None,
            notes: Vec::new(),
            controls: BTreeMap::new(),
            blockers: Vec::new(),
            findings: Vec::new(),
            subjects: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
            waivers: Vec::new(),
        };
        let mut new = old.clone();
        new.commit = Some("2222".to_string());
        new.controls.insert(
            "non-root".to_string(),
            ControlResult {
                verdict: crate::scorecard::Verdict::Fail,
                findings: vec![Finding {
                    id: "non-root".to_string(),
                    outcome: Outcome::Fail,
                    subject: "Dockerfile".to_string(),
                    path: "src/Dockerfile".to_string(),
                    line: 3,
                    quote: "USER root".to_string(),
                    message: "The last stage runs as root.".to_string(),
                    fix: String::new(),
                }],
                waiver: None,
            },
        );
        super::super::compare(&Scorecard::new(vec![old]), &Scorecard::new(vec![new]))
    }

    #[test]
    fn link_builder_links_new_findings() {
        let links = |target: &LinkTarget| {
            Some(format!(
                "https://github.com/{}/blob/{}/{}#L{}",
                target.source,
                target.commit.unwrap_or("HEAD"),
                target.path,
                target.line
            ))
        };
        let options = MarkdownOptions::new().with_links(&links);
        let text = render(&diff_with_new_finding(), &options).expect("renders");
        assert!(
            text.contains(
                "[`src/Dockerfile:3`](https://github.com/octo/a/blob/2222/src/Dockerfile#L3)"
            ),
            "{text}"
        );
    }

    #[test]
    fn link_other_than_https_is_dropped() {
        let links = |_: &LinkTarget| Some("javascript:alert(1)".to_string());
        let options = MarkdownOptions::new().with_links(&links);
        let text = render(&diff_with_new_finding(), &options).expect("renders");
        assert!(!text.contains("javascript"), "{text}");
        assert!(text.contains("`src/Dockerfile:3`"), "{text}");
    }

    #[test]
    fn link_destination_encodes_markdown_breakers() {
        assert_eq!(
            link_destination("https://h/a b/(c)<d>`|"),
            "https://h/a%20b/%28c%29%3Cd%3E%60%7C"
        );
        assert_eq!(link_destination("https://h/ü"), "https://h/ü");
    }

    #[test]
    fn heading_level_moves_every_heading() {
        let options = MarkdownOptions::new().with_heading_level(3);
        let text = render(&diff_with_new_finding(), &options).expect("renders");
        let headings: Vec<&str> = text.lines().filter(|line| line.starts_with('#')).collect();
        assert_eq!(
            headings,
            ["### Scorecard changes", "#### a\\|b", "##### Controls"]
        );
    }

    #[test]
    fn heading_level_is_clamped() {
        let options = MarkdownOptions::new().with_heading_level(9);
        assert_eq!(options.heading_level, 4);
        assert_eq!(
            MarkdownOptions::new().with_heading_level(0).heading_level,
            1
        );
    }

    #[test]
    fn summary_row_escapes_repository_name() {
        let text = render(&diff_with_new_finding(), &MarkdownOptions::new()).expect("renders");
        assert!(
            text.contains("| a\\|b | A (unchanged) | Non-Root — → ❌ | 1 new, 0 fixed |"),
            "{text}"
        );
    }
}
