//! YAML parsing into positioned trees: anchors and aliases, `<<` merge keys, Compose tags, and
//! YAML 1.2 core-schema scalars, with limits against alias bombs and deep nesting.

use super::model::LoadError;
use super::node::{Entry, Node, Origin, ScalarKind, Source, Tag, Value};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use yaml_rust2::parser::{Event, Parser, Tag as YamlTag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Maximum number of nodes one document may expand to, counting every copy an alias makes. Compose files
/// with heavy anchor use stay in the low thousands, while a "billion laughs" document reaches
/// this limit after a few levels of aliases to aliases.
pub(crate) const MAX_NODES: usize = 100_000;

/// The deepest nesting of sequences and mappings accepted. Compose documents nest fewer than
/// ten levels, and the limit keeps the recursive tree walks far from the thread's stack size.
pub(crate) const MAX_DEPTH: usize = 128;

/// Maximum number of lines `parse_documents` re-indents in one file before it reports the
/// indentation error.
const MAX_REINDENTED_LINES: usize = 64;

/// Parses every document of a YAML stream into positioned trees.
///
/// A line inside a flow collection (`[...]` or `{...}`) that is indented no deeper than the
/// block that contains the collection breaks the YAML 1.2 indentation rule, so yaml-rust2
/// rejects it. Docker Compose reads YAML with go-yaml, which accepts such lines, and real
/// Compose files contain them (a closing `]` under its key). Such a line is indented one more space and the
/// stream parsed again. Leading spaces inside a flow collection only separate tokens, so values
/// and line numbers stay the same.
pub(crate) fn parse_documents(text: &str, source: &Rc<Source>) -> Result<Vec<Node>, LoadError> {
    // YAML allows a byte order mark before the stream, which yaml-rust2 would read as part of
    // the first key.
    let mut current = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
    let mut first_indentation_error: Option<LoadError> = None;

    for _ in 0..=MAX_REINDENTED_LINES {
        let error = match parse_stream(&current, source) {
            Ok(documents) => return Ok(documents),
            Err(StreamError::Load(error)) => return Err(error),
            Err(StreamError::Scan(error)) => error,
        };
        let line = error.marker().line();
        let load_error = LoadError {
            path: source.path.clone(),
            line,
            message: format!(
                "invalid YAML: {} (column {}); fix the syntax at this position",
                error.info(),
                error.marker().col() + 1
            ),
        };
        if error.info() != "invalid indentation" {
            return Err(load_error);
        }
        let first = first_indentation_error.get_or_insert(load_error).clone();
        match indent_line(&current, line) {
            Some(reindented) => current = reindented,
            None => return Err(first),
        }
    }
    Err(first_indentation_error.unwrap_or_else(|| LoadError {
        path: source.path.clone(),
        line: 0,
        message: "invalid YAML".to_string(),
    }))
}

/// Returns `text` with one more leading space on 1-based `line`.
fn indent_line(text: &str, line: usize) -> Option<String> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let mut reindented = String::with_capacity(text.len() + 1);
    reindented.push_str(&text[..start]);
    reindented.push(' ');
    reindented.push_str(&text[start..]);
    Some(reindented)
}

enum StreamError {
    Scan(yaml_rust2::ScanError),
    Load(LoadError),
}

fn parse_stream(text: &str, source: &Rc<Source>) -> Result<Vec<Node>, StreamError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::new(source.clone());

    loop {
        let (event, marker) = parser.next_token().map_err(StreamError::Scan)?;
        if event == Event::StreamEnd {
            break;
        }
        builder.handle(event, marker).map_err(StreamError::Load)?;
    }
    Ok(builder.documents)
}

/// A collection whose end event has not arrived yet.
enum Frame {
    Seq {
        items: Vec<Node>,
        start: Start,
    },
    Map {
        entries: Vec<Entry>,
        /// Values of `<<` keys with the keys' origins, in the order written.
        merge_sources: Vec<(Origin, Node)>,
        pending_key: Option<PendingKey>,
        start: Start,
    },
}

/// The origin, tag and anchor of an open collection, with its measure so far.
struct Start {
    origin: Origin,
    tag: Tag,
    anchor: usize,
    /// The collection's subtree so far, itself included.
    measure: Measure,
}

