//! Marker rewrite: replaces the part of a Markdown file between two marker lines with a report.
//!
//! A marker is a line that contains only `<!-- dockgrade:start -->` or `<!-- dockgrade:end -->`,
//! indented by at most three spaces. Marker text inside a fenced code block is not a marker, so
//! a document can show the marker lines in an example without taking part in the rewrite.
//! Every byte outside the region between the markers is kept: the byte order mark, the line
//! endings, and a missing final newline.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The line after which the report starts.
pub const START_MARKER: &str = "<!-- dockgrade:start -->";
/// The line before which the report ends.
pub const END_MARKER: &str = "<!-- dockgrade:end -->";

/// The help line every marker error ends with.
const MARKER_HELP: &str = "help: the file needs exactly one line `<!-- dockgrade:start -->` followed later by one line `<!-- dockgrade:end -->`, outside fenced code blocks, and the report goes between them";

/// A reason the marker lines of a text do not delimit one region. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkerError {
    /// Neither marker line is present.
    NoMarkers,
    /// An end marker without any start marker.
    MissingStart { end: usize },
    /// A start marker without any end marker. `open_fence` is the line of a fenced code block
    /// that is never closed, which hides every marker after it.
    MissingEnd {
        start: usize,
        open_fence: Option<usize>,
    },
    /// More than one start marker.
    RepeatedStart { lines: Vec<usize> },
    /// More than one end marker.
    RepeatedEnd { lines: Vec<usize> },
    /// The end marker comes before the start marker.
    EndBeforeStart { end: usize, start: usize },
    /// The report itself contains a marker line, so a second run would find repeated markers.
    ReportContainsMarker { line: usize },
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkerError::NoMarkers => write!(
                f,
                "no marker lines `{START_MARKER}` and `{END_MARKER}` found\n{MARKER_HELP}"
            ),
            MarkerError::MissingStart { end } => write!(
                f,
                "line {end} has the end marker but no line has the start marker `{START_MARKER}`\n{MARKER_HELP}"
            ),
            MarkerError::MissingEnd { start, open_fence } => {
                write!(
                    f,
                    "line {start} has the start marker but no later line has the end marker `{END_MARKER}`"
                )?;
                if let Some(fence) = open_fence {
                    write!(
                        f,
                        " (the fenced code block opened on line {fence} is never closed, so the lines after it are code)"
                    )?;
                }
                write!(f, "\n{MARKER_HELP}")
            }
            MarkerError::RepeatedStart { lines } => write!(
                f,
                "the start marker `{START_MARKER}` appears on lines {}\n{MARKER_HELP}",
                join_numbers(lines)
            ),
            MarkerError::RepeatedEnd { lines } => write!(
                f,
                "the end marker `{END_MARKER}` appears on lines {}\n{MARKER_HELP}",
                join_numbers(lines)
            ),
            MarkerError::EndBeforeStart { end, start } => write!(
                f,
                "the end marker on line {end} comes before the start marker on line {start}\n{MARKER_HELP}"
            ),
            MarkerError::ReportContainsMarker { line } => write!(
                f,
                "line {line} of the report is a marker line, so the next run could not find the region again\nhelp: this is a bug in dockgrade's report; please report it"
            ),
        }
    }
}

impl std::error::Error for MarkerError {}

fn join_numbers(numbers: &[usize]) -> String {
    numbers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line of a text with its byte range; `end` includes the line terminator.
struct Line<'a> {
    number: usize,
    start: usize,
    end: usize,
    /// The line without its terminator (`\n` or `\r\n`) and, on line 1, without a byte order mark.
    content: &'a str,
    terminator: &'a str,
}

fn lines_of(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |offset| start + offset + 1);
        let raw = &text[start..end];
        let without_newline = raw.strip_suffix('\n').unwrap_or(raw);
        let content = without_newline
            .strip_suffix('\r')
            .unwrap_or(without_newline);
        let terminator = &raw[content.len()..];
        let content = if start == 0 {
            content.strip_prefix('\u{feff}').unwrap_or(content)
        } else {
            content
        };
        lines.push(Line {
            number: lines.len() + 1,
            start,
            end,
            content,
            terminator,
        });
        start = end;
    }
    lines
}

/// Returns the line with up to three leading spaces removed, or `None` when it is indented
/// further. CommonMark (0.31.2, sections 4.4 and 4.5) reads a line indented by four or more
/// spaces as an indented code block or continuation, never as a fence or an HTML block.
fn strip_indent(content: &str) -> Option<&str> {
    let indent = content.len() - content.trim_start_matches(' ').len();
    (indent <= 3).then(|| &content[indent..])
}

