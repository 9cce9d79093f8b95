//! The local source: a snapshot of a directory on disk.

use crate::config::{Discovery, RepoEntry, DEFAULT_SKIP};
use crate::discover;
use crate::source::{Skipped, Snapshot};
use globset::{GlobSet, GlobSetBuilder};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Maximum size of a file that the source reads, in bytes (1 MiB). A larger file is listed as
/// skipped instead of being read, which bounds the memory a repository can take.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How to read a local repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// Folders to leave out. A name without `/` (`node_modules`) matches a folder of that name at
    /// any depth. A path with `/` (`docs/legacy`) matches that folder from the repository root.
    pub skip: Vec<String>,
    /// Globs over repository paths; when not empty, only files that match one are kept.
    pub include: Vec<String>,
    /// Globs over repository paths; files that match one are left out.
    pub exclude: Vec<String>,
    /// Maximum size of a file to read, in bytes.
    pub max_file_bytes: u64,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            skip: DEFAULT_SKIP.iter().map(|name| name.to_string()).collect(),
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl LocalOptions {
    /// Builds the options for one repository entry of repos.toml.
    pub fn for_repo(discovery: &Discovery, repo: &RepoEntry) -> Self {
        LocalOptions {
            skip: discovery.skip.clone(),
            include: repo.include.clone(),
            exclude: repo.exclude.clone(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// An error that keeps a whole repository from being read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("repository folder {} not found", path.display())]
    NotFound { path: PathBuf },
    #[error("repository path {} is not a folder: dockgrade grades folders, so give the folder that holds it", path.display())]
    NotAFolder { path: PathBuf },
    #[error("cannot read repository folder {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("invalid {list} glob `{glob}`: {message}")]
    InvalidGlob {
        /// `include` or `exclude`.
        list: &'static str,
        glob: String,
        message: String,
    },
}

/// Reads the directory `root` into a snapshot.
///
/// `paths` lists every file outside the skipped folders that the include and exclude globs keep.
/// `files` contains the bytes of the files that later stages parse: Dockerfiles, Compose files,
/// ignore files, `.env` files and every YAML file (Compose `extends` and `include` may name any
/// YAML file). Skipped folders, files over the size limit, unreadable files, and symbolic links
/// that are broken, point outside `root` or point to a folder are listed in `skipped` with the
/// reason. A symbolic link to a file inside `root` is read as its target.
pub fn read_local(root: &Path, options: &LocalOptions) -> Result<Snapshot, SourceError> {
    let metadata = fs::metadata(root).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => SourceError::NotFound {
            path: root.to_path_buf(),
        },
        _ => SourceError::Io {
            path: root.to_path_buf(),
            source,
        },
    })?;
    if !metadata.is_dir() {
        return Err(SourceError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    let canonical_root = fs::canonicalize(root).map_err(|source| SourceError::Io {
        path: root.to_path_buf(),
        source,
    })?;

    let mut walker = Walker {
        root: canonical_root.clone(),
        options,
        filter: PathFilter::new(options)?,
        snapshot: Snapshot::default(),
    };
    let entries = read_sorted_dir(&canonical_root).map_err(|source| SourceError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    walker.walk_entries(entries, "");

    let mut snapshot = walker.snapshot;
    snapshot.paths.sort();
    snapshot.paths.dedup();
    snapshot.skipped.sort();
    Ok(snapshot)
}

struct Walker<'a> {
    /// The canonical repository root, so that symbolic link targets can be compared with it.
    root: PathBuf,
    options: &'a LocalOptions,
    filter: PathFilter,
    snapshot: Snapshot,
}

impl Walker<'_> {
    fn walk_entries(&mut self, entries: Vec<fs::DirEntry>, prefix: &str) {
        for entry in entries {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                let lossy = entry.file_name().to_string_lossy().into_owned();
                self.skip(
                    join(prefix, &lossy),
                    "the file name is not valid UTF-8".to_string(),
                );
                continue;
            };
            let relative = join(prefix, &name);
            let file_type = match entry.file_type() {
                Ok(file_type) => file_type,
                Err(error) => {
                    self.skip(relative, format!("cannot read file type: {error}"));
                    continue;
                }
            };

            if file_type.is_dir() {
                self.visit_folder(&entry.path(), &relative, &name);
            } else if file_type.is_symlink() {
                self.visit_symlink(&entry.path(), &relative);
            } else if file_type.is_file() {
                self.visit_file(&entry.path(), &relative);
            } else if self.keep(&relative) {
                self.snapshot.paths.push(relative.clone());
                self.skip(
                    relative,
                    "not a regular file (a socket, FIFO or device)".to_string(),
                );
            }
        }
    }

    fn visit_folder(&mut self, absolute: &Path, relative: &str, name: &str) {
        if let Some(rule) = self.skip_rule(relative, name) {
            let reason = format!("folder skipped by the [discovery] skip entry `{rule}`");
            self.skip(relative.to_string(), reason);
            return;
        }
        match read_sorted_dir(absolute) {
            Ok(entries) => self.walk_entries(entries, relative),
            Err(error) => self.skip(relative.to_string(), format!("cannot read folder: {error}")),
        }
    }

    /// Reads a symbolic link as its target when the target is a file inside the repository.
    fn visit_symlink(&mut self, absolute: &Path, relative: &str) {
        if !self.keep(relative) {
            return;
        }
        self.snapshot.paths.push(relative.to_string());

        let target = match fs::canonicalize(absolute) {
            Ok(target) => target,
            Err(error) => {
                let reason = format!("broken symbolic link: {error}");
                self.skip(relative.to_string(), reason);
                return;
            }
        };
        if !target.starts_with(&self.root) {
            let reason = "symbolic link points outside the repository; not followed".to_string();
            self.skip(relative.to_string(), reason);
            return;
        }
        if target.is_dir() {
            // Git stores a link to a folder as a link, so the GitHub source cannot follow it
            // either, and following it here could walk the same files twice or loop.
            let reason = "symbolic link to a folder; not followed".to_string();
            self.skip(relative.to_string(), reason);
            return;
        }
        self.read_if_wanted(&target, relative);
    }

    fn visit_file(&mut self, absolute: &Path, relative: &str) {
        if !self.keep(relative) {
            return;
        }
        self.snapshot.paths.push(relative.to_string());
        self.read_if_wanted(absolute, relative);
    }

    /// Applies the include and exclude globs, listing a left-out file when a later stage would
    /// have read it.
    fn keep(&mut self, relative: &str) -> bool {
        let Some(reason) = self.filter.rejection(relative) else {
            return true;
        };
        if is_wanted(relative) {
            self.skip(relative.to_string(), reason);
        }
        false
    }

    fn read_if_wanted(&mut self, absolute: &Path, relative: &str) {
        if !is_wanted(relative) {
            return;
        }
        match read_capped(absolute, self.options.max_file_bytes) {
            Ok(Some(bytes)) => {
                self.snapshot.files.insert(relative.to_string(), bytes);
            }
            Ok(None) => {
                let reason = format!(
                    "larger than the {} byte limit for files that are read",
                    self.options.max_file_bytes
                );
                self.skip(relative.to_string(), reason);
            }
            Err(error) => self.skip(relative.to_string(), format!("cannot read file: {error}")),
        }
    }

    /// Returns the `skip` entry that matches a folder, if any.
    fn skip_rule(&self, relative: &str, name: &str) -> Option<String> {
        skip_rule(&self.options.skip, relative, name)
    }

    fn skip(&mut self, path: String, reason: String) {
        self.snapshot.skipped.push(Skipped { path, reason });
    }
}

/// Returns the `skip` entry that matches the folder `relative` named `name`, if any.
pub(crate) fn skip_rule(skip: &[String], relative: &str, name: &str) -> Option<String> {
    skip.iter()
        .find(|rule| {
            let rule = rule.trim_matches('/');
            if rule.contains('/') {
                rule == relative
            } else {
                rule == name
            }
        })
        .cloned()
}

/// Tells whether a later stage needs the file's bytes.
pub(crate) fn is_wanted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lowercase = name.to_ascii_lowercase();
    let is_env_file = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
    let is_yaml = lowercase.ends_with(".yml") || lowercase.ends_with(".yaml");
    discover::is_dockerfile(path)
        || discover::is_compose_file(path)
        || discover::is_ignore_file(path)
        || is_env_file
        || is_yaml
}

