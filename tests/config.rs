//! Tests of repos.toml: the schema, defaults, path resolution, and located error messages.

use chrono::NaiveDate;
use dockgrade::config::{init_template, Config, ConfigError, Grade, RepoSource, DEFAULT_SKIP};
use std::path::{Path, PathBuf};

const CONFIG_PATH: &str = "/fleet/repos.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new(CONFIG_PATH))
}

fn parse_error(text: &str) -> ConfigError {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:#?}"),
        Err(error) => error,
    }
}

#[test]
fn load_names_line_of_non_utf8_bytes() {
    let folder = tempfile::TempDir::new().expect("temporary folder");
    let path = folder.path().join("repos.toml");
    std::fs::write(
        &path,
        b"[[repo]]\nname = \"api\"\npath = \"services/\xff\"\n",
    )
    .expect("write repos.toml");

    let error = Config::load(&path).expect_err("the file is not UTF-8");

    assert_eq!((error.line, error.column), (3, 18));
    assert!(
        error.message.contains("not UTF-8 text"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("stream did not"),
        "{}",
        error.message
    );
}

#[test]
fn repo_waiver_missing_key_points_at_its_table() {
    let text = "[[repo]]\nname = \"api\"\npath = \"api\"\n\n[[repo.waiver]]\nid = \"healthcheck\"\nexpires = 2099-12-31\n";
    let error = parse_error(text);

    assert_eq!((error.line, error.column), (5, 1));
    assert_eq!(error.message, "missing key `reason` in [[repo.waiver]]");
}

const FULL: &str = r#"[grading]
blocker_cap = "C"

[discovery]
skip = [".git", "node_modules"]

[[repo]]
name = "alpha service"
path = "examples/fleet/alpha"
include = ["services/**"]
exclude = ["legacy/**"]

[[repo.image]]
dockerfile = "docker/api.Dockerfile"
context = "."
target = "runtime"

[[repo.compose]]
files = ["deploy/compose.yaml", "./deploy/compose.prod.yaml"]

[[repo.waiver]]
id = "pinned-digest"
reason = "base image is rebuilt nightly"
expires = 2027-06-30

[[repo.waiver]]
id = "docker-socket"
reason = "the proxy needs the socket"
expires = "2026-01-15"

[[repo]]
github = "octo-org/payments"
ref = "v1.2.0"

[[repo]]
path = "../beta/"
"#;

#[test]
fn full_example_parses() {
    let config = parse(FULL).unwrap_or_else(|error| panic!("{error}"));

    assert_eq!(config.path, PathBuf::from(CONFIG_PATH));
    assert_eq!(config.grading.blocker_cap, Grade::C);
    assert_eq!(config.discovery.skip, [".git", "node_modules"]);
    assert_eq!(config.repos.len(), 3);

    let alpha = &config.repos[0];
    assert_eq!(alpha.line, 7);
    assert_eq!(alpha.name, "alpha service");
    assert_eq!(
        alpha.source,
        RepoSource::Local {
            path: PathBuf::from("/fleet/examples/fleet/alpha")
        }
    );
    assert_eq!(alpha.include, ["services/**"]);
    assert_eq!(alpha.exclude, ["legacy/**"]);

    assert_eq!(alpha.images.len(), 1);
    let image = &alpha.images[0];
    assert_eq!(image.line, 13);
    assert_eq!(image.dockerfile, "docker/api.Dockerfile");
    assert_eq!(image.context.as_deref(), Some("."));
    assert_eq!(image.target.as_deref(), Some("runtime"));

    assert_eq!(alpha.compose.len(), 1);
    assert_eq!(alpha.compose[0].line, 18);
    assert_eq!(
        alpha.compose[0].files,
        ["deploy/compose.yaml", "deploy/compose.prod.yaml"]
    );

    assert_eq!(alpha.waivers.len(), 2);
    let pinned = &alpha.waivers[0];
    assert_eq!(pinned.line, 21);
    assert_eq!(pinned.id, "pinned-digest");
    assert_eq!(pinned.reason, "base image is rebuilt nightly");
    assert_eq!(
        pinned.expires,
        NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
    );
    let socket = &alpha.waivers[1];
    assert_eq!(socket.line, 26);
    assert_eq!(
        socket.expires,
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
    );
}

#[test]
fn github_entry_and_default_names() {
    let config = parse(FULL).unwrap_or_else(|error| panic!("{error}"));

    let payments = &config.repos[1];
    assert_eq!(payments.line, 31);
    assert_eq!(payments.name, "octo-org/payments");
    assert_eq!(
        payments.source,
        RepoSource::GitHub {
            repository: "octo-org/payments".to_string(),
            git_ref: Some("v1.2.0".to_string())
        }
    );

    let beta = &config.repos[2];
    assert_eq!(beta.name, "beta");
    assert_eq!(
        beta.source,
        RepoSource::Local {
            path: PathBuf::from("/beta")
        }
    );
}

#[test]
fn defaults_apply() {
    let config = parse("[[repo]]\npath = \".\"\n").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.grading.blocker_cap, Grade::F);
    assert_eq!(config.discovery.skip, DEFAULT_SKIP);
    let repo = &config.repos[0];
    assert_eq!(repo.name, "fleet");
    assert!(repo.include.is_empty());
    assert!(repo.exclude.is_empty());
    assert!(repo.images.is_empty());
    assert!(repo.compose.is_empty());
    assert!(repo.waivers.is_empty());
}

