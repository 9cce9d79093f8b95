//! Build stages after word expansion: what each stage is built from and what its instructions do.

use serde::Serialize;
use std::collections::BTreeSet;

/// A word after expansion, with the variables it needed but could not resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The text as written.
    pub raw: String,
    /// The text after expansion; unresolved variables expand to nothing.
    pub value: String,
    /// Names of variables that had no value, sorted; empty when the value is exact. An entry in
    /// angle brackets is no name but an expansion limit the word exceeded, such as
    /// `<expanded value exceeds 131072 bytes>`.
    pub unresolved: Vec<String>,
}

impl Word {
    /// Tells whether the value is exact.
    pub fn is_resolved(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// The starting point of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BaseKind {
    /// `FROM scratch`: an empty file system.
    Scratch,
    /// An earlier stage of the same Dockerfile, by index.
    Stage(usize),
    /// An image from a registry.
    Image,
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub index: usize,
    /// The `AS` name, lowercased as BuildKit compares stage names.
    pub name: Option<String>,
    /// Line of the `FROM` instruction.
    pub line: usize,
    /// The image reference after expansion with the ARGs declared before the first `FROM`.
    pub base: Word,
    pub base_kind: BaseKind,
    pub platform: Option<Word>,
    pub commands: Vec<Command>,
}

/// One instruction of a stage, after expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    pub line: usize,
    pub end_line: usize,
    /// Index into `Dockerfile::instructions`.
    pub instruction: usize,
    pub kind: CommandKind,
}

/// The parts of an instruction that the controls read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CommandKind {
    Run {
        /// The shell-form text, or the exec-form elements joined with spaces, followed by every heredoc body.
        script: String,
        /// `script` with the `$NAME` and `${NAME}` references of ARG and ENV variables in scope
        /// replaced by their values, as the shell receives them.
        script_with_variables: String,
        exec: bool,
        mounts: Vec<Mount>,
    },
    /// `COPY` or `ADD`.
    Copy {
        add: bool,
        /// The `--from` stage, index or image, as written: BuildKit does not expand it.
        from: Option<Word>,
        /// The sources read from the build context or the `--from` stage. Heredoc sources are
        /// not listed.
        sources: Vec<Word>,
        dest: Word,
        /// True when at least one source is a heredoc, not a file of the build context.
        heredoc: bool,
    },
    User(Word),
    Healthcheck(HealthcheckSpec),
    Env(Vec<(String, Word)>),
    /// Declared names with their default values as written, if any. The word's value is the
    /// ARG's effective value: a build argument overrides the expanded default.
    Arg(Vec<(String, Option<Word>)>),
    /// `ONBUILD` and the keyword it wraps; it runs only in images built from this one.
    Onbuild(String),
    Other,
}

/// A `RUN --mount` flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// `bind`, `cache`, `tmpfs`, `secret` or `ssh`; `bind` when not given.
    pub kind: String,
    /// The `from=` stage or image, as written: BuildKit picks it before expanding variables.
    pub from: Option<Word>,
}

/// A `HEALTHCHECK` instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum HealthcheckSpec {
    /// `HEALTHCHECK NONE`: turns off any healthcheck inherited from the base image.
    None,
    /// `HEALTHCHECK [OPTIONS] CMD ...`.
    Cmd {
        /// True for the exec (JSON array) form; false for the shell form run through `/bin/sh -c`.
        exec: bool,
        args: Vec<String>,
    },
}

impl Stage {
    /// Returns the last `USER` command of this stage, not counting `ONBUILD USER`.
    pub fn last_user(&self) -> Option<(&Command, &Word)> {
        self.commands
            .iter()
            .rev()
            .find_map(|command| match &command.kind {
                CommandKind::User(word) => Some((command, word)),
                _ => None,
            })
    }

    /// Returns the last `HEALTHCHECK` command of this stage.
    pub fn last_healthcheck(&self) -> Option<(&Command, &HealthcheckSpec)> {
        self.commands
            .iter()
            .rev()
            .find_map(|command| match &command.kind {
                CommandKind::Healthcheck(spec) => Some((command, spec)),
                _ => None,
            })
    }

    /// Returns the index of the parent stage when this stage is built `FROM` an earlier stage.
    pub fn parent(&self) -> Option<usize> {
        match self.base_kind {
            BaseKind::Stage(index) => Some(index),
            _ => None,
        }
    }
}

/// Returns the chain of stages the image of `target` consists of: the target first, then the stage
/// it is built `FROM`, and so on down to a stage built from an image or `scratch`.
pub fn from_chain(stages: &[Stage], target: usize) -> Vec<usize> {
    let mut chain = vec![target];
    let mut current = target;
    while let Some(parent) = stages.get(current).and_then(Stage::parent) {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    chain
}

/// Returns every stage that building `target` needs: its `FROM` chain, and the stages named by
/// `COPY --from` and `RUN --mount=from=`, transitively. BuildKit skips every other stage.
pub fn needed_stages(stages: &[Stage], target: usize) -> BTreeSet<usize> {
    let mut needed = BTreeSet::new();
    let mut pending = vec![target];
    while let Some(index) = pending.pop() {
        if !needed.insert(index) {
            continue;
        }
        let Some(stage) = stages.get(index) else {
            continue;
        };
        if let Some(parent) = stage.parent() {
            pending.push(parent);
        }
        for command in &stage.commands {
            let references: Vec<&Word> = match &command.kind {
                CommandKind::Copy {
                    from: Some(from), ..
                } => vec![from],
                CommandKind::Run { mounts, .. } => mounts
                    .iter()
                    .filter_map(|mount| mount.from.as_ref())
                    .collect(),
                _ => Vec::new(),
            };
            for reference in references {
                if let Some(found) = find_stage(&stages[..index], &reference.value) {
                    pending.push(found);
                }
            }
        }
    }
    needed
}

/// Finds an earlier stage by name (case-insensitive) or by numeric index, as `COPY --from` does.
pub fn find_stage(earlier: &[Stage], reference: &str) -> Option<usize> {
    let lowered = reference.to_ascii_lowercase();
    if let Some(stage) = earlier
        .iter()
        .rev()
        .find(|stage| stage.name.as_deref() == Some(lowered.as_str()))
    {
        return Some(stage.index);
    }
    reference
        .parse::<usize>()
        .ok()
        .filter(|index| *index < earlier.len())
}
