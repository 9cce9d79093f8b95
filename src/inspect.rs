//! `dockgrade inspect`: what the loaders understood of one Dockerfile or Compose project.

use crate::compose;
use crate::dockerfile::{self, stage, BaseKind, Dockerfile, Stage};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// An error that kept a file from being inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}{}: {message}", line_suffix(*line))]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("--format buildkit applies to Dockerfiles only; {path} is {kind}")]
    BuildkitForOtherFile { path: String, kind: &'static str },
}

/// Formats `:line` for an error, or nothing for an error about a whole file (line 0).
fn line_suffix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

/// Returns the effective user of a stage: its last USER, else that of the stage it is built FROM.
fn effective_user(stages: &[Stage], index: usize) -> String {
    for link in stage::from_chain(stages, index) {
        if let Some((_, word)) = stages[link].last_user() {
            let mut user = word.value.clone();
            if !word.is_resolved() {
                let _ = write!(user, " (unresolved: {})", word.unresolved.join(", "));
            }
            if link != index {
                let _ = write!(user, " (inherited from stage {link})");
            }
            return user;
        }
    }
    let root = &stages[*stage::from_chain(stages, index)
        .last()
        .expect("chain is never empty")];
    match root.base_kind {
        BaseKind::Scratch => "root (scratch, no USER)".to_string(),
        _ => format!("the default user of {} (no USER)", root.base.value),
    }
}

fn base_label(stage: &Stage) -> String {
    let mut label = match stage.base_kind {
        BaseKind::Scratch => "scratch".to_string(),
        BaseKind::Stage(index) => format!("stage {index} ({})", stage.base.value),
        BaseKind::Image => stage.base.value.clone(),
    };
    if !stage.base.is_resolved() {
        let _ = write!(label, " (unresolved: {})", stage.base.unresolved.join(", "));
    }
    label
}

/// Renders a parsed Dockerfile as text: directives, instructions, then stages.
pub fn dockerfile_text(parsed: &Dockerfile) -> String {
    let stages = dockerfile::stages(parsed, &BTreeMap::new());
    let mut out = String::new();
    for directive in &parsed.directives {
        let _ = writeln!(
            out,
            "directive {}={} (line {})",
            directive.name, directive.value, directive.line
        );
    }
    let _ = writeln!(out, "instructions:");
    for instruction in &parsed.instructions {
        let first_line = instruction.original.lines().next().unwrap_or("");
        let arguments = first_line
            .split_once(char::is_whitespace)
            .map(|(_, rest)| rest)
            .unwrap_or("");
        let _ = writeln!(
            out,
            "  {:>4}  {} {}",
            instruction.line,
            instruction.keyword.to_ascii_uppercase(),
            arguments
        );
    }
    let _ = writeln!(out, "stages:");
    for stage in &stages {
        let _ = writeln!(
            out,
            "  #{} {} (line {}): from {}; user {}",
            stage.index,
            stage.name.as_deref().unwrap_or("(unnamed)"),
            stage.line,
            base_label(stage),
            effective_user(&stages, stage.index)
        );
    }
    out
}

/// Renders a parsed Dockerfile as JSON: directives, instructions and stages with their users.
pub fn dockerfile_json(parsed: &Dockerfile) -> serde_json::Value {
    let stages = dockerfile::stages(parsed, &BTreeMap::new());
    let stage_values: Vec<serde_json::Value> = stages
        .iter()
        .map(|stage| {
            json!({
                "index": stage.index,
                "name": stage.name,
                "line": stage.line,
                "base": stage.base.value,
                "base_kind": match stage.base_kind {
                    BaseKind::Scratch => "scratch".to_string(),
                    BaseKind::Stage(index) => format!("stage {index}"),
                    BaseKind::Image => "image".to_string(),
                },
                "unresolved": stage.base.unresolved,
                "effective_user": effective_user(&stages, stage.index),
            })
        })
        .collect();
    json!({
        "directives": parsed.directives,
        "instructions": parsed.instructions,
        "stages": stage_values,
    })
}

