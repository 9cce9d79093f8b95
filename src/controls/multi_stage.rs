use super::evidence::Evidence;
use super::{base_image, build_tools};
use crate::dockerfile::{stage, BaseKind, CommandKind};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::{Image, RepoModel};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

/// Grades every image: fail when the final image carries build tools or builds the program,
/// pass when it takes files from an earlier stage with two or more stages, review otherwise.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    for image in &model.images {
        evaluate_image(model, image, &mut evidence);
    }
    evidence.finish()
}

fn evaluate_image(model: &RepoModel, image: &Image, evidence: &mut Evidence) {
    let subject = model.image_subject(image);
    let path = model.dockerfile_of(image).path.clone();
    let Some(target) = image.target_stage else {
        unreadable_image(model, image, &subject, evidence);
        return;
    };

    // The final image is the target stage together with the stages it is built FROM.
    let chain = stage::from_chain(&image.stages, target);
    let mut carries_tools = false;
    for &index in &chain {
        let stage = &image.stages[index];
        if stage.base_kind == BaseKind::Image && stage.base.is_resolved() {
            if let Some(toolchain) = base_image::toolchain(&ImageRef::parse(&stage.base.value)) {
                carries_tools = true;
                evidence.add(
                    Outcome::Fail,
                    &subject,
                    &Location::new(&path, stage.line),
                    format!(
                        "the final image is built from {}, a toolchain image that ships {toolchain}",
                        stage.base.value
                    ),
                    "Build in an earlier stage FROM the toolchain image and copy only the result into a small runtime base with COPY --from.",
                );
            }
        }
        for command in &stage.commands {
            let CommandKind::Run { script, .. } = &command.kind else {
                continue;
            };
            let location = Location::new(&path, command.line);
            let tools = build_tools::installed_build_tools(script);
            if !tools.is_empty() {
                carries_tools = true;
                evidence.add(
                    Outcome::Fail,
                    &subject,
                    &location,
                    format!("the final image installs build tools: {}", tools.join(", ")),
                    "Install compilers and -dev packages in a build stage and copy only the built files into the final stage.",
                );
            }
            let builds = build_tools::build_commands(script);
            if !builds.is_empty() {
                carries_tools = true;
                evidence.add(
                    Outcome::Fail,
                    &subject,
                    &location,
                    format!("the final image builds the program: {}", builds.join(", ")),
                    "Run the build in an earlier stage and COPY --from that stage only what the program needs at run time.",
                );
            }
        }
    }
    if carries_tools {
        return;
    }

    let final_stage = &image.stages[target];
    let stage_count = image.stages.len();
    let copies_from = final_stage.commands.iter().find(|command| match &command.kind {
        CommandKind::Copy { from: Some(_), .. } => true,
        CommandKind::Run { mounts, .. } => mounts.iter().any(|mount| mount.from.is_some()),
        _ => false,
    });
    match copies_from {
        Some(command) if stage_count >= 2 => evidence.add(
            Outcome::Pass,
            &subject,
            &Location::new(&path, command.line),
            format!(
                "{stage_count} stages; the final stage takes files from another stage or image and installs no build tools"
            ),
            "",
        ),
        _ => {
            let message = if stage_count < 2 {
                "one stage: the image builds nothing and carries no build tools, but nothing is built in a separate stage either".to_string()
            } else if final_stage.parent().is_some() {
                "the final stage is only FROM an earlier stage and copies nothing from another stage".to_string()
            } else {
                format!("{stage_count} stages, but the final stage copies nothing from the others")
            };
            evidence.add(
                Outcome::Review,
                &subject,
                &Location::new(&path, final_stage.line),
                message,
                "If the program is built elsewhere this may be fine; otherwise build it in a stage of its own and COPY --from it into a small runtime stage.",
            );
        }
    }
}

/// Records a review for an image whose Dockerfile does not parse or whose target stage is missing.
pub(crate) fn unreadable_image(model: &RepoModel, image: &Image, subject: &str, evidence: &mut Evidence) {
    let path = model.dockerfile_of(image).path.clone();
    let (line, message) = match model.parse_error_of(image) {
        Some(error) => (error.line, format!("the Dockerfile does not parse ({}), so this cannot be judged", error.message)),
        None => (
            1,
            format!(
                "the build target {} names no stage of this Dockerfile, so this cannot be judged",
                image.target.as_deref().unwrap_or("(last stage)")
            ),
        ),
    };
    evidence.add(
        Outcome::Review,
        subject,
        &Location::new(path, line.max(1)),
        message,
        "Fix the Dockerfile so that BuildKit can parse it, then grade again.",
    );
}
