#!/usr/bin/env bash
# Compiles tools/python/peers.lock (exact versions and hashes of every package and dependency)
# from the PyPI lines of tools/pins.txt. Run it after changing one of those pins, and commit both.
# pip-tools runs from a throwaway venv; it is a tool for this script only, not a test dependency.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
awk '$3 == "PyPI" { extra = ($1 == "moto") ? "[server]" : ""; print $1 extra "==" $2 }' "$here/../pins.txt" >"$scratch/peers.in"
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet pip-tools==7.7.0
"$scratch/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
  --no-header --output-file "$here/peers.lock" "$scratch/peers.in"
echo "wrote $here/peers.lock from the PyPI pins of tools/pins.txt"
