//! `scan --shard I/N` and `merge` through the binary: shards partition the example fleet, and
//! merging every shard's JSON report gives the bytes of the unsharded scan in every format.

mod binary;

use assert_cmd::Command;
use binary::{dockgrade, manifest_dir, stderr_of};
use clap::ValueEnum as _;
use dockgrade::cli::ReportFormat;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A date after the fleet's expired waiver (2024-01-01) and before the others (2099-12-31).
const TODAY: &str = "2026-06-01";

/// Runs the command and returns its stdout, after checking the exit code.
fn run_expecting(command: &mut Command, code: i32) -> Vec<u8> {
    let output = command.output().expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        stderr_of(&output)
    );
    output.stdout
}

fn format_names() -> Vec<String> {
    ReportFormat::value_variants()
        .iter()
        .filter_map(|format| format.to_possible_value())
        .map(|value| value.get_name().to_string())
        .collect()
}

/// Scans each shard of `config` into `folder`/shard-I-of-N.json and returns the files.
fn scan_shards(config: &Path, count: u32, folder: &Path) -> Vec<PathBuf> {
    (1..=count)
        .map(|index| {
            let path = folder.join(format!("shard-{index}-of-{count}.json"));
            let shard = format!("{index}/{count}");
            run_expecting(
                dockgrade()
                    .args([
                        "scan", "--today", TODAY, "--format", "json", "--shard", &shard,
                    ])
                    .arg("--config")
                    .arg(config)
                    .arg("--output")
                    .arg(&path),
                0,
            );
            path
        })
        .collect()
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("the report exists");
    serde_json::from_str(&text).expect("the report is JSON")
}

fn sources_of(report: &serde_json::Value) -> Vec<String> {
    report["repos"]
        .as_array()
        .expect("repos is an array")
        .iter()
        .map(|repo| {
            repo["source"]
                .as_str()
                .expect("source is a string")
                .to_string()
        })
        .collect()
}

#[test]
fn merged_shards_equal_unsharded_scan() {
    let folder = TempDir::new().expect("temporary folder");
    let config = manifest_dir().join("repos.toml");
    let formats = format_names();
    assert!(formats.contains(&"markdown".to_string()));

    for count in [1, 2, 3, 5] {
        let shards = scan_shards(&config, count, folder.path());
        for format in &formats {
            let unsharded = run_expecting(
                dockgrade().args(["scan", "--today", TODAY, "--format", format]),
                0,
            );
            let merged = run_expecting(
                dockgrade()
                    .args(["merge", "--format", format])
                    .args(&shards),
                0,
            );
            assert!(
                merged == unsharded,
                "merge of {count} shards differs from scan in {format}:\n{}",
                String::from_utf8_lossy(&merged)
            );
        }
    }
}

#[test]
fn shards_partition_fleet() {
    let folder = TempDir::new().expect("temporary folder");
    let config = manifest_dir().join("repos.toml");
    let unsharded: serde_json::Value = serde_json::from_slice(&run_expecting(
        dockgrade().args(["scan", "--today", TODAY, "--format", "json"]),
        0,
    ))
    .expect("stdout is JSON");
    let all: BTreeSet<String> = sources_of(&unsharded).into_iter().collect();
    assert_eq!(all.len(), 12);
    assert!(
        unsharded.get("shard").is_none(),
        "unsharded JSON has a shard field"
    );

    for count in [2, 4] {
        let mut seen = Vec::new();
        for (index, path) in scan_shards(&config, count, folder.path())
            .iter()
            .enumerate()
        {
            let report = read_json(path);
            assert_eq!(report["shard"]["index"], index + 1);
            assert_eq!(report["shard"]["count"], count);
            assert_eq!(report["shard"]["today"], TODAY);
            assert_eq!(
                report["shard"]["config_sha256"].as_str().map(str::len),
                Some(64)
            );
            seen.extend(sources_of(&report));
        }
        let distinct: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(
            seen.len(),
            distinct.len(),
            "a repository is in two of {count} shards"
        );
        assert_eq!(distinct, all, "the {count} shards miss a repository");
    }
}

/// Writes a repos.toml that lists the example fleet's `folders` by absolute path, in that order.
fn write_config(path: &Path, folders: &[String]) {
    let fleet = manifest_dir().join("examples/fleet");
    let mut text = String::new();
    for folder in folders {
        let absolute = fleet.join(folder);
        text.push_str(&format!(
            "[[repo]]\nname = \"{folder}\"\npath = {:?}\n\n",
            absolute.display().to_string()
        ));
    }
    std::fs::write(path, text).expect("write repos.toml");
}

