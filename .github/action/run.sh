#!/usr/bin/env bash
# The run step of action.yml: turns the DOCKGRADE_* variables that action.yml sets from its
# inputs into one dockgrade command, runs it, and writes the step outputs report, changed and
# exit-code. Kept in its own file so that shellcheck can check it (actionlint checks only the
# run: scripts of workflows, not those of actions). .github/action/test-run.sh tests it.
set -euo pipefail

: "${GITHUB_OUTPUT:?is not set: run.sh runs as the run step of action.yml}"

# Every way out of the script, an invalid input included, sets the three step outputs, so that a
# later step with `if: ${{ !cancelled() }}` can read exit-code. report stays empty until
# dockgrade has written the file.
report=""
changed=false
# shellcheck disable=SC2329 # the EXIT trap below calls it
write_outputs() {
  local status=$?
  printf 'report=%s\nchanged=%s\nexit-code=%s\n' "$report" "$changed" "$status" >> "$GITHUB_OUTPUT"
}
trap write_outputs EXIT

# Prints an error annotation and exits with dockgrade's code for invalid input. A workflow
# command ends at the line break, so the message escapes %, CR and LF as GitHub's actions/toolkit
# does (escapeData in packages/core/src/command.ts): an input quoted in it cannot start a
# command of its own.
fail() {
  local message="$1"
  message=${message//'%'/%25}
  message=${message//$'\r'/%0D}
  message=${message//$'\n'/%0A}
  echo "::error title=dockgrade action::$message"
  exit 2
}

# The name of the action input behind a DOCKGRADE_* variable, such as fail-under.
input_name() {
  local name="${1#DOCKGRADE_}"
  name="${name,,}"
  echo "${name//_/-}"
}

# GITHUB_OUTPUT contains one name=value per line (a value over several lines needs GitHub's
# name<<DELIMITER form), so a line break in output or update would add outputs of its own, such
# as a fake exit-code. No other input has a use for one either, except merge's path: one glob per
# line.
single_line=(DOCKGRADE_MODE DOCKGRADE_CONFIG DOCKGRADE_FORMAT DOCKGRADE_OUTPUT DOCKGRADE_UPDATE
  DOCKGRADE_FAIL_UNDER DOCKGRADE_SHARD DOCKGRADE_TODAY DOCKGRADE_PR_NUMBER DOCKGRADE_BASE_REF
  DOCKGRADE_DRY_RUN DOCKGRADE_BODY_FILE)
if [[ "$DOCKGRADE_MODE" != merge ]]; then
  single_line+=(DOCKGRADE_PATH)
fi
for variable in "${single_line[@]}"; do
  if [[ "${!variable}" == *[$'\n\r']* ]]; then
    fail "the $(input_name "$variable") input contains a line break: give it on one line"
  fi
done

case "$DOCKGRADE_MODE" in
  scan | check | pr-comment | merge) ;;
  *) fail "invalid mode \"$DOCKGRADE_MODE\": expected scan, check, pr-comment or merge" ;;
esac
case "$DOCKGRADE_FORMAT" in
  markdown) extension=md ;;
  json | html | sarif) extension="$DOCKGRADE_FORMAT" ;;
  *) fail "invalid format \"$DOCKGRADE_FORMAT\": expected markdown, json, html or sarif" ;;
esac
# Exactly the two strings: anything else, "True" included, is a mistake that must not post a
# comment for real.
case "$DOCKGRADE_DRY_RUN" in
  true | false) ;;
  *) fail "invalid dry-run \"$DOCKGRADE_DRY_RUN\": expected true or false" ;;
esac
if [[ "$DOCKGRADE_MODE" == scan && -n "$DOCKGRADE_SHARD" && -n "$DOCKGRADE_UPDATE" ]]; then
  fail "shard and update cannot be combined: a shard covers part of the repositories; scan each shard with format json, merge them, and set update on the merge step"
fi
if [[ "$DOCKGRADE_MODE" == pr-comment ]]; then
  if [[ ! "$DOCKGRADE_PR_NUMBER" =~ ^[0-9]+$ ]]; then
    fail "pr-comment needs the pull request number in pr-number, got \"$DOCKGRADE_PR_NUMBER\""
  fi
  if [[ -n "$DOCKGRADE_BODY_FILE" && -n "$DOCKGRADE_FAIL_UNDER" ]]; then
    fail "fail-under cannot be combined with body-file: posting a saved body grades nothing; set fail-under on the dry-run step that grades the pull request"
  fi
fi

