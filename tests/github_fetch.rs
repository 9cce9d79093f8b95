//! The GitHub source against a fake GitHub: equivalence with the local source, request counts
//! for cold and warm runs, the cache, and the tree edge cases.

mod fake_github;

use dockgrade::config::Config;
use dockgrade::grade::Policy;
use dockgrade::report::{self, Format};
use dockgrade::scan;
use dockgrade::source::github::{Credentials, GitHubSettings, RetryPolicy, Token};
use fake_github::{FakeGitHub, Repo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

const TOKEN: &str = "test-token-d0ckgrade";

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        request_timeout: Duration::from_secs(5),
        secondary_wait: Duration::from_millis(50),
        max_rate_limit_wait: Duration::from_secs(5),
        max_rate_limit_retries: 3,
    }
}

fn settings(fake: &FakeGitHub, cache_dir: Option<PathBuf>) -> GitHubSettings {
    GitHubSettings {
        api_url: fake.api_url(),
        credentials: Credentials::Token(Token::new(TOKEN)),
        cache_dir,
        policy: fast_policy(),
        concurrency: 4,
        batch_size: 50,
        max_batch_bytes: 2 * 1024 * 1024,
    }
}

fn policy() -> Policy {
    Policy {
        blocker_cap: 'F',
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example fleet's repos.toml, and the same entries read from GitHub as `fleet/<folder>`.
fn fleet_configs(api_url: &str) -> (Config, Config) {
    let path = manifest_dir().join("repos.toml");
    let text = std::fs::read_to_string(&path).expect("repos.toml is readable");
    let pattern = regex::Regex::new(r#"path = "examples/fleet/([^"]+)""#).unwrap();
    let github_text = format!(
        "{}\n[github]\napi_url = \"{api_url}\"\n",
        pattern.replace_all(&text, r#"github = "fleet/$1""#)
    );
    let local = Config::parse(&text, &path).unwrap_or_else(|error| panic!("{error}"));
    let github = Config::parse(&github_text, &path).unwrap_or_else(|error| panic!("{error}"));
    (local, github)
}

fn serve_fleet(fake: &FakeGitHub) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(manifest_dir().join("examples/fleet")).unwrap() {
        let folder = entry.unwrap().path();
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        fake.add(&format!("fleet/{name}"), Repo::from_folder(&folder));
        count += 1;
    }
    count
}

/// Renders a scorecard as JSON without the fields that name where a repository came from.
fn report_without_origin(scorecard: &dockgrade::scorecard::Scorecard) -> Value {
    let text = report::render(scorecard, Format::Json).expect("JSON renders");
    let mut value: Value = serde_json::from_str(&text).unwrap();
    for repo in value["repos"].as_array_mut().unwrap() {
        let object = repo.as_object_mut().unwrap();
        object.remove("source");
        object.remove("commit");
    }
    value
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("tokio runtime")
}

#[test]
fn fleet_matches_local_source() {
    let runtime = runtime();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_fleet(&fake);
    let (local, github) = fleet_configs(&fake.api_url());
    let config_path = manifest_dir().join("repos.toml");
    let cache = TempDir::new().unwrap();

    let local_jobs = scan::jobs_for_config(&local, &config_path);
    let github_jobs = scan::jobs_for_config(&github, &config_path);
    let (local_card, local_stats) =
        scan::build_scorecard_with(&local_jobs, &policy(), &settings(&fake, None));
    let (github_card, github_stats) = scan::build_scorecard_with(
        &github_jobs,
        &policy(),
        &settings(&fake, Some(cache.path().to_path_buf())),
    );

    assert!(local_stats.is_none());
    assert!(github_stats.is_some());
    for repo in &github_card.repos {
        assert!(repo.errors.is_empty(), "{}: {:?}", repo.name, repo.errors);
        assert!(repo.commit.is_some(), "{} has no commit", repo.name);
        assert!(repo.source.starts_with("fleet/"), "{}", repo.source);
    }
    assert_eq!(
        report_without_origin(&local_card),
        report_without_origin(&github_card)
    );
}

#[test]
fn cold_and_warm_request_counts() {
    let runtime = runtime();
    let fake = runtime.block_on(FakeGitHub::start());
    let repos = serve_fleet(&fake);
    let (_, github) = fleet_configs(&fake.api_url());
    let config_path = manifest_dir().join("repos.toml");
    let jobs = scan::jobs_for_config(&github, &config_path);
    let cache = TempDir::new().unwrap();
    let settings = settings(&fake, Some(cache.path().to_path_buf()));

    let (_, cold) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    let cold = cold.expect("GitHub jobs ran");
    let requests = runtime.block_on(fake.requests());
    let trees = requests
        .iter()
        .filter(|r| r.contains("/git/trees/"))
        .count();
    let graphql = requests.iter().filter(|r| r.starts_with("POST")).count();
    assert_eq!(
        trees, repos,
        "one tree listing per repository: {requests:#?}"
    );
    assert_eq!(
        graphql, 2,
        "one heads query and one contents query: {requests:#?}"
    );
    assert_eq!(cold.requests(), requests.len() as u64);
    assert_eq!(cold.cached, 0);

    let (_, warm) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    let warm = warm.expect("GitHub jobs ran");
    let after = runtime.block_on(fake.requests());
    assert_eq!(
        after.len() - requests.len(),
        1,
        "a warm run sends only the heads query: {:#?}",
        &after[requests.len()..]
    );
    assert_eq!(warm.graphql, 1);
    assert_eq!(warm.rest, 0);
    assert!(warm.cached >= repos as u64, "{warm:?}");
}

#[test]
fn heads_batch_size_bounds_queries() {
    let runtime = runtime();
    let fake = runtime.block_on(FakeGitHub::start());
    let mut text = String::new();
    for index in 0..120 {
        let name = format!("acme/svc-{index:03}");
        fake.add(
            &name,
            Repo::new().file("Dockerfile", &format!("FROM alpine:3.20\n# {index}\n")),
        );
        text.push_str(&format!("[[repo]]\ngithub = \"{name}\"\n"));
    }
    let config = Config::parse(&text, Path::new("/fleet/repos.toml")).unwrap();
    let jobs = scan::jobs_for_config(&config, Path::new("/fleet/repos.toml"));
    let cache = TempDir::new().unwrap();
    let settings = settings(&fake, Some(cache.path().to_path_buf()));

    let (card, cold) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    assert!(card.repos.iter().all(|repo| repo.errors.is_empty()));
    let cold = cold.unwrap();
    // 3 heads queries (50 + 50 + 20), 120 trees, 3 blob queries for 120 distinct Dockerfiles.
    assert_eq!(cold.graphql, 6, "{cold:?}");
    assert_eq!(cold.rest, 120, "{cold:?}");

    let (_, warm) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    let warm = warm.unwrap();
    assert_eq!(warm.graphql, 3, "{warm:?}");
    assert_eq!(warm.rest, 0, "{warm:?}");
}
