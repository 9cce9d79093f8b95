//! Unit tests of `compare` on hand-built scorecards: one test per kind of change.

use super::*;
use crate::finding::Outcome;
use crate::scorecard::{AppliedWaiver, BlockerResult, ControlResult};
use std::collections::BTreeMap;

fn finding(id: &str, outcome: Outcome, line: usize, quote: &str) -> Finding {
    Finding {
        id: id.to_string(),
        outcome,
        subject: "Dockerfile (stage runtime)".to_string(),
        path: "Dockerfile".to_string(),
        line,
        quote: quote.to_string(),
        message: format!("{id} at line {line}"),
        fix: String::new(),
    }
}

fn control(verdict: Verdict, findings: Vec<Finding>) -> ControlResult {
    ControlResult {
        verdict,
        findings,
        waiver: None,
    }
}

fn waiver(original: Verdict) -> AppliedWaiver {
    AppliedWaiver {
        reason: "The mesh sidecar probes /healthz.".to_string(),
        expires: "2099-12-31".to_string(),
        original,
    }
}

fn blocker(id: &str, waived: bool, findings: Vec<Finding>) -> BlockerResult {
    BlockerResult {
        id: id.to_string(),
        findings,
        waiver: waived.then(|| waiver(Verdict::Fail)),
    }
}

fn waiver_report(id: &str, status: &str) -> WaiverReport {
    WaiverReport {
        id: id.to_string(),
        reason: "Runs as root until the base image moves.".to_string(),
        expires: "2026-01-01".to_string(),
        status: status.to_string(),
    }
}

/// Builds a repository graded B: non-root fails on `USER root` at line 5, six controls pass.
fn repo(name: &str) -> RepoReport {
    let mut controls = BTreeMap::new();
    for info in CONTROLS {
        controls.insert(info.id.to_string(), control(Verdict::Pass, Vec::new()));
    }
    controls.insert(
        "non-root".to_string(),
        control(
            Verdict::Fail,
            vec![finding("non-root", Outcome::Fail, 5, "USER root")],
        ),
    );
    RepoReport {
        name: name.to_string(),
        source: format!("examples/{name}"),
        commit: None,
        web_url: None,
        grade: "B".to_string(),
        score: Some(Score {
            passed: 6,
            applicable: 7,
        }),
        notes: Vec::new(),
        controls,
        blockers: Vec::new(),
        findings: Vec::new(),
        subjects: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        waivers: Vec::new(),
    }
}

fn card(repos: Vec<RepoReport>) -> Scorecard {
    Scorecard::new(repos)
}

/// Compares one repository before and after `change`, and returns its diff.
fn diff_of(change: impl FnOnce(&mut RepoReport)) -> ScorecardDiff {
    let old = repo("api");
    let mut new = old.clone();
    change(&mut new);
    compare(&card(vec![old]), &card(vec![new]))
}

fn only_repo(diff: &ScorecardDiff) -> &RepoDiff {
    assert_eq!(diff.changed.len(), 1, "{diff:#?}");
    &diff.changed[0]
}

#[test]
fn same_scorecard_has_no_changes() {
    let scorecard = card(vec![repo("api"), repo("web")]);
    let diff = compare(&scorecard, &scorecard);
    assert!(!diff.has_changes());
    assert!(!diff.is_worse());
    assert!(diff.changed.is_empty());
    assert_eq!(diff.unchanged, 2);
}

#[test]
fn reordered_repositories_have_no_changes() {
    let diff = compare(
        &card(vec![repo("api"), repo("web")]),
        &card(vec![repo("web"), repo("api")]),
    );
    assert!(!diff.has_changes(), "{diff:#?}");
    assert_eq!(diff.unchanged, 2);
}

#[test]
fn new_commit_alone_is_no_change() {
    let diff = diff_of(|repo| repo.commit = Some("0123abcd".to_string()));
    assert!(!diff.has_changes(), "{diff:#?}");
}

#[test]
fn reordered_findings_are_no_change() {
    let old = repo("api");
    let mut new = old.clone();
    let extra = finding("pinned-digest", Outcome::Fail, 1, "FROM alpine");
    let other = finding("pinned-digest", Outcome::Fail, 9, "FROM debian");
    let mut old = old;
    old.controls.get_mut("pinned-digest").unwrap().findings = vec![extra.clone(), other.clone()];
    new.controls.get_mut("pinned-digest").unwrap().findings = vec![other, extra];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    assert!(!diff.has_changes(), "{diff:#?}");
}

