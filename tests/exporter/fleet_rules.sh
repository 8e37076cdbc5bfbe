#!/usr/bin/env bash
# Fleet side: the Prometheus rules pass promtool check and their unit tests;
# the Grafana dashboard is valid JSON whose every query parses and names
# only metrics auditpeak serve exports or the rules record.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0
failures=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
for c in promtool /usr/bin/python3; do
	command -v "$c" >/dev/null || { echo "FAIL: prerequisite '$c' is not installed (tools/install-deps)"; exit 1; }
done

rules=$top/packaging/prometheus/auditpeak.rules.yml
promtool check rules "$rules" && ok "promtool check rules" || fail "promtool check rules"
(cd "$top/packaging/prometheus" && promtool test rules auditpeak.rules.test.yml) && ok "promtool test rules" || fail "promtool test rules"

"$RENDER_METRICS" text 250 >"$tmp/hz.txt" || fail "render-metrics text 250 exited $?"
"$RENDER_METRICS" text 0 >"$tmp/jiffies.txt" || fail "render-metrics text 0 exited $?"
"$top/tests/exporter/check_dashboard.py" "$top/packaging/grafana/auditpeak-dashboard.json" "$rules" \
	"$tmp/hz.txt" "$tmp/jiffies.txt" "$tmp/dashboard-rules.yml" &&
	ok "dashboard is valid JSON and names only our metrics" || fail "dashboard check"
promtool check rules "$tmp/dashboard-rules.yml" && ok "every dashboard query parses as PromQL" || fail "dashboard PromQL"
# Alerts and rules name only metrics we export, too.
"$top/tests/exporter/check_dashboard.py" /dev/stdin "$rules" "$tmp/hz.txt" "$tmp/jiffies.txt" "$tmp/unused.yml" <<JSON &&
{"panels": [{"title": "rules", "targets": [$(/usr/bin/python3 - "$rules" <<'PY'
import json, sys, yaml
# Every rule's expression, multi-line ones (expr: |) included.
exprs = [r["expr"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"]]
print(",".join(json.dumps({"expr": e}) for e in exprs))
PY
)]}]}
JSON
	ok "rules name only exported metrics" || fail "rules reference unknown metrics"
n=$(/usr/bin/python3 -c 'import sys, yaml; print(sum(len(g["rules"]) for g in yaml.safe_load(open(sys.argv[1]))["groups"]))' "$rules")
[ "${n:-0}" -ge 10 ] && ok "the rules file holds $n rules, every one checked" || fail "only ${n:-0} rules found in $rules"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
