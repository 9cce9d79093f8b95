//! The seven controls and the blockers, each a pure function from the repo model to a verdict with findings.

pub mod advisories;
mod base_image;
pub mod blockers;
mod build_tools;
pub mod cap_drop;
pub mod dockerignore;
mod evidence;
pub mod healthcheck;
pub mod multi_stage;
pub mod non_root;
pub mod pinned_digest;
pub mod read_only;
pub mod run;
mod runtime;
mod runtime_blockers;
mod secret_in_image;
pub mod secrets;

pub use advisories::FindingInfo;

/// A control's or blocker's documentation, kept beside its code so that docs and reports cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ControlInfo {
    /// Stable id, such as `non-root`.
    pub id: &'static str,
    /// Column title in the matrix, such as `Non-Root`.
    pub title: &'static str,
    /// Every rule of the control, in Markdown: an optional opening paragraph, then one `- ` line per rule.
    pub checks: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// Files that fail the control.
    pub failing_example: &'static [Snippet],
    /// The same files fixed.
    pub passing_example: &'static [Snippet],
    /// How to fix a failure.
    pub fix: &'static str,
    /// Public references.
    pub references: &'static [Reference],
}

/// One file of an example: its name and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    /// File name, such as `Dockerfile`, `compose.yaml` or `.dockerignore`.
    pub file: &'static str,
    pub code: &'static str,
}

impl Snippet {
    /// Returns the Markdown code fence language for the file: `dockerfile`, `yaml`, `gitignore` or `text`.
    pub fn language(&self) -> &'static str {
        let name = self.file.rsplit('/').next().unwrap_or(self.file);
        if name.ends_with(".dockerignore") {
            "gitignore"
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            "yaml"
        } else if name.contains("Dockerfile") || name.contains("Containerfile") {
            "dockerfile"
        } else {
            "text"
        }
    }
}

/// A public document that backs a control: its title and address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub title: &'static str,
    pub url: &'static str,
}

/// The seven controls, in the order of the matrix columns.
pub const CONTROLS: [&ControlInfo; 7] = [
    &multi_stage::INFO,
    &non_root::INFO,
    &pinned_digest::INFO,
    &healthcheck::INFO,
    &dockerignore::INFO,
    &cap_drop::INFO,
    &read_only::INFO,
];

/// The blockers, in the order reports list them.
pub const BLOCKERS: [&ControlInfo; 5] = [
    &blockers::DOCKER_SOCKET,
    &blockers::PRIVILEGED,
    &blockers::HOST_NAMESPACE,
    &blockers::UNCONFINED,
    &blockers::SECRET_IN_IMAGE,
];

