//! The dockerignore control: the ignore file of each build context keeps secrets out of it.

use super::evidence::Evidence;
use super::secrets;
use super::{ControlInfo, Reference, Snippet};
use crate::dockerfile::{stage, Command, CommandKind, Word};
use crate::finding::{Location, Outcome};
use crate::model::{Image, RepoModel};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "dockerignore",
    title: ".dockerignore",
    checks: r#"For each image, the ignore file that applies to its build context:
`<Dockerfile name>.dockerignore` beside the Dockerfile, else `.dockerignore` at the root of
the context (BuildKit's order). The patterns are evaluated, not read as text: comments, `!`
exceptions where the last matching line wins, `**`, `?`, `[...]`, and matching against each
path and each of its parent folders. `*` followed by `!src/` passes when nothing sensitive
sits under `src/`.

Sensitive paths are the probe paths `.env`, `.env.production`, `app/.env`, `key.pem`,
`certs/tls.key`, `id_rsa`, `.git/config`, `secrets/db.txt`, `.aws/credentials` and
`.ssh/id_ed25519`, and, where the repository's file list is known, every file of the
repository that looks like a secret: `.env*` other than `.env.example`, `.env.sample` and
`.env.template`; `*.pem`, `*.key`, `*.p12`, `*.pfx`; `id_rsa*` and `id_ed25519*` except the
public `.pub` halves; and files under `secrets/` or `credentials/` folders at any depth.

- pass: the ignore file exists and keeps every sensitive path out of the build context.
- fail: there is no ignore file and the Dockerfile copies the whole context (`COPY . <dest>`,
  `ADD . <dest>`, or a glob over the context root).
- fail: the ignore file lets a real secret file of the repository through. The finding names
  the file.
- review: the ignore file lets one or more probe paths through, but no real secret file. The
  finding names the probe paths.
- review: there is no ignore file, and the Dockerfile copies only named paths from the
  context, or nothing.
- n/a: the repository builds no image."#,
    rationale: r#"The build context is sent to the builder, and `COPY . .` puts all of it into a layer. A
`.env` file, a private key or `.git/config` copied this way can be read by anyone who can
pull the image, even when a later instruction deletes it, because the earlier layer keeps
it. Excluding such files also keeps the context small and the build cache stable."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"# No .dockerignore beside this Dockerfile or at the root of the build context.
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD ["node", "server.js"]"#,
    }],
    passing_example: &[Snippet {
        file: ".dockerignore",
        code: r#".git
**/.env*
!**/.env.example
**/*.pem
**/*.key
**/*.p12
**/*.pfx
**/id_rsa*
**/id_ed25519*
**/secrets/
**/credentials/
.aws/
.ssh/
node_modules/"#,
    }],
    fix: r#"Add a `.dockerignore` at the root of the build context, or `<Dockerfile name>.dockerignore`
beside the Dockerfile, that excludes `.git`, environment files, keys and credential folders.
Start patterns with `**/` so that copies in subfolders are excluded too. An allow-list (`*`,
then one `!` line per path the build needs) is the strictest form. Where you can, copy named
paths instead of the whole context."#,
    references: &[
        Reference {
            title: "Docker documentation: Build context, .dockerignore files",
            url: "https://docs.docker.com/build/concepts/context/#dockerignore-files",
        },
        Reference {
            title: "Docker documentation: Building best practices, exclude with .dockerignore",
            url: "https://docs.docker.com/build/building/best-practices/#exclude-with-dockerignore",
        },
        Reference {
            title:
                "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

/// How many let-through files a finding names before it summarises the rest.
const MAX_NAMED: usize = 10;

/// Grades the ignore file that applies to each image's build context.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    super::runtime::review_unloaded_projects(
        model,
        &mut evidence,
        "the build contexts of its images",
    );
    for image in &model.images {
        evaluate_image(model, snapshot, image, &mut evidence);
    }
    evidence.finish()
}

