//! Tests of the local source: walking a folder into a snapshot.

use dockgrade::dockerignore::ignore_file_for;
use dockgrade::source::local::{read_local, LocalOptions, SourceError};
use dockgrade::source::Snapshot;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("file has a folder")).expect("create folder");
    fs::write(&path, text).expect("write file");
}

fn skip_reason<'a>(snapshot: &'a Snapshot, path: &str) -> Option<&'a str> {
    snapshot
        .skipped
        .iter()
        .find(|skipped| skipped.path == path)
        .map(|skipped| skipped.reason.as_str())
}

fn read(root: &Path) -> Snapshot {
    read_local(root, &LocalOptions::default()).expect("the folder is readable")
}

#[test]
fn missing_root_names_path() {
    let folder = TempDir::new().expect("temporary folder");
    let missing = folder.path().join("not-here");

    let error = read_local(&missing, &LocalOptions::default()).expect_err("root is missing");
    assert!(matches!(error, SourceError::NotFound { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "message does not name the path: {error}"
    );
}

#[test]
fn root_that_is_a_file() {
    let folder = TempDir::new().expect("temporary folder");
    write(folder.path(), "file.txt", "x");

    let error = read_local(&folder.path().join("file.txt"), &LocalOptions::default())
        .expect_err("root is a file");
    assert!(matches!(error, SourceError::NotAFolder { .. }), "{error:?}");
}

#[test]
fn reads_container_files_and_lists_others() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "Dockerfile", "FROM scratch\n");
    write(root, "docker/api.Dockerfile", "FROM scratch\n");
    write(root, "docker/api.Dockerfile.dockerignore", "*\n");
    write(root, ".dockerignore", ".env\n");
    write(root, "compose.yaml", "services: {}\n");
    write(root, ".env", "A=1\n");
    write(root, "config/.env.production", "A=2\n");
    write(root, "config/app.yml", "a: 1\n");
    write(root, "deploy/extra.YAML", "a: 1\n");
    write(root, "src/main.rs", "fn main() {}\n");
    write(root, "README.md", "# readme\n");

    let snapshot = read(root);

    assert_eq!(
        snapshot.paths,
        [
            ".dockerignore",
            ".env",
            "Dockerfile",
            "README.md",
            "compose.yaml",
            "config/.env.production",
            "config/app.yml",
            "deploy/extra.YAML",
            "docker/api.Dockerfile",
            "docker/api.Dockerfile.dockerignore",
            "src/main.rs",
        ]
    );
    let read_files: Vec<&str> = snapshot.files.keys().map(String::as_str).collect();
    assert_eq!(
        read_files,
        [
            ".dockerignore",
            ".env",
            "Dockerfile",
            "compose.yaml",
            "config/.env.production",
            "config/app.yml",
            "deploy/extra.YAML",
            "docker/api.Dockerfile",
            "docker/api.Dockerfile.dockerignore",
        ]
    );
    assert_eq!(snapshot.text("Dockerfile"), Some("FROM scratch\n"));
    assert!(snapshot.skipped.is_empty(), "{:?}", snapshot.skipped);
    assert_eq!(snapshot.commit, None);
}

#[test]
fn default_skip_folders_listed() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "Dockerfile", "FROM scratch\n");
    write(root, ".git/config", "[core]\n");
    write(root, "node_modules/pkg/Dockerfile", "FROM scratch\n");
    write(root, "web/node_modules/pkg/compose.yaml", "services: {}\n");
    write(root, "vendor/lib/Dockerfile", "FROM scratch\n");
    write(root, "third_party/x/Dockerfile", "FROM scratch\n");
    write(root, "pkg/testdata/Dockerfile", "FROM scratch\n");
    write(root, "tests/fixtures/compose.yaml", "services: {}\n");

    let snapshot = read(root);

    assert_eq!(snapshot.paths, ["Dockerfile"]);
    for (path, entry) in [
        (".git", ".git"),
        ("node_modules", "node_modules"),
        ("web/node_modules", "node_modules"),
        ("vendor", "vendor"),
        ("third_party", "third_party"),
        ("pkg/testdata", "testdata"),
        ("tests/fixtures", "fixtures"),
    ] {
        let reason = skip_reason(&snapshot, path)
            .unwrap_or_else(|| panic!("{path} is not listed as skipped: {:?}", snapshot.skipped));
        assert!(reason.contains(entry), "{path}: reason {reason:?}");
    }
    assert_eq!(snapshot.skipped.len(), 7, "{:?}", snapshot.skipped);
}

