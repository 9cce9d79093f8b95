//! Stage names and image references in `FROM`.

use std::sync::OnceLock;

use regex::Regex;

/// Checks a stage name as BuildKit's `parseBuildStageName` does: after lowercasing, it must
/// match `^[a-z][a-z0-9-_.]*$`.
pub(super) fn check_stage_name(name: &str) -> Result<(), String> {
    let lower = name.to_lowercase();
    let mut chars = lower.chars();
    let first_ok = chars.next().is_some_and(|ch| ch.is_ascii_lowercase());
    let rest_ok =
        chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "-_.".contains(ch));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "invalid name for build stage: {name:?}: a stage name starts with a letter and contains only letters, digits, '-', '_' and '.'"
        ))
    }
}

/// Checks an image reference with the grammar of the `distribution/reference` package that
/// BuildKit uses (`ParseNormalizedNamed`): an optional registry host, lowercase path
/// components, an optional `:tag` and an optional `@algorithm:digest`.
///
/// As in that package, a first component counts as a registry host when it contains `.` or
/// `:`, is `localhost`, or contains an upper-case letter, so only the path must be lowercase.
pub(super) fn check_image_reference(reference: &str) -> Result<(), String> {
    static PATTERNS: OnceLock<(Regex, Regex, Regex, Regex)> = OnceLock::new();
    let (domain, component, tag, digest) = PATTERNS.get_or_init(|| {
        let compile = |pattern: &str| Regex::new(pattern).expect("valid pattern");
        (
            compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$"),
            compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$"),
            compile(r"^[\w][\w.-]{0,127}$"),
            compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$"),
        )
    });
    let invalid = || Err(format!("invalid image reference {reference:?}"));

    let (name_and_tag, digest_part) = match reference.split_once('@') {
        Some((name, value)) => (name, Some(value)),
        None => (reference, None),
    };
    if digest_part.is_some_and(|value| !digest.is_match(value)) {
        return invalid();
    }
    let last_slash = name_and_tag.rfind('/').map_or(0, |index| index + 1);
    let (name, tag_part) = match name_and_tag[last_slash..].rfind(':') {
        Some(index) => (
            &name_and_tag[..last_slash + index],
            Some(&name_and_tag[last_slash + index + 1..]),
        ),
        None => (name_and_tag, None),
    };
    if tag_part.is_some_and(|value| !tag.is_match(value)) {
        return invalid();
    }

    let path = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|ch| ch.is_ascii_uppercase()) =>
        {
            if !domain.is_match(first) {
                return invalid();
            }
            rest
        }
        _ => name,
    };
    if path.chars().any(|ch| ch.is_ascii_uppercase()) {
        return Err(format!(
            "invalid image reference {reference:?}: repository name must be lowercase"
        ));
    }
    if path.is_empty() || !path.split('/').all(|part| component.is_match(part)) {
        return invalid();
    }
    Ok(())
}
