#!/usr/bin/env bash
# Without CAP_AUDIT_CONTROL, or outside the initial namespaces, every
# command fails with one clear line and its documented exit code.
. "$(dirname "$0")/lib.sh"

# expect_refusal WHAT EXIT REGEX CMD...
expect_refusal() {
	local what=$1 code=$2 re=$3
	shift 3
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$what: exit code" "$rc" "$code"
	expect_match "$what: message" "$out" "$re"
	expect_eq "$what: one line" "$(wc -l <<<"$out")" 1
}

nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all)
expect_refusal "status as nobody" 3 '^auditpeak: AUDIT_GET refused: needs CAP_AUDIT_CONTROL' \
	"${nobody[@]}" "$AUDITPEAK" status
expect_refusal "reset as nobody" 3 'needs CAP_AUDIT_CONTROL' \
	"${nobody[@]}" "$AUDITPEAK" reset lost
# Root without the capability is refused the same way.
expect_refusal "status as root without CAP_AUDIT_CONTROL" 3 'needs CAP_AUDIT_CONTROL' \
	setpriv --inh-caps=-audit_control --bounding-set=-audit_control "$AUDITPEAK" status
expect_refusal "status in a user namespace" 4 'initial user namespace' \
	unshare --user --map-root-user "$AUDITPEAK" status
expect_refusal "status in a PID namespace" 4 'initial PID namespace' \
	unshare --pid --fork "$AUDITPEAK" status
