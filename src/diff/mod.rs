//! The change between two scorecards: which repositories were added or removed, and for each
//! repository in both, what happened to its grade, verdicts, findings, blockers, waivers and
//! errors.
//!
//! [`compare`] builds a [`ScorecardDiff`], and [`markdown::render`] and [`json::render`] turn it
//! into a report. The diff is plain data, so other commands (such as a pull-request comment)
//! can render it their own way or decide on it with [`ScorecardDiff::is_worse`].
//!
//! Repositories pair by name and source, or by a name that appears once in each scorecard (a
//! moved repository). A repository that could not be read on a side (grade `error`) has no
//! verdicts there, so only its grade, source and errors are compared: its findings are neither
//! new nor fixed. A repository read in part (errors and a grade) is compared as usual, except
//! for findings in the files its errors name. [`Reading`] gives the whole rule.
//!
//! ```
//! use dockgrade::diff::{self, LinkTarget, MarkdownOptions};
//! use dockgrade::scorecard::Scorecard;
//!
//! let (old, new) = (Scorecard::new(Vec::new()), Scorecard::new(Vec::new()));
//! let change = diff::compare(&old, &new);
//! assert!(!change.has_changes() && !change.is_worse());
//!
//! let link = |target: &LinkTarget| {
//!     let commit = target.commit?;
//!     Some(format!("https://github.com/{}/blob/{commit}/{}#L{}", target.source, target.path, target.line))
//! };
//! let options = MarkdownOptions::new().with_links(&link).with_heading_level(2);
//! let text = diff::markdown::render(&change, &options).expect("the templates are valid");
//! assert!(text.starts_with("## Scorecard changes"));
//! ```

mod findings;
pub mod json;
pub mod markdown;
mod pairing;
mod reading;
mod worse;

pub use findings::compare_findings;
pub use markdown::{LinkBuilder, LinkTarget, MarkdownOptions};
pub use reading::Reading;
pub use worse::Worsening;

use crate::controls::CONTROLS;
use crate::finding::Finding;
use crate::scorecard::{
    BlockerResult, RepoError, RepoReport, Score, Scorecard, Verdict, WaiverReport,
};
use reading::Unread;
use serde::Serialize;
use std::collections::BTreeSet;

/// The change between an old and a new scorecard.
///
/// Every list is in a deterministic order. Repositories are sorted by name, then source.
/// Controls follow the matrix columns, and unknown control ids come after them alphabetically.
/// Blockers are sorted by id, and findings by path, line, id, subject and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorecardDiff {
    /// The dockgrade version that wrote the old scorecard.
    pub old_version: String,
    /// The dockgrade version that wrote the new scorecard.
    pub new_version: String,
    /// Repositories only in the new scorecard.
    pub added: Vec<RepoSummary>,
    /// Repositories only in the old scorecard.
    pub removed: Vec<RepoSummary>,
    /// Repositories in both scorecards with at least one change.
    pub changed: Vec<RepoDiff>,
    /// The number of repositories in both scorecards without any change.
    pub unchanged: usize,
}

/// A repository that is in only one of the two scorecards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoSummary {
    pub name: String,
    pub source: String,
    pub commit: Option<String>,
    pub grade: Grade,
    /// The repository's errors in its scorecard. For an added repository they are new errors.
    pub errors: Vec<RepoError>,
}

/// A repository's grade with its score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    /// `A` to `F`, `—` when no control applies, or `error` when the repository could not be read.
    pub grade: String,
    pub score: Option<Score>,
}

/// The changes of one repository that is in both scorecards. Repositories pair by name and
/// source, or by a name unique in both (see [`compare`]). A new commit alone is not a change.
///
/// When the repository could not be read on either side (see [`Reading`]), the controls,
/// blockers, findings and waivers are empty and only the grade, source, commit and errors are
/// compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoDiff {
    pub name: String,
    /// The source in the new scorecard.
    pub source: String,
    /// The source in the old scorecard when it differs: the repository moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_source: Option<String>,
    /// Whether the repository could be read in each scorecard.
    pub reading: Reading,
    pub old_commit: Option<String>,
    pub new_commit: Option<String>,
    pub old_grade: Grade,
    pub new_grade: Grade,
    /// The controls whose verdict changed or that have new or fixed findings.
    pub controls: Vec<ControlDiff>,
    /// The blockers that appeared, disappeared, changed between waived and active, or have new
    /// or fixed findings.
    pub blockers: Vec<BlockerDiff>,
    /// New and fixed findings that belong to no control: `parse-error` and `secret-build-arg`.
    pub other_findings: FindingChanges,
    /// Waivers that are expired in the new scorecard and were not expired in the old one
    /// (including waivers the old scorecard did not have).
    pub expired_waivers: Vec<WaiverReport>,
    /// Errors of the new scorecard that the old one did not have.
    pub new_errors: Vec<RepoError>,
    /// Errors of the old scorecard that the new one no longer has.
    pub resolved_errors: Vec<RepoError>,
}

