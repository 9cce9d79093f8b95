//! The read-only control: every Compose service runs with a read-only root filesystem.

use super::evidence::Evidence;
use super::runtime;
use super::{ControlInfo, Reference, Snippet};
use crate::finding::Outcome;
use crate::model::{RepoModel, ServiceUnit};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

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

/// Grades every Compose service: `read_only: true` passes. Adds the `read-only-no-tmp` advisory.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    if runtime::judge_runtime_presence(model, &mut evidence, "a read-only root filesystem") {
        for unit in &model.services {
            evaluate_service(model, unit, &mut evidence);
        }
    }
    evidence.finish()
}

fn evaluate_service(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    let service = &unit.service;
    let Some(read_only) = &service.read_only else {
        evidence.add(
            Outcome::Fail,
            &subject,
            &service.location,
            "no read_only, so the container's root filesystem is writable",
            "Add read_only: true and mount a tmpfs for the paths the program writes, such as /tmp.",
        );
        return;
    };
    if !read_only.value {
        evidence.add(
            Outcome::Fail,
            &subject,
            &read_only.location(),
            "read_only: false leaves the root filesystem writable",
            "Set read_only: true and mount a tmpfs for the paths the program writes, such as /tmp.",
        );
        return;
    }
    evidence.add(
        Outcome::Pass,
        &subject,
        &read_only.location(),
        "read_only: true",
        "",
    );

    let tmp_in_tmpfs = service.tmpfs.iter().any(|entry| {
        entry
            .value
            .split(':')
            .next()
            .map(|target| target.trim_end_matches('/'))
            == Some("/tmp")
    });
    let tmp_in_volumes = service
        .volumes
        .iter()
        .any(|volume| volume.target.trim_end_matches('/') == "/tmp");
    if !tmp_in_tmpfs && !tmp_in_volumes {
        evidence.add_with_id(
            "read-only-no-tmp",
            Outcome::Advisory,
            &subject,
            &read_only.location(),
            "the root filesystem is read-only and nothing is mounted at /tmp, so programs that write temporary files will fail",
            "Add tmpfs: [/tmp] to the service.",
        );
    }
}
