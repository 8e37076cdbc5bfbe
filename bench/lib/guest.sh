# Sourced by the guest benchmarks: builds the bench programs for the QEMU
# guests (against the same libauditpeak build as tests/kernel/run) and boots
# one of them under a cached kernel through kernel/rig/rig.
#   guest_kernels FLAVOR...   builds (or finds cached) the rig's kernels, one
#                             build at a time machine-wide (the kbuild lock)
#   guest_build [TARGET...]   -> $guest_initrd (bench programs + auditpeak,
#                             and each extra ninja TARGET of the build)
#   guest_boot FLAVOR OUT PROG ARG...  -> $OUT/results.log; rig's exit code
# Environment for guest_boot: AUDITPEAK_SMP (the rig's vCPU count) and
# BENCH_QEMU_ARGS (extra QEMU options, through bench/lib/qemu-extra).
# AUDITPEAK_BENCH_RIG: another checkout's kernel/rig/rig (its kernels, e.g.
# already cached ones, instead of this checkout's).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rig=${AUDITPEAK_BENCH_RIG:-$top/kernel/rig/rig}
cache=${AUDITPEAK_KERNEL_CACHE:-/var/cache/auditpeak/kernel}
guest_dir=$cache/bench-guest
guest_initrd=$guest_dir/initramfs.cpio

guest_kernels() {
	local missing
	# Cached ones need no build, so no wait for the lock.
	missing=$("$rig" missing "$@") || return 1
	[ -z "$missing" ] ||
		flock /tmp/auditpeak-kbuild.lock "$rig" build $missing >/dev/null
}

guest_build() {
	# The project's own build (./build unless AUDITPEAK_BUILD says), so the
	# guests run exactly this checkout's library and CLI; meson builds the
	# bench and guest programs with the rest.
	local ub=${AUDITPEAK_BUILD:-$top/build} extra=() t
	mkdir -p "$guest_dir"
	if [ ! -f "$ub/build.ninja" ]; then
		meson setup "$ub" "$top" >/dev/null || return 1
	fi
	ninja -C "$ub" tests/kernel/guest/init bench/peak-capture \
		bench/record-cost src/auditpeak "$@" >/dev/null || return 1
	for t in "$@"; do extra+=("$ub/$t"); done
	"$rig" initramfs "$guest_initrd" "$ub/tests/kernel/guest/init" \
		"$ub/bench/peak-capture" "$ub/bench/record-cost" "$ub/src/auditpeak" \
		"${extra[@]}"
}

guest_boot() {
	local flavor=$1 out=$2 prog=$3 args path=$PATH
	shift 3
	args=$(IFS=,; echo "$*")
	[ -z "${BENCH_QEMU_ARGS:-}" ] || path=$top/bench/lib/qemu-extra:$PATH
	PATH=$path AUDITPEAK_BENCH_QEMU_ARGS=${BENCH_QEMU_ARGS:-} \
		"$rig" boot "$flavor" "$guest_initrd" "$out" \
		"auditpeak_prog=$prog" "auditpeak_args=$args" 2>>"$out.rig.log"
}
