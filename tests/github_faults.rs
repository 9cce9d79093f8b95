//! The GitHub source under faults: rate limits, retries, server errors, timeouts, partial
//! GraphQL errors, and repositories that are missing, empty or truncated. Every delay is tiny,
//! so the suite stays fast.

mod fake_github;

use dockgrade::source::github::{
    Credentials, FetchError, GitHubSettings, GitHubSource, RepoRequest, RetryPolicy, StatsSnapshot,
    Token,
};
use dockgrade::source::local::LocalOptions;
use dockgrade::source::Snapshot;
use fake_github::{get_path, graphql_larger_than, graphql_query, FakeGitHub, Repo};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wiremock::ResponseTemplate;

const TOKEN: &str = "test-token-d0ckgrade";

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        request_timeout: Duration::from_millis(500),
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

fn request(repository: &str) -> RepoRequest {
    RepoRequest {
        repository: repository.to_string(),
        git_ref: None,
        options: LocalOptions::default(),
    }
}

fn service(index: usize) -> Repo {
    Repo::new()
        .file("Dockerfile", &format!("FROM alpine:3.20\nUSER {index}\n"))
        .file(".dockerignore", ".git\n")
        .file("README.md", "# service\n")
}

async fn fetch_with(
    settings: GitHubSettings,
    requests: &[RepoRequest],
) -> (Vec<Result<Snapshot, FetchError>>, StatsSnapshot) {
    let source = GitHubSource::new(settings).expect("client builds");
    let results = source.fetch(requests, &|_, _| Vec::new()).await;
    (results, source.stats())
}

async fn fetch(
    fake: &FakeGitHub,
    names: &[&str],
) -> (Vec<Result<Snapshot, FetchError>>, StatsSnapshot) {
    let requests: Vec<RepoRequest> = names.iter().map(|name| request(name)).collect();
    fetch_with(settings(fake, None), &requests).await
}

fn epoch_seconds_from_now(seconds: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (now + seconds).to_string()
}

fn error_text(result: &Result<Snapshot, FetchError>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error.to_string(),
    }
}

fn snapshot(result: &Result<Snapshot, FetchError>) -> &Snapshot {
    match result {
        Ok(snapshot) => snapshot,
        Err(error) => panic!("expected a snapshot, got: {error}"),
    }
}

#[tokio::test]
async fn secondary_limit_with_retry_after() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(403)
            .insert_header("retry-after", "1")
            .set_body_json(serde_json::json!({
                "message": "You have exceeded a secondary rate limit."
            })),
        1,
    )
    .await;

    let started = Instant::now();
    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert!(started.elapsed() >= Duration::from_secs(1), "did not wait");
    assert_eq!(stats.rate_limit_pauses, 1);
    assert_eq!(fake.count("/git/trees/").await, 2);
}

#[tokio::test]
async fn too_many_requests_without_retry_after() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(get_path("/git/trees/"), ResponseTemplate::new(429), 2)
        .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert_eq!(stats.rate_limit_pauses, 2);
    assert_eq!(fake.count("/git/trees/").await, 3);
}

#[tokio::test]
async fn primary_limit_waits_for_reset() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", epoch_seconds_from_now(1).as_str())
            .set_body_json(serde_json::json!({"message": "API rate limit exceeded"})),
        1,
    )
    .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert_eq!(stats.rate_limit_pauses, 1);
}

#[tokio::test]
async fn primary_limit_past_max_wait_fails_repository() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.add("acme/web", service(2));
    fake.fault(
        |request: &wiremock::Request| request.url.path().contains("/repos/acme/api/git/trees/"),
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", epoch_seconds_from_now(3600).as_str()),
        1,
    )
    .await;

    let (results, _) = fetch(&fake, &["acme/api", "acme/web"]).await;
    let message = error_text(&results[0]);
    assert!(message.contains("rate limit exhausted"), "{message}");
    assert!(snapshot(&results[1]).files.contains_key("Dockerfile"));
}

#[tokio::test]
async fn permission_forbidden_is_not_retried() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-remaining", "4999")
            .set_body_json(serde_json::json!({
                "message": "Resource not accessible by integration"
            })),
        10,
    )
    .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    let message = error_text(&results[0]);
    assert!(message.contains("no access"), "{message}");
    assert!(message.contains("Resource not accessible"), "{message}");
    assert_eq!(fake.count("/git/trees/").await, 1);
    assert_eq!(stats.retries, 0);
}

