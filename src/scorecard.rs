//! The scorecard: the whole run as plain data. JSON output is this data, and every other report is rendered from it.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The verdict of one control for one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "review")]
    Review,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "waived")]
    Waived,
}

impl Verdict {
    /// Combines the verdicts of several images or services: fail, then review, then pass.
    pub fn worst(self, other: Verdict) -> Verdict {
        fn rank(verdict: Verdict) -> u8 {
            match verdict {
                Verdict::Fail => 4,
                Verdict::Review => 3,
                Verdict::Pass => 2,
                Verdict::Waived => 1,
                Verdict::NotApplicable => 0,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// Returns the label used in reports: `pass`, `review`, `fail`, `n/a` or `waived`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Review => "review",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "n/a",
            Verdict::Waived => "waived",
        }
    }
}

/// A waiver from repos.toml that was applied to a control or blocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// The verdict the waiver replaced.
    pub original: Verdict,
}

/// The result of one control for one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<AppliedWaiver>,
}

/// One blocker found in a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockerResult {
    pub id: String,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<AppliedWaiver>,
}

/// A problem that kept part of a repository from being read or graded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RepoError {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    pub message: String,
}

/// A waiver from repos.toml and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WaiverReport {
    /// The control or blocker id it names.
    pub id: String,
    pub reason: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// `applied`, `expired` (ignored) or `unused` (nothing to waive).
    pub status: String,
}

/// A passed-controls count: `passed` of `applicable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub passed: usize,
    pub applicable: usize,
}

/// The graded result of one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoReport {
    pub name: String,
    /// The repository's origin: a path relative to the config file, or `owner/name`.
    pub source: String,
    #[serde(default)]
    pub commit: Option<String>,
    /// The repository's web page, such as `https://github.com/OWNER/NAME`, when it was read
    /// from GitHub. Reports link findings to `{web_url}/blob/{commit}/{path}#L{line}`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub web_url: Option<String>,
    /// `A` to `F`, `—` when no control applies, or `error` when the repository could not be read.
    pub grade: String,
    #[serde(default)]
    pub score: Option<Score>,
    /// Explanations of the grade where it is not obvious ("no container files found", "capped by blocker").
    #[serde(default)]
    pub notes: Vec<String>,
    /// Control results keyed by control id.
    pub controls: BTreeMap<String, ControlResult>,
    pub blockers: Vec<BlockerResult>,
    /// Findings that belong to no control: `parse-error` and `secret-build-arg`.
    pub findings: Vec<Finding>,
    /// The images and services that were graded, one line each, such as
    /// `image Dockerfile: last stage runtime, build context . (from compose), ignore file .dockerignore`.
    pub subjects: Vec<String>,
    /// Files that were seen but not read, and why.
    pub skipped: Vec<String>,
    pub errors: Vec<RepoError>,
    /// Every waiver repos.toml gives this repository, with its status.
    #[serde(default)]
    pub waivers: Vec<WaiverReport>,
}

/// The grade of a repository that could not be read.
pub const ERROR_GRADE: &str = "error";

impl RepoReport {
    /// Tells whether the repository could not be read at all: its grade is [`ERROR_GRADE`] and
    /// it has no verdicts. A repository with errors and a letter grade was read in part.
    pub fn is_unreadable(&self) -> bool {
        self.grade == ERROR_GRADE
    }
}

/// The version of the JSON report's layout. It goes up by one whenever a field is renamed,
/// removed or changes meaning, so that `diff` and `merge` never compare reports they would
/// misread. Version 1 is the first with this field.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    /// [`SCHEMA_VERSION`] of the dockgrade that wrote the report.
    pub schema_version: u32,
    pub tool: String,
    pub version: String,
    /// Present only in the report of `scan --shard`: which shard it is, and what `merge` checks
    /// to reject shards of different runs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<ShardInfo>,
    pub repos: Vec<RepoReport>,
}

/// The shard a report covers and the inputs that must be the same in every shard of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
    /// The lowercase hexadecimal SHA-256 of the repos.toml bytes.
    pub config_sha256: String,
    /// The date waiver expiry was checked against, `YYYY-MM-DD`.
    pub today: String,
}

impl Scorecard {
    /// A scorecard of this dockgrade version and schema over `repos`, in the given order.
    pub fn new(repos: Vec<RepoReport>) -> Scorecard {
        Scorecard {
            schema_version: SCHEMA_VERSION,
            tool: "dockgrade".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard: None,
            repos,
        }
    }

