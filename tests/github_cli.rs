//! `dockgrade scan` with GitHub repositories, end to end against the fake GitHub: the exit code
//! for an unreadable repository, `--stats`, `-v` request logs, and a token that never shows.

mod fake_github;

use assert_cmd::Command;
use fake_github::{FakeGitHub, Repo};
use tempfile::TempDir;

const TOKEN: &str = "ghp_cli-test-token-0123456789";

fn write_config(folder: &TempDir, api_url: &str) -> std::path::PathBuf {
    let path = folder.path().join("repos.toml");
    let text = format!(
        "[github]\napi_url = \"{api_url}\"\n\n\
         [[repo]]\ngithub = \"acme/api\"\n\n\
         [[repo]]\ngithub = \"acme/gone\"\n"
    );
    std::fs::write(&path, text).expect("config is written");
    path
}

fn scan_command(config: &std::path::Path, cache: Option<&std::path::Path>) -> Command {
    let mut command = Command::cargo_bin("dockgrade").expect("binary is built");
    command
        .arg("scan")
        .arg("--config")
        .arg(config)
        .arg("--format")
        .arg("json");
    if let Some(cache) = cache {
        command.arg("--cache-dir").arg(cache);
    }
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("DOCKGRADE_GITHUB_APP_ID")
        .env_remove("DOCKGRADE_GITHUB_APP_KEY")
        .env_remove("DOCKGRADE_LOG");
    command
}

#[test]
fn scan_github_exit_code_and_stats() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    fake.add(
        "acme/api",
        Repo::new()
            .file("Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
            .file(".dockerignore", ".git\n"),
    );
    let folder = TempDir::new().unwrap();
    let config = write_config(&folder, &fake.api_url());
    let cache = folder.path().join("cache");

    let output = scan_command(&config, Some(&cache))
        .arg("--stats")
        .arg("-v")
        .output()
        .expect("dockgrade runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(4), "stderr:\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let repos = report["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 2);
    let missing = repos
        .iter()
        .find(|repo| repo["name"] == "acme/gone")
        .unwrap();
    assert_eq!(missing["grade"], "error");
    let message = missing["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("not found"), "{message}");
    let api = repos
        .iter()
        .find(|repo| repo["name"] == "acme/api")
        .unwrap();
    assert_eq!(
        api["commit"].as_str(),
        Some(fake.commit_of("acme/api").as_str())
    );

    assert_eq!(
        api.get("web_url"),
        None,
        "a fake github.com at {} has no known web host",
        fake.api_url()
    );

    assert!(
        stderr.contains("GitHub requests: 3 (GraphQL 2, REST 1)"),
        "{stderr}"
    );
    assert!(stderr.contains("/repos/acme/api/git/trees/"), "{stderr}");
    assert!(stderr.contains("remaining=4990"), "{stderr}");
    assert!(!stderr.contains(TOKEN));
    assert!(!stdout.contains(TOKEN));

    let warm = scan_command(&config, Some(&cache))
        .arg("--stats")
        .output()
        .expect("dockgrade runs");
    let warm_stderr = String::from_utf8_lossy(&warm.stderr);
    assert_eq!(warm.status.code(), Some(4));
    assert!(
        warm_stderr.contains("GitHub requests: 1 (GraphQL 1, REST 0), cached 3"),
        "{warm_stderr}"
    );
}

#[test]
fn no_cache_reads_everything_again() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    fake.add(
        "acme/api",
        Repo::new().file("Dockerfile", "FROM alpine:3.20\n"),
    );
    let folder = TempDir::new().unwrap();
    let config = write_config(&folder, &fake.api_url());
    let home = folder.path().join("home");

    for _ in 0..2 {
        let output = scan_command(&config, None)
            .arg("--no-cache")
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .arg("--stats")
            .output()
            .expect("dockgrade runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cached 0"), "{stderr}");
        assert!(stderr.contains("REST 1"), "{stderr}");
    }
    assert!(!home.exists(), "--no-cache wrote a cache");
}

#[test]
fn scan_enterprise_repository_gets_web_url() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start_enterprise());
    fake.add(
        "acme/api",
        Repo::new().file("Dockerfile", "FROM alpine:3.20\nUSER 1000\n"),
    );
    let folder = TempDir::new().unwrap();
    let config = write_config(&folder, &fake.api_url());

    let output = scan_command(&config, None)
        .arg("--no-cache")
        .output()
        .expect("dockgrade runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let repos = report["repos"].as_array().unwrap();
    let api = repos
        .iter()
        .find(|repo| repo["name"] == "acme/api")
        .unwrap();
    let host = fake.api_url().trim_end_matches("/api/v3").to_string();
    assert_eq!(api["web_url"], format!("{host}/acme/api"));
    let gone = repos
        .iter()
        .find(|repo| repo["name"] == "acme/gone")
        .unwrap();
    assert_eq!(gone.get("web_url"), None, "an error row links nowhere");
}
