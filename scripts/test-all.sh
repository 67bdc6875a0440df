#!/usr/bin/env bash
# The README's test command: sets up a fresh machine (scripts/setup.sh), then runs every test
# (`npm test`: lint, type check, build, all packages' tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ONNXRUNTIME_NODE_INSTALL=skip TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
npm test
