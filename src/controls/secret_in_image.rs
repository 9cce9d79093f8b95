//! The `secret-in-image` blocker: secrets written into an image by ENV, ARG, COPY or ADD, and the
//! `secret-build-arg` advisory for secrets passed as build arguments.

use super::dockerignore::{context_files, copies_whole_context};
use super::evidence::Evidence;
use super::secrets;
use crate::dockerfile::{stage, CommandKind, Word};
use crate::finding::{Finding, Location, Outcome};
use crate::model::{Image, RepoModel};
use crate::source::Snapshot;
use globset::GlobBuilder;

/// How many secret files a finding names before it summarises the rest.
const MAX_NAMED: usize = 10;

/// Returns the blocker and advisory findings of every image.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> Vec<Finding> {
    let mut evidence = Evidence::new("secret-in-image", model, snapshot);
    let mut secrets_found: Vec<(String, usize, String)> = Vec::new();
    for image in &model.images {
        evaluate_image(model, snapshot, image, &mut evidence, &mut secrets_found);
    }
    let mut findings = evidence.finish().findings;
    redact(&mut findings, &secrets_found);
    findings
}

fn evaluate_image(
    model: &RepoModel,
    snapshot: &Snapshot,
    image: &Image,
    evidence: &mut Evidence,
    secrets_found: &mut Vec<(String, usize, String)>,
) {
    let Some(target) = image.target_stage else {
        return;
    };
    let path = model.dockerfile_of(image).path.clone();
    let subject = path.clone();

    // Only the stages the final image is built FROM reach it: an ENV of a build stage does not.
    // The chain runs from the target back to its root, so walk it the other way, in build order.
    let mut secret_args: Vec<String> = Vec::new();
    let mut chain = stage::from_chain(&image.stages, target);
    chain.reverse();
    for index in chain {
        for command in &image.stages[index].commands {
            let location = Location::new(&path, command.line);
            match &command.kind {
                CommandKind::Env(pairs) => {
                    for (name, word) in pairs {
                        judge_variable(
                            evidence,
                            &subject,
                            &location,
                            "ENV",
                            name,
                            Some(word),
                            secrets_found,
                            &mut secret_args,
                        );
                    }
                }
                CommandKind::Arg(declarations) => {
                    for (name, default) in declarations {
                        judge_variable(
                            evidence,
                            &subject,
                            &location,
                            "ARG",
                            name,
                            default.as_ref(),
                            secrets_found,
                            &mut secret_args,
                        );
                    }
                }
                CommandKind::Copy {
                    from: None,
                    heredoc: false,
                    sources,
                    add,
                    ..
                } => {
                    let keyword = if *add { "ADD" } else { "COPY" };
                    judge_copy(
                        model, snapshot, image, evidence, &subject, &location, keyword, sources,
                    );
                }
                _ => {}
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_variable(
    evidence: &mut Evidence,
    subject: &str,
    location: &Location,
    keyword: &str,
    name: &str,
    word: Option<&Word>,
    secrets_found: &mut Vec<(String, usize, String)>,
    secret_args: &mut Vec<String>,
) {
    let raw = word.map(|word| word.raw.as_str()).unwrap_or("");
    let value = word.map(|word| word.value.as_str()).unwrap_or("");
    let says_secret = secrets::name_says_secret(name);

    if says_secret && secrets::is_literal_secret(raw) {
        secrets_found.push((location.path.clone(), location.line, value.to_string()));
        secrets_found.push((location.path.clone(), location.line, raw.to_string()));
        evidence.add(
            Outcome::Fail,
            subject,
            location,
            format!("{keyword} {name} holds a literal secret, which is stored in the image for anyone who can pull it"),
            "Remove the value; pass the secret at run time (environment or a mounted secret), or at build time with RUN --mount=type=secret.",
        );
        return;
    }
    // `ENV DB_PASSWORD=$P` after `ARG P=hunter2` bakes the default into the image just the same.
    let from_default = word.is_some_and(|word| word.is_resolved() && word.raw != word.value);
    if says_secret && from_default && secrets::is_literal_secret(value) {
        secrets_found.push((location.path.clone(), location.line, value.to_string()));
        evidence.add(
            Outcome::Fail,
            subject,
            location,
            format!("{keyword} {name} is set from a variable whose default is a literal secret, which is stored in the image for anyone who can pull it"),
            "Remove the default; pass the secret at run time, or at build time with RUN --mount=type=secret.",
        );
        return;
    }
    if let Some(format) =
        secrets::credential_format(raw).or_else(|| secrets::credential_format(value))
    {
        secrets_found.push((location.path.clone(), location.line, value.to_string()));
        secrets_found.push((location.path.clone(), location.line, raw.to_string()));
        evidence.add(
            Outcome::Fail,
            subject,
            location,
            format!("{keyword} {name} contains {format}, which is stored in the image for anyone who can pull it"),
            "Remove the credential from the Dockerfile, revoke it, and pass it at run time or with RUN --mount=type=secret.",
        );
        return;
    }
    // An ARG that names a secret but has no value expects it at build time. An ENV that only
    // references such an ARG copies it into every container's environment.
    let unquoted = raw.trim().trim_matches(|c| c == '"' || c == '\'');
    let empty_secret_arg = keyword == "ARG" && says_secret && unquoted.is_empty();
    let copies_secret_arg = keyword == "ENV"
        && secrets::is_variable_reference(raw)
        && referenced_name(raw)
            .is_some_and(|referenced| secret_args.iter().any(|arg| arg == referenced));
    if empty_secret_arg {
        secret_args.push(name.to_string());
    }
    if empty_secret_arg || copies_secret_arg {
        let message = if keyword == "ARG" {
            format!("ARG {name} takes a secret as a build argument; build arguments are recorded in the image's history")
        } else {
            format!("ENV {name} copies a build argument into the image, where it stays in every container's environment")
        };
        evidence.add_with_id(
            "secret-build-arg",
            Outcome::Advisory,
            subject,
            location,
            message,
            "Pass the secret with RUN --mount=type=secret,id=... and read it from /run/secrets in the one step that needs it.",
        );
    }
}

/// Returns the variable a reference such as `$X`, `${X}` or `${X:-y}` names.
fn referenced_name(value: &str) -> Option<&str> {
    let trimmed = value.trim().trim_start_matches('$');
    let inner = trimmed.strip_prefix('{').unwrap_or(trimmed);
    let end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    (end > 0).then(|| &inner[..end])
}

#[allow(clippy::too_many_arguments)]
fn judge_copy(
    model: &RepoModel,
    snapshot: &Snapshot,
    image: &Image,
    evidence: &mut Evidence,
    subject: &str,
    location: &Location,
    keyword: &str,
    sources: &[Word],
) {
    let Some(context) = image.context.as_deref() else {
        return;
    };
    let ignore = image
        .ignore_path
        .as_ref()
        .and_then(|path| model.ignore_files.get(path));
    let files = context_files(snapshot, context);
    for source in sources.iter().filter(|source| source.is_resolved()) {
        let cleaned = clean_source(&source.value);
        if !is_glob(&cleaned)
            && !copies_whole_context(&cleaned)
            && secrets::is_secret_file(&cleaned)
        {
            evidence.add(
                Outcome::Fail,
                subject,
                location,
                format!("{keyword} {} copies a secret file into an image layer", source.value),
                "Do not copy the file; mount it at run time, or use RUN --mount=type=secret during the build.",
            );
            continue;
        }
        let brought_in: Vec<&String> = files
            .iter()
            .filter(|file| secrets::is_secret_file(file))
            .filter(|file| source_matches(&cleaned, file))
            .filter(|file| !ignore.is_some_and(|ignore| ignore.is_excluded(file)))
            .collect();
        if brought_in.is_empty() {
            continue;
        }
        let mut names: Vec<String> = brought_in
            .iter()
            .take(MAX_NAMED)
            .map(|file| file.to_string())
            .collect();
        if brought_in.len() > MAX_NAMED {
            names.push(format!("and {} more", brought_in.len() - MAX_NAMED));
        }
        let through = match &image.ignore_path {
            Some(path) => format!("{path} does not exclude them"),
            None => "there is no .dockerignore".to_string(),
        };
        evidence.add(
            Outcome::Fail,
            subject,
            location,
            format!(
                "{keyword} {} brings secret files of the repository into the image ({through}): {}",
                source.value,
                names.join(", ")
            ),
            "Exclude them in the ignore file (for example **/.env*, **/*.pem, **/*.key), or copy only the paths the image needs.",
        );
    }
}

/// Cleans a COPY source to a path relative to the build context.
fn clean_source(source: &str) -> String {
    let mut cleaned = source.trim();
    while let Some(rest) = cleaned.strip_prefix("./") {
        cleaned = rest;
    }
    cleaned
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

fn is_glob(source: &str) -> bool {
    source.contains(['*', '?', '['])
}

/// Tells whether a COPY source takes `file`: the whole context, a folder that contains it, the
/// file itself, or a glob (where `*` stays within one path component, as Go's `filepath.Match`)
/// that matches the file or one of its parent folders.
fn source_matches(source: &str, file: &str) -> bool {
    if copies_whole_context(source) || source.is_empty() {
        return true;
    }
    if !is_glob(source) {
        return file == source || file.starts_with(&format!("{source}/"));
    }
    let Ok(glob) = GlobBuilder::new(source).literal_separator(true).build() else {
        return false;
    };
    let matcher = glob.compile_matcher();
    let mut candidate = file;
    loop {
        if matcher.is_match(candidate) {
            return true;
        }
        match candidate.rfind('/') {
            Some(index) => candidate = &candidate[..index],
            None => return false,
        }
    }
}

/// Replaces every secret value in the quoted source lines, so the report never prints a secret.
fn redact(findings: &mut [Finding], secrets_found: &[(String, usize, String)]) {
    for finding in findings.iter_mut() {
        for (path, line, secret) in secrets_found {
            if finding.path == *path && finding.line == *line && secret.trim().len() >= 2 {
                finding.quote = finding.quote.replace(secret.trim(), "<redacted>");
            }
        }
        if finding.outcome == Outcome::Fail && secrets::credential_format(&finding.quote).is_some()
        {
            finding.quote = "<line redacted: it contains a credential>".to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::source_matches;

    #[test]
    fn copy_sources_match_files() {
        assert!(source_matches(".", "services/api/.env"));
        assert!(source_matches("services", "services/api/.env"));
        assert!(!source_matches("service", "services/api/.env"));
        assert!(source_matches("*.pem", "server.pem"));
        assert!(!source_matches("*.pem", "certs/server.pem"));
        assert!(source_matches("cert*", "certs/server.pem"));
    }
}