/// A fenced code block that is open: its fence character, fence length and opening line.
struct OpenFence {
    character: char,
    length: usize,
    line: usize,
}

/// Returns the fence that a line opens, following CommonMark 0.31.2 section 4.5: at least three
/// backticks or tildes, and a backtick fence's info string contains no backtick.
fn opening_fence(content: &str, line: usize) -> Option<OpenFence> {
    let rest = strip_indent(content)?;
    let character = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.len() - rest.trim_start_matches(character).len();
    if length < 3 {
        return None;
    }
    if character == '`' && rest[length..].contains('`') {
        return None;
    }
    Some(OpenFence {
        character,
        length,
        line,
    })
}

/// Tells whether a line closes `fence`: the same character at least as many times, then only
/// spaces or tabs.
fn closes_fence(content: &str, fence: &OpenFence) -> bool {
    let Some(rest) = strip_indent(content) else {
        return false;
    };
    let length = rest.len() - rest.trim_start_matches(fence.character).len();
    length >= fence.length && rest[length..].trim_matches([' ', '\t']).is_empty()
}

fn is_marker(content: &str, marker: &str) -> bool {
    strip_indent(content).is_some_and(|rest| rest.trim_end_matches([' ', '\t']) == marker)
}

/// The marker lines found outside fenced code blocks, as indexes into the line list.
struct Markers {
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// The opening line of a fenced code block still open at the end of the text.
    open_fence: Option<usize>,
}

// NOTE: fences inside block quotes (`> ```) and list items indented by four or more spaces are
// not recognized, so marker text inside them counts as a marker.
fn find_markers(lines: &[Line<'_>]) -> Markers {
    let mut markers = Markers {
        starts: Vec::new(),
        ends: Vec::new(),
        open_fence: None,
    };
    let mut fence: Option<OpenFence> = None;
    for (index, line) in lines.iter().enumerate() {
        if let Some(open) = &fence {
            if closes_fence(line.content, open) {
                fence = None;
            }
            continue;
        }
        if is_marker(line.content, START_MARKER) {
            markers.starts.push(index);
        } else if is_marker(line.content, END_MARKER) {
            markers.ends.push(index);
        } else {
            fence = opening_fence(line.content, line.number);
        }
    }
    markers.open_fence = fence.map(|open| open.line);
    markers
}

/// Returns `text` with the lines between its marker lines replaced by `report`.
///
/// The report gets the line terminator of the start marker line (`\r\n` or `\n`) and ends with
/// one, so the end marker stays on a line of its own. The result of a second call with the same
/// report is the same text.
pub fn replace_between_markers(text: &str, report: &str) -> Result<String, MarkerError> {
    let lines = lines_of(text);
    let markers = find_markers(&lines);
    let number = |index: usize| lines[index].number;

    if markers.starts.len() > 1 {
        return Err(MarkerError::RepeatedStart {
            lines: markers.starts.iter().map(|index| number(*index)).collect(),
        });
    }
    if markers.ends.len() > 1 {
        return Err(MarkerError::RepeatedEnd {
            lines: markers.ends.iter().map(|index| number(*index)).collect(),
        });
    }
    let (start, end) = match (markers.starts.first(), markers.ends.first()) {
        (None, None) => return Err(MarkerError::NoMarkers),
        (None, Some(end)) => return Err(MarkerError::MissingStart { end: number(*end) }),
        (Some(start), None) => {
            return Err(MarkerError::MissingEnd {
                start: number(*start),
                open_fence: markers.open_fence,
            })
        }
        (Some(start), Some(end)) if end < start => {
            return Err(MarkerError::EndBeforeStart {
                end: number(*end),
                start: number(*start),
            })
        }
        (Some(start), Some(end)) => (&lines[*start], &lines[*end]),
    };

    let report_markers = find_markers(&lines_of(report));
    if let Some(index) = report_markers
        .starts
        .iter()
        .chain(&report_markers.ends)
        .min()
    {
        return Err(MarkerError::ReportContainsMarker { line: index + 1 });
    }

    let region = with_terminator(report, start.terminator);
    let mut updated = String::with_capacity(start.end + region.len() + text.len() - end.start);
    updated.push_str(&text[..start.end]);
    updated.push_str(&region);
    updated.push_str(&text[end.start..]);
    Ok(updated)
}

/// Returns the report with every line ended by `terminator`. The start marker line always has
/// a terminator here, because an end marker line follows it.
fn with_terminator(report: &str, terminator: &str) -> String {
    if report.is_empty() {
        return String::new();
    }
    let mut normalized = report.replace("\r\n", "\n");
    if !normalized.ends_with('\n') {
        normalized.push('\n');
    }
    if terminator == "\r\n" {
        normalized.replace('\n', "\r\n")
    } else {
        normalized
    }
}

/// The result of [`update_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The region already contained the report, so the file was not written.
    Unchanged,
    /// The file was replaced with the new text.
    Updated,
}

