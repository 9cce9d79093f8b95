//! Shell word expansion as BuildKit does it: variables, quotes, the escape character and word splitting.
//!
//! BuildKit does not run a shell to expand words. Its own small lexer supports `$NAME`, `${NAME}`,
//! the `${NAME:-word}` family, `${NAME#pattern}` and `${NAME%pattern}` trims,
//! `${NAME/pattern/text}` substitution, single and double quotes, and one escape character.
//! Command substitution, arithmetic and globbing are not supported and stay literal.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::pattern::{pattern_to_regex, trim_prefix, trim_suffix};

/// The maximum length in bytes of an expanded word (128 KiB), unless the word as written is
/// longer. Linux rejects a longer single argument or environment string in `execve`
/// (`MAX_ARG_STRLEN`, 32 pages, in `linux/binfmts.h`), so no longer value can reach a process
/// as one string. The limit stops variables that repeat each other from growing a word
/// exponentially.
pub const MAX_EXPANDED_BYTES: usize = 128 * 1024;

/// The maximum nesting of `${...}` inside the word of another `${...}`. The lexer recurses
/// through several functions per level, and the limit keeps a deeply nested word from
/// overflowing the stack.
pub const MAX_NESTING_DEPTH: usize = 64;

/// The variables a word is expanded with.
pub trait Variables {
    /// Returns the value of `name`, or `None` when it is not set.
    fn get(&self, name: &str) -> Option<&str>;
}

impl Variables for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

impl Variables for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

/// No variables at all.
pub struct NoVariables;

impl Variables for NoVariables {
    fn get(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// Options of one expansion, named after the switches of BuildKit's lexer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexer {
    /// The escape character: `\` or the backtick set by `# escape=`.
    pub escape: char,
    /// Keep quote characters in the output while still honouring their meaning.
    pub raw_quotes: bool,
    /// Keep escape characters in the output while still honouring their meaning.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters.
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written, such as `$NAME` or `${NAME:-x}`.
    pub skip_unset: bool,
    /// Expand `${NAME?message}` and `${NAME:?message}` to nothing when NAME is unset, instead of
    /// failing as BuildKit does. A caller without every build argument sets this, because an
    /// unset variable may just be one whose value is only known at build time.
    pub unset_required_is_empty: bool,
    /// The maximum length in bytes of the expanded word, unless the word as written is longer.
    /// [`MAX_EXPANDED_BYTES`] by default, and lower for a caller with a smaller budget.
    pub max_expanded_bytes: usize,
}

/// The result of expanding one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// The expanded text, with quotes removed unless `raw_quotes` is set.
    pub value: String,
    /// The expanded text split into words at unquoted white space.
    pub words: Vec<String>,
    /// Names that were looked up and found.
    pub matched: BTreeSet<String>,
    /// Names that were looked up and not found.
    pub unmatched: BTreeSet<String>,
    /// Names that were not found and decided the value: `unmatched` less the names whose
    /// absence a `${V:-x}`, `${V-x}`, `${V:+x}` or `${V+x}` turned into a known value.
    pub unresolved: BTreeSet<String>,
    /// Names whose unset or empty value a `-` or `+` operator replaced with a value of its own.
    pub defaulted: BTreeSet<String>,
}

/// A word that BuildKit's lexer rejects, such as `${}` or an unterminated quote, or a word that
/// exceeds a limit of this lexer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {word:?}: {message}")]
pub struct ExpandError {
    pub word: String,
    pub message: String,
    pub kind: ExpandErrorKind,
}

/// The reason a word failed to expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpandErrorKind {
    /// The word is invalid, and BuildKit rejects it too.
    Invalid,
    /// The expanded word exceeds [`Lexer::max_expanded_bytes`]. BuildKit has no such limit, so
    /// the word may be valid for it.
    TooLong,
    /// The word nests `${...}` deeper than [`MAX_NESTING_DEPTH`]. BuildKit has no such limit, so
    /// the word may be valid for it.
    TooDeep,
}

