//! Configuration errors: each names the file, the line and column, what is wrong, and how to fix it.

use super::raw::{LOCATION_KEYS, TABLES, TOP_KEYS};
use regex::Regex;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// A mistake in repos.toml, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file, as given to `Config::load` or `Config::parse`.
    pub path: PathBuf,
    /// 1-based line; 0 when the error concerns the whole file (it cannot be read).
    pub line: usize,
    /// 1-based column in characters; 0 together with a line of 0.
    pub column: usize,
    pub message: String,
    /// The suggested fix, shown on a `help:` line.
    pub help: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(formatter, "{}: {}", self.path.display(), self.message)?;
        } else {
            write!(
                formatter,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )?;
        }
        write!(formatter, "\n  help: {}", self.help)
    }
}

impl std::error::Error for ConfigError {}

/// The two configuration files, which name their tables differently in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    /// A fleet's repos.toml, whose per-repository tables sit under `[[repo]]`.
    ReposToml,
    /// A repository's own `.dockgrade.toml`, which has the keys of one `[[repo]]` entry at its
    /// top level, so `[[repo.waiver]]` is written `[[waiver]]`.
    RepoFile,
}

/// The text of a configuration file with its path, for building located errors.
pub(super) struct SourceText<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub kind: FileKind,
}

