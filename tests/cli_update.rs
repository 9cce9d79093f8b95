//! `--update FILE` through the binary: the Markdown report replaces the marker region of a file
//! and nothing else, a second run writes nothing, and bad markers or options leave the file alone.

mod binary;

use binary::{dockgrade, stderr_of};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A date after the fleet's expired waiver (2024-01-01) and before the others (2099-12-31).
const TODAY: &str = "2026-06-01";

const START: &str = "<!-- dockgrade:start -->";
const END: &str = "<!-- dockgrade:end -->";

fn markdown_report() -> String {
    let output = dockgrade()
        .args(["scan", "--today", TODAY])
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    String::from_utf8(output.stdout).expect("the report is UTF-8")
}

fn write_page(folder: &Path, text: &str) -> PathBuf {
    let path = folder.join("fleet.md");
    std::fs::write(&path, text).expect("write the page");
    path
}

fn scan_update(page: &Path, extra: &[&str]) -> std::process::Output {
    dockgrade()
        .args(["scan", "--today", TODAY])
        .args(extra)
        .arg("--update")
        .arg(page)
        .output()
        .expect("dockgrade runs")
}

#[test]
fn scan_update_replaces_region_only() {
    let folder = TempDir::new().expect("temporary folder");
    let before =
        format!("# Fleet\n\nWritten by hand.\n\n{START}\nold table\n{END}\n\nFooter, no newline");
    let page = write_page(folder.path(), &before);

    let output = scan_update(&page, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(output.stdout.is_empty(), "the report also went to stdout");

    let after = std::fs::read_to_string(&page).expect("read the page");
    let expected = format!(
        "# Fleet\n\nWritten by hand.\n\n{START}\n{}{END}\n\nFooter, no newline",
        markdown_report()
    );
    assert!(after == expected, "the page is:\n{after}");
}

#[test]
fn scan_update_twice_writes_nothing() {
    let folder = TempDir::new().expect("temporary folder");
    let page = write_page(
        folder.path(),
        &format!("\u{feff}# Fleet\r\n{START}\r\n{END}\r\n"),
    );
    assert_eq!(scan_update(&page, &[]).status.code(), Some(0));
    let first = std::fs::read(&page).expect("read the page");
    let first_modified = std::fs::metadata(&page)
        .and_then(|metadata| metadata.modified())
        .expect("modification time");
    let text = String::from_utf8(first.clone()).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "the byte order mark is gone");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a line ends with LF in a CRLF file"
    );

    std::thread::sleep(std::time::Duration::from_millis(20));
    let output = scan_update(&page, &["-v"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("unchanged"),
        "{}",
        stderr_of(&output)
    );
    assert!(std::fs::read(&page).expect("read the page") == first);
    let second_modified = std::fs::metadata(&page)
        .and_then(|metadata| metadata.modified())
        .expect("modification time");
    assert_eq!(second_modified, first_modified);
}

#[test]
fn check_update_writes_report() {
    let folder = TempDir::new().expect("temporary folder");
    let page = write_page(folder.path(), &format!("{START}\n{END}\n"));
    let output = dockgrade()
        .args([
            "check",
            "--today",
            TODAY,
            "examples/fleet/orders-api",
            "--update",
        ])
        .arg(&page)
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let after = std::fs::read_to_string(&page).expect("read the page");
    assert!(after.contains("orders-api"), "{after}");
}

#[test]
fn merge_update_writes_report() {
    let folder = TempDir::new().expect("temporary folder");
    let shard = folder.path().join("shard.json");
    let scan = dockgrade()
        .args([
            "scan", "--today", TODAY, "--format", "json", "--shard", "1/1", "--output",
        ])
        .arg(&shard)
        .output()
        .expect("dockgrade runs");
    assert_eq!(scan.status.code(), Some(0), "{}", stderr_of(&scan));
    let page = write_page(folder.path(), &format!("{START}\n{END}\n"));

    let output = dockgrade()
        .arg("merge")
        .arg(&shard)
        .arg("--update")
        .arg(&page)
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let after = std::fs::read_to_string(&page).expect("read the page");
    assert_eq!(after, format!("{START}\n{}{END}\n", markdown_report()));
}

