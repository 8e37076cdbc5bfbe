#!/usr/bin/env bash
# State-file crash safety: serve with a 200 ms interval and 1 s windows is
# SIGKILLed at random points 20 times (bounded, ~40 s) and restarted each
# time.  Provable each round:
#  - the state file always loads (the log says restored, never "starting
#    from zero": no torn file);
#  - cumulative values never go backwards across a restart: windows,
#    resets, the window-peak histogram count, max since start;
#  - nothing published is lost: a window is saved before it is published,
#    so what the last scrape before the kill saw is what comes back, at
#    least; only the window in flight is lost.
. "$(dirname "$0")/exporter_lib.sh"
require curl

rounds=20
state=$tmpdir/serve.state
names=(auditpeak_window_peak_count auditpeak_resets_total auditpeak_backlog_max_depth_since_start)

snapshot() { local n; for n in "${names[@]}"; do printf '%s ' "$(metric "$1" "$n")"; done; }

# ge "A B C" "X Y Z": every X >= its A.
ge() {
	local a=($1) b=($2) i
	[ ${#a[@]} -eq ${#names[@]} ] && [ ${#b[@]} -eq ${#names[@]} ] || return 1
	for i in "${!names[@]}"; do
		[ "${b[$i]}" -ge "${a[$i]}" ] || return 1
	done
}

backwards=0 torn=0 lost=0 prev="" had_state=false lived=0
for round in $(seq "$rounds"); do
	port=$(free_port tcp)
	: >"$tmpdir/crash.log"
	start_exporter crash "$port" --interval 200ms --window 1s --state "$state" --lock "$tmpdir/owner.lock"
	restored=$(snapshot "$port")
	if [ "$round" -gt 1 ]; then
		# No file yet (every earlier round died before its first window
		# end) is a first start; a file that exists must load.
		$had_state && ! grep -q 'restored cumulative values' "$tmpdir/crash.log" &&
			{ torn=$((torn + 1)); echo "round $round: $(grep 'starting from zero' "$tmpdir/crash.log")"; }
		ge "$prev" "$restored" || { backwards=$((backwards + 1)); echo "round $round: went back: $prev -> $restored"; }
	fi
	# A random point in the next 0.2-2.2 s: in a window, at a window
	# end, in the middle of a state write.
	pause=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 200) / 100 }')
	sleep "$pause"
	# Lived past its first window end (1 s) with margin: that window is saved.
	awk -v p="$pause" 'BEGIN { exit !(p >= 1.3) }' && lived=$((lived + 1))
	prev=$(snapshot "$port")
	[ -e "$state" ] && had_state=true
	kill -KILL "$crash_pid"
	wait "$crash_pid" 2>/dev/null
	started_pids=()
	ge "$restored" "$prev" || lost=$((lost + 1))
done
# One more start: the last kill's file loads too.
port=$(free_port tcp)
: >"$tmpdir/crash.log"
start_exporter crash "$port" --interval 200ms --window 1s --state "$state" --lock "$tmpdir/owner.lock"
grep -q 'restored cumulative values' "$tmpdir/crash.log" || torn=$((torn + 1))
final=$(snapshot "$port")
ge "$prev" "$final" || backwards=$((backwards + 1))
stop_exporter crash

expect_eq "$rounds SIGKILLs: the state file always loaded" "$torn" 0
expect_eq "$rounds SIGKILLs: nothing published went backwards after a restart" "$backwards" 0
expect_eq "$rounds SIGKILLs: values never went backwards while running" "$lost" 0
w=$(awk '{ print $1 }' <<<"$final")
[ "${w:-0}" -ge "$lived" ] && ok "windows kept adding up across restarts ($w; $lived rounds lived past a window end)" || fail "only ${w:-0} windows, though $lived rounds lived past a window end"
