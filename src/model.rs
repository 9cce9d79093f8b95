//! The repo model: parsed Dockerfiles, loaded Compose projects and ignore files, linked into the
//! images and services the controls grade.

use crate::compose::{self, LoadError, Project, Service};
use crate::dockerfile::{self, stage, Dockerfile, ParseError, Stage};
use crate::dockerignore::IgnoreFile;
use crate::finding::{Finding, Location, Outcome};
use crate::source::Snapshot;
use crate::{discover, dockerignore};
use std::collections::BTreeMap;

/// An image requested explicitly in repos.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRequest {
    pub dockerfile: String,
    /// Build context relative to the repository root; the Dockerfile's folder when `None`.
    pub context: Option<String>,
    pub target: Option<String>,
}

/// Linking settings from repos.toml; empty settings discover everything.
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    pub images: Vec<ImageRequest>,
    /// Compose groups, each loaded as `-f a -f b`.
    pub compose_groups: Vec<Vec<String>>,
}

/// A Dockerfile of the repository, parsed or not.
#[derive(Debug, Clone)]
pub struct DockerfileSource {
    /// Repository path, or `<compose file>#<service> (dockerfile_inline)` for an inline Dockerfile.
    pub path: String,
    pub text: String,
    /// The parsed file; an error with line 0 means the file could not be read at all.
    pub parsed: Result<Dockerfile, ParseError>,
    /// For a Dockerfile that a Compose build names but that cannot be read: the Compose line.
    pub declared_at: Option<Location>,
}

/// One Dockerfile built to one target stage with one build context.
#[derive(Debug, Clone)]
pub struct Image {
    /// Index into `RepoModel::dockerfiles`.
    pub dockerfile: usize,
    /// The requested target stage; the last stage when `None`.
    pub target: Option<String>,
    /// Build context relative to the repository root (`""` for the root), or `None` when it lies
    /// outside the repository or is a URL.
    pub context: Option<String>,
    /// The origin of the context, for the report: `compose`, `repos.toml` or `Dockerfile folder`.
    pub context_origin: &'static str,
    pub build_args: BTreeMap<String, String>,
    /// Stages after expansion with `build_args`; empty when the Dockerfile does not parse.
    pub stages: Vec<Stage>,
    /// Index of the target stage in `stages`; `None` when the Dockerfile does not parse or the
    /// target stage does not exist.
    pub target_stage: Option<usize>,
    /// The ignore file that applies to this build, by repository path.
    pub ignore_path: Option<String>,
    /// Services that build this image, as indexes into `RepoModel::services`.
    pub built_by: Vec<usize>,
}

/// One Compose service of one loaded project.
#[derive(Debug, Clone)]
pub struct ServiceUnit {
    /// Index into `RepoModel::projects`.
    pub project: usize,
    pub service: Service,
    /// The image this service builds, as an index into `RepoModel::images`.
    pub image: Option<usize>,
}

/// A Compose project (a base file and its overrides), loaded or not.
#[derive(Debug, Clone)]
pub struct ProjectSource {
    pub files: Vec<String>,
    pub loaded: Result<Project, LoadError>,
}

/// Everything the controls read about one repository.
#[derive(Debug, Clone, Default)]
pub struct RepoModel {
    pub dockerfiles: Vec<DockerfileSource>,
    pub projects: Vec<ProjectSource>,
    pub images: Vec<Image>,
    pub services: Vec<ServiceUnit>,
    /// Ignore files by repository path.
    pub ignore_files: BTreeMap<String, IgnoreFile>,
    /// Problems found while linking, such as a `build.target` that names no stage.
    pub link_findings: Vec<Finding>,
    /// Dockerfiles stored as symbolic links in text form, with the file each points to.
    pub links: Vec<(String, String)>,
}

impl RepoModel {
    /// Tells whether the repository has no container files that can be graded.
    pub fn is_empty(&self) -> bool {
        self.dockerfiles.is_empty() && self.projects.is_empty()
    }

