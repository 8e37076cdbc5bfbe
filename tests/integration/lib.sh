# Sourced by the integration tests: assertions, and the promise that the
# host's audit settings are put back however the test ends.
set -uo pipefail

AUDITPEAK=${AUDITPEAK:?path to the auditpeak binary}
AUDIT_CTL=${AUDIT_CTL:?path to tests/tools/audit-ctl}
failures=0
checks=0

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: integration tests talk to the kernel's audit subsystem and must run as root"
	exit 1
fi

tmpdir=$(mktemp -d)
"$AUDIT_CTL" save "$tmpdir/settings" || { echo "FAIL: cannot save audit settings"; exit 1; }
finish() {
	"$AUDIT_CTL" restore "$tmpdir/settings" || { echo "FAIL: audit settings not restored"; failures=$((failures + 1)); }
	rm -rf "$tmpdir"
	echo "$checks checks, $failures failed"
	[ "$failures" -eq 0 ] && [ "$checks" -gt 0 ]
	exit $?
}
trap finish EXIT

ok() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi
}

# expect_match WHAT TEXT REGEX
expect_match() {
	if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1: '$2' does not match /$3/"; fi
}

# run_checker NAME CMD...: run a program that prints its own "ok: ..." and
# "FAIL: ..." lines, and count them as checks here (other lines are shown).
# A checker that crashes, dies of a signal, exits non-zero without a FAIL
# line, or makes no check at all is a failure of its own: a check that
# never ran must not pass.
run_checker() {
	local name=$1 out line rc checked=0 failed=0
	shift
	out=$("$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		ok:*) ok "${line#ok: }"; checked=$((checked + 1)) ;;
		FAIL:*) fail "${line#FAIL: }"; checked=$((checked + 1)); failed=$((failed + 1)) ;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	if [ "$rc" -gt 128 ]; then
		fail "$name died of signal $((rc - 128))"
	elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		fail "$name exited $rc without a FAIL line"
	elif [ "$checked" -eq 0 ]; then
		fail "$name made no check"
	fi
}

# wait_for_line FILE REGEX [SECONDS]: until a line of FILE matches REGEX
# (a program saying it is ready); 1 after SECONDS (default 60).
wait_for_line() {
	local deadline=$((SECONDS + ${3:-60}))
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# status_field NAME: the value `auditpeak status` prints for NAME
status_field() {
	"$AUDITPEAK" status | awk -v n="$1" '$1 == n { print $2 }'
}
