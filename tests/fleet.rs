//! The example fleet of repos.toml, scanned through the library as `dockgrade scan` does: each
//! repository against examples/fleet-expected/<folder>.toml, and snapshots of the fleet's
//! Markdown and JSON reports.

mod support;

use dockgrade::config::Config;
use dockgrade::grade::Policy;
use dockgrade::report::{render, Format};
use dockgrade::scan::{build_scorecard, jobs_for_config};
use dockgrade::scorecard::Scorecard;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{mismatches, read_expected};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Scans every repository of repos.toml. Waivers are checked against the fixed date of
/// `support::test_policy`, which lies after the expired non-root waiver (2024-01-01) and before
/// the others (2099-12-31).
fn scan_fleet() -> Scorecard {
    let config_path = manifest_dir().join("repos.toml");
    let config = Config::load(&config_path).unwrap_or_else(|error| panic!("{error}"));
    let blocker_cap = config
        .grading
        .blocker_cap
        .as_str()
        .chars()
        .next()
        .expect("a grade has one letter");
    let policy = Policy {
        blocker_cap,
        ..support::test_policy()
    };
    build_scorecard(&jobs_for_config(&config, &config_path), &policy)
}

fn expected_dir() -> PathBuf {
    manifest_dir().join("examples/fleet-expected")
}

/// Returns the folder name of a repository source such as `examples/fleet/orders-api`.
fn folder_of(source: &str) -> String {
    Path::new(source)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| panic!("source {source:?} has no folder name"))
}

/// Returns the line number and both lines of the first line where two texts differ.
fn first_difference(first: &str, second: &str) -> Option<(usize, String, String)> {
    let mut first_lines = first.lines();
    let mut second_lines = second.lines();
    let mut number = 1;
    loop {
        match (first_lines.next(), second_lines.next()) {
            (None, None) => {
                return (first != second)
                    .then(|| (number, "(line ending differs)".into(), String::new()))
            }
            (a, b) if a == b => number += 1,
            (a, b) => {
                return Some((
                    number,
                    a.unwrap_or("(end of text)").to_string(),
                    b.unwrap_or("(end of text)").to_string(),
                ))
            }
        }
    }
}

#[test]
fn fleet_matches_expected_files() {
    let scorecard = scan_fleet();
    let mut problems = Vec::new();

    let mut scanned = BTreeSet::new();
    for repo in &scorecard.repos {
        let folder = folder_of(&repo.source);
        scanned.insert(folder.clone());
        let expected_path = expected_dir().join(format!("{folder}.toml"));
        if !expected_path.exists() {
            problems.push(format!(
                "{}: no expected file {}",
                repo.name,
                expected_path.display()
            ));
            continue;
        }
        let expected = read_expected(&expected_path);
        for problem in mismatches(repo, &expected) {
            problems.push(format!("{}: {problem}", repo.name));
        }
    }

    let entries = std::fs::read_dir(expected_dir()).expect("examples/fleet-expected is readable");
    for entry in entries {
        let path = entry.expect("readable entry").path();
        let Some(folder) = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
        else {
            continue;
        };
        if !scanned.contains(&folder) {
            problems.push(format!(
                "{} has no repository in repos.toml",
                path.display()
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "{} mismatches between the fleet and its expected files:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fleet_has_every_repository_once() {
    let scorecard = scan_fleet();
    let folders: Vec<String> = scorecard
        .repos
        .iter()
        .map(|repo| folder_of(&repo.source))
        .collect();
    let unique: BTreeSet<&String> = folders.iter().collect();
    assert_eq!(folders.len(), 12, "repositories: {folders:?}");
    assert_eq!(unique.len(), folders.len(), "repeated: {folders:?}");
}

#[test]
fn fleet_markdown_snapshot() {
    let markdown = render(&scan_fleet(), Format::Markdown).expect("the fleet renders");
    insta::assert_snapshot!("fleet_markdown", markdown);
}

#[test]
fn fleet_json_snapshot() {
    let json = render(&scan_fleet(), Format::Json).expect("the fleet serializes");
    insta::assert_snapshot!("fleet_json", json);
}

#[test]
fn fleet_renders_identical_bytes_twice() {
    let first = scan_fleet();
    let second = scan_fleet();
    assert_eq!(first, second, "two scans of the fleet differ");
    for format in Format::ALL {
        let first_text = render(&first, format).expect("the fleet renders");
        let second_text = render(&second, format).expect("the fleet renders");
        let difference = first_difference(&first_text, &second_text);
        assert!(
            difference.is_none(),
            "{format} differs between two renderings at line {:?}",
            difference
        );
    }
}

#[test]
fn fleet_json_has_no_absolute_paths() {
    let json = render(&scan_fleet(), Format::Json).expect("the fleet serializes");
    let checkout = manifest_dir().display().to_string();
    assert!(
        !json.contains(&checkout),
        "the JSON report contains the checkout path {checkout}"
    );

    let value: serde_json::Value = serde_json::from_str(&json).expect("the report parses");
    let repos = value["repos"].as_array().expect("repos is an array");
    let mut absolute = Vec::new();
    for repo in repos {
        let name = repo["name"].as_str().unwrap_or("?");
        let mut paths = vec![("source", repo["source"].clone())];
        for control in repo["controls"]
            .as_object()
            .into_iter()
            .flat_map(|map| map.values())
        {
            for finding in control["findings"].as_array().into_iter().flatten() {
                paths.push(("finding path", finding["path"].clone()));
            }
        }
        for blocker in repo["blockers"].as_array().into_iter().flatten() {
            for finding in blocker["findings"].as_array().into_iter().flatten() {
                paths.push(("blocker finding path", finding["path"].clone()));
            }
        }
        for finding in repo["findings"].as_array().into_iter().flatten() {
            paths.push(("finding path", finding["path"].clone()));
        }
        for error in repo["errors"].as_array().into_iter().flatten() {
            paths.push(("error path", error["path"].clone()));
        }
        for (kind, path) in paths {
            let Some(path) = path.as_str() else {
                continue;
            };
            if path.starts_with('/') || path.starts_with("..") || Path::new(path).is_absolute() {
                absolute.push(format!("{name}: {kind} {path:?}"));
            }
        }
    }
    assert!(
        absolute.is_empty(),
        "paths must be relative to repos.toml or the repository root:\n{}",
        absolute.join("\n")
    );
}

#[test]
fn fleet_sources_are_relative_to_repos_toml() {
    for repo in scan_fleet().repos {
        let folder = folder_of(&repo.source);
        assert_eq!(
            repo.source,
            format!("examples/fleet/{folder}"),
            "source of {}",
            repo.name
        );
    }
}
