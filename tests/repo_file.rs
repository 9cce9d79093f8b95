//! `.dockgrade.toml`: a repository's own settings, parsed like a repos.toml `[[repo]]` entry,
//! read by `dockgrade check` and never by `dockgrade scan`.

use assert_cmd::cargo::cargo_bin_cmd;
use chrono::NaiveDate;
use dockgrade::config::{ConfigError, RepoFile, REPO_FILE_NAME};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn parse(text: &str) -> Result<RepoFile, ConfigError> {
    RepoFile::parse(text, Path::new("/repo/.dockgrade.toml"))
}

fn parse_error(text: &str) -> ConfigError {
    match parse(text) {
        Ok(file) => panic!("expected an error, got {file:#?}"),
        Err(error) => error,
    }
}

const FULL: &str = r#"include = ["services/**"]
exclude = ["legacy/**", "examples/**"]

[[image]]
dockerfile = "docker/api.Dockerfile"
context = "."
target = "runtime"

[[compose]]
files = ["deploy/compose.yaml", "./deploy/compose.prod.yaml"]

[[waiver]]
id = "read-only"
reason = "The batch job writes its report into the image's working folder."
expires = 2099-12-31
"#;

#[test]
fn full_file_parses() {
    let file = parse(FULL).unwrap_or_else(|error| panic!("{error}"));
    let rules = &file.rules;

    assert_eq!(file.path, PathBuf::from("/repo/.dockgrade.toml"));
    assert_eq!(rules.include, ["services/**"]);
    assert_eq!(rules.exclude, ["legacy/**", "examples/**"]);
    assert_eq!(rules.images.len(), 1);
    assert_eq!(rules.images[0].line, 4);
    assert_eq!(rules.images[0].dockerfile, "docker/api.Dockerfile");
    assert_eq!(rules.images[0].context.as_deref(), Some("."));
    assert_eq!(rules.images[0].target.as_deref(), Some("runtime"));
    assert_eq!(rules.compose.len(), 1);
    assert_eq!(
        rules.compose[0].files,
        ["deploy/compose.yaml", "deploy/compose.prod.yaml"]
    );
    assert_eq!(rules.waivers.len(), 1);
    assert_eq!(rules.waivers[0].id, "read-only");
    assert_eq!(rules.waivers[0].line, 12);
    assert_eq!(
        rules.waivers[0].expires,
        NaiveDate::from_ymd_opt(2099, 12, 31).expect("valid date")
    );
}

#[test]
fn empty_file_means_defaults() {
    let file = parse("# nothing set\n").unwrap_or_else(|error| panic!("{error}"));

    assert!(file.rules.include.is_empty());
    assert!(file.rules.exclude.is_empty());
    assert!(file.rules.images.is_empty());
    assert!(file.rules.compose.is_empty());
    assert!(file.rules.waivers.is_empty());
}

#[test]
fn location_keys_are_rejected() {
    for (key, line) in [
        ("name = \"api\"", 2),
        ("path = \".\"", 2),
        ("github = \"octo-org/api\"", 2),
        ("ref = \"main\"", 2),
    ] {
        let text = format!("exclude = [\"a/**\"]\n{key}\n");
        let error = parse_error(&text);
        let name = key.split(' ').next().expect("a key");

        assert_eq!(error.line, line, "{key}");
        assert_eq!(
            error.message,
            format!(
                "`{name}` is not allowed in .dockgrade.toml: the file describes the repository \
                 that holds it"
            )
        );
        assert!(error.help.contains("repos.toml"), "{}", error.help);
    }
}

#[test]
fn repo_header_is_rejected() {
    let error = parse_error("[[repo]]\npath = \".\"\n");

    assert_eq!(error.line, 1);
    assert_eq!(error.message, "[[repo]] is not allowed in .dockgrade.toml");
    assert!(error.help.contains("at the top level"), "{}", error.help);
}

#[test]
fn fleet_tables_are_rejected() {
    let error = parse_error("exclude = []\n\n[grading]\nblocker_cap = \"C\"\n");

    assert_eq!(error.line, 3);
    assert_eq!(
        error.message,
        "`grading` is not allowed in .dockgrade.toml: it sets how a whole fleet is scanned"
    );
}

#[test]
fn unknown_key_is_rejected_with_suggestion() {
    let error = parse_error("exclude = [\"a/**\"]\nexclud = [\"b/**\"]\n");

    assert_eq!(error.line, 2);
    assert_eq!(
        error.message,
        "unknown key `exclud` in the top level; expected one of: include, exclude, image, \
         compose, waiver"
    );
    assert_eq!(error.help, "did you mean `exclude`?");
}

