//! Grading: waivers and the blocker cap applied to the verdicts, then the A–F letter.

use crate::scorecard::{AppliedWaiver, BlockerResult, ControlResult, Score, Verdict, WaiverReport};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A waiver from repos.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// A control or blocker id.
    pub id: String,
    pub reason: String,
    /// The last day the waiver applies.
    pub expires: NaiveDate,
}

/// The grading policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The best grade a repository with an unwaived blocker can get.
    pub blocker_cap: char,
    /// The day waivers are checked against.
    pub today: NaiveDate,
}

/// The grade of one repository, with notes that explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graded {
    /// `A` to `F`, or `—` when no control applies.
    pub grade: String,
    pub score: Option<Score>,
    pub notes: Vec<String>,
    pub waivers: Vec<WaiverReport>,
}

/// Applies the waivers to control and blocker results in place, then grades.
pub fn grade(
    controls: &mut BTreeMap<String, ControlResult>,
    blockers: &mut [BlockerResult],
    waivers: &[Waiver],
    policy: &Policy,
) -> Graded {
    let waivers = apply_waivers(controls, blockers, waivers, policy.today);
    let mut notes: Vec<String> = waivers
        .iter()
        .filter(|waiver| waiver.status != "applied")
        .map(|waiver| match waiver.status.as_str() {
            "expired" => format!(
                "the waiver for {} expired on {} and was ignored",
                waiver.id, waiver.expires
            ),
            _ => format!(
                "the waiver for {} is unused: there is nothing to waive",
                waiver.id
            ),
        })
        .collect();

    let applicable = controls
        .values()
        .filter(|result| result.verdict != Verdict::NotApplicable)
        .count();
    if applicable == 0 {
        return Graded {
            grade: "—".to_string(),
            score: None,
            notes,
            waivers,
        };
    }
    let passed = controls
        .values()
        .filter(|result| matches!(result.verdict, Verdict::Pass | Verdict::Waived))
        .count();
    let mut letter = letter_for(passed, applicable);

    let active: Vec<&str> = blockers
        .iter()
        .filter(|blocker| blocker.waiver.is_none())
        .map(|blocker| blocker.id.as_str())
        .collect();
    if !active.is_empty() && letter < policy.blocker_cap {
        notes.push(format!(
            "grade capped at {} by the blocker{} {} (the controls alone give {letter})",
            policy.blocker_cap,
            if active.len() == 1 { "" } else { "s" },
            active.join(", ")
        ));
        letter = policy.blocker_cap;
    }
    Graded {
        grade: letter.to_string(),
        score: Some(Score { passed, applicable }),
        notes,
        waivers,
    }
}

/// Returns the letter for a score: A when every applicable control passes, B from 5/7, C from 3/7, D
/// above zero, F at zero. With all seven controls applying this is exactly A 7, B 5–6, C 3–4,
/// D 1–2, F 0.
pub fn letter_for(passed: usize, applicable: usize) -> char {
    if passed == applicable {
        'A'
    } else if passed * 7 >= applicable * 5 {
        'B'
    } else if passed * 7 >= applicable * 3 {
        'C'
    } else if passed > 0 {
        'D'
    } else {
        'F'
    }
}

fn apply_waivers(
    controls: &mut BTreeMap<String, ControlResult>,
    blockers: &mut [BlockerResult],
    waivers: &[Waiver],
    today: NaiveDate,
) -> Vec<WaiverReport> {
    let mut reports = Vec::new();
    for waiver in waivers {
        let expires = waiver.expires.format("%Y-%m-%d").to_string();
        let report = |status: &str| WaiverReport {
            id: waiver.id.clone(),
            reason: waiver.reason.clone(),
            expires: expires.clone(),
            status: status.to_string(),
        };
        if waiver.expires < today {
            reports.push(report("expired"));
            continue;
        }
        let applied = |original: Verdict| AppliedWaiver {
            reason: waiver.reason.clone(),
            expires: expires.clone(),
            original,
        };
        let mut used = false;
        if let Some(result) = controls.get_mut(&waiver.id) {
            if matches!(result.verdict, Verdict::Fail | Verdict::Review) {
                result.waiver = Some(applied(result.verdict));
                result.verdict = Verdict::Waived;
                used = true;
            }
        }
        for blocker in blockers
            .iter_mut()
            .filter(|blocker| blocker.id == waiver.id)
        {
            blocker.waiver = Some(applied(Verdict::Fail));
            used = true;
        }
        reports.push(report(if used { "applied" } else { "unused" }));
    }
    reports.sort();
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_legend_for_seven_controls() {
        let letters: String = (0..=7).rev().map(|passed| letter_for(passed, 7)).collect();
        assert_eq!(letters, "ABBCCDDF");
    }

    #[test]
    fn letters_scale_to_fewer_controls() {
        assert_eq!(letter_for(5, 5), 'A');
        assert_eq!(letter_for(4, 5), 'B');
        assert_eq!(letter_for(3, 5), 'C');
        assert_eq!(letter_for(2, 5), 'D');
        assert_eq!(letter_for(0, 5), 'F');
    }

    fn result(verdict: Verdict) -> ControlResult {
        ControlResult {
            verdict,
            findings: Vec::new(),
            waiver: None,
        }
    }

    fn policy() -> Policy {
        Policy {
            blocker_cap: 'F',
            today: NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date"),
        }
    }

    #[test]
    fn waiver_counts_as_passed() {
        let mut controls = BTreeMap::from([
            ("a".to_string(), result(Verdict::Pass)),
            ("b".to_string(), result(Verdict::Fail)),
        ]);
        let waivers = vec![Waiver {
            id: "b".to_string(),
            reason: "accepted".to_string(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid date"),
        }];
        let graded = grade(&mut controls, &mut [], &waivers, &policy());
        assert_eq!(controls["b"].verdict, Verdict::Waived);
        assert_eq!(graded.grade, "A");
    }

    #[test]
    fn expired_waiver_is_ignored_and_reported() {
        let mut controls = BTreeMap::from([("b".to_string(), result(Verdict::Fail))]);
        let waivers = vec![Waiver {
            id: "b".to_string(),
            reason: "accepted".to_string(),
            expires: NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
        }];
        let graded = grade(&mut controls, &mut [], &waivers, &policy());
        assert_eq!(controls["b"].verdict, Verdict::Fail);
        assert_eq!(graded.grade, "F");
        assert!(graded.notes[0].contains("expired"));
    }

    #[test]
    fn blocker_caps_unless_waived() {
        let mut controls = BTreeMap::from([("a".to_string(), result(Verdict::Pass))]);
        let mut blockers = vec![BlockerResult {
            id: "privileged".to_string(),
            findings: Vec::new(),
            waiver: None,
        }];
        let graded = grade(&mut controls, &mut blockers, &[], &policy());
        assert_eq!(graded.grade, "F");

        let waivers = vec![Waiver {
            id: "privileged".to_string(),
            reason: "hardware access".to_string(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid date"),
        }];
        let graded = grade(&mut controls, &mut blockers, &waivers, &policy());
        assert_eq!(graded.grade, "A");
    }

    #[test]
    fn no_applicable_control_grades_dash() {
        let mut controls = BTreeMap::from([("a".to_string(), result(Verdict::NotApplicable))]);
        let graded = grade(&mut controls, &mut [], &[], &policy());
        assert_eq!(graded.grade, "—");
        assert_eq!(graded.score, None);
    }
}
