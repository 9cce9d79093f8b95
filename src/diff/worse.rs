//! The changes that make a repository worse, for `diff --fail-on-worse` and pull-request checks.

use super::{BlockerState, RepoDiff, RepoSummary};
use crate::scorecard::{RepoError, Verdict};
use serde::Serialize;
use std::fmt;

/// One change that made a repository worse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Worsening {
    /// The grade went from one letter to a lower one.
    GradeDown {
        repo: String,
        old: String,
        new: String,
    },
    /// A control's verdict became `fail`.
    ControlFails {
        repo: String,
        control: String,
        old: Verdict,
    },
    /// A blocker caps the grade that did not before: it is new, or its waiver no longer applies.
    BlockerActive { repo: String, blocker: String },
    /// The repository has an error that it did not have before.
    NewError { repo: String, message: String },
}

impl fmt::Display for Worsening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Worsening::GradeDown { repo, old, new } => {
                write!(f, "{repo}: grade {old} → {new}")
            }
            Worsening::ControlFails { repo, control, old } => {
                write!(f, "{repo}: {control} {} → fail", old.as_str())
            }
            Worsening::BlockerActive { repo, blocker } => {
                write!(f, "{repo}: blocker {blocker}")
            }
            Worsening::NewError { repo, message } => write!(f, "{repo}: error: {message}"),
        }
    }
}

/// Lists the worsenings of one repository: grade, then controls, blockers and errors.
pub(super) fn of_repo(repo: &RepoDiff) -> Vec<Worsening> {
    let mut found = Vec::new();
    if let (Some(old), Some(new)) = (
        letter_rank(&repo.old_grade.grade),
        letter_rank(&repo.new_grade.grade),
    ) {
        if new < old {
            found.push(Worsening::GradeDown {
                repo: repo.name.clone(),
                old: repo.old_grade.grade.clone(),
                new: repo.new_grade.grade.clone(),
            });
        }
    }
    for control in &repo.controls {
        if control.new_verdict == Verdict::Fail && control.old_verdict != Verdict::Fail {
            found.push(Worsening::ControlFails {
                repo: repo.name.clone(),
                control: control.id.clone(),
                old: control.old_verdict,
            });
        }
    }
    for blocker in &repo.blockers {
        if blocker.new == Some(BlockerState::Active) && blocker.old != Some(BlockerState::Active) {
            found.push(Worsening::BlockerActive {
                repo: repo.name.clone(),
                blocker: blocker.id.clone(),
            });
        }
    }
    found.extend(new_errors(&repo.name, &repo.new_errors));
    found
}

/// Lists the worsenings of an added repository: each of its errors is new, so one that could
/// not be read is worse than not being there.
pub(super) fn of_added(repo: &RepoSummary) -> Vec<Worsening> {
    new_errors(&repo.name, &repo.errors).collect()
}

fn new_errors<'a>(repo: &'a str, errors: &'a [RepoError]) -> impl Iterator<Item = Worsening> + 'a {
    errors.iter().map(move |error| {
        let message = match &error.path {
            Some(path) => format!("{path}: {}", error.message),
            None => error.message.clone(),
        };
        Worsening::NewError {
            repo: repo.to_string(),
            message,
        }
    })
}

/// Ranks a letter grade, higher is better: A is 5 and F is 1. `—` (nothing to grade) and
/// `error` have no rank, so a change to or from them is not a grade going down.
fn letter_rank(grade: &str) -> Option<u8> {
    match grade {
        "A" => Some(5),
        "B" => Some(4),
        "C" => Some(3),
        "D" => Some(2),
        "F" => Some(1),
        _ => None,
    }
}
