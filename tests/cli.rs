//! The `dockgrade` binary end to end: arguments, output, exit codes and messages. Every file a
//! test writes goes to a temporary folder.

mod binary;

use binary::{copy_folder, dockgrade, manifest_dir, stderr_of, stdout_of};
use std::path::PathBuf;
use tempfile::TempDir;

/// The header row of the scorecard matrix, with the columns in the order the report promises.
const MATRIX_HEADER: &str = "| Repo | Multi-Stage | Non-Root | Pinned Digest | Healthcheck | .dockerignore | Cap Drop | Read-Only FS | Score |";

/// A date after the fleet's expired waiver (2024-01-01) and before the others (2099-12-31).
const TODAY: &str = "2026-06-01";

fn fleet_repo(folder: &str) -> PathBuf {
    manifest_dir().join("examples/fleet").join(folder)
}

#[test]
fn scan_fleet_prints_matrix() {
    let output = dockgrade()
        .args(["scan", "--today", TODAY])
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(
        stdout.lines().any(|line| line == MATRIX_HEADER),
        "no matrix header in:\n{stdout}"
    );
    assert!(stdout.contains("orders-api"), "orders-api is missing");
}

#[test]
fn scan_json_parses() {
    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--format", "json"])
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );

    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is valid JSON");
    assert_eq!(value["tool"], "dockgrade");
    let repos = value["repos"].as_array().expect("repos is an array");
    assert_eq!(repos.len(), 12);
    assert!(repos
        .iter()
        .any(|repo| repo["name"] == "orders-api" && repo["grade"] == "A"));
}

#[test]
fn scan_output_writes_file() {
    let folder = TempDir::new().expect("temporary folder");
    let report = folder.path().join("scorecard.md");
    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--output"])
        .arg(&report)
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(output.stdout.is_empty(), "the report also went to stdout");

    let written = std::fs::read_to_string(&report).expect("the report file exists");
    assert!(written.lines().any(|line| line == MATRIX_HEADER));
}

#[test]
fn scan_output_matches_stdout() {
    let folder = TempDir::new().expect("temporary folder");
    let report = folder.path().join("scorecard.json");
    dockgrade()
        .args(["scan", "--today", TODAY, "--format", "json", "--output"])
        .arg(&report)
        .assert()
        .code(0);
    let printed = dockgrade()
        .args(["scan", "--today", TODAY, "--format", "json"])
        .output()
        .expect("dockgrade runs");
    let written = std::fs::read(&report).expect("the report file exists");
    assert!(written == printed.stdout, "--output and stdout differ");
}

#[test]
fn scan_fail_under_names_repositories_below() {
    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--fail-under", "B"])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert!(
        output.stdout.starts_with(b"# "),
        "the report is still printed"
    );

    // Grades C, D and F are below B. The grades come from examples/fleet-expected.
    let below = [
        "container-janitor",
        "ledger-importer",
        "legacy-billing",
        "notify-service",
        "platform-monorepo",
        "report-worker",
    ];
    // A, B and — (nothing to grade) are not below B.
    let not_below = [
        "analytics-stack",
        "docs-site",
        "node-metrics",
        "orders-api",
        "payments-gateway",
        "storefront-web",
    ];
    assert!(
        stderr.contains("6 repositories graded below B"),
        "stderr: {stderr}"
    );
    let named: Vec<&str> = stderr
        .lines()
        .find_map(|line| line.split_once("graded below B: "))
        .map(|(_, names)| names.split(", ").collect())
        .unwrap_or_default();
    for name in below {
        assert!(named.contains(&name), "{name} is not named in {stderr:?}");
    }
    for name in not_below {
        assert!(!named.contains(&name), "{name} is named in {stderr:?}");
    }
}

#[test]
fn scan_fail_under_f_passes() {
    dockgrade()
        .args(["scan", "--today", TODAY, "--fail-under", "F"])
        .assert()
        .code(0);
}

#[test]
fn scan_missing_folder_is_error_row() {
    let folder = TempDir::new().expect("temporary folder");
    copy_folder(&fleet_repo("orders-api"), &folder.path().join("orders-api"));
    let config = folder.path().join("repos.toml");
    std::fs::write(
        &config,
        "[[repo]]\nname = \"gone\"\npath = \"does-not-exist\"\n\n[[repo]]\npath = \"orders-api\"\n",
    )
    .expect("write repos.toml");

    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--config"])
        .arg(&config)
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(4),
        "stderr: {}",
        stderr_of(&output)
    );
    let row = stdout
        .lines()
        .find(|line| line.starts_with("| [gone](#gone) |"))
        .unwrap_or_else(|| panic!("no row for gone in:\n{stdout}"));
    assert!(row.contains("error: "), "row: {row}");
    assert!(row.trim_end().ends_with("| error |"), "row: {row}");
    assert!(
        stdout.contains("A (7/7)"),
        "the readable repository is still graded:\n{stdout}"
    );
}

