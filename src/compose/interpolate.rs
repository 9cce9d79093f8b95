//! Variable interpolation as the Compose specification defines it: `$VAR`, `${VAR}`, the
//! `:-`, `-`, `:?`, `?`, `:+` and `+` modifiers, nesting, and `$$` for a literal dollar sign.

use super::model::LoadError;
use super::node::{Node, ScalarKind, Value};
use std::collections::BTreeMap;

/// Variable values for interpolation, from `.env` files only: the process environment is never
/// read, so a load gives the same result on every machine.
pub type Environment = BTreeMap<String, String>;

/// The maximum length in bytes of an interpolated value (128 KiB), unless the value as written
/// is longer. Linux rejects a longer single argument or environment string in `execve`
/// (`MAX_ARG_STRLEN`, 32 pages, in `linux/binfmts.h`), so no longer value can reach a container
/// as one string. The limit stops variables that repeat each other from growing a value
/// exponentially.
pub(crate) const MAX_INTERPOLATED_BYTES: usize = 128 * 1024;

/// The maximum number of bytes that interpolation may add to the values of one file beyond
/// their length as written (16 MiB). Each value is limited to [`MAX_INTERPOLATED_BYTES`], but
/// thousands of values that each use one long variable would still take gigabytes.
// NOTE: 16 MiB is a judgment (128 values at the per-value limit), not a bound measured on real
// Compose files.
pub(crate) const MAX_INTERPOLATED_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// The maximum nesting of `${...}` inside the default or alternative of another `${...}`. Each
/// level is one more recursion, and the limit keeps a deeply nested value from overflowing the
/// stack.
pub(crate) const MAX_NESTING_DEPTH: usize = 64;

/// The reason a string could not be substituted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SubstituteError {
    /// The string is not valid interpolation syntax; the message names the expression.
    Invalid(String),
    /// The string exceeds [`MAX_INTERPOLATED_BYTES`] or [`MAX_NESTING_DEPTH`].
    LimitExceeded(String),
}

/// The limits of one substitution and the variables it found unset.
struct Substitution<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    unset: Vec<String>,
    max_bytes: usize,
}

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
/// caller can report it. An invalid template's error names the malformed expression.
pub(crate) fn substitute(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Substituted, SubstituteError> {
    let mut substitution = Substitution {
        lookup,
        unset: Vec::new(),
        max_bytes: MAX_INTERPOLATED_BYTES.max(template.len()),
    };
    let value = substitution.expand(template, 0)?;
    Ok(Substituted {
        value,
        unset: substitution.unset,
    })
}

impl Substitution<'_> {
    /// Expands `text`, which is nested `depth` levels deep in `${...}` defaults.
    fn expand(&mut self, text: &str, depth: usize) -> Result<String, SubstituteError> {
        // The check comes before any further recursion, so the stack contains at most
        // MAX_NESTING_DEPTH levels.
        if depth > MAX_NESTING_DEPTH {
            return Err(SubstituteError::LimitExceeded(format!(
                "`${{...}}` nesting exceeds {MAX_NESTING_DEPTH} levels"
            )));
        }
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
                    let close = matching_brace(text, index + 2).ok_or_else(|| {
                        SubstituteError::Invalid(format!(
                            "`{}` has no closing brace",
                            &text[index..]
                        ))
                    })?;
                    let value = self.expand_braced(&text[index + 2..close], depth)?;
                    output.push_str(&value);
                    index = close + 1;
                }
                Some(&next) if next == b'_' || next.is_ascii_alphabetic() => {
                    let name_end = name_length(&text[index + 1..]) + index + 1;
                    let name = &text[index + 1..name_end];
                    let value = self.lookup_or_record(name);
                    output.push_str(&value);
                    index = name_end;
                }
                _ => {
                    return Err(SubstituteError::Invalid(format!(
                    "`$` at byte {index} starts no variable; write `$$` for a literal dollar sign"
                )))
                }
            }
            // Checking after each variable stops the growth before it takes much memory.
            self.check_length(output.len())?;
            literal_start = index;
        }
        output.push_str(&text[literal_start..]);
        self.check_length(output.len())?;
        Ok(output)
    }

    fn check_length(&self, length: usize) -> Result<(), SubstituteError> {
        if length <= self.max_bytes {
            return Ok(());
        }
        Err(SubstituteError::LimitExceeded(format!(
            "interpolated value exceeds {} bytes",
            self.max_bytes
        )))
    }

    fn lookup_or_record(&mut self, name: &str) -> String {
        match (self.lookup)(name) {
            Some(value) => value,
            None => {
                self.unset.push(name.to_string());
                String::new()
            }
        }
    }

    /// Expands the inside of `${...}` found `depth` levels deep. Defaults and alternatives are
    /// expanded only when used, so an unset variable inside an unused default is not reported.
    fn expand_braced(&mut self, inner: &str, depth: usize) -> Result<String, SubstituteError> {
        let name_end = name_length(inner);
        if name_end == 0 {
            return Err(SubstituteError::Invalid(format!(
                "`${{{inner}}}` does not start with a variable name"
            )));
        }
        let name = &inner[..name_end];
        let modifier = &inner[name_end..];
        let value = (self.lookup)(name);
        let has_content = value.as_deref().is_some_and(|v| !v.is_empty());

        let (operator, word) = split_modifier(modifier)
            .ok_or_else(|| SubstituteError::Invalid(format!("`${{{inner}}}` is not a supported form; Compose accepts ${{VAR}}, ${{VAR:-default}}, ${{VAR-default}}, ${{VAR:?error}}, ${{VAR?error}}, ${{VAR:+value}} and ${{VAR+value}}")))?;

        let result = match operator {
            "" => self.lookup_or_record(name),
            ":-" if has_content => value.unwrap_or_default(),
            ":-" => self.expand(word, depth + 1)?,
            "-" => match value {
                Some(value) => value,
                None => self.expand(word, depth + 1)?,
            },
            ":?" | "?" => {
                let satisfied = if operator == ":?" {
                    has_content
                } else {
                    value.is_some()
                };
                if !satisfied {
                    self.unset.push(name.to_string());
                }
                value.unwrap_or_default()
            }
            ":+" if has_content => self.expand(word, depth + 1)?,
            "+" if value.is_some() => self.expand(word, depth + 1)?,
            _ => String::new(),
        };
        Ok(result)
    }
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
    let mut growth_budget = MAX_INTERPOLATED_TOTAL_BYTES;
    interpolate_node(node, &lookup, &mut growth_budget)
}

