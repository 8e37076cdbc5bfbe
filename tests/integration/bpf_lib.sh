# Sourced by the bpf tests after lib.sh: runs tests/tools/peak-check and
# counts its "ok:"/"FAIL:" lines as checks, showing its "#" notes; a crash
# or an exit without a verdict fails (run_checker in lib.sh).
PEAK_CHECK=${PEAK_CHECK:?path to tests/tools/peak-check}

run_check() {
	run_checker "peak-check $*" "$PEAK_CHECK" "$@"
}
