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
        progress: false,
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

/// Returns the example fleet's repos.toml, and the same entries read from GitHub as
/// `fleet/<folder>`.
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

async fn fetch_one(
    fake: &FakeGitHub,
    repository: &str,
    cache_dir: Option<PathBuf>,
) -> (
    dockgrade::source::Snapshot,
    dockgrade::source::github::StatsSnapshot,
) {
    use dockgrade::source::github::{GitHubSource, RepoRequest};
    let source = GitHubSource::new(settings(fake, cache_dir)).expect("client builds");
    let request = RepoRequest {
        repository: repository.to_string(),
        git_ref: None,
        options: dockgrade::source::local::LocalOptions::default(),
    };
    let more = |_: usize, snapshot: &dockgrade::source::Snapshot| {
        dockgrade::model::unread_dockerfiles(snapshot, &Default::default())
    };
    let mut results = source.fetch(&[request], &more).await;
    let snapshot = results
        .remove(0)
        .unwrap_or_else(|error| panic!("fetch failed: {error}"));
    (snapshot, source.stats())
}

fn reason<'a>(snapshot: &'a dockgrade::source::Snapshot, path: &str) -> Option<&'a str> {
    snapshot
        .skipped
        .iter()
        .find(|skipped| skipped.path == path)
        .map(|skipped| skipped.reason.as_str())
}

#[tokio::test]
async fn symlinks_resolve_inside_tree() {
    let fake = FakeGitHub::start().await;
    fake.add(
        "acme/links",
        Repo::new()
            .file("docker/base.Dockerfile", "FROM alpine:3.20\n")
            .symlink("Dockerfile", "docker/base.Dockerfile")
            .symlink("deploy/Dockerfile", "../Dockerfile")
            .symlink("outside/Dockerfile", "../../etc/Dockerfile")
            .symlink("broken/Dockerfile", "missing.Dockerfile")
            .symlink("Dockerfile.dir", "docker"),
    );

    let (snapshot, _) = fetch_one(&fake, "acme/links", None).await;
    assert_eq!(snapshot.text("Dockerfile"), Some("FROM alpine:3.20\n"));
    assert_eq!(
        snapshot.text("deploy/Dockerfile"),
        Some("FROM alpine:3.20\n")
    );
    assert!(snapshot.contains("outside/Dockerfile"));
    assert_eq!(
        reason(&snapshot, "outside/Dockerfile"),
        Some("symbolic link points outside the repository; not followed")
    );
    let broken = reason(&snapshot, "broken/Dockerfile").unwrap_or_default();
    assert!(broken.starts_with("broken symbolic link"), "{broken}");
    assert_eq!(
        reason(&snapshot, "Dockerfile.dir"),
        Some("symbolic link to a folder; not followed")
    );
}

#[tokio::test]
async fn submodule_lfs_and_size_cap_are_reported() {
    let fake = FakeGitHub::start().await;
    let big = format!("FROM alpine:3.20\n{}\n", "# padding\n".repeat(120_000));
    fake.add(
        "acme/odd",
        Repo::new()
            .file("Dockerfile", "FROM alpine:3.20\n")
            .submodule("vendored/lib")
            .file(
                "lfs/Dockerfile",
                "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n",
            )
            .file("big/Dockerfile", &big),
    );

    let (snapshot, stats) = fetch_one(&fake, "acme/odd", None).await;
    assert!(snapshot.files.contains_key("Dockerfile"));
    let submodule = reason(&snapshot, "vendored/lib").unwrap_or_default();
    assert!(submodule.starts_with("submodule"), "{submodule}");
    assert!(!snapshot.contains("vendored/lib"));
    let lfs = reason(&snapshot, "lfs/Dockerfile").unwrap_or_default();
    assert!(lfs.contains("LFS pointer"), "{lfs}");
    assert!(!snapshot.files.contains_key("lfs/Dockerfile"));
    assert_eq!(
        reason(&snapshot, "big/Dockerfile"),
        Some("larger than the 1048576 byte limit for files that are read")
    );
    // The oversized file is never requested: heads, tree and one blob query.
    assert_eq!(stats.requests(), 3, "{stats:?}");
}

