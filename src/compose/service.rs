//! Conversion of a fully merged service definition to the typed `Service` the controls read.

use super::build::build_from_entry;
use super::model::{ComposeHealthcheck, LoadError, Located, Service};
use super::node::{Entry, Value};
use super::typed::{bool_value, located, string_list, string_value};
use super::volume::volume_from_node;

/// Converts one entry of `services:`.
pub(crate) fn service_from_entry(entry: &Entry) -> Result<Service, LoadError> {
    let name = entry.key.as_str();
    let mut service = Service {
        name: name.to_string(),
        location: entry.key_origin.location(),
        image: None,
        build: None,
        user: None,
        healthcheck: None,
        cap_add: Vec::new(),
        cap_drop: Vec::new(),
        read_only: None,
        privileged: None,
        network_mode: None,
        pid: None,
        ipc: None,
        security_opt: Vec::new(),
        volumes: Vec::new(),
        tmpfs: Vec::new(),
        use_api_socket: None,
    };

    let Some(fields) = entry.value.entries() else {
        if entry.value.is_null() {
            return Ok(service);
        }
        return Err(entry.key_origin.error(format!(
            "service `{name}` is a {}; a service definition must be a mapping",
            entry.value.type_name()
        )));
    };

    for field in fields {
        match field.key.as_str() {
            "image" => service.image = string_value(field, name)?,
            "build" => service.build = build_from_entry(field, name)?,
            "user" => service.user = string_value(field, name)?,
            "healthcheck" => service.healthcheck = healthcheck_from_entry(field, name)?,
            "cap_add" => service.cap_add = string_list(field, name, false)?,
            "cap_drop" => service.cap_drop = string_list(field, name, false)?,
            "read_only" => service.read_only = bool_value(field, name)?,
            "privileged" => service.privileged = bool_value(field, name)?,
            "network_mode" => service.network_mode = string_value(field, name)?,
            "pid" => service.pid = string_value(field, name)?,
            "ipc" => service.ipc = string_value(field, name)?,
            "security_opt" => service.security_opt = string_list(field, name, false)?,
            "volumes" => service.volumes = volumes_from_entry(field, name)?,
            "tmpfs" => service.tmpfs = tmpfs_targets(field, name)?,
            "use_api_socket" => service.use_api_socket = bool_value(field, name)?,
            _ => {}
        }
    }
    Ok(service)
}

fn volumes_from_entry(
    entry: &Entry,
    service: &str,
) -> Result<Vec<super::model::Volume>, LoadError> {
    match &entry.value.value {
        Value::Seq(items) => items
            .iter()
            .filter(|item| !item.is_null())
            .map(|item| volume_from_node(item, service))
            .collect(),
        _ if entry.value.is_null() => Ok(Vec::new()),
        _ => Err(entry.key_origin.error(format!(
            "service `{service}`: `volumes` must be a list, not a {}",
            entry.value.type_name()
        ))),
    }
}

/// Reads `tmpfs:` entries, a string or a list of `PATH[:OPTIONS]`, keeping the paths.
fn tmpfs_targets(entry: &Entry, service: &str) -> Result<Vec<Located<String>>, LoadError> {
    let mut targets = string_list(entry, service, true)?;
    for target in &mut targets {
        if let Some((path, _options)) = target.value.split_once(':') {
            target.value = path.to_string();
        }
    }
    Ok(targets)
}

fn healthcheck_from_entry(
    entry: &Entry,
    service: &str,
) -> Result<Option<ComposeHealthcheck>, LoadError> {
    let node = &entry.value;
    if node.is_null() {
        return Ok(None);
    }
    if node.entries().is_none() {
        return Err(entry.key_origin.error(format!(
            "service `{service}`: `healthcheck` must be a mapping, not a {}",
            node.type_name()
        )));
    }

    let test = match node.get("test") {
        Some(test_entry) => healthcheck_test(test_entry, service)?,
        None => None,
    };
    let disable = match node.get("disable") {
        Some(disable_entry) => bool_value(disable_entry, service)?,
        None => None,
    };
    Ok(Some(ComposeHealthcheck {
        location: entry.key_origin.location(),
        test,
        disable,
    }))
}

/// Reads `healthcheck.test`; a string is shorthand for `["CMD-SHELL", string]`.
fn healthcheck_test(
    entry: &Entry,
    service: &str,
) -> Result<Option<Located<Vec<String>>>, LoadError> {
    match &entry.value.value {
        _ if entry.value.is_null() => Ok(None),
        Value::Scalar { text, .. } => Ok(Some(located(entry, vec!["CMD-SHELL".to_string(), text.clone()]))),
        Value::Seq(items) => {
            let mut words = Vec::with_capacity(items.len());
            for item in items {
                match item.scalar_text() {
                    Some(text) => words.push(text.to_string()),
                    None => {
                        return Err(item.origin.error(format!(
                            "service `{service}`: `healthcheck.test` lists a {} where a string belongs",
                            item.type_name()
                        )))
                    }
                }
            }
            Ok(Some(located(entry, words)))
        }
        Value::Map(_) => Err(entry.key_origin.error(format!(
            "service `{service}`: `healthcheck.test` must be a string or a list such as [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]"
        ))),
    }
}
