//! The commands: each turns parsed arguments into work and an exit code.

use crate::cli::{self, Cli, Command, ReportArgs, ReportFormat};
use crate::config::{Config, RepoEntry, RepoSource};
use crate::grade::{Policy, Waiver};
use crate::model::{ImageRequest, LinkOptions};
use crate::pipeline::{self, RepoSettings};
use crate::report;
use crate::scorecard::{RepoReport, Scorecard};
use crate::source::local::{self, LocalOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tracing::{error, info, warn};

/// Sends logs to stderr: warnings by default, debug with -v, trace with -vv, errors only with -q.
pub fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOCKGRADE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("dockgrade={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

/// Runs one command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Scan(args) => scan(&args.config, &args.report),
        Command::Check(args) => check(&args.paths, &args.report),
        Command::Inspect(args) => inspect(&args),
        Command::Explain(args) => explain(&args),
        Command::Init(args) => init(&args),
    }
}

/// One repository to grade, read from a local directory.
struct Job {
    name: String,
    /// How the report names the source: the path as written in repos.toml, or `owner/name`.
    source: String,
    location: JobLocation,
    settings: RepoSettings,
}

enum JobLocation {
    Local {
        root: PathBuf,
        options: LocalOptions,
    },
    GitHub,
}

fn today(args: &ReportArgs) -> chrono::NaiveDate {
    args.today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn scan(config_path: &Path, args: &ReportArgs) -> u8 {
    let config = match Config::load(config_path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return cli::EXIT_USAGE;
        }
    };
    let policy = Policy {
        blocker_cap: config
            .grading
            .blocker_cap
            .as_str()
            .chars()
            .next()
            .unwrap_or('F'),
        today: today(args),
    };
    let config_folder = clean_lexically(
        &std::path::absolute(config_path)
            .unwrap_or_else(|_| config_path.to_path_buf())
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    );
    let jobs: Vec<Job> = config
        .repos
        .iter()
        .map(|entry| job_for_entry(&config, &config_folder, entry))
        .collect();
    grade_and_report(jobs, &policy, args)
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

fn job_for_entry(config: &Config, config_folder: &Path, entry: &RepoEntry) -> Job {
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

fn check(paths: &[PathBuf], args: &ReportArgs) -> u8 {
    let policy = Policy {
        blocker_cap: 'F',
        today: today(args),
    };
    let jobs = paths
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
        .collect();
    grade_and_report(jobs, &policy, args)
}

fn grade_job(job: &Job, policy: &Policy) -> RepoReport {
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

fn grade_and_report(jobs: Vec<Job>, policy: &Policy, args: &ReportArgs) -> u8 {
    let mut reports: Vec<RepoReport> = jobs.iter().map(|job| grade_job(job, policy)).collect();
    reports.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.source.cmp(&b.source)));
    let scorecard = Scorecard {
        tool: "dockgrade".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        repos: reports,
    };

    let format = match args.format {
        ReportFormat::Markdown => report::Format::Markdown,
        ReportFormat::Json => report::Format::Json,
    };
    let rendered = match report::render(&scorecard, format) {
        Ok(rendered) => rendered,
        Err(error) => {
            error!(%error, "cannot render the report");
            eprintln!("error: cannot render the report: {error}");
            return cli::EXIT_INTERNAL;
        }
    };
    if let Err(error) = write_output(args.output.as_deref(), &rendered) {
        eprintln!("error: {error}");
        return cli::EXIT_INTERNAL;
    }

    if scorecard
        .repos
        .iter()
        .any(|report| !report.errors.is_empty())
    {
        return cli::EXIT_UNREADABLE;
    }
    if let Some(threshold) = args.fail_under {
        let below: Vec<&str> = scorecard
            .repos
            .iter()
            .filter(|report| pipeline::is_below(report, threshold))
            .map(|report| report.name.as_str())
            .collect();
        if !below.is_empty() {
            eprintln!(
                "{} graded below {threshold}: {}",
                below.len(),
                below.join(", ")
            );
            return cli::EXIT_BELOW_THRESHOLD;
        }
    }
    cli::EXIT_OK
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|error| format!("cannot write {}: {error}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|error| format!("cannot write to stdout: {error}"))
        }
    }
}

fn inspect(args: &cli::InspectArgs) -> u8 {
    let first = &args.files[0];
    let result = if crate::inspect::is_compose_path(first) {
        if args.format == cli::InspectFormat::Buildkit {
            Err(crate::inspect::InspectError::BuildkitForCompose {
                path: first.display().to_string(),
            })
        } else {
            let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
            crate::inspect::inspect_compose(&files)
        }
    } else {
        let format = match args.format {
            cli::InspectFormat::Text => "text",
            cli::InspectFormat::Json => "json",
            cli::InspectFormat::Buildkit => "buildkit",
        };
        crate::inspect::inspect_dockerfile(first, format)
    };
    match result {
        Ok(text) => match write_output(None, &text) {
            Ok(()) => cli::EXIT_OK,
            Err(error) => {
                eprintln!("error: {error}");
                cli::EXIT_INTERNAL
            }
        },
        Err(error) => {
            eprintln!("error: {error}");
            cli::EXIT_USAGE
        }
    }
}

fn explain(args: &cli::ExplainArgs) -> u8 {
    if args.all {
        print!("{}", report::render_controls_doc());
        return cli::EXIT_OK;
    }
    let id = args.id.as_deref().unwrap_or("");
    match crate::controls::lookup(id).map(report::render_explain) {
        Some(text) => {
            print!("{text}");
            cli::EXIT_OK
        }
        None => {
            eprintln!(
                "error: unknown id {id:?}\nhelp: known ids: {}",
                crate::controls::all_ids().join(", ")
            );
            cli::EXIT_USAGE
        }
    }
}

fn init(args: &cli::InitArgs) -> u8 {
    if args.output.exists() && !args.force {
        eprintln!(
            "error: {} already exists\nhelp: pass --force to overwrite it, or --output to write elsewhere",
            args.output.display()
        );
        return cli::EXIT_USAGE;
    }
    match std::fs::write(&args.output, crate::config::init_template()) {
        Ok(()) => {
            eprintln!("wrote {}", args.output.display());
            cli::EXIT_OK
        }
        Err(error) => {
            eprintln!("error: cannot write {}: {error}", args.output.display());
            cli::EXIT_INTERNAL
        }
    }
}
