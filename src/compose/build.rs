//! The `build:` section of a service, with its context and Dockerfile placed in the repository.

use super::model::{Build, LoadError, Located};
use super::node::{Entry, Node, Value};
use super::paths::{is_absolute, is_remote, join};
use super::typed::{located, string_value};
use std::collections::BTreeMap;

/// Converts a `build:` entry, written as a context string or as a mapping.
pub(crate) fn build_from_entry(entry: &Entry, service: &str) -> Result<Option<Build>, LoadError> {
    let node = &entry.value;
    if node.is_null() {
        return Ok(None);
    }

    let (context, context_base_dir, section) = match &node.value {
        Value::Scalar { text, .. } => (
            located(entry, text.clone()),
            node.origin.source.base_dir.clone(),
            None,
        ),
        Value::Map(_) => match node.get("context") {
            Some(context_entry) => match string_value(context_entry, service)? {
                Some(context) => (
                    context,
                    context_entry.value.origin.source.base_dir.clone(),
                    Some(node),
                ),
                None => (
                    default_context(entry),
                    entry.key_origin.source.base_dir.clone(),
                    Some(node),
                ),
            },
            // The specification makes `.` the default context, relative to the file's folder.
            None => (
                default_context(entry),
                entry.key_origin.source.base_dir.clone(),
                Some(node),
            ),
        },
        Value::Seq(_) => {
            return Err(entry.key_origin.error(format!(
                "service `{service}`: `build` must be a context path or a mapping, not a sequence"
            )))
        }
    };

    let field = |key: &str| -> Result<Option<Located<String>>, LoadError> {
        match section.and_then(|section| section.get(key)) {
            Some(field_entry) => string_value(field_entry, service),
            None => Ok(None),
        }
    };
    let dockerfile = field("dockerfile")?;
    let dockerfile_inline = field("dockerfile_inline")?;
    let target = field("target")?;
    let args = match section.and_then(|section| section.get("args")) {
        Some(args_entry) => build_args(args_entry, service)?,
        None => BTreeMap::new(),
    };

    let context_dir = if is_remote(&context.value) {
        None
    } else {
        join(&context_base_dir, &context.value)
    };
    let dockerfile_path = match (&context_dir, &dockerfile, &dockerfile_inline) {
        (None, _, _) => None,
        (Some(_), Some(dockerfile), _) if is_absolute(&dockerfile.value) => None,
        (Some(dir), Some(dockerfile), _) => join(dir, &dockerfile.value),
        (Some(_), None, Some(_)) => None,
        (Some(dir), None, None) => join(dir, "Dockerfile"),
    };

    Ok(Some(Build {
        location: entry.key_origin.location(),
        context,
        context_dir,
        dockerfile,
        dockerfile_path,
        dockerfile_inline,
        target,
        args,
    }))
}

fn default_context(entry: &Entry) -> Located<String> {
    Located {
        value: ".".to_string(),
        path: entry.key_origin.source.path.clone(),
        line: entry.key_origin.line,
        unset: Vec::new(),
    }
}

/// Reads `build.args` as a mapping or as a list of `NAME=VALUE` and bare `NAME` items.
fn build_args(entry: &Entry, service: &str) -> Result<BTreeMap<String, Option<String>>, LoadError> {
    let mut args = BTreeMap::new();
    let invalid = |node: &Node| {
        node.origin.error(format!(
            "service `{service}`: `build.args` holds a {} where a NAME=VALUE string or a value belongs",
            node.type_name()
        ))
    };

    match &entry.value.value {
        Value::Map(entries) => {
            for arg in entries {
                let value = match &arg.value.value {
                    Value::Scalar { .. } => arg.value.scalar_text().map(str::to_string),
                    _ => return Err(invalid(&arg.value)),
                };
                args.insert(arg.key.clone(), value);
            }
        }
        Value::Seq(items) => {
            for item in items {
                let Some(text) = item.scalar_text() else {
                    return Err(invalid(item));
                };
                match text.split_once('=') {
                    Some((name, value)) => args.insert(name.to_string(), Some(value.to_string())),
                    None => args.insert(text.to_string(), None),
                };
            }
        }
        _ if entry.value.is_null() => {}
        _ => return Err(invalid(&entry.value)),
    }
    Ok(args)
}
