//! Validates every SARIF log dockgrade writes against the SARIF 2.1.0 JSON schema: the example
//! fleet through `scan`, each fleet repository through `check`, and the sample scorecard.
//!
//! The schema is not kept in this repository. It comes from the source of the `serde-sarif`
//! crate, a dev-dependency that ships the OASIS schema as `src/schema.json`. Cargo downloads
//! that source with the other dependencies before it builds this test.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use dockgrade::report::{render, Format};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fixed date for waiver expiry: after the fleet's expired waiver (2024-01-01) and before
/// the others (2099-12-31), as in the fleet test.
const TODAY: &str = "2026-01-01";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The set-up command to name when the schema cannot be found.
const SET_UP: &str =
    "run `cargo fetch --locked` in the repository to download the dev-dependencies";

/// Finds `src/schema.json` of the `serde-sarif` version in Cargo.lock, in the folder where cargo
/// unpacks downloaded crates: `$CARGO_HOME/registry/src/<registry>/serde-sarif-<version>/`.
fn schema_path() -> PathBuf {
    let lock_text =
        std::fs::read_to_string(manifest_dir().join("Cargo.lock")).expect("Cargo.lock exists");
    let lock: toml::Value = toml::from_str(&lock_text).expect("Cargo.lock is TOML");
    let version = lock["package"]
        .as_array()
        .expect("Cargo.lock lists packages")
        .iter()
        .find(|package| package["name"].as_str() == Some("serde-sarif"))
        .and_then(|package| package["version"].as_str())
        .expect("serde-sarif is a dev-dependency in Cargo.toml and Cargo.lock");

    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    let registries = cargo_home.join("registry/src");
    let folder = format!("serde-sarif-{version}");
    let found = std::fs::read_dir(&registries)
        .into_iter()
        .flatten()
        .flatten()
        .map(|registry| registry.path().join(&folder).join("src/schema.json"))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "the SARIF schema (src/schema.json of {folder}) is not under {}\nhelp: {SET_UP}",
            registries.display()
        )
    })
}

fn validator() -> jsonschema::Validator {
    let path = schema_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
        "{} is not the SARIF 2.1.0 schema",
        path.display()
    );
    // Formats are checked too, so an artifact URI that is not a valid URI reference fails.
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Returns the schema violations of a log, one line each, empty when it is valid.
fn violations(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|error| format!("{}: {error}", error.instance_path))
        .collect()
}

/// Checks a log against the schema, and that each result's `ruleIndex` points at its rule.
fn assert_valid(validator: &jsonschema::Validator, name: &str, text: &str) {
    let log: Value = serde_json::from_str(text).unwrap_or_else(|error| panic!("{name}: {error}"));
    let problems = violations(validator, &log);
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));

    for run in log["runs"].as_array().expect("runs") {
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for result in run["results"].as_array().expect("results") {
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{name}: {result}");
        }
    }
    // A second, independent reading: serde-sarif's types generated from the same schema.
    serde_json::from_str::<serde_sarif::sarif::Sarif>(text)
        .unwrap_or_else(|error| panic!("{name}: serde-sarif cannot read the log: {error}"));
}

#[test]
fn sample_scorecard_log_is_valid() {
    let text = render(&common::sample_scorecard(), Format::Sarif).expect("the sample renders");
    assert_valid(&validator(), "sample scorecard", &text);
}

#[test]
fn fleet_scan_log_is_valid() {
    let output = cargo_bin_cmd!("dockgrade")
        .current_dir(manifest_dir())
        .args([
            "scan",
            "--config",
            "repos.toml",
            "--format",
            "sarif",
            "--today",
            TODAY,
        ])
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("the log is UTF-8");
    assert_valid(&validator(), "fleet scan", &text);

    let log: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        log["runs"].as_array().map(Vec::len),
        Some(12),
        "one run per repository"
    );
}

#[test]
fn fleet_check_logs_are_valid() {
    let validator = validator();
    let fleet = manifest_dir().join("examples/fleet");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&fleet)
        .expect("examples/fleet exists")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 12, "the fleet has twelve repositories");

    for folder in folders {
        let output = cargo_bin_cmd!("dockgrade")
            .current_dir(&folder)
            .args(["check", ".", "--format", "sarif", "--today", TODAY])
            .output()
            .expect("dockgrade runs");
        let name = folder.display().to_string();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).expect("the log is UTF-8");
        assert_valid(&validator, &name, &text);
    }
}

#[test]
fn schema_rejects_invalid_log() {
    let validator = validator();
    let text = render(&common::sample_scorecard(), Format::Sarif).expect("the sample renders");
    let mut log: Value = serde_json::from_str(&text).expect("JSON");
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("a b/Dockerfile");
    let problems = violations(&validator, &log);
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("/results/0/level")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("/results/1/locations/0")),
        "{problems:?}"
    );
}

#[test]
fn check_output_file_equals_stdout() {
    let folder = manifest_dir().join("examples/fleet/orders-api");
    let out_dir = tempfile::tempdir().expect("a temporary folder");
    let file = out_dir.path().join("dockgrade.sarif");
    let run = |extra: &[&std::ffi::OsStr]| {
        cargo_bin_cmd!("dockgrade")
            .current_dir(&folder)
            .args(["check", ".", "--format", "sarif", "--today", TODAY])
            .args(extra)
            .output()
            .expect("dockgrade runs")
    };
    let to_stdout = run(&[]);
    let to_file = run(&["--output".as_ref(), file.as_os_str()]);
    assert_eq!(to_file.status.code(), Some(0));
    assert!(to_file.stdout.is_empty(), "the log goes to the file only");
    let written = std::fs::read(&file).expect("the log file was written");
    assert_eq!(written, to_stdout.stdout);
}
