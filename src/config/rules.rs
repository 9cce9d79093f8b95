//! Validation of the per-repository keys that a `[[repo]]` entry of repos.toml and a
//! `.dockgrade.toml` share: include and exclude globs, images, Compose groups and waivers.

use super::error::{closest_key, ConfigError, SourceText};
use super::raw::{RawCompose, RawImage, RawRules, RawWaiver};
use super::{ComposeEntry, ImageEntry, RepoRules, Waiver};
use crate::controls::{BLOCKERS, CONTROLS};
use crate::discover::compile_path_glob;
use crate::dockerignore::clean_path;
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;
use toml::Spanned;

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("valid regex"));

/// Validates the shared keys, each error located at the value it concerns.
pub(super) fn validate_rules(
    raw: RawRules,
    source: &SourceText<'_>,
) -> Result<RepoRules, ConfigError> {
    let include = validate_globs("include", &raw.include, source)?;
    let exclude = validate_globs("exclude", &raw.exclude, source)?;
    let images = raw
        .image
        .into_iter()
        .map(|image| validate_image(image, source))
        .collect::<Result<Vec<_>, _>>()?;
    let compose = raw
        .compose
        .into_iter()
        .map(|group| validate_compose(group, source))
        .collect::<Result<Vec<_>, _>>()?;
    let mut waivers: Vec<Waiver> = Vec::new();
    for waiver in raw.waiver {
        let waiver = validate_waiver(waiver, source)?;
        if let Some(first) = waivers.iter().find(|other| other.id == waiver.id) {
            return Err(source.error_at_line(
                waiver.line,
                format!(
                    "duplicate waiver for `{}`; the waiver at line {} names the same id",
                    waiver.id, first.line
                ),
                "keep one waiver per id",
            ));
        }
        waivers.push(waiver);
    }

    Ok(RepoRules {
        include,
        exclude,
        images,
        compose,
        waivers,
    })
}

fn validate_globs(
    key: &str,
    globs: &[Spanned<String>],
    source: &SourceText<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut valid = Vec::new();
    for glob in globs {
        if let Err(error) = compile_path_glob(glob.get_ref()) {
            return Err(source.error_at(
                glob.span(),
                format!("invalid {key} glob `{}`: {}", glob.get_ref(), error.kind()),
                "globs match repository paths with `/` separators: `*` stays inside one folder \
                 and `**` crosses folders, as in `services/**`",
            ));
        }
        valid.push(glob.get_ref().clone());
    }
    Ok(valid)
}

fn validate_image(
    spanned: Spanned<RawImage>,
    source: &SourceText<'_>,
) -> Result<ImageEntry, ConfigError> {
    let line = source.line_of(spanned.span().start);
    let raw = spanned.into_inner();

    let dockerfile = repository_path("dockerfile", &raw.dockerfile, source)?;
    let context = raw
        .context
        .as_ref()
        .map(|context| repository_path("context", context, source))
        .transpose()?;
    let target = match raw.target {
        Some(target) if target.get_ref().trim().is_empty() => {
            return Err(source.error_at(
                target.span(),
                "`target` is empty",
                "remove `target` to build the last stage, or name a stage",
            ))
        }
        Some(target) => Some(target.into_inner().trim().to_string()),
        None => None,
    };

    Ok(ImageEntry {
        line,
        dockerfile,
        context,
        target,
    })
}

fn validate_compose(
    spanned: Spanned<RawCompose>,
    source: &SourceText<'_>,
) -> Result<ComposeEntry, ConfigError> {
    let line = source.line_of(spanned.span().start);
    let raw = spanned.into_inner();

    if raw.files.get_ref().is_empty() {
        return Err(source.error_at(
            raw.files.span(),
            "`files` is empty",
            "list the Compose files in load order, such as \
             `files = [\"compose.yaml\", \"compose.prod.yaml\"]`",
        ));
    }
    let files = raw
        .files
        .get_ref()
        .iter()
        .map(|file| repository_path("files", file, source))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(ComposeEntry { line, files })
}

fn validate_waiver(
    spanned: Spanned<RawWaiver>,
    source: &SourceText<'_>,
) -> Result<Waiver, ConfigError> {
    let line = source.line_of(spanned.span().start);
    let raw = spanned.into_inner();

    let id = raw.id.get_ref().trim();
    let control_ids: Vec<&str> = CONTROLS.iter().map(|info| info.id).collect();
    let blocker_ids: Vec<&str> = BLOCKERS.iter().map(|info| info.id).collect();
    let is_known = control_ids.contains(&id) || blocker_ids.contains(&id);
    if !is_known {
        let known: Vec<&str> = control_ids.iter().chain(&blocker_ids).copied().collect();
        let help = match closest_key(id, &known) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!(
                "controls: {}; blockers: {}",
                control_ids.join(", "),
                blocker_ids.join(", ")
            ),
        };
        return Err(source.error_at(
            raw.id.span(),
            format!(
                "unknown waiver id `{}`; expected a control or blocker id",
                raw.id.get_ref()
            ),
            help,
        ));
    }

    if raw.reason.get_ref().trim().is_empty() {
        return Err(source.error_at(
            raw.reason.span(),
            "waiver `reason` is empty",
            "say why the finding is accepted, so that reviewers can judge the waiver",
        ));
    }

    let expires = parse_expiry(&raw.expires, source)?;

    Ok(Waiver {
        line,
        id: id.to_string(),
        reason: raw.reason.get_ref().trim().to_string(),
        expires,
    })
}

/// Reads `expires` from a TOML local date (`2027-06-30`) or a `"YYYY-MM-DD"` string.
fn parse_expiry(
    value: &Spanned<toml::Value>,
    source: &SourceText<'_>,
) -> Result<NaiveDate, ConfigError> {
    let date = match value.get_ref() {
        toml::Value::Datetime(datetime) => match (&datetime.date, &datetime.time, &datetime.offset)
        {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            ),
            _ => None,
        },
        toml::Value::String(text) if ISO_DATE.is_match(text.trim()) => {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
        }
        _ => None,
    };

    date.ok_or_else(|| {
        source.error_at(
            value.span(),
            format!("invalid expires `{}`; expected a date such as 2027-06-30", value.get_ref()),
            "write `expires = 2027-06-30` (a TOML date without a time) or `expires = \"2027-06-30\"`",
        )
    })
}

/// Checks that a configured path stays inside the repository, and returns it cleaned.
fn repository_path(
    key: &str,
    value: &Spanned<String>,
    source: &SourceText<'_>,
) -> Result<String, ConfigError> {
    let text = value.get_ref().trim();
    let cleaned = clean_path(text);
    let problem = if text.is_empty() {
        Some("is empty")
    } else if cleaned.starts_with('/') {
        Some("is an absolute path")
    } else if cleaned == ".." || cleaned.starts_with("../") {
        Some("leaves the repository")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(source.error_at(
            value.span(),
            format!("invalid {key} `{}`: the path {problem}", value.get_ref()),
            "write a path relative to the repository root, with `/` separators",
        )),
        None => Ok(cleaned),
    }
}
