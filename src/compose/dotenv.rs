//! `.env` files in the format Compose reads: `VAR=VAL` lines, comments, quotes, an optional
//! `export ` prefix, and interpolation in unquoted and double-quoted values.

use super::interpolate::{
    charge_growth, substitute, Environment, SubstituteError, MAX_INTERPOLATED_TOTAL_BYTES,
};
use super::model::LoadError;

/// Parses a `.env` file into variables, in file order; a later line for the same name wins.
///
/// `parent` supplies values for variables that the file references but does not define itself.
/// A line with a name and no `=` requests the variable from the shell environment, which a
/// load never reads, so such lines define nothing.
pub fn parse_dotenv(
    path: &str,
    text: &str,
    parent: &Environment,
) -> Result<Vec<(String, String)>, LoadError> {
    let mut parser = DotenvParser {
        path,
        text: text.strip_prefix('\u{feff}').unwrap_or(text),
        position: 0,
        line: 1,
    };
    let mut variables: Vec<(String, String)> = Vec::new();
    let mut growth_budget = MAX_INTERPOLATED_TOTAL_BYTES;

    while let Some(line) = parser.skip_blank_and_comments() {
        let name = parser.read_name()?;
        parser.skip_spaces();
        match parser.peek() {
            None | Some('\n') | Some('\r') | Some('#') => continue,
            Some('=') | Some(':') => parser.position += 1,
            Some(other) => {
                return Err(parser.error(
                    line,
                    format!(
                        "unexpected `{other}` after the variable name `{name}`; write NAME=value"
                    ),
                ))
            }
        }
        parser.skip_spaces();

        let lookup = |wanted: &str| {
            variables
                .iter()
                .rev()
                .find(|(defined, _)| defined == wanted)
                .map(|(_, value)| value.clone())
                .or_else(|| parent.get(wanted).cloned())
        };
        let value = match parser.peek() {
            Some('\'') => parser.read_single_quoted(line)?,
            Some('"') => {
                let raw = parser.read_double_quoted(line)?;
                interpolate_value(&raw, &lookup, &mut growth_budget)
                    .map_err(|reason| parser.error(line, reason))?
            }
            _ => {
                let raw = parser.read_unquoted();
                interpolate_value(&raw, &lookup, &mut growth_budget)
                    .map_err(|reason| parser.error(line, reason))?
            }
        };
        variables.push((name, value));
    }
    Ok(variables)
}

/// Parses a `.env` file and collects its variables into an environment.
pub(crate) fn read_environment(
    path: &str,
    text: &str,
    parent: &Environment,
) -> Result<Environment, LoadError> {
    Ok(parse_dotenv(path, text, parent)?.into_iter().collect())
}

/// Interpolates one value and charges its growth to `growth_budget`, failing only when it
/// exceeds an interpolation limit.
// NOTE: a value whose `$` forms no valid variable reference, such as a password `abc$1`, is kept
// as written instead of failing the load; Compose may reject such a file.
fn interpolate_value(
    raw: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    growth_budget: &mut usize,
) -> Result<String, String> {
    match substitute(raw, lookup) {
        Ok(substituted) => {
            charge_growth(raw, &substituted.value, growth_budget)?;
            Ok(substituted.value)
        }
        Err(SubstituteError::Invalid(_)) => Ok(raw.to_string()),
        Err(SubstituteError::LimitExceeded(reason)) => {
            Err(format!("interpolation failed: {reason}"))
        }
    }
}

struct DotenvParser<'a> {
    path: &'a str,
    text: &'a str,
    /// Byte offset of the next character.
    position: usize,
    /// 1-based line of `position`.
    line: usize,
}

