//! Instruction flags as BuildKit's `BFlags` reads them (`frontend/dockerfile/instructions/bflag.go`).

use std::collections::BTreeMap;

/// The value syntax of one flag, as BuildKit reads it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FlagKind {
    /// `--name` or `--name=true|false`, at most once.
    Bool,
    /// `--name=value`, at most once.
    String,
    /// `--name=value`, repeatable.
    Strings,
}

use FlagKind::{Bool, Strings};

const FROM: &[(&str, FlagKind)] = &[("platform", FlagKind::String)];

/// COPY flags of the stable Dockerfile syntax 1.20: `--exclude` became stable in 1.19 and
/// `--parents` in 1.20 (Dockerfile release notes).
const COPY: &[(&str, FlagKind)] = &[
    ("chown", FlagKind::String),
    ("from", FlagKind::String),
    ("chmod", FlagKind::String),
    ("link", Bool),
    ("parents", Bool),
    ("exclude", Strings),
];

const ADD: &[(&str, FlagKind)] = &[
    ("chown", FlagKind::String),
    ("chmod", FlagKind::String),
    ("link", Bool),
    ("keep-git-dir", Bool),
    ("checksum", FlagKind::String),
    ("unpack", Bool),
    ("exclude", Strings),
];

/// RUN flags registered by the `commands_run*.go` hooks. `--security` is stable since
/// Dockerfile syntax 1.20 (Dockerfile release notes).
const RUN: &[(&str, FlagKind)] = &[
    ("mount", Strings),
    ("network", FlagKind::String),
    ("security", FlagKind::String),
];

/// `RUN --device`, which only the labs channel of the Dockerfile syntax defines.
const RUN_LABS: &[(&str, FlagKind)] = &[("device", Strings)];

const HEALTHCHECK: &[(&str, FlagKind)] = &[
    ("interval", FlagKind::String),
    ("timeout", FlagKind::String),
    ("start-period", FlagKind::String),
    ("start-interval", FlagKind::String),
    ("retries", FlagKind::String),
];

/// Returns the flags `keyword` accepts, or `None` for `ARG` and `STOPSIGNAL`, whose BuildKit
/// parse functions never read flags, so any flag there is ignored.
///
/// `HEALTHCHECK NONE` also skips the flag check, which the caller handles.
pub(super) fn accepted_flags(keyword: &str, labs: bool) -> Option<Vec<(&'static str, FlagKind)>> {
    let accepted: Vec<(&'static str, FlagKind)> = match keyword {
        "arg" | "stopsignal" => return None,
        "from" => FROM.to_vec(),
        "copy" => COPY.to_vec(),
        "add" => ADD.to_vec(),
        "run" if labs => RUN.iter().chain(RUN_LABS).copied().collect(),
        "run" => RUN.to_vec(),
        "healthcheck" => HEALTHCHECK.to_vec(),
        _ => Vec::new(),
    };
    Some(accepted)
}

/// Reads `flags` (each written as `--name` or `--name=value`) against the accepted set and
/// returns the values of each flag used. Rejects unknown flags, a repeated flag that is not
/// repeatable, a missing value and a boolean value other than `true` or `false`.
pub(super) fn read_flags(
    flags: &[String],
    accepted: &[(&str, FlagKind)],
    keyword: &str,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for flag in flags {
        let body = flag.strip_prefix("--").unwrap_or(flag);
        let (name, value) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let Some(&(_, kind)) = accepted.iter().find(|(known, _)| *known == name) else {
            return Err(format!(
                "unknown flag --{name} for {}; it accepts {}",
                keyword.to_ascii_uppercase(),
                describe(accepted)
            ));
        };
        if used.contains_key(name) && kind != Strings {
            return Err(format!(
                "duplicate flag --{name}: it may be given only once"
            ));
        }
        let value = match (kind, value) {
            (Bool, None) => "true".to_string(),
            (Bool, Some("")) => {
                return Err(format!("missing value on flag --{name}"));
            }
            (Bool, Some(value)) => {
                let lower = value.to_ascii_lowercase();
                if lower != "true" && lower != "false" {
                    return Err(format!(
                        "invalid value {value:?} for flag --{name}: expected true or false"
                    ));
                }
                lower
            }
            (_, None) => {
                return Err(format!(
                    "missing value on flag --{name}: use --{name}=VALUE"
                ))
            }
            (_, Some(value)) => value.to_string(),
        };
        used.entry(name.to_string()).or_default().push(value);
    }
    Ok(used)
}

fn describe(accepted: &[(&str, FlagKind)]) -> String {
    if accepted.is_empty() {
        return "no flags".to_string();
    }
    let names: Vec<String> = accepted
        .iter()
        .map(|(name, _)| format!("--{name}"))
        .collect();
    names.join(", ")
}