#[test]
fn scan_missing_folder_wins_over_fail_under() {
    let folder = TempDir::new().expect("temporary folder");
    copy_folder(&fleet_repo("report-worker"), &folder.path().join("worker"));
    let config = folder.path().join("repos.toml");
    std::fs::write(
        &config,
        "[[repo]]\npath = \"does-not-exist\"\n\n[[repo]]\npath = \"worker\"\n",
    )
    .expect("write repos.toml");

    dockgrade()
        .args(["scan", "--today", TODAY, "--fail-under", "A", "--config"])
        .arg(&config)
        .assert()
        .code(4);
}

#[test]
fn scan_unknown_key_names_line() {
    let folder = TempDir::new().expect("temporary folder");
    std::fs::write(
        folder.path().join("repos.toml"),
        "[[repo]]\npath = \".\"\ncolour = \"red\"\n",
    )
    .expect("write repos.toml");

    let output = dockgrade()
        .current_dir(folder.path())
        .args(["scan", "--config", "repos.toml"])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("repos.toml:3:"), "stderr: {stderr}");
    assert!(stderr.contains("colour"), "the key is not named: {stderr}");
    assert!(output.stdout.is_empty(), "a report was printed");
}

#[test]
fn scan_missing_config_exits_2() {
    let folder = TempDir::new().expect("temporary folder");
    let output = dockgrade()
        .current_dir(folder.path())
        .arg("scan")
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("repos.toml"), "stderr: {stderr}");
    assert!(stderr.contains("dockgrade init"), "no hint: {stderr}");
}

#[test]
fn check_works_without_config() {
    let folder = TempDir::new().expect("temporary folder");
    let output = dockgrade()
        .current_dir(folder.path())
        .arg("check")
        .arg(fleet_repo("orders-api"))
        .arg(fleet_repo("storefront-web"))
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(stdout.lines().any(|line| line == MATRIX_HEADER));
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("orders-api") || line.contains("storefront-web"))
        .filter(|line| line.starts_with("| "))
        .collect();
    assert!(
        rows.iter()
            .any(|row| row.contains("orders-api") && row.contains("A (7/7)")),
        "rows: {rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|row| row.contains("storefront-web") && row.contains("B (6/7)")),
        "rows: {rows:#?}"
    );
}

#[test]
fn check_json_parses() {
    let output = dockgrade()
        .args(["check", "--format", "json"])
        .arg(fleet_repo("docs-site"))
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is valid JSON");
    assert_eq!(value["repos"][0]["name"], "docs-site");
    assert_eq!(value["repos"][0]["grade"], "—");
}

#[test]
fn inspect_dockerfile_text() {
    let output = dockgrade()
        .arg("inspect")
        .arg(fleet_repo("orders-api").join("Dockerfile"))
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(stdout.contains("instructions:"), "stdout: {stdout}");
    assert!(stdout.contains("stages:"), "stdout: {stdout}");
    assert!(stdout.contains("USER 65532:65532"), "stdout: {stdout}");
}

#[test]
fn inspect_dockerfile_json() {
    let output = dockgrade()
        .args(["inspect", "--format", "json"])
        .arg(fleet_repo("orders-api").join("Dockerfile"))
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is valid JSON");
    let instructions = value["instructions"].as_array().expect("instructions");
    assert_eq!(instructions[0]["keyword"], "from");
    assert_eq!(instructions[0]["line"], 2);
}

#[test]
fn inspect_dockerfile_buildkit() {
    let output = dockgrade()
        .args(["inspect", "--format", "buildkit"])
        .arg(fleet_repo("orders-api").join("Dockerfile"))
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(
        stdout.lines().any(|line| line == "(user \"65532:65532\")"),
        "stdout: {stdout}"
    );
    assert!(
        stdout.lines().all(|line| line.starts_with('(')),
        "every line is one instruction: {stdout}"
    );
}

#[test]
fn inspect_dockerfile_parse_error_exits_2() {
    let output = dockgrade()
        .arg("inspect")
        .arg(fleet_repo("ledger-importer").join("Dockerfile"))
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("ENV must have two arguments"),
        "stderr: {stderr}"
    );
}

