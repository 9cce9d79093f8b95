//! GraphQL batches: one query resolves the heads of up to `batch_size` repositories, and one
//! query reads up to `batch_size` blobs across repositories, each through aliases.
//!
//! GitHub's cost formula counts the requests needed to fill connections, with a minimum of one
//! point, so these queries, which have no connections, should cost one point each whatever their
//! alias count. That is an estimate from the formula, not a measurement
//! (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
//! GitHub stops a query after 10 seconds. The timeout is expected as 502 or 504, so a batch that
//! gets either is split in half and each half is sent again.

use super::transport::{Transport, TransportError};
use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// A repository and the ref to read it at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoRef {
    /// `owner/name`.
    pub repository: String,
    /// A branch, tag or commit; `None` for the default branch.
    pub git_ref: Option<String>,
}

/// The resolved head of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    Resolved {
        commit: String,
        tree: String,
    },
    /// The repository has no commits.
    Empty,
    NotFound(String),
    RefNotFound(String),
    Failed(String),
}

/// The contents of one blob as GraphQL returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobText {
    Text(String),
    /// Binary, truncated by GraphQL, or without text: read through REST instead.
    NeedsRest,
    Missing(String),
}

const COMMIT_FRAGMENT: &str = "fragment commitTree on Commit { oid tree { oid } }";

fn split_repository(repository: &str) -> (&str, &str) {
    repository.split_once('/').unwrap_or((repository, ""))
}

/// Resolves the head of every repository, in input order.
pub async fn resolve_heads(
    transport: &Transport,
    repos: &[RepoRef],
    batch_size: usize,
) -> Vec<Head> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, repo) in repos.iter().enumerate() {
        groups
            .entry(transport.batch_key(&repo.repository))
            .or_default()
            .push(index);
    }
    let mut batches: Vec<(Vec<usize>, Vec<RepoRef>)> = Vec::new();
    for indices in groups.values() {
        for chunk in indices.chunks(batch_size.max(1)) {
            let refs = chunk.iter().map(|index| repos[*index].clone()).collect();
            batches.push((chunk.to_vec(), refs));
        }
    }
    let results =
        futures::future::join_all(batches.iter().map(|(_, refs)| heads_batch(transport, refs)))
            .await;
    let mut heads = vec![Head::Failed("not resolved".to_string()); repos.len()];
    for ((indices, _), batch_heads) in batches.iter().zip(results) {
        for (index, head) in indices.iter().zip(batch_heads) {
            heads[*index] = head;
        }
    }
    heads
}

fn heads_batch<'a>(transport: &'a Transport, repos: &'a [RepoRef]) -> BoxFuture<'a, Vec<Head>> {
    async move {
        let body = heads_query(repos);
        let owner = split_repository(&repos[0].repository).0;
        match transport.graphql(owner, &body, repos.len() > 1).await {
            Ok(reply) if reply.status.is_success() => {
                match serde_json::from_slice::<Value>(&reply.body) {
                    Ok(value) => parse_heads(repos, &value),
                    Err(error) => {
                        failed_all(repos.len(), format!("invalid GraphQL response: {error}"))
                    }
                }
            }
            Ok(reply) => failed_all(
                repos.len(),
                format!(
                    "GraphQL request failed with HTTP {}: {}",
                    reply.status.as_u16(),
                    reply.message()
                ),
            ),
            Err(TransportError::GatewayTimeout(_)) => {
                let (left, right) = repos.split_at(repos.len() / 2);
                let mut heads = heads_batch(transport, left).await;
                heads.extend(heads_batch(transport, right).await);
                heads
            }
            Err(error) => failed_all(repos.len(), error.to_string()),
        }
    }
    .boxed()
}

fn failed_all(count: usize, message: String) -> Vec<Head> {
    vec![Head::Failed(message); count]
}

/// Builds the heads query with variables, so that no name or ref is pasted into query text.
fn heads_query(repos: &[RepoRef]) -> Value {
    let mut declarations = Vec::new();
    let mut fields = Vec::new();
    let mut variables = Map::new();
    for (index, repo) in repos.iter().enumerate() {
        let (owner, name) = split_repository(&repo.repository);
        declarations.push(format!("$o{index}: String!, $n{index}: String!"));
        variables.insert(format!("o{index}"), json!(owner));
        variables.insert(format!("n{index}"), json!(name));
        let pinned = match &repo.git_ref {
            Some(git_ref) => {
                declarations.push(format!("$e{index}: String!"));
                variables.insert(format!("e{index}"), json!(git_ref));
                // A lightweight tag or a branch resolves to a commit, an annotated tag to a Tag.
                format!(
                    " pinned: object(expression: $e{index}) {{ ...commitTree ... on Tag {{ target {{ ...commitTree }} }} }}"
                )
            }
            None => String::new(),
        };
        fields.push(format!(
            "r{index}: repository(owner: $o{index}, name: $n{index}) {{ isEmpty defaultBranchRef {{ target {{ ...commitTree }} }}{pinned} }}"
        ));
    }
    let query = format!(
        "query Heads({}) {{ {} rateLimit {{ cost remaining resetAt }} }} {COMMIT_FRAGMENT}",
        declarations.join(", "),
        fields.join(" ")
    );
    json!({ "query": query, "variables": variables })
}

