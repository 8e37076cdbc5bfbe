#!/usr/bin/env python3
"""bpf_icount.csv -> the probe's added guest instructions per audit record.

    icount_analyze.py bpf_icount.csv OUTDIR

One row per kernel and workload (AUDIT_USER records, audited getppid
records, open/close pairs that write no record).  Values are guest ns per
record (or per pair) under -icount shift=4, so ns / 16 = instructions.  Each
state's value is the median of its runs; "added" is on - off; "share" is
on / off - 1; "runs" is the larger (max/min - 1) of the two states' runs, how
repeatable the boot was; the goal column judges with that spread added
(met) or taken away (missed), and says "unresolved" in between.  "paired"
is the range of on - off over the runs, each probe run against the run
without the probe just before it (the same moment of the boot).
OUTDIR/KERNEL/path holds the attach path record-cost reported.

A second table from OUTDIR/KERNEL-programs/results.log (probe-cost in the
same kind of boot): for the audited getppid loop, each of the probe's
programs' runs per record and instructions per run by the kernel's BPF
statistics (run_time_ns / 16: the program's body, without the trampoline
that calls it, plus bpf_stats' own two clock reads).
"""
import collections
import csv
import re
import os
import statistics
import sys

NS_PER_INSN = 16  # -icount shift=4
GOAL_INSNS = 250
GOAL_SHARE = 0.01

vals = collections.defaultdict(list)  # (kernel, mode, probe) -> ns
by_run = collections.defaultdict(dict)  # (kernel, mode, probe) -> run -> ns
for r in csv.DictReader(open(sys.argv[1])):
    vals[(r["kernel"], r["mode"], r["probe"])].append(float(r["ns_per_unit"]))
    by_run[(r["kernel"], r["mode"], r["probe"])][r["run"]] = float(r["ns_per_unit"])

unit = {"user": "AUDIT_USER record", "syscall": "audited getppid record",
        "openclose": "open/close pair (no record)"}
print("| kernel | probe path | per | off: ns (instructions) | on: ns (instructions) "
      "| added instructions | paired | share | runs within the boot | goal |")
print("|---" * 10 + "|")
for kernel in sorted({k for k, _, _ in vals}, key=lambda k: [int(x) if x.isdigit() else x
                                                             for x in k.replace("-", ".").split(".")]):
    try:
        path = open(os.path.join(sys.argv[2], kernel, "path")).read().strip()
    except OSError:
        path = "?"
    for mode in ("user", "syscall", "openclose"):
        off, on = vals.get((kernel, mode, "off")), vals.get((kernel, mode, "on"))
        if not off or not on:
            continue
        moff, mon = statistics.median(off), statistics.median(on)
        added = (mon - moff) / NS_PER_INSN
        share = mon / moff - 1
        within = max(max(v) / min(v) - 1 for v in (off, on))
        roff, ron = by_run[(kernel, mode, "off")], by_run[(kernel, mode, "on")]
        pairs = [(ron[r] - roff[r]) / NS_PER_INSN for r in roff if r in ron]
        paired = f"{min(pairs):+.0f}..{max(pairs):+.0f}" if pairs else "-"
        # The runs' spread bounds what one boot can tell: judged met only
        # when the share plus the spread fits, missed only when the share
        # less the spread does not, else unresolved.
        slack_insns = within * moff / NS_PER_INSN
        if mode == "openclose":
            fits_hi, fits_lo = share + within < GOAL_SHARE, share - within < GOAL_SHARE
            target = "< 1 %"
        else:
            fits_hi = share + within <= GOAL_SHARE and added + slack_insns <= GOAL_INSNS
            fits_lo = share - within <= GOAL_SHARE and added - slack_insns <= GOAL_INSNS
            target = f"<= {GOAL_INSNS} and <= 1 %"
        goal = ("met" if fits_hi else "missed" if not fits_lo else "unresolved") + f" ({target})"
        print(f"| {kernel} | {path} | {unit[mode]} | {moff:.0f} ({moff / NS_PER_INSN:.0f}) "
              f"| {mon:.0f} ({mon / NS_PER_INSN:.0f}) | {added:+.0f} | {paired} | {share * 100:+.2f} % "
              f"| {within * 100:.2f} % | {goal} |")

RECORDS_PER_CALL = 3
print()
print("| kernel | program | runs per audited record | instructions per run (bpf_stats) "
      "| instructions per record |")
print("|---" * 5 + "|")
for kernel in sorted({k for k, _, _ in vals}):
    try:
        lines = open(os.path.join(sys.argv[2], kernel + "-programs", "results.log")).read().splitlines()
    except OSError:
        continue
    records = None
    for line in lines:
        f = line.split()
        if f and f[0] == "audited" and len(f) >= 10:
            records = float(f[8])
    for line in lines:
        m = re.match(r"# audited program (\S+): (\d+) runs, ([\d.]+) ns/run", line)
        if m and records:
            runs, ns = int(m.group(2)), float(m.group(3))
            print(f"| {kernel} | {m.group(1)} | {runs / records:.2f} | {ns / NS_PER_INSN:.0f} "
                  f"| {runs * ns / NS_PER_INSN / records:.0f} |")