/// The change of one control in one repository. A control that a scorecard does not list has
/// the verdict `n/a` there, as in the Markdown report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlDiff {
    pub id: String,
    pub old_verdict: Verdict,
    pub new_verdict: Verdict,
    pub findings: FindingChanges,
}

/// The change of one blocker in one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockerDiff {
    pub id: String,
    /// The blocker in the old scorecard, `None` when it was not found there.
    pub old: Option<BlockerState>,
    /// The blocker in the new scorecard, `None` when it is no longer found.
    pub new: Option<BlockerState>,
    pub findings: FindingChanges,
}

/// Whether a blocker that was found caps the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockerState {
    /// Not waived: the blocker caps the grade.
    Active,
    /// A waiver covers it, so it does not cap the grade.
    Waived,
}

/// Findings of one control, blocker or group that only one scorecard has. See
/// [`compare_findings`] for how findings are matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingChanges {
    /// Findings of the new scorecard that the old one did not have.
    pub new: Vec<Finding>,
    /// Findings of the old scorecard that the new one no longer has.
    pub fixed: Vec<Finding>,
}

impl FindingChanges {
    /// Tells whether no finding is new and none is fixed.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty()
    }
}

impl Grade {
    fn of(repo: &RepoReport) -> Self {
        Grade {
            grade: repo.grade.clone(),
            score: repo.score,
        }
    }
}

impl RepoSummary {
    fn of(repo: &RepoReport) -> Self {
        RepoSummary {
            name: repo.name.clone(),
            source: repo.source.clone(),
            commit: repo.commit.clone(),
            grade: Grade::of(repo),
            errors: repo.errors.clone(),
        }
    }
}

impl ScorecardDiff {
    /// Tells whether anything changed: a repository added, removed or changed.
    pub fn has_changes(&self) -> bool {
        !self.added.is_empty() || !self.removed.is_empty() || !self.changed.is_empty()
    }

    /// Tells whether the change made anything worse; see [`ScorecardDiff::worsenings`].
    pub fn is_worse(&self) -> bool {
        !self.worsenings().is_empty()
    }

    /// Lists every change that made a repository worse, in repository order:
    ///
    /// - a grade that went from one letter to a lower one,
    /// - a control whose verdict became `fail`,
    /// - a blocker that caps the grade now and did not before (new, or no longer waived),
    /// - a new error, including a repository that became unreadable and every error of an added
    ///   repository.
    ///
    /// An added repository without errors and a removed repository are neither better nor worse.
    pub fn worsenings(&self) -> Vec<Worsening> {
        let mut found: Vec<(&str, Vec<Worsening>)> = self
            .changed
            .iter()
            .map(|repo| (repo.name.as_str(), worse::of_repo(repo)))
            .chain(
                self.added
                    .iter()
                    .map(|repo| (repo.name.as_str(), worse::of_added(repo))),
            )
            .collect();
        found.sort_by_key(|(name, _)| *name);
        found.into_iter().flat_map(|(_, list)| list).collect()
    }
}

impl RepoDiff {
    /// Tells whether the grade or the score changed.
    pub fn grade_changed(&self) -> bool {
        self.old_grade != self.new_grade
    }

    fn has_changes(&self) -> bool {
        self.grade_changed()
            || self.old_source.is_some()
            || !self.controls.is_empty()
            || !self.blockers.is_empty()
            || !self.other_findings.is_empty()
            || !self.expired_waivers.is_empty()
            || !self.new_errors.is_empty()
            || !self.resolved_errors.is_empty()
    }
}

impl ControlDiff {
    /// Tells whether the verdict changed.
    pub fn verdict_changed(&self) -> bool {
        self.old_verdict != self.new_verdict
    }
}

/// Compares two scorecards.
///
/// Repositories pair by name and source. A repository left without a partner pairs by its
/// name when the name appears once in each scorecard, because it moved. Repositories still without a
/// partner count as added or removed. See the `pairing` module for the whole rule.
pub fn compare(old: &Scorecard, new: &Scorecard) -> ScorecardDiff {
    let pairs = pairing::pair(&old.repos, &new.repos);

    let mut changed = Vec::new();
    let mut unchanged = 0;
    for (before, after) in pairs.both {
        let diff = compare_repo(before, after);
        if diff.has_changes() {
            changed.push(diff);
        } else {
            unchanged += 1;
        }
    }

    ScorecardDiff {
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        added: pairs.added.into_iter().map(RepoSummary::of).collect(),
        removed: pairs.removed.into_iter().map(RepoSummary::of).collect(),
        changed,
        unchanged,
    }
}

