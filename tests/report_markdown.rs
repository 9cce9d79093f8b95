//! Snapshot and property tests of the Markdown report.

mod common;

use dockgrade::report::{render, Format};

fn markdown() -> String {
    render(&common::sample_scorecard(), Format::Markdown).expect("the sample renders")
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(markdown());
}

#[test]
fn markdown_is_deterministic() {
    assert_eq!(markdown().as_bytes(), markdown().as_bytes());
}

#[test]
fn markdown_matrix_rows_have_nine_cells() {
    let text = markdown();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("| Repo |"))
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 2 + 4, "header, delimiter and four repositories");
    for row in rows {
        let cells = split_cells(row);
        assert_eq!(cells.len(), 9, "row {row:?} has {} cells", cells.len());
    }
}

#[test]
fn markdown_has_no_raw_line_breaks_from_data() {
    let text = markdown();
    assert!(!text.contains('\r'), "a carriage return reached the report");
    assert!(text.contains("is never closed before the end of the file."));
    assert!(text.contains("the engine rejects it and the container would fail to start."));
}

#[test]
fn markdown_quote_with_backticks_keeps_its_code_span() {
    let text = markdown();
    assert!(
        text.contains(
            "`` HEALTHCHECK CMD wget -qO- http://localhost:8080/health | grep `echo ok` ``"
        ),
        "the quote must be fenced by two backticks and padded with spaces"
    );
}

#[test]
fn markdown_ends_with_one_newline() {
    let text = markdown();
    assert!(text.ends_with('\n'), "no final newline");
    assert!(!text.ends_with("\n\n"), "blank line at the end");
}

#[test]
fn markdown_renders_empty_scorecard() {
    let scorecard = dockgrade::scorecard::Scorecard {
        tool: "dockgrade".to_string(),
        version: "0.1.0".to_string(),
        repos: Vec::new(),
    };
    let text = render(&scorecard, Format::Markdown).expect("an empty scorecard renders");
    assert!(text.contains("No blockers found."));
    assert!(text.ends_with('\n'));
}

/// Splits a GitHub table row at the pipes that are not escaped by a backslash.
fn split_cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let cell = cells.last_mut().unwrap();
                cell.push(c);
                if let Some(next) = chars.next() {
                    cell.push(next);
                }
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}
