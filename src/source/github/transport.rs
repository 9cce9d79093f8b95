//! HTTP transport on top of octocrab: bounded concurrency, rate-limit pauses shared by every
//! task, retries with capped exponential backoff, per-request logs and counters.

use super::auth::Credentials;
use super::clients::{describe_error, owner_of, ClientPair, Clients};
use super::retry::{is_transient, rate_limit_of, Quota, RateLimit, RetryPolicy};
use super::stats::Stats;
use bytes::Bytes;
use http::header::ACCEPT;
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tracing::{debug, warn};

/// The REST base URL of github.com.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// A response whose status the caller interprets (2xx, 404, 409, a permission 403, ...).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// Returns the `message` of a GitHub error body, or the status when there is none.
    pub fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|value| value.get("message")?.as_str().map(str::to_string))
            .unwrap_or_else(|| self.status.to_string())
    }
}

/// A request that failed after every retry the policy allows.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("rate limit exhausted: the next request is allowed in {} s", wait.as_secs())]
    RateLimitExhausted { wait: Duration },
    #[error("request timed out after {tries} tries of {} s", timeout.as_secs_f32())]
    TimedOut { tries: u32, timeout: Duration },
    #[error("server error {status} after {tries} tries")]
    ServerError { status: StatusCode, tries: u32 },
    /// A GraphQL query that the server gave up on (502 or 504); the caller splits the batch.
    #[error("GraphQL query timed out on the server (HTTP {0})")]
    GatewayTimeout(StatusCode),
    #[error("request failed after {tries} tries: {message}")]
    Network { tries: u32, message: String },
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("{0}")]
    NoInstallation(String),
}

/// The API a request goes to, for the counters and the GraphQL rate-limit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Rest,
    Graphql,
}

/// The shared HTTP client of a run.
pub struct Transport {
    clients: Clients,
    credentials: Credentials,
    /// One permit per request in flight.
    // NOTE: there is no client-side pacing for the secondary limit of 900 REST points per
    // minute, so a large cold run relies on the 403 or 429 pauses to slow down.
    permits: Semaphore,
    pause_until: Mutex<Option<Instant>>,
    policy: RetryPolicy,
    stats: Arc<Stats>,
}

/// Returns the base URL against which `/graphql` is posted, for a REST base URL.
///
/// github.com serves GraphQL at `https://api.github.com/graphql`. GitHub Enterprise Server
/// serves REST under `/api/v3` and GraphQL at `/api/graphql`, not `/api/v3/graphql`
/// (https://docs.github.com/en/enterprise-server@latest/graphql/guides/forming-calls-with-graphql).
pub fn graphql_base(api_url: &str) -> String {
    let trimmed = api_url.trim_end_matches('/');
    match trimmed.strip_suffix("/v3") {
        Some(prefix) if prefix.ends_with("/api") => prefix.to_string(),
        _ => trimmed.to_string(),
    }
}

