//! octocrab clients: one pair (REST and GraphQL) for a token or anonymous access, or one pair per
//! repository owner for a GitHub App, since an installation token covers one account.

use super::auth::{AppCredentials, Credentials, Token};
use super::stats::Stats;
use super::transport::{graphql_base, TransportError};
use http_body_util::BodyExt;
use octocrab::models::{AppId, InstallationId};
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tracing::{debug, warn};

/// The clients for one account: REST at the API base, GraphQL at its own base (they differ on
/// GitHub Enterprise Server). Shared through an `Arc` and never cloned, because a clone of an
/// octocrab installation client copies its token cache instead of sharing it.
pub struct ClientPair {
    pub rest: Octocrab,
    graphql: GraphqlClient,
}

enum GraphqlClient {
    Fixed(Octocrab),
    /// A client built from the REST installation client's token. octocrab requests tokens at
    /// `/app/installations/{id}/access_tokens` under the client's base URL. On Enterprise Server
    /// the GraphQL client is based at `/api` while REST lives under `/api/v3`, so only the REST
    /// client mints tokens, and this client is rebuilt when the token changes.
    FromInstallation {
        base: String,
        current: Mutex<Option<(String, Octocrab)>>,
    },
}

impl ClientPair {
    /// Returns the GraphQL client, with a current installation token for an App.
    pub async fn graphql(&self) -> Result<Octocrab, String> {
        match &self.graphql {
            GraphqlClient::Fixed(client) => Ok(client.clone()),
            GraphqlClient::FromInstallation { base, current } => {
                let token = self.rest.installation_token().await.map_err(|error| {
                    format!(
                        "cannot get an installation token: {}",
                        first_line(&error.to_string())
                    )
                })?;
                let token = token.expose_secret().to_string();
                let mut current = current.lock().await;
                if let Some((cached, client)) = current.as_ref() {
                    if *cached == token {
                        return Ok(client.clone());
                    }
                }
                let client = build_client(base, &Credentials::Token(Token::new(token.clone())))
                    .map_err(|error| error.to_string())?;
                *current = Some((token, client.clone()));
                Ok(client)
            }
        }
    }
}

/// Returns the first line of an octocrab error message, whose later lines contain a backtrace.
pub fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}

/// Describes an HTTP client error with its causes. octocrab's own message of a failed
/// connection is only "client error (Connect)", and the causes name what failed, such as
/// "Connection refused".
pub fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut description = first_line(&error.to_string()).to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        let line = first_line(&text);
        if !description.contains(line) {
            description.push_str(": ");
            description.push_str(line);
        }
        source = cause.source();
    }
    description
}

/// The clients of a run.
pub struct Clients {
    shared: Option<Arc<ClientPair>>,
    app: Option<AppClients>,
}

struct AppClients {
    /// The REST client that authenticates as the App itself (a JWT), for installation look-ups.
    jwt: Octocrab,
    graphql_url: String,
    /// Installation clients by lowercase owner, or why the owner has none.
    owners: Mutex<HashMap<String, Result<Arc<ClientPair>, String>>>,
    request_timeout: Duration,
}

impl Clients {
    pub fn new(
        api_url: &str,
        credentials: &Credentials,
        request_timeout: Duration,
    ) -> Result<Clients, TransportError> {
        let graphql_url = graphql_base(api_url);
        match credentials {
            Credentials::App(app) => Ok(Clients {
                shared: None,
                app: Some(AppClients {
                    jwt: build_app_client(api_url, app)?,
                    graphql_url,
                    owners: Mutex::new(HashMap::new()),
                    request_timeout,
                }),
            }),
            other => Ok(Clients {
                shared: Some(Arc::new(ClientPair {
                    rest: build_client(api_url, other)?,
                    graphql: GraphqlClient::Fixed(build_client(&graphql_url, other)?),
                })),
                app: None,
            }),
        }
    }

    /// Returns the key that groups repositories into shared GraphQL batches: every repository
    /// shares one batch with a token, but an App token reads one owner's repositories only.
    pub fn batch_key(&self, repository: &str) -> String {
        match self.app {
            Some(_) => owner_of(repository).to_ascii_lowercase(),
            None => String::new(),
        }
    }

    /// Returns the clients for repositories of `owner`, finding the App installation on first use.
    pub async fn for_owner(
        &self,
        owner: &str,
        stats: &Stats,
    ) -> Result<Arc<ClientPair>, TransportError> {
        if let Some(shared) = &self.shared {
            return Ok(shared.clone());
        }
        let Some(app) = &self.app else {
            return Err(TransportError::InvalidRequest("no HTTP client".to_string()));
        };
        let key = owner.to_ascii_lowercase();
        let mut owners = app.owners.lock().await;
        if let Some(found) = owners.get(&key) {
            return found.clone().map_err(TransportError::NoInstallation);
        }
        let found = app.installation(owner, stats).await;
        owners.insert(key, found.clone());
        found.map_err(TransportError::NoInstallation)
    }
}

