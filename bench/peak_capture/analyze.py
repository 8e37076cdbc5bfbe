#!/usr/bin/env python3
"""Peak capture: traces of peak-capture -> table, CSV and the timeline plot.

    analyze.py OUTDIR TRACE...

Each TRACE is peak-capture's output (host or guest).  The true peak of a
window is the max of the exact backend's 10 ms read-and-clear slots inside
it.  Pollers:
  10 ms  the real AUDIT_GET series (one phase: the one that ran);
  1 s, 15 s  simulated from that series: PHASES random phases each, every
         simulated poll takes the real 10 ms poll nearest to its instant.
A poller's estimate of a window's peak is the max of its polls inside the
window (what a max-over-time panel would show).  auditpeak's value for a
window is the exact peak, so its column is 100 % unless some poll saw more
than it (which would mean the backend under-reports: checked, not assumed).
Percentages are medians over windows x phases.
"""
import bisect
import os
import random
import statistics
import sys

WINDOW_NS = int(float(os.environ.get("PEAK_WINDOW_S", "15")) * 1e9)  # 15 s: one 15 s poll per window
PHASES = 200
PERIODS = (("poll 15 s", 15_000_000_000), ("poll 1 s", 1_000_000_000))


def load(path):
    meta, series = {}, {"T": [], "P": [], "B": []}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "#":
                meta = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
            elif parts[0] in series and len(parts) == 3:
                series[parts[0]].append((int(parts[1]), int(parts[2])))
    return meta, series


def max_in(samples, times, lo, hi):
    i, j = bisect.bisect_left(times, lo), bisect.bisect_left(times, hi)
    return max((v for _, v in samples[i:j]), default=0)


def nearest(polls, ptimes, t):
    i = bisect.bisect_left(ptimes, t)
    best = [polls[k] for k in (i - 1, i) if 0 <= k < len(polls)]
    return min(best, key=lambda p: abs(p[0] - t))[1]


def burst_lengths_ms(bursts):
    return [(bursts[k + 1][0] - bursts[k][0]) / 1e6
            for k in range(0, len(bursts) - 1, 2)]


def analyze(path, rng):
    meta, s = load(path)
    truth, polls = s["T"], s["P"]
    ttimes, ptimes = [t for t, _ in truth], [t for t, _ in polls]
    end = truth[-1][0] if truth else 0
    frac = {"poll 15 s": [], "poll 1 s": [], "poll 10 ms": [], "auditpeak": []}
    peaks, over = [], 0
    for lo in range(0, end - WINDOW_NS + 1, WINDOW_NS):
        hi = lo + WINDOW_NS
        true = max_in(truth, ttimes, lo, hi)
        seen10 = max_in(polls, ptimes, lo, hi)
        if true == 0:
            continue
        peaks.append(true)
        over += seen10 > true
        frac["auditpeak"].append(100.0 * true / max(true, seen10))
        frac["poll 10 ms"].append(100.0 * seen10 / true)
        for name, period in PERIODS:
            for _ in range(PHASES):
                t = lo + rng.randrange(period)
                seen = 0
                while t < hi:
                    seen = max(seen, nearest(polls, ptimes, t))
                    t += period
                frac[name].append(100.0 * seen / true)
    bl = burst_lengths_ms(s["B"])
    sent = [v for _, v in s["B"][1::2]]
    return meta, frac, peaks, over, bl, sent


