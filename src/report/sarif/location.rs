//! File locations of SARIF results: relative artifact URIs and the fingerprints that let GitHub
//! code scanning follow a finding when lines move.

use super::log::{ArtifactLocation, Location, PhysicalLocation, Region};
use sha2::{Digest, Sha256};

/// The base id of every artifact URI: the root of the graded repository. SARIF names it in
/// `run.originalUriBaseIds`, and GitHub code scanning resolves the relative URIs against the
/// root of the checked-out repository.
pub const SOURCE_ROOT: &str = "%SRCROOT%";

/// The key of dockgrade's entry in `result.partialFingerprints`. SARIF fingerprint keys name a
/// fingerprint type and its version, so that a tool can change the computation under a new key.
pub const FINGERPRINT_KEY: &str = "dockgradeFindingHash/v1";

/// Returns the location of `path` at `line` in the repository, or `None` when `path` cannot be
/// written as a URI relative to the repository root (an absolute path, or one that leaves the
/// root through `..`).
pub fn location(path: &str, line: usize) -> Option<Location> {
    let uri = relative_uri(path)?;
    Some(Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: Some(uri),
                uri_base_id: Some(SOURCE_ROOT),
                description: None,
            },
            // Line 0 marks a finding about a whole file.
            region: (line >= 1).then_some(Region { start_line: line }),
        },
    })
}

/// Turns a repository path with `/` separators into a relative URI reference (RFC 3986,
/// section 4.2). `.` segments and `name/..` pairs are resolved, and each segment is
/// percent-encoded except for the characters RFC 3986 allows unencoded in a path segment.
/// `:` is encoded too, because a first segment with `:` would read as a URI scheme.
pub fn relative_uri(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            name => segments.push(name),
        }
    }
    if segments.is_empty() {
        return None;
    }
    let encoded: Vec<String> = segments
        .iter()
        .map(|segment| encode_segment(segment))
        .collect();
    Some(encoded.join("/"))
}

/// Percent-encodes the UTF-8 bytes of one path segment that are not RFC 3986 `unreserved`
/// characters, sub-delimiters or `@`.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Returns the fingerprint hash of a finding: SHA-256 over its rule id, path and quoted source
/// line, in hex. The line number is left out, so the hash stays the same when lines are added
/// above the finding. The caller appends which occurrence of the hash in the run the finding is,
/// as GitHub's own `primaryLocationLineHash` does, so that identical lines in one file stay
/// apart.
pub fn fingerprint_hash(rule_id: &str, path: &str, quote: &str) -> String {
    let mut hasher = Sha256::new();
    // Each part is preceded by its length, so that no two triples hash the same input.
    for part in [rule_id, path, quote] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_uri_keeps_plain_paths() {
        assert_eq!(
            relative_uri("services/api/Dockerfile").as_deref(),
            Some("services/api/Dockerfile")
        );
        assert_eq!(
            relative_uri(".dockerignore").as_deref(),
            Some(".dockerignore")
        );
    }

    #[test]
    fn relative_uri_encodes_reserved_characters() {
        let cases = [
            ("my app/Dockerfile", "my%20app/Dockerfile"),
            ("a%b/c#d?e", "a%25b/c%23d%3Fe"),
            ("c:/Dockerfile", "c%3A/Dockerfile"),
            ("büro/Dockerfile", "b%C3%BCro/Dockerfile"),
            ("x[1]/Dockerfile", "x%5B1%5D/Dockerfile"),
            ("back\\slash", "back%5Cslash"),
        ];
        for (path, expected) in cases {
            assert_eq!(relative_uri(path).as_deref(), Some(expected), "{path}");
        }
    }

    #[test]
    fn relative_uri_resolves_dot_segments() {
        assert_eq!(
            relative_uri("./a/../b/./Dockerfile").as_deref(),
            Some("b/Dockerfile")
        );
        assert_eq!(
            relative_uri("a//Dockerfile").as_deref(),
            Some("a/Dockerfile")
        );
    }

    #[test]
    fn relative_uri_rejects_paths_outside_root() {
        assert_eq!(relative_uri("../other/Dockerfile"), None);
        assert_eq!(relative_uri("a/../../Dockerfile"), None);
        assert_eq!(relative_uri("/etc/passwd"), None);
        assert_eq!(relative_uri(""), None);
    }

    #[test]
    fn location_has_no_region_for_line_zero() {
        let whole_file = location(".dockerignore", 0).expect("a relative path");
        assert!(whole_file.physical_location.region.is_none());
        let line = location("Dockerfile", 3).expect("a relative path");
        assert_eq!(
            line.physical_location
                .region
                .map(|region| region.start_line),
            Some(3)
        );
    }

    #[test]
    fn fingerprint_hash_depends_on_each_part() {
        let base = fingerprint_hash("non-root", "Dockerfile", "USER root");
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            fingerprint_hash("non-root", "Dockerfile", "USER root")
        );
        assert_ne!(
            base,
            fingerprint_hash("privileged", "Dockerfile", "USER root")
        );
        assert_ne!(
            base,
            fingerprint_hash("non-root", "api/Dockerfile", "USER root")
        );
        assert_ne!(base, fingerprint_hash("non-root", "Dockerfile", "USER 0"));
        assert_ne!(
            fingerprint_hash("a", "bc", ""),
            fingerprint_hash("ab", "c", "")
        );
    }
}
