#!/usr/bin/env bash
# auditpeak serve over HTTP against the host kernel:
#  - /metrics in Prometheus text (promtool check metrics) and, when Accept
#    asks, OpenMetrics (the reference parser), both ending as they must;
#    every family, including the ones this kernel cannot fill, validated on
#    a full fixture snapshot too;
#  - the values equal what the kernel reports; no peak is made up when
#    there is no peak source;
#  - /, /healthz, 404, 405; bad options: one line, exit 2;
#  - SIGTERM: exit 0 and a state file; a restart carries the counters on.
. "$(dirname "$0")/exporter_lib.sh"
require curl promtool python3

check=$(dirname "$0")/check_exposition.py

# Every family, from the fixture.
"$RENDER_METRICS" text >"$tmpdir/full.txt" || fail "render-metrics text exited $?"
out=$(promtool check metrics <"$tmpdir/full.txt" 2>&1)
expect_eq "promtool check metrics on every family (text 0.0.4)" "$?:$out" "0:"
"$RENDER_METRICS" text 0 >"$tmpdir/full-jiffies.txt" || fail "render-metrics text 0 exited $?"
out=$(promtool check metrics <"$tmpdir/full-jiffies.txt" 2>&1)
expect_eq "promtool check metrics, wait times in jiffies" "$?:$out" "0:"
"$RENDER_METRICS" openmetrics >"$tmpdir/full.om" || fail "render-metrics openmetrics exited $?"
"$check" openmetrics "$tmpdir/full.om" >"$tmpdir/full.om.families" ||
	fail "OpenMetrics parse of every family: $(cat "$tmpdir/full.om.families")"
expect_match "OpenMetrics parser sees the window histogram" "$(cat "$tmpdir/full.om.families")" '^auditpeak_window_peak histogram 25$'
expect_match "OpenMetrics parser sees the enqueue-depth histogram" "$(cat "$tmpdir/full.om.families")" '^auditpeak_enqueue_depth histogram'
expect_match "OpenMetrics parser sees the enqueue counter" "$(cat "$tmpdir/full.om.families")" '^auditpeak_enqueues counter 1$'
expect_match "OpenMetrics parser sees the peak source info" "$(cat "$tmpdir/full.om.families")" '^auditpeak_peak_source info 1$'

"$AUDIT_CTL" set backlog_limit 3210 || fail "set backlog_limit"
port=$(free_port tcp)
start_exporter exp "$port" --interval 200ms --window 2s --lock "$tmpdir/owner.lock" --state "$tmpdir/serve.state"

curl -s -D "$tmpdir/text.h" "http://127.0.0.1:$port/metrics" >"$tmpdir/live.txt"
expect_match "text Content-Type" "$(cat "$tmpdir/text.h")" '^Content-Type: text/plain; version=0.0.4; charset=utf-8'
out=$(promtool check metrics <"$tmpdir/live.txt" 2>&1)
expect_eq "promtool check metrics on live /metrics" "$?:$out" "0:"
"$check" text "$tmpdir/live.txt" >/dev/null || fail "reference text parser on live /metrics"
curl -s -D "$tmpdir/om.h" -H 'Accept: application/openmetrics-text; version=1.0.0, text/plain;q=0.5' \
	"http://127.0.0.1:$port/metrics" >"$tmpdir/live.om"
expect_match "OpenMetrics Content-Type" "$(cat "$tmpdir/om.h")" '^Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8'
expect_eq "OpenMetrics ends in # EOF" "$(tail -n 1 "$tmpdir/live.om")" "# EOF"
"$check" openmetrics "$tmpdir/live.om" >/dev/null || fail "OpenMetrics parse of live /metrics"

expect_eq "backlog_limit as the kernel has it" "$(metric "$port" auditpeak_backlog_limit)" 3210
expect_eq "payload bytes" "$(metric "$port" auditpeak_status_payload_bytes)" \
	"$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')"