#[test]
fn added_and_removed_repositories_are_listed_sorted() {
    let diff = compare(
        &card(vec![repo("web"), repo("api"), repo("old")]),
        &card(vec![repo("zeta"), repo("api"), repo("beta")]),
    );
    let names = |list: &[RepoSummary]| -> Vec<String> {
        list.iter().map(|repo| repo.name.clone()).collect()
    };
    assert_eq!(names(&diff.added), ["beta", "zeta"]);
    assert_eq!(names(&diff.removed), ["old", "web"]);
    assert_eq!(diff.unchanged, 1);
    assert!(diff.has_changes());
    assert!(!diff.is_worse(), "{:?}", diff.worsenings());
}

#[test]
fn moved_repository_pairs_by_unique_name() {
    let mut moved = repo("api");
    moved.source = "services/api".to_string();
    let diff = compare(&card(vec![repo("api")]), &card(vec![moved]));
    assert!(diff.added.is_empty(), "{diff:#?}");
    assert!(diff.removed.is_empty(), "{diff:#?}");
    let changed = only_repo(&diff);
    assert_eq!(changed.source, "services/api");
    assert_eq!(changed.old_source.as_deref(), Some("examples/api"));
    assert!(changed.controls.is_empty(), "{changed:#?}");
}

#[test]
fn repeated_name_does_not_pair_across_sources() {
    let mut moved = repo("api");
    moved.source = "services/api".to_string();
    let mut other = repo("api");
    other.source = "tools/api".to_string();
    let diff = compare(&card(vec![repo("api")]), &card(vec![moved, other]));
    assert_eq!(diff.added.len(), 2, "{diff:#?}");
    assert_eq!(diff.removed.len(), 1, "{diff:#?}");
    assert_eq!(diff.removed[0].source, "examples/api");
}

#[test]
fn moved_to_missing_folder_is_worse() {
    let mut gone = unreadable("api", "repository folder services/api not found");
    gone.source = "services/api".to_string();
    let diff = compare(&card(vec![repo("api")]), &card(vec![gone]));
    let changed = only_repo(&diff);
    assert_eq!(changed.reading, Reading::BecameUnreadable);
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::NewError {
            repo: "api".to_string(),
            message: "repository folder services/api not found".to_string()
        }]
    );
}

/// Builds the row of a repository that could not be read, as the scan writes it.
fn unreadable(name: &str, message: &str) -> RepoReport {
    let mut report =
        crate::pipeline::error_report(name, &format!("examples/{name}"), message.to_string());
    report.commit = None;
    report
}

#[test]
fn unreadable_repository_has_no_fixed_findings() {
    let before = repo("api");
    let after = unreadable("api", "repository path examples/api is not a folder");
    let diff = compare(&card(vec![before]), &card(vec![after.clone()]));
    let changed = only_repo(&diff);
    assert_eq!(changed.reading, Reading::BecameUnreadable);
    assert!(changed.controls.is_empty(), "{changed:#?}");
    assert!(changed.blockers.is_empty(), "{changed:#?}");
    assert!(changed.other_findings.is_empty(), "{changed:#?}");
    assert_eq!(changed.new_errors, after.errors);
    assert_eq!(changed.new_grade.grade, "error");
    assert!(diff.is_worse());
}

#[test]
fn readable_again_has_no_new_findings() {
    let before = unreadable("api", "repository folder examples/api not found");
    let diff = compare(&card(vec![before.clone()]), &card(vec![repo("api")]));
    let changed = only_repo(&diff);
    assert_eq!(changed.reading, Reading::BecameReadable);
    assert!(changed.controls.is_empty(), "{changed:#?}");
    assert!(changed.other_findings.is_empty(), "{changed:#?}");
    assert_eq!(changed.resolved_errors, before.errors);
    assert!(!diff.is_worse(), "{:?}", diff.worsenings());
}

#[test]
fn unreadable_twice_is_no_change() {
    let before = unreadable("api", "repository folder examples/api not found");
    let diff = compare(&card(vec![before.clone()]), &card(vec![before]));
    assert!(!diff.has_changes(), "{diff:#?}");
}

#[test]
fn added_unreadable_repository_is_worse() {
    let added = unreadable("web", "repository folder examples/web not found");
    let diff = compare(&card(vec![repo("api")]), &card(vec![repo("api"), added]));
    assert_eq!(diff.added.len(), 1);
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::NewError {
            repo: "web".to_string(),
            message: "repository folder examples/web not found".to_string()
        }]
    );
}

