//! `HEALTHCHECK` rules of BuildKit's `parseHealthcheck` (`frontend/dockerfile/instructions/parse.go`).

use std::collections::BTreeMap;

use crate::dockerfile::ast::Instruction;

/// The shortest non-zero interval Docker accepts, in nanoseconds (`container.MinimumDuration`).
const MINIMUM_DURATION_NANOS: f64 = 1_000_000.0;

/// Checks the type word, the command and the option values of a HEALTHCHECK.
///
/// `HEALTHCHECK NONE` takes no command. Any other type must be `CMD` (in any case) followed by
/// a command. Durations use Go's `time.ParseDuration` syntax, such as `30s` or `1m30s`, and
/// must be 0 or at least 1ms. `--retries` must be a 32-bit integer that is not negative.
pub(super) fn check_healthcheck(
    instruction: &Instruction,
    flags: &BTreeMap<String, Vec<String>>,
) -> Result<(), String> {
    let Some((kind, command)) = instruction.args.split_first() else {
        return Err(
            "HEALTHCHECK requires at least one argument: NONE or CMD <command>".to_string(),
        );
    };
    let kind = kind.to_uppercase();
    if kind == "NONE" {
        if !command.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".to_string());
        }
        return Ok(());
    }
    if kind != "CMD" {
        return Err(format!(
            "unknown type {kind:?} in HEALTHCHECK: use CMD <command> or NONE"
        ));
    }
    if command.is_empty() {
        return Err("missing command after HEALTHCHECK CMD".to_string());
    }

    for name in ["interval", "timeout", "start-period", "start-interval"] {
        if let Some(value) = flags.get(name).and_then(|values| values.last()) {
            check_interval(name, value)?;
        }
    }
    if let Some(value) = flags.get("retries").and_then(|values| values.last()) {
        if !value.is_empty() {
            let retries: i32 = value.parse().map_err(|_| {
                format!("invalid value {value:?} for --retries: expected a whole number")
            })?;
            if retries < 0 {
                return Err(format!("--retries cannot be negative ({retries})"));
            }
        }
    }
    Ok(())
}

fn check_interval(name: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    let nanos = parse_go_duration(value).ok_or_else(|| {
        format!("invalid duration {value:?} for --{name}: use a number with a unit, such as 30s or 1m30s")
    })?;
    if nanos != 0.0 && nanos < MINIMUM_DURATION_NANOS {
        return Err(format!("--{name} cannot be less than 1ms: {value:?}"));
    }
    Ok(())
}

/// Parses a duration as Go's `time.ParseDuration` does and returns it in nanoseconds: an
/// optional sign, then one or more decimal numbers each followed by a unit (`ns`, `us`, `µs`,
/// `μs`, `ms`, `s`, `m`, `h`). A bare `0` is the only number allowed without a unit.
pub(super) fn parse_go_duration(text: &str) -> Option<f64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|ch: char| !ch.is_ascii_digit() && ch != '.')
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return None;
        }
        let value: f64 = format!("0{whole}.{fraction}0").parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|ch: char| ch.is_ascii_digit() || ch == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Some(if negative { -total } else { total })
}
