//! Small repositories that other tools judged wrongly, each graded against its expected verdicts.
//!
//! The inputs live in the shared reference data; each test below states in its name and comment
//! what the case is about, and fails with every mismatch listed.

mod support;

use support::{grade_dir, mismatches, read_expected, shared_dir};

fn assert_case(folder: &str) {
    let root = shared_dir("cases").join(folder);
    let expected = read_expected(&root.join("expected.toml"));
    let report = grade_dir(&root);
    let problems = mismatches(&report, &expected);
    assert!(problems.is_empty(), "{folder}:\n{}", problems.join("\n"));
}

/// Running as root in a build stage does not matter when the final stage sets a non-root user.
#[test]
fn root_in_build_stage_only() {
    assert_case("br01-root-builder-stage");
}

/// A Compose build.target picks a build stage, so that stage's root user and compiler ship.
#[test]
fn compose_target_selects_build_stage() {
    assert_case("br01-target-builder-stage");
}

/// `USER 0:0` after `USER app` runs as root: the last USER and its user part decide.
#[test]
fn last_user_uid_zero_with_group() {
    assert_case("br04-user-uid-gid-root");
}

/// A Compose `user: root` overrides a non-root USER in the Dockerfile.
#[test]
fn compose_user_root_overrides_dockerfile() {
    assert_case("br05-compose-user-root");
}

/// A digest pins a reference with no tag, a version tag or `latest` in front of it.
#[test]
fn digest_pins_whatever_tag_precedes_it() {
    assert_case("br06-digest-only-from");
}

/// A Compose image with a registry port, a tag and a digest is pinned.
#[test]
fn compose_image_with_port_tag_and_digest() {
    assert_case("br08-compose-tag-and-digest");
}

/// A FROM built from ARG defaults resolves to a pinned reference.
#[test]
fn from_arg_defaults_resolve_to_digest() {
    assert_case("br09-from-arg-pinned-default");
}

/// A final stage inherits the HEALTHCHECK of the stage it is built FROM.
#[test]
fn healthcheck_inherited_from_parent_stage() {
    assert_case("br11-healthcheck-inherited");
}

/// A HEALTHCHECK in a sibling stage does not reach the build target.
#[test]
fn sibling_stage_healthcheck_does_not_apply() {
    assert_case("br12-target-stage-healthcheck");
}

/// A RUN heredoc followed at once by another instruction parses.
#[test]
fn heredoc_followed_by_instruction() {
    assert_case("br13-heredoc-then-instruction");
}

/// An exec-form COPY parses, and copying `.env` is a secret baked into a layer.
#[test]
fn exec_form_copy_of_env_file() {
    assert_case("br16-exec-form-copy-env");
}

/// A merge-key list brings in `privileged: true`, and a local `read_only: false` wins.
#[test]
fn merge_key_list_brings_privileged() {
    assert_case("br18-merge-list-privileged");
}

/// A read-only long-syntax bind of `/run/docker.sock` is still the socket blocker.
#[test]
fn read_only_socket_bind_long_syntax() {
    assert_case("br21-socket-long-syntax-readonly");
}

/// `!reset` in an override file clears values that earlier layers built up.
#[test]
fn reset_tag_in_override_file() {
    assert_case("br22-reset-in-override");
}

/// Ignore patterns without a slash or `**` match only at the context root.
#[test]
fn root_anchored_ignore_patterns() {
    assert_case("br24-dockerignore-root-anchored");
}

/// A `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`.
#[test]
fn per_dockerfile_ignore_file_wins() {
    assert_case("br26-per-dockerfile-ignore-wins");
}

/// Every case folder has a test above, so a new case cannot be skipped silently.
#[test]
fn every_case_folder_has_a_test() {
    let source = include_str!("cases.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(shared_dir("cases")).expect("cases folder is readable") {
        let path = entry.expect("readable entry").path();
        if !path.join("expected.toml").exists() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !source.contains(&format!("assert_case(\"{name}\")")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "cases without a test: {missing:?}");
}