# Expands one glob of merge's path input into the array matches. IFS is empty, so the unquoted
# expansion is not split at spaces; the shell applies no other expansion to a variable's value,
# so $(...), $VAR, ~, quotes and {a,b} in it are plain characters. A pattern without *, ? or [
# stays as it is, and dockgrade reports it when the file is missing.
expand_glob() {
  local IFS=""
  shopt -s nullglob
  # shellcheck disable=SC2206 # the unquoted expansion is the glob
  matches=($1)
  shopt -u nullglob
}

args=()
case "$DOCKGRADE_MODE" in
  scan)
    args=(scan --config "$DOCKGRADE_CONFIG")
    if [[ -n "$DOCKGRADE_SHARD" ]]; then
      args+=(--shard "$DOCKGRADE_SHARD")
    fi
    ;;
  check)
    args=(check "$DOCKGRADE_PATH")
    ;;
  merge)
    args=(merge)
    mapfile -t patterns <<< "$DOCKGRADE_PATH"
    for pattern in "${patterns[@]}"; do
      if [[ -z "$pattern" ]]; then
        continue
      fi
      expand_glob "$pattern"
      if [[ ${#matches[@]} -eq 0 ]]; then
        fail "no shard file matches \"$pattern\""
      fi
      args+=("${matches[@]}")
    done
    if [[ ${#args[@]} -eq 1 ]]; then
      fail "merge needs the shard files in path, such as shards/*.json"
    fi
    ;;
  pr-comment)
    args=(pr-comment --repo "$GITHUB_REPOSITORY" --pr "$DOCKGRADE_PR_NUMBER")
    if [[ -n "$DOCKGRADE_BODY_FILE" ]]; then
      # Posting a saved body grades nothing, so no base ref and no folder.
      args+=(--body-file "$DOCKGRADE_BODY_FILE")
    elif [[ -n "$DOCKGRADE_BASE_REF" ]]; then
      args+=(--base-ref "$DOCKGRADE_BASE_REF")
    fi
    ;;
esac

# The file dockgrade writes, which becomes the report output; updating when it is the update
# input's.
target=""
updating=false
if [[ "$DOCKGRADE_MODE" == pr-comment ]]; then
  if [[ "$DOCKGRADE_DRY_RUN" == true ]]; then
    # With --dry-run and --output, pr-comment writes the comment body to the file and makes no
    # API call.
    target="${DOCKGRADE_OUTPUT:-$RUNNER_TEMP/dockgrade-comment.md}"
    args+=(--dry-run --output "$target")
  fi
  if [[ -z "$DOCKGRADE_BODY_FILE" ]]; then
    args+=("$DOCKGRADE_PATH")
  fi
elif [[ -n "$DOCKGRADE_UPDATE" ]]; then
  args+=(--update "$DOCKGRADE_UPDATE")
  target="$DOCKGRADE_UPDATE"
  updating=true
else
  target="${DOCKGRADE_OUTPUT:-$RUNNER_TEMP/dockgrade-report.$extension}"
  args+=(--format "$DOCKGRADE_FORMAT" --output "$target")
fi
if [[ -n "$DOCKGRADE_TODAY" && ( "$DOCKGRADE_MODE" == scan || "$DOCKGRADE_MODE" == check ) ]]; then
  args+=(--today "$DOCKGRADE_TODAY")
fi
# In pr-comment mode the grade that counts is the pull request's head.
if [[ -n "$DOCKGRADE_FAIL_UNDER" ]]; then
  args+=(--fail-under "$DOCKGRADE_FAIL_UNDER")
fi

if [[ -n "$target" ]]; then
  mkdir -p "$(dirname "$target")"
fi

digest_of() {
  if [[ -f "$1" ]]; then sha256sum "$1" | cut -d' ' -f1; else echo absent; fi
}
# Inode, size and modification time: any write by dockgrade changes one of them, so a report
# left by an earlier step is not taken for this run's.
stamp_of() {
  if [[ -f "$1" ]]; then stat -c '%i %s %y' -- "$1"; else echo absent; fi
}
before=""
if [[ "$updating" == true ]]; then
  before=$(digest_of "$target")
fi
target_before=""
if [[ -n "$target" ]]; then
  target_before=$(stamp_of "$target")
fi

# Shell-quoted, so that the line can be pasted into a shell and a file name cannot pass for a
# workflow command.
printf 'dockgrade'
printf ' %q' "${args[@]}"
printf '\n'
status=0
dockgrade "${args[@]}" || status=$?

if [[ "$updating" == true ]]; then
  # The file to update exists before the run, and stays the report when nothing changed.
  if [[ -f "$target" ]]; then
    report="$target"
  fi
elif [[ -n "$target" && "$(stamp_of "$target")" != "$target_before" ]]; then
  report="$target"
fi
if [[ "$updating" == true && "$(digest_of "$target")" != "$before" ]]; then
  changed=true
fi
exit "$status"
