#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh Debian 12 machine as root:
# install what is missing, build, and run the exporter (`auditpeak serve`:
# 127.0.0.1:9814, poll 1 s, window 60 s, best peak source) until Ctrl-C.
# Any other auditpeak command can be given instead: ./run.sh status
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
[ $# -gt 0 ] || set -- serve
exec build/src/auditpeak "$@"
