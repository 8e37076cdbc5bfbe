#!/usr/bin/env bash
# The CLI's paths under valgrind (plain build only: ASan and valgrind do not
# mix): no invalid access, no uninitialised use, no leak.
. "$(dirname "$0")/lib.sh"

# run_clean WHAT EXPECTED_EXIT ARGS...
run_clean() {
	local what=$1 want=$2
	shift 2
	local log rc
	log=$(mktemp)
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --log-file="$log" \
		"$AUDITPEAK" "$@" >/dev/null 2>&1
	rc=$?
	expect_eq "$what: exit code under valgrind" "$rc" "$want"
	expect_eq "$what: valgrind report" "$(cat "$log")" ""
	rm -f "$log"
}

run_clean "status" 0 status
run_clean "status --json" 0 status --json
run_clean "reset lost" 0 reset lost
run_clean "reset wait-time-actual" 0 reset wait-time-actual
payload=$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
run_clean "reset max-depth" "$([ "$payload" -ge 48 ] && echo 0 || echo 6)" reset max-depth
run_clean "usage error" 2 reset nothing
run_clean "help" 0 --help
run_clean "bad timeout" 2 --timeout x status
