//! One `.dockerignore` pattern: its syntax check and how it matches a path, following moby's patternmatcher.

use regex::Regex;
use std::iter::Peekable;
use std::str::Chars;

/// One valid pattern of an ignore file, with the line it came from.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// 1-based line number in the ignore file.
    pub line: usize,
    /// The line as written, without surrounding whitespace.
    pub text: String,
    /// The pattern after cleaning, without the leading `!`.
    pub pattern: String,
    /// True for a `!` exception, which takes matching paths back into the build context.
    pub is_exception: bool,
    matcher: Matcher,
}

/// The comparison a pattern uses. moby picks the cheapest one that gives the regex's result.
#[derive(Debug, Clone)]
enum Matcher {
    /// No wildcard: the path must equal the pattern.
    Exact(String),
    /// Literal text followed by a final `**`: the path must start with the text.
    Prefix(String),
    /// A leading `**` followed by literal text: the path must end with the text.
    Suffix(String),
    Regex(Regex),
}

impl Pattern {
    /// Compiles a cleaned pattern, or returns why Docker would reject it.
    pub(crate) fn compile(
        line: usize,
        text: &str,
        pattern: &str,
        is_exception: bool,
    ) -> Result<Pattern, String> {
        check_syntax(pattern)?;
        let matcher = build_matcher(pattern)?;
        Ok(Pattern {
            line,
            text: text.to_string(),
            pattern: pattern.to_string(),
            is_exception,
            matcher,
        })
    }

    /// Tells whether the pattern matches `path` itself or one of its parent folders.
    ///
    /// `path` must be cleaned and relative to the build context. moby's `MatchesOrParentMatches`
    /// tries each parent, so `secrets` excludes `secrets/db.txt` and `*` excludes `src/main.rs`.
    pub fn matches(&self, path: &str) -> bool {
        if self.matcher.matches(path) {
            return true;
        }
        path.match_indices('/')
            .any(|(end, _)| self.matcher.matches(&path[..end]))
    }
}