#[test]
fn relative_config_path_resolves_absolute() {
    let config = Config::parse("[[repo]]\npath = \"alpha\"\n", Path::new("repos.toml"))
        .unwrap_or_else(|error| panic!("{error}"));
    let RepoSource::Local { path } = &config.repos[0].source else {
        panic!("expected a local source");
    };
    assert!(path.is_absolute(), "{}", path.display());
    assert!(path.ends_with("alpha"), "{}", path.display());
}

#[test]
fn waiver_activity_includes_expiry_day() {
    let config = parse(FULL).unwrap_or_else(|error| panic!("{error}"));
    let waiver = &config.repos[0].waivers[0];
    assert!(waiver.is_active_on(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()));
    assert!(!waiver.is_active_on(NaiveDate::from_ymd_opt(2027, 7, 1).unwrap()));
}

#[test]
fn unknown_key_names_table_and_keys() {
    let error = parse_error("[[repo]]\nname = \"a\"\npth = \"x\"\n");
    assert_eq!(error.line, 3);
    assert_eq!(error.column, 1);
    assert_eq!(
        error.message,
        "unknown key `pth` in [[repo]]; expected one of: name, path, github, ref, include, \
         exclude, image, compose, waiver"
    );
    assert_eq!(error.help, "did you mean `path`?");
    assert_eq!(
        error.to_string(),
        "/fleet/repos.toml:3:1: unknown key `pth` in [[repo]]; expected one of: name, path, \
         github, ref, include, exclude, image, compose, waiver\n  help: did you mean `path`?"
    );
}

#[test]
fn unknown_key_in_nested_tables() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n\n[[repo.image]]\ndockerfile = \"D\"\nstage = \"x\"\n",
    );
    assert_eq!(error.line, 6);
    assert!(
        error.message.starts_with(
            "unknown key `stage` in [[repo.image]]; expected one of: dockerfile, context, target"
        ),
        "{}",
        error.message
    );

    let error = parse_error("[grading]\ncap = \"F\"\n[[repo]]\npath = \".\"\n");
    assert_eq!(error.line, 2);
    assert!(error.message.contains("in [grading]"), "{}", error.message);

    let error = parse_error("repo = [{ path = \".\", bogus = 1 }]\n");
    assert_eq!(error.line, 1);
    assert_eq!(error.column, 23);
    assert!(
        error.message.contains("`bogus` in [[repo]]"),
        "{}",
        error.message
    );
}

