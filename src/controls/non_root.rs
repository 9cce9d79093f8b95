//! The non-root control: the image and each Compose service run as a user other than root.

use super::{ControlInfo, Reference, Snippet};

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
