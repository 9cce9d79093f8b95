//! `dockgrade diff` end to end: JSON reports of the example fleet, scanned before and after a
//! change to a copy of one fleet repository, compared by the binary. Every file a test writes
//! goes to a temporary folder.

mod binary;

use binary::{copy_folder, dockgrade, manifest_dir, stderr_of, stdout_of};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A date after the fleet's expired waiver (2024-01-01) and before the others (2099-12-31).
const TODAY: &str = "2026-06-01";

/// Scans the repos.toml at `config` as of `today` and writes the JSON report to `report`.
fn scan_json(config: &Path, today: &str, report: &Path) {
    scan_json_exiting(config, today, report, 0);
}

/// Scans as [`scan_json`] does and asserts the exit code: 4 when a repository cannot be read.
fn scan_json_exiting(config: &Path, today: &str, report: &Path, code: i32) {
    let output = dockgrade()
        .args(["scan", "--today", today, "--format", "json", "--config"])
        .arg(config)
        .arg("--output")
        .arg(report)
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(code),
        "scan failed: {}",
        stderr_of(&output)
    );
}

/// A temporary copy of the example fleet with its repos.toml, and the JSON report of the
/// unchanged fleet at the repository root.
struct Fleet {
    folder: TempDir,
    old_report: PathBuf,
}

impl Fleet {
    fn new() -> Self {
        let folder = TempDir::new().expect("temporary folder");
        std::fs::copy(
            manifest_dir().join("repos.toml"),
            folder.path().join("repos.toml"),
        )
        .expect("copy repos.toml");
        copy_folder(
            &manifest_dir().join("examples/fleet"),
            &folder.path().join("examples/fleet"),
        );
        let old_report = folder.path().join("old.json");
        scan_json(&manifest_dir().join("repos.toml"), TODAY, &old_report);
        Fleet { folder, old_report }
    }

    /// Returns the path of a file in the copy of a fleet repository.
    fn file(&self, repo: &str, name: &str) -> PathBuf {
        self.folder
            .path()
            .join("examples/fleet")
            .join(repo)
            .join(name)
    }

    /// Rewrites a file of the copy with `edit`.
    fn edit(&self, repo: &str, name: &str, edit: impl FnOnce(String) -> String) {
        let path = self.file(repo, name);
        let text = std::fs::read_to_string(&path).expect("read the fleet file");
        std::fs::write(&path, edit(text)).expect("write the fleet file");
    }

    /// Scans the copy as of `today` and returns the path of its JSON report.
    fn scan_copy(&self, today: &str) -> PathBuf {
        let report = self.folder.path().join("new.json");
        scan_json(&self.folder.path().join("repos.toml"), today, &report);
        report
    }
}

/// Runs `dockgrade diff OLD NEW` with extra arguments.
fn diff(old: &Path, new: &Path, extra: &[&str]) -> std::process::Output {
    dockgrade()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(extra)
        .output()
        .expect("dockgrade runs")
}

/// Returns a fleet copy where orders-api (grade A) runs as root and privileged, so non-root
/// fails and a blocker appears, and the JSON report of that copy.
fn worse_fleet() -> (Fleet, PathBuf) {
    let fleet = Fleet::new();
    fleet.edit("orders-api", "Dockerfile", |text| {
        text.replace("USER 65532:65532", "USER root")
    });
    fleet.edit("orders-api", "compose.yaml", |text| {
        text.replace(
            "    read_only: true\n",
            "    read_only: true\n    privileged: true\n",
        )
    });
    let report = fleet.scan_copy(TODAY);
    (fleet, report)
}

#[test]
fn unchanged_fleet_has_no_changes() {
    let fleet = Fleet::new();
    let new = fleet.scan_copy(TODAY);
    let output = diff(&fleet.old_report, &new, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        "# Scorecard changes\n\nNo changes: 12 repositories compared, none changed.\n"
    );
}

