#!/usr/bin/env bash
# Private memory of `auditpeak serve --backend bpf` with the probe attached
# (bench/README.md, "## eBPF probe cost"): starts serve on a free port,
# waits until it publishes the bpf source and has closed one window (so
# the probe has been loaded, validated, read and cleared), then prints
# /proc/PID/smaps_rollup's Rss, Private_Clean, Private_Dirty, Anonymous
# in kB.  As root (serve needs BPF and audit privileges).
#   bench/bpf/serve_memory.sh [AUDITPEAK]
set -euo pipefail
cd "$(dirname "$0")/../.."
ap=${1:-./build/src/auditpeak}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$ap" serve --backend bpf --listen "127.0.0.1:$port" --no-state --window 2s \
	--lock "$log.lock" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log" "$log.lock"' EXIT
ready=0
for _ in $(seq 300); do
	page=$(curl -s "127.0.0.1:$port/metrics" || true)
	if grep -q '^auditpeak_peak_source_info{source="bpf"' <<<"$page" &&
		awk '$1 == "auditpeak_resets_total" && $2 >= 1 { ok = 1 } END { exit !ok }' <<<"$page"; then
		ready=1
		break
	fi
	sleep 0.1
done
[ "$ready" = 1 ] || { cat "$log"; echo "serve never published a bpf window" >&2; exit 1; }
awk '/^(Rss|Private_Clean|Private_Dirty|Anonymous):/ { printf "%s %s kB  ", $1, $2 } END { print "" }' \
	"/proc/$pid/smaps_rollup"