impl SourceText<'_> {
    /// Builds an error at the start of a byte span of the text.
    pub fn error_at(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = line_and_column(self.text, span.start);
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
            help: help.into(),
        }
    }

    /// Builds an error at the first column of a line.
    pub fn error_at_line(
        &self,
        line: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column: 1,
            message: message.into(),
            help: help.into(),
        }
    }

    /// Returns the 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        line_and_column(self.text, offset).0
    }

    /// Rewrites a TOML or serde error into a message that names the key, the table and what is
    /// allowed.
    pub fn translate(&self, error: &toml::de::Error) -> ConfigError {
        let span = error.span().unwrap_or(0..0);
        let raw = error.message().trim();
        let (message, help) = self.describe(raw, span.clone());
        self.error_at(span, message, help)
    }

    fn describe(&self, raw: &str, span: Range<usize>) -> (String, String) {
        if let Some(captures) = UNKNOWN_FIELD.captures(raw) {
            return self.describe_unknown_key(&captures[1], &captures[2], span.start);
        }
        if let Some(captures) = MISSING_FIELD.captures(raw) {
            let key = &captures[1];
            let table = self.span_table(span);
            return (
                format!("missing key `{key}` in {table}"),
                match self.example_for(key) {
                    Some(example) => format!("add it to this entry, such as `{example}`"),
                    None => format!("add `{key}` to this entry"),
                },
            );
        }
        if let Some(captures) = INVALID_TYPE.captures(raw) {
            let found = &captures[1];
            let expected = readable_expectation(&captures[2]);
            let key = key_before(self.text, span.start).unwrap_or_else(|| "this value".into());
            return (
                format!("`{key}` must be {expected}, not {found}"),
                match self.example_for(&key) {
                    Some(example) => format!("write it as `{example}`"),
                    None => format!("write {expected} here"),
                },
            );
        }
        if raw == "duplicate key" {
            let key = self.text.get(span).unwrap_or("").trim().to_string();
            return (
                format!("duplicate key `{key}`"),
                "a key may appear once per table; remove one of the two".to_string(),
            );
        }
        let syntax_help =
            "fix the syntax at this position; the format is described at https://toml.io/en/v1.0.0";
        match key_before(self.text, span.start) {
            Some(key) => (
                format!("invalid value for `{key}`: {raw}"),
                match self.example_for(&key) {
                    Some(example) => format!("write it as `{example}`"),
                    None => syntax_help.to_string(),
                },
            ),
            None => (format!("invalid TOML: {raw}"), syntax_help.to_string()),
        }
    }

    fn describe_unknown_key(
        &self,
        key: &str,
        expected_text: &str,
        offset: usize,
    ) -> (String, String) {
        let expected: Vec<&str> = BACKTICKED
            .captures_iter(expected_text)
            .map(|captures| captures.get(1).map_or("", |found| found.as_str()))
            .collect();
        let table = TABLES
            .iter()
            .find(|(_, keys)| same_keys(keys, &expected))
            .map(|(name, _)| self.table_label(name))
            .unwrap_or_else(|| table_before(self.text, offset));
        if self.kind == FileKind::RepoFile && table == "the top level" {
            if let Some(rejected) = self.describe_location_key(key) {
                return rejected;
            }
        }

        let listed = if expected.is_empty() {
            "this table takes no keys".to_string()
        } else {
            format!("expected one of: {}", expected.join(", "))
        };
        let help = match closest_key(key, &expected) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => "remove it, or see the template that `dockgrade init` writes for every key"
                .to_string(),
        };
        (format!("unknown key `{key}` in {table}; {listed}"), help)
    }

    /// Explains why `.dockgrade.toml` rejects a key that names the repository, or a table that
    /// configures a whole repos.toml.
    fn describe_location_key(&self, key: &str) -> Option<(String, String)> {
        if key == "repo" {
            return Some((
                "[[repo]] is not allowed in .dockgrade.toml".to_string(),
                "write the keys of the entry (include, exclude, [[image]], [[compose]], \
                 [[waiver]]) at the top level of the file, without a [[repo]] header"
                    .to_string(),
            ));
        }
        if LOCATION_KEYS.contains(&key) {
            return Some((
                format!(
                    "`{key}` is not allowed in .dockgrade.toml: the file describes the repository \
                     that holds it"
                ),
                "remove it; `dockgrade check PATH` grades the folder the file sits in, and a fleet's \
                 name, path, github and ref keys belong in its repos.toml"
                    .to_string(),
            ));
        }
        if !TOP_KEYS.contains(&key) {
            return None;
        }
        Some((
            format!(
                "`{key}` is not allowed in .dockgrade.toml: it sets how a whole fleet is scanned"
            ),
            format!(
                "remove it, or move it to the fleet's repos.toml; `dockgrade check` uses the \
                 default {key} settings"
            ),
        ))
    }

    /// Returns the name of a table as this file writes its header.
    fn table_label(&self, name: &str) -> String {
        match self.kind {
            FileKind::ReposToml => name.to_string(),
            FileKind::RepoFile => name.replace("[[repo.", "[["),
        }
    }

    /// Returns an example line for a key, with table headers as this file writes them.
    fn example_for(&self, key: &str) -> Option<String> {
        example_for(key).map(|example| self.table_label(example))
    }

    /// Names the table whose header a span covers, or the table the span sits in.
    fn span_table(&self, span: Range<usize>) -> String {
        let covered = self.text.get(span.clone()).unwrap_or("").trim();
        if let Some(captures) = HEADER.captures(covered) {
            return captures[0].trim().to_string();
        }
        // An inline table (`waiver = [{ id = "..." }]`) is named by the key it is the value of.
        if covered.starts_with('{') {
            if let Some(key) = key_before(self.text, span.start) {
                return format!("an inline `{key}` table");
            }
        }
        table_before(self.text, span.start)
    }
}

static UNKNOWN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^unknown field `([^`]*)`, (?:expected (.*)|there are no fields)$")
        .expect("valid regex")
});
static MISSING_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^missing field `([^`]*)`$").expect("valid regex"));
static INVALID_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^invalid type: (.*), expected (.*)$").expect("valid regex"));
static BACKTICKED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`]*)`").expect("valid regex"));
static HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\[?\s*[^\[\]]+?\s*\]\]?").expect("valid regex"));
static KEY_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*([A-Za-z0-9_\-."' ]+?)\s*=(?:[^=]|$)"#).expect("valid regex")
});

/// Returns the 1-based line and character column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn same_keys(keys: &[&str], expected: &[&str]) -> bool {
    keys.len() == expected.len() && keys.iter().all(|key| expected.contains(key))
}

