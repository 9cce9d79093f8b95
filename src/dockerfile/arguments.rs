//! Splitting one logical Dockerfile line into keyword, flags and arguments, with the argument rules of each instruction as BuildKit's parser applies them.

/// The instruction keywords BuildKit's parser dispatches on, lowercase.
pub(super) const KNOWN_KEYWORDS: [&str; 18] = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// Tells whether `keyword` (lowercase) is an instruction of BuildKit's parser.
pub(crate) fn is_known_keyword(keyword: &str) -> bool {
    KNOWN_KEYWORDS.contains(&keyword)
}

/// The parts of one logical line.
#[derive(Debug, Default)]
pub(crate) struct SplitLine {
    /// The keyword as written.
    pub keyword: String,
    pub flags: Vec<String>,
    /// Everything after the keyword and the flags, trimmed.
    pub rest: String,
}

/// Arguments of one instruction after its argument rule ran.
#[derive(Debug, Default)]
pub(crate) struct Arguments {
    pub args: Vec<String>,
    pub json: bool,
    pub legacy_form: bool,
    /// For `ONBUILD`: the rest of the line, to be parsed as an instruction of its own.
    pub sub_command: Option<String>,
}

/// Splits a logical line into keyword, flags and the rest.
pub(crate) fn split_command(line: &str) -> SplitLine {
    let trimmed = line.trim();
    let (keyword, rest) = split_once_whitespace(trimmed);
    let mut split = SplitLine {
        keyword: keyword.to_string(),
        ..SplitLine::default()
    };
    if let Some(rest) = rest {
        let (rest, flags) = extract_builder_flags(rest);
        split.flags = flags;
        split.rest = rest.trim().to_string();
    }
    split
}

/// BuildKit's separator of words in FROM, EXPOSE and similar lines: a run of tab, vertical tab,
/// form feed, carriage return or space. Other white space, such as U+00A0, is part of a word.
fn is_separator(ch: char) -> bool {
    matches!(ch, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

fn split_once_whitespace(text: &str) -> (&str, Option<&str>) {
    match text.find(is_separator) {
        Some(start) => {
            let after = &text[start..];
            let rest = after.trim_start_matches(is_separator);
            (&text[..start], Some(rest))
        }
        None => (text, None),
    }
}

fn split_whitespace_runs(text: &str) -> Vec<String> {
    text.split(is_separator)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tells whether Go's `unicode.IsSpace` holds for a byte read as a Latin-1 character.
fn is_space_byte(byte: u8) -> bool {
    matches!(
        byte,
        b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0
    )
}

/// Takes the leading `--flag` words off `line` and returns the rest and the flags.
///
/// Flags end at the first word that does not start with `--`, or after a bare `--`. Quotes group
/// a flag's value and a backslash escapes the next character.
///
/// NOTE: BuildKit scans flags byte by byte and reads each byte as a Latin-1 character, so a
/// non-ASCII flag value comes out mangled (`é` becomes `Ã©`) and the bytes 0x85 and 0xA0 inside
/// a UTF-8 character end a word. This function does the same on purpose. When a word break falls
/// inside a character, the invalid bytes of the rest become U+FFFD.
fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }

    let bytes = line.as_bytes();
    let rest_from = |position: usize| String::from_utf8_lossy(&bytes[position..]).into_owned();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut position = 0;

    while position <= bytes.len() {
        let at_end = position == bytes.len();
        let mut byte = if at_end { 0 } else { bytes[position] };

        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space_byte(byte) {
                position += 1;
                continue;
            }
            let starts_flag = byte == b'-' && bytes.get(position + 1) == Some(&b'-');
            if !starts_flag {
                return (rest_from(position), words);
            }
            phase = Phase::Word;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space_byte(byte) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (rest_from(position), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                position += 1;
                continue;
            }
            if byte == b'\'' || byte == b'"' {
                quote = byte;
                blank_ok = true;
                phase = Phase::Quote;
                position += 1;
                continue;
            }
            if byte == b'\\' {
                if position + 1 == bytes.len() {
                    position += 1;
                    continue;
                }
                position += 1;
                byte = bytes[position];
            }
            word.push(char::from(byte));
            position += 1;
            continue;
        }
        // Phase::Quote
        if byte == quote {
            phase = Phase::Word;
            position += 1;
            continue;
        }
        if byte == b'\\' {
            if position + 1 == bytes.len() {
                phase = Phase::Word;
                position += 1;
                continue;
            }
            position += 1;
            byte = bytes[position];
        }
        word.push(char::from(byte));
        position += 1;
    }
    (String::new(), words)
}

