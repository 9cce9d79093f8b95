//! A Compose project after loading: the services the controls read, each value with its file and line.

use crate::finding::Location;
use serde::Serialize;
use std::collections::BTreeMap;

/// A value with the place it came from, after interpolation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    pub value: T,
    pub path: String,
    pub line: usize,
    /// Variables the value referenced that were unset and had no default, sorted. A variable
    /// that `${VAR:?message}` requires is listed when it is unset or empty.
    pub unset: Vec<String>,
}

impl<T> Located<T> {
    pub fn location(&self) -> Location {
        Location::new(self.path.clone(), self.line)
    }
}

/// One Compose project: a base file with its overrides, loaded as `docker compose -f ... -f ...` would.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The files given with `-f`, in order, relative to the repository root.
    pub files: Vec<String>,
    /// Services sorted by name.
    pub services: Vec<Service>,
    /// The whole project after loading, as JSON, for `dockgrade inspect`.
    pub json: serde_json::Value,
}

/// One service after anchors, merge keys, interpolation, extends and overrides.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: String,
    /// The location of the service's key, in the last file that defines it.
    pub location: Location,
    pub image: Option<Located<String>>,
    pub build: Option<Build>,
    pub user: Option<Located<String>>,
    pub healthcheck: Option<ComposeHealthcheck>,
    pub cap_add: Vec<Located<String>>,
    pub cap_drop: Vec<Located<String>>,
    pub read_only: Option<Located<bool>>,
    pub privileged: Option<Located<bool>>,
    pub network_mode: Option<Located<String>>,
    pub pid: Option<Located<String>>,
    pub ipc: Option<Located<String>>,
    pub security_opt: Vec<Located<String>>,
    pub volumes: Vec<Volume>,
    /// Targets of the `tmpfs:` key.
    pub tmpfs: Vec<Located<String>>,
    pub use_api_socket: Option<Located<bool>>,
}

/// The `build:` section of a service.
#[derive(Debug, Clone, Serialize)]
pub struct Build {
    pub location: Location,
    /// `build.context` as written after interpolation; `.` when absent.
    pub context: Located<String>,
    /// The context folder relative to the repository root (`""` for the root), or `None` when the
    /// context is a URL or lies outside the repository.
    pub context_dir: Option<String>,
    pub dockerfile: Option<Located<String>>,
    /// The Dockerfile relative to the repository root: `build.dockerfile` resolved against the
    /// context, or `Dockerfile` in the context. `None` when it cannot be placed in the repository,
    /// or when `dockerfile_inline` replaces the file.
    pub dockerfile_path: Option<String>,
    pub dockerfile_inline: Option<Located<String>>,
    pub target: Option<Located<String>>,
    /// `build.args`; a name without a value is `None`.
    pub args: BTreeMap<String, Option<String>>,
}

/// The `healthcheck:` section of a service.
#[derive(Debug, Clone, Serialize)]
pub struct ComposeHealthcheck {
    pub location: Location,
    /// The test in list form: `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`. A string test
    /// becomes `["CMD-SHELL", text]`.
    pub test: Option<Located<Vec<String>>>,
    pub disable: Option<Located<bool>>,
}

/// The kind of mount a volume entry makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeKind {
    Bind,
    Volume,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

/// One entry of `volumes:`, short or long syntax.
#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    pub location: Location,
    pub kind: VolumeKind,
    /// The host path or volume name as written after interpolation; `None` for an anonymous volume.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// Variables the entry referenced that were unset and had no default.
    pub unset: Vec<String>,
}

/// A Compose file that could not be loaded, with the file and line that decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct LoadError {
    pub path: String,
    /// 1-based line, or 0 when the error concerns a whole file, such as a file not found.
    pub line: usize,
    pub message: String,
}
