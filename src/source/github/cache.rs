//! The disk cache: tree listings by tree id and file contents by blob id. Git object ids name
//! their content, so an entry never goes stale and needs no expiry.

use super::tree::Listing;
use sha1::{Digest, Sha1};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::warn;

/// Returns the default cache folder: `$XDG_CACHE_HOME/dockgrade/github`, else
/// `$HOME/.cache/dockgrade/github`, else `None`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|value| !value.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(base.join("dockgrade").join("github"))
}

/// A content-addressed store on disk, or no store at all (`--no-cache`).
#[derive(Debug)]
pub struct Cache {
    root: Option<PathBuf>,
    sequence: AtomicU64,
}

impl Cache {
    pub fn new(root: Option<PathBuf>) -> Cache {
        Cache {
            root,
            sequence: AtomicU64::new(0),
        }
    }

    /// Returns a cached tree listing. A file that does not parse is removed with a warning, so
    /// that the caller lists the tree again and rewrites it.
    pub fn tree(&self, tree_sha: &str) -> Option<Listing> {
        let path = self.path_of("trees", tree_sha)?;
        let bytes = fs::read(&path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(listing) => Some(listing),
            Err(error) => {
                warn!(path = %path.display(), %error, "ignoring a corrupt cache file; it will be rebuilt");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    pub fn put_tree(&self, tree_sha: &str, listing: &Listing) {
        if let Ok(bytes) = serde_json::to_vec(listing) {
            self.write("trees", tree_sha, &bytes);
        }
    }

    /// Returns cached blob bytes. Bytes whose git blob id differs from `blob_sha` (a
    /// half-written or damaged file) are removed with a warning.
    pub fn blob(&self, blob_sha: &str) -> Option<Vec<u8>> {
        let path = self.path_of("blobs", blob_sha)?;
        let bytes = fs::read(&path).ok()?;
        if git_blob_id(&bytes) == blob_sha.to_ascii_lowercase() {
            return Some(bytes);
        }
        warn!(path = %path.display(), "ignoring a corrupt cache file; it will be rebuilt");
        let _ = fs::remove_file(&path);
        None
    }

    pub fn put_blob(&self, blob_sha: &str, bytes: &[u8]) {
        self.write("blobs", blob_sha, bytes);
    }

    /// Returns a cached API page with its `etag`, stored under the SHA-1 of `key`. Unlike trees
    /// and blobs a page can change, so it is only used after the server responds with 304.
    pub fn page(&self, key: &str) -> Option<CachedPage> {
        let path = self.path_of("pages", &page_id(key))?;
        let bytes = fs::read(&path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(page) => Some(page),
            Err(error) => {
                warn!(path = %path.display(), %error, "ignoring a corrupt cache file; it will be rebuilt");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    pub fn put_page(&self, key: &str, page: &CachedPage) {
        if let Ok(bytes) = serde_json::to_vec(page) {
            self.write("pages", &page_id(key), &bytes);
        }
    }

    /// Returns `<root>/<kind>/<first two hex digits>/<id>`, or `None` without a cache or for an
    /// id that is not hexadecimal (it could name a path outside the cache).
    fn path_of(&self, kind: &str, id: &str) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        let is_hex = id.len() >= 4 && id.bytes().all(|byte| byte.is_ascii_hexdigit());
        if !is_hex {
            return None;
        }
        let id = id.to_ascii_lowercase();
        Some(root.join(kind).join(&id[..2]).join(&id))
    }

    /// Writes through a temporary file and a rename, so that a reader never sees half a file.
    fn write(&self, kind: &str, id: &str, bytes: &[u8]) {
        let Some(path) = self.path_of(kind, id) else {
            return;
        };
        if let Err(error) = self.write_atomically(&path, bytes) {
            warn!(path = %path.display(), %error, "cannot write the cache file");
        }
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let folder = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(folder)?;
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let temporary = folder.join(format!(
            ".tmp-{}-{sequence}-{}",
            std::process::id(),
            path.file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("entry")
        ));
        let result = (|| {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temporary, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result
    }
}

/// One page of a listing endpoint, kept for conditional requests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CachedPage {
    pub etag: String,
    pub body: String,
    /// The `rel="next"` link of the page, if any.
    pub next: Option<String>,
}

fn page_id(key: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(key.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Returns the git object id of a blob: SHA-1 over `blob <size>\0` and the bytes.
pub fn git_blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_id_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
