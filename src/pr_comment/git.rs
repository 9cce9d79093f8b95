//! Runs git in the user's clone, and the errors that keep a side of the pull request from being
//! prepared there.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use super::base::BASE_REF_VARIABLE;

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
        shallow_note(*.shallow))]
    RefNotFound {
        git_ref: String,
        path: String,
        branch: String,
        shallow: bool,
    },
    /// HEAD and the base ref have no common commit in the clone.
    #[error("{}", no_merge_base(git_ref, path, *shallow))]
    NoMergeBase {
        git_ref: String,
        path: String,
        shallow: bool,
    },
    #[error("`git {command}` failed in {path}: {message}")]
    Failed {
        command: String,
        path: String,
        message: String,
        /// The exit code, when git exited rather than being killed by a signal.
        status: Option<i32>,
    },
    #[error("cannot create a temporary folder for a side of the pull request: {0}")]
    TempFolder(std::io::Error),
}

fn shallow_note(shallow: bool) -> &'static str {
    if shallow {
        " (the clone is shallow)"
    } else {
        ""
    }
}

/// Describes a missing merge base. A shallow clone may lack it although the histories meet, so
/// its message requests the full history. Otherwise the two histories are unrelated.
fn no_merge_base(git_ref: &str, path: &str, shallow: bool) -> String {
    if shallow {
        format!(
            "no merge base of HEAD and base ref `{git_ref}` in {path}{}\nhelp: fetch the full history with `git fetch --unshallow`, or in a workflow set `fetch-depth: 0` on actions/checkout",
            shallow_note(true)
        )
    } else {
        format!(
            "HEAD and base ref `{git_ref}` share no commit in {path} (unrelated histories), so there is no merge base to grade as the base\nhelp: pass the branch that the pull request targets as --base-ref"
        )
    }
}

/// Runs git in `folder` and returns its standard output.
pub fn git<I, S>(folder: &Path, arguments: I) -> Result<String, GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    git_with(folder, arguments, |_| {})
}

/// Runs git in `folder`, after `configure` has set up the command, and returns its standard
/// output.
pub fn git_with<I, S>(
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
            status: output.status.code(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Tells whether the clone at `top` is shallow, so that commits may be missing from it.
pub fn is_shallow(top: &Path) -> bool {
    git(top, ["rev-parse", "--is-shallow-repository"]).is_ok_and(|answer| answer.trim() == "true")
}

/// Returns the first characters of a commit id, as GitHub shows a commit.
pub fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
