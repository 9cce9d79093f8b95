#!/usr/bin/env bash
# Tests .github/action/run.sh: runs it with a stub dockgrade first on PATH, which records its
# arguments, and checks the command line, the step outputs, the annotations and the exit code.
# Usage: bash .github/action/test-run.sh (prints one line per case; exits 1 when one fails).
set -euo pipefail

script="$(cd "$(dirname "$0")" && pwd)/run.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/temp" "$work/repo"

# The stub writes one argument per line to $STUB_ARGS, writes the file named by --output (or
# appends a line to the one named by --update when STUB_CHANGE is true) unless STUB_WRITE is
# false, and exits with $STUB_EXIT.
cat > "$work/bin/dockgrade" <<'STUB'
#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$@" > "$STUB_ARGS"
previous=""
for argument in "$@"; do
  if [[ "${STUB_WRITE:-true}" == true ]]; then
    if [[ "$previous" == --output ]]; then
      echo "report" > "$argument"
    elif [[ "$previous" == --update && "${STUB_CHANGE:-false}" == true ]]; then
      echo "graded" >> "$argument"
    fi
  fi
  previous="$argument"
done
exit "${STUB_EXIT:-0}"
STUB
chmod +x "$work/bin/dockgrade"

passed=0
failed=0
problems=()

problem() {
  problems+=("$1")
}

# Runs run.sh in $work/repo with the defaults of action.yml's inputs, overridden by the
# NAME=value arguments; sets status.
run_action() {
  rm -f "$work/args"
  : > "$work/output"
  status=0
  (
    cd "$work/repo"
    env -i PATH="$work/bin:$PATH" HOME="$work" \
      GITHUB_OUTPUT="$work/output" RUNNER_TEMP="$work/temp" GITHUB_REPOSITORY=octo-org/payments \
      STUB_ARGS="$work/args" \
      DOCKGRADE_MODE=scan DOCKGRADE_CONFIG=repos.toml DOCKGRADE_PATH=. \
      DOCKGRADE_FORMAT=markdown DOCKGRADE_OUTPUT="" DOCKGRADE_UPDATE="" DOCKGRADE_FAIL_UNDER="" \
      DOCKGRADE_SHARD="" DOCKGRADE_TODAY="" DOCKGRADE_PR_NUMBER="" DOCKGRADE_BASE_REF="" \
      DOCKGRADE_DRY_RUN=false DOCKGRADE_BODY_FILE="" \
      "$@" bash "$script"
  ) > "$work/stdout" 2> "$work/stderr" || status=$?
}

expect_status() {
  if [[ "$status" != "$1" ]]; then
    problem "exit status $status, expected $1"
  fi
}

# The arguments dockgrade got, one per parameter.
expect_args() {
  local expected actual
  expected=$(printf '%s\n' "$@")
  if [[ ! -f "$work/args" ]]; then
    problem "dockgrade did not run"
    return
  fi
  actual=$(cat "$work/args")
  if [[ "$actual" != "$expected" ]]; then
    problem "dockgrade got [${actual//$'\n'/ | }], expected [${expected//$'\n'/ | }]"
  fi
}

expect_not_run() {
  if [[ -f "$work/args" ]]; then
    problem "dockgrade ran with [$(tr '\n' ' ' < "$work/args")]"
  fi
}

# The whole GITHUB_OUTPUT file, one line per argument.
expect_outputs() {
  local expected actual
  expected=$(printf '%s\n' "$@")
  actual=$(cat "$work/output")
  if [[ "$actual" != "$expected" ]]; then
    problem "GITHUB_OUTPUT is [${actual//$'\n'/ | }], expected [${expected//$'\n'/ | }]"
  fi
}

# A line of stdout, exactly.
expect_stdout_line() {
  if ! grep -qxF -- "$1" "$work/stdout"; then
    problem "stdout lacks the line [$1]; it is [$(tr '\n' '|' < "$work/stdout")]"
  fi
}

