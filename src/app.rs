//! The commands: each turns parsed arguments into work and an exit code.

use crate::cli::{self, Cli, Command, GitHubArgs, ReportArgs, ReportFormat};
use crate::config::Config;
use crate::grade::Policy;
use crate::pipeline;
use crate::report;
use crate::scan::Job;
use crate::scorecard::{RepoReport, Scorecard, ShardInfo};
use crate::shard::Shard;
use crate::source::github::{self, AppCredentials, Credentials, GitHubSettings};
use crate::update::UpdateOutcome;
use clap::ValueEnum as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tracing::{error, info, warn};

mod diff;

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
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .try_init();
}

/// Runs one command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Scan(args) => scan(
            &args.config,
            args.shard,
            &args.report,
            &args.github,
            cli.quiet,
        ),
        Command::Check(args) => check(&args.paths, &args.report),
        Command::Merge(args) => merge(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Explain(args) => explain(&args),
        Command::Init(args) => init(&args),
        Command::PrComment(args) => crate::pr_comment::run(&args),
        Command::Diff(args) => diff::run(&args),
    }
}

fn today(args: &ReportArgs) -> chrono::NaiveDate {
    args.today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn scan(
    config_path: &Path,
    shard: Option<Shard>,
    args: &ReportArgs,
    github_args: &GitHubArgs,
    quiet: bool,
) -> u8 {
    if let (Some(shard), Some(_)) = (shard, &args.update) {
        eprintln!(
            "error: --update cannot be used with --shard, because shard {shard} alone would replace \
             the whole scorecard on the page\n\
             help: merge the shards' JSON reports, then --update: \
             `dockgrade merge shard-*.json --update FILE`"
        );
        return cli::EXIT_USAGE;
    }
    if let Err(code) = check_update_target(args) {
        return code;
    }
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
    let shard_info = match shard.map(|shard| shard_info(config_path, shard, &policy)) {
        None => None,
        Some(Ok(info)) => Some(info),
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return cli::EXIT_INTERNAL;
        }
    };
    let mut jobs = crate::scan::jobs_for_config(&config, config_path);
    if config.orgs.is_empty() && !crate::scan::has_github_jobs(&jobs) {
        keep_shard(shard, &mut jobs, &mut Vec::new());
        let scorecard = Scorecard {
            shard: shard_info,
            ..crate::scan::build_scorecard(&jobs, &policy)
        };
        return report_scorecard(&scorecard, args);
    }

    let settings = match github_settings(&config, github_args) {
        Ok(settings) => GitHubSettings {
            progress: !quiet,
            ..settings
        },
        Err(message) => {
            eprintln!("error: {message}");
            return cli::EXIT_USAGE;
        }
    };
    let run = match crate::scan::GitHubRun::start(&settings) {
        Ok(run) => run,
        Err(message) => {
            eprintln!("error: {message}");
            return cli::EXIT_INTERNAL;
        }
    };
    let (org_jobs, mut org_errors) = run.org_jobs(&config, &jobs);
    jobs.extend(org_jobs);
    // The shard's part is kept only after the organizations are expanded, so their repositories
    // are spread over the shards too. By then `org_jobs` has dropped every organization
    // repository that a [[repo]] entry also lists, whichever shard that entry falls into.
    keep_shard(shard, &mut jobs, &mut org_errors);
    let fetched = run.fetch(&jobs);
    let scorecard = Scorecard {
        shard: shard_info,
        ..crate::scan::build_scorecard_from(&jobs, &policy, fetched, org_errors)
    };
    if github_args.stats {
        eprintln!("{}", run.stats().render());
    }
    report_scorecard(&scorecard, args)
}

/// Returns what a shard's report records: the shard, and the repos.toml fingerprint and date
/// that `merge` checks are the same in every shard.
fn shard_info(config_path: &Path, shard: Shard, policy: &Policy) -> Result<ShardInfo, String> {
    let bytes = std::fs::read(config_path)
        .map_err(|error| format!("cannot read {}: {error}", config_path.display()))?;
    Ok(ShardInfo {
        index: shard.index,
        count: shard.count,
        config_sha256: crate::shard::fingerprint(&bytes),
        today: policy.today.to_string(),
    })
}

