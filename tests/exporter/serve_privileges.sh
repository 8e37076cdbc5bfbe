#!/usr/bin/env bash
# After start-up serve keeps CAP_AUDIT_CONTROL only, in every thread
# (threads copy their creator's sets, so the sample poller and the HTTP
# threads are checked too): effective = permitted = CAP_AUDIT_CONTROL,
# inheritable, ambient and bounding sets empty, no_new_privs set.  And it
# still works reduced: polls advance, windows close with our own resets,
# and the bpf source still validates the queue and measures a real burst.
. "$(dirname "$0")/exporter_lib.sh"
require curl

audit_control=0000000040000000
burst=2000
known=$("$AUDITPEAK" serve --help | sed -n 's/.*this build has: //p')

# check_threads NAME PID: every task's capability sets and no_new_privs.
check_threads() {
	local name=$1 pid=$2 t bad=0 n=0 line
	for t in /proc/"$pid"/task/*; do
		n=$((n + 1))
		line=$(awk '/^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):/ { printf "%s%s ", $1, $2 }' "$t/status")
		[ "$line" = "CapInh:0000000000000000 CapPrm:$audit_control CapEff:$audit_control CapBnd:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1 " ] ||
			{ bad=$((bad + 1)); echo "  task ${t##*/}: $line"; }
	done
	[ "$n" -ge 2 ] && [ "$bad" -eq 0 ] && ok "$name: all $n threads hold CAP_AUDIT_CONTROL only, empty bounding/ambient/inheritable sets, no_new_privs" ||
		fail "$name: $bad of $n threads hold more than they should"
}

for s in sample bpf; do
	grep -qw "$s" <<<"$known" || { fail "this build has no $s source"; continue; }
	port=$(free_port tcp)
	start_exporter "$s" "$port" --backend "$s" --interval 200ms --window 1s --no-state --lock "$tmpdir/$s.lock"
	pid=$(eval echo "\$${s}_pid")
	check_threads "$s" "$pid"
	expect_match "$s: the log says what was kept" "$(cat "$tmpdir/$s.log")" 'privileges: kept cap_audit_control; inheritable and ambient sets empty; bounding set empty; no_new_privs set'
	polls=$(metric "$port" auditpeak_polls_total)
	wait_metric_ge "$port" auditpeak_polls_total $((polls + 5)) &&
		ok "$s: polls advance after the drop ($polls -> $(metric "$port" auditpeak_polls_total))" ||
		fail "$s: polls stuck at $(metric "$port" auditpeak_polls_total) after the drop"
	wait_metric_ge "$port" auditpeak_window_peak_count 1
	windows=$(metric "$port" auditpeak_window_peak_count)
	resets=$(metric "$port" auditpeak_resets_total)
	expect_match "$s: windows close after the drop ($windows windows)" "$windows" '^[1-9][0-9]*$'
	expect_eq "$s: each window end was our read-and-clear" "$resets" "$windows"
	expect_eq "$s: no poll error" "$(metric "$port" auditpeak_poll_errors_total)" 0
	expect_eq "$s: up" "$(metric "$port" auditpeak_up)" 1
	if [ "$s" = bpf ]; then
		# Validation of the queue's address and map reads happen at run
		# time: a burst measured exactly proves they need no capability.
		if [ "$("$AUDITPEAK" status | awk '$1 == "pid" { print $2 }')" != 0 ]; then
			fail "bpf: an audit daemon is registered: the burst needs the queue to itself"
		else
			"$AUDITPEAK" load --stall --backlog-limit 20000 --burst "$burst" --period 1s --duration 2s >"$tmpdir/load.out" 2>&1 ||
				fail "bpf: load failed: $(tail -n 1 "$tmpdir/load.out")"
			wait_windows_after "$port" || fail "bpf: no window closed after the bursts"
			max=$(metric "$port" auditpeak_backlog_max_depth_since_start)
			[ "${max:-0}" -ge "$burst" ] && ok "bpf: exact burst peak after the drop ($max >= $burst)" || fail "bpf: max since start ${max:-none} < $burst"
			n=$(metric "$port" auditpeak_enqueues_total)
			[ "${n:-0}" -ge "$burst" ] && ok "bpf: enqueue count read after the drop ($n)" || fail "bpf: enqueues_total ${n:-none}"
			expect_eq "bpf: still no poll error" "$(metric "$port" auditpeak_poll_errors_total)" 0
		fi
	fi
	check_threads "$s (at the end)" "$pid"
	stop_exporter "$s"
done

# Started with CAP_AUDIT_CONTROL alone and no CAP_SETPCAP (as setpriv or a
# unit without it would): the bounding set cannot be emptied; the log says
# it holds only what is kept, and no_new_privs is set all the same.
port=$(free_port tcp)
start_unprivileged_exporter "$port" --interval 200ms --no-reset --no-state
expect_match "no CAP_SETPCAP: the log is honest about the bounding set" "$(cat "$tmpdir/unpriv.log")" 'bounding set holds only that \(no CAP_SETPCAP to empty it\)'
expect_eq "no CAP_SETPCAP: ambient set emptied" "$(awk '/^CapAmb/ { print $2 }' "/proc/$unpriv_pid/status")" 0000000000000000
expect_eq "no CAP_SETPCAP: no_new_privs" "$(awk '/^NoNewPrivs/ { print $2 }' "/proc/$unpriv_pid/status")" 1
expect_eq "no CAP_SETPCAP: still up" "$(metric "$port" auditpeak_up)" 1
stop_exporter unpriv
