//! Markdown escaping for text that comes from a repository: names, paths, quoted lines and messages.

/// ASCII punctuation that can start Markdown or GitHub syntax inside a line: emphasis, code,
/// links, HTML, table cells, strikethrough, entities and math.
const SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '&', '~', '$'];

/// Replaces line breaks and other control characters with spaces, so that the text stays
/// on one Markdown line. A CRLF pair becomes one space. Tabs are kept.
pub fn flatten(text: &str) -> String {
    let mut flat = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        let breaks_line = matches!(c, '\u{2028}' | '\u{2029}') || (c.is_control() && c != '\t');
        flat.push(if breaks_line { ' ' } else { c });
    }
    flat
}

/// Escapes text for a Markdown line or a GitHub table cell.
///
/// Every character of `SPECIAL` gets a backslash, so the text renders as written, and `|`
/// cannot end a table cell. Line breaks become spaces. A leading `#`, `-`, `+` or ordered list
/// marker (`1.`, `1)`) is escaped too, so that text placed right after a list bullet cannot
/// start a heading, a nested list or a thematic break.
pub fn text(raw: &str) -> String {
    escape_with(raw, &[])
}

/// Escapes text for an ATX heading line: as [`text`], and every `#` as well, because a
/// trailing run of `#` would otherwise be read as the heading's closing sequence.
pub fn heading(raw: &str) -> String {
    escape_with(raw, &['#'])
}

