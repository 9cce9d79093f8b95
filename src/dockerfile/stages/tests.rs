//! Tests of stage splitting, variable scoping and command extraction.

use std::collections::BTreeMap;

use super::stages;
use crate::dockerfile::parse;
use crate::dockerfile::stage::{
    find_stage, from_chain, needed_stages, BaseKind, CommandKind, HealthcheckSpec, Stage, Word,
};

fn build(text: &str) -> Vec<Stage> {
    build_with(text, &[])
}

fn build_with(text: &str, build_args: &[(&str, &str)]) -> Vec<Stage> {
    let dockerfile = parse(text).unwrap_or_else(|error| panic!("parse failed: {error}"));
    let build_args: BTreeMap<String, String> = build_args
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    stages(&dockerfile, &build_args)
}

fn users(stage: &Stage) -> Vec<&Word> {
    stage
        .commands
        .iter()
        .filter_map(|command| match &command.kind {
            CommandKind::User(word) => Some(word),
            _ => None,
        })
        .collect()
}

fn user_value(stage: &Stage) -> String {
    stage.last_user().expect("stage has a USER").1.value.clone()
}

#[test]
fn global_arg_needs_redeclaration() {
    let text = "\
ARG BASE=alpine:3.19
ARG APP_USER=app
FROM $BASE
USER $APP_USER
ARG APP_USER
USER $APP_USER
";
    let stages = build(text);
    assert_eq!(stages[0].base.value, "alpine:3.19");
    let users = users(&stages[0]);
    assert_eq!(users[0].value, "");
    assert_eq!(users[0].unresolved, ["APP_USER"]);
    assert_eq!(users[1].value, "app");
    assert!(users[1].is_resolved());
}

#[test]
fn build_args_override_defaults() {
    let text = "\
ARG BASE=alpine
FROM ${BASE}
ARG UID=1000
ARG GLOBAL_ONLY
USER ${UID}:${GLOBAL_ONLY:-none}
";
    let stages = build_with(text, &[("BASE", "debian:12"), ("UID", "10001")]);
    assert_eq!(stages[0].base.value, "debian:12");
    assert_eq!(user_value(&stages[0]), "10001:none");

    match &stages[0].commands[0].kind {
        CommandKind::Arg(declarations) => {
            let (name, default) = &declarations[0];
            assert_eq!(name, "UID");
            let default = default.as_ref().expect("UID has a default");
            assert_eq!(
                (default.raw.as_str(), default.value.as_str()),
                ("1000", "10001")
            );
        }
        other => panic!("expected ARG, got {other:?}"),
    }
}

#[test]
fn undeclared_build_arg_is_ignored() {
    let stages = build_with("FROM a\nUSER $UID\n", &[("UID", "0")]);
    assert_eq!(user_value(&stages[0]), "");
    assert_eq!(stages[0].last_user().unwrap().1.unresolved, ["UID"]);
}

#[test]
fn child_stage_inherits_env_and_args() {
    let text = "\
FROM alpine AS base
ENV APP_HOME=/srv
ARG RUNTIME_USER=svc
FROM base AS final
USER $RUNTIME_USER
COPY app $APP_HOME/
FROM alpine
USER ${RUNTIME_USER:-root}
";
    let stages = build(text);
    assert_eq!(stages[1].base_kind, BaseKind::Stage(0));
    assert_eq!(user_value(&stages[1]), "svc");
    match &stages[1].commands[1].kind {
        CommandKind::Copy { dest, .. } => assert_eq!(dest.value, "/srv/"),
        other => panic!("expected COPY, got {other:?}"),
    }
    // A stage built from an image starts with no variables.
    assert_eq!(user_value(&stages[2]), "root");
    // The default decides the value when the variable is unset, so nothing is unresolved.
    assert!(stages[2].last_user().unwrap().1.unresolved.is_empty());
}

