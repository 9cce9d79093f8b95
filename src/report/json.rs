//! The JSON report: the scorecard data itself, pretty-printed with a trailing newline.

use crate::scorecard::Scorecard;

pub fn render(scorecard: &Scorecard) -> serde_json::Result<String> {
    let mut json = serde_json::to_string_pretty(scorecard)?;
    json.push('\n');
    Ok(json)
}