#[test]
fn unknown_key_in_table_names_file_header() {
    let error = parse_error("[[image]]\ndockerfile = \"Dockerfile\"\nstage = \"x\"\n");

    assert_eq!(error.line, 3);
    assert!(
        error
            .message
            .starts_with("unknown key `stage` in [[image]];"),
        "{}",
        error.message
    );
}

#[test]
fn wrong_type_example_uses_file_header() {
    let error = parse_error("waiver = 3\n");

    assert_eq!(error.line, 1);
    assert_eq!(error.message, "`waiver` must be an array, not integer `3`");
    assert_eq!(error.help, "write it as `[[waiver]]`");
}

#[test]
fn waiver_needs_reason() {
    let missing = parse_error("[[waiver]]\nid = \"healthcheck\"\nexpires = 2099-12-31\n");
    assert_eq!(missing.line, 1);
    assert_eq!(missing.message, "missing key `reason` in [[waiver]]");

    let empty =
        parse_error("[[waiver]]\nid = \"healthcheck\"\nreason = \"  \"\nexpires = 2099-12-31\n");
    assert_eq!(empty.line, 3);
    assert_eq!(empty.message, "waiver `reason` is empty");
}

#[test]
fn waiver_checks_id_and_expiry() {
    let unknown =
        parse_error("[[waiver]]\nid = \"healthchek\"\nreason = \"r\"\nexpires = 2099-12-31\n");
    assert_eq!(unknown.line, 2);
    assert_eq!(unknown.help, "did you mean `healthcheck`?");

    let expiry =
        parse_error("[[waiver]]\nid = \"healthcheck\"\nreason = \"r\"\nexpires = \"next year\"\n");
    assert_eq!(expiry.line, 4);
    assert!(
        expiry.message.starts_with("invalid expires"),
        "{}",
        expiry.message
    );
}

#[test]
fn duplicate_waiver_is_rejected() {
    let text = "[[waiver]]\nid = \"healthcheck\"\nreason = \"a\"\nexpires = 2099-12-31\n\n\
                [[waiver]]\nid = \"healthcheck\"\nreason = \"b\"\nexpires = 2099-12-31\n";
    let error = parse_error(text);

    assert_eq!(error.line, 6);
    assert_eq!(
        error.message,
        "duplicate waiver for `healthcheck`; the waiver at line 1 names the same id"
    );
}

#[test]
fn paths_must_stay_inside_repository() {
    let error = parse_error("[[image]]\ndockerfile = \"../other/Dockerfile\"\n");

    assert_eq!(error.line, 2);
    assert_eq!(
        error.message,
        "invalid dockerfile `../other/Dockerfile`: the path leaves the repository"
    );
}

#[test]
fn load_returns_none_without_file() {
    let folder = TempDir::new().expect("temporary folder");

    let loaded = RepoFile::load(folder.path()).unwrap_or_else(|error| panic!("{error}"));

    assert_eq!(loaded, None);
}

#[test]
fn load_reads_file_at_root() {
    let folder = TempDir::new().expect("temporary folder");
    std::fs::write(
        folder.path().join(REPO_FILE_NAME),
        "exclude = [\"old/**\"]\n",
    )
    .expect("write the file");

    let loaded = RepoFile::load(folder.path()).unwrap_or_else(|error| panic!("{error}"));

    let file = loaded.expect("the file is read");
    assert_eq!(file.path, folder.path().join(REPO_FILE_NAME));
    assert_eq!(file.rules.exclude, ["old/**"]);
}

#[test]
fn load_names_line_of_non_utf8_bytes() {
    let folder = TempDir::new().expect("temporary folder");
    std::fs::write(
        folder.path().join(REPO_FILE_NAME),
        b"exclude = []\n# caf\xe9 in Latin-1\n",
    )
    .expect("write the file");

    let error = RepoFile::load(folder.path()).expect_err("the file is not UTF-8");

    assert_eq!((error.line, error.column), (2, 6));
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
    assert!(
        error.help.contains("save the file as UTF-8"),
        "{}",
        error.help
    );
}

#[test]
fn waiver_missing_key_points_at_its_table() {
    let text = "exclude = [\"legacy/**\"]\n\n[[waiver]]\nid = \"read-only\"\nreason = \"r\"\nexpires = 2099-12-31\n\n\
                [[waiver]]\nid = \"healthcheck\"\nreason = \"r\"\n";
    let error = parse_error(text);

    assert_eq!((error.line, error.column), (8, 1));
    assert_eq!(error.message, "missing key `expires` in [[waiver]]");
}

#[test]
fn inline_waiver_missing_key_names_its_key() {
    let error = parse_error("exclude = []\nwaiver = [{ id = \"healthcheck\", reason = \"r\" }]\n");

    assert_eq!(error.line, 2);
    assert_eq!(
        error.message,
        "missing key `expires` in an inline `waiver` table"
    );
}

