//! The GitHub source: reads repositories through the GitHub API without cloning them.
//!
//! Per run, GraphQL batches resolve every ref to a commit and root tree. Then one REST request
//! per repository lists the tree, unless the tree id is cached. Last, GraphQL batches read the
//! needed blobs across repositories, unless the blob id is cached. A run where nothing
//! changed therefore costs one GraphQL request per `batch_size` repositories.

mod assemble;
mod auth;
mod blobs;
mod cache;
mod clients;
mod graphql;
mod orgs;
mod pagination;
mod progress;
mod retry;
mod stats;
mod transport;
mod tree;

pub use auth::{AppCredentials, Credentials, Token, TOKEN_VARIABLES};
pub use cache::{default_cache_dir, git_blob_id};
pub(crate) use clients::owner_of as owner_of_repository;
pub use orgs::{OrgError, OrgRequest};
pub(crate) use pagination::next_page_path;
pub use retry::RetryPolicy;
pub use stats::{Stats, StatsSnapshot};
pub use transport::{graphql_base, TransportError, DEFAULT_API_URL};
pub(crate) use transport::{Reply, Transport};

use assemble::{unique_blobs, Assembly, Contents, Read};
use blobs::{load_blobs, BatchLimits};
use cache::Cache;
use futures::StreamExt;
use graphql::{resolve_heads, Head, RepoRef};
use progress::Progress;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tracing::{info, warn};
use tree::{list_tree, Listing, TreeError};

use crate::source::local::LocalOptions;
use crate::source::Snapshot;

/// How to reach GitHub and how hard to push it.
#[derive(Debug, Clone)]
pub struct GitHubSettings {
    /// REST base URL: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise
    /// Server (GraphQL is then posted to `https://HOST/api/graphql`).
    pub api_url: String,
    pub credentials: Credentials,
    /// Cache folder; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    pub policy: RetryPolicy,
    /// Requests in flight at once. GitHub allows 100 concurrent requests per user across REST
    /// and GraphQL (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
    pub concurrency: usize,
    /// Repositories per heads query and blobs per contents query.
    pub batch_size: usize,
    /// Sum of blob sizes per contents query, in bytes.
    pub max_batch_bytes: u64,
    /// Whether to draw a progress bar on stderr; it is drawn only when stderr is a terminal.
    pub progress: bool,
}

impl Default for GitHubSettings {
    fn default() -> Self {
        GitHubSettings {
            api_url: DEFAULT_API_URL.to_string(),
            credentials: Credentials::Anonymous,
            cache_dir: default_cache_dir(),
            policy: RetryPolicy::default(),
            concurrency: 8,
            batch_size: 50,
            max_batch_bytes: 2 * 1024 * 1024,
            progress: false,
        }
    }
}

/// One repository to read.
#[derive(Debug, Clone)]
pub struct RepoRequest {
    /// `owner/name`.
    pub repository: String,
    /// A branch, tag or commit; `None` for the default branch.
    pub git_ref: Option<String>,
    pub options: LocalOptions,
}

/// An error that keeps a repository from being read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("repository {repository} not found, or the token has no access to it: {message}")]
    NotFound { repository: String, message: String },
    #[error("repository {repository} is empty")]
    Empty { repository: String },
    #[error("ref `{git_ref}` not found in {repository}")]
    RefNotFound { repository: String, git_ref: String },
    #[error("cannot read {repository}: {message}")]
    Failed { repository: String, message: String },
}

/// Reads repositories from GitHub into snapshots.
pub struct GitHubSource {
    transport: Transport,
    cache: Cache,
    settings: GitHubSettings,
}

/// A repository between the tree listing and the finished snapshot.
struct Pending {
    index: usize,
    repository: String,
    assembly: Assembly,
}

