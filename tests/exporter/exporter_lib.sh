# Sourced by the exporter tests, after ../integration/lib.sh conventions:
# assertions, host audit settings put back, and every process a test starts
# stopped again (by PID) however the test ends.
. "${INTEGRATION_LIB:?path to tests/integration/lib.sh}"

started_pids=()
# Prepended to the exporter's command line (setpriv, unshare...).
exporter_prefix=()

stop_started() {
	local pid rc
	for pid in "${started_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${started_pids[@]}"; do
		for _ in $(seq 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=$?
		# 0: stopped cleanly on SIGTERM; 143: died of it.  Anything else
		# (a sanitizer's abort, a leak report) is a finding.
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 143 ]; then
			fail "process $pid exited with $rc when stopped"
		fi
	done
	started_pids=()
}
trap 'stop_started; finish' EXIT

# stop_exporter NAME: SIGTERM, wait, and expect a clean exit (status 0).
stop_exporter() {
	local pid rc keep=() p
	pid=$(eval echo "\$${1}_pid")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	expect_eq "$1 exits 0 on SIGTERM" "$rc" 0
	for p in "${started_pids[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	started_pids=("${keep[@]}")
}

# require CMD...: a missing prerequisite fails the test, never skips it.
require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { fail "prerequisite '$c' is not installed (tools/install-deps)"; exit 1; }
	done
}

# free_port tcp|udp: a loopback port nobody listens on right now.
free_port() {
	python3 - "$1" <<'PY'
import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# start_exporter NAME PORT [serve options...]: run it in the background;
# its log is $tmpdir/NAME.log, its PID in ${NAME}_pid.
start_exporter() {
	local name=$1 port=$2
	shift 2
	"${exporter_prefix[@]}" "$AUDITPEAK" serve --listen "127.0.0.1:$port" --log "$tmpdir/$name.log" "$@" 9>&- &
	local pid=$!
	started_pids+=("$pid")
	printf -v "${name}_pid" '%s' "$pid"
	wait_http "http://127.0.0.1:$port/healthz" || { fail "$name did not come up"; cat "$tmpdir/$name.log"; exit 1; }
}

# start_unprivileged_exporter PORT [serve options...]: as start_exporter
# with NAME "unpriv", but as nobody holding CAP_AUDIT_CONTROL alone (as the
# systemd unit runs it, and without CAP_SETPCAP); $tmpdir/unpriv is a
# directory it may write its lock and state in.
start_unprivileged_exporter() {
	mkdir -m 0777 "$tmpdir/unpriv"
	chmod o+x "$tmpdir"
	install -m 0666 /dev/null "$tmpdir/unpriv.log"
	exporter_prefix=(setpriv --reuid=nobody --regid=nogroup --clear-groups
		--inh-caps=-all,+audit_control --ambient-caps=-all,+audit_control --bounding-set=-all,+audit_control)
	start_exporter unpriv "$@"
	exporter_prefix=()
}

# retry TRIES DELAY CMD...: run CMD until it succeeds, at most TRIES times.
retry() {
	local tries=$1 delay=$2
	shift 2
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep "$delay"
	done
	return 1
}

http_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; }

# wait_http URL: until it answers 200, at most 60 s (loading the bpf
# probe under a sanitizer on a busy machine takes seconds).
wait_http() { retry 600 0.1 http_ok "$1"; }

# metric PORT NAME_WITH_LABELS: the value of one sample in /metrics.
metric() {
	curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}

# peak_source PORT: the source="..." the exporter publishes (none, bpf...).
peak_source() {
	curl -s "http://127.0.0.1:$1/metrics" | sed -n 's/^auditpeak_peak_source_info{source="\([a-z]*\)".*/\1/p'
}

metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }

# wait_metric PORT SAMPLE VALUE: until the sample shows VALUE, at most 30 s.
wait_metric() { retry 300 0.1 metric_is "$@"; }

metric_ge() { local v; v=$(metric "$1" "$2"); [ -n "$v" ] && [ "${v%.*}" -ge "$3" ]; }

# wait_metric_ge PORT SAMPLE MIN: until the sample is at least MIN, at most
# 30 s: a count of polls or windows reaching what a check needs.
wait_metric_ge() { retry 300 0.1 metric_ge "$@"; }

# wait_windows_after PORT: until the window open now has closed (the
# window count grows by one), so whatever was queued before the call is in
# a closed window's peak.
wait_windows_after() {
	local w
	w=$(metric "$1" auditpeak_window_peak_count)
	wait_metric_ge "$1" auditpeak_window_peak_count $((${w:-0} + 1))
}

# make_lost: let the kernel lose records (rate limit 1/s and a burst),
# with failure=1 so a lost record never panics the machine.
make_lost() {
	"$AUDIT_CTL" set failure 1 || fail "set failure 1"
	"$AUDIT_CTL" set enabled 1 || fail "enable audit"
	"$AUDIT_CTL" set rate_limit 1 || fail "set rate_limit 1"
	"$AUDIT_CTL" user-msg 20 || fail "queue 20 user records"
	"$AUDIT_CTL" set rate_limit 0 || fail "set rate_limit 0"
}