/// Splits `rest` into words at white space, keeping quotes and escape characters in the words.
/// Quotes group white space into a word, and the escape character keeps the next character
/// literal, except inside single quotes.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }

    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut index = 0;

    while index <= chars.len() {
        let at_end = index == chars.len();
        let mut ch = if at_end { '\0' } else { chars[index] };

        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                index += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                index += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if index + 1 == chars.len() {
                    // An escape character at the very end is dropped.
                    index += 1;
                    continue;
                }
                // Outside quotes the escape character stays, together with the character it escapes.
                word.push(ch);
                index += 1;
                ch = chars[index];
            }
            word.push(ch);
            index += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        // Inside single quotes the escape character is an ordinary character.
        if ch == escape && quote != '\'' {
            if index + 1 == chars.len() {
                phase = Phase::Word;
                index += 1;
                continue;
            }
            word.push(ch);
            index += 1;
            ch = chars[index];
        }
        word.push(ch);
        index += 1;
    }
    words
}

/// Runs the argument rule of `keyword` (lowercase) on `rest`.
pub(crate) fn parse_arguments(
    keyword: &str,
    rest: &str,
    escape: char,
) -> Result<Arguments, String> {
    match keyword {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(rest),
        "arg" => Ok(Arguments {
            args: parse_words(rest, escape),
            ..Arguments::default()
        }),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(rest),
        "env" => parse_name_value(rest, "ENV", escape),
        "label" => parse_name_value(rest, "LABEL", escape),
        "expose" | "from" => Ok(Arguments {
            args: split_whitespace_runs(rest),
            ..Arguments::default()
        }),
        "healthcheck" => parse_healthcheck(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => Ok(Arguments {
            args: if rest.is_empty() {
                Vec::new()
            } else {
                vec![rest.to_string()]
            },
            ..Arguments::default()
        }),
        "onbuild" => Ok(Arguments {
            sub_command: (!rest.is_empty()).then(|| rest.to_string()),
            ..Arguments::default()
        }),
        // BuildKit's parser keeps unknown instructions and drops their arguments. Its
        // instruction layer rejects them later.
        _ => Ok(Arguments::default()),
    }
}

/// Parses `KEY=value ...` pairs, or the legacy `KEY value` form when the first word has no `=`.
fn parse_name_value(rest: &str, keyword: &str, escape: char) -> Result<Arguments, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Arguments::default());
    };

    if !first.contains('=') {
        // The legacy form sets one variable to the whole rest of the line, quotes included.
        let (name, value) = split_once_whitespace(rest);
        let Some(value) = value else {
            return Err(format!("{keyword} must have two arguments"));
        };
        return Ok(Arguments {
            args: vec![name.to_string(), value.to_string()],
            legacy_form: true,
            ..Arguments::default()
        });
    }

    let mut args = Vec::with_capacity(words.len() * 2);
    for word in &words {
        let Some((name, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                super::dump::go_quote(word)
            ));
        };
        args.push(name.to_string());
        args.push(value.to_string());
    }
    Ok(Arguments {
        args,
        ..Arguments::default()
    })
}

enum JsonFailure {
    /// Not a JSON array at all: the caller falls back to the shell form.
    NotJson,
    /// A valid JSON array with an element that is not a string: BuildKit rejects the line.
    NotStringArray,
}

