#!/usr/bin/env bash
# Setters through the library: backlog_limit and backlog_wait_time are set,
# read back by us and by auditctl, and the snapshot puts them back.
. "$(dirname "$0")/lib.sh"

before_limit=$(status_field backlog_limit)
before_wait=$(status_field backlog_wait_time)
new_limit=$((before_limit == 4321 ? 4322 : 4321))
"$AUDIT_CTL" set backlog_limit "$new_limit" || fail "set backlog_limit"
"$AUDIT_CTL" set backlog_wait_time 1234 || fail "set backlog_wait_time"
expect_eq "backlog_limit read back" "$(status_field backlog_limit)" "$new_limit"
expect_eq "backlog_limit seen by auditctl" "$(auditctl -s | awk '$1 == "backlog_limit" { print $2 }')" "$new_limit"
expect_eq "backlog_wait_time read back" "$(status_field backlog_wait_time)" 1234
"$AUDIT_CTL" restore "$tmpdir/settings" || fail "restore"
expect_eq "backlog_limit restored" "$(status_field backlog_limit)" "$before_limit"
expect_eq "backlog_wait_time restored" "$(status_field backlog_wait_time)" "$before_wait"