/// Keeps the jobs, and the error rows of organizations that could not be listed, that belong
/// to `shard`. Without a shard it keeps everything.
fn keep_shard(shard: Option<Shard>, jobs: &mut Vec<Job>, org_errors: &mut Vec<RepoReport>) {
    let Some(shard) = shard else {
        return;
    };
    let total = jobs.len() + org_errors.len();
    jobs.retain(|job| shard.contains(&job.source));
    org_errors.retain(|row| shard.contains(&row.source));
    info!(
        %shard,
        repositories = jobs.len() + org_errors.len(),
        of = total,
        "grading one shard"
    );
}

/// Builds the GitHub settings from repos.toml, the command line and the environment.
fn github_settings(config: &Config, args: &GitHubArgs) -> Result<GitHubSettings, String> {
    let defaults = GitHubSettings::default();
    let credentials = match (args.github_app_id, &args.github_app_key) {
        (Some(app_id), Some(key)) => Credentials::App(AppCredentials::from_key_file(app_id, key)?),
        _ => Credentials::from_env(),
    };
    if matches!(credentials, Credentials::Anonymous) {
        tracing::warn!(
            "no GitHub token: set GITHUB_TOKEN or GH_TOKEN; anonymous requests can read public \
             repositories only, 60 per hour"
        );
    }
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir.clone().or(defaults.cache_dir.clone())
    };
    Ok(GitHubSettings {
        api_url: config
            .github
            .api_url
            .clone()
            .unwrap_or_else(|| github::DEFAULT_API_URL.to_string()),
        credentials,
        cache_dir,
        ..defaults
    })
}

fn check(paths: &[PathBuf], args: &ReportArgs) -> u8 {
    if let Err(code) = check_update_target(args) {
        return code;
    }
    let policy = Policy {
        blocker_cap: 'F',
        today: today(args),
    };
    // Each folder's .dockgrade.toml applies here; `scan` reads only repos.toml.
    let jobs = match crate::scan::jobs_for_checked_paths(paths) {
        Ok(jobs) => jobs,
        Err(error) => {
            eprintln!("error: {error}");
            return cli::EXIT_USAGE;
        }
    };
    let scorecard = crate::scan::build_scorecard(&jobs, &policy);
    report_scorecard(&scorecard, args)
}

fn merge(args: &cli::MergeArgs) -> u8 {
    if let Err(code) = check_update_target(&args.report) {
        return code;
    }
    if args.report.today.is_some() {
        eprintln!(
            "error: merge takes the date from the shards' reports and has no --today\n\
             help: pass --today to each `scan --shard` instead"
        );
        return cli::EXIT_USAGE;
    }
    let merged = args
        .reports
        .iter()
        .map(|path| crate::merge::read_report(path))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|reports| crate::merge::merge(reports, args.allow_partial));
    // An input report that is missing or cannot be read exits with 2 as an invalid one does,
    // as in `diff`: the user fixes the arguments. Exit code 1 stays for the output.
    let merged = match merged {
        Ok(merged) => merged,
        Err(error) => {
            eprintln!("error: {error}");
            return cli::EXIT_USAGE;
        }
    };
    if !merged.missing.is_empty() {
        warn!(
            missing = %merged.missing.join(", "),
            "merged without some shards (--allow-partial); their repositories are not in the report"
        );
    }
    report_scorecard(&merged.scorecard, &args.report)
}