#[test]
fn skip_list_is_configurable() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "vendor/Dockerfile", "FROM scratch\n");
    write(root, "docs/legacy/Dockerfile", "FROM scratch\n");
    write(root, "other/docs/legacy/Dockerfile", "FROM scratch\n");

    let options = LocalOptions {
        skip: vec!["docs/legacy".to_string()],
        ..LocalOptions::default()
    };
    let snapshot = read_local(root, &options).expect("the folder is readable");

    assert_eq!(
        snapshot.paths,
        ["other/docs/legacy/Dockerfile", "vendor/Dockerfile"]
    );
    assert!(skip_reason(&snapshot, "docs/legacy").is_some());
    assert_eq!(snapshot.skipped.len(), 1, "{:?}", snapshot.skipped);
}

#[test]
fn large_file_skipped_but_listed() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "compose.yaml", &"# padding\n".repeat(10));
    write(root, "Dockerfile", "FROM scratch\n");

    let options = LocalOptions {
        max_file_bytes: 50,
        ..LocalOptions::default()
    };
    let snapshot = read_local(root, &options).expect("the folder is readable");

    assert_eq!(snapshot.paths, ["Dockerfile", "compose.yaml"]);
    assert!(snapshot.files.contains_key("Dockerfile"));
    assert!(!snapshot.files.contains_key("compose.yaml"));
    let reason = skip_reason(&snapshot, "compose.yaml").expect("compose.yaml is skipped");
    assert!(reason.contains("50 byte limit"), "reason {reason:?}");
}

#[test]
fn file_exactly_at_limit_is_read() {
    let folder = TempDir::new().expect("temporary folder");
    write(folder.path(), "compose.yaml", &"x".repeat(50));

    let options = LocalOptions {
        max_file_bytes: 50,
        ..LocalOptions::default()
    };
    let snapshot = read_local(folder.path(), &options).expect("the folder is readable");
    assert!(snapshot.files.contains_key("compose.yaml"));
}

#[test]
fn symlink_to_file_inside_is_read_as_target() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "docker/Dockerfile.debian", "FROM debian\n");
    symlink("docker/Dockerfile.debian", root.join("Dockerfile")).expect("create link");

    let snapshot = read(root);

    assert_eq!(snapshot.paths, ["Dockerfile", "docker/Dockerfile.debian"]);
    assert_eq!(snapshot.text("Dockerfile"), Some("FROM debian\n"));
    assert!(snapshot.skipped.is_empty(), "{:?}", snapshot.skipped);
}

#[test]
fn broken_and_escaping_symlinks_skipped() {
    let outside = TempDir::new().expect("temporary folder");
    write(outside.path(), "secret.env", "TOKEN=x\n");
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    symlink("missing/Dockerfile", root.join("Dockerfile")).expect("create link");
    symlink(outside.path().join("secret.env"), root.join(".env")).expect("create link");
    symlink(outside.path(), root.join("linked")).expect("create link");
    symlink("loop-b", root.join("loop-a")).expect("create link");
    symlink("loop-a", root.join("loop-b")).expect("create link");

    let snapshot = read(root);

    assert!(snapshot.files.is_empty(), "{:?}", snapshot.files.keys());
    let broken = skip_reason(&snapshot, "Dockerfile").expect("broken link is listed");
    assert!(broken.contains("broken"), "reason {broken:?}");
    let escaping = skip_reason(&snapshot, ".env").expect("escaping link is listed");
    assert!(escaping.contains("outside"), "reason {escaping:?}");
    let folder_link = skip_reason(&snapshot, "linked").expect("folder link is listed");
    assert!(folder_link.contains("outside"), "reason {folder_link:?}");
    assert!(skip_reason(&snapshot, "loop-a").is_some());
    assert!(skip_reason(&snapshot, "loop-b").is_some());
}

#[test]
fn symlink_to_folder_inside_not_followed() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "real/Dockerfile", "FROM scratch\n");
    symlink("real", root.join("alias")).expect("create link");

    let snapshot = read(root);

    assert_eq!(snapshot.paths, ["alias", "real/Dockerfile"]);
    let reason = skip_reason(&snapshot, "alias").expect("folder link is listed");
    assert!(reason.contains("folder"), "reason {reason:?}");
}

