#!/usr/bin/env bash
# auditpeak watch through a pseudo-terminal (watch_pty.py does the
# driving): frame fields, q, SIGTERM/SIGINT, resize, --once, piped output.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { fail "python3 is not installed (tools/install-deps)"; exit 1; }

out="$tmpdir/watch_pty.out"
python3 "$(dirname "$0")/watch_pty.py" "$AUDITPEAK" >"$out" 2>&1
rc=$?
while read -r verdict rest; do
	case "$verdict" in
	ok:) ok "$rest" ;;
	FAIL:) fail "$rest" ;;
	*) echo "$verdict $rest" ;;
	esac
done <"$out"
expect_eq "watch_pty.py exit code" "$rc" 0