impl Lexer {
    /// Returns a lexer with BuildKit's defaults for the given escape character.
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset: false,
            unset_required_is_empty: false,
            max_expanded_bytes: MAX_EXPANDED_BYTES,
        }
    }

    /// Expands `word` with `variables`.
    pub fn expand(&self, word: &str, variables: &dyn Variables) -> Result<Expansion, ExpandError> {
        // Go's text/scanner, which BuildKit reads words with, skips a byte order mark at the start.
        let text = word.strip_prefix('\u{feff}').unwrap_or(word);
        let mut state = ShellWord {
            lexer: self,
            variables,
            chars: text.chars().collect(),
            position: 0,
            raw_escapes: self.raw_escapes,
            max_bytes: self.max_expanded_bytes.max(text.len()),
            depth: 0,
            limit_message: None,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            unresolved: BTreeSet::new(),
            defaulted: BTreeSet::new(),
        };
        let result = state
            .process_until(None, self.raw_escapes)
            .and_then(|(value, words)| {
                // Literal text after the last variable can still push the value past the limit.
                state.check_length(value.len())?;
                Ok((value, words))
            });
        match result {
            Ok((value, words)) => Ok(Expansion {
                value,
                words,
                matched: state.matched,
                unmatched: state.unmatched,
                unresolved: state.unresolved,
                defaulted: state.defaulted,
            }),
            // Some callers replace the message of a nested failure, so a recorded limit takes
            // precedence over the message that reached this point.
            Err(message) => Err(match state.limit_message {
                Some((kind, message)) => ExpandError {
                    word: word.to_string(),
                    message,
                    kind,
                },
                None => ExpandError {
                    word: word.to_string(),
                    message,
                    kind: ExpandErrorKind::Invalid,
                },
            }),
        }
    }

    /// Expands `word` and splits the result into words, as BuildKit's `ProcessWords` does.
    pub fn expand_words(
        &self,
        word: &str,
        variables: &dyn Variables,
    ) -> Result<Vec<String>, ExpandError> {
        self.expand(word, variables)
            .map(|expansion| expansion.words)
    }
}

