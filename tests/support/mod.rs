//! Helpers shared by the integration tests: grading a folder and comparing a report with an
//! expected-verdict file.

#![allow(dead_code)]

use dockgrade::grade::{Policy, Waiver};
use dockgrade::pipeline::{self, RepoSettings};
use dockgrade::scorecard::RepoReport;
use dockgrade::source::local::{read_local, read_more, LocalOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Returns the policy the tests grade with, on a fixed date, so that waiver expiry never depends on the day the tests run.
pub fn test_policy() -> Policy {
    Policy {
        blocker_cap: 'F',
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date"),
    }
}

/// Returns the shared reference data folder beside the repository, or panics with a clear
/// message when it is missing, so a test never passes without its data.
pub fn shared_dir(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(relative);
    assert!(
        path.exists(),
        "test data folder {} is missing: these tests need the shared reference data checked out beside the repository",
        path.display()
    );
    path
}

/// Grades one folder as a repository with default settings.
pub fn grade_dir(root: &Path) -> RepoReport {
    grade_dir_with(root, Vec::new())
}

/// Grades one folder as a repository with the given waivers.
pub fn grade_dir_with(root: &Path, waivers: Vec<Waiver>) -> RepoReport {
    let options = LocalOptions::default();
    let mut snapshot = read_local(root, &options)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", root.display()));
    let settings = RepoSettings {
        waivers,
        ..RepoSettings::default()
    };
    let unread = dockgrade::model::unread_dockerfiles(&snapshot, &settings.link);
    read_more(root, &options, &mut snapshot, &unread);
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    pipeline::grade_snapshot(
        &name,
        &root.display().to_string(),
        &snapshot,
        &settings,
        &test_policy(),
    )
}

/// Collects every finding id in a report: controls' findings, blockers' findings and other findings.
pub fn finding_ids(report: &RepoReport) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for result in report.controls.values() {
        ids.extend(result.findings.iter().map(|finding| finding.id.clone()));
    }
    for blocker in &report.blockers {
        ids.insert(blocker.id.clone());
    }
    ids.extend(report.findings.iter().map(|finding| finding.id.clone()));
    ids
}

/// Compares a report with an expected-verdict file and returns every mismatch as a sentence.
///
/// The file has an optional `grade`, a `[controls]` table of verdicts, and `[blockers]`,
/// `[advisories]` and `[findings]` tables with `present` and `absent` id lists.
pub fn mismatches(report: &RepoReport, expected: &toml::Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(grade) = expected.get("grade").and_then(toml::Value::as_str) {
        if report.grade != grade {
            problems.push(format!(
                "grade is {} but {grade} was expected",
                report.grade
            ));
        }
    }
    if let Some(controls) = expected.get("controls").and_then(toml::Value::as_table) {
        for (id, verdict) in controls {
            let verdict = verdict.as_str().unwrap_or("");
            let actual = report
                .controls
                .get(id)
                .map(|result| result.verdict.as_str())
                .unwrap_or("(missing)");
            if actual != verdict {
                let evidence: Vec<String> = report
                    .controls
                    .get(id)
                    .map(|result| {
                        result
                            .findings
                            .iter()
                            .map(|f| format!("{}:{} {:?} {}", f.path, f.line, f.outcome, f.message))
                            .collect()
                    })
                    .unwrap_or_default();
                problems.push(format!(
                    "{id} is {actual} but {verdict} was expected; findings: {evidence:?}"
                ));
            }
        }
    }
    if let Some(redacted) = expected.get("redacted") {
        let rendered = serde_json::to_string(report).expect("a report serialises");
        for secret in string_list(Some(redacted)) {
            if rendered.contains(&secret) {
                problems.push(format!(
                    "the report prints {secret:?}, which must be redacted"
                ));
            }
        }
    }
    if let Some(waivers) = expected.get("waivers") {
        for (list, status) in [("applied", "applied"), ("expired", "expired")] {
            for id in string_list(waivers.get(list)) {
                let found = report
                    .waivers
                    .iter()
                    .any(|waiver| waiver.id == id && waiver.status == status);
                if !found {
                    problems.push(format!("waiver for {id} should be {status} but is not"));
                }
            }
        }
    }
    if let Some(blockers) = expected.get("blockers") {
        for id in string_list(blockers.get("waived")) {
            let waived = report
                .blockers
                .iter()
                .any(|blocker| blocker.id == id && blocker.waiver.is_some());
            if !waived {
                problems.push(format!(
                    "blocker {id} should be found and waived but is not"
                ));
            }
        }
    }
    let present_ids = finding_ids(report);
    let blocker_ids: BTreeSet<String> = report.blockers.iter().map(|b| b.id.clone()).collect();
    for table in ["blockers", "advisories", "findings"] {
        let Some(lists) = expected.get(table) else {
            continue;
        };
        let ids_in_scope = if table == "blockers" {
            &blocker_ids
        } else {
            &present_ids
        };
        for id in string_list(lists.get("present")) {
            if !ids_in_scope.contains(&id) {
                problems.push(format!("{table}: {id} should be present but is not"));
            }
        }
        for id in string_list(lists.get("absent")) {
            if ids_in_scope.contains(&id) {
                problems.push(format!("{table}: {id} should be absent but is present"));
            }
        }
    }
    problems
}

fn string_list(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads an expected-verdict file.
pub fn read_expected(path: &Path) -> toml::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    toml::from_str(&text).unwrap_or_else(|error| panic!("invalid {}: {error}", path.display()))
}
