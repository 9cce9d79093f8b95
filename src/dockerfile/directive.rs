//! Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of a Dockerfile.

use super::ast::Directive;

const VALID_NAMES: [&str; 3] = ["syntax", "escape", "check"];

/// Reads directives from the first lines until any other line, as BuildKit does: the first
/// blank line, ordinary comment, instruction or unknown directive ends the directive section.
#[derive(Debug, Default)]
pub(crate) struct DirectiveReader {
    done: bool,
    seen: Vec<String>,
}

impl DirectiveReader {
    /// Reads one line (without its line break, leading white space removed) and returns the
    /// directive it holds, if the directive section is still open.
    pub fn read(&mut self, text: &str, line: usize) -> Result<Option<Directive>, String> {
        if self.done {
            return Ok(None);
        }
        let Some((name, value)) = text.strip_prefix('#').and_then(split_directive) else {
            self.done = true;
            return Ok(None);
        };
        let name = name.to_ascii_lowercase();
        if !VALID_NAMES.contains(&name.as_str()) {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&name) {
            return Err(format!("only one {name} parser directive can be used"));
        }
        self.seen.push(name.clone());
        Ok(Some(Directive {
            name,
            value: value.to_string(),
            line,
        }))
    }
}

/// Go's `\s`: tab, line feed, form feed, carriage return and space.
fn is_go_space(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// Splits `name = value` after the `#`: the name is a letter followed by letters and digits,
/// and the value is everything after `=` with the white space around it removed.
fn split_directive(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let name_end = text
        .char_indices()
        .find(|(_, ch)| !ch.is_ascii_alphanumeric())
        .map_or(text.len(), |(index, _)| index);
    let name = &text[..name_end];
    if !name.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
        return None;
    }
    let after_equals = text[name_end..]
        .trim_start_matches(is_go_space)
        .strip_prefix('=')?;
    let value = after_equals.trim_matches(is_go_space);
    if !value.is_empty() {
        return Some((name, value));
    }
    // BuildKit's pattern needs at least one character of value, so when only white space
    // follows `=`, the value is its last white-space character.
    let last = after_equals.char_indices().last()?.0;
    Some((name, &after_equals[last..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_name_is_case_insensitive() {
        let mut reader = DirectiveReader::default();
        let directive = reader.read("# ESCAPE = `  ", 1).unwrap().unwrap();
        assert_eq!(
            (directive.name.as_str(), directive.value.as_str()),
            ("escape", "`")
        );
    }

    #[test]
    fn duplicate_directive_is_rejected() {
        let mut reader = DirectiveReader::default();
        reader.read("# syntax=a", 1).unwrap();
        assert!(reader.read("#syntax=b", 2).is_err());
    }

    #[test]
    fn unknown_directive_ends_section() {
        let mut reader = DirectiveReader::default();
        assert!(reader.read("# foo=bar", 1).unwrap().is_none());
        assert!(reader.read("# escape=`", 2).unwrap().is_none());
    }

    #[test]
    fn comment_without_equals_ends_section() {
        let mut reader = DirectiveReader::default();
        assert!(reader.read("# hello", 1).unwrap().is_none());
        assert!(reader.read("# syntax=x", 2).unwrap().is_none());
    }
}
