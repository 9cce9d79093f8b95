//! Service `volumes:` entries in short syntax (`SOURCE:TARGET:MODE`) and long syntax
//! (`{type, source, target, read_only, ...}`).

use super::model::{LoadError, Volume, VolumeKind};
use super::node::{Node, Value};
use super::paths::has_drive_letter;
use super::typed::{bool_value, collect_unset};

/// A short-syntax volume split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ShortVolume {
    /// `None` for an anonymous volume such as `- /data`.
    pub source: Option<String>,
    pub target: String,
    /// The comma-separated options after the second colon (`ro`, `z`, `nocopy`, ...).
    pub options: Vec<String>,
}

/// Splits `SOURCE:TARGET[:MODE]` or a lone `TARGET`. A colon right after a single drive letter,
/// as in `C:\data:/data`, belongs to a Windows path and does not separate parts.
pub(crate) fn parse_short_volume(spec: &str) -> Result<ShortVolume, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        let is_drive_colon = c == ':'
            && current.len() == 1
            && current.chars().all(|letter| letter.is_ascii_alphabetic())
            && matches!(chars.peek(), Some('\\') | Some('/'));
        if c == ':' && !is_drive_colon {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);

    match parts.len() {
        1 => Ok(ShortVolume {
            source: None,
            target: parts.remove(0),
            options: Vec::new(),
        }),
        2 | 3 => {
            let options = match parts.get(2) {
                Some(mode) => mode.split(',').map(str::to_string).collect(),
                None => Vec::new(),
            };
            let target = parts.remove(1);
            Ok(ShortVolume {
                source: Some(parts.remove(0)),
                target,
                options,
            })
        }
        _ => Err(format!(
            "`{spec}` has too many colons; write SOURCE:TARGET or SOURCE:TARGET:MODE"
        )),
    }
}

/// Decides whether a short-syntax source is a host path (bind mount) or a volume name. The
/// specification requires host paths to start with `.`, `/` or `~`. Windows drive and UNC paths
/// count as host paths too, and a `\\.\pipe\` path is a named pipe.
fn short_source_kind(source: &str) -> VolumeKind {
    if source.starts_with("\\\\.\\pipe\\") || source.starts_with("//./pipe/") {
        VolumeKind::Npipe
    } else if source.starts_with(['.', '/', '~', '\\']) || has_drive_letter(source) {
        VolumeKind::Bind
    } else if source.is_empty() {
        // NOTE: an empty source comes from a variable that expanded to nothing, such as
        // `${DATA_DIR}:/data`. Compose rejects the entry. The loader keeps it as a bind mount, so
        // the unset variable is reported instead of the whole project failing to load.
        VolumeKind::Bind
    } else {
        VolumeKind::Volume
    }
}

/// Converts one `volumes:` item of a service.
pub(crate) fn volume_from_node(item: &Node, service: &str) -> Result<Volume, LoadError> {
    match &item.value {
        Value::Map(_) => long_volume(item, service),
        Value::Scalar { .. } if !item.is_null() => {
            let spec = item.scalar_text().unwrap_or_default();
            let short = parse_short_volume(spec).map_err(|reason| item.origin.error(format!("service `{service}`: {reason}")))?;
            let read_only = short.options.iter().any(|option| option == "ro");
            let kind = match &short.source {
                Some(source) => short_source_kind(source),
                None => VolumeKind::Volume,
            };
            Ok(Volume {
                location: item.origin.location(),
                kind,
                source: short.source,
                target: short.target,
                read_only,
                unset: item.unset.clone(),
            })
        }
        _ => Err(item.origin.error(format!(
            "service `{service}`: a volume entry is a {}; write SOURCE:TARGET or a mapping with type, source and target",
            item.type_name()
        ))),
    }
}

fn long_volume(item: &Node, service: &str) -> Result<Volume, LoadError> {
    let text = |key: &str| {
        item.get(key)
            .and_then(|entry| entry.value.scalar_text())
            .map(str::to_string)
    };

    let Some(kind_text) = text("type") else {
        return Err(item.origin.error(format!(
            "service `{service}`: a long-syntax volume needs `type` (bind, volume, tmpfs, image, npipe or cluster)"
        )));
    };
    let kind = match kind_text.as_str() {
        "bind" => VolumeKind::Bind,
        "volume" => VolumeKind::Volume,
        "tmpfs" => VolumeKind::Tmpfs,
        "npipe" => VolumeKind::Npipe,
        "cluster" => VolumeKind::Cluster,
        "image" => VolumeKind::Image,
        other => {
            return Err(item.origin.error(format!(
                "service `{service}`: unknown volume type `{other}`; use bind, volume, tmpfs, image, npipe or cluster"
            )))
        }
    };
    let Some(target) = text("target") else {
        return Err(item.origin.error(format!(
            "service `{service}`: the volume has no `target`; add the path inside the container"
        )));
    };
    let read_only = match item.get("read_only") {
        Some(entry) => bool_value(entry, service)?
            .map(|located| located.value)
            .unwrap_or(false),
        None => false,
    };

    Ok(Volume {
        location: item.origin.location(),
        kind,
        source: text("source").filter(|source| !source.is_empty()),
        target,
        read_only,
        unset: collect_unset(item),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(spec: &str) -> ShortVolume {
        parse_short_volume(spec).expect("valid short syntax")
    }

    #[test]
    fn short_syntax_parts() {
        assert_eq!(
            short("./data:/data:ro,z"),
            ShortVolume {
                source: Some("./data".to_string()),
                target: "/data".to_string(),
                options: vec!["ro".to_string(), "z".to_string()],
            }
        );
        assert_eq!(short("/data").source, None);
        assert_eq!(short("/data").target, "/data");
    }

    #[test]
    fn windows_drive_is_not_a_separator() {
        let volume = short("C:\\docker\\project:/test:ro");
        assert_eq!(volume.source.as_deref(), Some("C:\\docker\\project"));
        assert_eq!(volume.target, "/test");
    }

    #[test]
    fn too_many_colons() {
        assert!(parse_short_volume("a:b:c:d").is_err());
    }

    #[test]
    fn source_kinds() {
        assert_eq!(short_source_kind("./data"), VolumeKind::Bind);
        assert_eq!(short_source_kind("../data"), VolumeKind::Bind);
        assert_eq!(short_source_kind("/var/run/docker.sock"), VolumeKind::Bind);
        assert_eq!(short_source_kind("~/data"), VolumeKind::Bind);
        assert_eq!(short_source_kind("C:\\data"), VolumeKind::Bind);
        assert_eq!(short_source_kind("db-data"), VolumeKind::Volume);
        assert_eq!(
            short_source_kind("\\\\.\\pipe\\docker_engine"),
            VolumeKind::Npipe
        );
    }
}