fn fleet_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(manifest_dir().join("examples/fleet"))
        .expect("list the fleet")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    folders.sort();
    folders
}

/// Returns each repository's shard out of `count`, by source.
fn membership(config: &Path, count: u32, folder: &Path) -> Vec<(String, usize)> {
    let mut members = Vec::new();
    for (index, path) in scan_shards(config, count, folder).iter().enumerate() {
        for source in sources_of(&read_json(path)) {
            members.push((source, index + 1));
        }
    }
    members.sort();
    members
}

#[test]
fn shards_ignore_config_order() {
    let folder = TempDir::new().expect("temporary folder");
    let folders = fleet_folders();
    let forward = folder.path().join("forward.toml");
    write_config(&forward, &folders);
    let mut reversed_folders = folders.clone();
    reversed_folders.reverse();
    let reversed = folder.path().join("reversed.toml");
    write_config(&reversed, &reversed_folders);

    assert_eq!(
        membership(&forward, 3, folder.path()),
        membership(&reversed, 3, folder.path())
    );
}

#[test]
fn added_repository_moves_no_other() {
    let folder = TempDir::new().expect("temporary folder");
    let folders = fleet_folders();
    let before_config = folder.path().join("before.toml");
    write_config(&before_config, &folders[1..]);
    let after_config = folder.path().join("after.toml");
    write_config(&after_config, &folders);

    let before = membership(&before_config, 3, folder.path());
    let after = membership(&after_config, 3, folder.path());
    assert_eq!(after.len(), before.len() + 1);
    for member in &before {
        assert!(
            after.contains(member),
            "{member:?} moved when a repository was added"
        );
    }
}

#[test]
fn invalid_shard_is_usage_error() {
    for (shard, message) in [
        ("0/4", "expected 1/4 to 4/4"),
        ("5/4", "expected 1/4 to 4/4"),
        ("x/y", "expected I/N with whole numbers"),
        ("1/0", "at least 1"),
    ] {
        let output = dockgrade()
            .args(["scan", "--shard", shard])
            .output()
            .expect("dockgrade runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{shard}: {stderr}");
        assert!(stderr.contains(message), "{shard}: {stderr}");
    }
}

#[test]
fn merge_missing_shard_names_it() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 3, folder.path());
    let output = dockgrade()
        .arg("merge")
        .arg(&shards[0])
        .arg(&shards[2])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a shard is missing: 2/3"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn merge_allow_partial_warns() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 3, folder.path());
    let first = sources_of(&read_json(&shards[0]));
    let output = dockgrade()
        .args(["merge", "--allow-partial", "--format", "json"])
        .arg(&shards[0])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("2/3, 3/3"), "{stderr}");
    let merged: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(sources_of(&merged), first);
}

#[test]
fn merge_rejects_same_shard_twice() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 2, folder.path());
    let copy = folder.path().join("copy.json");
    std::fs::copy(&shards[0], &copy).expect("copy the report");
    let output = dockgrade()
        .arg("merge")
        .args(&shards)
        .arg(&copy)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("are both shard 1/2"), "{stderr}");
    assert!(stderr.contains("copy.json"), "{stderr}");
}

#[test]
fn merge_rejects_shards_of_other_config() {
    let folder = TempDir::new().expect("temporary folder");
    let folders = fleet_folders();
    let config = folder.path().join("fleet.toml");
    write_config(&config, &folders);
    let fleet_shards = scan_shards(&manifest_dir().join("repos.toml"), 2, folder.path());
    let other = folder.path().join("other");
    std::fs::create_dir(&other).expect("create a folder");
    let other_shards = scan_shards(&config, 2, &other);

    let output = dockgrade()
        .arg("merge")
        .arg(&fleet_shards[0])
        .arg(&other_shards[1])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("different repos.toml files"), "{stderr}");
}

#[test]
fn merge_rejects_different_dates() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 2, folder.path());
    let later = folder.path().join("later.json");
    run_expecting(
        dockgrade()
            .args([
                "scan",
                "--today",
                "2026-06-02",
                "--format",
                "json",
                "--shard",
                "2/2",
            ])
            .arg("--output")
            .arg(&later),
        0,
    );
    let output = dockgrade()
        .arg("merge")
        .arg(&shards[0])
        .arg(&later)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("checked waivers against 2026-06-02"),
        "{stderr}"
    );
}

