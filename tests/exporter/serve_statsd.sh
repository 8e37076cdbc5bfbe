#!/usr/bin/env bash
# statsd push, received for real:
#  - collectd (statsd plugin on a loopback port, csv plugin into a temp dir)
#    gets our gauges for backlog and backlog_limit and the lost counter;
#  - a raw UDP receiver gets DogStatsD lines with our tags, every datagram
#    under 1432 bytes.
. "$(dirname "$0")/exporter_lib.sh"
require collectd curl python3
[ -f /usr/lib/collectd/statsd.so ] || { fail "collectd statsd plugin missing (collectd-core)"; exit 1; }

"$AUDITPEAK" reset lost >/dev/null || fail "clear lost before the test"
"$AUDIT_CTL" set backlog_limit 4567 || fail "set backlog_limit"
sp=$(free_port udp)
mkdir -p "$tmpdir/collectd"
cat >"$tmpdir/collectd.conf" <<CONF
Hostname "auditpeak-test"
FQDNLookup false
Interval 1
BaseDir "$tmpdir/collectd"
PIDFile "$tmpdir/collectd/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin statsd
LoadPlugin csv
<Plugin statsd>
  Host "127.0.0.1"
  Port "$sp"
</Plugin>
<Plugin csv>
  DataDir "$tmpdir/csv"
  StoreRates false
</Plugin>
CONF
collectd -f -C "$tmpdir/collectd.conf" >"$tmpdir/collectd.log" 2>&1 9>&- &
started_pids+=($!)
retry 300 0.1 grep -q 'Listening on' "$tmpdir/collectd.log" || { fail "collectd statsd did not listen"; cat "$tmpdir/collectd.log"; exit 1; }

make_lost
lost=$(status_field lost)
ep=$(free_port tcp)
start_exporter exp "$ep" --interval 200ms --window 1s --no-state --lock "$tmpdir/owner.lock" \
	--statsd "127.0.0.1:$sp"
csv=$tmpdir/csv/auditpeak-test/statsd
# last_csv NAME: the last value collectd wrote for NAME, as an integer.
last_csv() {
	tail -n 1 "$csv/$1-"* 2>/dev/null | awk -F, '/^[0-9]/ { printf "%d\n", $2 }'
}
# same_number A B: both are numbers and equal (two empty values are not).
same_number() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" = "$2" ]; }
csv_is() { same_number "$(last_csv "$1")" "$2"; }
wait_csv() { retry 300 0.1 csv_is "$@"; }
# wait_kernel CSV FIELD: until collectd's value equals the kernel's value
# of FIELD (read afresh each time: other suites on this host may change it).
csv_is_kernel() { same_number "$(last_csv "$1")" "$(status_field "$2")"; }
wait_kernel() { retry 300 0.1 csv_is_kernel "$@"; }
wait_kernel gauge-auditpeak.backlog_limit backlog_limit && ok "collectd got the backlog_limit gauge ($(last_csv gauge-auditpeak.backlog_limit), set to 4567)" ||
	fail "backlog_limit in collectd: '$(last_csv gauge-auditpeak.backlog_limit)', kernel $(status_field backlog_limit)"
wait_kernel gauge-auditpeak.backlog backlog && ok "collectd got the backlog gauge" || fail "backlog in collectd: '$(last_csv gauge-auditpeak.backlog)'"
wait_csv derive-auditpeak.lost "$lost" && ok "collectd counted the lost records ($lost)" || fail "lost in collectd: '$(last_csv derive-auditpeak.lost)', kernel $lost"
make_lost
# The kernel counter was cleared before the exporter started: its value is
# what collectd must have summed from our deltas.
total=$(status_field lost)
wait_csv derive-auditpeak.lost "$total" && ok "the lost counter carries deltas ($lost, then $total in all)" || fail "lost in collectd: '$(last_csv derive-auditpeak.lost)', want $total"
if [ "$(peak_source "$ep")" = none ]; then
	expect_eq "no window_peak without a peak source" "$(ls "$csv" | grep -c window_peak)" 0
else
	csv_is_peak() { same_number "$(last_csv gauge-auditpeak.window_peak)" "$(metric "$ep" auditpeak_last_window_peak)"; }
	retry 300 0.1 csv_is_peak && ok "collectd got the window peak gauge ($(last_csv gauge-auditpeak.window_peak))" ||
		fail "window_peak in collectd '$(last_csv gauge-auditpeak.window_peak)', exporter $(metric "$ep" auditpeak_last_window_peak)"
	csv_is_exact() { same_number "$(last_csv gauge-auditpeak.window_peak_exact)" "$(metric "$ep" auditpeak_last_window_peak_exact)"; }
	retry 300 0.1 csv_is_exact && ok "collectd got the window's exactness ($(last_csv gauge-auditpeak.window_peak_exact))" ||
		fail "window_peak_exact in collectd '$(last_csv gauge-auditpeak.window_peak_exact)', exporter $(metric "$ep" auditpeak_last_window_peak_exact)"
fi
stop_exporter exp

# DogStatsD: tags on every line, every datagram < 1432 bytes.
up=$(free_port udp)
python3 - "$up" "$tmpdir/dogstatsd.ready" >"$tmpdir/dogstatsd" 9>&- <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("bound\n")
s.settimeout(60)
for _ in range(3):
    data, _ = s.recvfrom(65535)
    print(len(data))
    print(data.decode())
    sys.stdout.flush()
PY
receiver=$!
started_pids+=($receiver)
wait_for_line "$tmpdir/dogstatsd.ready" bound || fail "the DogStatsD receiver did not bind"
tags="env:test,$(printf 'k%03d:v,' $(seq 30))role:db"
start_exporter dog "$ep" --interval 200ms --window 1s --no-state --no-reset \
	--statsd "127.0.0.1:$up" --statsd-tags "$tags"
wait "$receiver"
out=$(cat "$tmpdir/dogstatsd")
sizes=$(grep -E '^[0-9]+$' <<<"$out")
expect_match "DogStatsD datagrams arrived" "$sizes" '^[0-9]+'
expect_eq "every datagram < 1432 bytes" "$(awk '$1 >= 1432' <<<"$sizes" | wc -l)" 0
expect_match "backlog_limit line with our tags" "$out" "^auditpeak\\.backlog_limit:[0-9]+\\|g\\|#$tags\$"
expect_match "lost counter line with our tags" "$out" "^auditpeak\\.lost:[0-9]+\\|c\\|#$tags\$"
