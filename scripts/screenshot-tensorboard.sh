#!/usr/bin/env bash
# Screenshots TensorBoard's Scalars tab (tag "loss", no smoothing) for a log directory with headless
# Chromium: docs/images/tensorboard-eager-graph-loss.png came from the logs of a full run of
# tutorial 17 (runs eager and graph; their curves coincide, so the eager one covers the graph one).
#   scripts/screenshot-tensorboard.sh LOGDIR OUT.png     (needs: pip tensorboard, apt chromium)
set -euo pipefail
LOGDIR="$1"; OUT="$2"; PORT="${PORT:-6017}"
tensorboard --logdir "$LOGDIR" --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -s -m 5 "localhost:$PORT/data/runs" | grep -q '\['; do sleep 2; done
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,800 \
  --virtual-time-budget=40000 --screenshot="$OUT" \
  "http://localhost:$PORT/?darkMode=false#scalars&_smoothingWeight=0&tagFilter=loss"
