//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit code: the run finished and no condition below applies.
pub const EXIT_OK: u8 = 0;
/// Exit code: an I/O error outside any repository, such as an output file that cannot be written.
pub const EXIT_INTERNAL: u8 = 1;
/// Exit code: invalid arguments, or an invalid repos.toml or .dockgrade.toml.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: a repository graded below `--fail-under`.
pub const EXIT_BELOW_THRESHOLD: u8 = 3;
/// Exit code: a repository could not be read (it has an error row); wins over 3.
pub const EXIT_UNREADABLE: u8 = 4;

const EXIT_CODES_HELP: &str = "Exit codes:
  0  success
  1  I/O error outside any repository (for example, the output file cannot be written)
  2  invalid arguments, or an invalid repos.toml or .dockgrade.toml
  3  a repository graded below --fail-under
  4  a repository could not be read (it appears as an error row); takes precedence over 3";

/// Grades the Docker hardening of many repositories and renders an A–F scorecard matrix.
#[derive(Debug, Parser)]
#[command(name = "dockgrade", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Log more detail on stderr (-v for debug, -vv for trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade every repository listed in repos.toml and print the scorecard matrix.
    #[command(after_help = EXIT_CODES_HELP)]
    Scan(ScanArgs),
    /// Grade directories directly, one repository each, without repos.toml; a directory's
    /// .dockgrade.toml applies when it has one.
    #[command(after_help = EXIT_CODES_HELP)]
    Check(CheckArgs),
    /// Combine the JSON reports of `scan --shard I/N` runs into one scorecard.
    #[command(after_help = MERGE_EXIT_CODES_HELP)]
    Merge(MergeArgs),
    /// Show what the loader understood of a Dockerfile or Compose file.
    Inspect(InspectArgs),
    /// Explain a control, blocker or finding id: what it checks, why, examples and the fix.
    Explain(ExplainArgs),
    /// Write a commented repos.toml template with every default.
    Init(InitArgs),
    /// Grade a pull request's checkout and its base, and keep one comment on it up to date.
    #[command(after_help = PR_COMMENT_EXIT_CODES_HELP)]
    PrComment(PrCommentArgs),
    /// Compare two JSON reports and show what changed: grades, verdicts, findings, blockers.
    #[command(after_help = DIFF_EXIT_CODES_HELP)]
    Diff(DiffArgs),
}

/// Options shared by the commands that grade.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Rewrite the lines between `<!-- dockgrade:start -->` and `<!-- dockgrade:end -->` in this
    /// Markdown file with the Markdown report, instead of printing it.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub update: Option<PathBuf>,
    /// Exit with code 3 when any repository grades below this letter (A to F).
    #[arg(long, value_parser = parse_grade)]
    pub fail_under: Option<char>,
    /// Check waiver expiry against this date (YYYY-MM-DD) instead of today's; give every shard
    /// of one sharded scan the same date, or merge refuses them.
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository list; ./repos.toml when not given.
    #[arg(long, short, default_value = "repos.toml")]
    pub config: PathBuf,
    /// Grade only shard I of N (1-based, such as 2/4). A repository's shard depends only on its
    /// source, so every repository is in exactly one of the N shards.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::shard::Shard>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
}

/// Options for repositories read from GitHub.
#[derive(Debug, Args)]
pub struct GitHubArgs {
    /// Folder of the GitHub cache (tree listings and file contents by git object id); default
    /// $XDG_CACHE_HOME/dockgrade/github, else ~/.cache/dockgrade/github.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Read everything from the GitHub API and write no cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print the GitHub request counts by kind on stderr at the end.
    #[arg(long)]
    pub stats: bool,
    /// Authenticate as this GitHub App (its numeric id) instead of with GITHUB_TOKEN or GH_TOKEN;
    /// needs --github-app-key.
    #[arg(
        long,
        value_name = "ID",
        env = "DOCKGRADE_GITHUB_APP_ID",
        requires = "github_app_key"
    )]
    pub github_app_id: Option<u64>,
    /// PEM file with the GitHub App's private key.
    #[arg(
        long,
        value_name = "FILE",
        env = "DOCKGRADE_GITHUB_APP_KEY",
        requires = "github_app_id"
    )]
    pub github_app_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directories to grade, one repository each.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