/// Returns the errors of a GraphQL response by the alias of their first path element, and the
/// errors that name no alias.
fn errors_by_alias(value: &Value) -> (HashMap<String, Value>, Vec<String>) {
    let mut by_alias = HashMap::new();
    let mut general = Vec::new();
    for error in value
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let alias = error
            .get("path")
            .and_then(Value::as_array)
            .and_then(|path| path.first())
            .and_then(Value::as_str);
        match alias {
            Some(alias) => {
                by_alias
                    .entry(alias.to_string())
                    .or_insert_with(|| error.clone());
            }
            None => general.push(
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("GraphQL error")
                    .to_string(),
            ),
        }
    }
    (by_alias, general)
}

fn error_text(error: &Value) -> (String, String) {
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("GraphQL error")
        .to_string();
    (kind, message)
}

fn commit_of(object: &Value) -> Option<(String, String)> {
    let commit = object.get("oid")?.as_str()?;
    let tree = object.get("tree")?.get("oid")?.as_str()?;
    Some((commit.to_string(), tree.to_string()))
}

fn parse_heads(repos: &[RepoRef], value: &Value) -> Vec<Head> {
    let (errors, general) = errors_by_alias(value);
    let data = value.get("data");
    repos
        .iter()
        .enumerate()
        .map(|(index, repo)| {
            let alias = format!("r{index}");
            let node = data
                .and_then(|data| data.get(&alias))
                .filter(|node| !node.is_null());
            let Some(node) = node else {
                return match errors.get(&alias).map(error_text) {
                    Some((kind, message)) if kind == "NOT_FOUND" || kind == "FORBIDDEN" => {
                        Head::NotFound(message)
                    }
                    Some((_, message)) => Head::Failed(message),
                    None if !general.is_empty() => Head::Failed(general.join("; ")),
                    None => Head::NotFound(format!(
                        "Could not resolve to a Repository with the name '{}'.",
                        repo.repository
                    )),
                };
            };
            if node.get("isEmpty").and_then(Value::as_bool) == Some(true) {
                return Head::Empty;
            }
            let resolved = match &repo.git_ref {
                Some(git_ref) => {
                    let pinned = node.get("pinned").filter(|pinned| !pinned.is_null());
                    match pinned {
                        Some(pinned) => {
                            commit_of(pinned).or_else(|| commit_of(pinned.get("target")?))
                        }
                        None => return Head::RefNotFound(git_ref.clone()),
                    }
                }
                None => node
                    .get("defaultBranchRef")
                    .and_then(|reference| reference.get("target"))
                    .and_then(commit_of),
            };
            match resolved {
                Some((commit, tree)) => Head::Resolved { commit, tree },
                None => match &repo.git_ref {
                    // NOTE: a tag that points at another tag is not followed past one level.
                    Some(git_ref) => Head::RefNotFound(git_ref.clone()),
                    None => Head::Empty,
                },
            }
        })
        .collect()
}

/// A blob to read, with its repository (GraphQL reads objects through a repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRequest {
    pub repository: String,
    pub sha: String,
    /// Size from the tree listing, to bound the bytes of one batch.
    pub size: u64,
}

/// Reads blobs in batches of at most `batch_size` blobs and `max_batch_bytes` bytes.
pub async fn read_blobs(
    transport: &Transport,
    blobs: &[BlobRequest],
    batch_size: usize,
    max_batch_bytes: u64,
    concurrency: usize,
) -> HashMap<String, BlobText> {
    use futures::StreamExt;
    let mut groups: BTreeMap<String, Vec<BlobRequest>> = BTreeMap::new();
    for blob in blobs {
        groups
            .entry(transport.batch_key(&blob.repository))
            .or_default()
            .push(blob.clone());
    }
    let mut batches: Vec<&[BlobRequest]> = Vec::new();
    for group in groups.values() {
        let mut start = 0;
        let mut bytes = 0u64;
        for (index, blob) in group.iter().enumerate() {
            let full = index - start >= batch_size.max(1)
                || (index > start && bytes + blob.size > max_batch_bytes);
            if full {
                batches.push(&group[start..index]);
                start = index;
                bytes = 0;
            }
            bytes += blob.size;
        }
        if start < group.len() {
            batches.push(&group[start..]);
        }
    }
    let results: Vec<HashMap<String, BlobText>> = futures::stream::iter(batches)
        .map(|batch| blobs_batch(transport, batch))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    results.into_iter().flatten().collect()
}

