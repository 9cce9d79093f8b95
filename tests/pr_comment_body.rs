//! The pull-request comment body: its sections, the short body when nothing changed, and the
//! size limit with a change of thousands of findings.

#[allow(dead_code)]
mod common;

use common::{empty_repo, finding};
use dockgrade::finding::Outcome;
use dockgrade::pr_comment::body::{render, render_within, MAX_BODY_BYTES};
use dockgrade::pr_comment::links::BlobLinks;
use dockgrade::pr_comment::{FolderChange, GradedPullRequest};
use dockgrade::scorecard::{BlockerResult, ControlResult, RepoReport, Score, Verdict};

const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";

fn links() -> BlobLinks {
    BlobLinks::new("https://api.github.com", "acme/orders", HEAD, "")
}

/// Both sides of a pull request against `origin/main`, with the graded folder on both.
fn graded(base: RepoReport, head: RepoReport) -> GradedPullRequest {
    GradedPullRequest {
        base,
        head,
        head_commit: HEAD.to_string(),
        base_ref: "origin/main".to_string(),
        prefix: String::new(),
        folder: FolderChange::Kept,
        uncommitted: false,
    }
}

fn report(grade: &str, passed: usize, commit: &str) -> RepoReport {
    let mut report = empty_repo("acme/orders", grade);
    report.score = Some(Score {
        passed,
        applicable: 7,
    });
    report.commit = Some(commit.to_string());
    report
}

fn control(verdict: Verdict, findings: Vec<dockgrade::finding::Finding>) -> ControlResult {
    ControlResult {
        verdict,
        findings,
        waiver: None,
    }
}

/// Builds a head with `count` failing non-root findings, each with a multi-byte message, and a new
/// blocker.
fn head_with_findings(count: usize) -> RepoReport {
    let mut head = report("F", 3, HEAD);
    let findings = (1..=count)
        .map(|line| {
            finding(
                "non-root",
                Outcome::Fail,
                &format!("services/svc-{line:05}/Dockerfile"),
                line,
                "USER root",
                "USER root läuft als root — ünïcödé 🐳 | `tick`",
                "Add USER 10001.",
            )
        })
        .collect();
    head.controls
        .insert("non-root".to_string(), control(Verdict::Fail, findings));
    head.blockers.push(BlockerResult {
        id: "docker-socket".to_string(),
        findings: vec![finding(
            "docker-socket",
            Outcome::Fail,
            "compose.yaml",
            9,
            "- /var/run/docker.sock:/var/run/docker.sock",
            "mounts the Docker socket",
            "Remove the mount.",
        )],
        waiver: None,
    });
    head
}

fn base() -> RepoReport {
    let mut base = report("A", 7, "fedcba9876543210fedcba9876543210fedcba98");
    base.controls
        .insert("non-root".to_string(), control(Verdict::Pass, Vec::new()));
    base
}

#[test]
fn body_lists_changes_with_links() {
    let body = render(&graded(base(), head_with_findings(2)), &links()).unwrap();

    assert!(
        body.starts_with("<!-- dockgrade:pr-comment -->\n### dockgrade: grade A (7/7) → F (3/7)\n"),
        "{body}"
    );
    assert!(
        body.contains(
            "Base `fedcba9` (the merge base of the head and `origin/main`) → head `0123456`."
        ),
        "{body}"
    );
    assert!(body.contains("| Non-Root | ✅ pass | ❌ fail |"), "{body}");
    assert!(body.contains("**Blockers**"), "{body}");
    assert!(body.contains("(`docker-socket`): new"), "{body}");
    assert!(body.contains("**New findings (3)**"), "{body}");
    assert!(body.contains(&format!(
        "[`services/svc-00002/Dockerfile:2`](https://github.com/acme/orders/blob/{HEAD}/services/svc-00002/Dockerfile#L2)"
    )), "{body}");
    assert!(!body.contains("not listed"), "{body}");
}

#[test]
fn body_lists_fixed_findings() {
    let body = render(&graded(head_with_findings(1), base()), &links()).unwrap();

    assert!(body.contains("**Fixed findings (2)**"), "{body}");
    assert!(body.contains("(`docker-socket`): fixed"), "{body}");
    assert!(
        !body.contains("https://github.com/"),
        "fixed findings are not linked: {body}"
    );
}

/// Builds a head that could not be read, as the scan writes such a repository.
fn unreadable_head() -> RepoReport {
    let mut head = dockgrade::pipeline::error_report(
        "acme/orders",
        "acme/orders",
        "repository folder /checkout not found".to_string(),
    );
    head.commit = Some(HEAD.to_string());
    head
}

#[test]
fn body_of_unreadable_head_lists_errors_only() {
    let body = render(&graded(head_with_findings(2), unreadable_head()), &links()).unwrap();

    assert!(body.contains("grade F (3/7) → error"), "{body}");
    assert!(
        body.contains("The head could not be read, so no verdict, blocker or finding is compared."),
        "{body}"
    );
    assert!(
        body.contains("- New error: repository folder /checkout not found"),
        "{body}"
    );
    assert!(!body.contains("Fixed findings"), "{body}");
    assert!(!body.contains("| Control |"), "{body}");
    assert!(!body.contains("Blockers"), "{body}");
}