impl AppClients {
    /// Finds the installation of the App on an organization, else on a user account
    /// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app).
    // NOTE: these two look-ups are not retried on server errors or rate limits.
    async fn installation(&self, owner: &str, stats: &Stats) -> Result<Arc<ClientPair>, String> {
        let mut last_status = 0;
        for path in [
            format!("/orgs/{owner}/installation"),
            format!("/users/{owner}/installation"),
        ] {
            stats.count_rest();
            let response = tokio::time::timeout(self.request_timeout, self.jwt._get(path.as_str()))
                .await
                .map_err(|_| format!("the installation look-up for {owner} timed out"))?
                .map_err(|error| {
                    format!(
                        "the installation look-up for {owner} failed: {}",
                        first_line(&error.to_string())
                    )
                })?;
            let status = response.status();
            debug!(
                method = "GET",
                path,
                status = status.as_u16(),
                "GitHub request"
            );
            last_status = status.as_u16();
            if status == http::StatusCode::NOT_FOUND {
                continue;
            }
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|error| format!("the installation look-up for {owner} failed: {error}"))?
                .to_bytes();
            if !status.is_success() {
                return Err(format!(
                    "the installation look-up for {owner} returned HTTP {}",
                    status.as_u16()
                ));
            }
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|value| value.get("id")?.as_u64())
                .ok_or_else(|| format!("the installation look-up for {owner} returned no id"))?;
            let installation = InstallationId(id);
            let rest = self
                .jwt
                .installation(installation)
                .map_err(|error| first_line(&error.to_string()).to_string())?;
            // Minting the first token here, under the owners lock, keeps the tasks that start
            // together from each minting one.
            rest.installation_token().await.map_err(|error| {
                format!(
                    "cannot get an installation token for {owner}: {}",
                    first_line(&error.to_string())
                )
            })?;
            let pair = ClientPair {
                rest,
                graphql: GraphqlClient::FromInstallation {
                    base: self.graphql_url.clone(),
                    current: Mutex::new(None),
                },
            };
            debug!(
                owner,
                installation = id,
                "using the GitHub App installation"
            );
            return Ok(Arc::new(pair));
        }
        warn!(
            owner,
            status = last_status,
            "the GitHub App is not installed on this owner"
        );
        Err(format!("the GitHub App is not installed on {owner}"))
    }
}

/// Returns the owner part of `owner/name`.
pub fn owner_of(repository: &str) -> &str {
    repository.split('/').next().unwrap_or(repository)
}

fn base_builder(
    base: &str,
) -> Result<
    octocrab::OctocrabBuilder<
        octocrab::NoSvc,
        octocrab::DefaultOctocrabBuilderConfig,
        octocrab::NoAuth,
        octocrab::NotLayerReady,
    >,
    TransportError,
> {
    Ok(Octocrab::builder()
        .base_uri(base)
        .map_err(|error| {
            TransportError::InvalidRequest(format!("invalid API URL `{base}`: {error}"))
        })?
        // Retries happen in `Transport::send`, which also handles the limits octocrab's own
        // retry layer does not see: GraphQL rate limits that arrive with HTTP 200.
        .add_retry_config(RetryConfig::None))
}

fn build_client(base: &str, credentials: &Credentials) -> Result<Octocrab, TransportError> {
    let mut builder = base_builder(base)?;
    if let Credentials::Token(token) = credentials {
        builder = builder.personal_token(token.expose().to_string());
    }
    builder.build().map_err(|error| {
        TransportError::InvalidRequest(format!("cannot build the HTTP client: {error}"))
    })
}

fn build_app_client(base: &str, app: &AppCredentials) -> Result<Octocrab, TransportError> {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(app.private_key()).map_err(|error| {
        TransportError::InvalidRequest(format!(
            "invalid GitHub App private key: {error}; expected an RSA key in PEM form"
        ))
    })?;
    base_builder(base)?
        .app(AppId(app.app_id), key)
        .build()
        .map_err(|error| {
            TransportError::InvalidRequest(format!("cannot build the HTTP client: {error}"))
        })
}

#[cfg(test)]
mod tests {
    use super::describe_error;

    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn describe_error_adds_the_causes() {
        let error = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(
            describe_error(&error),
            "client error (Connect): Connection refused"
        );
    }
}
