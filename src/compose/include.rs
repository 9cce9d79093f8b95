//! `include`: other Compose projects loaded on their own, with their own project directory and
//! `.env`, whose services and other resources join the including file.

use super::dotenv::read_environment;
use super::interpolate::Environment;
use super::loader::{read_optional_environment, FileReference, Loader, ProjectContext};
use super::model::LoadError;
use super::node::{Node, Origin, Value};
use super::paths::{join, parent_dir};

/// The top-level sections that an included project adds to the including file.
const IMPORTED_SECTIONS: [&str; 6] = [
    "services", "networks", "volumes", "secrets", "configs", "models",
];

/// One item of the `include` list.
struct IncludeItem {
    paths: Vec<(String, Origin)>,
    project_directory: Option<(String, Origin)>,
    env_files: Vec<(String, Origin)>,
}

/// Loads every project listed under `include` and adds its resources to `layer`.
pub(crate) fn apply_includes(
    loader: &mut Loader,
    layer: &mut Node,
    context: &ProjectContext,
) -> Result<(), LoadError> {
    let Some(include) = layer.remove("include") else {
        return Ok(());
    };
    let items = match include.value.value {
        Value::Seq(items) => items,
        _ if include.value.is_null() => return Ok(()),
        _ => {
            return Err(include.key_origin.error(
                "`include` must be a list of paths or of mappings with `path`, `project_directory` and `env_file`",
            ))
        }
    };

    for item in items {
        let spec = parse_item(&item)?;
        // Relative paths of an include entry start from the project directory of the file
        // that contains it.
        let base_dir = &item.origin.source.base_dir;
        let resolve = |(relative, origin): &(String, Origin), what: &str| {
            join(base_dir, relative).ok_or_else(|| {
                origin.error(format!(
                    "include {what} `{relative}` lies outside the repository; only files inside it can be read"
                ))
            })
        };

        let mut files = Vec::with_capacity(spec.paths.len());
        for path in &spec.paths {
            files.push(FileReference {
                path: resolve(path, "path")?,
                referenced_at: Some(path.1.clone()),
            });
        }
        let project_dir = match &spec.project_directory {
            Some(directory) => resolve(directory, "project_directory")?,
            None => parent_dir(&files[0].path),
        };

        let mut environment = if spec.env_files.is_empty() {
            read_optional_environment(
                loader,
                &project_dir,
                &context.environment,
                Some(&item.origin),
            )?
        } else {
            let mut environment = Environment::new();
            for env_file in &spec.env_files {
                let path = resolve(env_file, "env_file")?;
                let Some(text) = loader.read_text(&path, Some(&env_file.1))? else {
                    return Err(env_file
                        .1
                        .error(format!("include env_file `{path}` not found")));
                };
                environment.extend(read_environment(&path, &text, &context.environment)?);
            }
            environment
        };
        // The including project's variables take precedence over the included project's.
        environment.extend(
            context
                .environment
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );

        let included_context = ProjectContext {
            dir: project_dir,
            environment,
        };
        let included = loader.load_layers(&files, &included_context)?;
        import_resources(layer, included, &item.origin)?;
    }
    Ok(())
}

fn parse_item(item: &Node) -> Result<IncludeItem, LoadError> {
    if let Some(path) = item.scalar_text() {
        return Ok(IncludeItem {
            paths: vec![(path.to_string(), item.origin.clone())],
            project_directory: None,
            env_files: Vec::new(),
        });
    }
    if item.entries().is_none() {
        return Err(item
            .origin
            .error("an `include` item must be a path or a mapping with `path`"));
    }

    let strings = |key: &str| -> Result<Vec<(String, Origin)>, LoadError> {
        let Some(entry) = item.get(key) else {
            return Ok(Vec::new());
        };
        match &entry.value.value {
            Value::Seq(values) => values
                .iter()
                .map(|value| match value.scalar_text() {
                    Some(text) => Ok((text.to_string(), value.origin.clone())),
                    None => Err(value.origin.error(format!(
                        "`include.{key}` lists a {} where a path belongs",
                        value.type_name()
                    ))),
                })
                .collect(),
            _ => match entry.value.scalar_text() {
                Some(text) => Ok(vec![(text.to_string(), entry.key_origin.clone())]),
                None if entry.value.is_null() => Ok(Vec::new()),
                None => Err(entry
                    .key_origin
                    .error(format!("`include.{key}` must be a path or a list of paths"))),
            },
        }
    };

    let paths = strings("path")?;
    if paths.is_empty() {
        return Err(item
            .origin
            .error("an `include` item needs `path`, the Compose file to include"));
    }
    let project_directory = strings("project_directory")?.into_iter().next();
    Ok(IncludeItem {
        paths,
        project_directory,
        env_files: strings("env_file")?,
    })
}

/// Adds the resources of an included project to `layer`. A name that both define is an error
/// unless both definitions are equal, because Compose does not merge included resources.
fn import_resources(
    layer: &mut Node,
    included: Node,
    include_origin: &Origin,
) -> Result<(), LoadError> {
    let Value::Map(sections) = included.value else {
        return Ok(());
    };
    for section in sections {
        if !IMPORTED_SECTIONS.contains(&section.key.as_str()) {
            continue;
        }
        let Value::Map(imported) = section.value.value else {
            continue;
        };

        let target = section_mut(layer, &section.key, include_origin);
        for entry in imported {
            match target.iter().find(|existing| existing.key == entry.key) {
                Some(existing) if existing.value.same_value(&entry.value) => {}
                Some(existing) => {
                    return Err(include_origin.error(format!(
                        "the included file `{}` defines {} `{}`, which is also defined at {}:{}; rename one of them",
                        entry.key_origin.source.path,
                        section.key,
                        entry.key,
                        existing.key_origin.source.path,
                        existing.key_origin.line
                    )))
                }
                None => target.push(entry),
            }
        }
    }
    Ok(())
}

/// Returns the entries of a top-level section of `layer`, creating the section when missing.
fn section_mut<'a>(
    layer: &'a mut Node,
    key: &str,
    origin: &Origin,
) -> &'a mut Vec<super::node::Entry> {
    let entries = layer.entries_mut().expect("a layer is a mapping");
    let index = match entries.iter().position(|entry| entry.key == key) {
        Some(index) => index,
        None => {
            entries.push(super::node::Entry {
                key: key.to_string(),
                key_origin: origin.clone(),
                value: Node::empty_map(origin.clone()),
            });
            entries.len() - 1
        }
    };
    let section = &mut entries[index].value;
    if section.entries().is_none() {
        *section = Node::empty_map(origin.clone());
    }
    section
        .entries_mut()
        .expect("the section was just made a mapping")
}
