//! Retry policy and rate-limit signals.
//!
//! GitHub's rules (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
//! and https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api):
//! a primary limit returns 403 or 429 with `x-ratelimit-remaining: 0`, so wait until
//! `x-ratelimit-reset`. A secondary limit returns 403 or 429 with a message that names it. Then
//! wait `retry-after` seconds when the header is there, else at least one minute, and back off
//! exponentially. A 403 without these signals is a permission error and is not retried.

use http::{HeaderMap, StatusCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Delays and limits for retries. Tests use tiny delays so that the suite stays fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after a server error (5xx) or a timeout, per request.
    pub max_retries: u32,
    /// Delay before the first retry; each later retry doubles it.
    pub base_delay: Duration,
    /// Upper bound of one backoff delay.
    pub max_delay: Duration,
    /// Time allowed for one request, response body included.
    pub request_timeout: Duration,
    /// Wait after a secondary rate limit that sends no `retry-after`. GitHub's minimum is one
    /// minute.
    pub secondary_wait: Duration,
    /// Maximum pause for one rate limit. A limit that resets later fails the request
    /// with "rate limit exhausted" instead of stalling the run.
    pub max_rate_limit_wait: Duration,
    /// Rate-limit pauses allowed per request before it fails.
    pub max_rate_limit_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            secondary_wait: Duration::from_secs(60),
            // An hour covers a full primary window. NOTE: no command-line option lowers it yet,
            // so a run can pause for up to an hour on a spent primary limit.
            max_rate_limit_wait: Duration::from_secs(3600),
            max_rate_limit_retries: 3,
        }
    }
}

impl RetryPolicy {
    /// Returns the capped exponential delay before retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The rate-limit verdict of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimit {
    /// Not rate limited.
    None,
    /// Rate limited: wait this long before the next request.
    Wait(Duration),
}

/// The `x-ratelimit-*` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quota {
    pub remaining: Option<u64>,
    /// Reset time in UTC epoch seconds.
    pub reset: Option<u64>,
}

impl Quota {
    pub fn from_headers(headers: &HeaderMap) -> Quota {
        Quota {
            remaining: header_number(headers, "x-ratelimit-remaining"),
            reset: header_number(headers, "x-ratelimit-reset"),
        }
    }

    /// Returns the time left until the reset, zero when it has passed or is unknown.
    pub fn until_reset(&self) -> Duration {
        let Some(reset) = self.reset else {
            return Duration::ZERO;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        Duration::from_secs(reset.saturating_sub(now))
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// Decides whether a 403 or 429 REST response is a rate limit, and how long to wait.
///
/// `attempt` counts the earlier rate-limit pauses of the same request, for the exponential
/// backoff of a secondary limit without `retry-after`.
pub fn rate_limit_of(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    policy: &RetryPolicy,
    attempt: u32,
) -> RateLimit {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return RateLimit::None;
    }
    if let Some(seconds) = header_number(headers, "retry-after") {
        return RateLimit::Wait(Duration::from_secs(seconds));
    }
    let quota = Quota::from_headers(headers);
    if quota.remaining == Some(0) {
        return RateLimit::Wait(quota.until_reset());
    }
    let message = body.to_ascii_lowercase();
    if status == StatusCode::TOO_MANY_REQUESTS
        || message.contains("secondary rate limit")
        || message.contains("rate limit exceeded")
        || message.contains("abuse")
    {
        let factor = 2u32.saturating_pow(attempt.min(8));
        return RateLimit::Wait(policy.secondary_wait.saturating_mul(factor));
    }
    RateLimit::None
}

/// Tells whether a status is worth retrying with backoff: a server error or a request timeout.
pub fn is_transient(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        assert_eq!(policy.backoff(0), Duration::from_millis(100));
        assert_eq!(policy.backoff(1), Duration::from_millis(200));
        assert_eq!(policy.backoff(2), Duration::from_millis(350));
        assert_eq!(policy.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn retry_after_wins() {
        let policy = RetryPolicy::default();
        let signal = rate_limit_of(
            StatusCode::FORBIDDEN,
            &headers(&[("retry-after", "7"), ("x-ratelimit-remaining", "0")]),
            "",
            &policy,
            0,
        );
        assert_eq!(signal, RateLimit::Wait(Duration::from_secs(7)));
    }

    #[test]
    fn plain_forbidden_is_permission_error() {
        let policy = RetryPolicy::default();
        let signal = rate_limit_of(
            StatusCode::FORBIDDEN,
            &headers(&[("x-ratelimit-remaining", "4999")]),
            r#"{"message":"Resource not accessible by integration"}"#,
            &policy,
            0,
        );
        assert_eq!(signal, RateLimit::None);
    }

    #[test]
    fn secondary_without_header_backs_off() {
        let policy = RetryPolicy {
            secondary_wait: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        let body = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        let first = rate_limit_of(StatusCode::FORBIDDEN, &HeaderMap::new(), body, &policy, 0);
        let second = rate_limit_of(StatusCode::FORBIDDEN, &HeaderMap::new(), body, &policy, 1);
        assert_eq!(first, RateLimit::Wait(Duration::from_secs(60)));
        assert_eq!(second, RateLimit::Wait(Duration::from_secs(120)));
    }
}