#[test]
fn org_table_parses() {
    let config = parse(
        "[[org]]\nname = \"octo-org\"\ninclude = [\"api-*\"]\nexclude = [\"*-old\"]\nforks = true\n",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert!(config.repos.is_empty());
    assert_eq!(config.orgs.len(), 1);
    let org = &config.orgs[0];
    assert_eq!(org.line, 1);
    assert_eq!(org.name, "octo-org");
    assert_eq!(org.include, ["api-*"]);
    assert_eq!(org.exclude, ["*-old"]);
    assert!(!org.archived);
    assert!(org.forks);

    let error = parse_error("[[org]]\nname = \"octo org\"\n");
    assert_eq!(error.line, 2);
    assert!(
        error.message.contains("invalid [[org]] name"),
        "{}",
        error.message
    );

    let error = parse_error("[[org]]\nname = \"a\"\n[[org]]\nname = \"A\"\n");
    assert_eq!(error.line, 3);
    assert!(
        error.message.contains("duplicate [[org]]"),
        "{}",
        error.message
    );

    let error = parse_error("[[org]]\nname = \"a\"\nfork = true\n");
    assert!(
        error.help.contains("did you mean `forks`"),
        "{}",
        error.help
    );
}

#[test]
fn github_table_sets_api_url() {
    let config =
        parse("[[repo]]\npath = \".\"\n\n[github]\napi_url = \"https://ghe.example/api/v3/\"\n")
            .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        config.github.api_url.as_deref(),
        Some("https://ghe.example/api/v3")
    );

    let error = parse_error("[[repo]]\npath = \".\"\n\n[github]\napi_url = \"ghe.example\"\n");
    assert_eq!(error.line, 5);
    assert!(
        error.message.contains("invalid api_url"),
        "{}",
        error.message
    );

    let error = parse_error("[[repo]]\npath = \".\"\n\n[github]\nurl = \"https://ghe.example\"\n");
    assert!(
        error.message.contains("`url` in [github]"),
        "{}",
        error.message
    );
}

#[test]
fn wrong_type_names_key() {
    let error = parse_error("[[repo]]\npath = \".\"\nname = 5\n");
    assert_eq!(error.line, 3);
    assert_eq!(error.column, 8);
    assert_eq!(error.message, "`name` must be a string, not integer `5`");
    assert_eq!(error.help, "write it as `name = \"payments-api\"`");

    let error = parse_error("[[repo]]\npath = \".\"\ninclude = \"services/**\"\n");
    assert_eq!(error.line, 3);
    assert!(
        error.message.starts_with("`include` must be an array"),
        "{}",
        error.message
    );

    let error = parse_error("[[repo]]\npath = \".\"\ninclude = [\n  \"a/**\",\n  7,\n]\n");
    assert_eq!(error.line, 5);
    assert!(
        error.message.starts_with("`include` must be a string"),
        "{}",
        error.message
    );

    let error = parse_error("grading = 3\n");
    assert_eq!(error.line, 1);
    assert!(
        error.message.starts_with("`grading` must be a table"),
        "{}",
        error.message
    );
}

#[test]
fn missing_path_points_at_entry() {
    let error = parse_error("[grading]\nblocker_cap = \"F\"\n\n[[repo]]\nname = \"x\"\n");
    assert_eq!(error.line, 4);
    assert_eq!(error.message, "[[repo]] needs `path` or `github`");
    assert!(error.help.contains("path = "), "{}", error.help);
}

#[test]
fn missing_waiver_key_names_table() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n\n[[repo.waiver]]\nid = \"healthcheck\"\nexpires = 2027-01-01\n",
    );
    assert_eq!(error.line, 4);
    assert_eq!(error.message, "missing key `reason` in [[repo.waiver]]");
    assert!(error.help.contains("reason = "), "{}", error.help);
}

#[test]
fn bad_dates_rejected_at_line() {
    let cases = [
        "\"2027-13-01\"",
        "\"2027-02-30\"",
        "\"30.06.2027\"",
        "\"2027-6-30\"",
        "2027-06-30T10:00:00",
        "2027-06-30T10:00:00Z",
        "10:00:00",
        "20270630",
    ];
    for value in cases {
        let text = format!(
            "[[repo]]\npath = \".\"\n[[repo.waiver]]\nid = \"read-only\"\nreason = \"r\"\nexpires = {value}\n"
        );
        let error = parse_error(&text);
        assert_eq!(error.line, 6, "expires = {value}: {error}");
        assert_eq!(error.column, 11, "expires = {value}: {error}");
        assert!(
            error.message.contains("expires"),
            "expires = {value}: {error}"
        );
    }
}

