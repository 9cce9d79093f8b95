//! Findings: located observations that are the evidence behind every verdict.

use serde::{Deserialize, Serialize};

/// The meaning of a finding for the control or blocker it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Evidence that the control is met ("USER 1001 at line 31").
    Pass,
    /// Not decidable from the files, or not yet done.
    Review,
    /// Evidence that the control is not met.
    Fail,
    /// An advisory: worth fixing, but it does not change the verdict.
    Advisory,
}

/// One located observation: file, line, the quoted source line, a message and a fix.
///
/// A finding cannot exist without a location, so every constructor takes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: a control id, a blocker id, or an advisory id such as `system-uid`.
    pub id: String,
    pub outcome: Outcome,
    /// The image or service the finding concerns, such as `Dockerfile (stage runtime)`.
    pub subject: String,
    /// Path of the file, relative to the repository root, with `/` separators.
    pub path: String,
    /// 1-based line number.
    pub line: usize,
    /// The source line as written, trimmed; empty when the location is a whole file.
    pub quote: String,
    pub message: String,
    pub fix: String,
}

/// A position in a repository file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
}

impl Location {
    pub fn new(path: impl Into<String>, line: usize) -> Self {
        Location {
            path: path.into(),
            line,
        }
    }
}

impl Finding {
    /// Builds a finding at `location`, quoting the source line from `source` when given.
    pub fn new(
        id: &str,
        outcome: Outcome,
        subject: impl Into<String>,
        location: &Location,
        source: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        let quote = source
            .and_then(|text| text.lines().nth(location.line.saturating_sub(1)))
            .map(|line| shorten(line.trim(), MAX_QUOTE_CHARS))
            .unwrap_or_default();
        let message = shorten(&message.into(), MAX_MESSAGE_CHARS);
        Finding {
            id: id.to_string(),
            outcome,
            subject: subject.into(),
            path: location.path.clone(),
            line: location.line,
            quote,
            message,
            fix: fix.into(),
        }
    }

    /// Sort key that makes reports deterministic: file, line, id, then message.
    pub fn sort_key(&self) -> (&str, usize, &str, &str, &str) {
        (
            &self.path,
            self.line,
            &self.id,
            &self.subject,
            &self.message,
        )
    }
}

/// The maximum length of a quoted line, in characters, so that reports stay readable when a
/// file has a line of many kilobytes.
const MAX_QUOTE_CHARS: usize = 240;

/// The maximum message length of a finding, in characters, because messages repeat expanded
/// values, which a hostile file can make very long.
const MAX_MESSAGE_CHARS: usize = 600;

/// Cuts `text` to at most `limit` characters, marking the cut with `…`.
pub fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// Sorts findings deterministically and removes exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
