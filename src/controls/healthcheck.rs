//! The healthcheck control: every image and every Compose service has a healthcheck that can succeed.

use super::base_image;
use super::evidence::Evidence;
use super::{ControlInfo, Reference, Snippet};
use crate::dockerfile::{stage, BaseKind, HealthcheckSpec};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::{Image, RepoModel, ServiceUnit};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "healthcheck",
    title: "Healthcheck",
    checks: r#"Every image and every Compose service needs an effective healthcheck.

- An image has one when its final stage has `HEALTHCHECK CMD …`, or inherits one from a stage
  of the same Dockerfile that it is built `FROM`, or when every Compose service that runs the
  image defines `healthcheck.test`.
- A service has one when it defines `healthcheck.test` in Compose, or when the image it builds
  from the repository has a `HEALTHCHECK`. A service that only runs someone else's image needs
  its own `healthcheck:` in Compose; if that image defines a `HEALTHCHECK`, the finding
  suggests recording that with a waiver.
- pass: every image and every service has an effective healthcheck.
- fail: an image or service has none; or its healthcheck is switched off (`HEALTHCHECK NONE`,
  `healthcheck.disable: true`, `test: ["NONE"]`); or the final stage has a shell-form
  `HEALTHCHECK` and no shell (it is `FROM scratch` or a distroless base). Docker runs the
  shell form through `/bin/sh -c`, so there it can never succeed. The same holds for a
  Compose `CMD-SHELL` test on a service that builds such an image. Distroless `:debug` tags
  carry a busybox shell and are not shell-less.
- Advisory `healthcheck-tool-missing`: a healthcheck calls `curl` or `wget` on a distroless
  or `scratch` base, which does not ship them. It does not change the verdict."#,
    rationale: r#"Without a healthcheck the engine knows only whether the main process is running, not
whether it serves. A hung or deadlocked service stays up, Compose's
`depends_on: condition: service_healthy` has nothing to wait for, and Swarm cannot replace
the unhealthy task. A healthcheck that can never pass reports the container unhealthy
forever, which teaches everyone to ignore the signal."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM gcr.io/distroless/static-debian12:nonroot
COPY app /app
# Shell form: Docker runs it with /bin/sh -c, which this base does not have.
HEALTHCHECK CMD /app healthcheck || exit 1
ENTRYPOINT ["/app"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM gcr.io/distroless/static-debian12:nonroot
COPY app /app
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]"#,
    }],
    fix: r#"Add a `HEALTHCHECK` in exec form (`CMD ["/app", "healthcheck"]`) to the final stage, or a
`healthcheck.test` to each Compose service. On minimal bases, probe with the program itself
or a small static helper instead of `curl` or `wget`."#,
    references: &[
        Reference {
            title: "Dockerfile reference: HEALTHCHECK",
            url: "https://docs.docker.com/reference/dockerfile/#healthcheck",
        },
        Reference {
            title: "Compose file reference: healthcheck",
            url: "https://docs.docker.com/reference/compose-file/services/#healthcheck",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 4.6: Ensure that HEALTHCHECK instructions have been added to container images",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

/// Grades the effective healthcheck of every service and of every image that no service runs.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    super::runtime::review_unloaded_projects(
        model,
        &mut evidence,
        "the healthchecks of its services",
    );
    for unit in &model.services {
        evaluate_service(model, unit, &mut evidence);
    }
    for image in model
        .images
        .iter()
        .filter(|image| image.built_by.is_empty())
    {
        evaluate_image(model, image, &model.image_subject(image), &mut evidence);
    }
    evidence.finish()
}

/// The tools the final image's root filesystem offers a healthcheck.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runtime {
    /// `FROM scratch` or a distroless image without the busybox shell of the `debug` tags.
    ShellLess,
    /// Anything else, or not known.
    Other,
}

fn runtime_of(image: &Image, target: usize) -> (Runtime, String) {
    let chain = stage::from_chain(&image.stages, target);
    let root = &image.stages[*chain.last().expect("chain is never empty")];
    match root.base_kind {
        BaseKind::Scratch => (Runtime::ShellLess, "scratch".to_string()),
        _ if root.base.is_resolved()
            && base_image::is_shell_less_distroless(&ImageRef::parse(&root.base.value)) =>
        {
            (Runtime::ShellLess, root.base.value.clone())
        }
        _ => (Runtime::Other, root.base.value.clone()),
    }
}

