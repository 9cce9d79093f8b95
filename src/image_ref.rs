//! Image references (`registry/path:tag@sha256:digest`) split into their parts.

use regex::Regex;
use std::sync::OnceLock;

/// An image reference split into name, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry and repository path as written, such as `gcr.io/distroless/static-debian12` or `golang`.
    pub name: String,
    pub tag: Option<String>,
    /// The digest after `@`, such as `sha256:...`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits a reference. The tag is the part after the last `:` that follows the last `/`, so a
    /// registry port (`registry:5000/app`) is not taken for a tag.
    pub fn parse(reference: &str) -> ImageRef {
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |index| index + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(colon) => {
                let split = last_slash + colon;
                (
                    rest[..split].to_string(),
                    Some(rest[split + 1..].to_string()),
                )
            }
            None => (rest.to_string(), None),
        };
        ImageRef { name, tag, digest }
    }

    /// Tells whether the reference carries a full `sha256` digest (64 lowercase hex digits).
    pub fn is_pinned(&self) -> bool {
        static DIGEST: OnceLock<Regex> = OnceLock::new();
        let pattern = DIGEST.get_or_init(|| Regex::new("^sha256:[0-9a-f]{64}$").expect("valid"));
        self.digest
            .as_deref()
            .is_some_and(|digest| pattern.is_match(digest))
    }

    /// Returns the last path component of the name, lowercased: `golang` for `docker.io/library/golang`.
    pub fn basename(&self) -> String {
        self.name
            .rsplit('/')
            .next()
            .unwrap_or(&self.name)
            .to_ascii_lowercase()
    }

    /// Returns the name lowercased, without a `docker.io/` or `index.docker.io/` registry and `library/` prefix.
    pub fn normalized_name(&self) -> String {
        let lowered = self.name.to_ascii_lowercase();
        let without_registry = lowered
            .strip_prefix("docker.io/")
            .or_else(|| lowered.strip_prefix("index.docker.io/"))
            .unwrap_or(&lowered);
        without_registry
            .strip_prefix("library/")
            .unwrap_or(without_registry)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_registry_port_tag_and_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let parsed = ImageRef::parse(&format!("registry.local:5000/team/app:1.2@{digest}"));
        assert_eq!(parsed.name, "registry.local:5000/team/app");
        assert_eq!(parsed.tag.as_deref(), Some("1.2"));
        assert_eq!(parsed.digest.as_deref(), Some(digest.as_str()));
        assert!(parsed.is_pinned());
    }

    #[test]
    fn parse_keeps_registry_port_out_of_tag() {
        let parsed = ImageRef::parse("registry.local:5000/app");
        assert_eq!(parsed.name, "registry.local:5000/app");
        assert_eq!(parsed.tag, None);
        assert!(!parsed.is_pinned());
    }

    #[test]
    fn short_digest_is_not_pinned() {
        assert!(!ImageRef::parse("alpine@sha256:abc").is_pinned());
    }

    #[test]
    fn normalized_name_drops_docker_hub_prefixes() {
        assert_eq!(
            ImageRef::parse("docker.io/library/golang:1.22").normalized_name(),
            "golang"
        );
        assert_eq!(ImageRef::parse("golang").basename(), "golang");
    }
}
