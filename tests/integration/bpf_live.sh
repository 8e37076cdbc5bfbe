#!/usr/bin/env bash
# With kauditd draining as fast as it can, syscall bursts from 4 threads:
# the bpf maximum must be >= every AUDIT_GET backlog sample taken
# concurrently, and >= the sample backend's maximum.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bpf_lib.sh"
run_check live 3 4
expect_eq "no audit rule left behind" "$(auditctl -l)" "No rules"
