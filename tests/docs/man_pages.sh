#!/usr/bin/env bash
# The man pages render without groff warnings, and every command that
# `auditpeak --help` lists is documented in auditpeak(8).
set -uo pipefail
docs=$(cd "$(dirname "$0")/../../docs" && pwd)
AUDITPEAK=${AUDITPEAK:?path to the auditpeak binary}
failures=0
checks=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }

for page in "$docs"/*.[1-8]; do
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then ok "$(basename "$page") renders cleanly"; else fail "$(basename "$page"): $warnings"; fi
done
text=$(MANWIDTH=200 man -l "$docs/auditpeak.8" 2>/dev/null)
cmds=$("$AUDITPEAK" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }')
# Every command the README names: a --help whose format changed must not
# leave this loop with nothing to check.
n=$(wc -w <<<"$cmds")
[ "$n" -ge 6 ] && ok "auditpeak --help lists $n commands" || fail "auditpeak --help lists $n commands, want at least 6 (status reset watch advise load serve)"
for cmd in $cmds; do
	if grep -Eq "^ +auditpeak $cmd\b|^ +$cmd\b" <<<"$text"; then ok "auditpeak(8) documents '$cmd'"; else fail "auditpeak(8) lacks '$cmd'"; fi
done
echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ] && [ "$checks" -gt 1 ]
