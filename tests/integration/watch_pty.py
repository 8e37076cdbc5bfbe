#!/usr/bin/env python3
"""Drive `auditpeak watch` through a pseudo-terminal, as a person over ssh
would: a frame with every field, `q` quits with 0, SIGTERM exits with 0,
a resize redraws at the new width, and each time the terminal's settings
are exactly what they were before.  Prints one "ok: ..." or "FAIL: ..."
line per check."""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

AP = sys.argv[1]
FIELDS = ["source:", "backlog now:", "window peak:", "peak since start:",
          "limit:", "headroom:", "lost:", "wait time:", "window peaks:"]


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Watch:
    def __init__(self, args):
        self.master, self.slave = os.openpty()
        set_size(self.slave, 30, 100)
        self.saved = termios.tcgetattr(self.slave)

        def controlling_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        env = dict(os.environ, TERM="xterm", LC_ALL="C.UTF-8")
        self.proc = subprocess.Popen([AP, "watch"] + args, stdin=self.slave,
                                     stdout=self.slave, stderr=self.slave,
                                     preexec_fn=controlling_tty, env=env)
        self.out = b""

    def read_for(self, seconds, until=None):
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return False
                self.out += data
                if until and until(self.out):
                    return True
        return False

    def last_frame(self):
        """The last frame drawn whole: each ends with clear-below (ESC [J);
        a read can stop in the middle of the next one."""
        text = self.out.decode("utf-8", "replace")
        return text[:text.rfind("\x1b[J")].split("\x1b[H")[-1]

    def wait_exit(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.read_for(0.1)
            rc = self.proc.poll()
            if rc is not None:
                return rc
        self.proc.kill()
        return self.proc.wait()

    def restored(self):
        return termios.tcgetattr(self.slave) == self.saved

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def frames_with(n):
    return lambda out: out.count(b"\x1b[H") >= n


def quits_on_q():
    w = Watch(["--backend", "bpf", "--interval", "200ms", "--window", "1s"])
    w.read_for(60, frames_with(3))
    frame = w.last_frame()
    check(w.out.startswith(b"\x1b[?1049h"), "watch switches to the alternate screen")
    for f in FIELDS:
        check(re.search(r"(^|\n)" + re.escape(f), frame) is not None,
              "frame shows '%s'" % f)
    check("bpf (exact)" in frame, "frame names the peak source and that it is exact")
    check(termios.tcgetattr(w.slave)[3] & termios.ECHO == 0,
          "echo is off while watching (a single key is read)")
    # Resize: the headroom bar follows the new width.  Frames drawn before
    # the resize may still sit unread in the terminal, so wait for a frame
    # at the new width rather than for the next frames.
    bar = len(re.search(r"\[[#.]+\]", frame).group(0))
    set_size(w.slave, 30, 140)
    w.proc.send_signal(signal.SIGWINCH)

    def bar_width():
        m = re.search(r"\[[#.]+\]", w.last_frame())
        return len(m.group(0)) if m else None
    w.read_for(60, lambda out: bar_width() == bar + 40)
    check(bar_width() == bar + 40,
          "SIGWINCH redraws at the new width (bar %d -> %s)" % (bar, bar_width()))
    os.write(w.master, b"q")
    rc = w.wait_exit(30)
    check(rc == 0, "q quits with exit code 0 (got %s)" % rc)
    check(w.out.endswith(b"\x1b[?25h\x1b[?1049l"),
          "the cursor is shown and the normal screen is back")
    check(w.restored(), "terminal settings restored after q")
    w.close()


def exits_on(sig):
    w = Watch(["--backend", "sample", "--interval", "200ms"])
    w.read_for(60, frames_with(2))
    w.proc.send_signal(sig)
    rc = w.wait_exit(30)
    name = signal.Signals(sig).name
    check(rc == 0, "%s ends watch with exit code 0 (got %s)" % (name, rc))
    check(w.out.endswith(b"\x1b[?25h\x1b[?1049l"), "screen restored after " + name)
    check(w.restored(), "terminal settings restored after " + name)
    w.close()


def once():
    p = subprocess.run([AP, "watch", "--once", "--backend", "bpf",
                        "--interval", "300ms"], capture_output=True, timeout=60)
    check(p.returncode == 0, "--once exits 0 (got %d: %s)" % (p.returncode, p.stderr.decode()))
    text = p.stdout.decode()
    for f in FIELDS:
        check(re.search(r"(^|\n)" + re.escape(f), text) is not None,
              "--once shows '%s'" % f)
    check("\x1b" not in text, "--once output is plain text (no escape sequences)")


def piped():
    """Not a terminal: plain frames one after another, no escapes."""
    p = subprocess.Popen([AP, "watch", "--backend", "sample", "--interval", "200ms"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    out = b""
    end = time.monotonic() + 60
    while out.count(b"backlog now:") < 3 and time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
    p.send_signal(signal.SIGTERM)
    rest, _ = p.communicate(timeout=30)
    text = (out + rest).decode()
    check(p.returncode == 0, "piped watch ends on SIGTERM with 0 (got %d)" % p.returncode)
    check(text.count("backlog now:") >= 3 and "\x1b" not in text,
          "piped output is successive plain frames")


quits_on_q()
exits_on(signal.SIGTERM)
exits_on(signal.SIGINT)
once()
piped()
