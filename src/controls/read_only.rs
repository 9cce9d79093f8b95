//! The read-only control: every Compose service runs with a read-only root filesystem.

use super::{ControlInfo, Reference, Snippet};

pub const INFO: ControlInfo = ControlInfo {
    id: "read-only",
    title: "Read-Only FS",
    checks: r#"The runtime configuration in the repository: each Compose service. Kubernetes manifests are
not read yet.

- pass: every service has `read_only: true`.
- fail: a service without `read_only`, or with `read_only: false`.
- review: the repository has no runtime configuration.
- Advisory `read-only-no-tmp`: a read-only service that has neither a `tmpfs` nor a volume
  mounted at `/tmp`. It does not change the verdict."#,
    rationale: r#"With a read-only root filesystem, an attacker who gets code execution in the container
cannot replace the service's binaries, plant a backdoor in the image's folders or download
tools into them. Whatever the service must write goes to volumes and `tmpfs` mounts that the
Compose file lists, so every writable path is visible in review."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: ."#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: .
    read_only: true
    tmpfs:
      - /tmp"#,
    }],
    fix: r#"Set `read_only: true` on every service, and mount a `tmpfs` or a volume at each path the
service must write: `/tmp`, caches, upload folders."#,
    references: &[
        Reference {
            title: "Compose file reference: read_only",
            url: "https://docs.docker.com/reference/compose-file/services/#read_only",
        },
        Reference {
            title: "Compose file reference: tmpfs",
            url: "https://docs.docker.com/reference/compose-file/services/#tmpfs",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 8: Set filesystem and volumes to read-only",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-8---set-filesystem-and-volumes-to-read-only",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.13: Ensure that the container's root filesystem is mounted as read only",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};
