//! `dockgrade pr-comment`: grades the checked-out head of a pull request and its base, and
//! keeps one comment on the pull request that describes what changed.
//!
//! [`grade_pull_request`] grades both sides from a local git clone, [`body::render`] writes the
//! comment, and [`post`] keeps the comment on GitHub up to date.

pub mod api;
pub mod base;
pub mod body;
mod command;
pub mod identity;
pub mod links;
pub mod sync;

pub use command::run;

use crate::config::ConfigError;
use crate::grade::Policy;
use crate::scorecard::RepoReport;
use crate::source::github::{Credentials, RetryPolicy, Token, Transport};
use api::{ApiError, PullRequestComments};
use base::{BaseTree, GitError, Head};
use std::path::Path;
use std::sync::Arc;
use sync::SyncReport;

/// Both sides of a pull request, graded the same way.
#[derive(Debug, Clone)]
pub struct GradedPullRequest {
    pub base: RepoReport,
    pub head: RepoReport,
    /// The head commit, which comment links point at.
    pub head_commit: String,
    /// The graded folder inside the repository, with a trailing `/`, or empty for the top.
    pub prefix: String,
}

/// An error that keeps a pull request from being graded.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error(transparent)]
    Git(#[from] GitError),
    /// An invalid `.dockgrade.toml`, on the head or the base side.
    #[error("the {side} of the pull request has an invalid settings file: {error}")]
    Config {
        side: &'static str,
        error: ConfigError,
    },
}

/// Grades the work tree at `path` and the same folder at `base_ref`, as `dockgrade check`
/// grades a folder: each side with the `.dockgrade.toml` it has. Both reports are named
/// `repository` (`owner/name`) and carry their commit, so that they compare as one repository.
pub fn grade_pull_request(
    path: &Path,
    base_ref: &str,
    repository: &str,
    policy: &Policy,
) -> Result<GradedPullRequest, GradeError> {
    let head = Head::open(path)?;
    let base_tree = BaseTree::checkout(&head, base_ref)?;

    let head_report = grade_folder(path, repository, &head.commit, policy).map_err(|error| {
        GradeError::Config {
            side: "head",
            error,
        }
    })?;
    let base_root = base_tree.root(&head);
    let base_report =
        grade_folder(&base_root, repository, &base_tree.commit, policy).map_err(|mut error| {
            // Name the file as git does, `REF:PATH`, instead of by its temporary copy.
            if let Ok(relative) = error.path.strip_prefix(&base_root) {
                let inside = Path::new(&head.prefix).join(relative);
                error.path = format!("{base_ref}:{}", inside.display()).into();
            }
            GradeError::Config {
                side: "base",
                error,
            }
        })?;
    Ok(GradedPullRequest {
        base: base_report,
        head: head_report,
        head_commit: head.commit,
        prefix: head.prefix,
    })
}

fn grade_folder(
    folder: &Path,
    repository: &str,
    commit: &str,
    policy: &Policy,
) -> Result<RepoReport, ConfigError> {
    let jobs = crate::scan::jobs_for_checked_paths(&[folder.to_path_buf()])?;
    let mut report = crate::scan::build_scorecard(&jobs, policy)
        .repos
        .into_iter()
        .next()
        .unwrap_or_else(|| {
            crate::pipeline::error_report(repository, repository, "nothing was graded".to_string())
        });
    report.name = repository.to_string();
    report.source = repository.to_string();
    report.commit = Some(commit.to_string());
    Ok(report)
}

/// The API address, token and login that the comment is written with.
#[derive(Debug, Clone)]
pub struct PostSettings {
    /// REST base URL, such as `https://api.github.com` or `https://HOST/api/v3`.
    pub api_url: String,
    pub token: Token,
    pub policy: RetryPolicy,
    /// The login the token comments as; looked up through the API when `None`.
    pub bot_login: Option<String>,
    /// Whether the run is a GitHub Actions job (`GITHUB_ACTIONS=true`); see
    /// [`identity::own_login`].
    pub in_actions: bool,
}

/// Creates or edits the pull request's dockgrade comment so that its body is `body`.
pub fn post(
    settings: &PostSettings,
    repository: &str,
    number: u64,
    body: &str,
) -> Result<SyncReport, ApiError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ApiError::Runtime(error.to_string()))?;
    runtime.block_on(async {
        let transport = Transport::new(
            &settings.api_url,
            Credentials::Token(settings.token.clone()),
            settings.policy.clone(),
            1,
            Arc::default(),
        )
        .map_err(|source| ApiError::Transport {
            request: "setting up the GitHub client".to_string(),
            source,
        })?;
        let login = match &settings.bot_login {
            Some(login) => login.clone(),
            None => identity::own_login(&transport, repository, settings.in_actions).await?,
        };
        tracing::debug!(login, "writing comments as");
        let comments = PullRequestComments {
            transport: &transport,
            api_url: settings.api_url.trim_end_matches('/'),
            repository,
            number,
        };
        sync::sync(&comments, &login, body).await
    })
}
