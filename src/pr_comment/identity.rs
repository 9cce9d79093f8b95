//! The login the token writes comments as, so that only dockgrade's own comment is edited.
//!
//! A personal access token can read `GET /user`. An installation token, which the Actions
//! `GITHUB_TOKEN` is and which `actions/create-github-app-token` mints, gets 403 "Resource not
//! accessible by integration" there. The GraphQL `viewer` of an installation token is the
//! App's bot account (`APPSLUG[bot]`, `github-actions[bot]` for `GITHUB_TOKEN`), so that query is
//! the fallback. `--bot-login` skips both look-ups.

use super::api::{error_of, ApiError};
use crate::source::github::{owner_of_repository, Transport};
use http::StatusCode;
use tracing::{debug, warn};

/// The login GitHub Actions' own App comments as with `GITHUB_TOKEN`.
pub const ACTIONS_BOT_LOGIN: &str = "github-actions[bot]";

/// Returns the login of the account behind the token.
///
/// `in_actions` is whether the run is a GitHub Actions job (`GITHUB_ACTIONS=true`): when both
/// look-ups fail there, the login of `GITHUB_TOKEN` is assumed, with a warning.
pub async fn own_login(
    transport: &Transport,
    repository: &str,
    in_actions: bool,
) -> Result<String, ApiError> {
    let request = "looking up the token's user (GET /user)";
    let reply = transport
        .get("/user")
        .await
        .map_err(|source| ApiError::Transport {
            request: request.to_string(),
            source,
        })?;
    if reply.status.is_success() {
        return login_field(&reply.body, &["login"]).ok_or_else(|| ApiError::InvalidResponse {
            request: request.to_string(),
            message: "no login in the user object".to_string(),
        });
    }
    if reply.status != StatusCode::FORBIDDEN {
        return Err(error_of(request, &reply, false));
    }

    debug!("GET /user is not allowed for this token; asking GraphQL for the viewer");
    match viewer_login(transport, repository).await {
        Ok(login) => Ok(login),
        // NOTE: this guess is wrong for an App installation token whose viewer query failed:
        // the App's comment is then not found, and each run creates another one.
        Err(message) if in_actions => {
            warn!(
                %message,
                assumed = ACTIONS_BOT_LOGIN,
                "cannot tell which account the token belongs to; pass --bot-login if it is not GITHUB_TOKEN"
            );
            Ok(ACTIONS_BOT_LOGIN.to_string())
        }
        Err(message) => Err(ApiError::InvalidResponse {
            request: "looking up the token's account".to_string(),
            message: format!(
                "{message}\nhelp: pass --bot-login LOGIN, the login the token comments as"
            ),
        }),
    }
}

/// Asks GraphQL for `viewer { login }`.
async fn viewer_login(transport: &Transport, repository: &str) -> Result<String, String> {
    let query = serde_json::json!({ "query": "query Viewer { viewer { login } }" });
    let reply = transport
        .graphql(owner_of_repository(repository), &query, false)
        .await
        .map_err(|error| format!("the GraphQL viewer query failed: {error}"))?;
    if !reply.status.is_success() {
        return Err(format!(
            "the GraphQL viewer query failed: {} (HTTP {})",
            reply.message(),
            reply.status.as_u16()
        ));
    }
    login_field(&reply.body, &["data", "viewer", "login"])
        .ok_or_else(|| "the GraphQL viewer query returned no login".to_string())
}

fn login_field(body: &[u8], path: &[&str]) -> Option<String> {
    let mut value = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    for key in path {
        value = value.get(key)?.clone();
    }
    value
        .as_str()
        .filter(|login| !login.is_empty())
        .map(str::to_string)
}
