#!/usr/bin/env bash
# The run step of keyguard's GitHub Action (action.yml): runs the project's installed
# `keyguard check` once with the action's inputs (passed as KEYGUARD_* environment variables, never
# spliced into the script), writing the SARIF and other reports, appends keyguard's markdown report to
# $GITHUB_STEP_SUMMARY, sets the outputs in $GITHUB_OUTPUT, and exits with keyguard's exit code, so a
# mandatory violation fails the step. The outputs describe this run only: `sarif-file` is empty unless
# this run wrote the SARIF. While keyguard runs, the runner's workflow-command processing is stopped
# (GitHub's documented `::stop-commands::<token>`, resumed by `::<token>::` with a random token), so
# nothing the checked program names or prints can become a command in the step's log.
set -uo pipefail

# Data inside a workflow command: %, CR and LF escaped as the runner unescapes them.
command_data() {
  local data="${1//%/%25}"
  data="${data//$'\r'/%0D}"
  printf '%s' "${data//$'\n'/%0A}"
}

fail_usage() {
  echo "::error title=keyguard::$(command_data "$1")"
  printf '## keyguard check did not run\n\n%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
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
if [ -n "${KEYGUARD_TERRAFORM_PLAN:-}" ]; then
  # A Terraform plan is judged instead of the Pulumi program; a stack means nothing to it.
  [ -n "${KEYGUARD_STACK:-}" ] && fail_usage "inputs stack and terraform-plan cannot go together: stack picks a Pulumi stack, terraform-plan names a Terraform plan (give one of them)"
  args+=(--plan "$KEYGUARD_TERRAFORM_PLAN")
fi
[ -n "${KEYGUARD_STACK:-}" ] && args+=(--stack "$KEYGUARD_STACK")
[ -n "${KEYGUARD_POLICY_CONFIG:-}" ] && args+=(--policy-config "$KEYGUARD_POLICY_CONFIG")
case "${KEYGUARD_STRICT_UNKNOWNS:-false}" in
  true) args+=(--strict-unknowns) ;;
  false | "") ;;
  *) fail_usage "input strict-unknowns is \"$KEYGUARD_STRICT_UNKNOWNS\"; allowed: true or false" ;;
esac

# Every report of the run, each a --report FORMAT=PATH; the summary is keyguard's markdown report.
reports=()
add_report() {
  mkdir -p "$(dirname "${1#*=}")"
  reports+=(--report "$1")
}
[ -n "${KEYGUARD_SARIF_FILE:-}" ] && add_report "sarif=$KEYGUARD_SARIF_FILE"
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -z "$line" ] && continue
  [[ "$line" == ?*=?* ]] || fail_usage "input reports: \"$line\" is not FORMAT=PATH (one per line, e.g. junit=keyguard.xml)"
  add_report "$line"
done <<<"${KEYGUARD_REPORTS:-}"
summary="$(mktemp)"
rm -f "$summary"

# One offline check writes every report; the text report goes to the step's log, with the runner's
# command processing stopped around it (a token no program can guess: 128 random bits).
stop_token="keyguard-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::$stop_token"
"$keyguard" "${args[@]}" "${reports[@]}" --report "markdown=$summary" --report text=-
code=$?
echo "::$stop_token::"

if [ -s "$summary" ]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
else
  # No report: the check stopped before judging anything (a usage error, a program that failed).
  printf '## keyguard check did not run to the end (exit %s)\n\nSee the step'"'"'s log for the reason.\n' "$code" >>"$GITHUB_STEP_SUMMARY"
fi
rm -f "$summary"

# Only a run that reached a verdict (exit 0 or 1) wrote its reports; after an exit 2 keyguard leaves no
# report file, and a SARIF from an earlier run is never this run's output.
sarif=""
if [ -n "${KEYGUARD_SARIF_FILE:-}" ] && { [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; } && [ -f "$KEYGUARD_SARIF_FILE" ]; then
  sarif="$(cd "$(dirname "$KEYGUARD_SARIF_FILE")" && pwd)/$(basename "$KEYGUARD_SARIF_FILE")"
fi
{
  echo "exit-code=$code"
  echo "sarif-file=$sarif"
} >>"$GITHUB_OUTPUT"
exit "$code"
