//! The example fleet's HTML report in headless Chromium, through tests/browser/report.mjs:
//! matrix cells, sorting, filtering, details, the page without JavaScript and in print.
//!
//! It needs Debian's chromium at /usr/bin/chromium, node, and `npm ci` in tests/browser. When
//! one is missing the test fails if the environment variable CI is set, and otherwise prints
//! a skip line that names the setup command.

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

const CHROMIUM: &str = "/usr/bin/chromium";
const SETUP: &str =
    "apt-get install -y chromium fonts-noto-color-emoji && (cd tests/browser && npm ci)";

/// Returns what is missing to run the browser test, if anything.
fn missing_prerequisite(browser_dir: &Path) -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} not found"));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|output| output.status.success()) {
        return Some("node not found on PATH".to_string());
    }
    if !browser_dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Some("tests/browser/node_modules has no playwright-core".to_string());
    }
    None
}

#[test]
fn fleet_report_works_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    if let Some(missing) = missing_prerequisite(&browser_dir) {
        if std::env::var_os("CI").is_some() {
            panic!("the browser test cannot run in CI: {missing}; set it up with: {SETUP}");
        }
        // Written to the stderr handle rather than with eprintln!, which the test harness
        // captures and shows only for failing tests.
        let line =
            format!("skipped fleet_report_works_in_chromium: {missing}; set it up with: {SETUP}\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
        return;
    }

    let folder = tempfile::TempDir::new().expect("a temporary folder");
    let report = folder.path().join("fleet.html");
    let screenshot = folder.path().join("fleet.png");
    // The date lies after the expired non-root waiver (2024-01-01) and before the others.
    Command::cargo_bin("dockgrade")
        .expect("binary is built")
        .current_dir(root)
        .args([
            "scan",
            "--format",
            "html",
            "--today",
            "2026-01-01",
            "--output",
        ])
        .arg(&report)
        .assert()
        .code(0);

    let output = std::process::Command::new("node")
        .arg(browser_dir.join("report.mjs"))
        .arg(&report)
        .arg(&screenshot)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the browser checks failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" passed, 0 failed") && !summary.starts_with("0 "),
        "unexpected summary {summary:?}"
    );
    let size = std::fs::metadata(&screenshot).map_or(0, |metadata| metadata.len());
    assert!(size > 10_000, "the screenshot has {size} bytes");
}
