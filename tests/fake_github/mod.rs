//! A fake GitHub API on wiremock: serves repositories built in memory or from fixture folders,
//! with the response shapes of GitHub's REST trees and blobs endpoints and of GraphQL queries
//! with aliases and partial errors. Faults are extra wiremock mocks of higher priority.
#![allow(dead_code)]

pub mod comments;

use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Blobs larger than this come back from GraphQL with `isTruncated: true` and no text, as
/// GitHub does past an undocumented size.
pub const GRAPHQL_TEXT_LIMIT: usize = 512 * 1024;

/// One entry of a fake repository.
#[derive(Debug, Clone)]
pub enum Entry {
    File(Vec<u8>),
    Symlink(String),
    /// A submodule at the given commit.
    Submodule(String),
}

/// A repository: its files, and how the fake serves it.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    pub entries: BTreeMap<String, Entry>,
    /// No commits: the heads query returns `isEmpty`, and tree requests return 409.
    pub empty: bool,
    /// The recursive tree listing returns `truncated: true` with only part of the entries.
    pub truncated: bool,
    /// Tags and branches besides `main`, each naming a set of entries.
    pub refs: BTreeMap<String, BTreeMap<String, Entry>>,
    pub archived: bool,
    pub fork: bool,
}

impl Repo {
    pub fn new() -> Repo {
        Repo::default()
    }

    pub fn file(mut self, path: &str, text: &str) -> Repo {
        self.entries
            .insert(path.to_string(), Entry::File(text.as_bytes().to_vec()));
        self
    }

    pub fn bytes(mut self, path: &str, bytes: Vec<u8>) -> Repo {
        self.entries.insert(path.to_string(), Entry::File(bytes));
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Repo {
        self.entries
            .insert(path.to_string(), Entry::Symlink(target.to_string()));
        self
    }

    pub fn submodule(mut self, path: &str) -> Repo {
        self.entries.insert(
            path.to_string(),
            Entry::Submodule("1111111111111111111111111111111111111111".to_string()),
        );
        self
    }

    /// Reads a folder: files as files, symbolic links as links.
    pub fn from_folder(root: &Path) -> Repo {
        let mut repo = Repo::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for item in std::fs::read_dir(&folder).expect("readable fixture folder") {
                let item = item.expect("readable entry");
                let path = item.path();
                let relative = path
                    .strip_prefix(root)
                    .expect("inside root")
                    .to_string_lossy()
                    .replace('\\', "/");
                let kind = item.file_type().expect("file type");
                if kind.is_symlink() {
                    let target = std::fs::read_link(&path).expect("link target");
                    repo = repo.symlink(&relative, &target.to_string_lossy());
                } else if kind.is_dir() {
                    pending.push(path);
                } else {
                    repo = repo.bytes(&relative, std::fs::read(&path).expect("readable file"));
                }
            }
        }
        repo
    }
}

/// Returns the git blob id of some bytes.
pub fn blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hash_text(text: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(text.as_bytes());
    hex(&hasher.finalize())
}

/// A tree entry as the REST API returns it, path relative to its tree.
#[derive(Debug, Clone)]
struct TreeItem {
    name: String,
    mode: &'static str,
    kind: &'static str,
    sha: String,
    size: Option<usize>,
}

/// The git objects of one snapshot of a repository.
#[derive(Debug, Default, Clone)]
struct Objects {
    commit: String,
    root: String,
    trees: HashMap<String, Vec<TreeItem>>,
    blobs: HashMap<String, Vec<u8>>,
}

fn build_objects(name: &str, entries: &BTreeMap<String, Entry>) -> Objects {
    let mut objects = Objects::default();
    objects.root = build_tree(&mut objects, entries, "");
    objects.commit = hash_text(&format!("commit {name} {}", objects.root));
    objects
}

