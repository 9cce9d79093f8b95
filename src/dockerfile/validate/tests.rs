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

/// Returns the line and message of the first error for a rejected file.
fn rejection(text: &str) -> (usize, String) {
    let parsed = parse(text).expect("the parser accepts the file");
    let error = validate(&parsed).expect_err("validate rejects the file");
    (error.line, error.message)
}

/// Asserts that `bad` is rejected on `line` with a message that contains `needle`, and that
/// `good` is accepted.
fn assert_rule(bad: &str, line: usize, needle: &str, good: &str) {
    let (actual_line, message) = rejection(bad);
    assert_eq!(
        actual_line, line,
        "line of the error for {bad:?}: {message}"
    );
    assert!(
        message.contains(needle),
        "message for {bad:?} lacks {needle:?}: {message}"
    );
    assert_eq!(check(good), Ok(()), "accepted example {good:?}");
}

#[test]
fn healthcheck_without_arguments_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK\n",
        2,
        "at least one argument",
        "FROM a\nHEALTHCHECK NONE\n",
    );
}

#[test]
fn healthcheck_cmd_without_command_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK CMD\n",
        2,
        "missing command",
        "FROM a\nHEALTHCHECK CMD true\n",
    );
    assert_rule(
        "FROM a\nHEALTHCHECK CMD []\n",
        2,
        "missing command",
        "FROM a\nHEALTHCHECK cmd [\"true\"]\n",
    );
}

#[test]
fn healthcheck_unknown_type_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK CMD-SHELL x\n",
        2,
        "unknown type \"CMD-SHELL\"",
        "FROM a\nHEALTHCHECK CMD x\n",
    );
}

#[test]
fn healthcheck_options_only_is_rejected() {
    // The flag parser takes `--interval=5s`, so the type word is missing.
    assert_rule(
        "FROM a\nHEALTHCHECK --interval=5s\n",
        2,
        "at least one argument",
        "FROM a\nHEALTHCHECK --interval=5s CMD x\n",
    );
}

#[test]
fn healthcheck_invalid_duration_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK --interval=abc CMD [\"x\"]\n",
        2,
        "invalid duration \"abc\" for --interval",
        "FROM a\nHEALTHCHECK --interval=1m30s --timeout=0 --start-period=.5s --start-interval=2s CMD [\"x\"]\n",
    );
    assert_rule(
        "FROM a\nHEALTHCHECK --timeout=10us CMD x\n",
        2,
        "cannot be less than 1ms",
        "FROM a\nHEALTHCHECK --timeout=1ms CMD x\n",
    );
    assert_rule(
        "FROM a\nHEALTHCHECK --start-period=5 CMD x\n",
        2,
        "--start-period",
        "FROM a\nHEALTHCHECK --start-period=5s CMD x\n",
    );
}

#[test]
fn healthcheck_invalid_retries_are_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK --retries=-1 CMD x\n",
        2,
        "cannot be negative",
        "FROM a\nHEALTHCHECK --retries=0 CMD x\n",
    );
    assert_rule(
        "FROM a\nHEALTHCHECK --retries=three CMD x\n",
        2,
        "--retries",
        "FROM a\nHEALTHCHECK --retries=3 CMD x\n",
    );
}

#[test]
fn healthcheck_none_with_arguments_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK NONE extra\n",
        2,
        "NONE takes no arguments",
        "FROM a\nHEALTHCHECK --bogus=1 NONE\n",
    );
}

#[test]
fn healthcheck_unknown_flag_is_rejected() {
    assert_rule(
        "FROM a\nHEALTHCHECK --every=5s CMD x\n",
        2,
        "unknown flag --every",
        "FROM a\nHEALTHCHECK --interval=5s CMD x\n",
    );
}

#[test]
fn go_duration_syntax() {
    use super::healthcheck::parse_go_duration;
    assert_eq!(parse_go_duration("0"), Some(0.0));
    assert_eq!(parse_go_duration("1h2m"), Some(3_720e9));
    assert_eq!(parse_go_duration("1.5s"), Some(1.5e9));
    assert_eq!(parse_go_duration("-2ms"), Some(-2e6));
    assert_eq!(parse_go_duration("3\u{b5}s"), Some(3e3));
    assert_eq!(parse_go_duration("5"), None);
    assert_eq!(parse_go_duration(""), None);
    assert_eq!(parse_go_duration("."), None);
    assert_eq!(parse_go_duration("1d"), None);
    assert_eq!(parse_go_duration("s"), None);
}

#[test]
fn stage_name_starting_with_digit_is_rejected() {
    assert_rule(
        "FROM alpine AS 1build\n",
        1,
        "invalid name for build stage",
        "FROM alpine AS Build-1_x.y\n",
    );
}

