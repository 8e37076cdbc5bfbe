#!/usr/bin/env bash
# `auditpeak status` on this (unpatched) kernel:
#  - plain: the auditctl lines, backlog_max_depth unsupported, source none;
#  - --backend bpf --duration: a measured backlog_max_depth with
#    backlog_max_depth_source bpf, while records are queued; Ctrl-C ends
#    the observation early and the report gives the real duration;
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

# observe_until_sigint OUT ARGS...: `status ARGS` in the background; once
# it says the source is attached, 500 records, then Ctrl-C (SIGINT) ends
# the observation, which reports what it saw.  The exit code is in $rc.
observe_until_sigint() {
	local out=$1 pid
	shift
	"$AUDITPEAK" status "$@" >"$out" 2>"$out.err" &
	pid=$!
	if wait_for_line "$out.err" '^auditpeak status: observing with '; then
		"$AUDIT_CTL" user-msg 500 || fail "user-msg 500"
	else
		fail "status $* never said it was observing: $(cat "$out.err")"
	fi
	kill -INT "$pid"
	wait "$pid"
	rc=$?
}

observe_until_sigint "$tmpdir/bpf" --backend bpf --duration 1h
out=$(cat "$tmpdir/bpf")
echo "$out"
expect_eq "status --backend bpf ended by SIGINT: exit code" "$rc" 0
expect_match "backlog_max_depth is measured" "$(grep '^backlog_max_depth ' <<<"$out")" '^backlog_max_depth [1-9][0-9]*$'
expect_eq "source is bpf" "$(awk '$1 == "backlog_max_depth_source" { print $2 }' <<<"$out")" bpf
expect_match "labelled with the real duration, ended early by SIGINT, not since boot" \
	"$(grep '^backlog_max_depth_observed' <<<"$out")" \
	'^backlog_max_depth_observed [0-9]+\.[0-9]{3}s of 1h asked, ended early by SIGINT \(not since boot: only while observing\)$'
observed=$(awk '$1 == "backlog_max_depth_observed" { print $2 }' <<<"$out")
expect_eq "the observed time is shorter than asked" "$(python3 -c "print(0 < float('${observed%s}') < 3600)")" True
expect_match "the probe counted the 500 records" "$(awk '$1 == "backlog_depth_enqueues" { print $2 }' <<<"$out")" '^([5-9][0-9][0-9]|[0-9]{4,})$'
expect_eq "auditctl lines come first, unchanged" "$(awk '{ print $1 }' <<<"$out" | head -9 | tr '\n' ' ')" \
	"enabled failure pid rate_limit backlog_limit lost backlog backlog_wait_time backlog_wait_time_actual "
# No --bpf-extras: the probe keeps neither the mean nor the sizes, and says so.
expect_eq "no extras asked: the mean is not kept, and how to keep it" \
	"$(grep '^backlog_depth_mean' <<<"$out")" "backlog_depth_mean not kept (--bpf-extras mean keeps it)"
expect_eq "no extras asked: no record sizes line" "$(grep -c '^backlog_record_bytes' <<<"$out")" 0
expect_match "the method says so" "$(grep '^backlog_max_depth_method' <<<"$out")" '; extras: none'

observe_until_sigint "$tmpdir/extras" --backend bpf --duration 1h --bpf-extras all
out=$(cat "$tmpdir/extras")
echo "$out"
expect_match "--bpf-extras all: a mean" "$(grep '^backlog_depth_mean' <<<"$out")" '^backlog_depth_mean [0-9]+\.[0-9]{3}$'
expect_match "--bpf-extras all: the 500 records sized, 1-64 KiB each" \
	"$(awk '$1 == "backlog_record_bytes" && $4 >= 500 && $2 >= $4 * 1024 && $2 <= $4 * 65536 { print "ok", $4 }' <<<"$out")" '^ok [0-9]+$'
expect_match "the method names them" "$(grep '^backlog_max_depth_method' <<<"$out")" '; extras: mean,sizes'
out=$("$AUDITPEAK" status --backend bpf --duration 1s --bpf-extras mean,drains 2>&1)
expect_eq "an unknown extra is a usage error" "$?" 2
expect_match "naming it and the choices" "$out" "unknown --bpf-extras 'mean,drains': use none, all, or a comma list of mean, sizes and histogram"

observe_until_sigint "$tmpdir/auto" --duration 1h --json
json=$(cat "$tmpdir/auto")
expect_eq "auto picks bpf here, and says why not kernel" \
	"$(python3 -c 'import json,sys; p=json.load(sys.stdin)["peak"]; print(p["source"], p["exact"], p["backlog_max_depth"] > 0, p["fallback_reason"].startswith("kernel: "), p["ended_early"])' <<<"$json")" \
	"bpf True True True True"

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
expect_match "an observation that ran its --duration says so" "$(grep '^backlog_max_depth_observed' <<<"$out")" \
	'^backlog_max_depth_observed [0-9]+\.[0-9]{3}s \(not since boot'
expect_match "and says why bpf was passed over" "$(grep '^backlog_max_depth_fallback' <<<"$out")" 'bpf: no BPF privileges'
out=$(setpriv --bounding-set=-sys_admin,-bpf,-perfmon --inh-caps=-sys_admin,-bpf,-perfmon -- \
	"$AUDITPEAK" status --backend bpf --duration 300ms 2>&1)
expect_eq "explicit --backend bpf without privileges: exit code (permission)" "$?" 3
expect_match "with the reason" "$out" 'no BPF privileges'
