//! Splitting a parsed Dockerfile into build stages and expanding each instruction's words as BuildKit does.
//!
//! Variable scoping follows BuildKit's Dockerfile frontend:
//! - ARGs before the first FROM are global. Only FROM lines see them, unless a stage declares
//!   `ARG NAME` without a value, which takes the global value.
//! - A build argument overrides the default of an ARG with the same name, globally or in a stage.
//! - ARG and ENV bind variables for the later instructions of their stage, and a stage built
//!   FROM an earlier stage starts with that stage's variables, ARGs included.
//! - The predefined platform ARGs (TARGETPLATFORM, BUILDARCH, ...) depend on the build machine
//!   and have no value here unless a build argument sets one.
//! - BuildKit expands ENV, LABEL, ARG defaults, USER, WORKDIR, COPY and ADD paths and `--chown`,
//!   but not the command text of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK, nor `COPY --from`
//!   or `RUN --mount=from=`. The commands modelled here (ENV, ARG, USER, COPY, ADD) carry their
//!   words expanded that way.

use std::cell::Cell;
use std::collections::BTreeMap;

use super::ast::{Dockerfile, Instruction};
use super::expand::{ExpandErrorKind, Variables, MAX_EXPANDED_BYTES};
use super::heredoc::{chomp_leading_tabs, parse_marker};
use super::mount::parse_mount;
use super::scope::{limited_word, literal_word, Scope};
use super::stage::{BaseKind, Command, CommandKind, HealthcheckSpec, Stage, Word};

/// The ARGs BuildKit predefines from the build and target platforms.
const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// The maximum number of bytes that expansion may add to the words of one Dockerfile, RUN
/// scripts included, beyond their length as written (16 MiB). Each word is limited to
/// [`MAX_EXPANDED_BYTES`], but thousands of words that each use one long variable would still
/// take gigabytes.
// NOTE: 16 MiB is a judgment (128 words at the per-word limit), not a bound measured on real
// Dockerfiles.
pub const MAX_EXPANDED_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// Splits `df` into build stages and expands their words with the ARGs and ENVs in scope, using
/// `build_args` as `docker build --build-arg` values.
///
/// NOTE: instructions other than ARG before the first FROM are skipped. BuildKit rejects such a
/// file when it builds it ("no build stage in current context"), but its parser accepts it.
pub fn stages(df: &Dockerfile, build_args: &BTreeMap<String, String>) -> Vec<Stage> {
    let mut builder = StageBuilder {
        escape: df.escape,
        build_args,
        globals: Scope::default(),
        stages: Vec::new(),
        scopes: Vec::new(),
        growth_budget: Cell::new(MAX_EXPANDED_TOTAL_BYTES),
    };
    for name in PLATFORM_ARGS {
        if let Some(value) = build_args.get(name) {
            builder.globals.bind(name, &literal_word(value));
        }
    }

    for (index, instruction) in df.instructions.iter().enumerate() {
        if instruction.keyword == "from" {
            builder.start_stage(instruction);
        } else if builder.stages.is_empty() {
            if instruction.keyword == "arg" {
                builder.declare_global_args(instruction);
            }
        } else {
            builder.add_command(index, instruction);
        }
    }
    builder.stages
}

struct StageBuilder<'a> {
    escape: char,
    build_args: &'a BTreeMap<String, String>,
    /// The global ARGs, visible to FROM lines.
    globals: Scope,
    stages: Vec<Stage>,
    /// The variables in scope at the end of each stage so far. The last entry is the current stage's.
    scopes: Vec<Scope>,
    /// The bytes that expansion may still add, out of [`MAX_EXPANDED_TOTAL_BYTES`].
    growth_budget: Cell<usize>,
}

