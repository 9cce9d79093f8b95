//! The diff as JSON: the [`ScorecardDiff`] data with its own schema version, whether anything
//! changed, and what made things worse.

use super::{ScorecardDiff, Worsening};
use serde::Serialize;

/// The version of the diff's JSON layout, separate from the scorecard's
/// [`crate::scorecard::SCHEMA_VERSION`]. It goes up by one whenever a field is renamed, removed
/// or changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: &'static str,
    /// The dockgrade version that compared the scorecards.
    version: &'static str,
    /// [`ScorecardDiff::has_changes`].
    has_changes: bool,
    /// [`ScorecardDiff::is_worse`].
    is_worse: bool,
    worsenings: Vec<Worsening>,
    #[serde(flatten)]
    diff: &'a ScorecardDiff,
}

/// Renders the diff as pretty-printed JSON with a trailing newline.
pub fn render(diff: &ScorecardDiff) -> serde_json::Result<String> {
    let worsenings = diff.worsenings();
    let document = Document {
        schema_version: SCHEMA_VERSION,
        tool: "dockgrade",
        version: env!("CARGO_PKG_VERSION"),
        has_changes: diff.has_changes(),
        is_worse: !worsenings.is_empty(),
        worsenings,
        diff,
    };
    let mut json = serde_json::to_string_pretty(&document)?;
    json.push('\n');
    Ok(json)
}