/// The documentation of any finding id: a control, a blocker, or another finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Info {
    Control(&'static ControlInfo),
    Blocker(&'static ControlInfo),
    Finding(&'static FindingInfo),
}

impl Info {
    pub fn id(&self) -> &'static str {
        match self {
            Info::Control(info) | Info::Blocker(info) => info.id,
            Info::Finding(info) => info.id,
        }
    }
}

/// Looks up the documentation of a control, blocker or other finding id.
pub fn lookup(id: &str) -> Option<Info> {
    if let Some(info) = CONTROLS.iter().find(|info| info.id == id) {
        return Some(Info::Control(info));
    }
    if let Some(info) = BLOCKERS.iter().find(|info| info.id == id) {
        return Some(Info::Blocker(info));
    }
    advisories::FINDINGS
        .iter()
        .find(|info| info.id == id)
        .map(|info| Info::Finding(info))
}

/// Returns every documented id: controls, then blockers, then other findings.
pub fn all_ids() -> Vec<&'static str> {
    let controls = CONTROLS.iter().map(|info| info.id);
    let blockers = BLOCKERS.iter().map(|info| info.id);
    let findings = advisories::FINDINGS.iter().map(|info| info.id);
    controls.chain(blockers).chain(findings).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Ids are part of the interface (waivers, JSON, docs), so this list only ever grows.
    const SHIPPED_IDS: [&str; 18] = [
        "multi-stage",
        "non-root",
        "pinned-digest",
        "healthcheck",
        "dockerignore",
        "cap-drop",
        "read-only",
        "docker-socket",
        "privileged",
        "host-namespace",
        "unconfined",
        "secret-in-image",
        "parse-error",
        "no-new-privileges",
        "system-uid",
        "healthcheck-tool-missing",
        "read-only-no-tmp",
        "secret-build-arg",
    ];

    fn is_kebab_case(id: &str) -> bool {
        !id.is_empty()
            && !id.starts_with('-')
            && !id.ends_with('-')
            && !id.contains("--")
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    #[test]
    fn ids_equal_shipped_list() {
        assert_eq!(all_ids(), SHIPPED_IDS);
    }

    #[test]
    fn ids_are_unique() {
        let ids = all_ids();
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate id in {ids:?}");
    }

    #[test]
    fn ids_are_kebab_case() {
        for id in all_ids() {
            assert!(is_kebab_case(id), "id {id:?} is not kebab-case");
        }
    }

    #[test]
    fn matrix_titles_in_column_order() {
        let titles: Vec<_> = CONTROLS.iter().map(|info| info.title).collect();
        assert_eq!(
            titles,
            [
                "Multi-Stage",
                "Non-Root",
                "Pinned Digest",
                "Healthcheck",
                ".dockerignore",
                "Cap Drop",
                "Read-Only FS",
            ]
        );
    }

    #[test]
    fn lookup_finds_every_id() {
        for id in all_ids() {
            let info = lookup(id).unwrap_or_else(|| panic!("lookup({id:?}) found nothing"));
            assert_eq!(info.id(), id);
        }
    }

    #[test]
    fn lookup_tells_kinds_apart() {
        assert!(matches!(lookup("non-root"), Some(Info::Control(_))));
        assert!(matches!(lookup("privileged"), Some(Info::Blocker(_))));
        assert!(matches!(lookup("system-uid"), Some(Info::Finding(_))));
        assert_eq!(lookup("no-such-control"), None);
    }

    #[test]
    fn every_control_documents_each_part() {
        for info in CONTROLS.iter().chain(BLOCKERS.iter()) {
            assert!(!info.title.is_empty(), "{}: empty title", info.id);
            assert!(!info.checks.trim().is_empty(), "{}: empty checks", info.id);
            assert!(
                !info.rationale.trim().is_empty(),
                "{}: empty rationale",
                info.id
            );
            assert!(
                !info.failing_example.is_empty(),
                "{}: no failing example",
                info.id
            );
            assert!(
                !info.passing_example.is_empty(),
                "{}: no passing example",
                info.id
            );
            assert!(!info.fix.trim().is_empty(), "{}: empty fix", info.id);
            assert!(!info.references.is_empty(), "{}: no references", info.id);
        }
    }

    #[test]
    fn references_are_https_urls() {
        for info in CONTROLS.iter().chain(BLOCKERS.iter()) {
            for reference in info.references {
                assert!(
                    reference.url.starts_with("https://") && !reference.url.contains(' '),
                    "{}: reference {:?} is not an https URL",
                    info.id,
                    reference.url
                );
                assert!(
                    !reference.title.is_empty(),
                    "{}: untitled reference",
                    info.id
                );
            }
        }
    }

    #[test]
    fn snippet_language_from_file_name() {
        let cases = [
            ("Dockerfile", "dockerfile"),
            ("build/api.Dockerfile", "dockerfile"),
            ("compose.yaml", "yaml"),
            ("docker-compose.yml", "yaml"),
            (".dockerignore", "gitignore"),
            ("Dockerfile.dockerignore", "gitignore"),
            ("notes.txt", "text"),
        ];
        for (file, expected) in cases {
            let snippet = Snippet { file, code: "" };
            assert_eq!(snippet.language(), expected, "language of {file}");
        }
    }
}
