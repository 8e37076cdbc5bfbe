#!/usr/bin/env bash
# kernel/rig/guest-console.sh: which guest deaths are booted once more.
# A scripted boot command stands in for QEMU (writing the console and the
# second serial port as a guest would).  The consoles are trimmed from
# real ones, the kfree one from the Debian 13 boot that died in CI (its
# "Oops: int3" header is put back: CI's excerpt began below it), and an
# oops inside audit code, which must not be retried.
# shellcheck disable=SC2034 # the consoles are read by name (scripted_boot)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../kernel/rig/guest-console.sh
. "$here/../../kernel/rig/guest-console.sh"
failures=0
checks=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
expect() { # CONDITION-STATUS MESSAGE
	if [ "$1" = 0 ]; then ok "$2"; else fail "$2"; fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

int3_in_kfree='[   20.640112] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI
[   20.650169]  </TASK>
[   20.651159] ---[ end trace 0000000000000000 ]---
[   20.651306] RIP: 0010:kfree+0xa0/0x350
[   20.651348] Code: 4d 8b 6c 24 08 48 89 5c 24 10 66 <90> 4d 8b 44 24 38
[   20.651763] Kernel panic - not syncing: Fatal exception in interrupt'
oops_in_audit='[   12.100000] BUG: kernel NULL pointer dereference, address: 0000000000000008
[   12.100100] Oops: 0000 [#1] PREEMPT SMP NOPTI
[   12.100200] RIP: 0010:audit_log_end+0x51/0x110
[   12.100300] Kernel panic - not syncing: Fatal exception'
bpf_in_trace_by_auditd='[   18.000000] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI
[   18.000100] CPU: 1 UID: 0 PID: 345 Comm: auditd Not tainted 6.12.57+deb13-cloud-amd64 #1
[   18.000200] RIP: 0010:kfree+0xa0/0x350
[   18.000300]  __bpf_prog_put_rcu+0x2a/0x40
[   18.000400]  rcu_core+0x1c3/0x5d0
[   18.000500] Modules linked in: nfnetlink qemu_fw_cfg ip_tables x_tables autofs4
[   18.000600] Kernel panic - not syncing: Fatal exception in interrupt'
clean='[    1.000000] Run /init as init process
[   30.000000] reboot: Power down'

# The scripted boots: boot N prints the Nth of the consoles given, and the
# framed test output when it is "test" or ends in "after-test".
consoles=()
boots=0
scripted_boot() {
	local c=${consoles[$boots]}
	boots=$((boots + 1))
	: > "$out/serial1.log"
	case $c in
	clean | after-test)
		printf '@@AUDITPEAK-BEGIN@@\nok - x\n' >> "$out/serial1.log" ;;
	esac
	case $c in
	clean) printf '%s\n' "$clean" > "$out/console.log"
		echo '@@AUDITPEAK-END rc=0@@' >> "$out/serial1.log" ;;
	after-test) printf '%s\n' "$int3_in_kfree" > "$out/console.log" ;;
	*) printf '%s\n' "${!c}" > "$out/console.log" ;;
	esac
}
ours=audit
run() { # CONSOLES...: the boots' consoles in order (what is ours: $ours)
	consoles=("$@")
	boots=0
	rm -f "$out"/*.log
	guest_boot_once_more_if_early_death "test guest" "$out" "$ours" scripted_boot 2> "$out/stderr"
}

run clean
[ "$boots" = 1 ] && [ ! -e "$out/console.first-boot.log" ]
expect $? "a clean boot is booted once (boots: $boots)"

run int3_in_kfree clean
[ "$boots" = 2 ]
expect $? "a kernel that died before the test, naming no audit or BPF code, is booted once more (boots: $boots)"
grep -q 'Oops: int3' "$out/console.first-boot.log" && grep -q 'Power down' "$out/console.log"
expect $? "the first console is kept as console.first-boot.log, the second is console.log"
grep -q '^test guest: the kernel died before the test began (.*Oops: int3.*); booting once more' "$out/stderr"
expect $? "the retry is told on stderr: $(head -c 160 "$out/stderr")"

run int3_in_kfree int3_in_kfree clean
[ "$boots" = 2 ] && grep -q 'Kernel panic' "$out/console.log"
expect $? "a second early death is not booted a third time, its console stays (boots: $boots)"

run oops_in_audit clean
[ "$boots" = 1 ] && [ ! -e "$out/console.first-boot.log" ]
expect $? "a death with audit code in the oops is not retried (boots: $boots)"

run bpf_in_trace_by_auditd clean
[ "$boots" = 2 ]
expect $? "a task or module named audit is not code of ours: retried (boots: $boots)"

ours='audit|bpf'
run bpf_in_trace_by_auditd clean
[ "$boots" = 1 ]
expect $? "BPF code in the trace is not retried where the BPF probe is ours (boots: $boots)"
run int3_in_kfree clean
[ "$boots" = 2 ]
expect $? "nor does that make the kfree death ours (boots: $boots)"

run after-test clean
[ "$boots" = 1 ]
expect $? "a death after the test printed its first line is not retried (boots: $boots)"

guest_died_before_test "$out" "$ours"
[ $? = 1 ]
expect $? "guest_died_before_test is false once the test began"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ] && [ "$checks" -ge 10 ]