/// Finds the key whose value starts at `offset`, looking back over the lines of a multi-line array.
fn key_before(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    for line in before.rsplit('\n') {
        // A table header, complete or not, ends the search.
        if line.trim_start().starts_with('[') && !line.contains('=') {
            return None;
        }
        if let Some(captures) = KEY_ASSIGNMENT.captures(line) {
            let dotted = captures[1].trim();
            let last = dotted.rsplit('.').next().unwrap_or(dotted);
            return Some(
                last.trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_string(),
            );
        }
    }
    None
}

/// Names the table that the text before `offset` last opened, or "the top level".
fn table_before(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    before
        .rsplit('\n')
        .find_map(|line| {
            HEADER
                .find(line.trim_start())
                .map(|found| found.as_str().to_string())
        })
        .unwrap_or_else(|| "the top level".to_string())
}

/// Turns serde's wording of an expected type into repos.toml terms.
fn readable_expectation(expected: &str) -> String {
    match expected {
        "a sequence" => "an array".to_string(),
        "a boolean" | "a string" | "a table" => expected.to_string(),
        "i64" | "u64" | "usize" | "u32" | "i32" => "an integer".to_string(),
        other => other.to_string(),
    }
}

/// Returns an example line for a key, used in help text.
pub(super) fn example_for(key: &str) -> Option<&'static str> {
    let example = match key {
        "grading" => "[grading]",
        "discovery" => "[discovery]",
        "org" => "[[org]]",
        "archived" => "archived = true",
        "forks" => "forks = true",
        "api_url" => "api_url = \"https://github.example.com/api/v3\"",
        "blocker_cap" => "blocker_cap = \"F\"",
        "skip" => "skip = [\".git\", \"node_modules\"]",
        "repo" => "[[repo]]",
        "name" => "name = \"payments-api\"",
        "path" => "path = \"services/payments\"",
        "github" => "github = \"owner/name\"",
        "ref" => "ref = \"main\"",
        "include" => "include = [\"services/**\"]",
        "exclude" => "exclude = [\"legacy/**\"]",
        "image" => "[[repo.image]]",
        "compose" => "[[repo.compose]]",
        "waiver" => "[[repo.waiver]]",
        "dockerfile" => "dockerfile = \"docker/api.Dockerfile\"",
        "context" => "context = \".\"",
        "target" => "target = \"runtime\"",
        "files" => "files = [\"deploy/compose.yaml\", \"deploy/compose.prod.yaml\"]",
        "id" => "id = \"pinned-digest\"",
        "reason" => "reason = \"base image is rebuilt nightly\"",
        "expires" => "expires = 2027-06-30",
        _ => return None,
    };
    Some(example)
}

/// Returns the candidate closest to `word` when it is a plausible typo: at most two edits apart.
pub(super) fn closest_key<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2 && *distance < candidate.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1; right.len() + 1];
        for (j, right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_counts_characters() {
        let text = "a = 1\nné = \"x\"\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        // `=` on line 2 follows the two characters `n` and `é` (3 bytes) and a space.
        assert_eq!(line_and_column(text, 10), (2, 4));
    }

    #[test]
    fn closest_key_suggests_typos_only() {
        let keys = ["name", "path", "github"];
        assert_eq!(closest_key("pth", &keys), Some("path"));
        assert_eq!(closest_key("githb", &keys), Some("github"));
        assert_eq!(closest_key("dockerfile", &keys), None);
    }

    #[test]
    fn key_before_reads_multiline_arrays() {
        let text = "[[repo]]\ninclude = [\n  \"a\",\n  5,\n]\n";
        let offset = text.find('5').unwrap();
        assert_eq!(key_before(text, offset).as_deref(), Some("include"));
    }
}