#[test]
fn worsenings_of_added_and_changed_follow_names() {
    let added = unreadable("api", "repository folder examples/api not found");
    let mut worse_web = repo("web");
    worse_web.grade = "C".to_string();
    let diff = compare(&card(vec![repo("web")]), &card(vec![worse_web, added]));
    let repos: Vec<String> = diff
        .worsenings()
        .iter()
        .map(|worsening| worsening.to_string())
        .collect();
    assert_eq!(
        repos,
        [
            "api: error: repository folder examples/api not found",
            "web: grade B → C"
        ]
    );
}

#[test]
fn partly_read_file_findings_are_not_fixed() {
    let old = repo("api");
    let mut new = repo("api");
    new.controls.get_mut("non-root").unwrap().findings.clear();
    new.errors = vec![RepoError {
        path: Some("Dockerfile".to_string()),
        message: "not valid UTF-8".to_string(),
    }];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let changed = only_repo(&diff);
    assert_eq!(changed.reading, Reading::Graded);
    assert!(changed.controls.is_empty(), "{changed:#?}");
    assert_eq!(changed.new_errors.len(), 1);
}

#[test]
fn partly_read_folder_findings_are_not_new() {
    let mut old = repo("api");
    old.errors = vec![RepoError {
        path: Some("deploy/".to_string()),
        message: "cannot list the folder".to_string(),
    }];
    let mut new = repo("api");
    let mut hidden = finding("pinned-digest", Outcome::Fail, 1, "FROM alpine");
    hidden.path = "deploy/Dockerfile".to_string();
    let mut seen = finding("pinned-digest", Outcome::Fail, 1, "FROM debian");
    seen.path = "deployment/Dockerfile".to_string();
    new.controls.get_mut("pinned-digest").unwrap().findings = vec![hidden, seen.clone()];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let changed = only_repo(&diff);
    assert_eq!(changed.controls.len(), 1, "{changed:#?}");
    assert_eq!(changed.controls[0].findings.new, vec![seen]);
}

#[test]
fn error_without_path_leaves_findings_compared() {
    let old = repo("api");
    let mut new = repo("api");
    new.controls.get_mut("non-root").unwrap().findings.clear();
    new.errors = vec![RepoError {
        path: None,
        message: "the clone stopped early".to_string(),
    }];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let changed = only_repo(&diff);
    assert_eq!(changed.controls.len(), 1, "{changed:#?}");
    assert_eq!(changed.controls[0].findings.fixed.len(), 1);
}

#[test]
fn duplicate_repositories_pair_in_order() {
    let second = repo("api");
    let diff = compare(&card(vec![repo("api")]), &card(vec![repo("api"), second]));
    assert_eq!(diff.unchanged, 1);
    assert_eq!(diff.added.len(), 1);
    assert!(diff.removed.is_empty());
}

#[test]
fn grade_down_is_worse() {
    let diff = diff_of(|repo| {
        repo.grade = "C".to_string();
        repo.score = Some(Score {
            passed: 4,
            applicable: 7,
        });
    });
    let changed = only_repo(&diff);
    assert!(changed.grade_changed());
    assert_eq!(changed.old_grade.grade, "B");
    assert_eq!(changed.new_grade.grade, "C");
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::GradeDown {
            repo: "api".to_string(),
            old: "B".to_string(),
            new: "C".to_string()
        }]
    );
}

#[test]
fn grade_up_is_not_worse() {
    let diff = diff_of(|repo| repo.grade = "A".to_string());
    assert!(diff.has_changes());
    assert!(!diff.is_worse());
}

#[test]
fn grade_to_dash_or_error_not_worse() {
    for grade in ["—", "error"] {
        let diff = diff_of(|repo| repo.grade = grade.to_string());
        assert!(only_repo(&diff).grade_changed());
        assert!(!diff.is_worse(), "{grade}: {:?}", diff.worsenings());
    }
}

#[test]
fn score_change_is_grade_change() {
    let diff = diff_of(|repo| {
        repo.score = Some(Score {
            passed: 5,
            applicable: 6,
        })
    });
    assert!(only_repo(&diff).grade_changed());
    assert!(!diff.is_worse());
}

