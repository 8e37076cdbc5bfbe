#!/usr/bin/env bash
# A restart loses nothing (what systemctl restart and every package
# upgrade do):
#  - a burst just before SIGTERM, inside a 10-minute window, is in the
#    window-peak histogram, the last window and the max since start after
#    the restart (serve closes the window in flight when it stops);
#  - SIGINT does the same;
#  - a state file from a newer version (an extra key) or with a garbled
#    line keeps every value it still holds: the restart after a downgrade
#    starts from the saved max, not from zero, and says what it skipped.
. "$(dirname "$0")/exporter_lib.sh"
require curl

burst=800
state=$tmpdir/serve.state
if [ "$("$AUDITPEAK" status | awk '$1 == "pid" { print $2 }')" != 0 ]; then
	fail "an audit daemon is registered: the burst test needs the queue to itself"
	exit 1
fi
# The bpf source when this build and kernel have it (exact), else sample
# (a lower bound of the burst).
backend=bpf
"$AUDITPEAK" status --backend bpf --duration 1s >/dev/null 2>&1 || backend=sample
echo "peak source: $backend"

# restart_round SIGNAL: burst, stop by SIGNAL, restart, check.
restart_round() {
	local sig=$1 port windows before_max after
	port=$(free_port tcp)
	: >"$tmpdir/r.log"
	start_exporter r "$port" --backend "$backend" --interval 200ms --window 10m \
		--state "$state" --lock "$tmpdir/owner.lock"
	windows=$(metric "$port" auditpeak_window_peak_count)
	windows=${windows:-0}
	"$AUDITPEAK" load --stall --backlog-limit 20000 --burst "$burst" --period 1s --duration 1s \
		>"$tmpdir/load.log" 2>&1 || { fail "$sig: load failed: $(tail -n 1 "$tmpdir/load.log")"; return; }
	wait_metric_ge "$port" auditpeak_backlog_max_depth 1 || fail "$sig: serve saw no peak during the burst"
	kill -"$sig" "$r_pid"
	wait "$r_pid"
	expect_eq "$sig: serve exits 0" "$?" 0
	started_pids=()
	expect_match "$sig: the window in flight was closed" "$(cat "$tmpdir/r.log")" 'closed the window in flight: peak [0-9]+'
	port=$(free_port tcp)
	: >"$tmpdir/r.log"
	start_exporter r "$port" --backend "$backend" --interval 200ms --window 10m \
		--state "$state" --lock "$tmpdir/owner.lock"
	after=$(metric "$port" auditpeak_window_peak_count)
	expect_eq "$sig: one more window in the histogram after the restart" "${after:-none}" $((windows + 1))
	last=$(metric "$port" auditpeak_last_window_peak)
	maxs=$(metric "$port" auditpeak_backlog_max_depth_since_start)
	if [ "$backend" = bpf ]; then
		[ "${last:-0}" -ge "$burst" ] && ok "$sig: last window peak $last >= the burst ($burst)" ||
			fail "$sig: last window peak ${last:-absent} < burst $burst"
	else
		[ "${last:-0}" -ge 1 ] && ok "$sig: last window peak $last (a lower bound)" ||
			fail "$sig: last window peak ${last:-absent}"
	fi
	[ -n "$last" ] && [ "${maxs:-0}" -ge "$last" ] && ok "$sig: max since start $maxs covers it" ||
		fail "$sig: max since start ${maxs:-absent}"
	stop_exporter r
}
restart_round TERM
restart_round INT

# A newer version's key and a garbled line: the rest is kept.
before=$(awk '$1 == "max_since_start" { print $2 }' "$state")
[ "${before:-0}" -ge 1 ] && ok "state file holds max_since_start $before" || fail "state file has no max_since_start"
windows=$(awk '$1 == "window_peaks.count" { print $2 }' "$state")
printf 'a_key_from_a_newer_version 42\nmax_since_start not-a-number\n' >>"$state"
port=$(free_port tcp)
: >"$tmpdir/r.log"
start_exporter r "$port" --backend "$backend" --interval 200ms --window 10m \
	--state "$state" --lock "$tmpdir/owner.lock"
log=$(cat "$tmpdir/r.log")
expect_match "downgrade: the state was restored" "$log" 'restored cumulative values'
expect_match "downgrade: the newer key was ignored, and said so" "$log" 'ignored 1 value this version does not know'
expect_match "downgrade: the garbled line was skipped, and said so" "$log" "skipped 1 garbled line .*max_since_start not-a-number"
expect_eq "downgrade: max since start kept" "$(metric "$port" auditpeak_backlog_max_depth_since_start)" "$before"
expect_eq "downgrade: window histogram kept" "$(metric "$port" auditpeak_window_peak_count)" "$windows"
stop_exporter r
