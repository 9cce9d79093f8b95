//! File contents by blob id: the disk cache first, then GraphQL batches across repositories,
//! then the REST blob endpoint for blobs that GraphQL truncates or reports as binary.

use super::cache::{git_blob_id, Cache};
use super::graphql::{read_blobs, BlobRequest, BlobText};
use super::transport::Transport;
use base64::Engine as _;
use futures::StreamExt;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Limits of one blob batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub batch_size: usize,
    /// Sum of blob sizes in one GraphQL query, to stay well under the 10 second server limit.
    pub max_batch_bytes: u64,
    pub concurrency: usize,
}

/// Returns the bytes of every requested blob by id, or why it could not be read.
///
/// `requests` maps a blob id to one repository that contains it and its size. Any such
/// repository can serve the blob, so a blob shared by several repositories is read once.
pub async fn load_blobs(
    transport: &Transport,
    cache: &Cache,
    requests: &BTreeMap<String, (String, u64)>,
    limits: BatchLimits,
) -> HashMap<String, Result<Vec<u8>, String>> {
    let mut contents = HashMap::new();
    let mut missing = Vec::new();
    for (sha, (repository, size)) in requests {
        match cache.blob(sha) {
            Some(bytes) => {
                transport.stats().count_cached();
                contents.insert(sha.clone(), Ok(bytes));
            }
            None => missing.push(BlobRequest {
                repository: repository.clone(),
                sha: sha.clone(),
                size: *size,
            }),
        }
    }
    if missing.is_empty() {
        return contents;
    }

    let texts = read_blobs(
        transport,
        &missing,
        limits.batch_size,
        limits.max_batch_bytes,
        limits.concurrency,
    )
    .await;
    let mut fallback = Vec::new();
    for blob in &missing {
        match texts.get(&blob.sha) {
            // GraphQL returns text, so bytes that do not survive the trip as UTF-8 would not
            // match their blob id. The REST endpoint returns the exact bytes.
            Some(BlobText::Text(text)) if git_blob_id(text.as_bytes()) != blob.sha => {
                fallback.push(blob)
            }
            Some(BlobText::Text(text)) => {
                cache.put_blob(&blob.sha, text.as_bytes());
                contents.insert(blob.sha.clone(), Ok(text.clone().into_bytes()));
            }
            Some(BlobText::Missing(message)) => {
                contents.insert(blob.sha.clone(), Err(message.clone()));
            }
            Some(BlobText::NeedsRest) | None => fallback.push(blob),
        }
    }

    let fetched: Vec<(String, Result<Vec<u8>, String>)> = futures::stream::iter(fallback)
        .map(|blob| async move {
            let result = rest_blob(transport, &blob.repository, &blob.sha).await;
            (blob.sha.clone(), result)
        })
        .buffer_unordered(limits.concurrency.max(1))
        .collect()
        .await;
    for (sha, result) in fetched {
        if let Ok(bytes) = &result {
            cache.put_blob(&sha, bytes);
        }
        contents.insert(sha, result);
    }
    contents
}

#[derive(Deserialize)]
struct BlobResponse {
    content: String,
    encoding: String,
}

/// Reads one blob through `GET /repos/{owner}/{repo}/git/blobs/{sha}`, which returns the
/// content as base64.
async fn rest_blob(transport: &Transport, repository: &str, sha: &str) -> Result<Vec<u8>, String> {
    let reply = transport
        .get(&format!("/repos/{repository}/git/blobs/{sha}"))
        .await
        .map_err(|error| error.to_string())?;
    if !reply.status.is_success() {
        return Err(format!(
            "blob {sha}: HTTP {}: {}",
            reply.status.as_u16(),
            reply.message()
        ));
    }
    let blob: BlobResponse = serde_json::from_slice(&reply.body)
        .map_err(|error| format!("blob {sha}: invalid response: {error}"))?;
    match blob.encoding.as_str() {
        "base64" => {
            let compact: String = blob.content.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|error| format!("blob {sha}: invalid base64: {error}"))
        }
        "utf-8" | "utf8" => Ok(blob.content.into_bytes()),
        other => Err(format!("blob {sha}: unknown encoding `{other}`")),
    }
}
