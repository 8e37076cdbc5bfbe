#!/usr/bin/env bash
# `auditpeak status` prints the same values as Debian's `auditctl -s` for
# every field both show, and reports backlog_max_depth as unsupported here
# rather than as 0.
. "$(dirname "$0")/lib.sh"

fields="enabled failure pid rate_limit backlog_limit lost backlog backlog_wait_time backlog_wait_time_actual"
# backlog can move between the two calls; a quiet machine settles in a try or two.
for attempt in 1 2 3 4 5; do
	ours=$("$AUDITPEAK" status) || { fail "auditpeak status exited $?"; exit; }
	theirs=$(auditctl -s)
	diffs=0
	for f in $fields; do
		a=$(awk -v n="$f" '$1 == n { print $2 }' <<<"$ours")
		b=$(awk -v n="$f" '$1 == n { print $2 }' <<<"$theirs")
		[ -n "$b" ] && [ "$a" != "$b" ] && diffs=$((diffs + 1))
	done
	[ "$diffs" -eq 0 ] && break
	sleep 0.2
done
for f in $fields; do
	a=$(awk -v n="$f" '$1 == n { print $2 }' <<<"$ours")
	b=$(awk -v n="$f" '$1 == n { print $2 }' <<<"$theirs")
	if [ -z "$b" ]; then
		expect_match "auditctl lacks $f, we print it" "$a" '^[0-9]+$'
	else
		expect_eq "$f as auditctl -s" "$a" "$b"
	fi
done
# auditctl's order, then backlog_max_depth and the lines naming its source
order=$(awk '{ print $1 }' <<<"$ours" | tr '\n' ' ')
payload=$("$AUDITPEAK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload_bytes"])')
if [ "$payload" -ge 48 ]; then
	expect_eq "line order" "$order" "$fields backlog_max_depth backlog_max_depth_source "
	expect_eq "source of backlog_max_depth" "$(status_field backlog_max_depth_source)" kernel
else
	expect_eq "line order" "$order" "$fields backlog_max_depth backlog_max_depth_source backlog_max_depth_note "
	expect_eq "source of backlog_max_depth without --duration" "$(status_field backlog_max_depth_source)" none
fi
if [ "$payload" -ge 48 ]; then
	expect_match "backlog_max_depth is a number on a patched kernel" \
		"$(status_field backlog_max_depth)" '^[0-9]+$'
else
	expect_match "backlog_max_depth unsupported, not 0" \
		"$(grep '^backlog_max_depth' <<<"$ours")" '^backlog_max_depth unsupported \(.*44 bytes.*patch'
fi
json=$("$AUDITPEAK" status --json)
expect_eq "json is valid and agrees on backlog_limit" \
	"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["fields"]["backlog_limit"], d["supported"]["backlog_max_depth"], d["fields"]["backlog_max_depth"])' <<<"$json")" \
	"$(status_field backlog_limit) $([ "$payload" -ge 48 ] && echo True || echo False) $([ "$payload" -ge 48 ] && status_field backlog_max_depth || echo None)"
