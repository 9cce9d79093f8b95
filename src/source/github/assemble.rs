//! Snapshot assembly: turns a tree listing and blob contents into the same [`Snapshot`] that the
//! local source builds from a folder, with the same skip rules, globs, size limit and reasons.

use super::tree::{Listing, TreeEntry};
use crate::source::local::{is_wanted, skip_rule, LocalOptions, PathFilter, SourceError};
use crate::source::{Skipped, Snapshot};
use std::collections::{BTreeMap, HashMap};

/// The first line of a Git LFS pointer file.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Linux gives up after 40 links in one path resolution (`ELOOP`); the same bound applies here.
const MAX_LINK_HOPS: usize = 40;

/// A file to read: its repository path and the blob that contains its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub path: String,
    pub sha: String,
    pub size: u64,
}

/// The contents of blobs by id, or why a blob could not be read.
pub type Contents = HashMap<String, Result<Vec<u8>, String>>;

/// A snapshot being assembled, with the tree index that later reads resolve paths against.
#[derive(Debug)]
pub struct Assembly {
    pub snapshot: Snapshot,
    /// Regular files to read in the first round.
    pub reads: Vec<Read>,
    /// Symbolic links whose blob (the target path) must be read before they can be resolved.
    pub links: Vec<Read>,
    index: HashMap<String, TreeEntry>,
    max_file_bytes: u64,
}

impl Assembly {
    /// Lists the files of a tree the way the local source walks a folder.
    pub fn plan(
        listing: &Listing,
        options: &LocalOptions,
        commit: &str,
    ) -> Result<Assembly, SourceError> {
        let filter = PathFilter::new(options)?;
        let index: HashMap<String, TreeEntry> = listing
            .entries
            .iter()
            .map(|entry| (entry.path.clone(), entry.clone()))
            .collect();
        let mut assembly = Assembly {
            snapshot: Snapshot {
                commit: Some(commit.to_string()),
                ..Snapshot::default()
            },
            reads: Vec::new(),
            links: Vec::new(),
            index,
            max_file_bytes: options.max_file_bytes,
        };

        for entry in &listing.entries {
            if in_skipped_folder(&options.skip, &entry.path) {
                continue;
            }
            if entry.kind == "tree" {
                let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
                if let Some(rule) = skip_rule(&options.skip, &entry.path, name) {
                    assembly.skip(
                        &entry.path,
                        format!("folder skipped by the [discovery] skip entry `{rule}`"),
                    );
                }
                continue;
            }
            if let Some(reason) = filter.rejection(&entry.path) {
                if is_wanted(&entry.path) {
                    assembly.skip(&entry.path, reason);
                }
                continue;
            }
            if entry.is_submodule() {
                assembly.skip(
                    &entry.path,
                    format!("submodule at commit {}; not followed", entry.sha),
                );
                continue;
            }
            assembly.snapshot.paths.push(entry.path.clone());
            let read = Read {
                path: entry.path.clone(),
                sha: entry.sha.clone(),
                size: entry.size.unwrap_or(0),
            };
            if entry.is_symlink() {
                assembly.links.push(read);
            } else if is_wanted(&entry.path) {
                assembly.push_read(read);
            }
        }
        for (folder, reason) in &listing.unlisted {
            let folder = if folder.is_empty() { "." } else { folder };
            assembly.skip(folder, reason.clone());
        }
        assembly.snapshot.paths.sort();
        assembly.snapshot.paths.dedup();
        Ok(assembly)
    }

    /// Resolves the symbolic links once their blobs are in `contents`, and returns the target
    /// blobs to read. A link is read as its target when the target is a file inside the
    /// repository, as the local source does.
    pub fn resolve_links(&mut self, contents: &Contents) -> Vec<Read> {
        let mut reads = Vec::new();
        for link in std::mem::take(&mut self.links) {
            match self.resolve(&link.path, contents) {
                Ok(target) => {
                    if is_wanted(&link.path) {
                        let read = Read {
                            path: link.path.clone(),
                            sha: target.sha.clone(),
                            size: target.size.unwrap_or(0),
                        };
                        if self.fits(&read) {
                            reads.push(read);
                        }
                    }
                }
                Err(reason) => self.skip(&link.path, reason),
            }
        }
        self.reads.extend(reads.iter().cloned());
        reads
    }

    /// Returns the reads for `paths` that are listed but not read yet (Compose names them as
    /// Dockerfiles), resolving symbolic links whose blobs are in `contents`.
    pub fn more_reads(&mut self, paths: &[String], contents: &Contents) -> Vec<Read> {
        let mut reads = Vec::new();
        for path in paths {
            if self.snapshot.files.contains_key(path) || !self.snapshot.contains(path) {
                continue;
            }
            let Some(entry) = self.index.get(path) else {
                continue;
            };
            let target = if entry.is_symlink() {
                match self.resolve(path, contents) {
                    Ok(target) => target.clone(),
                    Err(_) => continue,
                }
            } else {
                entry.clone()
            };
            let read = Read {
                path: path.clone(),
                sha: target.sha,
                size: target.size.unwrap_or(0),
            };
            if self.fits(&read) {
                reads.push(read);
            }
        }
        reads
    }

