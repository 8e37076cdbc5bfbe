#!/usr/bin/env bash
# auditpeak watch through a pseudo-terminal (watch_pty.py does the
# driving): frame fields, q, SIGTERM/SIGINT, resize, --once, piped output.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { fail "python3 is not installed (tools/install-deps)"; exit 1; }

run_checker watch_pty.py python3 "$(dirname "$0")/watch_pty.py" "$AUDITPEAK"
