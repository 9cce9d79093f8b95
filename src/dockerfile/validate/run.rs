//! Values of `RUN --network`, `--security` and `--mount`, as BuildKit's
//! `frontend/dockerfile/instructions/commands_run*.go` check them.

use std::collections::BTreeMap;

/// Mount option keys that BuildKit accepts, with `env` for secret mounts from the Dockerfile
/// reference (`RUN --mount=type=secret`).
const MOUNT_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "id",
    "sharing",
    "required",
    "mode",
    "uid",
    "gid",
    "size",
    "env",
];

/// Mount options that may be written without a value.
const MOUNT_SWITCHES: &[&str] = &["readonly", "ro", "readwrite", "rw", "required"];

const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

/// Checks `--network` (`default`, `none` or `host`), `--security` (`sandbox` or `insecure`)
/// and each `--mount`. BuildKit compares the network and security values as written, before
/// any variable expansion.
pub(super) fn check_run_flags(flags: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    if let Some(network) = flags.get("network").and_then(|values| values.last()) {
        if !["default", "none", "host"].contains(&network.as_str()) {
            return Err(format!(
                "invalid network mode {network:?} for RUN --network: use default, none or host"
            ));
        }
    }
    if let Some(security) = flags.get("security").and_then(|values| values.last()) {
        if !["sandbox", "insecure"].contains(&security.as_str()) {
            return Err(format!(
                "invalid value {security:?} for RUN --security: use sandbox or insecure"
            ));
        }
    }
    for mount in flags.get("mount").into_iter().flatten() {
        check_mount(mount)?;
    }
    Ok(())
}

/// Checks the keys of one `--mount` value and its type. BuildKit expands variables in the
/// values before it checks them, so a type that contains `$` is not checked here.
///
/// NOTE: the per-type rules (`required` only for secret and ssh mounts, `mode`/`uid`/`gid`
/// not for bind and tmpfs mounts, `sharing` values) are not checked.
///
/// NOTE: BuildKit reads the value as a CSV record. A value with a double quote is skipped here
/// rather than split wrongly.
fn check_mount(value: &str) -> Result<(), String> {
    if value.contains('"') {
        return Ok(());
    }
    for field in value.split(',') {
        let (key, field_value) = match field.split_once('=') {
            Some((key, field_value)) => (key.to_lowercase(), Some(field_value)),
            None => (field.to_lowercase(), None),
        };
        if field_value.is_none() {
            if MOUNT_SWITCHES.contains(&key.as_str()) {
                continue;
            }
            return Err(format!(
                "invalid field {field:?} in RUN --mount: it must be a key=value pair"
            ));
        }
        if !MOUNT_KEYS.contains(&key.as_str()) {
            return Err(format!("unexpected key {key:?} in RUN --mount={value}"));
        }
        let kind = field_value.unwrap_or_default().to_lowercase();
        if key == "type" && !kind.contains('$') && !MOUNT_TYPES.contains(&kind.as_str()) {
            return Err(format!(
                "unsupported mount type {kind:?} in RUN --mount: use bind, cache, tmpfs, secret or ssh"
            ));
        }
    }
    Ok(())
}