#[test]
fn env_pairs_use_earlier_values() {
    let stages = build("FROM a\nENV abc=hello\nENV abc=bye def=$abc\nUSER $def\n");
    match &stages[0].commands[1].kind {
        CommandKind::Env(pairs) => {
            assert_eq!(pairs[0].0, "abc");
            assert_eq!(pairs[0].1.value, "bye");
            assert_eq!(pairs[1].1.value, "hello");
        }
        other => panic!("expected ENV, got {other:?}"),
    }
    assert_eq!(user_value(&stages[0]), "hello");
}

#[test]
fn legacy_env_value_loses_quotes() {
    let stages = build("FROM a\nENV GREETING \"hello world\"\n");
    match &stages[0].commands[0].kind {
        CommandKind::Env(pairs) => assert_eq!(pairs[0].1.value, "hello world"),
        other => panic!("expected ENV, got {other:?}"),
    }
}

#[test]
fn onbuild_user_is_not_a_user() {
    let stages = build("FROM a\nUSER app\nONBUILD USER root\n");
    assert_eq!(
        stages[0].commands[1].kind,
        CommandKind::Onbuild("user".to_string())
    );
    assert_eq!(user_value(&stages[0]), "app");
    assert_eq!(users(&stages[0]).len(), 1);
}

#[test]
fn healthcheck_forms() {
    let text = "\
FROM a
HEALTHCHECK NONE
HEALTHCHECK --interval=5s --timeout=3s CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD [\"/bin/check\", \"--quiet\"]
HEALTHCHECK CMD
HEALTHCHECK CONNECT TCP 7000
HEALTHCHECK none extra
";
    let stages = build(text);
    let kinds: Vec<&CommandKind> = stages[0]
        .commands
        .iter()
        .map(|command| &command.kind)
        .collect();
    assert_eq!(kinds[0], &CommandKind::Healthcheck(HealthcheckSpec::None));
    assert_eq!(
        kinds[1],
        &CommandKind::Healthcheck(HealthcheckSpec::Cmd {
            exec: false,
            args: vec!["curl -f http://localhost/ || exit 1".to_string()],
        })
    );
    assert_eq!(
        kinds[2],
        &CommandKind::Healthcheck(HealthcheckSpec::Cmd {
            exec: true,
            args: vec!["/bin/check".to_string(), "--quiet".to_string()],
        })
    );
    assert_eq!(kinds[3], &CommandKind::Other);
    assert_eq!(kinds[4], &CommandKind::Other);
    assert_eq!(kinds[5], &CommandKind::Other);
}

#[test]
fn last_healthcheck_wins() {
    let stages = build("FROM a\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n");
    let (command, spec) = stages[0].last_healthcheck().unwrap();
    assert_eq!(spec, &HealthcheckSpec::None);
    assert_eq!(command.line, 3);
}

#[test]
fn copy_from_stage_image_and_index() {
    let text = "\
FROM golang:1.22 AS Build
RUN go build -o /out/app .
FROM alpine AS unused
FROM scratch
COPY --from=build /out/app /app
COPY --from=0 /etc/passwd /etc/passwd
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
COPY --from=$STAGE /x /x
";
    let stages = build(text);
    assert_eq!(stages[0].name.as_deref(), Some("build"));
    assert_eq!(stages[2].base_kind, BaseKind::Scratch);

    let froms: Vec<&Word> = stages[2]
        .commands
        .iter()
        .filter_map(|command| match &command.kind {
            CommandKind::Copy { from, .. } => from.as_ref(),
            _ => None,
        })
        .collect();
    let earlier = &stages[..2];
    assert_eq!(find_stage(earlier, &froms[0].value), Some(0));
    assert_eq!(find_stage(earlier, &froms[1].value), Some(0));
    assert_eq!(find_stage(earlier, &froms[2].value), None);
    // BuildKit does not expand `--from`.
    assert_eq!(froms[3].value, "$STAGE");

    assert_eq!(
        needed_stages(&stages, 2).into_iter().collect::<Vec<_>>(),
        [0, 2]
    );
}

#[test]
fn run_mount_from_is_a_dependency() {
    let text = "\
FROM node:20 AS deps
RUN npm ci
FROM node:20-slim
RUN --mount=type=bind,from=deps,source=/node_modules,target=/node_modules --mount=type=cache,target=/root/.npm npm run build
";
    let stages = build(text);
    match &stages[1].commands[0].kind {
        CommandKind::Run { mounts, exec, .. } => {
            assert!(!exec);
            assert_eq!(mounts.len(), 2);
            assert_eq!(mounts[0].kind, "bind");
            assert_eq!(mounts[0].from.as_ref().unwrap().value, "deps");
            assert_eq!(mounts[1].kind, "cache");
            assert!(mounts[1].from.is_none());
        }
        other => panic!("expected RUN, got {other:?}"),
    }
    assert_eq!(
        needed_stages(&stages, 1).into_iter().collect::<Vec<_>>(),
        [0, 1]
    );
}

#[test]
fn heredoc_then_instruction() {
    let text = "\
FROM debian
RUN <<EOF
set -e
useradd app
EOF
USER app
COPY <<-CONF /etc/app.conf
\tkey=value
\tCONF
";
    let stages = build(text);
    let commands = &stages[0].commands;
    assert_eq!(commands.len(), 3);
    match &commands[0].kind {
        CommandKind::Run { script, .. } => assert_eq!(script, "<<EOF\nset -e\nuseradd app\n"),
        other => panic!("expected RUN, got {other:?}"),
    }
    assert_eq!((commands[0].line, commands[0].end_line), (2, 5));
    assert_eq!(user_value(&stages[0]), "app");
    match &commands[2].kind {
        CommandKind::Copy {
            heredoc,
            sources,
            dest,
            ..
        } => {
            assert!(heredoc);
            assert!(sources.is_empty());
            assert_eq!(dest.value, "/etc/app.conf");
        }
        other => panic!("expected COPY, got {other:?}"),
    }
}

#[test]
fn exec_form_copy_expands_elements() {
    let stages = build("FROM a\nARG DIR=/opt\nCOPY [\"a b\", \"$DIR/\"]\nADD [\"x\", \"y\"]\n");
    match &stages[0].commands[1].kind {
        CommandKind::Copy {
            add,
            sources,
            dest,
            heredoc,
            from,
        } => {
            assert!(!add);
            assert!(!heredoc);
            assert!(from.is_none());
            assert_eq!(sources.len(), 1);
            assert_eq!(sources[0].value, "a b");
            assert_eq!(dest.value, "/opt/");
        }
        other => panic!("expected COPY, got {other:?}"),
    }
    assert!(matches!(
        stages[0].commands[2].kind,
        CommandKind::Copy { add: true, .. }
    ));
}

#[test]
fn backtick_escape_directive() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nENV DIR=C:\\app\nUSER `\n  ContainerUser\nWORKDIR $DIR\\bin\n";
    let dockerfile = parse(text).unwrap();
    assert_eq!(dockerfile.escape, '`');
    let stages = stages(&dockerfile, &BTreeMap::new());
    assert_eq!(user_value(&stages[0]), "ContainerUser");
    match &stages[0].commands[0].kind {
        CommandKind::Env(pairs) => assert_eq!(pairs[0].1.value, "C:\\app"),
        other => panic!("expected ENV, got {other:?}"),
    }
}

