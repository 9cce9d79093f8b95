//! Blockers in Compose services: the engine's socket, privileged mode, host namespaces and
//! unconfined security profiles.

use super::evidence::Evidence;
use crate::compose::VolumeKind;
use crate::finding::{Finding, Outcome};
use crate::model::{RepoModel, ServiceUnit};
use crate::source::Snapshot;

/// Socket paths of the Docker and Podman engines. `/var/run` is a link to `/run` on current
/// distributions, so both spellings are listed.
const SOCKET_PATHS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/podman/podman.sock",
    "/var/run/podman/podman.sock",
];

/// Tells whether a path names an engine socket: one of the well-known paths, or any path whose
/// file name is `docker.sock` or `podman.sock` (rootless engines keep theirs under `/run/user/<uid>`).
pub fn is_socket_path(path: &str) -> bool {
    // The engine cleans bind paths, so `/var/./run/docker.sock` is the socket too.
    let collapsed = crate::dockerignore::clean_path(path.trim());
    SOCKET_PATHS.contains(&collapsed.as_str())
        || collapsed.ends_with("/docker.sock")
        || collapsed.ends_with("/podman.sock")
}

/// Host folders that contain an engine socket: binding one of them hands the container the
/// socket inside it just as a bind of the socket itself does.
const SOCKET_FOLDERS: &[&str] = &[
    "/",
    "/var",
    "/var/run",
    "/run",
    "/run/podman",
    "/var/run/podman",
];

/// Tells whether a bind source is a host folder that contains an engine socket.
pub fn is_socket_folder(path: &str) -> bool {
    let trimmed = path.trim();
    trimmed.starts_with('/')
        && SOCKET_FOLDERS.contains(&crate::dockerignore::clean_path(trimmed).as_str())
}

/// Returns the blocker findings of every service.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, check) in CHECKS {
        let mut evidence = Evidence::new(id, model, snapshot);
        for unit in &model.services {
            check(model, unit, &mut evidence);
        }
        findings.extend(evidence.finish().findings);
    }
    findings
}

type Check = fn(&RepoModel, &ServiceUnit, &mut Evidence);

const CHECKS: [(&str, Check); 4] = [
    ("docker-socket", docker_socket),
    ("privileged", privileged),
    ("host-namespace", host_namespace),
    ("unconfined", unconfined),
];

fn docker_socket(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    for volume in &unit.service.volumes {
        let source = volume.source.as_deref().unwrap_or("");
        let source_is_socket =
            volume.kind == VolumeKind::Bind && !source.starts_with('.') && is_socket_path(source);
        // A bind onto the socket path inside the container counts too, unless its source is
        // provably not a socket: a named volume, an anonymous volume, or a path inside the repository.
        let target_is_socket = is_socket_path(&volume.target)
            && volume.kind == VolumeKind::Bind
            && !source.starts_with('.');
        if volume.kind == VolumeKind::Bind && is_socket_folder(source) {
            evidence.add(
                Outcome::Fail,
                &subject,
                &volume.location,
                format!(
                    "bind mount of the host folder {source} (→ {}), which contains the container engine's socket: whoever controls the container controls the host",
                    volume.target
                ),
                "Mount only the files the service needs; if it must talk to the engine, put a filtering socket proxy in front of it and waive this with a reason.",
            );
            continue;
        }
        if !source_is_socket && !target_is_socket {
            continue;
        }
        let unset = if volume.unset.is_empty() {
            String::new()
        } else {
            format!(
                " (the source depends on unset variables: {})",
                volume.unset.join(", ")
            )
        };
        let mode = if volume.read_only { "read-only " } else { "" };
        evidence.add(
            Outcome::Fail,
            &subject,
            &volume.location,
            format!(
                "{mode}bind mount of the container engine's socket ({source} → {}){unset}: whoever controls the container controls the host, read-only or not",
                volume.target
            ),
            "Remove the socket mount; if the service must talk to the engine, put a filtering socket proxy in front of it and waive this with a reason.",
        );
    }
    if let Some(flag) = unit
        .service
        .use_api_socket
        .as_ref()
        .filter(|flag| flag.value)
    {
        evidence.add(
            Outcome::Fail,
            &subject,
            &flag.location(),
            "use_api_socket: true hands the container the engine's API socket, which controls the host",
            "Remove use_api_socket, or waive this with a reason if the service is a trusted build tool.",
        );
    }
}

fn privileged(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    if let Some(flag) = unit.service.privileged.as_ref().filter(|flag| flag.value) {
        evidence.add(
            Outcome::Fail,
            &model.service_subject(unit),
            &flag.location(),
            "privileged: true gives the container every capability and every host device",
            "Remove privileged: true and grant only the capabilities and devices the service needs.",
        );
    }
}

fn host_namespace(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    let service = &unit.service;
    for (key, namespace, value) in [
        ("network_mode", "network", &service.network_mode),
        ("pid", "PID", &service.pid),
        ("ipc", "IPC", &service.ipc),
    ] {
        if let Some(value) = value.as_ref().filter(|value| value.value.trim() == "host") {
            evidence.add(
                Outcome::Fail,
                &subject,
                &value.location(),
                format!("{key}: host shares the host's {namespace} namespace with the container"),
                format!(
                    "Remove {key}: host; publish ports or use a shared network or volume instead."
                ),
            );
        }
    }
}

fn unconfined(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    for option in &unit.service.security_opt {
        let normalized = option.value.trim().to_ascii_lowercase().replace('=', ":");
        let profile = match normalized.as_str() {
            "seccomp:unconfined" => "seccomp",
            "apparmor:unconfined" => "AppArmor",
            _ => continue,
        };
        evidence.add(
            Outcome::Fail,
            &subject,
            &option.location(),
            format!("security_opt {} turns off the {profile} profile", option.value),
            "Remove the unconfined option; if a system call is missing, write a custom profile that allows only it.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_socket_path;

    #[test]
    fn socket_paths_are_recognised() {
        assert!(is_socket_path("/var/run/docker.sock"));
        assert!(is_socket_path("/run//docker.sock"));
        assert!(is_socket_path("/run/podman/podman.sock"));
        assert!(is_socket_path("/run/user/1000/docker.sock"));
        assert!(!is_socket_path("/var/run/docker"));
        assert!(!is_socket_path("./docker.sock.d"));
    }

    #[test]
    fn socket_folders_are_recognised() {
        assert!(super::is_socket_folder("/"));
        assert!(super::is_socket_folder("/var/run/"));
        assert!(super::is_socket_folder("/run"));
        assert!(!super::is_socket_folder("/var/lib/app"));
        assert!(!super::is_socket_folder("./run"));
        assert!(super::is_socket_folder("/var/./run"));
        assert!(super::is_socket_folder("/var/run/../run"));
        assert!(is_socket_path("/var/./run/docker.sock"));
    }
}
