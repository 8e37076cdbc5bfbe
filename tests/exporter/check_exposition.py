#!/usr/bin/python3
"""check_exposition.py openmetrics|text FILE: parse an exposition with the
reference client library's parser and print one line per family; exit 1 on
any parse error.  promtool checks the 0.0.4 text; this checks OpenMetrics,
which promtool 2.42 cannot."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
from prometheus_client.parser import text_string_to_metric_families as text_parse

kind, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
parse = om_parse if kind == "openmetrics" else text_parse
try:
    families = list(parse(text))
except Exception as e:  # the parser raises ValueError and friends
    print(f"FAIL: {kind} parse error: {e}")
    sys.exit(1)
for fam in families:
    print(fam.name, fam.type, len(fam.samples))
if not families:
    print("FAIL: no families")
    sys.exit(1)
