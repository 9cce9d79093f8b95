//! Loading of a Compose project: the files given with `-f` in order, each parsed, interpolated,
//! expanded by `extends` and `include`, and merged onto the ones before it.

use super::dotenv::read_environment;
use super::extends::resolve_extends;
use super::include::apply_includes;
use super::interpolate::{interpolate_tree, Environment};
use super::merge::{merge_projects, strip_tags};
use super::model::{LoadError, Project};
use super::node::{Node, Origin, Source, Tag, Value};
use super::paths::{join, normalize, parent_dir};
use super::service::service_from_entry;
use super::yaml::parse_documents;
use std::cell::Cell;
use std::rc::Rc;

/// Loads a Compose project as `docker compose -f files[0] -f files[1] ...` would.
///
/// `files` are repository-relative paths with `/` separators; the first file's folder is the
/// project directory, and a `.env` file there supplies the variables for interpolation. `read`
/// returns the text of a repository file by its normalized repository-relative path, or `None`
/// when the file does not exist. Relative paths in the files of the project resolve against the
/// project directory, as Compose resolves them. Relative paths in a file reached through
/// `extends` or `include` resolve against that file's folder.
pub fn load_project(
    files: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Project, LoadError> {
    if files.is_empty() {
        return Err(LoadError {
            path: String::new(),
            line: 0,
            message: "no Compose file given; pass at least one file".to_string(),
        });
    }

    let mut paths = Vec::with_capacity(files.len());
    for file in files {
        let Some(path) = normalize(file) else {
            return Err(LoadError {
                path: file.clone(),
                line: 0,
                message: "the Compose file path leaves the repository; give a path inside it"
                    .to_string(),
            });
        };
        paths.push(FileReference {
            path,
            referenced_at: None,
        });
    }

    let mut loader = Loader {
        read,
        reads: Cell::new(0),
        load_chain: Vec::new(),
    };
    let project_dir = parent_dir(&paths[0].path);
    let environment = read_optional_environment(&loader, &project_dir, &Environment::new(), None)?;
    let context = ProjectContext {
        dir: project_dir,
        environment,
    };
    let root = loader.load_layers(&paths, &context)?;

    // NOTE: the project is not validated against the Compose JSON schema, and `depends_on`
    // references and cycles are not checked; Compose rejects such projects at start-up.
    let mut services = Vec::new();
    if let Some(entries) = root.get("services").and_then(|entry| entry.value.entries()) {
        for entry in entries {
            services.push(service_from_entry(entry)?);
        }
    }
    services.sort_by(|a, b| a.name.cmp(&b.name));

    Ok(Project {
        files: files.to_vec(),
        services,
        json: root.to_json(),
    })
}

/// Reads the `.env` file of a project directory, if there is one.
pub(crate) fn read_optional_environment(
    loader: &Loader,
    dir: &str,
    parent: &Environment,
    referenced_at: Option<&Origin>,
) -> Result<Environment, LoadError> {
    let path = join(dir, ".env").unwrap_or_else(|| ".env".to_string());
    match loader.read_text(&path, referenced_at)? {
        Some(text) => read_environment(&path, &text, parent),
        None => Ok(Environment::new()),
    }
}

/// The folder and variables that the files of one project, or of one included project, share.
pub(crate) struct ProjectContext {
    pub dir: String,
    pub environment: Environment,
}

/// A file to load and the `include` entry that named it, for error messages.
pub(crate) struct FileReference {
    pub path: String,
    pub referenced_at: Option<Origin>,
}

/// The deepest nesting of `include` followed, for the same reason as the `extends` limit: ever
/// new paths can form an endless chain that cycle detection cannot catch.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Maximum number of file reads for one project. A project reads a handful of files, and the
/// limit stops includes that branch through a directory symlink loop from reading without end.
const MAX_FILE_READS: usize = 1_000;

pub(crate) struct Loader<'a> {
    read: &'a dyn Fn(&str) -> Option<String>,
    /// Files read so far, counted against `MAX_FILE_READS`.
    reads: Cell<usize>,
    /// Files being loaded, outermost first, to detect a file that includes itself.
    load_chain: Vec<String>,
}

