//! Merging of Compose trees for override files and `extends`, with the `!reset` and `!override`
//! tags, following the merge rules of the Compose specification.
//!
//! Mappings merge key by key and sequences append, with the exceptions that the specification
//! and compose-go apply. `command`, `entrypoint` and `healthcheck.test` are replaced.
//! `environment`, `labels` and similar keys merge by name, whether written as a mapping or as a
//! `KEY=VALUE` list. `volumes`, `ports`, `secrets`, `configs` and `devices` keep one entry per
//! mount target or port. `cap_add`, `cap_drop`, `security_opt` and similar lists drop
//! duplicates.

use super::model::LoadError;
use super::node::{Entry, Node, ScalarKind, Tag, Value};
use super::volume::parse_short_volume;

/// Merges a later Compose tree (`over`) into an earlier one (`base`), both whole files.
///
/// `!reset` entries of `over` stay in the result as markers, so that a later merge still
/// removes the value from what came before. `strip_tags` removes them once no merge is left.
pub(crate) fn merge_projects(base: Node, over: Node) -> Result<Node, LoadError> {
    merge_value(base, over, &[])
}

/// Merges a service (`over`) onto the service it extends (`base`).
pub(crate) fn merge_services(base: Node, over: Node, name: &str) -> Result<Node, LoadError> {
    merge_value(base, over, &["services".to_string(), name.to_string()])
}

/// Removes `!reset` markers and clears `!override` tags once merging is done.
pub(crate) fn strip_tags(node: &mut Node) {
    node.tag = Tag::None;
    match &mut node.value {
        Value::Map(entries) => {
            entries.retain(|entry| entry.value.tag != Tag::Reset);
            for entry in entries {
                strip_tags(&mut entry.value);
            }
        }
        Value::Seq(items) => {
            items.retain(|item| item.tag != Tag::Reset);
            for item in items {
                strip_tags(item);
            }
        }
        Value::Scalar { .. } => {}
    }
}

/// The merge rule for the values at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Mappings merge key by key, sequences append, and anything else is replaced.
    Deep,
    /// The later value replaces the earlier one.
    Replace,
    /// A mapping or a `KEY=VALUE` list, merged by key; the later value of a key wins.
    KeyedMap { host_separator: bool },
    /// A list whose entries are unique by a key; a later entry replaces an earlier one with the
    /// same key, in the earlier one's position.
    Unique(UniqueKey),
    /// A string or a list, appended without removing duplicates.
    AppendList,
    /// A list of names or a mapping keyed by name (`networks`, `depends_on`).
    NameMap,
    /// `build`: a context string or a mapping.
    Build,
    /// One `ulimits` entry: a number replaces, mappings merge.
    Ulimit,
    /// `logging`: merges only when both sides use the same driver.
    Logging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UniqueKey {
    Exact,
    VolumeTarget,
    DeviceTarget,
    SecretTarget,
    ConfigTarget,
    Port,
}

fn rule_for(path: &[String]) -> Rule {
    let Some(last) = path.last() else {
        return Rule::Deep;
    };
    if last.starts_with("x-") {
        // Compose replaces extension fields instead of merging them.
        return Rule::Replace;
    }

    if path.len() == 3
        && path[2] == "labels"
        && matches!(
            path[0].as_str(),
            "networks" | "volumes" | "secrets" | "configs"
        )
    {
        return Rule::KeyedMap {
            host_separator: false,
        };
    }
    if path.len() < 3 || path[0] != "services" {
        return Rule::Deep;
    }

    let field: Vec<&str> = path[2..].iter().map(String::as_str).collect();
    match field.as_slice() {
        ["command"] | ["entrypoint"] | ["healthcheck", "test"] => Rule::Replace,
        ["environment"]
        | ["labels"]
        | ["annotations"]
        | ["sysctls"]
        | ["build", "args"]
        | ["build", "labels"]
        | ["build", "additional_contexts"]
        | ["deploy", "labels"] => Rule::KeyedMap {
            host_separator: false,
        },
        ["extra_hosts"] | ["build", "extra_hosts"] => Rule::KeyedMap {
            host_separator: true,
        },
        ["volumes"] => Rule::Unique(UniqueKey::VolumeTarget),
        ["devices"] => Rule::Unique(UniqueKey::DeviceTarget),
        ["secrets"] => Rule::Unique(UniqueKey::SecretTarget),
        ["configs"] => Rule::Unique(UniqueKey::ConfigTarget),
        ["ports"] => Rule::Unique(UniqueKey::Port),
        ["cap_add"]
        | ["cap_drop"]
        | ["security_opt"]
        | ["expose"]
        | ["external_links"]
        | ["device_cgroup_rules"]
        | ["links"]
        | ["profiles"]
        | ["group_add"]
        | ["dns_opt"]
        | ["deploy", "placement", "constraints"]
        | ["deploy", "placement", "preferences"]
        | ["deploy", "resources", "reservations", "generic_resources"] => {
            Rule::Unique(UniqueKey::Exact)
        }
        ["dns"] | ["dns_search"] | ["env_file"] | ["tmpfs"] | ["label_file"] => Rule::AppendList,
        ["networks"] | ["depends_on"] | ["models"] => Rule::NameMap,
        ["build"] => Rule::Build,
        ["ulimits", _] => Rule::Ulimit,
        ["logging"] => Rule::Logging,
        _ => Rule::Deep,
    }
}

