#!/usr/bin/env bash
# A real Prometheus server scrapes auditpeak serve; PromQL over its HTTP API
# returns our series with the kernel's values.
. "$(dirname "$0")/exporter_lib.sh"
require curl prometheus python3

"$AUDIT_CTL" set backlog_limit 2345 || fail "set backlog_limit"
ep=$(free_port tcp)
start_exporter exp "$ep" --interval 500ms --window 5s --lock "$tmpdir/owner.lock" --no-state

pp=$(free_port tcp)
cat >"$tmpdir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: auditpeak
    static_configs:
      - targets: ['127.0.0.1:$ep']
YML
prometheus --config.file="$tmpdir/prometheus.yml" --storage.tsdb.path="$tmpdir/tsdb" \
	--web.listen-address="127.0.0.1:$pp" >"$tmpdir/prometheus.log" 2>&1 9>&- &
started_pids+=($!)
wait_http "http://127.0.0.1:$pp/-/ready" || { fail "prometheus did not become ready"; tail "$tmpdir/prometheus.log"; exit 1; }

# query PROMQL: the first result's value, or empty.
query() {
	curl -s --get "http://127.0.0.1:$pp/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}
query_is() { [ "$(query "$1")" = "$2" ]; }
wait_query() { retry 120 0.5 query_is "$@"; }
wait_query 'up{job="auditpeak"}' 1 && ok "Prometheus scrapes the exporter" || fail "up = '$(query 'up{job="auditpeak"}')'"
wait_query 'auditpeak_backlog_limit{job="auditpeak"}' 2345 && ok "PromQL: auditpeak_backlog_limit = 2345, as audit-ctl set" ||
	fail "auditpeak_backlog_limit = '$(query auditpeak_backlog_limit)' (kernel now: $(status_field backlog_limit); another test changing host audit settings?)"
"$AUDIT_CTL" set backlog_limit 2346 || fail "set backlog_limit"
wait_query 'auditpeak_backlog_limit' 2346 && ok "PromQL follows a change of the limit" || fail "limit did not follow"
expect_eq "PromQL: up from our own poll" "$(query auditpeak_up)" 1
expect_eq "PromQL: peak source info" "$(query 'count(auditpeak_peak_source_info)')" 1
expect_match "PromQL: polls counter rises" "$(query 'increase(auditpeak_polls_total[5s]) > 0')" '^[0-9.]+$'
expect_eq "no scrape errors" "$(query 'scrape_samples_post_metric_relabeling{job="auditpeak"} > 0 and up == 1' | grep -c .)" 1
expect_eq "Prometheus logged no parse problem" "$(grep -ci 'error.*auditpeak\|invalid' "$tmpdir/prometheus.log")" 0
