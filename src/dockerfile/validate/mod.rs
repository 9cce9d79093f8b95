//! Checks that BuildKit's instruction layer makes after parsing: a Dockerfile can parse and still
//! be rejected by `docker build`, and such a file is graded as one that does not parse.

mod flags;
mod healthcheck;
mod names;
mod run;

use std::collections::BTreeMap;

use super::ast::{Dockerfile, Instruction, ParseError};
use super::heredoc::parse_marker;
use flags::{accepted_flags, read_flags};

/// Returns the first error `docker build` would report for a parsed Dockerfile.
///
/// The rules follow BuildKit's instruction layer (`frontend/dockerfile/instructions/parse.go`,
/// `bflag.go` and `commands_run*.go`) and the Dockerfile reference
/// (<https://docs.docker.com/reference/dockerfile/>):
/// - unknown instructions, instructions other than `ARG` before the first `FROM`, and a file
///   without `FROM`;
/// - the number and form of each instruction's arguments;
/// - the flags each instruction accepts, with their values;
/// - stage names, duplicate stage names and base image references in `FROM`;
/// - `HEALTHCHECK` types, commands and option values.
pub fn validate(dockerfile: &Dockerfile) -> Result<(), ParseError> {
    let labs = uses_labs_syntax(dockerfile);
    let mut seen_from = false;
    let mut stage_names: BTreeMap<String, usize> = BTreeMap::new();
    for instruction in &dockerfile.instructions {
        check_instruction(instruction, false)?;
        check_flags(instruction, labs).map_err(|message| error(instruction, message))?;
        if instruction.keyword == "from" {
            seen_from = true;
            check_from(instruction, &mut stage_names)
                .map_err(|message| error(instruction, message))?;
        } else if !seen_from && instruction.keyword != "arg" {
            return Err(error(
                instruction,
                format!(
                    "{} before the first FROM: only ARG may come before FROM (no build stage in current context)",
                    instruction.keyword.to_ascii_uppercase()
                ),
            ));
        }
    }
    if !seen_from {
        let line = dockerfile.instructions.last().map_or(1, |last| last.line);
        return Err(ParseError {
            line,
            message: "the Dockerfile has no FROM instruction, so there is no stage to build"
                .to_string(),
        });
    }
    Ok(())
}

/// Tells whether a `# syntax=` directive selects the labs channel of the Dockerfile frontend
/// (such as `docker/dockerfile:1-labs`), which accepts experimental flags.
fn uses_labs_syntax(dockerfile: &Dockerfile) -> bool {
    dockerfile
        .directives
        .iter()
        .any(|directive| directive.name == "syntax" && directive.value.contains("labs"))
}

/// Checks the flags of one top-level instruction and the values BuildKit reads from them.
fn check_flags(instruction: &Instruction, labs: bool) -> Result<(), String> {
    let keyword = instruction.keyword.as_str();
    // BuildKit reads no flags for `HEALTHCHECK NONE`, so any flag there is ignored.
    let healthcheck_none = keyword == "healthcheck"
        && instruction
            .args
            .first()
            .is_some_and(|kind| kind.eq_ignore_ascii_case("none"));
    let Some(accepted) = accepted_flags(keyword, labs) else {
        return Ok(());
    };
    if healthcheck_none {
        return healthcheck::check_healthcheck(instruction, &BTreeMap::new());
    }
    let used = read_flags(&instruction.flags, &accepted, keyword)?;
    match keyword {
        "healthcheck" => healthcheck::check_healthcheck(instruction, &used),
        "run" => run::check_run_flags(&used),
        _ => Ok(()),
    }
}

/// Checks the stage name of a `FROM` line, that no earlier stage has the same name
/// (<https://docs.docker.com/reference/build-checks/duplicate-stage-name/> states that the build
/// fails), and the base image reference.
///
/// BuildKit treats only the lowercase `scratch` as the empty image and looks stage names up
/// case-insensitively. Any other base is an image reference, so `FROM SCRATCH` is rejected
/// because repository names must be lowercase. A base that contains `$` is not checked,
/// because its value depends on build arguments.
fn check_from(
    instruction: &Instruction,
    stage_names: &mut BTreeMap<String, usize>,
) -> Result<(), String> {
    let base = instruction.args.first().map_or("", String::as_str);
    let is_stage = stage_names.contains_key(&base.to_lowercase());
    if base != "scratch" && !is_stage && !base.contains('$') {
        names::check_image_reference(base)?;
    }
    if let [_, _, name] = instruction.args.as_slice() {
        names::check_stage_name(name)?;
        let lower = name.to_lowercase();
        if let Some(first_line) = stage_names.get(&lower) {
            return Err(format!(
                "duplicate stage name {name:?}: line {first_line} already defines a stage with this name"
            ));
        }
        stage_names.insert(lower, instruction.line);
    }
    Ok(())
}

