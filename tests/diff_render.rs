//! Snapshots of the diff's Markdown and JSON renderings over the hand-built sample scorecard and
//! a changed copy of it, with text that needs escaping and a link builder as a pull-request
//! comment would use.

mod common;

use dockgrade::diff::{self, LinkTarget, MarkdownOptions, ScorecardDiff};
use dockgrade::finding::{Finding, Outcome};
use dockgrade::scorecard::{RepoError, Scorecard, Verdict};

/// Changes the sample scorecard in every way the diff reports:
///
/// - acme/api_server: the docker-socket blocker is fixed, and the privileged blocker loses its
///   waiver. Healthcheck passes, and a finding with a pipe and backticks is new in cap-drop.
///   The second pinned-digest finding moves down two lines, which is no change. The
///   secret-build-arg finding is fixed, and the dockerignore waiver expires.
/// - `local/odd|name…`: the Dockerfile parses again, so its controls pass.
/// - acme/gone: another error replaces the old one.
/// - acme/docs is removed and acme/new is added.
fn changed_scorecard() -> Scorecard {
    let mut scorecard = common::sample_scorecard();
    let repos = &mut scorecard.repos;

    let api = &mut repos[0];
    api.grade = "D".to_string();
    api.blockers.retain(|blocker| blocker.id != "docker-socket");
    api.blockers[0].waiver = None;
    let healthcheck = api.controls.get_mut("healthcheck").expect("healthcheck");
    healthcheck.verdict = Verdict::Pass;
    healthcheck.findings.clear();
    let pinned = api
        .controls
        .get_mut("pinned-digest")
        .expect("pinned-digest");
    pinned.findings[1].line += 2;
    api.controls
        .get_mut("cap-drop")
        .expect("cap-drop")
        .findings
        .push(common::finding(
            "cap-drop",
            Outcome::Fail,
            "compose.yaml",
            9,
            "cap_add: [\"NET_ADMIN\"] # `a|b`",
            "Service api adds the capability NET_ADMIN | twice.",
            "Remove NET_ADMIN.",
        ));
    api.findings.clear();
    let dockerignore_waiver = api
        .waivers
        .iter_mut()
        .find(|waiver| waiver.id == "dockerignore")
        .expect("dockerignore waiver");
    dockerignore_waiver.status = "expired".to_string();
    let dockerignore = api.controls.get_mut("dockerignore").expect("dockerignore");
    dockerignore.verdict = Verdict::Review;
    dockerignore.waiver = None;

    let odd = &mut repos[1];
    odd.grade = "A".to_string();
    odd.findings.clear();
    for id in ["multi-stage", "non-root", "pinned-digest", "healthcheck"] {
        let control = odd.controls.get_mut(id).expect("control");
        control.verdict = Verdict::Pass;
        control.findings.clear();
    }

    repos[2].errors = vec![RepoError {
        path: None,
        message: "GitHub returned 403 Forbidden: rate limit".to_string(),
    }];

    repos.pop();
    let mut added = common::empty_repo("acme/new", "C");
    added.source = "acme/new".to_string();
    repos.push(added);
    scorecard
}

fn sample_diff() -> ScorecardDiff {
    diff::compare(&common::sample_scorecard(), &changed_scorecard())
}

/// Links to the file on github.com at the new commit, as the pull-request comment does.
fn github_link(target: &LinkTarget) -> Option<String> {
    let commit = target.commit?;
    Some(format!(
        "https://github.com/{}/blob/{commit}/{}#L{}",
        target.source, target.path, target.line
    ))
}

#[test]
fn diff_markdown_snapshot() {
    let options = MarkdownOptions::new().with_links(&github_link);
    let text = diff::markdown::render(&sample_diff(), &options).expect("renders");
    insta::assert_snapshot!(text);
}

#[test]
fn diff_json_snapshot() {
    let text = diff::json::render(&sample_diff()).expect("renders");
    insta::assert_snapshot!(text);
}

#[test]
fn diff_markdown_is_deterministic() {
    let options = MarkdownOptions::new();
    let first = diff::markdown::render(&sample_diff(), &options).expect("renders");
    let second = diff::markdown::render(&sample_diff(), &options).expect("renders");
    assert_eq!(first, second);
}

#[test]
fn summary_rows_have_four_cells() {
    let text = diff::markdown::render(&sample_diff(), &MarkdownOptions::new()).expect("renders");
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("| Repository |"))
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 2 + 5, "header, delimiter and five repositories");
    for row in rows {
        // A cell ends at every `|` that no backslash escapes.
        let unescaped = row.matches('|').count() - row.matches("\\|").count();
        assert_eq!(unescaped, 5, "row {row:?}");
    }
}

#[test]
fn moved_finding_is_not_listed() {
    let diff = sample_diff();
    let api = diff
        .changed
        .iter()
        .find(|repo| repo.name == "acme/api_server")
        .expect("acme/api_server changed");
    let listed: Vec<&Finding> = api
        .controls
        .iter()
        .flat_map(|control| control.findings.new.iter().chain(&control.findings.fixed))
        .collect();
    assert!(
        listed.iter().all(|finding| finding.id != "pinned-digest"),
        "{listed:#?}"
    );
}

#[test]
fn sample_change_is_worse() {
    let messages: Vec<String> = sample_diff()
        .worsenings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "acme/api_server: blocker privileged",
            "acme/gone: error: GitHub returned 403 Forbidden: rate limit",
        ]
    );
}

#[test]
fn repository_text_mentions_nobody() {
    let mut changed = changed_scorecard();
    changed.repos[2].errors = vec![RepoError {
        path: Some("@ops/compose.yaml".to_string()),
        message: "ask @alice or @acme/platform about #7".to_string(),
    }];

    let change = diff::compare(&common::sample_scorecard(), &changed);
    let text = diff::markdown::render(&change, &MarkdownOptions::new()).expect("renders");

    assert!(
        text.contains(
            "@\u{200b}ops/compose.yaml: ask @\u{200b}alice or @\u{200b}acme/platform about #\u{200b}7"
        ),
        "{text}"
    );
}
