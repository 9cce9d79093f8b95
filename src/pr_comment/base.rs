//! The base side of a pull request: the ref it targets, and the commit where the head's
//! history meets that ref, which is the commit the base is graded at.

use super::git::{git, is_shallow, GitError};
use std::path::Path;
use tracing::debug;

/// The environment variable that GitHub Actions sets to the target branch of the pull request
/// on `pull_request` and `pull_request_target` events.
pub const BASE_REF_VARIABLE: &str = "GITHUB_BASE_REF";

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

/// Returns the merge base of `head` and `git_ref` in the clone at `top`: the commit that the
/// head's history shares with the base, as `git merge-base` finds it.
///
/// A pull request's "Files changed" view compares the head with this commit, not with the
/// tip of the base branch (GitHub's three-dot comparison, see "About comparing branches in
/// pull requests",
/// https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/proposing-changes-to-your-work-with-pull-requests/about-comparing-branches-in-pull-requests).
/// Grading the base there keeps changes that landed on the base branch after the head branched
/// off out of the comment.
pub fn merge_base(top: &Path, head: &str, git_ref: &str) -> Result<String, GitError> {
    let base = resolve_commit(top, git_ref)?;
    match git(top, ["merge-base", head, base.as_str()]) {
        Ok(output) if !output.trim().is_empty() => {
            let commit = output.lines().next().unwrap_or_default().trim().to_string();
            debug!(git_ref, tip = base, merge_base = commit, "base commit");
            Ok(commit)
        }
        // `git merge-base` exits 1 with no output when the two commits share no ancestor.
        Ok(_)
        | Err(GitError::Failed {
            status: Some(1), ..
        }) => Err(GitError::NoMergeBase {
            git_ref: git_ref.to_string(),
            path: top.display().to_string(),
            shallow: is_shallow(top),
        }),
        Err(other) => Err(other),
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
    let shallow = is_shallow(top);
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
