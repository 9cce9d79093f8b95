//! docs/controls.md must be exactly what the control metadata renders.
//!
//! Run `UPDATE_DOCS=1 cargo test --test docs` to rewrite the file from the metadata.

use std::path::PathBuf;

fn controls_doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/controls.md")
}

/// Returns the 1-based number of the first line where the texts differ, with both lines.
fn first_difference(actual: &str, expected: &str) -> (usize, String, String) {
    let mut actual_lines = actual.lines();
    let mut expected_lines = expected.lines();
    let mut number = 1;
    loop {
        match (actual_lines.next(), expected_lines.next()) {
            (Some(a), Some(e)) if a == e => number += 1,
            (a, e) => {
                let show = |line: Option<&str>| {
                    line.map_or("<end of file>".to_string(), |l| format!("{l:?}"))
                };
                return (number, show(a), show(e));
            }
        }
    }
}

#[test]
fn controls_doc_matches_metadata() {
    let expected = dockgrade::report::render_controls_doc();
    let path = controls_doc_path();

    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected)
            .unwrap_or_else(|error| panic!("failed to write {}: {error}", path.display()));
        return;
    }

    let actual = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "failed to read {}: {error}; create it with `UPDATE_DOCS=1 cargo test --test docs`",
            path.display()
        )
    });
    if actual != expected {
        let (line, found, rendered) = first_difference(&actual, &expected);
        panic!(
            "docs/controls.md differs from the control metadata at line {line}:\n  \
             file:     {found}\n  rendered: {rendered}\n\
             Regenerate it with `UPDATE_DOCS=1 cargo test --test docs`."
        );
    }
}

#[test]
fn controls_doc_renders_deterministically() {
    assert_eq!(
        dockgrade::report::render_controls_doc(),
        dockgrade::report::render_controls_doc()
    );
}