/// Charges the bytes that interpolation added to `value` against `growth_budget`, failing with
/// a message once the budget of the file is spent.
pub(crate) fn charge_growth(
    written: &str,
    value: &str,
    growth_budget: &mut usize,
) -> Result<(), String> {
    let growth = value.len().saturating_sub(written.len());
    if growth > *growth_budget {
        return Err(format!(
            "interpolation failed: interpolated values exceed {MAX_INTERPOLATED_TOTAL_BYTES} bytes in total in this file"
        ));
    }
    *growth_budget -= growth;
    Ok(())
}

fn interpolate_node(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    growth_budget: &mut usize,
) -> Result<(), LoadError> {
    match &mut node.value {
        Value::Scalar {
            text,
            kind: ScalarKind::Str,
        } => {
            if !text.contains('$') {
                return Ok(());
            }
            let substituted = substitute(text, lookup).map_err(|error| match error {
                SubstituteError::Invalid(reason) => node
                    .origin
                    .error(format!("invalid interpolation in `{text}`: {reason}")),
                // The text is left out because it may be long.
                SubstituteError::LimitExceeded(reason) => {
                    node.origin.error(format!("interpolation failed: {reason}"))
                }
            })?;
            charge_growth(text, &substituted.value, growth_budget)
                .map_err(|message| node.origin.error(message))?;
            *text = substituted.value;
            node.unset = substituted.unset;
            node.unset.sort();
            node.unset.dedup();
        }
        Value::Scalar { .. } => {}
        Value::Seq(items) => {
            for item in items {
                interpolate_node(item, lookup, growth_budget)?;
            }
        }
        Value::Map(entries) => {
            for entry in entries
                .iter_mut()
                .filter(|entry| !entry.key.starts_with("x-"))
            {
                interpolate_node(&mut entry.value, lookup, growth_budget)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(template: &str) -> Result<Substituted, SubstituteError> {
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

    #[test]
    fn nesting_past_limit_is_rejected() {
        let depth = 20_000;
        let template = format!("{}x{}", "${MISSING:-".repeat(depth), "}".repeat(depth));
        let error = run(&template).unwrap_err();
        assert_eq!(
            error,
            SubstituteError::LimitExceeded("`${...}` nesting exceeds 64 levels".to_string())
        );
    }

    #[test]
    fn nesting_at_limit_expands() {
        let nested =
            |depth: usize| format!("{}x{}", "${MISSING:-".repeat(depth), "}".repeat(depth));
        assert_eq!(value(&nested(MAX_NESTING_DEPTH)), "x");
        assert!(run(&nested(MAX_NESTING_DEPTH + 1)).is_err());
    }

    #[test]
    fn value_past_limit_is_rejected() {
        let long = "y".repeat(MAX_INTERPOLATED_BYTES / 2 + 1);
        let lookup = |name: &str| (name == "LONG").then(|| long.clone());
        let error = substitute("$LONG${LONG}", &lookup).unwrap_err();
        assert_eq!(
            error,
            SubstituteError::LimitExceeded("interpolated value exceeds 131072 bytes".to_string())
        );
    }

    #[test]
    fn long_literal_template_is_kept() {
        // A template longer than the limit passes while its value is no longer than itself.
        let template = format!("{}${{SET}}", "z".repeat(MAX_INTERPOLATED_BYTES + 10));
        assert_eq!(value(&template).len(), MAX_INTERPOLATED_BYTES + 15);
    }
}