fn check_instruction(instruction: &Instruction, inside_onbuild: bool) -> Result<(), ParseError> {
    let keyword = instruction.keyword.as_str();
    // BuildKit's instruction layer rejects any keyword its parser does not dispatch on, with
    // "unknown instruction" (<https://docs.docker.com/reference/dockerfile/>).
    if !super::arguments::KNOWN_KEYWORDS.contains(&keyword) {
        return Err(error(
            instruction,
            format!("unknown instruction: {}", keyword.to_ascii_uppercase()),
        ));
    }
    if inside_onbuild && matches!(keyword, "from" | "onbuild" | "maintainer") {
        return Err(error(
            instruction,
            format!(
                "{} is not allowed as an ONBUILD trigger",
                keyword.to_ascii_uppercase()
            ),
        ));
    }
    check_arguments(instruction).map_err(|message| error(instruction, message))?;
    if let Some(next) = &instruction.next {
        check_instruction(next, true)?;
    }
    Ok(())
}

/// Checks the number and form of an instruction's arguments, as each `parse*` function of
/// BuildKit's `instructions/parse.go` does.
///
/// NOTE: BuildKit also rejects, when it builds the stage, an `EXPOSE` port that is not a valid
/// port spec and a `STOPSIGNAL` that is not a signal. Those values are not checked here.
fn check_arguments(instruction: &Instruction) -> Result<(), String> {
    let keyword = instruction.keyword.as_str();
    let name = keyword.to_ascii_uppercase();
    let args = &instruction.args;
    let count = args.len();
    match keyword {
        "from" => {
            let named = count == 3 && args[1].eq_ignore_ascii_case("as");
            if count != 1 && !named {
                return Err(
                    "FROM requires either one argument, or three: <image> AS <name>".to_string(),
                );
            }
        }
        "copy" | "add" => {
            if count + instruction.heredocs.len() < 2 {
                return Err(format!(
                    "{name} requires at least two arguments: a source and a destination"
                ));
            }
            // The parser keeps heredoc markers such as `<<EOF` as arguments.
            let destination_is_heredoc = !instruction.json
                && args
                    .last()
                    .is_some_and(|last| matches!(parse_marker(last), Ok(Some(_))));
            if destination_is_heredoc {
                return Err(format!("{name} cannot accept a heredoc as a destination"));
            }
        }
        "user" | "workdir" | "maintainer" | "stopsignal" if count != 1 => {
            return Err(format!("{name} requires exactly one argument"));
        }
        "expose" | "volume" | "arg" if count == 0 => {
            return Err(format!("{name} requires at least one argument"));
        }
        "onbuild" if instruction.next.is_none() => {
            return Err(
                "ONBUILD requires at least one argument: the trigger instruction".to_string(),
            );
        }
        "env" | "label" => {
            if count == 0 {
                return Err(format!("{name} requires at least one argument"));
            }
            if args.iter().step_by(2).any(String::is_empty) {
                return Err(format!("{name} names can not be blank"));
            }
        }
        "shell" => {
            if count == 0 {
                return Err("SHELL requires at least one argument".to_string());
            }
            if !instruction.json {
                return Err(
                    "SHELL requires the arguments to be in JSON form, such as SHELL [\"/bin/sh\", \"-c\"]"
                        .to_string(),
                );
            }
        }
        _ => {}
    }
    match keyword {
        "volume" if args.iter().any(|volume| volume.trim().is_empty()) => {
            Err("VOLUME specified can not be an empty string".to_string())
        }
        "arg" if args.iter().any(|declaration| declaration.starts_with('=')) => {
            Err("ARG names can not be blank".to_string())
        }
        _ => Ok(()),
    }
}

fn error(instruction: &Instruction, message: String) -> ParseError {
    ParseError {
        line: instruction.line,
        message,
    }
}

#[cfg(test)]
mod tests;
