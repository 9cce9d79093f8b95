//! The embedded tera templates and the Markdown filters they use.

use super::escape;
use std::collections::HashMap;
use tera::{Tera, Value};

/// Templates compiled into the binary, so that it renders without any file beside it.
const TEMPLATES: [(&str, &str); 3] = [
    (
        "macros.md.tera",
        include_str!("../../templates/macros.md.tera"),
    ),
    (
        "report.md.tera",
        include_str!("../../templates/report.md.tera"),
    ),
    (
        "controls.md.tera",
        include_str!("../../templates/controls.md.tera"),
    ),
];

/// Loads the embedded templates and registers the filters:
///
/// - `md_text`: escapes text for a Markdown line or a table cell, see [`escape::text`].
/// - `md_heading`: escapes text for a heading line, see [`escape::heading`].
/// - `md_code`: an inline code span, see [`escape::code_span`].
/// - `md_code_block(language="…")`: a fenced code block, see [`escape::code_block`].
pub fn load() -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::new());
    tera.add_raw_templates(TEMPLATES)?;
    tera.register_filter("md_text", md_text);
    tera.register_filter("md_heading", md_heading);
    tera.register_filter("md_code", md_code);
    tera.register_filter("md_code_block", md_code_block);
    Ok(tera)
}

/// Loads the templates as [`load`] does, for Markdown posted to a GitHub issue or pull request:
/// `md_text` and `md_heading` also break `@name` mentions and `#123` issue references, see
/// [`escape::conversation`].
pub fn load_for_conversation() -> tera::Result<Tera> {
    let mut tera = load()?;
    tera.register_filter("md_text", |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(escape::conversation(&escape::text(&plain(
            value,
        )))))
    });
    tera.register_filter("md_heading", |value: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(escape::conversation(&escape::heading(
            &plain(value),
        ))))
    });
    Ok(tera)
}

fn md_text(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(escape::text(&plain(value))))
}

fn md_heading(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(escape::heading(&plain(value))))
}

fn md_code(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(escape::code_span(&plain(value))))
}

fn md_code_block(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let language = args.get("language").map(plain).unwrap_or_default();
    Ok(Value::String(escape::code_block(&plain(value), &language)))
}

/// Returns a string as it is, null as an empty string, and any other value in its JSON form.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