#[test]
fn merge_rejects_unsharded_report() {
    let folder = TempDir::new().expect("temporary folder");
    let full = folder.path().join("full.json");
    run_expecting(
        dockgrade()
            .args(["scan", "--today", TODAY, "--format", "json", "--output"])
            .arg(&full),
        0,
    );
    let output = dockgrade()
        .arg("merge")
        .arg(&full)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("full.json is not the report of a shard"),
        "{stderr}"
    );
}

#[test]
fn merge_missing_file_exits_2() {
    let folder = TempDir::new().expect("temporary folder");
    let absent = folder.path().join("absent.json");
    let output = dockgrade()
        .arg("merge")
        .arg(&absent)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert!(stderr.contains("absent.json"), "{stderr}");
}

#[test]
fn merge_folder_input_exits_2() {
    let folder = TempDir::new().expect("temporary folder");
    let output = dockgrade()
        .arg("merge")
        .arg(folder.path())
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&folder.path().display().to_string()),
        "{stderr}"
    );
}

#[test]
fn merge_unwritable_output_exits_1() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 1, folder.path());
    let output = dockgrade()
        .arg("merge")
        .args(&shards)
        .arg("--output")
        .arg(folder.path().join("no-such-folder/merged.md"))
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

#[test]
fn merge_help_gives_exit_2_for_unreadable_report() {
    let output = dockgrade()
        .args(["merge", "--help"])
        .output()
        .expect("dockgrade runs");
    let help = String::from_utf8_lossy(&output.stdout);
    let exit_2 = help
        .lines()
        .find(|line| line.trim_start().starts_with("2 "))
        .unwrap_or_else(|| panic!("no exit code 2 in:\n{help}"));
    assert!(exit_2.contains("cannot be read"), "{exit_2}");
    let exit_1 = help
        .lines()
        .find(|line| line.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("no exit code 1 in:\n{help}"));
    assert!(exit_1.contains("output"), "{exit_1}");
}

#[test]
fn readme_gives_exit_2_for_unreadable_merge_report() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).expect("README.md");
    let exit_2 = readme
        .lines()
        .find(|line| line.starts_with("| 2 |"))
        .expect("the exit code table has a row for 2");
    assert!(exit_2.contains("`merge`"), "{exit_2}");
    assert!(exit_2.contains("missing"), "{exit_2}");
}

/// Reads a shard's JSON report, lets `change` edit it, and writes it back.
fn edit_report(path: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut report = read_json(path);
    change(&mut report);
    let text = serde_json::to_string_pretty(&report).expect("serialize the report");
    std::fs::write(path, text).expect("write the report");
}

#[test]
fn merge_rejects_zero_shard_count() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 1, folder.path());
    edit_report(&shards[0], |report| {
        report["shard"]["index"] = 2.into();
        report["shard"]["count"] = 0.into();
    });
    let output = dockgrade()
        .arg("merge")
        .args(&shards)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("shard-1-of-1.json has an invalid shard header 2/0"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn merge_rejects_index_above_count() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 4, folder.path());
    edit_report(&shards[1], |report| report["shard"]["index"] = 5.into());
    let output = dockgrade()
        .arg("merge")
        .args(&shards)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("shard-2-of-4.json has an invalid shard header 5/4"),
        "{stderr}"
    );
    assert!(!stderr.contains("missing"), "{stderr}");
}