    /// Returns the Dockerfile an image is built from.
    pub fn dockerfile_of(&self, image: &Image) -> &DockerfileSource {
        &self.dockerfiles[image.dockerfile]
    }

    /// Returns the target stage of an image, when the Dockerfile parsed and the stage exists.
    pub fn target_stage<'a>(&self, image: &'a Image) -> Option<&'a Stage> {
        image.target_stage.and_then(|index| image.stages.get(index))
    }

    /// Returns the parse error of an image's Dockerfile, if any.
    pub fn parse_error_of(&self, image: &Image) -> Option<&ParseError> {
        self.dockerfile_of(image).parsed.as_ref().err()
    }

    /// Describes an image for findings: `Dockerfile` or `docker/api.Dockerfile (target runtime)`.
    pub fn image_subject(&self, image: &Image) -> String {
        let path = &self.dockerfile_of(image).path;
        match &image.target {
            Some(target) => format!("{path} (target {target})"),
            None => path.clone(),
        }
    }

    /// Describes a service for findings: `service web (compose.yaml)`.
    pub fn service_subject(&self, unit: &ServiceUnit) -> String {
        let files = self.projects[unit.project].files.join(" + ");
        format!("service {} ({files})", unit.service.name)
    }

    /// Returns the text of a repository file or inline Dockerfile, for quoting source lines.
    pub fn source_text<'a>(&'a self, snapshot: &'a Snapshot, path: &str) -> Option<&'a str> {
        if let Some(found) = self.dockerfiles.iter().find(|source| source.path == path) {
            return Some(found.text.as_str());
        }
        snapshot.text(path)
    }
}

/// Builds the repo model of a snapshot: parses every container file and links services to images.
pub fn build(snapshot: &Snapshot, options: &LinkOptions) -> RepoModel {
    let mut model = RepoModel::default();

    load_ignore_files(snapshot, &mut model);
    load_dockerfiles(snapshot, &mut model);
    load_projects(snapshot, options, &mut model);
    link_services(snapshot, &mut model);
    add_requested_images(snapshot, options, &mut model);
    add_unbuilt_dockerfiles(snapshot, &mut model);
    model
}

fn load_ignore_files(snapshot: &Snapshot, model: &mut RepoModel) {
    for path in snapshot
        .paths
        .iter()
        .filter(|path| discover::is_ignore_file(path))
    {
        // moby reads ignore files as bytes, so a stray non-UTF-8 byte (a Latin-1 comment)
        // does not stop the other patterns from applying.
        if let Some(bytes) = snapshot.files.get(path) {
            let text = String::from_utf8_lossy(bytes);
            model
                .ignore_files
                .insert(path.clone(), IgnoreFile::parse(&text));
        }
    }
}

/// Returns why discovery listed a file without reading it, such as the size limit.
pub fn unread_reason(snapshot: &Snapshot, path: &str) -> String {
    snapshot
        .skipped
        .iter()
        .find(|skipped| skipped.path == path)
        .map(|skipped| skipped.reason.clone())
        .unwrap_or_else(|| "the source did not read it".to_string())
}

fn load_dockerfiles(snapshot: &Snapshot, model: &mut RepoModel) {
    let dockerfiles = snapshot
        .paths
        .iter()
        .filter(|path| discover::is_dockerfile(path));
    for path in dockerfiles {
        let Some(bytes) = snapshot.files.get(path) else {
            // A Dockerfile that was found but not read (over the size limit, unreadable) still
            // builds an image, so it is graded as a file that does not load, never dropped.
            let message = format!(
                "the Dockerfile was not read ({}), so it cannot be graded",
                unread_reason(snapshot, path)
            );
            model.dockerfiles.push(DockerfileSource {
                path: path.clone(),
                text: String::new(),
                parsed: Err(ParseError { line: 1, message }),
                declared_at: None,
            });
            continue;
        };
        // BuildKit reads a Dockerfile as bytes, so a non-UTF-8 byte in a comment or argument
        // stops neither the build nor grading.
        let text = String::from_utf8_lossy(bytes);
        let text = text.as_ref();
        match link_target(snapshot, path, text) {
            Some(target) if discover::is_dockerfile(&target) => {
                model.links.push((path.clone(), target));
            }
            Some(target) => {
                let target_text = snapshot.text(&target).unwrap_or_default().to_string();
                model.links.push((path.clone(), target));
                add_dockerfile(model, path.clone(), target_text);
            }
            None => {
                add_dockerfile(model, path.clone(), text.to_string());
            }
        }
    }
}

