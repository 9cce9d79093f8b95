//! The `pr-comment` command: arguments in, exit code out.

use super::api::ApiError;
use super::base;
use super::body::MAX_BODY_BYTES;
use super::git::{short, GitError};
use super::links::BlobLinks;
use super::sync::{Action, MARKER};
use super::{
    body, grade_pull_request, post, FolderChange, GradeError, GradedPullRequest, PostSettings,
};
use crate::app::write_output;
use crate::cli::{self, PrCommentArgs};
use crate::grade::Policy;
use crate::source::github::{RetryPolicy, Token, TOKEN_VARIABLES};
use std::path::Path;

/// Runs `dockgrade pr-comment` and returns its exit code.
pub fn run(args: &PrCommentArgs) -> u8 {
    let token = Token::from_env();
    if token.is_none() && !args.dry_run {
        eprintln!(
            "error: no GitHub token: set {} (or pass --dry-run to print the comment without posting it)",
            TOKEN_VARIABLES.join(" or ")
        );
        return cli::EXIT_USAGE;
    }
    let (text, graded) = match &args.body_file {
        Some(path) => match read_body_file(path) {
            Ok(text) => (text, None),
            Err(code) => return code,
        },
        None => match grade_and_render(args) {
            Ok((text, graded)) => (text, Some(graded)),
            Err(code) => return code,
        },
    };
    if let Some(path) = &args.output {
        if let Err(error) = write_output(Some(path), &text) {
            eprintln!("error: {error}");
            return cli::EXIT_INTERNAL;
        }
    }
    let exit_code = || {
        graded
            .as_ref()
            .map_or(cli::EXIT_OK, |graded| grade_exit_code(graded, args))
    };

    let Some(token) = token.filter(|_| !args.dry_run) else {
        return print_body(args, &text).unwrap_or_else(exit_code);
    };
    let settings = PostSettings {
        api_url: args.api_url.clone(),
        token,
        policy: RetryPolicy::default(),
        bot_login: args.bot_login.clone(),
        in_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|value| value == "true"),
    };
    match post(&settings, &args.repo, args.pr, &text) {
        Ok(report) => {
            let done = match report.action {
                Action::Created => "created",
                Action::Updated => "updated",
                Action::Unchanged => "left unchanged",
            };
            eprintln!(
                "{done} comment {} on {}#{}",
                report.comment_id, args.repo, args.pr
            );
            if !report.duplicates.is_empty() {
                eprintln!("note: {}", duplicates_note(&report.duplicates));
            }
            exit_code()
        }
        // Posting a saved body is the whole job of a --body-file run, so a refused post fails
        // it: the privileged workflow that runs it must not stay green without a comment.
        Err(error @ ApiError::ReadOnly { .. }) if args.body_file.is_some() => {
            eprintln!("error: {error}");
            cli::EXIT_INTERNAL
        }
        // The grading worked and only the post was refused, as it is for pull requests from
        // forks, so the run still succeeds and hands the body on for a privileged workflow.
        Err(error @ ApiError::ReadOnly { .. }) => {
            eprintln!("warning: {error}");
            eprintln!(
                "warning: the comment was not posted; {}",
                match &args.output {
                    Some(path) => format!("its body is in {}", path.display()),
                    None => "its body follows on stdout".to_string(),
                }
            );
            print_body(args, &text).unwrap_or_else(exit_code)
        }
        Err(error) => {
            eprintln!("error: {error}");
            cli::EXIT_INTERNAL
        }
    }
}

