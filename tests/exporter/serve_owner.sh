#!/usr/bin/env bash
# Two exporters at once, against the host kernel:
#  - one owner lock: the first instance owns the window resets, the second
#    degrades to read-only and says why; a second instance on the same state
#    file runs without one rather than overwrite it;
#  - a foreign reset of a real kernel counter: `auditpeak reset lost` from
#    outside is detected and counted by both, and lost_total never goes
#    backwards but keeps counting after it.
# With a peak source the owner also closes windows and the read-only one
# never does; serve_peak_sources checks the window peaks themselves, and the
# timeline unit tests foreign resets of the peak with a fake backend (the
# bpf and sample sources clear per process, so nobody else can reset them).
. "$(dirname "$0")/exporter_lib.sh"
require curl

"$AUDITPEAK" reset lost >/dev/null || fail "clear lost before the test"
pa=$(free_port tcp)
start_exporter a "$pa" --interval 200ms --window 2s --lock "$tmpdir/owner.lock" --state "$tmpdir/a.state"
pb=$(free_port tcp)
start_exporter b "$pb" --interval 200ms --window 2s --lock "$tmpdir/owner.lock" --state "$tmpdir/a.state"

expect_eq "first instance owns the resets" "$(metric "$pa" auditpeak_owner)" 1
expect_eq "second instance is read-only" "$(metric "$pb" auditpeak_owner)" 0
expect_match "second instance says why" "$(cat "$tmpdir/b.log")" "read-only: .*owner.lock is held by another auditpeak serve \\(pid $a_pid\\)"
expect_match "second instance leaves the state file alone" "$(cat "$tmpdir/b.log")" 'no state file: .*a.state.lock is held'

make_lost
lost1=$(status_field lost)
expect_match "the kernel lost records" "$lost1" '^[1-9][0-9]*$'
wait_metric "$pa" auditpeak_lost_total "$lost1" && ok "owner's lost_total = kernel lost ($lost1)" || fail "owner lost_total $(metric "$pa" auditpeak_lost_total), kernel $lost1"
wait_metric "$pb" auditpeak_lost_total "$lost1" && ok "read-only lost_total = kernel lost" || fail "read-only lost_total $(metric "$pb" auditpeak_lost_total)"

# Watch lost_total through the reset: it must never drop.
( prev=0
  for _ in $(seq 40); do
	v=$(metric "$pa" auditpeak_lost_total)
	[ -n "$v" ] && [ "$v" -lt "$prev" ] && echo "dropped $prev -> $v"
	[ -n "$v" ] && prev=$v
	sleep 0.05
  done ) >"$tmpdir/watch" &
watcher=$!
out=$("$AUDITPEAK" reset lost)
expect_eq "outside reset took the kernel's value" "$out" "lost $lost1"
wait_metric "$pa" 'auditpeak_foreign_resets_total{counter="lost"}' 1 && ok "owner detected the foreign reset" || fail "owner foreign resets: $(metric "$pa" 'auditpeak_foreign_resets_total{counter="lost"}')"
wait_metric "$pb" 'auditpeak_foreign_resets_total{counter="lost"}' 1 && ok "read-only instance detected it too" || fail "read-only foreign resets"
wait "$watcher"
expect_eq "lost_total never dropped" "$(cat "$tmpdir/watch")" ""
expect_eq "lost_total kept its value over the reset" "$(metric "$pa" auditpeak_lost_total)" "$lost1"
expect_match "the foreign reset is logged" "$(cat "$tmpdir/a.log")" 'warning: lost dropped without a reset by this instance'

make_lost
lost2=$(status_field lost)
want=$((lost1 + lost2))
wait_metric "$pa" auditpeak_lost_total "$want" && ok "lost_total counts on after the reset ($lost1 + $lost2)" || fail "lost_total $(metric "$pa" auditpeak_lost_total), want $want"
expect_eq "nothing else was taken for a reset" "$(metric "$pa" 'auditpeak_foreign_resets_total{counter="lost"}')" 1
# Only the owner ever read-and-clears the peak.
if [ "$(peak_source "$pa")" = none ]; then
	expect_eq "no peak source: no resets at all" "$(metric "$pa" auditpeak_resets_total)" 0
else
	[ "$(metric "$pa" auditpeak_resets_total)" -ge 1 ] && ok "the owner closed windows ($(metric "$pa" auditpeak_resets_total) resets)" ||
		fail "the owner made no reset"
fi
expect_eq "the read-only instance never resets" "$(metric "$pb" auditpeak_resets_total)" 0
expect_eq "the read-only instance closes no windows" "$(metric "$pb" auditpeak_last_window_peak)" ""

# The owner leaves: the next instance to start takes over.
stop_exporter a
pc=$(free_port tcp)
start_exporter c "$pc" --interval 200ms --lock "$tmpdir/owner.lock" --state "$tmpdir/a.state"
expect_eq "after the owner stops, a new instance owns the resets" "$(metric "$pc" auditpeak_owner)" 1
expect_eq "and carries the owner's lost_total on" "$(metric "$pc" auditpeak_lost_total)" "$want"
expect_eq "the old read-only instance stays read-only" "$(metric "$pb" auditpeak_owner)" 0
"$AUDITPEAK" serve --no-reset --listen 127.0.0.1:0 --no-state --log "$tmpdir/d.log" &
d_pid=$!
started_pids+=("$d_pid")
wait_for_line "$tmpdir/d.log" 'listening on port' || fail "serve --no-reset did not come up"
expect_match "--no-reset never takes the lock" "$(cat "$tmpdir/d.log")" 'read-only \(--no-reset\)'
