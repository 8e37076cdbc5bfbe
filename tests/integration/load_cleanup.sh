#!/usr/bin/env bash
# `auditpeak load` cleans up after itself:
#  - a normal run restores every setting it changed and prints what it did;
#  - SIGINT in the middle of a syscall run with a stalled daemon leaves no
#    rule, no registered daemon, and the settings as they were;
#  - it refuses to run while another audit daemon is registered.
. "$(dirname "$0")/lib.sh"

settings() { "$AUDITPEAK" status | awk '$1 ~ /^(enabled|rate_limit|backlog_limit)$/ { printf "%s=%s ", $1, $2 }'; }

# Distinctive values, so a restore is visible.
"$AUDIT_CTL" set enabled 0 || fail "set enabled 0"
"$AUDIT_CTL" set rate_limit 5000 || fail "set rate_limit"
"$AUDIT_CTL" set backlog_limit 321 || fail "set backlog_limit"
before=$(settings)

out=$("$AUDITPEAK" load --duration 1s --burst 200 --period 200ms --threads 2)
expect_eq "load exit code" "$?" 0
echo "$out"
expect_match "load says what it sent" "$out" '^load: [0-9]+ AUDIT_USER records in [0-9]+ bursts of up to 200 from 2 threads'
expect_match "and the rate" "$out" 'per second overall'
expect_eq "settings restored after a normal run" "$(settings)" "$before"

"$AUDITPEAK" load --mode syscall --stall --backlog-limit 20000 --duration 60s \
	--burst 1000 --period 100ms --threads 2 >"$tmpdir/out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	auditctl -l | grep -q auditpeak-load && break
	sleep 0.05
done
expect_match "the marker rule is in place while it runs" "$(auditctl -l)" 'getppid.*key=auditpeak-load'
for _ in $(seq 600); do
	[ "$(status_field pid)" != 0 ] && break
	sleep 0.05
done
expect_match "the stalled daemon is registered while it runs" "$(status_field pid)" '^[1-9][0-9]*$'
kill -INT "$pid"
wait "$pid"
expect_eq "exit code after SIGINT (interrupted)" "$?" 10
cat "$tmpdir/out"
expect_match "it reports the interruption" "$(cat "$tmpdir/out")" 'interrupted after [0-9]+ audited getppid calls'
expect_eq "no rule left after SIGINT" "$(auditctl -l)" "No rules"
expect_eq "no daemon left registered" "$(status_field pid)" 0
expect_eq "settings restored after SIGINT" "$(settings)" "$before"

# A registered daemon that is not ours: load refuses.
"$AUDITPEAK" load --stall --duration 5s --burst 10 --period 1s >/dev/null 2>&1 &
other=$!
for _ in $(seq 600); do
	[ "$(status_field pid)" != 0 ] && break
	sleep 0.05
done
out=$("$AUDITPEAK" load --duration 1s 2>&1)
expect_eq "load with another daemon registered: exit code (busy)" "$?" 11
expect_match "and says why" "$out" 'audit daemon \(pid [0-9]+\) is registered.*--force'
kill -INT "$other"
wait "$other"
expect_eq "settings restored after both" "$(settings)" "$before"
