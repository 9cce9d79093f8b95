//! The non-root control: the image and each Compose service run as a user other than root.

use super::base_image;
use super::evidence::Evidence;
use super::{ControlInfo, Reference, Snippet};
use crate::dockerfile::{stage, BaseKind, Word};
use crate::finding::{Location, Outcome};
use crate::image_ref::ImageRef;
use crate::model::{Image, RepoModel, ServiceUnit};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "non-root",
    title: "Non-Root",
    checks: r#"The effective user of the final stage: the last `USER` instruction of that stage; without
one, the user of the stage it is built `FROM`; without that, the base image's default user.
`ONBUILD USER` is not the stage's user, because it applies only to images built from this
one. A Compose `user:` on the service that runs the image overrides the Dockerfile in both
directions, also when the Dockerfile does not parse.

- pass: a user name other than `root`, or a UID other than 0, with or without a group
  (`1001`, `app`, `app:app`, `65532:65532`). A non-root user with group 0 (`10001:0`)
  passes.
- pass, with a note saying so: no `USER`, on a base image known to run as non-root by
  default: distroless `:nonroot` and `:debug-nonroot` tags, and `cgr.dev/chainguard/*` images,
  `-dev` variants included, whose vendor documents that they run as non-root. Other
  distroless tags, such as `static-debian12`, run as root.
- fail: no `USER`, on a base image not known to run as non-root. Most public base images run
  as root, so the finding states that this is assumed and that a `USER` line or a waiver
  settles it.
- fail: the effective user is `root`, `0`, `0:0`, `root:root`, UID 0 with any group
  (`0:<gid>`), or the Windows `ContainerAdministrator`.
- review: the user comes from a variable that cannot be resolved.
- A Compose service that only runs someone else's image (`image:` without `build:`) passes
  with a non-root `user:`, and is review without one, because that image's user cannot be
  known offline.
- Advisory `system-uid`: the effective user is a UID from 1 to 999, the range that Linux
  distributions reserve for system accounts. It concerns the effective user only and does not
  change the verdict."#,
    rationale: r#"Unless the engine remaps user namespaces, root in a container is UID 0 on the host kernel:
a container escape, a writable host mount or an exposed device then acts with full
privileges. A process running as an unprivileged user also cannot rewrite the image's
binaries or install tools at run time."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM python:3.12-slim
WORKDIR /app
COPY app/ ./app/
CMD ["python", "-m", "app"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM python:3.12-slim
RUN useradd --uid 10001 --no-create-home app
WORKDIR /app
COPY app/ ./app/
USER 10001
CMD ["python", "-m", "app"]"#,
    }],
    fix: r#"Create an unprivileged user in the image and switch to it with `USER`, preferably as a
