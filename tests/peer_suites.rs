//! The test inputs of other Docker linters (KICS, Checkov, hadolint, Trivy and OpenSSF
//! Scorecard), graded by dockgrade one file at a time.
//!
//! Every input must load without a panic, and an input that cannot be built or loaded as it is
//! must give a `parse-error` finding. The inputs whose rule has a dockgrade counterpart are graded
//! against `peer_suites/expectations.tsv`, which states what the peer tool expects, the verdict
//! dockgrade must give, and why the two differ where they do. The inputs are read from the shared
//! reference data beside the repository, and every test fails with the missing path when it is
//! absent.

mod support;

#[path = "peer_suites/inputs.rs"]
mod inputs;
#[path = "peer_suites/table.rs"]
mod table;

use inputs::{all_inputs, grade_input, input_kind, peer_tests_dir};
use std::collections::{BTreeMap, BTreeSet};
use support::grade_dir;
use table::{
    actual_verdict, check_kind, dockgrade_reports, evidence, is_valid_expected, peer_reports,
    read_rows, table_path,
};

/// Table rows, as (input, check), whose expected verdict dockgrade does not give yet. The table
/// contains the verdict the documented rules require, so each entry is a dockgrade bug. The table
/// test fails once a listed row passes, so that its entry gets removed.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// Inputs that BuildKit rejects while dockgrade reports no `parse-error` for them yet. Each is a
/// dockgrade bug, and the load test fails once one of them gets its finding.
const KNOWN_MISSING_PARSE_ERRORS: &[&str] = &[];

/// Why a Compose input gets a `parse-error` although its YAML is valid.
const BUILDS_MISSING_DOCKERFILE: &str =
    "a service builds a Dockerfile that is not part of the single graded file";

