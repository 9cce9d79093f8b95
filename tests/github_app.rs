//! GitHub App authentication against the fake GitHub: one installation per owner, its token on
//! every request for that owner's repositories, GraphQL batches split by owner, and an owner
//! without the App as an error row.

mod fake_github;

use dockgrade::source::github::{
    AppCredentials, Credentials, GitHubSettings, GitHubSource, RepoRequest, RetryPolicy,
};
use dockgrade::source::local::LocalOptions;
use fake_github::{FakeGitHub, Repo};
use std::time::Duration;

fn app_settings(fake: &FakeGitHub) -> GitHubSettings {
    let key = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_github/test-app-key.pem"),
    )
    .expect("test key is readable");
    GitHubSettings {
        api_url: fake.api_url(),
        credentials: Credentials::App(AppCredentials::new(1, key)),
        cache_dir: None,
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

fn request(repository: &str) -> RepoRequest {
    RepoRequest {
        repository: repository.to_string(),
        git_ref: None,
        options: LocalOptions::default(),
    }
}

fn authorization(request: &wiremock::Request) -> String {
    request
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn run_app(fake: &FakeGitHub) {
    for name in ["acme/api", "acme/web", "jdoe/tool", "other/lib"] {
        fake.add(
            name,
            Repo::new().file(
                "Dockerfile",
                &format!("FROM alpine:3.20\nLABEL repo={name}\n"),
            ),
        );
    }
    fake.add_owner("acme", true);
    fake.add_owner("jdoe", false);
    fake.install_app(&[("acme", 11), ("jdoe", 22)]).await;

    let source = GitHubSource::new(app_settings(fake)).expect("client builds");
    let requests: Vec<RepoRequest> = ["acme/api", "jdoe/tool", "other/lib", "acme/web"]
        .iter()
        .map(|name| request(name))
        .collect();
    let results = source.fetch(&requests, &|_, _| Vec::new()).await;

    for index in [0, 1, 3] {
        let snapshot = results[index].as_ref().expect("readable with the App");
        assert!(snapshot.files.contains_key("Dockerfile"));
    }
    let message = results[2]
        .as_ref()
        .expect_err("App not installed")
        .to_string();
    assert!(message.contains("not installed on other"), "{message}");
}

#[tokio::test]
async fn app_token_per_owner() {
    let fake = FakeGitHub::start().await;
    run_app(&fake).await;

    let received = fake.server.received_requests().await.unwrap();
    let minted: Vec<&str> = received
        .iter()
        .filter(|request| request.url.path().ends_with("/access_tokens"))
        .map(|request| request.url.path())
        .collect();
    // One token per owner, shared by REST and GraphQL.
    assert_eq!(
        minted.iter().filter(|path| path.contains("/11/")).count(),
        1
    );
    assert_eq!(
        minted.iter().filter(|path| path.contains("/22/")).count(),
        1
    );
    assert_eq!(minted.len(), 2);

    for request in &received {
        let path = request.url.path();
        if path.starts_with("/repos/acme/") {
            assert_eq!(
                authorization(request),
                "Bearer ghs_installation_11",
                "{path}"
            );
        }
        if path.starts_with("/repos/jdoe/") {
            assert_eq!(
                authorization(request),
                "Bearer ghs_installation_22",
                "{path}"
            );
        }
    }
    // Heads are batched per owner: acme and jdoe each get their own query, other gets none.
    let heads: Vec<String> = received
        .iter()
        .filter(|request| request.method.as_str() == "POST" && request.url.path() == "/graphql")
        .map(authorization)
        .collect();
    assert_eq!(heads.len(), 4, "two heads and two blob queries: {heads:?}");
    assert!(heads
        .iter()
        .all(|value| value.starts_with("Bearer ghs_installation_")));
}

#[tokio::test]
async fn app_on_enterprise_server() {
    let fake = FakeGitHub::start_enterprise().await;
    run_app(&fake).await;

    let requests = fake.requests().await;
    assert!(
        requests
            .iter()
            .any(|r| r == "POST /api/v3/app/installations/11/access_tokens"),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|r| r == "POST /api/graphql"),
        "{requests:#?}"
    );
}
