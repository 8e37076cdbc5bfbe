# Sourced by the guest benchmarks: builds the bench programs for the QEMU
# guests (against the same libauditpeak build as tests/kernel/run) and boots
# one of them under a cached kernel through kernel/rig/rig.
#   guest_build               -> $guest_initrd (every bench program inside)
#   guest_boot FLAVOR OUT PROG ARG...  -> $OUT/results.log; rig's exit code
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rig=$top/kernel/rig/rig
cache=${AUDITPEAK_KERNEL_CACHE:-/var/cache/auditpeak/kernel}
guest_dir=$cache/bench-guest
guest_initrd=$guest_dir/initramfs.cpio

guest_build() {
	# Our own meson build: $cache/userspace belongs to tests/kernel/run of
	# whichever checkout ran it last.
	local ub=$guest_dir/userspace cflags libs
	"$rig" build all >/dev/null || return 1
	mkdir -p "$guest_dir"
	if [ ! -f "$ub/build.ninja" ]; then
		meson setup "$ub" "$top" --buildtype=debugoptimized >/dev/null || return 1
	fi
	ninja -C "$ub" lib/libauditpeak.a >/dev/null || return 1
	cflags=(-O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I"$top/include")
	# The bpf backend is linked in (ap_peak_open knows it) but never
	# loads in the guest: tinyconfig has no BPF.
	libs=("$ub/lib/libauditpeak.a" -lmnl -lcap -lbpf -lelf -lz -lpthread)
	gcc "${cflags[@]}" -o "$guest_dir/init" "$top/tests/kernel/guest/init.c" &&
	gcc "${cflags[@]}" -o "$guest_dir/peak-capture" \
		"$top/bench/peak_capture/peak_capture.c" "${libs[@]}" &&
	gcc "${cflags[@]}" -o "$guest_dir/enqueue-rate" \
		"$top/bench/kernel_cost/enqueue_rate.c" "${libs[@]}" &&
	"$rig" initramfs "$guest_initrd" "$guest_dir/init" \
		"$guest_dir/peak-capture" "$guest_dir/enqueue-rate"
}

guest_boot() {
	local flavor=$1 out=$2 prog=$3 args
	shift 3
	args=$(IFS=,; echo "$*")
	"$rig" boot "$flavor" "$guest_initrd" "$out" \
		"auditpeak_prog=$prog" "auditpeak_args=$args" 2>>"$out.rig.log"
}
