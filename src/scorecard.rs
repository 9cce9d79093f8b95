//! The scorecard: the whole run as plain data. JSON output is this data, and every other report is rendered from it.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The verdict of one control for one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "review")]
    Review,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "waived")]
    Waived,
}

impl Verdict {
    /// Combines the verdicts of several images or services: fail, then review, then pass.
    pub fn worst(self, other: Verdict) -> Verdict {
        fn rank(verdict: Verdict) -> u8 {
            match verdict {
                Verdict::Fail => 4,
                Verdict::Review => 3,
                Verdict::Pass => 2,
                Verdict::Waived => 1,
                Verdict::NotApplicable => 0,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// Returns the label used in reports: `pass`, `review`, `fail`, `n/a` or `waived`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Review => "review",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "n/a",
            Verdict::Waived => "waived",
        }
    }
}

/// A waiver from repos.toml that was applied to a control or blocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// The verdict the waiver replaced.
    pub original: Verdict,
}

/// The result of one control for one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<AppliedWaiver>,
}

/// One blocker found in a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockerResult {
    pub id: String,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<AppliedWaiver>,
}

/// A problem that kept part of a repository from being read or graded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RepoError {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    pub message: String,
}

/// A waiver from repos.toml and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WaiverReport {
    /// The control or blocker id it names.
    pub id: String,
    pub reason: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// `applied`, `expired` (ignored) or `unused` (nothing to waive).
    pub status: String,
}

/// A passed-controls count: `passed` of `applicable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub passed: usize,
    pub applicable: usize,
}

/// The graded result of one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoReport {
    pub name: String,
    /// The repository's origin: a path relative to the config file, or `owner/name`.
    pub source: String,
    #[serde(default)]
    pub commit: Option<String>,
    /// `A` to `F`, `—` when no control applies, or `error` when the repository could not be read.
    pub grade: String,
    #[serde(default)]
    pub score: Option<Score>,
    /// Explanations of the grade where it is not obvious ("no container files found", "capped by blocker").
    #[serde(default)]
    pub notes: Vec<String>,
    /// Control results keyed by control id.
    pub controls: BTreeMap<String, ControlResult>,
    pub blockers: Vec<BlockerResult>,
    /// Findings that belong to no control: `parse-error` and `secret-build-arg`.
    pub findings: Vec<Finding>,
    /// The images and services that were graded, one line each, such as
    /// `image Dockerfile: last stage runtime, build context . (from compose), ignore file .dockerignore`.
    pub subjects: Vec<String>,
    /// Files that were seen but not read, and why.
    pub skipped: Vec<String>,
    pub errors: Vec<RepoError>,
    /// Every waiver repos.toml gives this repository, with its status.
    #[serde(default)]
    pub waivers: Vec<WaiverReport>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub tool: String,
    pub version: String,
    pub repos: Vec<RepoReport>,
}