#[test]
fn update_still_applies_fail_under() {
    let folder = TempDir::new().expect("temporary folder");
    let page = write_page(folder.path(), &format!("{START}\n{END}\n"));
    let output = scan_update(&page, &["--fail-under", "A"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let after = std::fs::read_to_string(&page).expect("read the page");
    assert!(after.contains("orders-api"), "the page was not updated");
}

#[test]
fn update_with_json_format_is_usage_error() {
    let folder = TempDir::new().expect("temporary folder");
    let text = format!("{START}\n{END}\n");
    let page = write_page(folder.path(), &text);
    let output = scan_update(&page, &["--format", "json"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot be used with --format json"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&page).expect("read the page"), text);
}

#[test]
fn update_with_output_is_usage_error() {
    let folder = TempDir::new().expect("temporary folder");
    let text = format!("{START}\n{END}\n");
    let page = write_page(folder.path(), &text);
    let report = folder.path().join("report.md");
    let output = dockgrade()
        .args(["scan", "--today", TODAY, "--output"])
        .arg(&report)
        .arg("--update")
        .arg(&page)
        .output()
        .expect("dockgrade runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--output"), "{stderr}");
    assert!(!report.exists());
    assert_eq!(std::fs::read_to_string(&page).expect("read the page"), text);
}

#[test]
fn update_missing_file_names_fix() {
    let folder = TempDir::new().expect("temporary folder");
    let page = folder.path().join("absent.md");
    let output = scan_update(&page, &[]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("absent.md: the file does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains(START), "{stderr}");
    assert!(!page.exists(), "the file was created");
}

#[test]
fn update_bad_markers_name_lines() {
    let folder = TempDir::new().expect("temporary folder");
    let cases = [
        (
            format!("{END}\n{START}\n"),
            "the end marker on line 1 comes before the start marker on line 2",
        ),
        (
            format!("{START}\n{START}\n{END}\n"),
            "appears on lines 1, 2",
        ),
        (format!("{START}\n{END}\n{END}\n"), "appears on lines 2, 3"),
        (format!("x\n{START}\n"), "line 2 has the start marker"),
        ("# Fleet\n".to_string(), "no marker lines"),
        (format!("```\n{START}\n{END}\n```\n"), "no marker lines"),
    ];
    for (text, message) in cases {
        let page = write_page(folder.path(), &text);
        let output = scan_update(&page, &[]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{text:?}: {stderr}");
        assert!(stderr.contains("fleet.md"), "{text:?}: {stderr}");
        assert!(stderr.contains(message), "{text:?}: {stderr}");
        assert!(stderr.contains("help: "), "{text:?}: {stderr}");
        assert_eq!(std::fs::read_to_string(&page).expect("read the page"), text);
    }
}

#[test]
fn update_with_shard_is_usage_error() {
    let folder = TempDir::new().expect("temporary folder");
    let text = format!("{START}\n{END}\n");
    let page = write_page(folder.path(), &text);
    let output = scan_update(&page, &["--shard", "1/4"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--update cannot be used with --shard"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: merge the shards' JSON reports, then --update"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&page).expect("read the page"), text);
}

#[test]
fn update_folder_is_usage_error() {
    let folder = TempDir::new().expect("temporary folder");
    let target = folder.path().join("adir");
    std::fs::create_dir(&target).expect("create a folder");
    let output = scan_update(&target, &[]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("adir: it is a folder"), "{stderr}");
    assert!(
        stderr.contains("--update needs a Markdown file"),
        "{stderr}"
    );
}

/// The page is checked before anything is graded: with a repos.toml that does not exist, the
/// error is still about the page.
#[test]
fn update_target_is_checked_before_grading() {
    let folder = TempDir::new().expect("temporary folder");
    let page = write_page(folder.path(), "# Fleet\n\nno markers here\n");
    let output = dockgrade()
        .args(["scan", "--config"])
        .arg(folder.path().join("missing-repos.toml"))
        .arg("--update")
        .arg(&page)
        .output()
        .expect("dockgrade runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("fleet.md"), "{stderr}");
    assert!(!stderr.contains("missing-repos.toml"), "{stderr}");
}

/// `--shard` with `--update` is rejected whatever the page is, even one that does not exist.
#[test]
fn update_with_shard_rejected_before_page() {
    let folder = TempDir::new().expect("temporary folder");
    let output = scan_update(&folder.path().join("missing.md"), &["--shard", "1/4"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--update cannot be used with --shard"),
        "{stderr}"
    );
}
