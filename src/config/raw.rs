//! repos.toml and `.dockgrade.toml` as deserialised, before validation: every value keeps its span
//! so that errors can point at it.

use serde::Deserialize;
use toml::Spanned;

/// Keys of each table, in the order the template documents them. Error messages list them, and an
/// unknown-key error finds its table by comparing serde's list of fields with them, so they must
/// match the fields below.
pub(super) const TOP_KEYS: &[&str] = &["grading", "discovery", "github", "repo", "org"];
pub(super) const GRADING_KEYS: &[&str] = &["blocker_cap"];
pub(super) const DISCOVERY_KEYS: &[&str] = &["skip"];
pub(super) const GITHUB_KEYS: &[&str] = &["api_url"];
pub(super) const REPO_KEYS: &[&str] = &[
    "name", "path", "github", "ref", "include", "exclude", "image", "compose", "waiver",
];
pub(super) const ORG_KEYS: &[&str] = &["name", "include", "exclude", "archived", "forks"];
pub(super) const IMAGE_KEYS: &[&str] = &["dockerfile", "context", "target"];
pub(super) const COMPOSE_KEYS: &[&str] = &["files"];
pub(super) const WAIVER_KEYS: &[&str] = &["id", "reason", "expires"];
/// The top level of `.dockgrade.toml`: the keys of a `[[repo]]` entry that describe how to read
/// and grade the repository, without the ones that name the repository.
pub(super) const RULES_KEYS: &[&str] = &["include", "exclude", "image", "compose", "waiver"];
/// The `[[repo]]` keys that `.dockgrade.toml` rejects: the file belongs to the folder it sits in.
pub(super) const LOCATION_KEYS: &[&str] = &["name", "path", "github", "ref"];

/// Every table with its keys, as shown in messages.
pub(super) const TABLES: &[(&str, &[&str])] = &[
    ("the top level", TOP_KEYS),
    ("[grading]", GRADING_KEYS),
    ("[discovery]", DISCOVERY_KEYS),
    ("[github]", GITHUB_KEYS),
    ("[[repo]]", REPO_KEYS),
    ("[[repo.image]]", IMAGE_KEYS),
    ("[[repo.compose]]", COMPOSE_KEYS),
    ("[[repo.waiver]]", WAIVER_KEYS),
    ("[[org]]", ORG_KEYS),
    ("the top level", RULES_KEYS),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub grading: Option<Spanned<RawGrading>>,
    pub discovery: Option<Spanned<RawDiscovery>>,
    pub github: Option<Spanned<RawGitHub>>,
    #[serde(default)]
    pub repo: Vec<Spanned<RawRepo>>,
    #[serde(default)]
    pub org: Vec<Spanned<RawOrg>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawOrg {
    pub name: Spanned<String>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub archived: Option<bool>,
    pub forks: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawGrading {
    pub blocker_cap: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawDiscovery {
    pub skip: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawGitHub {
    pub api_url: Option<Spanned<String>>,
}

/// The keys of `RawRules` are repeated here rather than flattened into this table, because
/// serde's `flatten` does not work together with `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawRepo {
    pub name: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub github: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    pub git_ref: Option<Spanned<String>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub image: Vec<Spanned<RawImage>>,
    #[serde(default)]
    pub compose: Vec<Spanned<RawCompose>>,
    #[serde(default)]
    pub waiver: Vec<Spanned<RawWaiver>>,
}

/// The per-repository keys shared by a `[[repo]]` entry and `.dockgrade.toml`, which is this
/// table at its top level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawRules {
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub image: Vec<Spanned<RawImage>>,
    #[serde(default)]
    pub compose: Vec<Spanned<RawCompose>>,
    #[serde(default)]
    pub waiver: Vec<Spanned<RawWaiver>>,
}

impl RawRepo {
    /// Splits off the keys that `.dockgrade.toml` shares, so that both are validated alike.
    pub fn take_rules(&mut self) -> RawRules {
        RawRules {
            include: std::mem::take(&mut self.include),
            exclude: std::mem::take(&mut self.exclude),
            image: std::mem::take(&mut self.image),
            compose: std::mem::take(&mut self.compose),
            waiver: std::mem::take(&mut self.waiver),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawImage {
    pub dockerfile: Spanned<String>,
    pub context: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawCompose {
    pub files: Spanned<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct RawWaiver {
    pub id: Spanned<String>,
    pub reason: Spanned<String>,
    /// A TOML date or a `YYYY-MM-DD` string; validation decides which.
    pub expires: Spanned<toml::Value>,
}
