#!/usr/bin/env bash
# Runs every test: installs what is missing, then `swift test` (debug build, all test targets,
# including the quick-mode runs of the tutorials).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
exec swift test --skip-build "$@"
