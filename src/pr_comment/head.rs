//! The checked-out head of the pull request: the clone around PATH, the graded folder inside
//! it, and the commit checked out.

use super::git::{git, GitError};
use std::path::{Component, Path, PathBuf};

/// The checked-out head of the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The top folder of the work tree.
    pub top: PathBuf,
    /// The folder to grade relative to `top`, with `/` separators and a trailing `/`; empty
    /// when PATH is the top folder.
    pub prefix: String,
    /// The commit checked out (`HEAD`).
    pub commit: String,
}

impl Head {
    /// Finds the work tree that contains `path` and the commit checked out there.
    ///
    /// `path` need not exist: a pull request that deletes the graded folder leaves no such
    /// folder in the checkout. The work tree is then found from the nearest folder above it
    /// that exists.
    pub fn open(path: &Path) -> Result<Head, GitError> {
        let shown = path.display().to_string();
        let not_a_work_tree = |message: String| GitError::NotAWorkTree {
            path: shown.clone(),
            message,
        };
        let (existing, missing) = split_missing(path).ok_or_else(|| {
            not_a_work_tree("neither it nor a folder above it exists".to_string())
        })?;

        let lines = git(
            &existing,
            ["rev-parse", "--show-toplevel", "--show-prefix", "HEAD"],
        )
        .map_err(|error| match error {
            GitError::Failed { message, .. } => not_a_work_tree(message),
            other => other,
        })?;
        let mut lines = lines.lines();
        let top = lines.next().unwrap_or_default();
        let prefix = lines.next().unwrap_or_default();
        let commit = lines.next().unwrap_or_default();
        if top.is_empty() || commit.len() < 40 {
            return Err(not_a_work_tree(
                "git did not report a work tree with a commit".to_string(),
            ));
        }
        let mut prefix = prefix.to_string();
        for name in missing {
            prefix.push_str(&name);
            prefix.push('/');
        }
        Ok(Head {
            top: PathBuf::from(top),
            prefix,
            commit: commit.to_string(),
        })
    }

    /// Tells whether the graded folder has changes that HEAD does not: modified, staged, deleted
    /// or untracked files (`git status --porcelain` lists them; ignored files are left out).
    pub fn has_uncommitted_changes(&self) -> Result<bool, GitError> {
        let pathspec = format!(":(top){}", self.prefix);
        let status = git(
            &self.top,
            ["status", "--porcelain", "--", pathspec.as_str()],
        )?;
        Ok(!status.trim().is_empty())
    }
}

/// Splits `path` into the nearest folder that exists (itself or one above it) and the names
/// of the folders below that one that do not exist, top first. Returns `None` when a missing
/// part is not a plain name (such as `..`), or when no part exists.
fn split_missing(path: &Path) -> Option<(PathBuf, Vec<String>)> {
    let mut existing = path.to_path_buf();
    let mut missing = Vec::new();
    while !existing.is_dir() {
        match existing.components().next_back() {
            Some(Component::Normal(name)) => missing.push(name.to_string_lossy().into_owned()),
            Some(Component::CurDir) => {}
            _ => return None,
        }
        existing = match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            Some(_) => PathBuf::from("."),
            None => return None,
        };
    }
    missing.reverse();
    Some((existing, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_missing_keeps_existing_path() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(
            split_missing(folder.path()),
            Some((folder.path().to_path_buf(), Vec::new()))
        );
    }

    #[test]
    fn split_missing_walks_up_to_existing_folder() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("services/orders");
        assert_eq!(
            split_missing(&path),
            Some((
                folder.path().to_path_buf(),
                vec!["services".to_string(), "orders".to_string()]
            ))
        );
    }

    #[test]
    fn split_missing_rejects_parent_segment() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(split_missing(&folder.path().join("gone/..")), None);
    }
}
