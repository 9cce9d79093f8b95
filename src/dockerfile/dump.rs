//! The text dump of a parsed Dockerfile in the format of BuildKit's parser test vectors.

use std::fmt::Write as _;

use super::arguments::is_known_keyword;
use super::ast::{Dockerfile, Instruction};

/// Dumps `df` one instruction per line, as BuildKit's parser tests print its syntax tree:
/// `(keyword ["--flag" ...] "arg" ...)`, with strings quoted as Go's `strconv.Quote` quotes them,
/// and `ONBUILD` wrapping the dump of its instruction.
pub fn dump_buildkit(df: &Dockerfile) -> String {
    let mut out = String::new();
    for instruction in &df.instructions {
        out.push('(');
        out.push_str(&dump_instruction(instruction));
        out.push_str(")\n");
    }
    out
}

fn dump_instruction(instruction: &Instruction) -> String {
    let mut text = instruction.keyword.to_lowercase();

    if !instruction.flags.is_empty() {
        let flags: Vec<String> = instruction
            .flags
            .iter()
            .map(|flag| go_quote(flag))
            .collect();
        let _ = write!(text, " [{}]", flags.join(" "));
    }

    if let Some(next) = &instruction.next {
        let _ = write!(text, " ({})", dump_instruction(next));
    } else if !is_known_keyword(&instruction.keyword) {
        // BuildKit's parser keeps an unknown instruction with one empty argument.
        text.push_str(" \"\"");
    } else if matches!(instruction.keyword.as_str(), "env" | "label") {
        // Each pair is dumped with its separator: `=` in the `KEY=value` form, empty in the
        // legacy `KEY value` form.
        let separator = if instruction.legacy_form { "" } else { "=" };
        for pair in instruction.args.chunks(2) {
            for part in pair {
                let _ = write!(text, " {}", go_quote(part));
            }
            let _ = write!(text, " {}", go_quote(separator));
        }
    } else {
        for arg in &instruction.args {
            let _ = write!(text, " {}", go_quote(arg));
        }
    }

    text.trim().to_string()
}

/// Quotes `text` as Go's `strconv.Quote` does: printable characters stay, `"` and `\` are
/// escaped, and other characters become `\n`-style, `\xNN`, `\uNNNN` or `\UNNNNNNNN` escapes.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            _ if is_go_printable(ch) => out.push(ch),
            _ if (ch as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", ch as u32);
            }
            _ if (ch as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            _ => {
                let _ = write!(out, "\\U{:08x}", ch as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Tells whether Go's `strconv.IsPrint` holds: letters, marks, numbers, punctuation, symbols
/// and the ASCII space.
///
/// NOTE: this approximates Go's table. It treats control and format characters, white space
/// other than U+0020, private-use characters and noncharacters as not printable, but it cannot
/// tell unassigned code points apart without the Unicode tables, and keeps them as printable.
fn is_go_printable(ch: char) -> bool {
    if ch == ' ' {
        return true;
    }
    if ch.is_control() || ch.is_whitespace() {
        return false;
    }
    let code = ch as u32;
    let is_format = matches!(
        code,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let is_private_use = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let is_noncharacter = (0xFDD0..=0xFDEF).contains(&code) || (code & 0xFFFE) == 0xFFFE;
    !(is_format || is_private_use || is_noncharacter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go_escapes() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\u{0}\u{7f}\t\n"), r#""\x00\x7f\t\n""#);
        assert_eq!(go_quote("♥☃한국어"), "\"♥☃한국어\"");
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{feff}"),
            r#""\u00a0\u200b\ufeff""#
        );
        assert_eq!(go_quote("\u{10FFFD}"), r#""\U0010fffd""#);
    }
}
