//! repos.toml: which repositories to grade, how to read them, and the grading policy; and
//! `.dockgrade.toml`, a repository's own copy of the per-repository keys.

mod error;
mod raw;
mod repo_file;
mod rules;
mod template;
mod text;
mod validate;

pub use error::ConfigError;
pub use repo_file::{RepoFile, REPO_FILE_NAME};
pub use template::init_template;

use chrono::NaiveDate;
use std::fmt;
use std::path::{Path, PathBuf};

/// Folders that discovery skips unless `[discovery] skip` sets others: version control data,
/// installed dependencies and vendored or test copies of other projects, whose container files
/// are not the repository's own.
pub const DEFAULT_SKIP: [&str; 6] = [
    ".git",
    "node_modules",
    "vendor",
    "third_party",
    "testdata",
    "fixtures",
];

/// A validated repos.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file the configuration was read from, as given.
    pub path: PathBuf,
    pub grading: Grading,
    pub discovery: Discovery,
    pub github: GitHubConfig,
    /// Repositories in file order.
    pub repos: Vec<RepoEntry>,
    /// Organizations or users whose repositories are read from GitHub, in file order.
    pub orgs: Vec<OrgEntry>,
}

/// One `[[org]]` entry: every repository of a GitHub organization or user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEntry {
    pub line: usize,
    /// The organization or user login.
    pub name: String,
    /// Globs over repository names; when not empty, only matching repositories are read.
    pub include: Vec<String>,
    /// Globs over repository names whose repositories are left out.
    pub exclude: Vec<String>,
    /// Whether archived repositories are read; `false` by default.
    pub archived: bool,
    /// Whether forks are read; `false` by default.
    pub forks: bool,
}

/// The `[grading]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grading {
    /// The best grade a repository with an unwaived blocker can get; F by default.
    pub blocker_cap: Grade,
}

impl Default for Grading {
    fn default() -> Self {
        Grading {
            blocker_cap: Grade::F,
        }
    }
}

/// A letter grade. There is no E, as in the scorecard legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::F];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The `[discovery]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Folders to skip: a bare name matches at any depth, a path with `/` from the repository root.
    pub skip: Vec<String>,
}

impl Default for Discovery {
    fn default() -> Self {
        Discovery {
            skip: DEFAULT_SKIP.iter().map(|name| name.to_string()).collect(),
        }
    }
}

/// The `[github]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHubConfig {
    /// REST base URL of the GitHub API; `None` means `https://api.github.com`. For GitHub
    /// Enterprise Server it is `https://HOST/api/v3`, and GraphQL is read at `https://HOST/api/graphql`.
    pub api_url: Option<String>,
}

/// One `[[repo]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEntry {
    /// Line of the entry's `[[repo]]` header.
    pub line: usize,
    /// Display name: `name`, else `owner/name` for GitHub, else the folder's name.
    pub name: String,
    pub source: RepoSource,
    /// Globs over repository paths; when not empty, only matching files are read.
    pub include: Vec<String>,
    /// Globs over repository paths whose files are left out.
    pub exclude: Vec<String>,
    /// Images set explicitly, in file order.
    pub images: Vec<ImageEntry>,
    /// Compose projects set explicitly, in file order.
    pub compose: Vec<ComposeEntry>,
    pub waivers: Vec<Waiver>,
}

/// The per-repository keys that a `[[repo]]` entry and a `.dockgrade.toml` share, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoRules {
    /// Globs over repository paths; when not empty, only matching files are read.
    pub include: Vec<String>,
    /// Globs over repository paths whose files are left out.
    pub exclude: Vec<String>,
    /// Images set explicitly, in file order.
    pub images: Vec<ImageEntry>,
    /// Compose projects set explicitly, in file order.
    pub compose: Vec<ComposeEntry>,
    pub waivers: Vec<Waiver>,
}

/// The origin of a repository: a local folder or a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// A local folder: the config file's folder joined with `path`, made absolute and cleaned
    /// lexically (symbolic links are not resolved, and the folder may not exist).
    Local { path: PathBuf },
    /// A GitHub repository `owner/name`, at `git_ref` or the default branch.
    GitHub {
        repository: String,
        git_ref: Option<String>,
    },
}

/// One `[[repo.image]]` entry: a Dockerfile built with a given context and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEntry {
    pub line: usize,
    /// Repository path of the Dockerfile, cleaned.
    pub dockerfile: String,
    /// Repository path of the build context, cleaned; `None` means the Dockerfile's folder.
    pub context: Option<String>,
    /// Target stage; `None` means the last stage.
    pub target: Option<String>,
}

/// One `[[repo.compose]]` entry: files loaded together as `docker compose -f a -f b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeEntry {
    pub line: usize,
    /// Repository paths, cleaned, in load order.
    pub files: Vec<String>,
}

/// One `[[repo.waiver]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub line: usize,
    /// A control id or a blocker id.
    pub id: String,
    pub reason: String,
    /// The last day on which the waiver applies.
    pub expires: NaiveDate,
}

impl Waiver {
    /// Tells whether the waiver still applies on `today`; it applies through its expiry date.
    pub fn is_active_on(&self, today: NaiveDate) -> bool {
        today <= self.expires
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = text::read_text(path).map_err(|failure| match failure {
            text::ReadFailure::NotUtf8(error) => error,
            text::ReadFailure::Io(error) => ConfigError {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message: format!("cannot read the configuration file: {error}"),
                help: "check the path given with --config, or run `dockgrade init` to write a template"
                    .to_string(),
            },
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates configuration text. `path` names the file in messages, and relative
    /// repository paths are resolved against its folder.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let source = error::SourceText {
            path,
            text,
            kind: error::FileKind::ReposToml,
        };
        let raw: raw::RawConfig = toml::from_str(text).map_err(|error| source.translate(&error))?;
        validate::validate(raw, &source)
    }
}
