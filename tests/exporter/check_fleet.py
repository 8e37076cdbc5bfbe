#!/usr/bin/env python3
"""Holds `auditpeak advise --prometheus` against the synthetic fleet's
truth (fleet_gen.py) and against single-host `advise --state` on the same
window peaks.  Usage: check_fleet.py AUDITPEAK TRUTH FLEET_JSON FLEET_CSV
FLEET_TABLE WORKDIR.  Prints ok:/FAIL: lines."""
import csv
import json
import os
import subprocess
import sys

auditpeak, truth_path, json_path, csv_path, table_path, work = sys.argv[1:7]
truth = json.load(open(truth_path))
report = json.load(open(json_path))
checks = {"ok": 0, "fail": 0}


def check(what, good, detail=""):
    if good:
        print("ok: " + what)
    else:
        print("FAIL: %s %s" % (what, detail))


def state_file(path, h):
    """serve's state file holding exactly the host's window peaks of the range."""
    with open(path, "w") as f:
        f.write("auditpeak-serve-state 1\nboot_id -\n")
        f.write("windows %d\nwindow_peaks.count %d\nwindow_peaks.sum 0\n"
                % (h["windows"], h["windows"]))
        for i, n in enumerate(h["buckets"]):
            f.write("window_peaks.bucket.%d %d\n" % (i, n))
        f.write("max_since_start %d\n" % h["max"])


hosts = {h["instance"]: h for h in report["hosts"]}
check("one row per host (%d)" % len(truth["hosts"]),
      len(hosts) == len(truth["hosts"]) == len(report["hosts"]),
      "got %d rows" % len(report["hosts"]))
mism = {k: [] for k in ("windows", "max", "limit", "lost", "source", "bytes",
                        "single")}
kinds = {}
for t in truth["hosts"]:
    r = hosts.get(t["instance"])
    if r is None:
        mism["windows"].append(t["instance"] + " missing")
        continue
    kinds.setdefault(t["kind"], []).append((t, r))
    if r["windows"] != t["windows"]:
        mism["windows"].append("%s %s != %s" % (t["instance"], r["windows"], t["windows"]))
    if r["window_peaks"]["max"] != t["max"]:
        mism["max"].append("%s %s != %s" % (t["instance"], r["window_peaks"]["max"], t["max"]))
    if r["current_backlog_limit"] != t["limit"]:
        mism["limit"].append(t["instance"])
    if r["lost"] != t["lost"]:
        mism["lost"].append("%s %s != %s" % (t["instance"], r["lost"], t["lost"]))
    if r["peak_source"] != t["source"] or r["peak_exact"] != t["exact"]:
        mism["source"].append(t["instance"])
    want_bytes = t["record_bytes"] or 2304
    want_from = "measured" if t["record_bytes"] else "estimate"
    if r["bytes_per_record"] != want_bytes or r["bytes_per_record_source"] != want_from:
        mism["bytes"].append("%s %s/%s" % (t["instance"], r["bytes_per_record"],
                                           r["bytes_per_record_source"]))
    # Single-host advise on the same window peaks gives the same advice.
    sf = os.path.join(work, "state")
    state_file(sf, t)
    out = subprocess.run([auditpeak, "advise", "--state", sf, "--json",
                          "--window", str(t["window_seconds"]),
                          "--record-bytes", str(want_bytes)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        mism["single"].append("%s: advise --state exited %d: %s"
                              % (t["instance"], out.returncode, out.stderr.strip()))
        continue
    s = json.loads(out.stdout)
    for k in ("recommended_backlog_limit", "memory_bytes", "memory_worst_bytes"):
        if s[k] != r[k]:
            mism["single"].append("%s %s %s != %s" % (t["instance"], k, r[k], s[k]))
    if s["window_peaks"] != r["window_peaks"]:
        mism["single"].append("%s window_peaks %s != %s" % (t["instance"], r["window_peaks"], s["window_peaks"]))
    if s["windows"] != r["windows"]:
        mism["single"].append("%s windows" % t["instance"])

n = len(truth["hosts"])
check("every host's window count is the range's windows (%d hosts)" % n,
      not mism["windows"], "; ".join(mism["windows"][:5]))
check("every host's max window peak is the known peak", not mism["max"],
      "; ".join(mism["max"][:5]))
check("every host's backlog_limit", not mism["limit"], " ".join(mism["limit"][:5]))
check("every host's lost records in the range", not mism["lost"],
      "; ".join(mism["lost"][:5]))
check("every host's peak source and exactness", not mism["source"],
      " ".join(mism["source"][:5]))
check("record size measured on bpf hosts (mean truesize), estimated elsewhere",
      not mism["bytes"], " ".join(mism["bytes"][:5]))
check("recommendation, percentiles, max and memory equal single-host advise --state on the same peaks (%d hosts)" % n,
      not mism["single"], "; ".join(mism["single"][:5]))
check("the known peaks are not all alike (the comparison can fail)",
      len({t["max"] for t in truth["hosts"]}) > n // 4)

by_kind = {k: v for k, v in kinds.items()}
t, r = by_kind["losing"][0]
check("the losing host: lost > 0, raise, limit-reached",
      t["lost"] > 0 and r["lost"] == t["lost"] and r["verdict"] == "raise"
      and "limit-reached" in r["notes"], str(r))
t, r = by_kind["sample"][0]
check("the sample host is a lower bound and never called sufficient",
      not r["peak_exact"] and "lower-bound" in r["notes"]
      and r["verdict"] in ("raise", "unknown")
      and any("lower bound" in w for w in r["warnings"]), str(r))
t, r = by_kind["huge-limit"][0]
check("the huge-limit host: lower, memory freed",
      r["verdict"] == "lower" and r["delta_bytes"] < -1000000000
      and r["recommended_backlog_limit"] < 1024, str(r))
t, r = by_kind["late"][0]
check("the host that started inside the range counts only its own windows",
      0 < r["windows"] < truth["range_seconds"] // truth["step"] - 10, str(r["windows"]))

fleet = report["fleet"]
v = fleet["verdicts"]
check("fleet verdicts add up to the hosts", sum(v.values()) == fleet["hosts"] == n, str(v))
need = sum(r["delta_bytes"] for r in report["hosts"] if r["verdict"] == "raise")
freed = -sum(r["delta_bytes"] for r in report["hosts"] if r["verdict"] == "lower")
check("fleet memory needed and freed are the hosts' sums",
      fleet["bytes_needed"] == need and fleet["bytes_freed"] == freed
      and fleet["net_bytes"] == need - freed and need > 0 and freed > 0, str(fleet))
check("the queries are bounded (at most 70, whatever the hosts)",
      0 < report["query"]["queries"] <= 70, str(report["query"]))

rows = list(csv.DictReader(open(csv_path)))
check("CSV: one row per host, same recommendations",
      len(rows) == n and all(
          (row["recommended"] == str(hosts[row["instance"]]["recommended_backlog_limit"])
           and row["verdict"] == hosts[row["instance"]]["verdict"]) for row in rows),
      "%d rows" % len(rows))
table = open(table_path).read().splitlines()
host_lines = [l for l in table if l.startswith("host-")]
check("table: one line per host and the fleet line",
      len(host_lines) == n and table[-1].startswith("fleet: %d hosts; raise %d " % (n, v["raise"])),
      table[-1] if table else "(empty)")