fn child_path(path: &[String], key: &str) -> Vec<String> {
    let mut child = path.to_vec();
    child.push(key.to_string());
    child
}

fn merge_value(base: Node, over: Node, path: &[String]) -> Result<Node, LoadError> {
    if over.tag == Tag::Override {
        return Ok(over);
    }

    match rule_for(path) {
        Rule::Replace => Ok(over),
        Rule::Deep => merge_deep(base, over, path),
        Rule::KeyedMap { host_separator } => {
            let base = keyed_map(base, host_separator, path)?;
            let over = keyed_map(over, host_separator, path)?;
            merge_mappings(base, over, path, true)
        }
        Rule::Unique(key) => {
            if over.is_null() {
                return Ok(base);
            }
            let origin = over.origin.clone();
            let mut items = list_items(base, path)?;
            items.extend(list_items(over, path)?);
            Ok(Node::new(Value::Seq(unique_items(items, key)), origin))
        }
        Rule::AppendList => {
            let origin = over.origin.clone();
            let mut items = list_items(base, path)?;
            items.extend(list_items(over, path)?);
            Ok(Node::new(Value::Seq(items), origin))
        }
        Rule::NameMap => {
            if over.is_null() {
                return Ok(base);
            }
            let base = name_map(base, path)?;
            let over = name_map(over, path)?;
            merge_mappings(base, over, path, false)
        }
        Rule::Build => {
            let base = build_map(base);
            let over = build_map(over);
            merge_deep(base, over, path)
        }
        Rule::Ulimit => match (&base.value, &over.value) {
            (Value::Map(_), Value::Map(_)) => merge_mappings(base, over, path, false),
            _ => Ok(over),
        },
        Rule::Logging => {
            let driver = |node: &Node| {
                node.get("driver")
                    .and_then(|entry| entry.value.scalar_text())
                    .map(str::to_string)
            };
            match (driver(&base), driver(&over)) {
                (Some(earlier), Some(later)) if earlier != later => Ok(over),
                _ => merge_deep(base, over, path),
            }
        }
    }
}

/// Merges mappings key by key and appends sequences; a later scalar replaces. A later null
/// keeps an earlier mapping or sequence, as compose-go does.
fn merge_deep(base: Node, over: Node, path: &[String]) -> Result<Node, LoadError> {
    if base.is_null() {
        return Ok(over);
    }
    let base_is_collection = matches!(base.value, Value::Map(_) | Value::Seq(_));
    if over.is_null() && base_is_collection {
        return Ok(base);
    }

    match (&base.value, &over.value) {
        (Value::Map(_), Value::Map(_)) => merge_mappings(base, over, path, false),
        (Value::Seq(_), Value::Seq(_)) => {
            let origin = over.origin.clone();
            let mut items = into_items(base);
            items.extend(into_items(over));
            Ok(Node::new(Value::Seq(items), origin))
        }
        (Value::Map(_), _) | (Value::Seq(_), _) => Err(over.origin.error(format!(
            "`{}` is a {} here but a {} in the file or service it overrides; write it in the same \
             form, or tag it `!override` to replace the earlier value",
            path.join("."),
            over.type_name(),
            base.type_name()
        ))),
        _ => Ok(over),
    }
}

fn into_items(node: Node) -> Vec<Node> {
    match node.value {
        Value::Seq(items) => items,
        _ => Vec::new(),
    }
}