fn blobs_batch<'a>(
    transport: &'a Transport,
    blobs: &'a [BlobRequest],
) -> BoxFuture<'a, HashMap<String, BlobText>> {
    async move {
        let (body, aliases) = blobs_query(blobs);
        let failed = |message: String| {
            blobs
                .iter()
                .map(|blob| (blob.sha.clone(), BlobText::Missing(message.clone())))
                .collect::<HashMap<_, _>>()
        };
        let owner = split_repository(&blobs[0].repository).0;
        match transport.graphql(owner, &body, blobs.len() > 1).await {
            Ok(reply) if reply.status.is_success() => {
                match serde_json::from_slice::<Value>(&reply.body) {
                    Ok(value) => parse_blobs(&aliases, &value),
                    Err(error) => failed(format!("invalid GraphQL response: {error}")),
                }
            }
            Ok(reply) => failed(format!(
                "GraphQL request failed with HTTP {}: {}",
                reply.status.as_u16(),
                reply.message()
            )),
            Err(TransportError::GatewayTimeout(_)) => {
                let (left, right) = blobs.split_at(blobs.len() / 2);
                let mut texts = blobs_batch(transport, left).await;
                texts.extend(blobs_batch(transport, right).await);
                texts
            }
            Err(error) => failed(error.to_string()),
        }
    }
    .boxed()
}

/// An alias of the blobs query: the repository alias, the blob alias and the blob id.
struct BlobAlias {
    repository: String,
    blob: String,
    sha: String,
}

fn blobs_query(blobs: &[BlobRequest]) -> (Value, Vec<BlobAlias>) {
    let mut order: Vec<&str> = Vec::new();
    let mut by_repository: HashMap<&str, Vec<&BlobRequest>> = HashMap::new();
    for blob in blobs {
        let entry = by_repository.entry(blob.repository.as_str()).or_default();
        if entry.is_empty() {
            order.push(blob.repository.as_str());
        }
        if !entry.iter().any(|other| other.sha == blob.sha) {
            entry.push(blob);
        }
    }
    let mut declarations = Vec::new();
    let mut fields = Vec::new();
    let mut variables = Map::new();
    let mut aliases = Vec::new();
    for (repo_index, repository) in order.iter().enumerate() {
        let (owner, name) = split_repository(repository);
        declarations.push(format!("$o{repo_index}: String!, $n{repo_index}: String!"));
        variables.insert(format!("o{repo_index}"), json!(owner));
        variables.insert(format!("n{repo_index}"), json!(name));
        let mut objects = Vec::new();
        for (blob_index, blob) in by_repository[repository].iter().enumerate() {
            let alias = format!("b{repo_index}_{blob_index}");
            declarations.push(format!("${alias}: GitObjectID!"));
            variables.insert(alias.clone(), json!(blob.sha));
            objects.push(format!(
                "{alias}: object(oid: ${alias}) {{ ... on Blob {{ oid byteSize isBinary isTruncated text }} }}"
            ));
            aliases.push(BlobAlias {
                repository: format!("r{repo_index}"),
                blob: alias,
                sha: blob.sha.clone(),
            });
        }
        fields.push(format!(
            "r{repo_index}: repository(owner: $o{repo_index}, name: $n{repo_index}) {{ {} }}",
            objects.join(" ")
        ));
    }
    let query = format!(
        "query Blobs({}) {{ {} }}",
        declarations.join(", "),
        fields.join(" ")
    );
    (json!({ "query": query, "variables": variables }), aliases)
}

fn parse_blobs(aliases: &[BlobAlias], value: &Value) -> HashMap<String, BlobText> {
    let (errors, general) = errors_by_alias(value);
    let data = value.get("data");
    aliases
        .iter()
        .map(|alias| {
            let node = data
                .and_then(|data| data.get(&alias.repository))
                .and_then(|repository| repository.get(&alias.blob))
                .filter(|node| !node.is_null());
            let text = match node {
                Some(node) => {
                    let truncated = node
                        .get("isTruncated")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    let binary = node
                        .get("isBinary")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    match node.get("text").and_then(Value::as_str) {
                        Some(text) if !truncated && !binary => BlobText::Text(text.to_string()),
                        _ => BlobText::NeedsRest,
                    }
                }
                None => {
                    let message = errors
                        .get(&alias.repository)
                        .map(|error| error_text(error).1)
                        .or_else(|| (!general.is_empty()).then(|| general.join("; ")))
                        .unwrap_or_else(|| "blob not found".to_string());
                    BlobText::Missing(message)
                }
            };
            (alias.sha.clone(), text)
        })
        .collect()
}
