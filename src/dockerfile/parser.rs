//! The Dockerfile parser: physical lines to instructions, following BuildKit's frontend parser line for line.
//!
//! The rules it follows, from BuildKit's `frontend/dockerfile/parser`:
//! - A UTF-8 byte order mark on the first line is dropped. Trailing `\r` and `\n` are dropped
//!   from every line, so CRLF files parse like LF files.
//! - Parser directives are read from the top until the first line that is not one.
//! - A line whose first non-blank character is `#` is a comment, also inside a continuation.
//! - The escape character at the end of a line (trailing spaces and tabs allowed) continues the
//!   instruction on the next line, unless it is itself escaped. Blank lines inside a continuation
//!   are skipped. The first line of an instruction loses its leading white space, but
//!   continuation lines keep theirs.
//! - After a RUN, COPY or ADD line (also under ONBUILD) in shell form, the bodies of its
//!   heredocs follow, one after the other, each up to a line that equals its delimiter.

use super::arguments::{parse_arguments, split_command};
use super::ast::{Dockerfile, Instruction, ParseError};
use super::directive::DirectiveReader;
use super::heredoc::markers_in_line;

/// The maximum line length in bytes that BuildKit reads, including the line feed, which is the
/// buffer limit of Go's `bufio.Scanner`.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// Parses a Dockerfile as BuildKit's frontend parser does.
///
/// Unknown instructions are kept with no arguments, as BuildKit's parser keeps them, because it
/// is the later instruction layer of BuildKit that rejects them. Errors carry the 1-based line
/// where the offending instruction or directive starts.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let mut lines = PhysicalLines::new(text);
    let mut directives = DirectiveReader::default();
    let mut dockerfile = Dockerfile {
        directives: Vec::new(),
        escape: '\\',
        instructions: Vec::new(),
    };

    while let Some(raw) = lines.next_line()? {
        let line_number = lines.line;
        let raw = if line_number == 1 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let token = trim_newline(raw).trim_start();

        let directive = directives
            .read(token, line_number)
            .map_err(|message| error_at(line_number, message))?;
        if let Some(directive) = directive {
            if directive.name == "escape" {
                dockerfile.escape = escape_token(&directive.value)
                    .map_err(|message| error_at(line_number, message))?;
            }
            dockerfile.directives.push(directive);
        }

        let escape = dockerfile.escape;
        let start_line = line_number;
        let first = if is_comment(token) { "" } else { token };
        let (first, mut end_of_line) = trim_continuation(first, escape);
        if end_of_line && first.is_empty() {
            continue;
        }

        let mut logical = first.to_string();
        while !end_of_line {
            let Some(raw) = lines.next_line()? else {
                break;
            };
            if is_comment(raw) {
                continue;
            }
            let token = trim_newline(raw);
            if token.trim_start().is_empty() {
                continue;
            }
            let (part, end) = trim_continuation(token, escape);
            logical.push_str(part);
            end_of_line = end;
        }

        let mut instruction = instruction_from_line(&logical, escape)
            .map_err(|message| error_at(start_line, message))?;

        if can_contain_heredoc(&instruction) && logical.contains("<<") {
            let markers =
                markers_in_line(&logical).map_err(|message| error_at(start_line, message))?;
            for marker in markers {
                let content = read_heredoc_body(&mut lines, &marker.name, marker.chomp)?
                    .ok_or_else(|| error_at(start_line, "unterminated heredoc".to_string()))?;
                instruction.heredocs.push(marker.into_heredoc(content));
            }
        }

        set_lines(&mut instruction, start_line, lines.line);
        dockerfile.instructions.push(instruction);
    }

    if dockerfile.instructions.is_empty() {
        return Err(error_at(
            lines.line.max(1),
            "file with no instructions".to_string(),
        ));
    }
    Ok(dockerfile)
}

fn error_at(line: usize, message: String) -> ParseError {
    ParseError { line, message }
}

fn escape_token(value: &str) -> Result<char, String> {
    match value {
        "\\" => Ok('\\'),
        "`" => Ok('`'),
        _ => Err(format!(
            "invalid escape token '{value}' does not match ` or \\"
        )),
    }
}

