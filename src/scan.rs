//! Scans: turns repos.toml entries or folders into jobs, grades each, and collects the scorecard.

use crate::config::{Config, RepoEntry, RepoSource};
use crate::grade::{Policy, Waiver};
use crate::model::{ImageRequest, LinkOptions};
use crate::pipeline::{self, RepoSettings};
use crate::scorecard::{RepoReport, Scorecard};
use crate::source::github::{GitHubSettings, GitHubSource, RepoRequest, StatsSnapshot};
use crate::source::local::{self, LocalOptions};
use crate::source::Snapshot;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// One repository to grade.
pub struct Job {
    pub name: String,
    /// How the report names the source: the path as written in repos.toml, or `owner/name`.
    pub source: String,
    pub location: JobLocation,
    pub settings: RepoSettings,
}

/// Where a repository is read from.
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
    },
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

/// Turns one repos.toml entry into a job. `config_folder` is the config file's folder, absolute
/// and cleaned, against which local paths are shown.
pub fn job_for_entry(config: &Config, config_folder: &Path, entry: &RepoEntry) -> Job {
    let settings = RepoSettings {
        link: LinkOptions {
            images: entry
                .images
                .iter()
                .map(|image| ImageRequest {
                    dockerfile: image.dockerfile.clone(),
                    context: image.context.clone(),
                    target: image.target.clone(),
                })
                .collect(),
            compose_groups: entry
                .compose
                .iter()
                .map(|group| group.files.clone())
                .collect(),
        },
        waivers: entry
            .waivers
            .iter()
            .map(|waiver| Waiver {
                id: waiver.id.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires,
            })
            .collect(),
    };
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
        JobLocation::GitHub { .. } => match fetched {
            Some(Ok(snapshot)) => {
                info!(repository = %job.name, files = snapshot.files.len(), "grading");
                pipeline::grade_snapshot(&job.name, &job.source, &snapshot, &job.settings, policy)
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

/// Reads every GitHub job through the API before grading, and returns the snapshots by job
/// index with the request counters. Returns nothing when no job reads from GitHub.
pub fn fetch_github(
    jobs: &[Job],
    settings: &GitHubSettings,
) -> (
    HashMap<usize, Result<Snapshot, String>>,
    Option<StatsSnapshot>,
) {
    let mut indices = Vec::new();
    let mut requests = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        if let JobLocation::GitHub {
            repository,
            git_ref,
            options,
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
        return (HashMap::new(), None);
    }

    let fail_all = |message: String| {
        indices
            .iter()
            .map(|index| (*index, Err(message.clone())))
            .collect::<HashMap<_, _>>()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return (
                fail_all(format!("cannot start the HTTP runtime: {error}")),
                None,
            )
        }
    };
    runtime.block_on(async {
        let source = match GitHubSource::new(settings.clone()) {
            Ok(source) => source,
            Err(error) => return (fail_all(error.to_string()), None),
        };
        let more = |slot: usize, snapshot: &Snapshot| {
            crate::model::unread_dockerfiles(snapshot, &jobs[indices[slot]].settings.link)
        };
        let results = source.fetch(&requests, &more).await;
        let snapshots = indices
            .iter()
            .zip(results)
            .map(|(index, result)| (*index, result.map_err(|error| error.to_string())))
            .collect();
        (snapshots, Some(source.stats()))
    })
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

/// Returns one job per folder, each graded with default settings.
pub fn jobs_for_paths(paths: &[PathBuf]) -> Vec<Job> {
    paths
        .iter()
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
        .collect()
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
    let (mut fetched, stats) = fetch_github(jobs, github);
    let mut reports: Vec<RepoReport> = jobs
        .iter()
        .enumerate()
        .map(|(index, job)| grade_job(job, policy, fetched.remove(&index)))
        .collect();
    reports.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.source.cmp(&b.source)));
    let scorecard = Scorecard {
        tool: "dockgrade".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        repos: reports,
    };
    (scorecard, stats)
}
