//! The multi-stage control: the final image carries no build tools and takes its files from a build stage.

use super::evidence::Evidence;
use super::{base_image, build_tools};
use super::{ControlInfo, Reference, Snippet};
use crate::dockerfile::{stage, BaseKind, CommandKind};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::{Image, RepoModel};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "multi-stage",
    title: "Multi-Stage",
    checks: r#"The final image of each Dockerfile the repository builds: the target stage together with
the stages it is built `FROM`. Stages the target does not depend on are never built, so they
are not looked at.

- pass: the Dockerfile has two or more stages, the final stage takes files from an earlier
  stage or another image (`COPY --from`, `RUN --mount=from=`), and the final image installs
  no build tools.
- fail: the final image carries build tools or builds the program, whether the Dockerfile has
  one stage or several. Tools installed and builds run in the stages the final stage is built
  `FROM` count too.
- Build tools are compilers and build systems installed by a package manager (gcc, g++,
  clang, make, cmake, build-essential, build-base, `*-dev` and `*-devel` packages, maven,
  gradle, golang, rustup, cargo) and toolchain base images (golang, rust, gcc, maven, gradle,
  buildpack-deps, any `-jdk` variant, the dotnet `sdk`).
- Building means commands such as `go build`, `cargo build`, `mvn package`, `gradle build`,
  `npm run build` or `make`. Installing runtime dependencies (`npm ci --omit=dev`,
  `pip install`, `bundle install`) is not building.
- review: the final image builds nothing and carries no build tools, but takes no files from
  another stage either: a single stage (a prebuilt binary copied onto a small base, for
  example), or several stages whose final stage copies nothing from the others or is only
  `FROM` an earlier stage.
- n/a: the repository builds no image."#,
    rationale: r#"Compilers, build systems and development headers are needed only while the program is
built. Shipped in the final image they make it larger, add packages that need security
updates, and give an attacker who gets into the container the tools to build and run their
own code. A build stage whose output alone is copied into a small runtime stage leaves all of
that behind."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd/ ./cmd/
RUN go build -o /usr/local/bin/app ./cmd/app
CMD ["app"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd/ ./cmd/
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]"#,
    }],
    fix: r#"Compile and package in a build stage (`FROM golang:1.22 AS build`), start the final stage
from a runtime-only base, and bring in only the built artifacts with `COPY --from=build`.
Install runtime dependencies in the final stage without their development packages."#,
    references: &[
        Reference {
            title: "Docker documentation: Multi-stage builds",
            url: "https://docs.docker.com/build/building/multi-stage/",
        },
        Reference {
            title: "Docker documentation: Building best practices, use multi-stage builds",
            url: "https://docs.docker.com/build/building/best-practices/#use-multi-stage-builds",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 4.3: Ensure that unnecessary packages are not installed in the container",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

/// Grades every image: fail when the final image carries build tools or builds the program,
/// pass when it takes files from an earlier stage with two or more stages, review otherwise.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    super::runtime::review_unloaded_projects(model, &mut evidence, "the images it builds");
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
            let CommandKind::Run {
                script_with_variables: script,
                ..
            } = &command.kind
            else {
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
    // The image consists of the stages the build of the target needs; BuildKit skips the others.
    let stage_count = stage::needed_stages(&image.stages, target).len();
    let copies_from = final_stage
        .commands
        .iter()
        .find(|command| match &command.kind {
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
                "the image is built from {stage_count} stages; the final stage takes files from another stage or image and installs no build tools"
            ),
            "",
        ),
        _ => {
            let message = if !final_stage.base.is_resolved() {
                format!(
                    "the final stage copies nothing from another stage, and its base {} depends on unresolved variables ({})",
                    final_stage.base.raw,
                    final_stage.base.unresolved.join(", ")
                )
            } else if stage_count < 2 {
                "one stage: the image builds nothing and carries no build tools, but nothing is built in a separate stage either".to_string()
            } else if final_stage.parent().is_some() {
                "the final stage is only FROM an earlier stage and copies nothing from another stage".to_string()
            } else {
                format!("the image is built from {stage_count} stages, but the final stage copies nothing from the others")
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
pub(crate) fn unreadable_image(
    model: &RepoModel,
    image: &Image,
    subject: &str,
    evidence: &mut Evidence,
) {
    let source = model.dockerfile_of(image);
    let (location, message) = match (model.parse_error_of(image), &source.declared_at) {
        (Some(error), Some(declared)) => (declared.clone(), error.message.clone()),
        // A file that was never read has no text; its message gives the reason on its own.
        (Some(error), None) if source.text.is_empty() => (
            Location::new(source.path.clone(), error.line.max(1)),
            error.message.clone(),
        ),
        (Some(error), None) => (
            Location::new(source.path.clone(), error.line.max(1)),
            format!(
                "the Dockerfile does not parse ({}), so this cannot be judged",
                error.message
            ),
        ),
        (None, _) => (
            Location::new(source.path.clone(), 1),
            format!(
                "the build target {} names no stage of this Dockerfile, so this cannot be judged",
                image.target.as_deref().unwrap_or("(last stage)")
            ),
        ),
    };
    evidence.add(
        Outcome::Review,
        subject,
        &location,
        message,
        "Fix the Dockerfile so that BuildKit can parse it, then grade again.",
    );
}