#[test]
fn non_ascii_stage_name_is_rejected() {
    assert_rule(
        "FROM alpine AS \u{30b9}\u{30c6}\u{30fc}\u{30b8}\n",
        1,
        "invalid name for build stage",
        "FROM alpine AS stage\n",
    );
}

#[test]
fn duplicate_stage_name_is_rejected() {
    assert_rule(
        "FROM alpine AS build\nRUN true\nFROM debian AS BUILD\n",
        3,
        "duplicate stage name \"BUILD\": line 1",
        "FROM alpine AS build\nFROM build AS test\n",
    );
}

#[test]
fn uppercase_scratch_is_rejected() {
    assert_rule(
        "FROM SCRATCH\n",
        1,
        "repository name must be lowercase",
        "FROM scratch\n",
    );
}

#[test]
fn uppercase_repository_is_rejected() {
    assert_rule(
        "FROM Alpine:3.19\n",
        1,
        "repository name must be lowercase",
        "FROM alpine:3.19-RC1\n",
    );
    assert_rule(
        "FROM docker.io/Library/alpine\n",
        1,
        "must be lowercase",
        "FROM Registry.Example.com:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
    );
}

#[test]
fn malformed_image_reference_is_rejected() {
    assert_rule(
        "FROM alpine::3\n",
        1,
        "invalid image reference",
        "FROM localhost:5000/my_app__x/sub-path:v1\n",
    );
    assert_rule(
        "FROM alpine@sha256:xyz\n",
        1,
        "invalid image reference",
        "FROM alpine:3@sha256:0123456789abcdef0123456789abcdef\n",
    );
}

#[test]
fn stage_and_variable_bases_skip_reference_check() {
    assert_eq!(check("FROM alpine AS base\nFROM Base\n"), Ok(()));
    assert_eq!(check("ARG IMAGE=Alpine\nFROM $IMAGE\n"), Ok(()));
}

#[test]
fn duplicate_flag_is_rejected() {
    assert_rule(
        "FROM a AS x\nFROM a AS y\nFROM a\nCOPY --from=x --from=y /a /b\n",
        4,
        "duplicate flag --from",
        "FROM a AS x\nFROM a\nCOPY --from=x /a /b\n",
    );
}

#[test]
fn repeatable_flags_may_repeat() {
    assert_eq!(
        check("FROM a\nRUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/b true\nCOPY --exclude=*.md --exclude=*.txt . /src\n"),
        Ok(())
    );
}

#[test]
fn unknown_flag_is_rejected() {
    assert_rule(
        "FROM a\nCOPY --bogus=1 a b\n",
        2,
        "unknown flag --bogus for COPY",
        "FROM a\nCOPY --chown=1:1 --chmod=755 --link --parents a b\n",
    );
}

#[test]
fn flag_of_other_instruction_is_rejected() {
    assert_rule(
        "FROM a\nADD --from=b a b\n",
        2,
        "unknown flag --from for ADD",
        "FROM a\nADD --keep-git-dir=true --checksum=sha256:00 --unpack=false --link a b\n",
    );
    assert_rule(
        "FROM --mount=type=cache a\n",
        1,
        "unknown flag --mount for FROM",
        "FROM --platform=$BUILDPLATFORM a\n",
    );
    assert_rule(
        "FROM a\nCOPY --keep-git-dir a b\n",
        2,
        "unknown flag --keep-git-dir for COPY",
        "FROM a\nCOPY --from=a a b\n",
    );
}

#[test]
fn flags_on_flagless_instructions_are_rejected() {
    let cases = [
        "FROM a\nENV --x=1 A=b\n",
        "FROM a\nLABEL --x=1 a=b\n",
        "FROM a\nCMD --x=1 true\n",
        "FROM a\nENTRYPOINT --x=1 true\n",
        "FROM a\nEXPOSE --x=1 80\n",
        "FROM a\nUSER --x=1 app\n",
        "FROM a\nVOLUME --x=1 /data\n",
        "FROM a\nWORKDIR --x=1 /app\n",
        "FROM a\nSHELL --x=1 [\"sh\"]\n",
        "FROM a\nONBUILD --x=1 RUN true\n",
        "FROM a\nMAINTAINER --x=1 me\n",
    ];
    for text in cases {
        let (line, message) = rejection(text);
        assert_eq!(line, 2, "{text:?}");
        assert!(message.contains("unknown flag --x"), "{text:?}: {message}");
        assert!(message.contains("no flags"), "{text:?}: {message}");
    }
}

#[test]
fn arg_and_stopsignal_ignore_flags() {
    assert_eq!(
        check("ARG --x=1 V=1\nFROM a\nSTOPSIGNAL --x=1 SIGTERM\n"),
        Ok(())
    );
}