#[tokio::test]
async fn truncated_and_binary_blobs_use_rest() {
    let fake = FakeGitHub::start().await;
    let large = format!(
        "FROM alpine:3.20\n{}",
        "# filler line\n".repeat(fake_github::GRAPHQL_TEXT_LIMIT / 14 + 10)
    );
    fake.add(
        "acme/blobs",
        Repo::new()
            .file("Dockerfile", &large)
            .bytes("config/values.yaml", vec![0xff, 0xfe, 0x00, 0x41]),
    );

    let (snapshot, stats) = fetch_one(&fake, "acme/blobs", None).await;
    assert_eq!(snapshot.text("Dockerfile"), Some(large.as_str()));
    assert_eq!(
        snapshot.files.get("config/values.yaml"),
        Some(&vec![0xff, 0xfe, 0x00, 0x41])
    );
    assert_eq!(fake.count("/git/blobs/").await, 2);
    assert_eq!(stats.rest, 3, "one tree and two blobs: {stats:?}");
}

#[tokio::test]
async fn compose_named_dockerfile_second_round() {
    let fake = FakeGitHub::start().await;
    fake.add(
        "acme/compose",
        Repo::new()
            .file(
                "compose.yaml",
                "services:\n  app:\n    build:\n      context: .\n      dockerfile: ci/app.build\n",
            )
            .file("ci/app.build", "FROM alpine:3.20\nUSER 1000\n"),
    );

    let (snapshot, stats) = fetch_one(&fake, "acme/compose", None).await;
    assert_eq!(
        snapshot.text("ci/app.build"),
        Some("FROM alpine:3.20\nUSER 1000\n")
    );
    // Heads, tree, first blob query, then the blob Compose names.
    assert_eq!(stats.graphql, 3, "{stats:?}");
}

#[tokio::test]
async fn corrupt_cache_files_are_rebuilt() {
    let fake = FakeGitHub::start().await;
    fake.add(
        "acme/api",
        Repo::new()
            .file("Dockerfile", "FROM alpine:3.20\n")
            .file(".dockerignore", ".git\n"),
    );
    let cache = TempDir::new().unwrap();
    let (cold, _) = fetch_one(&fake, "acme/api", Some(cache.path().to_path_buf())).await;

    // Damage every cached file: a truncated tree listing and blobs with other bytes.
    let mut damaged = 0;
    for kind in ["trees", "blobs"] {
        for shard in std::fs::read_dir(cache.path().join(kind)).unwrap() {
            for file in std::fs::read_dir(shard.unwrap().path()).unwrap() {
                std::fs::write(file.unwrap().path(), b"{\"entries\": [").unwrap();
                damaged += 1;
            }
        }
    }
    assert_eq!(damaged, 3);

    let (rebuilt, stats) = fetch_one(&fake, "acme/api", Some(cache.path().to_path_buf())).await;
    assert_eq!(rebuilt.files, cold.files);
    assert_eq!(stats.cached, 0, "{stats:?}");
    assert_eq!(stats.rest, 1, "the tree is listed again: {stats:?}");

    let (warm, stats) = fetch_one(&fake, "acme/api", Some(cache.path().to_path_buf())).await;
    assert_eq!(warm.files, cold.files);
    assert_eq!(stats.requests(), 1, "{stats:?}");
    assert_eq!(stats.cached, 3, "{stats:?}");
}

#[test]
fn changed_repository_refetches_new_blobs() {
    let runtime = runtime();
    let fake = runtime.block_on(FakeGitHub::start());
    let repos = serve_fleet(&fake);
    let (_, github) = fleet_configs(&fake.api_url());
    let config_path = manifest_dir().join("repos.toml");
    let jobs = scan::jobs_for_config(&github, &config_path);
    let cache = TempDir::new().unwrap();
    let settings = settings(&fake, Some(cache.path().to_path_buf()));
    let (_, cold) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    assert_eq!(cold.unwrap().rest, repos as u64);

    // A new commit changes one Dockerfile of one repository.
    let folder = manifest_dir().join("examples/fleet/orders-api");
    let mut changed = Repo::from_folder(&folder);
    changed = changed.file("Dockerfile", "FROM alpine:3.20\nUSER 1000\n");
    fake.add("fleet/orders-api", changed);

    let (card, warm) = scan::build_scorecard_with(&jobs, &policy(), &settings);
    let warm = warm.unwrap();
    // One heads query, the changed repository's tree, and one query for the one new blob.
    assert_eq!(warm.graphql, 2, "{warm:?}");
    assert_eq!(warm.rest, 1, "{warm:?}");
    let orders = card
        .repos
        .iter()
        .find(|repo| repo.name == "orders-api")
        .expect("orders-api is graded");
    assert_eq!(
        orders.commit.as_deref(),
        Some(fake.commit_of("fleet/orders-api").as_str())
    );
}