#[test]
fn readable_again_lists_no_findings() {
    let mut base = unreadable_head();
    base.commit = Some("fedcba9876543210fedcba9876543210fedcba98".to_string());
    let body = render(&graded(base, head_with_findings(2)), &links()).unwrap();

    assert!(body.contains("The base could not be read"), "{body}");
    assert!(
        body.contains("- Resolved error: repository folder"),
        "{body}"
    );
    assert!(!body.contains("New findings"), "{body}");
}

#[test]
fn body_without_change_is_short() {
    let body = render(&graded(base(), base()), &links()).unwrap();

    assert_eq!(
        body,
        "<!-- dockgrade:pr-comment -->\n### dockgrade: grade A (7/7), unchanged\n\n\
         No change: this pull request changes no grade, verdict, blocker or finding. \
         Base `fedcba9` (the merge base of the head and `origin/main`), head `fedcba9`.\n"
    );
}

#[test]
fn huge_change_fits_comment_limit() {
    let head = head_with_findings(5_000);

    let body = render(&graded(base(), head), &links()).unwrap();

    assert!(body.len() <= MAX_BODY_BYTES, "{} bytes", body.len());
    assert!(
        body.len() > MAX_BODY_BYTES - 2_000,
        "{} bytes: too much left out",
        body.len()
    );
    assert!(body.contains("**New findings (5001)**"));
    assert!(body.contains("(`docker-socket`): new"));
    let listed = body
        .lines()
        .filter(|line| line.starts_with("- ❌ ["))
        .count();
    let note = format!("*{} of 5001 findings are not listed", 5001 - listed);
    assert!(body.contains(&note), "missing {note:?}");
    assert!(body.contains("`dockgrade diff BASE.json HEAD.json`"));
    assert!(
        body.ends_with("locally.*\n"),
        "{}",
        &body[body.len() - 200..]
    );
    // The blocker's finding comes first, so it is kept.
    assert!(body.contains("[`compose.yaml:9`]"));
    // Every listed item is whole: it ends with its quoted line.
    for line in body.lines().filter(|line| line.starts_with("- ❌ [")) {
        assert!(line.ends_with(")"), "cut item: {line}");
        assert_eq!(
            line.matches('`').count() % 2,
            0,
            "unbalanced code span: {line}"
        );
    }
}

#[test]
fn tiny_limit_keeps_summary() {
    let head = head_with_findings(50);

    let body = render_within(&graded(base(), head.clone()), &links(), 1_200).unwrap();

    assert!(body.len() <= 1_200, "{} bytes", body.len());
    assert!(body.contains("| Non-Root | ✅ pass | ❌ fail |"), "{body}");
    assert!(body.contains("findings are not listed"), "{body}");

    let minimal = render_within(&graded(base(), head), &links(), 300).unwrap();
    assert!(minimal.len() <= 300, "{} bytes: {minimal}", minimal.len());
    assert!(
        minimal.starts_with("<!-- dockgrade:pr-comment -->\n"),
        "{minimal}"
    );
    assert!(minimal.contains("too large for a comment"), "{minimal}");
}

#[test]
fn body_keeps_repository_text_from_mentioning() {
    let mut head = head_with_findings(0);
    head.controls.insert(
        "non-root".to_string(),
        control(
            Verdict::Fail,
            vec![finding(
                "non-root",
                Outcome::Fail,
                "@ops/Dockerfile",
                3,
                "USER @root",
                "runs as root, ask @alice or @acme/platform, see #123 and acme/orders#7",
                "Add USER 10001.",
            )],
        ),
    );
    head.errors.push(dockgrade::scorecard::RepoError {
        path: Some("@bob/compose.yaml".to_string()),
        message: "cannot parse, ping @carol (GH-12)".to_string(),
    });

    let body = render(&graded(base(), head), &links()).unwrap();

    for reference in ["@alice", "@acme", "@bob", "@carol", "#123", "orders#7"] {
        let (sign, rest) = reference.split_at(reference.find(['@', '#']).unwrap() + 1);
        assert!(
            body.contains(&format!("{sign}\u{200b}{rest}")),
            "{reference} is not broken: {body}"
        );
        assert!(!body.contains(reference), "{reference} mentions: {body}");
    }
    assert!(body.contains("GH-\u{200b}12"), "{body}");
    // Code spans are left as they are: GitHub finds no mention inside one.
    assert!(body.contains("`@ops/Dockerfile:3`"), "{body}");
    assert!(body.contains("(`USER @root`)"), "{body}");
}

#[test]
fn body_names_folder_the_pull_request_adds() {
    let mut pull_request = graded(empty_repo("acme/orders", "—"), base());
    pull_request.prefix = "services/orders/".to_string();
    pull_request.folder = FolderChange::Added;

    let body = render(&pull_request, &links()).unwrap();

    assert!(
        body.contains("This pull request adds the folder `services/orders`. The base has no such folder, so it is graded as an empty repository."),
        "{body}"
    );
    assert!(body.contains("grade — → A (7/7)"), "{body}");

    pull_request.folder = FolderChange::Removed;
    let body = render(&pull_request, &links()).unwrap();
    assert!(
        body.contains("This pull request removes the folder `services/orders`."),
        "{body}"
    );
}