fn evaluate_service(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    if let Some(healthcheck) = &unit.service.healthcheck {
        if let Some(disable) = healthcheck.disable.as_ref().filter(|d| d.value) {
            evidence.add(
                Outcome::Fail,
                &subject,
                &disable.location(),
                "healthcheck.disable: true turns the healthcheck off",
                "Remove disable: true and define healthcheck.test.",
            );
            return;
        }
        // An empty test inherits the image's healthcheck, and `CMD` or `CMD-SHELL` without a
        // command probes nothing, so neither counts as a test of the service's own.
        let usable = healthcheck.test.as_ref().filter(|test| {
            let first = test.value.first().map(String::as_str).unwrap_or("");
            let has_command = test
                .value
                .iter()
                .skip(1)
                .any(|part| !part.trim().is_empty());
            first.eq_ignore_ascii_case("NONE")
                || (matches!(first, "CMD" | "CMD-SHELL") && has_command)
        });
        if let Some(test) = usable {
            let first = test.value.first().map(String::as_str).unwrap_or("");
            if first.eq_ignore_ascii_case("NONE") {
                evidence.add(
                    Outcome::Fail,
                    &subject,
                    &test.location(),
                    "healthcheck.test: [\"NONE\"] turns the healthcheck off",
                    "Replace NONE with a real probe, such as [\"CMD\", \"/app/healthcheck\"].",
                );
                return;
            }
            let shell_less = unit
                .image
                .map(|index| &model.images[index])
                .and_then(|image| image.target_stage.map(|target| runtime_of(image, target)))
                .filter(|(runtime, _)| *runtime == Runtime::ShellLess);
            if let (Some((_, base)), true) = (&shell_less, first == "CMD-SHELL") {
                evidence.add(
                    Outcome::Fail,
                    &subject,
                    &test.location(),
                    format!("the healthcheck runs through a shell (CMD-SHELL), but the image is built on {base}, which has no /bin/sh, so it can never succeed"),
                    "Use the exec form [\"CMD\", \"/app/healthcheck\"] with a probe binary that is in the image.",
                );
                return;
            }
            evidence.add(
                Outcome::Pass,
                &subject,
                &test.location(),
                format!(
                    "healthcheck.test is {}{}",
                    test.value.join(" "),
                    unset_note(&test.unset)
                ),
                "",
            );
            if let Some((_, base)) = shell_less {
                tool_advisory(evidence, &subject, &test.location(), &test.value, &base);
            }
            return;
        }
    }
    match unit.image {
        Some(image) => evaluate_image(model, &model.images[image], &subject, evidence),
        None => {
            // A healthcheck: section without a test (only timings, or disable: false) keeps
            // whatever the image defines, which is not known offline.
            let (location, message) = match &unit.service.healthcheck {
                Some(healthcheck) => (
                    healthcheck.location.clone(),
                    "the service runs an image built elsewhere, and its healthcheck: section sets no test",
                ),
                None => (
                    unit.service
                        .image
                        .as_ref()
                        .map(|image| image.location())
                        .unwrap_or_else(|| unit.service.location.clone()),
                    "the service runs an image built elsewhere and defines no healthcheck:",
                ),
            };
            evidence.add(
                Outcome::Fail,
                &subject,
                &location,
                message,
                "Add a healthcheck: with a test to the service; if the image itself defines a HEALTHCHECK, add a waiver saying so.",
            );
        }
    }
}

fn evaluate_image(model: &RepoModel, image: &Image, subject: &str, evidence: &mut Evidence) {
    let Some(target) = image.target_stage else {
        super::multi_stage::unreadable_image(model, image, subject, evidence);
        return;
    };
    let path = model.dockerfile_of(image).path.clone();
    let (runtime, base) = runtime_of(image, target);

    // The final stage inherits the HEALTHCHECK of the stage it is built FROM; sibling stages do not count.
    let chain = stage::from_chain(&image.stages, target);
    let found = chain.iter().find_map(|&index| {
        image.stages[index]
            .last_healthcheck()
            .map(|found| (index, found))
    });
    let Some((index, (command, spec))) = found else {
        let stage = &image.stages[target];
        evidence.add(
            Outcome::Fail,
            subject,
            &Location::new(&path, stage.line),
            "the final stage has no HEALTHCHECK, and inherits none from a stage it is built FROM",
            "Add HEALTHCHECK CMD [\"/app/healthcheck\"] (exec form) to the final stage, or a healthcheck: to every Compose service that runs the image.",
        );
        return;
    };
    let location = Location::new(&path, command.line);
    let inherited = if index == target {
        String::new()
    } else {
        format!(
            " (inherited from stage {})",
            image.stages[index]
                .name
                .clone()
                .unwrap_or_else(|| index.to_string())
        )
    };
    match spec {
        HealthcheckSpec::None => evidence.add(
            Outcome::Fail,
            subject,
            &location,
            format!("HEALTHCHECK NONE{inherited} turns off every healthcheck, including the base image's"),
            "Replace HEALTHCHECK NONE with HEALTHCHECK CMD and a real probe.",
        ),
        HealthcheckSpec::Cmd { exec: false, .. } if runtime == Runtime::ShellLess => evidence.add(
            Outcome::Fail,
            subject,
            &location,
            format!("shell-form HEALTHCHECK{inherited} runs through /bin/sh -c, but the final image is built on {base}, which has no shell, so it can never succeed"),
            "Use the exec form, HEALTHCHECK CMD [\"/app/healthcheck\"], with a probe binary that is in the image.",
        ),
        HealthcheckSpec::Cmd { args, .. } => {
            evidence.add(
                Outcome::Pass,
                subject,
                &location,
                format!("HEALTHCHECK CMD {}{inherited}", args.join(" ")),
                "",
            );
            if runtime == Runtime::ShellLess {
                tool_advisory(evidence, subject, &location, args, &base);
            }
        }
    }
}

/// Says which variables a Compose value referenced while they were unset, for messages.
fn unset_note(unset: &[String]) -> String {
    if unset.is_empty() {
        String::new()
    } else {
        format!(
            " (after interpolation; unset variables: {})",
            unset.join(", ")
        )
    }
}

/// Warns when a healthcheck calls curl or wget on a base that ships neither.
fn tool_advisory(
    evidence: &mut Evidence,
    subject: &str,
    location: &Location,
    args: &[String],
    base: &str,
) {
    let words: Vec<&str> = args.iter().flat_map(|arg| arg.split_whitespace()).collect();
    let Some(tool) = words.iter().find_map(|word| {
        let program = word.rsplit('/').next().unwrap_or(word);
        ["curl", "wget"].into_iter().find(|tool| program == *tool)
    }) else {
        return;
    };
    evidence.add_with_id(
        "healthcheck-tool-missing",
        Outcome::Advisory,
        subject,
        location,
        format!("the healthcheck calls {tool}, which {base} does not ship"),
        "Copy a static probe binary into the image and call it in exec form, or add the tool in the build.",
    );
}
