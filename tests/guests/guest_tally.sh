#!/usr/bin/env bash
# tests/lib/suite.sh's guest_tally: a guest's own results count one each,
# its boot's exit status adds one verdict, and a guest that printed no
# result fails, whatever the status says.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
failures=0
checks=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# tally RESULTS RC: runs guest_tally on a guest that framed RESULTS (a
# printf format) and exited RC, in a fresh suite; prints "PASSED FAILED"
# then the lines it showed
tally() {
	(
		# shellcheck source=../lib/suite.sh
		. "$here/../lib/suite.sh"
		suite_init t
		rm -rf "$out/g" && mkdir -p "$out/g"
		[ "$1" = none ] || printf "$1" > "$out/g/results.log"
		echo 12.5 > "$out/g/boot-seconds"
		rm -f "$out/g.rc"
		[ "$2" = none ] || echo "$2" > "$out/g.rc"
		guest_tally "guest [x]" "$out/g" "$out/g.rc" > "$out/lines"
		echo "$passed $failed"
		cat "$out/lines"
	)
}
check() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: want '$2', got '$3'"; fi
}

r=$(tally '@@AUDITPEAK-BEGIN@@\nok - a\n# note\nok - b\n@@AUDITPEAK-END rc=0@@\n' 0)
check "two results, rc 0: counts" "3 0" "$(head -1 <<<"$r")"
check "the results are labelled" "ok - guest [x]: a" "$(sed -n 2p <<<"$r")"
check "the verdict gives the boot's seconds" "ok - guest [x]: ran to power-off (12.5 s)" "$(tail -1 <<<"$r")"

r=$(tally 'ok - a\nnot ok - b & c/d\n' 1)
check "a failure, rc 1: counts" "1 2" "$(head -1 <<<"$r")"
check "a result with & and / keeps its text" "not ok - guest [x]: b & c/d" "$(sed -n 3p <<<"$r")"

r=$(tally none 3)
check "no results, hung: counts" "0 2" "$(head -1 <<<"$r")"
grep -q '^not ok - guest \[x\]: hung or lost its results (boot rc 3' <<<"$r"
check "a hang is told" 0 $?

r=$(tally 'ok - a\n' none)
check "no status written: counts" "1 1" "$(head -1 <<<"$r")"
grep -q '^not ok - guest \[x\]: hung or lost its results (boot rc 99' <<<"$r"
check "a launcher that wrote no status is a lost guest" 0 $?

r=$(tally '' 0)
check "rc 0 but no results: counts" "1 1" "$(head -1 <<<"$r")"
grep -q '^not ok - guest \[x\]: ran no tests' <<<"$r"
check "a guest that ran no tests fails" 0 $?

r=$(tally 'ok - a\n' 2)
check "a panic after results: counts" "1 1" "$(head -1 <<<"$r")"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ] && [ "$checks" -ge 11 ]
