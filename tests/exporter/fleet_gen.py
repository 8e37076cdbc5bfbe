#!/usr/bin/env python3
"""A synthetic fleet of `auditpeak serve` exporters, as Prometheus would
have scraped them, for `auditpeak advise --prometheus` tests and benchmarks.

Writes OpenMetrics files for `promtool tsdb create-blocks-from openmetrics`
(one file per 2-hour block: promtool reads its whole input once per block
it spans, so one file per block keeps the import linear) and truth.json:
per host, the window peaks of the range (as a histogram), their max, the
limit, the records lost and the peak source.

What a scrape sees is modelled on serve's exposition: one window closes per
scrape (--window = scrape interval = STEP); auditpeak_last_window_peak is
written at every scrape, as Prometheus would keep it.  Counters and
constant gauges are written every hour and at the scrapes next to the
range's two ends: the queries advise makes (last/min/max_over_time, and the
value at the range's start) read the same numbers from them as from a
scrape every STEP, and the import stays small.

Host kinds, by index: a steady host, a bursty one (rare large bursts), one
that hits its limit and loses records, one on the sample source (a lower
bound), one with a wrongly huge limit, one that started inside the range,
and bpf hosts that measure record sizes.
"""
import argparse
import json
import os
import random

BOUNDS = [0] + [1 << i for i in range(21)]  # le of the 22 finite buckets
HOUR = 3600


def bucket_of(v):
    for i, b in enumerate(BOUNDS):
        if v <= b:
            return i
    return len(BOUNDS)  # +Inf


