//! Listing the peer tools' test inputs and grading each one alone.

use crate::support::{grade_dir, shared_dir};
use dockgrade::scorecard::RepoReport;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The peer suites whose inputs are graded here. The BuildKit parser vectors and the compose-go
/// inputs beside them have their own tests.
pub const SUITES: [&str; 5] = ["kics", "checkov", "hadolint", "trivy-checks", "scorecard"];

/// Returns the folder that contains the peer suites.
pub fn peer_tests_dir() -> PathBuf {
    shared_dir("corpus/peer-tests")
}

/// How a test input is read: as a Dockerfile or as a Compose file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Dockerfile,
    Compose,
}

impl InputKind {
    /// Returns the file name the input gets in the folder that is graded, which is a name that
    /// dockgrade's discovery picks up for that kind.
    pub fn graded_name(self) -> &'static str {
        match self {
            InputKind::Dockerfile => "Dockerfile",
            InputKind::Compose => "compose.yaml",
        }
    }
}

/// Returns the kind of a peer suite file, or `None` for expected results and documentation.
pub fn input_kind(path: &Path) -> Option<InputKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(InputKind::Compose);
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("dockerfile") || lower.ends_with(".dockerfile") {
        return Some(InputKind::Dockerfile);
    }
    None
}

/// Lists every Dockerfile and Compose input of the peer suites, as paths relative to the
/// peer-tests folder with `/` separators, sorted.
pub fn all_inputs() -> Vec<String> {
    let root = peer_tests_dir();
    let mut inputs = Vec::new();
    for suite in SUITES {
        let mut pending = vec![root.join(suite)];
        while let Some(folder) = pending.pop() {
            let entries = std::fs::read_dir(&folder)
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()));
            for entry in entries {
                let path = entry.expect("readable folder entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if input_kind(&path).is_some() {
                    inputs.push(relative_name(&root, &path));
                }
            }
        }
    }
    inputs.sort();
    inputs
}

fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).expect("input lies under the root");
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Grades one input alone: the file is copied into an empty folder under the name its kind
/// needs, and that folder is graded as a repository.
///
/// Returns the panic message as the error when grading panics.
pub fn grade_input(input: &str) -> Result<RepoReport, String> {
    let source = peer_tests_dir().join(input);
    let kind = input_kind(&source)
        .unwrap_or_else(|| panic!("{input} is neither a Dockerfile nor a Compose file"));
    let folder = tempfile::tempdir().expect("a temporary folder can be created");
    std::fs::copy(&source, folder.path().join(kind.graded_name()))
        .unwrap_or_else(|error| panic!("cannot copy {}: {error}", source.display()));

    catch_unwind(AssertUnwindSafe(|| grade_dir(folder.path()))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}
