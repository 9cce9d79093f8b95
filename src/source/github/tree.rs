//! Tree listings: one recursive `git/trees` request per repository, or a walk of sub-trees when
//! GitHub truncates the recursive listing.

use super::transport::{Transport, TransportError};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use tracing::warn;

/// Git file modes of tree entries (https://docs.github.com/en/rest/git/trees#create-a-tree).
pub const MODE_SYMLINK: &str = "120000";
pub const MODE_SUBMODULE: &str = "160000";

/// Maximum number of sub-tree requests for one truncated tree.
// NOTE: a repository with more folders than this is read partially, and the folders left out are
// listed as skipped. The bound is a guess that keeps one monorepo from spending the hourly quota.
pub const MAX_WALK_REQUESTS: usize = 2000;

/// One entry of a tree listing, as the REST API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    pub path: String,
    pub mode: String,
    /// `blob`, `tree` or `commit` (a submodule).
    #[serde(rename = "type")]
    pub kind: String,
    pub sha: String,
    /// Size in bytes, for blobs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl TreeEntry {
    pub fn is_symlink(&self) -> bool {
        self.kind == "blob" && self.mode == MODE_SYMLINK
    }

    pub fn is_submodule(&self) -> bool {
        self.kind == "commit" || self.mode == MODE_SUBMODULE
    }
}

/// A full listing of a repository's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub entries: Vec<TreeEntry>,
    /// Folders that could not be listed, with the reason; empty for a complete listing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlisted: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct TreeResponse {
    #[serde(default)]
    truncated: bool,
    tree: Vec<TreeEntry>,
}

/// An error that kept a tree from being listed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TreeError {
    /// 409 "Git Repository is empty."
    #[error("the repository is empty")]
    Empty,
    #[error("the repository or its tree was not found, or the token has no access to it")]
    NotFound,
    #[error("no access to the repository tree: {0}")]
    Forbidden(String),
    #[error("cannot list the repository tree: {0}")]
    Failed(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Lists every entry under the tree `tree_sha` of `repository` (`owner/name`).
pub async fn list_tree(
    transport: &Transport,
    repository: &str,
    tree_sha: &str,
) -> Result<Listing, TreeError> {
    let path = format!("/repos/{repository}/git/trees/{tree_sha}?recursive=1");
    let response = fetch_tree(transport, &path).await?;
    if !response.truncated {
        return Ok(Listing {
            entries: response.tree,
            unlisted: Vec::new(),
        });
    }
    // The recursive listing stops at 100,000 entries or 7 MB; GitHub's advice is to list one
    // sub-tree at a time without `recursive` (https://docs.github.com/en/rest/git/trees#get-a-tree).
    warn!(
        repository,
        "the recursive tree listing is truncated; listing folders one by one"
    );
    walk_tree(transport, repository, tree_sha).await
}

async fn walk_tree(
    transport: &Transport,
    repository: &str,
    root_sha: &str,
) -> Result<Listing, TreeError> {
    let mut entries = Vec::new();
    let mut unlisted = Vec::new();
    let mut pending = VecDeque::from([(String::new(), root_sha.to_string())]);
    let mut requests = 0usize;
    while let Some((prefix, sha)) = pending.pop_front() {
        if requests >= MAX_WALK_REQUESTS {
            unlisted.push((
                prefix,
                format!("folder not listed: the walk of a truncated tree stops after {MAX_WALK_REQUESTS} requests"),
            ));
            continue;
        }
        requests += 1;
        let path = format!("/repos/{repository}/git/trees/{sha}");
        let response = match fetch_tree(transport, &path).await {
            Ok(response) => response,
            Err(error) if !prefix.is_empty() => {
                unlisted.push((prefix, format!("folder not listed: {error}")));
                continue;
            }
            Err(error) => return Err(error),
        };
        if response.truncated {
            unlisted.push((
                prefix.clone(),
                "folder listing truncated by GitHub; some files were not seen".to_string(),
            ));
        }
        for mut entry in response.tree {
            if !prefix.is_empty() {
                entry.path = format!("{prefix}/{}", entry.path);
            }
            if entry.kind == "tree" {
                pending.push_back((entry.path.clone(), entry.sha.clone()));
            }
            entries.push(entry);
        }
    }
    Ok(Listing { entries, unlisted })
}

async fn fetch_tree(transport: &Transport, path: &str) -> Result<TreeResponse, TreeError> {
    let reply = transport.get(path).await?;
    match reply.status.as_u16() {
        200 => serde_json::from_slice(&reply.body)
            .map_err(|error| TreeError::Failed(format!("invalid tree response: {error}"))),
        409 => Err(TreeError::Empty),
        404 => Err(TreeError::NotFound),
        401 | 403 => Err(TreeError::Forbidden(reply.message())),
        _ => Err(TreeError::Failed(format!(
            "HTTP {}: {}",
            reply.status.as_u16(),
            reply.message()
        ))),
    }
}
