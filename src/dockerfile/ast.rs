//! The syntax tree of a Dockerfile, one node per instruction, as BuildKit's parser produces it.

use serde::Serialize;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) from the top of the file.
    pub directives: Vec<Directive>,
    /// The escape character: `\` unless `# escape=` sets a backtick.
    pub escape: char,
    pub instructions: Vec<Instruction>,
}

/// One parser directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lowercase name, such as `syntax` or `escape`.
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// One instruction with its flags and arguments, before word expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// Lowercase instruction name, such as `from` or `run`.
    pub keyword: String,
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// 1-based line where it ends, after continuations and heredoc bodies.
    pub end_line: usize,
    /// Flags as written, such as `--from=build`, in order.
    pub flags: Vec<String>,
    /// Arguments as BuildKit's parser returns them: one string for a shell-form command,
    /// one per element for an exec-form (JSON) command, key and value pairs for ENV and LABEL.
    pub args: Vec<String>,
    /// True for the exec (JSON array) form.
    pub json: bool,
    /// True for `ENV` and `LABEL` in the legacy `KEY name value` form, which sets one pair whose
    /// value is the rest of the line. False for the `name=value ...` form.
    pub legacy_form: bool,
    pub heredocs: Vec<Heredoc>,
    /// The instruction that `ONBUILD` wraps.
    pub next: Option<Box<Instruction>>,
    /// The instruction's text with continuations joined, as BuildKit keeps it.
    pub original: String,
}

/// A here-document attached to an instruction (`RUN <<EOF`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    /// False when the delimiter was quoted, which turns expansion off inside the body.
    pub expand: bool,
    /// True for `<<-`, which strips leading tabs.
    pub chomp: bool,
}

/// A Dockerfile that BuildKit would reject, with the line that decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}