/// Inputs that must give a `parse-error` finding, each with the reason. Every other input must
/// give none.
const EXPECTED_PARSE_ERRORS: &[(&str, &str)] = &[
    (
        "checkov/tests/dockerfile/checks/example_AliasIsUnique/failure/Dockerfile",
        "FROM baseImage is an image reference with upper-case letters in its repository name",
    ),
    (
        "hadolint/cases/DL3006-03/Dockerfile",
        "the digest in FROM has 13 hex digits, and an image reference needs at least 32",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-pinned-as",
        "two stages are named build3",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-pinned-as-without-hash",
        "the digest sha256:v2 in FROM is not hexadecimal",
    ),
    (
        "checkov/tests/dockerfile/resources/empty_dockerfile/Dockerfile",
        "an empty file has no instructions",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-empty",
        "an empty file has no instructions",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-comments",
        "a file of comments has no instructions",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-invalid",
        "RUN comes before any FROM, and the file has no FROM",
    ),
    (
        "scorecard/checks/testdata/Dockerfile-pinned-without-hash",
        "RUN comes before the first FROM",
    ),
    (
        "hadolint/cases/DL3061-01/Dockerfile",
        "LABEL comes before the first FROM",
    ),
    (
        "trivy-checks/cases/DS002-09/Dockerfile",
        "USER has no argument",
    ),
    (
        "trivy-checks/cases/DS002-11/Dockerfile",
        "COPY has no destination",
    ),
    (
        "kics/dockerCompose/container_capabilities_unrestricted/test/negative1.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/container_capabilities_unrestricted/test/positive1.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/container_capabilities_unrestricted/test/positive2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/default_seccomp_profile_disabled/test/positive2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/healthcheck_not_set/test/negative2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/healthcheck_not_set/test/positive2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/healthcheck_not_set/test/positive3.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/no_new_privileges_not_set/test/negative2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/no_new_privileges_not_set/test/positive2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/privileged_containers_enabled/test/negative2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
    (
        "kics/dockerCompose/privileged_containers_enabled/test/positive2.yaml",
        BUILDS_MISSING_DOCKERFILE,
    ),
];

/// Inputs with no table row, as path prefixes with the reason: the rule they test has no
/// dockgrade counterpart, so they only need to load.
const LOAD_ONLY: &[(&str, &str)] = &[
    (
        "checkov/tests/dockerfile/checks/example_AliasIsUnique/",
        "CKV_DOCKER_11 wants unique stage names, which no control checks",
    ),
    (
        "checkov/tests/dockerfile/resources/",
        "Checkov's parser samples, which no check of its test suite reads",
    ),
    (
        "hadolint/cases/DL3012-",
        "DL3012 allows one HEALTHCHECK per stage, which no control checks",
    ),
    (
        "hadolint/cases/DL3061-",
        "DL3061 wants FROM, ARG or a comment first, which no control checks",
    ),
    (
        "trivy-checks/cases/DS023-",
        "DS023 allows one HEALTHCHECK per stage, which no control checks",
    ),
    (
        "trivy-checks/checks/docker/test/Dockerfile",
        "a sample that no Trivy test reads",
    ),
    (
        "scorecard/checks/raw/testdata/Dockerfile-download-heredoc",
        "Scorecard tests insecure downloads with it, not pinning",
    ),
    (
        "scorecard/checks/testdata/Dockerfile-pinned-without-hash",
        "a sample that no Scorecard test reads",
    ),
];

#[test]
fn peer_inputs_load_without_panic() {
    let expected_errors: BTreeMap<&str, &str> = EXPECTED_PARSE_ERRORS.iter().copied().collect();
    let inputs = all_inputs();
    let mut problems = Vec::new();

    for input in &inputs {
        let report = match grade_input(input) {
            Ok(report) => report,
            Err(message) => {
                problems.push(format!("{input}: grading panicked: {message}"));
                continue;
            }
        };
        let graded_name = input_kind(&peer_tests_dir().join(input))
            .expect("every listed input has a kind")
            .graded_name();
        let parse_errors: Vec<_> = report
            .findings
            .iter()
            .filter(|finding| finding.id == "parse-error")
            .collect();
        for finding in &parse_errors {
            if finding.line < 1 || finding.path != graded_name {
                problems.push(format!(
                    "{input}: parse-error at {}:{} should point at a line of {graded_name}",
                    finding.path, finding.line
                ));
            }
        }

        let known_missing = KNOWN_MISSING_PARSE_ERRORS.contains(&input.as_str());
        match (expected_errors.get(input.as_str()), parse_errors.is_empty()) {
            (Some(reason), true) if !known_missing => problems.push(format!(
                "{input}: no parse-error finding, although the input does not load ({reason})"
            )),
            (Some(_), false) if known_missing => problems.push(format!(
                "{input}: now gives a parse-error finding. Remove it from KNOWN_MISSING_PARSE_ERRORS."
            )),
            (None, false) => problems.push(format!(
                "{input}: unexpected parse-error: {}",
                parse_errors
                    .iter()
                    .map(|finding| format!("{}:{} {}", finding.path, finding.line, finding.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            _ => {}
        }
    }

    for (input, _) in EXPECTED_PARSE_ERRORS {
        if !inputs.iter().any(|listed| listed == input) {
            problems.push(format!(
                "EXPECTED_PARSE_ERRORS names {input}, which is not an input"
            ));
        }
    }
    for input in KNOWN_MISSING_PARSE_ERRORS {
        if !expected_errors.contains_key(input) {
            problems.push(format!(
                "KNOWN_MISSING_PARSE_ERRORS names {input}, which EXPECTED_PARSE_ERRORS does not list"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems in {} peer inputs:\n{}",
        problems.len(),
        inputs.len(),
        problems.join("\n")
    );
}

/// Every verdict other than n/a must carry at least one finding as its evidence.
#[test]
fn peer_verdicts_have_evidence() {
    let mut problems = Vec::new();
    for input in all_inputs() {
        // The load test reports the inputs whose grading panics.
        let Ok(report) = grade_input(&input) else {
            continue;
        };
        for (id, result) in &report.controls {
            let verdict = result.verdict.as_str();
            if verdict != "n/a" && result.findings.is_empty() {
                problems.push(format!("{input}: {id} is {verdict} without a finding"));
            }
        }
        for blocker in &report.blockers {
            if blocker.findings.is_empty() {
                problems.push(format!("{input}: blocker {} has no finding", blocker.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Checkov's samples leave a LABEL quote unterminated on purpose: BuildKit's parser reads the
/// rest of the line as the value, so the file loads and the USER on the next line counts.
#[test]
fn label_unterminated_quote_parses() {
    let samples = [
        ("example_HealthcheckExists/failure/Dockerfile", Some(4)),
        ("example_HealthcheckExists/success/Dockerfile", Some(4)),
        ("example_UserExists/failure/Dockerfile", None),
        ("example_UserExists/success/Dockerfile", Some(4)),
    ];
    for (sample, user_line) in samples {
        let input = format!("checkov/tests/dockerfile/checks/{sample}");
        let report = grade_input(&input).unwrap_or_else(|message| panic!("{input}: {message}"));
        let parse_errors: Vec<_> = report
            .findings
            .iter()
            .filter(|finding| finding.id == "parse-error")
            .map(|finding| format!("line {}: {}", finding.line, finding.message))
            .collect();
        assert!(
            parse_errors.is_empty(),
            "{input}: unexpected parse-error {parse_errors:?}"
        );

        let Some(user_line) = user_line else {
            continue;
        };
        let non_root = &report.controls["non-root"];
        assert_eq!(non_root.verdict.as_str(), "pass", "{input}: non-root");
        let lines: Vec<usize> = non_root.findings.iter().map(|f| f.line).collect();
        assert_eq!(lines, [user_line], "{input}: non-root evidence lines");
    }
}

/// Of Checkov's three name samples, `Dockerfile.prod` and `prod.dockerfile` are Dockerfiles and a
/// bare `.Dockerfile` is not, so grading the folder as it is finds two images.
#[test]
fn name_variations_grade_two_dockerfiles() {
    let source = peer_tests_dir().join("checkov/tests/dockerfile/resources/name_variations");
    let folder = tempfile::tempdir().expect("a temporary folder can be created");
    for name in [".Dockerfile", "Dockerfile.prod", "prod.dockerfile"] {
        std::fs::copy(source.join(name), folder.path().join(name))
            .unwrap_or_else(|error| panic!("cannot copy {name}: {error}"));
    }

    let report = grade_dir(folder.path());

    let subjects = report.subjects.join("\n");
    assert_eq!(report.subjects.len(), 2, "subjects:\n{subjects}");
    assert!(
        report
            .subjects
            .iter()
            .any(|s| s.contains("Dockerfile.prod")),
        "Dockerfile.prod is not graded; subjects:\n{subjects}"
    );
    assert!(
        report
            .subjects
            .iter()
            .any(|s| s.contains("prod.dockerfile")),
        "prod.dockerfile is not graded; subjects:\n{subjects}"
    );
}

#[test]
fn expectations_table_well_formed() {
    let inputs: BTreeSet<String> = all_inputs().into_iter().collect();
    let rows = read_rows();
    assert!(!rows.is_empty(), "{} has no rows", table_path().display());

    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for row in &rows {
        let row_label = format!("line {} ({} {})", row.line, row.input, row.check);
        if !inputs.contains(&row.input) {
            problems.push(format!("{row_label}: no such input"));
        }
        if !seen.insert((row.input.clone(), row.check.clone())) {
            problems.push(format!(
                "{row_label}: a second row for the same input and check"
            ));
        }
        let suite = row.input.split('/').next().unwrap_or("");
        let expected_peer = match suite {
            "kics" => "KICS",
            "checkov" => "Checkov",
            "hadolint" => "hadolint",
            "trivy-checks" => "Trivy",
            "scorecard" => "Scorecard",
            _ => "(unknown suite)",
        };
        if row.peer != expected_peer {
            problems.push(format!(
                "{row_label}: peer is {} but the input comes from {expected_peer}",
                row.peer
            ));
        }
        let Some(peer_flags) = peer_reports(&row.peer_expects) else {
            problems.push(format!(
                "{row_label}: peer_expects {:?} is not fires, silent or a count",
                row.peer_expects
            ));
            continue;
        };
        let Some(kind) = check_kind(&row.check) else {
            problems.push(format!("{row_label}: {} is not a dockgrade id", row.check));
            continue;
        };
        if !is_valid_expected(kind, &row.expected) {
            problems.push(format!(
                "{row_label}: {:?} is not a valid expectation for {}",
                row.expected, row.check
            ));
            continue;
        }
        let agrees = dockgrade_reports(&row.expected) == Some(peer_flags);
        if agrees && !row.reason.is_empty() {
            problems.push(format!(
                "{row_label}: dockgrade agrees with {}, so the reason should be empty",
                row.peer_label()
            ));
        }
        if !agrees && row.reason.is_empty() {
            problems.push(format!(
                "{row_label}: expected {} differs from {}, so the row needs a reason",
                row.expected,
                row.peer_label()
            ));
        }
    }
    for (input, check) in KNOWN_FAILURES {
        let listed = rows
            .iter()
            .any(|row| row.input == *input && row.check == *check);
        if !listed {
            problems.push(format!(
                "KNOWN_FAILURES names {input} {check}, which has no table row"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every input has a table row or a reason to only load, never both, and every load-only prefix
/// matches an input.
#[test]
fn peer_inputs_all_covered() {
    let rows = read_rows();
    let with_rows: BTreeSet<&str> = rows.iter().map(|row| row.input.as_str()).collect();
    let inputs = all_inputs();
    let mut problems = Vec::new();

    for input in &inputs {
        let load_only = LOAD_ONLY
            .iter()
            .find(|(prefix, _)| input.starts_with(prefix));
        match (with_rows.contains(input.as_str()), load_only) {
            (false, None) => problems.push(format!("{input}: no table row and no LOAD_ONLY entry")),
            (true, Some((prefix, _))) => problems.push(format!(
                "{input}: has table rows but LOAD_ONLY lists it under {prefix}"
            )),
            _ => {}
        }
    }
    for (prefix, _) in LOAD_ONLY {
        if !inputs.iter().any(|input| input.starts_with(prefix)) {
            problems.push(format!("LOAD_ONLY entry {prefix} matches no input"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn peer_verdicts_match_table() {
    let rows = read_rows();
    let mut reports = BTreeMap::new();
    let mut problems = Vec::new();

    for row in &rows {
        let report = reports
            .entry(row.input.clone())
            .or_insert_with(|| grade_input(&row.input));
        let report = match report {
            Ok(report) => report,
            Err(message) => {
                problems.push(format!("{}: grading panicked: {message}", row.input));
                continue;
            }
        };
        let kind = check_kind(&row.check)
            .unwrap_or_else(|| panic!("line {}: {} is not a dockgrade id", row.line, row.check));
        let actual = actual_verdict(report, &row.check, kind);
        let known = KNOWN_FAILURES.contains(&(row.input.as_str(), row.check.as_str()));

        if actual != row.expected && !known {
            let reason_clause = if row.reason.is_empty() {
                String::new()
            } else {
                format!(", because {}", row.reason)
            };
            problems.push(format!(
                "{} {}: dockgrade gives {actual}, the table expects {}{reason_clause} ({}). Evidence: {:?}",
                row.input,
                row.check,
                row.expected,
                row.peer_label(),
                evidence(report, &row.check)
            ));
        }
        if actual == row.expected && known {
            problems.push(format!(
                "{} {}: now gives the expected {actual}. Remove it from KNOWN_FAILURES.",
                row.input, row.check
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} table rows disagree with dockgrade:\n{}",
        problems.len(),
        rows.len(),
        problems.join("\n")
    );
}

/// A service that builds a Dockerfile missing from the repository still builds an image, so the
/// controls that need that Dockerfile give review rather than n/a.
#[test]
fn missing_build_dockerfile_reviews_image_controls() {
    let input = "kics/dockerCompose/healthcheck_not_set/test/negative2.yaml";
    let report = grade_input(input).unwrap_or_else(|message| panic!("{input}: {message}"));
    for id in ["multi-stage", "pinned-digest", "dockerignore"] {
        let verdict = report.controls[id].verdict.as_str();
        assert_eq!(verdict, "review", "{input}: {id}");
    }
}