impl Transport {
    /// Builds the clients. Must run inside a tokio runtime, because octocrab spawns a worker.
    pub fn new(
        api_url: &str,
        credentials: Credentials,
        policy: RetryPolicy,
        concurrency: usize,
        stats: Arc<Stats>,
    ) -> Result<Transport, TransportError> {
        let api_url = api_url.trim_end_matches('/');
        let clients = Clients::new(api_url, &credentials, policy.request_timeout)?;
        Ok(Transport {
            clients,
            credentials,
            permits: Semaphore::new(concurrency.max(1)),
            pause_until: Mutex::new(None),
            policy,
            stats,
        })
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Returns the key that groups repositories into shared GraphQL batches (see
    /// [`Clients::batch_key`]).
    pub fn batch_key(&self, repository: &str) -> String {
        self.clients.batch_key(repository)
    }

    /// Sends a REST `GET` for a path under the API base (`/repos/o/r/git/trees/...`).
    pub async fn get(&self, path: &str) -> Result<Reply, TransportError> {
        self.send(Api::Rest, owner_of_path(path), path, None, None, false)
            .await
    }

    /// Sends a conditional REST `GET` with `If-None-Match: etag`. A 304 response does not count
    /// against the primary rate limit
    /// (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> Result<Reply, TransportError> {
        self.send(
            Api::Rest,
            owner_of_path(path),
            path,
            None,
            Some(etag),
            false,
        )
        .await
    }

    /// Posts a GraphQL query about repositories of `owner` (any owner when the credentials are a
    /// token). With `split_on_timeout`, a 502 or 504 returns
    /// [`TransportError::GatewayTimeout`] at once, so the caller can split the batch instead of
    /// sending the same heavy query again.
    pub async fn graphql(
        &self,
        owner: &str,
        body: &serde_json::Value,
        split_on_timeout: bool,
    ) -> Result<Reply, TransportError> {
        self.send(
            Api::Graphql,
            owner,
            "/graphql",
            Some(body),
            None,
            split_on_timeout,
        )
        .await
    }

    /// Sends one REST write (`POST` or `PATCH` with a JSON body) under `path`. A write that may
    /// have reached GitHub is never sent again here: after a timeout or a lost connection
    /// GitHub may have applied it, so the caller reads the state back before it decides to try
    /// again. Only a rate-limit response, which GitHub returns without applying the request, is
    /// retried after the pause, as reads are. A 5xx is returned as a reply.
    pub async fn write_once(
        &self,
        method: http::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Reply, TransportError> {
        let clients = self
            .clients
            .for_owner(owner_of_path(path), &self.stats)
            .await?;
        let mut rate_limit_retries = 0u32;
        loop {
            self.wait_for_pause().await;
            let permit = self.permits.acquire().await.map_err(|error| {
                TransportError::InvalidRequest(format!("request queue closed: {error}"))
            })?;
            self.stats.count_rest();
            let outcome = tokio::time::timeout(
                self.policy.request_timeout,
                self.execute_write(&clients, &method, path, body),
            )
            .await;
            drop(permit);

            let reply = match outcome {
                Ok(Ok(reply)) => reply,
                Ok(Err(message)) => {
                    warn!(%method, path, %message, "write request failed");
                    return Err(TransportError::Network { tries: 1, message });
                }
                Err(_) => {
                    warn!(
                        %method,
                        path,
                        timeout_seconds = self.policy.request_timeout.as_secs_f32(),
                        "write request timed out"
                    );
                    return Err(TransportError::TimedOut {
                        tries: 1,
                        timeout: self.policy.request_timeout,
                    });
                }
            };
            debug!(
                %method,
                path,
                status = reply.status.as_u16(),
                "GitHub request"
            );

            let text = String::from_utf8_lossy(&reply.body);
            let limit = rate_limit_of(
                reply.status,
                &reply.headers,
                &text,
                &self.policy,
                rate_limit_retries,
            );
            if let RateLimit::Wait(wait) = limit {
                if wait > self.policy.max_rate_limit_wait
                    || rate_limit_retries >= self.policy.max_rate_limit_retries
                {
                    return Err(TransportError::RateLimitExhausted { wait });
                }
                self.pause(wait);
                rate_limit_retries += 1;
                self.stats.count_retry();
                continue;
            }
            return Ok(reply);
        }
    }

    async fn execute_write(
        &self,
        clients: &ClientPair,
        method: &http::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Reply, String> {
        let response = if *method == http::Method::PATCH {
            clients.rest._patch(path, Some(body)).await
        } else {
            clients.rest._post(path, Some(body)).await
        }
        .map_err(|error| self.redact(&describe_error(&error)))?;
        self.read_reply(response).await
    }

    /// Sends one read request with the retry policy. Every request here is a read (a GET or a
    /// GraphQL query), so sending it again is safe; writes go through [`Transport::write_once`].
    async fn send(
        &self,
        api: Api,
        owner: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        etag: Option<&str>,
        split_on_timeout: bool,
    ) -> Result<Reply, TransportError> {
        let method = if api == Api::Graphql { "POST" } else { "GET" };
        let clients = self.clients.for_owner(owner, &self.stats).await?;
        let mut server_retries = 0u32;
        let mut rate_limit_retries = 0u32;
        loop {
            self.wait_for_pause().await;
            if server_retries + rate_limit_retries > 0 {
                self.stats.count_retry();
            }
            let permit = self.permits.acquire().await.map_err(|error| {
                TransportError::InvalidRequest(format!("request queue closed: {error}"))
            })?;
            match api {
                Api::Rest => self.stats.count_rest(),
                Api::Graphql => self.stats.count_graphql(),
            }
            let outcome = tokio::time::timeout(
                self.policy.request_timeout,
                self.execute(&clients, api, path, body, etag),
            )
            .await;
            drop(permit);

            let reply = match outcome {
                Ok(Ok(reply)) => reply,
                Ok(Err(message)) => {
                    warn!(method, path, %message, "request failed");
                    if server_retries < self.policy.max_retries {
                        self.back_off(server_retries).await;
                        server_retries += 1;
                        continue;
                    }
                    return Err(TransportError::Network {
                        tries: server_retries + 1,
                        message,
                    });
                }
                Err(_) => {
                    warn!(
                        method,
                        path,
                        timeout_seconds = self.policy.request_timeout.as_secs_f32(),
                        "request timed out"
                    );
                    if server_retries < self.policy.max_retries {
                        self.back_off(server_retries).await;
                        server_retries += 1;
                        continue;
                    }
                    return Err(TransportError::TimedOut {
                        tries: server_retries + 1,
                        timeout: self.policy.request_timeout,
                    });
                }
            };

            let quota = Quota::from_headers(&reply.headers);
            debug!(
                method,
                path,
                status = reply.status.as_u16(),
                remaining = quota.remaining.map_or(-1, |value| value as i64),
                "GitHub request"
            );
            if reply.status == StatusCode::NOT_MODIFIED {
                self.stats.count_not_modified();
            }

            let is_gateway_timeout = reply.status == StatusCode::BAD_GATEWAY
                || reply.status == StatusCode::GATEWAY_TIMEOUT;
            if api == Api::Graphql && split_on_timeout && is_gateway_timeout {
                warn!(
                    status = reply.status.as_u16(),
                    "GraphQL batch timed out; splitting it"
                );
                return Err(TransportError::GatewayTimeout(reply.status));
            }

            let limit = if api == Api::Graphql && reply.status == StatusCode::OK {
                graphql_rate_limit(&reply, &self.policy, quota, rate_limit_retries)
            } else {
                let text = String::from_utf8_lossy(&reply.body);
                rate_limit_of(
                    reply.status,
                    &reply.headers,
                    &text,
                    &self.policy,
                    rate_limit_retries,
                )
            };
            if let RateLimit::Wait(wait) = limit {
                let exhausted = wait > self.policy.max_rate_limit_wait
                    || rate_limit_retries >= self.policy.max_rate_limit_retries;
                if exhausted {
                    warn!(
                        method,
                        path,
                        wait_seconds = wait.as_secs(),
                        "rate limit exhausted; giving up on this request"
                    );
                    return Err(TransportError::RateLimitExhausted { wait });
                }
                self.pause(wait);
                rate_limit_retries += 1;
                continue;
            }

            if is_transient(reply.status) {
                warn!(method, path, status = reply.status.as_u16(), "server error");
                if server_retries < self.policy.max_retries {
                    self.back_off(server_retries).await;
                    server_retries += 1;
                    continue;
                }
                return Err(TransportError::ServerError {
                    status: reply.status,
                    tries: server_retries + 1,
                });
            }

            // The quota is spent but this request went through: hold the next ones until the
            // reset instead of letting them fail.
            if quota.remaining == Some(0) && reply.status.is_success() {
                let wait = quota.until_reset();
                if wait <= self.policy.max_rate_limit_wait {
                    self.pause(wait);
                }
            }
            return Ok(reply);
        }
    }

    async fn execute(
        &self,
        clients: &ClientPair,
        api: Api,
        path: &str,
        body: Option<&serde_json::Value>,
        etag: Option<&str>,
    ) -> Result<Reply, String> {
        let response = match api {
            Api::Rest => {
                let mut headers = HeaderMap::new();
                headers.insert(
                    ACCEPT,
                    HeaderValue::from_static("application/vnd.github+json"),
                );
                if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
                    headers.insert(http::header::IF_NONE_MATCH, value);
                }
                clients.rest._get_with_headers(path, Some(headers)).await
            }
            Api::Graphql => clients.graphql().await?._post(path, body).await,
        }
        .map_err(|error| self.redact(&describe_error(&error)))?;
        self.read_reply(response).await
    }

    /// Reads a response's status, headers and whole body.
    async fn read_reply(
        &self,
        response: http::Response<http_body_util::combinators::BoxBody<Bytes, octocrab::Error>>,
    ) -> Result<Reply, String> {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| self.redact(&describe_error(&error)))?
            .to_bytes();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Removes the token from a message, in case a lower layer ever quotes a header.
    fn redact(&self, message: &str) -> String {
        match &self.credentials {
            Credentials::Token(token) if !token.expose().is_empty() => {
                message.replace(token.expose(), "<redacted>")
            }
            _ => message.to_string(),
        }
    }

    async fn back_off(&self, attempt: u32) {
        tokio::time::sleep(self.policy.backoff(attempt)).await;
    }

    /// Holds every request of the run until `wait` has passed.
    fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut pause_until = self
            .pause_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if pause_until.is_some_and(|current| current >= until) {
            return;
        }
        *pause_until = Some(until);
        self.stats.count_pause();
        let resume_at = chrono::Utc::now()
            + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
        warn!(
            wait_seconds = wait.as_secs_f32(),
            resume_at = %resume_at.format("%H:%M:%S UTC"),
            "GitHub rate limit reached; pausing requests"
        );
    }

    async fn wait_for_pause(&self) {
        loop {
            let until = *self
                .pause_until
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match until {
                Some(until) if until > Instant::now() => {
                    tokio::time::sleep_until(until.into()).await
                }
                _ => return,
            }
        }
    }
}

/// Returns the owner a REST path is about: `/repos/{owner}/...`, `/orgs/{owner}/...` or
/// `/users/{owner}/...`.
fn owner_of_path(path: &str) -> &str {
    let mut segments = path.trim_start_matches('/').split('/');
    segments.next();
    owner_of(segments.next().unwrap_or(""))
}

/// Reads a GraphQL rate limit from a 200 response: an `errors` entry of type `RATE_LIMITED`
/// (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
fn graphql_rate_limit(
    reply: &Reply,
    policy: &RetryPolicy,
    quota: Quota,
    attempt: u32,
) -> RateLimit {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&reply.body) else {
        return RateLimit::None;
    };
    let limited = value
        .get("errors")
        .and_then(|errors| errors.as_array())
        .is_some_and(|errors| {
            errors.iter().any(|error| {
                error.get("type").and_then(|kind| kind.as_str()) == Some("RATE_LIMITED")
            })
        });
    if !limited {
        return RateLimit::None;
    }
    if let Some(retry_after) = reply
        .headers
        .get("retry-after")
        .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok())
    {
        return RateLimit::Wait(Duration::from_secs(retry_after));
    }
    if quota.remaining == Some(0) {
        return RateLimit::Wait(quota.until_reset());
    }
    let factor = 2u32.saturating_pow(attempt.min(8));
    RateLimit::Wait(policy.secondary_wait.saturating_mul(factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_base_for_each_host() {
        assert_eq!(
            graphql_base("https://api.github.com"),
            "https://api.github.com"
        );
        assert_eq!(
            graphql_base("https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api"
        );
        assert_eq!(
            graphql_base("http://127.0.0.1:9000"),
            "http://127.0.0.1:9000"
        );
    }
}
