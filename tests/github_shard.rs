//! `scan --shard` with `[[org]]` entries against the fake GitHub: an organization's repositories
//! are spread over the shards, a repository that both a `[[repo]]` entry and an organization
//! list is graded once, and merging the shards gives the unsharded report.

mod fake_github;

use assert_cmd::Command;
use fake_github::{FakeGitHub, Repo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const TOKEN: &str = "ghp_shard-test-token-0123456789";
const TODAY: &str = "2026-06-01";
const SHARDS: u32 = 3;

fn dockgrade() -> Command {
    let mut command = Command::cargo_bin("dockgrade").expect("binary is built");
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("DOCKGRADE_GITHUB_APP_ID")
        .env_remove("DOCKGRADE_GITHUB_APP_KEY")
        .env_remove("DOCKGRADE_LOG");
    command
}

/// Runs `scan --format json --no-cache` with `extra` arguments and returns the report's text.
fn scan(config: &Path, extra: &[&str]) -> String {
    let output = dockgrade()
        .args([
            "scan",
            "--today",
            TODAY,
            "--format",
            "json",
            "--no-cache",
            "--config",
        ])
        .arg(config)
        .args(extra)
        .output()
        .expect("dockgrade runs");
    let text = String::from_utf8(output.stdout).expect("the report is UTF-8");
    // Exit code 4 exactly when the report has the missing organization's error row.
    let has_error_row = sources_of(&text).contains(&"ghost/*".to_string());
    assert_eq!(
        output.status.code(),
        Some(if has_error_row { 4 } else { 0 }),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

fn sources_of(text: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(text).expect("the report is JSON");
    report["repos"]
        .as_array()
        .expect("repos is an array")
        .iter()
        .map(|repo| repo["source"].as_str().expect("a source").to_string())
        .collect()
}

#[test]
fn org_repositories_spread_over_shards() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fake = runtime.block_on(FakeGitHub::start());
    fake.add_owner("acme", true);
    for index in 0..24 {
        fake.add(
            &format!("acme/svc-{index:02}"),
            Repo::new().file("Dockerfile", "FROM alpine:3.20\nUSER 1000\n"),
        );
    }
    let folder = TempDir::new().expect("temporary folder");
    let config = folder.path().join("repos.toml");
    std::fs::write(
        &config,
        format!(
            "[github]\napi_url = \"{}\"\n\n\
             [[repo]]\ngithub = \"acme/svc-03\"\n\n\
             [[org]]\nname = \"acme\"\n\n\
             [[org]]\nname = \"ghost\"\n",
            fake.api_url()
        ),
    )
    .expect("write repos.toml");

    let unsharded = scan(&config, &[]);
    let all = sources_of(&unsharded);
    assert_eq!(
        all.len(),
        25,
        "24 repositories and the ghost owner's error row"
    );

    let mut shard_files: Vec<PathBuf> = Vec::new();
    let mut shard_of: BTreeMap<String, u32> = BTreeMap::new();
    for index in 1..=SHARDS {
        let text = scan(&config, &["--shard", &format!("{index}/{SHARDS}")]);
        let sources = sources_of(&text);
        let org_repositories = sources
            .iter()
            .filter(|source| source.starts_with("acme/"))
            .count();
        assert!(
            org_repositories >= 3,
            "shard {index} has {org_repositories} of the 24 organization repositories"
        );
        for source in sources {
            let previous = shard_of.insert(source.clone(), index);
            assert_eq!(previous, None, "{source} is in two shards");
        }
        let path = folder.path().join(format!("shard-{index}.json"));
        std::fs::write(&path, text).expect("write the shard report");
        shard_files.push(path);
    }
    let mut sharded: Vec<String> = shard_of.keys().cloned().collect();
    let mut expected = all.clone();
    sharded.sort();
    expected.sort();
    assert_eq!(sharded, expected);

    let merged = dockgrade()
        .args(["merge", "--format", "json"])
        .args(&shard_files)
        .output()
        .expect("dockgrade runs");
    assert_eq!(merged.status.code(), Some(4));
    assert!(
        merged.stdout == unsharded.as_bytes(),
        "merged shards differ from the unsharded scan"
    );
}
