#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine, as root:
#   installs what is missing, builds, runs unit + integration tests in a
#   plain build and again under ASan+UBSan, then the suites in tests/suites.
# Ends with one line "N passed, M failed"; exits non-zero on any failure.
# In CI (CI=true) a skipped test counts as a failure: nothing skips silently.
set -uo pipefail
cd "$(dirname "$0")"
top=$(pwd)

tools/install-deps || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0

# Add a suite's counts; $1 is "passed failed skipped".
tally() {
	local p f s
	read -r p f s <<<"$1"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

meson_counts() {
	python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f if lines else f + 1, s)
PY
}

# build_and_test DIR [meson setup options...]
build_and_test() {
	local dir=$1
	shift
	echo "=== $dir: build"
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { tally "0 1 0"; return; }
	fi
	meson compile -C "$dir" >/dev/null || { meson compile -C "$dir"; tally "0 1 0"; return; }
	echo "=== $dir: test"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 "${TEST_ARGS[@]}"
	tally "$(meson_counts "$dir")"
}

TEST_ARGS=()
[ $# -gt 0 ] && TEST_ARGS=("$@")

# -Dbpf=enabled: a missing clang/bpftool/libbpf fails the build here
# instead of leaving the bpf tests out.
build_and_test build -Dbpf=enabled
# The whole suite again under the sanitizers: any finding fails the test.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	build_and_test build-asan -Dbpf=enabled -Db_sanitize=address,undefined -Db_lundef=false

# Larger suites with their own runners (kernel in QEMU, ...): each prints
# "<name>: N passed, M failed[, K skipped]" as its last line.
for suite in tests/suites/*; do
	[ -x "$suite" ] || continue
	echo "=== suite $(basename "$suite")"
	out=$(mktemp)
	AUDITPEAK_BUILD="$top/build" "$suite" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		tally "0 1 0"
		continue
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	tally "$p $f ${s:-0}"
done

if [ "${CI:-}" = "true" ] && [ "$skipped" -gt 0 ]; then
	echo "CI: $skipped test(s) skipped; in CI every prerequisite must be present"
	failed=$((failed + skipped))
	skipped=0
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
