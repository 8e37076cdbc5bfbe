# shellcheck shell=bash
# The tally of a suite in tests/suites (and tests/kernel/run): one
# "ok - ..." or "not ok - ..." line per check, and the last line test.sh
# reads, "NAME: P passed, F failed".  Sourced, not run.
#
#   suite_init NAME             start counting (passed, failed) for NAME
#   pass MSG / fail MSG         one check
#   summary                     the last line; exits 0 when none failed
#   abort MSG                   fail MSG, then summary
#   guest_tally LABEL OUT RC-FILE   a guest's results and its boot's verdict

suite_init() {
	suite_name=$1
	passed=0
	failed=0
}
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
summary() { echo "$suite_name: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }
abort() { fail "$*"; summary; }

# A guest's framed results (OUT/results.log, OUT/boot-seconds) and the
# verdict on its boot, from the exit status its launcher wrote to RC-FILE
# (none: 99) as kernel/rig/rig boot and tests/package/boot exit: 0 the guest's test passed, 1 it reported failures, 2 a kernel
# panic/BUG/WARNING on the console, 3 (or anything else) it hung or lost
# its results.  Each of the guest's own "ok - X" / "not ok - X" lines
# counts, shown as "ok - LABEL: X"; a guest that printed none fails.
guest_tally() { # LABEL OUT RC-FILE
	local label=$1 out=$2 rc p=0 f=0 secs line
	rc=$(cat "$3" 2>/dev/null || echo 99)
	secs=$(cat "$out/boot-seconds" 2>/dev/null || echo "?")
	while IFS= read -r line; do
		case $line in
		"ok - "*) p=$((p + 1)); echo "ok - $label: ${line#ok - }" ;;
		"not ok - "*) f=$((f + 1)); echo "not ok - $label: ${line#not ok - }" ;;
		esac
	done < <(cat "$out/results.log" 2>/dev/null)
	passed=$((passed + p))
	failed=$((failed + f))
	case $rc in
	0) pass "$label: ran to power-off (${secs} s)" ;;
	1) fail "$label: reported $f failures (${secs} s)" ;;
	2) fail "$label: kernel panic/BUG/WARNING on the console ($out/console.log)" ;;
	*) fail "$label: hung or lost its results (boot rc $rc; console: $out/console.log)" ;;
	esac
	[ "$p" -gt 0 ] || fail "$label: ran no tests"
}