impl StageBuilder<'_> {
    /// Expands `raw` with `scope`, and charges what the expansion adds to the growth budget.
    /// A word past a limit keeps its raw text and lists the limit as unresolved.
    fn expand(&self, scope: &Scope, raw: &str) -> Word {
        let remaining = self.growth_budget.get();
        // The lexer stops as soon as the word outgrows the budget, so a spent budget also
        // saves the time of expanding long values.
        let max_bytes = MAX_EXPANDED_BYTES.min(raw.len().saturating_add(remaining));
        match scope.expand(raw, self.escape, max_bytes) {
            Ok(word) => {
                let growth = word.value.len().saturating_sub(raw.len());
                self.growth_budget.set(remaining - growth);
                word
            }
            Err(error) => {
                tracing::debug!(%error, "word expansion exceeded a limit; keeping the raw text");
                let budget_bound = max_bytes < MAX_EXPANDED_BYTES;
                if error.kind == ExpandErrorKind::TooLong && budget_bound {
                    let message =
                        format!("expanded words exceed {MAX_EXPANDED_TOTAL_BYTES} bytes in total");
                    return limited_word(raw, &message);
                }
                limited_word(raw, &error.message)
            }
        }
    }

    fn declare_global_args(&mut self, instruction: &Instruction) {
        for declaration in &instruction.args {
            let (name, default) = split_declaration(declaration);
            if let Some(value) = self.build_args.get(name) {
                self.globals.bind(name, &literal_word(value));
            } else if let Some(default) = default {
                let word = self.expand(&self.globals, default);
                self.globals.bind(name, &word);
            }
        }
    }

    fn start_stage(&mut self, instruction: &Instruction) {
        let index = self.stages.len();
        let raw_base = instruction.args.first().map_or("", String::as_str);
        let base = self.expand(&self.globals, raw_base);
        let name = match instruction.args.as_slice() {
            [_, keyword, name] if keyword.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            _ => None,
        };
        let platform =
            flag_value(&instruction.flags, "platform").map(|raw| self.expand(&self.globals, raw));
        let base_kind = self.base_kind(&base);

        let scope = match base_kind {
            BaseKind::Stage(parent) => self.scopes[parent].clone(),
            BaseKind::Scratch | BaseKind::Image => Scope::default(),
        };
        self.scopes.push(scope);
        self.stages.push(Stage {
            index,
            name,
            line: instruction.line,
            base,
            base_kind,
            platform,
            commands: Vec::new(),
        });
    }

    /// Tells what a FROM value refers to.
    ///
    /// NOTE: BuildKit matches `scratch` and stage names only in lowercase and rejects other
    /// spellings as invalid image references, but both are compared case-insensitively here. A
    /// number is an image name, not a stage index: only `COPY --from` accepts stage indexes.
    fn base_kind(&self, base: &Word) -> BaseKind {
        if base.value.eq_ignore_ascii_case("scratch") {
            return BaseKind::Scratch;
        }
        let lowered = base.value.to_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|stage| stage.name.as_deref() == Some(lowered.as_str()))
            .map_or(BaseKind::Image, |stage| BaseKind::Stage(stage.index))
    }

    fn add_command(&mut self, index: usize, instruction: &Instruction) {
        let kind = match instruction.keyword.as_str() {
            "run" => run_command(instruction, self.scope(), &self.growth_budget),
            "copy" | "add" => self.copy_command(instruction),
            "user" => match instruction.args.as_slice() {
                [user] => CommandKind::User(self.expand(self.scope(), user)),
                _ => CommandKind::Other,
            },
            "healthcheck" => healthcheck_command(instruction),
            "env" => self.env_command(instruction),
            "arg" => self.arg_command(instruction),
            "onbuild" => match &instruction.next {
                Some(next) => CommandKind::Onbuild(next.keyword.clone()),
                None => CommandKind::Other,
            },
            _ => CommandKind::Other,
        };
        let command = Command {
            line: instruction.line,
            end_line: instruction.end_line,
            instruction: index,
            kind,
        };
        if let Some(stage) = self.stages.last_mut() {
            stage.commands.push(command);
        }
    }

    fn scope(&self) -> &Scope {
        self.scopes.last().expect("a stage has started")
    }

    fn scope_mut(&mut self) -> &mut Scope {
        self.scopes.last_mut().expect("a stage has started")
    }

    fn copy_command(&self, instruction: &Instruction) -> CommandKind {
        let Some((dest, sources)) = instruction.args.split_last() else {
            return CommandKind::Other;
        };
        if sources.is_empty() {
            return CommandKind::Other;
        }
        let add = instruction.keyword == "add";

        let mut heredoc = false;
        let mut paths = Vec::new();
        for source in sources {
            if matches!(parse_marker(source), Ok(Some(_))) {
                heredoc = true;
            } else {
                paths.push(self.expand(self.scope(), source));
            }
        }

        // NOTE: BuildKit does not expand variables in `COPY --from`, and newer releases reject a
        // value that contains one. The value is kept as written.
        let from = if add {
            None
        } else {
            flag_value(&instruction.flags, "from").map(literal_word)
        };
        CommandKind::Copy {
            add,
            from,
            sources: paths,
            dest: self.expand(self.scope(), dest),
            heredoc,
        }
    }

    /// Expands all pairs of one ENV with the variables from before the instruction, then binds them.
    fn env_command(&mut self, instruction: &Instruction) -> CommandKind {
        let pairs: Vec<(String, Word)> = instruction
            .args
            .chunks(2)
            .filter_map(|pair| match pair {
                [name, value] => Some((
                    self.expand(self.scope(), name).value,
                    self.expand(self.scope(), value),
                )),
                _ => None,
            })
            .collect();
        for (name, value) in &pairs {
            self.scope_mut().bind(name, value);
        }
        CommandKind::Env(pairs)
    }

    /// Resolves each declaration in order. A build argument wins, then the default (expanded with
    /// the variables in scope), then, for a declaration without default, the global ARG of that
    /// name. A declaration that ends up without a value binds nothing.
    fn arg_command(&mut self, instruction: &Instruction) -> CommandKind {
        let mut declarations = Vec::with_capacity(instruction.args.len());
        for declaration in &instruction.args {
            let (name, default) = split_declaration(declaration);
            let value = if let Some(value) = self.build_args.get(name) {
                Some(Word {
                    raw: default.unwrap_or(name).to_string(),
                    value: value.clone(),
                    unresolved: Vec::new(),
                })
            } else if let Some(default) = default {
                Some(self.expand(self.scope(), default))
            } else {
                self.globals.word_for(name, name)
            };
            if let Some(value) = &value {
                self.scope_mut().bind(name, value);
            }
            let written_default = if default.is_some() { value } else { None };
            declarations.push((name.to_string(), written_default));
        }
        CommandKind::Arg(declarations)
    }
}

