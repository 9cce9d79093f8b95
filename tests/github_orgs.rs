//! Organization and user discovery against the fake GitHub: pagination through `link` headers,
//! the archived, fork and name-glob rules, conditional requests on warm runs, and error rows.

mod fake_github;

use dockgrade::config::Config;
use dockgrade::grade::Policy;
use dockgrade::scan::{self, GitHubRun};
use dockgrade::source::github::{Credentials, GitHubSettings, RetryPolicy, Token};
use fake_github::{FakeGitHub, Repo};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

fn settings(fake: &FakeGitHub, cache_dir: Option<PathBuf>) -> GitHubSettings {
    GitHubSettings {
        api_url: fake.api_url(),
        credentials: Credentials::Token(Token::new("test-token-orgs")),
        cache_dir,
        policy: RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            request_timeout: Duration::from_secs(5),
            ..RetryPolicy::default()
        },
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

fn service() -> Repo {
    Repo::new().file("Dockerfile", "FROM alpine:3.20\n")
}

/// Serves an organization with 230 services (three pages of 100), an archived repository, a
/// fork and a sandbox, plus a user with one repository.
fn serve_owners(fake: &FakeGitHub) {
    fake.add_owner("acme", true);
    for index in 0..230 {
        fake.add(&format!("acme/svc-{index:03}"), service());
    }
    fake.add(
        "acme/old-billing",
        Repo {
            archived: true,
            ..service()
        },
    );
    fake.add(
        "acme/forked-lib",
        Repo {
            fork: true,
            ..service()
        },
    );
    fake.add("acme/svc-sandbox", service());
    fake.add_owner("jdoe", false);
    fake.add("jdoe/dotfiles", service());
}

struct Scan {
    names: Vec<String>,
    errors: Vec<String>,
    stats: dockgrade::source::github::StatsSnapshot,
}

fn run_scan(fake: &FakeGitHub, text: &str, cache_dir: Option<PathBuf>) -> Scan {
    let path = Path::new("/fleet/repos.toml");
    let config = Config::parse(text, path).unwrap_or_else(|error| panic!("{error}"));
    let mut jobs = scan::jobs_for_config(&config, path);
    let run = GitHubRun::start(&settings(fake, cache_dir)).expect("run starts");
    let (org_jobs, org_errors) = run.org_jobs(&config, &jobs);
    jobs.extend(org_jobs);
    let fetched = run.fetch(&jobs);
    let scorecard = scan::build_scorecard_from(&jobs, &policy(), fetched, org_errors);
    Scan {
        names: scorecard
            .repos
            .iter()
            .map(|repo| repo.name.clone())
            .collect(),
        errors: scorecard
            .repos
            .iter()
            .flat_map(|repo| {
                repo.errors
                    .iter()
                    .map(|error| format!("{}: {error:?}", repo.name))
            })
            .collect(),
        stats: run.stats(),
    }
}

#[test]
fn org_pages_and_filters() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_owners(&fake);

    let scan = run_scan(
        &fake,
        "[[org]]\nname = \"acme\"\nexclude = [\"*-sandbox\"]\n",
        None,
    );
    assert!(scan.errors.is_empty(), "{:#?}", scan.errors);
    assert_eq!(scan.names.len(), 230);
    assert!(!scan.names.contains(&"acme/old-billing".to_string()));
    assert!(!scan.names.contains(&"acme/forked-lib".to_string()));
    assert!(!scan.names.contains(&"acme/svc-sandbox".to_string()));
    // 233 repositories in the listing: three pages of 100.
    assert_eq!(runtime.block_on(fake.count("/orgs/acme/repos")), 3);
}

#[test]
fn org_opt_ins_and_include() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_owners(&fake);

    let scan = run_scan(
        &fake,
        "[[org]]\nname = \"acme\"\ninclude = [\"old-*\", \"forked-*\"]\narchived = true\nforks = true\n",
        None,
    );
    assert_eq!(scan.names, ["acme/forked-lib", "acme/old-billing"]);
}

#[test]
fn user_account_and_repo_entry_dedup() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_owners(&fake);

    let scan = run_scan(
        &fake,
        "[[repo]]\nname = \"dotfiles\"\ngithub = \"jdoe/dotfiles\"\n\n[[org]]\nname = \"jdoe\"\n",
        None,
    );
    assert_eq!(scan.names, ["dotfiles"]);
    assert_eq!(runtime.block_on(fake.count("/users/jdoe/repos")), 1);
}

#[test]
fn missing_owner_is_error_row() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_owners(&fake);

    let scan = run_scan(&fake, "[[org]]\nname = \"nobody\"\n", None);
    assert_eq!(scan.names, ["nobody"]);
    assert_eq!(scan.errors.len(), 1);
    assert!(scan.errors[0].contains("not found"), "{}", scan.errors[0]);
}

#[test]
fn warm_org_listing_uses_etags() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    serve_owners(&fake);
    let cache = TempDir::new().unwrap();
    let text = "[[org]]\nname = \"acme\"\n";

    let cold = run_scan(&fake, text, Some(cache.path().to_path_buf()));
    assert_eq!(cold.names.len(), 231);
    assert_eq!(cold.stats.not_modified, 0);

    let warm = run_scan(&fake, text, Some(cache.path().to_path_buf()));
    assert_eq!(warm.names, cold.names);
    // Three listing pages returned 304, then ⌈231 / 50⌉ = 5 heads queries.
    assert_eq!(warm.stats.not_modified, 3, "{:?}", warm.stats);
    assert_eq!(warm.stats.rest, 3, "{:?}", warm.stats);
    assert_eq!(warm.stats.graphql, 5, "{:?}", warm.stats);
}