impl Matcher {
    fn matches(&self, path: &str) -> bool {
        match self {
            Matcher::Exact(text) => path == text,
            Matcher::Prefix(text) => path.starts_with(text.as_str()),
            Matcher::Suffix(text) => {
                // `**/foo` also matches `foo` at the root of the context.
                path.ends_with(text.as_str())
                    || text.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Matcher::Regex(regex) => regex.is_match(path),
        }
    }
}

/// The comparison a pattern needs so far, in moby's order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// Translates a cleaned pattern into a matcher with moby's rules.
///
/// `*` and `?` never match `/`. `**` matches any number of folders, including none: `a/**/b`
/// matches `a/b` and `a/x/y/b`. A pattern that starts with `**` and has no other wildcard is
/// compared as a plain suffix, so `**.env` matches `app/x.env` even though `**` elsewhere stands
/// for whole folders only. Source: moby/patternmatcher `patternmatcher.go` (`compile`, `match`).
fn build_matcher(pattern: &str) -> Result<Matcher, String> {
    let mut regex = String::from("^");
    let mut kind = Kind::Exact;
    let mut chars = pattern.chars().peekable();
    let mut first_token = true;

    while let Some(ch) = chars.next() {
        match ch {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                // `**/` means the same as `**`.
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        regex.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    regex.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if first_token {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                regex.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                regex.push_str("[^/]");
                kind = Kind::Regex;
            }
            '\\' => {
                // The syntax check guarantees a character after the backslash.
                // NOTE: moby copies `\x` into a Go regexp, where `\d` or `\w` mean character
                // classes and `\y` fails the build. Here every escaped character is literal, as
                // Go's filepath.Match documents.
                if let Some(escaped) = chars.next() {
                    regex.push_str(&regex::escape(&escaped.to_string()));
                }
                kind = Kind::Regex;
            }
            '[' => {
                regex.push_str(&translate_class(&mut chars));
                kind = Kind::Regex;
            }
            ']' => {
                regex.push_str(r"\]");
                kind = Kind::Regex;
            }
            other => regex.push_str(&regex::escape(&other.to_string())),
        }
        first_token = false;
    }

    let matcher = match kind {
        Kind::Exact => Matcher::Exact(pattern.to_string()),
        Kind::Prefix => Matcher::Prefix(pattern[..pattern.len() - 2].to_string()),
        Kind::Suffix => Matcher::Suffix(pattern[2..].to_string()),
        Kind::Regex => {
            regex.push('$');
            // A reversed range such as `[z-a]` passes the syntax check but not the regex
            // compiler. moby compiles on first use and then fails the build, so it is invalid
            // here even where moby would never evaluate the pattern.
            let compiled = Regex::new(&regex)
                .map_err(|error| format!("the pattern cannot be compiled: {error}"))?;
            Matcher::Regex(compiled)
        }
    };
    Ok(matcher)
}

/// Translates a character class whose `[` was just consumed into a regex class.
///
/// The class was validated by `check_syntax`. `^` right after `[` negates it (`!` is a literal, as
/// in Go), and `\` escapes the next character.
/// NOTE: moby copies the class text into its regex, so a `*` or `?` inside a class turns into a
/// wildcard there and matches oddly. Here they are literal characters, as filepath.Match reads them.
fn translate_class(chars: &mut Peekable<Chars<'_>>) -> String {
    let mut class = String::from("[");
    if chars.peek() == Some(&'^') {
        chars.next();
        class.push('^');
    }

    let mut ranges = 0;
    loop {
        if chars.peek() == Some(&']') && ranges > 0 {
            chars.next();
            break;
        }
        let Some(low) = next_class_char(chars) else {
            break;
        };
        push_class_char(&mut class, low);
        if chars.peek() == Some(&'-') {
            chars.next();
            if let Some(high) = next_class_char(chars) {
                class.push('-');
                push_class_char(&mut class, high);
            }
        }
        ranges += 1;
    }

    class.push(']');
    class
}

fn next_class_char(chars: &mut Peekable<Chars<'_>>) -> Option<char> {
    match chars.next()? {
        '\\' => chars.next(),
        other => Some(other),
    }
}

fn push_class_char(class: &mut String, ch: char) {
    class.push_str(&format!("\\x{{{:X}}}", ch as u32));
}

/// Checks the pattern with the syntax rules of Go's `filepath.Match`, which moby applies to every
/// pattern before use. A `\` must escape a character. A character class must be closed, must not
/// be empty, and must not start a range with `-` or `]`. Docker rejects the whole ignore file, and
/// so the build, when one pattern breaks these rules.
fn check_syntax(pattern: &str) -> Result<(), String> {
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            // The guard consumes the escaped character, so it is never read as syntax.
            '\\' if chars.next().is_none() => {
                return Err("the pattern ends with a `\\` that escapes nothing".to_string());
            }
            '[' => check_class(&mut chars)?,
            _ => {}
        }
    }
    Ok(())
}

fn check_class(chars: &mut Peekable<Chars<'_>>) -> Result<(), String> {
    if chars.peek() == Some(&'^') {
        chars.next();
    }

    let mut ranges = 0;
    loop {
        if chars.peek() == Some(&']') && ranges > 0 {
            chars.next();
            return Ok(());
        }
        check_class_char(chars)?;
        if chars.peek() == Some(&'-') {
            chars.next();
            check_class_char(chars)?;
        }
        ranges += 1;
    }
}

/// Consumes one character of a class (or an escaped one) and requires more text after it.
fn check_class_char(chars: &mut Peekable<Chars<'_>>) -> Result<(), String> {
    match chars.next() {
        None => return Err("a character class `[` is not closed with `]`".to_string()),
        Some('-') | Some(']') => {
            return Err(
                "a character class is empty or starts a range with `-` or `]`; escape them as `\\-` and `\\]`"
                    .to_string(),
            )
        }
        Some('\\') => {
            if chars.next().is_none() {
                return Err("a character class `[` is not closed with `]`".to_string());
            }
        }
        Some(_) => {}
    }
    if chars.peek().is_none() {
        return Err("a character class `[` is not closed with `]`".to_string());
    }
    Ok(())
}