impl Loader<'_> {
    /// Reads a repository file, counting the read against the project's budget.
    pub fn read_text(
        &self,
        path: &str,
        referenced_at: Option<&Origin>,
    ) -> Result<Option<String>, LoadError> {
        let reads = self.reads.get() + 1;
        self.reads.set(reads);
        if reads > MAX_FILE_READS {
            let message = format!(
                "the project reads more than {MAX_FILE_READS} files through include, extends and .env; \
                 check for a symlink loop"
            );
            return Err(match referenced_at {
                Some(origin) => origin.error(message),
                None => LoadError {
                    path: path.to_string(),
                    line: 0,
                    message,
                },
            });
        }
        Ok((self.read)(path))
    }

    /// Loads files as base and overrides and merges them in order.
    pub fn load_layers(
        &mut self,
        files: &[FileReference],
        context: &ProjectContext,
    ) -> Result<Node, LoadError> {
        let mut merged: Option<Node> = None;
        for file in files {
            for layer in self.load_file(file, context)? {
                let mut next = match merged.take() {
                    Some(base) => merge_projects(base, layer)?,
                    None => layer,
                };
                strip_tags(&mut next);
                merged = Some(next);
            }
        }

        Ok(merged.unwrap_or_else(|| {
            let source = Rc::new(Source {
                path: files
                    .first()
                    .map(|file| file.path.clone())
                    .unwrap_or_default(),
                base_dir: context.dir.clone(),
            });
            Node::empty_map(Origin { source, line: 1 })
        }))
    }

    /// Loads one file into layers, one per YAML document, each interpolated and with its
    /// `extends` and `include` resolved.
    fn load_file(
        &mut self,
        file: &FileReference,
        context: &ProjectContext,
    ) -> Result<Vec<Node>, LoadError> {
        let not_found = |message: String| match &file.referenced_at {
            Some(origin) => origin.error(message),
            None => LoadError {
                path: file.path.clone(),
                line: 0,
                message,
            },
        };

        if self.load_chain.contains(&file.path) {
            let mut cycle = self.load_chain.clone();
            cycle.push(file.path.clone());
            return Err(not_found(format!(
                "include cycle: {}; remove the include that leads back to an earlier file",
                cycle.join(" includes ")
            )));
        }
        if self.load_chain.len() > MAX_INCLUDE_DEPTH {
            return Err(not_found(format!(
                "include nesting deeper than {MAX_INCLUDE_DEPTH} files; flatten the includes"
            )));
        }
        let Some(text) = self.read_text(&file.path, file.referenced_at.as_ref())? else {
            return Err(not_found(format!("Compose file `{}` not found", file.path)));
        };

        let source = Rc::new(Source {
            path: file.path.clone(),
            base_dir: context.dir.clone(),
        });
        let documents = parse_documents(&text, &source)?;

        self.load_chain.push(file.path.clone());
        let mut layers = Vec::with_capacity(documents.len());
        for document in documents {
            let result = self.process_document(document, context);
            match result {
                Ok(layer) => layers.push(layer),
                Err(error) => {
                    self.load_chain.pop();
                    return Err(error);
                }
            }
        }
        self.load_chain.pop();
        Ok(layers)
    }

    fn process_document(
        &mut self,
        document: Node,
        context: &ProjectContext,
    ) -> Result<Node, LoadError> {
        let mut layer = top_level_mapping(document)?;
        interpolate_tree(&mut layer, &context.environment)?;
        check_services(&layer)?;
        resolve_extends(self, &mut layer, context)?;
        apply_includes(self, &mut layer, context)?;
        Ok(layer)
    }
}

/// Parses and interpolates a file for reading its services, without resolving anything in it.
pub(crate) fn read_file_tree(
    loader: &Loader,
    path: &str,
    referenced_at: &Origin,
    context: &ProjectContext,
) -> Result<Node, LoadError> {
    let Some(text) = loader.read_text(path, Some(referenced_at))? else {
        return Err(referenced_at.error(format!("extended Compose file `{path}` not found")));
    };
    // Paths in a file reached through `extends` are relative to that file's folder.
    let source = Rc::new(Source {
        path: path.to_string(),
        base_dir: parent_dir(path),
    });

    let mut merged: Option<Node> = None;
    for document in parse_documents(&text, &source)? {
        let mut layer = top_level_mapping(document)?;
        interpolate_tree(&mut layer, &context.environment)?;
        check_services(&layer)?;
        merged = Some(match merged.take() {
            Some(base) => merge_projects(base, layer)?,
            None => layer,
        });
    }
    Ok(merged.unwrap_or_else(|| Node::empty_map(Origin { source, line: 1 })))
}

/// Checks that a document is a mapping; an empty document is an empty project.
fn top_level_mapping(document: Node) -> Result<Node, LoadError> {
    match &document.value {
        Value::Map(_) => Ok(document),
        _ if document.is_null() => Ok(Node::empty_map(document.origin)),
        _ => Err(document.origin.error(format!(
            "the top level of a Compose file must be a mapping with keys such as `services`, not a {}",
            document.type_name()
        ))),
    }
}

/// Checks that `services` is a mapping of service names to mappings.
fn check_services(layer: &Node) -> Result<(), LoadError> {
    let Some(services) = layer.get("services") else {
        return Ok(());
    };
    if services.value.is_null() {
        return Ok(());
    }
    let Some(entries) = services.value.entries() else {
        return Err(services.key_origin.error(format!(
            "`services` must be a mapping of service names to definitions, not a {}",
            services.value.type_name()
        )));
    };
    for entry in entries {
        let is_mapping_or_reset = entry.value.entries().is_some() || entry.value.tag == Tag::Reset;
        if !entry.value.is_null() && !is_mapping_or_reset {
            return Err(entry.key_origin.error(format!(
                "service `{}` is a {}; a service definition must be a mapping",
                entry.key,
                entry.value.type_name()
            )));
        }
    }
    Ok(())
}
