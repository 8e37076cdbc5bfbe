#!/usr/bin/env bash
# The bpf backend's read-and-clear behaves like the kernel field's: it
# returns the maximum, a read has no side effect, and after a clear the
# value is the depth at the next enqueue (which may be below the old max).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bpf_lib.sh"
run_check reset
expect_eq "no daemon left registered" "$(status_field pid)" 0