expect_eq "up" "$(metric "$port" auditpeak_up)" 1
expect_eq "owner" "$(metric "$port" auditpeak_owner)" 1
# What auto chose is said in the metrics and the log; without a source no
# peak number appears at all.
source=$(peak_source "$port")
expect_match "auto chose a peak source ($source)" "$source" '^(none|kernel|bpf|sample)$'
expect_match "the log names it" "$(cat "$tmpdir/exp.log")" "peak source: $source"
if [ "$source" = none ]; then
	expect_eq "no made-up peak" "$(grep -c '^auditpeak_backlog_max_depth\|^auditpeak_window_peak\|^auditpeak_last_window' "$tmpdir/live.txt")" 0
	expect_match "log says why there is no peak" "$(cat "$tmpdir/exp.log")" 'peak source: none.*backlog_max_depth'
else
	expect_match "a peak reading is published" "$(cat "$tmpdir/live.txt")" '^auditpeak_backlog_max_depth [0-9]+$'
	expect_match "the window histogram is published" "$(cat "$tmpdir/live.txt")" '^auditpeak_window_peak_count [0-9]+$'
fi
hz=$(zcat /proc/config.gz 2>/dev/null | sed -n 's/^CONFIG_HZ=//p')
if [ -n "$hz" ]; then
	expect_eq "kernel HZ" "$(metric "$port" auditpeak_kernel_hz)" "$hz"
	expect_match "wait time in seconds" "$(cat "$tmpdir/live.txt")" '^auditpeak_backlog_wait_time_seconds [0-9.e+-]+$'
else
	expect_match "wait time in jiffies" "$(cat "$tmpdir/live.txt")" '^auditpeak_backlog_wait_time_jiffies [0-9]+$'
fi
# expect_timer_polls WHAT POLLS_BEFORE T_BEFORE: the polls made since
# T_BEFORE (ns) are no more than the 200 ms timer fires in that time (two
# more for the edges): polls come from the timer, never from scrapes.
expect_timer_polls() {
	local polls t most
	polls=$(( $(metric "$port" auditpeak_polls_total) - $2 ))
	t=$(( $(date +%s%N) - $3 ))
	most=$(( t / 200000000 + 2 ))
	[ "$polls" -le "$most" ] && ok "$1 ($polls polls in $((t / 1000000)) ms, at most $most)" ||
		fail "$1: $polls polls in $((t / 1000000)) ms at a 200 ms interval"
}
polls1=$(metric "$port" auditpeak_polls_total)
t1=$(date +%s%N)
wait_metric_ge "$port" auditpeak_polls_total $((polls1 + 3)) || fail "polls did not advance from $polls1"
expect_timer_polls "polls run on their own timer" "$polls1" "$t1"
a=$(metric "$port" auditpeak_polls_total)
t1=$(date +%s%N)
for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; done
expect_timer_polls "20 scrapes in a row add no poll" "$a" "$t1"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "/healthz" "$(code "http://127.0.0.1:$port/healthz")" 200
expect_eq "landing page" "$(code "http://127.0.0.1:$port/")" 200
expect_match "landing page links /metrics" "$(curl -s "http://127.0.0.1:$port/")" 'href="/metrics"'
expect_eq "unknown path" "$(code "http://127.0.0.1:$port/nope")" 404
expect_eq "POST refused" "$(code -X POST "http://127.0.0.1:$port/metrics")" 405
expect_eq "HEAD /metrics" "$(code -I "http://127.0.0.1:$port/metrics")" 200