#[test]
fn merge_rejects_repository_moved_to_other_shard() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 2, folder.path());
    let mut moved = serde_json::Value::Null;
    edit_report(&shards[0], |report| {
        let repos = report["repos"].as_array_mut().expect("repos is an array");
        moved = repos.remove(0);
    });
    edit_report(&shards[1], |report| {
        let repos = report["repos"].as_array_mut().expect("repos is an array");
        repos.push(moved.clone());
    });
    let name = moved["name"]
        .as_str()
        .expect("the moved repository has a name");

    for partial in [false, true] {
        let mut command = dockgrade();
        command.arg("merge");
        if partial {
            command.arg("--allow-partial").arg(&shards[1]);
        } else {
            command.args(&shards);
        }
        let output = command.output().expect("dockgrade runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("shard-2-of-2.json is shard 2/2 but lists repository"),
            "{stderr}"
        );
        assert!(stderr.contains(name), "{stderr}");
        assert!(stderr.contains("which belongs to shard 1/2"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn shard_reports_say_they_cover_one_shard() {
    for (format, label) in [
        ("markdown", "This report covers shard 1 of 2 only"),
        ("html", "This page covers shard 1 of 2 only"),
    ] {
        let stdout = run_expecting(
            dockgrade().args([
                "scan", "--today", TODAY, "--shard", "1/2", "--format", format,
            ]),
            0,
        );
        let text = String::from_utf8(stdout).expect("the report is UTF-8");
        assert!(text.contains(label), "{format}:\n{text}");
        assert!(text.contains("dockgrade merge"), "{format}:\n{text}");
    }

    let stdout = run_expecting(
        dockgrade().args([
            "scan", "--today", TODAY, "--shard", "1/2", "--format", "sarif",
        ]),
        0,
    );
    let log: serde_json::Value = serde_json::from_slice(&stdout).expect("the log is JSON");
    let runs = log["runs"].as_array().expect("runs is an array");
    assert!(!runs.is_empty());
    for run in runs {
        assert_eq!(run["properties"]["shard"], "1/2", "{run}");
        assert!(run["automationDetails"]["id"].is_string(), "{run}");
    }
}

#[test]
fn unsharded_reports_have_no_shard_label() {
    for format in ["markdown", "html"] {
        let stdout = run_expecting(
            dockgrade().args(["scan", "--today", TODAY, "--format", format]),
            0,
        );
        let text = String::from_utf8(stdout).expect("the report is UTF-8");
        assert!(!text.contains("covers shard"), "{format}:\n{text}");
    }
}

/// Writes a repos.toml of `count` entries named repo-01, repo-02, ..., taking the example
/// fleet's folders in turn.
fn write_numbered_config(path: &Path, count: usize) {
    let folders = fleet_folders();
    let fleet = manifest_dir().join("examples/fleet");
    let mut text = String::new();
    for number in 1..=count {
        let absolute = fleet.join(&folders[number % folders.len()]);
        text.push_str(&format!(
            "[[repo]]\nname = \"repo-{number:02}\"\npath = {:?}\n\n",
            absolute.display().to_string()
        ));
    }
    std::fs::write(path, text).expect("write repos.toml");
}

#[test]
fn sarif_over_upload_limit_warns() {
    let limit = dockgrade::report::MAX_RUNS_PER_UPLOAD;
    let folder = TempDir::new().expect("temporary folder");
    for (count, warns) in [(limit, false), (limit + 1, true)] {
        let config = folder.path().join(format!("fleet-{count}.toml"));
        write_numbered_config(&config, count);
        let log_path = folder.path().join(format!("fleet-{count}.sarif"));
        let output = dockgrade()
            .args(["scan", "--today", TODAY, "--format", "sarif", "--config"])
            .arg(&config)
            .arg("--output")
            .arg(&log_path)
            .output()
            .expect("dockgrade runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(0), "{count}: {stderr}");
        assert_eq!(
            stderr.contains("GitHub code scanning rejects"),
            warns,
            "{count}: {stderr}"
        );
        if warns {
            assert!(stderr.contains(&format!("{count} runs")), "{stderr}");
            assert!(stderr.contains("dockgrade check"), "{stderr}");
            assert!(stderr.contains("--shard"), "{stderr}");
        }
        let log = read_json(&log_path);
        assert_eq!(
            log["runs"].as_array().map(Vec::len),
            Some(count),
            "the log was not kept whole"
        );
    }
}

#[test]
fn merge_fail_under_exits_3() {
    let folder = TempDir::new().expect("temporary folder");
    let shards = scan_shards(&manifest_dir().join("repos.toml"), 2, folder.path());
    let output = dockgrade()
        .args(["merge", "--fail-under", "A"])
        .args(&shards)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("graded below A"), "{stderr}");
}

#[test]
fn merge_error_row_exits_4() {
    let folder = TempDir::new().expect("temporary folder");
    let config = folder.path().join("repos.toml");
    std::fs::write(
        &config,
        "[[repo]]\nname = \"gone\"\npath = \"does-not-exist\"\n",
    )
    .expect("write repos.toml");
    let report = folder.path().join("shard.json");
    run_expecting(
        dockgrade()
            .args([
                "scan", "--today", TODAY, "--format", "json", "--shard", "1/1",
            ])
            .arg("--config")
            .arg(&config)
            .arg("--output")
            .arg(&report),
        4,
    );
    let output = dockgrade()
        .args(["merge", "--fail-under", "F"])
        .arg(&report)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("gone"), "{stderr}");
}

#[test]
fn merge_rejects_today() {
    dockgrade()
        .args(["merge", "--today", "2026-06-01", "a.json", "b.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "pass --today to each `scan --shard` instead",
        ));
}
