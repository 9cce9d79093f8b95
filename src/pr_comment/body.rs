//! The comment body: the hidden marker, the grade before → after, the controls whose verdict
//! changed, blocker changes, and new and fixed findings with links, kept within GitHub's limit
//! on the size of a comment.

use super::git::short;
use super::links::BlobLinks;
use super::sync::MARKER;
use super::{FolderChange, GradedPullRequest};
use crate::diff::{self, BlockerState, FindingChanges, Reading, RepoDiff};
use crate::finding::{Finding, Outcome};
use crate::report::{templates, RenderError};
use crate::scorecard::{RepoReport, Score, Scorecard};
use serde::Serialize;

/// GitHub rejects a comment body longer than 65,536 characters with a 422. The body is measured
/// in bytes of UTF-8, which are never fewer than its characters or UTF-16 code units, so a body
/// within this many bytes is within the limit however GitHub counts.
pub const MAX_BODY_BYTES: usize = 65_536;

const TEMPLATE: (&str, &str) = (
    "pr_comment.md.tera",
    include_str!("../../templates/pr_comment.md.tera"),
);

/// Renders the comment that compares the base of `graded` with its head, linking new findings
/// with `links`, within [`MAX_BODY_BYTES`].
pub fn render(graded: &GradedPullRequest, links: &BlobLinks) -> Result<String, RenderError> {
    render_within(graded, links, MAX_BODY_BYTES)
}

/// Renders the comment within `limit` bytes.
///
/// When the whole comment is too long, findings are left out from the end of the lists (fixed
/// findings first, then new ones, so blocker findings stay longest) and a closing line gives the
/// number left out. Whole list items are dropped, so no Markdown construct or character is ever cut. The
/// number kept is found by bisection over whole renders, because escaping makes the length of
/// an item known only once it is rendered.
///
/// Text from the repository is escaped, and `@name` and `#123` in it are kept from mentioning
/// anyone or linking an issue when the bot posts the comment (see
/// [`crate::report::escape::conversation`]).
pub fn render_within(
    graded: &GradedPullRequest,
    links: &BlobLinks,
    limit: usize,
) -> Result<String, RenderError> {
    let mut tera = templates::load_for_conversation().map_err(RenderError::Markdown)?;
    tera.add_raw_templates([TEMPLATE])
        .map_err(RenderError::Markdown)?;
    let view = CommentView::new(graded, links);
    let render = |kept: usize| -> Result<String, RenderError> {
        let context =
            tera::Context::from_serialize(view.keeping(kept)).map_err(RenderError::Markdown)?;
        tera.render(TEMPLATE.0, &context)
            .map_err(RenderError::Markdown)
    };

    let total = view.new_findings.len() + view.fixed_findings.len();
    let full = render(total)?;
    if full.len() <= limit {
        return Ok(full);
    }
    let mut fitting = render(0)?;
    if fitting.len() > limit {
        return Ok(too_large(&view));
    }
    // `kept` findings fit and `too_many` do not.
    let (mut kept, mut too_many) = (0, total);
    while too_many - kept > 1 {
        let middle = kept + (too_many - kept) / 2;
        let text = render(middle)?;
        if text.len() <= limit {
            kept = middle;
            fitting = text;
        } else {
            too_many = middle;
        }
    }
    Ok(fitting)
}

/// Returns a body for a change whose summary alone exceeds the limit, which only an extreme
/// number of errors can cause.
fn too_large(view: &CommentView) -> String {
    format!(
        "{MARKER}\n### dockgrade: {}\n\nThe change is too large for a comment. Write both sides as JSON with `dockgrade check --format json` and compare them with `dockgrade diff BASE.json HEAD.json` locally.\n",
        crate::report::escape::text(&view.grade_line)
    )
}

#[derive(Debug, Clone, Serialize)]
struct CommentView {
    marker: &'static str,
    grade_line: String,
    changed: bool,
    base_commit: String,
    head_commit: String,
    /// The ref whose merge base with the head is the base, such as `origin/main`.
    base_ref: String,
    /// `added` or `removed` when only one side has the graded folder, else empty.
    folder_change: &'static str,
    /// The graded folder, such as `services/api`.
    folder: String,
    /// The side that could not be read, as a clause, if any. Then no verdict or finding is
    /// compared.
    unreadable: Option<&'static str>,
    controls: Vec<ControlRow>,
    blockers: Vec<BlockerRow>,
    new_errors: Vec<String>,
    resolved_errors: Vec<String>,
    expired_waivers: Vec<crate::scorecard::WaiverReport>,
    new_total: usize,
    fixed_total: usize,
    new_findings: Vec<FindingView>,
    fixed_findings: Vec<FindingView>,
    omitted: usize,
}

