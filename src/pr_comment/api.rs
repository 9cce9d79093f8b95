//! The REST calls on the issue comments of one pull request
//! (https://docs.github.com/en/rest/issues/comments): list them page by page, create one, and
//! edit one. Reads are retried by the transport; writes are sent once.

use crate::source::github::{next_page_path, Reply, Transport, TransportError};
use http::StatusCode;
use serde::Deserialize;

/// The largest page the comment listing allows.
const PER_PAGE: u32 = 100;

/// One issue comment, as far as the sync needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueComment {
    pub id: u64,
    /// The author's login, such as `octocat` or `github-actions[bot]`.
    pub author: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
struct RawComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    user: Option<RawUser>,
}

#[derive(Debug, Deserialize)]
struct RawUser {
    login: String,
}

/// An error response from GitHub, or a request that got no response.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("the token cannot write comments: {message} (HTTP 403)\nhelp: the workflow needs `permissions: pull-requests: write`; pull requests from forks get a read-only GITHUB_TOKEN, see \"Pull-request comments\" in the README")]
    ReadOnly { message: String },
    #[error("GitHub rejected {request}: {message} (HTTP 422)")]
    Validation { request: String, message: String },
    #[error("GitHub rejected the token: {message} (HTTP 401)\nhelp: set GITHUB_TOKEN or GH_TOKEN to a valid token")]
    Unauthorized { message: String },
    #[error("{request} failed: {message} (HTTP {status})")]
    Http {
        request: String,
        status: u16,
        message: String,
    },
    #[error("{request} failed: {source}")]
    Transport {
        request: String,
        source: TransportError,
    },
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(String),
    #[error("{request} returned an unexpected response: {message}")]
    InvalidResponse { request: String, message: String },
}

impl ApiError {
    /// Tells whether a write that failed this way may still have been applied by GitHub: a
    /// timeout, a lost connection or a server error.
    pub fn may_have_landed(&self) -> bool {
        match self {
            ApiError::Transport { source, .. } => matches!(
                source,
                TransportError::TimedOut { .. } | TransportError::Network { .. }
            ),
            ApiError::Http { status, .. } => {
                StatusCode::from_u16(*status).is_ok_and(|status| status.is_server_error())
            }
            _ => false,
        }
    }
}

/// The comments of one pull request. Pull requests are issues to this API, so the comments
/// are the ones on the conversation tab, not review comments on lines.
pub struct PullRequestComments<'a> {
    pub transport: &'a Transport,
    pub api_url: &'a str,
    /// `owner/name`.
    pub repository: &'a str,
    pub number: u64,
}

impl PullRequestComments<'_> {
    /// Lists every comment, oldest first, following the `link` header from page to page.
    pub async fn list(&self) -> Result<Vec<IssueComment>, ApiError> {
        let request = format!(
            "listing the comments of {}#{}",
            self.repository, self.number
        );
        let mut comments = Vec::new();
        let mut next = Some(format!(
            "/repos/{}/issues/{}/comments?per_page={PER_PAGE}",
            self.repository, self.number
        ));
        while let Some(path) = next.take() {
            let reply = self
                .transport
                .get(&path)
                .await
                .map_err(|source| ApiError::Transport {
                    request: request.clone(),
                    source,
                })?;
            if !reply.status.is_success() {
                return Err(error_of(&request, &reply, false));
            }
            let page: Vec<RawComment> =
                serde_json::from_slice(&reply.body).map_err(|error| ApiError::InvalidResponse {
                    request: request.clone(),
                    message: error.to_string(),
                })?;
            comments.extend(page.into_iter().map(|raw| IssueComment {
                id: raw.id,
                author: raw.user.map(|user| user.login).unwrap_or_default(),
                body: raw.body.unwrap_or_default(),
            }));
            next = next_page_path(&reply, self.api_url);
        }
        Ok(comments)
    }

    /// Creates a comment and returns its id. Sent once: see [`Transport::write_once`].
    pub async fn create(&self, body: &str) -> Result<u64, ApiError> {
        let request = format!("creating a comment on pull request #{}", self.number);
        let path = format!("/repos/{}/issues/{}/comments", self.repository, self.number);
        self.write(http::Method::POST, &path, body, &request).await
    }

    /// Replaces the body of comment `id`. Sent once: see [`Transport::write_once`].
    pub async fn edit(&self, id: u64, body: &str) -> Result<u64, ApiError> {
        let request = format!("editing comment {id} on pull request #{}", self.number);
        let path = format!("/repos/{}/issues/comments/{id}", self.repository);
        self.write(http::Method::PATCH, &path, body, &request).await
    }

    async fn write(
        &self,
        method: http::Method,
        path: &str,
        body: &str,
        request: &str,
    ) -> Result<u64, ApiError> {
        let payload = serde_json::json!({ "body": body });
        let reply = self
            .transport
            .write_once(method, path, &payload)
            .await
            .map_err(|source| ApiError::Transport {
                request: request.to_string(),
                source,
            })?;
        if !reply.status.is_success() {
            return Err(error_of(request, &reply, true));
        }
        let written: RawComment =
            serde_json::from_slice(&reply.body).map_err(|error| ApiError::InvalidResponse {
                request: request.to_string(),
                message: error.to_string(),
            })?;
        Ok(written.id)
    }
}

/// Turns an error response into an [`ApiError`]. A 403 on a write means the token may read but
/// not write; rate-limit 403s never get here, because the transport waits them out.
pub fn error_of(request: &str, reply: &Reply, is_write: bool) -> ApiError {
    let message = message_of(reply);
    match reply.status {
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized { message },
        StatusCode::FORBIDDEN if is_write => ApiError::ReadOnly { message },
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Validation {
            request: request.to_string(),
            message,
        },
        status => ApiError::Http {
            request: request.to_string(),
            status: status.as_u16(),
            message,
        },
    }
}

/// Returns GitHub's `message`, followed by the `message` or `code` of each entry of `errors`,
/// where a 422 explains the problem (such as "body is too long (maximum is 65536 characters)").
fn message_of(reply: &Reply) -> String {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&reply.body) else {
        return reply.message();
    };
    let mut message = reply.message();
    let details: Vec<String> = value
        .get("errors")
        .and_then(|errors| errors.as_array())
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| match error {
                    serde_json::Value::String(text) => Some(text.clone()),
                    other => other
                        .get("message")
                        .or_else(|| other.get("code"))
                        .and_then(|text| text.as_str())
                        .map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default();
    if !details.is_empty() {
        message = format!("{message}: {}", details.join("; "));
    }
    message
}
