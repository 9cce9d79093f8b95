//! The subset of the SARIF 2.1.0 object model that dockgrade writes, as serde types.
//!
//! Property names and value sets follow the OASIS standard, "Static Analysis Results Interchange
//! Format (SARIF) Version 2.1.0 Plus Errata 01":
//! <https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html>.
//! Optional properties that dockgrade has no value for are left out rather than written as null,
//! because the schema types them as strings, objects or arrays.

use serde::Serialize;
use std::collections::BTreeMap;

/// The URI of the SARIF 2.1.0 schema (with Errata 01), published by OASIS.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF version this model writes.
pub const VERSION: &str = "2.1.0";

/// The `sarifLog` object: the whole file.
#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

/// The `run` object: one invocation of dockgrade on one repository.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<RunAutomationDetails>,
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
    pub properties: RunProperties,
}

/// The `tool` object.
#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: ToolComponent,
}

/// The `toolComponent` object that describes dockgrade and its rules.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    pub name: &'static str,
    pub version: String,
    pub semantic_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<&'static str>,
    pub rules: Vec<ReportingDescriptor>,
}

/// The `reportingDescriptor` object: one rule, that is, one control, blocker or finding id.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: MultiformatMessageString,
    pub full_description: MultiformatMessageString,
    pub default_configuration: ReportingConfiguration,
    pub help: MultiformatMessageString,
    pub properties: RuleProperties,
}

/// The `multiformatMessageString` object: plain text, and Markdown where there is any.
#[derive(Debug, Clone, Serialize)]
pub struct MultiformatMessageString {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// The `reportingConfiguration` object, of which dockgrade sets only the level.
#[derive(Debug, Clone, Serialize)]
pub struct ReportingConfiguration {
    pub level: Level,
}

/// The property bag of a rule. GitHub code scanning reads `tags` to filter alerts, and treats a
/// rule tagged `security` as a security alert.
#[derive(Debug, Clone, Serialize)]
pub struct RuleProperties {
    pub tags: Vec<&'static str>,
}

/// The `level` of a result, notification or rule configuration. dockgrade writes no result of
/// level `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

/// The `runAutomationDetails` object. GitHub code scanning takes the part of `id` before its
/// last `/` as the analysis category.
#[derive(Debug, Serialize)]
pub struct RunAutomationDetails {
    pub id: String,
}

/// The `invocation` object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

/// The `notification` object: a problem of the run itself, such as an unreadable repository.
#[derive(Debug, Serialize)]
pub struct Notification {
    pub level: Level,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// The `result` object: one finding.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: Level,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: ResultProperties,
}

/// The property bag of a result: the image or service the finding concerns.
#[derive(Debug, Serialize)]
pub struct ResultProperties {
    pub subject: String,
}

/// The `message` object, plain text only.
#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

/// The `location` object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

/// The `physicalLocation` object: a file and, where the line is known, a region.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// The `artifactLocation` object: a URI relative to a base id, or the description of a base.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

/// The `region` object. SARIF lines are 1-based, so dockgrade writes a region only for a line
/// of 1 or more.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
}

/// The `suppression` object: a waiver from repos.toml or .dockgrade.toml. A waiver lives
/// outside the file the result is in, so its kind is `external`.
#[derive(Debug, Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub status: &'static str,
    pub justification: String,
    pub properties: SuppressionProperties,
}

/// The property bag of a suppression: the waiver's expiry date, `YYYY-MM-DD`.
#[derive(Debug, Serialize)]
pub struct SuppressionProperties {
    pub expires: String,
}

/// The property bag of a run: which repository it graded and the grade it got.
#[derive(Debug, Serialize)]
pub struct RunProperties {
    pub repository: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub grade: String,
    /// The shard of a `scan --shard` log, such as `1/4`: the log has the runs of that shard's
    /// repositories only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}
