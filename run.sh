#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh Debian 12 machine as root:
# install what is missing, build, and show the kernel audit queue's status.
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
exec build/src/auditpeak status "$@"