fn evaluate_image(model: &RepoModel, snapshot: &Snapshot, image: &Image, evidence: &mut Evidence) {
    let subject = model.image_subject(image);
    let path = model.dockerfile_of(image).path.clone();
    let Some(target) = image.target_stage else {
        super::multi_stage::unreadable_image(model, image, &subject, evidence);
        return;
    };
    let Some(context) = image.context.as_deref() else {
        evidence.add(
            Outcome::Review,
            &subject,
            &Location::new(&path, image.stages[target].line),
            "the build context is a URL or lies outside the repository, so its ignore file cannot be checked",
            "Keep the build context inside the repository, or review its ignore file by hand.",
        );
        return;
    };

    let Some(ignore_path) = image.ignore_path.as_deref() else {
        judge_missing(image, target, &path, &subject, context, evidence);
        return;
    };
    let location = Location::new(ignore_path, 1);
    let Some(ignore) = model.ignore_files.get(ignore_path) else {
        evidence.add(
            Outcome::Review,
            &subject,
            &location,
            format!(
                "the ignore file {ignore_path} was not read ({}), so what it excludes is not known",
                crate::model::unread_reason(snapshot, ignore_path)
            ),
            "Keep the ignore file small and readable so it can be checked.",
        );
        return;
    };

    let let_through: Vec<String> = context_files(snapshot, context)
        .into_iter()
        .filter(|file| secrets::is_secret_file(file) && !ignore.is_excluded(file))
        .collect();
    if !let_through.is_empty() {
        evidence.add(
            Outcome::Fail,
            &subject,
            &location,
            format!(
                "{ignore_path} lets secret files of the repository into the build context: {}",
                name_list(&let_through)
            ),
            "Exclude them with patterns that match at any depth, such as **/.env*, **/*.pem, **/*.key, **/secrets/.",
        );
        return;
    }
    let probes: Vec<String> = secrets::PROBE_PATHS
        .iter()
        .filter(|probe| !ignore.is_excluded(probe))
        .map(|probe| probe.to_string())
        .collect();
    if !probes.is_empty() {
        evidence.add(
            Outcome::Review,
            &subject,
            &location,
            format!(
                "{ignore_path} would let these sensitive paths into the build context if they existed: {}",
                probes.join(", ")
            ),
            "Add patterns that match at any depth, such as **/.env*, **/*.pem, **/*.key, **/id_rsa*, **/id_ed25519*, .git, **/secrets/, **/.aws/, **/.ssh/.",
        );
        return;
    }
    evidence.add(
        Outcome::Pass,
        &subject,
        &location,
        format!(
            "{ignore_path} (build context {}) keeps every sensitive path and secret file out of the build context",
            context_label(context)
        ),
        "",
    );
}

fn judge_missing(
    image: &Image,
    target: usize,
    path: &str,
    subject: &str,
    context: &str,
    evidence: &mut Evidence,
) {
    // Sources from the build context, in the stages the target needs. A source that depends on
    // an unresolved variable could be anything, so it decides nothing.
    let context_copies: Vec<(&Command, &Word)> = stage::needed_stages(&image.stages, target)
        .into_iter()
        .flat_map(|index| image.stages[index].commands.iter())
        .flat_map(|command| match &command.kind {
            CommandKind::Copy {
                from: None,
                heredoc: false,
                sources,
                ..
            } => sources.iter().map(|source| (command, source)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let whole_context_copy = context_copies
        .iter()
        .find(|(_, source)| source.is_resolved() && copies_whole_context(&source.value));
    let unresolved = context_copies
        .iter()
        .find(|(_, source)| !source.is_resolved());

    if let Some((command, _)) = whole_context_copy {
        evidence.add(
            Outcome::Fail,
            subject,
            &Location::new(path, command.line),
            format!(
                "no .dockerignore for the build context {}, and this copies the whole context into the image",
                context_label(context)
            ),
            "Add a .dockerignore at the root of the build context that excludes .git, **/.env*, **/*.pem, **/*.key and other secrets, or copy only named paths.",
        );
        return;
    }
    let fix = "Add a .dockerignore that excludes .git, **/.env*, **/*.pem, **/*.key and other secrets, so a later COPY . cannot leak them.";
    if let Some((command, source)) = unresolved {
        evidence.add(
            Outcome::Review,
            subject,
            &Location::new(path, command.line),
            format!(
                "no .dockerignore for the build context {}, and the source {} depends on unresolved variables ({}), so what it copies is not known",
                context_label(context),
                source.raw,
                source.unresolved.join(", ")
            ),
            fix,
        );
        return;
    }
    let copied = if context_copies.is_empty() {
        "the Dockerfile copies nothing from the context"
    } else {
        "the Dockerfile copies only named paths"
    };
    evidence.add(
        Outcome::Review,
        subject,
        &Location::new(path, image.stages[target].line),
        format!(
            "no .dockerignore for the build context {}; {copied}, so nothing sensitive is known to reach the image",
            context_label(context)
        ),
        fix,
    );
}

/// Tells whether a COPY source takes the whole build context: `.`, `./`, `*`, `./*` or `/`.
pub(crate) fn copies_whole_context(source: &str) -> bool {
    let trimmed = source.trim_start_matches("./").trim_end_matches('/');
    matches!(trimmed, "" | "." | "*" | "**" | "/" | "/*")
}

/// Returns the repository files inside a build context, relative to the context.
pub(crate) fn context_files(snapshot: &Snapshot, context: &str) -> Vec<String> {
    if context.is_empty() {
        return snapshot.paths.clone();
    }
    let prefix = format!("{context}/");
    snapshot
        .paths
        .iter()
        .filter_map(|path| path.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

fn context_label(context: &str) -> String {
    if context.is_empty() {
        ". (the repository root)".to_string()
    } else {
        context.to_string()
    }
}

fn name_list(names: &[String]) -> String {
    let mut listed = names
        .iter()
        .take(MAX_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_NAMED {
        listed.push_str(&format!(" and {} more", names.len() - MAX_NAMED));
    }
    listed
}