/// Builds the tree of folder `prefix` (empty for the root) and returns its id.
fn build_tree(objects: &mut Objects, entries: &BTreeMap<String, Entry>, prefix: &str) -> String {
    let mut items: BTreeMap<String, TreeItem> = BTreeMap::new();
    for (path, entry) in entries {
        let Some(rest) = (if prefix.is_empty() {
            Some(path.as_str())
        } else {
            path.strip_prefix(&format!("{prefix}/"))
        }) else {
            continue;
        };
        if let Some((folder, _)) = rest.split_once('/') {
            if !items.contains_key(folder) {
                let full = if prefix.is_empty() {
                    folder.to_string()
                } else {
                    format!("{prefix}/{folder}")
                };
                let sha = build_tree(objects, entries, &full);
                items.insert(
                    folder.to_string(),
                    TreeItem {
                        name: folder.to_string(),
                        mode: "040000",
                        kind: "tree",
                        sha,
                        size: None,
                    },
                );
            }
            continue;
        }
        let item = match entry {
            Entry::File(bytes) => {
                let sha = blob_id(bytes);
                objects.blobs.insert(sha.clone(), bytes.clone());
                TreeItem {
                    name: rest.to_string(),
                    mode: "100644",
                    kind: "blob",
                    sha,
                    size: Some(bytes.len()),
                }
            }
            Entry::Symlink(target) => {
                let sha = blob_id(target.as_bytes());
                objects
                    .blobs
                    .insert(sha.clone(), target.as_bytes().to_vec());
                TreeItem {
                    name: rest.to_string(),
                    mode: "120000",
                    kind: "blob",
                    sha,
                    size: Some(target.len()),
                }
            }
            Entry::Submodule(commit) => TreeItem {
                name: rest.to_string(),
                mode: "160000",
                kind: "commit",
                sha: commit.clone(),
                size: None,
            },
        };
        items.insert(rest.to_string(), item);
    }
    let listing: Vec<TreeItem> = items.into_values().collect();
    let text: String = listing
        .iter()
        .map(|item| format!("{} {} {}\n", item.mode, item.name, item.sha))
        .collect();
    let sha = hash_text(&format!("tree {text}"));
    objects.trees.insert(sha.clone(), listing);
    sha
}

#[derive(Debug, Default)]
struct RepoState {
    repo: Repo,
    main: Objects,
    refs: HashMap<String, Objects>,
}

#[derive(Debug, Default)]
struct State {
    repos: HashMap<String, RepoState>,
    /// Owners with a repository listing: login and whether it is an organization.
    owners: HashMap<String, bool>,
    /// GitHub App installations by owner login.
    installations: HashMap<String, u64>,
}

/// The fake server.
pub struct FakeGitHub {
    pub server: MockServer,
    state: Arc<Mutex<State>>,
    /// Path prefix of REST routes: empty for github.com, `/api/v3` for Enterprise Server.
    rest_prefix: String,
    graphql_path: String,
}

impl FakeGitHub {
    /// Starts a fake of github.com: REST and GraphQL at the server root.
    pub async fn start() -> FakeGitHub {
        FakeGitHub::start_at("", "/graphql").await
    }

    /// Starts a fake of GitHub Enterprise Server: REST under `/api/v3`, GraphQL at `/api/graphql`.
    pub async fn start_enterprise() -> FakeGitHub {
        FakeGitHub::start_at("/api/v3", "/api/graphql").await
    }

