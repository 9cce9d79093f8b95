//! `.dockerignore` files: reading them, deciding which paths leave the build context, and finding the one that applies.

mod clean;
mod pattern;

pub use clean::clean_path;
pub use pattern::Pattern;

use crate::source::Snapshot;

/// A pattern line that Docker would reject, which makes the whole build fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPattern {
    /// 1-based line number in the ignore file.
    pub line: usize,
    /// The line as written, without surrounding whitespace.
    pub text: String,
    pub message: String,
}

/// A parsed `.dockerignore` file.
///
/// Matching uses only the valid patterns. When `invalid` is not empty, Docker refuses to build with
/// this file at all, so a caller should report that rather than trust `is_excluded`.
#[derive(Debug, Clone, Default)]
pub struct IgnoreFile {
    pub patterns: Vec<Pattern>,
    pub invalid: Vec<InvalidPattern>,
}

impl IgnoreFile {
    /// Parses the text of an ignore file with the rules of moby's `ignorefile.ReadAll` and
    /// `patternmatcher.New`.
    ///
    /// A UTF-8 byte order mark on the first line is dropped. A line is a comment only when `#` is
    /// its first character, so ` # x` and `// x` are patterns. Lines are trimmed and blank ones
    /// skipped. A leading `!` marks an exception. The rest is cleaned like a path (`./x` and `x/`
    /// become `x`), and one leading `/` is removed because patterns are relative to the context.
    pub fn parse(text: &str) -> IgnoreFile {
        let mut file = IgnoreFile::default();

        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = if index == 0 {
                raw_line.strip_prefix('\u{feff}').unwrap_or(raw_line)
            } else {
                raw_line
            };
            if line.starts_with('#') {
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }

            match compile_line(line_number, trimmed) {
                Ok(Some(pattern)) => file.patterns.push(pattern),
                Ok(None) => {}
                Err(message) => file.invalid.push(InvalidPattern {
                    line: line_number,
                    text: trimmed.to_string(),
                    message,
                }),
            }
        }

        file
    }

    /// Tells whether Docker leaves `path` out of the build context.
    ///
    /// `path` is relative to the build context. The last pattern that matches the path or one of
    /// its parent folders decides: an exception (`!`) keeps the path, any other pattern excludes it.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.decisive_pattern(path)
            .is_some_and(|pattern| !pattern.is_exception)
    }

    /// Returns the last pattern that matches `path` or one of its parent folders, or `None` when no
    /// pattern matches. That pattern decides whether the path is excluded.
    pub fn decisive_pattern(&self, path: &str) -> Option<&Pattern> {
        let path = context_path(path)?;
        self.patterns
            .iter()
            .rev()
            .find(|pattern| pattern.matches(&path))
    }
}

/// Turns one trimmed, non-comment line into a pattern, or `None` when it can match nothing.
fn compile_line(line_number: usize, trimmed: &str) -> Result<Option<Pattern>, String> {
    // Reader step (moby `ignorefile.ReadAll`): split off `!`, clean, drop one leading `/`.
    let (is_exception, body) = match trimmed.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, trimmed),
    };
    let mut cleaned = String::new();
    if !body.is_empty() {
        cleaned = clean_path(body);
        if cleaned.len() > 1 && cleaned.starts_with('/') {
            cleaned.remove(0);
        }
    }
    let read = if is_exception {
        format!("!{cleaned}")
    } else {
        cleaned
    };

    // Matcher step (moby `patternmatcher.New`): trim and clean once more, then read the `!`.
    // Cleaning can expose spaces (`./ x` gives ` x`, then `x`). The second clean also treats the
    // `!` as part of the first name, so `!../..` ends up as `.`, which matches nothing.
    let recleaned = clean_path(read.trim());
    let (is_exception, pattern) = match recleaned.strip_prefix('!') {
        Some("") => {
            return Err("`!` alone is not a pattern; write the path to keep after it".to_string())
        }
        Some(rest) => (true, rest),
        None => (false, recleaned.as_str()),
    };

    Pattern::compile(line_number, trimmed, pattern, is_exception).map(Some)
}

/// Cleans a path given relative to the build context, or returns `None` for the context itself.
///
/// moby never excludes the context root (`.`), and a path outside the context cannot be matched.
fn context_path(path: &str) -> Option<String> {
    let cleaned = clean_path(path);
    let relative = cleaned.strip_prefix('/').unwrap_or(&cleaned);
    if relative.is_empty() || relative == "." || relative == ".." || relative.starts_with("../") {
        return None;
    }
    Some(relative.to_string())
}

/// Returns the repository path of the ignore file that applies to a build, or `None` when the
/// context has none.
///
/// BuildKit first looks beside the Dockerfile for `<Dockerfile path>.dockerignore` (for
/// `docker/api.Dockerfile`, `docker/api.Dockerfile.dockerignore`), and only then for
/// `.dockerignore` at the root of the build context (moby/buildkit
/// `frontend/dockerui/config.go`, `ReadEntrypoint` and `dockerIgnorePatterns`).
/// `dockerfile_path` and `context_dir` are relative to the repository root. A context outside the
/// repository, such as `..` or a Git URL, has no ignore file in the snapshot.
pub fn ignore_file_for(
    dockerfile_path: &str,
    context_dir: &str,
    snapshot: &Snapshot,
) -> Option<String> {
    let beside_dockerfile = format!("{}.dockerignore", clean_path(dockerfile_path));
    if snapshot.contains(&beside_dockerfile) {
        return Some(beside_dockerfile);
    }

    if context_dir.contains("://") || context_dir.starts_with("git@") {
        return None;
    }
    let context = clean_path(context_dir);
    if context.starts_with('/') || context == ".." || context.starts_with("../") {
        return None;
    }
    let in_context = if context == "." {
        ".dockerignore".to_string()
    } else {
        format!("{context}/.dockerignore")
    };
    snapshot.contains(&in_context).then_some(in_context)
}
