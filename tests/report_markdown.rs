//! Snapshot and property tests of the Markdown report.

mod common;

use dockgrade::finding::Outcome;
use dockgrade::report::{escape, render, Format};
use dockgrade::scorecard::{ControlResult, Verdict};
use std::collections::{BTreeSet, HashMap};

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
        schema_version: dockgrade::scorecard::SCHEMA_VERSION,
        tool: "dockgrade".to_string(),
        version: "0.1.0".to_string(),
        shard: None,
        repos: Vec::new(),
    };
    let text = render(&scorecard, Format::Markdown).expect("an empty scorecard renders");
    assert!(text.contains("No blockers found."));
    assert!(text.ends_with('\n'));
}

#[test]
fn markdown_matrix_links_to_details() {
    let text = markdown();
    let headings = heading_anchors(&text);
    for repo in common::sample_scorecard().repos {
        let heading = format!("### {}", escape::heading(&repo.name));
        let anchor = headings
            .iter()
            .find(|(line, _)| *line == heading)
            .map(|(_, anchor)| anchor.clone())
            .unwrap_or_else(|| panic!("no heading {heading:?}"));
        let link = format!("| [{}](#{anchor}) |", escape::text(&repo.name));
        assert!(
            text.lines().any(|line| line.starts_with(&link)),
            "no matrix row starts with {link:?}"
        );
    }
}

#[test]
fn markdown_links_point_at_headings() {
    let text = markdown();
    let anchors: BTreeSet<String> = heading_anchors(&text)
        .into_iter()
        .map(|(_, anchor)| anchor)
        .collect();
    let targets = link_targets(&text);
    assert!(!targets.is_empty(), "the report has no links");
    for target in targets {
        assert!(anchors.contains(&target), "#{target} matches no heading");
    }
}

