# shellcheck shell=bash
# Reading a guest's console: when its kernel failed, and when that failure
# may be booted once more.  Sourced by kernel/rig/rig (initramfs guests)
# and tests/package/boot (Debian root filesystem guests); both write
# OUTDIR/console.log (first serial port) and OUTDIR/serial1.log (second
# serial port, where the guest's test frames its output between
# @@AUDITPEAK-BEGIN@@ and @@AUDITPEAK-END rc=N@@).

# What on a guest's console means the kernel failed.
GUEST_PANIC_RE='Kernel panic|BUG:|Oops:|WARNING:|general protection'

# True when OUTDIR's console shows the kernel failing before the guest's
# test printed its first line, with no code of ours in the report: no
# function whose name matches OURS (an extended regex, case-insensitive)
# on a code line of it (RIP and call trace: "name+0xOFF"), as the task
# that died or the modules loaded may be named "audit" by chance.
guest_died_before_test() { # OUTDIR OURS
	local out=$1 ours=$2
	grep -Eq "$GUEST_PANIC_RE" "$out/console.log" || return 1
	! grep -q '^@@AUDITPEAK-BEGIN@@' "$out/serial1.log" 2>/dev/null || return 1
	! sed -En "/$GUEST_PANIC_RE/,\$p" "$out/console.log" |
		grep -Eo '[A-Za-z0-9_.]+\+0x[0-9a-f]+' | grep -Eqi "$ours"
}

# Runs BOOT-COMMAND (one QEMU run writing OUTDIR's console.log and
# serial1.log) and, when the kernel died before the test began with no code
# of OURS in the report, once more.  OURS names what of ours a guest runs
# before its test: the kernel patch (audit) and, in the rig's initramfs
# guests, the BPF probe.  A kernel that dies that early otherwise has run
# nothing of ours (no test program, no probe, no .deb).  The deaths seen
# were Debian's 6.12 on 2 or more vCPUs, about 1 boot in several hundred:
# once an int3 in sched_clock_cpu early in boot, once 20 s into a Debian 13
# boot in kfree, its RIP one byte into a 2-byte NOP (where a trap on an
# int3 put at that NOP's first byte leaves it).  The first was traced to
# the kernel's own code patching (static keys): its int3 hit after the
# patch had completed and its breakpoint handler was gone, QEMU's
# multi-threaded TCG running a stale translation of cross-modified code,
# not the kernel; the second bears the same mark.  The first console
# is kept as console.first-boot.log and the retry is told on stderr; a
# second death fails as usual.
guest_boot_once_more_if_early_death() { # NAME OUTDIR OURS BOOT-COMMAND...
	local name=$1 out=$2 ours=$3
	shift 3
	rm -f "$out/console.first-boot.log"
	"$@"
	guest_died_before_test "$out" "$ours" || return 0
	echo "$name: the kernel died before the test began ($(grep -m1 -E "$GUEST_PANIC_RE" "$out/console.log")); booting once more (first console: $out/console.first-boot.log)" >&2
	mv "$out/console.log" "$out/console.first-boot.log"
	rm -f "$out/serial1.log"
	"$@"
}
