//! Variable interpolation as the Compose specification defines it: `$VAR`, `${VAR}`, the
//! `:-`, `-`, `:?`, `?`, `:+` and `+` modifiers, nesting, and `$$` for a literal dollar sign.

use super::model::LoadError;
use super::node::{Node, ScalarKind, Value};
use std::collections::BTreeMap;

/// Variable values for interpolation, from `.env` files only: the process environment is never
/// read, so a load gives the same result on every machine.
pub type Environment = BTreeMap<String, String>;

/// The result of substituting one string.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Substituted {
    pub value: String,
    /// Variables that had no value and no default, in order of appearance.
    pub unset: Vec<String>,
}

/// Substitutes the variables in `template`.
///
/// A variable without value or default becomes the empty string and is listed in `unset`.
/// Compose rejects a project where `${VAR:?message}` or `${VAR?message}` finds no value. Here
/// those forms also become the empty string and list the variable, so the load goes on and the
/// caller can report it. The error names the malformed expression.
pub(crate) fn substitute(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Substituted, String> {
    let mut unset = Vec::new();
    let value = expand(template, lookup, &mut unset)?;
    Ok(Substituted { value, unset })
}

fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut output = String::with_capacity(text.len());
    let mut literal_start = 0;
    let mut index = 0;

    while index < bytes.len() {
        if bytes[index] != b'$' {
            index += 1;
            continue;
        }
        output.push_str(&text[literal_start..index]);

        match bytes.get(index + 1) {
            Some(b'$') => {
                output.push('$');
                index += 2;
            }
            Some(b'{') => {
                let close = matching_brace(text, index + 2)
                    .ok_or_else(|| format!("`{}` has no closing brace", &text[index..]))?;
                output.push_str(&expand_braced(&text[index + 2..close], lookup, unset)?);
                index = close + 1;
            }
            Some(&next) if next == b'_' || next.is_ascii_alphabetic() => {
                let name_end = name_length(&text[index + 1..]) + index + 1;
                let name = &text[index + 1..name_end];
                output.push_str(&lookup_or_record(name, lookup, unset));
                index = name_end;
            }
            _ => {
                return Err(format!(
                    "`$` at byte {index} starts no variable; write `$$` for a literal dollar sign"
                ))
            }
        }
        literal_start = index;
    }
    output.push_str(&text[literal_start..]);
    Ok(output)
}

/// Finds the `}` that closes a `${` whose content starts at `start`. Only a nested `${` opens
/// another level, so a lone `{` inside a default does not need its own `}`.
fn matching_brace(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 1;
    let mut index = start;
    while index < bytes.len() {
        if bytes[index] == b'$' && bytes.get(index + 1) == Some(&b'{') {
            depth += 1;
            index += 2;
            continue;
        }
        if bytes[index] == b'}' {
            depth -= 1;
            if depth == 0 {
                return Some(index);
            }
        }
        index += 1;
    }
    None
}

/// Length of the variable name at the start of `text`: `[A-Za-z_][A-Za-z0-9_]*`.
fn name_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'_') {
        return 0;
    }
    bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(bytes.len())
}

