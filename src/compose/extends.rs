//! `extends`: a service built on another service of the same file or of another file, resolved
//! recursively, with cycles reported.

use super::loader::{read_file_tree, Loader, ProjectContext};
use super::merge::{merge_services, strip_tags};
use super::model::LoadError;
use super::node::{Entry, Node, Origin, Source};
use super::paths::{join, parent_dir};
use std::rc::Rc;

/// Maximum length of an `extends` chain. Real chains are a few links long. The limit stops a
/// chain through ever new paths, such as `sub/x.yaml` extending `sub/x.yaml` from its own folder,
/// which cycle detection cannot catch.
const MAX_EXTENDS_DEPTH: usize = 32;

/// The services of one file, as written, for looking up `extends` targets.
struct ServiceFile {
    source: Rc<Source>,
    /// The `services` mapping.
    services: Node,
}

/// Replaces every service of `layer` that uses `extends` with the merge of its base and itself.
pub(crate) fn resolve_extends(
    loader: &Loader,
    layer: &mut Node,
    context: &ProjectContext,
) -> Result<(), LoadError> {
    let Some(services) = layer.get("services") else {
        return Ok(());
    };
    let Some(entries) = services.value.entries() else {
        return Ok(());
    };
    let extending: Vec<String> = entries
        .iter()
        .filter(|entry| entry.value.get("extends").is_some())
        .map(|entry| entry.key.clone())
        .collect();
    if extending.is_empty() {
        return Ok(());
    }

    let file = ServiceFile {
        source: services.key_origin.source.clone(),
        services: services.value.clone(),
    };
    for name in extending {
        let mut chain = Vec::new();
        let reference = file
            .services
            .get(&name)
            .map(|entry| entry.key_origin.clone())
            .unwrap_or_else(|| file.services.origin.clone());
        let resolved = resolve_service(loader, &file, &name, &reference, &mut chain, context)?;
        if let Some(entry) = layer
            .get_mut("services")
            .and_then(|services| services.value.get_mut(&name))
        {
            entry.value = resolved;
        }
    }
    Ok(())
}

/// Returns service `name` of `file` with its `extends` chain merged in.
///
/// `chain` contains the `file:service` links being resolved, outermost first.
fn resolve_service(
    loader: &Loader,
    file: &ServiceFile,
    name: &str,
    reference: &Origin,
    chain: &mut Vec<String>,
    context: &ProjectContext,
) -> Result<Node, LoadError> {
    let Some(entry) = file.services.get(name) else {
        return Err(reference.error(format!(
            "extends: service `{name}` not found in `{}`; check the service name",
            file.source.path
        )));
    };
    let mut service = if entry.value.is_null() {
        Node::empty_map(entry.key_origin.clone())
    } else {
        entry.value.clone()
    };
    let Some(extends) = service.remove("extends") else {
        return Ok(service);
    };
    let (target_file, target_service) = parse_extends(&extends, name)?;

    let link = format!("{}:{}", file.source.path, name);
    if chain.contains(&link) {
        chain.push(link);
        return Err(extends.key_origin.error(format!(
            "extends cycle: {}; break the cycle so that a service does not extend itself",
            chain.join(" extends ")
        )));
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(extends.key_origin.error(format!(
            "extends chain longer than {MAX_EXTENDS_DEPTH} services; shorten the chain"
        )));
    }
    chain.push(link);

    let base = match target_file {
        None => resolve_service(
            loader,
            file,
            &target_service,
            &extends.key_origin,
            chain,
            context,
        )?,
        Some(relative) => {
            let Some(path) = join(&parent_dir(&file.source.path), &relative) else {
                return Err(extends.key_origin.error(format!(
                    "extends file `{relative}` lies outside the repository; only files inside it can be read"
                )));
            };
            if path == file.source.path {
                resolve_service(
                    loader,
                    file,
                    &target_service,
                    &extends.key_origin,
                    chain,
                    context,
                )?
            } else {
                let tree = read_file_tree(loader, &path, &extends.key_origin, context)?;
                let other = ServiceFile {
                    source: tree.origin.source.clone(),
                    services: tree
                        .get("services")
                        .map(|entry| entry.value.clone())
                        .unwrap_or_else(|| Node::empty_map(tree.origin.clone())),
                };
                resolve_service(
                    loader,
                    &other,
                    &target_service,
                    &extends.key_origin,
                    chain,
                    context,
                )?
            }
        }
    };
    chain.pop();

    let mut base = base;
    strip_tags(&mut base);
    // NOTE: the specification also rejects `healthcheck.disable: true` on a service whose base
    // does not disable its healthcheck; that check is not made here.
    merge_services(base, service, name)
}

/// Reads `extends: name` or `extends: {service: name, file: path}`.
fn parse_extends(extends: &Entry, service: &str) -> Result<(Option<String>, String), LoadError> {
    if let Some(target) = extends.value.scalar_text() {
        return Ok((None, target.to_string()));
    }
    if extends.value.entries().is_none() {
        return Err(extends.key_origin.error(format!(
            "service `{service}`: `extends` must be a service name or a mapping with `service` and an optional `file`"
        )));
    }

    let text = |key: &str| {
        extends
            .value
            .get(key)
            .and_then(|entry| entry.value.scalar_text())
            .map(str::to_string)
    };
    let Some(target) = text("service") else {
        return Err(extends.key_origin.error(format!(
            "service `{service}`: `extends` needs `service`, the name of the service to extend"
        )));
    };
    Ok((text("file"), target))
}
