//! Checks that BuildKit's instruction layer makes after parsing: a Dockerfile can parse and still
//! be rejected by `docker build`, and such a file is graded as one that does not parse.

use super::ast::{Dockerfile, Instruction, ParseError};

/// Instructions the Dockerfile reference defines; BuildKit rejects any other keyword with
/// "unknown instruction" (<https://docs.docker.com/reference/dockerfile/>).
const KNOWN: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Returns the first error `docker build` would report for a parsed Dockerfile.
///
/// Checked: unknown instructions, instructions other than `ARG` before the first `FROM`, a file
/// without `FROM`, `FROM` with other than one argument or `<image> AS <name>`, `ONBUILD` wrapping
/// `FROM`, `ONBUILD` or `MAINTAINER`, `COPY`/`ADD` without a source and a destination, and `USER`
/// or `WORKDIR` without exactly one argument.
pub fn validate(dockerfile: &Dockerfile) -> Result<(), ParseError> {
    let mut seen_from = false;
    for instruction in &dockerfile.instructions {
        check_instruction(instruction, false)?;
        if instruction.keyword == "from" {
            seen_from = true;
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

fn check_instruction(instruction: &Instruction, inside_onbuild: bool) -> Result<(), ParseError> {
    let keyword = instruction.keyword.as_str();
    if !KNOWN.contains(&keyword) {
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
    let count = instruction.args.len();
    match keyword {
        "from" => {
            let named = count == 3 && instruction.args[1].eq_ignore_ascii_case("as");
            if count != 1 && !named {
                return Err(error(
                    instruction,
                    "FROM requires either one argument, or three: <image> AS <name>".to_string(),
                ));
            }
        }
        "copy" | "add" if count + instruction.heredocs.len() < 2 => {
            return Err(error(
                instruction,
                format!(
                    "{} requires at least two arguments: a source and a destination",
                    keyword.to_ascii_uppercase()
                ),
            ));
        }
        "user" | "workdir" if count != 1 => {
            return Err(error(
                instruction,
                format!(
                    "{} requires exactly one argument",
                    keyword.to_ascii_uppercase()
                ),
            ));
        }
        "onbuild" => {
            if let Some(next) = &instruction.next {
                check_instruction(next, true)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn error(instruction: &Instruction, message: String) -> ParseError {
    ParseError {
        line: instruction.line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::validate;
    use crate::dockerfile::parse;

    fn check(text: &str) -> Result<(), String> {
        let parsed = parse(text).map_err(|error| error.message)?;
        validate(&parsed).map_err(|error| format!("{}: {}", error.line, error.message))
    }

    #[test]
    fn ordinary_file_is_valid() {
        assert_eq!(
            check("ARG V=1\nFROM alpine:$V AS base\nRUN true\nFROM base\nUSER 1000\n"),
            Ok(())
        );
    }

    #[test]
    fn from_with_extra_words_is_rejected() {
        let result = check("FROM alpine:3 extra words\n");
        assert!(result.unwrap_err().starts_with("1: FROM requires"));
    }

    #[test]
    fn unknown_instruction_is_rejected() {
        let result = check("FROM alpine\nRUNN true\n");
        assert_eq!(result.unwrap_err(), "2: unknown instruction: RUNN");
    }

    #[test]
    fn instruction_before_from_is_rejected() {
        let result = check("RUN true\nFROM alpine\n");
        assert!(result
            .unwrap_err()
            .starts_with("1: RUN before the first FROM"));
    }

    #[test]
    fn file_without_from_is_rejected() {
        assert!(check("ARG V=1\n").unwrap_err().contains("no FROM"));
    }

    #[test]
    fn onbuild_from_is_rejected() {
        assert!(check("FROM alpine\nONBUILD FROM busybox\n")
            .unwrap_err()
            .contains("ONBUILD"));
    }

    #[test]
    fn copy_heredoc_counts_as_a_source() {
        assert_eq!(
            check("FROM alpine\nCOPY <<EOF /etc/motd\nhello\nEOF\n"),
            Ok(())
        );
    }
}
