#!/usr/bin/env bash
# Bad words on the command line: exit 2 and one line that says what is wrong.
. "$(dirname "$0")/lib.sh"

# expect_usage WHAT REGEX ARGS...
expect_usage() {
	local what=$1 re=$2
	shift 2
	local out rc
	out=$("$AUDITPEAK" "$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$what: exit code" "$rc" 2
	expect_match "$what: message" "$out" "$re"
}

expect_usage "no command" 'Usage: auditpeak'
expect_usage "unknown command" "unknown command 'frobnicate'" frobnicate
expect_usage "unknown counter" "unknown counter 'depth'" reset depth
expect_usage "reset without counter" 'name exactly one counter' reset
expect_usage "status extra argument" "unexpected argument 'x'" status x
expect_usage "timeout not a number" "--timeout must be a whole number, not 'soon'" --timeout soon status
expect_usage "timeout zero" "--timeout must be between 1 and 600000, not '0'" --timeout 0 status
expect_usage "timeout overflow" "--timeout must be between" --timeout 99999999999999999999 status
expect_eq "--version" "$("$AUDITPEAK" --version)" "auditpeak $(awk -F"'" '/version :/ { print $2; exit }' "$(dirname "$0")/../../meson.build")"
expect_match "--help lists status" "$("$AUDITPEAK" --help)" '^  status '
expect_match "status --help" "$("$AUDITPEAK" status --help)" '^Usage: auditpeak status'
expect_match "reset --help" "$("$AUDITPEAK" reset --help)" '^Usage: auditpeak reset'
expect_match "watch --help" "$("$AUDITPEAK" watch --help)" '^Usage: auditpeak watch'
expect_match "advise --help" "$("$AUDITPEAK" advise --help)" '^Usage: auditpeak advise'
expect_usage "watch unknown backend" "unknown --backend 'nope': this build has auto" watch --backend nope
expect_usage "watch window shorter than interval" 'must not be shorter than --interval' watch --interval 5s --window 2s
expect_usage "advise bad headroom" '--headroom must be between 100 and 10000' advise --headroom 50
expect_usage "advise extra argument" "unexpected argument 'x'" advise x
