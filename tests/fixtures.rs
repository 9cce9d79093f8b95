//! Every fixture case under tests/fixtures: one small repository per rule, graded against the
//! expected result in the TOML file beside it.

mod support;

use std::path::{Path, PathBuf};
use support::{grade_dir, mismatches, read_expected};

/// Finds every `<case>.toml` that has a `<case>/` folder beside it.
fn cases(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("fixture folder is readable") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                if !path.with_extension("toml").exists() {
                    pending.push(path);
                }
                continue;
            }
            if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                let case = path.with_extension("");
                if case.is_dir() {
                    found.push((case, path));
                }
            }
        }
    }
    found.sort();
    found
}

fn run_group(group: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(group);
    let cases = cases(&root);
    assert!(
        !cases.is_empty(),
        "no fixture cases under {}",
        root.display()
    );

    let mut failures = Vec::new();
    for (case, expected_path) in &cases {
        let expected = read_expected(expected_path);
        let report = grade_dir(case);
        let name = case
            .strip_prefix(&root)
            .unwrap_or(case)
            .display()
            .to_string();
        for problem in mismatches(&report, &expected) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {group} disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn multi_stage_cases() {
    run_group("controls/multi-stage");
}

#[test]
fn non_root_cases() {
    run_group("controls/non-root");
}

#[test]
fn pinned_digest_cases() {
    run_group("controls/pinned-digest");
}

#[test]
fn healthcheck_cases() {
    run_group("controls/healthcheck");
}

#[test]
fn dockerignore_cases() {
    run_group("controls/dockerignore");
}

#[test]
fn cap_drop_cases() {
    run_group("controls/cap-drop");
}

#[test]
fn read_only_cases() {
    run_group("controls/read-only");
}

#[test]
fn blocker_cases() {
    run_group("blockers");
}

#[test]
fn advisory_cases() {
    run_group("advisories");
}

#[test]
fn parse_error_cases() {
    run_group("findings");
}

#[test]
fn discovery_cases() {
    run_group("discovery");
}

#[test]
fn parsing_cases() {
    run_group("parsing");
}

#[test]
fn grade_cases() {
    run_group("grade");
}