#[tokio::test]
async fn graphql_rate_limited_with_status_200() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        graphql_query("query Heads"),
        ResponseTemplate::new(200)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", epoch_seconds_from_now(1).as_str())
            .set_body_json(serde_json::json!({
                "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]
            })),
        1,
    )
    .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert_eq!(stats.rate_limit_pauses, 1);
    assert_eq!(
        fake.count("POST /graphql").await,
        3,
        "heads twice, blobs once"
    );
}

#[tokio::test]
async fn partial_graphql_errors_keep_other_repositories() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.add("acme/web", service(2));

    let (results, _) = fetch(&fake, &["acme/api", "acme/gone", "acme/web"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert!(snapshot(&results[2]).files.contains_key("Dockerfile"));
    assert!(matches!(results[1], Err(FetchError::NotFound { .. })));
    let message = error_text(&results[1]);
    assert!(message.contains("not found"), "{message}");
    assert_eq!(fake.count("/repos/acme/gone/").await, 0);
}

#[tokio::test]
async fn gateway_timeout_splits_large_batch() {
    let fake = FakeGitHub::start().await;
    let names: Vec<String> = (0..5).map(|index| format!("acme/svc-{index}")).collect();
    for (index, name) in names.iter().enumerate() {
        fake.add(name, service(index));
    }
    // Any query over two repositories or blobs times out on the server.
    fake.fault(graphql_larger_than(2), ResponseTemplate::new(502), 100)
        .await;

    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (results, stats) = fetch(&fake, &refs).await;
    for result in &results {
        assert!(snapshot(result).files.contains_key("Dockerfile"));
    }
    // Heads: 5 → 2 + 3 → 2 + (1 + 2), so 5 queries, 2 of them returned 502.
    // Blobs: 5 Dockerfiles and 1 shared .dockerignore, 6 → 3 + 3 → (1 + 2) + (1 + 2), so 7
    // queries, 3 of them returned 502.
    assert_eq!(fake.count("POST /graphql").await, 12);
    assert_eq!(stats.graphql, 12);
    assert_eq!(stats.retries, 0, "a split is not a retry");
}

#[tokio::test]
async fn server_error_then_success() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(get_path("/git/trees/"), ResponseTemplate::new(500), 1)
        .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert_eq!(stats.retries, 1);
    assert_eq!(fake.count("/git/trees/").await, 2);
}

#[tokio::test]
async fn persistent_server_error_fails_after_retries() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(get_path("/git/trees/"), ResponseTemplate::new(503), 100)
        .await;

    let (results, _) = fetch(&fake, &["acme/api"]).await;
    let message = error_text(&results[0]);
    assert!(message.contains("server error 503"), "{message}");
    // One try and max_retries (2) retries.
    assert_eq!(fake.count("/git/trees/").await, 3);
}

#[tokio::test]
async fn slow_response_times_out_then_succeeds() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
        1,
    )
    .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    assert_eq!(stats.retries, 1);
}

#[tokio::test]
async fn always_slow_response_fails_with_timeout() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
        100,
    )
    .await;

    let (results, _) = fetch(&fake, &["acme/api"]).await;
    let message = error_text(&results[0]);
    assert!(message.contains("timed out"), "{message}");
}

#[tokio::test]
async fn empty_repository_from_heads() {
    let fake = FakeGitHub::start().await;
    fake.add(
        "acme/new",
        Repo {
            empty: true,
            ..Repo::new()
        },
    );

    let (results, _) = fetch(&fake, &["acme/new"]).await;
    assert!(matches!(results[0], Err(FetchError::Empty { .. })));
    assert_eq!(fake.count("/git/trees/").await, 0);
}

#[tokio::test]
async fn empty_repository_from_tree_conflict() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(409).set_body_json(serde_json::json!({
            "message": "Git Repository is empty."
        })),
        1,
    )
    .await;

    let (results, stats) = fetch(&fake, &["acme/api"]).await;
    assert!(matches!(results[0], Err(FetchError::Empty { .. })));
    assert_eq!(stats.retries, 0);
}

#[tokio::test]
async fn tree_not_found() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(
        get_path("/git/trees/"),
        ResponseTemplate::new(404).set_body_json(serde_json::json!({"message": "Not Found"})),
        1,
    )
    .await;

    let (results, _) = fetch(&fake, &["acme/api"]).await;
    assert!(matches!(results[0], Err(FetchError::NotFound { .. })));
}

