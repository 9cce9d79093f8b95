//! `dockgrade pr-comment` on the two sides of a pull request: the base graded at the merge
//! base, a folder that only one side has, histories without a merge base, and a work tree with
//! uncommitted changes. Every run is a dry run, so no request is made.

mod git_repo;

use assert_cmd::Command;
use git_repo::{commit_all, copy_folder, fleet_example, git, text};
use std::path::Path;
use tempfile::TempDir;

const REPOSITORY: &str = "acme/shop";

/// Runs `pr-comment --dry-run` on `path` against `base_ref`.
fn dry_run(path: &Path, base_ref: &str) -> std::process::Output {
    Command::cargo_bin("dockgrade")
        .expect("binary is built")
        .args(["pr-comment", "--repo", REPOSITORY, "--pr", "1", "--dry-run"])
        .args(["--base-ref", base_ref, "--today", "2026-06-01"])
        .arg(path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("DOCKGRADE_LOG")
        .output()
        .unwrap()
}

/// Starts a repository whose `main` branch has the storefront-web example (grade B) at `prefix`
/// (`.` for the top).
fn storefront(prefix: &str) -> TempDir {
    let folder = TempDir::new().unwrap();
    let root = folder.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("NOTES.md"), "notes\n").unwrap();
    copy_folder(&fleet_example("storefront-web"), &root.join(prefix));
    commit_all(root, "storefront");
    folder
}

fn short_head(root: &Path) -> String {
    git(root, &["rev-parse", "--short=7", "HEAD"])
}

/// Asserts that no output of the run names a temporary folder of dockgrade's.
fn assert_no_temporary_path(output: &std::process::Output) {
    for stream in [text(&output.stdout), text(&output.stderr)] {
        assert!(!stream.contains("dockgrade-tree-"), "{stream}");
        assert!(!stream.contains("/tmp/"), "{stream}");
    }
}

#[test]
fn base_is_graded_at_merge_base() {
    let folder = storefront(".");
    let root = folder.path();
    let merge_base = short_head(root);
    git(root, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(root.join("README.md"), "# Storefront\n\nNew words.\n").unwrap();
    commit_all(root, "reword the readme");
    // After the branch split off, main makes the root filesystem read-only (grade A).
    git(root, &["checkout", "-q", "main"]);
    let compose = std::fs::read_to_string(root.join("compose.yaml")).unwrap();
    let hardened = compose.replace(
        "    cap_drop: [ALL]\n",
        "    cap_drop: [ALL]\n    read_only: true\n",
    );
    assert_ne!(compose, hardened, "the example changed");
    std::fs::write(root.join("compose.yaml"), hardened).unwrap();
    commit_all(root, "read-only root filesystem");
    git(root, &["checkout", "-q", "feature"]);

    let output = dry_run(root, "main");

    let body = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(body.contains("grade B (6/7), unchanged"), "{body}");
    assert!(
        body.contains(&format!(
            "Base `{merge_base}` (the merge base of the head and `main`)"
        )),
        "{body}"
    );
    assert!(!body.contains("New findings"), "{body}");
}

#[test]
fn folder_added_grades_empty_base() {
    let folder = storefront("web");
    let root = folder.path();
    git(root, &["rm", "-q", "-r", "web"]);
    git(root, &["commit", "-q", "-m", "no web yet"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    copy_folder(&fleet_example("storefront-web"), &root.join("svc"));
    commit_all(root, "add the storefront");

    let output = dry_run(&root.join("svc"), "main");

    let (body, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(body.contains("### dockgrade: grade — → B (6/7)"), "{body}");
    assert!(
        body.contains("This pull request adds the folder `svc`. The base has no such folder"),
        "{body}"
    );
    assert!(!body.contains("error"), "{body}");
    assert!(
        stderr.contains("note: the base commit has no folder svc: the pull request adds it"),
        "{stderr}"
    );
    assert_no_temporary_path(&output);
}

#[test]
fn folder_removed_grades_empty_head() {
    let folder = storefront("web");
    let root = folder.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    git(root, &["rm", "-q", "-r", "web"]);
    git(root, &["commit", "-q", "-m", "retire the storefront"]);
    assert!(!root.join("web").exists());

    let output = dry_run(&root.join("web"), "main");

    let (body, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(body.contains("### dockgrade: grade B (6/7) → —"), "{body}");
    assert!(
        body.contains("This pull request removes the folder `web`. The head has no such folder"),
        "{body}"
    );
    assert!(body.contains("**Fixed findings"), "{body}");
    assert!(
        stderr.contains("note: the head commit has no folder web: the pull request removes it"),
        "{stderr}"
    );
    assert_no_temporary_path(&output);
}

#[test]
fn folder_on_neither_side_is_usage_error() {
    let folder = storefront(".");
    let root = folder.path();
    git(root, &["checkout", "-q", "-b", "feature"]);

    let output = dry_run(&root.join("typo"), "main");

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("is a folder of neither the head commit"),
        "{stderr}"
    );
}

#[test]
fn unrelated_histories_are_usage_error() {
    let folder = storefront(".");
    let root = folder.path();
    git(root, &["checkout", "-q", "--orphan", "rewrite"]);
    std::fs::write(root.join("NOTES.md"), "rewritten\n").unwrap();
    commit_all(root, "start over");

    let output = dry_run(root, "main");

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("HEAD and base ref `main` share no commit"),
        "{stderr}"
    );
    assert!(stderr.contains("(unrelated histories)"), "{stderr}");
    assert!(stderr.contains("help: pass the branch"), "{stderr}");
}

#[test]
fn shallow_clone_without_merge_base_names_fetch_depth() {
    let origin = storefront(".");
    let origin_root = origin.path();
    git(origin_root, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(origin_root.join("README.md"), "# Storefront\n").unwrap();
    commit_all(origin_root, "reword the readme");
    git(origin_root, &["checkout", "-q", "main"]);
    std::fs::write(origin_root.join("NOTES.md"), "more notes\n").unwrap();
    commit_all(origin_root, "more notes");
    let clones = TempDir::new().unwrap();
    let source = format!("file://{}", origin_root.display());
    // Both branch tips, one commit deep each: the commit where they meet is not fetched.
    git(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &source,
            "clone",
        ],
    );

    let output = dry_run(&clones.path().join("clone"), "main");

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no merge base of HEAD and base ref `main`"),
        "{stderr}"
    );
    assert!(stderr.contains("(the clone is shallow)"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
}

#[test]
fn uncommitted_changes_are_not_graded() {
    let folder = storefront(".");
    let root = folder.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(root.join("Dockerfile.debug"), "FROM alpine\n").unwrap();
    let head = short_head(root);

    let output = dry_run(root, "main");

    let (body, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(body.contains("grade B (6/7), unchanged"), "{body}");
    assert!(
        stderr.contains(&format!(
            "has uncommitted changes, which are not graded: pr-comment grades the commit HEAD ({head})"
        )),
        "{stderr}"
    );
}

#[test]
fn waiver_reason_mentions_nobody() {
    let folder = storefront(".");
    let root = folder.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        root.join(".dockgrade.toml"),
        "[[waiver]]\nid = \"read-only\"\nreason = \"@alice approved in #12\"\nexpires = 2026-01-31\n",
    )
    .unwrap();
    commit_all(root, "waive read-only");

    let output = dry_run(root, "main");

    let body = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        body.contains("@\u{200b}alice approved in #\u{200b}12"),
        "{body}"
    );
    assert!(!body.contains("@alice"), "{body}");
}
