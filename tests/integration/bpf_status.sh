#!/usr/bin/env bash
# `auditpeak status` on this (unpatched) kernel:
#  - plain: the auditctl lines, backlog_max_depth unsupported, source none;
#  - --backend bpf --duration: a measured backlog_max_depth with
#    backlog_max_depth_source bpf, while records are queued;
#  - auto falls back past the kernel and says why; the JSON agrees.
. "$(dirname "$0")/lib.sh"

payload=$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
if [ "$payload" -ge 48 ]; then
	fail "this test expects a kernel without backlog_max_depth (payload $payload bytes)"
	exit
fi
"$AUDIT_CTL" set enabled 1 || fail "enable audit"
"$AUDIT_CTL" set rate_limit 0 || fail "set rate_limit 0"
"$AUDIT_CTL" set backlog_limit 10000 || fail "set backlog_limit"

out=$("$AUDITPEAK" status)
expect_eq "plain status: source" "$(awk '$1 == "backlog_max_depth_source" { print $2 }' <<<"$out")" none

# Records keep coming, in batches of 100, for as long as the probe observes:
# however long loading takes on a busy machine, the probe sees batches
# (no guess of when it is attached).  status_with_records OUT ARGS...
status_with_records() {
	local file=$1 pid
	shift
	"$AUDITPEAK" status "$@" > "$file" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		"$AUDIT_CTL" user-msg 100 >/dev/null
		sleep 0.1
	done
	wait "$pid"
}
tmp=$(mktemp)
status_with_records "$tmp" --backend bpf --duration 2s
rc=$?
out=$(cat "$tmp")
echo "$out"
expect_eq "status --backend bpf exit code" "$rc" 0
expect_match "backlog_max_depth is measured" "$(grep '^backlog_max_depth ' <<<"$out")" '^backlog_max_depth [1-9][0-9]*$'
expect_eq "source is bpf" "$(awk '$1 == "backlog_max_depth_source" { print $2 }' <<<"$out")" bpf
expect_match "says it is not since boot" "$(grep '^backlog_max_depth_observed' <<<"$out")" 'only while observing'
expect_match "the probe counted the 500 records" "$(awk '$1 == "backlog_depth_enqueues" { print $2 }' <<<"$out")" '^([5-9][0-9][0-9]|[0-9]{4,})$'
expect_eq "auditctl lines come first, unchanged" "$(awk '{ print $1 }' <<<"$out" | head -9 | tr '\n' ' ')" \
	"enabled failure pid rate_limit backlog_limit lost backlog backlog_wait_time backlog_wait_time_actual "

status_with_records "$tmp" --duration 1s --json
json=$(cat "$tmp")
expect_eq "auto picks bpf here, and says why not kernel" \
	"$(python3 -c 'import json,sys; p=json.load(sys.stdin)["peak"]; print(p["source"], p["exact"], p["backlog_max_depth"] > 0, p["fallback_reason"].startswith("kernel: "))' <<<"$json")" \
	"bpf True True True"

out=$("$AUDITPEAK" status --backend bpf 2>&1)
expect_eq "bpf without --duration is a usage error" "$?" 2
expect_match "and says why" "$out" 'needs --duration'

# Without BPF privileges (root, but no CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON)
# auto falls back to the sample backend and says why.
out=$(setpriv --bounding-set=-sys_admin,-bpf,-perfmon --inh-caps=-sys_admin,-bpf,-perfmon -- \
	"$AUDITPEAK" status --duration 300ms)
expect_eq "no BPF privileges: auto falls back to sample" \
	"$(awk '$1 == "backlog_max_depth_source" { print $2 }' <<<"$out")" sample
expect_match "labelled a lower bound" "$(grep '^backlog_max_depth_exact' <<<"$out")" 'no \(a lower bound\)'
expect_match "and says why bpf was passed over" "$(grep '^backlog_max_depth_fallback' <<<"$out")" 'bpf: no BPF privileges'
out=$(setpriv --bounding-set=-sys_admin,-bpf,-perfmon --inh-caps=-sys_admin,-bpf,-perfmon -- \
	"$AUDITPEAK" status --backend bpf --duration 300ms 2>&1)
expect_eq "explicit --backend bpf without privileges: exit code (permission)" "$?" 3
expect_match "with the reason" "$out" 'no BPF privileges'
rm -f "$tmp"
