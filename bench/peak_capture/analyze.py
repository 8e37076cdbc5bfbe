#!/usr/bin/env python3
"""Peak capture: peak-capture traces -> table, CSV and the timeline plot.

    analyze.py OUTDIR RESULTSDIR PLOTDIR TRACE...

Each TRACE is one guest run of peak-capture (one workload).  Per window
k >= 1 (window 0 began before the first truth clear):
  truth      the kernel's backlog_max_depth, read and cleared right after
             serve closed window k (the independent truth);
  auditpeak  auditpeak_last_window_peak as serve published it on /metrics;
  poll 10 ms the max of the real AUDIT_GET `backlog` polls inside the window;
  poll 1 s, poll 15 s  simulated from the 10 ms series, PHASES random phases
             each: every simulated poll takes the real poll nearest its
             instant; a window with no poll of that poller saw 0.
A window spans the truth's clears: (after clear k-1, before clear k].
The alignment gap of window k is truth_after(k) - serve_end(k): serve's
clear happens after the end it publishes, the truth's before truth_after,
so the two clears are less than that apart.
Writes RESULTSDIR/peak_capture.csv, the table on stdout, and
OUTDIR/peak_timeline.{dat,gp} (the gp script draws PLOTDIR/peak_timeline.png;
paths in it are relative to the repository's top, where bench/*/run runs).
"""
import bisect
import os
import random
import statistics
import sys

PHASES = 200
PERIODS = (("poll 15 s", 15_000_000_000), ("poll 1 s", 1_000_000_000))
POLLERS = ("poll 15 s", "poll 1 s", "poll 10 ms")
BOUNDARY_NS = 50_000_000  # "queue at boundaries": polls this close before a clear
PLOT_TRACE = "100ms-8000.txt"
PLOT_WINDOWS = 15


