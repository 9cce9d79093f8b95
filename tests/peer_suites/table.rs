//! The table of expected verdicts for the peer inputs, stored in `expectations.tsv` beside this
//! file, and the helpers that compare it with a report.

use crate::support::finding_ids;
use dockgrade::controls::{lookup, Info};
use dockgrade::scorecard::RepoReport;
use std::path::{Path, PathBuf};

/// One row of the table: what a peer tool expects of one input, and the verdict dockgrade must
/// give.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line of the row in the table file, for messages.
    pub line: usize,
    /// Path of the input relative to the peer-tests folder.
    pub input: String,
    pub peer: String,
    pub rule: String,
    /// `fires`, `silent`, or the number of results the peer's test expects (`0`, `1`, `>=1`).
    pub peer_expects: String,
    /// A control, blocker or advisory id.
    pub check: String,
    /// A verdict for a control, or `present`/`absent` for a blocker or advisory.
    pub expected: String,
    /// Why dockgrade's rules judge the input differently from the peer; empty when both agree.
    pub reason: String,
}

impl Row {
    /// Returns a short label for messages, such as `hadolint DL3002 expects fires`.
    pub fn peer_label(&self) -> String {
        format!("{} {} expects {}", self.peer, self.rule, self.peer_expects)
    }
}

/// What kind of id a table row checks, which decides how its verdict is read from a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    Control,
    Blocker,
    /// An advisory or another finding id, such as `no-new-privileges`.
    Finding,
}

/// Returns the kind of a dockgrade id, or `None` when dockgrade does not know the id.
pub fn check_kind(id: &str) -> Option<CheckKind> {
    match lookup(id)? {
        Info::Control(_) => Some(CheckKind::Control),
        Info::Blocker(_) => Some(CheckKind::Blocker),
        Info::Finding(_) => Some(CheckKind::Finding),
    }
}

/// Returns the path of the table file.
pub fn table_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peer_suites/expectations.tsv")
}

/// Reads every row of the table. Lines starting with `#` are comments, and the first other line
/// is the header.
///
/// Panics with the line number when a row does not have six or seven tab-separated fields.
pub fn read_rows() -> Vec<Row> {
    let path = table_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert!(
            fields.len() == 6 || fields.len() == 7,
            "{}:{}: expected 6 or 7 tab-separated fields, found {}",
            path.display(),
            index + 1,
            fields.len()
        );
        rows.push(Row {
            line: index + 1,
            input: fields[0].to_string(),
            peer: fields[1].to_string(),
            rule: fields[2].to_string(),
            peer_expects: fields[3].to_string(),
            check: fields[4].to_string(),
            expected: fields[5].to_string(),
            reason: fields.get(6).unwrap_or(&"").to_string(),
        });
    }
    rows
}

/// Tells whether the peer's test wants its rule to report the input, or returns `None` when the
/// value is not `fires`, `silent`, `>=1` or a count.
pub fn peer_reports(peer_expects: &str) -> Option<bool> {
    match peer_expects {
        "fires" | ">=1" => Some(true),
        "silent" => Some(false),
        count => count.parse::<u32>().ok().map(|count| count > 0),
    }
}

/// Tells whether an expected verdict reports a problem (`fail`, `present`) or not (`pass`,
/// `absent`, `n/a`). Returns `None` for `review`, which neither confirms nor clears the input.
pub fn dockgrade_reports(expected: &str) -> Option<bool> {
    match expected {
        "fail" | "present" => Some(true),
        "pass" | "absent" | "n/a" => Some(false),
        _ => None,
    }
}

/// Tells whether an expected value is valid for a check of the given kind.
pub fn is_valid_expected(kind: CheckKind, expected: &str) -> bool {
    match kind {
        CheckKind::Control => ["pass", "fail", "review", "n/a"].contains(&expected),
        CheckKind::Blocker | CheckKind::Finding => ["present", "absent"].contains(&expected),
    }
}

/// Returns dockgrade's verdict for a check in the table's words: the control's verdict, or
/// `present`/`absent` for a blocker or advisory.
pub fn actual_verdict(report: &RepoReport, check: &str, kind: CheckKind) -> String {
    let present = match kind {
        CheckKind::Control => {
            return report
                .controls
                .get(check)
                .map(|result| result.verdict.as_str().to_string())
                .unwrap_or_else(|| "(no verdict)".to_string());
        }
        CheckKind::Blocker => report.blockers.iter().any(|blocker| blocker.id == check),
        CheckKind::Finding => finding_ids(report).contains(check),
    };
    if present { "present" } else { "absent" }.to_string()
}

/// Lists the findings behind a check as `line: message` strings, so that a mismatch shows its
/// evidence.
pub fn evidence(report: &RepoReport, check: &str) -> Vec<String> {
    let control_findings = report
        .controls
        .values()
        .flat_map(|result| result.findings.iter());
    let blocker_findings = report
        .blockers
        .iter()
        .flat_map(|blocker| blocker.findings.iter());
    control_findings
        .chain(blocker_findings)
        .chain(report.findings.iter())
        .filter(|finding| finding.id == check)
        .map(|finding| format!("{}:{}: {}", finding.path, finding.line, finding.message))
        .collect()
}
