//! Scans: turns repos.toml entries or folders into jobs, grades each, and collects the scorecard.

use crate::config::{
    self, ComposeEntry, Config, ConfigError, ImageEntry, RepoEntry, RepoFile, RepoSource,
};
use crate::grade::{Policy, Waiver};
use crate::model::{ImageRequest, LinkOptions};
use crate::pipeline::{self, RepoSettings};
use crate::scorecard::{RepoReport, Scorecard};
use crate::source::github::{GitHubSettings, GitHubSource, OrgRequest, RepoRequest, StatsSnapshot};
use crate::source::local::{self, LocalOptions};
use crate::source::Snapshot;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// One repository to grade.
pub struct Job {
    pub name: String,
    /// The source as the report names it: the path as written in repos.toml, or `owner/name`.
    pub source: String,
    pub location: JobLocation,
    pub settings: RepoSettings,
}

/// The place a repository is read from.
pub enum JobLocation {
    Local {
        root: PathBuf,
        options: LocalOptions,
    },
    GitHub {
        /// `owner/name`.
        repository: String,
        git_ref: Option<String>,
        options: LocalOptions,
        /// The repository's web page, or `None` when the API URL gives no web host.
        web_url: Option<String>,
    },
}

/// Derives the web host of a GitHub instance from its REST API base URL. github.com serves
/// the API at `https://api.github.com`, GitHub Enterprise Server at `https://HOST/api/v3`, and
/// GitHub Enterprise Cloud with data residency at `https://api.SUBDOMAIN.ghe.com` for the web
/// host `SUBDOMAIN.ghe.com` (GitHub Docs). Returns `None` for any other form, so that no report
/// links to a guessed host.
// NOTE: an API URL of another form, such as a proxy in front of GitHub, gets no web host, so
// its findings have no links. repos.toml has no key to name the web host directly.
pub fn web_base(api_url: &str) -> Option<String> {
    let url = api_url.trim().trim_end_matches('/');
    if let Some(host) = url.strip_suffix("/api/v3") {
        return Some(host.to_string());
    }
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.strip_prefix("api.")?;
    if host.is_empty() || host.contains('/') {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

/// Returns the web page of `repository` (`owner/name`) on the GitHub instance at `api_url`.
fn repository_web_url(config: &Config, repository: &str) -> Option<String> {
    let api_url = config
        .github
        .api_url
        .as_deref()
        .unwrap_or(crate::source::github::DEFAULT_API_URL);
    web_base(api_url).map(|base| format!("{base}/{repository}"))
}

/// Removes `.` and `..` components without touching the file system.
fn clean_lexically(path: &Path) -> PathBuf {
    let mut cleaned = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                cleaned.pop();
            }
            other => cleaned.push(other),
        }
    }
    cleaned
}

/// Builds the grading settings of explicit images, Compose groups and waivers, from a repos.toml
/// entry or a `.dockgrade.toml`.
fn repo_settings(
    images: &[ImageEntry],
    compose: &[ComposeEntry],
    waivers: &[config::Waiver],
) -> RepoSettings {
    RepoSettings {
        link: LinkOptions {
            images: images
                .iter()
                .map(|image| ImageRequest {
                    dockerfile: image.dockerfile.clone(),
                    context: image.context.clone(),
                    target: image.target.clone(),
                })
                .collect(),
            compose_groups: compose.iter().map(|group| group.files.clone()).collect(),
        },
        waivers: waivers
            .iter()
            .map(|waiver| Waiver {
                id: waiver.id.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires,
            })
            .collect(),
    }
}

