//! Structure, escaping, links and determinism of the HTML report, and a snapshot of its body.

mod common;

use dockgrade::finding::Outcome;
use dockgrade::report::{render, Format};
use dockgrade::scorecard::{AppliedWaiver, BlockerResult, ControlResult, Scorecard, Verdict};
use std::collections::BTreeSet;

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn html(scorecard: &Scorecard) -> String {
    render(scorecard, Format::Html).expect("the scorecard renders as HTML")
}

fn sample_html() -> String {
    html(&common::sample_scorecard())
}

/// Returns the page from `<body>` up to the script: the markup, without the style sheet and the
/// script, which have tests of their own in the browser.
fn body(text: &str) -> &str {
    let start = text.find("<body>").expect("a body element");
    let end = text.rfind("<script>").expect("a script element");
    &text[start..end]
}

/// Returns every tag of `markup` as its name and attribute names, outside `<style>` and
/// `<script>`. Attribute values are skipped with their quotes, so a `>` inside one does not end
/// the tag.
fn tags(markup: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = markup;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        if name.is_empty() {
            continue;
        }
        let mut attributes = Vec::new();
        let mut chars = rest[name.len()..].char_indices();
        let mut current = String::new();
        let mut end = rest.len();
        while let Some((index, c)) = chars.next() {
            match c {
                '>' => {
                    end = name.len() + index + 1;
                    break;
                }
                '"' | '\'' => {
                    for (_, inner) in chars.by_ref() {
                        if inner == c {
                            break;
                        }
                    }
                }
                '=' => {}
                c if c.is_whitespace() || c == '/' => {
                    if !current.is_empty() {
                        attributes.push(std::mem::take(&mut current));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            attributes.push(current);
        }
        found.push((name.to_ascii_lowercase(), attributes));
        rest = &rest[end..];
    }
    found
}

/// Returns the value of every `href` attribute, with the entities tera writes decoded.
fn hrefs(markup: &str) -> Vec<String> {
    markup
        .split("href=\"")
        .skip(1)
        .map(|rest| {
            let value = &rest[..rest.find('"').expect("a closing quote")];
            value
                .replace("&#x2F;", "/")
                .replace("&#x27;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn html_body_snapshot() {
    insta::assert_snapshot!(body(&sample_html()));
}

#[test]
fn html_is_deterministic() {
    assert_eq!(sample_html().as_bytes(), sample_html().as_bytes());
}

#[test]
fn html_is_one_self_contained_page() {
    let text = sample_html();
    assert!(text.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(text.ends_with("</html>\n"));
    assert_eq!(text.matches("<script").count(), 1, "one inline script");
    assert_eq!(text.matches("<style").count(), 1, "one inline style sheet");
    assert!(!text.contains("<script src"));
    assert!(!text.contains("<link"));
    assert!(!text.contains("<img"));
    assert!(!text.contains("@import"));
    assert!(!text.contains("url("), "no style loads a resource");
    assert!(text.contains("content=\"default-src 'none'; style-src"));
}

#[test]
fn html_matrix_has_a_cell_per_control() {
    let text = sample_html();
    let rows: Vec<&str> = text.split("<tr data-index=").skip(1).collect();
    assert_eq!(rows.len(), 4, "one row per repository");
    for row in &rows {
        let row = &row[..row.find("</tr>").expect("the row ends")];
        let cells = row.matches("<td class=\"cell ").count();
        if row.contains("error-cell") {
            assert_eq!(cells, 0, "an error row spans the control columns");
            assert!(row.contains("colspan=\"7\""));
        } else {
            assert_eq!(cells, 7, "row {row}");
        }
    }
    assert_eq!(text.matches("<details id=\"repo-").count(), 4);
}

#[test]
fn html_cells_show_symbol_and_label() {
    let text = sample_html();
    for (symbol, label) in [
        ("✅", "pass"),
        ("⚠️", "review"),
        ("❌", "fail"),
        ("–", "n&#x2F;a"),
        ("✅", "waived"),
    ] {
        let cell = format!(
            "<span class=\"sym\" aria-hidden=\"true\">{symbol}</span><span class=\"lbl\">{label}</span>"
        );
        assert!(text.contains(&cell), "no cell shows {symbol} {label}");
    }
    assert!(text.contains("title=\"Non-Root: review\""));
}

#[test]
fn html_chart_counts_each_grade() {
    let text = sample_html();
    assert!(
        text.contains("Repositories per grade: A 0, B 0, C 0, D 1, F 1, — 1, error 1."),
        "the chart summary gives every count"
    );
    assert_eq!(text.matches("<g class=\"bar grade-").count(), 7);
    assert!(text.contains("<text class=\"bar-count\" x=\"294\" y=\"14\">1</text>"));
}

#[test]
fn html_row_badges_show_blockers_and_waivers() {
    let text = sample_html();
    let row = text
        .split("<tr data-index=")
        .find(|row| row.contains("acme&#x2F;api_server"))
        .expect("the api_server row");
    let row = &row[..row.find("</tr>").expect("the row ends")];
    for badge in [
        "badge-blocker\" title=\"Blocker docker-socket: caps the grade\">⛔ docker-socket</span>",
        "badge-blocker-waived\" title=\"Blocker privileged, waived until 2030-12-31: does not cap the grade\">⛔ privileged (waived)</span>",
        ">waiver dockerignore: applied</span>",
        "badge-waiver-expired\" title=\"Waiver for read-only, expires 2024-06-30, expired, so it is ignored. Reason: Writes its cache to &lt;root&gt;&#x2F;var&#x2F;cache\">",
        ">waiver unconfined: unused</span>",
    ] {
        assert!(row.contains(badge), "missing {badge}");
    }
}

#[test]
fn html_links_findings_to_the_commit() {
    let text = sample_html();
    let links = hrefs(&text);
    let blob = format!("https://github.com/acme/api_server/blob/{COMMIT}/");
    assert!(
        links.contains(&format!("{blob}Dockerfile#L17")),
        "{links:?}"
    );
    assert!(
        links.contains(&format!("{blob}compose.yaml#L11")),
        "{links:?}"
    );
    assert!(links.contains(&format!("{blob}.dockerignore")), "{links:?}");
    assert!(links.contains(&format!("https://github.com/acme/api_server/tree/{COMMIT}")));
    let external: Vec<&String> = links.iter().filter(|link| !link.starts_with('#')).collect();
    assert!(
        external
            .iter()
            .all(|link| link.starts_with("https://github.com/acme/api_server/")),
        "only the repository with a web_url links out: {external:?}"
    );
}

#[test]
fn html_details_explain_why_and_how() {
    let text = sample_html();
    let rationale = dockgrade::controls::lookup("pinned-digest")
        .map(|info| match info {
            dockgrade::controls::Info::Control(info) => info.rationale,
            _ => unreachable!("pinned-digest is a control"),
        })
        .expect("pinned-digest is documented");
    let first_words: String = rationale
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains(&first_words), "the rationale is shown");
    assert!(text.contains("<strong>How to fix:</strong>"));
    assert!(text.contains("<pre class=\"quote\"><code>FROM golang:1.22 AS build</code></pre>"));
}

/// Builds a scorecard whose every repository text tries to break out of HTML.
fn hostile_scorecard() -> Scorecard {
    let attack = "<script>alert(1)</script>\"' onmouseover=\"alert(2)\" & </textarea><img src=x onerror=alert(3)>";
    let mut repo = common::empty_repo(&format!("evil {attack}"), "F");
    repo.source = format!("javascript:alert(4)//{attack}");
    repo.commit = Some(COMMIT.to_string());
    repo.web_url = Some("javascript:alert(5)//".to_string());
    repo.notes = vec![format!("note {attack}")];
    repo.subjects = vec![format!("subject {attack}")];
    repo.skipped = vec![format!("skipped {attack}")];
    let finding = common::finding(
        "non-root",
        Outcome::Fail,
        &format!("\"><a href=\"javascript:alert(6)\">{attack}"),
        3,
        &format!("USER root {attack}"),
        &format!("message {attack}"),
        &format!("fix {attack}"),
    );
    repo.controls.insert(
        "non-root".to_string(),
        ControlResult {
            verdict: Verdict::Waived,
            findings: vec![finding.clone()],
            waiver: Some(AppliedWaiver {
                reason: format!("reason {attack}"),
                expires: format!("2030-01-01{attack}"),
                original: Verdict::Fail,
            }),
        },
    );
    repo.blockers = vec![BlockerResult {
        id: format!("blocker {attack}"),
        findings: vec![finding.clone()],
        waiver: None,
    }];
    repo.findings = vec![finding];
    repo.waivers = vec![dockgrade::scorecard::WaiverReport {
        id: format!("id {attack}"),
        reason: format!("javascript:alert(7) {attack}"),
        expires: "2030-01-01".to_string(),
        status: format!("applied {attack}"),
    }];

    let mut linked = common::empty_repo("linked", "error");
    linked.commit = Some(COMMIT.to_string());
    linked.web_url = Some("https://github.com/acme/linked".to_string());
    linked.errors = vec![dockgrade::scorecard::RepoError {
        path: Some(format!("path {attack}")),
        message: format!("error {attack}"),
    }];
    linked.controls.insert(
        "healthcheck".to_string(),
        ControlResult {
            verdict: Verdict::Fail,
            findings: vec![common::finding(
                "healthcheck",
                Outcome::Fail,
                "a b/\"javascript:x\"/<Dockerfile>",
                9,
                attack,
                attack,
                attack,
            )],
            waiver: None,
        },
    );
    Scorecard::new(vec![repo, linked])
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let text = html(&hostile_scorecard());
    let markup = body(&text);

    let names: BTreeSet<String> = tags(markup).into_iter().map(|(name, _)| name).collect();
    for forbidden in ["script", "img", "textarea", "iframe", "object", "style"] {
        assert!(
            !names.contains(forbidden),
            "a <{forbidden}> element reached the page"
        );
    }
    for (name, attributes) in tags(markup) {
        for attribute in attributes {
            assert!(
                !attribute.to_ascii_lowercase().starts_with("on"),
                "<{name}> has an event handler attribute {attribute}"
            );
        }
    }
    assert!(!markup.contains("</textarea>"));
    assert!(!markup.contains("<script>"));
    assert!(markup.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    assert!(markup
        .contains("&quot;&#x27; onmouseover=&quot;alert(2)&quot; &amp; &lt;&#x2F;textarea&gt;"));
    assert!(
        markup.contains("fix &lt;script&gt;"),
        "the finding's fix is escaped"
    );
    assert!(
        markup.contains("reason &lt;script&gt;"),
        "the waiver reason is escaped"
    );
    assert!(
        markup.contains("error &lt;script&gt;"),
        "the error is escaped"
    );
    assert!(
        markup.contains("<td>javascript:alert(7) &lt;script&gt;"),
        "the waiver table escapes the reason"
    );
}

#[test]
fn hostile_text_never_becomes_a_link() {
    let text = html(&hostile_scorecard());
    let blob = format!("https://github.com/acme/linked/blob/{COMMIT}/");
    for link in hrefs(body(&text)) {
        let internal = link.starts_with("#repo-")
            && link["#repo-".len()..].chars().all(|c| c.is_ascii_digit());
        let built = link == format!("https://github.com/acme/linked/tree/{COMMIT}")
            || link == format!("{blob}a%20b/%22javascript%3Ax%22/%3CDockerfile%3E#L9");
        assert!(internal || built, "unexpected link {link:?}");
    }
    assert!(
        !hrefs(&text)
            .iter()
            .any(|link| link.trim().to_ascii_lowercase().starts_with("javascript:")),
        "the web_url javascript:alert(5) gives no link"
    );
}

#[test]
fn check_command_writes_html() {
    let folder = tempfile::TempDir::new().expect("a temporary folder");
    let output = folder.path().join("report.html");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_cmd::Command::cargo_bin("dockgrade")
        .expect("binary is built")
        .arg("check")
        .arg(root.join("examples/fleet/orders-api"))
        .args(["--format", "html", "--output"])
        .arg(&output)
        .assert()
        .code(0);

    let text = std::fs::read_to_string(&output).expect("the report is written");
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains("<a href=\"#repo-1\">orders-api</a>"));
    assert_eq!(text.matches("<tr data-index=").count(), 1);
}