/// Grades both sides of the pull request and renders the comment, or returns the exit code of
/// the failure.
fn grade_and_render(args: &PrCommentArgs) -> Result<(String, GradedPullRequest), u8> {
    let base_branch = std::env::var(base::BASE_REF_VARIABLE).ok();
    let base_ref = base::base_ref(args.base_ref.as_deref(), base_branch.as_deref())
        .map_err(|error| git_failure(&error))?;
    let policy = Policy {
        blocker_cap: 'F',
        today: args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    let graded = match grade_pull_request(&args.path, &base_ref, &args.repo, &policy) {
        Ok(graded) => graded,
        Err(GradeError::Git(error)) => return Err(git_failure(&error)),
        Err(error @ (GradeError::Config { .. } | GradeError::FolderMissing { .. })) => {
            eprintln!("error: {error}");
            return Err(cli::EXIT_USAGE);
        }
    };
    if graded.uncommitted {
        eprintln!(
            "warning: {} has uncommitted changes, which are not graded: pr-comment grades the commit HEAD ({}) as the pull request has it, and links point there\nhelp: commit the changes to grade them",
            args.path.display(),
            short(&graded.head_commit)
        );
    }
    let folder = graded.prefix.trim_end_matches('/');
    match graded.folder {
        FolderChange::Kept => {}
        FolderChange::Added => eprintln!(
            "note: the base commit has no folder {folder}: the pull request adds it, so the base is graded as an empty repository"
        ),
        FolderChange::Removed => eprintln!(
            "note: the head commit has no folder {folder}: the pull request removes it, so the head is graded as an empty repository"
        ),
    }

    // NOTE: links point at the checked-out commit. On `pull_request` events actions/checkout
    // checks out GitHub's test merge commit, not the pull request's head commit.
    let links = BlobLinks::new(
        &args.api_url,
        &args.repo,
        &graded.head_commit,
        &graded.prefix,
    );
    match body::render(&graded, &links) {
        Ok(text) => Ok((text, graded)),
        Err(error) => {
            eprintln!("error: cannot render the comment: {error}");
            Err(cli::EXIT_INTERNAL)
        }
    }
}

/// Reads a body that an earlier run wrote with `--output`. It must carry the marker, so that
/// the comment it becomes is found and edited by later runs.
fn read_body_file(path: &Path) -> Result<String, u8> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        eprintln!("error: cannot read {}: {error}", path.display());
        cli::EXIT_USAGE
    })?;
    if !text.starts_with(MARKER) {
        eprintln!(
            "error: {} is not a dockgrade comment body: it does not start with {MARKER}\nhelp: pass a file that `dockgrade pr-comment --output FILE` wrote",
            path.display()
        );
        return Err(cli::EXIT_USAGE);
    }
    if text.len() > MAX_BODY_BYTES {
        eprintln!(
            "error: {} is longer than a comment may be ({} bytes, at most {MAX_BODY_BYTES})",
            path.display(),
            text.len()
        );
        return Err(cli::EXIT_USAGE);
    }
    Ok(text)
}

/// Prints the body on stdout unless `--output` took it. Returns an exit code on failure.
fn print_body(args: &PrCommentArgs, text: &str) -> Option<u8> {
    if args.output.is_some() {
        return None;
    }
    match write_output(None, text) {
        Ok(()) => None,
        Err(error) => {
            eprintln!("error: {error}");
            Some(cli::EXIT_INTERNAL)
        }
    }
}

/// Returns 4 when the head could not be read completely, else 3 when the head grades below
/// `--fail-under`, else 0. Only the head counts: the pull request cannot change its base, so
/// errors there are shown in the comment but do not fail the run.
fn grade_exit_code(graded: &GradedPullRequest, args: &PrCommentArgs) -> u8 {
    if !graded.head.errors.is_empty() {
        eprintln!("the head of the pull request could not be read completely (see the comment)");
        return cli::EXIT_UNREADABLE;
    }
    if !graded.base.errors.is_empty() {
        eprintln!(
            "note: the base of the pull request could not be read completely (see the comment); only the head sets the exit code"
        );
    }
    match args.fail_under {
        Some(threshold) if crate::pipeline::is_below(&graded.head, threshold) => {
            eprintln!(
                "the pull request grades {}, below {threshold}",
                graded.head.grade
            );
            cli::EXIT_BELOW_THRESHOLD
        }
        _ => cli::EXIT_OK,
    }
}

/// Describes the older dockgrade comments that a sync left as they are.
fn duplicates_note(ids: &[u64]) -> String {
    let listed: Vec<String> = ids.iter().map(u64::to_string).collect();
    let (count, verb) = if ids.len() == 1 {
        ("1 older dockgrade comment".to_string(), "was")
    } else {
        (format!("{} older dockgrade comments", ids.len()), "were")
    };
    format!(
        "{count} by the same account {verb} left as {}: {}",
        if ids.len() == 1 { "it is" } else { "they are" },
        listed.join(", ")
    )
}

fn git_failure(error: &GitError) -> u8 {
    eprintln!("error: {error}");
    match error {
        GitError::GitMissing(_) | GitError::Failed { .. } | GitError::TempFolder(_) => {
            cli::EXIT_INTERNAL
        }
        GitError::NotAWorkTree { .. }
        | GitError::MissingBaseRef
        | GitError::InvalidRef(_)
        | GitError::RefNotFound { .. }
        | GitError::NoMergeBase { .. } => cli::EXIT_USAGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_note_counts_in_singular_and_plural() {
        assert_eq!(
            duplicates_note(&[3]),
            "1 older dockgrade comment by the same account was left as it is: 3"
        );
        assert_eq!(
            duplicates_note(&[3, 5]),
            "2 older dockgrade comments by the same account were left as they are: 3, 5"
        );
    }
}
