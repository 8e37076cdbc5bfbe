#!/usr/bin/env bash
# auditpeak advise end to end, against the host kernel:
#  - a fixture state file: exact, known recommendation, text and --json;
#  - the state file a real `serve` (bpf backend) wrote while `auditpeak
#    load` made bursts: recommendation >= the peak serve recorded;
#  - a short --duration observation (bpf) during bursts: recommendation
#    >= the observed peak, the evidence is flagged as too short;
#  - on a terminal a progress line, Ctrl-C advises early, nothing extra
#    when stderr is not a terminal.
. "$(dirname "$0")/exporter_lib.sh"
require curl python3

# json_get FILE EXPR: a value from a JSON file (fails on invalid JSON).
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }

# 1. Fixture: 40 windows, 30 peaks of 100 (bucket le=128), 10 of 1000
#    (le=1024), max 1000 -> p50 128, p99 1000, recommended 2000 -> 2048.
state="$tmpdir/fixture.state"
{
	echo "auditpeak-serve-state 1"
	echo "boot_id -"
	echo "windows 40"
	echo "lost_total 0"
	echo "wait_actual_total_jiffies 0"
	echo "window_peaks.count 40"
	echo "window_peaks.sum 13000"
	echo "window_peaks.bucket.8 30"
	echo "window_peaks.bucket.11 10"
	echo "max_since_start 1000"
} >"$state"
out=$("$AUDITPEAK" advise --state "$state" --window 60s)
expect_eq "advise --state exit code" "$?" 0
echo "$out"
expect_match "fixture: recommended limit" "$out" '^recommended backlog_limit: 2048$'
expect_match "fixture: audit.rules line" "$out" '^audit.rules line: -b 2048$'
expect_match "fixture: percentiles" "$out" 'window peaks: p50 128, p99 1000, max 1000'
expect_match "fixture: 40 minutes of evidence" "$out" '40 windows of 60 s, 40.0 min'
expect_match "fixture: memory estimate" "$out" 'kernel memory at that limit: about 4.5 MiB \(2048 records x 2304 bytes; an estimate'
expect_match "fixture: shorter than a day" "$out" 'warning: evidence shorter than a day'
"$AUDITPEAK" advise --state "$state" --json --headroom 150 --record-bytes 4096 >"$tmpdir/fixture.json"
expect_eq "advise --json exit code" "$?" 0
expect_eq "--json recommended" "$(json_get "$tmpdir/fixture.json" 'd["recommended_backlog_limit"]')" 1536
expect_eq "--json rules line" "$(json_get "$tmpdir/fixture.json" 'd["audit_rules_line"]')" "-b 1536"
expect_eq "--json p99" "$(json_get "$tmpdir/fixture.json" 'd["window_peaks"]["p99"]')" 1000
expect_eq "--json memory" "$(json_get "$tmpdir/fixture.json" 'd["memory_bytes"]')" $((1536 * 4096))
expect_eq "--json record size given, not estimated" "$(json_get "$tmpdir/fixture.json" 'd["bytes_per_record_estimated"]')" False

# Errors: a missing and a malformed state file, two sources at once.
"$AUDITPEAK" advise --state "$tmpdir/none.state" 2>"$tmpdir/err"
expect_eq "missing state file exits 2" "$?" 2
echo garbage >"$tmpdir/bad.state"
"$AUDITPEAK" advise --state "$tmpdir/bad.state" 2>"$tmpdir/err"
expect_eq "malformed state file exits 8" "$?" 8
expect_match "malformed state file says so" "$(cat "$tmpdir/err")" 'not an auditpeak serve state file'
"$AUDITPEAK" advise --state "$state" --duration 5s 2>/dev/null
expect_eq "--state with --duration is a usage error" "$?" 2

# 2. The state file serve writes, with bursts from load.  Every load sets
#    its own backlog_limit: over the limit (64 by default) the kernel holds
#    each sender after its message, and with several held it wakes one per
#    drain, so one can sit out all of backlog_wait_time (60 s; seen here).
port=$(free_port tcp)
start_exporter srv "$port" --backend bpf --interval 200ms --window 1s \
	--lock "$tmpdir/owner.lock" --state "$tmpdir/serve.state"
"$AUDITPEAK" load --burst 1500 --period 500ms --duration 4s --backlog-limit 20000 >"$tmpdir/load1.log" 2>&1 ||
	{ fail "load for serve"; cat "$tmpdir/load1.log"; }
