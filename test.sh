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

# From an empty cache the patched kernels are most of the run: 5-9 minutes
# each here, built one at a time under the machine's kbuild lock, where the
# guest suites would build them.  They start now instead, at the lowest CPU
# priority, beside the host builds and tests (which mostly wait on their
# 1 s windows); the suites take the same lock and find them built, or build
# what this did not.  With the kernels cached it starts nothing.
kcache=${AUDITPEAK_KERNEL_CACHE:-/var/cache/auditpeak/kernel}
kprebuild_pid=
if kmissing=$(kernel/rig/rig missing ci 2>/dev/null) && [ -n "$kmissing" ]; then
	mkdir -p "$kcache"
	echo "=== kernels building in the background: ${kmissing//$'\n'/ } (log: $kcache/prebuild.log)"
	# its own process group (setsid), so that an early exit stops its make
	# shellcheck disable=SC2086 # one word per flavor
	setsid flock /tmp/auditpeak-kbuild.lock nice -n 19 \
		kernel/rig/rig build $kmissing > "$kcache/prebuild.log" 2>&1 &
	kprebuild_pid=$!
	trap '[ -z "$kprebuild_pid" ] || kill -- -"$kprebuild_pid" 2>/dev/null' EXIT
fi

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

# tally_part NAME RC "passed failed skipped": add a part's counts, where
# its runner's non-zero exit with no failure counted, or no test counted at
# all, is a failure of its own (a crash or a cut log must not pass as fewer
# tests).
tally_part() {
	local name=$1 rc=$2 p f s
	read -r p f s <<<"$3"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "=== $name: exited $rc with no failure counted"
		f=1
	fi
	if [ "$((p + f + s))" -eq 0 ]; then
		echo "=== $name: no test counted"
		f=1
	fi
	tally "$p $f $s"
}

# Wall time of each part, for the table at the end: "name seconds".
timings=()
# Each part's share of the CI budget (seconds on a fresh 2-core machine
# with caches); past it test.sh warns, so growth shows before CI's limit.
# (Guest suites boot two guests at once: kernel 615 s, audit-userspace
# 254 s, package 143 s measured with caches on 2026-12-06.)
declare -A budget=([build]=420 [build-asan]=600 [audit-userspace]=360
	[fuzz]=240 [kernel]=900 [package]=300)

# time_part NAME START: note how long NAME took since START (seconds).
time_part() {
	timings+=("$1 $(($(date +%s) - $2))")
}

# build_and_test DIR [meson setup options...]
build_and_test() {
	local dir=$1 start rc
	shift
	start=$(date +%s)
	echo "=== $dir: build"
	# --reconfigure: an existing build keeps the options asked for here
	# (a build made with -Dbpf=auto would leave the bpf tests out).
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null || { tally "0 1 0"; return; }
	else
		meson setup "$dir" "$@" >/dev/null || { tally "0 1 0"; return; }
	fi
	meson compile -C "$dir" >/dev/null || { meson compile -C "$dir"; tally "0 1 0"; return; }
	echo "=== $dir: test"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 "${TEST_ARGS[@]}"
	rc=$?
	# meson's own verdict counts too, not only its log.
	tally_part "$dir" "$rc" "$(meson_counts "$dir")"
	time_part "$dir" "$start"
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
# "<name>: N passed, M failed[, K skipped]" as its last line.  Listed here,
# not globbed: a suite that goes missing or loses its exec bit fails.
suites=(audit-userspace fuzz kernel package)
for f in tests/suites/*; do
	case " ${suites[*]} " in
	*" $(basename "$f") "*) ;;
	*) echo "=== tests/suites/$(basename "$f") is not in test.sh's list of suites"; tally "0 1 0" ;;
	esac
done
for name in "${suites[@]}"; do
	suite=tests/suites/$name
	echo "=== suite $name"
	if [ ! -x "$suite" ]; then
		echo "$name: the suite $suite is missing or not executable"
		tally "0 1 0"
		continue
	fi
	start=$(date +%s)
	out=$(mktemp)
	AUDITPEAK_BUILD="$top/build" "$suite" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
	rm -f "$out"
	time_part "$name" "$start"
	if [ -z "$line" ]; then
		echo "$name: no tally line"
		tally "0 1 0"
		continue
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	tally_part "$name" "$rc" "$p $f ${s:-0}"
done

# The background kernel builds ended before the guest suites got the lock;
# what they printed, for the record (a failed one was built again there).
if [ -n "$kprebuild_pid" ]; then
	wait "$kprebuild_pid"
	echo "=== kernels built in the background: exit $?"
	grep -E '^rig: .*(built in|error)' "$kcache/prebuild.log"
	kprebuild_pid=
fi

# Where the minutes went, and which part outgrew its share.
echo "=== wall time per part (seconds; budget with caches)"
total=0
for t in "${timings[@]}"; do
	read -r name secs <<<"$t"
	total=$((total + secs))
	printf '%-16s %6d  %6s\n' "$name" "$secs" "${budget[$name]:-?}"
	if [ -n "${budget[$name]:-}" ] && [ "$secs" -gt "${budget[$name]}" ]; then
		echo "warning: $name took ${secs}s, over its budget of ${budget[$name]}s (a first run builds its caches)"
	fi
done
printf '%-16s %6d\n' total "$total"

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