numeric UID of 1000 or more: Kubernetes can verify `runAsNonRoot` only for a numeric user.
Alternatively set a non-root `user:` on each Compose service. Give that user write access
only to the paths it must write, for example with `COPY --chown`."#,
    references: &[
        Reference {
            title: "Dockerfile reference: USER",
            url: "https://docs.docker.com/reference/dockerfile/#user",
        },
        Reference {
            title: "Docker documentation: Building best practices, USER",
            url: "https://docs.docker.com/build/building/best-practices/#user",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 2: Set a user",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-2---set-a-user",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 4.1: Ensure that a user for the container has been created",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

/// Grades the effective user of every service and of every image that no service runs.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    super::runtime::review_unloaded_projects(model, &mut evidence, "the users of its services");
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

fn evaluate_service(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    if let Some(user) = &unit.service.user {
        // A Compose user: overrides the image's USER, whether the Dockerfile parses or not.
        let setting = UserSetting {
            origin: "the service's Compose user:",
            value: &user.value,
            inherited: "",
            unresolved: &user.unset,
        };
        judge_user(evidence, &subject, &user.location(), &setting);
        return;
    }
    match unit.image {
        Some(image) => evaluate_image(model, &model.images[image], &subject, evidence),
        None => {
            let location = unit
                .service
                .image
                .as_ref()
                .map(|image| image.location())
                .unwrap_or_else(|| unit.service.location.clone());
            evidence.add(
                Outcome::Review,
                &subject,
                &location,
                "the service runs an image built elsewhere and sets no user:, so its user is not known offline",
                "Set user: to a non-root UID (for example \"10001:10001\") on the service, or waive this after checking the image's USER.",
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

    // The effective user: the last USER of the target stage, else of the stage it is built FROM,
    // and so on; ONBUILD USER does not count because it runs only in images built from this one.
    let chain = stage::from_chain(&image.stages, target);
    for &index in &chain {
        if let Some((command, word)) = image.stages[index].last_user() {
            let inherited = if index == target {
                String::new()
            } else {
                format!(" (inherited from stage {})", stage_label(image, index))
            };
            judge_word(
                evidence,
                subject,
                &Location::new(&path, command.line),
                word,
                &inherited,
            );
            return;
        }
    }

    let root = &image.stages[*chain.last().expect("chain is never empty")];
    let location = Location::new(&path, root.line);
    if root.base_kind == BaseKind::Scratch {
        evidence.add(
            Outcome::Fail,
            subject,
            &location,
            "no USER, and an image FROM scratch runs as root (UID 0) unless USER is set",
            "Add USER 65532:65532 (or another non-root UID) to the final stage.",
        );
        return;
    }
    if !root.base.is_resolved() {
        evidence.add(
            Outcome::Review,
            subject,
            &location,
            format!(
                "no USER, and the base image depends on unresolved variables ({}), so its default user is not known",
                root.base.unresolved.join(", ")
            ),
            "Add a USER line with a non-root UID to the final stage, or give the variable a default.",
        );
        return;
    }
    let reference = ImageRef::parse(&root.base.value);
    if base_image::runs_as_non_root(&reference) {
        evidence.add(
            Outcome::Pass,
            subject,
            &location,
            format!(
                "no USER, but the base image {} runs as a non-root user by default",
                root.base.value
            ),
            "",
        );
        return;
    }
    // Windows Server Core images run as ContainerAdministrator unless USER sets another user.
    let assumption = if reference.normalized_name().contains("windows")
        || reference
            .tag
            .as_deref()
            .is_some_and(|tag| tag.contains("windowsservercore"))
    {
        "runs as ContainerAdministrator, the Windows administrator account, by default"
    } else {
        "is assumed to run as root, as most public images do"
    };
    evidence.add(
        Outcome::Fail,
        subject,
        &location,
        format!(
            "no USER in the final stage; the base image {} {assumption}",
            root.base.value
        ),
        "Add USER with a non-root UID (for example USER 10001:10001) to the final stage, or a waiver if the base image sets a non-root USER.",
    );
}

fn stage_label(image: &Image, index: usize) -> String {
    image.stages[index]
        .name
        .clone()
        .unwrap_or_else(|| index.to_string())
}

fn judge_word(
    evidence: &mut Evidence,
    subject: &str,
    location: &Location,
    word: &Word,
    inherited: &str,
) {
    let user = UserSetting {
        origin: "USER",
        value: &word.value,
        inherited,
        unresolved: &word.unresolved,
    };
    judge_user(evidence, subject, location, &user);
}

/// One user setting: where it comes from, its value, and what it could not resolve.
struct UserSetting<'a> {
    /// `USER` or `the service's Compose user:`.
    origin: &'a str,
    value: &'a str,
    /// ` (inherited from stage build)` when the USER line is in a parent stage, else empty.
    inherited: &'a str,
    unresolved: &'a [String],
}

fn judge_user(evidence: &mut Evidence, subject: &str, location: &Location, setting: &UserSetting) {
    let UserSetting {
        origin,
        value,
        inherited,
        unresolved,
    } = *setting;
    if !unresolved.is_empty() {
        // An unset variable with no default expands to nothing.
        let shown = if value.is_empty() { "(empty)" } else { value };
        evidence.add(
            Outcome::Review,
            subject,
            location,
            format!(
                "{origin} {shown}{inherited} depends on unresolved variables ({}), so the user is not known",
                unresolved.join(", ")
            ),
            "Give the variable a non-root default, or write the UID literally.",
        );
        return;
    }
    let user = value.split(':').next().unwrap_or("").trim();
    if user.is_empty() {
        evidence.add(
            Outcome::Review,
            subject,
            location,
            format!("{origin}{inherited} is empty"),
            "Set a non-root user, such as 10001:10001.",
        );
        return;
    }
    // The engine reads a numeric user with Go's strconv.Atoi, which accepts a sign, so `-0` and
    // `+0` are UID 0 too.
    let is_root = user == "root"
        || user.parse::<i64>() == Ok(0)
        || user.eq_ignore_ascii_case("ContainerAdministrator");
    if is_root {
        evidence.add(
            Outcome::Fail,
            subject,
            location,
            format!("{origin} {value}{inherited} runs the container as root"),
            "Switch to a non-root user in the final stage, for example USER 10001:10001, after the steps that need root.",
        );
        return;
    }
    evidence.add(
        Outcome::Pass,
        subject,
        location,
        format!("{origin} {value}{inherited} is not root"),
        "",
    );
    if let Ok(uid) = user.parse::<u64>() {
        if (1..1000).contains(&uid) {
            evidence.add_with_id(
                "system-uid",
                Outcome::Advisory,
                subject,
                location,
                format!("UID {uid} is in the system range (1-999), which may collide with a system account of the host or base image"),
                "Use a UID of 10000 or more, such as 10001.",
            );
        }
    }
}
