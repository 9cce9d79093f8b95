//! The two sides of a pull request in a local git clone: the checked-out head, and the base
//! tree written to a temporary folder without touching the user's working tree or index.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use tracing::debug;

/// The environment variable that GitHub Actions sets to the target branch of the pull request
/// on `pull_request` and `pull_request_target` events.
pub const BASE_REF_VARIABLE: &str = "GITHUB_BASE_REF";

/// An error that keeps a side of the pull request from being prepared.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}\nhelp: install git and make sure it is on PATH")]
    GitMissing(std::io::Error),
    #[error("{path} is not inside a git work tree: {message}\nhelp: run pr-comment in a clone of the pull request (such as the actions/checkout folder), or pass that folder as PATH")]
    NotAWorkTree { path: String, message: String },
    #[error("no base ref to compare with: {BASE_REF_VARIABLE} is not set\nhelp: pass --base-ref REF, such as --base-ref origin/main")]
    MissingBaseRef,
    #[error("invalid base ref {0:?}: a ref cannot start with `-`")]
    InvalidRef(String),
    #[error("base ref `{git_ref}` not found in {path}{}\nhelp: fetch it with `git fetch origin {branch}`, or in a workflow set `fetch-depth: 0` on actions/checkout so that every branch is fetched",
        if *.shallow { " (the clone is shallow)" } else { "" })]
    RefNotFound {
        git_ref: String,
        path: String,
        branch: String,
        shallow: bool,
    },
    #[error("`git {command}` failed in {path}: {message}")]
    Failed {
        command: String,
        path: String,
        message: String,
    },
    #[error("cannot create a temporary folder for the base tree: {0}")]
    TempFolder(std::io::Error),
}

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
    pub fn open(path: &Path) -> Result<Head, GitError> {
        let shown = path.display().to_string();
        let lines = git(
            path,
            ["rev-parse", "--show-toplevel", "--show-prefix", "HEAD"],
        )
        .map_err(|error| match error {
            GitError::Failed { message, .. } => GitError::NotAWorkTree {
                path: shown.clone(),
                message,
            },
            other => other,
        })?;
        let mut lines = lines.lines();
        let top = lines.next().unwrap_or_default();
        let prefix = lines.next().unwrap_or_default();
        let commit = lines.next().unwrap_or_default();
        if top.is_empty() || commit.len() < 40 {
            return Err(GitError::NotAWorkTree {
                path: shown,
                message: "git did not report a work tree with a commit".to_string(),
            });
        }
        Ok(Head {
            top: PathBuf::from(top),
            prefix: prefix.to_string(),
            commit: commit.to_string(),
        })
    }
}

/// Returns `--base-ref` when given, else `origin/$GITHUB_BASE_REF` from `base_branch`.
pub fn base_ref(argument: Option<&str>, base_branch: Option<&str>) -> Result<String, GitError> {
    let chosen = match (argument, base_branch) {
        (Some(git_ref), _) if !git_ref.trim().is_empty() => git_ref.trim().to_string(),
        (_, Some(branch)) if !branch.trim().is_empty() => format!("origin/{}", branch.trim()),
        _ => return Err(GitError::MissingBaseRef),
    };
    if chosen.starts_with('-') {
        return Err(GitError::InvalidRef(chosen));
    }
    Ok(chosen)
}

/// The tree of the base commit, written out to a temporary folder that is removed on drop.
#[derive(Debug)]
pub struct BaseTree {
    folder: tempfile::TempDir,
    /// The commit `git_ref` resolved to.
    pub commit: String,
}