    async fn start_at(rest_prefix: &str, graphql_path: &str) -> FakeGitHub {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let responder = Responder {
            state: state.clone(),
            rest_prefix: rest_prefix.to_string(),
            base_url: server.uri(),
        };
        Mock::given(method("POST"))
            .and(path_regex(format!("^{}$", regex_escape(graphql_path))))
            .respond_with(responder.clone())
            .with_priority(10)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(format!(
                "^{}/(repos|orgs|users)/",
                regex_escape(rest_prefix)
            )))
            .respond_with(responder)
            .with_priority(10)
            .mount(&server)
            .await;
        FakeGitHub {
            server,
            state,
            rest_prefix: rest_prefix.to_string(),
            graphql_path: graphql_path.to_string(),
        }
    }

    /// Returns the REST base URL to configure: the server address plus the REST prefix.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.server.uri(), self.rest_prefix)
    }

    pub fn graphql_path(&self) -> &str {
        &self.graphql_path
    }

    pub fn rest_prefix(&self) -> &str {
        &self.rest_prefix
    }

    /// Adds or replaces a repository.
    pub fn add(&self, name: &str, repo: Repo) {
        let main = build_objects(name, &repo.entries);
        let refs = repo
            .refs
            .iter()
            .map(|(git_ref, entries)| {
                (
                    git_ref.clone(),
                    build_objects(&format!("{name}@{git_ref}"), entries),
                )
            })
            .collect();
        let mut state = self.state.lock().unwrap();
        state
            .repos
            .insert(name.to_string(), RepoState { repo, main, refs });
    }

    /// Adds an owner whose repositories are listed: an organization (`/orgs/{login}/repos`) or
    /// a user (`/users/{login}/repos`).
    pub fn add_owner(&self, login: &str, is_org: bool) {
        self.state
            .lock()
            .unwrap()
            .owners
            .insert(login.to_string(), is_org);
    }

    /// Installs the test GitHub App on the given owners: the installation look-ups return
    /// these ids, and `POST /app/installations/{id}/access_tokens` mints `ghs_installation_{id}`.
    pub async fn install_app(&self, installations: &[(&str, u64)]) {
        {
            let mut state = self.state.lock().unwrap();
            for (owner, id) in installations {
                state.installations.insert(owner.to_string(), *id);
            }
        }
        Mock::given(method("POST"))
            .and(path_regex(format!(
                "^{}/app/installations/[0-9]+/access_tokens$",
                regex_escape(&self.rest_prefix)
            )))
            .respond_with(|request: &Request| {
                if !is_app_jwt(request) {
                    return ResponseTemplate::new(401).set_body_json(
                        json!({"message": "A JSON web token could not be decoded"}),
                    );
                }
                let id = request
                    .url
                    .path()
                    .split('/')
                    .rev()
                    .nth(1)
                    .unwrap_or("0")
                    .to_string();
                ResponseTemplate::new(201).set_body_json(json!({
                    "token": format!("ghs_installation_{id}"),
                    "expires_at": "2100-01-01T00:00:00Z",
                    "permissions": {"contents": "read", "metadata": "read"},
                    "repository_selection": "all"
                }))
            })
            .mount(&self.server)
            .await;
    }

    /// Returns the commit id the fake serves for a repository's default branch.
    pub fn commit_of(&self, name: &str) -> String {
        self.state.lock().unwrap().repos[name].main.commit.clone()
    }

    /// Returns every request received so far as `METHOD path`.
    pub async fn requests(&self) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|request| format!("{} {}", request.method, request.url.path()))
            .collect()
    }

    /// Counts received requests whose `METHOD path` contains `needle`.
    pub async fn count(&self, needle: &str) -> usize {
        self.requests()
            .await
            .iter()
            .filter(|request| request.contains(needle))
            .count()
    }

    /// Mounts `response` for the next `times` requests that `matcher` accepts, ahead of the
    /// normal responder.
    pub async fn fault<M: wiremock::Match + 'static>(
        &self,
        matcher: M,
        response: ResponseTemplate,
        times: u64,
    ) {
        Mock::given(matcher)
            .respond_with(response)
            .up_to_n_times(times)
            .with_priority(1)
            .mount(&self.server)
            .await;
    }
}

fn regex_escape(text: &str) -> String {
    regex::escape(text)
}

