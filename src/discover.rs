//! Discovery: which repository paths are Dockerfiles, Compose files or ignore files, and how Compose files group into projects.

use globset::{Glob, GlobBuilder};
use std::collections::BTreeMap;

/// Compose's own lookup order for the base file of a folder, from compose-go
/// `cli/options.go` (`DefaultFileNames`). `docker-compose.yml` comes before `docker-compose.yaml`.
pub const COMPOSE_BASE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Compose's lookup order for the override file loaded with the base file, from compose-go
/// `cli/options.go` (`DefaultOverrideFileNames`). Compose takes the first one present whatever the
/// base file's name, so `docker-compose.override.yml` also pairs with `compose.yaml`.
pub const COMPOSE_OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Last extensions that mark a `Dockerfile.<x>` as a template, backup or document rather than a
/// file that `docker build` reads. This is a heuristic: `Dockerfile.j2` needs rendering before
/// any build, and grading it would report the template syntax as a parse error.
const NOT_DOCKERFILE_EXTENSIONS: [&str; 17] = [
    "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "gotmpl", "erb", "mustache", "hbs", "m4",
    "bak", "orig", "rej", "swp", "md", "txt",
];

/// Tells whether the file at `path` is a Dockerfile by its name.
///
/// The names are `Dockerfile` and `Containerfile`, `Dockerfile.<x>` and `Containerfile.<x>`, and
/// `<x>.Dockerfile`, in any folder. Case does not matter: the docker CLI and BuildKit fall back to a
/// lowercase `dockerfile`, and `<x>.dockerfile` is common. Exceptions: a name ending in
/// `.dockerignore` is an ignore file, a bare `.Dockerfile` has no `<x>`, and `Dockerfile.<x>`
/// whose last extension marks a template or backup (`Dockerfile.j2`, `Dockerfile.bak`) is not built
/// as it is. A file that a Compose `build.dockerfile` names is a Dockerfile whatever its name; the
/// loader handles that case.
pub fn is_dockerfile(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    if name.ends_with(".dockerignore") {
        return false;
    }
    if name == "dockerfile" || name == "containerfile" {
        return true;
    }

    let variant = name
        .strip_prefix("dockerfile.")
        .or_else(|| name.strip_prefix("containerfile."));
    if let Some(variant) = variant {
        let last_extension = variant.rsplit('.').next().unwrap_or(variant);
        return !variant.is_empty() && !NOT_DOCKERFILE_EXTENSIONS.contains(&last_extension);
    }

    name.strip_suffix(".dockerfile")
        .is_some_and(|stem| !stem.is_empty())
}

/// Tells whether a file is named like a Dockerfile but is a template or backup of one
/// (`Dockerfile.j2`, `Dockerfile.bak`), which discovery leaves out and the report lists as skipped.
pub fn is_dockerfile_template(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let variant = name
        .strip_prefix("dockerfile.")
        .or_else(|| name.strip_prefix("containerfile."));
    variant.is_some_and(|variant| {
        let last_extension = variant.rsplit('.').next().unwrap_or(variant);
        NOT_DOCKERFILE_EXTENSIONS.contains(&last_extension)
    })
}

/// Tells whether the file at `path` is a Compose file by its name.
///
/// The names are `compose` or `docker-compose`, optionally followed by `.<x>` or `-<x>`, with the
/// extension `.yaml` or `.yml`: `compose.yaml`, `compose.override.yaml`, `docker-compose.prod.yml`,
/// `docker-compose-dev.yml`. Matching is case-sensitive because Compose looks up these exact
/// lowercase names.
pub fn is_compose_file(path: &str) -> bool {
    let name = file_name(path);
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    let Some(rest) = stem
        .strip_prefix("docker-compose")
        .or_else(|| stem.strip_prefix("compose"))
    else {
        return false;
    };
    rest.is_empty() || (rest.len() > 1 && (rest.starts_with('.') || rest.starts_with('-')))
}

/// Tells whether the file at `path` is a Docker ignore file: `.dockerignore`, or
/// `<Dockerfile name>.dockerignore` beside a Dockerfile.
pub fn is_ignore_file(path: &str) -> bool {
    file_name(path).ends_with(".dockerignore")
}

/// Groups the Compose files among `paths` into projects, each loaded as `docker compose -f a -f b`.
///
/// Per folder, the base file is the first of [`COMPOSE_BASE_NAMES`] present, and it loads with
/// the first of [`COMPOSE_OVERRIDE_NAMES`] present, as plain `docker compose` does there. Every
/// other Compose file of the folder loads as `[base, variant]`. When the folder has no base file,
/// each Compose file loads alone, override files included. A second base-named file (say
/// `docker-compose.yml` beside `compose.yaml`) is a complete project of its own and loads alone.
///
/// Groups come in folder order, the base group first, then the others by file name.
pub fn compose_groups<I, S>(paths: I) -> Vec<Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut by_folder: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in paths {
        let path = path.as_ref();
        if is_compose_file(path) {
            by_folder
                .entry(folder_of(path).to_string())
                .or_default()
                .push(path.to_string());
        }
    }

    let mut groups = Vec::new();
    for files in by_folder.values_mut() {
        files.sort();
        files.dedup();
        groups.extend(folder_groups(files));
    }
    groups
}

/// Groups the Compose files of one folder, given sorted.
fn folder_groups(files: &[String]) -> Vec<Vec<String>> {
    let find_first = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| files.iter().find(|path| file_name(path) == *name))
            .cloned()
    };
    let base = find_first(&COMPOSE_BASE_NAMES);
    let override_file = base
        .as_ref()
        .and_then(|_| find_first(&COMPOSE_OVERRIDE_NAMES));

    let mut groups = Vec::new();
    if let Some(base) = &base {
        let mut group = vec![base.clone()];
        group.extend(override_file.clone());
        groups.push(group);
    }

    for path in files {
        if Some(path) == base.as_ref() || Some(path) == override_file.as_ref() {
            continue;
        }
        let is_other_base = COMPOSE_BASE_NAMES.contains(&file_name(path));
        match &base {
            Some(base) if !is_other_base => groups.push(vec![base.clone(), path.clone()]),
            _ => groups.push(vec![path.clone()]),
        }
    }
    groups
}

/// Compiles a glob over repository paths, in which `*` and `?` stay inside one folder and `**`
/// crosses folders (`services/**`, `**/*.yml`). repos.toml's `include` and `exclude` use these.
pub fn compile_path_glob(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// Returns the last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Returns the folder part of a `/`-separated path, empty for the repository root.
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}