/// Turns one repos.toml entry into a job. `config_folder` is the config file's folder, absolute
/// and cleaned, against which local paths are shown.
pub fn job_for_entry(config: &Config, config_folder: &Path, entry: &RepoEntry) -> Job {
    let settings = repo_settings(&entry.images, &entry.compose, &entry.waivers);
    // The report names a local source relative to repos.toml, so that it reads the same on every
    // machine and a scheduled run on another checkout makes no change.
    let (location, source) = match &entry.source {
        RepoSource::Local { path } => (
            JobLocation::Local {
                root: path.clone(),
                options: LocalOptions {
                    skip: config.discovery.skip.clone(),
                    include: entry.include.clone(),
                    exclude: entry.exclude.clone(),
                    ..LocalOptions::default()
                },
            },
            path.strip_prefix(config_folder)
                .map(|relative| relative.to_string_lossy().replace('\\', "/"))
                .ok()
                .filter(|relative| !relative.is_empty())
                .unwrap_or_else(|| path.display().to_string()),
        ),
        RepoSource::GitHub {
            repository,
            git_ref,
        } => (
            JobLocation::GitHub {
                repository: repository.clone(),
                git_ref: git_ref.clone(),
                options: LocalOptions {
                    skip: config.discovery.skip.clone(),
                    include: entry.include.clone(),
                    exclude: entry.exclude.clone(),
                    ..LocalOptions::default()
                },
                web_url: repository_web_url(config, repository),
            },
            match git_ref {
                Some(git_ref) => format!("{repository}@{git_ref}"),
                None => repository.clone(),
            },
        ),
    };
    Job {
        name: entry.name.clone(),
        source,
        location,
        settings,
    }
}

/// Reads and grades one repository; a repository that cannot be read becomes an error row.
///
/// `fetched` is the result of the GitHub fetch stage for a GitHub job; `None` for a local job.
pub fn grade_job(
    job: &Job,
    policy: &Policy,
    fetched: Option<Result<Snapshot, String>>,
) -> RepoReport {
    match &job.location {
        JobLocation::Local { root, options } => match local::read_local(root, options) {
            Ok(mut snapshot) => {
                let unread = crate::model::unread_dockerfiles(&snapshot, &job.settings.link);
                local::read_more(root, options, &mut snapshot, &unread);
                info!(repository = %job.name, files = snapshot.files.len(), "grading");
                pipeline::grade_snapshot(&job.name, &job.source, &snapshot, &job.settings, policy)
            }
            Err(error) => {
                warn!(repository = %job.name, %error, "cannot read repository");
                pipeline::error_report(&job.name, &job.source, error.to_string())
            }
        },
        JobLocation::GitHub { web_url, .. } => match fetched {
            Some(Ok(snapshot)) => {
                info!(repository = %job.name, files = snapshot.files.len(), "grading");
                let mut report = pipeline::grade_snapshot(
                    &job.name,
                    &job.source,
                    &snapshot,
                    &job.settings,
                    policy,
                );
                report.web_url = web_url.clone();
                report
            }
            Some(Err(message)) => pipeline::error_report(&job.name, &job.source, message),
            None => pipeline::error_report(
                &job.name,
                &job.source,
                "the repository was not fetched from GitHub".to_string(),
            ),
        },
    }
}

/// The GitHub side of one run: an HTTP runtime and a source shared by organization discovery
/// and fetching, so that one set of counters and one rate-limit state cover the whole run.
pub struct GitHubRun {
    runtime: tokio::runtime::Runtime,
    source: GitHubSource,
}