#[test]
fn lowercase_instructions() {
    let stages = build("from alpine as Base\nuser nobody\nfrom base\nhealthcheck none\n");
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].name.as_deref(), Some("base"));
    assert_eq!(user_value(&stages[0]), "nobody");
    assert_eq!(stages[1].base_kind, BaseKind::Stage(0));
    assert_eq!(from_chain(&stages, 1), [1, 0]);
    assert!(stages[1].last_healthcheck().is_some());
}

#[test]
fn unresolved_variables_are_listed() {
    let text = "\
FROM --platform=$BUILDPLATFORM golang AS build
ARG TARGETARCH
ENV GOARCH=$TARGETARCH
USER ${HOME_USER:-nobody}
WORKDIR /src/$GOARCH
FROM alpine
USER ${REQUIRED:?must be set}
";
    let stages = build(text);
    let platform = stages[0].platform.as_ref().unwrap();
    assert_eq!(platform.value, "");
    assert_eq!(platform.unresolved, ["BUILDPLATFORM"]);

    match &stages[0].commands[1].kind {
        CommandKind::Env(pairs) => assert_eq!(pairs[0].1.unresolved, ["TARGETARCH"]),
        other => panic!("expected ENV, got {other:?}"),
    }
    let user = stages[0].last_user().unwrap().1;
    assert_eq!(user.value, "nobody");
    assert!(user.unresolved.is_empty(), "a default resolves the value");

    let required = stages[1].last_user().unwrap().1;
    assert_eq!(required.value, "");
    assert_eq!(required.unresolved, ["REQUIRED"]);
}