impl BaseTree {
    /// Writes the tree of `git_ref` in the repository of `head` to a temporary folder.
    ///
    /// The files go through a throwaway index (`GIT_INDEX_FILE`): `git read-tree` fills it from
    /// the commit and `git checkout-index --prefix` writes its files, so the user's index,
    /// working tree and worktree list stay as they were. Unlike `git archive`, this keeps
    /// files marked `export-ignore` in `.gitattributes`, which the head side also has.
    pub fn checkout(head: &Head, git_ref: &str) -> Result<BaseTree, GitError> {
        let commit = resolve_commit(&head.top, git_ref)?;

        let folder = tempfile::Builder::new()
            .prefix("dockgrade-base-")
            .tempdir()
            .map_err(GitError::TempFolder)?;
        let index = folder.path().join("index");
        let tree = folder.path().join("tree");
        std::fs::create_dir(&tree).map_err(GitError::TempFolder)?;

        let with_index = |command: &mut Command| {
            command.env("GIT_INDEX_FILE", &index);
        };
        git_with(&head.top, ["read-tree", commit.as_str()], with_index)?;
        let prefix = format!("--prefix={}/", tree.display());
        git_with(
            &head.top,
            ["checkout-index", "--all", "--force", prefix.as_str()],
            with_index,
        )?;
        Ok(BaseTree { folder, commit })
    }

    /// Returns the folder of the base tree that corresponds to the head's graded folder.
    pub fn root(&self, head: &Head) -> PathBuf {
        self.folder
            .path()
            .join("tree")
            .join(head.prefix.trim_end_matches('/'))
    }
}

/// Resolves `git_ref` to a commit id, with a message about shallow clones when it is missing.
///
/// A branch name such as `main` resolves to `origin/main` when no local ref has that name,
/// because actions/checkout creates no local branch for the base of a pull request.
fn resolve_commit(top: &Path, git_ref: &str) -> Result<String, GitError> {
    let mut candidates = vec![git_ref.to_string()];
    if !git_ref.starts_with("origin/") {
        candidates.push(format!("origin/{git_ref}"));
    }
    for candidate in &candidates {
        let expression = format!("{candidate}^{{commit}}");
        match git(
            top,
            ["rev-parse", "--verify", "--quiet", expression.as_str()],
        ) {
            Ok(commit) => {
                debug!(git_ref, resolved = candidate, "base ref");
                return Ok(commit.trim().to_string());
            }
            Err(GitError::Failed { .. }) => continue,
            Err(other) => return Err(other),
        }
    }
    let shallow = git(top, ["rev-parse", "--is-shallow-repository"])
        .is_ok_and(|answer| answer.trim() == "true");
    Err(GitError::RefNotFound {
        git_ref: git_ref.to_string(),
        path: top.display().to_string(),
        branch: git_ref
            .strip_prefix("origin/")
            .unwrap_or(git_ref)
            .to_string(),
        shallow,
    })
}

fn git<I, S>(folder: &Path, arguments: I) -> Result<String, GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    git_with(folder, arguments, |_| {})
}

/// Runs git in `folder` and returns its standard output.
fn git_with<I, S>(
    folder: &Path,
    arguments: I,
    configure: impl FnOnce(&mut Command),
) -> Result<String, GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let arguments: Vec<S> = arguments.into_iter().collect();
    let mut command = Command::new("git");
    command.arg("-C").arg(folder).args(&arguments);
    configure(&mut command);
    let output = command.output().map_err(GitError::GitMissing)?;
    if !output.status.success() {
        let shown: Vec<String> = arguments
            .iter()
            .map(|argument| argument.as_ref().to_string_lossy().into_owned())
            .collect();
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(GitError::Failed {
            command: shown.join(" "),
            path: folder.display().to_string(),
            message: if stderr.is_empty() {
                format!("exit status {}", output.status)
            } else {
                stderr
            },
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_ref_prefers_argument() {
        assert_eq!(
            base_ref(Some("upstream/dev"), Some("main")).unwrap(),
            "upstream/dev"
        );
        assert_eq!(base_ref(None, Some("main")).unwrap(), "origin/main");
    }

    #[test]
    fn base_ref_missing_names_flag() {
        let error = base_ref(None, Some(" ")).unwrap_err();
        assert!(error.to_string().contains("pass --base-ref REF"), "{error}");
    }

    #[test]
    fn base_ref_rejects_option_like() {
        assert!(matches!(
            base_ref(Some("--output=x"), None),
            Err(GitError::InvalidRef(_))
        ));
    }
}
