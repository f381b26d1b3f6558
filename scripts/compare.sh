#!/usr/bin/env bash
# The main job: installs what is missing, builds in release mode and runs `tandem compare` on the
# bundled MNIST (the MLP and the simple CNN through both frontends). Extra arguments go to
# `tandem compare`, e.g. `scripts/compare.sh --report out/report --json out/compare.json`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tandem
exec .build/release/tandem compare "$@"