/// The node count and the height (levels of nesting, 1 for a scalar) of a subtree.
#[derive(Debug, Clone, Copy)]
struct Measure {
    size: usize,
    height: usize,
}

impl Measure {
    const SCALAR: Measure = Measure { size: 1, height: 1 };

    /// Adds a child subtree to a collection's measure.
    fn add_child(&mut self, child: Measure) {
        self.size = self.size.saturating_add(child.size);
        self.height = self.height.max(child.height.saturating_add(1));
    }
}

struct PendingKey {
    text: String,
    origin: Origin,
    is_merge: bool,
}

struct Builder {
    source: Rc<Source>,
    documents: Vec<Node>,
    frames: Vec<Frame>,
    /// Completed anchored nodes with their measures, for the current document.
    anchors: HashMap<usize, (Node, Measure)>,
    /// Nodes created in the current document, alias copies included.
    node_count: usize,
}

impl Builder {
    fn new(source: Rc<Source>) -> Builder {
        Builder {
            source,
            documents: Vec::new(),
            frames: Vec::new(),
            anchors: HashMap::new(),
            node_count: 0,
        }
    }

    fn origin(&self, marker: Marker) -> Origin {
        Origin {
            source: self.source.clone(),
            line: marker.line(),
        }
    }

    fn handle(&mut self, event: Event, marker: Marker) -> Result<(), LoadError> {
        match event {
            Event::DocumentStart => {
                // Anchors are scoped to one document.
                self.anchors.clear();
                self.node_count = 0;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let origin = self.origin(marker);
                let node = scalar_node(text, style, tag.as_ref(), origin);
                self.count(1, &node.origin)?;
                self.complete(node, anchor, Measure::SCALAR)?;
            }
            Event::Alias(anchor) => {
                let origin = self.origin(marker);
                let Some((node, measure)) = self.anchors.get(&anchor).cloned() else {
                    return Err(origin.error(
                        "an alias refers to an anchor whose node contains the alias itself; \
                         remove the recursive alias",
                    ));
                };
                // A copy is as deep as its anchor, so nesting is checked again where it lands.
                if self.frames.len() + measure.height > MAX_DEPTH {
                    return Err(depth_error(&origin));
                }
                self.count(measure.size, &origin)?;
                self.complete(node, 0, measure)?;
            }
            Event::SequenceStart(anchor, tag) => {
                let start = self.start(marker, anchor, tag.as_ref())?;
                self.frames.push(Frame::Seq {
                    items: Vec::new(),
                    start,
                });
            }
            Event::MappingStart(anchor, tag) => {
                let start = self.start(marker, anchor, tag.as_ref())?;
                self.frames.push(Frame::Map {
                    entries: Vec::new(),
                    merge_sources: Vec::new(),
                    pending_key: None,
                    start,
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq { items, start }) = self.frames.pop() else {
                    return Err(self
                        .origin(marker)
                        .error("invalid YAML: a sequence ends that never started"));
                };
                let mut node = Node::new(Value::Seq(items), start.origin);
                node.tag = start.tag;
                self.complete(node, start.anchor, start.measure)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    entries,
                    merge_sources,
                    start,
                    ..
                }) = self.frames.pop()
                else {
                    return Err(self
                        .origin(marker)
                        .error("invalid YAML: a mapping ends that never started"));
                };
                let entries = apply_merge_keys(entries, merge_sources)?;
                let mut node = Node::new(Value::Map(entries), start.origin);
                node.tag = start.tag;
                self.complete(node, start.anchor, start.measure)?;
            }
            Event::StreamStart | Event::DocumentEnd | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn start(
        &mut self,
        marker: Marker,
        anchor: usize,
        tag: Option<&YamlTag>,
    ) -> Result<Start, LoadError> {
        let origin = self.origin(marker);
        if self.frames.len() >= MAX_DEPTH {
            return Err(depth_error(&origin));
        }
        self.count(1, &origin)?;
        Ok(Start {
            origin,
            tag: compose_tag(tag),
            anchor,
            measure: Measure { size: 1, height: 1 },
        })
    }

    fn count(&mut self, nodes: usize, origin: &Origin) -> Result<(), LoadError> {
        self.node_count = self.node_count.saturating_add(nodes);
        if self.node_count > MAX_NODES {
            return Err(origin.error(format!(
                "the document has more than {MAX_NODES} nodes once aliases are expanded; \
                 split the file or reduce aliases that repeat other aliases"
            )));
        }
        Ok(())
    }

    /// Attaches a finished node to its parent collection, or ends the document at top level.
    fn complete(&mut self, node: Node, anchor: usize, measure: Measure) -> Result<(), LoadError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), measure));
        }

        let Some(frame) = self.frames.last_mut() else {
            self.documents.push(node);
            return Ok(());
        };

        match frame {
            Frame::Seq { items, start } => {
                start.measure.add_child(measure);
                items.push(node);
            }
            Frame::Map {
                entries,
                merge_sources,
                pending_key,
                start,
            } => {
                start.measure.add_child(measure);
                match pending_key.take() {
                    None => *pending_key = Some(key_of(node)?),
                    Some(key) if key.is_merge => merge_sources.push((key.origin, node)),
                    Some(key) => {
                        if let Some(previous) = entries.iter().find(|entry| entry.key == key.text) {
                            return Err(key.origin.error(format!(
                                "mapping key `{}` is already defined at line {}; remove one of them",
                                key.text, previous.key_origin.line
                            )));
                        }
                        entries.push(Entry {
                            key: key.text,
                            key_origin: key.origin,
                            value: node,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Turns a completed key node into a mapping key; Compose keys are strings, so a scalar key
/// keeps its text whatever its YAML type.
fn key_of(node: Node) -> Result<PendingKey, LoadError> {
    match node.value {
        Value::Scalar { text, kind } => Ok(PendingKey {
            // A plain, untagged `<<` is the YAML merge key; a quoted "<<" is an ordinary key.
            is_merge: text == "<<" && kind == ScalarKind::Str && node.tag == Tag::None,
            text,
            origin: node.origin,
        }),
        _ => Err(node
            .origin
            .error("a mapping key is a sequence or mapping; Compose keys must be strings")),
    }
}

/// Adds the entries of `<<` merge sources that the mapping does not define itself. Explicit keys
/// win over merged ones, and an earlier source wins over a later one, as the YAML merge-key
/// type defines.
fn apply_merge_keys(
    mut entries: Vec<Entry>,
    merge_sources: Vec<(Origin, Node)>,
) -> Result<Vec<Entry>, LoadError> {
    if merge_sources.is_empty() {
        return Ok(entries);
    }

    let mut defined: HashSet<String> = entries.iter().map(|entry| entry.key.clone()).collect();
    for (key_origin, source) in merge_sources {
        let mappings = match source.value {
            Value::Map(_) => vec![source],
            Value::Seq(items) => items,
            _ => return Err(merge_value_error(&key_origin)),
        };
        for mapping in mappings {
            let Value::Map(merged) = mapping.value else {
                return Err(merge_value_error(&key_origin));
            };
            for entry in merged {
                if defined.insert(entry.key.clone()) {
                    entries.push(entry);
                }
            }
        }
    }
    Ok(entries)
}

fn depth_error(origin: &Origin) -> LoadError {
    origin.error(format!(
        "the document nests sequences and mappings deeper than {MAX_DEPTH} levels, aliases included; flatten it"
    ))
}

fn merge_value_error(origin: &Origin) -> LoadError {
    origin
        .error("the merge key `<<` takes a mapping or a list of mappings, such as `<<: *defaults`")
}

/// Reads the Compose tags `!reset` and `!override`; other tags do not change merging.
fn compose_tag(tag: Option<&YamlTag>) -> Tag {
    match tag {
        Some(tag) if tag.handle == "!" && tag.suffix == "reset" => Tag::Reset,
        Some(tag) if tag.handle == "!" && tag.suffix == "override" => Tag::Override,
        _ => Tag::None,
    }
}

fn scalar_node(text: String, style: TScalarStyle, tag: Option<&YamlTag>, origin: Origin) -> Node {
    let kind = match (style, tag) {
        (_, Some(tag)) if tag.handle == "tag:yaml.org,2002:" => match tag.suffix.as_str() {
            "str" => ScalarKind::Str,
            _ => resolve_plain(&text),
        },
        (TScalarStyle::Plain, _) => resolve_plain(&text),
        _ => ScalarKind::Str,
    };
    let mut node = Node::new(Value::Scalar { text, kind }, origin);
    node.tag = compose_tag(tag);
    node
}

/// Resolves a plain scalar under the YAML 1.2 core schema. YAML 1.1 forms such as `yes`, `on`
/// or `0755` as octal stay strings or decimals, as in the core schema.
pub(crate) fn resolve_plain(text: &str) -> ScalarKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float,
        _ => {}
    }
    if is_core_int(text) {
        ScalarKind::Int
    } else if is_core_float(text) {
        ScalarKind::Float
    } else {
        ScalarKind::Str
    }
}

fn is_core_int(text: &str) -> bool {
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Matches `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_core_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(index) => (&unsigned[..index], Some(&unsigned[index + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.find('.') {
        Some(index) => (&mantissa[..index], Some(&mantissa[index + 1..])),
        None => (mantissa, None),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && all_digits(whole),
    };
    let exponent_ok = match exponent {
        Some(exponent) => {
            let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
            !digits.is_empty() && all_digits(digits)
        }
        None => true,
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Rc<Source> {
        Rc::new(Source {
            path: "compose.yaml".to_string(),
            base_dir: String::new(),
        })
    }

    fn parse_one(text: &str) -> Node {
        let mut documents = parse_documents(text, &source()).expect("document parses");
        assert_eq!(documents.len(), 1);
        documents.remove(0)
    }

    fn text_of<'a>(node: &'a Node, key: &str) -> &'a str {
        node.get(key)
            .and_then(|entry| entry.value.scalar_text())
            .expect("scalar entry")
    }

    #[test]
    fn keys_and_scalars_keep_lines() {
        let root = parse_one("services:\n  web:\n    image: nginx\n    user: \"1000\"\n");
        let web = &root
            .get("services")
            .unwrap()
            .value
            .get("web")
            .unwrap()
            .value;
        let image = web.get("image").unwrap();
        assert_eq!(image.key_origin.line, 3);
        assert_eq!(image.value.origin.line, 3);
        assert_eq!(web.get("user").unwrap().key_origin.line, 4);
    }

    #[test]
    fn numeric_keys_become_strings() {
        let root = parse_one("8.0: a\n\"5.6\": b\n10: c\n");
        let keys: Vec<&str> = root
            .entries()
            .unwrap()
            .iter()
            .map(|entry| entry.key.as_str())
            .collect();
        assert_eq!(keys, ["8.0", "5.6", "10"]);
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(resolve_plain("true"), ScalarKind::Bool(true));
        assert_eq!(resolve_plain("yes"), ScalarKind::Str);
        assert_eq!(resolve_plain("~"), ScalarKind::Null);
        assert_eq!(resolve_plain("0o17"), ScalarKind::Int);
        assert_eq!(resolve_plain("-12"), ScalarKind::Int);
        assert_eq!(resolve_plain("1.5e3"), ScalarKind::Float);
        assert_eq!(resolve_plain(".5"), ScalarKind::Float);
        assert_eq!(resolve_plain("1000:1000"), ScalarKind::Str);
        assert_eq!(resolve_plain("."), ScalarKind::Str);
        assert_eq!(resolve_plain("1.2.3"), ScalarKind::Str);
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let root = parse_one("a: \"true\"\nb: '12'\nc: !!str 5\n");
        for key in ["a", "b", "c"] {
            assert_eq!(
                root.get(key).unwrap().value.type_name(),
                "string",
                "key {key}"
            );
        }
    }

    #[test]
    fn merge_key_list_precedence() {
        let text = "x-a: &a {image: a, user: a, privileged: true}\n\
                    x-b: &b {image: b, user: b, read_only: true}\n\
                    svc:\n  <<: [*a, *b]\n  user: local\n";
        let root = parse_one(text);
        let service = &root.get("svc").unwrap().value;
        assert_eq!(text_of(service, "image"), "a");
        assert_eq!(text_of(service, "user"), "local");
        assert_eq!(text_of(service, "privileged"), "true");
        assert_eq!(text_of(service, "read_only"), "true");
    }

    #[test]
    fn explicit_key_before_merge_key_wins() {
        let root = parse_one("x: &x {user: merged}\nsvc:\n  user: local\n  <<: *x\n");
        assert_eq!(text_of(&root.get("svc").unwrap().value, "user"), "local");
    }

    #[test]
    fn merged_entries_keep_anchor_lines() {
        let root = parse_one("x: &x\n  user: merged\nsvc:\n  <<: *x\n");
        let user = root.get("svc").unwrap().value.get("user").unwrap();
        assert_eq!(user.key_origin.line, 2);
    }

    #[test]
    fn merge_key_rejects_scalars() {
        let error = parse_documents("x: &x a\nsvc:\n  <<: *x\n", &source()).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("merge key"), "{}", error.message);
    }

    #[test]
    fn compose_tags_are_read() {
        let root = parse_one("a: !reset null\nb: !override [x]\nc: !reset\n");
        assert_eq!(root.get("a").unwrap().value.tag, Tag::Reset);
        assert_eq!(root.get("b").unwrap().value.tag, Tag::Override);
        assert_eq!(root.get("c").unwrap().value.tag, Tag::Reset);
        assert!(root.get("c").unwrap().value.is_null());
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let error = parse_documents("a: 1\nb: 2\na: 3\n", &source()).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("line 1"), "{}", error.message);
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let error = parse_documents(&text, &source()).unwrap_err();
        assert!(error.message.contains("more than"), "{}", error.message);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let error = parse_documents(&text, &source()).unwrap_err();
        assert!(error.message.contains("deeper than"), "{}", error.message);
    }

    #[test]
    fn deep_nesting_through_aliases_is_rejected() {
        let mut text = String::from("a0: &a0 [x]\n");
        for level in 1..40 {
            let open = "[".repeat(10);
            let close = "]".repeat(10);
            text.push_str(&format!(
                "a{level}: &a{level} {open}*a{}{close}\n",
                level - 1
            ));
        }
        let error = parse_documents(&text, &source()).unwrap_err();
        assert!(
            error.message.contains("aliases included"),
            "{}",
            error.message
        );
    }

    #[test]
    fn invalid_yaml_reports_line() {
        let error =
            parse_documents("services:\n  web:\n    image: [nginx\n", &source()).unwrap_err();
        assert!(
            error.message.starts_with("invalid YAML"),
            "{}",
            error.message
        );
        assert!(error.line >= 3, "line {}", error.line);
    }

    #[test]
    fn flow_sequence_closed_at_key_indentation() {
        let text = "svc:\n  healthcheck:\n    test: [\n        \"CMD\",\n        # comment\n        \"true\"\n    ]\n    interval: 5s\n";
        assert!(
            parse_stream(text, &source()).is_err(),
            "yaml-rust2 alone rejects the closing bracket"
        );
        let root = parse_one(text);
        let healthcheck = &root
            .get("svc")
            .unwrap()
            .value
            .get("healthcheck")
            .unwrap()
            .value;
        assert_eq!(
            healthcheck.get("test").unwrap().value.to_json(),
            serde_json::json!(["CMD", "true"])
        );
        assert_eq!(healthcheck.get("interval").unwrap().key_origin.line, 8);
    }

    #[test]
    fn unknown_alias_is_an_error() {
        let error = parse_documents("a: *missing\n", &source()).unwrap_err();
        assert!(
            error.message.starts_with("invalid YAML"),
            "{}",
            error.message
        );
    }

    #[test]
    fn several_documents() {
        let documents = parse_documents("a: 1\n---\nb: 2\n", &source()).unwrap();
        assert_eq!(documents.len(), 2);
    }

    #[test]
    fn empty_stream_has_no_documents() {
        assert!(parse_documents("# only a comment\n", &source())
            .unwrap()
            .is_empty());
    }
}
