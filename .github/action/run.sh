#!/usr/bin/env bash
# The run step of action.yml: turns the DOCKGRADE_* variables that action.yml sets from its
# inputs into one dockgrade command, runs it, and writes the step outputs report, changed and
# exit-code. Kept in its own file so that shellcheck can check it (actionlint checks only the
# run: scripts of workflows, not those of actions).
set -euo pipefail

fail() {
  echo "::error title=dockgrade action::$1"
  exit 2
}

extension_of() {
  case "$1" in
    markdown) echo md ;;
    json) echo json ;;
    html) echo html ;;
    sarif) echo sarif ;;
    *) fail "invalid format \"$1\": expected markdown, json, html or sarif" ;;
  esac
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
    # The path input is a glob over shard files; the unquoted expansion is what lists them.
    shopt -s nullglob
    # shellcheck disable=SC2206
    shards=($DOCKGRADE_PATH)
    shopt -u nullglob
    if [[ ${#shards[@]} -eq 0 ]]; then
      fail "no shard file matches \"$DOCKGRADE_PATH\""
    fi
    args=(merge "${shards[@]}")
    ;;
  pr-comment)
    if [[ ! "$DOCKGRADE_PR_NUMBER" =~ ^[0-9]+$ ]]; then
      fail "pr-comment needs the pull request number in pr-number, got \"$DOCKGRADE_PR_NUMBER\""
    fi
    args=(pr-comment --repo "$GITHUB_REPOSITORY" --pr "$DOCKGRADE_PR_NUMBER")
    if [[ -n "$DOCKGRADE_BODY_FILE" ]]; then
      # Posting a saved body grades nothing, so no base ref and no folder.
      args+=(--body-file "$DOCKGRADE_BODY_FILE")
    elif [[ -n "$DOCKGRADE_BASE_REF" ]]; then
      args+=(--base-ref "$DOCKGRADE_BASE_REF")
    fi
    ;;
  *)
    fail "invalid mode \"$DOCKGRADE_MODE\": expected scan, check, pr-comment or merge"
    ;;
esac

report=""
capture_stdout=false
if [[ "$DOCKGRADE_MODE" == pr-comment ]]; then
  if [[ "$DOCKGRADE_DRY_RUN" == true ]]; then
    # `pr-comment --dry-run` prints the comment body on stdout and makes no API call.
    args+=(--dry-run)
    report="${DOCKGRADE_OUTPUT:-$RUNNER_TEMP/dockgrade-comment.md}"
    capture_stdout=true
  fi
  if [[ -z "$DOCKGRADE_BODY_FILE" ]]; then
    args+=("$DOCKGRADE_PATH")
  fi
elif [[ -n "$DOCKGRADE_UPDATE" ]]; then
  args+=(--update "$DOCKGRADE_UPDATE")
  report="$DOCKGRADE_UPDATE"
else
  extension=$(extension_of "$DOCKGRADE_FORMAT")
  report="${DOCKGRADE_OUTPUT:-$RUNNER_TEMP/dockgrade-report.$extension}"
  args+=(--format "$DOCKGRADE_FORMAT" --output "$report")
fi
if [[ -n "$DOCKGRADE_TODAY" && ( "$DOCKGRADE_MODE" == scan || "$DOCKGRADE_MODE" == check ) ]]; then
  args+=(--today "$DOCKGRADE_TODAY")
fi
# pr-comment takes no --fail-under: its comment reports the grades instead.
if [[ -n "$DOCKGRADE_FAIL_UNDER" && "$DOCKGRADE_MODE" != pr-comment ]]; then
  args+=(--fail-under "$DOCKGRADE_FAIL_UNDER")
fi

if [[ -n "$report" ]]; then
  mkdir -p "$(dirname "$report")"
fi

digest_of() {
  if [[ -f "$1" ]]; then sha256sum "$1" | cut -d' ' -f1; else echo absent; fi
}
before=""
if [[ -n "$DOCKGRADE_UPDATE" ]]; then
  before=$(digest_of "$DOCKGRADE_UPDATE")
fi

echo "dockgrade ${args[*]}"
status=0
if [[ "$capture_stdout" == true ]]; then
  dockgrade "${args[@]}" > "$report" || status=$?
else
  dockgrade "${args[@]}" || status=$?
fi

changed=false
if [[ -n "$DOCKGRADE_UPDATE" && "$(digest_of "$DOCKGRADE_UPDATE")" != "$before" ]]; then
  changed=true
fi
{
  echo "report=$report"
  echo "changed=$changed"
  echo "exit-code=$status"
} >> "$GITHUB_OUTPUT"
exit "$status"