#[test]
fn platform_arg_from_build_args() {
    let text = "ARG TARGETARCH\nFROM alpine\nARG TARGETARCH\nUSER $TARGETARCH\n";
    let stages = build_with(text, &[("TARGETARCH", "arm64")]);
    assert_eq!(user_value(&stages[0]), "arm64");
}

#[test]
fn indirect_variable_taint_reaches_user() {
    let stages = build("FROM a\nARG TARGETOS\nENV U=app-$TARGETOS\nUSER $U\n");
    let user = stages[0].last_user().unwrap().1;
    assert_eq!(user.value, "app-");
    assert_eq!(user.unresolved, ["TARGETOS"]);
}

#[test]
fn set_but_empty_differs_from_unset() {
    let stages = build("FROM a\nARG EMPTY=\nUSER ${EMPTY-fallback}x${EMPTY:-y}\n");
    let user = stages[0].last_user().unwrap().1;
    assert_eq!(user.value, "xy");
    assert!(user.is_resolved());
}

#[test]
fn scratch_and_numeric_bases() {
    let stages = build("FROM Scratch AS first\nFROM 0\nFROM FIRST\n");
    assert_eq!(stages[0].base_kind, BaseKind::Scratch);
    assert_eq!(stages[1].base_kind, BaseKind::Image);
    assert_eq!(stages[2].base_kind, BaseKind::Stage(0));
}

#[test]
fn later_stage_name_is_not_a_base() {
    let stages = build("FROM later\nFROM alpine AS later\n");
    assert_eq!(stages[0].base_kind, BaseKind::Image);
}

#[test]
fn instructions_before_from_are_skipped() {
    let stages = build("ARG V=1\nENV X=y\nFROM a:$V\nRUN echo\n");
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0].base.value, "a:1");
    assert_eq!(stages[0].commands.len(), 1);
    assert_eq!(stages[0].commands[0].instruction, 3);
}

#[test]
fn run_exec_form_script() {
    let stages = build("FROM a\nRUN [\"sh\", \"-c\", \"echo $HOME\"]\n");
    match &stages[0].commands[0].kind {
        CommandKind::Run { script, exec, .. } => {
            assert!(exec);
            assert_eq!(script, "sh -c echo $HOME");
        }
        other => panic!("expected RUN, got {other:?}"),
    }
}

/// Returns `ARG A0=x` and `ARG A<n>=${A<n-1>}${A<n-1>}` lines up to `last`, so `A<n>` is 2^n bytes.
fn doubling_args(last: usize) -> String {
    let mut text = String::from("FROM alpine\nARG A0=x\n");
    for index in 1..=last {
        let previous = index - 1;
        text.push_str(&format!("ARG A{index}=${{A{previous}}}${{A{previous}}}\n"));
    }
    text
}