#[tokio::test]
async fn truncated_tree_walks_subtrees() {
    let fake = FakeGitHub::start().await;
    let repo = Repo {
        truncated: true,
        ..Repo::new()
            .file("Dockerfile", "FROM alpine:3.20\n")
            .file("a/b/c/Dockerfile", "FROM alpine:3.19\n")
            .file("a/compose.yaml", "services: {}\n")
            .file("z/README.md", "# z\n")
    };
    fake.add("acme/mono", repo);

    let (results, _) = fetch(&fake, &["acme/mono"]).await;
    let snapshot = snapshot(&results[0]);
    assert_eq!(
        snapshot.paths,
        [
            "Dockerfile",
            "a/b/c/Dockerfile",
            "a/compose.yaml",
            "z/README.md"
        ]
    );
    assert!(snapshot.files.contains_key("a/b/c/Dockerfile"));
    // One truncated recursive listing, then the root, a, a/b, a/b/c and z.
    assert_eq!(fake.count("/git/trees/").await, 6);
}

#[tokio::test]
async fn pinned_ref_and_missing_ref() {
    let fake = FakeGitHub::start().await;
    let mut repo = service(1);
    repo.refs.insert(
        "v1.0.0".to_string(),
        [(
            "Dockerfile".to_string(),
            fake_github::Entry::File(b"FROM alpine:3.10\n".to_vec()),
        )]
        .into_iter()
        .collect(),
    );
    fake.add("acme/api", repo);

    let requests = [
        RepoRequest {
            git_ref: Some("v1.0.0".to_string()),
            ..request("acme/api")
        },
        RepoRequest {
            git_ref: Some("v9".to_string()),
            ..request("acme/api")
        },
    ];
    let (results, _) = fetch_with(settings(&fake, None), &requests).await;
    assert_eq!(
        snapshot(&results[0]).text("Dockerfile"),
        Some("FROM alpine:3.10\n")
    );
    assert!(matches!(results[1], Err(FetchError::RefNotFound { .. })));
}

#[tokio::test]
async fn token_never_in_errors() {
    let fake = FakeGitHub::start().await;
    fake.add("acme/api", service(1));
    fake.fault(get_path("/git/trees/"), ResponseTemplate::new(500), 100)
        .await;

    let (results, _) = fetch(&fake, &["acme/api", "acme/gone"]).await;
    for result in &results {
        let message = error_text(result);
        assert!(!message.contains(TOKEN), "{message}");
        assert!(!format!("{result:?}").contains(TOKEN));
    }
    let settings = settings(&fake, None);
    assert!(!format!("{settings:?}").contains(TOKEN));

    let received = fake.server.received_requests().await.unwrap();
    let authorization = received[0]
        .headers
        .get("authorization")
        .expect("requests carry the token");
    assert_eq!(authorization.to_str().unwrap(), format!("Bearer {TOKEN}"));
}

#[tokio::test]
async fn enterprise_server_paths() {
    let fake = FakeGitHub::start_enterprise().await;
    fake.add("acme/api", service(1));

    let (results, _) = fetch(&fake, &["acme/api"]).await;
    assert!(snapshot(&results[0]).files.contains_key("Dockerfile"));
    let requests = fake.requests().await;
    assert!(
        requests.contains(&"POST /api/graphql".to_string()),
        "{requests:#?}"
    );
    assert!(
        requests
            .iter()
            .any(|request| request.starts_with("GET /api/v3/repos/acme/api/git/trees/")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn graphql_text_not_matching_blob_uses_rest() {
    let fake = FakeGitHub::start().await;
    let dockerfile = "FROM alpine:3.20\nUSER 1000\n";
    fake.add("acme/api", Repo::new().file("Dockerfile", dockerfile));
    let sha = fake_github::blob_id(dockerfile.as_bytes());
    fake.fault(
        graphql_query("query Blobs"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": {"r0": {"b0_0": {
                "oid": sha,
                "byteSize": dockerfile.len(),
                "isBinary": false,
                "isTruncated": false,
                "text": "FROM alpine:3.20\nUSER 1000\u{fffd}\n"
            }}}
        })),
        1,
    )
    .await;

    let (results, _) = fetch(&fake, &["acme/api"]).await;
    assert_eq!(snapshot(&results[0]).text("Dockerfile"), Some(dockerfile));
    assert_eq!(fake.count("/git/blobs/").await, 1);
}