/// Matches GraphQL requests whose query text contains `needle` (`query Heads`, `query Blobs`).
pub fn graphql_query(needle: &'static str) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| {
        request.method.as_str() == "POST"
            && request
                .body_json::<Value>()
                .ok()
                .and_then(|body| {
                    body.get("query")?
                        .as_str()
                        .map(|query| query.contains(needle))
                })
                .unwrap_or(false)
    }
}

/// Matches GraphQL requests with more than `count` aliased objects or repositories.
pub fn graphql_larger_than(count: usize) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| {
        request.method.as_str() == "POST"
            && request
                .body_json::<Value>()
                .ok()
                .and_then(|body| {
                    body.get("variables")?.as_object().map(|variables| {
                        let blobs = variables.keys().filter(|key| key.starts_with('b')).count();
                        let repos = variables.keys().filter(|key| key.starts_with('o')).count();
                        blobs.max(repos) > count
                    })
                })
                .unwrap_or(false)
    }
}

/// Matches GET requests whose path contains `needle`.
pub fn get_path(needle: &'static str) -> impl Fn(&Request) -> bool + Send + Sync {
    move |request: &Request| request.method.as_str() == "GET" && request.url.path().contains(needle)
}

#[derive(Clone)]
struct Responder {
    state: Arc<Mutex<State>>,
    rest_prefix: String,
    /// `http://127.0.0.1:port`, for absolute `link` URLs as GitHub sends them.
    base_url: String,
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = self.state.lock().unwrap();
        let response = if request.method.as_str() == "POST" {
            graphql(&state, request)
        } else {
            rest(&state, request, &self.rest_prefix, &self.base_url)
        };
        response
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-remaining", "4990")
            .insert_header("x-ratelimit-reset", "4102444800")
    }
}

/// Tells whether a request authenticates as the App: a bearer JSON web token (three
/// dot-separated parts).
fn is_app_jwt(request: &Request) -> bool {
    request
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|token| token.split('.').count() == 3)
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404"
    }))
}

fn rest(state: &State, request: &Request, prefix: &str, base_url: &str) -> ResponseTemplate {
    let path = request.url.path().strip_prefix(prefix).unwrap_or("");
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let is_owner_route = parts.len() == 3 && (parts[0] == "orgs" || parts[0] == "users");

    if is_owner_route && parts[2] == "installation" {
        return installation(state, request, parts[0] == "orgs", parts[1]);
    }
    if is_owner_route && parts[2] == "repos" {
        return owner_listing(state, request, base_url, parts[0] == "orgs", parts[1]);
    }
    // repos/{owner}/{name}/git/{trees|blobs}/{sha}
    if parts.len() != 6 || parts[0] != "repos" || parts[3] != "git" {
        return not_found();
    }
    git_object(state, request, &parts)
}

/// Serves `GET /orgs/{login}/installation` and `GET /users/{login}/installation` to the App.
fn installation(state: &State, request: &Request, as_org: bool, login: &str) -> ResponseTemplate {
    if !is_app_jwt(request) {
        return ResponseTemplate::new(401)
            .set_body_json(json!({"message": "A JSON web token could not be decoded"}));
    }
    let is_org = state.owners.get(login).copied().unwrap_or(true);
    match state.installations.get(login) {
        Some(id) if is_org == as_org => {
            ResponseTemplate::new(200).set_body_json(json!({"id": id, "app_id": 1}))
        }
        _ => not_found(),
    }
}

