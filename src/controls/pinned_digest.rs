use super::evidence::Evidence;
use crate::dockerfile::{stage, BaseKind, CommandKind, Word};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::RepoModel;
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

/// Grades every image reference the repository builds from or runs: each `FROM` of a stage the
/// build needs, each `COPY --from` and `RUN --mount=from=` that names an image, and each Compose
/// `image:` of a service that does not build.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    for image in &model.images {
        let path = model.dockerfile_of(image).path.clone();
        let Some(target) = image.target_stage else {
            let subject = model.image_subject(image);
            super::multi_stage::unreadable_image(model, image, &subject, &mut evidence);
            continue;
        };
        let mut only_scratch = true;
        let mut scratch_line = image.stages[target].line;
        for index in stage::needed_stages(&image.stages, target) {
            let stage = &image.stages[index];
            match stage.base_kind {
                BaseKind::Scratch => scratch_line = stage.line,
                BaseKind::Stage(_) => {}
                BaseKind::Image => {
                    only_scratch = false;
                    judge_reference(&mut evidence, &path, stage.line, &stage.base, "FROM");
                }
            }
            for command in &stage.commands {
                let references: Vec<(&Word, &str)> = match &command.kind {
                    CommandKind::Copy { from: Some(from), add, .. } => {
                        vec![(from, if *add { "ADD --from" } else { "COPY --from" })]
                    }
                    CommandKind::Run { mounts, .. } => mounts
                        .iter()
                        .filter_map(|mount| mount.from.as_ref())
                        .map(|from| (from, "RUN --mount=from"))
                        .collect(),
                    _ => Vec::new(),
                };
                for (word, origin) in references {
                    if word.is_resolved() && stage::find_stage(&image.stages[..index], &word.value).is_some() {
                        continue;
                    }
                    only_scratch = false;
                    judge_reference(&mut evidence, &path, command.line, word, origin);
                }
            }
        }
        if only_scratch {
            evidence.add(
                Outcome::Pass,
                &path,
                &Location::new(&path, scratch_line),
                "the image is built only from scratch, so there is no base image to pin",
                "",
            );
        }
    }

    for unit in model.services.iter().filter(|unit| unit.service.build.is_none()) {
        let Some(image) = &unit.service.image else {
            continue;
        };
        let word = Word {
            raw: image.value.clone(),
            value: image.value.clone(),
            unresolved: image.unset.clone(),
        };
        let subject = model.service_subject(unit);
        judge(&mut evidence, &subject, &image.location(), &word, "image:");
    }
    evidence.finish()
}

fn judge_reference(evidence: &mut Evidence, path: &str, line: usize, word: &Word, origin: &str) {
    judge(evidence, path, &Location::new(path, line), word, origin);
}

fn judge(evidence: &mut Evidence, subject: &str, location: &Location, word: &Word, origin: &str) {
    if !word.is_resolved() {
        evidence.add(
            Outcome::Review,
            subject,
            location,
            format!(
                "{origin} {} depends on unresolved variables ({}), so whether it is pinned is not known",
                word.raw,
                word.unresolved.join(", ")
            ),
            "Give the variable a default that carries @sha256:<digest>, or pin the reference literally.",
        );
        return;
    }
    let reference = ImageRef::parse(&word.value);
    if reference.is_pinned() {
        evidence.add(
            Outcome::Pass,
            subject,
            location,
            format!("{origin} {} is pinned by digest", word.value),
            "",
        );
        return;
    }
    let strength = match reference.tag.as_deref() {
        _ if reference.digest.is_some() => "carries a malformed digest (expected sha256: and 64 hex digits)".to_string(),
        None => "has no tag and no digest, so it means :latest, which changes whenever the image is pushed".to_string(),
        Some("latest") => "uses :latest and no digest, so it changes whenever the image is pushed".to_string(),
        Some(tag) => format!("uses the tag {tag} without a digest; tags can be moved to other images"),
    };
    evidence.add(
        Outcome::Fail,
        subject,
        location,
        format!("{origin} {} {strength}", word.value),
        format!(
            "Pin it by digest: {}:<tag>@sha256:<digest> (docker buildx imagetools inspect prints the digest), and let a bot such as Renovate or Dependabot update it.",
            reference.name
        ),
    );
}