impl GitHubRun {
    /// Starts the runtime and builds the HTTP clients.
    pub fn start(settings: &GitHubSettings) -> Result<GitHubRun, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start the HTTP runtime: {error}"))?;
        let source = runtime
            .block_on(async { GitHubSource::new(settings.clone()) })
            .map_err(|error| error.to_string())?;
        Ok(GitHubRun { runtime, source })
    }

    /// Expands the `[[org]]` entries into jobs, leaving out repositories that a `[[repo]]`
    /// entry already lists. An owner whose repositories cannot be listed becomes an error row.
    pub fn org_jobs(&self, config: &Config, existing: &[Job]) -> (Vec<Job>, Vec<RepoReport>) {
        let mut seen: HashSet<String> = existing
            .iter()
            .filter_map(|job| match &job.location {
                JobLocation::GitHub { repository, .. } => Some(repository.to_ascii_lowercase()),
                JobLocation::Local { .. } => None,
            })
            .collect();
        let mut jobs = Vec::new();
        let mut errors = Vec::new();
        for org in &config.orgs {
            let request = OrgRequest {
                name: org.name.clone(),
                include: org.include.clone(),
                exclude: org.exclude.clone(),
                archived: org.archived,
                forks: org.forks,
            };
            let listed = self.runtime.block_on(self.source.list_org(&request));
            let repositories = match listed {
                Ok(repositories) => repositories,
                Err(error) => {
                    warn!(owner = %org.name, %error, "cannot list repositories");
                    errors.push(pipeline::error_report(
                        &org.name,
                        &format!("{}/*", org.name),
                        error.to_string(),
                    ));
                    continue;
                }
            };
            info!(owner = %org.name, repositories = repositories.len(), "listed repositories");
            for repository in repositories {
                if !seen.insert(repository.to_ascii_lowercase()) {
                    continue;
                }
                jobs.push(Job {
                    name: repository.clone(),
                    source: repository.clone(),
                    location: JobLocation::GitHub {
                        web_url: repository_web_url(config, &repository),
                        repository,
                        git_ref: None,
                        options: LocalOptions {
                            skip: config.discovery.skip.clone(),
                            ..LocalOptions::default()
                        },
                    },
                    settings: RepoSettings::default(),
                });
            }
        }
        (jobs, errors)
    }

    /// Reads every GitHub job through the API, and returns the snapshots by job index.
    pub fn fetch(&self, jobs: &[Job]) -> HashMap<usize, Result<Snapshot, String>> {
        let mut indices = Vec::new();
        let mut requests = Vec::new();
        for (index, job) in jobs.iter().enumerate() {
            if let JobLocation::GitHub {
                repository,
                git_ref,
                options,
                ..
            } = &job.location
            {
                indices.push(index);
                requests.push(RepoRequest {
                    repository: repository.clone(),
                    git_ref: git_ref.clone(),
                    options: options.clone(),
                });
            }
        }
        if requests.is_empty() {
            return HashMap::new();
        }
        let more = |slot: usize, snapshot: &Snapshot| {
            crate::model::unread_dockerfiles(snapshot, &jobs[indices[slot]].settings.link)
        };
        let results = self.runtime.block_on(self.source.fetch(&requests, &more));
        indices
            .iter()
            .zip(results)
            .map(|(index, result)| (*index, result.map_err(|error| error.to_string())))
            .collect()
    }

    /// Returns the request counters so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.source.stats()
    }
}

/// Tells whether any job reads from GitHub.
pub fn has_github_jobs(jobs: &[Job]) -> bool {
    jobs.iter()
        .any(|job| matches!(job.location, JobLocation::GitHub { .. }))
}

/// Returns the jobs of every entry of a loaded config file at `config_path`.
pub fn jobs_for_config(config: &Config, config_path: &Path) -> Vec<Job> {
    let absolute = std::path::absolute(config_path).unwrap_or_else(|_| config_path.to_path_buf());
    let config_folder = clean_lexically(absolute.parent().unwrap_or(Path::new("/")));
    config
        .repos
        .iter()
        .map(|entry| job_for_entry(config, &config_folder, entry))
        .collect()
}

/// Returns one job per folder, each graded with default settings. A job is named after its
/// folder, or after the path as given when two folders share a name. Paths that name the same
/// folder (`p`, `p/` and `./p`, or a symbolic link and its target) become one job, under the
/// path given first.
pub fn jobs_for_paths(paths: &[PathBuf]) -> Vec<Job> {
    let mut jobs: Vec<Job> = distinct_folders(paths)
        .into_iter()
        .map(|path| {
            let name = path
                .canonicalize()
                .ok()
                .and_then(|full| {
                    full.file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                })
                .unwrap_or_else(|| path.display().to_string());
            Job {
                name,
                source: path.display().to_string(),
                location: JobLocation::Local {
                    root: path.clone(),
                    options: LocalOptions::default(),
                },
                settings: RepoSettings::default(),
            }
        })
        .collect();
    let names: Vec<String> = jobs.iter().map(|job| job.name.clone()).collect();
    for job in &mut jobs {
        if names.iter().filter(|name| **name == job.name).count() > 1 {
            job.name = job.source.clone();
        }
    }
    jobs
}

/// Drops each path that names the same folder as an earlier one. A path that cannot be
/// resolved (it does not exist) is compared as given, and its row reports the error.
fn distinct_folders(paths: &[PathBuf]) -> Vec<&PathBuf> {
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::new();
    let mut distinct = Vec::new();
    for path in paths {
        let resolved = path.canonicalize().unwrap_or_else(|_| path.clone());
        if let Some((_, first)) = seen.iter().find(|(folder, _)| *folder == resolved) {
            info!(
                path = %path.display(),
                same_as = %first.display(),
                "the folder was given more than once; grading it once"
            );
            continue;
        }
        seen.push((resolved, path));
        distinct.push(path);
    }
    distinct
}

