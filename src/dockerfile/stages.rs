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

use std::collections::BTreeMap;

use super::ast::{Dockerfile, Instruction};
use super::expand::Variables;
use super::heredoc::{chomp_leading_tabs, parse_marker};
use super::mount::parse_mount;
use super::scope::{literal_word, Scope};
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
}

impl StageBuilder<'_> {
    fn declare_global_args(&mut self, instruction: &Instruction) {
        for declaration in &instruction.args {
            let (name, default) = split_declaration(declaration);
            if let Some(value) = self.build_args.get(name) {
                self.globals.bind(name, &literal_word(value));
            } else if let Some(default) = default {
                let word = self.globals.expand(default, self.escape);
                self.globals.bind(name, &word);
            }
        }
    }

    fn start_stage(&mut self, instruction: &Instruction) {
        let index = self.stages.len();
        let raw_base = instruction.args.first().map_or("", String::as_str);
        let base = self.globals.expand(raw_base, self.escape);
        let name = match instruction.args.as_slice() {
            [_, keyword, name] if keyword.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            _ => None,
        };
        let platform = flag_value(&instruction.flags, "platform")
            .map(|raw| self.globals.expand(raw, self.escape));
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
            "run" => run_command(instruction, self.scope()),
            "copy" | "add" => self.copy_command(instruction),
            "user" => match instruction.args.as_slice() {
                [user] => CommandKind::User(self.scope().expand(user, self.escape)),
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
                paths.push(self.scope().expand(source, self.escape));
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
            dest: self.scope().expand(dest, self.escape),
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
                    self.scope().expand(name, self.escape).value,
                    self.scope().expand(value, self.escape),
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
                Some(self.scope().expand(default, self.escape))
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

fn run_command(instruction: &Instruction, scope: &Scope) -> CommandKind {
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
    let script_with_variables = substitute_variables(&script, scope);
    CommandKind::Run {
        script,
        script_with_variables,
        exec: instruction.json,
        mounts,
    }
}

/// Replaces `$NAME` and `${NAME}` with the values of the ARG and ENV variables in scope, as the
/// shell that runs a RUN command sees them. Other references are left as written.
fn substitute_variables(script: &str, scope: &Scope) -> String {
    static REFERENCE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pattern = REFERENCE.get_or_init(|| {
        regex::Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
            .expect("valid pattern")
    });
    pattern
        .replace_all(script, |captures: &regex::Captures| {
            let name = captures
                .get(1)
                .or_else(|| captures.get(2))
                .map_or("", |m| m.as_str());
            match scope.get(name) {
                Some(value) => value.to_string(),
                None => captures[0].to_string(),
            }
        })
        .into_owned()
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