class Host:
    def __init__(self, i, rng, args):
        self.instance = "host-%05d:9814" % i
        self.kind = ["steady", "bursty", "losing", "sample", "huge-limit",
                     "late", "bpf", "steady", "bursty", "bpf"][i % 10] \
            if i < 10 else rng.choice(["steady", "steady", "bursty", "bpf"])
        self.source, self.exact = ("sample", False) if self.kind == "sample" \
            else (("bpf" if self.kind == "bpf" else "kernel"), True)
        self.limit = {"losing": 1024, "huge-limit": 1048576}.get(self.kind, 8192)
        self.base = rng.randint(20, 1500)
        self.rng = random.Random(rng.random())
        self.record_bytes = 2304 + 256 * rng.randint(0, 4)

    def peak(self, k):
        r = self.rng
        if self.kind == "huge-limit":
            return r.randint(50, 150)
        if self.kind == "losing":
            return self.limit + r.randint(1, 40) if r.random() < 0.05 else r.randint(200, 900)
        if self.kind == "bursty" and r.random() < 0.002:
            return r.randint(3000, 12000)
        return max(0, int(r.gauss(self.base, self.base / 5)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--step", type=int, default=300)
    ap.add_argument("--end", type=int, required=True,
                    help="unix time of the last scrape")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    hosts = [Host(i, rng, a) for i in range(a.hosts)]
    rng_s = int(a.days * 86400)
    at = a.end + a.step // 2          # advise --at: between two scrapes
    start_range = at - rng_s
    # Scrapes from two before the range's start to the end.
    t0 = a.end - ((a.end - start_range) // a.step + 2) * a.step
    times = list(range(t0, a.end + 1, a.step))
    boundary = max(t for t in times if t <= start_range)
    sparse = [t for t in times if t % HOUR < a.step or t in (boundary, a.end)]
    late_start = start_range + rng_s // 2

    # Per host, per scrape: the cumulative state after that scrape.
    series = {}  # (family, labels) -> list of (t, value)
    truth = {"at": at, "range_seconds": rng_s, "step": a.step, "hosts": []}
    for h in hosts:
        lab = 'job="auditpeak",instance="%s"' % h.instance
        buckets = [0] * (len(BOUNDS) + 1)
        count = total = lost = sized = size_sum = 0
        peaks, cum = [], {}
        in_range = [0] * (len(BOUNDS) + 1)
        rmax, rlost = None, 0
        started = h.kind != "late"
        for k, t in enumerate(times):
            if not started and t >= late_start:
                started = True
                first = t  # serve's first scrape: nothing closed yet
                cum[t] = (list(buckets), count, total, lost, size_sum, sized, None)
                continue
            if not started:
                continue
            p = None
            if k > 0 and not (h.kind == "late" and t == first):
                p = h.peak(k)
                # The queue stops at its limit: the rest is lost.
                n_lost = max(0, p - h.limit)
                p = min(p, h.limit)
                b = bucket_of(p)
                buckets[b] += 1
                count += 1
                total += p
                lost += n_lost
                if h.kind == "bpf":
                    sized += p + 1
                    size_sum += (p + 1) * h.record_bytes
                if t > start_range:
                    in_range[b] += 1
                    rmax = p if rmax is None else max(rmax, p)
                    rlost += n_lost
            cum[t] = (list(buckets), count, total, lost, size_sum, sized, p)
        ts = sorted(cum)
        dense = [(t, cum[t][6]) for t in ts if cum[t][6] is not None]
        series.setdefault(("auditpeak_last_window_peak", "gauge"), []).append(
            (lab, dense))
        series.setdefault(("auditpeak_last_window_peak_exact", "gauge"), []).append(
            (lab, [(t, 1 if h.exact else 0) for t, _ in dense if t in sparse or t == a.end]))
        sp = [t for t in ts if t in sparse or t == ts[0]]
        series.setdefault(("auditpeak_backlog_limit", "gauge"), []).append(
            (lab, [(t, h.limit) for t in sp]))
        series.setdefault(("auditpeak_window_seconds", "gauge"), []).append(
            (lab, [(t, a.step) for t in sp]))
        series.setdefault(("auditpeak_peak_source", "info"), []).append(
            (lab + ',source="%s",exact="%s"' % (h.source, "true" if h.exact else "false"),
             [(t, 1) for t in sp]))
        series.setdefault(("auditpeak_lost", "counter"), []).append(
            (lab, [(t, cum[t][3]) for t in sp]))
        series.setdefault(("auditpeak_window_peak", "histogram"), []).append(
            (lab, [(t, cum[t]) for t in sp]))
        if h.kind == "bpf":
            series.setdefault(("auditpeak_queued_record_size_bytes", "summary"), []).append(
                (lab, [(t, cum[t]) for t in sp]))
        truth["hosts"].append({
            "instance": h.instance, "kind": h.kind, "source": h.source,
            "exact": h.exact, "limit": h.limit, "max": rmax,
            "buckets": in_range, "windows": sum(in_range), "lost": rlost,
            "window_seconds": a.step,
            "record_bytes": h.record_bytes if h.kind == "bpf" else None,
        })

    # One OpenMetrics file per 2-hour block.
    blocks = {}
    def out(t):
        slot = t // 7200
        if slot not in blocks:
            blocks[slot] = {}
        return blocks[slot]
    def add(slot_map, fam, typ, line):
        slot_map.setdefault((fam, typ), []).append(line)
    for (fam, typ), per_host in series.items():
        for lab, pts in per_host:
            for t, v in pts:
                m = out(t)
                if typ == "histogram":
                    bk, count, total = v[0], v[1], v[2]
                    c = 0
                    for i, b in enumerate(BOUNDS):
                        c += bk[i]
                        add(m, fam, typ, '%s_bucket{%s,le="%d"} %d %d' % (fam, lab, b, c, t))
                    add(m, fam, typ, '%s_bucket{%s,le="+Inf"} %d %d' % (fam, lab, count, t))
                    add(m, fam, typ, '%s_count{%s} %d %d' % (fam, lab, count, t))
                    add(m, fam, typ, '%s_sum{%s} %d %d' % (fam, lab, total, t))
                elif typ == "summary":
                    add(m, fam, typ, '%s_sum{%s} %d %d' % (fam, lab, v[4], t))
                    add(m, fam, typ, '%s_count{%s} %d %d' % (fam, lab, v[5], t))
                elif typ == "counter":
                    add(m, fam, typ, '%s_total{%s} %d %d' % (fam, lab, v, t))
                elif typ == "info":
                    add(m, fam, typ, '%s_info{%s} %d %d' % (fam, lab, v, t))
                else:
                    add(m, fam, typ, '%s{%s} %d %d' % (fam, lab, v, t))
    for slot, fams in sorted(blocks.items()):
        with open(os.path.join(a.out, "block-%d.om" % slot), "w") as f:
            for (fam, typ), lines in fams.items():
                f.write("# TYPE %s %s\n" % (fam, typ))
                f.write("\n".join(lines))
                f.write("\n")
            f.write("# EOF\n")
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    main()
