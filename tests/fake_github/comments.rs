//! Issue comments on the fake GitHub: the paginated listing of a pull request's comments,
//! creating and editing them, and who a token is (`GET /user` and the GraphQL viewer). Write
//! faults can reject a write, or apply it and then return an error or a late response.

use super::FakeGitHub;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// One stored comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub body: String,
}

/// The account behind a token.
#[derive(Debug, Clone)]
pub enum Account {
    /// A user, whom `GET /user` returns.
    User(String),
    /// A GitHub App installation: `GET /user` returns 403, the GraphQL viewer is the bot.
    App(String),
}

/// What the next write (POST or PATCH) does instead of a plain success.
#[derive(Debug, Clone)]
pub enum WriteFault {
    /// Return this status and message, and change nothing.
    Reject(u16, &'static str),
    /// Apply the write, then return this status.
    ApplyThenFail(u16),
    /// Apply the write, then respond after this delay.
    ApplyThenDelay(Duration),
}

#[derive(Debug, Default)]
struct CommentState {
    comments: Vec<Comment>,
    next_id: u64,
    accounts: HashMap<String, Account>,
    faults: VecDeque<WriteFault>,
}

/// The comments of one pull request on a [`FakeGitHub`].
#[derive(Clone)]
pub struct Comments {
    state: Arc<Mutex<CommentState>>,
}

impl Comments {
    /// Adds a comment as if `author` had written it, and returns its id.
    pub fn add(&self, author: &str, body: &str) -> u64 {
        let mut state = self.state.lock().unwrap();
        state.next_id += 1;
        let id = state.next_id;
        state.comments.push(Comment {
            id,
            author: author.to_string(),
            body: body.to_string(),
        });
        id
    }

    /// Returns every comment, oldest first.
    pub fn all(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    /// Registers a token and the account it belongs to.
    pub fn add_token(&self, token: &str, account: Account) {
        self.state
            .lock()
            .unwrap()
            .accounts
            .insert(token.to_string(), account);
    }

    /// Queues faults for the next writes, in order.
    pub fn fail_writes(&self, faults: &[WriteFault]) {
        self.state
            .lock()
            .unwrap()
            .faults
            .extend(faults.iter().cloned());
    }
}

impl FakeGitHub {
    /// Serves the issue comments of pull request `number` of `repository`, `GET /user` and the
    /// GraphQL viewer query. Comment ids start above 1000, so they never look like page numbers.
    pub async fn serve_comments(&self, repository: &str, number: u64) -> Comments {
        let comments = Comments {
            state: Arc::new(Mutex::new(CommentState {
                next_id: 1000,
                ..CommentState::default()
            })),
        };
        let prefix = regex::escape(&self.rest_prefix);
        let repository = regex::escape(repository);
        let responder = CommentResponder {
            comments: comments.clone(),
            base_url: self.server.uri(),
        };
        let routes = [
            ("GET", format!("^{prefix}/user$")),
            (
                "GET",
                format!("^{prefix}/repos/{repository}/issues/{number}/comments$"),
            ),
            (
                "POST",
                format!("^{prefix}/repos/{repository}/issues/{number}/comments$"),
            ),
            (
                "PATCH",
                format!("^{prefix}/repos/{repository}/issues/comments/[0-9]+$"),
            ),
        ];
        for (verb, route) in routes {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(responder.clone())
                .with_priority(5)
                .mount(&self.server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path_regex(format!(
                "^{}$",
                regex::escape(&self.graphql_path)
            )))
            .and(super::graphql_query("query Viewer"))
            .respond_with(responder)
            .with_priority(5)
            .mount(&self.server)
            .await;
        comments
    }
}

#[derive(Clone)]
struct CommentResponder {
    comments: Comments,
    /// `http://127.0.0.1:port`, for absolute `link` URLs as GitHub sends them.
    base_url: String,
}

impl Respond for CommentResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.comments.state.lock().unwrap();
        let account = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .and_then(|token| state.accounts.get(token).cloned());
        let Some(account) = account else {
            return ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"}));
        };
        let path = request.url.path();
        match request.method.as_str() {
            "GET" if path.ends_with("/user") => match account {
                Account::User(login) => ResponseTemplate::new(200)
                    .set_body_json(json!({"login": login, "id": 1, "type": "User"})),
                Account::App(_) => ResponseTemplate::new(403).set_body_json(json!({
                    "message": "Resource not accessible by integration",
                    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                    "status": "403"
                })),
            },
            "GET" => list_page(&state, request, &self.base_url),
            "POST" if path.ends_with("/graphql") => {
                let login = match account {
                    Account::User(login) | Account::App(login) => login,
                };
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"viewer": {"login": login}}}))
            }
            _ => {
                let login = match account {
                    Account::User(login) | Account::App(login) => login,
                };
                write(&mut state, request, &login)
            }
        }
    }
}