#[derive(Debug, Clone, Serialize)]
struct ControlRow {
    title: String,
    old: &'static str,
    new: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct BlockerRow {
    id: String,
    title: String,
    change: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct FindingView {
    outcome: Outcome,
    id: String,
    location: String,
    message: String,
    quote: String,
    link: Option<String>,
}

impl CommentView {
    fn new(graded: &GradedPullRequest, links: &BlobLinks) -> CommentView {
        let (base, head) = (&graded.base, &graded.head);
        let compared = diff::compare(
            &Scorecard::new(vec![base.clone()]),
            &Scorecard::new(vec![head.clone()]),
        );
        let commit = |report: &RepoReport| {
            report
                .commit
                .as_deref()
                .map(|commit| short(commit).to_string())
                .unwrap_or_default()
        };
        let mut view = CommentView {
            marker: MARKER,
            grade_line: grade_line(base, head),
            changed: false,
            base_commit: commit(base),
            head_commit: commit(head),
            base_ref: graded.base_ref.clone(),
            folder_change: match graded.folder {
                FolderChange::Kept => "",
                FolderChange::Added => "added",
                FolderChange::Removed => "removed",
            },
            folder: graded.prefix.trim_end_matches('/').to_string(),
            unreadable: None,
            controls: Vec::new(),
            blockers: Vec::new(),
            new_errors: Vec::new(),
            resolved_errors: Vec::new(),
            expired_waivers: Vec::new(),
            new_total: 0,
            fixed_total: 0,
            new_findings: Vec::new(),
            fixed_findings: Vec::new(),
            omitted: 0,
        };
        let Some(repo) = compared.changed.first() else {
            return view;
        };
        view.changed = true;
        view.fill(repo, links);
        view
    }

    fn fill(&mut self, repo: &RepoDiff, links: &BlobLinks) {
        self.unreadable = match repo.reading {
            Reading::Graded => None,
            Reading::BecameUnreadable => Some("The head could not be read"),
            Reading::BecameReadable => Some("The base could not be read"),
            Reading::Unreadable => Some("Neither the base nor the head could be read"),
        };
        self.controls = repo
            .controls
            .iter()
            .filter(|control| control.verdict_changed())
            .map(|control| ControlRow {
                title: title_of(&control.id),
                old: control.old_verdict.as_str(),
                new: control.new_verdict.as_str(),
            })
            .collect();
        self.blockers = repo
            .blockers
            .iter()
            .map(|blocker| BlockerRow {
                id: blocker.id.clone(),
                title: title_of(&blocker.id),
                change: blocker_change(blocker.old, blocker.new),
            })
            .collect();
        self.new_errors = repo.new_errors.iter().map(error_line).collect();
        self.resolved_errors = repo.resolved_errors.iter().map(error_line).collect();
        self.expired_waivers = repo.expired_waivers.clone();

        // Blocker findings first, so that they are the last to be left out.
        let groups: Vec<&FindingChanges> = repo
            .blockers
            .iter()
            .map(|blocker| &blocker.findings)
            .chain(repo.controls.iter().map(|control| &control.findings))
            .chain(std::iter::once(&repo.other_findings))
            .collect();
        for group in groups {
            self.new_findings.extend(
                group
                    .new
                    .iter()
                    .map(|finding| view_of(finding, Some(links))),
            );
            self.fixed_findings
                .extend(group.fixed.iter().map(|finding| view_of(finding, None)));
        }
        self.new_total = self.new_findings.len();
        self.fixed_total = self.fixed_findings.len();
    }

    /// Returns a copy that lists only the first `kept` findings, new ones before fixed ones.
    fn keeping(&self, kept: usize) -> CommentView {
        let mut view = self.clone();
        let kept_new = kept.min(view.new_findings.len());
        let kept_fixed = (kept - kept_new).min(view.fixed_findings.len());
        view.new_findings.truncate(kept_new);
        view.fixed_findings.truncate(kept_fixed);
        view.omitted = self.new_total + self.fixed_total - kept_new - kept_fixed;
        view
    }
}

/// Returns `B (6/7) → C (5/7)`, or `B (6/7), unchanged`.
fn grade_line(base: &RepoReport, head: &RepoReport) -> String {
    let label = |report: &RepoReport| match report.score {
        Some(Score { passed, applicable }) => format!("{} ({passed}/{applicable})", report.grade),
        None => report.grade.clone(),
    };
    let (before, after) = (label(base), label(head));
    if before == after {
        format!("grade {after}, unchanged")
    } else {
        format!("grade {before} → {after}")
    }
}

fn title_of(id: &str) -> String {
    crate::controls::CONTROLS
        .iter()
        .chain(crate::controls::BLOCKERS.iter())
        .find(|info| info.id == id)
        .map_or_else(|| id.to_string(), |info| info.title.to_string())
}

fn blocker_change(old: Option<BlockerState>, new: Option<BlockerState>) -> &'static str {
    match (old, new) {
        (None, Some(BlockerState::Active)) => "new",
        (None, Some(BlockerState::Waived)) => "new, waived",
        (Some(_), None) => "fixed",
        (Some(BlockerState::Waived), Some(BlockerState::Active)) => "no longer waived",
        (Some(BlockerState::Active), Some(BlockerState::Waived)) => "now waived",
        _ => "findings changed",
    }
}

fn error_line(error: &crate::scorecard::RepoError) -> String {
    match &error.path {
        Some(path) => format!("{path}: {}", error.message),
        None => error.message.clone(),
    }
}

fn view_of(finding: &Finding, links: Option<&BlobLinks>) -> FindingView {
    let location = if finding.line == 0 {
        finding.path.clone()
    } else {
        format!("{}:{}", finding.path, finding.line)
    };
    FindingView {
        outcome: finding.outcome,
        id: finding.id.clone(),
        location,
        message: finding.message.clone(),
        quote: finding.quote.clone(),
        link: links.and_then(|links| links.line(&finding.path, finding.line)),
    }
}
