#!/usr/bin/env bash
# Ground truth for the bpf backend: a stalled daemon holds the audit queue
# still while N records are queued, so the queue's true maximum is known
# (pre-burst depth + N, and `backlog` after the burst shows it).  The bpf
# maximum, cleared right before each burst, must equal it exactly:
#  - AUDIT_USER records from several threads (the kernel serialises them);
#  - audited syscalls from several threads (records written concurrently
#    on every CPU: this exercises the probe's compare-and-swap).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bpf_lib.sh"

run_check plateau user 3 1000 3000 6000
run_check plateau syscall 4 1000 2000
expect_eq "no audit rule left behind" "$(auditctl -l)" "No rules"
expect_eq "no daemon left registered" "$(status_field pid)" 0
