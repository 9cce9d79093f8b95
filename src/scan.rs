//! Scans: turns repos.toml entries or folders into jobs, grades each, and collects the scorecard.

use crate::config::{Config, RepoEntry, RepoSource};
use crate::grade::{Policy, Waiver};
use crate::model::{ImageRequest, LinkOptions};
use crate::pipeline::{self, RepoSettings};
use crate::scorecard::{RepoReport, Scorecard};
use crate::source::local::{self, LocalOptions};
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
    GitHub,
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
            JobLocation::GitHub,
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
pub fn grade_job(job: &Job, policy: &Policy) -> RepoReport {
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
        JobLocation::GitHub => pipeline::error_report(
            &job.name,
            &job.source,
            "reading repositories from GitHub is not supported by this version of dockgrade; use a local path".to_string(),
        ),
    }
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

/// Grades every job and returns the scorecard, repositories sorted by name then source.
pub fn build_scorecard(jobs: &[Job], policy: &Policy) -> Scorecard {
    let mut reports: Vec<RepoReport> = jobs.iter().map(|job| grade_job(job, policy)).collect();
    reports.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.source.cmp(&b.source)));
    Scorecard {
        tool: "dockgrade".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        repos: reports,
    }
}
