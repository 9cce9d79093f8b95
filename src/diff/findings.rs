//! Matching the findings of one control, blocker or group between two runs, so that a finding
//! whose instruction moved to another line is not reported as one new and one fixed.
//!
//! Findings are paired in two passes:
//!
//! 1. Identical findings (every field equal) are paired first.
//! 2. The rest are paired by their identity: finding id, outcome, subject, path, and the
//!    quoted line.
//!    The line number and the message are left out, because both change when lines above the
//!    instruction are added or removed, and messages may name line numbers. The outcome stays
//!    in, so a finding that turns from review to fail is listed as new. A finding without a
//!    quote (one about a whole file, or a file that could not be read) has only its line number
//!    to tell it apart, so its identity includes the line instead.
//!
//! Within one identity, the remaining findings are paired in file order, so when a repeated line
//! (the same quote twice in one file) loses one copy, the later one is reported as fixed.
//! Findings of outcome `pass` are evidence that a control is met, not problems, so they are
//! never listed as new or fixed: a change in them shows as a verdict change.

use super::FindingChanges;
use crate::finding::{Finding, Outcome};
use std::collections::BTreeMap;

/// The part of a finding that survives line shifts, as described in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Identity<'a> {
    id: &'a str,
    outcome: Outcome,
    subject: &'a str,
    path: &'a str,
    quote: &'a str,
    /// The line number, only for findings without a quote; 0 otherwise.
    line: usize,
}

impl<'a> Identity<'a> {
    fn of(finding: &'a Finding) -> Self {
        Identity {
            id: &finding.id,
            outcome: finding.outcome,
            subject: &finding.subject,
            path: &finding.path,
            quote: &finding.quote,
            line: if finding.quote.is_empty() {
                finding.line
            } else {
                0
            },
        }
    }
}

/// Compares the findings of one control, blocker or group: the `new` list holds findings of
/// `after` that match none of `before`, and `fixed` the findings of `before` that match none of
/// `after`. Both lists are sorted by path, line, id, subject and message.
pub fn compare_findings(before: &[Finding], after: &[Finding]) -> FindingChanges {
    let mut old: Vec<&Finding> = problems(before);
    let mut new: Vec<&Finding> = problems(after);

    // Pass 1: identical findings.
    new.retain(
        |finding| match old.iter().position(|candidate| *candidate == *finding) {
            Some(index) => {
                old.remove(index);
                false
            }
            None => true,
        },
    );

    // Pass 2: the same identity, paired in file order.
    let mut unmatched_old: BTreeMap<Identity, Vec<&Finding>> = BTreeMap::new();
    for finding in old {
        unmatched_old
            .entry(Identity::of(finding))
            .or_default()
            .push(finding);
    }
    let mut added = Vec::new();
    for finding in new {
        let candidates = unmatched_old.entry(Identity::of(finding)).or_default();
        if candidates.is_empty() {
            added.push(finding.clone());
        } else {
            candidates.remove(0);
        }
    }
    let fixed: Vec<Finding> = unmatched_old.into_values().flatten().cloned().collect();

    FindingChanges {
        new: sorted(added),
        fixed: sorted(fixed),
    }
}

/// Returns the findings that are not pass evidence, in file order.
fn problems(findings: &[Finding]) -> Vec<&Finding> {
    let mut problems: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.outcome != Outcome::Pass)
        .collect();
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems
}

fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, line: usize, quote: &str, message: &str) -> Finding {
        Finding {
            id: id.to_string(),
            outcome: Outcome::Fail,
            subject: "Dockerfile (stage runtime)".to_string(),
            path: "Dockerfile".to_string(),
            line,
            quote: quote.to_string(),
            message: message.to_string(),
            fix: String::new(),
        }
    }

    #[test]
    fn line_shift_matches_by_quote() {
        let before = [finding("pinned-digest", 3, "FROM alpine", "not pinned")];
        let after = [finding("pinned-digest", 5, "FROM alpine", "not pinned")];
        let changes = compare_findings(&before, &after);
        assert!(changes.new.is_empty(), "{changes:?}");
        assert!(changes.fixed.is_empty(), "{changes:?}");
    }

    #[test]
    fn line_shift_ignores_message_with_line_number() {
        let before = [finding("non-root", 3, "USER root", "USER root at line 3")];
        let after = [finding("non-root", 9, "USER root", "USER root at line 9")];
        assert!(compare_findings(&before, &after).is_empty());
    }

    #[test]
    fn changed_quote_is_new_and_fixed() {
        let before = [finding("pinned-digest", 3, "FROM alpine", "not pinned")];
        let after = [finding("pinned-digest", 3, "FROM debian", "not pinned")];
        let changes = compare_findings(&before, &after);
        assert_eq!(changes.new, vec![after[0].clone()]);
        assert_eq!(changes.fixed, vec![before[0].clone()]);
    }

    #[test]
    fn finding_without_quote_matches_by_line() {
        let before = [finding("parse-error", 0, "", "not UTF-8")];
        let same = [finding("parse-error", 0, "", "not UTF-8 either")];
        assert!(compare_findings(&before, &same).is_empty());

        let moved = [finding("parse-error", 4, "", "not UTF-8")];
        let changes = compare_findings(&before, &moved);
        assert_eq!(changes.new, vec![moved[0].clone()]);
        assert_eq!(changes.fixed, vec![before[0].clone()]);
    }

    #[test]
    fn repeated_quote_loses_later_copy() {
        let before = [
            finding("pinned-digest", 1, "FROM alpine", "not pinned"),
            finding("pinned-digest", 8, "FROM alpine", "not pinned"),
        ];
        let after = [finding("pinned-digest", 3, "FROM alpine", "not pinned")];
        let changes = compare_findings(&before, &after);
        assert!(changes.new.is_empty(), "{changes:?}");
        assert_eq!(changes.fixed, vec![before[1].clone()]);
    }

    #[test]
    fn identical_finding_is_paired_before_shifted_one() {
        // The copy at line 8 stays where it was, so the one at line 1 is the one removed.
        let before = [
            finding("pinned-digest", 1, "FROM alpine", "not pinned"),
            finding("pinned-digest", 8, "FROM alpine", "not pinned"),
        ];
        let after = [finding("pinned-digest", 8, "FROM alpine", "not pinned")];
        let changes = compare_findings(&before, &after);
        assert!(changes.new.is_empty(), "{changes:?}");
        assert_eq!(changes.fixed, vec![before[0].clone()]);
    }

    #[test]
    fn outcome_change_is_new_and_fixed() {
        let mut review = finding("non-root", 4, "USER ${APP_USER}", "no default");
        review.outcome = Outcome::Review;
        let fail = finding("non-root", 4, "USER ${APP_USER}", "no default");
        let changes = compare_findings(std::slice::from_ref(&review), std::slice::from_ref(&fail));
        assert_eq!(changes.new, vec![fail]);
        assert_eq!(changes.fixed, vec![review]);
    }

    #[test]
    fn pass_evidence_is_not_listed() {
        let mut evidence = finding("non-root", 9, "USER 1001", "runs as 1001");
        evidence.outcome = Outcome::Pass;
        assert!(compare_findings(&[], std::slice::from_ref(&evidence)).is_empty());
        assert!(compare_findings(&[evidence], &[]).is_empty());
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let a = finding("pinned-digest", 1, "FROM alpine", "not pinned");
        let b = finding("pinned-digest", 2, "FROM debian", "not pinned");
        let c = finding("healthcheck", 9, "CMD run", "no healthcheck");
        let changes =
            compare_findings(std::slice::from_ref(&a), &[c.clone(), b.clone(), a.clone()]);
        assert_eq!(changes.new, vec![b, c]);
        assert!(changes.fixed.is_empty());
    }
}