/// Compares the two reports of one repository, following the rule of the `reading` module for
/// a repository that could not be read, or was read in part, on either side.
pub fn compare_repo(old: &RepoReport, new: &RepoReport) -> RepoDiff {
    let (new_errors, resolved_errors) = compare_errors(&old.errors, &new.errors);
    let reading = Reading::of(old, new);
    let unread = Unread::of(&old.errors, &new.errors);
    let mut diff = RepoDiff {
        name: new.name.clone(),
        source: new.source.clone(),
        old_source: (old.source != new.source).then(|| old.source.clone()),
        reading,
        old_commit: old.commit.clone(),
        new_commit: new.commit.clone(),
        old_grade: Grade::of(old),
        new_grade: Grade::of(new),
        controls: Vec::new(),
        blockers: Vec::new(),
        other_findings: FindingChanges::default(),
        expired_waivers: Vec::new(),
        new_errors,
        resolved_errors,
    };
    if reading.compares_results() {
        diff.controls = compare_controls(old, new, &unread);
        diff.blockers = compare_blockers(old, new, &unread);
        diff.other_findings = unread.leave_out(compare_findings(&old.findings, &new.findings));
        diff.expired_waivers = newly_expired(&old.waivers, &new.waivers);
    }
    diff
}

/// Returns the control ids of both reports: the matrix columns first, then other ids
/// alphabetically.
fn control_ids<'a>(old: &'a RepoReport, new: &'a RepoReport) -> Vec<&'a str> {
    let mut ids: Vec<&str> = CONTROLS.iter().map(|info| info.id).collect();
    let others: BTreeSet<&str> = old
        .controls
        .keys()
        .chain(new.controls.keys())
        .map(String::as_str)
        .filter(|id| !ids.contains(id))
        .collect();
    ids.extend(others);
    ids
}

fn compare_controls(old: &RepoReport, new: &RepoReport, unread: &Unread) -> Vec<ControlDiff> {
    let mut diffs = Vec::new();
    for id in control_ids(old, new) {
        let before = old.controls.get(id);
        let after = new.controls.get(id);
        let diff = ControlDiff {
            id: id.to_string(),
            old_verdict: before.map_or(Verdict::NotApplicable, |result| result.verdict),
            new_verdict: after.map_or(Verdict::NotApplicable, |result| result.verdict),
            findings: unread.leave_out(compare_findings(
                before.map_or(&[], |result| &result.findings),
                after.map_or(&[], |result| &result.findings),
            )),
        };
        if diff.verdict_changed() || !diff.findings.is_empty() {
            diffs.push(diff);
        }
    }
    diffs
}

fn compare_blockers(old: &RepoReport, new: &RepoReport, unread: &Unread) -> Vec<BlockerDiff> {
    let ids: BTreeSet<&str> = old
        .blockers
        .iter()
        .chain(&new.blockers)
        .map(|blocker| blocker.id.as_str())
        .collect();
    let mut diffs = Vec::new();
    for id in ids {
        let before: Vec<_> = old.blockers.iter().filter(|b| b.id == id).collect();
        let after: Vec<_> = new.blockers.iter().filter(|b| b.id == id).collect();
        let state = |results: &[&BlockerResult]| {
            if results.is_empty() {
                None
            } else if results.iter().all(|result| result.waiver.is_some()) {
                Some(BlockerState::Waived)
            } else {
                Some(BlockerState::Active)
            }
        };
        let findings = |results: &[&BlockerResult]| -> Vec<Finding> {
            results
                .iter()
                .flat_map(|result| result.findings.iter().cloned())
                .collect()
        };
        let diff = BlockerDiff {
            id: id.to_string(),
            old: state(&before),
            new: state(&after),
            findings: unread.leave_out(compare_findings(&findings(&before), &findings(&after))),
        };
        if diff.old != diff.new || !diff.findings.is_empty() {
            diffs.push(diff);
        }
    }
    diffs
}

/// Returns the waivers of `new` with status `expired` whose match in `old` (same id, reason and
/// expiry date) was not expired, or that `old` does not have.
fn newly_expired(old: &[WaiverReport], new: &[WaiverReport]) -> Vec<WaiverReport> {
    let was_expired = |waiver: &WaiverReport| {
        old.iter().any(|before| {
            before.id == waiver.id
                && before.reason == waiver.reason
                && before.expires == waiver.expires
                && before.status == EXPIRED
        })
    };
    let mut expired: Vec<WaiverReport> = new
        .iter()
        .filter(|waiver| waiver.status == EXPIRED && !was_expired(waiver))
        .cloned()
        .collect();
    expired.sort();
    expired
}

/// The waiver status of a waiver past its expiry date.
const EXPIRED: &str = "expired";

/// Returns the errors only `new` has, and the errors only `old` has, each sorted.
fn compare_errors(old: &[RepoError], new: &[RepoError]) -> (Vec<RepoError>, Vec<RepoError>) {
    let old_set: BTreeSet<&RepoError> = old.iter().collect();
    let new_set: BTreeSet<&RepoError> = new.iter().collect();
    let appeared = new_set.difference(&old_set).map(|e| (*e).clone()).collect();
    let resolved = old_set.difference(&new_set).map(|e| (*e).clone()).collect();
    (appeared, resolved)
}

#[cfg(test)]
mod tests;