/// Serves a tree or a blob of `repos/{owner}/{name}/git/{trees|blobs}/{sha}`.
fn git_object(state: &State, request: &Request, parts: &[&str]) -> ResponseTemplate {
    let name = format!("{}/{}", parts[1], parts[2]);
    let Some(repo) = state.repos.get(&name) else {
        return not_found();
    };
    if repo.repo.empty {
        return ResponseTemplate::new(409).set_body_json(json!({
            "message": "Git Repository is empty.",
            "documentation_url": "https://docs.github.com/rest/git/trees#get-a-tree",
            "status": "409"
        }));
    }

    let sha = parts[5];
    let mut all = std::iter::once(&repo.main).chain(repo.refs.values());
    match parts[4] {
        "trees" => {
            let recursive = request.url.query_pairs().any(|(key, _)| key == "recursive");
            all.find(|objects| objects.trees.contains_key(sha))
                .map_or_else(not_found, |objects| {
                    tree_response(&repo.repo, objects, sha, recursive)
                })
        }
        "blobs" => match all.find_map(|objects| objects.blobs.get(sha)) {
            Some(bytes) => blob_response(&name, sha, bytes),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn blob_response(name: &str, sha: &str, bytes: &[u8]) -> ResponseTemplate {
    // The base64 text is split into lines, so that the client has to ignore line breaks.
    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<String> = content
        .as_bytes()
        .chunks(60)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "sha": sha,
        "node_id": "B_fake",
        "size": bytes.len(),
        "url": format!("https://api.github.com/repos/{name}/git/blobs/{sha}"),
        "content": lines.join("\n") + "\n",
        "encoding": "base64"
    }))
}

/// Serves one page of an owner's repositories, with a `link` header to the next page and an
/// `etag` that a matching `If-None-Match` turns into 304.
fn owner_listing(
    state: &State,
    request: &Request,
    base_url: &str,
    as_org: bool,
    login: &str,
) -> ResponseTemplate {
    if state.owners.get(login) != Some(&as_org) {
        return not_found();
    }

    let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
    let per_page: usize = query
        .get("per_page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(30);
    let page: usize = query
        .get("page")
        .and_then(|value| value.parse().ok())
        .unwrap_or(1);

    let mut names: Vec<&String> = state
        .repos
        .keys()
        .filter(|name| name.split('/').next() == Some(login))
        .collect();
    names.sort();
    let items: Vec<Value> = names
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|full| {
            let repo = &state.repos[*full].repo;
            json!({
                "id": 1,
                "name": full.split('/').nth(1).unwrap_or(""),
                "full_name": full,
                "private": false,
                "archived": repo.archived,
                "fork": repo.fork,
                "default_branch": "main"
            })
        })
        .collect();

    let body = Value::Array(items).to_string();
    let etag = format!("W/\"{}\"", hash_text(&body));
    if request
        .headers
        .get("if-none-match")
        .and_then(|value| value.to_str().ok())
        == Some(etag.as_str())
    {
        return ResponseTemplate::new(304).insert_header("etag", etag.as_str());
    }

    let mut response = ResponseTemplate::new(200)
        .insert_header("etag", etag.as_str())
        .insert_header("content-type", "application/json; charset=utf-8")
        .set_body_string(body);
    // GitHub sends absolute URLs in `link` headers.
    if page * per_page < names.len() {
        let mut next =
            url::Url::parse(&format!("{base_url}{}", request.url.path())).expect("valid URL");
        let pairs: Vec<(String, String)> = request
            .url
            .query_pairs()
            .into_owned()
            .filter(|(key, _)| key != "page")
            .collect();
        next.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("page", &(page + 1).to_string());
        response = response.insert_header("link", format!("<{next}>; rel=\"next\"").as_str());
    }
    response
}

fn tree_response(repo: &Repo, objects: &Objects, sha: &str, recursive: bool) -> ResponseTemplate {
    let mut entries = Vec::new();
    let mut pending = vec![(String::new(), sha.to_string())];
    while let Some((prefix, tree)) = pending.pop() {
        for item in &objects.trees[&tree] {
            let path = if prefix.is_empty() {
                item.name.clone()
            } else {
                format!("{prefix}/{}", item.name)
            };
            let mut entry = json!({
                "path": path,
                "mode": item.mode,
                "type": item.kind,
                "sha": item.sha,
                "url": format!("https://api.github.com/fake/{}", item.sha),
            });
            if let Some(size) = item.size {
                entry["size"] = json!(size);
            }
            entries.push(entry);
            if recursive && item.kind == "tree" {
                pending.push((path, item.sha.clone()));
            }
        }
    }
    entries.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    let truncated = recursive && repo.truncated;
    if truncated {
        entries.truncate(2);
    }
    ResponseTemplate::new(200).set_body_json(json!({
        "sha": sha,
        "url": format!("https://api.github.com/fake/trees/{sha}"),
        "tree": entries,
        "truncated": truncated
    }))
}

