//! Validation of a deserialised repos.toml into a `Config`, with each error located at the value it concerns.

use super::error::{ConfigError, SourceText};
use super::raw::{RawConfig, RawDiscovery, RawGitHub, RawGrading, RawOrg, RawRepo};
use super::rules::validate_rules;
use super::{
    Config, Discovery, GitHubConfig, Grade, Grading, OrgEntry, RepoEntry, RepoRules, RepoSource,
};
use regex::Regex;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;
use toml::Spanned;

/// GitHub's rules for an owner (1 to 39 letters, digits or inner hyphens) and a repository name
/// (letters, digits, `.`, `-`, `_`).
static GITHUB_REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]+$")
        .expect("valid regex")
});
/// GitHub's rule for an organization or user login: 1 to 39 letters, digits or inner hyphens.
static GITHUB_OWNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$").expect("valid regex")
});
pub(super) fn validate(raw: RawConfig, source: &SourceText<'_>) -> Result<Config, ConfigError> {
    let grading = match raw.grading {
        Some(grading) => validate_grading(grading.into_inner(), source)?,
        None => Grading::default(),
    };
    let discovery = match raw.discovery {
        Some(discovery) => validate_discovery(discovery.into_inner(), source)?,
        None => Discovery::default(),
    };
    let github = match raw.github {
        Some(github) => validate_github(github.into_inner(), source)?,
        None => GitHubConfig::default(),
    };

    if raw.repo.is_empty() && raw.org.is_empty() {
        return Err(source.error_at(
            0..0,
            "the configuration lists no repositories",
            "add a [[repo]] entry with `path = \"folder\"` or `github = \"owner/name\"`, \
             or an [[org]] entry with `name = \"organization\"`",
        ));
    }
    let mut orgs: Vec<OrgEntry> = Vec::new();
    for org in raw.org {
        let entry = validate_org(org, source)?;
        if let Some(first) = orgs
            .iter()
            .find(|other| other.name.eq_ignore_ascii_case(&entry.name))
        {
            return Err(source.error_at_line(
                entry.line,
                format!(
                    "duplicate [[org]] `{}`; the [[org]] at line {} names the same owner",
                    entry.name, first.line
                ),
                "merge the two entries into one",
            ));
        }
        orgs.push(entry);
    }

    let base_folder = config_folder(source.path);
    let mut repos: Vec<RepoEntry> = Vec::new();
    for repo in raw.repo {
        let ValidatedRepo { entry, name_line } = validate_repo(repo, &base_folder, source)?;
        if let Some(first) = repos.iter().find(|other| other.name == entry.name) {
            return Err(source.error_at_line(
                name_line,
                format!(
                    "duplicate repository name `{}`; the [[repo]] at line {} has the same name",
                    entry.name, first.line
                ),
                "set a distinct `name` on one of them",
            ));
        }
        repos.push(entry);
    }

    Ok(Config {
        path: source.path.to_path_buf(),
        grading,
        discovery,
        github,
        repos,
        orgs,
    })
}

fn validate_org(
    spanned: Spanned<RawOrg>,
    source: &SourceText<'_>,
) -> Result<OrgEntry, ConfigError> {
    let line = source.line_of(spanned.span().start);
    let raw = spanned.into_inner();
    let name = raw.name.get_ref().trim();
    if !GITHUB_OWNER.is_match(name) {
        return Err(source.error_at(
            raw.name.span(),
            format!(
                "invalid [[org]] name `{}`; expected a GitHub organization or user login",
                raw.name.get_ref()
            ),
            "write the login alone, such as `name = \"octo-org\"`",
        ));
    }
    let include = validate_name_globs("include", &raw.include, source)?;
    let exclude = validate_name_globs("exclude", &raw.exclude, source)?;
    Ok(OrgEntry {
        line,
        name: name.to_string(),
        include,
        exclude,
        archived: raw.archived.unwrap_or(false),
        forks: raw.forks.unwrap_or(false),
    })
}

/// Checks the globs of an [[org]] entry, which match repository names rather than paths.
fn validate_name_globs(
    key: &str,
    globs: &[Spanned<String>],
    source: &SourceText<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut valid = Vec::new();
    for glob in globs {
        if let Err(error) = globset::Glob::new(glob.get_ref()) {
            return Err(source.error_at(
                glob.span(),
                format!("invalid {key} glob `{}`: {}", glob.get_ref(), error.kind()),
                "globs match repository names, such as `api-*` or `*-service`",
            ));
        }
        valid.push(glob.get_ref().clone());
    }
    Ok(valid)
}

fn validate_github(raw: RawGitHub, source: &SourceText<'_>) -> Result<GitHubConfig, ConfigError> {
    let Some(api_url) = raw.api_url else {
        return Ok(GitHubConfig::default());
    };
    let url = api_url.get_ref().trim().trim_end_matches('/');
    let has_host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !has_host {
        return Err(source.error_at(
            api_url.span(),
            format!(
                "invalid api_url `{}`; expected an http or https URL",
                api_url.get_ref()
            ),
            "write the REST base URL, such as `https://github.example.com/api/v3` for \
             GitHub Enterprise Server; leave it out for github.com",
        ));
    }
    Ok(GitHubConfig {
        api_url: Some(url.to_string()),
    })
}

fn validate_grading(raw: RawGrading, source: &SourceText<'_>) -> Result<Grading, ConfigError> {
    let Some(cap) = raw.blocker_cap else {
        return Ok(Grading::default());
    };
    let grade = Grade::ALL
        .into_iter()
        .find(|grade| grade.as_str() == cap.get_ref().as_str());
    match grade {
        Some(blocker_cap) => Ok(Grading { blocker_cap }),
        None => Err(source.error_at(
            cap.span(),
            format!(
                "invalid blocker_cap `{}`; expected one of: A, B, C, D, F",
                cap.get_ref()
            ),
            "set the best grade a repository with a blocker can get, in capitals; F is the default",
        )),
    }
}

