//! Grades both sides of a pull request from a local git clone: the head commit, and the merge
//! base of the head and the base ref, each written to a temporary folder.

use super::base;
use super::git::{short, GitError};
use super::head::Head;
use super::tree::CommitTree;
use crate::config::ConfigError;
use crate::grade::Policy;
use crate::scorecard::RepoReport;
use std::path::Path;

/// Both sides of a pull request, graded the same way.
#[derive(Debug, Clone)]
pub struct GradedPullRequest {
    pub base: RepoReport,
    pub head: RepoReport,
    /// The head commit, which comment links point at.
    pub head_commit: String,
    /// The base ref as given, such as `origin/main`; the base is graded at the merge base of
    /// the head and this ref.
    pub base_ref: String,
    /// The graded folder inside the repository, with a trailing `/`, or empty for the top.
    pub prefix: String,
    /// Whether the graded folder is on both sides, or the pull request adds or removes it.
    pub folder: FolderChange,
    /// Whether the work tree has changes in the graded folder that the head commit lacks.
    pub uncommitted: bool,
}

/// The change that the pull request makes to the graded folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderChange {
    /// The folder is on both sides.
    Kept,
    /// The base has no such folder: it is graded as an empty repository.
    Added,
    /// The head has no such folder: it is graded as an empty repository.
    Removed,
}

/// An error that keeps a pull request from being graded.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error(transparent)]
    Git(#[from] GitError),
    /// An invalid `.dockgrade.toml` on the head side. On the base side one is an error of the
    /// base's report instead.
    #[error("the {side} of the pull request has an invalid settings file: {error}")]
    Config {
        side: &'static str,
        error: ConfigError,
    },
    /// PATH is a folder of neither side.
    #[error("{path} is a folder of neither the head commit {head} nor the base commit {base}\nhelp: pass a folder that the pull request or its base has in git (a folder without a committed file is not in git)")]
    FolderMissing {
        path: String,
        head: String,
        base: String,
    },
}

/// Grades the folder at `path` as the head commit has it and as the merge base of the head
/// and `base_ref` has it, as `dockgrade check` grades a folder: each side with the
/// `.dockgrade.toml` it has. Both reports are named `repository` (`owner/name`) and carry their
/// commit, so that they compare as one repository.
///
/// The head is graded from the commit, not from the work tree, so that the grades describe the
/// pull request as GitHub has it and match the links, which point at the commit. A folder that
/// one side lacks is graded on that side as an empty repository.
pub fn grade_pull_request(
    path: &Path,
    base_ref: &str,
    repository: &str,
    policy: &Policy,
) -> Result<GradedPullRequest, GradeError> {
    let head = Head::open(path)?;
    let base_commit = base::merge_base(&head.top, &head.commit, base_ref)?;
    let head_tree = CommitTree::checkout(&head.top, &head.commit)?;
    let base_tree = CommitTree::checkout(&head.top, &base_commit)?;

    let folder = match (
        head_tree.folder(&head.prefix).is_some(),
        base_tree.folder(&head.prefix).is_some(),
    ) {
        (true, true) => FolderChange::Kept,
        (true, false) => FolderChange::Added,
        (false, true) => FolderChange::Removed,
        (false, false) => {
            return Err(GradeError::FolderMissing {
                path: path.display().to_string(),
                head: short(&head.commit).to_string(),
                base: short(&base_commit).to_string(),
            })
        }
    };
    let head_side = Side {
        name: "head",
        label: format!("head ({})", short(&head.commit)),
        tree: &head_tree,
        prefix: &head.prefix,
    };
    let base_side = Side {
        name: "base",
        label: format!("base {base_ref} ({})", short(&base_commit)),
        tree: &base_tree,
        prefix: &head.prefix,
    };
    // The pull request cannot fix its base, so an invalid settings file there is an error of
    // the base's report, shown in the comment, rather than a failure of the run.
    let base = match base_side.grade(repository, policy) {
        Err(GradeError::Config { error, .. }) => {
            let mut report = crate::pipeline::error_report(
                repository,
                repository,
                format!("invalid settings file: {error}"),
            );
            report.commit = Some(base_commit.clone());
            report
        }
        other => other?,
    };
    Ok(GradedPullRequest {
        head: head_side.grade(repository, policy)?,
        base,
        uncommitted: head.has_uncommitted_changes()?,
        head_commit: head.commit,
        base_ref: base_ref.to_string(),
        prefix: head.prefix,
        folder,
    })
}

/// One side of the pull request, written out to a temporary folder.
struct Side<'a> {
    /// `head` or `base`, for error messages.
    name: &'static str,
    /// The side's name in logs, such as `base origin/main (0123abc)`.
    label: String,
    tree: &'a CommitTree,
    prefix: &'a str,
}

impl Side<'_> {
    /// Grades the graded folder of this side, or an empty folder when the side lacks it.
    fn grade(&self, repository: &str, policy: &Policy) -> Result<RepoReport, GradeError> {
        let folder = match self.tree.folder(self.prefix) {
            Some(folder) => folder,
            None => self.tree.empty_folder()?,
        };
        let mut jobs = crate::scan::jobs_for_checked_paths(std::slice::from_ref(&folder)).map_err(
            |mut error| {
                error.path = self
                    .hide_temporary(&error.path.display().to_string())
                    .into();
                error.message = self.hide_temporary(&error.message);
                error.help = self.hide_temporary(&error.help);
                GradeError::Config {
                    side: self.name,
                    error,
                }
            },
        )?;
        for job in &mut jobs {
            job.name = self.label.clone();
        }

        let mut report = crate::scan::build_scorecard(&jobs, policy)
            .repos
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                crate::pipeline::error_report(
                    repository,
                    repository,
                    "nothing was graded".to_string(),
                )
            });
        report.name = repository.to_string();
        report.source = repository.to_string();
        report.commit = Some(self.tree.commit.clone());
        for error in &mut report.errors {
            error.message = self.hide_temporary(&error.message);
            error.path = error.path.as_deref().map(|path| self.hide_temporary(path));
        }
        for note in &mut report.notes {
            *note = self.hide_temporary(note);
        }
        Ok(report)
    }

    /// Replaces the temporary folder in `text` with git's name for the same place,
    /// `COMMIT:PATH` (as in `git show 0123abc:svc/Dockerfile`), so that no message shows a
    /// path that is gone once the run ends.
    fn hide_temporary(&self, text: &str) -> String {
        let commit = short(&self.tree.commit);
        let root = self.tree.root().display().to_string();
        let empty = self.tree.empty_path().display().to_string();
        let inside = self.prefix.trim_end_matches('/');
        text.replace(&empty, &format!("{commit}:{inside}"))
            .replace(&format!("{root}/"), &format!("{commit}:"))
            .replace(&root, &format!("{commit}:"))
    }
}