fn escape_with(raw: &str, extra: &[char]) -> String {
    let flat = flatten(raw);
    let block_marker = block_marker_position(&flat);
    let mut escaped = String::with_capacity(flat.len() + flat.len() / 8);
    for (index, c) in flat.char_indices() {
        if SPECIAL.contains(&c) || extra.contains(&c) || Some(index) == block_marker {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The invisible character placed after `@` or `#` by [`conversation`]: U+200B ZERO WIDTH
/// SPACE, which stops a mention according to the GitHub report cited there.
const ZERO_WIDTH_SPACE: char = '\u{200b}';

/// Keeps GitHub from reading escaped text as references, for Markdown posted to an issue or a
/// pull request. There GitHub notifies the user or team of an `@name` and links `#123`,
/// `owner/name#123` and `GH-123` to issues:
/// https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#mentioning-people-and-teams
/// and
/// https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/autolinked-references-and-urls.
/// It finds them in the rendered text, after backslash escapes are gone, so `\@` does not
/// help, while text in a code span is left alone (https://github.com/github/markup/issues/1168).
/// An invisible character after the `@`, `#` or `GH-` breaks the reference and leaves the text
/// as it reads.
///
/// Files in a repository, such as a committed Markdown report, get no autolinked references
/// (the second page above), and mentions in them send no notification
/// (https://github.com/github/docs/issues/27418), so the scan report does without this.
pub fn conversation(escaped: &str) -> String {
    // NOTE: commit ids and issue URLs in the text are still linked, and an issue URL still adds
    // a reference to that issue's timeline.
    let mut neutral = String::with_capacity(escaped.len());
    let mut previous: [char; 2] = [' ', ' '];
    let mut chars = escaped.chars().peekable();
    while let Some(c) = chars.next() {
        neutral.push(c);
        let next = chars.peek().copied().unwrap_or(' ');
        let starts_reference = match c {
            '@' => next.is_ascii_alphanumeric(),
            '#' => next.is_ascii_digit(),
            '-' => {
                next.is_ascii_digit()
                    && previous[0].eq_ignore_ascii_case(&'g')
                    && previous[1].eq_ignore_ascii_case(&'h')
            }
            _ => false,
        };
        if starts_reference {
            neutral.push(ZERO_WIDTH_SPACE);
        }
        previous = [previous[1], c];
    }
    neutral
}

/// Returns the byte index of the character that would make the text start a Markdown block
/// (heading, list item or thematic break) after a list bullet, if there is one.
fn block_marker_position(text: &str) -> Option<usize> {
    let start = text.len() - text.trim_start_matches([' ', '\t']).len();
    let rest = &text[start..];
    let first = rest.chars().next()?;
    if matches!(first, '#' | '-' | '+') {
        return Some(start);
    }
    // CommonMark allows at most nine digits before the `.` or `)` of an ordered list marker,
    // and the marker must be followed by a space, a tab or the end of the line.
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 9 {
        return None;
    }
    let after_digits = &rest[digits..];
    let mut chars = after_digits.chars();
    let delimiter = chars.next()?;
    let ends_marker = matches!(chars.next(), None | Some(' ' | '\t'));
    (matches!(delimiter, '.' | ')') && ends_marker).then_some(start + digits)
}

/// Wraps text in an inline code span that any content survives, or returns an empty string
/// for empty text.
///
/// CommonMark closes a code span only at a backtick run of the opening length, so the fence is
/// one backtick longer than the longest run inside. Content that starts or ends with a backtick
/// is padded with a space on each side, which the renderer strips again. Content that starts
/// and ends with a space is padded too, so that its own spaces survive that stripping.
///
/// Not for table cells: GitHub splits a row at every `|`, also inside a code span.
pub fn code_span(raw: &str) -> String {
    let content = flatten(raw);
    if content.is_empty() {
        return String::new();
    }

    let fence = "`".repeat(longest_backtick_run(&content) + 1);
    let all_spaces = content.chars().all(|c| c == ' ');
    let touches_backtick = content.starts_with('`') || content.ends_with('`');
    let spaced = content.starts_with(' ') && content.ends_with(' ') && !all_spaces;
    let pad = if touches_backtick || spaced { " " } else { "" };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// Formats `code` as a fenced code block whose fence is longer than any backtick run inside it.
pub fn code_block(code: &str, language: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(code) + 1).max(3));
    let body = code.trim_end_matches('\n');
    format!("{fence}{language}\n{body}\n{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_replaces_line_breaks() {
        assert_eq!(flatten("a\nb"), "a b");
        assert_eq!(flatten("a\r\nb"), "a b");
        assert_eq!(flatten("a\rb"), "a b");
        assert_eq!(flatten("a\u{2028}b\u{2029}c"), "a b c");
        assert_eq!(flatten("a\u{85}b"), "a b");
        assert_eq!(flatten("a\u{0}b\u{1b}c"), "a b c");
    }

    #[test]
    fn flatten_keeps_tabs() {
        assert_eq!(flatten("a\tb"), "a\tb");
    }

    #[test]
    fn text_escapes_pipe_and_markup() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("*x* _y_ [z](u)"), "\\*x\\* \\_y\\_ \\[z\\](u)");
        assert_eq!(text("<br> &amp;"), "\\<br\\> \\&amp;");
        assert_eq!(text("`code`"), "\\`code\\`");
        assert_eq!(text("$HOME and $PATH"), "\\$HOME and \\$PATH");
    }

    #[test]
    fn text_escapes_backslash_before_pipe() {
        // The backslash is escaped first, so the pipe stays escaped on its own.
        assert_eq!(text("a\\|b"), "a\\\\\\|b");
    }

    #[test]
    fn text_flattens_newlines() {
        assert_eq!(text("one\ntwo|three"), "one two\\|three");
    }

    #[test]
    fn text_escapes_leading_block_markers() {
        assert_eq!(text("# not a heading"), "\\# not a heading");
        assert_eq!(text("- not a list"), "\\- not a list");
        assert_eq!(text("---"), "\\---");
        assert_eq!(text("+ x"), "\\+ x");
        assert_eq!(text("  - x"), "  \\- x");
        assert_eq!(text("1. first"), "1\\. first");
        assert_eq!(text("12) twelfth"), "12\\) twelfth");
        assert_eq!(text("7."), "7\\.");
    }

    #[test]
    fn text_keeps_markers_that_start_no_block() {
        assert_eq!(text("3.12 is pinned"), "3.12 is pinned");
        assert_eq!(text("1234567890. ten digits"), "1234567890. ten digits");
        assert_eq!(text("a - b # c"), "a - b # c");
        assert_eq!(text("2 stages"), "2 stages");
    }

    #[test]
    fn heading_escapes_every_hash() {
        assert_eq!(heading("api #"), "api \\#");
        assert_eq!(heading("#1 #2"), "\\#1 \\#2");
        assert_eq!(heading("a\\#"), "a\\\\\\#");
        assert_eq!(heading("acme/api_server"), "acme/api\\_server");
    }

    #[test]
    fn conversation_breaks_mentions_and_issue_references() {
        assert_eq!(
            conversation("ask @alice and @acme/sec"),
            "ask @\u{200b}alice and @\u{200b}acme/sec"
        );
        assert_eq!(
            conversation("see #12, acme/api#3 and gh-7"),
            "see #\u{200b}12, acme/api#\u{200b}3 and gh-\u{200b}7"
        );
        assert_eq!(conversation(&text("#42 first")), "\\#\u{200b}42 first");
    }

    #[test]
    fn conversation_keeps_other_signs() {
        assert_eq!(
            conversation("a @ b, # heading, #tag, x-1, GH-x"),
            "a @ b, # heading, #tag, x-1, GH-x"
        );
    }

    #[test]
    fn code_span_plain() {
        assert_eq!(code_span("FROM alpine"), "`FROM alpine`");
    }

    #[test]
    fn code_span_with_backticks_uses_longer_fence() {
        assert_eq!(code_span("RUN echo `date`"), "`` RUN echo `date` ``");
        assert_eq!(code_span("a ``b`` c"), "```a ``b`` c```");
    }

    #[test]
    fn code_span_pads_edge_backtick() {
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn code_span_pads_surrounding_spaces() {
        assert_eq!(code_span(" x "), "`  x  `");
        assert_eq!(code_span("  "), "`  `");
    }

    #[test]
    fn code_span_flattens_newlines() {
        assert_eq!(code_span("a\nb"), "`a b`");
    }

    #[test]
    fn code_span_empty_is_empty() {
        assert_eq!(code_span(""), "");
    }

    #[test]
    fn code_block_fence_outgrows_content() {
        assert_eq!(code_block("x", "yaml"), "```yaml\nx\n```");
        assert_eq!(
            code_block("a\n```\nb\n", "text"),
            "````text\na\n```\nb\n````"
        );
    }
}
