//! `dockgrade pr-comment` end to end: git repositories with a base and a head commit built in
//! a temporary folder, and the fake GitHub for the comment.

mod fake_github;
mod git_repo;

use assert_cmd::Command;
use fake_github::comments::{Account, WriteFault};
use fake_github::FakeGitHub;
use git_repo::{copy_folder, fleet_example, git, text};
use std::path::PathBuf;
use tempfile::TempDir;

const TOKEN: &str = "ghp_pr-cli-test-token-0123456789";
const BOT: &str = "dock-bot";
const REPOSITORY: &str = "acme/orders";

/// A repository whose `main` branch has the orders-api example graded A at `prefix`, and whose
/// checked-out `feature` branch runs it as root with unpinned base images.
struct PullRequestClone {
    folder: TempDir,
    prefix: &'static str,
    head: String,
}

impl PullRequestClone {
    fn new(prefix: &'static str) -> PullRequestClone {
        let folder = TempDir::new().unwrap();
        let root = folder.path();
        git(root, &["init", "-q", "-b", "main"]);

        copy_folder(&fleet_example("orders-api"), &root.join(prefix));
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);

        git(root, &["checkout", "-q", "-b", "feature"]);
        let dockerfile = root.join(prefix).join("Dockerfile");
        let text = std::fs::read_to_string(&dockerfile).unwrap();
        let changed: String = text
            .lines()
            .map(|line| match line {
                _ if line.starts_with("USER ") => "USER root".to_string(),
                _ if line.starts_with("FROM ") => match line.split_once('@') {
                    Some((image, rest)) => {
                        let stage = rest.split_once(' ').map(|(_, stage)| stage);
                        match stage {
                            Some(stage) => format!("{image} {stage}"),
                            None => image.to_string(),
                        }
                    }
                    None => line.to_string(),
                },
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&dockerfile, changed + "\n").unwrap();

        git(root, &["commit", "-q", "-a", "-m", "head"]);
        let head = git(root, &["rev-parse", "HEAD"]);
        PullRequestClone {
            folder,
            prefix,
            head,
        }
    }

    fn graded_folder(&self) -> PathBuf {
        self.folder.path().join(self.prefix)
    }
}

fn command(clone: &PullRequestClone, api_url: &str) -> Command {
    let mut command = Command::cargo_bin("dockgrade").expect("binary is built");
    command
        .arg("pr-comment")
        .args(["--repo", REPOSITORY, "--pr", "7", "--base-ref", "main"])
        .args(["--api-url", api_url, "--today", "2026-06-01"])
        .arg(clone.graded_folder())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_API_URL")
        .env_remove("DOCKGRADE_LOG");
    command
}

fn start_fake() -> (
    tokio::runtime::Runtime,
    FakeGitHub,
    fake_github::comments::Comments,
) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    let comments = runtime.block_on(fake.serve_comments(REPOSITORY, 7));
    comments.add_token(TOKEN, Account::User(BOT.to_string()));
    (runtime, fake, comments)
}

#[test]
fn dry_run_prints_body_without_requests() {
    let (runtime, fake, _comments) = start_fake();
    let clone = PullRequestClone::new(".");

    let output = command(&clone, &fake.api_url())
        .arg("--dry-run")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let body = text(&output.stdout);
    assert!(
        body.starts_with("<!-- dockgrade:pr-comment -->\n"),
        "{body}"
    );
    assert!(
        body.contains("### dockgrade: grade A (7/7) → B (5/7)"),
        "{body}"
    );
    assert!(body.contains("| Non-Root | ✅ pass | ❌ fail |"), "{body}");
    // The fake's address is not a GitHub API address, so no web host is derived from it.
    assert!(body.contains("- ❌ `Dockerfile:11` `non-root`:"), "{body}");
    assert!(runtime.block_on(fake.requests()).is_empty());
}

#[test]
fn dry_run_leaves_index_and_worktrees() {
    let clone = PullRequestClone::new(".");
    std::fs::write(clone.folder.path().join("notes.txt"), "untracked\n").unwrap();
    let status_before = git(clone.folder.path(), &["status", "--porcelain"]);

    let output = command(&clone, "http://127.0.0.1:9")
        .arg("--dry-run")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        git(clone.folder.path(), &["status", "--porcelain"]),
        status_before
    );
    let worktrees = git(clone.folder.path(), &["worktree", "list"]);
    assert_eq!(worktrees.lines().count(), 1, "{worktrees}");
}

#[test]
fn subfolder_links_carry_prefix() {
    let clone = PullRequestClone::new("services/orders");

    let output = command(&clone, "https://ghe.example.com/api/v3")
        .arg("--dry-run")
        .output()
        .unwrap();

    let body = text(&output.stdout);
    let link = format!(
        "https://ghe.example.com/{REPOSITORY}/blob/{}/services/orders/Dockerfile#L",
        clone.head
    );
    assert!(body.contains(&link), "{body}");
}