#[test]
fn flag_without_value_is_rejected() {
    assert_rule(
        "FROM a\nCOPY --from a b\n",
        2,
        "missing value on flag --from",
        "FROM a\nCOPY --link a b\n",
    );
    assert_rule(
        "FROM a\nCOPY --link= a b\n",
        2,
        "missing value on flag --link",
        "FROM a\nCOPY --link=FALSE a b\n",
    );
}

#[test]
fn bool_flag_with_other_value_is_rejected() {
    assert_rule(
        "FROM a\nCOPY --link=yes a b\n",
        2,
        "expected true or false",
        "FROM a\nCOPY --link=True a b\n",
    );
}

#[test]
fn unknown_mount_type_is_rejected() {
    assert_rule(
        "FROM a\nRUN --mount=type=foo true\n",
        2,
        "unsupported mount type \"foo\"",
        "FROM a\nRUN --mount=type=secret,id=t,env=TOKEN,required --mount=type=ssh --mount=type=bind,src=.,dst=/s,ro true\n",
    );
    assert_eq!(
        check("FROM a\nARG T=cache\nRUN --mount=type=$T,target=/c true\n"),
        Ok(())
    );
}

#[test]
fn mount_field_errors_are_rejected() {
    assert_rule(
        "FROM a\nRUN --mount=type=cache,destiny=/x true\n",
        2,
        "unexpected key \"destiny\"",
        "FROM a\nRUN --mount=type=cache,destination=/x,sharing=locked,id=c,mode=0755,uid=1,gid=1 true\n",
    );
    assert_rule(
        "FROM a\nRUN --mount=type=cache,/x true\n",
        2,
        "must be a key=value pair",
        "FROM a\nRUN --mount=type=tmpfs,target=/x,size=64m true\n",
    );
}

#[test]
fn invalid_network_and_security_are_rejected() {
    assert_rule(
        "FROM a\nRUN --network=bridge true\n",
        2,
        "invalid network mode \"bridge\"",
        "FROM a\nRUN --network=none true\n",
    );
    assert_rule(
        "FROM a\nRUN --security=privileged true\n",
        2,
        "invalid value \"privileged\" for RUN --security",
        "FROM a\nRUN --security=insecure true\n",
    );
}

#[test]
fn run_device_needs_labs_syntax() {
    assert_rule(
        "FROM a\nRUN --device=nvidia.com/gpu=all true\n",
        2,
        "unknown flag --device",
        "# syntax=docker/dockerfile:1-labs\nFROM a\nRUN --device=nvidia.com/gpu=all true\n",
    );
}

#[test]
fn instructions_without_required_arguments_are_rejected() {
    let cases = [
        ("FROM a\nEXPOSE\n", "EXPOSE requires at least one argument"),
        ("FROM a\nVOLUME\n", "VOLUME requires at least one argument"),
        (
            "FROM a\nVOLUME [\" \"]\n",
            "VOLUME specified can not be an empty string",
        ),
        ("FROM a\nLABEL\n", "LABEL requires at least one argument"),
        ("FROM a\nLABEL =x\n", "LABEL names can not be blank"),
        ("FROM a\nENV\n", "ENV requires at least one argument"),
        (
            "FROM a\nSTOPSIGNAL\n",
            "STOPSIGNAL requires exactly one argument",
        ),
        (
            "FROM a\nMAINTAINER\n",
            "MAINTAINER requires exactly one argument",
        ),
        (
            "FROM a\nONBUILD\n",
            "ONBUILD requires at least one argument",
        ),
        ("FROM a\nARG\n", "ARG requires at least one argument"),
        ("FROM a\nARG =x\n", "ARG names can not be blank"),
        ("FROM a\nSHELL\n", "SHELL requires at least one argument"),
        ("FROM a\nSHELL []\n", "SHELL requires at least one argument"),
        ("FROM a\nSHELL /bin/bash -c\n", "JSON form"),
        (
            "FROM a\nCOPY a <<EOF\nx\nEOF\n",
            "cannot accept a heredoc as a destination",
        ),
    ];
    for (text, needle) in cases {
        let (line, message) = rejection(text);
        assert_eq!(line, 2, "{text:?}: {message}");
        assert!(message.contains(needle), "{text:?}: {message}");
    }
}

#[test]
fn instructions_with_valid_arguments_are_accepted() {
    let text = "FROM a\nEXPOSE 80 443/udp\nVOLUME /a [\"/b\"]\nVOLUME [\"/c\", \"/d\"]\n\
LABEL a=b \"c d\"=e\nLABEL legacy value with spaces\nENV A=1 B=2\nSTOPSIGNAL SIGTERM\n\
MAINTAINER me <me@example.com>\nONBUILD RUN true\nARG A B=2\nSHELL [\"/bin/bash\", \"-c\"]\n\
CMD\nCMD []\nENTRYPOINT []\nCOPY <<EOF /etc/motd\nhi\nEOF\n";
    assert_eq!(check(text), Ok(()));
}
