//! Shared rules of the controls that read runtime configuration (Compose services).

use super::evidence::Evidence;
use crate::finding::{Location, Outcome};
use crate::model::RepoModel;

/// Adds a review for every Compose project that failed to load: its services, and the images
/// they may build, cannot be judged.
pub fn review_unloaded_projects(model: &RepoModel, evidence: &mut Evidence, what: &str) {
    for project in &model.projects {
        if let Err(error) = &project.loaded {
            evidence.add(
                Outcome::Review,
                &project.files.join(" + "),
                &Location::new(error.path.clone(), error.line.max(1)),
                format!(
                    "the Compose project does not load ({}), so {what} cannot be judged for its services",
                    error.message
                ),
                "Fix the Compose file so that docker compose config accepts it, then grade again.",
            );
        }
    }
}

/// Adds a review for every Compose project that failed to load, and one for a repository that
/// builds images but has no runtime configuration at all. Returns true when there are services
/// to judge.
pub fn judge_runtime_presence(model: &RepoModel, evidence: &mut Evidence, what: &str) -> bool {
    review_unloaded_projects(model, evidence, what);
    if !model.services.is_empty() {
        return true;
    }
    if model.projects.is_empty() {
        if let Some(image) = model.images.first() {
            let path = model.dockerfile_of(image).path.clone();
            evidence.add(
                Outcome::Review,
                &path,
                &Location::new(path.clone(), 1),
                format!("no Compose file runs this repository's images, and a Dockerfile alone cannot set {what}"),
                "Add a Compose file (or the runtime configuration you deploy with) that sets it for every service.",
            );
        }
    }
    false
}
