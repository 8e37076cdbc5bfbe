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

# status_field NAME: the value `auditpeak status` prints for NAME
status_field() {
	"$AUDITPEAK" status | awk -v n="$1" '$1 == n { print $2 }'
}