/// Recognises a symbolic link stored as a text file: Git writes a link's target path as the
/// file's content when links are not checked out as links (`core.symlinks=false`), and the
/// GitHub API serves a link's blob the same way. Returns the target when the content is a single
/// relative path to another file of the snapshot.
fn link_target(snapshot: &Snapshot, path: &str, text: &str) -> Option<String> {
    let content = text.trim_end_matches(['\n', '\r']);
    if content.is_empty() || content.contains(char::is_whitespace) || content.starts_with('/') {
        return None;
    }
    let folder = parent_folder(path);
    let joined = if folder.is_empty() {
        content.to_string()
    } else {
        format!("{folder}/{content}")
    };
    let target = crate::dockerignore::clean_path(&joined);
    (target != path && snapshot.files.contains_key(&target)).then_some(target)
}

fn add_dockerfile(model: &mut RepoModel, path: String, text: String) -> usize {
    if let Some(index) = model.dockerfiles.iter().position(|d| d.path == path) {
        return index;
    }
    let parsed = dockerfile::parse(&text).and_then(|parsed| {
        dockerfile::validate(&parsed)?;
        Ok(parsed)
    });
    model.dockerfiles.push(DockerfileSource {
        path,
        text,
        parsed,
        declared_at: None,
    });
    model.dockerfiles.len() - 1
}

fn load_projects(snapshot: &Snapshot, options: &LinkOptions, model: &mut RepoModel) {
    let groups = if options.compose_groups.is_empty() {
        discover::compose_groups(&snapshot.paths)
    } else {
        options.compose_groups.clone()
    };
    let read = |path: &str| snapshot.text(path).map(str::to_string);
    for files in groups {
        let loaded = compose::load_project(&files, &read)
            .map_err(|error| explain_unread(snapshot, error))
            .and_then(check_consistency);
        model.projects.push(ProjectSource { files, loaded });
    }
}

/// Rewrites the loader's "not found" for a file that exists but was not read (too large, not
/// UTF-8), so the error gives the reason instead of claiming the file is missing.
fn explain_unread(snapshot: &Snapshot, mut error: LoadError) -> LoadError {
    if !error.message.contains("not found") {
        return error;
    }
    let unread = snapshot
        .paths
        .iter()
        .find(|path| error.message.contains(&format!("`{path}`")) && snapshot.text(path).is_none());
    if let Some(path) = unread {
        let reason = if snapshot.files.contains_key(path) {
            "it is not valid UTF-8 text, which YAML requires".to_string()
        } else {
            unread_reason(snapshot, path)
        };
        error.message = format!("Compose file `{path}` exists but was not read: {reason}");
    }
    error
}

/// Rejects a project that `docker compose` refuses to run: a service with neither `image` nor
/// `build` has nothing to run (compose-go's consistency check, which `docker compose config`
/// applies). The loader itself accepts such files, so `inspect` can still show them.
fn check_consistency(project: Project) -> Result<Project, LoadError> {
    if project.services.is_empty() {
        return Err(LoadError {
            path: project.files.first().cloned().unwrap_or_default(),
            line: 1,
            message: "the Compose project defines no services, which docker compose rejects"
                .to_string(),
        });
    }
    let incomplete = project
        .services
        .iter()
        .find(|service| service.image.is_none() && service.build.is_none());
    match incomplete {
        None => Ok(project),
        Some(service) => Err(LoadError {
            path: service.location.path.clone(),
            line: service.location.line,
            message: format!(
                "service `{}` has neither `image` nor `build`, so docker compose has nothing to run; an override file that only adjusts services loads together with its base file (set the group in repos.toml)",
                service.name
            ),
        }),
    }
}

