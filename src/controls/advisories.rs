//! Findings that belong to no control's verdict: advisories, and files that do not parse.

/// The documentation of a finding id that is neither a control nor a blocker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FindingInfo {
    /// Stable id, such as `system-uid`.
    pub id: &'static str,
    pub title: &'static str,
    /// What the finding reports, and why it matters, in Markdown.
    pub summary: &'static str,
    /// How to resolve it.
    pub fix: &'static str,
    /// The control or blocker it accompanies, if any.
    pub related: Option<&'static str>,
    /// True for advisories, which never change a verdict or a grade.
    pub advisory: bool,
}

pub const PARSE_ERROR: FindingInfo = FindingInfo {
    id: "parse-error",
    title: "File does not parse",
    summary: r#"A Dockerfile or Compose file could not be loaded; the finding gives the line. That includes a
Dockerfile that BuildKit's parser accepts but `docker build` rejects (an unknown instruction,
an instruction other than `ARG` before the first `FROM`, `FROM` with extra words), and a
Compose build whose Dockerfile does not exist in the repository. No verdict is made up from
such a file: every control that needs it answers review, and the matrix shows "parse error"
next to the repository's grade. The repository keeps its row."#,
    fix: r#"Correct the syntax at the reported line; `docker build --check` and `docker compose config`
show the same errors. If the file is not meant to be built, exclude it in repos.toml."#,
    related: None,
    advisory: false,
};

pub const NO_NEW_PRIVILEGES: FindingInfo = FindingInfo {
    id: "no-new-privileges",
    title: "no-new-privileges not set",
    summary: r#"A Compose service whose `security_opt` does not set `no-new-privileges`, so setuid and
setgid programs in the image can still raise the privileges of its processes. The finding
also names a value the engine would reject, such as `no-new-privileges: true`, with which
the container fails to start."#,
    fix: r#"Add `no-new-privileges:true` to the service's `security_opt`."#,
    related: Some("cap-drop"),
    advisory: true,
};

pub const SYSTEM_UID: FindingInfo = FindingInfo {
    id: "system-uid",
    title: "User in the system UID range",
    summary: r#"The effective user is a UID from 1 to 999. Linux distributions give that range to system
accounts, so the UID may belong to an account in the image or on the host that owns files
or daemons."#,
    fix: r#"Use a dedicated UID of 1000 or more, such as `10001`."#,
    related: Some("non-root"),
    advisory: true,
};

pub const HEALTHCHECK_TOOL_MISSING: FindingInfo = FindingInfo {
    id: "healthcheck-tool-missing",
    title: "Healthcheck tool missing",
    summary: r#"A healthcheck calls `curl` or `wget` on a distroless or `scratch` base, which does not ship
them, so the check fails however healthy the service is."#,
    fix: r#"Probe with the program itself (`CMD ["/app", "healthcheck"]`) or copy a small static
probe into the image."#,
    related: Some("healthcheck"),
    advisory: true,
};

pub const READ_ONLY_NO_TMP: FindingInfo = FindingInfo {
    id: "read-only-no-tmp",
    title: "Read-only service without a writable /tmp",
    summary: r#"A service with `read_only: true` has neither a `tmpfs` nor a volume at `/tmp`. Many
programs and libraries write temporary files there and fail on a read-only root filesystem."#,
    fix: r#"Add `tmpfs: [/tmp]` to the service, or a volume mounted at `/tmp`."#,
    related: Some("read-only"),
    advisory: true,
};

pub const SECRET_BUILD_ARG: FindingInfo = FindingInfo {
    id: "secret-build-arg",
    title: "Secret passed as a build argument",
    summary: r#"An `ARG` whose name suggests a secret but has no value or an empty default, or an `ENV`
that copies such a build argument into the image (`ENV NPM_TOKEN=${NPM_TOKEN}`). Values of build
arguments are recorded in the image's history, and an `ENV` keeps them in its configuration."#,
    fix: r#"Pass the secret with `docker build --secret` and read it in the step that needs it with
`RUN --mount=type=secret`."#,
    related: Some("secret-in-image"),
    advisory: true,
};

/// Every finding id that is neither a control nor a blocker, in the order docs list them.
pub const FINDINGS: [&FindingInfo; 6] = [
    &PARSE_ERROR,
    &NO_NEW_PRIVILEGES,
    &SYSTEM_UID,
    &HEALTHCHECK_TOOL_MISSING,
    &READ_ONLY_NO_TMP,
    &SECRET_BUILD_ARG,
];