/// Merges two mappings entry by entry. With `replace_values`, a later entry replaces an earlier
/// one with the same key instead of merging into it.
fn merge_mappings(
    base: Node,
    over: Node,
    path: &[String],
    replace_values: bool,
) -> Result<Node, LoadError> {
    let origin = over.origin.clone();
    let (Value::Map(mut entries), Value::Map(over_entries)) = (base.value, over.value) else {
        return Err(origin.error(format!("`{}` must be a mapping", path.join("."))));
    };

    for entry in over_entries {
        let Some(index) = entries
            .iter()
            .position(|existing| existing.key == entry.key)
        else {
            entries.push(entry);
            continue;
        };
        if entry.value.tag == Tag::Reset {
            // Keep the marker so the removal also applies to files merged before this one.
            entries[index] = entry;
            continue;
        }

        let earlier = std::mem::replace(
            &mut entries[index].value,
            Node::null(entry.value.origin.clone()),
        );
        let value = if replace_values || earlier.tag == Tag::Reset {
            entry.value
        } else {
            merge_value(earlier, entry.value, &child_path(path, &entry.key))?
        };
        entries[index] = Entry {
            key: entry.key,
            key_origin: entry.key_origin,
            value,
        };
    }
    Ok(Node::new(Value::Map(entries), origin))
}

/// Converts `environment`-like values to mapping form: `KEY=VALUE` items become entries and a
/// bare `KEY` becomes a null entry. For `extra_hosts`, `HOST:IP` is accepted as well.
fn keyed_map(node: Node, host_separator: bool, path: &[String]) -> Result<Node, LoadError> {
    let origin = node.origin.clone();
    let items = match node.value {
        Value::Map(_) => return Ok(node),
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => return Ok(Node::empty_map(origin)),
        Value::Seq(items) => items,
        Value::Scalar { .. } => {
            return Err(origin.error(format!(
                "`{}` must be a mapping or a list of KEY=VALUE strings, not a {}",
                path.join("."),
                node.type_name()
            )))
        }
    };

    let mut entries: Vec<Entry> = Vec::new();
    for item in items {
        if item.tag == Tag::Reset {
            continue;
        }
        let Some(text) = item.scalar_text() else {
            return Err(item.origin.error(format!(
                "`{}` lists a {} where a KEY=VALUE string belongs",
                path.join("."),
                item.type_name()
            )));
        };
        let split = text.split_once('=').or_else(|| {
            if host_separator {
                text.split_once(':')
            } else {
                None
            }
        });
        let (key, value) = match split {
            Some((key, value)) => {
                let mut value_node = Node::string(value, item.origin.clone());
                value_node.unset = item.unset.clone();
                (key.to_string(), value_node)
            }
            None => (text.to_string(), Node::null(item.origin.clone())),
        };
        let entry = Entry {
            key,
            key_origin: item.origin.clone(),
            value,
        };
        // Within one list the last definition of a key wins.
        match entries
            .iter()
            .position(|existing| existing.key == entry.key)
        {
            Some(index) => entries[index] = entry,
            None => entries.push(entry),
        }
    }
    Ok(Node::new(Value::Map(entries), origin))
}

/// Converts `networks`-like values to mapping form: a list of names becomes null entries.
fn name_map(node: Node, path: &[String]) -> Result<Node, LoadError> {
    let origin = node.origin.clone();
    match node.value {
        Value::Map(_) => Ok(node),
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => Ok(Node::empty_map(origin)),
        Value::Seq(items) => {
            let mut entries = Vec::new();
            for item in items {
                let Some(name) = item.scalar_text() else {
                    return Err(item.origin.error(format!(
                        "`{}` lists a {} where a name belongs",
                        path.join("."),
                        item.type_name()
                    )));
                };
                entries.push(Entry {
                    key: name.to_string(),
                    key_origin: item.origin.clone(),
                    value: Node::null(item.origin.clone()),
                });
            }
            Ok(Node::new(Value::Map(entries), origin))
        }
        Value::Scalar { .. } => Err(origin.error(format!(
            "`{}` must be a list of names or a mapping, not a {}",
            path.join("."),
            node.type_name()
        ))),
    }
}

/// Converts `build: ./dir` to `build: {context: ./dir}` so both forms merge.
fn build_map(node: Node) -> Node {
    match &node.value {
        Value::Scalar { kind, .. } if *kind != ScalarKind::Null => {
            let origin = node.origin.clone();
            let entry = Entry {
                key: "context".to_string(),
                key_origin: origin.clone(),
                value: node,
            };
            Node::new(Value::Map(vec![entry]), origin)
        }
        _ => node,
    }
}

