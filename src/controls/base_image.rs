//! Offline facts about well-known base images: default users, shells and toolchains.

use crate::image_ref::ImageRef;

/// Tells whether a base image runs as a non-root user by default.
///
/// Distroless images publish `nonroot` and `debug-nonroot` tags (with optional `-<arch>` suffixes)
/// whose default user is 65532; their other tags, such as `static-debian12:latest`, run as root.
/// Chainguard documents that its `cgr.dev/chainguard/*` images run as non-root, `-dev` variants
/// included.
pub fn runs_as_non_root(reference: &ImageRef) -> bool {
    let name = reference.normalized_name();
    if name.starts_with("cgr.dev/chainguard/") {
        return true;
    }
    if !is_distroless(reference) {
        return false;
    }
    let tag = reference.tag.as_deref().unwrap_or("latest");
    ["nonroot", "debug-nonroot"]
        .iter()
        .any(|prefix| tag == *prefix || tag.starts_with(&format!("{prefix}-")))
}

/// Tells whether the reference is one of Google's distroless images.
pub fn is_distroless(reference: &ImageRef) -> bool {
    reference.normalized_name().contains("/distroless/")
}

/// Tells whether a distroless image has no shell. Only the `debug` tags carry a busybox shell.
pub fn is_shell_less_distroless(reference: &ImageRef) -> bool {
    is_distroless(reference)
        && !reference
            .tag
            .as_deref()
            .is_some_and(|tag| tag == "debug" || tag.starts_with("debug-"))
}

/// Names a toolchain base image (compilers and build systems), or returns `None`.
///
/// Toolchain images: golang, rust, gcc, maven, gradle, buildpack-deps, any `-jdk` variant, the
/// `openjdk` images, and the .NET `sdk` images. This is a heuristic over names and tags.
pub fn toolchain(reference: &ImageRef) -> Option<&'static str> {
    let name = reference.normalized_name();
    let basename = reference.basename();
    let tag = reference.tag.as_deref().unwrap_or("").to_ascii_lowercase();

    let by_name = match basename.as_str() {
        "golang" => Some("the Go toolchain"),
        "rust" => Some("the Rust toolchain"),
        "gcc" => Some("the GCC compiler"),
        "maven" => Some("Maven and a JDK"),
        "gradle" => Some("Gradle and a JDK"),
        "buildpack-deps" => Some("compilers and development headers"),
        "openjdk" if !tag.split('-').any(|part| part == "jre") => Some("a JDK"),
        _ => None,
    };
    if by_name.is_some() {
        return by_name;
    }
    if name.ends_with("dotnet/sdk") || name.ends_with("dotnet/core/sdk") {
        return Some("the .NET SDK");
    }
    if tag
        .split('-')
        .any(|part| part == "jdk" || part.ends_with("jdk"))
        || basename.ends_with("-jdk")
    {
        return Some("a JDK");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(reference: &str) -> ImageRef {
        ImageRef::parse(reference)
    }

    #[test]
    fn distroless_nonroot_tags_run_as_non_root() {
        assert!(runs_as_non_root(&parsed(
            "gcr.io/distroless/static-debian12:nonroot"
        )));
        assert!(runs_as_non_root(&parsed(
            "gcr.io/distroless/base:debug-nonroot"
        )));
        assert!(runs_as_non_root(&parsed(
            "gcr.io/distroless/base:nonroot-amd64"
        )));
        assert!(!runs_as_non_root(&parsed(
            "gcr.io/distroless/static-debian12"
        )));
        assert!(!runs_as_non_root(&parsed(
            "gcr.io/distroless/static-debian12:debug"
        )));
    }

    #[test]
    fn chainguard_images_run_as_non_root() {
        assert!(runs_as_non_root(&parsed(
            "cgr.dev/chainguard/python:latest-dev"
        )));
        assert!(!runs_as_non_root(&parsed("alpine:3.20")));
    }

    #[test]
    fn debug_distroless_has_a_shell() {
        assert!(is_shell_less_distroless(&parsed(
            "gcr.io/distroless/static"
        )));
        assert!(!is_shell_less_distroless(&parsed(
            "gcr.io/distroless/static:debug"
        )));
        assert!(!is_shell_less_distroless(&parsed(
            "gcr.io/distroless/base:debug-nonroot"
        )));
    }

    #[test]
    fn toolchain_bases_are_recognised() {
        assert!(toolchain(&parsed("golang:1.22-alpine")).is_some());
        assert!(toolchain(&parsed("docker.io/library/rust:1")).is_some());
        assert!(toolchain(&parsed("eclipse-temurin:21-jdk-jammy")).is_some());
        assert!(toolchain(&parsed("mcr.microsoft.com/dotnet/sdk:8.0")).is_some());
        assert!(toolchain(&parsed("eclipse-temurin:21-jre")).is_none());
        assert!(toolchain(&parsed("mcr.microsoft.com/dotnet/aspnet:8.0")).is_none());
        assert!(toolchain(&parsed("node:20-slim")).is_none());
    }
}
