//! The files of one commit, written to a temporary folder without touching the user's working
//! tree or index, so that each side of the pull request is graded as git has it.

use super::git::{git_with, GitError};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The tree of a commit in a temporary folder that is removed on drop.
#[derive(Debug)]
pub struct CommitTree {
    folder: tempfile::TempDir,
    /// The commit whose tree this is.
    pub commit: String,
}

impl CommitTree {
    /// Writes the tree of `commit` in the clone at `top` to a temporary folder.
    ///
    /// The files go through a throwaway index (`GIT_INDEX_FILE`): `git read-tree` fills it from
    /// the commit and `git checkout-index --prefix` writes its files, so the user's index,
    /// working tree and worktree list stay as they were. Unlike `git archive`, this keeps
    /// files marked `export-ignore` in `.gitattributes`, which a checkout has too.
    pub fn checkout(top: &Path, commit: &str) -> Result<CommitTree, GitError> {
        let folder = tempfile::Builder::new()
            .prefix("dockgrade-tree-")
            .tempdir()
            .map_err(GitError::TempFolder)?;
        let index = folder.path().join("index");
        let tree = folder.path().join("tree");
        std::fs::create_dir(&tree).map_err(GitError::TempFolder)?;

        let with_index = |command: &mut Command| {
            command.env("GIT_INDEX_FILE", &index);
        };
        git_with(top, ["read-tree", commit], with_index)?;
        let prefix = format!("--prefix={}/", tree.display());
        git_with(
            top,
            ["checkout-index", "--all", "--force", prefix.as_str()],
            with_index,
        )?;
        Ok(CommitTree {
            folder,
            commit: commit.to_string(),
        })
    }

    /// Returns the folder at `prefix` (relative to the top of the repository, `/`-separated,
    /// empty for the top), or `None` when the commit has no such folder. Git records files,
    /// not folders, so a folder that the commit lacks and an empty one are the same tree.
    pub fn folder(&self, prefix: &str) -> Option<PathBuf> {
        let folder = self.root().join(prefix.trim_end_matches('/'));
        folder.is_dir().then_some(folder)
    }

    /// Returns the top folder of the written tree.
    pub fn root(&self) -> PathBuf {
        self.folder.path().join("tree")
    }

    /// Creates and returns an empty folder beside the tree, to grade in place of a folder that
    /// the commit lacks.
    pub fn empty_folder(&self) -> Result<PathBuf, GitError> {
        let empty = self.empty_path();
        std::fs::create_dir_all(&empty).map_err(GitError::TempFolder)?;
        Ok(empty)
    }

    /// Returns the path at which [`CommitTree::empty_folder`] creates the empty folder.
    pub fn empty_path(&self) -> PathBuf {
        self.folder.path().join("empty")
    }
}
