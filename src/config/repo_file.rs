//! `.dockgrade.toml`: the grading settings that a repository keeps at its own root, read by
//! `dockgrade check`.
//!
//! The file has the per-repository keys of a repos.toml `[[repo]]` entry at its top level and
//! is validated by the same code. `dockgrade scan` never reads it, because there the fleet's
//! repos.toml decides: a repository must not waive its own controls in its owner's scan.

use super::error::{ConfigError, FileKind, SourceText};
use super::raw::RawRules;
use super::rules::validate_rules;
use super::text::{read_text, ReadFailure};
use super::RepoRules;
use std::path::{Path, PathBuf};

/// The name of the file at a repository's root.
pub const REPO_FILE_NAME: &str = ".dockgrade.toml";

/// A validated `.dockgrade.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    /// The file the settings were read from, as given.
    pub path: PathBuf,
    pub rules: RepoRules,
}

impl RepoFile {
    /// Reads `ROOT/.dockgrade.toml` when the file exists; `Ok(None)` when it does not.
    pub fn load(root: &Path) -> Result<Option<RepoFile>, ConfigError> {
        let path = root.join(REPO_FILE_NAME);
        let text = match read_text(&path) {
            Ok(text) => text,
            Err(ReadFailure::NotUtf8(error)) => return Err(error),
            Err(ReadFailure::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None)
            }
            Err(ReadFailure::Io(error)) => {
                return Err(ConfigError {
                    path,
                    line: 0,
                    column: 0,
                    message: format!("cannot read the repository's settings file: {error}"),
                    help: "make the file readable, or remove it to grade with the defaults"
                        .to_string(),
                })
            }
        };
        RepoFile::parse(&text, &path).map(Some)
    }

    /// Parses and validates the text of a `.dockgrade.toml`; `path` names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<RepoFile, ConfigError> {
        let source = SourceText {
            path,
            text,
            kind: FileKind::RepoFile,
        };
        let raw: RawRules = toml::from_str(text).map_err(|error| source.translate(&error))?;
        let rules = validate_rules(raw, &source)?;
        Ok(RepoFile {
            path: path.to_path_buf(),
            rules,
        })
    }
}
