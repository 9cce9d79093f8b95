//! The pinned-digest control: every image the repository builds from or runs is pinned to a digest.

use super::evidence::Evidence;
use super::{ControlInfo, Reference, Snippet};
use crate::dockerfile::{stage, BaseKind, CommandKind, Word};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::RepoModel;
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "pinned-digest",
    title: "Pinned Digest",
    checks: r#"Every image reference the repository builds from or runs: each `FROM` that is neither
`scratch` nor the name of an earlier stage, each `COPY --from=` and `RUN --mount=from=` that
names an image, and each Compose `image:` of a service that has no `build:`. References are
read after variable expansion.

- pass: every reference carries `@sha256:` followed by 64 hexadecimal digits. A tag may
  stand before the digest (`alpine:3.20@sha256:…`).
- pass, with a note: an image whose only base is `scratch` has nothing to pin.
- fail: any reference without a digest. The finding names each one, and warns more
  strongly for `:latest` or a reference without a tag.
- review: a reference whose value depends on a variable that cannot be resolved."#,
    rationale: r#"A tag is a pointer that the publisher, or anyone who takes over the repository, can move
to other content, so the same Dockerfile can build a different image tomorrow. A digest
names exact bytes: builds become reproducible, a replaced upstream image cannot slip in
unnoticed, and updates arrive as reviewable changes to the digest."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM node:latest
WORKDIR /app
COPY --from=ghcr.io/example/assets:1.4 /assets ./public
COPY server.js ./
CMD ["node", "server.js"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"# Placeholder digests: look up the real ones with `docker buildx imagetools inspect`.
FROM node:22-slim@sha256:f314a0f99a999d8311e08d96c04202a41e58d54a83417ce88f18731020372817
WORKDIR /app
COPY --from=ghcr.io/example/assets:1.4@sha256:869520a386be6d1b6558d9d4d66d3685a9f7233ad9a693e8bd55f4e60b5d9da3 /assets ./public
COPY server.js ./
CMD ["node", "server.js"]"#,
    }],
    fix: r#"Append the digest to each reference (`image:tag@sha256:…`) and keep the tag for readers;
`docker buildx imagetools inspect image:tag` prints the digest. Let a dependency update bot
such as Renovate or Dependabot propose new digests, so updates stay deliberate."#,
    references: &[
        Reference {
            title: "Docker documentation: Building best practices, pin base image versions",
            url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
        },
        Reference {
            title: "Dockerfile reference: FROM",
            url: "https://docs.docker.com/reference/dockerfile/#from",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 13: Enhance supply chain security",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-13---enhance-supply-chain-security",
        },
    ],
};

/// Grades every image reference the repository builds from or runs: each `FROM` of a stage the
/// build needs, each `COPY --from` and `RUN --mount=from=` that names an image, and each Compose
/// `image:` of a service that does not build.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    super::runtime::review_unloaded_projects(model, &mut evidence, "the images its services run");
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
                    CommandKind::Copy {
                        from: Some(from),
                        add,
                        ..
                    } => {
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
                    if word.is_resolved()
                        && stage::find_stage(&image.stages[..index], &word.value).is_some()
                    {
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

    for unit in model
        .services
        .iter()
        .filter(|unit| unit.service.build.is_none())
    {
        let Some(image) = &unit.service.image else {
            continue;
        };
        // The loader keeps only the interpolated value. When a variable was unset, say so
        // instead of printing an empty or partial reference as if it were written that way.
        let raw = if image.unset.is_empty() {
            image.value.clone()
        } else {
            format!("{:?} (after interpolation)", image.value)
        };
        let word = Word {
            raw,
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
