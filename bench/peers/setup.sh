#!/usr/bin/env bash
# Bench-only peers for bench/peers (issue 23): a virtualenv with trackio, Aim and py-spy from
# requirements.txt (bench/peers/.venv-peers), and @wandb/sdk from npm (bench/peers/.node-peers),
# both gitignored and remade only when their pins change. Not part of scripts/setup.sh: CI never
# installs these. A failed install is left as a note that run.mjs prints as that peer's reason.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
python="${RUNLOG_PEERS_PYTHON:-python3}"
venv="$here/.venv-peers"
stamp="$(sha256sum "$here/requirements.txt" | cut -c1-16)"
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "peers setup: making $venv from requirements.txt"
  rm -rf "$venv"
  if "$python" -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >"$here/.pip.log" 2>&1; then
    echo "$stamp" >"$venv/.stamp"
    rm -f "$here/.pip.log"
  else
    echo "peers setup: pip install failed, see $here/.pip.log" >&2
  fi
fi
wsdk="@wandb/sdk@0.5.1"
node="$here/.node-peers"
if [ "$(cat "$node/.stamp" 2>/dev/null)" != "$wsdk" ]; then
  echo "peers setup: installing $wsdk into $node"
  rm -rf "$node" && mkdir -p "$node" && echo '{"private":true}' >"$node/package.json"
  if (cd "$node" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts "$wsdk" >"$node/.npm.log" 2>&1); then
    echo "$wsdk" >"$node/.stamp"
  else
    echo "peers setup: npm install $wsdk failed, see $node/.npm.log" >&2
  fi
fi
exit 0
