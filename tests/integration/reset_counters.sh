#!/usr/bin/env bash
# Read-and-clear against the real kernel.
#  - lost: made non-zero with a rate limit of 1 record/s and a burst of
#    AUDIT_USER records; `reset lost` prints exactly the value the kernel
#    held, and the next status shows 0.
#  - max-depth on a kernel without the field: refused, exit 6, no value.
. "$(dirname "$0")/lib.sh"

# failure=2 would panic the machine on a lost record: never here.
"$AUDIT_CTL" set failure 1 || fail "set failure 1"
"$AUDIT_CTL" set enabled 1 || fail "enable audit"
"$AUDIT_CTL" set rate_limit 1 || fail "set rate_limit 1"
"$AUDIT_CTL" user-msg 20 || fail "queue 20 user records"
"$AUDIT_CTL" set rate_limit 0 || fail "set rate_limit 0"
lost=$(status_field lost)
expect_match "lost is positive after a rate-limited burst" "$lost" '^[1-9][0-9]*$'
out=$("$AUDITPEAK" reset lost)
expect_eq "reset lost prints the kernel's value" "$out" "lost $lost"
expect_eq "lost after reset" "$(status_field lost)" 0
expect_eq "reset lost again" "$("$AUDITPEAK" reset lost)" "lost 0"

out=$("$AUDITPEAK" reset wait-time-actual)
expect_match "reset wait-time-actual prints a value" "$out" '^backlog_wait_time_actual [0-9]+$'

payload=$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
if [ "$payload" -lt 48 ]; then
	out=$("$AUDITPEAK" reset max-depth 2>&1)
	expect_eq "reset max-depth exit code on an unpatched kernel" "$?" 6
	expect_match "reset max-depth says why" "$out" '^auditpeak: this kernel cannot reset backlog_max_depth: .*44 bytes.*patch'
	expect_eq "reset max-depth prints one line" "$(wc -l <<<"$out")" 1
else
	out=$("$AUDITPEAK" reset max-depth)
	expect_match "reset max-depth on a patched kernel" "$out" '^backlog_max_depth [0-9]+$'
fi
