//! SCORECARD.md, the example knowledge-base page that the scheduled workflow refreshes, contains
//! the current example fleet report: refreshing a copy of it with `scan --update` changes no
//! byte. When a change to the report fails this test, refresh the page with
//! `cargo run -- scan --update SCORECARD.md` and commit it with that change.

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::Path;

#[test]
fn scorecard_page_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = root.join("SCORECARD.md");
    let committed = std::fs::read(&page).expect("SCORECARD.md is readable");
    let folder = tempfile::TempDir::new().expect("a temporary folder");
    let copy = folder.path().join("SCORECARD.md");
    std::fs::write(&copy, &committed).expect("copy SCORECARD.md");

    // The fleet's waivers expire in 2024 and 2099, so any date in between gives the same page.
    let output = cargo_bin_cmd!("dockgrade")
        .current_dir(root)
        .args(["scan", "--today", "2026-06-01", "--update"])
        .arg(&copy)
        .output()
        .expect("dockgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let refreshed = std::fs::read(&copy).expect("the copy is readable");
    assert!(
        refreshed == committed,
        "SCORECARD.md is out of date; run `cargo run -- scan --update SCORECARD.md`"
    );
}
