//! dockgrade grades itself: `dockgrade check .` at the repository root, with the repository's
//! `.dockgrade.toml` leaving out the example fleet and the test data, must give grade A.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::Path;

/// Runs `dockgrade check . --format json` in the repository root and returns the one row.
fn own_report() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = cargo_bin_cmd!("dockgrade")
        .current_dir(root)
        .args(["check", ".", "--format", "json", "--fail-under", "A"])
        .output()
        .expect("dockgrade runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");

    let scorecard: Value = serde_json::from_slice(&output.stdout).expect("the report is JSON");
    let repos = scorecard["repos"].as_array().expect("a repos array");
    assert_eq!(repos.len(), 1, "one row for the repository root");
    repos[0].clone()
}

#[test]
fn repository_grades_a_with_every_control() {
    let report = own_report();

    assert_eq!(report["grade"], "A", "{report:#}");
    assert_eq!(report["score"]["passed"], 7);
    assert_eq!(report["score"]["applicable"], 7);
    assert_eq!(report["blockers"], Value::Array(Vec::new()), "{report:#}");
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{report:#}");
    assert_eq!(
        report["waivers"],
        Value::Array(Vec::new()),
        "no waiver is needed"
    );
    let controls = report["controls"].as_object().expect("a controls object");
    assert_eq!(controls.len(), 7);
    for (id, control) in controls {
        assert_eq!(control["verdict"], "pass", "control {id}: {control:#}");
    }
}

#[test]
fn repository_grades_own_container_files() {
    let report = own_report();

    let subjects: Vec<&str> = report["subjects"]
        .as_array()
        .expect("a subjects array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[0].starts_with("image Dockerfile:"), "{subjects:?}");
    assert!(
        subjects[1].starts_with("service scan (compose.yaml)"),
        "{subjects:?}"
    );

    // The example fleet is left out by .dockgrade.toml, not graded.
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("examples/fleet/orders-api/Dockerfile"),
        "{skipped}"
    );
    assert!(skipped.contains("exclude glob `examples/**`"), "{skipped}");
}