#[test]
fn control_to_fail_is_worse() {
    let diff = diff_of(|repo| {
        repo.controls.get_mut("read-only").unwrap().verdict = Verdict::Fail;
    });
    let changed = only_repo(&diff);
    assert_eq!(changed.controls.len(), 1);
    assert_eq!(changed.controls[0].id, "read-only");
    assert_eq!(changed.controls[0].old_verdict, Verdict::Pass);
    assert_eq!(changed.controls[0].new_verdict, Verdict::Fail);
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::ControlFails {
            repo: "api".to_string(),
            control: "read-only".to_string(),
            old: Verdict::Pass
        }]
    );
}

#[test]
fn verdicts_to_and_from_waived_and_na() {
    let diff = diff_of(|repo| {
        let healthcheck = repo.controls.get_mut("healthcheck").unwrap();
        healthcheck.verdict = Verdict::Waived;
        healthcheck.waiver = Some(waiver(Verdict::Fail));
        repo.controls.remove("cap-drop");
        repo.controls.get_mut("non-root").unwrap().verdict = Verdict::NotApplicable;
    });
    let verdicts: Vec<(&str, Verdict, Verdict)> = only_repo(&diff)
        .controls
        .iter()
        .map(|control| {
            (
                control.id.as_str(),
                control.old_verdict,
                control.new_verdict,
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("non-root", Verdict::Fail, Verdict::NotApplicable),
            ("healthcheck", Verdict::Pass, Verdict::Waived),
            ("cap-drop", Verdict::Pass, Verdict::NotApplicable),
        ]
    );
    assert!(!diff.is_worse(), "{:?}", diff.worsenings());
}

#[test]
fn controls_follow_matrix_order_then_unknown_ids() {
    let diff = diff_of(|repo| {
        repo.controls
            .insert("zz-custom".to_string(), control(Verdict::Pass, Vec::new()));
        repo.controls.insert(
            "aa-custom".to_string(),
            control(Verdict::Review, Vec::new()),
        );
        repo.controls.get_mut("read-only").unwrap().verdict = Verdict::Review;
        repo.controls.get_mut("multi-stage").unwrap().verdict = Verdict::Review;
    });
    let ids: Vec<&str> = only_repo(&diff)
        .controls
        .iter()
        .map(|control| control.id.as_str())
        .collect();
    assert_eq!(ids, ["multi-stage", "read-only", "aa-custom", "zz-custom"]);
}

#[test]
fn new_and_fixed_findings_within_a_control() {
    let diff = diff_of(|repo| {
        repo.controls.get_mut("non-root").unwrap().findings =
            vec![finding("non-root", Outcome::Fail, 5, "USER 0")];
    });
    let control = &only_repo(&diff).controls[0];
    assert_eq!(control.id, "non-root");
    assert!(!control.verdict_changed());
    assert_eq!(control.findings.new.len(), 1);
    assert_eq!(control.findings.new[0].quote, "USER 0");
    assert_eq!(control.findings.fixed.len(), 1);
    assert_eq!(control.findings.fixed[0].quote, "USER root");
    assert!(!diff.is_worse(), "{:?}", diff.worsenings());
}

#[test]
fn instruction_moved_down_two_lines_is_no_change() {
    let diff = diff_of(|repo| {
        let findings = &mut repo.controls.get_mut("non-root").unwrap().findings;
        findings[0].line += 2;
        findings[0].message = "non-root at line 7".to_string();
    });
    assert!(!diff.has_changes(), "{diff:#?}");
}

#[test]
fn new_blocker_is_worse() {
    let diff = diff_of(|repo| {
        repo.blockers.push(blocker(
            "privileged",
            false,
            vec![finding("privileged", Outcome::Fail, 3, "privileged: true")],
        ));
    });
    let blockers = &only_repo(&diff).blockers;
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0].old, None);
    assert_eq!(blockers[0].new, Some(BlockerState::Active));
    assert_eq!(blockers[0].findings.new.len(), 1);
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::BlockerActive {
            repo: "api".to_string(),
            blocker: "privileged".to_string()
        }]
    );
}

#[test]
fn fixed_blocker_is_listed_and_not_worse() {
    let old = {
        let mut old = repo("api");
        old.blockers.push(blocker(
            "docker-socket",
            false,
            vec![finding(
                "docker-socket",
                Outcome::Fail,
                8,
                "- /var/run/docker.sock:/s",
            )],
        ));
        old
    };
    let diff = compare(&card(vec![old]), &card(vec![repo("api")]));
    let blockers = &only_repo(&diff).blockers;
    assert_eq!(blockers[0].old, Some(BlockerState::Active));
    assert_eq!(blockers[0].new, None);
    assert_eq!(blockers[0].findings.fixed.len(), 1);
    assert!(!diff.is_worse());
}