#[test]
fn doubling_arg_chain_stops_at_limit() {
    let text = doubling_args(30) + "USER ${A17}\nUSER ${A30}\n";
    let stages = build(&text);
    let users = users(&stages[0]);

    assert_eq!(
        users[0].value.len(),
        128 * 1024,
        "A17 is exactly at the limit"
    );
    assert!(users[0].is_resolved());

    assert_eq!(users[1].raw, "${A30}");
    assert_eq!(
        users[1].unresolved,
        ["<expanded value exceeds 131072 bytes>"],
        "the limit passes from A18 through every later ARG"
    );
}

#[test]
fn doubling_global_arg_chain_stops_at_limit() {
    let mut text = String::from("ARG A0=x\n");
    for index in 1..=30 {
        let previous = index - 1;
        text.push_str(&format!("ARG A{index}=${{A{previous}}}${{A{previous}}}\n"));
    }
    text.push_str("FROM alpine:${A30}\n");
    let stages = build(&text);
    assert_eq!(
        stages[0].base.unresolved,
        ["<expanded value exceeds 131072 bytes>"]
    );
}

#[test]
fn deeply_nested_arg_default_is_unresolved() {
    let depth = 10_000;
    let default = format!("{}root{}", "${X:-".repeat(depth), "}".repeat(depth));
    let text = format!("FROM alpine\nARG U={default}\nUSER $U\n");
    let stages = build(&text);
    let user = users(&stages[0])[0];
    assert_eq!(user.value, default, "the value is the raw text");
    assert_eq!(user.unresolved, ["<`${...}` nesting exceeds 64 levels>"]);
}

#[test]
fn run_script_past_limit_keeps_references() {
    // 400 references to a 1 KiB variable would make a 400 KiB script.
    let script = "echo $LONG ".repeat(400);
    let text = format!(
        "FROM alpine\nARG LONG={}\nRUN {script}\nRUN echo $LONG\n",
        "v".repeat(1024)
    );
    let stages = build(&text);
    let scripts: Vec<&String> = stages[0]
        .commands
        .iter()
        .filter_map(|command| match &command.kind {
            CommandKind::Run {
                script_with_variables,
                ..
            } => Some(script_with_variables),
            _ => None,
        })
        .collect();
    assert_eq!(scripts[0].trim_end(), script.trim_end());
    assert_eq!(scripts[1].len(), "echo ".len() + 1024);
}

#[test]
fn many_long_words_exhaust_total_budget() {
    // 200 copies of the 128 KiB A17 would add 25 MiB, over the 16 MiB budget.
    let text = doubling_args(17) + &"ENV B=${A17}\n".repeat(200);
    let stages = build(&text);
    let values: Vec<&Word> = stages[0]
        .commands
        .iter()
        .filter_map(|command| match &command.kind {
            CommandKind::Env(pairs) => Some(&pairs[0].1),
            _ => None,
        })
        .collect();
    assert_eq!(values.len(), 200);

    assert_eq!(values[0].value.len(), 128 * 1024);
    assert!(values[0].is_resolved());

    let last = values[199];
    assert_eq!(last.value, "${A17}");
    assert_eq!(
        last.unresolved,
        ["<expanded words exceed 16777216 bytes in total>"]
    );
}

#[test]
fn many_long_run_scripts_exhaust_total_budget() {
    // 300 copies of the 64 KiB A16 would add 19 MiB, over the 16 MiB budget.
    let text = doubling_args(16) + &"RUN echo $A16\n".repeat(300);
    let stages = build(&text);
    let scripts: Vec<&String> = stages[0]
        .commands
        .iter()
        .filter_map(|command| match &command.kind {
            CommandKind::Run {
                script_with_variables,
                ..
            } => Some(script_with_variables),
            _ => None,
        })
        .collect();
    assert_eq!(scripts[0].len(), "echo ".len() + 64 * 1024);
    assert_eq!(scripts[299], "echo $A16");
}