/// Links every service that builds from the repository to an image: one image per distinct
/// Dockerfile, target, context and build arguments.
fn link_services(snapshot: &Snapshot, model: &mut RepoModel) {
    for project_index in 0..model.projects.len() {
        let Ok(project) = &model.projects[project_index].loaded else {
            continue;
        };
        for service in project.services.clone() {
            let unit_index = model.services.len();
            let image = service
                .build
                .as_ref()
                .and_then(|build| image_for_build(snapshot, model, &service, build));
            if let Some(image) = image {
                model.images[image].built_by.push(unit_index);
            }
            model.services.push(ServiceUnit {
                project: project_index,
                service,
                image,
            });
        }
    }
}

fn image_for_build(
    snapshot: &Snapshot,
    model: &mut RepoModel,
    service: &Service,
    build: &compose::Build,
) -> Option<usize> {
    let dockerfile = if let Some(inline) = &build.dockerfile_inline {
        let path = format!("{}#{} (dockerfile_inline)", inline.path, service.name);
        add_inline_dockerfile(model, path, inline)
    } else {
        let declared = build
            .dockerfile
            .as_ref()
            .map(|dockerfile| dockerfile.location())
            .unwrap_or_else(|| build.location.clone());
        match build.dockerfile_path.clone() {
            None => {
                let written = build
                    .dockerfile
                    .as_ref()
                    .map(|dockerfile| dockerfile.value.clone())
                    .unwrap_or_else(|| "Dockerfile".to_string());
                let message = format!(
                    "the Dockerfile {written} of this build lies outside the repository (or the context is a URL), so the image cannot be graded"
                );
                add_missing_dockerfile(snapshot, model, service, &declared, written, message)
            }
            Some(path) => {
                // A Dockerfile stored as a link is built from the file it points to.
                let path = model
                    .links
                    .iter()
                    .find(|(link, _)| *link == path)
                    .map(|(_, target)| target.clone())
                    .unwrap_or(path);
                let text = snapshot
                    .files
                    .get(&path)
                    .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
                match text {
                    Some(text) => add_dockerfile(model, path, text),
                    None => {
                        let message = if snapshot.contains(&path) {
                            format!(
                                "the Dockerfile {path} was not read ({}), so the image cannot be graded",
                                unread_reason(snapshot, &path)
                            )
                        } else {
                            format!("the Dockerfile {path} does not exist in the repository, so the image cannot be graded")
                        };
                        add_missing_dockerfile(snapshot, model, service, &declared, path, message)
                    }
                }
            }
        }
    };

    let build_args: BTreeMap<String, String> = build
        .args
        .iter()
        .filter_map(|(name, value)| value.clone().map(|value| (name.clone(), value)))
        .collect();
    let target = build.target.as_ref().map(|t| t.value.clone());
    let context = build.context_dir.clone();

    if let Some(existing) = model.images.iter().position(|image| {
        image.dockerfile == dockerfile
            && image.target == target
            && image.context == context
            && image.build_args == build_args
    }) {
        return Some(existing);
    }

    let image = new_image(
        snapshot, model, dockerfile, target, context, "compose", build_args,
    );
    if image.target.is_some() && image.target_stage.is_none() && !image.stages.is_empty() {
        let target_location = build.target.as_ref().map(|t| t.location());
        if let Some(location) = target_location {
            model.link_findings.push(Finding::new(
                "parse-error",
                Outcome::Review,
                format!("service {}", service.name),
                &location,
                snapshot.text(&location.path),
                format!(
                    "build.target names no stage of {}",
                    model.dockerfiles[dockerfile].path
                ),
                "Set build.target to the name of a stage (FROM ... AS name).",
            ));
        }
    }
    model.images.push(image);
    Some(model.images.len() - 1)
}

