//! Snapshot and property tests of the JSON report.

mod common;

use dockgrade::report::{render, Format};
use dockgrade::scorecard::Scorecard;

fn json() -> String {
    render(&common::sample_scorecard(), Format::Json).expect("the sample serializes")
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(json());
}

#[test]
fn json_is_deterministic() {
    assert_eq!(json().as_bytes(), json().as_bytes());
}

#[test]
fn json_ends_with_one_newline() {
    let text = json();
    assert!(
        text.ends_with("}\n"),
        "ends with {:?}",
        &text[text.len() - 3..]
    );
}

#[test]
fn json_round_trips_to_the_same_scorecard() {
    let parsed: Scorecard = serde_json::from_str(&json()).expect("the report parses back");
    assert_eq!(parsed, common::sample_scorecard());
}
