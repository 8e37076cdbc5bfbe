#!/usr/bin/env python3
"""`auditpeak advise --duration 1h` on a pseudo-terminal, as a person runs
it: one progress line redrawn in place (elapsed, remaining, windows closed,
deepest peak so far) that follows the records queued meanwhile; Ctrl-C
(SIGINT) clears the line and advises on what was seen.  Then the same with
stderr not a terminal: no progress at all.  Prints one "ok: ..." or
"FAIL: ..." line per check.  Usage: advise_pty.py AUDITPEAK AUDIT_CTL"""
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

AP, AUDIT_CTL = sys.argv[1], sys.argv[2]
ARGS = ["advise", "--backend", "bpf", "--duration", "1h",
        "--interval", "200ms", "--window", "1s"]
PROGRESS = re.compile(rb"\r(auditpeak advise: ([0-9hms]+) elapsed, ([0-9hms]+) left, "
                      rb"([0-9]+) windows closed, (deepest peak ([0-9]+)|no peak yet))\x1b\[K")


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)


def seconds(text):
    """'1h02m03s', '2m03s', '5s' -> seconds."""
    h, m, s = re.fullmatch(rb"(?:(\d+)h)?(?:(\d+)m)?(\d+)s", text).groups()
    return int(h or 0) * 3600 + int(m or 0) * 60 + int(s)


class Pty:
    def __init__(self, argv):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True)
        os.close(slave)
        self.out = b""

    def read_until(self, pred, seconds):
        """Read until pred(output) holds; False after @seconds."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if pred(self.out):
                return True
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    return pred(self.out)
        return pred(self.out)

    def finish(self, seconds):
        self.read_until(lambda out: self.proc.poll() is not None, seconds)
        if self.proc.poll() is None:
            self.proc.kill()
        rc = self.proc.wait()
        self.read_until(lambda out: False, 0.3)
        return rc


def progress(out):
    return PROGRESS.findall(out)


def on_a_terminal():
    t = Pty([AP] + ARGS)
    # Ready: the first progress line, drawn after the first poll.
    if not t.read_until(lambda out: progress(out), 60):
        check(False, "a progress line appears on the terminal: %r" % t.out[-300:])
        t.proc.kill()
        return
    first = progress(t.out)[-1]
    check(seconds(first[2]) > 3500,
          "it counts down from the hour asked (%s left)" % first[2].decode())
    mark = len(t.out)
    subprocess.run([AUDIT_CTL, "user-msg", "300"], check=True)
    # The probe saw the records queued: a deepest peak shows up.
    deep = lambda out: any(p[5] and int(p[5]) > 0 for p in progress(out[mark:]))
    check(t.read_until(deep, 60), "the line shows the deepest peak so far")
    two = lambda out: any(int(p[3]) >= 2 for p in progress(out))
    check(t.read_until(two, 60), "the line counts the windows closed")
    lines = progress(t.out)
    last = lines[-1]
    check(seconds(last[1]) >= seconds(first[1]) and seconds(last[2]) <= seconds(first[2]),
          "elapsed grows and remaining shrinks (%s/%s -> %s/%s)" %
          (first[1].decode(), first[2].decode(), last[1].decode(), last[2].decode()))
    # (The terminal turns each "\n" into "\r\n": start at the first redraw.)
    drawn = t.out[PROGRESS.search(t.out).start():t.out.rfind(b"\x1b[K")]
    check(len(lines) >= 3 and b"\n" not in drawn,
          "one line redrawn in place (%d redraws, no newline between them)" % len(lines))
    t.proc.send_signal(signal.SIGINT)
    rc = t.finish(60)
    check(rc == 0, "Ctrl-C ends the observation and advises (exit %s)" % rc)
    tail = t.out[t.out.rfind(b"\x1b[K"):]
    check(t.out.count(b"\r\x1b[K") >= 1 and tail.startswith(b"\x1b[K") and
          b"recommended backlog_limit: " in tail and b"elapsed" not in tail,
          "the line is cleared before the advice")
    check(re.search(rb"evidence: observed, [0-9]+ windows? of 1 s", tail) is not None,
          "the advice rests on the windows seen before Ctrl-C")


def not_a_terminal():
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([AP] + ARGS[:4] + ["2s", "--interval", "200ms", "--window", "1s"],
                             stdout=subprocess.PIPE, stderr=err)
        out, _ = p.communicate(timeout=120)
        err.seek(0)
        text = err.read()
    check(p.returncode == 0, "advise with output not a terminal exits 0 (got %d)" % p.returncode)
    check(b"observing for 2s" in text and b"elapsed" not in text and b"\r" not in text
          and b"\x1b" not in text,
          "no progress line when stderr is not a terminal: %r" % text)
    check(b"recommended backlog_limit" in out, "and the advice is printed")


on_a_terminal()
not_a_terminal()