/// The reason a file could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("cannot update {path}: the file does not exist\nhelp: create it with the two marker lines, for example: printf '{START_MARKER}\\n{END_MARKER}\\n' > {path}", path = .0.display())]
    NotFound(PathBuf),
    #[error("cannot update {path}: it is a folder, and --update needs a Markdown file\nhelp: pass the Markdown file that contains the marker lines, such as {example}", path = .0.display(), example = .0.join("README.md").display())]
    Folder(PathBuf),
    #[error("cannot update {path}: it is not a regular file, and --update needs a Markdown file\nhelp: pass the Markdown file that contains the marker lines", path = .0.display())]
    NotAFile(PathBuf),
    #[error("cannot update {path}: line {line} is not valid UTF-8\nhelp: save the file as UTF-8", path = .path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("cannot update {path}: {error}", path = .path.display())]
    Markers { path: PathBuf, error: MarkerError },
    #[error("cannot update {path}: the file is read-only\nhelp: make it writable (chmod u+w {path})", path = .0.display())]
    ReadOnly(PathBuf),
    #[error("cannot read {path}: {source}", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}", path = .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl UpdateError {
    /// Tells whether the error comes from the file's content or absence, which the user fixes
    /// in the file, rather than from the file system.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            UpdateError::NotFound(_)
                | UpdateError::Folder(_)
                | UpdateError::NotAFile(_)
                | UpdateError::NotUtf8 { .. }
                | UpdateError::Markers { .. }
        )
    }
}

/// Rewrites the region between the marker lines of the file at `path` with `report`.
///
/// The file is written only when its content changes. The new content goes to a temporary
/// file in the same folder, which is synced and then renamed over the original, so a reader
/// sees either the old or the new file and never a partial one. The original's permissions
/// are kept, and a symbolic link is followed so that the link stays in place.
pub fn update_file(path: &Path, report: &str) -> Result<UpdateOutcome, UpdateError> {
    let text = read_page(path)?;
    let updated = replace_between_markers(&text, report).map_err(|error| UpdateError::Markers {
        path: path.to_path_buf(),
        error,
    })?;
    if updated == text {
        return Ok(UpdateOutcome::Unchanged);
    }

    write_atomically(path, updated.as_bytes())?;
    Ok(UpdateOutcome::Updated)
}