fn lookup_or_record(
    name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> String {
    match lookup(name) {
        Some(value) => value,
        None => {
            unset.push(name.to_string());
            String::new()
        }
    }
}

/// Expands the inside of `${...}`. Defaults and alternatives are expanded only when used, so an
/// unset variable inside an unused default is not reported.
fn expand_braced(
    inner: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, String> {
    let name_end = name_length(inner);
    if name_end == 0 {
        return Err(format!(
            "`${{{inner}}}` does not start with a variable name"
        ));
    }
    let name = &inner[..name_end];
    let modifier = &inner[name_end..];
    let value = lookup(name);
    let has_content = value.as_deref().is_some_and(|v| !v.is_empty());

    let (operator, word) = split_modifier(modifier)
        .ok_or_else(|| format!("`${{{inner}}}` is not a supported form; Compose accepts ${{VAR}}, ${{VAR:-default}}, ${{VAR-default}}, ${{VAR:?error}}, ${{VAR?error}}, ${{VAR:+value}} and ${{VAR+value}}"))?;

    let result = match operator {
        "" => lookup_or_record(name, lookup, unset),
        ":-" if has_content => value.unwrap_or_default(),
        ":-" => expand(word, lookup, unset)?,
        "-" => match value {
            Some(value) => value,
            None => expand(word, lookup, unset)?,
        },
        ":?" | "?" => {
            let satisfied = if operator == ":?" {
                has_content
            } else {
                value.is_some()
            };
            if !satisfied {
                unset.push(name.to_string());
            }
            value.unwrap_or_default()
        }
        ":+" if has_content => expand(word, lookup, unset)?,
        "+" if value.is_some() => expand(word, lookup, unset)?,
        _ => String::new(),
    };
    Ok(result)
}

fn split_modifier(modifier: &str) -> Option<(&str, &str)> {
    if modifier.is_empty() {
        return Some(("", ""));
    }
    [":-", ":?", ":+", "-", "?", "+"]
        .into_iter()
        .find_map(|operator| modifier.strip_prefix(operator).map(|word| (operator, word)))
}

/// Interpolates every string value of a tree in place. Mapping keys are left as written, as the
/// specification requires, and so are `x-` extension fields, which Compose ignores. Content that a
/// `<<` merge key copies out of an `x-` field is interpolated where it lands.
// NOTE: compose-go interpolates `x-` fields as well, so a malformed `$` inside one makes
// `docker compose` fail while this loader accepts the file.
pub(crate) fn interpolate_tree(
    node: &mut Node,
    environment: &Environment,
) -> Result<(), LoadError> {
    let lookup = |name: &str| environment.get(name).cloned();
    interpolate_node(node, &lookup)
}

fn interpolate_node(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), LoadError> {
    match &mut node.value {
        Value::Scalar {
            text,
            kind: ScalarKind::Str,
        } => {
            if !text.contains('$') {
                return Ok(());
            }
            let substituted = substitute(text, lookup).map_err(|reason| {
                node.origin
                    .error(format!("invalid interpolation in `{text}`: {reason}"))
            })?;
            *text = substituted.value;
            node.unset = substituted.unset;
            node.unset.sort();
            node.unset.dedup();
        }
        Value::Scalar { .. } => {}
        Value::Seq(items) => {
            for item in items {
                interpolate_node(item, lookup)?;
            }
        }
        Value::Map(entries) => {
            for entry in entries
                .iter_mut()
                .filter(|entry| !entry.key.starts_with("x-"))
            {
                interpolate_node(&mut entry.value, lookup)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(template: &str) -> Result<Substituted, String> {
        let lookup = |name: &str| match name {
            "SET" => Some("value".to_string()),
            "EMPTY" => Some(String::new()),
            "OTHER" => Some("other".to_string()),
            _ => None,
        };
        substitute(template, &lookup)
    }

    fn value(template: &str) -> String {
        run(template).expect("template is valid").value
    }

    fn unset(template: &str) -> Vec<String> {
        run(template).expect("template is valid").unset
    }

    #[test]
    fn plain_and_braced_variables() {
        assert_eq!(value("a-$SET-b"), "a-value-b");
        assert_eq!(value("a-${SET}-b"), "a-value-b");
        assert_eq!(value("$SET.$OTHER"), "value.other");
    }

    #[test]
    fn unset_variable_expands_empty_and_is_recorded() {
        assert_eq!(value("x${MISSING}y"), "xy");
        assert_eq!(unset("x${MISSING}y$ALSO"), ["MISSING", "ALSO"]);
        assert!(unset("${EMPTY}").is_empty());
    }

    #[test]
    fn colon_dash_default_covers_unset_and_empty() {
        assert_eq!(value("${MISSING:-fallback}"), "fallback");
        assert_eq!(value("${EMPTY:-fallback}"), "fallback");
        assert_eq!(value("${SET:-fallback}"), "value");
        assert!(unset("${MISSING:-fallback}").is_empty());
    }

    #[test]
    fn dash_default_covers_unset_only() {
        assert_eq!(value("${MISSING-fallback}"), "fallback");
        assert_eq!(value("${EMPTY-fallback}"), "");
        assert_eq!(value("${EXPOSE-:2283:2283}"), ":2283:2283");
    }

    #[test]
    fn required_forms_record_instead_of_failing() {
        assert_eq!(value("${MISSING:?set it}"), "");
        assert_eq!(unset("${MISSING:?set it}"), ["MISSING"]);
        assert_eq!(unset("${EMPTY:?set it}"), ["EMPTY"]);
        assert!(unset("${EMPTY?set it}").is_empty());
        assert_eq!(unset("${MISSING?set it}"), ["MISSING"]);
        assert_eq!(value("${SET:?set it}"), "value");
    }

    #[test]
    fn alternative_values() {
        assert_eq!(value("${SET:+alt}"), "alt");
        assert_eq!(value("${EMPTY:+alt}"), "");
        assert_eq!(value("${EMPTY+alt}"), "alt");
        assert_eq!(value("${MISSING+alt}"), "");
        assert!(unset("${MISSING+alt}").is_empty());
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(value("${MISSING:-${OTHER}}"), "other");
        assert_eq!(value("${MISSING:-${ALSO:-deep}}"), "deep");
        assert_eq!(value("${CUSTOM_TAG:-$OTHER}"), "other");
        assert_eq!(unset("${MISSING:-${ALSO}}"), ["ALSO"]);
        assert!(unset("${SET:-${ALSO}}").is_empty());
        assert_eq!(value("${MISSING:-{x}}"), "{x}");
    }

    #[test]
    fn double_dollar_is_a_literal_dollar() {
        assert_eq!(value("$$SET"), "$SET");
        assert_eq!(value("$${SET}"), "${SET}");
        assert_eq!(value("echo $$(cat f) $$$SET"), "echo $(cat f) $value");
        assert_eq!(value("${MISSING:-$$host}"), "$host");
    }

    #[test]
    fn malformed_templates_are_errors() {
        assert!(run("price: 5$").is_err());
        assert!(run("$1").is_err());
        assert!(run("${}").is_err());
        assert!(run("${SET").is_err());
        assert!(run("${SET/a/b}").is_err());
    }

    #[test]
    fn non_ascii_text_is_kept() {
        assert_eq!(value("é-$SET-ü"), "é-value-ü");
    }
}