/// Returns the items of a list-valued key; a single string counts as a one-item list, and null
/// as an empty one.
fn list_items(node: Node, path: &[String]) -> Result<Vec<Node>, LoadError> {
    match node.value {
        Value::Seq(items) => Ok(items),
        Value::Scalar {
            kind: ScalarKind::Null,
            ..
        } => Ok(Vec::new()),
        Value::Scalar { .. } => Ok(vec![node]),
        Value::Map(_) => Err(node.origin.error(format!(
            "`{}` must be a list, not a mapping",
            path.join(".")
        ))),
    }
}

fn unique_items(items: Vec<Node>, key: UniqueKey) -> Vec<Node> {
    let mut result: Vec<Node> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for item in items {
        let item_key = unique_key(&item, key);
        match keys.iter().position(|existing| *existing == item_key) {
            Some(index) => result[index] = item,
            None => {
                keys.push(item_key);
                result.push(item);
            }
        }
    }
    result
}

fn unique_key(item: &Node, key: UniqueKey) -> String {
    let field = |name: &str| {
        item.get(name)
            .and_then(|entry| entry.value.scalar_text())
            .map(str::to_string)
    };
    if let Some(text) = item.scalar_text() {
        return match key {
            UniqueKey::Exact | UniqueKey::Port => text.to_string(),
            UniqueKey::VolumeTarget => {
                parse_short_volume(text).map_or_else(|_| text.to_string(), |volume| volume.target)
            }
            UniqueKey::DeviceTarget => {
                let parts: Vec<&str> = text.split(':').collect();
                parts.get(1).unwrap_or(&parts[0]).to_string()
            }
            UniqueKey::SecretTarget => format!("/run/secrets/{text}"),
            UniqueKey::ConfigTarget => format!("/{text}"),
        };
    }

    match key {
        UniqueKey::VolumeTarget | UniqueKey::DeviceTarget => field("target").unwrap_or_default(),
        UniqueKey::SecretTarget => match field("target") {
            Some(target) if target.starts_with('/') => target,
            Some(target) => format!("/run/secrets/{target}"),
            None => format!("/run/secrets/{}", field("source").unwrap_or_default()),
        },
        UniqueKey::ConfigTarget => {
            field("target").unwrap_or_else(|| format!("/{}", field("source").unwrap_or_default()))
        }
        UniqueKey::Port => format!(
            "{}:{}:{}/{}",
            field("host_ip").unwrap_or_default(),
            field("published").unwrap_or_default(),
            field("target").unwrap_or_default(),
            field("protocol").unwrap_or_else(|| "tcp".to_string())
        ),
        UniqueKey::Exact => item.to_json().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::node::Source;
    use crate::compose::yaml::parse_documents;
    use std::rc::Rc;

    fn tree(path: &str, text: &str) -> Node {
        let source = Rc::new(Source {
            path: path.to_string(),
            base_dir: String::new(),
        });
        parse_documents(text, &source).unwrap().remove(0)
    }

    fn merged(base: &str, over: &str) -> Node {
        let mut result = merge_projects(tree("base.yaml", base), tree("over.yaml", over)).unwrap();
        strip_tags(&mut result);
        result
    }

    fn service_json(root: &Node) -> serde_json::Value {
        root.get("services")
            .unwrap()
            .value
            .get("app")
            .unwrap()
            .value
            .to_json()
    }

    #[test]
    fn scalars_replace_and_mappings_merge() {
        let root = merged(
            "services:\n  app:\n    image: a\n    user: root\n",
            "services:\n  app:\n    image: b\n",
        );
        let app = service_json(&root);
        assert_eq!(app["image"], "b");
        assert_eq!(app["user"], "root");
    }

    #[test]
    fn sequences_append() {
        let root = merged(
            "services:\n  app:\n    dns: [1.1.1.1]\n",
            "services:\n  app:\n    dns: [8.8.8.8]\n",
        );
        assert_eq!(
            service_json(&root)["dns"],
            serde_json::json!(["1.1.1.1", "8.8.8.8"])
        );
    }

    #[test]
    fn command_is_replaced() {
        let root = merged(
            "services:\n  app:\n    command: [a, b]\n",
            "services:\n  app:\n    command: [c]\n",
        );
        assert_eq!(service_json(&root)["command"], serde_json::json!(["c"]));
    }

    #[test]
    fn capabilities_drop_duplicates() {
        let root = merged(
            "services:\n  app:\n    cap_add: [CAP_BPF, CAP_CHOWN]\n",
            "services:\n  app:\n    cap_add: [CAP_KILL, CAP_CHOWN]\n",
        );
        assert_eq!(
            service_json(&root)["cap_add"],
            serde_json::json!(["CAP_BPF", "CAP_CHOWN", "CAP_KILL"])
        );
    }

    #[test]
    fn volumes_are_unique_by_target() {
        let root = merged(
            "services:\n  app:\n    volumes: [\"foo:/work\", \"/data\"]\n",
            "services:\n  app:\n    volumes:\n      - bar:/work\n      - type: bind\n        source: ./x\n        target: /x\n",
        );
        let volumes = &service_json(&root)["volumes"];
        assert_eq!(volumes[0], "bar:/work");
        assert_eq!(volumes[1], "/data");
        assert_eq!(volumes[2]["target"], "/x");
    }

    #[test]
    fn environment_merges_list_and_mapping_forms() {
        let root = merged(
            "services:\n  app:\n    environment:\n      - A=1\n      - B=2\n",
            "services:\n  app:\n    environment:\n      B: 3\n      C:\n",
        );
        assert_eq!(
            service_json(&root)["environment"],
            serde_json::json!({"A": "1", "B": 3, "C": null})
        );
    }

    #[test]
    fn tmpfs_string_and_list_append() {
        let root = merged(
            "services:\n  app:\n    tmpfs: /foo\n",
            "services:\n  app:\n    tmpfs: [/bar]\n",
        );
        assert_eq!(
            service_json(&root)["tmpfs"],
            serde_json::json!(["/foo", "/bar"])
        );
    }

    #[test]
    fn build_string_merges_with_mapping() {
        let root = merged(
            "services:\n  app:\n    build: ./app\n",
            "services:\n  app:\n    build:\n      target: prod\n",
        );
        assert_eq!(
            service_json(&root)["build"],
            serde_json::json!({"context": "./app", "target": "prod"})
        );
    }

    #[test]
    fn reset_removes_value_and_override_replaces() {
        let root = merged(
            "services:\n  app:\n    image: a\n    ports: [\"80:80\"]\n    cap_drop: [ALL]\n    read_only: true\n",
            "services:\n  app:\n    ports: !override [\"443:443\"]\n    cap_drop: !reset []\n    read_only: !reset null\n",
        );
        let app = service_json(&root);
        assert_eq!(app["ports"], serde_json::json!(["443:443"]));
        assert!(app.get("cap_drop").is_none());
        assert!(app.get("read_only").is_none());
        assert_eq!(app["image"], "a");
    }

    #[test]
    fn reset_of_environment_variable() {
        let root = merged(
            "services:\n  app:\n    environment:\n      FOO: bar\n      KEEP: 1\n",
            "services:\n  app:\n    environment:\n      FOO: !reset null\n",
        );
        assert_eq!(
            service_json(&root)["environment"],
            serde_json::json!({"KEEP": 1})
        );
    }

    #[test]
    fn null_override_keeps_collections() {
        let root = merged(
            "services:\n  app:\n    networks: [front]\n",
            "services:\n  app:\n    networks:\n",
        );
        assert_eq!(
            service_json(&root)["networks"],
            serde_json::json!(["front"])
        );
    }

    #[test]
    fn mismatched_forms_are_an_error() {
        let error = merge_projects(
            tree(
                "base.yaml",
                "services:\n  app:\n    deploy: {replicas: 1}\n",
            ),
            tree("over.yaml", "services:\n  app:\n    deploy: [x]\n"),
        )
        .unwrap_err();
        assert_eq!(error.path, "over.yaml");
        assert_eq!(error.line, 3);
        assert!(
            error.message.contains("services.app.deploy"),
            "{}",
            error.message
        );
    }

    #[test]
    fn merged_entry_takes_later_key_origin() {
        let root = merged(
            "services:\n  app:\n    image: a\n",
            "x: 1\nservices:\n  app:\n    image: b\n",
        );
        let app = root.get("services").unwrap().value.get("app").unwrap();
        assert_eq!(app.key_origin.source.path, "over.yaml");
        assert_eq!(app.key_origin.line, 3);
        assert_eq!(app.value.get("image").unwrap().key_origin.line, 4);
    }

    #[test]
    fn logging_with_another_driver_replaces() {
        let root = merged(
            "services:\n  app:\n    logging:\n      driver: json-file\n      options: {max-size: 1m}\n",
            "services:\n  app:\n    logging:\n      driver: syslog\n",
        );
        assert_eq!(
            service_json(&root)["logging"],
            serde_json::json!({"driver": "syslog"})
        );
    }
}
