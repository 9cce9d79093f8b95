//! Snapshot tests of `dockgrade explain` text.

use dockgrade::controls::lookup;
use dockgrade::report::render_explain;

fn explain(id: &str) -> String {
    let info = lookup(id).unwrap_or_else(|| panic!("no metadata for {id}"));
    render_explain(info)
}

#[test]
fn explain_control_snapshot() {
    insta::assert_snapshot!(explain("non-root"));
}

#[test]
fn explain_blocker_snapshot() {
    insta::assert_snapshot!(explain("docker-socket"));
}

#[test]
fn explain_advisory_snapshot() {
    insta::assert_snapshot!(explain("no-new-privileges"));
}

#[test]
fn explain_parse_error_has_no_related_control() {
    assert!(explain("parse-error").starts_with("parse-error: File does not parse (finding)\n"));
}
