#!/usr/bin/env bash
# A kernel without audit (socket() fails with EPROTONOSUPPORT) and a socket
# refused by policy (EACCES): one clear line and the documented exit code.
. "$(dirname "$0")/lib.sh"

# ASan wants to be first in the library list; the shim must come first here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

out=$(LD_PRELOAD=$FAIL_AUDIT_SOCKET "$AUDITPEAK" status 2>&1 >/dev/null)
expect_eq "no audit: exit code" "$?" 5
expect_eq "no audit: message" "$out" "auditpeak: this kernel has no audit support (CONFIG_AUDIT is off)"
out=$(LD_PRELOAD=$FAIL_AUDIT_SOCKET "$AUDITPEAK" reset lost 2>&1 >/dev/null)
expect_eq "no audit, reset: exit code" "$?" 5
out=$(FAIL_AUDIT_SOCKET_ERRNO=13 LD_PRELOAD=$FAIL_AUDIT_SOCKET "$AUDITPEAK" status 2>&1 >/dev/null)
expect_eq "socket refused: exit code" "$?" 3
expect_eq "socket refused: message" "$out" "auditpeak: cannot open the audit netlink socket: Permission denied"