    /// Stores the bytes of `reads` in the snapshot. An unreadable blob or an LFS pointer is
    /// listed in `skipped` instead.
    pub fn fill(&mut self, reads: &[Read], contents: &Contents) {
        for read in reads {
            match contents.get(&read.sha) {
                Some(Ok(bytes)) if bytes.starts_with(LFS_POINTER_PREFIX) => self.skip(
                    &read.path,
                    "Git LFS pointer; the file content is stored outside the repository and was not read"
                        .to_string(),
                ),
                Some(Ok(bytes)) => {
                    self.snapshot.files.insert(read.path.clone(), bytes.clone());
                }
                Some(Err(message)) => self.skip(&read.path, format!("cannot read file: {message}")),
                None => self.skip(&read.path, "cannot read file: no content returned".to_string()),
            }
        }
    }

    /// Returns the finished snapshot, with `skipped` sorted as the local source sorts it.
    pub fn finish(mut self) -> Snapshot {
        self.snapshot.skipped.sort();
        self.snapshot.skipped.dedup();
        self.snapshot
    }

    fn push_read(&mut self, read: Read) {
        if self.fits(&read) {
            self.reads.push(read);
        }
    }

    /// Tells whether a file is within the size limit, listing it as skipped when it is not.
    fn fits(&mut self, read: &Read) -> bool {
        if read.size <= self.max_file_bytes {
            return true;
        }
        let reason = format!(
            "larger than the {} byte limit for files that are read",
            self.max_file_bytes
        );
        self.skip(&read.path, reason);
        false
    }

    /// Follows a chain of symbolic links from `path` to a blob of the tree.
    fn resolve(&self, path: &str, contents: &Contents) -> Result<&TreeEntry, String> {
        let mut current = path.to_string();
        for _ in 0..MAX_LINK_HOPS {
            let Some(entry) = self.index.get(&current) else {
                return Err(format!(
                    "broken symbolic link: `{current}` is not in the tree"
                ));
            };
            if entry.kind == "tree" || entry.is_submodule() {
                return Err("symbolic link to a folder; not followed".to_string());
            }
            if !entry.is_symlink() {
                return Ok(entry);
            }
            let target = match contents.get(&entry.sha) {
                Some(Ok(bytes)) => String::from_utf8_lossy(bytes)
                    .trim_end_matches('\n')
                    .to_string(),
                // NOTE: a link reached through another link that the globs or skip rules leave
                // out is not read, so the chain stops there.
                _ => {
                    return Err(format!(
                        "broken symbolic link: cannot read the link `{current}`"
                    ))
                }
            };
            let folder = current.rsplit_once('/').map_or("", |(folder, _)| folder);
            match join_inside(folder, &target) {
                Some(next) => current = next,
                None => {
                    return Err(
                        "symbolic link points outside the repository; not followed".to_string()
                    )
                }
            }
        }
        Err("broken symbolic link: too many levels of symbolic links".to_string())
    }

    fn skip(&mut self, path: &str, reason: String) {
        self.snapshot.skipped.push(Skipped {
            path: path.to_string(),
            reason,
        });
    }
}

/// Tells whether a folder above `path` matches a skip rule. The folder itself is reported once,
/// from its own tree entry.
fn in_skipped_folder(skip: &[String], path: &str) -> bool {
    let mut end = 0;
    while let Some(offset) = path[end..].find('/') {
        let folder = &path[..end + offset];
        let name = folder.rsplit('/').next().unwrap_or(folder);
        if skip_rule(skip, folder, name).is_some() {
            return true;
        }
        end += offset + 1;
    }
    false
}

/// Joins a link target to the link's folder and removes `.` and `..`. Returns `None` when the
/// result leaves the repository or the target is absolute.
fn join_inside(folder: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|part| !part.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Groups reads by blob id, for fetching each blob once.
pub fn unique_blobs(reads: &[Read]) -> BTreeMap<String, u64> {
    reads
        .iter()
        .map(|read| (read.sha.clone(), read.size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_inside_stays_in_repository() {
        assert_eq!(join_inside("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_inside("", "x/./y").as_deref(), Some("x/y"));
        assert_eq!(join_inside("a", "../../x"), None);
        assert_eq!(join_inside("a", "/etc/passwd"), None);
    }

    #[test]
    fn skipped_folder_hides_descendants() {
        let skip = vec!["node_modules".to_string(), "docs/legacy".to_string()];
        assert!(in_skipped_folder(&skip, "web/node_modules/x/Dockerfile"));
        assert!(in_skipped_folder(&skip, "docs/legacy/Dockerfile"));
        assert!(!in_skipped_folder(&skip, "docs/Dockerfile"));
        assert!(!in_skipped_folder(&skip, "node_modules"));
    }
}