#[test]
fn line_shift_is_no_change() {
    let fleet = Fleet::new();
    // legacy-billing fails several controls with findings on its FROM and RUN lines.
    fleet.edit("legacy-billing", "Dockerfile", |text| {
        format!("# Billing service.\n# Built with Maven.\n{text}")
    });
    let new = fleet.scan_copy(TODAY);
    let shifted = std::fs::read_to_string(&new).expect("read the new report");
    assert!(
        shifted.contains("\"line\": 3"),
        "the findings moved down two lines"
    );

    let output = diff(&fleet.old_report, &new, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["has_changes"], false, "{value:#}");
    assert_eq!(value["unchanged"], 12);
}

#[test]
fn worse_change_markdown_snapshot() {
    let (fleet, new) = worse_fleet();
    let output = diff(&fleet.old_report, &new, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    insta::assert_snapshot!(stdout_of(&output));
}

#[test]
fn worse_change_json_snapshot() {
    let (fleet, new) = worse_fleet();
    let output = diff(&fleet.old_report, &new, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["is_worse"], true);
    insta::assert_snapshot!(stdout_of(&output));
}

#[test]
fn fail_on_worse_exits_3_and_names_changes() {
    let (fleet, new) = worse_fleet();
    let output = diff(&fleet.old_report, &new, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("orders-api: grade A → F"), "{stderr}");
    assert!(
        stderr.contains("orders-api: non-root pass → fail"),
        "{stderr}"
    );
    assert!(
        stderr.contains("orders-api: blocker privileged"),
        "{stderr}"
    );
    assert!(
        stdout_of(&output).contains("## orders-api"),
        "the change is still printed"
    );
}

#[test]
fn fixed_change_is_not_worse() {
    let (fleet, worse) = worse_fleet();
    // Comparing the other way round: the worse report is the old one.
    let output = diff(&worse, &fleet.old_report, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("Privileged container** (`privileged`): fixed"),
        "{stdout}"
    );
    assert!(stdout.contains("- Fixed ❌ `Dockerfile:11`"), "{stdout}");
    assert!(stdout.contains("❌ fail → ✅ pass"), "{stdout}");
}

#[test]
fn waiver_expiry_is_listed() {
    let fleet = Fleet::new();
    // Before 2024-01-01 legacy-billing's non-root waiver still applies.
    let waived = fleet.folder.path().join("waived.json");
    scan_json(&manifest_dir().join("repos.toml"), "2023-12-01", &waived);
    let output = diff(&waived, &fleet.old_report, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("### Waivers newly expired"), "{stdout}");
    assert!(
        stdout.contains("- `non-root` expired after 2024-01-01 and no longer applies"),
        "{stdout}"
    );
    assert!(stdout.contains("✅ waived → ❌ fail"), "{stdout}");

    let strict = diff(&waived, &fleet.old_report, &["--fail-on-worse"]);
    assert_eq!(
        strict.status.code(),
        Some(3),
        "an expired waiver makes non-root fail"
    );
    let stderr = stderr_of(&strict);
    assert!(
        stderr.contains("legacy-billing: non-root waived → fail"),
        "{stderr}"
    );
}

#[test]
fn removed_and_moved_repositories() {
    let fleet = Fleet::new();
    let orders = fleet.folder.path().join("examples/fleet/orders-api");
    let single = fleet.folder.path().join("single.json");
    dockgrade()
        .args(["check", "--today", TODAY, "--format", "json", "--output"])
        .arg(&single)
        .arg(&orders)
        .assert()
        .code(0);
    let output = diff(&fleet.old_report, &single, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // orders-api is in both, under another source: its name is unique on both sides, so it
    // pairs as a moved repository and the other eleven are removed.
    assert_eq!(value["removed"].as_array().map(Vec::len), Some(11));
    assert_eq!(value["added"].as_array().map(Vec::len), Some(0));
    assert_eq!(value["changed"][0]["name"], "orders-api");
    assert_eq!(
        value["changed"][0]["old_source"],
        "examples/fleet/orders-api"
    );
    assert_eq!(value["is_worse"], false);
}

/// Scans the fleet copy, where a repository cannot be read, and returns the JSON report. The
/// scan exits 4 because of that repository.
fn scan_unreadable_copy(fleet: &Fleet) -> PathBuf {
    let report = fleet.folder.path().join("new.json");
    let config = fleet.folder.path().join("repos.toml");
    scan_json_exiting(&config, TODAY, &report, 4);
    report
}

/// Rewrites the copy's repos.toml with `edit`.
fn edit_config(fleet: &Fleet, edit: impl FnOnce(String) -> String) {
    let path = fleet.folder.path().join("repos.toml");
    let text = std::fs::read_to_string(&path).expect("read repos.toml");
    std::fs::write(&path, edit(text)).expect("write repos.toml");
}

#[test]
fn unreadable_repository_lists_no_fixed_findings() {
    let fleet = Fleet::new();
    let folder = fleet.folder.path().join("examples/fleet/report-worker");
    std::fs::remove_dir_all(&folder).expect("remove the repository");
    std::fs::write(&folder, "not a folder\n").expect("write a file in its place");
    let new = scan_unreadable_copy(&fleet);

    let output = diff(&fleet.old_report, &new, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("| report-worker | C (3/7) → error | — | not compared: could not be read in the new report |"),
        "{text}"
    );
    assert!(!text.contains("Fixed"), "{text}");
    assert!(!text.contains("→ n/a"), "{text}");
    assert!(text.contains("- New: repository path "), "{text}");
    assert!(
        stderr_of(&output).contains("report-worker: error: repository path"),
        "{}",
        stderr_of(&output)
    );

    let output = diff(&fleet.old_report, &new, &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let changed = &value["changed"][0];
    assert_eq!(changed["name"], "report-worker");
    assert_eq!(changed["reading"], "became-unreadable");
    assert_eq!(changed["controls"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        changed["other_findings"]["fixed"].as_array().map(Vec::len),
        Some(0)
    );

    let output = diff(&new, &fleet.old_report, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("could not be read in the old report"),
        "{text}"
    );
    assert!(!text.contains("- New "), "{text}");
}

#[test]
fn added_unreadable_repository_is_worse() {
    let fleet = Fleet::new();
    edit_config(&fleet, |text| {
        text + "\n[[repo]]\nname = \"late-arrival\"\npath = \"examples/fleet/late-arrival\"\n"
    });
    let new = scan_unreadable_copy(&fleet);
    let output = diff(&fleet.old_report, &new, &["--fail-on-worse"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("late-arrival: error: repository folder"),
        "{stderr}"
    );
}

#[test]
fn moved_repository_is_compared_by_name() {
    let fleet = Fleet::new();
    edit_config(&fleet, |text| {
        text.replace(
            "path = \"examples/fleet/storefront-web\"",
            "path = \"examples/fleet/storefront\"",
        )
    });
    let new = scan_unreadable_copy(&fleet);

    let output = diff(
        &fleet.old_report,
        &new,
        &["--format", "json", "--fail-on-worse"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));

    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        value["added"].as_array().map(Vec::len),
        Some(0),
        "{value:#}"
    );
    assert_eq!(
        value["removed"].as_array().map(Vec::len),
        Some(0),
        "{value:#}"
    );

    let changed = &value["changed"][0];
    assert_eq!(changed["name"], "storefront-web");
    assert_eq!(changed["old_source"], "examples/fleet/storefront-web");
    assert_eq!(changed["source"], "examples/fleet/storefront");
    assert_eq!(value["worsenings"][0]["kind"], "new-error");
}

#[test]
fn output_flag_writes_file() {
    let (fleet, new) = worse_fleet();
    let written = fleet.folder.path().join("change.md");
    let output = diff(
        &fleet.old_report,
        &new,
        &["--output", written.to_str().expect("UTF-8 path")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(output.stdout.is_empty(), "the change also went to stdout");
    let text = std::fs::read_to_string(&written).expect("the output file exists");
    assert!(text.starts_with("# Scorecard changes\n"), "{text}");
}

/// Writes `text` to `name` in `folder`, runs `diff` with it as the new report against a valid
/// one, and returns the exit code and stderr.
fn diff_bad_input(folder: &TempDir, name: &str, text: &str) -> (Option<i32>, String) {
    let valid = folder.path().join("valid.json");
    scan_json(&manifest_dir().join("repos.toml"), TODAY, &valid);
    let bad = folder.path().join(name);
    std::fs::write(&bad, text).expect("write the bad input");
    let output = diff(&valid, &bad, &[]);
    assert!(output.stdout.is_empty(), "a change was printed");
    (output.status.code(), stderr_of(&output))
}

#[test]
fn bad_inputs_exit_2_and_name_file() {
    let folder = TempDir::new().expect("temporary folder");
    let cases = [
        (
            "older.json",
            r#"{"tool": "dockgrade", "version": "0.0.9", "repos": []}"#,
            "older than schema version 1",
        ),
        (
            "newer.json",
            r#"{"schema_version": 2, "tool": "dockgrade", "version": "9.0.0", "repos": []}"#,
            "the report has schema version 2 (written by dockgrade 9.0.0)",
        ),
        ("text.json", "| Repo | Score |\n", "not valid JSON"),
        (
            "report.sarif",
            r#"{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}"#,
            "this is a SARIF log",
        ),
        (
            "change.json",
            r#"{"schema_version": 1, "tool": "dockgrade", "version": "0.1.0", "has_changes": false, "is_worse": false, "worsenings": [], "added": [], "removed": [], "changed": [], "unchanged": 12}"#,
            "this is the JSON output of `dockgrade diff`, not a scorecard",
        ),
        (
            "report.html",
            "<!DOCTYPE html>\n<html lang=\"en\"><body></body></html>\n",
            "this is an HTML file",
        ),
    ];
    for (name, text, expected) in cases {
        let (code, stderr) = diff_bad_input(&folder, name, text);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        let path = folder.path().join(name);
        let prefix = format!("error: {}: ", path.display());
        assert!(stderr.starts_with(&prefix), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}

#[test]
fn missing_files_are_both_named() {
    let folder = TempDir::new().expect("temporary folder");
    let old = folder.path().join("old.json");
    let new = folder.path().join("new.json");
    let output = diff(&old, &new, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("error: {}: cannot read the file", old.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {}: cannot read the file", new.display())),
        "{stderr}"
    );
}

/// A repository that the new report read from GitHub links its new findings to the file at the
/// graded commit. Repositories read from local folders get no links.
#[test]
fn new_findings_link_to_commit() {
    let (fleet, new) = worse_fleet();
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&new).expect("read the new report"))
            .expect("JSON");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    for repo in report["repos"].as_array_mut().expect("repos") {
        if repo["name"] == "orders-api" {
            repo["web_url"] = "https://github.com/acme/orders-api".into();
            repo["commit"] = commit.into();
        }
    }
    std::fs::write(&new, serde_json::to_string(&report).expect("serializes")).expect("write");

    let output = diff(&fleet.old_report, &new, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    let prefix = format!("](https://github.com/acme/orders-api/blob/{commit}/");
    assert!(
        text.contains(&format!("{prefix}Dockerfile#L11)")),
        "no link to the Dockerfile line:\n{text}"
    );
    assert!(
        text.contains(&format!("{prefix}compose.yaml#L7)")),
        "no link to the Compose line:\n{text}"
    );
    assert_eq!(
        text.matches("](").count(),
        text.matches(&prefix).count(),
        "a link that is not a file at the graded commit:\n{text}"
    );
}

/// A shard's report against the whole fleet's is compared, with a warning that names the
/// shard, since most repositories then show as added.
#[test]
fn shard_report_gets_a_warning() {
    let fleet = Fleet::new();
    let shard = fleet.folder.path().join("shard.json");
    let output = dockgrade()
        .args([
            "scan", "--today", TODAY, "--format", "json", "--shard", "1/4",
        ])
        .arg("--config")
        .arg(manifest_dir().join("repos.toml"))
        .arg("--output")
        .arg(&shard)
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));

    let output = diff(&shard, &fleet.old_report, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("covers shard 1/4 only"), "{stderr}");
    assert!(stderr.contains("dockgrade merge"), "{stderr}");
}