/// Rejects `--update` with a format other than Markdown, because the marker region of a
/// Markdown file receives the Markdown report, and checks the file before any grading.
fn check_update_target(args: &ReportArgs) -> Result<(), u8> {
    let Some(path) = &args.update else {
        return Ok(());
    };
    if args.format == ReportFormat::Markdown {
        return crate::update::check_file(path).map_err(|error| {
            eprintln!("error: {error}");
            if error.is_invalid_input() {
                cli::EXIT_USAGE
            } else {
                cli::EXIT_INTERNAL
            }
        });
    }
    let format = args
        .format
        .to_possible_value()
        .map(|value| value.get_name().to_string())
        .unwrap_or_default();
    eprintln!(
        "error: --update writes the Markdown report, so it cannot be used with --format {format}\n\
         help: drop --format to update the file, or use --output to write the {format} report"
    );
    Err(cli::EXIT_USAGE)
}

/// Renders and writes the report, and returns the exit code the scorecard calls for.
fn report_scorecard(scorecard: &crate::scorecard::Scorecard, args: &ReportArgs) -> u8 {
    let format = match args.format {
        ReportFormat::Markdown => report::Format::Markdown,
        ReportFormat::Json => report::Format::Json,
        ReportFormat::Sarif => report::Format::Sarif,
        ReportFormat::Html => report::Format::Html,
    };
    let rendered = match report::render(scorecard, format) {
        Ok(rendered) => rendered,
        Err(error) => {
            error!(%error, "cannot render the report");
            eprintln!("error: cannot render the report: {error}");
            return cli::EXIT_INTERNAL;
        }
    };
    // check_update_target looked at the file before grading; it is read again here, since it
    // may have changed during a long scan.
    if let Some(path) = &args.update {
        match crate::update::update_file(path, &rendered) {
            Ok(UpdateOutcome::Unchanged) => info!(file = %path.display(), "unchanged"),
            Ok(UpdateOutcome::Updated) => info!(file = %path.display(), "updated"),
            Err(error) => {
                eprintln!("error: {error}");
                return if error.is_invalid_input() {
                    cli::EXIT_USAGE
                } else {
                    cli::EXIT_INTERNAL
                };
            }
        }
    } else if let Err(error) = write_output(args.output.as_deref(), &rendered) {
        eprintln!("error: {error}");
        return cli::EXIT_INTERNAL;
    }
    if format == report::Format::Sarif {
        if let Some(warning) = report::sarif_upload_limit_warning(scorecard) {
            warn!("{warning}");
        }
    }

    let unreadable: Vec<&str> = scorecard
        .repos
        .iter()
        .filter(|report| !report.errors.is_empty())
        .map(|report| report.name.as_str())
        .collect();
    if !unreadable.is_empty() {
        // Printed whatever the log level, because it is the reason for the exit code.
        eprintln!(
            "{} {} could not be read (see the error rows): {}",
            unreadable.len(),
            if unreadable.len() == 1 {
                "repository"
            } else {
                "repositories"
            },
            unreadable.join(", ")
        );
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
                "{} {} graded below {threshold}: {}",
                below.len(),
                if below.len() == 1 {
                    "repository"
                } else {
                    "repositories"
                },
                below.join(", ")
            );
            return cli::EXIT_BELOW_THRESHOLD;
        }
    }
    cli::EXIT_OK
}

pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
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
    let is_ignore_file = first
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(crate::discover::is_ignore_file);
    let result = if is_ignore_file {
        match args.format {
            cli::InspectFormat::Buildkit => {
                Err(crate::inspect::InspectError::BuildkitForOtherFile {
                    path: first.display().to_string(),
                    kind: "an ignore file",
                })
            }
            cli::InspectFormat::Json => crate::inspect::inspect_ignore_file(first, "json"),
            cli::InspectFormat::Text => crate::inspect::inspect_ignore_file(first, "text"),
        }
    } else if crate::inspect::is_compose_path(first) {
        if args.format == cli::InspectFormat::Buildkit {
            Err(crate::inspect::InspectError::BuildkitForOtherFile {
                path: first.display().to_string(),
                kind: "a Compose file",
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
    if args.output.as_os_str() == "-" {
        return match write_output(None, crate::config::init_template()) {
            Ok(()) => cli::EXIT_OK,
            Err(error) => {
                eprintln!("error: {error}");
                cli::EXIT_INTERNAL
            }
        };
    }
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
