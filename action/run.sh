#!/usr/bin/env bash
# The shell of action.yml: checks the inputs, finds (or installs) the CLI, runs the command.
# The CLI itself writes the step summary, the outputs and the annotations ($GITHUB_ACTIONS).
set -euo pipefail

fail() { echo "::error::$1"; exit 2; }

# Shell words without running anything: xargs reads quotes and backslashes, nothing else.
words() { printf '%s' "$1" | xargs -r printf '%s\0'; }

[ -n "${INPUT_DISTRIBUTION_ID:-}" ] || fail "the distribution-id input is required"

if ! command -v cloudfront >/dev/null 2>&1; then
  echo "cloudfront is not on PATH: building it from this action's checkout"
  cargo install --locked --path "${GITHUB_ACTION_PATH:?}/crates/products/cloudfront-cli"
fi

args=()
case "${INPUT_COMMAND:-deploy}" in
  deploy)
    [ -n "${INPUT_SOURCE:-}" ] || fail "deploy needs the source input (the site's directory)"
    [ -n "${INPUT_DESTINATION:-}" ] || fail "deploy needs the destination input (s3://BUCKET[/PREFIX])"
    args=(deploy "$INPUT_SOURCE" "$INPUT_DESTINATION" --distribution-id "$INPUT_DISTRIBUTION_ID")
    ;;
  invalidate)
    [ -n "${INPUT_PATHS:-}" ] || fail "invalidate needs the paths input"
    args=(invalidate --distribution-id "$INPUT_DISTRIBUTION_ID")
    mapfile -d '' -t paths < <(words "$INPUT_PATHS")
    args+=("${paths[@]}")
    ;;
  *)
    fail "the command input must be deploy or invalidate, not '${INPUT_COMMAND}'"
    ;;
esac
if [ -n "${INPUT_ARGS:-}" ]; then
  mapfile -d '' -t extra < <(words "$INPUT_ARGS")
  args+=("${extra[@]}")
fi
exec cloudfront "${args[@]}"
