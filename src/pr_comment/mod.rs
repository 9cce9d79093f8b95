//! `dockgrade pr-comment`: grades the head commit of a pull request and its merge base with
//! the base ref, and keeps one comment on the pull request that describes what changed.
//!
//! [`grade_pull_request`] grades both sides from a local git clone, [`body::render`] writes the
//! comment, and [`post`] keeps the comment on GitHub up to date.

pub mod api;
pub mod base;
pub mod body;
mod command;
pub mod git;
mod grade;
pub mod head;
pub mod identity;
pub mod links;
pub mod sync;
pub mod tree;

pub use command::run;
pub use grade::{grade_pull_request, FolderChange, GradeError, GradedPullRequest};

use crate::source::github::{Credentials, RetryPolicy, Token, Transport};
use api::{ApiError, PullRequestComments};
use std::sync::Arc;
use sync::SyncReport;

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
