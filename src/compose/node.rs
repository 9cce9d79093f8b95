//! Positioned YAML values: every node and mapping key keeps the file and line it came from.

use super::model::LoadError;
use crate::finding::Location;
use std::rc::Rc;

/// A Compose file as loaded: its repository path and the folder its relative paths start from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Source {
    pub path: String,
    /// The folder that relative paths in this file resolve against: the project directory for
    /// the files of a project, or the file's own folder for a file reached through `extends`.
    pub base_dir: String,
}

/// The file and line of a node or key.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub source: Rc<Source>,
    /// 1-based line.
    pub line: usize,
}

impl Origin {
    pub fn location(&self) -> Location {
        Location::new(self.source.path.clone(), self.line)
    }

    pub fn error(&self, message: impl Into<String>) -> LoadError {
        LoadError {
            path: self.source.path.clone(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// The Compose merge tags a node can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    None,
    /// `!reset`: remove the value that earlier files or an `extends` base set.
    Reset,
    /// `!override`: replace the earlier value instead of merging with it.
    Override,
}

/// The type of a scalar under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ScalarKind {
    Null,
    Bool(bool),
    Int,
    Float,
    Str,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// A scalar with its text as written (after interpolation for strings).
    Scalar {
        text: String,
        kind: ScalarKind,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub origin: Origin,
    pub tag: Tag,
    /// Variables that interpolation found unset, for string scalars.
    pub unset: Vec<String>,
}

/// One mapping entry; keys are strings whatever their YAML type (`8.0:` is `"8.0"`).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Node {
        Node {
            value,
            origin,
            tag: Tag::None,
            unset: Vec::new(),
        }
    }

    pub fn string(text: impl Into<String>, origin: Origin) -> Node {
        Node::new(
            Value::Scalar {
                text: text.into(),
                kind: ScalarKind::Str,
            },
            origin,
        )
    }

    pub fn null(origin: Origin) -> Node {
        Node::new(
            Value::Scalar {
                text: String::new(),
                kind: ScalarKind::Null,
            },
            origin,
        )
    }

    pub fn empty_map(origin: Origin) -> Node {
        Node::new(Value::Map(Vec::new()), origin)
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self.value,
            Value::Scalar {
                kind: ScalarKind::Null,
                ..
            }
        )
    }

    /// Returns the text of a scalar that is not null.
    pub fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar {
                kind: ScalarKind::Null,
                ..
            } => None,
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut Vec<Entry>> {
        match &mut self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|entry| entry.key == key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries_mut()?
            .iter_mut()
            .find(|entry| entry.key == key)
    }

    /// Removes and returns the entry for `key` of a mapping.
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let entries = self.entries_mut()?;
        let index = entries.iter().position(|entry| entry.key == key)?;
        Some(entries.remove(index))
    }

    /// Names the YAML type of the node for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { kind, .. } => match kind {
                ScalarKind::Null => "null",
                ScalarKind::Bool(_) => "boolean",
                ScalarKind::Int => "integer",
                ScalarKind::Float => "number",
                ScalarKind::Str => "string",
            },
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Compares two trees by value, ignoring origins, tags and unset records.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Scalar { text: a, kind: ka }, Value::Scalar { text: b, kind: kb }) => {
                a == b && ka == kb
            }
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|entry| {
                        b.iter().any(|other| {
                            other.key == entry.key && other.value.same_value(&entry.value)
                        })
                    })
            }
            _ => false,
        }
    }

    /// Converts the tree to JSON with mapping keys sorted, so the output does not depend on the
    /// order in which files and merges added them.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar { text, kind } => scalar_to_json(text, *kind),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => {
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                let mut object = serde_json::Map::new();
                for entry in sorted {
                    object.insert(entry.key.clone(), entry.value.to_json());
                }
                serde_json::Value::Object(object)
            }
        }
    }
}

fn scalar_to_json(text: &str, kind: ScalarKind) -> serde_json::Value {
    match kind {
        ScalarKind::Null => serde_json::Value::Null,
        ScalarKind::Bool(value) => serde_json::Value::Bool(value),
        ScalarKind::Int => match parse_int(text) {
            Some(value) => serde_json::Value::from(value),
            None => serde_json::Value::String(text.to_string()),
        },
        ScalarKind::Float => match text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(number) => serde_json::Value::Number(number),
            // JSON has no infinity or NaN, so those keep their YAML spelling.
            None => serde_json::Value::String(text.to_string()),
        },
        ScalarKind::Str => serde_json::Value::String(text.to_string()),
    }
}

/// Parses a YAML 1.2 core-schema integer: decimal, `0o` octal or `0x` hexadecimal.
fn parse_int(text: &str) -> Option<i64> {
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    text.parse::<i64>().ok()
}