#[test]
fn include_and_exclude_globs() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "services/api/Dockerfile", "FROM scratch\n");
    write(root, "services/api/main.go", "package main\n");
    write(root, "services/legacy/Dockerfile", "FROM scratch\n");
    write(root, "tools/Dockerfile", "FROM scratch\n");
    write(root, "README.md", "# readme\n");

    let options = LocalOptions {
        include: vec!["services/**".to_string()],
        exclude: vec!["services/legacy/**".to_string()],
        ..LocalOptions::default()
    };
    let snapshot = read_local(root, &options).expect("the folder is readable");

    assert_eq!(
        snapshot.paths,
        ["services/api/Dockerfile", "services/api/main.go"]
    );
    let excluded = skip_reason(&snapshot, "services/legacy/Dockerfile").expect("listed");
    assert!(
        excluded.contains("services/legacy/**"),
        "reason {excluded:?}"
    );
    let not_included = skip_reason(&snapshot, "tools/Dockerfile").expect("listed");
    assert!(not_included.contains("include"), "reason {not_included:?}");
    // A file that no stage reads is left out without a listing.
    assert!(skip_reason(&snapshot, "README.md").is_none());
}

#[test]
fn star_glob_stays_in_one_folder() {
    let folder = TempDir::new().expect("temporary folder");
    let root = folder.path();
    write(root, "Dockerfile", "FROM scratch\n");
    write(root, "sub/Dockerfile", "FROM scratch\n");

    let options = LocalOptions {
        include: vec!["*".to_string()],
        ..LocalOptions::default()
    };
    let snapshot = read_local(root, &options).expect("the folder is readable");
    assert_eq!(snapshot.paths, ["Dockerfile"]);
}

#[test]
fn invalid_glob_rejected() {
    let folder = TempDir::new().expect("temporary folder");
    let options = LocalOptions {
        exclude: vec!["a/[b".to_string()],
        ..LocalOptions::default()
    };
    let error = read_local(folder.path(), &options).expect_err("glob is invalid");
    assert!(
        matches!(&error, SourceError::InvalidGlob { list: "exclude", glob, .. } if glob == "a/[b"),
        "{error:?}"
    );
}

#[test]
fn socket_listed_as_not_regular() {
    let folder = TempDir::new().expect("temporary folder");
    let _listener = std::os::unix::net::UnixListener::bind(folder.path().join("docker.sock"))
        .expect("bind a socket");

    let snapshot = read(folder.path());
    let reason = skip_reason(&snapshot, "docker.sock").expect("socket is listed");
    assert!(reason.contains("not a regular file"), "reason {reason:?}");
}

#[test]
fn non_utf8_name_listed() {
    use std::os::unix::ffi::OsStrExt;

    let folder = TempDir::new().expect("temporary folder");
    let name = std::ffi::OsStr::from_bytes(b"bad\xffname");
    fs::write(folder.path().join(name), "x").expect("write file");

    let snapshot = read(folder.path());
    assert!(snapshot.paths.is_empty(), "{:?}", snapshot.paths);
    assert_eq!(snapshot.skipped.len(), 1);
    assert!(snapshot.skipped[0].reason.contains("UTF-8"));
}

/// Returns a folder of the test data (real repositories and hand-made cases), and fails when it
/// is missing.
fn shared_folder(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    assert!(path.is_dir(), "test data is missing at {}", path.display());
    path
}

#[test]
fn corpus_repository_snapshot() {
    let snapshot = read(&shared_folder("corpus/apps/dani-garcia__vaultwarden"));

    for path in [
        ".dockerignore",
        "Dockerfile",
        "docker/Dockerfile.alpine",
        "docker/Dockerfile.debian",
        "playwright/docker-compose.yml",
    ] {
        assert!(
            snapshot.contains(path),
            "{path} is missing from {:?}",
            snapshot.paths
        );
        assert!(snapshot.files.contains_key(path), "{path} was not read");
    }
    assert!(snapshot.skipped.is_empty(), "{:?}", snapshot.skipped);
}

#[test]
fn corpus_vendor_folder_skipped() {
    let snapshot = read(&shared_folder("corpus/apps/mailcow__mailcow-dockerized"));
    let reason = skip_reason(&snapshot, "data/web/inc/lib/vendor")
        .unwrap_or_else(|| panic!("vendor is not listed: {:?}", snapshot.skipped));
    assert!(reason.contains("vendor"), "reason {reason:?}");
    assert!(snapshot
        .paths
        .iter()
        .all(|path| !path.starts_with("data/web/inc/lib/vendor/")));
}

#[test]
fn case_per_dockerfile_ignore_file() {
    let snapshot = read(&shared_folder("cases/br26-per-dockerfile-ignore-wins"));
    assert_eq!(
        ignore_file_for("docker/api.Dockerfile", ".", &snapshot).as_deref(),
        Some("docker/api.Dockerfile.dockerignore")
    );
    assert!(snapshot
        .files
        .contains_key("docker/api.Dockerfile.dockerignore"));
}