#[test]
fn blocker_losing_its_waiver_is_worse() {
    let mut old = repo("api");
    old.blockers.push(blocker("privileged", true, Vec::new()));
    let mut new = repo("api");
    new.blockers.push(blocker("privileged", false, Vec::new()));
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let blockers = &only_repo(&diff).blockers;
    assert_eq!(blockers[0].old, Some(BlockerState::Waived));
    assert_eq!(blockers[0].new, Some(BlockerState::Active));
    assert!(diff.is_worse());
}

#[test]
fn new_waived_blocker_is_not_worse() {
    let diff = diff_of(|repo| repo.blockers.push(blocker("privileged", true, Vec::new())));
    assert_eq!(only_repo(&diff).blockers[0].new, Some(BlockerState::Waived));
    assert!(!diff.is_worse());
}

#[test]
fn control_less_findings_are_compared() {
    let mut old = repo("api");
    old.findings = vec![finding("parse-error", Outcome::Review, 2, "FROM")];
    let mut new = repo("api");
    new.findings = vec![finding(
        "secret-build-arg",
        Outcome::Advisory,
        4,
        "ARG API_TOKEN",
    )];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let other = &only_repo(&diff).other_findings;
    assert_eq!(other.new.len(), 1);
    assert_eq!(other.new[0].id, "secret-build-arg");
    assert_eq!(other.fixed.len(), 1);
    assert_eq!(other.fixed[0].id, "parse-error");
}

#[test]
fn waiver_newly_expired_is_listed() {
    let mut old = repo("api");
    old.waivers = vec![waiver_report("non-root", "applied")];
    let mut new = repo("api");
    new.waivers = vec![waiver_report("non-root", "expired")];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    assert_eq!(
        only_repo(&diff).expired_waivers,
        vec![waiver_report("non-root", "expired")]
    );
}

#[test]
fn waiver_expired_in_new_only_is_listed() {
    let diff = diff_of(|repo| repo.waivers = vec![waiver_report("healthcheck", "expired")]);
    assert_eq!(only_repo(&diff).expired_waivers.len(), 1);
}

#[test]
fn waiver_expired_in_both_is_no_change() {
    let mut old = repo("api");
    old.waivers = vec![waiver_report("non-root", "expired")];
    let diff = compare(&card(vec![old.clone()]), &card(vec![old]));
    assert!(!diff.has_changes());
}

#[test]
fn errors_appearing_and_disappearing() {
    let error = |message: &str| RepoError {
        path: Some("Dockerfile".to_string()),
        message: message.to_string(),
    };
    let mut old = repo("api");
    old.errors = vec![error("not valid UTF-8")];
    let mut new = repo("api");
    new.errors = vec![error("larger than 1 MiB")];
    let diff = compare(&card(vec![old]), &card(vec![new]));
    let changed = only_repo(&diff);
    assert_eq!(changed.new_errors, vec![error("larger than 1 MiB")]);
    assert_eq!(changed.resolved_errors, vec![error("not valid UTF-8")]);
    assert_eq!(
        diff.worsenings(),
        vec![Worsening::NewError {
            repo: "api".to_string(),
            message: "Dockerfile: larger than 1 MiB".to_string()
        }]
    );
}

#[test]
fn changed_repositories_are_sorted_by_name() {
    let mut worse_web = repo("web");
    worse_web.grade = "C".to_string();
    let mut worse_api = repo("api");
    worse_api.grade = "C".to_string();
    let diff = compare(
        &card(vec![repo("web"), repo("api")]),
        &card(vec![worse_web, worse_api]),
    );
    let names: Vec<&str> = diff.changed.iter().map(|repo| repo.name.as_str()).collect();
    assert_eq!(names, ["api", "web"]);
}

#[test]
fn worsening_messages_name_repo_and_change() {
    let messages: Vec<String> = [
        Worsening::GradeDown {
            repo: "api".to_string(),
            old: "A".to_string(),
            new: "C".to_string(),
        },
        Worsening::ControlFails {
            repo: "api".to_string(),
            control: "non-root".to_string(),
            old: Verdict::Waived,
        },
        Worsening::BlockerActive {
            repo: "api".to_string(),
            blocker: "privileged".to_string(),
        },
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        messages,
        [
            "api: grade A → C",
            "api: non-root waived → fail",
            "api: blocker privileged"
        ]
    );
}