#[test]
fn invalid_toml_date_rejected_at_line() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n[[repo.waiver]]\nid = \"read-only\"\nreason = \"r\"\nexpires = 2027-02-30\n",
    );
    assert_eq!(error.line, 6, "{error}");
}

#[test]
fn unknown_waiver_id_suggests() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n[[repo.waiver]]\nid = \"non_root\"\nreason = \"r\"\nexpires = 2027-01-01\n",
    );
    assert_eq!(error.line, 4);
    assert_eq!(error.column, 6);
    assert!(
        error.message.contains("unknown waiver id `non_root`"),
        "{}",
        error.message
    );
    assert_eq!(error.help, "did you mean `non-root`?");

    let error = parse_error(
        "[[repo]]\npath = \".\"\n[[repo.waiver]]\nid = \"everything\"\nreason = \"r\"\nexpires = 2027-01-01\n",
    );
    assert!(error.help.contains("secret-in-image"), "{}", error.help);
    assert!(error.help.contains("multi-stage"), "{}", error.help);
}

#[test]
fn empty_waiver_reason_rejected() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n[[repo.waiver]]\nid = \"privileged\"\nreason = \"  \"\nexpires = 2027-01-01\n",
    );
    assert_eq!(error.line, 5);
    assert_eq!(error.message, "waiver `reason` is empty");
}

#[test]
fn duplicate_waiver_ids_rejected() {
    let error = parse_error(
        "[[repo]]\npath = \".\"\n\
         [[repo.waiver]]\nid = \"privileged\"\nreason = \"a\"\nexpires = 2027-01-01\n\
         [[repo.waiver]]\nid = \"privileged\"\nreason = \"b\"\nexpires = 2027-01-01\n",
    );
    assert_eq!(error.line, 7);
    assert!(error.message.contains("line 3"), "{}", error.message);
}

#[test]
fn duplicate_repo_names_rejected() {
    let error = parse_error("[[repo]]\npath = \"a/app\"\n\n[[repo]]\npath = \"b/app\"\n");
    assert_eq!(error.line, 4);
    assert_eq!(
        error.message,
        "duplicate repository name `app`; the [[repo]] at line 1 has the same name"
    );

    let error = parse_error(
        "[[repo]]\npath = \"a\"\nname = \"x\"\n\n[[repo]]\npath = \"b\"\nname = \"x\"\n",
    );
    assert_eq!(error.line, 7);
}

#[test]
fn path_and_github_exclusive() {
    let error = parse_error("[[repo]]\npath = \".\"\ngithub = \"a/b\"\n");
    assert_eq!(error.line, 3);
    assert!(error.message.contains("both set"), "{}", error.message);

    let error = parse_error("[[repo]]\npath = \".\"\nref = \"main\"\n");
    assert_eq!(error.line, 3);
    assert_eq!(error.message, "`ref` applies only to a `github` repository");
}

#[test]
fn github_must_be_owner_name() {
    for value in [
        "https://github.com/a/b",
        "a",
        "a/b/c",
        "-a/b",
        "a/.",
        "a b/c",
        "",
    ] {
        let error = parse_error(&format!("[[repo]]\ngithub = \"{value}\"\n"));
        assert_eq!(error.line, 2, "github = {value:?}: {error}");
        assert!(
            error.message.contains("expected owner/name"),
            "{value:?}: {error}"
        );
    }
    for value in ["a/b", "octo-org/repo.rs", "A1/b_c-d.e"] {
        let config = parse(&format!("[[repo]]\ngithub = \"{value}\"\n"));
        assert!(config.is_ok(), "github = {value:?}: {config:?}");
    }
}

#[test]
fn bad_globs_rejected() {
    let error = parse_error("[[repo]]\npath = \".\"\ninclude = [\"ok/**\", \"a/[b\"]\n");
    assert_eq!(error.line, 3);
    assert_eq!(error.column, 21);
    assert!(
        error.message.starts_with("invalid include glob `a/[b`"),
        "{}",
        error.message
    );
}