/// Records a build whose Dockerfile cannot be read: a `parse-error` finding at the Compose line
/// that names it, and a Dockerfile entry that does not parse, so every control that needs the
/// image gives review instead of treating the service as one that runs a pulled image.
fn add_missing_dockerfile(
    snapshot: &Snapshot,
    model: &mut RepoModel,
    service: &Service,
    declared: &Location,
    path: String,
    message: String,
) -> usize {
    model.link_findings.push(Finding::new(
        "parse-error",
        Outcome::Review,
        format!("service {}", service.name),
        declared,
        snapshot.text(&declared.path),
        message.clone(),
        "Point build.dockerfile at a Dockerfile inside the repository.",
    ));
    if let Some(index) = model
        .dockerfiles
        .iter()
        .position(|source| source.path == path)
    {
        return index;
    }
    model.dockerfiles.push(DockerfileSource {
        path,
        text: String::new(),
        parsed: Err(ParseError { line: 0, message }),
        declared_at: Some(declared.clone()),
    });
    model.dockerfiles.len() - 1
}

fn add_inline_dockerfile(
    model: &mut RepoModel,
    path: String,
    inline: &compose::Located<String>,
) -> usize {
    add_dockerfile(model, path, inline.value.clone())
}

/// Creates an image, expanding the stages with the build arguments and choosing the ignore file.
fn new_image(
    snapshot: &Snapshot,
    model: &RepoModel,
    dockerfile: usize,
    target: Option<String>,
    context: Option<String>,
    context_origin: &'static str,
    build_args: BTreeMap<String, String>,
) -> Image {
    let source = &model.dockerfiles[dockerfile];
    let stages = match &source.parsed {
        Ok(parsed) => dockerfile::stages(parsed, &build_args),
        Err(_) => Vec::new(),
    };
    let target_stage = match &target {
        None => stages.len().checked_sub(1),
        Some(name) => stage::find_stage(&stages, name),
    };
    let ignore_path = context
        .as_deref()
        .and_then(|context| dockerignore::ignore_file_for(&source.path, context, snapshot));
    Image {
        dockerfile,
        target,
        context,
        context_origin,
        build_args,
        stages,
        target_stage,
        ignore_path,
        built_by: Vec::new(),
    }
}

fn add_requested_images(snapshot: &Snapshot, options: &LinkOptions, model: &mut RepoModel) {
    for request in &options.images {
        let existing = model
            .dockerfiles
            .iter()
            .position(|source| source.path == request.dockerfile);
        let dockerfile = match existing {
            Some(index) => index,
            // repos.toml may name a Dockerfile under any name, so it is read even when
            // discovery would not have recognised it.
            None => match snapshot.files.get(&request.dockerfile) {
                Some(bytes) => {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    add_dockerfile(model, request.dockerfile.clone(), text)
                }
                None => {
                    let why = if snapshot.contains(&request.dockerfile) {
                        format!(
                            "was not read ({})",
                            unread_reason(snapshot, &request.dockerfile)
                        )
                    } else {
                        "does not exist in the repository".to_string()
                    };
                    model.dockerfiles.push(DockerfileSource {
                        path: request.dockerfile.clone(),
                        text: String::new(),
                        parsed: Err(ParseError {
                            line: 1,
                            message: format!(
                                "repos.toml names the Dockerfile {}, but it {why}",
                                request.dockerfile
                            ),
                        }),
                        declared_at: None,
                    });
                    model.dockerfiles.len() - 1
                }
            },
        };
        let (context, origin) = match &request.context {
            Some(context) => (Some(context.clone()), "repos.toml"),
            None => (
                Some(parent_folder(&request.dockerfile)),
                "Dockerfile folder",
            ),
        };
        let image = new_image(
            snapshot,
            model,
            dockerfile,
            request.target.clone(),
            context,
            origin,
            BTreeMap::new(),
        );
        model.images.push(image);
    }
}

