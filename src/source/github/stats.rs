//! Request counters for `--stats` and the progress bar.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by every task of a run.
#[derive(Debug, Default)]
pub struct Stats {
    graphql: AtomicU64,
    rest: AtomicU64,
    cached: AtomicU64,
    not_modified: AtomicU64,
    retries: AtomicU64,
    rate_limit_pauses: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsSnapshot {
    /// GraphQL requests sent, retries included.
    pub graphql: u64,
    /// REST requests sent, retries included.
    pub rest: u64,
    /// Tree listings and file contents read from the disk cache instead of the API.
    pub cached: u64,
    /// Responses with status 304 Not Modified.
    pub not_modified: u64,
    /// Requests sent again after a server error, a timeout or a rate limit.
    pub retries: u64,
    /// Times every request paused for a rate limit.
    pub rate_limit_pauses: u64,
}

impl StatsSnapshot {
    /// Returns the number of HTTP requests sent.
    pub fn requests(&self) -> u64 {
        self.graphql + self.rest
    }

    /// Renders the counters as the `--stats` block.
    pub fn render(&self) -> String {
        format!(
            "GitHub requests: {} (GraphQL {}, REST {}), cached {}, 304 {}, retries {}, rate-limit pauses {}",
            self.requests(),
            self.graphql,
            self.rest,
            self.cached,
            self.not_modified,
            self.retries,
            self.rate_limit_pauses
        )
    }
}

impl Stats {
    pub(crate) fn count_graphql(&self) {
        self.graphql.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_rest(&self) {
        self.rest.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_cached(&self) {
        self.cached.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_not_modified(&self) {
        self.not_modified.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_pause(&self) {
        self.rate_limit_pauses.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns a copy of the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            graphql: self.graphql.load(Ordering::Relaxed),
            rest: self.rest.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limit_pauses: self.rate_limit_pauses.load(Ordering::Relaxed),
        }
    }
}