#[test]
fn inspect_compose_file() {
    let output = dockgrade()
        .arg("inspect")
        .arg(fleet_repo("orders-api").join("compose.yaml"))
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the loaded project prints as JSON");
    let service = &value["services"]["orders-api"];
    assert_eq!(service["read_only"], true);
    assert_eq!(service["cap_drop"][0], "ALL");
}

#[test]
fn inspect_compose_with_override() {
    let deploy = fleet_repo("platform-monorepo").join("deploy");
    let output = dockgrade()
        .arg("inspect")
        .arg(deploy.join("compose.yaml"))
        .arg(deploy.join("compose.override.yaml"))
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the loaded project prints as JSON");
    assert_eq!(
        value["services"]["web"]["read_only"], false,
        "the override turns read_only off"
    );
}

#[test]
fn inspect_buildkit_rejects_compose() {
    let compose = fleet_repo("orders-api").join("compose.yaml");
    let output = dockgrade()
        .args(["inspect", "--format", "buildkit"])
        .arg(&compose)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "something was printed");
    assert!(
        stderr.contains("--format buildkit applies to Dockerfiles only"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains(&compose.display().to_string()),
        "the file is not named: {stderr}"
    );
}

#[test]
fn explain_known_id() {
    let output = dockgrade()
        .args(["explain", "non-root"])
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(stdout.starts_with("non-root: "), "stdout: {stdout}");
    assert!(stdout.lines().any(|line| line == "How to fix"));
}

#[test]
fn explain_unknown_id_lists_known_ids() {
    let output = dockgrade()
        .args(["explain", "nope"])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("\"nope\""), "the id is not named: {stderr}");
    for id in ["multi-stage", "non-root", "docker-socket", "parse-error"] {
        assert!(stderr.contains(id), "{id} is not listed: {stderr}");
    }
}

#[test]
fn init_template_scans_with_repo_added() {
    let folder = TempDir::new().expect("temporary folder");
    let config = folder.path().join("repos.toml");
    let output = dockgrade()
        .args(["init", "--output"])
        .arg(&config)
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let template = std::fs::read_to_string(&config).expect("the template was written");
    assert!(template.contains("[[repo]]"));

    copy_folder(&fleet_repo("orders-api"), &folder.path().join("orders-api"));
    let with_repo = format!("{template}\n[[repo]]\nname = \"orders\"\npath = \"orders-api\"\n");
    std::fs::write(&config, with_repo).expect("add a repository");

    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--config"])
        .arg(&config)
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let row = stdout
        .lines()
        .find(|line| line.starts_with("| [orders](#orders) |"))
        .unwrap_or_else(|| panic!("no row for orders in:\n{stdout}"));
    assert!(row.contains("A (7/7)"), "row: {row}");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let folder = TempDir::new().expect("temporary folder");
    let config = folder.path().join("repos.toml");
    std::fs::write(&config, "# my repositories\n").expect("write repos.toml");

    let output = dockgrade()
        .args(["init", "--output"])
        .arg(&config)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("already exists"), "stderr: {stderr}");
    assert!(stderr.contains("--force"), "no hint: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&config).expect("repos.toml is still there"),
        "# my repositories\n"
    );

    dockgrade()
        .args(["init", "--force", "--output"])
        .arg(&config)
        .assert()
        .code(0);
    let overwritten = std::fs::read_to_string(&config).expect("repos.toml is still there");
    assert!(
        overwritten.contains("[[repo]]"),
        "not overwritten: {overwritten}"
    );
}

#[test]
fn init_writes_repos_toml_in_current_folder() {
    let folder = TempDir::new().expect("temporary folder");
    dockgrade()
        .current_dir(folder.path())
        .arg("init")
        .assert()
        .code(0);
    assert!(folder.path().join("repos.toml").is_file());
}

#[test]
fn help_lists_exit_codes() {
    for args in [&["--help"][..], &["scan", "--help"], &["check", "--help"]] {
        let output = dockgrade().args(args).output().expect("dockgrade runs");
        let stdout = stdout_of(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(stdout.contains("Exit codes:"), "{args:?}: {stdout}");
        for code in ["0", "1", "2", "3", "4"] {
            assert!(
                stdout
                    .lines()
                    .any(|line| line.trim_start().starts_with(&format!("{code}  "))),
                "{args:?} does not explain exit code {code}: {stdout}"
            );
        }
    }
}

#[test]
fn invalid_fail_under_exits_2() {
    let output = dockgrade()
        .args(["scan", "--fail-under", "E"])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("invalid grade"), "stderr: {stderr}");
}