def load(path):
    meta, wins, polls, bursts = {}, [], [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            if p[0] == "#" and len(p) > 1 and "=" in p[1]:
                meta = dict(x.split("=", 1) for x in p[1:] if "=" in x)
            elif p[0] == "W" and len(p) == 9:
                wins.append(dict(k=int(p[1]), resets=int(p[2]), serve_end=int(p[3]),
                                 serve=int(p[4]), exact=int(p[5]), truth=int(p[6]),
                                 before=int(p[7]), after=int(p[8])))
            elif p[0] == "P" and len(p) == 3:
                polls.append((int(p[1]), int(p[2])))
            elif p[0] == "B" and len(p) == 5:
                bursts.append(dict(k=int(p[1]), start=int(p[2]), end=int(p[3]),
                                   sent=int(p[4])))
    return meta, wins, polls, bursts


def max_in(polls, ptimes, lo, hi):
    """Max of the polls with lo < t <= hi (0 if none)."""
    i, j = bisect.bisect_right(ptimes, lo), bisect.bisect_right(ptimes, hi)
    return max((v for _, v in polls[i:j]), default=0)


def nearest(polls, ptimes, t):
    i = bisect.bisect_left(ptimes, t)
    cand = [polls[k] for k in (i - 1, i) if 0 <= k < len(polls)]
    return min(cand, key=lambda p: abs(p[0] - t))[1]


def simulated(polls, ptimes, lo, hi, period, rng):
    """One phase of a period-`period` poller: its max inside (lo, hi]."""
    t = rng.randrange(period) + lo - period
    while t <= lo:
        t += period
    seen = 0
    while t <= hi:
        seen = max(seen, nearest(polls, ptimes, t))
        t += period
    return seen


def analyze(path, rng):
    meta, wins, polls, bursts = load(path)
    ptimes = [t for t, _ in polls]
    burst_end = {b["k"]: b["end"] for b in bursts}
    res = dict(meta=meta, windows=0, equal=0, diffs=[], exact=0, truth=[], gaps=[], margins=[],
               skipped=0, boundary=0, frac={p: [] for p in POLLERS},
               lengths=[(b["end"] - b["start"]) / 1e6 for b in bursts],
               sent=[b["sent"] for b in bursts])
    for prev, w in zip(wins, wins[1:]):
        # A window serve closed without our clear right after it (a missed
        # rename) has no truth of its own: left out, and counted.
        if w["resets"] != prev["resets"] + 1:
            res["skipped"] += 1
            continue
        lo, hi, truth = prev["after"], w["before"], w["truth"]
        res["windows"] += 1
        res["truth"].append(truth)
        res["equal"] += w["serve"] == truth
        if w["serve"] != truth:
            res["diffs"].append(w["serve"] - truth)
        res["exact"] += w["exact"] == 1
        res["gaps"].append((w["after"] - w["serve_end"]) / 1e6)
        if w["k"] in burst_end:
            res["margins"].append((w["serve_end"] - burst_end[w["k"]]) / 1e6)
        res["boundary"] = max(res["boundary"], max_in(polls, ptimes, hi - BOUNDARY_NS, hi))
        if truth == 0:
            continue
        res["frac"]["poll 10 ms"].append(100.0 * max_in(polls, ptimes, lo, hi) / truth)
        for name, period in PERIODS:
            for _ in range(PHASES):
                res["frac"][name].append(
                    100.0 * simulated(polls, ptimes, lo, hi, period, rng) / truth)
    return res


def plot_data(path, outdir, plotdir, rng):
    """Per window: truth, serve's published peak, one 1 s poller; plus the
    10 ms backlog series, for PLOT_WINDOWS windows of one trace."""
    meta, wins, polls, _ = load(path)
    ptimes = [t for t, _ in polls]
    sel = list(zip(wins, wins[1:]))[:PLOT_WINDOWS]
    t0 = sel[0][0]["after"]
    t1 = sel[-1][1]["before"]
    dat = os.path.join(outdir, "peak_timeline.dat")
    with open(dat, "w") as f:
        f.write("# t_s backlog (10 ms polls)\n")
        for t, v in polls:
            if t0 <= t <= t1:
                f.write(f"{(t - t0) / 1e9:.3f} {v}\n")
        f.write("\n\n# window: start_s end_s truth serve poll_1s\n")
        for prev, w in sel:
            lo, hi = prev["after"], w["before"]
            p1 = simulated(polls, ptimes, lo, hi, 1_000_000_000, rng)
            f.write(f"{(lo - t0) / 1e9:.3f} {(hi - t0) / 1e9:.3f} "
                    f"{w['truth']} {w['serve']} {p1}\n")
    gp = os.path.join(outdir, "peak_timeline.gp")
    png = os.path.join(plotdir, "peak_timeline.png")
    with open(gp, "w") as f:
        f.write(f"""set terminal pngcairo size 1000,450 noenhanced
set output '{png}'
set title 'Patched 6.12 guest: {meta.get("burst_ms")} ms bursts at {meta.get("rate")} records/s, one per {int(meta.get("window_ms")) / 1000:g} s window'
set xlabel 'time (s)'
set ylabel 'records in the audit queue'
set key below horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid
plot '{dat}' index 0 using 1:2 with steps lc rgb '#bbbbbb' title 'backlog, polled every 10 ms', \\
     '{dat}' index 1 using 1:3:($2-$1):(0) with vectors nohead lw 4 lc rgb '#2ca02c' title 'truth: kernel backlog_max_depth per window', \\
     '{dat}' index 1 using (($1+$2)/2):4 with points pt 7 ps 1.6 lc rgb '#1f77b4' title 'auditpeak serve: published window peak', \\
     '{dat}' index 1 using (($1+$2)/2):5 with points pt 5 ps 1.2 lc rgb '#d62728' title 'a 1 s backlog poller: max of its polls'
""")


def main():
    outdir, resdir, plotdir, traces = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    rng = random.Random(13)
    rows = []
    for path in traces:
        rows.append(analyze(path, rng))
    rows.sort(key=lambda r: (int(r["meta"]["burst_ms"]), int(r["meta"]["rate"])))
    med = statistics.median
    with open(os.path.join(resdir, "peak_capture.csv"), "w") as f:
        f.write("burst_ms,rate,window_ms,windows,median_true_peak,serve_equals_truth_pct,"
                "serve_minus_truth_when_not_equal,"
                + ",".join(p.replace(" ", "_") + "_median_pct," + p.replace(" ", "_") + "_mean_pct"
                           for p in POLLERS)
                + ",gap_median_ms,gap_max_ms,boundary_backlog_max,burst_end_to_window_end_min_ms\n")
        for r in rows:
            n = r["windows"]
            f.write(f"{r['meta']['burst_ms']},{r['meta']['rate']},{r['meta']['window_ms']},{n},"
                    f"{med(r['truth'])},"
                    f"{100.0 * r['equal'] / n:.1f},{' '.join(map(str, r['diffs']))},"
                    + ",".join(f"{med(r['frac'][p]):.1f},{statistics.fmean(r['frac'][p]):.1f}"
                               for p in POLLERS)
                    + f",{med(r['gaps']):.2f},{max(r['gaps']):.2f},{r['boundary']},"
                    f"{min(r['margins']):.0f}\n")
    print("| burst: asked -> measured length (median), records | window | windows | true peak (median) "
          "| auditpeak == truth | " + " | ".join(p + ": median (mean)" for p in POLLERS)
          + " | clears apart: median / max | queue at boundaries (max) | burst end to window end (min) |")
    print("|---" * (8 + len(POLLERS)) + "|")
    for r in rows:
        n, m = r["windows"], r["meta"]
        notes = []
        if r["diffs"]:
            notes.append("others: " + ", ".join(f"{d:+d}" for d in r["diffs"]))
        if r["exact"] != n:
            notes.append(f"{n - r['exact']} published as inexact")
        if r["skipped"]:
            notes.append(f"{r['skipped']} windows left out (missed clear)")
        note = f" ({'; '.join(notes)})" if notes else ""
        print(f"| {m['burst_ms']} ms at {m['rate']}/s -> {med(r['lengths']):.0f} ms, "
              f"{int(med(r['sent']))} | {int(m['window_ms']) / 1000:g} s | {n} | {med(r['truth'])} "
              f"| {100.0 * r['equal'] / n:.1f} %{note} | "
              + " | ".join(f"{med(r['frac'][p]):.1f} % ({statistics.fmean(r['frac'][p]):.1f} %)"
                           for p in POLLERS)
              + f" | {med(r['gaps']):.1f} / {max(r['gaps']):.1f} ms | {r['boundary']} "
              f"| {min(r['margins']):.0f} ms |")
    chosen = [t for t in traces if os.path.basename(t) == PLOT_TRACE] or traces[:1]
    plot_data(chosen[0], outdir, plotdir, rng)


main()
