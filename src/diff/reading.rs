//! Whether a repository could be read on each side of a diff, and which of its findings can be
//! compared.
//!
//! The rule:
//!
//! - A repository with the grade `error` could not be read, so that scorecard has no verdicts,
//!   blockers, findings or waivers for it. When either side is unreadable, only the grade, the
//!   source, the commit and the errors are compared: a finding of the readable side is neither
//!   new nor fixed, and no control changes to or from `n/a`. The errors show why.
//! - A repository that has errors and a grade was read in part. Its verdicts, blockers and
//!   waivers are compared as they are, because they are what the grade rests on. A finding in a
//!   file or folder that an error of the other side names is left out, because that side could
//!   not see it. Such a finding is neither new (the old side could not read the file) nor fixed
//!   (the new side could not read it). An error without a path does not name what was missed,
//!   so it leaves every finding in the comparison.

use super::FindingChanges;
use crate::finding::Finding;
use crate::scorecard::{RepoError, RepoReport};
use serde::Serialize;

/// Whether a repository that is in both scorecards could be read in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Graded in both scorecards, so every change is compared.
    Graded,
    /// Graded in the old scorecard and unreadable in the new one.
    BecameUnreadable,
    /// Unreadable in the old scorecard and graded in the new one.
    BecameReadable,
    /// Unreadable in both scorecards.
    Unreadable,
}

impl Reading {
    /// Returns the reading of a repository whose old report is `old` and new report is `new`.
    pub fn of(old: &RepoReport, new: &RepoReport) -> Reading {
        match (old.is_unreadable(), new.is_unreadable()) {
            (false, false) => Reading::Graded,
            (false, true) => Reading::BecameUnreadable,
            (true, false) => Reading::BecameReadable,
            (true, true) => Reading::Unreadable,
        }
    }

    /// Tells whether verdicts, blockers, findings and waivers are compared.
    pub fn compares_results(self) -> bool {
        self == Reading::Graded
    }

    /// Describes why the results are not compared, or `None` when they are.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            Reading::Graded => None,
            Reading::BecameUnreadable => Some("could not be read in the new report"),
            Reading::BecameReadable => Some("could not be read in the old report"),
            Reading::Unreadable => Some("could not be read in either report"),
        }
    }
}

/// The files and folders that each side of a partly read repository could not read.
pub(super) struct Unread<'a> {
    old: Vec<&'a str>,
    new: Vec<&'a str>,
}

impl<'a> Unread<'a> {
    pub fn of(old: &'a [RepoError], new: &'a [RepoError]) -> Self {
        let paths = |errors: &'a [RepoError]| -> Vec<&'a str> {
            errors
                .iter()
                .filter_map(|error| error.path.as_deref())
                .collect()
        };
        Unread {
            old: paths(old),
            new: paths(new),
        }
    }

    /// Drops the new findings that the old side could not see, and the fixed findings that the
    /// new side could not see.
    pub fn leave_out(&self, mut changes: FindingChanges) -> FindingChanges {
        changes.new.retain(|finding| !covers(&self.old, finding));
        changes.fixed.retain(|finding| !covers(&self.new, finding));
        changes
    }
}

/// Tells whether one of `paths` is the finding's file or a folder that contains it. Paths are
/// relative to the repository root with `/` separators, as in findings.
fn covers(paths: &[&str], finding: &Finding) -> bool {
    paths.iter().any(|path| {
        let folder = path.trim_end_matches('/');
        finding.path == *path
            || folder.is_empty()
            || folder == "."
            || finding
                .path
                .strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}