/// Splits `NAME=default` at the first `=`.
fn split_declaration(declaration: &str) -> (&str, Option<&str>) {
    match declaration.split_once('=') {
        Some((name, default)) => (name, Some(default)),
        None => (declaration, None),
    }
}

/// Returns the value of the first `--name=value` flag. A flag without `=` has no value, which
/// BuildKit rejects for the flags read here.
fn flag_value<'a>(flags: &'a [String], name: &str) -> Option<&'a str> {
    flags.iter().find_map(|flag| {
        let (flag_name, value) = flag.strip_prefix("--")?.split_once('=')?;
        (flag_name == name).then_some(value)
    })
}

fn run_command(
    instruction: &Instruction,
    scope: &Scope,
    growth_budget: &Cell<usize>,
) -> CommandKind {
    let mut script = instruction.args.join(" ");
    for heredoc in &instruction.heredocs {
        if !script.is_empty() && !script.ends_with('\n') {
            script.push('\n');
        }
        if heredoc.chomp {
            script.push_str(&chomp_leading_tabs(&heredoc.content));
        } else {
            script.push_str(&heredoc.content);
        }
    }
    let mounts = instruction
        .flags
        .iter()
        .filter_map(|flag| flag.strip_prefix("--mount="))
        .map(parse_mount)
        .collect();
    let max_bytes = MAX_EXPANDED_BYTES
        .max(script.len())
        .min(script.len() + growth_budget.get());
    // NOTE: past the limit the controls read the script without variable values, so a finding
    // that needs a value from an ARG or ENV is missed in such a script.
    let script_with_variables = match substitute_variables(&script, scope, max_bytes) {
        Some(substituted) => {
            let growth = substituted.len().saturating_sub(script.len());
            growth_budget.set(growth_budget.get() - growth);
            substituted
        }
        None => {
            tracing::debug!(
                max_bytes,
                "RUN script with variables exceeds the limit; keeping it as written"
            );
            script.clone()
        }
    };
    CommandKind::Run {
        script,
        script_with_variables,
        exec: instruction.json,
        mounts,
    }
}

/// Replaces `$NAME` and `${NAME}` with the values of the ARG and ENV variables in scope, as the
/// shell that runs a RUN command receives them. Other references are left as written.
///
/// Returns `None` when the result would exceed `max_bytes`, because many references to one long
/// variable would otherwise multiply the script's length.
fn substitute_variables(script: &str, scope: &Scope, max_bytes: usize) -> Option<String> {
    static REFERENCE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pattern = REFERENCE.get_or_init(|| {
        regex::Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
            .expect("valid pattern")
    });
    let mut output = String::with_capacity(script.len());
    let mut copied = 0;
    for captures in pattern.captures_iter(script) {
        let reference = captures.get(0).expect("group 0 is the whole match");
        let name = captures
            .get(1)
            .or_else(|| captures.get(2))
            .map_or("", |m| m.as_str());
        output.push_str(&script[copied..reference.start()]);
        output.push_str(scope.get(name).unwrap_or(reference.as_str()));
        copied = reference.end();
        if output.len() > max_bytes {
            return None;
        }
    }
    output.push_str(&script[copied..]);
    (output.len() <= max_bytes).then_some(output)
}

/// Reads `HEALTHCHECK NONE` and `HEALTHCHECK [OPTIONS] CMD ...`. The forms BuildKit rejects (no
/// arguments, `NONE` with arguments, `CMD` without a command, another type) are `Other`.
fn healthcheck_command(instruction: &Instruction) -> CommandKind {
    let Some((kind, command)) = instruction.args.split_first() else {
        return CommandKind::Other;
    };
    match kind.to_uppercase().as_str() {
        "NONE" if command.is_empty() => CommandKind::Healthcheck(HealthcheckSpec::None),
        "CMD" if !command.is_empty() => CommandKind::Healthcheck(HealthcheckSpec::Cmd {
            exec: instruction.json,
            args: command.to_vec(),
        }),
        _ => CommandKind::Other,
    }
}

#[cfg(test)]
mod tests;