fn comment_json(comment: &Comment) -> Value {
    json!({
        "id": comment.id,
        "node_id": format!("IC_{}", comment.id),
        "body": comment.body,
        "user": {"login": comment.author, "id": 7},
        "author_association": "NONE"
    })
}

/// Serves one page of the listing, oldest first, with a `link` header to the next page.
fn list_page(state: &CommentState, request: &Request, base_url: &str) -> ResponseTemplate {
    let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
    let per_page: usize = query
        .get("per_page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(30)
        .min(100);
    let page: usize = query
        .get("page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(1);
    let items: Vec<Value> = state
        .comments
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(comment_json)
        .collect();
    let mut response = ResponseTemplate::new(200).set_body_json(Value::Array(items));
    if page * per_page < state.comments.len() {
        let next = format!(
            "{base_url}{}?per_page={per_page}&page={}",
            request.url.path(),
            page + 1
        );
        let last_page = state.comments.len().div_ceil(per_page);
        let last = format!(
            "{base_url}{}?per_page={per_page}&page={last_page}",
            request.url.path()
        );
        response = response.insert_header(
            "link",
            format!("<{next}>; rel=\"next\", <{last}>; rel=\"last\"").as_str(),
        );
    }
    response
}

/// Creates (POST) or edits (PATCH) a comment, applying the next queued fault.
fn write(state: &mut CommentState, request: &Request, login: &str) -> ResponseTemplate {
    let fault = state.faults.pop_front();
    if let Some(WriteFault::Reject(status, message)) = fault {
        return ResponseTemplate::new(status).set_body_json(json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest/issues/comments",
            "status": status.to_string()
        }));
    }
    let Some(body) = request
        .body_json::<Value>()
        .ok()
        .and_then(|value| value.get("body")?.as_str().map(str::to_string))
    else {
        return ResponseTemplate::new(422).set_body_json(json!({"message": "Invalid request."}));
    };
    if body.chars().count() > 65_536 {
        return ResponseTemplate::new(422).set_body_json(json!({
            "message": "Validation Failed",
            "errors": [{"resource": "IssueComment", "code": "custom", "field": "body",
                        "message": "body is too long (maximum is 65536 characters)"}]
        }));
    }

    let written = if request.method.as_str() == "POST" {
        state.next_id += 1;
        let comment = Comment {
            id: state.next_id,
            author: login.to_string(),
            body,
        };
        state.comments.push(comment.clone());
        comment
    } else {
        let id: u64 = request
            .url
            .path()
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        let Some(comment) = state.comments.iter_mut().find(|comment| comment.id == id) else {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        comment.body = body;
        comment.clone()
    };

    let status = if request.method.as_str() == "POST" {
        201
    } else {
        200
    };
    match fault {
        Some(WriteFault::ApplyThenFail(status)) => {
            ResponseTemplate::new(status).set_body_json(json!({"message": "Server Error"}))
        }
        Some(WriteFault::ApplyThenDelay(delay)) => ResponseTemplate::new(status)
            .set_body_json(comment_json(&written))
            .set_delay(delay),
        _ => ResponseTemplate::new(status).set_body_json(comment_json(&written)),
    }
}