# An invalid input: an annotation with the message, exit code 2 in the outputs, no dockgrade run.
expect_rejected() {
  expect_status 2
  expect_stdout_line "::error title=dockgrade action::$1"
  expect_not_run
  expect_outputs "report=" "changed=false" "exit-code=2"
}

finish_case() {
  if [[ ${#problems[@]} -eq 0 ]]; then
    passed=$((passed + 1))
    echo "ok - $1"
  else
    failed=$((failed + 1))
    echo "not ok - $1: ${problems[*]}"
  fi
  problems=()
}

default_report="$work/temp/dockgrade-report.md"

run_action
expect_status 0
expect_args scan --config repos.toml --format markdown --output "$default_report"
expect_outputs "report=$default_report" "changed=false" "exit-code=0"
finish_case "scan with the defaults writes the Markdown report to the runner's temporary folder"

run_action DOCKGRADE_FORMAT=sarif DOCKGRADE_SHARD=2/4 DOCKGRADE_TODAY=2026-01-01 \
  DOCKGRADE_FAIL_UNDER=B DOCKGRADE_OUTPUT="$work/out dir/scan.sarif"
expect_status 0
expect_args scan --config repos.toml --shard 2/4 --format sarif --output "$work/out dir/scan.sarif" \
  --today 2026-01-01 --fail-under B
expect_outputs "report=$work/out dir/scan.sarif" "changed=false" "exit-code=0"
finish_case "scan passes shard, today and fail-under, and creates the output's folder"

run_action STUB_EXIT=3
expect_status 3
expect_outputs "report=$default_report" "changed=false" "exit-code=3"
finish_case "dockgrade's exit code becomes the step's and the exit-code output"

run_action DOCKGRADE_MODE=check DOCKGRADE_FAIL_UNDER=Z STUB_EXIT=2 STUB_WRITE=false
expect_status 2
expect_args check . --format markdown --output "$default_report" --fail-under Z
expect_outputs "report=" "changed=false" "exit-code=2"
finish_case "report is empty when dockgrade wrote no file"

touch "$work/repo/plain-file"
run_action DOCKGRADE_OUTPUT=plain-file/report.md
expect_status 1
expect_not_run
expect_outputs "report=" "changed=false" "exit-code=1"
finish_case "a failing command of run.sh still sets the outputs"

rm -f "$default_report"
run_action DOCKGRADE_FORMAT=pdf
expect_rejected 'invalid format "pdf": expected markdown, json, html or sarif'
finish_case "an invalid format is reported and sets the outputs"

run_action DOCKGRADE_MODE=lint
expect_rejected 'invalid mode "lint": expected scan, check, pr-comment or merge'
finish_case "an invalid mode is reported"

run_action DOCKGRADE_MODE=pr-comment DOCKGRADE_PR_NUMBER=7 DOCKGRADE_DRY_RUN=True
expect_rejected 'invalid dry-run "True": expected true or false'
finish_case "dry-run accepts only true and false"

run_action DOCKGRADE_OUTPUT=$'report.md\nexit-code=0'
expect_rejected "the output input contains a line break: give it on one line"
finish_case "a line break in output cannot add step outputs"

run_action DOCKGRADE_MODE=check DOCKGRADE_PATH=$'.\n::warning::x'
expect_rejected "the path input contains a line break: give it on one line"
finish_case "a line break in check's path is rejected"

run_action DOCKGRADE_MODE=$'scan\r'
expect_rejected "the mode input contains a line break: give it on one line"
finish_case "a carriage return counts as a line break"

run_action DOCKGRADE_MODE='x%0A::warning::y'
expect_rejected 'invalid mode "x%250A::warning::y": expected scan, check, pr-comment or merge'
finish_case "a quoted input cannot forge an escape in the annotation"

run_action DOCKGRADE_SHARD=1/4 DOCKGRADE_UPDATE=SCORECARD.md
expect_rejected "shard and update cannot be combined: a shard covers part of the repositories; scan each shard with format json, merge them, and set update on the merge step"
finish_case "shard with update is rejected"

echo "before" > "$work/repo/SCORECARD.md"
run_action DOCKGRADE_MODE=check DOCKGRADE_UPDATE=SCORECARD.md DOCKGRADE_FORMAT=json STUB_CHANGE=true
expect_status 0
expect_args check . --update SCORECARD.md
expect_outputs "report=SCORECARD.md" "changed=true" "exit-code=0"
finish_case "update sets changed when the file changed"

run_action DOCKGRADE_MODE=check DOCKGRADE_UPDATE=SCORECARD.md
expect_status 0
expect_outputs "report=SCORECARD.md" "changed=false" "exit-code=0"
finish_case "update leaves changed false when the file is the same"

run_action DOCKGRADE_MODE=pr-comment DOCKGRADE_PR_NUMBER=7 DOCKGRADE_BASE_REF=main \
  DOCKGRADE_DRY_RUN=true DOCKGRADE_FAIL_UNDER=C
expect_status 0
expect_args pr-comment --repo octo-org/payments --pr 7 --base-ref main \
  --dry-run --output "$work/temp/dockgrade-comment.md" . --fail-under C
expect_outputs "report=$work/temp/dockgrade-comment.md" "changed=false" "exit-code=0"
finish_case "pr-comment dry-run writes the body and passes fail-under"

run_action DOCKGRADE_MODE=pr-comment DOCKGRADE_PR_NUMBER=7 DOCKGRADE_BODY_FILE=comment.md
expect_status 0
expect_args pr-comment --repo octo-org/payments --pr 7 --body-file comment.md
expect_outputs "report=" "changed=false" "exit-code=0"
finish_case "pr-comment with body-file posts the saved body"

run_action DOCKGRADE_MODE=pr-comment DOCKGRADE_PR_NUMBER=7 DOCKGRADE_BODY_FILE=comment.md \
  DOCKGRADE_FAIL_UNDER=B
expect_rejected "fail-under cannot be combined with body-file: posting a saved body grades nothing; set fail-under on the dry-run step that grades the pull request"
finish_case "pr-comment rejects fail-under with body-file"

run_action DOCKGRADE_MODE=pr-comment DOCKGRADE_PR_NUMBER=7x
expect_rejected 'pr-comment needs the pull request number in pr-number, got "7x"'
finish_case "pr-comment rejects a pull request number that is not digits"

mkdir "$work/repo/my shards"
touch "$work/repo/my shards/shard-2.json" "$work/repo/my shards/shard-1.json" \
  "$work/repo/my shards/other.json"
run_action DOCKGRADE_MODE=merge DOCKGRADE_PATH="my shards/shard-*.json"
expect_status 0
expect_args merge "my shards/shard-1.json" "my shards/shard-2.json" \
  --format markdown --output "$default_report"
finish_case "merge expands a glob with a space without splitting it"

mkdir "$work/repo/more"
touch "$work/repo/more/shard-3.json"
run_action DOCKGRADE_MODE=merge DOCKGRADE_PATH=$'my shards/shard-1.json\n\nmore/*.json\n'
expect_status 0
expect_args merge "my shards/shard-1.json" more/shard-3.json --format markdown --output "$default_report"
finish_case "merge takes one glob per line"

# shellcheck disable=SC2016 # the single quotes keep the shell syntax for run.sh to ignore
run_action DOCKGRADE_MODE=merge DOCKGRADE_PATH='$(touch pwned)`touch pwned`{a,b}*.json'
# shellcheck disable=SC2016
expect_rejected 'no shard file matches "$(touch pwned)`touch pwned`{a,b}*.json"'
if [[ -e "$work/repo/pwned" ]]; then
  problem "the path ran a command"
fi
finish_case "merge runs no shell syntax of the path"

run_action DOCKGRADE_MODE=merge DOCKGRADE_PATH=$'\n'
expect_rejected "merge needs the shard files in path, such as shards/*.json"
finish_case "merge rejects an empty path"

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
