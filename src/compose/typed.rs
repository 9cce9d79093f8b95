//! Conversion of tree values to the typed, located values of the model, with errors that name the
//! service, the key and the accepted forms.

use super::model::{LoadError, Located};
use super::node::{Entry, Node, ScalarKind, Value};

/// Returns every unset variable recorded in a subtree, sorted and without duplicates.
pub(crate) fn collect_unset(node: &Node) -> Vec<String> {
    let mut names = Vec::new();
    gather_unset(node, &mut names);
    names.sort();
    names.dedup();
    names
}

fn gather_unset(node: &Node, names: &mut Vec<String>) {
    names.extend(node.unset.iter().cloned());
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| gather_unset(item, names)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|entry| gather_unset(&entry.value, names)),
        Value::Scalar { .. } => {}
    }
}

/// Locates a value at its key, which is the line a reader looks for, with the unset variables of
/// the value.
pub(crate) fn located<T>(entry: &Entry, value: T) -> Located<T> {
    Located {
        value,
        path: entry.key_origin.source.path.clone(),
        line: entry.key_origin.line,
        unset: collect_unset(&entry.value),
    }
}

fn unset_hint(node: &Node) -> String {
    match collect_unset(node).as_slice() {
        [] => String::new(),
        names => format!(
            " (unset variable {}: define it in .env or give it a default)",
            names.join(", ")
        ),
    }
}

/// Reads a string-valued key; numbers keep their written text, so `user: 1000` is `"1000"`.
pub(crate) fn string_value(
    entry: &Entry,
    service: &str,
) -> Result<Option<Located<String>>, LoadError> {
    let node = &entry.value;
    match &node.value {
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => Ok(None),
        Value::Scalar { text, .. } => Ok(Some(located(entry, text.clone()))),
        _ => Err(entry.key_origin.error(format!(
            "service `{service}`: `{}` must be a string, not a {}",
            entry.key,
            node.type_name()
        ))),
    }
}

/// Reads a boolean key. Besides YAML booleans, Compose accepts the strings `true`, `yes`, `on`,
/// `y`, `false`, `no`, `off` and `n` in any case, which is what a variable expands to.
pub(crate) fn bool_value(entry: &Entry, service: &str) -> Result<Option<Located<bool>>, LoadError> {
    let node = &entry.value;
    let value = match &node.value {
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => return Ok(None),
        Value::Scalar {
            kind: ScalarKind::Bool(value),
            ..
        } => Some(*value),
        Value::Scalar {
            text,
            kind: ScalarKind::Str,
        } => parse_bool_text(text),
        _ => None,
    };
    match value {
        Some(value) => Ok(Some(located(entry, value))),
        None => Err(entry.key_origin.error(format!(
            "service `{service}`: `{}` must be true or false, not `{}`{}",
            entry.key,
            node.scalar_text().unwrap_or(node.type_name()),
            unset_hint(node)
        ))),
    }
}

fn parse_bool_text(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// Reads a list of strings. With `allow_single`, a lone string counts as a one-item list, as
/// Compose allows for `tmpfs`.
pub(crate) fn string_list(
    entry: &Entry,
    service: &str,
    allow_single: bool,
) -> Result<Vec<Located<String>>, LoadError> {
    let node = &entry.value;
    match &node.value {
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => Ok(Vec::new()),
        Value::Scalar { text, .. } if allow_single => Ok(vec![located(entry, text.clone())]),
        Value::Seq(items) => Ok(items.iter().filter_map(list_item).collect()),
        _ => Err(entry.key_origin.error(format!(
            "service `{service}`: `{}` must be a list of strings, not a {}",
            entry.key,
            node.type_name()
        ))),
    }
}

/// Locates one list item at its own line.
// NOTE: Compose rejects a mapping or sequence inside a list of strings. The loader keeps its JSON
// text instead, so the project still loads and the evidence shows what was written.
fn list_item(item: &Node) -> Option<Located<String>> {
    let text = match &item.value {
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => return None,
        Value::Scalar { text, .. } => text.clone(),
        _ => item.to_json().to_string(),
    };
    Some(Located {
        value: text,
        path: item.origin.source.path.clone(),
        line: item.origin.line,
        unset: collect_unset(item),
    })
}
