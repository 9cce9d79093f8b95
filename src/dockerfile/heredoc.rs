//! Here-document markers (`<<EOF`, `<<-EOF`, `<<"EOF"`) in RUN, COPY and ADD lines, found as BuildKit finds them.

use super::ast::Heredoc;
use super::expand::{Lexer, NoVariables};

/// A heredoc marker without its body yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub name: String,
    pub expand: bool,
    pub chomp: bool,
}

impl Marker {
    pub fn into_heredoc(self, content: String) -> Heredoc {
        Heredoc {
            name: self.name,
            content,
            expand: self.expand,
            chomp: self.chomp,
        }
    }
}

/// Finds the heredoc markers of a logical line, in order.
///
/// BuildKit splits the whole line into shell words with `\` as the escape character, keeping
/// quotes and escapes. A line it cannot split has no heredocs. Each word that is `<<NAME` or
/// `<<-NAME`, optionally after a file descriptor number, is a marker.
pub(crate) fn markers_in_line(line: &str) -> Result<Vec<Marker>, String> {
    let lexer = Lexer {
        raw_quotes: true,
        raw_escapes: true,
        skip_unset: true,
        ..Lexer::new('\\')
    };
    let Ok(words) = lexer.expand_words(line, &NoVariables) else {
        return Ok(Vec::new());
    };
    let mut markers = Vec::new();
    for word in words {
        if let Some(marker) = parse_marker(&word)? {
            markers.push(marker);
        }
    }
    Ok(markers)
}

/// Parses one word as a heredoc marker, or returns `None` when it is not one.
pub(crate) fn parse_marker(word: &str) -> Result<Option<Marker>, String> {
    let after_digits = word.trim_start_matches(|ch: char| ch.is_ascii_digit());
    let Some(after_arrows) = after_digits.strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after_arrows.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after_arrows),
    };
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }

    let mut lexer = Lexer {
        skip_unset: true,
        ..Lexer::new('\\')
    };
    let unquoted = lexer
        .expand_words(rest, &NoVariables)
        .map_err(|error| error.to_string())?;
    let [name] = unquoted.as_slice() else {
        return Ok(None);
    };
    lexer.raw_quotes = true;
    let quoted = lexer
        .expand_words(rest, &NoVariables)
        .map_err(|error| error.to_string())?;
    let [raw_name] = quoted.as_slice() else {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    };

    // Any quoted part of the delimiter turns expansion of the body off, as in a POSIX shell.
    let quote_count = |text: &str| text.chars().filter(|ch| *ch == '\'' || *ch == '"').count();
    Ok(Some(Marker {
        name: name.clone(),
        expand: quote_count(name) == quote_count(raw_name),
        chomp,
    }))
}

/// Removes the leading tabs of every line, as `<<-` requests.
pub(crate) fn chomp_leading_tabs(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(name: &str, expand: bool, chomp: bool) -> Marker {
        Marker {
            name: name.to_string(),
            expand,
            chomp,
        }
    }

    #[test]
    fn finds_several_markers() {
        let markers = markers_in_line("COPY <<FILE1 <<-\"FILE2\" 3<<'X' /dest/").unwrap();
        assert_eq!(
            markers,
            [
                marker("FILE1", true, false),
                marker("FILE2", false, true),
                marker("X", false, false)
            ]
        );
    }

    #[test]
    fn quoted_arrows_are_not_markers() {
        assert!(markers_in_line("RUN echo \"<<EOF\" '<<X'")
            .unwrap()
            .is_empty());
        assert!(markers_in_line("RUN cat<<EOF").unwrap().is_empty());
    }

    #[test]
    fn partly_quoted_delimiter_turns_expansion_off() {
        assert_eq!(
            parse_marker("<<E\"O\"F").unwrap(),
            Some(marker("EOF", false, false))
        );
    }

    #[test]
    fn marker_forms() {
        for word in [
            "<<EOF",
            "<<'EOF'",
            "<<\"EOF\"",
            "<<-EOF",
            "<<-'EOF'",
            "<<-\"EOF\"",
        ] {
            assert_eq!(parse_marker(word).unwrap().unwrap().name, "EOF", "{word}");
        }
        for word in ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF"] {
            assert_eq!(parse_marker(word).unwrap(), None, "{word}");
        }
        for word in ["<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(parse_marker(word).is_err(), "{word}");
        }
    }

    #[test]
    fn chomp_removes_leading_tabs_only() {
        assert_eq!(
            chomp_leading_tabs("\t\techo a\n  \tb\n\tc"),
            "echo a\n  \tb\nc"
        );
    }
}