/// Builds an instruction from one logical line. ONBUILD parses the rest as an instruction of its own.
fn instruction_from_line(line: &str, escape: char) -> Result<Instruction, String> {
    let split = split_command(line);
    let keyword = split.keyword.to_lowercase();
    let arguments = parse_arguments(&keyword, &split.rest, escape)?;
    let next = match &arguments.sub_command {
        Some(rest) => Some(Box::new(instruction_from_line(rest, escape)?)),
        None => None,
    };
    Ok(Instruction {
        keyword,
        line: 0,
        end_line: 0,
        flags: split.flags,
        args: arguments.args,
        json: arguments.json,
        legacy_form: arguments.legacy_form,
        heredocs: Vec::new(),
        next,
        original: line.to_string(),
    })
}

fn set_lines(instruction: &mut Instruction, start: usize, end: usize) {
    instruction.line = start;
    instruction.end_line = end;
    if let Some(next) = &mut instruction.next {
        set_lines(next, start, end);
    }
}

/// Heredocs belong to RUN, COPY and ADD in shell form, also when ONBUILD wraps them.
fn can_contain_heredoc(instruction: &Instruction) -> bool {
    let target = match (&instruction.next, instruction.keyword.as_str()) {
        (Some(next), "onbuild") => next,
        _ => instruction,
    };
    matches!(target.keyword.as_str(), "run" | "copy" | "add") && !target.json
}

/// Reads heredoc body lines up to the delimiter line, or returns `None` when the file ends first.
/// The body keeps its line breaks, and its leading tabs even for `<<-`, which only lets the
/// delimiter line be indented with tabs.
fn read_heredoc_body(
    lines: &mut PhysicalLines<'_>,
    name: &str,
    chomp: bool,
) -> Result<Option<String>, ParseError> {
    let mut content = String::new();
    while let Some(raw) = lines.next_line()? {
        let mut candidate = trim_newline(raw);
        if chomp {
            candidate = candidate.trim_start_matches('\t');
        }
        if candidate == name {
            return Ok(Some(content));
        }
        content.push_str(raw);
    }
    Ok(None)
}

/// Drops every trailing `\r` and `\n`.
fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Removes a line continuation: the escape character at the end of the line, optionally
/// followed by spaces and tabs. Returns the line and whether the instruction ends here.
///
/// An escape character preceded by another escape character is an escaped character, not a
/// continuation. BuildKit checks only the one character before it, so `\\\` at the end of a
/// line does not continue either.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line, true);
    };
    if before.ends_with(escape) {
        return (line, true);
    }
    (before, false)
}

/// The lines of the text, each with its line feed, counted from 1.
struct PhysicalLines<'a> {
    rest: &'a str,
    /// The number of the line returned last.
    line: usize,
}

impl<'a> PhysicalLines<'a> {
    fn new(text: &'a str) -> Self {
        PhysicalLines {
            rest: text,
            line: 0,
        }
    }

    fn next_line(&mut self) -> Result<Option<&'a str>, ParseError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let end = self
            .rest
            .find('\n')
            .map_or(self.rest.len(), |index| index + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.line += 1;

        // Go's scanner fails on a line that does not fit its buffer together with its line
        // feed. A last line without a line feed must leave room for the end-of-input check.
        let too_long = if line.ends_with('\n') {
            line.len() > MAX_LINE_BYTES
        } else {
            line.len() >= MAX_LINE_BYTES
        };
        if too_long {
            return Err(error_at(
                self.line,
                format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE_BYTES - 1
                ),
            ));
        }
        Ok(Some(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_rules() {
        assert_eq!(trim_continuation("a \\  ", '\\'), ("a ", false));
        assert_eq!(trim_continuation("\\", '\\'), ("", false));
        assert_eq!(trim_continuation("a\\\\", '\\'), ("a\\\\", true));
        assert_eq!(trim_continuation("a `", '`'), ("a ", false));
        assert_eq!(trim_continuation("a \\", '`'), ("a \\", true));
    }

    #[test]
    fn crlf_and_bom() {
        let df = parse("\u{feff}FROM a\r\nRUN b \\\r\n  c\r\n").unwrap();
        assert_eq!(df.instructions.len(), 2);
        assert_eq!(df.instructions[1].args, ["b   c"]);
        assert_eq!(
            (df.instructions[1].line, df.instructions[1].end_line),
            (2, 3)
        );
    }

    #[test]
    fn heredoc_bodies_follow_in_order() {
        let text = "FROM a\nCOPY <<A <<-B /x/\none\nA\n\ttwo\n\tB\nRUN true\n";
        let df = parse(text).unwrap();
        let copy = &df.instructions[1];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].content, "one\n");
        assert_eq!(copy.heredocs[1].content, "\ttwo\n");
        assert_eq!((copy.line, copy.end_line), (2, 6));
        assert_eq!(df.instructions[2].keyword, "run");
    }

