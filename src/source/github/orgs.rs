//! Discovery of an organization's or user's repositories through the paginated REST listing,
//! with conditional requests so that an unchanged listing costs no primary quota.

use super::cache::{Cache, CachedPage};
use super::pagination::{header, next_page_path};
use super::transport::Transport;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use tracing::debug;

/// Maximum page size of the repository listings.
const PER_PAGE: u32 = 100;

/// An `[[org]]` entry to expand.
#[derive(Debug, Clone, Default)]
pub struct OrgRequest {
    /// Organization or user login.
    pub name: String,
    /// Globs over repository names. When not empty, only matching repositories are kept.
    pub include: Vec<String>,
    /// Globs over repository names to leave out.
    pub exclude: Vec<String>,
    pub archived: bool,
    pub forks: bool,
}

/// An error that keeps an owner's repositories from being listed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OrgError {
    #[error("organization or user {0} not found, or the token has no access to it")]
    NotFound(String),
    #[error("invalid glob `{glob}` for {owner}: {message}")]
    InvalidGlob {
        owner: String,
        glob: String,
        message: String,
    },
    #[error("cannot list the repositories of {owner}: {message}")]
    Failed { owner: String, message: String },
}

#[derive(Debug, Deserialize)]
struct ListedRepo {
    full_name: String,
    name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
}

/// Returns the `owner/name` of every repository of the owner that the entry's rules keep,
/// sorted.
pub async fn list_owner_repos(
    transport: &Transport,
    cache: &Cache,
    api_url: &str,
    org: &OrgRequest,
) -> Result<Vec<String>, OrgError> {
    let include = compile(&org.name, &org.include)?;
    let exclude = compile(&org.name, &org.exclude)?;

    // The organization listing returns 404 for a user account, which has its own endpoint.
    let org_path = format!("/orgs/{}/repos?per_page={PER_PAGE}&type=all", org.name);
    let listed = match list_pages(transport, cache, api_url, &org.name, &org_path).await? {
        Some(listed) => listed,
        None => {
            let user_path = format!("/users/{}/repos?per_page={PER_PAGE}&type=owner", org.name);
            list_pages(transport, cache, api_url, &org.name, &user_path)
                .await?
                .ok_or_else(|| OrgError::NotFound(org.name.clone()))?
        }
    };

    let mut kept: Vec<String> = listed
        .into_iter()
        .filter(|repo| org.archived || !repo.archived)
        .filter(|repo| org.forks || !repo.fork)
        .filter(|repo| include.as_ref().is_none_or(|set| set.is_match(&repo.name)))
        .filter(|repo| !exclude.as_ref().is_some_and(|set| set.is_match(&repo.name)))
        .map(|repo| repo.full_name)
        .collect();
    kept.sort();
    kept.dedup();
    Ok(kept)
}

/// Follows the `link: <...>; rel="next"` headers from `first`. Returns `None` on a 404 of the
/// first page.
async fn list_pages(
    transport: &Transport,
    cache: &Cache,
    api_url: &str,
    owner: &str,
    first: &str,
) -> Result<Option<Vec<ListedRepo>>, OrgError> {
    let failed = |message: String| OrgError::Failed {
        owner: owner.to_string(),
        message,
    };
    let mut repos = Vec::new();
    let mut next = Some(first.to_string());
    let mut is_first = true;
    while let Some(path) = next.take() {
        // NOTE: GitHub computes ETags per token, so after an App's hourly installation token
        // changes, a warm run can get 200 here instead of 304.
        let key = format!("{api_url}{path}");
        let cached = cache.page(&key);
        let reply = match &cached {
            Some(page) => transport.get_if_none_match(&path, &page.etag).await,
            None => transport.get(&path).await,
        }
        .map_err(|error| failed(error.to_string()))?;

        let page = match reply.status.as_u16() {
            304 => match cached {
                Some(page) => {
                    debug!(path, "repository listing not modified");
                    page
                }
                None => return Err(failed("unexpected 304 Not Modified".to_string())),
            },
            200 => {
                let page = CachedPage {
                    etag: header(&reply, "etag").unwrap_or_default(),
                    body: String::from_utf8_lossy(&reply.body).into_owned(),
                    next: next_page_path(&reply, api_url),
                };
                if !page.etag.is_empty() {
                    cache.put_page(&key, &page);
                }
                page
            }
            404 if is_first => return Ok(None),
            status => return Err(failed(format!("HTTP {status}: {}", reply.message()))),
        };
        let listed: Vec<ListedRepo> = serde_json::from_str(&page.body)
            .map_err(|error| failed(format!("invalid repository listing: {error}")))?;
        repos.extend(listed);
        next = page.next;
        is_first = false;
    }
    Ok(Some(repos))
}

fn compile(owner: &str, globs: &[String]) -> Result<Option<GlobSet>, OrgError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let compiled = Glob::new(glob).map_err(|error| OrgError::InvalidGlob {
            owner: owner.to_string(),
            glob: glob.clone(),
            message: error.kind().to_string(),
        })?;
        builder.add(compiled);
    }
    builder
        .build()
        .map(Some)
        .map_err(|error| OrgError::InvalidGlob {
            owner: owner.to_string(),
            glob: globs.join(", "),
            message: error.to_string(),
        })
}