fn parse_json(rest: &str) -> Result<Vec<String>, JsonFailure> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Err(JsonFailure::NotJson);
    }
    // NOTE: Go's decoder turns a lone UTF-16 surrogate escape such as "\ud800" into U+FFFD, but
    // serde_json rejects it, so such a line is read as shell form here and as JSON by BuildKit.
    let values: Vec<serde_json::Value> =
        serde_json::from_str(rest).map_err(|_| JsonFailure::NotJson)?;
    values
        .into_iter()
        .map(|value| match value {
            serde_json::Value::String(text) => Ok(text),
            _ => Err(JsonFailure::NotStringArray),
        })
        .collect()
}

/// Parses the exec (JSON array) form when the rest is a JSON array, otherwise keeps the rest as
/// one shell-form string.
fn parse_maybe_json(rest: &str) -> Result<Arguments, String> {
    if rest.is_empty() {
        return Ok(Arguments::default());
    }
    match parse_json(rest) {
        Ok(args) => Ok(Arguments {
            args,
            json: true,
            ..Arguments::default()
        }),
        Err(JsonFailure::NotStringArray) => Err(NOT_STRING_ARRAY.to_string()),
        Err(JsonFailure::NotJson) => Ok(Arguments {
            args: vec![rest.to_string()],
            ..Arguments::default()
        }),
    }
}

/// Parses the exec (JSON array) form when the rest is a JSON array, otherwise splits the rest
/// into words.
fn parse_maybe_json_to_list(rest: &str) -> Result<Arguments, String> {
    match parse_json(rest) {
        Ok(args) => Ok(Arguments {
            args,
            json: true,
            ..Arguments::default()
        }),
        Err(JsonFailure::NotStringArray) => Err(NOT_STRING_ARRAY.to_string()),
        Err(JsonFailure::NotJson) => Ok(Arguments {
            args: split_whitespace_runs(rest),
            ..Arguments::default()
        }),
    }
}

/// Parses `HEALTHCHECK` arguments: a type word (`CMD`, `NONE`) and then a command in either form.
fn parse_healthcheck(rest: &str) -> Result<Arguments, String> {
    // BuildKit finds the end of the type word byte by byte, like the flags.
    let bytes = rest.as_bytes();
    let separator = bytes
        .iter()
        .position(|byte| is_space_byte(*byte))
        .unwrap_or(bytes.len());
    if separator == 0 {
        return Ok(Arguments::default());
    }
    let command_start = bytes[separator..]
        .iter()
        .position(|byte| !is_space_byte(*byte))
        .map_or(bytes.len(), |offset| separator + offset);

    let kind = String::from_utf8_lossy(&bytes[..separator]).into_owned();
    let command = String::from_utf8_lossy(&bytes[command_start..]).into_owned();
    let mut parsed = parse_maybe_json(&command)?;
    parsed.args.insert(0, kind);
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_end_at_first_plain_word() {
        let split = split_command("COPY --from=build --chown=1:2 a b");
        assert_eq!(split.keyword, "COPY");
        assert_eq!(split.flags, ["--from=build", "--chown=1:2"]);
        assert_eq!(split.rest, "a b");
    }

    #[test]
    fn flags_end_after_double_dash() {
        let split = split_command("CMD --doit=true -- [ \"a\" ]");
        assert_eq!(split.flags, ["--doit=true"]);
        assert_eq!(split.rest, "[ \"a\" ]");
    }

    #[test]
    fn flag_quotes_are_removed() {
        let split = split_command("RUN --mount=\"type=cache,target=/a b\" echo");
        assert_eq!(split.flags, ["--mount=type=cache,target=/a b"]);
        assert_eq!(split.rest, "echo");
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words("a=\"b c\" d\\ e 'f\\'", '\\'),
            ["a=\"b c\"", "d\\ e", "'f\\'"]
        );
    }

    #[test]
    fn nested_json_is_rejected() {
        assert!(parse_maybe_json("[ \"echo\", [ \"nested\" ] ]").is_err());
        assert!(!parse_maybe_json("['echo']").unwrap().json);
    }
}