#[test]
fn inspect_ignore_file_lists_patterns() {
    let output = dockgrade()
        .arg("inspect")
        .arg(fleet_repo("orders-api").join(".dockerignore"))
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    assert!(stdout.contains("patterns:"), "stdout: {stdout}");
    assert!(stdout.contains(".env: excluded"), "stdout: {stdout}");
}

#[test]
fn check_names_same_named_folders_by_path() {
    let root = tempfile::tempdir().expect("temp dir");
    for parent in ["a", "b"] {
        let folder = root.path().join(parent).join("svc");
        std::fs::create_dir_all(&folder).expect("folder is created");
        std::fs::write(folder.join("Dockerfile"), "FROM alpine:3.20\nUSER 1000\n")
            .expect("file is written");
    }
    let output = dockgrade()
        .current_dir(root.path())
        .args(["check", "a/svc", "b/svc", "--format", "json"])
        .output()
        .expect("dockgrade runs");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(value["repos"][0]["name"], "a/svc");
    assert_eq!(value["repos"][1]["name"], "b/svc");
}

#[test]
fn check_file_path_says_not_a_folder() {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::write(root.path().join("Dockerfile"), "FROM alpine:3.20\n").expect("file is written");
    let output = dockgrade()
        .current_dir(root.path())
        .args(["check", "Dockerfile", "--format", "json"])
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(!stderr.contains(".dockgrade.toml"), "{stderr}");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(value["repos"][0]["grade"], "error");
    assert_eq!(
        value["repos"][0]["errors"][0]["message"],
        "repository path Dockerfile is not a folder: dockgrade grades folders, so give the folder that holds it"
    );
}

#[test]
fn check_same_folder_twice_grades_once() {
    let root = tempfile::tempdir().expect("temp dir");
    let folder = root.path().join("svc");
    std::fs::create_dir_all(&folder).expect("folder is created");
    std::fs::write(folder.join("Dockerfile"), "FROM alpine:3.20\nUSER 1000\n")
        .expect("file is written");
    let output = dockgrade()
        .current_dir(root.path())
        .args(["-v", "check", "svc", "svc/", "./svc", "--format", "json"])
        .output()
        .expect("dockgrade runs");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let repos = value["repos"].as_array().expect("repos is an array");
    assert_eq!(repos.len(), 1, "{value:#}");
    assert_eq!(repos[0]["name"], "svc");
    assert_eq!(repos[0]["source"], "svc");
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("the folder was given more than once; grading it once"),
        "{stderr}"
    );
}

/// A Dockerfile that BuildKit's parser accepts but `docker build` rejects is shown, with the
/// error that grading reports as a parse error, in the text and JSON views.
#[test]
fn inspect_names_build_error() {
    let folder = TempDir::new().expect("temporary folder");
    let dockerfile = folder.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM alpine:3.20\nHI there\nUSER 1000\n").expect("write");

    let output = dockgrade()
        .arg("inspect")
        .arg(&dockerfile)
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("HI there"), "{stdout}");
    assert!(
        stdout.contains("build error (line 2): unknown instruction: HI"),
        "{stdout}"
    );

    let output = dockgrade()
        .args(["inspect", "--format", "json"])
        .arg(&dockerfile)
        .output()
        .expect("dockgrade runs");
    let value: serde_json::Value = serde_json::from_str(&stdout_of(&output)).expect("JSON");
    assert_eq!(value["build_error"]["line"], 2);
    assert_eq!(value["build_error"]["message"], "unknown instruction: HI");
}

/// A Compose user made of an unset variable expands to nothing, and the message shows `(empty)`.
#[test]
fn empty_unresolved_user_is_named_empty() {
    let folder = TempDir::new().expect("temporary folder");
    let digest = "0".repeat(64);
    std::fs::write(
        folder.path().join("compose.yaml"),
        format!(
            "services:\n  app:\n    image: alpine@sha256:{digest}\n    user: \"${{APP_UID}}\"\n"
        ),
    )
    .expect("write");

    let output = dockgrade()
        .args(["check", "--format", "json"])
        .arg(folder.path())
        .output()
        .expect("dockgrade runs");
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("Compose user: (empty) depends on unresolved variables (APP_UID)"),
        "{stdout}"
    );
}

#[test]
fn init_dash_prints_template() {
    let folder = TempDir::new().expect("temporary folder");
    let output = dockgrade()
        .current_dir(folder.path())
        .args(["init", "--output", "-"])
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), dockgrade::config::init_template());
    assert!(!folder.path().join("-").exists());
}
