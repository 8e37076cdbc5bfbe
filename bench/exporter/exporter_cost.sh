#!/usr/bin/env bash
# Exporter cost, as root on the machine's own kernel:
#   CPU of `auditpeak serve` idling at 1 Hz over SECONDS (utime+stime from
#   /proc/PID/stat, as % of one core and per poll), its RSS, and /metrics
#   latency p50/p99 under wrk --latency (50 connections, 2 threads, 30 s).
# Usage: bench/exporter/exporter_cost.sh [BUILD_DIR] [SECONDS] [BACKEND]
# (BACKEND: --backend for serve, default auto).
# Prints a Markdown table row set for bench/README.md.
set -euo pipefail
build=${1:-build}
seconds=${2:-60}
backend=${3:-auto}
auditpeak=$build/src/auditpeak
[ -x "$auditpeak" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing (tools/install-deps)" >&2; exit 1; }

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$auditpeak" serve --listen "127.0.0.1:$port" --interval 1s --no-state --backend "$backend" \
	--lock "$tmp/owner.lock" --log "$tmp/log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
	sleep 0.1
done

# cpu_ns: time on CPU of all the exporter's threads, in ns (schedstat: far
# finer than the 10 ms ticks of utime/stime in /proc/PID/stat).
cpu_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'; }
polls() { curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "auditpeak_polls_total" { print $2 }'; }

sleep 2 # past start-up
source=$(curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^auditpeak_peak_source_info{source="\([a-z]*\)".*/\1/p')
echo "| peak source | $source | |"
c0=$(cpu_ns); p0=$(polls); t0=$(date +%s.%N)
sleep "$seconds"
c1=$(cpu_ns); p1=$(polls); t1=$(date +%s.%N)
load=$(cut -d' ' -f1-3 /proc/loadavg)
rss_idle=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")

# One connection: what a single scrape waits.  Fifty: the load test's crowd,
# where latency is mostly queueing behind the other 49 on 2 shared cores.
wrk -t1 -c1 -d10s --latency "http://127.0.0.1:$port/metrics" >"$tmp/wrk1.txt"
wrk -t2 -c50 -d30s --latency "http://127.0.0.1:$port/metrics" >"$tmp/wrk.txt"
rss_load=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
bytes=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)

python3 - "$c0" "$c1" "$t0" "$t1" "$p0" "$p1" 1000000000 "$rss_idle" "$rss_load" "$bytes" "$tmp/wrk.txt" "$tmp/wrk1.txt" "$pid" "$load" <<'PY'
import re, sys
c0, c1, t0, t1, p0, p1, ns_per_s, rss_idle, rss_load, size = map(float, sys.argv[1:11])
wrk = open(sys.argv[11]).read()
wrk1 = open(sys.argv[12]).read()
pid = sys.argv[13]
load = sys.argv[14]
smaps = open(f"/proc/{pid}/smaps_rollup").read()
def kb(field):
    return float(re.search(r"^%s:\s+(\d+)" % field, smaps, re.M).group(1))
cpu_s = (c1 - c0) / ns_per_s
wall = t1 - t0
polls = p1 - p0
def lat(q, text):
    m = re.search(r"^\s*%s%%\s+(\S+)" % q, text, re.M)
    return m.group(1) if m else "?"
rps = re.search(r"Requests/sec:\s+(\S+)", wrk).group(1)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
errors = re.search(r"Socket errors: (.*)", wrk)
print(f"| CPU at 1 Hz ({wall:.0f} s, {polls:.0f} polls) | {100 * cpu_s / wall:.3f} % of a core "
      f"({1e6 * cpu_s / max(polls, 1):.0f} µs per poll, scrapes included) | < 0.1 % |")
print(f"| machine load average during the CPU measurement | {load} | |")
print(f"| RSS idle / after 30 s of wrk | {rss_idle / 1024:.2f} MiB / {rss_load / 1024:.2f} MiB | < 4 MiB |")
print(f"| of which private (anonymous) / PSS, after load | {kb('Anonymous') / 1024:.2f} MiB / {kb('Pss') / 1024:.2f} MiB | |")
print(f"| /metrics latency p50 / p99, one connection (wrk -t1 -c1 -d10s, {size:.0f}-byte body) | {lat(50, wrk1)} / {lat(99, wrk1)} | p99 < 2 ms |")
print(f"| /metrics latency p50 / p99, 50 connections (wrk -t2 -c50 -d30s) | {lat(50, wrk)} / {lat(99, wrk)} | |")
print(f"| /metrics throughput | {rps} requests/s, non-2xx: {non2xx.group(1) if non2xx else 0}, "
      f"socket errors: {errors.group(1) if errors else 'none'} | |")
PY
