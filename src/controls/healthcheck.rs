//! The healthcheck control: every image and every Compose service has a healthcheck that can succeed.

use super::{ControlInfo, Reference, Snippet};

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
  shell form through `/bin/sh -c`, so there it can never succeed. Distroless `:debug` tags
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
