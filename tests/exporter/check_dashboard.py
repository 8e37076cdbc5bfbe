#!/usr/bin/python3
"""check_dashboard.py DASHBOARD RULES METRICS_TEXT... OUT_RULES

Checks the Grafana dashboard: valid JSON, panels with targets, and every
name an expression uses is either a metric auditpeak serve exports (from
the expositions given) or a recording rule.  Writes every expression as a
recording rule to OUT_RULES so `promtool check rules` can parse the PromQL.
"""
import json
import re
import sys

dash_path, rules_path, *metric_files, out_path = sys.argv[1:]
dash = json.load(open(dash_path))
known = set()
for path in metric_files:
    for line in open(path):
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
        if m:
            known.add(m.group(1))
known |= set(re.findall(r"record:\s*(\S+)", open(rules_path).read()))
known.add("up")

problems = []
exprs = []
for panel in dash.get("panels", []):
    targets = panel.get("targets") or []
    if not targets:
        problems.append(f"panel {panel.get('title')!r} has no query")
    for t in targets:
        expr = t.get("expr", "")
        exprs.append(expr)
        # Names are what stands before '{' or '[' or alone: skip functions,
        # keywords and label names by checking the auditpeak-looking ones.
        for name in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", re.sub(r'"[^"]*"', "", expr)):
            if ("auditpeak" in name or name == "up") and name not in known:
                problems.append(f"panel {panel['title']!r}: unknown metric {name}")
if not exprs:
    problems.append("no queries at all")
with open(out_path, "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
        out.write(f"      - record: dashboard:expr_{i}\n        expr: {json.dumps(e)}\n")
for p in problems:
    print("FAIL:", p)
print(f"{len(exprs)} queries, {len(known)} known names")
sys.exit(1 if problems else 0)