// The binary: `check` with and without the file, and `scan`, which ignores it.

/// A single-stage image without a healthcheck, run by a Compose service that drops every
/// capability but keeps a writable root filesystem.
const DOCKERFILE: &str =
    "FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d\n\
    USER 10001\n\
    COPY app /app\n\
    CMD [\"/app\"]\n";
const COMPOSE: &str = "services:\n  app:\n    build: .\n    cap_drop: [ALL]\n";
const LEGACY_DOCKERFILE: &str = "FROM ubuntu\nRUN apt-get install -y gcc\n";

/// Writes a small repository: the Dockerfile and Compose file above, and a legacy folder
/// with a root-running image that an exclude glob can leave out.
fn write_repository(root: &Path) {
    std::fs::create_dir_all(root.join("legacy")).expect("create the legacy folder");
    std::fs::write(root.join("Dockerfile"), DOCKERFILE).expect("write the Dockerfile");
    std::fs::write(root.join("compose.yaml"), COMPOSE).expect("write compose.yaml");
    std::fs::write(root.join("legacy/Dockerfile"), LEGACY_DOCKERFILE)
        .expect("write the legacy Dockerfile");
}

fn run_json(current_dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let output = cargo_bin_cmd!("dockgrade")
        .current_dir(current_dir)
        .args(args)
        .args(["--format", "json", "--today", "2026-06-01"])
        .output()
        .expect("dockgrade runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), report, stderr)
}

fn verdict(report: &Value, control: &str) -> String {
    report["repos"][0]["controls"][control]["verdict"]
        .as_str()
        .unwrap_or("missing")
        .to_string()
}

#[test]
fn check_without_file_grades_everything() {
    let folder = TempDir::new().expect("temporary folder");
    write_repository(folder.path());

    let (code, report, stderr) = run_json(folder.path(), &["check", "."]);

    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        verdict(&report, "non-root"),
        "fail",
        "legacy/Dockerfile runs as root"
    );
    assert_eq!(verdict(&report, "healthcheck"), "fail");
    assert_eq!(verdict(&report, "read-only"), "fail");
}

#[test]
fn check_applies_excludes_and_waivers() {
    let folder = TempDir::new().expect("temporary folder");
    write_repository(folder.path());
    std::fs::write(
        folder.path().join(REPO_FILE_NAME),
        "exclude = [\"legacy/**\"]\n\n\
         [[waiver]]\nid = \"read-only\"\nreason = \"The job writes its output next to the binary.\"\n\
         expires = 2099-12-31\n",
    )
    .expect("write .dockgrade.toml");

    let (code, report, stderr) = run_json(folder.path(), &["check", "."]);

    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(verdict(&report, "non-root"), "pass", "legacy/ is excluded");
    assert_eq!(verdict(&report, "read-only"), "waived");
    assert_eq!(
        verdict(&report, "healthcheck"),
        "fail",
        "no waiver covers it"
    );
    let waivers = report["repos"][0]["waivers"].to_string();
    assert!(waivers.contains("The job writes its output"), "{waivers}");
}

#[test]
fn check_rejects_invalid_file() {
    let folder = TempDir::new().expect("temporary folder");
    write_repository(folder.path());
    std::fs::write(
        folder.path().join(REPO_FILE_NAME),
        "exclude = [\"legacy/**\"]\nname = \"api\"\n",
    )
    .expect("write .dockgrade.toml");

    let (code, report, stderr) = run_json(folder.path(), &["check", "."]);

    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(report, Value::Null, "no report on an invalid file");
    assert!(
        stderr.contains(".dockgrade.toml:2:1: `name` is not allowed in .dockgrade.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("help: "), "{stderr}");
}

#[test]
fn scan_ignores_repository_file() {
    let folder = TempDir::new().expect("temporary folder");
    let repository = folder.path().join("service");
    write_repository(&repository);
    std::fs::write(
        repository.join(REPO_FILE_NAME),
        "exclude = [\"legacy/**\"]\n\n\
         [[waiver]]\nid = \"non-root\"\nreason = \"A repository cannot waive this in a scan.\"\n\
         expires = 2099-12-31\n",
    )
    .expect("write .dockgrade.toml");
    std::fs::write(
        folder.path().join("repos.toml"),
        "[[repo]]\npath = \"service\"\n",
    )
    .expect("write repos.toml");

    let (code, report, stderr) = run_json(folder.path(), &["scan", "--config", "repos.toml"]);

    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(verdict(&report, "non-root"), "fail", "legacy/ is graded");
    assert_eq!(report["repos"][0]["waivers"], Value::Array(Vec::new()));
}