impl GitHubSource {
    /// Builds the source. Must run inside a tokio runtime.
    pub fn new(settings: GitHubSettings) -> Result<GitHubSource, TransportError> {
        let stats = Arc::new(Stats::default());
        let transport = Transport::new(
            &settings.api_url,
            settings.credentials.clone(),
            settings.policy.clone(),
            settings.concurrency,
            stats,
        )?;
        Ok(GitHubSource {
            transport,
            cache: Cache::new(settings.cache_dir.clone()),
            settings,
        })
    }

    /// Returns the request counters so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.transport.stats().snapshot()
    }

    /// Returns the `owner/name` of every repository of an organization or user that the
    /// entry's rules keep, sorted.
    pub async fn list_org(&self, org: &OrgRequest) -> Result<Vec<String>, OrgError> {
        orgs::list_owner_repos(&self.transport, &self.cache, &self.settings.api_url, org).await
    }

    /// Reads every repository, in input order. `more_paths` returns, for a repository's index
    /// and first snapshot, files to read in a second round (files that Compose names as
    /// Dockerfiles under other names).
    pub async fn fetch(
        &self,
        requests: &[RepoRequest],
        more_paths: &(dyn Fn(usize, &Snapshot) -> Vec<String> + Sync),
    ) -> Vec<Result<Snapshot, FetchError>> {
        let mut results: Vec<Option<Result<Snapshot, FetchError>>> = vec![None; requests.len()];

        let refs: Vec<RepoRef> = requests
            .iter()
            .map(|request| RepoRef {
                repository: request.repository.clone(),
                git_ref: request.git_ref.clone(),
            })
            .collect();
        let progress = Progress::new(
            self.settings.progress,
            requests.len(),
            self.transport.stats().clone(),
        );
        let heads = resolve_heads(&self.transport, &refs, self.settings.batch_size).await;
        progress.advance(
            heads
                .iter()
                .filter(|head| !matches!(head, Head::Resolved { .. }))
                .count(),
        );

        let listings: Vec<(usize, String, Result<Listing, TreeError>)> =
            futures::stream::iter(heads.into_iter().enumerate())
                .filter_map(|(index, head)| {
                    let request = &requests[index];
                    let outcome = match head {
                        Head::Resolved { commit, tree } => Some((index, commit, tree)),
                        other => {
                            results[index] = Some(Err(head_error(request, other)));
                            None
                        }
                    };
                    futures::future::ready(outcome)
                })
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .map(|(index, commit, tree_sha)| {
                    let progress = &progress;
                    async move {
                        let listing = self.listing(&requests[index].repository, &tree_sha).await;
                        progress.advance(1);
                        (index, commit, listing)
                    }
                })
                .collect::<futures::stream::FuturesOrdered<_>>()
                .collect()
                .await;

        let mut pending = Vec::new();
        for (index, commit, listing) in listings {
            let request = &requests[index];
            let listing = match listing {
                Ok(listing) => listing,
                Err(error) => {
                    results[index] = Some(Err(tree_error(request, error)));
                    continue;
                }
            };
            match Assembly::plan(&listing, &request.options, &commit) {
                Ok(assembly) => pending.push(Pending {
                    index,
                    repository: request.repository.clone(),
                    assembly,
                }),
                Err(error) => {
                    results[index] = Some(Err(FetchError::Failed {
                        repository: request.repository.clone(),
                        message: error.to_string(),
                    }))
                }
            }
        }

        // Round 1: the files discovery names, and every symbolic link's target path.
        let first: Vec<(usize, Vec<Read>)> = pending
            .iter()
            .enumerate()
            .map(|(slot, repo)| {
                let mut reads = repo.assembly.reads.clone();
                reads.extend(repo.assembly.links.iter().cloned());
                (slot, reads)
            })
            .collect();
        let mut contents = self.load(&pending, &first).await;

        // Round 2: targets of symbolic links.
        let targets: Vec<(usize, Vec<Read>)> = pending
            .iter_mut()
            .enumerate()
            .map(|(slot, repo)| (slot, repo.assembly.resolve_links(&contents)))
            .collect();
        contents.extend(self.load(&pending, &targets).await);
        for repo in &mut pending {
            let reads = repo.assembly.reads.clone();
            repo.assembly.fill(&reads, &contents);
        }

        // Round 3: files that Compose names as Dockerfiles under names discovery misses.
        let extra: Vec<(usize, Vec<Read>)> = pending
            .iter_mut()
            .enumerate()
            .map(|(slot, repo)| {
                let paths = more_paths(repo.index, &repo.assembly.snapshot);
                (slot, repo.assembly.more_reads(&paths, &contents))
            })
            .collect();
        contents.extend(self.load(&pending, &extra).await);
        for (slot, reads) in &extra {
            pending[*slot].assembly.fill(reads, &contents);
        }

        progress.finish();
        for repo in pending {
            let snapshot = repo.assembly.finish();
            info!(
                repository = %repo.repository,
                files = snapshot.files.len(),
                "read from GitHub"
            );
            results[repo.index] = Some(Ok(snapshot));
        }
        results
            .into_iter()
            .zip(requests)
            .map(|(result, request)| {
                result.unwrap_or_else(|| {
                    Err(FetchError::Failed {
                        repository: request.repository.clone(),
                        message: "not read".to_string(),
                    })
                })
            })
            .collect()
    }

    /// Returns a tree listing from the cache, or lists it and caches it.
    async fn listing(&self, repository: &str, tree_sha: &str) -> Result<Listing, TreeError> {
        if let Some(listing) = self.cache.tree(tree_sha) {
            self.transport.stats().count_cached();
            return Ok(listing);
        }
        let listing = list_tree(&self.transport, repository, tree_sha).await?;
        // A partial listing would hide files on every later run, so only a complete one is kept.
        if listing.unlisted.is_empty() {
            self.cache.put_tree(tree_sha, &listing);
        }
        Ok(listing)
    }

    /// Loads the blobs of several repositories' reads in shared batches.
    async fn load(&self, pending: &[Pending], reads: &[(usize, Vec<Read>)]) -> Contents {
        let mut requests: BTreeMap<String, (String, u64)> = BTreeMap::new();
        for (slot, reads) in reads {
            for (sha, size) in unique_blobs(reads) {
                requests
                    .entry(sha)
                    .or_insert_with(|| (pending[*slot].repository.clone(), size));
            }
        }
        if requests.is_empty() {
            return Contents::new();
        }
        let limits = BatchLimits {
            batch_size: self.settings.batch_size,
            max_batch_bytes: self.settings.max_batch_bytes,
            concurrency: self.settings.concurrency,
        };
        load_blobs(&self.transport, &self.cache, &requests, limits).await
    }
}

fn head_error(request: &RepoRequest, head: Head) -> FetchError {
    let repository = request.repository.clone();
    let error = match head {
        Head::Empty => FetchError::Empty { repository },
        Head::NotFound(message) => FetchError::NotFound {
            repository,
            message,
        },
        Head::RefNotFound(git_ref) => FetchError::RefNotFound {
            repository,
            git_ref,
        },
        Head::Failed(message) => FetchError::Failed {
            repository,
            message,
        },
        Head::Resolved { .. } => FetchError::Failed {
            repository,
            message: "unexpected head".to_string(),
        },
    };
    warn!(%error, "cannot read repository");
    error
}

fn tree_error(request: &RepoRequest, error: TreeError) -> FetchError {
    let repository = request.repository.clone();
    let error = match error {
        TreeError::Empty => FetchError::Empty { repository },
        TreeError::NotFound => FetchError::NotFound {
            repository,
            message: "the tree listing returned 404".to_string(),
        },
        other => FetchError::Failed {
            repository,
            message: other.to_string(),
        },
    };
    warn!(%error, "cannot read repository");
    error
}