/// Grades every Dockerfile that no service builds and repos.toml does not name once, to its last
/// stage, with its own folder as the build context.
fn add_unbuilt_dockerfiles(snapshot: &Snapshot, model: &mut RepoModel) {
    for index in 0..model.dockerfiles.len() {
        if model.images.iter().any(|image| image.dockerfile == index) {
            continue;
        }
        let context = Some(parent_folder(&model.dockerfiles[index].path));
        let image = new_image(
            snapshot,
            model,
            index,
            None,
            context,
            "Dockerfile folder",
            BTreeMap::new(),
        );
        model.images.push(image);
    }
}

/// Returns the Dockerfiles that Compose services build but the snapshot did not read, because
/// their names are not ones discovery recognises. A source reads them before the model is built.
pub fn unread_dockerfiles(snapshot: &Snapshot, options: &LinkOptions) -> Vec<String> {
    let groups = if options.compose_groups.is_empty() {
        discover::compose_groups(&snapshot.paths)
    } else {
        options.compose_groups.clone()
    };
    let read = |path: &str| snapshot.text(path).map(str::to_string);
    let mut unread = Vec::new();
    for files in groups {
        let Ok(project) = compose::load_project(&files, &read) else {
            continue;
        };
        for service in &project.services {
            let Some(path) = service
                .build
                .as_ref()
                .and_then(|build| build.dockerfile_path.clone())
            else {
                continue;
            };
            if snapshot.contains(&path)
                && !snapshot.files.contains_key(&path)
                && !unread.contains(&path)
            {
                unread.push(path);
            }
        }
    }
    // Files that repos.toml names explicitly are read whatever their names.
    for request in &options.images {
        if !snapshot.files.contains_key(&request.dockerfile)
            && !unread.contains(&request.dockerfile)
        {
            unread.push(request.dockerfile.clone());
        }
    }
    for file in options.compose_groups.iter().flatten() {
        if !snapshot.files.contains_key(file) && !unread.contains(file) {
            unread.push(file.clone());
        }
    }
    unread.sort();
    unread
}

/// Returns the folder of a repository path: `""` for a file at the root.
pub fn parent_folder(path: &str) -> String {
    match path.rfind('/') {
        Some(index) => path[..index].to_string(),
        None => String::new(),
    }
}

/// Returns the location of a stage's `FROM` line in an image's Dockerfile.
pub fn stage_location(model: &RepoModel, image: &Image, stage: &Stage) -> Location {
    Location::new(model.dockerfile_of(image).path.clone(), stage.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(files: &[(&str, &str)]) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (path, text) in files {
            snapshot.paths.push(path.to_string());
            snapshot
                .files
                .insert(path.to_string(), text.as_bytes().to_vec());
        }
        snapshot.paths.sort();
        snapshot
    }

    #[test]
    fn link_dockerfile_grades_target() {
        let snapshot = snapshot(&[
            ("Dockerfile", "docker/Dockerfile.debian"),
            ("docker/Dockerfile.debian", "FROM debian:12\nUSER 1000\n"),
        ]);
        let model = build(&snapshot, &LinkOptions::default());
        assert_eq!(
            model.links,
            [(
                "Dockerfile".to_string(),
                "docker/Dockerfile.debian".to_string()
            )]
        );
        assert_eq!(model.dockerfiles.len(), 1);
        assert!(model.dockerfiles[0].parsed.is_ok());
    }

    #[test]
    fn unknown_link_target_is_no_link() {
        let snapshot = snapshot(&[("Dockerfile", "nonsense")]);
        let model = build(&snapshot, &LinkOptions::default());
        assert!(model.links.is_empty());
        assert!(model.dockerfiles[0].parsed.is_err());
    }

    #[test]
    fn instruction_layer_errors_are_parse_errors() {
        let snapshot = snapshot(&[("Dockerfile", "FROM alpine extra\n")]);
        let model = build(&snapshot, &LinkOptions::default());
        let error = model.dockerfiles[0].parsed.as_ref().unwrap_err();
        assert_eq!(error.line, 1);
    }
}