#[test]
fn post_creates_then_keeps_then_edits() {
    let (runtime, fake, comments) = start_fake();
    let clone = PullRequestClone::new(".");

    let first = command(&clone, &fake.api_url()).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stderr).contains("created comment"),
        "{}",
        text(&first.stderr)
    );
    assert!(first.stdout.is_empty());
    let created = comments.all();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].author, BOT);

    let second = command(&clone, &fake.api_url()).output().unwrap();
    assert!(
        text(&second.stderr).contains("left unchanged"),
        "{}",
        text(&second.stderr)
    );

    let root = clone.folder.path();
    std::fs::write(root.join("Dockerfile.debug"), "FROM alpine\n").unwrap();
    git(root, &["add", "Dockerfile.debug"]);
    git(root, &["commit", "-q", "-m", "debug image"]);
    let third = command(&clone, &fake.api_url()).output().unwrap();
    assert!(
        text(&third.stderr).contains("updated comment"),
        "{}",
        text(&third.stderr)
    );

    let all = comments.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, created[0].id);
    assert_ne!(all[0].body, created[0].body);
    let writes: Vec<String> = runtime
        .block_on(fake.requests())
        .into_iter()
        .filter(|request| request.starts_with("POST /repos") || request.starts_with("PATCH"))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
}

#[test]
fn read_only_token_prints_body() {
    let (_runtime, fake, comments) = start_fake();
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "Resource not accessible by integration",
    )]);
    let clone = PullRequestClone::new(".");

    let output = command(&clone, &fake.api_url()).output().unwrap();

    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("the token cannot write comments"),
        "{stderr}"
    );
    assert!(stderr.contains("its body follows on stdout"), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("<!-- dockgrade:pr-comment -->"),
        "{stdout}"
    );
    assert!(!stderr.contains(TOKEN));
    assert!(!stdout.contains(TOKEN));
    assert!(comments.all().is_empty());
}

#[test]
fn read_only_token_writes_output_file() {
    let (_runtime, fake, comments) = start_fake();
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "Resource not accessible by integration",
    )]);
    let clone = PullRequestClone::new(".");
    let saved = clone.folder.path().join("comment.md");

    let output = command(&clone, &fake.api_url())
        .arg("--output")
        .arg(&saved)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let body = std::fs::read_to_string(&saved).unwrap();
    assert!(body.contains("grade A (7/7) → B (5/7)"), "{body}");
}

#[test]
fn api_failure_exits_one() {
    let (runtime, fake, _comments) = start_fake();
    runtime.block_on(
        fake.fault(
            fake_github::get_path("/issues/7/comments"),
            wiremock::ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({"message": "Not Found"})),
            10,
        ),
    );
    let clone = PullRequestClone::new(".");

    let output = command(&clone, &fake.api_url()).output().unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("listing the comments of acme/orders#7 failed: Not Found (HTTP 404)"),
        "{stderr}"
    );
}

#[test]
fn fail_under_exits_three_after_posting() {
    let (_runtime, fake, comments) = start_fake();
    let clone = PullRequestClone::new(".");

    let output = command(&clone, &fake.api_url())
        .args(["--fail-under", "A"])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(3));
    assert_eq!(comments.all().len(), 1);
}

#[test]
fn missing_token_is_usage_error() {
    let clone = PullRequestClone::new(".");

    let output = command(&clone, "http://127.0.0.1:9")
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("set GITHUB_TOKEN or GH_TOKEN"));
}

#[test]
fn outside_work_tree_is_usage_error() {
    let folder = TempDir::new().unwrap();

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7"])
        .args(["--base-ref", "main", "--dry-run"])
        .arg(folder.path())
        .env("GIT_CEILING_DIRECTORIES", folder.path().parent().unwrap())
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("is not inside a git work tree"), "{stderr}");
}

#[test]
fn base_ref_defaults_to_actions_variable() {
    let origin = PullRequestClone::new(".");
    let clone_folder = TempDir::new().unwrap();
    let clone = clone_folder.path().join("clone");
    let source = format!("file://{}", origin.folder.path().display());
    git(
        clone_folder.path(),
        &["clone", "-q", "--branch", "feature", &source, "clone"],
    );

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7", "--dry-run"])
        .arg(&clone)
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("grade A (7/7) → B (5/7)"));
}