fn read(path: &Path) -> Result<String, InspectError> {
    std::fs::read_to_string(path).map_err(|source| InspectError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Inspects an ignore file: each pattern as moby cleans it, with its line, and the probe paths
/// that the dockerignore control checks, each excluded or let through.
pub fn inspect_ignore_file(path: &Path, format: &str) -> Result<String, InspectError> {
    let bytes = std::fs::read(path).map_err(|source| InspectError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let ignore = crate::dockerignore::IgnoreFile::parse(&String::from_utf8_lossy(&bytes));
    if format == "json" {
        let value = json!({
            "patterns": ignore.patterns.iter().map(|pattern| json!({
                "line": pattern.line,
                "pattern": pattern.pattern,
                "exception": pattern.is_exception,
            })).collect::<Vec<_>>(),
            "invalid": ignore.invalid.iter().map(|invalid| json!({
                "line": invalid.line,
                "text": invalid.text,
                "message": invalid.message,
            })).collect::<Vec<_>>(),
            "probe_paths": crate::controls::secrets::PROBE_PATHS.iter().map(|probe| json!({
                "path": probe,
                "excluded": ignore.is_excluded(probe),
            })).collect::<Vec<_>>(),
        });
        return Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    }
    let mut out = String::from("patterns:\n");
    for pattern in &ignore.patterns {
        let kind = if pattern.is_exception {
            "include"
        } else {
            "exclude"
        };
        let _ = writeln!(out, "  {:>4}  {kind} {}", pattern.line, pattern.pattern);
    }
    for invalid in &ignore.invalid {
        let _ = writeln!(
            out,
            "  {:>4}  invalid {}: {}",
            invalid.line, invalid.text, invalid.message
        );
    }
    let _ = writeln!(out, "sensitive probe paths:");
    for probe in crate::controls::secrets::PROBE_PATHS {
        let verdict = if ignore.is_excluded(probe) {
            "excluded"
        } else {
            "not excluded"
        };
        let _ = writeln!(out, "  {probe}: {verdict}");
    }
    Ok(out)
}

/// Tells whether a file should be read as Compose: a Compose name, or a YAML extension.
pub fn is_compose_path(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    crate::discover::is_compose_file(name) || name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Inspects a Dockerfile in the given format (`text`, `json` or `buildkit`).
pub fn inspect_dockerfile(path: &Path, format: &str) -> Result<String, InspectError> {
    let text = read(path)?;
    let parsed = dockerfile::parse(&text).map_err(|error| InspectError::Parse {
        path: path.display().to_string(),
        line: error.line,
        message: error.message,
    })?;
    // BuildKit's parser accepts files that `docker build` then rejects, such as an unknown
    // instruction. The buildkit dump is the parser's view alone. The other views report whether
    // the file builds, because grading reports such a file as a parse error.
    let rejected = dockerfile::validate(&parsed).err();
    Ok(match format {
        "buildkit" => dockerfile::dump_buildkit(&parsed),
        "json" => {
            let mut value = dockerfile_json(&parsed);
            if let (Some(object), Some(error)) = (value.as_object_mut(), &rejected) {
                object.insert(
                    "build_error".to_string(),
                    json!({ "line": error.line, "message": error.message }),
                );
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
        _ => {
            let mut text = dockerfile_text(&parsed);
            if let Some(error) = rejected {
                let _ = writeln!(
                    text,
                    "build error (line {}): {}; docker build rejects this file, and grading \
                     reports it as a parse error",
                    error.line, error.message
                );
            }
            text
        }
    })
}

/// Inspects a Compose project: the first file and any override files, loaded together.
pub fn inspect_compose(files: &[&Path]) -> Result<String, InspectError> {
    let first = files[0];
    let root = first.parent().unwrap_or(Path::new("."));
    let relative: Vec<String> = files
        .iter()
        .map(|file| {
            file.strip_prefix(root)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let read_file = |path: &str| std::fs::read_to_string(root.join(path)).ok();
    let project =
        compose::load_project(&relative, &read_file).map_err(|error| InspectError::Parse {
            path: root.join(&error.path).display().to_string(),
            line: error.line,
            message: error.message,
        })?;
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&project.json).unwrap_or_default()
    ))
}