/// Reads a file, or returns `None` when it is larger than `max_bytes`.
fn read_capped(path: &Path, max_bytes: u64) -> io::Result<Option<Vec<u8>>> {
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Ok(None);
    }
    Ok(Some(bytes))
}

fn read_sorted_dir(path: &Path) -> io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(path)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    Ok(entries)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// The include and exclude globs of a repository entry.
pub(crate) struct PathFilter {
    include: Option<(GlobSet, Vec<String>)>,
    exclude: Option<(GlobSet, Vec<String>)>,
}

impl PathFilter {
    pub(crate) fn new(options: &LocalOptions) -> Result<PathFilter, SourceError> {
        Ok(PathFilter {
            include: compile_globs("include", &options.include)?,
            exclude: compile_globs("exclude", &options.exclude)?,
        })
    }

    /// Returns why the globs leave `path` out, or `None` when they keep it.
    pub(crate) fn rejection(&self, path: &str) -> Option<String> {
        if let Some((set, _)) = &self.include {
            if !set.is_match(path) {
                return Some("matches no include glob".to_string());
            }
        }
        if let Some((set, globs)) = &self.exclude {
            if let Some(&index) = set.matches(path).first() {
                return Some(format!("matches the exclude glob `{}`", globs[index]));
            }
        }
        None
    }
}