/// Returns one job per folder, as [`jobs_for_paths`] does, with the settings of each folder's
/// `.dockgrade.toml` applied where the folder has one. An invalid file is an error of the run.
/// A path that is not a folder has no settings file: its row reports that it is not a folder.
pub fn jobs_for_checked_paths(paths: &[PathBuf]) -> Result<Vec<Job>, ConfigError> {
    let mut jobs = jobs_for_paths(paths);
    for job in &mut jobs {
        let JobLocation::Local { root, options } = &mut job.location else {
            continue;
        };
        if !root.is_dir() {
            continue;
        }
        let Some(file) = RepoFile::load(root)? else {
            continue;
        };
        info!(repository = %job.name, file = %file.path.display(), "applying the repository's settings");
        let rules = file.rules;
        options.include = rules.include;
        options.exclude = rules.exclude;
        job.settings = repo_settings(&rules.images, &rules.compose, &rules.waivers);
    }
    Ok(jobs)
}

/// Grades every job and returns the scorecard, repositories sorted by name then source. GitHub
/// jobs are read with the default settings; see [`build_scorecard_with`].
pub fn build_scorecard(jobs: &[Job], policy: &Policy) -> Scorecard {
    build_scorecard_with(jobs, policy, &GitHubSettings::default()).0
}

/// Reads the GitHub jobs with `github`, grades every job, and returns the scorecard with the
/// GitHub request counters (`None` when no job reads from GitHub).
pub fn build_scorecard_with(
    jobs: &[Job],
    policy: &Policy,
    github: &GitHubSettings,
) -> (Scorecard, Option<StatsSnapshot>) {
    if !has_github_jobs(jobs) {
        return (
            build_scorecard_from(jobs, policy, HashMap::new(), Vec::new()),
            None,
        );
    }
    match GitHubRun::start(github) {
        Ok(run) => {
            let fetched = run.fetch(jobs);
            let scorecard = build_scorecard_from(jobs, policy, fetched, Vec::new());
            (scorecard, Some(run.stats()))
        }
        Err(message) => {
            let fetched = jobs
                .iter()
                .enumerate()
                .filter(|(_, job)| matches!(job.location, JobLocation::GitHub { .. }))
                .map(|(index, _)| (index, Err(message.clone())))
                .collect();
            (
                build_scorecard_from(jobs, policy, fetched, Vec::new()),
                None,
            )
        }
    }
}

/// Grades every job, GitHub jobs from `fetched` (by job index), adds the `extra` rows (owners
/// that could not be listed), and returns the scorecard sorted by name then source.
pub fn build_scorecard_from(
    jobs: &[Job],
    policy: &Policy,
    mut fetched: HashMap<usize, Result<Snapshot, String>>,
    extra: Vec<RepoReport>,
) -> Scorecard {
    let mut reports: Vec<RepoReport> = jobs
        .iter()
        .enumerate()
        .map(|(index, job)| grade_job(job, policy, fetched.remove(&index)))
        .collect();
    reports.extend(extra);
    sort_reports(&mut reports);
    Scorecard::new(reports)
}

/// Sorts repositories as every scorecard lists them: by name, then by source. The sort is
/// stable, so two entries with the same name and source keep their repos.toml order.
pub fn sort_reports(reports: &mut [RepoReport]) {
    reports.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.source.cmp(&b.source)));
}

#[cfg(test)]
mod tests {
    use super::web_base;

    #[test]
    fn web_base_of_each_github_kind() {
        assert_eq!(
            web_base("https://api.github.com").as_deref(),
            Some("https://github.com")
        );
        assert_eq!(
            web_base("https://github.example.com/api/v3/").as_deref(),
            Some("https://github.example.com")
        );
        assert_eq!(
            web_base("https://api.octo.ghe.com").as_deref(),
            Some("https://octo.ghe.com")
        );
    }

    #[test]
    fn web_base_unknown_form_is_none() {
        assert_eq!(web_base("http://127.0.0.1:9000"), None);
        assert_eq!(web_base("https://proxy.example.com/github"), None);
        assert_eq!(web_base("https://api.example.com/rest"), None);
        assert_eq!(web_base("https://api."), None);
    }
}
