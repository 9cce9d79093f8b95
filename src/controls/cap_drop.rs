//! The cap-drop control: every Compose service drops all capabilities and adds back no dangerous one.

use super::{ControlInfo, Reference, Snippet};

pub const INFO: ControlInfo = ControlInfo {
    id: "cap-drop",
    title: "Cap Drop",
    checks: r#"The runtime configuration in the repository: each Compose service. Kubernetes manifests are
not read yet.

- pass: every service has `cap_drop` containing `ALL`, in any letter case, and its `cap_add`,
  if any, contains only capabilities outside the dangerous set: `SYS_ADMIN`, `SYS_PTRACE`,
  `SYS_MODULE`, `NET_ADMIN`, `DAC_READ_SEARCH` and `ALL`.
- fail: a service without `cap_drop: [ALL]`, or with a dangerous capability in `cap_add`.
- review: the repository has no runtime configuration, since a Dockerfile alone cannot drop
  capabilities.
- Advisory `no-new-privileges`: a Compose service that does not set `no-new-privileges` in
  `security_opt`. Repositories without Compose files never get it. The option is set by
  `no-new-privileges` alone, or by `no-new-privileges:V` or `no-new-privileges=V` where V is
  a value that Go's `strconv.ParseBool` reads as true (`1`, `t`, `T`, `TRUE`, `true`,
  `True`). A false value leaves it unset. So does a value the engine rejects, such as
  `no-new-privileges: true` with a space, and the finding then states that the container would
  fail to start."#,
    rationale: r#"Docker starts containers with a default set of Linux capabilities, among them `CHOWN`,
`DAC_OVERRIDE`, `SETUID`, `SETGID`, `NET_RAW` and `MKNOD`, which most services never use
and an attacker can. Dropping all of them and adding back only what a service needs closes
those paths to privilege escalation. The dangerous capabilities listed here come close to
root on the host: they allow mounting filesystems, tracing other processes, loading kernel
modules, reconfiguring the network or reading any file."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: .
    cap_add:
      - NET_ADMIN"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: .
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true"#,
    }],
    fix: r#"Add `cap_drop: [ALL]` to every service, then list in `cap_add` only the capabilities it
needs, which is often none. Set `security_opt: ["no-new-privileges:true"]` as well. Where a
service truly needs a dangerous capability, record the reason in a waiver."#,
    references: &[
        Reference {
            title: "Compose file reference: cap_drop",
            url: "https://docs.docker.com/reference/compose-file/services/#cap_drop",
        },
        Reference {
            title: "Compose file reference: security_opt",
            url: "https://docs.docker.com/reference/compose-file/services/#security_opt",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 3: Limit capabilities",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-3---limit-capabilities-grant-only-specific-capabilities-needed-by-a-container",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 4: Prevent in-container privilege escalation",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-4---prevent-in-container-privilege-escalation",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.4: Ensure that Linux kernel capabilities are restricted within containers",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};