    /// Reads a JSON report that `--format json` wrote. The schema version is checked before
    /// anything else, so a report of another version gets an error that names both versions
    /// rather than a complaint about some field.
    pub fn from_json(text: &str) -> Result<Scorecard, ReadError> {
        // The other reports dockgrade writes are named, because they are the files most often
        // passed here by mistake. HTML starts with `<` (a doctype, a comment or a tag), which no
        // JSON text can.
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return Err(ReadError::Html);
        }

        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| ReadError::Syntax(error.to_string()))?;
        let object = value.as_object().ok_or(ReadError::NotAReport)?;

        // A SARIF 2.1.0 log has a top-level `runs` array and a `version` (SARIF spec, section
        // 3.13), and usually a `$schema` that names sarif.
        if object.contains_key("runs") && object.contains_key("version") {
            return Err(ReadError::SarifLog);
        }
        if object.get("tool").and_then(|tool| tool.as_str()) != Some("dockgrade") {
            return Err(ReadError::NotAReport);
        }
        // The JSON of `dockgrade diff` has the same `tool` and its own schema version but no
        // `repos`, and its `worsenings` list marks it.
        if !object.contains_key("repos") && object.contains_key("worsenings") {
            return Err(ReadError::DiffReport);
        }

        let found = match object.get("schema_version") {
            None => return Err(ReadError::Unversioned),
            Some(version) => version.as_u64().ok_or(ReadError::Unversioned)?,
        };
        if found != u64::from(SCHEMA_VERSION) {
            let writer = object
                .get("version")
                .and_then(|version| version.as_str())
                .unwrap_or("unknown")
                .to_string();
            return Err(ReadError::OtherVersion { found, writer });
        }
        serde_json::from_value(value).map_err(|error| ReadError::Content(error.to_string()))
    }
}

/// The reason a JSON report could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("not valid JSON: {0}")]
    Syntax(String),
    #[error("not a dockgrade JSON report (its \"tool\" field is not \"dockgrade\")\nhelp: pass a file written by `dockgrade scan --format json`")]
    NotAReport,
    #[error("this is the JSON output of `dockgrade diff`, not a scorecard\nhelp: pass a file written by `dockgrade scan --format json` or `dockgrade check --format json`")]
    DiffReport,
    #[error("this is a SARIF log (`--format sarif`), not a JSON scorecard\nhelp: pass a file written by `dockgrade scan --format json` or `dockgrade check --format json`")]
    SarifLog,
    #[error("this is an HTML file (such as `--format html` writes), not a JSON scorecard\nhelp: pass a file written by `dockgrade scan --format json` or `dockgrade check --format json`")]
    Html,
    #[error("the report has no schema_version, so it was written by a dockgrade older than schema version {SCHEMA_VERSION}\nhelp: write it again with this dockgrade (`--format json`)")]
    Unversioned,
    #[error("the report has schema version {found} (written by dockgrade {writer}); this dockgrade reads schema version {SCHEMA_VERSION}\nhelp: write both reports with the same dockgrade version")]
    OtherVersion { found: u64, writer: String },
    #[error("the report does not match schema version {SCHEMA_VERSION}: {0}")]
    Content(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_reads_back_to_the_same_scorecard() {
        let scorecard = Scorecard::new(Vec::new());
        let text = serde_json::to_string(&scorecard).expect("serializes");
        assert_eq!(Scorecard::from_json(&text), Ok(scorecard));
    }

    #[test]
    fn report_without_schema_version_is_named_older() {
        let text = r#"{"tool": "dockgrade", "version": "0.0.9", "repos": []}"#;
        let error = Scorecard::from_json(text).unwrap_err();
        assert_eq!(error, ReadError::Unversioned);
        assert!(error.to_string().contains("older than schema version 1"));
    }

    #[test]
    fn report_of_newer_schema_names_both_versions() {
        let text =
            r#"{"schema_version": 7, "tool": "dockgrade", "version": "3.0.0", "repos": "changed"}"#;
        let error = Scorecard::from_json(text).unwrap_err();
        assert_eq!(
            error,
            ReadError::OtherVersion {
                found: 7,
                writer: "3.0.0".to_string()
            }
        );
        let message = error.to_string();
        assert!(message.contains("schema version 7 (written by dockgrade 3.0.0)"));
        assert!(message.contains("reads schema version 1"));
    }

    #[test]
    fn other_json_is_not_a_report() {
        assert_eq!(
            Scorecard::from_json(r#"{"runs": []}"#),
            Err(ReadError::NotAReport)
        );
        assert_eq!(Scorecard::from_json("[1, 2]"), Err(ReadError::NotAReport));
        assert!(matches!(
            Scorecard::from_json("{\"tool\":"),
            Err(ReadError::Syntax(_))
        ));
    }

    #[test]
    fn diff_output_is_named() {
        let text = r#"{"schema_version": 1, "tool": "dockgrade", "version": "0.1.0", "has_changes": false, "is_worse": false, "worsenings": [], "added": [], "removed": [], "changed": [], "unchanged": 0}"#;
        let error = Scorecard::from_json(text).unwrap_err();
        assert_eq!(error, ReadError::DiffReport);
        assert!(error.to_string().contains("output of `dockgrade diff`"));
    }

    #[test]
    fn sarif_log_is_named() {
        let text = r#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}"#;
        assert_eq!(Scorecard::from_json(text), Err(ReadError::SarifLog));
    }

    #[test]
    fn html_file_is_named() {
        let text = "\n<!DOCTYPE html>\n<html lang=\"en\"></html>\n";
        let error = Scorecard::from_json(text).unwrap_err();
        assert_eq!(error, ReadError::Html);
        assert!(error.to_string().contains("HTML file"));
    }

    #[test]
    fn report_with_wrong_field_types_names_the_field() {
        let text = r#"{"schema_version": 1, "tool": "dockgrade", "version": "0.1.0", "repos": [{"name": 3}]}"#;
        let error = Scorecard::from_json(text).unwrap_err();
        assert!(matches!(error, ReadError::Content(_)), "{error:?}");
    }
}