wait_windows_after "$port" || fail "serve closed no window after the load"
stop_started
serve_max=$(awk '$1 == "max_since_start" { print $2 }' "$tmpdir/serve.state")
expect_match "serve recorded a peak ($serve_max)" "$serve_max" '^[1-9][0-9]*$'
"$AUDITPEAK" advise --state "$tmpdir/serve.state" --window 1s --json >"$tmpdir/serve.json"
expect_eq "advise on serve's state exits 0" "$?" 0
rec=$(json_get "$tmpdir/serve.json" 'd["recommended_backlog_limit"]')
[ -n "$rec" ] && [ "$rec" -ge "$serve_max" ] && ok "recommendation $rec >= serve's peak $serve_max" ||
	fail "recommendation '$rec' below serve's peak $serve_max"
expect_eq "max is serve's max" "$(json_get "$tmpdir/serve.json" 'd["window_peaks"]["max"]')" "$serve_max"

# 3. A short observation with the bpf backend while load makes bursts,
#    started once advise says it is observing.
"$AUDITPEAK" advise --backend bpf --duration 6s --interval 200ms --window 1s --json \
	>"$tmpdir/obs.json" 2>"$tmpdir/obs.err" &
advise_pid=$!
wait_for_line "$tmpdir/obs.err" '^auditpeak advise: observing for ' ||
	fail "advise never said it was observing: $(cat "$tmpdir/obs.err")"
"$AUDITPEAK" load --burst 1500 --period 500ms --duration 4s --backlog-limit 20000 >"$tmpdir/load2.log" 2>&1 ||
	{ fail "load during advise"; cat "$tmpdir/load2.log"; }
wait "$advise_pid"
expect_eq "advise --duration exits 0" "$?" 0
cat "$tmpdir/obs.err" "$tmpdir/obs.json"
expect_eq "observed source" "$(json_get "$tmpdir/obs.json" 'd["peak_source"]')" bpf
obs_max=$(json_get "$tmpdir/obs.json" 'd["window_peaks"]["max"]')
rec=$(json_get "$tmpdir/obs.json" 'd["recommended_backlog_limit"]')
expect_match "observed a peak ($obs_max)" "$obs_max" '^[1-9][0-9]*$'
[ -n "$rec" ] && [ "$rec" -ge "$obs_max" ] && ok "recommendation $rec >= observed peak $obs_max" ||
	fail "recommendation '$rec' below observed peak $obs_max"
windows=$(json_get "$tmpdir/obs.json" 'd["windows"]')
[ "$windows" -ge 4 ] && ok "about one window per second ($windows)" || fail "only $windows windows in 6 s"
expect_eq "6 s of evidence is too short" "$(json_get "$tmpdir/obs.json" 'd["too_short"]')" True
# The probe saw the records' skbs (this kernel is 6.17+): memory per record
# is measured, the mean truesize of the records seen.
expect_eq "bytes per record measured by the probe" \
	"$(json_get "$tmpdir/obs.json" 'd["bytes_per_record_source"]')" measured
sized=$(json_get "$tmpdir/obs.json" 'd["records_sized"]')
bpr=$(json_get "$tmpdir/obs.json" 'd["bytes_per_record"]')
[ "$sized" -ge 1000 ] && ok "records sized ($sized) cover the bursts" ||
	fail "only $sized records sized"
[ "$bpr" -ge 1024 ] && [ "$bpr" -le 65536 ] &&
	ok "measured bytes per record $bpr is a record's skb size" ||
	fail "measured bytes per record $bpr out of range"
expect_match "text output warns too" "$("$AUDITPEAK" advise --backend bpf --duration 2s --window 1s 2>/dev/null)" 'warning: evidence too short to trust'

# 4. On a terminal, a progress line; Ctrl-C advises on what was seen; no
#    progress when stderr is not a terminal (advise_pty.py drives it).
"$AUDIT_CTL" set enabled 1 || fail "enable audit"
"$AUDIT_CTL" set rate_limit 0 || fail "set rate_limit 0"
"$AUDIT_CTL" set backlog_limit 10000 || fail "set backlog_limit"
run_checker advise_pty.py python3 "$(dirname "$0")/advise_pty.py" "$AUDITPEAK" "$AUDIT_CTL"