#[test]
fn markdown_anchors_unique_for_colliding_names() {
    let names = [
        "orders-api",
        "Orders API",
        "orders-api-1",
        "Details",
        "Legend",
        "controls",
        "!!!",
    ];
    let mut repos: Vec<_> = names
        .iter()
        .map(|name| {
            let mut repo = common::empty_repo(name, "A");
            repo.controls.insert(
                "non-root".to_string(),
                ControlResult {
                    verdict: Verdict::Pass,
                    findings: Vec::new(),
                    waiver: None,
                },
            );
            repo
        })
        .collect();
    let mut twin = common::empty_repo("orders-api", "—");
    twin.source = "elsewhere/orders-api".to_string();
    repos.push(twin);
    let text =
        render(&common::scorecard_of(repos), Format::Markdown).expect("the scorecard renders");

    let headings = heading_anchors(&text);
    let anchors: Vec<&String> = headings.iter().map(|(_, anchor)| anchor).collect();
    let unique: BTreeSet<&String> = anchors.iter().copied().collect();
    assert_eq!(unique.len(), anchors.len(), "repeated anchors: {anchors:?}");

    let matrix_links: Vec<String> = text
        .lines()
        .skip_while(|line| !line.starts_with("| Repo |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| link_targets(line).into_iter().next())
        .collect();
    assert_eq!(
        matrix_links.len(),
        names.len(),
        "every row but the one of \"!!!\" links: {matrix_links:?}"
    );
    let distinct: BTreeSet<&String> = matrix_links.iter().collect();
    assert_eq!(distinct.len(), matrix_links.len(), "{matrix_links:?}");
    for target in &matrix_links {
        let (line, _) = headings
            .iter()
            .find(|(_, anchor)| anchor == target)
            .unwrap_or_else(|| panic!("#{target} matches no heading"));
        assert!(line.starts_with("### "), "#{target} leads to {line:?}");
    }
    assert!(
        text.lines().any(|line| line.starts_with("| !!! |")),
        "a name without anchor characters is shown without a link"
    );

    let legend = headings
        .iter()
        .find(|(line, _)| line == "## Legend")
        .map(|(_, anchor)| anchor.clone())
        .expect("a Legend heading");
    assert_ne!(legend, "legend", "the repository named Legend comes first");
    assert!(
        text.contains(&format!("[legend](#{legend})")),
        "the legend link must follow the Legend heading's anchor"
    );
}

#[test]
fn markdown_renders_waiver_table() {
    let text = markdown();
    let rows = [
        "| dockerignore | applied | 2030-01-31 | Context is generated by CI; no secrets \\| ever |",
        "| privileged | applied | 2030-12-31 | Docker-in-Docker runner for CI |",
        "| read-only | expired (ignored) | 2024-06-30 | Writes its cache to \\<root\\>/var/cache |",
        "| unconfined | unused (nothing to waive) | 2030-06-30 | Kept from before the \\*seccomp\\* profile |",
    ];
    let table: Vec<&str> = text
        .lines()
        .skip_while(|line| *line != "#### Waivers")
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert_eq!(table.first(), Some(&"| Id | Status | Expires | Reason |"));
    for row in rows {
        assert!(table.contains(&row), "no row {row:?} in {table:#?}");
        assert_eq!(split_cells(row).len(), 4, "row {row:?}");
    }
}

#[test]
fn markdown_waived_control_points_to_table() {
    let text = markdown();
    assert!(text.contains("  - Waived until 2030-01-31. Without the waiver: ⚠️ review.\n"));
    assert!(text.contains("  - Waived until 2030-12-31, so it does not cap the grade.\n"));
}

#[test]
fn markdown_details_show_every_part() {
    let text = markdown();
    for repo in common::sample_scorecard().repos {
        let heading = format!("### {}", escape::heading(&repo.name));
        let section: String = text
            .lines()
            .skip_while(|line| *line != heading)
            .skip(1)
            .take_while(|line| !line.starts_with("### ") && !line.starts_with("## "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!section.is_empty(), "no details for {heading:?}");
        let mut expected: Vec<String> = Vec::new();
        expected.extend(
            repo.notes
                .iter()
                .map(|note| format!("- Note: {}", escape::text(note))),
        );
        expected.extend(
            repo.subjects
                .iter()
                .map(|subject| format!("- {}", escape::text(subject))),
        );
        expected.extend(
            repo.skipped
                .iter()
                .map(|skipped| format!("- {}", escape::text(skipped))),
        );
        expected.extend(
            repo.errors
                .iter()
                .map(|error| format!("- {}", escape::text(&error.message))),
        );
        for line in expected {
            assert!(
                section.lines().any(|candidate| candidate == line),
                "{heading}: no line {line:?}"
            );
        }
    }
}

#[test]
fn markdown_escapes_leading_list_marker() {
    let text = markdown();
    assert!(
        text.lines()
            .any(|line| line == "- \\- draft/Dockerfile: not valid UTF-8"),
        "a skipped path that starts with \"- \" must not open a nested list"
    );
}

#[test]
fn markdown_lists_failing_evidence_first() {
    let mut repo = common::empty_repo("acme/api", "D");
    let finding = |outcome, line, message: &str| {
        common::finding("read-only", outcome, "compose.yaml", line, "", message, "")
    };

    repo.controls.insert(
        "read-only".to_string(),
        ControlResult {
            verdict: Verdict::Fail,
            findings: vec![
                finding(Outcome::Pass, 3, "service a is read-only"),
                finding(Outcome::Advisory, 3, "service a has no /tmp"),
                finding(Outcome::Fail, 9, "service b is writable"),
                finding(Outcome::Pass, 12, "service c is read-only"),
            ],
            waiver: None,
        },
    );

    let text =
        render(&common::scorecard_of(vec![repo]), Format::Markdown).expect("the scorecard renders");
    let order: Vec<usize> = [
        "service b is",
        "service a is read",
        "service c is",
        "service a has",
    ]
    .iter()
    .map(|message| {
        text.find(message)
            .unwrap_or_else(|| panic!("{message:?} is missing"))
    })
    .collect();

    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "expected fail, pass, pass, advisory");
}

#[test]
fn markdown_omits_subject_equal_to_path() {
    let mut repo = common::empty_repo("acme/api", "A");
    let mut finding = common::finding(
        "multi-stage",
        Outcome::Pass,
        "Dockerfile",
        7,
        "COPY --from=build /app /app",
        "2 stages; the final stage copies from stage build",
        "",
    );
    finding.subject = "Dockerfile".to_string();
    repo.controls.insert(
        "multi-stage".to_string(),
        ControlResult {
            verdict: Verdict::Pass,
            findings: vec![finding],
            waiver: None,
        },
    );

    let text =
        render(&common::scorecard_of(vec![repo]), Format::Markdown).expect("the scorecard renders");
    assert!(
        text.contains("  - ✅ `Dockerfile:7`: 2 stages; the final stage copies from stage build\n"),
        "{text}"
    );
}

/// Returns each ATX heading line of a Markdown report with the anchor GitHub gives it.
///
/// This is a second, ASCII-only implementation of GitHub's rule, written apart from the crate's
/// so that the two check each other. It lowercases the text, keeps letters, digits, `_`, `-`
/// and spaces, turns spaces into `-`, and gives repeats the next free `-N` suffix.
fn heading_anchors(markdown: &str) -> Vec<(String, String)> {
    let mut anchors_in_use: HashMap<String, usize> = HashMap::new();
    let mut anchors = Vec::new();
    for line in markdown.lines().filter(|line| line.starts_with('#')) {
        let content = line.trim_start_matches('#').trim();
        let mut text = String::new();
        let mut chars = content.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                text.extend(chars.next());
            } else {
                text.push(c);
            }
        }
        let base: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = base.clone();
        let mut suffix = 0;
        while anchors_in_use.contains_key(&anchor) {
            suffix += 1;
            anchor = format!("{base}-{suffix}");
        }
        anchors_in_use.insert(anchor.clone(), 0);
        anchors.push((line.to_string(), anchor));
    }
    anchors
}

/// Returns the targets of every `](#target)` link in the text.
fn link_targets(text: &str) -> Vec<String> {
    text.match_indices("](#")
        .filter_map(|(start, _)| {
            let rest = &text[start + 3..];
            rest.find(')').map(|end| rest[..end].to_string())
        })
        .collect()
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
