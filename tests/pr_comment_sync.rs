//! Keeping one pull-request comment up to date against the fake GitHub. The cases: paginated
//! listings, create, edit in place, no write when nothing changed, other people's comments, the
//! token's own login, and writes that are rejected, invalid, failed on the server or timed out.

mod fake_github;

use dockgrade::pr_comment::api::ApiError;
use dockgrade::pr_comment::sync::{Action, MARKER};
use dockgrade::pr_comment::{post, PostSettings};
use dockgrade::source::github::{RetryPolicy, Token};
use fake_github::comments::{Account, Comments, WriteFault};
use fake_github::FakeGitHub;
use std::time::Duration;

const REPOSITORY: &str = "acme/orders";
const NUMBER: u64 = 42;
const TOKEN: &str = "ghp_pr-sync-test-token";
const APP_TOKEN: &str = "ghs_pr-sync-installation-token";
const BOT: &str = "dock-bot";

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        request_timeout: Duration::from_millis(400),
        secondary_wait: Duration::from_millis(50),
        max_rate_limit_wait: Duration::from_secs(5),
        max_rate_limit_retries: 3,
    }
}

fn settings(fake: &FakeGitHub, token: &str) -> PostSettings {
    PostSettings {
        api_url: fake.api_url(),
        token: Token::new(token),
        policy: fast_policy(),
        bot_login: None,
        in_actions: false,
    }
}

fn body(text: &str) -> String {
    format!("{MARKER}\n### dockgrade: {text}\n")
}

/// Starts a fake that accepts the user token (login `dock-bot`) and an App installation token.
fn start() -> (tokio::runtime::Runtime, FakeGitHub, Comments) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeGitHub::start());
    let comments = runtime.block_on(fake.serve_comments(REPOSITORY, NUMBER));
    comments.add_token(TOKEN, Account::User(BOT.to_string()));
    comments.add_token(APP_TOKEN, Account::App("dockgrade-app[bot]".to_string()));
    (runtime, fake, comments)
}

fn writes(runtime: &tokio::runtime::Runtime, fake: &FakeGitHub) -> Vec<String> {
    runtime
        .block_on(fake.requests())
        .into_iter()
        .filter(|request| request.starts_with("POST /repos") || request.starts_with("PATCH"))
        .collect()
}

#[test]
fn sync_creates_comment_when_none() {
    let (runtime, fake, comments) = start();
    comments.add("octocat", "Looks good to me.");

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    let all = comments.all();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].author, BOT);
    assert_eq!(all[1].body, body("A"));
    assert_eq!(report.comment_id, all[1].id);
    assert_eq!(writes(&runtime, &fake).len(), 1);
}

#[test]
fn sync_edits_own_comment_on_page_three() {
    let (runtime, fake, comments) = start();
    for index in 0..230 {
        comments.add("octocat", &format!("comment {index}"));
    }
    let own = comments.add(BOT, &body("B"));
    comments.add("octocat", "after the bot");

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("C")).unwrap();

    assert_eq!(report.action, Action::Updated);
    assert_eq!(report.comment_id, own);
    assert_eq!(
        writes(&runtime, &fake),
        vec![format!("PATCH /repos/{REPOSITORY}/issues/comments/{own}")]
    );
    let pages = runtime
        .block_on(fake.requests())
        .into_iter()
        .filter(|request| request.starts_with("GET /repos/acme/orders/issues/42/comments"))
        .count();
    assert_eq!(pages, 3);
    let all = comments.all();
    assert_eq!(all.len(), 232);
    assert_eq!(all.iter().find(|c| c.id == own).unwrap().body, body("C"));
}

#[test]
fn sync_unchanged_body_writes_nothing() {
    let (runtime, fake, comments) = start();
    let own = comments.add(BOT, &body("A"));

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Unchanged);
    assert_eq!(report.comment_id, own);
    assert!(writes(&runtime, &fake).is_empty());
}

#[test]
fn sync_ignores_other_users_marker() {
    let (runtime, fake, comments) = start();
    let quoted = comments.add("octocat", &body("quoted by a person"));

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    assert_ne!(report.comment_id, quoted);
    let all = comments.all();
    assert_eq!(all[0].body, body("quoted by a person"));
    assert_eq!(all.len(), 2);
    assert_eq!(writes(&runtime, &fake).len(), 1);
}

#[test]
fn sync_edits_newest_of_duplicates() {
    let (_runtime, fake, comments) = start();
    let older = comments.add(BOT, &body("old race"));
    let newer = comments.add(BOT, &body("new race"));

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Updated);
    assert_eq!(report.comment_id, newer);
    assert_eq!(report.duplicates, vec![older]);
    let all = comments.all();
    assert_eq!(all[0].body, body("old race"));
    assert_eq!(all[1].body, body("A"));
}

#[test]
fn sync_app_token_uses_viewer_login() {
    let (runtime, fake, comments) = start();
    let own = comments.add("dockgrade-app[bot]", &body("B"));
    comments.add(BOT, &body("another bot's comment"));

    let report = post(&settings(&fake, APP_TOKEN), REPOSITORY, NUMBER, &body("C")).unwrap();

    assert_eq!(report.action, Action::Updated);
    assert_eq!(report.comment_id, own);
    assert_eq!(runtime.block_on(fake.count("POST /graphql")), 1);
}

