//! Sources turn one repository entry into a snapshot: every path in the tree plus the bytes of the container files.

pub mod github;
pub mod local;

use serde::Serialize;
use std::collections::BTreeMap;

/// A file that discovery saw but did not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A repository as read at one point in time.
///
/// Nothing after the source stage can tell whether the bytes came from a local directory or from GitHub.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every file path of the tree (skipped folders excluded), relative to the root, `/`-separated, sorted.
    pub paths: Vec<String>,
    /// Bytes of the files the loaders may need (container files, `.env` files, YAML files), by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Files and folders that were seen but not read.
    pub skipped: Vec<Skipped>,
    /// The commit the snapshot was read at, when the source has it.
    pub commit: Option<String>,
}

impl Snapshot {
    /// Returns the text of a file, or `None` when it was not read or is not UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files
            .get(path)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
    }

    /// Tells whether the tree contains `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.paths
            .binary_search_by(|p| p.as_str().cmp(path))
            .is_ok()
    }
}