/// Words collected while expanding: unquoted white space that came from the text or from a
/// variable's value separates words, quoted or escaped white space does not.
#[derive(Default)]
struct WordSplitter {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl WordSplitter {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.word.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, text: &str) {
        for ch in text.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, text: &str) {
        self.word.push_str(text);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

/// The state of one expansion: the characters, the read position and the names looked up.
struct ShellWord<'a> {
    lexer: &'a Lexer,
    variables: &'a dyn Variables,
    chars: Vec<char>,
    position: usize,
    raw_escapes: bool,
    /// The maximum length of any expanded part: [`Lexer::max_expanded_bytes`] or the length of
    /// the word as written, whichever is larger.
    max_bytes: usize,
    /// The number of `${...}` words being read, one inside the other.
    depth: usize,
    /// The limit that stopped the expansion and its message, if one did.
    limit_message: Option<(ExpandErrorKind, String)>,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    unresolved: BTreeSet<String>,
    defaulted: BTreeSet<String>,
}

type Step<T> = Result<T, String>;

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.position += 1;
        }
        ch
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        match self.variables.get(name) {
            Some(value) => {
                self.matched.insert(name.to_string());
                Some(value.to_string())
            }
            None => {
                self.unmatched.insert(name.to_string());
                self.unresolved.insert(name.to_string());
                None
            }
        }
    }

    /// Records that a limit stopped the expansion and returns the message to fail with.
    fn exceed_limit(&mut self, kind: ExpandErrorKind, message: String) -> String {
        self.limit_message = Some((kind, message.clone()));
        message
    }

    /// Fails when an expanded part of `length` bytes exceeds the maximum.
    fn check_length(&mut self, length: usize) -> Step<()> {
        if length <= self.max_bytes {
            return Ok(());
        }
        let message = format!("expanded value exceeds {} bytes", self.max_bytes);
        Err(self.exceed_limit(ExpandErrorKind::TooLong, message))
    }

    /// Processes characters up to `stop` (consumed) or the end of the text, returning the
    /// expanded text and its words. `raw_escapes` applies to this part only.
    ///
    /// A `stop` character means the text is the word inside a `${...}`, which is one level of
    /// nesting deeper. The depth is checked here, before the recursion goes deeper, because
    /// every nested `${...}` word is read through this function.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Step<(String, Vec<String>)> {
        let nested = stop.is_some();
        if nested {
            if self.depth >= MAX_NESTING_DEPTH {
                let message = format!("`${{...}}` nesting exceeds {MAX_NESTING_DEPTH} levels");
                return Err(self.exceed_limit(ExpandErrorKind::TooDeep, message));
            }
            self.depth += 1;
        }
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_until_inner(stop);
        self.raw_escapes = saved;
        if nested {
            self.depth -= 1;
        }
        result
    }

    fn process_until_inner(&mut self, stop: Option<char>) -> Step<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = WordSplitter::default();
        let process_quotes = !self.lexer.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            if ch == '$' {
                let value = self.process_dollar()?;
                self.check_length(result.len() + value.len())?;
                result.push_str(&value);
                // Unquoted white space in a variable's value splits words.
                words.add_string(&value);
                continue;
            }
            if process_quotes && (ch == '\'' || ch == '"') {
                let value = if ch == '\'' {
                    self.process_single_quote()?
                } else {
                    self.process_double_quote()?
                };
                self.check_length(result.len() + value.len())?;
                result.push_str(&value);
                words.add_raw_string(&value);
                continue;
            }

            self.next();
            if ch == self.lexer.escape {
                if self.raw_escapes {
                    words.add_raw_char(ch);
                    result.push(ch);
                }
                // The escape character escapes the next character, and at the end of the text it is dropped.
                let Some(escaped) = self.next() else {
                    break;
                };
                words.add_raw_char(escaped);
                result.push(escaped);
            } else {
                words.add_char(ch);
                result.push(ch);
            }
        }

        match stop {
            Some(stop) => Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            )),
            None => Ok((result, words.finish())),
        }
    }

    /// Reads a single-quoted string: every character up to the closing quote is literal, so a
    /// single quote cannot be escaped inside it.
    fn process_single_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    /// Reads a double-quoted string: variables expand, and the escape character escapes only
    /// `"`, `$` and itself. Before any other character it stays literal.
    fn process_double_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    self.check_length(result.len() + value.len())?;
                    result.push_str(&value);
                }
                Some(mut ch) => {
                    self.next();
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            // An escape character right before the end is dropped, and the
                            // missing closing quote is reported on the next turn.
                            None => continue,
                            Some(next)
                                if next == '"' || next == '$' || next == self.lexer.escape =>
                            {
                                ch = next;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    /// Expands a `$` reference: `$NAME`, `${NAME}` or one of the `${NAME<modifier>word}` forms.
    fn process_dollar(&mut self) -> Step<String> {
        self.next();

        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }

        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            Some(_) => {}
        }
        let name = self.process_name();
        let first = self.next();
        // BuildKit prints an unexpected end of text as U+FFFD in its error message.
        let mut modifier_text: String = first.unwrap_or('\u{FFFD}').to_string();

        match first {
            Some('}') => Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let mut modifier = first;
                let null_is_unset = first == Some(':');
                if null_is_unset {
                    modifier = self.next();
                    modifier_text.push(modifier.unwrap_or('\u{FFFD}'));
                }
                self.process_modifier(&name, modifier, &modifier_text, null_is_unset)
            }
            Some('/') => self.process_substitution(&name),
            _ => Err(format!(
                "unsupported modifier ({modifier_text}) in substitution"
            )),
        }
    }

    /// Expands `${NAME-word}`, `${NAME+word}`, `${NAME?word}`, `${NAME#word}`, `${NAME%word}` and
    /// their `:` forms, in which an empty value counts as unset.
    fn process_modifier(
        &mut self,
        name: &str,
        modifier: Option<char>,
        modifier_text: &str,
        null_is_unset: bool,
    ) -> Step<String> {
        // Patterns keep their escape characters, because the pattern syntax gives them meaning.
        let raw_escapes = matches!(modifier, Some('#' | '%'));
        let word = match self.process_until(Some('}'), raw_escapes) {
            Ok((word, _)) => word,
            Err(_) if self.peek().is_none() => return Err("syntax error: missing '}'".to_string()),
            Err(error) => return Err(error),
        };

        let already_unresolved = self.unresolved.contains(name);
        let value = self.lookup(name);
        if value.is_none() && matches!(modifier, Some('-' | '+')) && !already_unresolved {
            // The operator gives a value of its own when the variable is unset, so the
            // result is known from the defaults.
            self.unresolved.remove(name);
        }
        if self.lexer.skip_unset && value.is_none() {
            return Ok(format!("${{{name}{modifier_text}{word}}}"));
        }
        let is_null = |value: &Option<String>| {
            value.is_none() || (null_is_unset && value.as_deref() == Some(""))
        };

        if matches!(modifier, Some('-' | '+')) && is_null(&value) {
            self.defaulted.insert(name.to_string());
        }
        match modifier {
            Some('-') => Ok(if is_null(&value) {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if is_null(&value) { String::new() } else { word }),
            Some('?') => match value {
                None if self.lexer.unset_required_is_empty => Ok(String::new()),
                None => {
                    let message = if word.is_empty() {
                        "is not allowed to be unset"
                    } else {
                        &word
                    };
                    Err(format!("{name}: {message}"))
                }
                Some(value) if null_is_unset && value.is_empty() => {
                    let message = if word.is_empty() {
                        "is not allowed to be empty"
                    } else {
                        &word
                    };
                    Err(format!("{name}: {message}"))
                }
                Some(value) => Ok(value),
            },
            Some(trim @ ('#' | '%')) => {
                let value = value.unwrap_or_default();
                // A doubled `##` or `%%` removes the longest match instead of the shortest.
                let (pattern, greedy) = match word.strip_prefix(trim) {
                    Some(rest) => (rest, true),
                    None => (word.as_str(), false),
                };
                if trim == '%' {
                    trim_suffix(pattern, &value, greedy)
                } else {
                    trim_prefix(pattern, &value, greedy)
                }
            }
            _ => Err(format!(
                "unsupported modifier ({modifier_text}) in substitution"
            )),
        }
    }

    /// Expands `${NAME/pattern/text}` (first match) and `${NAME//pattern/text}` (every match).
    fn process_substitution(&mut self, name: &str) -> Step<String> {
        let replace_all = self.peek() == Some('/');
        if replace_all {
            self.next();
        }

        let pattern = match self.process_until(Some('/'), true) {
            Ok((pattern, _)) => pattern,
            Err(_) if self.peek().is_none() => {
                return Err("syntax error: missing '/' in ${}".to_string())
            }
            Err(error) => return Err(error),
        };
        let replacement = match self.process_until(Some('}'), true) {
            Ok((replacement, _)) => replacement,
            Err(_) if self.peek().is_none() => return Err("syntax error: missing '}'".to_string()),
            Err(error) => return Err(error),
        };

        let Some(value) = self.lookup(name) else {
            if self.lexer.skip_unset {
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            return Ok(String::new());
        };
        let regex = pattern_to_regex(&pattern, true, false)
            .map_err(|error| format!("invalid pattern ({pattern}) in substitution: {error}"))?;
        if replace_all {
            // Like Go's ReplaceAllString, the replacement may refer to `$0` for the whole match.
            // The loop does what `Regex::replace_all` does, but checks the length after each
            // match, because a long replacement for every character multiplies the length.
            let mut output = String::new();
            let mut copied = 0;
            for captures in regex.captures_iter(&value) {
                let found = captures.get(0).expect("group 0 is the whole match");
                output.push_str(&value[copied..found.start()]);
                captures.expand(&replacement, &mut output);
                copied = found.end();
                self.check_length(output.len())?;
            }
            output.push_str(&value[copied..]);
            return Ok(output);
        }
        Ok(match regex.find(&value) {
            Some(found) => format!(
                "{}{}{}",
                &value[..found.start()],
                replacement,
                &value[found.end()..]
            ),
            None => value,
        })
    }

    /// Reads a variable name. A name is letters, digits and `_`, a run of digits (a positional
    /// parameter), or one of the special parameters `@ * # ? - $ ! 0`.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_decimal_digit(ch) {
                while let Some(digit) = self.peek().filter(|ch| is_decimal_digit(*ch)) {
                    name.push(digit);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !is_letter(ch) && !is_decimal_digit(ch) && ch != '_' {
                break;
            }
            name.push(ch);
            self.next();
        }
        name
    }
}

