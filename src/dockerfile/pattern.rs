//! Shell wildcard patterns of `${NAME#pattern}`, `${NAME%pattern}` and `${NAME/pattern/text}`, matched as BuildKit matches them.

use regex::Regex;

/// Converts a shell wildcard pattern to a regular expression the way BuildKit does.
///
/// `*` matches any run of characters (the longest run when `greedy`, else the shortest), `?` one
/// character, and a backslash escapes `*`, `?` or itself. A backslash before `}` or `/` is dropped,
/// because it only kept that character from closing the `${...}` form. Bracket expressions are not
/// supported: `[` and `]` match themselves. Any other escaped character is an invalid pattern.
pub(crate) fn pattern_to_regex(
    pattern: &str,
    greedy: bool,
    anchored: bool,
) -> Result<Regex, String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };

    // Go's text/scanner, which BuildKit reads patterns with, skips a byte order mark at the start.
    let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut chars = pattern.chars().peekable();
    while let Some(token) = chars.next() {
        match token {
            '*' => {
                out.push_str(star);
                continue;
            }
            '?' => {
                out.push('.');
                continue;
            }
            '\\' => {
                if matches!(chars.peek(), Some('}') | Some('/')) {
                    continue;
                }
                match chars.next() {
                    Some(escaped @ ('*' | '?' | '\\')) => {
                        out.push('\\');
                        out.push(escaped);
                    }
                    Some(other) => return Err(format!("invalid escape '\\{other}'")),
                    None => return Err("invalid escape '\\' at the end of the pattern".to_string()),
                }
                continue;
            }
            '[' | ']' | '{' | '}' | '.' | '+' | '(' | ')' | '|' | '^' | '$' => out.push('\\'),
            _ => {}
        }
        out.push(token);
    }
    Regex::new(&out).map_err(|error| error.to_string())
}

/// Removes the shortest (or, when `greedy`, the longest) prefix of `value` that matches `pattern`.
pub(crate) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let regex = pattern_to_regex(pattern, greedy, true)
        .map_err(|error| format!("invalid pattern ({pattern}) in substitution: {error}"))?;
    Ok(match regex.find(value) {
        Some(found) => value[found.end()..].to_string(),
        None => value.to_string(),
    })
}

/// Removes the shortest (or, when `greedy`, the longest) suffix of `value` that matches `pattern`.
///
/// A regular expression cannot find the shortest match that ends at the end of the text, so the
/// pattern and the value are both reversed and the prefix is trimmed instead, as BuildKit does.
pub(crate) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern but keeps each backslash in front of the character it escapes.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; chars.len()];
    let Some(last) = chars.len().checked_sub(1) else {
        return String::new();
    };
    let mut index = 0;
    while index <= last {
        let token = chars[index];
        let out_index = last - index;
        if token == '\\' && index != last {
            out[out_index - 1] = token;
            out[out_index] = chars[index + 1];
            index += 2;
        } else {
            out[out_index] = token;
            index += 1;
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_escapes_regex_characters() {
        let regex = pattern_to_regex("(()[]{\\}^$.\\*\\?|\\\\", true, true).unwrap();
        assert_eq!(
            regex.as_str(),
            "^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\"
        );
    }

    #[test]
    fn pattern_rejects_invalid_escapes() {
        for pattern in ["\\", "\\x", "\\\\\\"] {
            assert!(
                pattern_to_regex(pattern, true, true).is_err(),
                "{pattern:?}"
            );
        }
    }

    #[test]
    fn pattern_reverses_with_escapes() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
        assert_eq!(reverse_pattern(""), "");
    }

    #[test]
    fn suffix_trim_shortest_and_longest() {
        assert_eq!(trim_suffix("\\**", "xx**", true).unwrap(), "xx");
        assert_eq!(trim_suffix("\\**\\*", "a***yy*", true).unwrap(), "a");
        assert_eq!(trim_suffix("x", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(trim_prefix("*x*y", "xxyy", false).unwrap(), "y");
        assert_eq!(trim_prefix("*x", "xxyy", true).unwrap(), "yy");
    }
}