const MERGE_EXIT_CODES_HELP: &str = "Exit codes:
  0  success
  1  the report cannot be written (to --output, the --update file or stdout)
  2  invalid arguments, or a shard's report that is missing, cannot be read, is invalid or does
     not belong with the others
  3  a repository graded below --fail-under
  4  a merged repository could not be read (it appears as an error row); takes precedence over 3";

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports of the shards, written by `scan --shard I/N --format json`.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// Merge even when some shards are missing, and name them on stderr.
    #[arg(long)]
    pub allow_partial: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A Dockerfile, or a Compose file; more Compose files load on top of the first as overrides.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format; `buildkit` prints the instruction dump of BuildKit's parser tests (Dockerfiles only).
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A control id (such as non-root), blocker id or finding id; omit with --all.
    #[arg(required_unless_present = "all")]
    pub id: Option<String>,
    /// Print the documentation of every control, blocker and finding id as Markdown.
    #[arg(long, conflicts_with = "id")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The path to write the template to; `-` prints it on stdout.
    #[arg(long, short, default_value = "repos.toml")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

const PR_COMMENT_EXIT_CODES_HELP: &str = "Exit codes:
  0  the comment is up to date, or --dry-run printed it, or the token is read-only and the body
     was printed instead (a warning says so; with --body-file that is exit 1)
  1  a GitHub API request failed, or an output file cannot be written
  2  invalid arguments, no token, or PATH or the base ref cannot be used
  3  the head graded below --fail-under
  4  the head or the base could not be read; takes precedence over 3";

#[derive(Debug, Args)]
pub struct PrCommentArgs {
    /// The repository of the pull request, as OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", value_parser = parse_repository)]
    pub repo: String,
    /// The pull request number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub pr: u64,
    /// The git ref of the base to compare with; default origin/$GITHUB_BASE_REF.
    #[arg(long, value_name = "REF")]
    pub base_ref: Option<String>,
    /// Print the comment body and make no API call.
    #[arg(long)]
    pub dry_run: bool,
    /// GitHub REST API base URL; `https://HOST/api/v3` for GitHub Enterprise Server.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = crate::source::github::DEFAULT_API_URL
    )]
    pub api_url: String,
    /// The login the token writes comments as, such as `my-app[bot]`; looked up through the
    /// API when not given.
    #[arg(long, value_name = "LOGIN")]
    pub bot_login: Option<String>,
    /// Also write the comment body to this file.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Post this body, written earlier with --output, instead of grading PATH: for a
    /// privileged workflow that posts the comment of a pull request from a fork.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["base_ref", "fail_under"])]
    pub body_file: Option<PathBuf>,
    /// Exit with code 3 when the head grades below this letter (A to F).
    #[arg(long, value_parser = parse_grade)]
    pub fail_under: Option<char>,
    /// Check waiver expiry against this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", hide = true)]
    pub today: Option<chrono::NaiveDate>,
    /// The checked-out pull request: a folder inside a git work tree.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

fn parse_repository(value: &str) -> Result<String, String> {
    let valid_part = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match value.split_once('/') {
        Some((owner, name)) if valid_part(owner) && valid_part(name) => Ok(value.to_string()),
        _ => Err(format!(
            "invalid repository {value:?}: expected OWNER/NAME, such as octo-org/payments"
        )),
    }
}

const DIFF_EXIT_CODES_HELP: &str = "Exit codes:
  0  success, whether or not anything changed
  1  the output cannot be written
  2  invalid arguments, or a report that cannot be read or is not a dockgrade JSON report of this schema version
  3  --fail-on-worse is given and the change made a repository worse";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report (written by `--format json`).
    pub old: PathBuf,
    /// The later JSON report.
    pub new: PathBuf,
    /// Output format of the change.
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    /// Write the change to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Exit with code 3 when a grade went down, a control became fail, a blocker caps a grade
    /// that it did not cap before, or a repository has a new error.
    #[arg(long)]
    pub fail_on_worse: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
    /// One self-contained HTML page with a sortable, filterable matrix.
    Html,
    /// A SARIF 2.1.0 log for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
    Buildkit,
}

fn parse_grade(value: &str) -> Result<char, String> {
    let upper = value.trim().to_ascii_uppercase();
    match upper.as_str() {
        "A" | "B" | "C" | "D" | "F" => Ok(upper.chars().next().unwrap_or('F')),
        _ => Err(format!(
            "invalid grade {value:?}: expected one of A, B, C, D, F"
        )),
    }
}