fn graphql(state: &State, request: &Request) -> ResponseTemplate {
    let Ok(body) = request.body_json::<Value>() else {
        return ResponseTemplate::new(400)
            .set_body_json(json!({"message": "Problems parsing JSON"}));
    };
    let query = body["query"].as_str().unwrap_or("");
    let variables = body["variables"].as_object().cloned().unwrap_or_default();
    let mut data = Map::new();
    let mut errors = Vec::new();
    let mut index = 0;
    while let Some(owner) = variables.get(&format!("o{index}")).and_then(Value::as_str) {
        let name = variables[&format!("n{index}")].as_str().unwrap_or("");
        let full = format!("{owner}/{name}");
        let alias = format!("r{index}");
        match state.repos.get(&full) {
            None => {
                data.insert(alias.clone(), Value::Null);
                errors.push(json!({
                    "type": "NOT_FOUND",
                    "path": [alias],
                    "locations": [{"line": 1, "column": 1}],
                    "message": format!("Could not resolve to a Repository with the name '{full}'.")
                }));
            }
            Some(repo) if query.starts_with("query Heads") => {
                data.insert(alias, head_node(repo, variables.get(&format!("e{index}"))));
            }
            Some(repo) => {
                let mut node = Map::new();
                for (key, value) in &variables {
                    let Some(rest) = key.strip_prefix(&format!("b{index}_")) else {
                        continue;
                    };
                    let _ = rest;
                    let sha = value.as_str().unwrap_or("");
                    node.insert(key.clone(), blob_node(repo, sha));
                }
                data.insert(alias, Value::Object(node));
            }
        }
        index += 1;
    }
    if query.starts_with("query Heads") {
        data.insert(
            "rateLimit".to_string(),
            json!({"cost": 1, "remaining": 4990, "resetAt": "2100-01-01T00:00:00Z"}),
        );
    }
    let mut response = json!({ "data": data });
    if !errors.is_empty() {
        response["errors"] = Value::Array(errors);
    }
    ResponseTemplate::new(200).set_body_json(response)
}

fn commit_node(objects: &Objects) -> Value {
    json!({ "oid": objects.commit, "tree": { "oid": objects.root } })
}

fn head_node(repo: &RepoState, expression: Option<&Value>) -> Value {
    if repo.repo.empty {
        return json!({ "isEmpty": true, "defaultBranchRef": null, "pinned": null });
    }
    let mut node = json!({
        "isEmpty": false,
        "defaultBranchRef": { "target": commit_node(&repo.main) },
    });
    if let Some(expression) = expression.and_then(Value::as_str) {
        let pinned = if expression == "main" || expression == repo.main.commit {
            commit_node(&repo.main)
        } else if let Some(objects) = repo.refs.get(expression) {
            commit_node(objects)
        } else {
            Value::Null
        };
        node["pinned"] = pinned;
    }
    node
}

fn blob_node(repo: &RepoState, sha: &str) -> Value {
    let found = std::iter::once(&repo.main)
        .chain(repo.refs.values())
        .find_map(|objects| objects.blobs.get(sha));
    let Some(bytes) = found else {
        return Value::Null;
    };
    let text = std::str::from_utf8(bytes).ok();
    let truncated = bytes.len() > GRAPHQL_TEXT_LIMIT;
    json!({
        "oid": sha,
        "byteSize": bytes.len(),
        "isBinary": text.is_none(),
        "isTruncated": truncated,
        "text": if truncated { None } else { text },
    })
}
