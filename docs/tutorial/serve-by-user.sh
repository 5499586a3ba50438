#!/usr/bin/env bash
# The tutorial's serving step (docs/own-data.md, section 6): serve runs/tutorial/convformer with events on,
# recommend for visitor c-0001 by id, append an event, recommend again, restart the server, recommend again.
# Each request is echoed before its answer. Port: PORT (default 18089).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18089}
RUN=runs/tutorial/convformer
start() {
  bin/seqrec serve --run "$RUN" --port "$PORT" --events --log-level warn > /dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && return; sleep 0.5; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
call() {
  printf '$ curl -s'
  for a in "$@"; do case $a in *[\ \"{?]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac; done
  echo
  curl -s "$@"
  echo
}
trap 'kill $server 2>/dev/null || true' EXIT
start
call "localhost:$PORT/v1/users/c-0001/recommendations?k=3"
call "localhost:$PORT/v1/events" -d '{"events": [{"user": "c-0001", "item": "P-1014"}]}'
call "localhost:$PORT/v1/users/c-0001/recommendations?k=3"
stop
echo "(server restarted)"
start
call "localhost:$PORT/v1/recommend" -d '{"user": "c-0001", "k": 3}'
stop
