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
    let output = dockgrade()
        .args(["scan", "--today", today, "--format", "json", "--config"])
        .arg(config)
        .arg("--output")
        .arg(report)
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
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
fn removed_and_added_repositories() {
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
    assert_eq!(value["removed"].as_array().map(Vec::len), Some(12));
    assert_eq!(value["added"].as_array().map(Vec::len), Some(1));
    assert_eq!(value["added"][0]["name"], "orders-api");
    assert_eq!(value["is_worse"], false);
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
            "not a dockgrade JSON report",
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