def plot(path, outdir, plotdir, rng):
    """Timeline of one trace: truth, a 1 s poller, auditpeak's 1 s windows."""
    _, s = load(path)
    truth, polls = s["T"], s["P"]
    ptimes = [t for t, _ in polls]
    lo, hi = 2_000_000_000, 8_000_000_000
    data = os.path.join(outdir, "peak_timeline.dat")
    phase = rng.randrange(1_000_000_000)
    with open(data, "w") as f:
        f.write("# t_s true_slot_max\n")
        for t, v in truth:
            if lo <= t < hi:
                f.write(f"{t / 1e9:.3f} {v}\n")
        f.write("\n\n# t_s poll_1s_value\n")
        t = phase
        while t < hi:
            if t >= lo:
                f.write(f"{t / 1e9:.3f} {nearest(polls, ptimes, t)}\n")
            t += 1_000_000_000
        f.write("\n\n# t_s auditpeak_1s_window_peak\n")
        ttimes = [t for t, _ in truth]
        for w in range(lo, hi, 1_000_000_000):
            v = max_in(truth, ttimes, w, w + 1_000_000_000)
            f.write(f"{w / 1e9:.3f} {v}\n{(w + 1_000_000_000) / 1e9:.3f} {v}\n\n")
    png = os.path.join(plotdir, "peak_timeline.png")
    script = f"""
set terminal pngcairo size 1000,450 noenhanced
set output '{png}'
set title 'Audit queue depth: 100 ms micro-bursts, one per second (host, bpf backend)'
set xlabel 'time (s)'
set ylabel 'records in audit queue'
set key below horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set grid
plot '{data}' index 0 using 1:2 with steps lc rgb '#999999' title 'true depth (exact max per 10 ms, bpf)', \\
     '{data}' index 2 using 1:2 with lines lw 3 lc rgb '#1f77b4' title 'auditpeak: exact peak per 1 s window', \\
     '{data}' index 1 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'what a 1 s backlog poller saw'
"""
    with open(os.path.join(outdir, "peak_timeline.gp"), "w") as f:
        f.write(script)
    return os.path.join(outdir, "peak_timeline.gp")


def main():
    outdir, traces = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    plotdir = os.path.join(os.path.dirname(os.path.abspath(outdir)), "plots")
    os.makedirs(plotdir, exist_ok=True)
    rng = random.Random(6)
    cols = ["poll 15 s", "poll 1 s", "poll 10 ms", "auditpeak"]
    rows = []
    for path in traces:
        meta, frac, peaks, over, bl, sent = analyze(path, rng)
        where = "guest, kernel field" if meta.get("backend") == "kernel" else "host, bpf"
        rows.append((where, meta, frac, peaks, over, bl, sent))
    rows.sort(key=lambda r: (r[0], int(r[1].get("burst_ms", 0)), int(r[1].get("rate", 0))))
    with open(os.path.join(outdir, "peak_capture.csv"), "w") as f:
        f.write("where,burst_ms,rate,windows,median_true_peak," +
                ",".join(c.replace(" ", "_") for c in cols) + "\n")
        for where, meta, frac, peaks, over, bl, sent in rows:
            f.write(f"{where},{meta.get('burst_ms')},{meta.get('rate')},{len(peaks)},"
                    f"{statistics.median(peaks) if peaks else 0}," +
                    ",".join(f"{statistics.median(frac[c]):.1f}" if frac[c] else ""
                             for c in cols) + "\n")
    print("| where (exact source) | burst: asked -> measured length, records | windows | true peak (median) | "
          + " | ".join(cols) + " |")
    print("|---" * (4 + len(cols)) + "|")
    for where, meta, frac, peaks, over, bl, sent in rows:
        cells = [f"{statistics.median(frac[c]):.1f} %" if frac[c] else "-" for c in cols]
        foreign = int(meta.get("foreign_daemon_polls", "0"))
        note = f" (other load on the host in {foreign} polls)" if foreign else ""
        note += f"; {over} windows where a poll exceeded the exact peak" if over else ""
        print(f"| {where}{note} | {meta.get('burst_ms')} ms at {meta.get('rate')}/s -> "
              f"{statistics.median(bl):.0f} ms, {statistics.median(sent)} | {len(peaks)} | "
              f"{statistics.median(peaks) if peaks else 0} | " + " | ".join(cells) + " |")
    host100 = [p for p in traces if "host-100ms" in os.path.basename(p)]
    if host100:
        print("@@plot " + plot(host100[0], outdir, plotdir, rng))


main()