#[test]
fn sync_bot_login_skips_lookup() {
    let (runtime, fake, comments) = start();
    let own = comments.add("custom[bot]", &body("B"));
    let settings = PostSettings {
        bot_login: Some("custom[bot]".to_string()),
        ..settings(&fake, TOKEN)
    };

    let report = post(&settings, REPOSITORY, NUMBER, &body("C")).unwrap();

    assert_eq!(report.comment_id, own);
    assert_eq!(runtime.block_on(fake.count("GET /user")), 0);
}

#[test]
fn sync_forbidden_write_is_read_only() {
    let (_runtime, fake, comments) = start();
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "Resource not accessible by integration",
    )]);

    let error = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap_err();

    assert!(matches!(error, ApiError::ReadOnly { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("the token cannot write comments"),
        "{message}"
    );
    assert!(
        message.contains("Resource not accessible by integration"),
        "{message}"
    );
    assert!(
        message.contains("forks get a read-only GITHUB_TOKEN"),
        "{message}"
    );
    assert!(comments.all().is_empty());
}

#[test]
fn sync_validation_error_carries_message() {
    let (runtime, fake, comments) = start();
    let huge = format!("{MARKER}\n{}", "x".repeat(70_000));

    let error = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &huge).unwrap_err();

    assert!(matches!(error, ApiError::Validation { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("GitHub rejected creating a comment on pull request #42: "),
        "{message}"
    );
    assert!(
        message.contains("body is too long (maximum is 65536 characters)"),
        "{message}"
    );
    assert_eq!(writes(&runtime, &fake).len(), 1);
    assert!(comments.all().is_empty());
}

#[test]
fn sync_validation_error_names_edited_comment() {
    let (_runtime, fake, comments) = start();
    let created = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();
    comments.fail_writes(&[WriteFault::Reject(422, "Validation Failed")]);

    let error = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("B")).unwrap_err();

    assert_eq!(
        error.to_string(),
        format!(
            "GitHub rejected editing comment {} on pull request #42: Validation Failed (HTTP 422)",
            created.comment_id
        )
    );
}

#[test]
fn sync_server_error_relists_then_retries() {
    let (runtime, fake, comments) = start();
    comments.fail_writes(&[WriteFault::Reject(502, "Bad Gateway")]);

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    assert!(report.retried);
    assert_eq!(comments.all().len(), 1);
    let requests: Vec<String> = runtime
        .block_on(fake.requests())
        .into_iter()
        .filter(|request| request.contains("/issues/"))
        .collect();
    let listing = format!("GET /repos/{REPOSITORY}/issues/{NUMBER}/comments");
    let create = format!("POST /repos/{REPOSITORY}/issues/{NUMBER}/comments");
    assert_eq!(
        requests,
        vec![listing.clone(), create.clone(), listing, create]
    );
}

#[test]
fn sync_server_error_after_landing_writes_once() {
    let (runtime, fake, comments) = start();
    let own = comments.add(BOT, &body("B"));
    comments.fail_writes(&[WriteFault::ApplyThenFail(500)]);

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("C")).unwrap();

    assert_eq!(report.action, Action::Updated);
    assert_eq!(report.comment_id, own);
    assert!(report.retried);
    assert_eq!(writes(&runtime, &fake).len(), 1);
    assert_eq!(comments.all()[0].body, body("C"));
}

#[test]
fn sync_second_server_error_fails() {
    let (runtime, fake, comments) = start();
    comments.fail_writes(&[
        WriteFault::Reject(503, "Service Unavailable"),
        WriteFault::Reject(503, "Service Unavailable"),
    ]);

    let error = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap_err();

    assert!(
        matches!(error, ApiError::Http { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(writes(&runtime, &fake).len(), 2);
    assert!(comments.all().is_empty());
}

#[test]
fn sync_timeout_that_landed_is_not_resent() {
    let (runtime, fake, comments) = start();
    comments.fail_writes(&[WriteFault::ApplyThenDelay(Duration::from_secs(2))]);

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    assert!(report.retried);
    assert_eq!(writes(&runtime, &fake).len(), 1);
    assert_eq!(comments.all().len(), 1);
}

#[test]
fn sync_listing_server_error_is_retried() {
    let (runtime, fake, comments) = start();
    let listing = format!("/repos/{REPOSITORY}/issues/{NUMBER}/comments");
    runtime.block_on(fake.fault(
        fake_github::get_path("/issues/42/comments"),
        wiremock::ResponseTemplate::new(502),
        1,
    ));

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    assert_eq!(runtime.block_on(fake.count(&format!("GET {listing}"))), 2);
    assert_eq!(comments.all().len(), 1);
}

#[test]
fn sync_bad_token_is_unauthorized() {
    let (_runtime, fake, _comments) = start();

    let error = post(
        &settings(&fake, "ghp_unknown"),
        REPOSITORY,
        NUMBER,
        &body("A"),
    )
    .unwrap_err();

    assert!(matches!(error, ApiError::Unauthorized { .. }), "{error:?}");
    assert!(!error.to_string().contains("ghp_unknown"));
}

#[test]
fn sync_rate_limited_write_waits_then_posts() {
    let (runtime, fake, comments) = start();
    comments.fail_writes(&[WriteFault::Reject(
        403,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    )]);

    let report = post(&settings(&fake, TOKEN), REPOSITORY, NUMBER, &body("A")).unwrap();

    assert_eq!(report.action, Action::Created);
    assert!(!report.retried);
    assert_eq!(writes(&runtime, &fake).len(), 2);
    assert_eq!(comments.all().len(), 1);
}