#[test]
fn blocker_cap_must_be_grade() {
    for value in ["E", "G", "a", "", "F+"] {
        let error = parse_error(&format!(
            "[grading]\nblocker_cap = \"{value}\"\n[[repo]]\npath = \".\"\n"
        ));
        assert_eq!(error.line, 2, "blocker_cap = {value:?}");
        assert!(error.message.contains("A, B, C, D, F"), "{}", error.message);
    }
}

#[test]
fn repository_paths_stay_inside() {
    let error =
        parse_error("[[repo]]\npath = \".\"\n[[repo.image]]\ndockerfile = \"../Dockerfile\"\n");
    assert_eq!(error.line, 4);
    assert!(
        error.message.contains("leaves the repository"),
        "{}",
        error.message
    );

    let error = parse_error(
        "[[repo]]\npath = \".\"\n[[repo.image]]\ndockerfile = \"D\"\ncontext = \"/abs\"\n",
    );
    assert_eq!(error.line, 5);
    assert!(error.message.contains("absolute"), "{}", error.message);

    let error = parse_error("[[repo]]\npath = \".\"\n[[repo.compose]]\nfiles = []\n");
    assert_eq!(error.line, 4);
    assert_eq!(error.message, "`files` is empty");
}

#[test]
fn skip_entries_validated() {
    let error = parse_error("[discovery]\nskip = [\"ok\", \"**/build\"]\n[[repo]]\npath = \".\"\n");
    assert_eq!(error.line, 2);
    assert!(error.message.contains("glob"), "{}", error.message);

    let config =
        parse("[discovery]\nskip = [\"docs/legacy/\", \"build\"]\n[[repo]]\npath = \".\"\n")
            .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.discovery.skip, ["docs/legacy", "build"]);

    let config = parse("[discovery]\nskip = []\n[[repo]]\npath = \".\"\n")
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(config.discovery.skip.is_empty());
}

#[test]
fn duplicate_key_and_syntax_errors() {
    let error = parse_error("[[repo]]\npath = \".\"\npath = \"b\"\n");
    assert_eq!(error.line, 3);
    assert_eq!(error.message, "duplicate key `path`");

    let error = parse_error("[[repo]]\npath = \".\n");
    assert_eq!(error.line, 2);
    assert!(
        error.message.starts_with("invalid value for `path`"),
        "{}",
        error.message
    );

    let error = parse_error("[[repo]]\npath = \".\"\n[[repo.image\n");
    assert_eq!(error.line, 3);
    assert!(
        error.message.starts_with("invalid TOML"),
        "{}",
        error.message
    );
}

#[test]
fn no_repositories_rejected() {
    let error = parse_error("[grading]\nblocker_cap = \"F\"\n");
    assert_eq!(error.line, 1);
    assert!(
        error.message.contains("no repositories"),
        "{}",
        error.message
    );
}

#[test]
fn load_missing_file_names_path() {
    let error = Config::load(Path::new("/nonexistent/repos.toml")).expect_err("file is missing");
    assert_eq!(error.line, 0);
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/repos.toml: cannot read"),
        "{error}"
    );
}

#[test]
fn load_resolves_against_config_folder() {
    let folder = tempfile::TempDir::new().expect("temporary folder");
    let config_path = folder.path().join("repos.toml");
    std::fs::write(&config_path, "[[repo]]\npath = \"alpha\"\n").expect("write config");

    let config = Config::load(&config_path).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        config.repos[0].source,
        RepoSource::Local {
            path: folder.path().join("alpha")
        }
    );
}

#[test]
fn init_template_is_valid() {
    let config = parse(init_template()).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.repos.len(), 1);
    assert_eq!(config.grading.blocker_cap, Grade::F);
}

#[test]
fn corpus_config_paths_exist() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/repos.toml");
    assert!(
        path.is_file(),
        "the corpus configuration is missing at {}",
        path.display()
    );

    let config = Config::load(&path).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        config.repos.len() >= 10,
        "only {} repositories",
        config.repos.len()
    );
    for repo in &config.repos {
        let RepoSource::Local { path } = &repo.source else {
            panic!("{} is not a local repository", repo.name);
        };
        assert!(
            path.is_dir(),
            "{}: {} is not a folder",
            repo.name,
            path.display()
        );
    }
}
