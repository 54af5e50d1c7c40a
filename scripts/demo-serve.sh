#!/usr/bin/env bash
# The end of `make demo`: start the HL7 v2 listener, send it demonstration admissions and
# discharges (so the demonstration matrons have alerts and tasks), then serve the web app.
# The listener stops when the web app stops.
set -euo pipefail
uv="$1"
data="$2"
port="${LTC_DEMO_MLLP_PORT:-2575}"
"$uv" run ltc listen --data-dir "$data" --port "$port" > "$data/listen.log" 2>&1 &
listener=$!
trap 'kill "$listener" 2>/dev/null || true; wait "$listener" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if grep -q "Listening" "$data/listen.log" 2>/dev/null; then break; fi
  if ! kill -0 "$listener" 2>/dev/null; then break; fi
  sleep 0.5
done
if grep -q "Listening" "$data/listen.log" 2>/dev/null; then
  "$uv" run ltc events send "127.0.0.1:$port" --demo 40 --data-dir "$data" | tail -n 3
  echo "The HL7 v2 listener is on 127.0.0.1:$port (log: $data/listen.log)."
else
  echo "The HL7 v2 listener did not start (see $data/listen.log); serving without it." >&2
fi
"$uv" run ltc serve --data-dir "$data"