fn validate_discovery(
    raw: RawDiscovery,
    source: &SourceText<'_>,
) -> Result<Discovery, ConfigError> {
    let Some(skip) = raw.skip else {
        return Ok(Discovery::default());
    };
    let mut folders = Vec::new();
    for entry in skip {
        let folder = entry.get_ref().trim().trim_matches('/');
        let problem = if folder.is_empty() {
            Some("is empty")
        } else if entry.get_ref().trim().starts_with('/') {
            Some("is an absolute path")
        } else if folder.contains(['*', '?', '[']) {
            Some("is a glob")
        } else if folder.split('/').any(|part| part == ".." || part == ".") {
            Some("contains `.` or `..`")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(source.error_at(
                entry.span(),
                format!("invalid skip entry `{}`: it {problem}", entry.get_ref()),
                "write a folder name (`node_modules`) or a folder path from the repository root \
                 (`docs/legacy`); use a repository's `exclude` for globs",
            ));
        }
        folders.push(folder.to_string());
    }
    Ok(Discovery { skip: folders })
}

/// A repository entry with the line to report a duplicate name at.
struct ValidatedRepo {
    entry: RepoEntry,
    name_line: usize,
}

fn validate_repo(
    spanned: Spanned<RawRepo>,
    base_folder: &Path,
    source: &SourceText<'_>,
) -> Result<ValidatedRepo, ConfigError> {
    let header = spanned.span();
    let line = source.line_of(header.start);
    let mut raw = spanned.into_inner();

    let repo_source = validate_source(&raw, header.clone(), base_folder, source)?;
    let name = match &raw.name {
        Some(name) if name.get_ref().trim().is_empty() => {
            return Err(source.error_at(
                name.span(),
                "`name` is empty",
                "remove `name` to use the folder or repository name, or write a display name",
            ))
        }
        Some(name) => name.get_ref().trim().to_string(),
        None => default_name(&repo_source),
    };
    let name_line = raw
        .name
        .as_ref()
        .map_or(line, |name| source.line_of(name.span().start));

    let RepoRules {
        include,
        exclude,
        images,
        compose,
        waivers,
    } = validate_rules(raw.take_rules(), source)?;

    Ok(ValidatedRepo {
        entry: RepoEntry {
            line,
            name,
            source: repo_source,
            include,
            exclude,
            images,
            compose,
            waivers,
        },
        name_line,
    })
}

/// Checks that exactly one of `path` and `github` is set, and `ref` only with `github`.
fn validate_source(
    raw: &RawRepo,
    header: std::ops::Range<usize>,
    base_folder: &Path,
    source: &SourceText<'_>,
) -> Result<RepoSource, ConfigError> {
    match (&raw.path, &raw.github) {
        (Some(_), Some(github)) => Err(source.error_at(
            github.span(),
            "`path` and `github` are both set; a repository is read from one place",
            "keep `path` for a local folder or `github` for a GitHub repository",
        )),
        (None, None) => Err(source.error_at(
            header,
            "[[repo]] needs `path` or `github`",
            "add `path = \"folder\"` (relative to this file) or `github = \"owner/name\"`",
        )),
        (Some(path), None) => {
            if let Some(git_ref) = &raw.git_ref {
                return Err(source.error_at(
                    git_ref.span(),
                    "`ref` applies only to a `github` repository",
                    "remove `ref`; a local folder is read as it is on disk",
                ));
            }
            if path.get_ref().trim().is_empty() {
                return Err(source.error_at(
                    path.span(),
                    "`path` is empty",
                    "write the repository folder relative to this file, such as `path = \".\"`",
                ));
            }
            let joined = base_folder.join(path.get_ref());
            Ok(RepoSource::Local {
                path: normalize(&joined),
            })
        }
        (None, Some(github)) => {
            let repository = github.get_ref().trim();
            let is_valid = GITHUB_REPOSITORY.is_match(repository)
                && !repository.ends_with("/.")
                && !repository.ends_with("/..");
            if !is_valid {
                return Err(source.error_at(
                    github.span(),
                    format!(
                        "invalid github repository `{}`; expected owner/name",
                        github.get_ref()
                    ),
                    "write it as `github = \"owner/name\"`, without https://github.com/ or .git",
                ));
            }
            let git_ref = match &raw.git_ref {
                Some(git_ref) if git_ref.get_ref().trim().is_empty() => {
                    return Err(source.error_at(
                        git_ref.span(),
                        "`ref` is empty",
                        "remove `ref` to read the default branch, or name a branch, tag or commit",
                    ))
                }
                Some(git_ref) => Some(git_ref.get_ref().trim().to_string()),
                None => None,
            };
            Ok(RepoSource::GitHub {
                repository: repository.to_string(),
                git_ref,
            })
        }
    }
}

fn default_name(source: &RepoSource) -> String {
    match source {
        RepoSource::GitHub { repository, .. } => repository.clone(),
        RepoSource::Local { path } => path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    }
}

/// Returns the folder that relative repository paths are resolved against.
fn config_folder(config_path: &Path) -> PathBuf {
    let folder = match config_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::path::absolute(&folder).unwrap_or(folder)
}

/// Removes `.` and `..` components lexically, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normalized.pop() {
                    normalized.push("..");
                }
            }
            other => normalized.push(other),
        }
    }
    normalized
}