    #[test]
    fn heredoc_markers_and_bodies() {
        let text = "FROM alpine\n\
USER <<INVALID\nINVALID\n\
RUN 3<<EMPTY\nEMPTY\n\
RUN \"<<NOHEREDOC\"\n\
RUN <<-UNINDENT\n\tbaz\n\tUNINDENT\n\
RUN <<-'NOEXPAND'\n\tkeep $NAME\nNOEXPAND\n\
COPY <<X <<Y /dest\nY\nX\nX\nY\n\
RUN [\"<<EOF\"]\n\
ONBUILD RUN <<EOF\necho\nEOF\n";
        let df = parse(text).unwrap();
        let heredocs: Vec<Vec<(&str, &str, bool, bool)>> = df
            .instructions
            .iter()
            .map(|instruction| {
                instruction
                    .heredocs
                    .iter()
                    .map(|doc| {
                        (
                            doc.name.as_str(),
                            doc.content.as_str(),
                            doc.expand,
                            doc.chomp,
                        )
                    })
                    .collect()
            })
            .collect();

        assert!(heredocs[1].is_empty(), "USER takes no heredoc");
        assert_eq!(df.instructions[2].keyword, "invalid");
        assert_eq!(heredocs[3], [("EMPTY", "", true, false)]);
        assert!(heredocs[4].is_empty(), "a quoted marker is no heredoc");
        assert_eq!(heredocs[5], [("UNINDENT", "\tbaz\n", true, true)]);
        assert_eq!(heredocs[6], [("NOEXPAND", "\tkeep $NAME\n", false, true)]);
        assert_eq!(
            heredocs[7],
            [("X", "Y\n", true, false), ("Y", "X\n", true, false)]
        );
        assert!(heredocs[8].is_empty(), "the exec form takes no heredoc");
        assert_eq!(heredocs[9], [("EOF", "echo\n", true, false)]);
    }

    #[test]
    fn unbalanced_quote_marker_is_no_heredoc() {
        let df = parse("FROM a\nRUN <<'EOF\nEOF\n").unwrap();
        assert!(df.instructions[1].heredocs.is_empty());
        assert_eq!(df.instructions[2].keyword, "eof");
    }

    #[test]
    fn unterminated_heredoc_names_its_line() {
        let error = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("unterminated heredoc"));
    }

    #[test]
    fn duplicate_directive_names_its_line() {
        let error = parse("# syntax=a\n# Syntax=b\nFROM x\n").unwrap_err();
        assert_eq!(error.line, 2);
    }

    #[test]
    fn invalid_escape_directive_is_rejected() {
        let error = parse("# escape=x\nFROM x\n").unwrap_err();
        assert_eq!(error.line, 1);
    }

    #[test]
    fn long_line_is_rejected() {
        let text = format!("FROM a\nRUN {}\n", "x".repeat(MAX_LINE_BYTES));
        assert_eq!(parse(&text).unwrap_err().line, 2);
    }

    #[test]
    fn onbuild_wraps_instruction() {
        let df = parse("FROM a\nonbuild run --mount=type=cache,target=/x echo hi\n").unwrap();
        let next = df.instructions[1].next.as_ref().unwrap();
        assert_eq!(next.keyword, "run");
        assert_eq!(next.flags, ["--mount=type=cache,target=/x"]);
        assert_eq!(next.line, 2);
    }
}
