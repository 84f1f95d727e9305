#!/usr/bin/env bash
# The run step of keyguard's GitHub Action (action.yml): runs the project's installed
# `keyguard check` with the action's inputs (passed as KEYGUARD_* environment variables, never
# spliced into the script), writes the reports, appends a summary to $GITHUB_STEP_SUMMARY, sets the
# outputs in $GITHUB_OUTPUT, and exits with keyguard's exit code, so a mandatory violation fails the step.
set -uo pipefail

fail_usage() {
  echo "::error title=keyguard::$1"
  echo "exit-code=2" >>"$GITHUB_OUTPUT"
  exit 2
}

# The project's installed keyguard: node_modules/.bin/keyguard here or in a folder above, as npm
# exec finds it (without npm's start-up time, and never downloading anything).
keyguard=""
directory="$PWD"
while :; do
  if [ -x "$directory/node_modules/.bin/keyguard" ]; then
    keyguard="$directory/node_modules/.bin/keyguard"
    break
  fi
  [ "$directory" = "/" ] && break
  directory="$(dirname "$directory")"
done
[ -n "$keyguard" ] || fail_usage "keyguard is not installed in $PWD: add it to the project (npm install <keyguard package>) and run npm ci before this step"

args=(check)
[ -n "${KEYGUARD_STACK:-}" ] && args+=(--stack "$KEYGUARD_STACK")
[ -n "${KEYGUARD_POLICY_CONFIG:-}" ] && args+=(--policy-config "$KEYGUARD_POLICY_CONFIG")
case "${KEYGUARD_STRICT_UNKNOWNS:-false}" in
  true) args+=(--strict-unknowns) ;;
  false | "") ;;
  *) fail_usage "input strict-unknowns is \"$KEYGUARD_STRICT_UNKNOWNS\"; allowed: true or false" ;;
esac

# Every report to write, as FORMAT=PATH.
reports=()
[ -n "${KEYGUARD_SARIF_FILE:-}" ] && reports+=("sarif=$KEYGUARD_SARIF_FILE")
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -z "$line" ] && continue
  [[ "$line" == *=?* ]] || fail_usage "input reports: \"$line\" is not FORMAT=PATH (one per line, e.g. junit=keyguard.xml)"
  reports+=("$line")
done <<<"${KEYGUARD_REPORTS:-}"

# One run per report file, then one for the summary; each run is the same offline check.
code=0
for report in "${reports[@]}"; do
  mkdir -p "$(dirname "${report#*=}")"
  "$keyguard" "${args[@]}" --quiet --format "${report%%=*}" --output "${report#*=}"
  status=$?
  [ "$status" -gt "$code" ] && code=$status
done
summary="$(mktemp)"
"$keyguard" "${args[@]}" --quiet --format text >"$summary"
status=$?
[ "$status" -gt "$code" ] && code=$status

{
  echo "## keyguard check"
  echo
  case "$code" in
    0) echo "Passed: no mandatory policy violation." ;;
    1) echo "**Failed**: a mandatory policy violation (details below and in code scanning)." ;;
    *) echo "**Did not run to the end** (exit $code): see the step's log." ;;
  esac
  echo
  if [ -s "$summary" ]; then
    echo '```text'
    cat "$summary"
    echo '```'
  fi
} >>"$GITHUB_STEP_SUMMARY"
rm -f "$summary"

sarif=""
if [ -n "${KEYGUARD_SARIF_FILE:-}" ] && [ -f "$KEYGUARD_SARIF_FILE" ]; then
  sarif="$(cd "$(dirname "$KEYGUARD_SARIF_FILE")" && pwd)/$(basename "$KEYGUARD_SARIF_FILE")"
fi
{
  echo "exit-code=$code"
  echo "sarif-file=$sarif"
} >>"$GITHUB_OUTPUT"
exit "$code"
