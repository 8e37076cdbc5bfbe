# Sourced by the bpf tests after lib.sh: runs tests/tools/peak-check and
# turns its "ok:"/"FAIL:" lines into checks, showing its "#" notes.
PEAK_CHECK=${PEAK_CHECK:?path to tests/tools/peak-check}

run_check() {
	local out line
	out=$("$PEAK_CHECK" "$@")
	[ $? -eq 2 ] && fail "peak-check $*: usage error"
	grep '^#' <<<"$out"
	while read -r line; do
		case $line in
		ok:*) ok "${line#ok: }" ;;
		FAIL:*) fail "${line#FAIL: }" ;;
		esac
	done <<<"$out"
}
