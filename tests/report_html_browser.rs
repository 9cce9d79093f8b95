//! The example fleet's HTML report in headless Chromium, through tests/browser/report.mjs:
//! matrix cells, sorting, filtering, details, the page without JavaScript and in print. A second
//! report, with a 140-character repository name, checks that the matrix still fits the window.
//!
//! It needs Debian's chromium at /usr/bin/chromium, node, and `npm ci` in tests/browser, which
//! `scripts/setup` installs. When one is missing the test fails if the environment variable CI
//! is set, and otherwise prints a skip line that names the setup command.

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

const CHROMIUM: &str = "/usr/bin/chromium";
const SETUP: &str = "bash scripts/setup --tests-only";

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

/// Writes the HTML report of two example repositories, in the scorecard's order. The first has
/// the longest OWNER/NAME that GitHub allows, 39 + 1 + 100 characters, without a hyphen; the
/// second starts in lower case.
fn write_long_names_report(root: &Path, folder: &Path, report: &Path) {
    let long_name = format!(
        "CybercentreCanada{}/assemblyline{}",
        "x".repeat(22),
        "v".repeat(88)
    );
    assert_eq!(long_name.len(), 140);
    let fleet = root.join("examples/fleet");
    let config = format!(
        "[[repo]]\nname = \"{long_name}\"\npath = {:?}\n\n[[repo]]\nname = \"astral-sh/uv\"\npath = {:?}\n",
        fleet.join("legacy-billing").display().to_string(),
        fleet.join("orders-api").display().to_string(),
    );
    let config_path = folder.join("long-names.toml");
    std::fs::write(&config_path, config).expect("the config is written");
    Command::cargo_bin("dockgrade")
        .expect("binary is built")
        .args([
            "scan",
            "--format",
            "html",
            "--today",
            "2026-01-01",
            "--config",
        ])
        .arg(&config_path)
        .arg("--output")
        .arg(report)
        .assert()
        .code(0);
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

    let long_names = folder.path().join("long-names.html");
    write_long_names_report(root, folder.path(), &long_names);

    let output = std::process::Command::new("node")
        .arg(browser_dir.join("report.mjs"))
        .arg(&report)
        .arg(&screenshot)
        .arg(&long_names)
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
