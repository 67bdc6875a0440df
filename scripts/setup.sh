#!/usr/bin/env bash
# Sets up a fresh Debian machine for Runlog's tests, idempotently (a second run does nothing):
#   1. Debian packages the tests use (installed when run as root; otherwise one message naming them),
#   2. npm packages (`npm ci`),
#   3. the Python virtualenvs with pinned oracles, remade only when their file changes: .venv from
#      requirements/python-dev.txt (wandb, lightning, torch, tensorboard, pyarrow, pandas, ...),
#      .venv-<name> from each other requirements/python-<name>.txt (mlflow and sweeps pin their own
#      numpy/protobuf, so each has its own).
# `scripts/test-all.sh` (the README's test command) runs this, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

# Debian packages: a command or file each one provides, so a present package is not reinstalled.
#   g++ make: better-sqlite3 compiles when no prebuilt binary downloads; git: run metadata;
#   chromium: the dashboard's browser tests; postgresql: the team server's tests;
#   python3-venv: the virtualenvs; python3-{onnx,numpy,torch,zmq,msgpack,pytest} + OpenBLAS:
#   Debian's /usr/bin/python3, which the ONNX fixtures, the torch-to-onnx example and the bridge's
#   Python tests use.
needed=()
have() { command -v "$1" >/dev/null 2>&1; }
have g++ || needed+=(g++)
have make || needed+=(make)
have git || needed+=(git)
have chromium || needed+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || needed+=(postgresql)
/usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1 || needed+=(python3-venv)
if ! /usr/bin/python3 -c "import onnx, numpy, torch, zmq, msgpack, pytest" >/dev/null 2>&1; then
  needed+=(python3-onnx python3-numpy python3-torch libopenblas0-pthread python3-zmq python3-msgpack python3-pytest)
fi
if [ "${#needed[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${needed[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}"
  else
    echo "setup: these Debian packages are missing; install them as root, then run this again:" >&2
    echo "  sudo apt-get install -y ${needed[*]}" >&2
    exit 1
  fi
fi

# npm packages, when package-lock.json changed since the last install (npm ci starts from nothing).
lock_stamp="node_modules/.setup-lock.sha256"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_sum" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > "$lock_stamp"
fi

# A virtualenv per requirements file, rebuilt from scratch when the file's hash changes.
# Python: python3 on PATH (CPython 3.11 here), or $RUNLOG_SETUP_PYTHON.
python_for_venvs="${RUNLOG_SETUP_PYTHON:-python3}"
make_venv() {
  local dir="$1" requirements="$2" sum
  sum="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ -f "$dir/.requirements.sha256" ] && [ "$(cat "$dir/.requirements.sha256")" = "$sum" ]; then return; fi
  echo "setup: making $dir from $requirements (first time on a machine: a few minutes; pip's cache makes it fast after)"
  rm -rf "$dir"
  "$python_for_venvs" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$sum" > "$dir/.requirements.sha256"
}
make_venv .venv requirements/python-dev.txt
for requirements in requirements/python-*.txt; do
  name="$(basename "$requirements" .txt)"; name="${name#python-}"
  [ "$name" = dev ] || make_venv ".venv-$name" "$requirements"
done
echo "setup: done"
