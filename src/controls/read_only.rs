use super::evidence::Evidence;
use super::runtime;
use crate::finding::Outcome;
use crate::model::{RepoModel, ServiceUnit};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

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

    let tmp_in_tmpfs = service
        .tmpfs
        .iter()
        .any(|entry| entry.value.split(':').next().map(|target| target.trim_end_matches('/')) == Some("/tmp"));
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