fn compile_globs(
    list: &'static str,
    globs: &[String],
) -> Result<Option<(GlobSet, Vec<String>)>, SourceError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let compiled =
            discover::compile_path_glob(glob).map_err(|error| SourceError::InvalidGlob {
                list,
                glob: glob.clone(),
                message: error.kind().to_string(),
            })?;
        builder.add(compiled);
    }
    let set = builder.build().map_err(|error| SourceError::InvalidGlob {
        list,
        glob: globs.join(", "),
        message: error.to_string(),
    })?;
    Ok(Some((set, globs.to_vec())))
}

/// Reads more files of a snapshot taken with [`read_local`]: files that Compose names as
/// Dockerfiles under names discovery does not recognise (`build.dockerfile: ci/app.build`), and
/// files that repos.toml names explicitly, even where include or exclude globs left them out.
///
/// Each file must lie inside `root` and is read under the same size limit. A file that does not
/// exist is passed over (the caller reports it); one that cannot be read is listed in `skipped`
/// with the reason.
pub fn read_more(root: &Path, options: &LocalOptions, snapshot: &mut Snapshot, paths: &[String]) {
    let Ok(canonical_root) = fs::canonicalize(root) else {
        return;
    };
    for path in paths {
        if snapshot.files.contains_key(path) {
            continue;
        }
        let target = match fs::canonicalize(canonical_root.join(path)) {
            Ok(target) if target.starts_with(&canonical_root) && target.is_file() => target,
            Ok(_) => continue,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => {
                snapshot.skipped.push(Skipped {
                    path: path.clone(),
                    reason: format!("cannot read file: {error}"),
                });
                continue;
            }
        };
        if let Err(position) = snapshot.paths.binary_search(path) {
            snapshot.paths.insert(position, path.clone());
        }
        match read_capped(&target, options.max_file_bytes) {
            Ok(Some(bytes)) => {
                snapshot.files.insert(path.clone(), bytes);
                // A file a glob left out but repos.toml names is read after all.
                snapshot.skipped.retain(|skipped| skipped.path != *path);
            }
            Ok(None) => snapshot.skipped.push(Skipped {
                path: path.clone(),
                reason: format!(
                    "larger than the {} byte limit for files that are read",
                    options.max_file_bytes
                ),
            }),
            Err(error) => snapshot.skipped.push(Skipped {
                path: path.clone(),
                reason: format!("cannot read file: {error}"),
            }),
        }
    }
    snapshot.skipped.sort();
}