# Bad options: one line on stderr, exit 2, nothing started.
bad() {
	local what=$1
	shift
	out=$("$AUDITPEAK" serve "$@" 2>&1)
	rc=$?
	expect_eq "$what: exit code" "$rc" 2
	expect_eq "$what: one line" "$(wc -l <<<"$out")" 1
}
bad "port out of range" --listen 127.0.0.1:70000
bad "no port" --listen 127.0.0.1
bad "host name" --listen localhost:9814
bad "bad address" --listen 300.1.1.1:9814
bad "bad interval" --interval 1x
bad "interval too short" --interval 1ms
bad "negative window" --window -5
bad "window shorter than interval" --interval 10s --window 5s
bad "unknown backend" --backend magic
bad "tags without statsd" --statsd-tags a:b
bad "bad tags" --statsd 127.0.0.1:8125 --statsd-tags 'a b'
bad "bad statsd port" --statsd 127.0.0.1:0
bad "stray argument" extra
out=$("$AUDITPEAK" serve --backend magic 2>&1)
expect_match "unknown backend names the ones this build has" "$out" "this build has auto, kernel"

# Privileges: refused with the library's one line and exit code...
nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all)
out=$("${nobody[@]}" "$AUDITPEAK" serve --listen 127.0.0.1:0 --no-state --no-reset 2>&1)
expect_eq "serve as nobody: exit code" "$?" 3
expect_match "serve as nobody: says what is missing" "$out" 'needs CAP_AUDIT_CONTROL'
expect_eq "serve as nobody: one line" "$(wc -l <<<"$out")" 1
out=$(unshare --user --map-root-user "$AUDITPEAK" serve --listen 127.0.0.1:0 --no-state --no-reset 2>&1)
expect_eq "serve in a user namespace: exit code" "$?" 4
# ...and CAP_AUDIT_CONTROL alone is enough, as the systemd unit runs it.
ucap=$(free_port tcp)
start_unprivileged_exporter "$ucap" --interval 200ms --lock "$tmpdir/unpriv/owner.lock" --state "$tmpdir/unpriv/serve.state"
expect_eq "nobody with CAP_AUDIT_CONTROL alone: up" "$(metric "$ucap" auditpeak_up)" 1
expect_eq "nobody with CAP_AUDIT_CONTROL alone: owner" "$(metric "$ucap" auditpeak_owner)" 1
expect_eq "its effective capabilities: CAP_AUDIT_CONTROL only" "$(awk '/^CapEff/ { print $2 }' "/proc/$unpriv_pid/status")" 0000000040000000
out=$("$AUDITPEAK" serve --listen "127.0.0.1:$port" --no-state --lock "$tmpdir/x.lock" 2>&1)
expect_eq "port in use: exit code" "$?" 1
expect_match "port in use: says so" "$out" 'cannot listen'
if [ "$(metric "$port" auditpeak_status_payload_bytes)" -lt 48 ]; then
	out=$("$AUDITPEAK" serve --backend kernel --listen 127.0.0.1:0 --no-state 2>&1)
	expect_eq "--backend kernel on an unpatched kernel: exit code" "$?" 6
	expect_match "--backend kernel says what is missing" "$out" 'backlog_max_depth'
fi

# SIGTERM: clean exit and a final state write; SIGHUP keeps running.
kill -HUP "$exp_pid"
wait_for_line "$tmpdir/exp.log" 'log reopened' 30 && ok "SIGHUP reopens the log" ||
	fail "SIGHUP: no 'log reopened' in the log"
before=$(metric "$port" auditpeak_polls_total)
stop_exporter exp
expect_match "state file written" "$(cat "$tmpdir/serve.state")" '^polls [0-9]+$'
saved=$(sed -n 's/^polls //p' "$tmpdir/serve.state")
[ "$saved" -ge "$before" ] && ok "final state has every poll ($saved >= $before)" || fail "final state polls $saved < $before"
start_exporter exp "$port" --interval 200ms --lock "$tmpdir/owner.lock" --state "$tmpdir/serve.state"
after=$(metric "$port" auditpeak_polls_total)
[ "$after" -gt "$saved" ] && ok "polls_total carries on after a restart ($saved -> $after)" || fail "polls_total after restart: $after, saved $saved"
expect_match "log says the state was restored" "$(cat "$tmpdir/exp.log")" 'restored cumulative values'