#[test]
fn shallow_clone_names_fetch_depth() {
    let origin = PullRequestClone::new(".");
    let clone_folder = TempDir::new().unwrap();
    let clone = clone_folder.path().join("clone");
    let source = format!("file://{}", origin.folder.path().display());
    git(
        clone_folder.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &source, "clone",
        ],
    );

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7", "--dry-run"])
        .arg(&clone)
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("base ref `origin/main` not found"),
        "{stderr}"
    );
    assert!(stderr.contains("(the clone is shallow)"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    assert!(stderr.contains("git fetch origin main"), "{stderr}");
}

#[test]
fn body_file_posts_saved_body() {
    let (_runtime, fake, comments) = start_fake();
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "Resource not accessible by integration",
    )]);
    let clone = PullRequestClone::new(".");
    let saved = clone.folder.path().join("comment.md");
    let fork_run = command(&clone, &fake.api_url())
        .arg("--output")
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(fork_run.status.code(), Some(0));

    let folder = TempDir::new().unwrap();
    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7"])
        .args(["--api-url", &fake.api_url()])
        .arg("--body-file")
        .arg(&saved)
        .arg(folder.path())
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let all = comments.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].body, std::fs::read_to_string(&saved).unwrap());
}

#[test]
fn body_file_without_marker_is_rejected() {
    let folder = TempDir::new().unwrap();
    let saved = folder.path().join("comment.md");
    std::fs::write(&saved, "Hello\n").unwrap();

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7", "--dry-run"])
        .arg("--body-file")
        .arg(&saved)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is not a dockgrade comment body"));
}

#[test]
fn head_settings_file_waives_control() {
    let clone = PullRequestClone::new(".");
    let root = clone.folder.path();
    std::fs::write(
        root.join(".dockgrade.toml"),
        "[[waiver]]\nid = \"non-root\"\nreason = \"The init system drops privileges.\"\nexpires = 2027-01-31\n",
    )
    .unwrap();
    git(root, &["add", ".dockgrade.toml"]);
    git(root, &["commit", "-q", "-m", "waive non-root"]);

    let output = command(&clone, "http://127.0.0.1:9")
        .arg("--dry-run")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let body = text(&output.stdout);
    assert!(
        body.contains("| Non-Root | ✅ pass | ✅ waived |"),
        "{body}"
    );
    assert!(body.contains("grade A (7/7) → B (6/7)"), "{body}");
}

#[test]
fn invalid_base_settings_file_is_base_error() {
    let folder = TempDir::new().unwrap();
    let root = folder.path();
    git(root, &["init", "-q", "-b", "main"]);
    copy_folder(&fleet_example("orders-api"), root);
    std::fs::write(root.join(".dockgrade.toml"), "name = \"orders\"\n").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base = git(root, &["rev-parse", "--short=7", "HEAD"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    git(root, &["rm", "-q", ".dockgrade.toml"]);
    git(root, &["commit", "-q", "-m", "head"]);

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7"])
        .args(["--base-ref", "main", "--dry-run"])
        .arg(root)
        .output()
        .unwrap();

    // The pull request fixes its base, so the run succeeds and the comment names the file.
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("grade error → A (7/7)"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "- Resolved error: invalid settings file: {base}:.dockgrade.toml"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("dockgrade-tree-"), "{stdout}");
    assert!(!stderr.contains("dockgrade-tree-"), "{stderr}");
}

#[test]
fn invalid_head_settings_file_is_usage_error() {
    let clone = PullRequestClone::new(".");
    let root = clone.folder.path();
    std::fs::write(root.join(".dockgrade.toml"), "name = \"orders\"\n").unwrap();
    git(root, &["add", ".dockgrade.toml"]);
    git(root, &["commit", "-q", "-m", "bad settings"]);
    let head = git(root, &["rev-parse", "--short=7", "HEAD"]);

    let output = command(&clone, "http://127.0.0.1:9")
        .arg("--dry-run")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("the head of the pull request has an invalid settings file"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{head}:.dockgrade.toml")),
        "{stderr}"
    );
    assert!(!stderr.contains("dockgrade-tree-"), "{stderr}");
}

#[test]
fn branch_name_resolves_to_origin() {
    let origin = PullRequestClone::new(".");
    let clone_folder = TempDir::new().unwrap();
    let clone = clone_folder.path().join("clone");
    let source = format!("file://{}", origin.folder.path().display());
    git(
        clone_folder.path(),
        &["clone", "-q", "--branch", "feature", &source, "clone"],
    );

    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7"])
        .args(["--base-ref", "main", "--dry-run"])
        .arg(&clone)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("grade A (7/7) → B (5/7)"));
}

/// A `--body-file` run only posts, so a refused post fails it, unlike a grading run whose post
/// is refused.
#[test]
fn body_file_refused_post_exits_1() {
    let (_runtime, fake, comments) = start_fake();
    let clone = PullRequestClone::new(".");
    let saved = clone.folder.path().join("comment.md");
    let dry_run = command(&clone, &fake.api_url())
        .arg("--dry-run")
        .arg("--output")
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(dry_run.status.code(), Some(0), "{}", text(&dry_run.stderr));
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "Resource not accessible by integration",
    )]);

    let folder = TempDir::new().unwrap();
    let output = Command::cargo_bin("dockgrade")
        .unwrap()
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "7"])
        .args(["--api-url", &fake.api_url()])
        .arg("--body-file")
        .arg(&saved)
        .arg(folder.path())
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("error:"));
    assert!(comments.all().is_empty());
}
