//! Reports rendered from a scorecard: the Markdown matrix with its details, the HTML page, JSON, SARIF, and the control docs.

mod anchor;
mod controls_doc;
pub mod escape;
mod explain;
mod html;
mod json;
pub mod links;
mod markdown;
mod sarif;
pub(crate) mod templates;

pub use controls_doc::render_controls_doc;
pub use explain::render_explain;
pub use sarif::{upload_limit_warning as sarif_upload_limit_warning, MAX_RUNS_PER_UPLOAD};

use crate::scorecard::Scorecard;
use std::fmt;
use std::str::FromStr;

/// An output format for the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The matrix, legend, blockers and per-repository details, for a knowledge base.
    Markdown,
    /// The scorecard data itself, pretty-printed.
    Json,
    /// One self-contained page: the sortable, filterable matrix, a grade chart and the findings.
    Html,
    /// A SARIF 2.1.0 log for GitHub code scanning, one run per repository.
    Sarif,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Json, Format::Html, Format::Sarif];

    /// Returns the name used on the command line: `markdown`, `json`, `html` or `sarif`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Html => "html",
            Format::Sarif => "sarif",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str() == name)
            .ok_or_else(|| UnknownFormat(name.to_string()))
    }
}

/// A format name that is not `markdown`, `json`, `html` or `sarif`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format {0:?}: expected markdown, json, html or sarif")]
pub struct UnknownFormat(pub String);

/// A report that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("failed to render the Markdown report: {}", describe_tera_error(.0))]
    Markdown(#[source] tera::Error),
    #[error("failed to serialize the scorecard as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("failed to render the HTML report: {}", describe_tera_error(.0))]
    Html(#[source] tera::Error),
    #[error("failed to serialize the SARIF log: {0}")]
    Sarif(#[source] serde_json::Error),
}

/// Renders the scorecard in `format`. The output is byte-for-byte the same for the same
/// scorecard: it contains no timestamp, and repositories keep the caller's order. JSON keeps
/// the findings' order too. Markdown and HTML list each control's findings fail first, then
/// review, pass and advisories, each group in the caller's order. SARIF sorts each
/// repository's results by file, line and id.
pub fn render(scorecard: &Scorecard, format: Format) -> Result<String, RenderError> {
    match format {
        Format::Markdown => markdown::render(scorecard).map_err(RenderError::Markdown),
        Format::Json => Ok(json::render(scorecard)?),
        Format::Html => html::render(scorecard).map_err(RenderError::Html),
        Format::Sarif => sarif::render(scorecard).map_err(RenderError::Sarif),
    }
}

/// Joins a tera error with its causes: tera's own message names only the template, and the
/// cause describes what went wrong in it.
fn describe_tera_error(error: &tera::Error) -> String {
    let mut description = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        description.push_str(": ");
        description.push_str(&cause.to_string());
        source = cause.source();
    }
    description
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parses_its_names() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        }
    }

    #[test]
    fn format_rejects_unknown_name() {
        let error = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown report format \"xml\": expected markdown, json, html or sarif"
        );
    }
}
