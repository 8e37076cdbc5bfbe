#!/usr/bin/env python3
"""kernel_cost.csv -> medians, ratio, spread and a noise check.

The ratio of medians (patched / vanilla) is the cost estimate.  Its noise:
the per-boot medians' spread, and a permutation test on the boot medians
(how often a random relabelling of the boots gives a ratio at least as far
from 1 as the measured one: a large value means the difference cannot be
told from noise).
"""
import csv
import itertools
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
runs = {"patched": [], "vanilla": []}
boots = {}
for r in rows:
    v = float(r["records_per_s"])
    runs[r["flavor"]].append(v)
    boots.setdefault((r["flavor"], r["boot"]), []).append(v)
boot_med = {"patched": [], "vanilla": []}
for (flavor, _), vals in sorted(boots.items()):
    boot_med[flavor].append(statistics.median(vals))


def ratio(p, v):
    return statistics.median(p) / statistics.median(v)


measured = ratio(boot_med["patched"], boot_med["vanilla"])
pool = boot_med["patched"] + boot_med["vanilla"]
n = len(boot_med["patched"])
extreme = total = 0
for pick in itertools.combinations(range(len(pool)), n):
    p = [pool[i] for i in pick]
    v = [pool[i] for i in range(len(pool)) if i not in pick]
    total += 1
    extreme += abs(ratio(p, v) - 1) >= abs(measured - 1) - 1e-12
print("| kernel | boots | runs | median records/s (all runs) | per-boot medians: min - max | spread of per-boot medians (max/min - 1) |")
print("|---|---|---|---|---|---|")
for f in ("patched", "vanilla"):
    bm = boot_med[f]
    print(f"| {f} | {len(bm)} | {len(runs[f])} | {statistics.median(runs[f]):.0f} | "
          f"{min(bm):.0f} - {max(bm):.0f} | {100 * (max(bm) / min(bm) - 1):.0f} % |")
print()
print(f"patched / vanilla, median of per-boot medians: {measured:.3f} "
      f"({100 * (measured - 1):+.1f} %); all runs pooled: "
      f"{ratio(runs['patched'], runs['vanilla']):.3f}")
print(f"permutation test over boots: {extreme}/{total} relabellings give a ratio at least "
      f"as far from 1 (p = {extreme / total:.2f})")
