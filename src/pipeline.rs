//! One repository from snapshot to graded report.

use crate::controls::run::evaluate_all;
use crate::grade::{self, Policy, Waiver};
use crate::model::{self, LinkOptions, RepoModel};
use crate::scorecard::{RepoError, RepoReport, Verdict};
use crate::source::Snapshot;

/// Settings from repos.toml for one repository, besides its location.
#[derive(Debug, Clone, Default)]
pub struct RepoSettings {
    pub link: LinkOptions,
    pub waivers: Vec<Waiver>,
}

/// Grades one snapshot.
pub fn grade_snapshot(
    name: &str,
    source: &str,
    snapshot: &Snapshot,
    settings: &RepoSettings,
    policy: &Policy,
) -> RepoReport {
    let model = model::build(snapshot, &settings.link);
    let mut evaluation = evaluate_all(&model, snapshot);
    let mut graded = grade::grade(
        &mut evaluation.controls,
        &mut evaluation.blockers,
        &settings.waivers,
        policy,
    );
    if model.is_empty() {
        // An ignore file alone builds and runs nothing, so such a repository grades like one
        // without container files, and the note names what was found.
        let note = if model.ignore_files.is_empty() {
            "no container files found"
        } else {
            "no container files found: only ignore files, and no Dockerfile or Compose file"
        };
        graded.notes.insert(0, note.to_string());
    }
    if evaluation
        .findings
        .iter()
        .any(|finding| finding.id == "parse-error")
    {
        graded
            .notes
            .push("some container files do not parse; see the parse-error findings".to_string());
    }
    if snapshot
        .skipped
        .iter()
        .any(|skipped| skipped.reason.starts_with("cannot read"))
    {
        graded.notes.push(
            "some files or folders could not be read (see the skipped files), so the grade rests on part of the repository"
                .to_string(),
        );
    }
    let mut skipped: Vec<String> = snapshot
        .skipped
        .iter()
        .map(|skipped| format!("{}: {}", skipped.path, skipped.reason))
        .collect();
    for template in snapshot
        .paths
        .iter()
        .filter(|path| crate::discover::is_dockerfile_template(path))
    {
        skipped.push(format!(
            "{template}: named like a Dockerfile, but its extension marks a template or backup, so it is not graded"
        ));
    }
    for (link, target) in &model.links {
        skipped.push(format!(
            "{link}: a symbolic link stored as a text file, pointing to {target}, which is graded in its place"
        ));
    }
    skipped.sort();

    RepoReport {
        name: name.to_string(),
        source: source.to_string(),
        commit: snapshot.commit.clone(),
        web_url: None,
        grade: graded.grade,
        score: graded.score,
        notes: graded.notes,
        controls: evaluation.controls,
        blockers: evaluation.blockers,
        findings: evaluation.findings,
        subjects: subjects(&model),
        skipped,
        errors: Vec::new(),
        waivers: graded.waivers,
    }
}

/// Builds the row of a repository that could not be read: it has no control results, and its
/// grade is `error` instead of a letter.
pub fn error_report(name: &str, source: &str, message: String) -> RepoReport {
    RepoReport {
        name: name.to_string(),
        source: source.to_string(),
        commit: None,
        web_url: None,
        grade: "error".to_string(),
        score: None,
        notes: Vec::new(),
        controls: Default::default(),
        blockers: Vec::new(),
        findings: Vec::new(),
        subjects: Vec::new(),
        skipped: Vec::new(),
        errors: vec![RepoError {
            path: None,
            message,
        }],
        waivers: Vec::new(),
    }
}

/// Describes what was graded: one line per image and per service.
fn subjects(model: &RepoModel) -> Vec<String> {
    let mut lines = Vec::new();
    for image in &model.images {
        let dockerfile = &model.dockerfile_of(image).path;
        let target = match (&image.target, image.target_stage) {
            (Some(target), _) => format!("target stage {target}"),
            (None, Some(index)) => match &image.stages[index].name {
                Some(name) => format!("last stage {name}"),
                None => format!("last stage (unnamed, stage {index} counting from 0)"),
            },
            (None, None) => "not parsed".to_string(),
        };
        let context = match &image.context {
            Some(context) if context.is_empty() => ".".to_string(),
            Some(context) => context.clone(),
            None => "outside the repository".to_string(),
        };
        let ignore = image.ignore_path.as_deref().unwrap_or("none");
        lines.push(format!(
            "image {dockerfile}: {target}, build context {context} (from {}), ignore file {ignore}",
            image.context_origin
        ));
    }
    for unit in &model.services {
        let what = match (unit.image, &unit.service.image) {
            (Some(index), _) => format!("builds {}", model.image_subject(&model.images[index])),
            (None, Some(image)) => format!("runs {}", image.value),
            (None, None) => "has no image".to_string(),
        };
        lines.push(format!("{}: {what}", model.service_subject(unit)));
    }
    lines.sort();
    lines
}

/// Tells whether a report's grade is worse than `threshold` (`A` best, `F` worst). Rows without a
/// letter grade are never below it.
pub fn is_below(report: &RepoReport, threshold: char) -> bool {
    let mut letters = report.grade.chars();
    match (letters.next(), letters.next()) {
        (Some(letter @ 'A'..='F'), None) => letter > threshold,
        _ => false,
    }
}

/// Counts the controls with a given verdict across reports, for summaries.
pub fn count_verdicts(reports: &[RepoReport], verdict: Verdict) -> usize {
    reports
        .iter()
        .flat_map(|report| report.controls.values())
        .filter(|result| result.verdict == verdict)
        .count()
}
