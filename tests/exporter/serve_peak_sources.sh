#!/usr/bin/env bash
# The window timeline over every peak source this build has, against the
# host kernel, with a real burst (`auditpeak load --stall`: a stalled
# daemon keeps each burst of N records queued, see docs/kauditd.md):
#  - kernel (patched kernels only), bpf: exact; the window holding the
#    burst has a peak of at least N, the owner's read-and-clear counted;
#  - sample: a lower bound, said so (exact="false", window exact 0);
#  - bpf also: the enqueue count saw the burst's records; run twice, as
#    installed (no histogram, mean or record sizes published) and with
#    --bpf-extras all (all three published, sizes plausible).
# A build or kernel with none of them publishes no peak at all (checked).
. "$(dirname "$0")/exporter_lib.sh"
require curl

burst=3000
known=$("$AUDITPEAK" serve --help | sed -n 's/.*this build has: //p')
payload=$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
sources=()
for s in kernel bpf sample; do
	grep -qw "$s" <<<"$known" || continue
	[ "$s" = kernel ] && [ "$payload" -lt 48 ] && continue
	sources+=("$s")
	[ "$s" = bpf ] && sources+=(bpf_extras)
done
echo "peak sources to test: ${sources[*]:-none} (build has: $known; AUDIT_GET payload $payload bytes)"

if [ ${#sources[@]} -eq 0 ]; then
	port=$(free_port tcp)
	start_exporter none "$port" --interval 200ms --window 1s --no-state --lock "$tmpdir/owner.lock"
	# Polls for longer than a window: one would have closed by now.
	wait_metric_ge "$port" auditpeak_polls_total 8 || fail "no source: polls do not advance"
	expect_eq "no source: says none" "$(metric "$port" 'auditpeak_peak_source_info{source="none",exact="false"}')" 1
	expect_eq "no source: no window was closed" "$(metric "$port" auditpeak_resets_total)" 0
	expect_eq "no source: no peak published" "$(curl -s "http://127.0.0.1:$port/metrics" | grep -c '^auditpeak_\(backlog_max_depth\|last_window\|window_peak\)')" 0
	exit
fi
if [ "$("$AUDITPEAK" status | awk '$1 == "pid" { print $2 }')" != 0 ]; then
	fail "an audit daemon is registered: the burst test needs the queue to itself"
	exit 1
fi

for s in "${sources[@]}"; do
	port=$(free_port tcp)
	backend=${s%_extras}
	extras=none
	[ "$s" = bpf_extras ] && extras=all
	start_exporter "$s" "$port" --backend "$backend" --bpf-extras "$extras" --interval 200ms --window 2s --no-state --lock "$tmpdir/$s.lock"
	exact=$([ "$s" = sample ] && echo false || echo true)
	expect_eq "$s: source info" "$(metric "$port" "auditpeak_peak_source_info{source=\"$backend\",exact=\"$exact\"}")" 1
	"$AUDITPEAK" load --stall --backlog-limit 20000 --burst "$burst" --period 1s --duration 2s >"$tmpdir/$s.load" 2>&1 ||
		{ fail "$s: load failed: $(tail -n 1 "$tmpdir/$s.load")"; continue; }
	wait_windows_after "$port" || fail "$s: no window closed after the bursts"
	max=$(metric "$port" auditpeak_backlog_max_depth_since_start)
	sum=$(metric "$port" auditpeak_window_peak_sum)
	windows=$(metric "$port" auditpeak_window_peak_count)
	resets=$(metric "$port" auditpeak_resets_total)
	expect_match "$s: windows closed by read-and-clear ($windows windows, $resets resets)" "$windows:$resets" '^[1-9][0-9]*:[1-9][0-9]*$'
	expect_eq "$s: every window end was our own reset" "$windows" "$resets"
	expect_eq "$s: no foreign reset" "$(metric "$port" 'auditpeak_foreign_resets_total{counter="backlog_max_depth"}')" 0
	if [ "$exact" = true ]; then
		[ "${max:-0}" -ge "$burst" ] && ok "$s: max since start $max >= burst $burst" || fail "$s: max since start ${max:-none} < burst $burst"
		[ "${sum:-0}" -ge "$burst" ] && ok "$s: the burst's window peak is in the histogram (sum $sum)" || fail "$s: window peak sum ${sum:-none}"
		expect_eq "$s: last window exact" "$(metric "$port" auditpeak_last_window_peak_exact)" 1
	else
		# A lower bound of everything queued, the burst and whatever else
		# the kernel logged meanwhile: no upper limit can be asserted.
		[ "${max:-0}" -ge 1 ] && ok "$s: a lower bound that saw the queue fill ($max)" || fail "$s: sampled max ${max:-none}"
		expect_eq "$s: last window marked a lower bound" "$(metric "$port" auditpeak_last_window_peak_exact)" 0
	fi
	if [ "$backend" = bpf ]; then
		n=$(metric "$port" auditpeak_enqueues_total)
		[ "${n:-0}" -ge "$burst" ] && ok "$s: the probe counted the burst's enqueues ($n)" || fail "$s: enqueues_total ${n:-none}"
	fi
	if [ "$s" = bpf ]; then
		expect_eq "bpf: no extras asked, no histogram, mean or record size published" \
			"$(curl -s "http://127.0.0.1:$port/metrics" | grep -c '^auditpeak_\(enqueue_depth\|backlog_time_weighted_mean\|queued_record_size\)')" 0
	fi
	if [ "$s" = bpf_extras ]; then
		# one page: both from the same read of the probe
		page=$(curl -s "http://127.0.0.1:$port/metrics")
		expect_match "$s: the histogram holds every enqueue counted" \
			"$(awk '$1 == "auditpeak_enqueue_depth_count" { c = $2 } $1 == "auditpeak_enqueues_total" { t = $2 } END { print c ":" t }' <<<"$page")" \
			'^([1-9][0-9]*):\1$'
		expect_match "$s: time-weighted mean published" "$(metric "$port" auditpeak_backlog_time_weighted_mean)" '^[0-9.e+-]+$'
		# This host's kernel (6.17+) lets the probe see each queued skb.
		sized=$(metric "$port" auditpeak_queued_record_size_bytes_count)
		bytes=$(metric "$port" auditpeak_queued_record_size_bytes_sum)
		[ "${sized:-0}" -ge "$burst" ] && [ "$((bytes / sized))" -ge 1024 ] && [ "$((bytes / sized))" -le 65536 ] &&
			ok "$s: record sizes published ($sized records, $((bytes / sized)) bytes each)" ||
			fail "$s: record sizes ${bytes:-none} / ${sized:-none}"
	fi
	curl -s "http://127.0.0.1:$port/metrics" | promtool check metrics >/dev/null 2>&1 && ok "$s: promtool check metrics" || fail "$s: promtool check metrics"
	stop_exporter "$s"
done