impl DotenvParser<'_> {
    fn error(&self, line: usize, message: String) -> LoadError {
        LoadError {
            path: self.path.to_string(),
            line,
            message,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.position..].chars().next()
    }

    fn advance(&mut self) -> Option<char> {
        let next = self.peek()?;
        self.position += next.len_utf8();
        if next == '\n' {
            self.line += 1;
        }
        Some(next)
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ') | Some('\t')) {
            self.advance();
        }
    }

    fn skip_to_line_end(&mut self) {
        while let Some(next) = self.peek() {
            if next == '\n' {
                break;
            }
            self.advance();
        }
    }

    /// Moves to the start of the next variable line and returns its line number, or `None` at
    /// the end of the file.
    fn skip_blank_and_comments(&mut self) -> Option<usize> {
        loop {
            match self.peek()? {
                ' ' | '\t' | '\r' | '\n' => {
                    self.advance();
                }
                '#' => self.skip_to_line_end(),
                _ => return Some(self.line),
            }
        }
    }

    /// Reads a variable name, skipping an `export ` prefix.
    fn read_name(&mut self) -> Result<String, LoadError> {
        let line = self.line;
        if let Some(rest) = self.text[self.position..].strip_prefix("export") {
            if rest.starts_with([' ', '\t']) {
                self.position += "export".len();
                self.skip_spaces();
            }
        }

        let start = self.position;
        while let Some(next) = self.peek() {
            if matches!(next, '=' | ':' | ' ' | '\t' | '\r' | '\n' | '#') {
                break;
            }
            self.advance();
        }
        let name = &self.text[start..self.position];
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            return Err(self.error(
                line,
                format!(
                    "invalid variable name `{name}`; names use letters, digits, `_`, `.` and `-`"
                ),
            ));
        }
        Ok(name.to_string())
    }

    fn read_unquoted(&mut self) -> String {
        let start = self.position;
        self.skip_to_line_end();
        let mut value = &self.text[start..self.position];
        // A `#` starts a comment only after whitespace, so `VAL# x` keeps its `#`.
        if let Some(index) = value.find(" #").or_else(|| value.find("\t#")) {
            value = &value[..index];
        }
        value.trim().to_string()
    }

    /// Reads a single-quoted value literally; `\'` stands for a quote.
    fn read_single_quoted(&mut self, line: usize) -> Result<String, LoadError> {
        self.advance();
        let mut value = String::new();
        loop {
            match self.advance() {
                None => return Err(self.unterminated(line, '\'')),
                Some('\\') if self.peek() == Some('\'') => {
                    self.advance();
                    value.push('\'');
                }
                Some('\'') => break,
                Some(other) => value.push(other),
            }
        }
        self.skip_after_quote();
        Ok(value)
    }

    /// Reads a double-quoted value and expands `\n`, `\r`, `\t`, `\\` and `\"`. An escaped
    /// dollar sign comes back as `$$` so that interpolation keeps it literal.
    fn read_double_quoted(&mut self, line: usize) -> Result<String, LoadError> {
        self.advance();
        let mut value = String::new();
        loop {
            match self.advance() {
                None => return Err(self.unterminated(line, '"')),
                Some('\\') => match self.advance() {
                    None => return Err(self.unterminated(line, '"')),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('$') => value.push_str("$$"),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                },
                Some('"') => break,
                Some(other) => value.push(other),
            }
        }
        self.skip_after_quote();
        Ok(value)
    }

    /// Skips what follows a closing quote on its line: spaces and a comment.
    fn skip_after_quote(&mut self) {
        self.skip_to_line_end();
    }

    fn unterminated(&self, line: usize, quote: char) -> LoadError {
        self.error(line, format!("the value opened with {quote} on this line is never closed; add the closing {quote}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_dotenv(".env", text, &Environment::new()).expect("valid .env")
    }

    fn value_of(text: &str, name: &str) -> String {
        parse(text)
            .into_iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
            .expect("variable defined")
    }

    #[test]
    fn plain_values_and_comments() {
        let text = "# comment\n\nA=1\nB=two words # comment\nC=VAL# not a comment\n";
        assert_eq!(value_of(text, "A"), "1");
        assert_eq!(value_of(text, "B"), "two words");
        assert_eq!(value_of(text, "C"), "VAL# not a comment");
    }

    #[test]
    fn quoted_values() {
        assert_eq!(value_of("A=\"VAL # kept\" # comment\n", "A"), "VAL # kept");
        assert_eq!(value_of("A='$OTHER'\n", "A"), "$OTHER");
        assert_eq!(value_of("A='Let\\'s go!'\n", "A"), "Let's go!");
        assert_eq!(
            value_of("A=\"{\\\"hello\\\": \\\"json\\\"}\"\n", "A"),
            "{\"hello\": \"json\"}"
        );
        assert_eq!(value_of("A=\"some\\tvalue\"\n", "A"), "some\tvalue");
        assert_eq!(value_of("A='some\\tvalue'\n", "A"), "some\\tvalue");
        assert_eq!(value_of("A=some\\tvalue\n", "A"), "some\\tvalue");
    }

    #[test]
    fn multi_line_quoted_value() {
        let variables = parse("A=\"first\nsecond\"\nB=2\n");
        assert_eq!(variables[0].1, "first\nsecond");
        assert_eq!(variables[1], ("B".to_string(), "2".to_string()));
    }

    #[test]
    fn export_prefix_and_empty_value() {
        assert_eq!(value_of("export A=1\n", "A"), "1");
        assert_eq!(value_of("A=\n", "A"), "");
        assert_eq!(value_of("exporter=1\n", "exporter"), "1");
    }

    #[test]
    fn name_without_equals_defines_nothing() {
        assert!(parse("ONLY_NAME\n").is_empty());
    }

    #[test]
    fn interpolation_uses_earlier_lines_then_parent() {
        let parent: Environment = [("FROM_PARENT".to_string(), "p".to_string())]
            .into_iter()
            .collect();
        let variables = parse_dotenv(
            ".env",
            "A=1\nB=${A}-$FROM_PARENT\nC=\"${A:-x}\"\nD='${A}'\nE=${MISSING:-dflt}\n",
            &parent,
        )
        .unwrap();
        let values: Vec<&str> = variables.iter().map(|(_, value)| value.as_str()).collect();
        assert_eq!(values, ["1", "1-p", "1", "${A}", "dflt"]);
    }

    #[test]
    fn invalid_reference_keeps_raw_value() {
        assert_eq!(value_of("PASSWORD=abc$1\n", "PASSWORD"), "abc$1");
    }

    #[test]
    fn yaml_style_separator() {
        assert_eq!(value_of("A: 1\n", "A"), "1");
    }

    #[test]
    fn errors_name_the_line() {
        let error = parse_dotenv(".env", "A=1\nB C=2\n", &Environment::new()).unwrap_err();
        assert_eq!(error.line, 2);
        let error = parse_dotenv(".env", "A=1\nB=\"open\n", &Environment::new()).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("never closed"), "{}", error.message);
    }

    #[test]
    fn doubling_values_past_limit_name_the_line() {
        let mut text = String::from("A0=x\n");
        for index in 1..=30 {
            let previous = index - 1;
            text.push_str(&format!("A{index}=\"${{A{previous}}}${{A{previous}}}\"\n"));
        }
        let error = parse_dotenv(".env", &text, &Environment::new()).unwrap_err();
        assert_eq!(error.path, ".env");
        // A17 is exactly 128 KiB, so A18 on line 19 is the first value over the limit.
        assert_eq!(error.line, 19);
        assert_eq!(
            error.message,
            "interpolation failed: interpolated value exceeds 131072 bytes"
        );
    }

    #[test]
    fn long_value_within_limit_expands() {
        let long = "v".repeat(100 * 1024);
        let text = format!("LONG={long}\nCOPY=${{LONG}}\n");
        assert_eq!(value_of(&text, "COPY"), long);
    }

    #[test]
    fn many_long_values_exhaust_total_budget() {
        let mut text = String::from("A0=x\n");
        for index in 1..=17 {
            let previous = index - 1;
            text.push_str(&format!("A{index}=${{A{previous}}}${{A{previous}}}\n"));
        }
        // 200 copies of the 128 KiB A17 would add 25 MiB, over the 16 MiB budget.
        text.push_str(&"B=${A17}\n".repeat(200));
        let error = parse_dotenv(".env", &text, &Environment::new()).unwrap_err();
        assert_eq!(error.path, ".env");
        assert!(error.line > 18, "line {}", error.line);
        assert_eq!(
            error.message,
            "interpolation failed: interpolated values exceed 16777216 bytes in total in this file"
        );
    }
}