/// Checks that the file at `path` can take the report: a UTF-8 file with one start and one end
/// marker line in order. Called before grading, so that a wrong `--update` path is reported at
/// once rather than after a long scan; [`update_file`] checks it again when it writes.
pub fn check_file(path: &Path) -> Result<(), UpdateError> {
    let text = read_page(path)?;
    replace_between_markers(&text, "").map_err(|error| UpdateError::Markers {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(())
}

/// Reads the Markdown file at `path` as text, refusing folders and special files.
fn read_page(path: &Path) -> Result<String, UpdateError> {
    let read_error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            UpdateError::NotFound(path.to_path_buf())
        } else {
            UpdateError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    // Checked before reading: reading a folder fails with an error that does not say what to
    // pass instead, and reading a FIFO or a device such as /dev/stdin could block or never end.
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if metadata.is_dir() {
        return Err(UpdateError::Folder(path.to_path_buf()));
    }
    if !metadata.is_file() {
        return Err(UpdateError::NotAFile(path.to_path_buf()));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        UpdateError::NotUtf8 {
            path: path.to_path_buf(),
            line: valid.iter().filter(|byte| **byte == b'\n').count() + 1,
        }
    })?;
    Ok(text)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    let write_error = |source| UpdateError::Write {
        path: path.to_path_buf(),
        source,
    };
    // Renaming over a symbolic link would replace the link itself with a regular file.
    let target = std::fs::canonicalize(path).map_err(write_error)?;
    let permissions = std::fs::metadata(&target)
        .map_err(write_error)?
        .permissions();
    if permissions.readonly() {
        return Err(UpdateError::ReadOnly(path.to_path_buf()));
    }
    let folder = target.parent().unwrap_or(Path::new("."));

    let mut temporary = tempfile::Builder::new()
        .prefix(".dockgrade-update-")
        .tempfile_in(folder)
        .map_err(write_error)?;
    temporary.write_all(bytes).map_err(write_error)?;
    temporary
        .as_file()
        .set_permissions(permissions)
        .map_err(write_error)?;
    temporary.as_file().sync_all().map_err(write_error)?;
    temporary
        .persist(&target)
        .map_err(|error| write_error(error.error))?;

    // On POSIX systems the rename is durable only once the folder itself is synced (fsync(2)).
    #[cfg(unix)]
    std::fs::File::open(folder)
        .and_then(|handle| handle.sync_all())
        .map_err(write_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "| Repo | Score |\n| --- | --- |\n| orders-api | A (7/7) |\n";

    fn replaced(text: &str) -> String {
        replace_between_markers(text, REPORT).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn replaces_only_the_region() {
        let text = "# Fleet\n\nIntro.\n<!-- dockgrade:start -->\nold table\n<!-- dockgrade:end -->\nFooter.\n";
        assert_eq!(
            replaced(text),
            format!("# Fleet\n\nIntro.\n<!-- dockgrade:start -->\n{REPORT}<!-- dockgrade:end -->\nFooter.\n")
        );
    }

    #[test]
    fn fills_empty_region() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replaced(text),
            format!("<!-- dockgrade:start -->\n{REPORT}<!-- dockgrade:end -->\n")
        );
    }

    #[test]
    fn second_run_is_identical() {
        let text = "a\r\n<!-- dockgrade:start -->\r\nold\r\n<!-- dockgrade:end -->\r\nb";
        let once = replaced(text);
        assert_eq!(replaced(&once), once);
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let text = "a\r\n<!-- dockgrade:start -->\r\nold\r\n<!-- dockgrade:end -->\r\nb\r\n";
        let result = replaced(text);
        assert_eq!(
            result,
            "a\r\n<!-- dockgrade:start -->\r\n| Repo | Score |\r\n| --- | --- |\r\n| orders-api | A (7/7) |\r\n<!-- dockgrade:end -->\r\nb\r\n"
        );
        assert!(!result.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn crlf_report_into_lf_file() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let result = replace_between_markers(text, "x\r\ny\r\n").expect("markers are valid");
        assert_eq!(
            result,
            "<!-- dockgrade:start -->\nx\ny\n<!-- dockgrade:end -->\n"
        );
    }

    #[test]
    fn keeps_missing_final_newline() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->";
        let result = replaced(text);
        assert!(result.ends_with("\n<!-- dockgrade:end -->"), "{result:?}");
    }

    #[test]
    fn keeps_text_after_end_marker_without_newline() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\ntail";
        assert!(replaced(text).ends_with("<!-- dockgrade:end -->\ntail"));
    }

    #[test]
    fn keeps_byte_order_mark() {
        let text = "\u{feff}<!-- dockgrade:start -->\nold\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replaced(text),
            format!("\u{feff}<!-- dockgrade:start -->\n{REPORT}<!-- dockgrade:end -->\n")
        );
    }

    #[test]
    fn report_without_final_newline_gets_one() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let result = replace_between_markers(text, "x").expect("markers are valid");
        assert_eq!(
            result,
            "<!-- dockgrade:start -->\nx\n<!-- dockgrade:end -->\n"
        );
    }

    #[test]
    fn empty_report_empties_region() {
        let text = "<!-- dockgrade:start -->\nold\n<!-- dockgrade:end -->\n";
        let result = replace_between_markers(text, "").expect("markers are valid");
        assert_eq!(result, "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n");
    }

    #[test]
    fn markers_allow_small_indent_and_trailing_space() {
        let text = "   <!-- dockgrade:start -->  \nold\n<!-- dockgrade:end -->\t\n";
        assert_eq!(
            replaced(text),
            format!("   <!-- dockgrade:start -->  \n{REPORT}<!-- dockgrade:end -->\t\n")
        );
    }

    #[test]
    fn deep_indent_is_not_a_marker() {
        let text = "    <!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replace_between_markers(text, REPORT),
            Err(MarkerError::MissingStart { end: 2 })
        );
    }

    #[test]
    fn marker_with_other_text_is_not_a_marker() {
        let text = "see <!-- dockgrade:start -->\n<!-- dockgrade:start --> x\n";
        assert_eq!(
            replace_between_markers(text, REPORT),
            Err(MarkerError::NoMarkers)
        );
    }

    #[test]
    fn markers_in_fenced_code_are_ignored() {
        let text = "```markdown\n<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n```\n\
                    <!-- dockgrade:start -->\nold\n<!-- dockgrade:end -->\n\
                    ~~~~\n<!-- dockgrade:end -->\n~~~~\n";
        assert_eq!(
            replaced(text),
            format!(
                "```markdown\n<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n```\n\
                 <!-- dockgrade:start -->\n{REPORT}<!-- dockgrade:end -->\n\
                 ~~~~\n<!-- dockgrade:end -->\n~~~~\n"
            )
        );
    }

    #[test]
    fn shorter_or_other_fence_does_not_close() {
        // The ``` line and the ~~~ line are inside the four-backtick block, so both markers
        // after them are code too.
        let text = "````\n```\n~~~\n<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replace_between_markers(text, REPORT),
            Err(MarkerError::NoMarkers)
        );
    }

    #[test]
    fn backtick_fence_with_backtick_info_is_not_fence() {
        let text = "``` a`b\n<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replaced(text),
            format!("``` a`b\n<!-- dockgrade:start -->\n{REPORT}<!-- dockgrade:end -->\n")
        );
    }

    #[test]
    fn unclosed_fence_is_named() {
        let text = "<!-- dockgrade:start -->\n```\nold\n<!-- dockgrade:end -->\n";
        let error = replace_between_markers(text, REPORT).unwrap_err();
        assert_eq!(
            error,
            MarkerError::MissingEnd {
                start: 1,
                open_fence: Some(2)
            }
        );
        assert!(error
            .to_string()
            .contains("the fenced code block opened on line 2 is never closed"));
    }

    #[test]
    fn no_markers_is_error() {
        let error = replace_between_markers("# Fleet\n", REPORT).unwrap_err();
        assert_eq!(error, MarkerError::NoMarkers);
        assert!(error
            .to_string()
            .contains("help: the file needs exactly one line"));
    }

    #[test]
    fn missing_end_names_start_line() {
        let error =
            replace_between_markers("a\n<!-- dockgrade:start -->\nb\n", REPORT).unwrap_err();
        assert_eq!(
            error,
            MarkerError::MissingEnd {
                start: 2,
                open_fence: None
            }
        );
        assert!(error.to_string().starts_with("line 2 has the start marker"));
    }

    #[test]
    fn missing_start_names_end_line() {
        let error = replace_between_markers("a\nb\n<!-- dockgrade:end -->\n", REPORT).unwrap_err();
        assert_eq!(error, MarkerError::MissingStart { end: 3 });
    }

    #[test]
    fn end_before_start_names_both_lines() {
        let text = "<!-- dockgrade:end -->\nx\n<!-- dockgrade:start -->\n";
        let error = replace_between_markers(text, REPORT).unwrap_err();
        assert_eq!(error, MarkerError::EndBeforeStart { end: 1, start: 3 });
        assert!(error
            .to_string()
            .contains("the end marker on line 1 comes before the start marker on line 3"));
    }

    #[test]
    fn repeated_start_names_every_line() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let error = replace_between_markers(text, REPORT).unwrap_err();
        assert_eq!(error, MarkerError::RepeatedStart { lines: vec![1, 2] });
        assert!(error.to_string().contains("appears on lines 1, 2"));
    }

    #[test]
    fn repeated_end_names_every_line() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\nx\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replace_between_markers(text, REPORT),
            Err(MarkerError::RepeatedEnd { lines: vec![2, 4] })
        );
    }

    #[test]
    fn report_with_marker_line_is_rejected() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let report = "a\n<!-- dockgrade:end -->\n";
        assert_eq!(
            replace_between_markers(text, report),
            Err(MarkerError::ReportContainsMarker { line: 2 })
        );
    }

    #[test]
    fn report_with_marker_in_code_is_accepted() {
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let report = "```\n<!-- dockgrade:end -->\n```\n";
        let once = replace_between_markers(text, report).expect("the marker is code");
        assert_eq!(replace_between_markers(&once, report), Ok(once.clone()));
    }

    fn write_file(folder: &Path, name: &str, text: &str) -> PathBuf {
        let path = folder.join(name);
        std::fs::write(&path, text).expect("write the test file");
        path
    }

    #[test]
    fn update_file_writes_then_reports_unchanged() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = write_file(
            folder.path(),
            "fleet.md",
            "# Fleet\r\n<!-- dockgrade:start -->\r\n<!-- dockgrade:end -->",
        );
        assert_eq!(
            update_file(&path, REPORT).expect("updates"),
            UpdateOutcome::Updated
        );
        let first = std::fs::read(&path).expect("read back");
        let modified = std::fs::metadata(&path)
            .and_then(|metadata| metadata.modified())
            .expect("modification time");

        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(
            update_file(&path, REPORT).expect("updates"),
            UpdateOutcome::Unchanged
        );
        assert_eq!(std::fs::read(&path).expect("read back"), first);
        let unchanged = std::fs::metadata(&path)
            .and_then(|metadata| metadata.modified())
            .expect("modification time");
        assert_eq!(unchanged, modified);
    }

    #[test]
    fn update_file_leaves_no_temporary_file() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = write_file(
            folder.path(),
            "fleet.md",
            "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n",
        );
        update_file(&path, REPORT).expect("updates");
        let names: Vec<String> = std::fs::read_dir(folder.path())
            .expect("list the folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["fleet.md".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn update_file_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = write_file(
            folder.path(),
            "fleet.md",
            "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n",
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
            .expect("set permissions");
        update_file(&path, REPORT).expect("updates");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn update_file_follows_symbolic_link() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let target = write_file(
            folder.path(),
            "fleet.md",
            "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n",
        );
        let link = folder.path().join("link.md");
        std::os::unix::fs::symlink(&target, &link).expect("create the link");
        update_file(&link, REPORT).expect("updates");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link metadata")
            .file_type()
            .is_symlink());
        assert!(std::fs::read_to_string(&target)
            .expect("read the target")
            .contains("orders-api"));
    }

    #[test]
    fn update_file_missing_file_names_fix() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("absent.md");
        let error = update_file(&path, REPORT).unwrap_err();
        assert!(error.is_invalid_input());
        let message = error.to_string();
        assert!(message.contains("the file does not exist"), "{message}");
        assert!(message.contains(START_MARKER), "{message}");
        assert!(!path.exists());
    }

    #[test]
    fn update_file_rejects_folder() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let error = update_file(folder.path(), REPORT).unwrap_err();
        assert!(matches!(error, UpdateError::Folder(_)), "{error:?}");
        assert!(error.is_invalid_input());
        let message = error.to_string();
        assert!(
            message.contains("it is a folder, and --update needs a Markdown file"),
            "{message}"
        );
        assert!(message.contains("README.md"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn update_file_rejects_device() {
        let error = update_file(Path::new("/dev/null"), REPORT).unwrap_err();
        assert!(matches!(error, UpdateError::NotAFile(_)), "{error:?}");
        assert!(error.is_invalid_input());
        assert!(error.to_string().contains("/dev/null"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn update_file_rejects_socket() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("fleet.md");
        let _listener = std::os::unix::net::UnixListener::bind(&path).expect("bind a socket");
        let error = update_file(&path, REPORT).unwrap_err();
        assert!(matches!(error, UpdateError::NotAFile(_)), "{error:?}");
    }

    #[test]
    fn update_file_bad_markers_leaves_file() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let text = "<!-- dockgrade:end -->\n<!-- dockgrade:start -->\n";
        let path = write_file(folder.path(), "fleet.md", text);
        let error = update_file(&path, REPORT).unwrap_err();
        assert!(error.is_invalid_input());
        assert!(error.to_string().contains("fleet.md"));
        assert_eq!(std::fs::read_to_string(&path).expect("read back"), text);
    }

    #[test]
    fn update_file_rejects_invalid_utf8() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("fleet.md");
        std::fs::write(&path, b"ok\n\xff\n").expect("write the test file");
        let error = update_file(&path, REPORT).unwrap_err();
        assert!(
            matches!(error, UpdateError::NotUtf8 { line: 2, .. }),
            "{error:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn update_file_rejects_read_only_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = tempfile::tempdir().expect("temporary folder");
        let text = "<!-- dockgrade:start -->\n<!-- dockgrade:end -->\n";
        let path = write_file(folder.path(), "fleet.md", text);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
            .expect("set permissions");
        let error = update_file(&path, REPORT).unwrap_err();
        assert!(matches!(error, UpdateError::ReadOnly(_)), "{error:?}");
        assert_eq!(std::fs::read_to_string(&path).expect("read back"), text);
    }
}
