//! `dockgrade explain ID`: one control's, blocker's or finding's documentation as terminal text.

use crate::controls::{ControlInfo, FindingInfo, Info, Snippet};

/// Column at which prose is wrapped. Code and URLs are never broken.
const WIDTH: usize = 80;
const INDENT: &str = "  ";

/// Renders the documentation of a control, blocker or other finding as plain text for a
/// terminal: what it checks, why it matters, a failing and a passing example, how to fix it,
/// and references. Prose is re-wrapped at 80 columns, and examples are printed as written.
pub fn render_explain(info: Info) -> String {
    match info {
        Info::Control(control) => render_entry(control, "control"),
        Info::Blocker(blocker) => render_entry(blocker, "blocker"),
        Info::Finding(finding) => render_finding(finding),
    }
}

fn render_entry(info: &ControlInfo, kind: &str) -> String {
    let mut out = format!("{}: {} ({kind})\n", info.id, info.title);
    push_prose(&mut out, "What it checks", info.checks);
    push_prose(&mut out, "Why it matters", info.rationale);
    push_snippets(&mut out, "Failing example", info.failing_example);
    push_snippets(&mut out, "Passing example", info.passing_example);
    push_prose(&mut out, "How to fix", info.fix);

    out.push_str("\nReferences\n");
    for reference in info.references {
        out.push_str(&wrap_block(&format!("- {}", reference.title), INDENT));
        out.push_str(&format!("{INDENT}  {}\n", reference.url));
    }
    out
}

fn render_finding(info: &FindingInfo) -> String {
    let kind = if info.advisory { "advisory" } else { "finding" };
    let mut out = match info.related {
        Some(related) => format!("{}: {} ({kind} of {related})\n", info.id, info.title),
        None => format!("{}: {} ({kind})\n", info.id, info.title),
    };
    push_prose(&mut out, "What it reports", info.summary);
    push_prose(&mut out, "How to fix", info.fix);
    out
}

fn push_prose(out: &mut String, heading: &str, markdown: &str) {
    out.push('\n');
    out.push_str(heading);
    out.push('\n');
    out.push_str(&wrap(markdown, INDENT));
}

fn push_snippets(out: &mut String, heading: &str, snippets: &[Snippet]) {
    out.push('\n');
    out.push_str(heading);
    out.push('\n');
    for snippet in snippets {
        out.push_str(&format!("{INDENT}{}:\n", snippet.file));
        for line in snippet.code.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{INDENT}{INDENT}{line}\n"));
            }
        }
    }
}

/// Re-wraps metadata prose: paragraphs are separated by blank lines, a line starting with
/// `- ` starts a list item, and any other line continues the paragraph or item before it.
/// Paragraphs are separated by a blank line in the output; list items are not.
fn wrap(markdown: &str, indent: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut separated = Vec::new();
    let mut after_blank = true;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            after_blank = true;
            continue;
        }
        let starts_item = line.starts_with("- ");
        match blocks.last_mut() {
            Some(block) if !after_blank && !starts_item => {
                block.push(' ');
                block.push_str(trimmed);
            }
            _ => {
                separated.push(after_blank && !blocks.is_empty());
                blocks.push(trimmed.to_string());
            }
        }
        after_blank = false;
    }

    let mut out = String::new();
    for (block, blank_before) in blocks.iter().zip(separated) {
        if blank_before {
            out.push('\n');
        }
        out.push_str(&wrap_block(block, indent));
    }
    out
}

/// Wraps one paragraph or list item at `WIDTH` columns. A list item's continuation lines
/// are indented under its text.
fn wrap_block(block: &str, indent: &str) -> String {
    let hanging = if block.starts_with("- ") {
        format!("{indent}  ")
    } else {
        indent.to_string()
    };

    let mut out = String::new();
    let mut line = indent.to_string();
    let mut line_has_word = false;
    for word in block.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= WIDTH;
        if line_has_word && !fits {
            out.push_str(&line);
            out.push('\n');
            line = hanging.clone();
            line_has_word = false;
        }
        if line_has_word {
            line.push(' ');
        }
        line.push_str(word);
        line_has_word = true;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::{self, BLOCKERS, CONTROLS};

    #[test]
    fn wrap_joins_and_breaks_lines() {
        let text = "one two\nthree\n\n- item one\n  continues\n- item two";
        assert_eq!(
            wrap(text, "  "),
            "  one two three\n\n  - item one continues\n  - item two\n"
        );
    }

    #[test]
    fn wrap_block_hangs_list_items() {
        let item = format!("- {}", "word ".repeat(30));
        let wrapped = wrap_block(&item, "  ");
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 1, "expected several lines: {wrapped:?}");
        assert!(lines[0].starts_with("  - word"));
        for line in &lines[1..] {
            assert!(line.starts_with("    word"), "continuation {line:?}");
        }
    }

    #[test]
    fn wrap_block_keeps_long_words_whole() {
        let url = format!("https://example.com/{}", "a".repeat(100));
        assert_eq!(wrap_block(&url, ""), format!("{url}\n"));
    }

    #[test]
    fn explain_has_every_part() {
        for info in CONTROLS.iter().chain(BLOCKERS.iter()) {
            let text = render_explain(controls::lookup(info.id).unwrap());
            for heading in [
                "What it checks",
                "Why it matters",
                "Failing example",
                "Passing example",
                "How to fix",
                "References",
            ] {
                assert!(
                    text.lines().any(|line| line == heading),
                    "{}: no {heading:?} section",
                    info.id
                );
            }
            for reference in info.references {
                assert!(
                    text.contains(reference.url),
                    "{}: missing {}",
                    info.id,
                    reference.url
                );
            }
        }
    }

    #[test]
    fn explain_prose_fits_width() {
        for id in controls::all_ids() {
            let text = render_explain(controls::lookup(id).unwrap());
            let info = controls::lookup(id).unwrap();
            let code_lines: Vec<&str> = match info {
                Info::Control(entry) | Info::Blocker(entry) => entry
                    .failing_example
                    .iter()
                    .chain(entry.passing_example)
                    .flat_map(|snippet| snippet.code.lines())
                    .collect(),
                Info::Finding(_) => Vec::new(),
            };
            // The first line is the id and title, which are never wrapped.
            for line in text.lines().skip(1) {
                let is_code = code_lines.iter().any(|code| line.trim() == code.trim());
                let is_long_word = !line.trim().contains(' ');
                if !is_code && !is_long_word {
                    assert!(
                        line.chars().count() <= WIDTH,
                        "{id}: line too long: {line:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn explain_finding_names_related_control() {
        let text = render_explain(controls::lookup("system-uid").unwrap());
        assert!(
            text.starts_with("system-uid: User in the system UID range (advisory of non-root)\n")
        );
        assert!(text.contains("\nHow to fix\n"));
    }
}