/// Tells whether `ch` is a Unicode letter (general category L), as Go's `unicode.IsLetter`.
fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    static LETTER: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\A\p{L}\z").expect("valid regex"));
    LETTER.is_match(ch.encode_utf8(&mut [0; 4]))
}

/// Tells whether `ch` is a decimal digit (general category Nd), as Go's `unicode.IsDigit`.
fn is_decimal_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    static DIGIT: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\A\p{Nd}\z").expect("valid regex"));
    DIGIT.is_match(ch.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expand(word: &str, pairs: &[(&str, &str)]) -> Result<String, ExpandError> {
        Lexer::new('\\')
            .expand(word, &variables(pairs))
            .map(|expansion| expansion.value)
    }

    #[test]
    fn unset_and_empty_differ() {
        let vars = [("FOO", "xxx"), ("BAR", "")];
        assert_eq!(
            expand("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", &vars).unwrap(),
            "xxx  ccc"
        );
        assert_eq!(
            expand("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &vars).unwrap(),
            "xxx bbb ccc"
        );
        assert_eq!(
            expand("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", &vars).unwrap(),
            "aaa bbb "
        );
        assert_eq!(
            expand("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", &vars).unwrap(),
            "aaa  "
        );
        assert_eq!(expand("${BAR?bbb}", &vars).unwrap(), "");
        assert!(expand("${BAZ?ccc}", &vars).is_err());
        assert!(expand("${BAR:?bbb}", &vars).is_err());
    }

    #[test]
    fn required_message_is_expanded() {
        let error = expand("${VAR:?message here$ARG}", &[("VAR", ""), ("ARG", "x")]).unwrap_err();
        assert!(error.message.contains("message herex"), "{error}");
    }

    #[test]
    fn lenient_required_expands_to_empty() {
        let mut lexer = Lexer::new('\\');
        lexer.unset_required_is_empty = true;
        let expansion = lexer.expand("a${MISSING:?set it}b", &NoVariables).unwrap();
        assert_eq!(expansion.value, "ab");
        assert!(expansion.unmatched.contains("MISSING"));
    }

    #[test]
    fn trims_prefix_and_suffix() {
        assert_eq!(expand("${FOO#*x*y}", &[("FOO", "xxyy")]).unwrap(), "y");
        assert_eq!(expand("${FOO##*x}", &[("FOO", "xxyy")]).unwrap(), "yy");
        assert_eq!(
            expand("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")]).unwrap(),
            "xyy"
        );
        assert_eq!(expand("${FOO%%\\**}", &[("FOO", "xx**")]).unwrap(), "xx");
        assert_eq!(expand("${FOO#?\\?}", &[("FOO", "???y")]).unwrap(), "?y");
        assert_eq!(
            expand("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")]).unwrap(),
            ".xxyy."
        );
        assert_eq!(
            expand(
                "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
                &[("FOO", "()[]{}^$.*?|\\x")]
            )
            .unwrap(),
            "x"
        );
    }

    #[test]
    fn substitutes_patterns() {
        let vars = [("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")];
        assert_eq!(
            expand("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", &vars).unwrap(),
            "/foo.*/*.txt - /foo..*.txt"
        );
        let vars = [("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")];
        assert_eq!(
            expand("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", &vars).unwrap(),
            "/tmp/bar.txt - /bar.txt"
        );
        assert_eq!(
            expand("${FOO//\\//\\/}", &[("FOO", "/tmp/foo.txt")]).unwrap(),
            "\\/tmp\\/foo.txt"
        );
        assert_eq!(
            expand("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")]).unwrap(),
            "wwxxyy"
        );
        assert!(expand("${FOO//ww}", &[("FOO", "xxyy")]).is_err());
        assert_eq!(expand("${FOO///}", &[("FOO", "xxyy")]).unwrap(), "xxyy");
        assert_eq!(expand("${FOO///}", &[]).unwrap(), "");
    }

    #[test]
    fn records_matched_and_unmatched() {
        let expansion = Lexer::new('\\')
            .expand("x ${FOO} $BAR", &variables(&[("FOO", "y")]))
            .unwrap();
        assert_eq!(expansion.value, "x y ");
        assert_eq!(expansion.matched, BTreeSet::from(["FOO".to_string()]));
        assert_eq!(expansion.unmatched, BTreeSet::from(["BAR".to_string()]));
    }

    #[test]
    fn skip_unset_keeps_references() {
        let mut lexer = Lexer::new('\\');
        lexer.skip_unset = true;
        let expansion = lexer
            .expand("$A ${B} ${C:-x} ${D/a/b}", &NoVariables)
            .unwrap();
        assert_eq!(expansion.value, "$A ${B} ${C:-x} ${D/a/b}");
    }

    #[test]
    fn leading_byte_order_mark_is_skipped() {
        assert_eq!(expand("\u{feff}a\u{feff}", &[]).unwrap(), "a\u{feff}");
    }

    #[test]
    fn backtick_escape_character() {
        let lexer = Lexer::new('`');
        assert_eq!(
            lexer.expand("a`$b\\c", &NoVariables).unwrap().value,
            "a$b\\c"
        );
    }

    #[test]
    fn doubling_past_limit_is_limit_error() {
        let half = "y".repeat(MAX_EXPANDED_BYTES / 2 + 1);
        let error = expand("${HALF}$HALF", &[("HALF", &half)]).unwrap_err();
        assert_eq!(error.kind, ExpandErrorKind::TooLong);
        assert_eq!(error.message, "expanded value exceeds 131072 bytes");
    }

    #[test]
    fn quoted_growth_past_limit_is_limit_error() {
        let half = "y".repeat(MAX_EXPANDED_BYTES / 2 + 1);
        let error = expand("\"$HALF\"\"$HALF\"", &[("HALF", &half)]).unwrap_err();
        assert_eq!(error.kind, ExpandErrorKind::TooLong);
    }

    #[test]
    fn substitution_growth_past_limit_is_limit_error() {
        // Every one of 1,000 characters becomes 200 bytes: 200,000 in all.
        let value = "a".repeat(1000);
        let replacement = "b".repeat(200);
        let error = expand(
            "${VALUE//a/$REPLACEMENT}",
            &[("VALUE", &value), ("REPLACEMENT", &replacement)],
        )
        .unwrap_err();
        assert_eq!(error.kind, ExpandErrorKind::TooLong);
    }

    #[test]
    fn substitution_within_limit_matches_replace_all() {
        // The replacement comes from a variable, because the lexer would expand a written `$0`.
        let vars = [("VALUE", "ab"), ("REPLACEMENT", "<$0>")];
        assert_eq!(expand("${VALUE//?/$REPLACEMENT}", &vars).unwrap(), "<a><b>");
    }

    #[test]
    fn nesting_past_limit_is_limit_error() {
        let depth = 10_000;
        let word = format!("{}x{}", "${X:-".repeat(depth), "}".repeat(depth));
        let error = expand(&word, &[]).unwrap_err();
        assert_eq!(error.kind, ExpandErrorKind::TooDeep);
        assert_eq!(error.message, "`${...}` nesting exceeds 64 levels");
    }

    #[test]
    fn nesting_at_limit_expands() {
        // Double quotes around each default take the other path into a nested `${...}`.
        let nested = |depth: usize| format!("{}x{}", "${X:-\"".repeat(depth), "\"}".repeat(depth));
        assert_eq!(expand(&nested(MAX_NESTING_DEPTH), &[]).unwrap(), "x");
        let error = expand(&nested(MAX_NESTING_DEPTH + 1), &[]).unwrap_err();
        assert_eq!(error.kind, ExpandErrorKind::TooDeep);
    }

    #[test]
    fn invalid_word_is_invalid_error() {
        assert_eq!(
            expand("${}", &[]).unwrap_err().kind,
            ExpandErrorKind::Invalid
        );
    }

    #[test]
    fn value_at_limit_expands() {
        let half = "y".repeat(MAX_EXPANDED_BYTES / 2);
        let value = expand("$HALF$HALF", &[("HALF", &half)]).unwrap();
        assert_eq!(value.len(), MAX_EXPANDED_BYTES);
    }
}
